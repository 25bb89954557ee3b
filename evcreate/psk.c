/* evcreate's pre-shared key (see psk.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "psk.h"

#if EVC_TLS
#include <openssl/crypto.h>
#include <openssl/evp.h>

int
evc_psk_derive(const char *identity, const void *secret, size_t len,
	       unsigned char ret[EVC_PSK_KEY_LEN])
{
	unsigned char salt[sizeof(EVC_PSK_SALT) + 64];
	unsigned char out[EVC_PSK_KEY_LEN];
	size_t n = strlen(identity);

	if (n == 0 || n > 64 || len > INT32_MAX)
		return -EINVAL;
	memcpy(salt, EVC_PSK_SALT, sizeof(EVC_PSK_SALT) - 1);
	memcpy(salt + sizeof(EVC_PSK_SALT) - 1, identity, n);
	if (PKCS5_PBKDF2_HMAC(secret, (int)len, salt,
			      (int)(sizeof(EVC_PSK_SALT) - 1 + n),
			      EVC_PSK_ROUNDS, EVP_sha256(), sizeof(out),
			      out) != 1)
		return -EIO;
	memcpy(ret, out, sizeof(out));
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}
#else
int
evc_psk_derive(const char *identity, const void *secret, size_t len,
	       unsigned char ret[EVC_PSK_KEY_LEN])
{
	return -EPROTONOSUPPORT;
}
#endif

int
evc_psk_read_secret(const char *path, FILE *in, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0;
	int r;

	if (path != NULL) {
		r = read_file(path, EVC_PSK_SECRET_MAX, &buf, &len);
		if (r < 0)
			return r;
	} else {
		buf = malloc(EVC_PSK_SECRET_MAX + 2);
		if (buf == NULL)
			return -ENOMEM;
		len = fread(buf, 1, EVC_PSK_SECRET_MAX + 1, in);
		if (ferror(in))
			return -EIO;
		buf[len] = '\0';
		if (len > EVC_PSK_SECRET_MAX) {
			explicit_bzero(buf, len);
			return -EFBIG;
		}
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len == 0)
		return -ENODATA;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}
