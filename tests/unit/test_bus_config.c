/* Check suite for bus/config.c: evtrigger-bus's configuration file, its
 * errors as file:line, the command line over it, the password file. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bus/config.h"
#include "strv.h"

static char dir[] = "/tmp/test_bus_config.XXXXXX";

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/test_bus_config.XXXXXX");
}

START_TEST(test_good_file_and_overrides)
{
	struct bus_config c = { 0 }, o = { 0 };
	_cleanup_(strv_freep) char **errors = NULL;
	size_t n = 0;
	const char *why;
	const char *p = write_file("bus.conf",
		"; comment\n[bus]\nhost = hv1\nsocket = /run/x/bus.sock\n"
		"connect = test:///default\n\n[nats]\n"
		"servers = nats://a:4222 nats://b:4222, nats://c:4222\n"
		"user = hv1\nstream = EVT\nreplicas = 1\n", 0644);

	ck_assert_int_eq(bus_config_load(&c, p, false, &errors, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(c.host, "hv1");
	ck_assert_str_eq(c.socket, "/run/x/bus.sock");
	ck_assert_uint_eq(strv_length(c.servers), 3);
	ck_assert_str_eq(c.servers[2], "nats://c:4222");
	ck_assert_int_eq(c.replicas, 1);
	/* The command line wins. */
	ck_assert_int_eq(bus_config_set(&o, "bus", "host", "hv9", &why), 0);
	ck_assert_int_eq(bus_config_set(&o, "nats", "replicas", "3", &why), 0);
	ck_assert_int_eq(bus_config_merge(&c, &o), 0);
	ck_assert_int_eq(bus_config_finish(&c), 0);
	ck_assert_str_eq(c.host, "hv9");
	ck_assert_int_eq(c.replicas, 3);
	ck_assert_str_eq(c.stream, "EVT");
	ck_assert_str_eq(c.connect, "test:///default");
	bus_config_clear(&c);
	bus_config_clear(&o);
}
END_TEST

START_TEST(test_defaults_and_missing)
{
	struct bus_config c = { 0 };
	_cleanup_(strv_freep) char **errors = NULL;
	size_t n = 0;
	char path[300];

	snprintf(path, sizeof(path), "%s/none.conf", dir);
	ck_assert_int_eq(bus_config_load(&c, path, true, &errors, &n), 0);
	ck_assert_int_eq(bus_config_load(&c, path, false, &errors, &n),
			 -ENOENT);
	ck_assert_int_eq(bus_config_finish(&c), 0);
	ck_assert_ptr_nonnull(c.host);
	ck_assert_str_eq(c.socket, BUS_DEFAULT_SOCKET);
	ck_assert_str_eq(c.connect, BUS_DEFAULT_URI);
	ck_assert_str_eq(c.stream, BUS_DEFAULT_STREAM);
	ck_assert_str_eq(c.servers[0], BUS_DEFAULT_SERVERS);
	ck_assert_int_eq(c.replicas, BUS_DEFAULT_REPLICAS);
	bus_config_clear(&c);
}
END_TEST

START_TEST(test_every_error_with_its_line)
{
	struct bus_config c = { 0 };
	_cleanup_(strv_freep) char **errors = NULL;
	_cleanup_(freep) char *want = NULL;
	size_t n = 0;
	const char *p = write_file("bad.conf",
		"[bus]\n"                       /* 1 */
		"host = a.b\n"                  /* 2: '.' */
		"colour = blue\n"               /* 3: unknown key */
		"socket = relative\n"           /* 4: not absolute */
		"[nats]\n"                      /* 5 */
		"replicas = 9\n"                /* 6: 1..5 */
		"servers =\n"                   /* 7: none */
		"stream = a.b\n"                /* 8 */
		"[other]\n"                     /* 9 */
		"x = 1\n"                       /* 10: unknown section */
		"replicas = 2\n", 0644);        /* 11: [other] still */

	ck_assert_int_eq(bus_config_load(&c, p, false, &errors, &n), -EINVAL);
	ck_assert_uint_eq(n, 8);
	ck_assert_ptr_nonnull(strstr(errors[0], "bad.conf:2: invalid host"));
	ck_assert_ptr_nonnull(strstr(errors[1], "bad.conf:3: unknown key "
				     "'colour' in [bus]"));
	ck_assert_ptr_nonnull(strstr(errors[2], "bad.conf:4: invalid socket"));
	ck_assert_ptr_nonnull(strstr(errors[3], "bad.conf:6: invalid replicas "
				     "'9': must be 1..5"));
	ck_assert_ptr_nonnull(strstr(errors[4], "bad.conf:7: invalid servers"));
	ck_assert_ptr_nonnull(strstr(errors[5], "bad.conf:8: invalid stream"));
	ck_assert_ptr_nonnull(strstr(errors[6], "bad.conf:10: unknown key"));
	ck_assert_ptr_nonnull(strstr(errors[7], "bad.conf:11: unknown key"));
	ck_assert(asprintf(&want, "%s/bad.conf:2: ", dir) > 0);
	ck_assert(strncmp(errors[0], want, strlen(want)) == 0);
	bus_config_clear(&c);
}
END_TEST

START_TEST(test_syntax_error_line)
{
	struct bus_config c = { 0 };
	_cleanup_(strv_freep) char **errors = NULL;
	size_t n = 0;
	const char *p = write_file("syntax.conf",
		"[bus]\nhost = hv1\n\nthis is no key\n", 0644);

	ck_assert_int_eq(bus_config_load(&c, p, false, &errors, &n), -EINVAL);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(errors[0], "syntax.conf:4: syntax error"));
	bus_config_clear(&c);
}
END_TEST

START_TEST(test_password_file)
{
	_cleanup_(freep) char *pw = NULL;
	const char *p;

	p = write_file("pw", "s3cret\nignored\n", 0600);
	ck_assert_int_eq(bus_config_read_password(p, &pw), 0);
	ck_assert_str_eq(pw, "s3cret");
	p = write_file("pw-open", "s3cret\n", 0640);
	ck_assert_int_eq(bus_config_read_password(p, &pw), -EPERM);
	p = write_file("pw-empty", "\n", 0600);
	ck_assert_int_eq(bus_config_read_password(p, &pw), -EINVAL);
	ck_assert_str_eq(pw, "s3cret");        /* untouched on failure */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bus_config");
	TCase *tc = tcase_create("bus_config");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_file_and_overrides);
	tcase_add_test(tc, test_defaults_and_missing);
	tcase_add_test(tc, test_every_error_with_its_line);
	tcase_add_test(tc, test_syntax_error_line);
	tcase_add_test(tc, test_password_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
