/* evcreate --server's transport: one TLS connection to evtrigger-listen
 * (RFC 5425 over TCP), offering ALPN "evtrigger/1", authenticated by the
 * server's certificate (against a CA, host name checked) and optionally a
 * client certificate, or by a TLS 1.3 external PSK. OpenSSL; never prints.
 *
 * Built only where EVC_TLS is 1 (the default). The static guest build (make
 * guest-tools) sets EVC_TLS=0: it links no OpenSSL, evc_tls_available() is
 * false there, and every other function fails with -EPROTONOSUPPORT. */
#ifndef EVC_TLS_H
#define EVC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef EVC_TLS
#define EVC_TLS 1
#endif

/* The ALPN protocol of the answering mode (CONTRACT-TLS "ALPN"). */
#define EVC_ALPN                "evtrigger/1"
#include "psk.h"

struct evc_tls_opts {
	const char *host;               /* a name or an address, no brackets */
	const char *port;
	const char *cert, *key;         /* client certificate, or NULL */
	const char *ca;                 /* NULL: the system's store */
	const char *psk_identity;       /* NULL: certificates */
	unsigned char psk_key[EVC_PSK_KEY_LEN];
};

struct evc_tls;

/* Whether this build can do TLS at all. */
bool evc_tls_available(void);

/* What a failed connect means for the caller. */
enum evc_tls_fail {
	EVC_TLS_AGAIN,          /* transient: refused, unreachable, timed out,
				 * reset; try again later */
	EVC_TLS_FATAL,          /* trying again will not help: bad local files,
				 * unknown host, the handshake refused (wrong
				 * PSK, certificate not trusted) */
};

/* Resolves o->host, connects over TCP and completes the TLS handshake
 * before deadline (CLOCK_MONOTONIC usec). Returns 0 with *ret set, or -errno
 * with *ret_fail and a malloc'd message in *ret_msg (NULL on ENOMEM) that
 * names the host and the reason. */
int evc_tls_connect(const struct evc_tls_opts *o, uint64_t deadline,
		    struct evc_tls **ret, enum evc_tls_fail *ret_fail,
		    char **ret_msg);
/* Whether the server selected EVC_ALPN: then it answers every frame. */
bool evc_tls_answers(const struct evc_tls *c);
/* A one-line description of the session, e.g. "TLSv1.3
 * TLS_AES_128_GCM_SHA256, PSK". */
const char *evc_tls_describe(const struct evc_tls *c, char *buf, size_t size);

/* Writes all of buf before deadline. Returns 0, -ETIMEDOUT, -EACCES (the
 * peer ended the connection with a TLS alert: it refused us) or -ECONNRESET
 * (the connection is gone); evc_tls_error says why. */
int evc_tls_write(struct evc_tls *c, const void *buf, size_t len,
		  uint64_t deadline);
/* Reads what has come, waiting until deadline for the first byte. Returns
 * the number of bytes (> 0), 0 at the end of the stream, -ETIMEDOUT,
 * -EACCES or -ECONNRESET as evc_tls_write. */
ssize_t evc_tls_read(struct evc_tls *c, void *buf, size_t size,
		     uint64_t deadline);
/* Why the last evc_tls_read or evc_tls_write failed, e.g. "tlsv13 alert
 * certificate required". */
const char *evc_tls_error(const struct evc_tls *c);
/* Sends close_notify (not waiting for the peer's) and frees c. NULL is
 * fine. */
void evc_tls_close(struct evc_tls *c);

#endif
