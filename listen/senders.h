/* The senders file (/etc/evtrigger/senders.conf, evtrigger-listen(8),
 * "SENDERS FILE"): which network peers may send events and under which
 * sender name. One entry per line, '#' comments, blank-separated words:
 *
 *     NAME  x509     san=DNS:host.example.org | san=IP:192.0.2.7 |
 *                    san=URI:... | san=email:... | sha256=AB:CD:...
 *     NAME  psk      key=SECRET | key-file=/path
 *     NAME  address  192.0.2.7 | 2001:db8::7
 *
 * NAME is [A-Za-z0-9._@+-]{1,64}. No wildcards. Parsing goes on after an
 * error; every error is reported as "file:line: message". Pure parsing and
 * lookups; senders_load also reads key files, checks file modes and derives
 * the PSK keys. Never logs. */
#ifndef LISTEN_SENDERS_H
#define LISTEN_SENDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "macro.h"

#define SENDER_NAME_MAX 64
#define SENDER_PSK_LEN 32
#define SENDER_SHA256_LEN 32
#define SENDER_SECRET_MAX 4096
/* The PSK key derivation (evtrigger-listen(8), "PSK KEYS"). */
#define SENDER_PSK_SALT "evtrigger/1 psk "
#define SENDER_PSK_ITERATIONS 100000

enum sender_kind {
	SENDER_X509,
	SENDER_PSK,
	SENDER_ADDRESS,
};

enum sender_match {
	SENDER_SAN_DNS,         /* value: the name, compared ignoring case */
	SENDER_SAN_IP,          /* bin: 4 or 16 bytes */
	SENDER_SAN_URI,         /* value, exact */
	SENDER_SAN_EMAIL,       /* value, exact */
	SENDER_SHA256,          /* bin: the leaf certificate's SHA-256 */
};

struct sender {
	char name[SENDER_NAME_MAX + 1];
	enum sender_kind kind;
	unsigned line;
	/* x509 */
	enum sender_match match;
	char *value;
	unsigned char bin[SENDER_SHA256_LEN];
	size_t bin_len;
	/* psk: the secret (key=, or the key file's content once loaded) and
	 * the derived key (senders_load) */
	char *secret;
	size_t secret_len;
	char *key_file;
	unsigned char psk[SENDER_PSK_LEN];
	bool psk_ready;
	/* address: AF_INET (4 bytes) or AF_INET6 (16) */
	int family;
	unsigned char addr[16];
};

struct senders {
	struct sender *v;
	size_t n;
	bool has_psk;
};

void senders_free(struct senders *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct senders *, senders_free)

/* Whether name is a valid sender name. */
bool sender_name_valid(const char *name, size_t len);

/* Parses the text of a senders file (len bytes; file names it in errors).
 * Returns 0 with *ret; -EINVAL with *ret_errors (a strv of "file:line:
 * message", all of them) and *ret untouched; -ENOMEM. Reads no key file
 * and derives no key. */
int senders_parse(const char *text, size_t len, const char *file,
		  struct senders **ret, char ***ret_errors);

/* Reads and parses path, refuses it (an error in *ret_errors) when it holds
 * a psk entry and its mode lets group or others read or write it, reads the
 * key files (same mode rule) and derives every PSK key. Returns as
 * senders_parse, or -errno when path cannot be read (no *ret_errors). */
int senders_load(const char *path, struct senders **ret, char ***ret_errors);

/* The PSK key of name for secret (evtrigger-listen(8), "PSK KEYS"):
 * PBKDF2-HMAC-SHA256(secret, SENDER_PSK_SALT NAME, 100000, 32). Returns 0
 * or -EIO. */
int sender_derive_psk(const char *secret, size_t secret_len, const char *name,
		      unsigned char ret[SENDER_PSK_LEN]);

/* Lookups: the first entry that matches, or NULL. */
const struct sender *senders_find_psk(const struct senders *s,
				      const char *identity, size_t len);
const struct sender *senders_find_san(const struct senders *s,
				      enum sender_match match,
				      const void *value, size_t len);
const struct sender *senders_find_address(const struct senders *s,
					  const struct sockaddr *sa);
bool senders_has(const struct senders *s, enum sender_kind kind);

#endif
