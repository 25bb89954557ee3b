/* The privileged parent: libvirt domains and their channels (see priv.h). */
#include <fcntl.h>
#include <netinet/in.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "domxml.h"
#include "evt-ids.h"
#include "evt-log.h"
#include "fdmsg.h"
#include "priv.h"
#include "time.h"

/* How often failed attaches and a lost libvirt connection are retried. */
#define RETRY_MSEC 1000
/* A lost bus is connected again after 1 s, then 2, 4, at most 5 s apart. */
#define BUS_RETRY_MAX_MSEC 5000

struct attached {
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *path;
};

struct priv {
	const struct priv_config *cfg;
	virConnectPtr conn;
	int callback;
	struct attached *att;
	size_t n_att;
	bool rescan;            /* a domain wants (re)attaching */
	bool child_gone;
	/* --bus: whether the child needs a connection, when to try next and
	 * how long to wait after a failure. */
	bool bus_wanted;
	uint64_t bus_next_usec;
	unsigned bus_backoff_msec;
	bool bus_failure_said;
};

static volatile sig_atomic_t quit;

static void
on_term(int sig)
{
	quit = 1;
}

static struct attached *
find_attached(struct priv *p, const char *uuid)
{
	for (size_t i = 0; i < p->n_att; i++)
		if (streq(p->att[i].uuid, uuid))
			return &p->att[i];
	return NULL;
}

static void
forget(struct priv *p, const char *uuid)
{
	struct attached *a = find_attached(p, uuid);

	if (a == NULL)
		return;
	free(a->path);
	*a = p->att[--p->n_att];
}

static int
remember(struct priv *p, const char *uuid, const char *path)
{
	struct attached *a = find_attached(p, uuid), *v;

	if (a == NULL) {
		v = reallocarray(p->att, p->n_att + 1, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		p->att = v;
		a = &p->att[p->n_att++];
		snprintf(a->uuid, sizeof(a->uuid), "%s", uuid);
	} else
		free(a->path);
	a->path = strdup(path);
	return a->path != NULL ? 0 : -ENOMEM;
}

static int
connect_unix(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* Connects to the bus and hands the connection to the child; on failure
 * tries again later, backing off (said once until it works). */
static void
bus_connect(struct priv *p)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	_cleanup_(closep) int fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fdmsg m;
	int r = 0;

	if (!p->bus_wanted || now < p->bus_next_usec)
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->cfg->bus);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	if (r == 0)
		r = fdmsg_make(FDMSG_BUS, "bus", "", &m);
	if (r == 0)
		r = fdmsg_send(p->cfg->ctl, &m, fd);
	if (r < 0) {
		if (!p->bus_failure_said)
			fprintf(stderr, "evtrigger-listen: cannot connect to "
				"the event bus at %s: %s (network events are "
				"answered 503 until it is there; will retry)\n",
				p->cfg->bus, strerror(-r));
		p->bus_failure_said = true;
		p->bus_next_usec = now + p->bus_backoff_msec * 1000ULL;
		p->bus_backoff_msec = p->bus_backoff_msec * 2 >
			BUS_RETRY_MAX_MSEC ? BUS_RETRY_MAX_MSEC
					   : p->bus_backoff_msec * 2;
		return;
	}
	fprintf(stderr, "evtrigger-listen: connected to the event bus at "
		"%s\n", p->cfg->bus);
	p->bus_wanted = false;
	p->bus_failure_said = false;
	p->bus_backoff_msec = RETRY_MSEC;
}

static void
report_attached(const char *name, const char *uuid, const char *path)
{
	_cleanup_(freep) char *msg = NULL, *vm = NULL, *vmu = NULL,
			      *sock = NULL;

	if (asprintf(&msg, "channel of %s attached", name) < 0 ||
	    asprintf(&vm, EVT_FIELD_VM "=%s", name) < 0 ||
	    asprintf(&vmu, EVT_FIELD_VM_UUID "=%s", uuid) < 0 ||
	    asprintf(&sock, EVT_FIELD_SOCKET "=%s", path) < 0)
		return;
	if (evt_log_send(EVT_CHANNEL_ATTACHED,
			 (const char *const[]){ vm, vmu, sock }, 3, msg) < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", msg);
}

/* Tells the child that a domain runs or stopped. */
static void
tell_domain(struct priv *p, enum fdmsg_type type, const char *name,
	    const char *uuid)
{
	struct fdmsg m;

	if (fdmsg_make(type, name, uuid, &m) == 0)
		(void)fdmsg_send(p->cfg->ctl, &m, -1);
}

/* Attaches the channel of dom if it is running, has one, and is not
 * attached at that path already. Returns 0, or -errno when it should be
 * tried again later. */
static int
attach(struct priv *p, virDomainPtr dom)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	_cleanup_(freep) char *xml = NULL, *path = NULL;
	_cleanup_(closep) int fd = -1;
	struct attached *a;
	const char *name = virDomainGetName(dom);
	struct fdmsg m;
	int r;

	if (name == NULL || virDomainGetUUIDString(dom, uuid) < 0 ||
	    virDomainIsActive(dom) != 1)
		return 0;
	tell_domain(p, FDMSG_DOMAIN_UP, name, uuid);
	xml = virDomainGetXMLDesc(dom, 0);
	if (xml == NULL)
		return -EIO;
	r = domxml_channel_path(xml, strlen(xml), p->cfg->channel_name, &path);
	if (r == -ENOENT)
		return 0;       /* not a domain that sends events */
	if (r < 0)
		return r;
	a = find_attached(p, uuid);
	if (a != NULL && streq(a->path, path))
		return 0;
	r = fdmsg_make(FDMSG_ATTACH, name, uuid, &m);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: domain name '%.64s...' is "
			"too long; its channel is not attached\n", name);
		return 0;
	}
	r = connect_unix(path, &fd);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot connect to the "
			"channel of %s at %s: %s (will retry)\n", name, path,
			strerror(-r));
		return r;
	}
	r = fdmsg_send(p->cfg->ctl, &m, fd);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot hand the channel of "
			"%s to the child: %s\n", name, strerror(-r));
		return r;
	}
	r = remember(p, uuid, path);
	if (r < 0)
		return r;
	report_attached(name, uuid, path);
	return 0;
}

static void
scan(struct priv *p)
{
	virDomainPtr *doms = NULL;
	int n;

	p->rescan = false;
	if (p->conn == NULL) {
		p->rescan = true;
		return;
	}
	n = virConnectListAllDomains(p->conn, &doms,
				     VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		p->rescan = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (attach(p, doms[i]) < 0)
			p->rescan = true;
		virDomainFree(doms[i]);
	}
	free(doms);
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
	     void *opaque)
{
	struct priv *p = opaque;
	char uuid[VIR_UUID_STRING_BUFLEN];

	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		if (attach(p, dom) < 0)
			p->rescan = true;
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		if (virDomainGetUUIDString(dom, uuid) == 0) {
			forget(p, uuid);
			if (virDomainGetName(dom) != NULL)
				tell_domain(p, FDMSG_DOMAIN_DOWN,
					    virDomainGetName(dom), uuid);
		}
		break;
	default:
		break;
	}
	return 0;
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct priv *p = opaque;

	fprintf(stderr, "evtrigger-listen: lost the libvirt connection; "
		"reconnecting\n");
	p->rescan = true;
}

static void
disconnect(struct priv *p)
{
	if (p->conn == NULL)
		return;
	if (p->callback >= 0)
		virConnectDomainEventDeregisterAny(p->conn, p->callback);
	virConnectUnregisterCloseCallback(p->conn, on_close);
	virConnectClose(p->conn);
	p->conn = NULL;
	p->callback = -1;
}

static int
connect_libvirt(struct priv *p)
{
	p->conn = virConnectOpenReadOnly(p->cfg->uri);
	if (p->conn == NULL)
		return -ECONNREFUSED;
	p->callback = virConnectDomainEventRegisterAny(
		p->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), p, NULL);
	if (p->callback < 0) {
		disconnect(p);
		return -EIO;
	}
	/* Only remote connections have these; a lost one is also found by
	 * virConnectIsAlive on the timer. */
	(void)virConnectRegisterCloseCallback(p->conn, on_close, p, NULL);
	(void)virConnectSetKeepAlive(p->conn, 5, 3);
	return 0;
}

static void
on_ctl(int watch, int fd, int events, void *opaque)
{
	struct priv *p = opaque;
	struct fdmsg m;
	int mfd, r;

	for (;;) {
		r = fdmsg_recv(fd, &m, &mfd);
		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			p->child_gone = true;
			virEventRemoveHandle(watch);
			return;
		}
		if (mfd >= 0)
			close(mfd);
		if (m.type == FDMSG_CLOSED) {
			/* A running domain gets its channel back. */
			forget(p, m.uuid);
			p->rescan = true;
		} else if (m.type == FDMSG_BUS_LOST && p->cfg->bus != NULL &&
			   !p->bus_wanted) {
			p->bus_wanted = true;
			p->bus_next_usec = now_usec(CLOCK_MONOTONIC) +
					   RETRY_MSEC * 1000ULL;
			p->bus_backoff_msec = RETRY_MSEC;
		}
	}
}

static void
on_timer(int timer, void *opaque)
{
	struct priv *p = opaque;

	if (p->conn != NULL && virConnectIsAlive(p->conn) != 1)
		disconnect(p);
	if (p->conn == NULL && connect_libvirt(p) == 0) {
		fprintf(stderr, "evtrigger-listen: connected to %s\n",
			p->cfg->uri);
		p->rescan = true;
	}
	if (p->rescan)
		scan(p);
	bus_connect(p);
}

static void
ignore_error(void *opaque, virErrorPtr err)
{
}

/* Ends the child and waits for it. */
static void
stop_child(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int
serve(struct priv *p)
{
	const struct priv_config *cfg = p->cfg;
	int code = 0;

	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		fprintf(stderr, "evtrigger-listen: cannot set up libvirt\n");
		return 1;
	}
	if (connect_libvirt(p) < 0) {
		virErrorPtr e = virGetLastError();

		fprintf(stderr, "evtrigger-listen: cannot connect to %s: %s\n",
			cfg->uri, e != NULL && e->message ? e->message : "error");
		return 1;
	}
	if (virEventAddHandle(cfg->ctl, VIR_EVENT_HANDLE_READABLE,
			      on_ctl, p, NULL) < 0 ||
	    virEventAddTimeout(RETRY_MSEC, on_timer, p, NULL) < 0) {
		fprintf(stderr, "evtrigger-listen: cannot set up the event "
			"loop\n");
		disconnect(p);
		return 1;
	}
	scan(p);
	bus_connect(p);
	while (!quit && !p->child_gone)
		if (virEventRunDefaultImpl() < 0)
			break;
	if (p->child_gone && !quit) {
		fprintf(stderr, "evtrigger-listen: the unprivileged child "
			"ended\n");
		code = 1;
	}
	disconnect(p);
	return code;
}

/* Binds one listening socket and hands it to the child. */
static int
listen_one(const struct priv_config *cfg, const struct priv_listen *l)
{
	bool udp = streq(l->kind, "udp");
	_cleanup_(closep) int fd = socket(l->ss.ss_family,
					  (udp ? SOCK_DGRAM : SOCK_STREAM) |
					  SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0, r;
	struct fdmsg m;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
	if (bind(fd, (const struct sockaddr *)&l->ss, l->len) < 0)
		return -errno;
	if (!udp && listen(fd, SOMAXCONN) < 0)
		return -errno;
	r = fdmsg_make(FDMSG_LISTEN, l->kind, "", &m);
	if (r < 0)
		return r;
	return fdmsg_send(cfg->ctl, &m, fd);
}

int
priv_run(const struct priv_config *cfg)
{
	struct priv p = { .cfg = cfg, .callback = -1,
			  .bus_wanted = cfg->bus != NULL,
			  .bus_backoff_msec = RETRY_MSEC };
	struct sigaction sa = { .sa_handler = on_term };
	int code;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	virSetErrorFunc(NULL, ignore_error);
	for (size_t i = 0; i < cfg->n_listens; i++) {
		int r = listen_one(cfg, &cfg->listens[i]);

		if (r < 0) {
			fprintf(stderr, "evtrigger-listen: cannot listen on "
				"--%s %s: %s\n", cfg->listens[i].kind,
				cfg->listens[i].text, strerror(-r));
			stop_child(cfg->child);
			return 1;
		}
	}
	code = serve(&p);
	stop_child(cfg->child);
	for (size_t i = 0; i < p.n_att; i++)
		free(p.att[i].path);
	free(p.att);
	return code;
}
