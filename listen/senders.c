/* The senders file: parsing, loading and lookups (see senders.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "quote.h"
#include "senders.h"
#include "strv.h"

#define SENDERS_FILE_MAX (1024 * 1024)
#define WORDS_MAX 8

static void
sender_done(struct sender *e)
{
	free(e->value);
	if (e->secret != NULL) {
		explicit_bzero(e->secret, e->secret_len);
		free(e->secret);
	}
	free(e->key_file);
	explicit_bzero(e->psk, sizeof(e->psk));
}

void
senders_free(struct senders *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		sender_done(&s->v[i]);
	free(s->v);
	free(s);
}

bool
sender_name_valid(const char *name, size_t len)
{
	if (len < 1 || len > SENDER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || strchr("._@+-", c) != NULL) ||
		    c == '\0')
			return false;
	}
	return true;
}

/* The parser's state: the file name, the line, the errors so far. */
struct parser {
	const char *file;
	unsigned line;
	char **errors;
	size_t n_errors;
	bool oom;
};

static void _printf_(2, 3)
error(struct parser *p, const char *fmt, ...)
{
	_cleanup_(freep) char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0 || strv_extendf(&p->errors, &p->n_errors, "%s:%u: %s",
				  p->file, p->line, msg) < 0)
		p->oom = true;
}

/* 32 bytes of hex, colons allowed between bytes, any case. */
static int
parse_sha256(const char *s, unsigned char ret[SENDER_SHA256_LEN])
{
	unsigned char b[SENDER_SHA256_LEN];
	size_t n = 0;

	while (*s != '\0') {
		int hi, lo;

		if (n == sizeof(b))
			return -EINVAL;
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0)
			return -EINVAL;
		b[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (*s == ':' && s[1] != '\0')
			s++;
	}
	if (n != sizeof(b))
		return -EINVAL;
	memcpy(ret, b, sizeof(b));
	return 0;
}

static int
parse_ip(const char *s, int *ret_family, unsigned char ret[16])
{
	unsigned char b[16];

	if (inet_pton(AF_INET, s, b) == 1) {
		*ret_family = AF_INET;
		memcpy(ret, b, 4);
		return 0;
	}
	if (strchr(s, ':') != NULL && inet_pton(AF_INET6, s, b) == 1) {
		*ret_family = AF_INET6;
		memcpy(ret, b, 16);
		return 0;
	}
	return -EINVAL;
}

static bool
has_prefix(const char *s, const char *prefix, const char **ret_rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*ret_rest = s + n;
	return true;
}

static void
parse_x509(struct parser *p, struct sender *e, const char *w)
{
	const char *v;

	if (has_prefix(w, "sha256=", &v)) {
		e->match = SENDER_SHA256;
		if (parse_sha256(v, e->bin) < 0)
			error(p, "invalid sha256 '%s': must be 32 bytes in hex "
			      "(colons allowed)", v);
		e->bin_len = SENDER_SHA256_LEN;
		return;
	}
	if (!has_prefix(w, "san=", &v)) {
		error(p, "invalid x509 entry '%s': must be san=TYPE:VALUE or "
		      "sha256=HEX", w);
		return;
	}
	if (has_prefix(v, "DNS:", &w))
		e->match = SENDER_SAN_DNS;
	else if (has_prefix(v, "IP:", &w))
		e->match = SENDER_SAN_IP;
	else if (has_prefix(v, "URI:", &w))
		e->match = SENDER_SAN_URI;
	else if (has_prefix(v, "email:", &w))
		e->match = SENDER_SAN_EMAIL;
	else {
		error(p, "invalid san '%s': must start with DNS:, IP:, URI: "
		      "or email:", v);
		return;
	}
	if (*w == '\0') {
		error(p, "empty san '%s'", v);
		return;
	}
	if (strchr(w, '*') != NULL) {
		error(p, "wildcard in san '%s': list each name exactly", v);
		return;
	}
	if (e->match == SENDER_SAN_IP) {
		int family;

		if (parse_ip(w, &family, e->bin) < 0)
			error(p, "invalid IP address in san '%s'", v);
		e->bin_len = family == AF_INET ? 4 : 16;
		return;
	}
	e->value = strdup(w);
	if (e->value == NULL)
		p->oom = true;
}

static void
parse_psk(struct parser *p, struct sender *e, const char *w)
{
	const char *v;

	if (has_prefix(w, "key=", &v)) {
		if (*v == '\0' || strlen(v) > SENDER_SECRET_MAX) {
			error(p, "invalid psk key: must be 1..%d bytes "
			      "(a --gen-psk key is recommended)",
			      SENDER_SECRET_MAX);
			return;
		}
		e->secret_len = strlen(v);
		e->secret = strdup(v);
		if (e->secret == NULL)
			p->oom = true;
		return;
	}
	if (has_prefix(w, "key-file=", &v)) {
		if (v[0] != '/') {
			error(p, "invalid key-file '%s': must be an absolute "
			      "path", v);
			return;
		}
		e->key_file = strdup(v);
		if (e->key_file == NULL)
			p->oom = true;
		return;
	}
	error(p, "invalid psk entry '%s': must be key=SECRET or "
	      "key-file=PATH", w);
}

/* Whether entry a and b claim the same proof (an ambiguous file). */
static bool
same_proof(const struct sender *a, const struct sender *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SENDER_PSK:
		return streq(a->name, b->name);
	case SENDER_ADDRESS:
		return a->family == b->family &&
		       memcmp(a->addr, b->addr,
			      a->family == AF_INET ? 4 : 16) == 0;
	case SENDER_X509:
		if (a->match != b->match)
			return false;
		if (a->value != NULL && b->value != NULL)
			return a->match == SENDER_SAN_DNS
				       ? strcasecmp(a->value, b->value) == 0
				       : streq(a->value, b->value);
		return a->bin_len == b->bin_len &&
		       memcmp(a->bin, b->bin, a->bin_len) == 0;
	}
	return false;
}

/* Splits line (modified) into blank-separated words. Returns the count,
 * at most WORDS_MAX + 1. */
static size_t
split(char *line, char *words[WORDS_MAX + 1])
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t\r", &save); w != NULL && n <= WORDS_MAX;
	     w = strtok_r(NULL, " \t\r", &save))
		words[n++] = w;
	return n;
}

static void
parse_line(struct parser *p, struct senders *s, char *line)
{
	char *words[WORDS_MAX + 1], *hash;
	struct sender e = { .line = p->line };
	struct sender *v;
	size_t n;

	hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	n = split(line, words);
	if (n == 0)
		return;
	if (!sender_name_valid(words[0], strlen(words[0]))) {
		error(p, "invalid sender name '%.80s': must be 1..64 of "
		      "A-Z a-z 0-9 . _ @ + -", words[0]);
		return;
	}
	strcpy(e.name, words[0]);
	if (n < 3) {
		error(p, "sender '%s': expected NAME KIND VALUE", e.name);
		return;
	}
	if (n > 3) {
		error(p, "sender '%s': unexpected '%.80s' (one VALUE per line)",
		      e.name, words[3]);
		return;
	}
	if (streq(words[1], "x509")) {
		e.kind = SENDER_X509;
		parse_x509(p, &e, words[2]);
	} else if (streq(words[1], "psk")) {
		e.kind = SENDER_PSK;
		parse_psk(p, &e, words[2]);
	} else if (streq(words[1], "address")) {
		e.kind = SENDER_ADDRESS;
		if (strchr(words[2], '/') != NULL || strchr(words[2], '*'))
			error(p, "invalid address '%s': one address, no "
			      "networks or wildcards", words[2]);
		else if (parse_ip(words[2], &e.family, e.addr) < 0)
			error(p, "invalid address '%s': must be an IPv4 or "
			      "IPv6 address", words[2]);
	} else {
		error(p, "unknown kind '%.80s': must be x509, psk or address",
		      words[1]);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (same_proof(&s->v[i], &e)) {
			error(p, "sender '%s': %s already listed at line %u%s%s",
			      e.name, e.kind == SENDER_PSK ? "psk identity" :
			      e.kind == SENDER_ADDRESS ? "address" :
			      "certificate", s->v[i].line,
			      streq(s->v[i].name, e.name) ? "" : " for ",
			      streq(s->v[i].name, e.name) ? "" : s->v[i].name);
			sender_done(&e);
			return;
		}
	v = reallocarray(s->v, s->n + 1, sizeof(*v));
	if (v == NULL) {
		sender_done(&e);
		p->oom = true;
		return;
	}
	s->v = v;
	s->v[s->n++] = e;
	if (e.kind == SENDER_PSK)
		s->has_psk = true;
}

int
senders_parse(const char *text, size_t len, const char *file,
	      struct senders **ret, char ***ret_errors)
{
	_cleanup_(senders_freep) struct senders *s = calloc(1, sizeof(*s));
	struct parser p = { .file = file };
	size_t off = 0;

	if (s == NULL)
		return -ENOMEM;
	while (off < len && !p.oom) {
		const char *lf = memchr(text + off, '\n', len - off);
		size_t n = lf != NULL ? (size_t)(lf - text - off) : len - off;
		_cleanup_(freep) char *line = NULL;

		p.line++;
		if (memchr(text + off, '\0', n) != NULL)
			error(&p, "NUL byte in line");
		else if ((line = strndup(text + off, n)) == NULL)
			p.oom = true;
		else
			parse_line(&p, s, line);
		off += n + 1;
	}
	if (p.oom) {
		strv_free(p.errors);
		return -ENOMEM;
	}
	if (p.n_errors > 0) {
		*ret_errors = p.errors;
		return -EINVAL;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

int
sender_derive_psk(const char *secret, size_t secret_len, const char *name,
		  unsigned char ret[SENDER_PSK_LEN])
{
	char salt[sizeof(SENDER_PSK_SALT) + SENDER_NAME_MAX];
	int n = snprintf(salt, sizeof(salt), SENDER_PSK_SALT "%s", name);

	if (n < 0 || (size_t)n >= sizeof(salt))
		return -EINVAL;
	if (PKCS5_PBKDF2_HMAC(secret, (int)secret_len,
			      (const unsigned char *)salt, n,
			      SENDER_PSK_ITERATIONS, EVP_sha256(),
			      SENDER_PSK_LEN, ret) != 1)
		return -EIO;
	return 0;
}

static void
load_key_file(struct parser *p, struct sender *e)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len;
	mode_t mode;
	int r;

	p->line = e->line;
	r = read_file_mode(e->key_file, SENDER_SECRET_MAX + 1, &buf, &len,
			   &mode);
	if (r < 0) {
		error(p, "cannot read key-file '%s': %s", e->key_file,
		      r == -EFBIG ? "too large" : strerror(-r));
		return;
	}
	if (mode & 077)
		error(p, "key-file '%s' is readable or writable by group or "
		      "others (mode %04o): chmod 600 it", e->key_file,
		      (unsigned)(mode & 07777));
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len > SENDER_SECRET_MAX ||
	    memchr(buf, '\0', len) != NULL)
		error(p, "key-file '%s': the secret must be 1..%d bytes, no "
		      "NUL", e->key_file, SENDER_SECRET_MAX);
	e->secret = TAKE_PTR(buf);
	e->secret_len = len;
}

int
senders_load(const char *path, struct senders **ret, char ***ret_errors)
{
	_cleanup_(senders_freep) struct senders *s = NULL;
	_cleanup_(freep) char *text = NULL;
	struct parser p = { .file = path };
	size_t len;
	mode_t mode;
	int r;

	r = read_file_mode(path, SENDERS_FILE_MAX, &text, &len, &mode);
	if (r < 0)
		return r;
	r = senders_parse(text, len, path, &s, ret_errors);
	if (r < 0)
		return r;
	if (s->has_psk && (mode & 077)) {
		p.line = 1;
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].kind == SENDER_PSK) {
				p.line = s->v[i].line;
				break;
			}
		error(&p, "the file holds psk keys and is readable or writable "
		      "by group or others (mode %04o): chmod 600 it",
		      (unsigned)(mode & 07777));
	}
	for (size_t i = 0; i < s->n && !p.oom; i++) {
		struct sender *e = &s->v[i];

		if (e->kind != SENDER_PSK)
			continue;
		if (e->key_file != NULL)
			load_key_file(&p, e);
		if (e->secret == NULL || p.n_errors > 0)
			continue;
		if (sender_derive_psk(e->secret, e->secret_len, e->name,
				      e->psk) < 0) {
			p.line = e->line;
			error(&p, "cannot derive the psk key");
			continue;
		}
		e->psk_ready = true;
	}
	if (p.oom) {
		strv_free(p.errors);
		return -ENOMEM;
	}
	if (p.n_errors > 0) {
		*ret_errors = p.errors;
		return -EINVAL;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

const struct sender *
senders_find_psk(const struct senders *s, const char *identity, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == SENDER_PSK && s->v[i].psk_ready &&
		    strlen(s->v[i].name) == len &&
		    memcmp(s->v[i].name, identity, len) == 0)
			return &s->v[i];
	return NULL;
}

const struct sender *
senders_find_san(const struct senders *s, enum sender_match match,
		 const void *value, size_t len)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct sender *e = &s->v[i];

		if (e->kind != SENDER_X509 || e->match != match)
			continue;
		if (e->value != NULL) {
			if (strlen(e->value) == len &&
			    (match == SENDER_SAN_DNS
				     ? strncasecmp(e->value, value, len) == 0
				     : memcmp(e->value, value, len) == 0))
				return e;
		} else if (e->bin_len == len && memcmp(e->bin, value, len) == 0)
			return e;
	}
	return NULL;
}

const struct sender *
senders_find_address(const struct senders *s, const struct sockaddr *sa)
{
	const unsigned char *a;
	int family;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			a = a6->s6_addr + 12;
		} else {
			family = AF_INET6;
			a = a6->s6_addr;
		}
	} else
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == SENDER_ADDRESS &&
		    s->v[i].family == family &&
		    memcmp(s->v[i].addr, a, family == AF_INET ? 4 : 16) == 0)
			return &s->v[i];
	return NULL;
}

bool
senders_has(const struct senders *s, enum sender_kind kind)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == kind)
			return true;
	return false;
}
