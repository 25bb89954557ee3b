/* Check suite for listen/senders.c: the senders file's grammar (every error
 * reported with its file:line, all at once), the mode rule for PSK keys,
 * key files, the PSK key derivation and the lookups. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../listen/senders.h"
#include "strv.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:" \
	   "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"

/* A file, and the errors it must give (joined with '\n'), or NULL if it
 * must parse into n entries. */
static const struct parse_case {
	const char *text;
	const char *errors;
	size_t n;
} parse_cases[] = {
	{ "", NULL, 0 },
	{ "# only a comment\n\n   \t\n", NULL, 0 },
	{ "backup01 x509 san=DNS:backup01.example.org\n", NULL, 1 },
	{ "b x509 san=IP:192.0.2.7  # trailing comment\n", NULL, 1 },
	{ "b x509 san=IP:2001:db8::7\n", NULL, 1 },
	{ "b x509 san=URI:spiffe://example.org/b\n", NULL, 1 },
	{ "b x509 san=email:ops@example.org\n", NULL, 1 },
	{ "b x509 sha256=" FP "\n", NULL, 1 },
	{ "b x509 sha256=" HEX64 "\n", NULL, 1 },
	{ "web01 psk key=" HEX64 "\n", NULL, 1 },
	{ "web01 psk key-file=/etc/evtrigger/web01.psk\n", NULL, 1 },
	{ "r1 address 192.0.2.7\nr2 address 2001:db8::7\r\n", NULL, 2 },
	{ "a.b_c@d+e-f address 10.0.0.1\n", NULL, 1 },
	{ "no-newline-at-end address 10.0.0.1", NULL, 1 },
	/* one sender, several proofs */
	{ "b x509 san=DNS:b.example.org\nb x509 sha256=" HEX64 "\n"
	  "b psk key=x\nb address 10.0.0.2\n", NULL, 4 },
	/* errors, each with its line, all of them */
	{ "bad/name address 10.0.0.1\n",
	  "f:1: invalid sender name 'bad/name': must be 1..64 of "
	  "A-Z a-z 0-9 . _ @ + -", 0 },
	{ "x\n", "f:1: sender 'x': expected NAME KIND VALUE", 0 },
	{ "x address\n", "f:1: sender 'x': expected NAME KIND VALUE", 0 },
	{ "x address 10.0.0.1 10.0.0.2\n",
	  "f:1: sender 'x': unexpected '10.0.0.2' (one VALUE per line)", 0 },
	{ "x tls foo\n",
	  "f:1: unknown kind 'tls': must be x509, psk or address", 0 },
	{ "x x509 cn=foo\n",
	  "f:1: invalid x509 entry 'cn=foo': must be san=TYPE:VALUE or "
	  "sha256=HEX", 0 },
	{ "x x509 san=dns:foo\n",
	  "f:1: invalid san 'dns:foo': must start with DNS:, IP:, URI: or "
	  "email:", 0 },
	{ "x x509 san=DNS:*.example.org\n",
	  "f:1: wildcard in san 'DNS:*.example.org': list each name exactly", 0 },
	{ "x x509 san=DNS:\n", "f:1: empty san 'DNS:'", 0 },
	{ "x x509 san=IP:300.1.1.1\n",
	  "f:1: invalid IP address in san 'IP:300.1.1.1'", 0 },
	{ "x x509 sha256=ABCD\n",
	  "f:1: invalid sha256 'ABCD': must be 32 bytes in hex (colons "
	  "allowed)", 0 },
	{ "x x509 sha256=" HEX64 "00\n",
	  "f:1: invalid sha256 '" HEX64 "00': must be 32 bytes in hex "
	  "(colons allowed)", 0 },
	{ "x psk secret\n",
	  "f:1: invalid psk entry 'secret': must be key=SECRET or "
	  "key-file=PATH", 0 },
	{ "x psk key=\n",
	  "f:1: invalid psk key: must be 1..4096 bytes (a --gen-psk key is "
	  "recommended)", 0 },
	{ "x psk key-file=rel/path\n",
	  "f:1: invalid key-file 'rel/path': must be an absolute path", 0 },
	{ "x address 10.0.0.0/8\n",
	  "f:1: invalid address '10.0.0.0/8': one address, no networks or "
	  "wildcards", 0 },
	{ "x address host.example.org\n",
	  "f:1: invalid address 'host.example.org': must be an IPv4 or IPv6 "
	  "address", 0 },
	{ "x psk key=a\nx psk key=b\n",
	  "f:2: sender 'x': psk identity already listed at line 1", 0 },
	{ "x address 10.0.0.1\ny address 10.0.0.1\n",
	  "f:2: sender 'y': address already listed at line 1 for x", 0 },
	{ "x x509 san=DNS:a.example.org\ny x509 san=DNS:A.Example.ORG\n",
	  "f:2: sender 'y': certificate already listed at line 1 for x", 0 },
	{ "good address 10.0.0.1\nbad\n\n# c\nx tls y\nok psk key=z\n"
	  "y address nope\n",
	  "f:2: sender 'bad': expected NAME KIND VALUE\n"
	  "f:5: unknown kind 'tls': must be x509, psk or address\n"
	  "f:7: invalid address 'nope': must be an IPv4 or IPv6 address", 0 },
	{ "this-name-is-far-too-long-for-a-sender-name-of-the-senders-file-x "
	  "address 10.0.0.1\n",
	  "f:1: invalid sender name 'this-name-is-far-too-long-for-a-sender-"
	  "name-of-the-senders-file-x': must be 1..64 of A-Z a-z 0-9 . _ @ "
	  "+ -", 0 },
};

START_TEST(test_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	_cleanup_(senders_freep) struct senders *s = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	_cleanup_(freep) char *joined = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = senders_parse(c->text, strlen(c->text), "f", &s, &errors);
	if (c->errors == NULL) {
		ck_assert_msg(r == 0, "case %d: %s", _i,
			      errors != NULL ? errors[0] : "?");
		ck_assert_uint_eq(s->n, c->n);
		return;
	}
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(s);
	f = open_memstream(&joined, &len);
	for (size_t i = 0; errors[i] != NULL; i++)
		fprintf(f, "%s%s", i > 0 ? "\n" : "", errors[i]);
	fclose(f);
	ck_assert_str_eq(joined, c->errors);
}
END_TEST

START_TEST(test_nul_byte)
{
	_cleanup_(senders_freep) struct senders *s = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	static const char text[] = "a address 10.0.0.1\nb add\0ress x\n";

	ck_assert_int_eq(senders_parse(text, sizeof(text) - 1, "f", &s,
				       &errors), -EINVAL);
	ck_assert_str_eq(errors[0], "f:2: NUL byte in line");
	ck_assert_ptr_null(errors[1]);
}
END_TEST

START_TEST(test_lookups)
{
	static const char text[] =
		"b x509 san=DNS:Backup01.example.org\n"
		"i x509 san=IP:192.0.2.9\n"
		"f x509 sha256=" FP "\n"
		"u x509 san=URI:spiffe://x/y\n"
		"p psk key=s\n"
		"a4 address 192.0.2.7\n"
		"a6 address 2001:db8::7\n";
	_cleanup_(senders_freep) struct senders *s = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	unsigned char ip[4] = { 192, 0, 2, 9 }, fp[32];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	const struct sender *e;

	ck_assert_int_eq(senders_parse(text, strlen(text), "f", &s, &errors), 0);
	e = senders_find_san(s, SENDER_SAN_DNS, "backup01.EXAMPLE.org", 20);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->name, "b");
	ck_assert_ptr_null(senders_find_san(s, SENDER_SAN_DNS,
					    "backup01.example.or", 19));
	ck_assert_ptr_null(senders_find_san(s, SENDER_SAN_URI,
					    "backup01.example.org", 20));
	ck_assert_str_eq(senders_find_san(s, SENDER_SAN_IP, ip, 4)->name, "i");
	ck_assert_ptr_null(senders_find_san(s, SENDER_SAN_URI, "spiffe://x/Y", 12));
	ck_assert_str_eq(senders_find_san(s, SENDER_SAN_URI, "spiffe://x/y",
					  12)->name, "u");
	for (int i = 0; i < 32; i += 16) {
		static const unsigned char half[16] = {
			0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
			0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89 };
		memcpy(fp + i, half, 16);
	}
	ck_assert_str_eq(senders_find_san(s, SENDER_SHA256, fp, 32)->name, "f");
	fp[31] ^= 1;
	ck_assert_ptr_null(senders_find_san(s, SENDER_SHA256, fp, 32));
	/* not derived: senders_parse reads no key */
	ck_assert_ptr_null(senders_find_psk(s, "p", 1));
	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	ck_assert_str_eq(senders_find_address(s, (struct sockaddr *)&sin)->name,
			 "a4");
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &sin6.sin6_addr);
	ck_assert_str_eq(senders_find_address(s, (struct sockaddr *)&sin6)->name,
			 "a4");
	inet_pton(AF_INET6, "2001:db8::7", &sin6.sin6_addr);
	ck_assert_str_eq(senders_find_address(s, (struct sockaddr *)&sin6)->name,
			 "a6");
	inet_pton(AF_INET, "192.0.2.8", &sin.sin_addr);
	ck_assert_ptr_null(senders_find_address(s, (struct sockaddr *)&sin));
	ck_assert(senders_has(s, SENDER_PSK));
}
END_TEST

/* The derivation, checked against Python's hashlib.pbkdf2_hmac('sha256',
 * HEX64, b'evtrigger/1 psk web01', 100000, 32). */
START_TEST(test_derive)
{
	static const unsigned char want[32] = {
		0xa8, 0xe0, 0x8d, 0x91, 0x01, 0x91, 0x77, 0xa3, 0x0d, 0x55, 0x01,
		0x84, 0x8a, 0x4f, 0x8e, 0x04, 0xb6, 0x08, 0xfb, 0x39, 0x3b, 0xea,
		0x38, 0xb8, 0x5b, 0xae, 0x89, 0xdd, 0x6f, 0x70, 0xa5, 0xa4 };
	unsigned char key[32];

	ck_assert_int_eq(sender_derive_psk(HEX64, 64, "web01", key), 0);
	ck_assert_mem_eq(key, want, 32);
}
END_TEST

static char dir[] = "/tmp/test_senders.XXXXXX";

static void
write_mode(const char *name, const char *text, mode_t mode, char *ret,
	   size_t size)
{
	FILE *f;

	snprintf(ret, size, "%s/%s", dir, name);
	f = fopen(ret, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(ret, mode), 0);
}

START_TEST(test_load)
{
	_cleanup_(senders_freep) struct senders *s = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	char path[256], key[256], text[512], want[600];
	unsigned char k[32];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* key-file: one trailing newline stripped, same key as key= */
	write_mode("web01.psk", HEX64 "\n", 0600, key, sizeof(key));
	snprintf(text, sizeof(text), "web01 psk key-file=%s\n"
		 "web02 psk key=" HEX64 "\n", key);
	write_mode("senders.conf", text, 0600, path, sizeof(path));
	ck_assert_int_eq(senders_load(path, &s, &errors), 0);
	ck_assert_ptr_nonnull(senders_find_psk(s, "web01", 5));
	ck_assert_int_eq(sender_derive_psk(HEX64, 64, "web01", k), 0);
	ck_assert_mem_eq(senders_find_psk(s, "web01", 5)->psk, k, 32);
	ck_assert_int_eq(sender_derive_psk(HEX64, 64, "web02", k), 0);
	ck_assert_mem_eq(senders_find_psk(s, "web02", 5)->psk, k, 32);
	senders_free(TAKE_PTR(s));

	/* a psk file readable by others, and a key file too */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(chmod(key, 0640), 0);
	ck_assert_int_eq(senders_load(path, &s, &errors), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: the file holds psk keys and is "
		 "readable or writable by group or others (mode 0644): chmod "
		 "600 it", path);
	ck_assert_str_eq(errors[0], want);
	snprintf(want, sizeof(want), "%s:1: key-file '%s' is readable or "
		 "writable by group or others (mode 0640): chmod 600 it",
		 path, key);
	ck_assert_str_eq(errors[1], want);
	ck_assert_ptr_null(errors[2]);
	strv_free(TAKE_PTR(errors));

	/* without psk entries the mode does not matter */
	write_mode("open.conf", "r address 10.0.0.1\n", 0644, path, sizeof(path));
	ck_assert_int_eq(senders_load(path, &s, &errors), 0);
	senders_free(TAKE_PTR(s));

	/* a missing key file, an empty one */
	write_mode("empty.psk", "\n", 0600, key, sizeof(key));
	snprintf(text, sizeof(text), "a psk key-file=%s/missing\nb psk "
		 "key-file=%s\n", dir, key);
	write_mode("keys.conf", text, 0600, path, sizeof(path));
	ck_assert_int_eq(senders_load(path, &s, &errors), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: cannot read key-file "
		 "'%s/missing': No such file or directory", path, dir);
	ck_assert_str_eq(errors[0], want);
	snprintf(want, sizeof(want), "%s:2: key-file '%s': the secret must "
		 "be 1..4096 bytes, no NUL", path, key);
	ck_assert_str_eq(errors[1], want);
	strv_free(TAKE_PTR(errors));

	snprintf(want, sizeof(want), "%s/nothing", dir);
	ck_assert_int_eq(senders_load(want, &s, &errors), -ENOENT);
	ck_assert_ptr_null(errors);
	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(want), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("senders");
	TCase *tc = tcase_create("senders");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_parse, 0, ELEMENTSOF(parse_cases));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_derive);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
