/* Check suite for what the listener's privileged parent reads and sends:
 * the channel's socket path in a domain's live XML (listen/domxml.c), and
 * the fixed, length-checked messages to the child (listen/fdmsg.c). */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../../listen/domxml.h"
#include "../../listen/fdmsg.h"

#define CH(type, ttype, name, src)                                         \
	"<channel type='" type "'>" src "<target type='" ttype "' name='" name \
	"' state='connected'/></channel>"
#define SRC(p) "<source mode='bind' path='" p "'/>"
#define DOM(devices) "<domain type='qemu'><name>vdc</name><devices>" devices \
		     "</devices></domain>"
#define P "/var/lib/libvirt/qemu/channel/target/domain-1-vdc/org.evtrigger.0"

static const struct {
	const char *xml;
	int r;
	const char *path;
} xml_cases[] = {
	{ DOM(CH("unix", "virtio", "org.evtrigger.0", SRC(P))), 0, P },
	/* The agent's channel first, ours second. */
	{ DOM(CH("unix", "virtio", "org.qemu.guest_agent.0", SRC("/a"))
	      CH("unix", "virtio", "org.evtrigger.0", SRC("/b"))), 0, "/b" },
	{ DOM(CH("unix", "virtio", "org.qemu.guest_agent.0", SRC("/a"))),
	  -ENOENT, NULL },
	{ DOM(CH("pty", "virtio", "org.evtrigger.0", SRC("/a"))), -ENOENT, NULL },
	{ DOM(CH("unix", "guestfwd", "org.evtrigger.0", SRC("/a"))), -ENOENT,
	  NULL },
	/* Defined but not running: libvirt has not chosen a path yet. */
	{ DOM(CH("unix", "virtio", "org.evtrigger.0", "")), -ENODATA, NULL },
	{ DOM(CH("unix", "virtio", "org.evtrigger.0", SRC("relative"))),
	  -ENODATA, NULL },
	{ DOM(""), -ENOENT, NULL },
	{ "<domain><name>x</name></domain>", -ENOENT, NULL },
	{ "<other><devices>" CH("unix", "virtio", "org.evtrigger.0", SRC("/a"))
	  "</devices></other>", -ENOENT, NULL },
	{ "<domain><devices>", -EINVAL, NULL },
	{ "", -EINVAL, NULL },
	/* No network, no entities from outside. */
	{ "<!DOCTYPE d SYSTEM 'http://127.0.0.1:1/x.dtd'>"
	  DOM(CH("unix", "virtio", "org.evtrigger.0", SRC("/a"))), 0, "/a" },
};

START_TEST(test_xml)
{
	char *path = (char *)"untouched";
	int r = domxml_channel_path(xml_cases[_i].xml, strlen(xml_cases[_i].xml),
				    DOMXML_CHANNEL_NAME, &path);

	ck_assert_msg(r == xml_cases[_i].r, "case %d: r=%d", _i, r);
	if (r < 0) {
		ck_assert_str_eq(path, "untouched");
		return;
	}
	ck_assert_str_eq(path, xml_cases[_i].path);
	free(path);
}
END_TEST

START_TEST(test_xml_other_name)
{
	const char *xml = DOM(CH("unix", "virtio", "org.evtrigger.0", SRC("/a"))
			      CH("unix", "virtio", "com.example.1", SRC("/c")));
	_cleanup_(freep) char *path = NULL;

	ck_assert_int_eq(domxml_channel_path(xml, strlen(xml), "com.example.1",
					     &path), 0);
	ck_assert_str_eq(path, "/c");
}
END_TEST

static void
pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
}

START_TEST(test_fdmsg_attach)
{
	int sv[2], fd = -1, devnull;
	struct fdmsg m, got;
	struct stat a, b;

	pair(sv);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(devnull, 0);
	ck_assert_int_eq(fdmsg_make(FDMSG_ATTACH, "vdc",
				    "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", &m), 0);
	ck_assert_int_eq(fdmsg_send(sv[0], &m, devnull), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), 1);
	ck_assert_int_eq(got.type, FDMSG_ATTACH);
	ck_assert_str_eq(got.name, "vdc");
	ck_assert_str_eq(got.uuid, "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fd, devnull);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(fstat(devnull, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EAGAIN);
	close(sv[0]);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), 0);
	close(sv[1]);
	close(devnull);
}
END_TEST

/* Messages that break the protocol are refused, and a descriptor that
 * came with one is closed, not leaked. */
START_TEST(test_fdmsg_refused)
{
	int sv[2], fd = 7, devnull;
	struct fdmsg m, got;
	char small[10] = "short";

	pair(sv);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fdmsg_make(FDMSG_CLOSED, "vdc", "u", &m), 0);
	/* ATTACH without an fd. */
	m.type = FDMSG_ATTACH;
	ck_assert_int_eq(fdmsg_send(sv[0], &m, -1), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	/* CLOSED with an fd. */
	m.type = FDMSG_CLOSED;
	ck_assert_int_eq(fdmsg_send(sv[0], &m, devnull), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	/* Bad magic, bad type, a string without its NUL. */
	m.magic = 0;
	ck_assert_int_eq(fdmsg_send(sv[0], &m, -1), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	m.magic = FDMSG_MAGIC;
	m.type = 9;
	ck_assert_int_eq(fdmsg_send(sv[0], &m, -1), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	m.type = FDMSG_CLOSED;
	memset(m.uuid, 'x', sizeof(m.uuid));
	ck_assert_int_eq(fdmsg_send(sv[0], &m, -1), 0);
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	/* A short message. */
	ck_assert_int_eq(send(sv[0], small, sizeof(small), 0), (ssize_t)sizeof(small));
	ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	/* A long one: the rest is cut off. */
	{
		char big[sizeof(m) + 8];

		memset(big, 0, sizeof(big));
		memcpy(big, &m, sizeof(m));
		ck_assert_int_eq(send(sv[0], big, sizeof(big), 0),
				 (ssize_t)sizeof(big));
		ck_assert_int_eq(fdmsg_recv(sv[1], &got, &fd), -EBADMSG);
	}
	ck_assert_int_eq(fd, 7);        /* untouched on failure */
	/* Only devnull and the pair are open: the refused fd was closed. */
	ck_assert_int_eq(fcntl(devnull + 1, F_GETFD), -1);
	close(sv[0]);
	close(sv[1]);
	close(devnull);
}
END_TEST

START_TEST(test_fdmsg_make_limits)
{
	char name[CHANNEL_NAME_MAX + 2];
	struct fdmsg m;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(fdmsg_make(FDMSG_ATTACH, name, "u", &m), -ENAMETOOLONG);
	name[CHANNEL_NAME_MAX] = '\0';
	ck_assert_int_eq(fdmsg_make(FDMSG_ATTACH, name, "u", &m), 0);
	ck_assert_int_eq(fdmsg_check(&m), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen_priv");
	TCase *tc = tcase_create("priv");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_xml, 0, ELEMENTSOF(xml_cases));
	tcase_add_test(tc, test_xml_other_name);
	tcase_add_test(tc, test_fdmsg_attach);
	tcase_add_test(tc, test_fdmsg_refused);
	tcase_add_test(tc, test_fdmsg_make_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
