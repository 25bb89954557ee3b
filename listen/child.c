/* The unprivileged child: the event loop over guest channels (see child.h). */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include "child.h"
#include "evt-ids.h"
#include "evt-log.h"
#include "fdmsg.h"
#include "store.h"

/* How long an event written to the journal may take to show up there
 * before the guest is told 503 (it resends; the resend finds the entry if
 * it arrived after all). */
#define STORE_TIMEOUT_USEC (10 * 1000000ULL)
/* How often the journal is looked at while an event waits for it. */
#define STORE_POLL_MSEC 5
/* At most one rate-limit report per sender in this time. */
#define LIMIT_REPORT_USEC (10 * 1000000ULL)
#define CONNS_MAX 4096

struct conn {
	struct channel *ch;
	bool written;           /* the pending event was sent to journald */
	uint64_t deadline;      /* ... and must be read back by then */
};

struct child {
	const struct child_config *cfg;
	struct store *store;
	struct conn *conns;
	size_t n_conns;
	volatile sig_atomic_t quit;
};

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
report(unsigned id, const struct channel *ch, const char *message,
       const char *f1, const char *f2)
{
	_cleanup_(freep) char *vm = NULL, *vmu = NULL;
	const char *more[4];
	size_t n = 0;

	if (asprintf(&vm, EVT_FIELD_VM "=%s", ch->name) >= 0)
		more[n++] = vm;
	if (asprintf(&vmu, EVT_FIELD_VM_UUID "=%s", ch->uuid) >= 0)
		more[n++] = vmu;
	if (f1 != NULL)
		more[n++] = f1;
	if (f2 != NULL)
		more[n++] = f2;
	if (evt_log_send(id, more, n, message) < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", message);
}

static void
report_refused(const struct channel *ch)
{
	_cleanup_(freep) char *msg = NULL, *code = NULL, *reason = NULL;
	const char *why = ch->last_reason != NULL ? ch->last_reason : "";

	if (asprintf(&msg, "event from %s refused: %d %s", ch->name,
		     (int)ch->last_code, why) < 0 ||
	    asprintf(&code, EVT_FIELD_CODE "=%d", (int)ch->last_code) < 0 ||
	    asprintf(&reason, EVT_FIELD_REASON "=%s", why) < 0)
		return;
	report(EVT_EVENT_REFUSED, ch, msg, code, reason);
}

static void
report_limited(struct channel *ch, uint64_t now)
{
	_cleanup_(freep) char *msg = NULL, *count = NULL;

	if (ch->limited_report_usec != 0 &&
	    now - ch->limited_report_usec < LIMIT_REPORT_USEC)
		return;
	if (asprintf(&msg, "%s is over its event rate: %u events answered "
		     "429 (retry later)", ch->name, ch->limited) < 0 ||
	    asprintf(&count, EVT_FIELD_SUPPRESSED "=%u", ch->limited) < 0)
		return;
	report(EVT_SENDER_RATE_LIMITED, ch, msg, count, NULL);
	ch->limited = 0;
	ch->limited_report_usec = now;
}

static void
conn_close(struct child *c, size_t i, const char *reason)
{
	struct channel *ch = c->conns[i].ch;
	_cleanup_(freep) char *msg = NULL, *why = NULL;
	struct fdmsg m;

	if (asprintf(&msg, "channel of %s detached: %s", ch->name, reason) >= 0 &&
	    asprintf(&why, EVT_FIELD_REASON "=%s", reason) >= 0)
		report(EVT_CHANNEL_DETACHED, ch, msg, why, NULL);
	if (fdmsg_make(FDMSG_CLOSED, ch->name, ch->uuid, &m) == 0)
		(void)fdmsg_send(c->cfg->ctl, &m, -1);
	close(ch->fd);
	channel_free(ch);
	c->conns[i] = c->conns[--c->n_conns];
}

static void
conn_add(struct child *c, const struct fdmsg *m, int fd)
{
	struct channel *ch;

	if (c->n_conns == CONNS_MAX ||
	    (ch = channel_new(fd, m->name, m->uuid, &c->cfg->limits,
			      now_usec())) == NULL) {
		fprintf(stderr, "evtrigger-listen: cannot take the channel of "
			"%s: out of memory or too many channels\n", m->name);
		close(fd);
		return;
	}
	/* Replaces an older channel of the same domain, if any. */
	for (size_t i = 0; i < c->n_conns; i++)
		if (streq(c->conns[i].ch->uuid, m->uuid)) {
			close(c->conns[i].ch->fd);
			channel_free(c->conns[i].ch);
			c->conns[i] = c->conns[--c->n_conns];
			break;
		}
	c->conns[c->n_conns++] = (struct conn){ .ch = ch };
}

static int
handle_ctl(struct child *c)
{
	struct fdmsg m;
	int fd, r;

	for (;;) {
		r = fdmsg_recv(c->cfg->ctl, &m, &fd);
		if (r == -EAGAIN)
			return 0;
		if (r == 0)
			return -ECONNRESET;     /* the parent is gone */
		if (r < 0) {
			fprintf(stderr, "evtrigger-listen: bad message from "
				"the parent: %s\n", strerror(-r));
			return r;
		}
		if (m.type == FDMSG_ATTACH)
			conn_add(c, &m, fd);
		else if (fd >= 0)
			close(fd);
	}
}

/* Stores the pending event of conn: answers at once if this listener
 * already has it (a resend), else writes it and waits for it to appear. */
static void
conn_store(struct child *c, struct conn *cn, uint64_t now)
{
	struct channel *ch = cn->ch;
	struct store_sender s = { ch->name, ch->uuid, c->cfg->channel_name };
	int r;

	r = store_find(c->store, &s, ch->req.uuid);
	if (r > 0) {
		(void)channel_stored(ch, 0, NULL);
		return;
	}
	if (r == 0)
		r = store_write(&ch->req, &s);
	if (r < 0) {
		(void)channel_stored(ch, r, "the host journal cannot store "
				     "the event now: retry later");
		return;
	}
	cn->written = true;
	cn->deadline = now + STORE_TIMEOUT_USEC;
}

/* Answers the written events that the journal now has (or that took too
 * long). */
static void
check_written(struct child *c, uint64_t now)
{
	store_process(c->store);
	for (size_t i = 0; i < c->n_conns; i++) {
		struct conn *cn = &c->conns[i];
		struct store_sender s = { cn->ch->name, cn->ch->uuid,
					  c->cfg->channel_name };
		int r;

		if (!cn->written)
			continue;
		r = store_find(c->store, &s, cn->ch->req.uuid);
		if (r > 0 && c->cfg->exit_after_store)
			_exit(99);
		if (r > 0)
			(void)channel_stored(cn->ch, 0, NULL);
		else if (now >= cn->deadline)
			(void)channel_stored(cn->ch, -ETIMEDOUT,
					     "the host journal did not store "
					     "the event: retry later");
		else
			continue;
		cn->written = false;
	}
}

/* Runs the state machine of one channel as far as it goes. */
static void
conn_steps(struct child *c, struct conn *cn, uint64_t now)
{
	for (;;) {
		int r = channel_step(cn->ch, now);

		if (r == CHANNEL_REFUSED)
			report_refused(cn->ch);
		else if (r == CHANNEL_LIMITED)
			report_limited(cn->ch, now);
		else if (r == CHANNEL_STORE) {
			conn_store(c, cn, now);
			if (cn->ch->pending)
				return;
		} else if (r != CHANNEL_SKIPPED)
			return;
	}
}

/* Reads what the guest sent; returns false when the channel closed. */
static bool
conn_read(struct conn *cn, const char **ret_reason)
{
	size_t room;
	char *p = channel_in_space(cn->ch, &room);
	ssize_t n = recv(cn->ch->fd, p, room, MSG_DONTWAIT);

	if (n > 0) {
		channel_in_added(cn->ch, (size_t)n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	*ret_reason = n == 0 ? "the VM closed it (stopped or restarted)"
			     : "read error";
	return false;
}

static bool
conn_write(struct conn *cn)
{
	size_t len;
	const char *out = channel_out(cn->ch, &len);
	ssize_t n;

	if (len == 0)
		return true;
	n = send(cn->ch->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0)
		channel_out_sent(cn->ch, (size_t)n);
	return n >= 0 || errno == EAGAIN || errno == EINTR;
}

/* Steps and writes answers until neither makes progress: a full answer
 * buffer holds the steps up, so sending answers can let them go on. Returns
 * false when the channel failed. */
static bool
conn_run(struct child *c, struct conn *cn, uint64_t now)
{
	for (;;) {
		size_t before, after;

		conn_steps(c, cn, now);
		channel_out(cn->ch, &before);
		if (!conn_write(cn))
			return false;
		channel_out(cn->ch, &after);
		if (before < CHANNEL_OUT_MAX || after == before)
			return true;
	}
}

static int
poll_timeout(const struct child *c, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < c->n_conns; i++) {
		const struct conn *cn = &c->conns[i];

		if (cn->written)
			return STORE_POLL_MSEC;
		if (cn->ch->resume_usec > now && cn->ch->resume_usec < next)
			next = cn->ch->resume_usec;
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)((next - now + 999) / 1000);
}

static int
loop(struct child *c)
{
	_cleanup_(freep) struct pollfd *pfd = NULL;

	pfd = calloc(CONNS_MAX + 2, sizeof(*pfd));
	if (pfd == NULL)
		return -ENOMEM;
	for (;;) {
		uint64_t now = now_usec();
		size_t n = c->n_conns;
		int r;

		pfd[0] = (struct pollfd){ .fd = c->cfg->ctl, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = store_fd(c->store),
					  .events = POLLIN };
		for (size_t i = 0; i < n; i++) {
			struct channel *ch = c->conns[i].ch;
			size_t out_len;

			channel_out(ch, &out_len);
			pfd[i + 2] = (struct pollfd){ .fd = ch->fd };
			if (channel_wants_read(ch, now))
				pfd[i + 2].events |= POLLIN;
			if (out_len > 0)
				pfd[i + 2].events |= POLLOUT;
		}
		r = poll(pfd, n + 2, poll_timeout(c, now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (c->quit)
			return 0;
		now = now_usec();
		/* Channels first: conn_close reorders c->conns. */
		for (size_t i = n; i-- > 0;) {
			struct conn *cn = &c->conns[i];
			const char *why = "hang-up";
			short re = pfd[i + 2].revents;
			bool ok = true;

			if (re & POLLIN)
				ok = conn_read(cn, &why);
			else if (re & (POLLHUP | POLLERR))
				ok = false;
			if (ok && !conn_run(c, cn, now)) {
				ok = false;
				why = "write error";
			}
			if (!ok)
				conn_close(c, i, why);
		}
		check_written(c, now);
		for (size_t i = 0; i < c->n_conns; i++)
			(void)conn_run(c, &c->conns[i], now);
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			r = handle_ctl(c);
			if (r < 0)
				return r == -ECONNRESET ? 0 : r;
		}
	}
}

static struct child *the_child;

static void
on_term(int sig)
{
	if (the_child != NULL)
		the_child->quit = 1;
}

int
child_run(const struct child_config *cfg)
{
	struct child c = { .cfg = cfg };
	struct sigaction sa = { .sa_handler = on_term };
	int r;

	/* The parent's death ends the child too. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 ||
	    getppid() == 1) {
		fprintf(stderr, "evtrigger-listen: parent gone\n");
		return 1;
	}
	r = sandbox_drop(cfg->user);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot become user %s: %s\n",
			cfg->user->name, strerror(-r));
		return 1;
	}
	r = sandbox_seccomp();
	if (r == -EOPNOTSUPP)
		fprintf(stderr, "evtrigger-listen: no seccomp filter for this "
			"architecture; running without one\n");
	else if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot install the seccomp "
			"filter: %s\n", strerror(-r));
		return 1;
	}
	r = store_open(&c.store);
	if (r < 0) {
		fprintf(stderr, "evtrigger-listen: cannot open the journal as "
			"user %s (it needs the systemd-journal group): %s\n",
			cfg->user->name, strerror(-r));
		return 1;
	}
	c.conns = calloc(CONNS_MAX, sizeof(*c.conns));
	if (c.conns == NULL) {
		store_free(c.store);
		return 1;
	}
	the_child = &c;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = loop(&c);
	if (r < 0)
		fprintf(stderr, "evtrigger-listen: %s\n", strerror(-r));
	for (size_t i = 0; i < c.n_conns; i++) {
		close(c.conns[i].ch->fd);
		channel_free(c.conns[i].ch);
	}
	free(c.conns);
	store_free(c.store);
	return r < 0 ? 1 : 0;
}
