/* evtrigger-listen: receives events from guests over their virtio-serial
 * channel, and from network senders over TLS (or plain TCP/UDP from listed
 * addresses), and writes them to the host journal with the identity libvirt
 * or the senders file proves (evtrigger-listen(8)). main() parses the
 * command line, loads the senders file, certificates and keys (as root),
 * and splits into the privileged parent (priv.c) and the unprivileged child
 * (child.c) before libvirt starts any thread. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "child.h"
#include "domxml.h"
#include "options.h"
#include "priv.h"
#include "senders.h"
#include "strv.h"
#include "tls.h"

/* Exit codes (evtrigger-listen(8), EXIT STATUS). */
#define LISTEN_EXIT_OK          0
#define LISTEN_EXIT_FAILURE     1       /* a runtime failure */
#define LISTEN_EXIT_USAGE       2       /* bad command line or --user */

#define DEFAULT_URI     "qemu:///system"
#define DEFAULT_USER    "evtrigger-listen"
#define DEFAULT_RATE    20
#define DEFAULT_BURST   100
#define DEFAULT_SENDERS EVT_SYSCONFDIR "/evtrigger/senders.conf"
#define DEFAULT_TLS_PORT 6514
#define DEFAULT_SYSLOG_PORT 514
#define DEFAULT_HANDSHAKE_TIMEOUT (10 * 1000000ULL)
#define DEFAULT_IDLE_TIMEOUT (300 * 1000000ULL)
#define DEFAULT_MAX_SESSIONS 256
#define DEFAULT_MAX_SESSIONS_PER_ADDRESS 16
/* Events of one network connection written and awaiting their read-back
 * at once (evtrigger-listen(8), LIMITS). */
#define NET_INFLIGHT 256
/* A guest pipelines too: a channel keeps this many events awaiting their
 * read-back while it parses and writes the next ones (answers stay in
 * order, one per event). */
#define CHANNEL_INFLIGHT 256

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
		"Network senders (off unless one of --tls, --tcp, --udp):\n"
		"      --tls=[ADDR]:PORT    RFC 5425 syslog over TLS (port 6514)\n"
		"      --tcp=[ADDR]:PORT    plain RFC 6587 TCP, listed addresses "
		"only\n"
		"      --udp=[ADDR]:PORT    plain UDP, listed addresses only\n"
		"      --senders=FILE       who may send (default "
		DEFAULT_SENDERS ")\n"
		"      --cert=FILE --key=FILE  the server certificate and key\n"
		"      --ca=FILE            CA of the client certificates\n"
		"      --tls-min=1.2|1.3    lowest TLS version (default 1.3)\n"
		"      --max-frame=SIZE     longest frame (default 64K)\n"
		"      --handshake-timeout=TIME  (default 10s)\n"
		"      --idle-timeout=TIME  (default 5min)\n"
		"      --max-sessions=N     network sessions in total (default "
		"%d)\n"
		"      --max-sessions-per-address=N  (default %d)\n"
		"      --bus=PATH           hand network events to evtrigger-bus "
		"at this\n"
		"                           unix socket instead of the journal "
		"(several hosts)\n"
		"      --gen-psk            print a new random PSK secret\n"
		"  -h, --help               this text\n"
		"      --version            the version\n",
		DEFAULT_RATE, DEFAULT_BURST, DEFAULT_MAX_SESSIONS,
		DEFAULT_MAX_SESSIONS_PER_ADDRESS);
}

#define LISTENS_MAX 8

struct args {
	const char *uri;
	const char *channel_name;
	const char *user;
	uint64_t rate, burst, max_event;
	struct priv_listen listens[LISTENS_MAX];
	size_t n_listens;
	bool tls;
	const char *senders, *cert, *key, *ca;
	int tls_min;
	uint64_t max_frame, handshake_timeout, idle_timeout;
	uint64_t max_sessions, max_sessions_per_address;
	const char *bus;
};

/* Parses [ADDR]:PORT, ADDR or PORT (ADDR an IPv4 address or an IPv6 one in
 * brackets; none: every address, IPv6 and IPv4). */
static int
parse_listen_addr(const char *s, unsigned default_port,
		  struct priv_listen *ret)
{
	_cleanup_(freep) char *host = NULL;
	const char *port = NULL, *end;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ret->ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ret->ss;
	int64_t p = default_port;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -EINVAL;
		host = strndup(s + 1, (size_t)(end - s - 1));
		if (end[1] == ':')
			port = end + 2;
	} else if (strchr(s, ':') != NULL) {
		end = strchr(s, ':');
		if (strchr(end + 1, ':') != NULL)
			return -EINVAL; /* IPv6 needs brackets */
		host = strndup(s, (size_t)(end - s));
		port = end + 1;
	} else if (strspn(s, "0123456789") == strlen(s))
		port = s, host = strdup("");
	else
		host = strdup(s);
	if (host == NULL)
		return -ENOMEM;
	if (port != NULL && (parse_int(port, &p) < 0 || p < 1 || p > 65535))
		return -EINVAL;
	memset(&ret->ss, 0, sizeof(ret->ss));
	if (host[0] == '\0') {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons((uint16_t)p);
		ret->len = sizeof(*sin6);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		ret->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		ret->len = sizeof(*sin6);
	} else
		return -EINVAL;
	ret->text = s;
	return 0;
}

static int
gen_psk(void)
{
	unsigned char b[32];
	ssize_t n;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(b)) {
		perror("evtrigger-listen: getrandom");
		return LISTEN_EXIT_FAILURE;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		printf("%02x", b[i]);
	printf("\n");
	explicit_bzero(b, sizeof(b));
	return fflush(stdout) == 0 ? LISTEN_EXIT_OK : LISTEN_EXIT_FAILURE;
}

static int
parse_seconds(const char *opt, const char *s, uint64_t *ret)
{
	uint64_t v;

	if (parse_duration(s, &v) < 0 || v < 1000000 ||
	    v > 24 * 3600 * 1000000ULL) {
		fprintf(stderr, "evtrigger-listen: invalid %s '%s': must be "
			"1s..24h\n", opt, s);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

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
	enum { OPT_RATE = 0x100, OPT_BURST, OPT_MAX_EVENT, OPT_VERSION,
	       OPT_TLS, OPT_TCP, OPT_UDP, OPT_SENDERS, OPT_CERT, OPT_KEY,
	       OPT_CA, OPT_TLS_MIN, OPT_MAX_FRAME, OPT_HANDSHAKE_TIMEOUT,
	       OPT_IDLE_TIMEOUT, OPT_MAX_SESSIONS, OPT_MAX_SESSIONS_PER_ADDR,
	       OPT_GEN_PSK, OPT_BUS };
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "channel-name", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "max-event", required_argument, NULL, OPT_MAX_EVENT },
		{ "tls", required_argument, NULL, OPT_TLS },
		{ "tcp", required_argument, NULL, OPT_TCP },
		{ "udp", required_argument, NULL, OPT_UDP },
		{ "senders", required_argument, NULL, OPT_SENDERS },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "tls-min", required_argument, NULL, OPT_TLS_MIN },
		{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
		{ "handshake-timeout", required_argument, NULL,
		  OPT_HANDSHAKE_TIMEOUT },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
		{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
		{ "max-sessions-per-address", required_argument, NULL,
		  OPT_MAX_SESSIONS_PER_ADDR },
		{ "gen-psk", no_argument, NULL, OPT_GEN_PSK },
		{ "bus", required_argument, NULL, OPT_BUS },
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
		case OPT_TLS:
		case OPT_TCP:
		case OPT_UDP: {
			struct priv_listen *l = &a->listens[a->n_listens];

			if (a->n_listens == LISTENS_MAX) {
				fprintf(stderr, "evtrigger-listen: at most %d "
					"listening addresses\n", LISTENS_MAX);
				return LISTEN_EXIT_USAGE;
			}
			l->kind = c == OPT_TLS ? "tls" : c == OPT_TCP ? "tcp"
								 : "udp";
			if (parse_listen_addr(optarg, c == OPT_TLS
					      ? DEFAULT_TLS_PORT
					      : DEFAULT_SYSLOG_PORT, l) < 0) {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--%s '%s': must be [ADDR]:PORT\n",
					l->kind, optarg);
				return LISTEN_EXIT_USAGE;
			}
			a->tls |= c == OPT_TLS;
			a->n_listens++;
			break;
		}
		case OPT_SENDERS:
			a->senders = optarg;
			break;
		case OPT_CERT:
			a->cert = optarg;
			break;
		case OPT_KEY:
			a->key = optarg;
			break;
		case OPT_CA:
			a->ca = optarg;
			break;
		case OPT_TLS_MIN:
			if (streq(optarg, "1.2"))
				a->tls_min = TLS1_2_VERSION;
			else if (streq(optarg, "1.3"))
				a->tls_min = TLS1_3_VERSION;
			else {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--tls-min '%s': must be 1.2 or 1.3\n",
					optarg);
				return LISTEN_EXIT_USAGE;
			}
			break;
		case OPT_MAX_FRAME:
			if (parse_size(optarg, &a->max_frame) < 0 ||
			    a->max_frame < 256 || a->max_frame > WIRE_LINE_MAX) {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--max-frame '%s': must be 256..64K\n",
					optarg);
				return LISTEN_EXIT_USAGE;
			}
			break;
		case OPT_HANDSHAKE_TIMEOUT:
			if (parse_seconds("--handshake-timeout", optarg,
					  &a->handshake_timeout) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_IDLE_TIMEOUT:
			if (parse_seconds("--idle-timeout", optarg,
					  &a->idle_timeout) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_MAX_SESSIONS:
			if (parse_count("--max-sessions", optarg, 3500,
					&a->max_sessions) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_MAX_SESSIONS_PER_ADDR:
			if (parse_count("--max-sessions-per-address", optarg,
					3500, &a->max_sessions_per_address) < 0)
				return LISTEN_EXIT_USAGE;
			break;
		case OPT_BUS:
			if (optarg[0] != '/' || strlen(optarg) >=
			    sizeof(((struct sockaddr_un *)0)->sun_path)) {
				fprintf(stderr, "evtrigger-listen: invalid "
					"--bus '%s': an absolute socket path "
					"of at most %zu bytes\n", optarg,
					sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
				return LISTEN_EXIT_USAGE;
			}
			a->bus = optarg;
			break;
		case OPT_GEN_PSK:
			exit(gen_psk());
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
	if (a->tls && (a->cert == NULL || a->key == NULL)) {
		fprintf(stderr, "evtrigger-listen: --tls needs --cert and "
			"--key\n");
		return LISTEN_EXIT_USAGE;
	}
	return LISTEN_EXIT_OK;
}

/* Loads the senders file and makes the TLS context, as root, before the
 * split. Returns LISTEN_EXIT_OK or LISTEN_EXIT_USAGE (said why). */
static int
load_network(const struct args *a, struct senders **ret_senders,
	     SSL_CTX **ret_tls)
{
	_cleanup_(strv_freep) char **errors = NULL;
	_cleanup_(freep) char *error = NULL;
	struct tls_config tc;
	int r;

	r = senders_load(a->senders, ret_senders, &errors);
	if (r == -EINVAL) {
		for (size_t i = 0; errors[i] != NULL; i++)
			fprintf(stderr, "%s\n", errors[i]);
		fprintf(stderr, "evtrigger-listen: %zu error%s in %s; not "
			"started\n", strv_length(errors),
			strv_length(errors) == 1 ? "" : "s", a->senders);
		return LISTEN_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot read the senders "
			"file %s: %s\n", a->senders, strerror(-r));
		return LISTEN_EXIT_USAGE;
	}
	if (senders_has(*ret_senders, SENDER_X509) && a->tls && a->ca == NULL)
		fprintf(stderr, "evtrigger-listen: %s lists x509 senders but "
			"no --ca was given: none of them can connect\n",
			a->senders);
	if (!a->tls)
		return LISTEN_EXIT_OK;
	tc = (struct tls_config){ a->cert, a->key, a->ca, a->tls_min,
				  *ret_senders };
	r = tls_ctx_new(&tc, ret_tls, &error);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: %s\n",
			error != NULL ? error : strerror(-r));
		return LISTEN_EXIT_USAGE;
	}
	return LISTEN_EXIT_OK;
}

/* Room for many idle network sessions: the soft limit of descriptors up to
 * the hard one. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	struct args a = {
		.uri = DEFAULT_URI, .channel_name = DOMXML_CHANNEL_NAME,
		.user = DEFAULT_USER, .rate = DEFAULT_RATE,
		.burst = DEFAULT_BURST, .max_event = WIRE_LINE_MAX,
		.senders = DEFAULT_SENDERS, .tls_min = TLS1_3_VERSION,
		.max_frame = WIRE_LINE_MAX,
		.handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT,
		.idle_timeout = DEFAULT_IDLE_TIMEOUT,
		.max_sessions = DEFAULT_MAX_SESSIONS,
		.max_sessions_per_address = DEFAULT_MAX_SESSIONS_PER_ADDRESS,
	};
	struct sandbox_user user = { 0 };
	struct senders *senders = NULL;
	SSL_CTX *tls = NULL;
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
	if (a.n_listens > 0) {
		code = load_network(&a, &senders, &tls);
		if (code != LISTEN_EXIT_OK) {
			senders_free(senders);
			free(user.name);
			return code;
		}
		raise_nofile();
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
			.limits = { a.rate, a.burst, a.max_event, NULL, 0, 0,
				    false, CHANNEL_INFLIGHT },
			.exit_after_store = hook != NULL && streq(hook, "1"),
			.senders = senders,
			.tls = tls,
			.net_limits = { a.rate, a.burst, a.max_event, NULL,
					a.max_frame, WIRE_NETWORK, true,
					NET_INFLIGHT },
			.handshake_timeout_usec = a.handshake_timeout,
			.idle_timeout_usec = a.idle_timeout,
			.max_sessions = (unsigned)a.max_sessions,
			.max_sessions_per_address =
				(unsigned)a.max_sessions_per_address,
			.bus = a.bus != NULL,
		};

		close(sv[0]);
		cc.limits.defaults = defaults;
		cc.net_limits.defaults = defaults;
		_exit(defaults == NULL ? LISTEN_EXIT_FAILURE : child_run(&cc));
	}
	close(sv[1]);
	/* The parent keeps no key. */
	SSL_CTX_free(tls);
	senders_free(senders);
	code = priv_run(&(struct priv_config){ a.uri, a.channel_name, sv[0],
					       pid, a.listens, a.n_listens,
					       a.bus });
	free(user.name);
	return code;
}
