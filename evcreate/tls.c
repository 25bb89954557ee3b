/* evcreate --server's TLS connection (see tls.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "macro.h"
#include "time.h"
#include "tls.h"

#if EVC_TLS

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct evc_tls {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	bool psk;
	const char *identity;           /* the caller's, for the callback */
	unsigned char key[EVC_PSK_KEY_LEN];
	char error[256];                /* why the last read or write failed */
};

bool
evc_tls_available(void)
{
	return true;
}

static int
msec_until(uint64_t deadline)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);

	if (now >= deadline)
		return 0;
	return (deadline - now) / 1000 > 60000 ? 60000
					       : (int)((deadline - now + 999) /
						       1000);
}

/* Waits for fd to be ready for events. 1 ready, 0 timed out. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int ms = msec_until(deadline), r;

		if (ms == 0)
			return 0;
		r = poll(&p, 1, ms);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 0;
	}
}

/* Waits for the socket after an SSL call failed with e (its
 * SSL_get_error()). Returns 1 ready, 0 timed out, -1 if e is no wait for
 * I/O (the call failed for good). */
static int
wait_ssl(const struct evc_tls *c, int e, uint64_t deadline)
{
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(c->fd, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(c->fd, POLLOUT, deadline);
	default:
		return -1;
	}
}

/* The last OpenSSL error as text, or what fallback says. */
static const char *
ssl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *s = e != 0 ? ERR_reason_error_string(e) : NULL;

	return s != NULL ? s : fallback;
}

/* TLS_AES_128_GCM_SHA256, the PSK's cipher (CONTRACT-TLS). */
static const unsigned char psk_cipher_id[] = { 0x13, 0x01 };

static int
psk_use_session(SSL *ssl, const EVP_MD *md, const unsigned char **ret_id,
		size_t *ret_idlen, SSL_SESSION **ret_sess)
{
	struct evc_tls *c = SSL_get_app_data(ssl);
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, psk_cipher_id);
	SSL_SESSION *s;

	if (cipher == NULL)
		return 0;
	if (md != NULL && md != SSL_CIPHER_get_handshake_digest(cipher)) {
		*ret_sess = NULL;       /* no PSK for this hash */
		*ret_id = NULL;
		*ret_idlen = 0;
		return 1;
	}
	s = SSL_SESSION_new();
	if (s == NULL ||
	    SSL_SESSION_set1_master_key(s, c->key, sizeof(c->key)) != 1 ||
	    SSL_SESSION_set_cipher(s, cipher) != 1 ||
	    SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION) != 1) {
		SSL_SESSION_free(s);
		return 0;
	}
	*ret_sess = s;
	*ret_id = (const unsigned char *)c->identity;
	*ret_idlen = strlen(c->identity);
	return 1;
}

/* With a PSK the server shows no certificate: one shown means it did not
 * take the PSK, and nothing else may authenticate it. */
static int
refuse_certificate(int ok, X509_STORE_CTX *x)
{
	X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

static int
make_ctx(struct evc_tls *c, const struct evc_tls_opts *o, char **ret_msg)
{
	static const unsigned char alpn[] = "\x0b" EVC_ALPN;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		return failf(-ENOMEM, ret_msg, "cannot set up TLS: %s",
			   ssl_reason("out of memory"));
	/* TLS 1.3; 1.2 only for certificates (a PSK needs 1.3). */
	SSL_CTX_set_min_proto_version(c->ctx, o->psk_identity != NULL
						      ? TLS1_3_VERSION
						      : TLS1_2_VERSION);
	if (SSL_CTX_set_alpn_protos(c->ctx, alpn, sizeof(alpn) - 1) != 0)
		return failf(-ENOMEM, ret_msg, "cannot set up TLS: ALPN");
	if (o->psk_identity != NULL) {
		c->psk = true;
		c->identity = o->psk_identity;
		memcpy(c->key, o->psk_key, sizeof(c->key));
		if (SSL_CTX_set_ciphersuites(c->ctx,
					     "TLS_AES_128_GCM_SHA256") != 1)
			return failf(-EIO, ret_msg, "cannot set up TLS: %s",
				   ssl_reason("ciphersuites"));
		SSL_CTX_set_psk_use_session_callback(c->ctx, psk_use_session);
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER,
				   refuse_certificate);
		return 0;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (o->ca != NULL) {
		if (SSL_CTX_load_verify_locations(c->ctx, o->ca, NULL) != 1)
			return failf(-EINVAL, ret_msg, "cannot read CA file "
				   "'%s': %s", o->ca, ssl_reason("not PEM"));
	} else if (SSL_CTX_set_default_verify_paths(c->ctx) != 1)
		return failf(-EINVAL, ret_msg, "cannot read the system's CA "
			   "store: %s", ssl_reason("unknown error"));
	if (o->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(c->ctx, o->cert) != 1)
			return failf(-EINVAL, ret_msg, "cannot read certificate "
				   "file '%s': %s", o->cert,
				   ssl_reason("not PEM"));
		if (SSL_CTX_use_PrivateKey_file(c->ctx, o->key,
						SSL_FILETYPE_PEM) != 1)
			return failf(-EINVAL, ret_msg, "cannot read key file "
				   "'%s': %s", o->key, ssl_reason("not PEM"));
		if (SSL_CTX_check_private_key(c->ctx) != 1)
			return failf(-EINVAL, ret_msg, "key file '%s' does not "
				   "match certificate '%s'", o->key, o->cert);
	}
	return 0;
}

/* "host:port", "[v6]:port". */
static const char *
peer_name(const struct evc_tls_opts *o, char *buf, size_t size)
{
	snprintf(buf, size, strchr(o->host, ':') ? "[%s]:%s" : "%s:%s",
		 o->host, o->port);
	return buf;
}

static int
tcp_connect(const struct evc_tls_opts *o, uint64_t deadline,
	    enum evc_tls_fail *ret_fail, char **ret_msg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	char peer[300];
	int r, err = ECONNREFUSED;

	r = getaddrinfo(o->host, o->port, &hints, &res);
	if (r != 0) {
		*ret_fail = r == EAI_AGAIN ? EVC_TLS_AGAIN : EVC_TLS_FATAL;
		return failf(-EHOSTUNREACH, ret_msg, "cannot resolve '%s': %s",
			   o->host, r == EAI_SYSTEM ? strerror(errno)
						    : gai_strerror(r));
	}
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
				SOCK_CLOEXEC, ai->ai_protocol), one = 1;
		socklen_t len = sizeof(err);

		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			err = errno;
			close(fd);
			continue;
		}
		if (!wait_fd(fd, POLLOUT, deadline))
			err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				 sizeof(one));
		freeaddrinfo(res);
		return fd;
	}
	freeaddrinfo(res);
	*ret_fail = EVC_TLS_AGAIN;
	return failf(-err, ret_msg, "cannot connect to %s: %s",
		   peer_name(o, peer, sizeof(peer)), strerror(err));
}

static bool
is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* Why the handshake failed, and whether trying again can help: a TLS alert
 * or a certificate that does not verify is the server's (or our) answer,
 * an EOF or a reset may be a listener going away. */
static int
handshake_failed(struct evc_tls *c, const struct evc_tls_opts *o, int ret,
		 enum evc_tls_fail *ret_fail, char **ret_msg)
{
	int e = SSL_get_error(c->ssl, ret), saved = errno;
	long v = SSL_get_verify_result(c->ssl);
	char peer[300];

	peer_name(o, peer, sizeof(peer));
	*ret_fail = EVC_TLS_FATAL;
	if (c->psk && v == X509_V_ERR_APPLICATION_VERIFICATION)
		return failf(-EACCES, ret_msg, "TLS handshake with %s failed: "
			   "the server did not accept the PSK of '%s' (it "
			   "showed a certificate instead)", peer, c->identity);
	if (v != X509_V_OK)
		return failf(-EACCES, ret_msg, "TLS handshake with %s failed: "
			   "the server's certificate is not trusted: %s", peer,
			   X509_verify_cert_error_string(v));
	if (e == SSL_ERROR_SSL) {
		unsigned long err = ERR_peek_last_error();

		if (ERR_GET_LIB(err) == ERR_LIB_SSL &&
		    ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			*ret_fail = EVC_TLS_AGAIN;
			return failf(-ECONNRESET, ret_msg, "TLS handshake with "
				   "%s failed: the server closed the "
				   "connection", peer);
		}
		return failf(-EACCES, ret_msg, "TLS handshake with %s failed: "
			   "%s%s", peer, ssl_reason("protocol error"),
			   c->psk ? " (wrong PSK or identity?)" : "");
	}
	*ret_fail = EVC_TLS_AGAIN;
	if (e == SSL_ERROR_SYSCALL && saved != 0)
		return failf(-ECONNRESET, ret_msg, "TLS handshake with %s "
			   "failed: %s", peer, strerror(saved));
	return failf(-ECONNRESET, ret_msg, "TLS handshake with %s failed: the "
		   "server closed the connection", peer);
}

int
evc_tls_connect(const struct evc_tls_opts *o, uint64_t deadline,
		struct evc_tls **ret, enum evc_tls_fail *ret_fail,
		char **ret_msg)
{
	struct evc_tls *c;
	char peer[300];
	int r;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*ret_fail = EVC_TLS_FATAL;
		*ret_msg = NULL;
		return -ENOMEM;
	}
	c->fd = -1;
	ERR_clear_error();
	r = make_ctx(c, o, ret_msg);
	if (r < 0) {
		*ret_fail = EVC_TLS_FATAL;
		goto fail;
	}
	r = tcp_connect(o, deadline, ret_fail, ret_msg);
	if (r < 0)
		goto fail;
	c->fd = r;
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		*ret_fail = EVC_TLS_FATAL;
		r = failf(-ENOMEM, ret_msg, "cannot set up TLS: %s",
			ssl_reason("SSL_new"));
		goto fail;
	}
	SSL_set_app_data(c->ssl, c);
	if (!c->psk) {
		/* The certificate must name the host we were asked for. */
		if (is_ip_address(o->host))
			r = X509_VERIFY_PARAM_set1_ip_asc(
				SSL_get0_param(c->ssl), o->host);
		else
			r = SSL_set1_host(c->ssl, o->host) == 1 &&
			    SSL_set_tlsext_host_name(c->ssl, o->host) == 1;
		if (r != 1) {
			*ret_fail = EVC_TLS_FATAL;
			r = failf(-EINVAL, ret_msg, "cannot check the server's "
				"name '%s'", o->host);
			goto fail;
		}
	}
	for (;;) {
		int got;

		ERR_clear_error();
		errno = 0;
		got = SSL_connect(c->ssl);
		if (got == 1)
			break;
		r = wait_ssl(c, SSL_get_error(c->ssl, got), deadline);
		if (r < 0) {
			r = handshake_failed(c, o, got, ret_fail, ret_msg);
			goto fail;
		}
		if (r == 0) {
			*ret_fail = EVC_TLS_AGAIN;
			r = failf(-ETIMEDOUT, ret_msg, "TLS handshake with %s "
				"timed out", peer_name(o, peer, sizeof(peer)));
			goto fail;
		}
	}
	*ret = c;
	return 0;
fail:
	evc_tls_close(c);
	return r;
}

bool
evc_tls_answers(const struct evc_tls *c)
{
	const unsigned char *p = NULL;
	unsigned len = 0;

	SSL_get0_alpn_selected(c->ssl, &p, &len);
	return len == strlen(EVC_ALPN) && memcmp(p, EVC_ALPN, len) == 0;
}

const char *
evc_tls_describe(const struct evc_tls *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s, %s", SSL_get_version(c->ssl),
		 SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)),
		 c->psk ? "PSK" : "certificate");
	return buf;
}

/* A read or write failed for good: a TLS alert from the peer (it refused
 * us, e.g. "certificate required" after a TLS 1.3 handshake) is -EACCES, all
 * else -ECONNRESET. */
static int
io_failed(struct evc_tls *c, int e)
{
	unsigned long err = ERR_peek_last_error();
	int reason = ERR_GET_REASON(err);

	if (e == SSL_ERROR_SSL && ERR_GET_LIB(err) == ERR_LIB_SSL &&
	    reason >= SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256) {
		snprintf(c->error, sizeof(c->error), "%s",
			 ssl_reason("alert"));
		return -EACCES;
	}
	snprintf(c->error, sizeof(c->error), "%s",
		 e == SSL_ERROR_SSL ? ssl_reason("protocol error")
				    : "connection reset");
	return -ECONNRESET;
}

const char *
evc_tls_error(const struct evc_tls *c)
{
	return c->error;
}

int
evc_tls_write(struct evc_tls *c, const void *buf, size_t len,
	      uint64_t deadline)
{
	for (;;) {
		size_t done = 0;
		int r, e;

		ERR_clear_error();
		r = SSL_write_ex(c->ssl, buf, len, &done);
		if (r == 1)
			return 0;
		e = SSL_get_error(c->ssl, r);
		r = wait_ssl(c, e, deadline);
		if (r < 0)
			return io_failed(c, e);
		if (r == 0)
			return -ETIMEDOUT;
	}
}

ssize_t
evc_tls_read(struct evc_tls *c, void *buf, size_t size, uint64_t deadline)
{
	for (;;) {
		size_t got = 0;
		int r, e;

		ERR_clear_error();
		r = SSL_read_ex(c->ssl, buf, size, &got);
		if (r == 1)
			return (ssize_t)got;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		r = wait_ssl(c, e, deadline);
		if (r < 0)
			return io_failed(c, e);
		if (r == 0)
			return -ETIMEDOUT;
	}
}

void
evc_tls_close(struct evc_tls *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		if (SSL_is_init_finished(c->ssl))
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	OPENSSL_cleanse(c->key, sizeof(c->key));
	free(c);
}

#else /* !EVC_TLS: the static guest build */

bool
evc_tls_available(void)
{
	return false;
}

int
evc_tls_connect(const struct evc_tls_opts *o, uint64_t deadline,
		struct evc_tls **ret, enum evc_tls_fail *ret_fail,
		char **ret_msg)
{
	*ret_fail = EVC_TLS_FATAL;
	*ret_msg = strdup("not built with TLS");
	return -EPROTONOSUPPORT;
}

bool
evc_tls_answers(const struct evc_tls *c)
{
	return false;
}

const char *
evc_tls_describe(const struct evc_tls *c, char *buf, size_t size)
{
	snprintf(buf, size, "none");
	return buf;
}

int
evc_tls_write(struct evc_tls *c, const void *buf, size_t len,
	      uint64_t deadline)
{
	return -EPROTONOSUPPORT;
}

ssize_t
evc_tls_read(struct evc_tls *c, void *buf, size_t size, uint64_t deadline)
{
	return -EPROTONOSUPPORT;
}

const char *
evc_tls_error(const struct evc_tls *c)
{
	return "not built with TLS";
}

void
evc_tls_close(struct evc_tls *c)
{
}

#endif
