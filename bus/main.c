/* evtrigger-bus: carries network events between the hosts over NATS
 * JetStream (evtrigger-bus(8)). main() reads the configuration, connects,
 * makes the stream, this host's consumer and the bucket of running VMs if
 * missing, then serves the listener's socket on this thread while
 * consumer.c and vms.c run on theirs. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "bus.h"
#include "strv.h"
#include "subject.h"

/* Exit codes (evtrigger-bus(8), EXIT STATUS). */
#define BUS_EXIT_OK      0
#define BUS_EXIT_FAILURE 1      /* a runtime failure */
#define BUS_EXIT_USAGE   2      /* bad command line or configuration */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: evtrigger-bus [OPTION...]\n"
		"Carries the listener's network events to every host over "
		"NATS JetStream and\nwrites those for this host's VMs to its "
		"journal.\n\n"
		"  -C, --config=FILE        configuration file (default "
		BUS_DEFAULT_CONFIG ")\n"
		"      --host=NAME          this host's name (default: the "
		"hostname)\n"
		"      --socket=PATH        the listener's socket (default "
		BUS_DEFAULT_SOCKET ")\n"
		"  -c, --connect=URI        libvirt URI, read-only (default "
		BUS_DEFAULT_URI ")\n"
		"  -s, --servers=URL...     NATS servers, blank or comma "
		"separated\n"
		"                           (default " BUS_DEFAULT_SERVERS ")\n"
		"      --user=NAME          NATS user\n"
		"      --password-file=FILE its password (mode 0600)\n"
		"      --tls-ca=FILE --tls-cert=FILE --tls-key=FILE  TLS to "
		"NATS\n"
		"      --stream=NAME        the JetStream stream (default "
		BUS_DEFAULT_STREAM ")\n"
		"      --replicas=N         its replicas, 1..5 (default %d)\n"
		"  -h, --help               this text\n"
		"      --version            the version\n",
		BUS_DEFAULT_REPLICAS);
}

/* Puts one option into o through the file's keys, so both say the same
 * about a bad value. */
static int
set_option(struct bus_config *o, const char *section, const char *key,
	   const char *value)
{
	const char *why = NULL;
	int r = bus_config_set(o, section, key, value, &why);

	if (r == -EINVAL)
		fprintf(stderr, "evtrigger-bus: invalid --%s '%s': %s\n", key,
			value, why);
	else if (r < 0)
		fprintf(stderr, "evtrigger-bus: --%s: %s\n", key,
			strerror(-r));
	return r;
}

/* The command line into o, and --config into *ret_config (*ret_explicit:
 * it was given, so it must exist). */
static int
parse_args(int argc, char *argv[], const char **ret_config,
	   bool *ret_explicit, struct bus_config *o)
{
	enum { OPT_HOST = 0x100, OPT_SOCKET, OPT_USER, OPT_PASSWORD_FILE,
	       OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_STREAM, OPT_REPLICAS,
	       OPT_VERSION };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "connect", required_argument, NULL, 'c' },
		{ "servers", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, OPT_USER },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "tls-ca", required_argument, NULL, OPT_TLS_CA },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "stream", required_argument, NULL, OPT_STREAM },
		{ "replicas", required_argument, NULL, OPT_REPLICAS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int opt;
		const char *section, *key;
	} keys[] = {
		{ OPT_HOST, "bus", "host" },
		{ OPT_SOCKET, "bus", "socket" },
		{ 'c', "bus", "connect" },
		{ 's', "nats", "servers" },
		{ OPT_USER, "nats", "user" },
		{ OPT_PASSWORD_FILE, "nats", "password-file" },
		{ OPT_TLS_CA, "nats", "tls-ca" },
		{ OPT_TLS_CERT, "nats", "tls-cert" },
		{ OPT_TLS_KEY, "nats", "tls-key" },
		{ OPT_STREAM, "nats", "stream" },
		{ OPT_REPLICAS, "nats", "replicas" },
	};
	int c;

	while ((c = getopt_long(argc, argv, "C:c:s:h", opts, NULL)) != -1) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(keys); i++)
			if (keys[i].opt == c)
				break;
		if (i < ELEMENTSOF(keys)) {
			if (set_option(o, keys[i].section, keys[i].key,
				       optarg) < 0)
				return BUS_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'C':
			*ret_config = optarg;
			*ret_explicit = true;
			break;
		case 'h':
			usage(stdout);
			exit(BUS_EXIT_OK);
		case OPT_VERSION:
			printf("evtrigger-bus %s\n", EVT_VERSION);
			exit(BUS_EXIT_OK);
		default:
			usage(stderr);
			return BUS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "evtrigger-bus: unexpected argument '%s'\n",
			argv[optind]);
		return BUS_EXIT_USAGE;
	}
	return BUS_EXIT_OK;
}

/* The configuration: the file, the command line over it, the defaults.
 * BUS_EXIT_OK or BUS_EXIT_USAGE (said why). */
static int
load_config(struct bus *b, const char *path, bool explicit,
	    const struct bus_config *o)
{
	_cleanup_(strv_freep) char **errors = NULL;
	size_t n_errors = 0;
	int r;

	r = bus_config_load(&b->cfg, path, !explicit, &errors, &n_errors);
	if (r == -EINVAL) {
		for (size_t i = 0; i < n_errors; i++)
			fprintf(stderr, "%s\n", errors[i]);
		fprintf(stderr, "evtrigger-bus: %zu error%s in %s; not "
			"started\n", n_errors, n_errors == 1 ? "" : "s", path);
		return BUS_EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "evtrigger-bus: cannot read %s: %s\n", path,
			strerror(-r));
		return BUS_EXIT_USAGE;
	}
	if (bus_config_merge(&b->cfg, o) < 0 || bus_config_finish(&b->cfg) < 0) {
		fprintf(stderr, "evtrigger-bus: cannot complete the "
			"configuration\n");
		return BUS_EXIT_USAGE;
	}
	if ((b->cfg.tls_cert == NULL) != (b->cfg.tls_key == NULL)) {
		fprintf(stderr, "evtrigger-bus: tls-cert and tls-key go "
			"together\n");
		return BUS_EXIT_USAGE;
	}
	if (b->cfg.password_file != NULL) {
		if (b->cfg.user == NULL) {
			fprintf(stderr, "evtrigger-bus: password-file needs "
				"user\n");
			return BUS_EXIT_USAGE;
		}
		r = bus_config_read_password(b->cfg.password_file,
					     &b->password);
		if (r < 0) {
			fprintf(stderr, "evtrigger-bus: password file %s: %s\n",
				b->cfg.password_file, r == -EPERM ?
				"group or others may read it (must be 0600)" :
				r == -EINVAL ? "empty" : strerror(-r));
			return BUS_EXIT_USAGE;
		}
	}
	if (subject_consumer_name(b->cfg.host, &b->consumer) < 0)
		return BUS_EXIT_FAILURE;
	return BUS_EXIT_OK;
}

/* SIGTERM and SIGINT through a descriptor, blocked in every thread. */
static int
signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -EINVAL;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Until the stream, the consumer and the bucket exist (or a signal). */
static int
wait_setup(struct bus *b, int sigfd)
{
	unsigned tries = 0;

	for (;;) {
		struct signalfd_siginfo si;

		if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
			return -EINTR;
		}
		if (b->nc == NULL)
			(void)bus_nats_connect(b);
		if (bus_nats_connected(b) && bus_nats_setup(b) >= 0)
			return 0;
		/* At once, then every 10 s: a cluster still electing its
		 * leaders is normal for a while. */
		if (tries++ % 50 == 0)
			fprintf(stderr, "evtrigger-bus: waiting for NATS: %s\n",
				b->nc != NULL && !bus_nats_connected(b) ?
				"reconnecting" : b->setup_why);
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
	}
}

static int
run(struct bus *b)
{
	_cleanup_(closep) int sigfd = -1, lfd = -1;
	pthread_t consumer, vms;
	int r;

	sigfd = signals_fd();
	if (sigfd < 0) {
		perror("evtrigger-bus: signalfd");
		return BUS_EXIT_FAILURE;
	}
	if (wait_setup(b, sigfd) < 0)
		return BUS_EXIT_OK;
	lfd = bus_server_open(b->cfg.socket);
	if (lfd < 0) {
		fprintf(stderr, "evtrigger-bus: cannot listen on %s: %s\n",
			b->cfg.socket, strerror(-lfd));
		return BUS_EXIT_FAILURE;
	}
	if (pthread_create(&consumer, NULL, bus_consumer_thread, b) != 0)
		return BUS_EXIT_FAILURE;
	if (pthread_create(&vms, NULL, bus_vms_thread, b) != 0) {
		__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
		pthread_join(consumer, NULL);
		return BUS_EXIT_FAILURE;
	}
	(void)sd_notify(0, "READY=1");
	r = bus_server_run(b, lfd, sigfd);
	__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
	(void)sd_notify(0, "STOPPING=1");
	pthread_join(consumer, NULL);
	pthread_join(vms, NULL);
	(void)unlink(b->cfg.socket);
	if (r < 0) {
		fprintf(stderr, "evtrigger-bus: %s\n", strerror(-r));
		return BUS_EXIT_FAILURE;
	}
	return BUS_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct bus b = { .setup_lock = PTHREAD_MUTEX_INITIALIZER,
			 .virt_lock = PTHREAD_MUTEX_INITIALIZER };
	struct bus_config o = { 0 };
	const char *config = BUS_DEFAULT_CONFIG, *hook;
	bool explicit = false;
	int code;

	code = parse_args(argc, argv, &config, &explicit, &o);
	if (code == BUS_EXIT_OK)
		code = load_config(&b, config, explicit, &o);
	bus_config_clear(&o);
	if (code != BUS_EXIT_OK) {
		bus_config_clear(&b.cfg);
		free(b.password);
		free(b.consumer);
		return code;
	}
	hook = getenv("EVTRIGGER_BUS_EXIT_AFTER_WRITE");
	b.exit_after_write = hook != NULL && streq(hook, "1");
	code = run(&b);
	bus_nats_close(&b);
	bus_virt_close(&b);
	/* Waits for the library's own threads, so nothing of it is left. */
	nats_CloseAndWait(2000);
	bus_config_clear(&b.cfg);
	if (b.password != NULL)
		explicit_bzero(b.password, strlen(b.password));
	free(b.password);
	free(b.consumer);
	return code;
}
