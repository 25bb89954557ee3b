/* evtrigger-listen: receives events from guests over their virtio-serial
 * channel and writes them to the host journal with the identity libvirt
 * proves (evtrigger-listen(8)). main() parses the command line and splits
 * into the privileged parent (priv.c) and the unprivileged child (child.c)
 * before libvirt starts any thread. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "child.h"
#include "domxml.h"
#include "options.h"
#include "priv.h"

/* Exit codes (evtrigger-listen(8), EXIT STATUS). */
#define LISTEN_EXIT_OK          0
#define LISTEN_EXIT_FAILURE     1       /* a runtime failure */
#define LISTEN_EXIT_USAGE       2       /* bad command line or --user */

#define DEFAULT_URI     "qemu:///system"
#define DEFAULT_USER    "evtrigger-listen"
#define DEFAULT_RATE    20
#define DEFAULT_BURST   100

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger-listen [OPTION...]\n"
		"Writes events that guests send over their virtio-serial "
		"channel to the journal,\nwith the VM's identity.\n\n"
		"  -c, --connect=URI        libvirt URI, read-only (default "
		DEFAULT_URI ")\n"
		"  -n, --channel-name=NAME  the channel's target name (default "
		DOMXML_CHANNEL_NAME ")\n"
		"  -u, --user=USER          user of the unprivileged half "
		"(default " DEFAULT_USER ")\n"
		"      --rate=N             events per second per VM (default "
		"%d)\n"
		"      --burst=N            events a VM may send at once "
		"(default %d)\n"
		"      --max-event=SIZE     bytes of fields per event (default "
		"64K)\n"
		"  -h, --help               this text\n"
		"      --version            the version\n",
		DEFAULT_RATE, DEFAULT_BURST);
}

struct args {
	const char *uri;
	const char *channel_name;
	const char *user;
	uint64_t rate, burst, max_event;
};

static int
parse_count(const char *opt, const char *s, uint64_t max, uint64_t *ret)
{
	int64_t v;

	if (parse_int(s, &v) < 0 || v < 1 || (uint64_t)v > max) {
		fprintf(stderr, "evtrigger-listen: invalid %s '%s': must be "
			"1..%llu\n", opt, s, (unsigned long long)max);
		return -EINVAL;
	}
	*ret = (uint64_t)v;
	return 0;
}

static int
parse_args(int argc, char *argv[], struct args *a)
{
	enum { OPT_RATE = 0x100, OPT_BURST, OPT_MAX_EVENT, OPT_VERSION };
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "channel-name", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "max-event", required_argument, NULL, OPT_MAX_EVENT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:n:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->uri = optarg;
			break;
		case 'n':
			if (optarg[0] == '\0' || strlen(optarg) > 128) {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--channel-name '%s'\n", optarg);
				return LISTEN_EXIT_USAGE;
			}
			a->channel_name = optarg;
			break;
		case 'u':
			a->user = optarg;
			break;
		case OPT_RATE:
			if (parse_count("--rate", optarg, 1000000, &a->rate) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_BURST:
			if (parse_count("--burst", optarg, 1000000, &a->burst) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_MAX_EVENT: {
			uint64_t v;

			if (parse_size(optarg, &v) < 0 || v < 64 ||
			    v > WIRE_LINE_MAX) {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--max-event '%s': must be 64..64K\n",
					optarg);
				return LISTEN_EXIT_USAGE;
			}
			a->max_event = v;
			break;
		}
		case 'h':
			usage(stdout);
			exit(LISTEN_EXIT_OK);
		case OPT_VERSION:
			printf("evtrigger-listen %s\n", EVT_VERSION);
			exit(LISTEN_EXIT_OK);
		default:
			usage(stderr);
			return LISTEN_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "evtrigger-listen: unexpected argument '%s'\n",
			argv[optind]);
		return LISTEN_EXIT_USAGE;
	}
	return LISTEN_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct args a = { DEFAULT_URI, DOMXML_CHANNEL_NAME, DEFAULT_USER,
			  DEFAULT_RATE, DEFAULT_BURST, WIRE_LINE_MAX };
	struct sandbox_user user = { 0 };
	const char *hook = getenv("EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE");
	int sv[2], code, r;
	pid_t pid;

	code = parse_args(argc, argv, &a);
	if (code != LISTEN_EXIT_OK)
		return code;
	r = sandbox_lookup(a.user, &user);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: user '%s': %s\n", a.user,
			r == -ESRCH ? "no such user" :
			r == -EPERM ? "must not be root" : strerror(-r));
		return LISTEN_EXIT_USAGE;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("evtrigger-listen: socketpair");
		return LISTEN_EXIT_FAILURE;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("evtrigger-listen: fork");
		return LISTEN_EXIT_FAILURE;
	}
	if (pid == 0) {
		_cleanup_(event_freep) struct event *defaults = event_new();
		struct child_config cc = {
			.ctl = sv[1],
			.user = &user,
			.channel_name = a.channel_name,
			.limits = { a.rate, a.burst, a.max_event, NULL },
			.exit_after_store = hook != NULL && streq(hook, "1"),
		};

		close(sv[0]);
		cc.limits.defaults = defaults;
		_exit(defaults == NULL ? LISTEN_EXIT_FAILURE : child_run(&cc));
	}
	close(sv[1]);
	code = priv_run(&(struct priv_config){ a.uri, a.channel_name, sv[0],
					       pid });
	free(user.name);
	return code;
}
