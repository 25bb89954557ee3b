/* Check suite for what evcreate --server sends and keeps: the PSK
 * derivation (evcreate/psk.c, against vectors computed independently with
 * Python's hashlib.pbkdf2_hmac, so that evcreate and the listener agree),
 * reading the secret, the RFC 5424 frame (evcreate/frame.c, read back with
 * lib/syslog.c's parser, as the listener reads it) and the spool files
 * (evcreate/spool.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "fileio.h"
#include "syslog.h"
#include "../../evcreate/args.h"
#include "../../evcreate/frame.h"
#include "../../evcreate/psk.h"
#include "../../evcreate/spool.h"

#define UUID_A "6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f"
#define UUID_B "00000000-9b3d-4c5e-8f70-1a2b3c4d5e6f"
/* 2026-12-01T15:31:37.123456Z */
#define TIME_A UINT64_C(1796139097123456)

/* python3 -c "import hashlib; print(hashlib.pbkdf2_hmac('sha256', SECRET,
 * b'evtrigger/1 psk ' + NAME, 100000, 32).hex())" */
static const struct {
	const char *secret, *identity, *hex;
} psk_cases[] = {
	{ "correct horse", "backup01",
	  "d31ce1864c91a09851b87991998080103a7a1c8c2b0d7c4db474aa18ad1ddc54" },
	/* what evtrigger-listen --gen-psk prints, and the listener's own
	 * test vector (tests/unit/test_senders.c) */
	{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	  "web01",
	  "a8e08d91019177a30d5501848a4f8e04b608fb393bea38b85bae89dd6f70a5a4" },
	{ "p\xc3\xa4ssw\xc3\xb6rd", "a.b_c@d+e-f",
	  "73c6d72f4caf4d0f033d609d74f1ef6acf2398fd58aed6309e09e7b3722652b4" },
};

START_TEST(test_psk_derive)
{
	unsigned char key[EVC_PSK_KEY_LEN];
	char hex[2 * EVC_PSK_KEY_LEN + 1];

	ck_assert_int_eq(evc_psk_derive(psk_cases[_i].identity,
					psk_cases[_i].secret,
					strlen(psk_cases[_i].secret), key), 0);
	for (int i = 0; i < EVC_PSK_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	ck_assert_str_eq(hex, psk_cases[_i].hex);
}
END_TEST

static char dir[] = "/tmp/test_evcreate_remote.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/test_evcreate_remote.XXXXXX");
}

static void
put_file(const char *name, const char *text, char *ret, size_t size)
{
	FILE *f;

	snprintf(ret, size, "%s/%s", dir, name);
	f = fopen(ret, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The secret: the file's bytes, one trailing newline removed. */
static const struct {
	const char *text;
	int r;
	const char *secret;
} secret_cases[] = {
	{ "correct horse\n", 0, "correct horse" },
	{ "correct horse", 0, "correct horse" },
	{ "two\n\n", 0, "two\n" },
	{ " spaced \r\n", 0, " spaced \r" },
	{ "\n", -ENODATA, NULL },
	{ "", -ENODATA, NULL },
};

START_TEST(test_psk_secret)
{
	_cleanup_(freep) char *got = NULL, *got2 = NULL;
	char path[256];
	size_t len = 0;
	FILE *in;
	int r;

	put_file("secret", secret_cases[_i].text, path, sizeof(path));
	r = evc_psk_read_secret(path, NULL, &got, &len);
	ck_assert_int_eq(r, secret_cases[_i].r);
	if (r == 0) {
		ck_assert_uint_eq(len, strlen(secret_cases[_i].secret));
		ck_assert_mem_eq(got, secret_cases[_i].secret, len);
	}
	/* Standard input reads the same. */
	in = fmemopen((void *)secret_cases[_i].text,
		      strlen(secret_cases[_i].text), "r");
	if (in == NULL)         /* fmemopen of 0 bytes: nothing to read */
		in = fopen("/dev/null", "r");
	r = evc_psk_read_secret(NULL, in, &got2, &len);
	fclose(in);
	ck_assert_int_eq(r, secret_cases[_i].r);
	if (r == 0)
		ck_assert_mem_eq(got2, secret_cases[_i].secret, len);
}
END_TEST

START_TEST(test_psk_secret_too_large)
{
	static char big[EVC_PSK_SECRET_MAX + 2];
	_cleanup_(freep) char *got = NULL;
	char path[256];
	size_t len;

	memset(big, 's', EVC_PSK_SECRET_MAX);
	put_file("max", big, path, sizeof(path));
	ck_assert_int_eq(evc_psk_read_secret(path, NULL, &got, &len), 0);
	ck_assert_uint_eq(len, EVC_PSK_SECRET_MAX);
	big[EVC_PSK_SECRET_MAX] = 's';
	put_file("over", big, path, sizeof(path));
	free(TAKE_PTR(got));
	ck_assert_int_eq(evc_psk_read_secret(path, NULL, &got, &len), -EFBIG);
	ck_assert_ptr_null(got);
}
END_TEST

static struct event *
sample_event(void)
{
	struct event *e = event_new();

	ck_assert_ptr_nonnull(e);
	e->type = EVENT_WARNING;
	e->id = 777;
	ck_assert_int_eq(event_set_source(e, "John"), 0);
	ck_assert_int_eq(event_set_log(e, "Application"), 0);
	ck_assert_int_eq(event_set_description(e, "VDC \"Ready\" for\n"
					       "compaction"), 0);
	ck_assert_int_eq(event_add_field(e, "VM", "vdc 1"), 0);
	ck_assert_int_eq(event_add_field(e, "PATH", "a]b\\c"), 0);
	return e;
}

/* The frame is "LEN SP MSG" and MSG reads back as the listener reads it:
 * the event, the uuid in our element, the time as TIMESTAMP. */
START_TEST(test_frame)
{
	_cleanup_(event_freep) struct event *e = sample_event(), *back = NULL;
	_cleanup_(syslog_msg_freep) struct syslog_msg *m = NULL;
	_cleanup_(freep) char *frame = NULL;
	const char *msg;
	size_t len, msg_len, used;
	char *end;
	uint64_t usec;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ck_assert_int_eq(evc_remote_frame(e, UUID_A, TIME_A, "client.example",
					  4242, &frame, &len), 0);
	ck_assert_uint_eq(len, strlen(frame));
	ck_assert_uint_eq(strtoul(frame, &end, 10), len - (size_t)(end - frame) - 1);
	ck_assert_int_eq(syslog_frame_next(frame, len, EVC_FRAME_MAX, &msg,
					   &msg_len, &used), 1);
	ck_assert_uint_eq(used, len);
	ck_assert_int_eq(syslog_parse(msg, msg_len, &m), 0);
	ck_assert_int_eq(m->version, 1);
	ck_assert_int_eq(m->severity, 4);
	ck_assert_str_eq(m->timestamp, "2026-12-01T16:31:37.123456+01:00");
	ck_assert_int_eq(event_parse_time(m->timestamp, &usec), 0);
	ck_assert_uint_eq(usec, TIME_A);
	ck_assert_str_eq(m->hostname, "client.example");
	ck_assert_str_eq(m->app_name, "John");
	ck_assert_str_eq(m->procid, "4242");
	ck_assert_str_eq(m->msgid, "777");
	ck_assert_str_eq(fields_get(m->sd, SYSLOG_SD_ID "/" SYSLOG_SD_PARAM_UUID),
			 UUID_A);
	ck_assert_ptr_null(fields_get(m->sd, SYSLOG_SD_ID "/"
				      SYSLOG_SD_PARAM_TIME));
	ck_assert_int_eq(syslog_msg_to_event(m, &back, NULL), 0);
	ck_assert_uint_eq(back->id, 777);
	ck_assert_int_eq(back->type, EVENT_WARNING);
	ck_assert_str_eq(back->source, "John");
	ck_assert_str_eq(back->log, "Application");
	ck_assert_str_eq(back->description, "VDC \"Ready\" for\ncompaction");
	ck_assert_uint_eq(back->n_extra, 2);
	ck_assert_str_eq(back->extra[0].name, "VM");
	ck_assert_str_eq(back->extra[0].value, "vdc 1");
	ck_assert_str_eq(back->extra[1].value, "a]b\\c");
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(test_frame_limits)
{
	_cleanup_(event_freep) struct event *e = sample_event();
	static char value[EVENT_FIELD_VALUE_MAX + 1];
	char *frame = NULL, name[16];
	size_t len = 0;

	/* No host name: "-". */
	ck_assert_int_eq(evc_remote_frame(e, UUID_A, TIME_A, NULL, 0, &frame,
					  &len), 0);
	ck_assert_ptr_nonnull(strstr(frame, " - John - 777 "));
	free(frame);
	frame = NULL;
	/* RFC 5424 parameter names are at most 32 bytes. */
	ck_assert_int_eq(event_add_field(e, "N23456789012345678901234567890123",
					 "x"), 0);
	ck_assert_int_eq(evc_remote_frame(e, UUID_A, TIME_A, NULL, 0, &frame,
					  &len), -EINVAL);
	ck_assert_ptr_null(frame);
	event_free(e);
	/* At most EVC_FRAME_MAX bytes of MSG. */
	e = sample_event();
	memset(value, 'v', EVENT_FIELD_VALUE_MAX);
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "F%d", i);
		ck_assert_int_eq(event_add_field(e, name, value), 0);
	}
	ck_assert_int_eq(evc_remote_frame(e, UUID_A, TIME_A, NULL, 0, &frame,
					  &len), 0);
	free(frame);
	frame = NULL;
	ck_assert_int_eq(event_add_field(e, "F7", value), 0);
	ck_assert_int_eq(evc_remote_frame(e, UUID_A, TIME_A, NULL, 0, &frame,
					  &len), -EMSGSIZE);
	ck_assert_ptr_null(frame);
}
END_TEST

static int n_bad;
static char last_bad[512];

static void
note_bad(const char *path, const char *msg, void *userdata)
{
	n_bad++;
	snprintf(last_bad, sizeof(last_bad), "%s: %s", path, msg);
}

/* Written, listed oldest first, read back whole; 0600 in a 0700 dir. */
START_TEST(test_spool_round_trip)
{
	_cleanup_(event_freep) struct event *e = sample_event();
	_cleanup_(freep) char *text = NULL;
	struct evc_spooled *v = NULL;
	char spool[256], path[300];
	struct stat st;
	size_t n = 0;

	snprintf(spool, sizeof(spool), "%s/spool", dir);
	/* A line cannot carry the description's line break. */
	ck_assert_int_eq(evc_spool_prepare(spool), 0);
	ck_assert_int_eq(evc_spool_write(spool, e, UUID_A, TIME_A), -EBADMSG);
	ck_assert_int_eq(event_set_description(e, "VDC \"Ready\" \\ now"), 0);
	ck_assert_int_eq(evc_spool_write(spool, e, UUID_A, TIME_A), 0);
	e->id = 778;
	ck_assert_int_eq(evc_spool_write(spool, e, UUID_B, TIME_A - 1), 0);
	ck_assert_int_eq(stat(spool, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/" UUID_A ".event", spool);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(read_file(path, 4096, &text, NULL), 0);
	ck_assert_str_eq(text, "type=warning id=777 source=John "
			 "log=Application description=\"VDC \\\"Ready\\\" "
			 "\\\\ now\" uuid=" UUID_A " "
			 "time=2026-12-01T15:31:37.123456Z VM=\"vdc 1\" "
			 "PATH=\"a]b\\\\c\"\n");
	/* What a crash leaves of a write (a temporary file) and files of
	 * others are not events; a bad spool file is reported. */
	put_file("spool/.x.event.evt-tmp.123456", "junk", path, sizeof(path));
	put_file("spool/README", "junk", path, sizeof(path));
	put_file("spool/11111111-1111-4111-8111-111111111111.event",
		 "id=1 description=x", path, sizeof(path));
	n_bad = 0;
	ck_assert_int_eq(evc_spool_list(spool, &v, &n, note_bad, NULL), 0);
	ck_assert_int_eq(n_bad, 1);
	ck_assert_ptr_nonnull(strstr(last_bad, "11111111-1111-4111-8111-"
				     "111111111111.event: the line's uuid or "
				     "time is missing or not the name's"));
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].uuid, UUID_B);           /* the older one */
	ck_assert_uint_eq(v[0].time_usec, TIME_A - 1);
	ck_assert_uint_eq(v[0].event->id, 778);
	ck_assert_str_eq(v[1].uuid, UUID_A);
	ck_assert_uint_eq(v[1].time_usec, TIME_A);
	ck_assert_uint_eq(v[1].event->id, 777);
	ck_assert_int_eq(v[1].event->type, EVENT_WARNING);
	ck_assert_str_eq(v[1].event->source, "John");
	ck_assert_str_eq(v[1].event->description, "VDC \"Ready\" \\ now");
	ck_assert_uint_eq(v[1].event->n_extra, 2);
	ck_assert_str_eq(v[1].event->extra[1].value, "a]b\\c");
	for (size_t i = 0; i < n; i++)
		evc_spooled_done(&v[i]);
	free(v);
	/* Removed, and gone from the list. */
	ck_assert_int_eq(evc_spool_remove(spool, UUID_B), 0);
	ck_assert_int_eq(evc_spool_remove(spool, UUID_B), 0);
	ck_assert_int_eq(evc_spool_list(spool, &v, &n, note_bad, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].uuid, UUID_A);
	evc_spooled_done(&v[0]);
	free(v);
}
END_TEST

START_TEST(test_spool_prepare)
{
	char path[256];

	/* Others may not look into it. */
	snprintf(path, sizeof(path), "%s/open", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	ck_assert_int_eq(evc_spool_prepare(path), -EPERM);
	ck_assert_int_eq(chmod(path, 0700), 0);
	ck_assert_int_eq(evc_spool_prepare(path), 0);
	put_file("file", "x", path, sizeof(path));
	ck_assert_int_eq(evc_spool_prepare(path), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/no/such", dir);
	ck_assert_int_eq(evc_spool_prepare(path), -ENOENT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("evcreate_remote");
	TCase *tc = tcase_create("remote");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_psk_derive, 0, ELEMENTSOF(psk_cases));
	tcase_add_loop_test(tc, test_psk_secret, 0, ELEMENTSOF(secret_cases));
	tcase_add_test(tc, test_psk_secret_too_large);
	tcase_add_test(tc, test_frame);
	tcase_add_test(tc, test_frame_limits);
	tcase_add_test(tc, test_spool_round_trip);
	tcase_add_test(tc, test_spool_prepare);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
