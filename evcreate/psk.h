/* evcreate's TLS 1.3 pre-shared key (--psk-identity/--psk-file, /U /P):
 * reading the secret and deriving the key exactly as the listener does
 * (CONTRACT-TLS "PSK"), so that both ends agree. libcrypto only; never
 * prints. Without EVC_TLS (the static guest build) evc_psk_derive fails
 * with -EPROTONOSUPPORT. */
#ifndef EVC_PSK_H
#define EVC_PSK_H

#include <stddef.h>
#include <stdio.h>

#ifndef EVC_TLS
#define EVC_TLS 1
#endif

/* key = PBKDF2-HMAC-SHA256(secret, salt = EVC_PSK_SALT + identity,
 * EVC_PSK_ROUNDS iterations, EVC_PSK_KEY_LEN bytes). */
#define EVC_PSK_KEY_LEN         32
#define EVC_PSK_SALT            "evtrigger/1 psk "
#define EVC_PSK_ROUNDS          100000
/* The longest secret read (the listener takes as much). */
#define EVC_PSK_SECRET_MAX      4096

/* Derives the key of identity (1..64 bytes) from secret (len bytes).
 * Returns 0 with ret filled, or -EINVAL, -EIO (OpenSSL failed),
 * -EPROTONOSUPPORT. */
int evc_psk_derive(const char *identity, const void *secret, size_t len,
		   unsigned char ret[EVC_PSK_KEY_LEN]);

/* The secret, as the contract reads it: the bytes of path (in NULL: of in),
 * one trailing newline removed. Returns 0 with a malloc'd buffer in *ret
 * and its length in *ret_len (> 0), or -errno: -EFBIG over
 * EVC_PSK_SECRET_MAX, -ENODATA when empty, read_file's errors. */
int evc_psk_read_secret(const char *path, FILE *in, char **ret,
			size_t *ret_len);

#endif
