/* evtrigger-bus's configuration (see config.h). */
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "options.h"
#include "strv.h"

void
bus_config_clear(struct bus_config *c)
{
	free(c->host);
	free(c->socket);
	free(c->connect);
	strv_free(c->servers);
	free(c->user);
	free(c->password_file);
	free(c->tls_ca);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->stream);
	*c = (struct bus_config){ 0 };
}

static int
set_str(char **field, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* A name that becomes a NATS token or a journal value: printable, no blank,
 * no '.', '*' or '>'. */
static bool
good_name(const char *s)
{
	if (s[0] == '\0' || strlen(s) > 255)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == '.' || *p == '*' ||
		    *p == '>')
			return false;
	return true;
}

static int
set_servers(struct bus_config *c, const char *value, const char **ret_why)
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_(freep) char *copy = strdup(value);
	size_t n;
	int r;

	if (copy == NULL)
		return -ENOMEM;
	/* Commas separate as blanks do. */
	for (char *p = copy; *p; p++)
		if (*p == ',')
			*p = ' ';
	r = parse_words(copy, &words, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || n == 0) {
		*ret_why = "must be one or more URLs (nats://HOST:PORT)";
		return -EINVAL;
	}
	strv_free(c->servers);
	c->servers = TAKE_PTR(words);
	return 0;
}

int
bus_config_set(struct bus_config *c, const char *section, const char *key,
	       const char *value, const char **ret_why)
{
	if (streq(section, "bus")) {
		if (streq(key, "host")) {
			if (!good_name(value)) {
				*ret_why = "must be a name without blanks, "
					   "'.', '*' or '>'";
				return -EINVAL;
			}
			return set_str(&c->host, value);
		}
		if (streq(key, "socket")) {
			if (value[0] != '/' || strlen(value) > 107) {
				*ret_why = "must be an absolute path of at "
					   "most 107 bytes";
				return -EINVAL;
			}
			return set_str(&c->socket, value);
		}
		if (streq(key, "connect"))
			return set_str(&c->connect, value);
		return -ENOENT;
	}
	if (!streq(section, "nats"))
		return -ENOENT;
	if (streq(key, "servers"))
		return set_servers(c, value, ret_why);
	if (streq(key, "user"))
		return set_str(&c->user, value);
	if (streq(key, "password-file"))
		return set_str(&c->password_file, value);
	if (streq(key, "tls-ca"))
		return set_str(&c->tls_ca, value);
	if (streq(key, "tls-cert"))
		return set_str(&c->tls_cert, value);
	if (streq(key, "tls-key"))
		return set_str(&c->tls_key, value);
	if (streq(key, "stream")) {
		if (!good_name(value) || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVW"
			"XYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(value)) {
			*ret_why = "must be [A-Za-z0-9_-]";
			return -EINVAL;
		}
		return set_str(&c->stream, value);
	}
	if (streq(key, "replicas")) {
		int64_t v;

		if (parse_int(value, &v) < 0 || v < 1 ||
		    v > BUS_REPLICAS_MAX) {
			*ret_why = "must be 1..5";
			return -EINVAL;
		}
		c->replicas = (int)v;
		return 0;
	}
	return -ENOENT;
}

/* The file being read: inih gets it a line at a time from reader(), so
 * that line is the line of each handler call. */
struct loader {
	struct bus_config *c;
	const char *path;
	FILE *f;
	unsigned line;
	bool at_line_start;
	char ***errors;
	size_t *n_errors;
	int r;
};

static void
add_error(struct loader *l, const char *fmt, const char *a, const char *b)
{
	if (strv_extendf(l->errors, l->n_errors, "%s:%u: %s%s%s", l->path,
			 l->line, fmt, a != NULL ? a : "",
			 b != NULL ? b : "") < 0)
		l->r = -ENOMEM;
	else if (l->r == 0)
		l->r = -EINVAL;
}

static char *
reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	char *s = fgets(str, num, l->f);

	if (s == NULL)
		return NULL;
	if (l->at_line_start)
		l->line++;
	l->at_line_start = strchr(s, '\n') != NULL;
	return s;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct loader *l = user;
	const char *why = NULL;
	_cleanup_(freep) char *msg = NULL;
	int r;

	if (key == NULL)
		return 1;       /* a section header alone */
	r = bus_config_set(l->c, section, key, value, &why);
	if (r == -ENOMEM) {
		l->r = r;
		return 0;
	}
	if (r == -ENOENT) {
		if (asprintf(&msg, "unknown key '%s' in [%s]", key,
			     section) < 0)
			l->r = -ENOMEM;
		else
			add_error(l, msg, NULL, NULL);
	} else if (r < 0) {
		if (asprintf(&msg, "invalid %s '%s': ", key, value) < 0)
			l->r = -ENOMEM;
		else
			add_error(l, msg, why, NULL);
	}
	return 1;
}

int
bus_config_load(struct bus_config *c, const char *path, bool missing_ok,
		char ***errors, size_t *n_errors)
{
	struct loader l = { c, path, NULL, 0, true, errors, n_errors, 0 };
	int r;

	l.f = fopen(path, "re");
	if (l.f == NULL)
		return errno == ENOENT && missing_ok ? 0 : -errno;
	r = ini_parse_stream(reader, &l, handler, &l);
	fclose(l.f);
	if (l.r == -ENOMEM)
		return l.r;
	if (r > 0) {
		/* inih's own syntax error, on line r */
		l.line = (unsigned)r;
		add_error(&l, "syntax error: expected [section] or key = value",
			  NULL, NULL);
	} else if (r < 0)
		return -EIO;
	return l.r;
}

static int
merge_str(char **dst, const char *src)
{
	return src != NULL ? set_str(dst, src) : 0;
}

int
bus_config_merge(struct bus_config *c, const struct bus_config *o)
{
	if (merge_str(&c->host, o->host) < 0 ||
	    merge_str(&c->socket, o->socket) < 0 ||
	    merge_str(&c->connect, o->connect) < 0 ||
	    merge_str(&c->user, o->user) < 0 ||
	    merge_str(&c->password_file, o->password_file) < 0 ||
	    merge_str(&c->tls_ca, o->tls_ca) < 0 ||
	    merge_str(&c->tls_cert, o->tls_cert) < 0 ||
	    merge_str(&c->tls_key, o->tls_key) < 0 ||
	    merge_str(&c->stream, o->stream) < 0)
		return -ENOMEM;
	if (o->servers != NULL) {
		char **v = NULL;
		size_t n = 0;

		for (size_t i = 0; o->servers[i] != NULL; i++)
			if (strv_extend(&v, &n, o->servers[i]) < 0) {
				strv_free(v);
				return -ENOMEM;
			}
		strv_free(c->servers);
		c->servers = v;
	}
	if (o->replicas != 0)
		c->replicas = o->replicas;
	return 0;
}

int
bus_config_finish(struct bus_config *c)
{
	const char *why;

	if (c->host == NULL) {
		char h[256] = "";

		if (gethostname(h, sizeof(h) - 1) < 0)
			return -errno;
		if (bus_config_set(c, "bus", "host", h, &why) < 0)
			return -EINVAL;
	}
	if ((c->socket == NULL && set_str(&c->socket, BUS_DEFAULT_SOCKET) < 0) ||
	    (c->connect == NULL && set_str(&c->connect, BUS_DEFAULT_URI) < 0) ||
	    (c->stream == NULL && set_str(&c->stream, BUS_DEFAULT_STREAM) < 0))
		return -ENOMEM;
	if (c->servers == NULL &&
	    bus_config_set(c, "nats", "servers", BUS_DEFAULT_SERVERS, &why) < 0)
		return -ENOMEM;
	if (c->replicas == 0)
		c->replicas = BUS_DEFAULT_REPLICAS;
	return 0;
}

int
bus_config_read_password(const char *path, char **ret)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct stat st;

	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) < 0)
		return -errno;
	if ((st.st_mode & 077) != 0)
		return -EPERM;
	n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return feof(f) ? -EINVAL : -errno;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		return -EINVAL;
	}
	*ret = line;
	return 0;
}
