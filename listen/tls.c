/* TLS for network senders (see tls.h). */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "tls.h"

static const unsigned char alpn_wire[] = "\x0b" TLS_ALPN;
static const unsigned char sid_ctx[] = "evtrigger-listen";
/* TLS_AES_128_GCM_SHA256, the PSK's cipher (evtrigger-listen(8)). */
static const unsigned char psk_cipher[] = { 0x13, 0x01 };

static void
printable(char *dst, size_t size, const unsigned char *src, size_t len)
{
	size_t n = 0;

	for (; n < len && n + 1 < size; n++)
		dst[n] = src[n] >= 0x20 && src[n] < 0x7f ? (char)src[n] : '?';
	dst[n] = '\0';
}

static int
psk_find(SSL *ssl, const unsigned char *id, size_t len, SSL_SESSION **ret)
{
	struct tls_peer_info *info = SSL_get_app_data(ssl);
	const struct senders *s = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const struct sender *e = senders_find_psk(s, (const char *)id, len);
	const SSL_CIPHER *cipher;
	SSL_SESSION *sess;

	info->psk_offered = true;
	printable(info->psk_identity, sizeof(info->psk_identity), id, len);
	*ret = NULL;
	if (e == NULL)
		return 1;       /* not a listed identity: certificates then */
	cipher = SSL_CIPHER_find(ssl, psk_cipher);
	sess = SSL_SESSION_new();
	if (cipher == NULL || sess == NULL ||
	    !SSL_SESSION_set1_master_key(sess, e->psk, SENDER_PSK_LEN) ||
	    !SSL_SESSION_set_cipher(sess, cipher) ||
	    !SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION)) {
		SSL_SESSION_free(sess);
		return 0;
	}
	info->psk = e;
	*ret = sess;
	return 1;
}

static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned char *sel;

	if (SSL_select_next_proto(&sel, outlen, alpn_wire,
				  sizeof(alpn_wire) - 1, in, inlen) ==
	    OPENSSL_NPN_NEGOTIATED) {
		*out = sel;
		return SSL_TLSEXT_ERR_OK;
	}
	return SSL_TLSEXT_ERR_NOACK;    /* a stock sender: no answers */
}

static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_peer_info *info = ssl != NULL ? SSL_get_app_data(ssl) : NULL;

	if (!ok && info != NULL && info->verify_error == 0)
		info->verify_error = X509_STORE_CTX_get_error(x);
	return ok;
}

static int
ctx_error(const char *what, const char *file, char **ret_error)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	if (asprintf(ret_error, "%s '%s': %s", what, file,
		     e != 0 ? buf : "failed") < 0)
		return -ENOMEM;
	return -EINVAL;
}

int
tls_ctx_new(const struct tls_config *cfg, SSL_CTX **ret, char **ret_error)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int r;

	if (ctx == NULL)
		return -ENOMEM;
	SSL_CTX_set_app_data(ctx, (void *)cfg->senders);
	if (!SSL_CTX_set_min_proto_version(ctx, cfg->min_version)) {
		r = ctx_error("TLS version", "min", ret_error);
		goto fail;
	}
	/* Every connection proves who it is: no resumption. The server's
	 * order of TLS 1.3 suites, SHA-256 ones first: OpenSSL picks the suite
	 * before it looks at a PSK, and a PSK made for TLS_AES_128_GCM_SHA256
	 * only fits a SHA-256 suite. A peer that drops the connection without
	 * close_notify ends it normally. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE |
				 SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
				      "TLS_CHACHA20_POLY1305_SHA256:"
				      "TLS_AES_256_GCM_SHA384")) {
		r = ctx_error("TLS 1.3 suites", "default", ret_error);
		goto fail;
	}
	SSL_CTX_set_num_tickets(ctx, 0);
	/* A PSK is a "resumed" session: with client certificates verified,
	 * OpenSSL wants a context for those. */
	(void)SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			      SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1) {
		r = ctx_error("cannot load the certificate", cfg->cert,
			      ret_error);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		r = ctx_error("cannot load the key (or it does not match the "
			      "certificate)", cfg->key, ret_error);
		goto fail;
	}
	if (cfg->ca != NULL) {
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(ctx, cfg->ca, NULL) != 1) {
			r = ctx_error("cannot load the CA", cfg->ca, ret_error);
			goto fail;
		}
		names = SSL_load_client_CA_file(cfg->ca);
		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
					SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
				   verify_cb);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_psk_find_session_callback(ctx, psk_find);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	ERR_clear_error();
	*ret = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return r;
}

SSL *
tls_accept_new(SSL_CTX *ctx, int fd, struct tls_peer_info *info)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	*info = (struct tls_peer_info){ 0 };
	SSL_set_app_data(ssl, info);
	SSL_set_accept_state(ssl);
	return ssl;
}

void
tls_handshake_failure(SSL *ssl, int err, char buf[TLS_REASON_MAX])
{
	struct tls_peer_info *info = SSL_get_app_data(ssl);
	unsigned long e = ERR_peek_last_error();
	const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;

	if (info->verify_error != 0)
		snprintf(buf, TLS_REASON_MAX, "client certificate refused: %s",
			 X509_verify_cert_error_string(info->verify_error));
	else if (info->psk_offered && info->psk == NULL)
		snprintf(buf, TLS_REASON_MAX, "unknown psk identity '%s'",
			 info->psk_identity);
	else if (info->psk != NULL)
		snprintf(buf, TLS_REASON_MAX, "wrong psk for '%s' (%s)",
			 info->psk_identity, why != NULL ? why : "handshake "
			 "failed");
	else if (why != NULL && strstr(why, "did not return a certificate"))
		snprintf(buf, TLS_REASON_MAX, "no client certificate and no "
			 "psk");
	else if (why != NULL)
		snprintf(buf, TLS_REASON_MAX, "handshake failed: %s", why);
	else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
		snprintf(buf, TLS_REASON_MAX, "closed during the handshake");
	else
		snprintf(buf, TLS_REASON_MAX, "handshake failed");
	ERR_clear_error();
}

static void
hex_colons(const unsigned char *b, size_t n, char *dst, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 < size; i++)
		o += (size_t)snprintf(dst + o, size - o, "%s%02X",
				      i > 0 ? ":" : "", b[i]);
}

/* The first SAN of cert listed in s, or NULL. */
static const struct sender *
find_san(X509 *cert, const struct senders *s)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name,
						NULL, NULL);
	const struct sender *e = NULL;
	int n = names != NULL ? sk_GENERAL_NAME_num(names) : 0;

	for (int i = 0; i < n && e == NULL; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		enum sender_match m;
		const ASN1_STRING *v;

		switch (g->type) {
		case GEN_DNS:
			m = SENDER_SAN_DNS, v = g->d.dNSName;
			break;
		case GEN_IPADD:
			m = SENDER_SAN_IP, v = g->d.iPAddress;
			break;
		case GEN_URI:
			m = SENDER_SAN_URI, v = g->d.uniformResourceIdentifier;
			break;
		case GEN_EMAIL:
			m = SENDER_SAN_EMAIL, v = g->d.rfc822Name;
			break;
		default:
			continue;
		}
		e = senders_find_san(s, m, ASN1_STRING_get0_data(v),
				     (size_t)ASN1_STRING_length(v));
	}
	GENERAL_NAMES_free(names);
	return e;
}

int
tls_peer_sender(SSL *ssl, const struct senders *s, const struct sender **ret,
		const char **ret_auth, char buf[TLS_REASON_MAX])
{
	struct tls_peer_info *info = SSL_get_app_data(ssl);
	X509 *cert;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	const struct sender *e;
	long v;

	if (info->psk != NULL && SSL_session_reused(ssl)) {
		*ret = info->psk;
		*ret_auth = "psk";
		return 0;
	}
	cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL) {
		snprintf(buf, TLS_REASON_MAX, "%s", info->psk_offered
			 ? "unknown psk identity and no client certificate"
			 : "no client certificate and no psk");
		return -EPERM;
	}
	v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK) {
		snprintf(buf, TLS_REASON_MAX, "client certificate refused: %s",
			 X509_verify_cert_error_string(v));
		return -EPERM;
	}
	if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1 ||
	    md_len != SENDER_SHA256_LEN) {
		snprintf(buf, TLS_REASON_MAX, "cannot hash the certificate");
		return -EPERM;
	}
	e = senders_find_san(s, SENDER_SHA256, md, md_len);
	if (e == NULL)
		e = find_san(cert, s);
	if (e == NULL) {
		char fp[3 * SENDER_SHA256_LEN + 1] = "";

		hex_colons(md, md_len, fp, sizeof(fp));
		snprintf(buf, TLS_REASON_MAX, "certificate not listed in the "
			 "senders file (no listed SAN; sha256=%s)", fp);
		return -EPERM;
	}
	*ret = e;
	*ret_auth = "x509";
	return 0;
}

bool
tls_answers(SSL *ssl)
{
	const unsigned char *p;
	unsigned n;

	SSL_get0_alpn_selected(ssl, &p, &n);
	return n == sizeof(alpn_wire) - 2 &&
	       memcmp(p, alpn_wire + 1, n) == 0;
}
