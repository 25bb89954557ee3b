/* TLS for network senders (RFC 5425; evtrigger-listen(8), "NETWORK
 * SENDERS"): the server context (certificate, key, the CA client
 * certificates are verified against, TLS 1.3 unless 1.2 is allowed, no
 * session tickets), TLS 1.3 external PSKs whose identity is a senders file
 * NAME, ALPN "evtrigger/1" for senders that want answers, and after the
 * handshake who the peer is: a listed SAN or SHA-256 fingerprint of a
 * verified client certificate, or the PSK's NAME. OpenSSL 3. Never logs:
 * every failure comes back as a reason in words. */
#ifndef LISTEN_TLS_H
#define LISTEN_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include "senders.h"

#define TLS_ALPN "evtrigger/1"
#define TLS_REASON_MAX 200

struct tls_config {
	const char *cert;               /* PEM chain of the server */
	const char *key;                /* its key */
	const char *ca;                 /* client certificates' CA; NULL: no
					 * x509 senders */
	int min_version;                /* TLS1_2_VERSION or TLS1_3_VERSION */
	const struct senders *senders;  /* outlives the context */
};

/* What the callbacks learn during one handshake (the SSL's app data). */
struct tls_peer_info {
	const struct sender *psk;       /* the PSK identity offered, if listed */
	char psk_identity[SENDER_NAME_MAX + 1]; /* offered identity, printable */
	bool psk_offered;
	int verify_error;               /* first X509_V_ERR_*, 0 if none */
};

/* A server context. Returns 0, or -EINVAL with *ret_error (malloc'd: which
 * file and what OpenSSL said), or -ENOMEM. */
int tls_ctx_new(const struct tls_config *cfg, SSL_CTX **ret, char **ret_error);

/* A server-side SSL for the connected socket fd, reporting into info
 * (which must stay where it is for the SSL's life). NULL on ENOMEM. */
SSL *tls_accept_new(SSL_CTX *ctx, int fd, struct tls_peer_info *info);

/* Why the handshake of ssl failed (SSL_get_error gave err), in words,
 * into buf. */
void tls_handshake_failure(SSL *ssl, int err, char buf[TLS_REASON_MAX]);

/* After a completed handshake: the sender the peer proved to be, with
 * *ret_auth "psk" or "x509". Returns 0, or -EPERM with the reason in buf
 * (no certificate, not listed...). */
int tls_peer_sender(SSL *ssl, const struct senders *s,
		    const struct sender **ret, const char **ret_auth,
		    char buf[TLS_REASON_MAX]);

/* Whether the client offered "evtrigger/1" and it was selected. */
bool tls_answers(SSL *ssl);

#endif
