/* This host's durable consumer: every event of the stream is written to
 * this host's journal or not, as the placement decides (placement.c,
 * evtrigger-bus(8) "PLACEMENT"), read back, and only then acknowledged. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "event.h"
#include "evt-ids.h"
#include "journal-find.h"
#include "journal-send.h"
#include "native.h"
#include "placement.h"
#include "subject.h"

/* Messages asked for at once, and how long one fetch waits. */
#define FETCH_BATCH     64
#define FETCH_WAIT_MS   1000
/* How long a message waits when this host cannot decide now (libvirt or
 * the bucket do not answer, the journal does not take it). */
#define RETRY_DELAY_USEC (5 * 1000000LL)

enum { WARN_JOURNAL, WARN_READBACK, WARN_LIBVIRT, WARN_BUCKET, WARN_N };
#define WARN_EVERY_USEC (60 * 1000000ULL)

struct consumer {
	struct bus *b;
	natsSubscription *sub;
	sd_journal *j;
	uid_t uid;                      /* the bus's own: its entries */
	uint64_t warned[WARN_N];        /* when each was last said */
};

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Says why messages wait, at most once a minute for each reason (a
 * journald or libvirt that is down would otherwise fill stderr). */
static void _printf_(3, 4)
warn_limited(struct consumer *c, unsigned which, const char *fmt, ...)
{
	uint64_t now = now_usec();
	va_list ap;

	if (which >= ELEMENTSOF(c->warned) ||
	    (c->warned[which] != 0 && now - c->warned[which] < WARN_EVERY_USEC))
		return;
	c->warned[which] = now;
	fputs("evtrigger-bus: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Whether this host's journal has an entry of sender + uuid written by the
 * bus's own uid. 1, 0 or -errno. */
static int
journal_has(struct consumer *c, const char *sender, const char *uuid)
{
	(void)sd_journal_process(c->j);
	return journal_find_event(c->j, c->uid, sender, uuid);
}

/* Waits until the entry is in the journal. 0, -ETIMEDOUT or -errno. */
static int
read_back(struct consumer *c, const char *sender, const char *uuid)
{
	uint64_t until = now_usec() + BUS_READBACK_USEC;

	for (;;) {
		int r = journal_has(c, sender, uuid);

		if (r != 0)
			return r < 0 ? r : 0;
		if (now_usec() > until || bus_quitting(c->b))
			return -ETIMEDOUT;
		(void)sd_journal_wait(c->j, 20000);
	}
}

static void
refuse(natsMsg *m, const char *why, const char *sender, const char *uuid)
{
	_cleanup_(freep) char *f1 = NULL, *f2 = NULL, *f3 = NULL,
			      *message = NULL;

	(void)natsMsg_Term(m, NULL);
	if (asprintf(&f1, EVT_FIELD_REASON "=%s", why) < 0 ||
	    asprintf(&f2, EVT_FIELD_SUBJECT "=%s", natsMsg_GetSubject(m)) < 0 ||
	    asprintf(&f3, EVT_FIELD_REFUSED_UUID "=%s",
		     uuid != NULL ? uuid : "") < 0 ||
	    asprintf(&message, "evtrigger-bus refused a message of %s from "
		     "the stream: %s", sender != NULL ? sender : "?",
		     why) < 0) {
		fprintf(stderr, "evtrigger-bus: refused a message: %s\n", why);
		return;
	}
	bus_report(EVT_BUS_MESSAGE_REFUSED, message, f1, f2, f3);
}

/* The checks of a message from the stream (the request's, again: any
 * host with publish permission may have put it there). NULL or why not. */
static const char *
check_message(const struct native_msg *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		const char *n = m->fields[i].name;

		if (native_name_check(n) < 0)
			return "bad field name";
		if (streq(n, EVENT_FIELD_PLACEMENT))
			return "reserved field " EVENT_FIELD_PLACEMENT;
	}
	if (native_get(m, EVENT_FIELD_UUID) == NULL)
		return "no " EVENT_FIELD_UUID;
	if (native_get(m, EVENT_FIELD_SENDER) == NULL)
		return "no " EVENT_FIELD_SENDER;
	if (native_get(m, EVENT_FIELD_ENTRY_HOST) == NULL)
		return "no " EVENT_FIELD_ENTRY_HOST;
	return NULL;
}

static void
delay(natsMsg *m, int64_t usec)
{
	(void)natsMsg_NakWithDelay(m, usec / 1000, NULL);
}

/* A written message of the batch, awaiting its read-back and then its
 * ack: a batch is written whole before any of it is read back, since
 * journald tells its readers of new entries in bursts (one wait for the
 * batch, not one per event). */
struct written {
	natsMsg *msg;
	char *sender, *uuid;
};

static void
written_clear(struct written *w)
{
	free(w->sender);
	free(w->uuid);
	*w = (struct written){ NULL, NULL, NULL };
}

/* Writes the message's fields plus EVENT_PLACEMENT. 0 or -errno (then the
 * message is tried again later). */
static int
write_entry(struct consumer *c, natsMsg *msg, const char *placement,
	    const char *sender, const char *uuid)
{
	const char *data = natsMsg_GetData(msg);
	int len = natsMsg_GetDataLength(msg);
	_cleanup_(freep) char *buf = malloc((size_t)len + 1);
	size_t n = (size_t)len;
	int r;

	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf, data, n);
	r = native_append(&buf, &n, EVENT_FIELD_PLACEMENT, placement,
			  strlen(placement));
	if (r >= 0)
		r = journal_send_datagram(buf, n);
	if (r < 0)
		warn_limited(c, WARN_JOURNAL, "cannot write %s/%s to the "
			     "journal: %s; trying again", sender, uuid,
			     strerror(-r));
	return r;
}

/* Reads a written message's entry back, then acknowledges it (or has it
 * tried again later). */
static void
confirm(struct consumer *c, struct written *w)
{
	int r = read_back(c, w->sender, w->uuid);

	if (r < 0) {
		warn_limited(c, WARN_READBACK, "%s/%s not in the journal after "
			     "writing it: %s; trying again", w->sender,
			     w->uuid, strerror(-r));
		delay(w->msg, RETRY_DELAY_USEC);
		return;
	}
	if (c->b->exit_after_write) {
		/* The test hook: dies between this write and its ack, once
		 * the listener has its reply (the publish that brought this
		 * message may not have been answered yet: up to 10 s). */
		for (int i = 0; i < 1000 && bus_server_replies_owed() > 0; i++)
			usleep(10000);
		_exit(99);
	}
	(void)natsMsg_Ack(w->msg, NULL);
}

/* Decides about one message: acknowledged or delayed here, or written
 * (1, with *ret filled: confirm() it once the batch is written). The
 * batch's earlier written messages are in done[0..n_done). */
static int
handle(struct consumer *c, natsMsg *msg, const struct written *done,
       size_t n_done, struct written *ret)
{
	struct bus *b = c->b;
	_cleanup_(native_msg_clear) struct native_msg m = { NULL, 0 };
	_cleanup_(freep) char *owner = NULL;
	jsMsgMetaData *meta = NULL;
	struct placement_input in = { .host = b->cfg.host };
	const char *why = NULL, *sender, *uuid, *vm;
	enum placement_action a;
	int r;

	r = native_parse(natsMsg_GetData(msg),
			 (size_t)natsMsg_GetDataLength(msg), BUS_FIELDS_MAX,
			 &m, &why);
	if (r == -ENOMEM) {
		delay(msg, RETRY_DELAY_USEC);
		return 0;
	}
	if (r < 0 || (why = check_message(&m)) != NULL) {
		refuse(msg, why, r < 0 ? NULL : native_get(&m,
			EVENT_FIELD_SENDER), r < 0 ? NULL :
			native_get(&m, EVENT_FIELD_UUID));
		return 0;
	}
	sender = native_get(&m, EVENT_FIELD_SENDER);
	uuid = native_get(&m, EVENT_FIELD_UUID);
	for (size_t i = 0; i < n_done; i++)
		if (streq(done[i].sender, sender) && streq(done[i].uuid, uuid)) {
			(void)natsMsg_Ack(msg, NULL);   /* twice in a batch */
			return 0;
		}
	r = journal_has(c, sender, uuid);
	if (r > 0) {
		(void)natsMsg_Ack(msg, NULL);   /* written before a crash */
		return 0;
	}
	if (r < 0 || natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
		delay(msg, RETRY_DELAY_USEC);
		return 0;
	}
	in.delivered = meta->NumDelivered;
	in.age_usec = now_usec() - (uint64_t)meta->Timestamp / 1000;
	if ((uint64_t)meta->Timestamp / 1000 > now_usec())
		in.age_usec = 0;
	jsMsgMetaData_Destroy(meta);
	vm = native_get(&m, EVT_FIELD_VM);
	in.has_vm = vm != NULL && vm[0] != '\0';
	in.entry_host = native_get(&m, EVENT_FIELD_ENTRY_HOST);
	if (in.has_vm) {
		r = bus_vm_active_here(b, vm);
		if (r < 0) {
			warn_limited(c, WARN_LIBVIRT, "libvirt (%s) cannot say "
				     "whether %s runs here; events for VMs wait",
				     b->cfg.connect, vm);
			delay(msg, RETRY_DELAY_USEC);
			return 0;
		}
		if (r == 0 && bus_vm_owner(b, vm, &owner) < 0) {
			warn_limited(c, WARN_BUCKET, "cannot read the bucket "
				     BUS_KV_BUCKET "; events for VMs not here "
				     "wait");
			delay(msg, RETRY_DELAY_USEC);
			return 0;
		}
		in.active_here = r > 0;
		in.kv_owner = owner;
	}
	a = placement_decide(&in);
	switch (a) {
	case PLACEMENT_SKIP:
		(void)natsMsg_Ack(msg, NULL);
		return 0;
	case PLACEMENT_DELAY:
		delay(msg, PLACEMENT_DELAY_USEC);
		return 0;
	default:
		break;
	}
	if (write_entry(c, msg, placement_name(a), sender, uuid) < 0) {
		delay(msg, RETRY_DELAY_USEC);
		return 0;
	}
	*ret = (struct written){ msg, strdup(sender), strdup(uuid) };
	if (ret->sender == NULL || ret->uuid == NULL) {
		written_clear(ret);
		delay(msg, RETRY_DELAY_USEC);  /* written: found next time */
		return 0;
	}
	return 1;
}

static void
unsubscribe(struct consumer *c)
{
	if (c->sub != NULL) {
		natsSubscription_Destroy(c->sub);
		c->sub = NULL;
	}
}

static int
subscribe(struct consumer *c)
{
	struct bus *b = c->b;
	jsSubOptions so;
	jsErrCode e = 0;
	natsStatus s;
	char why[256];

	jsSubOptions_Init(&so);
	so.Stream = b->cfg.stream;
	so.Consumer = b->consumer;
	s = js_PullSubscribe(&c->sub, b->js, SUBJECT_ALL, b->consumer, NULL,
			     &so, &e);
	if (s == NATS_OK)
		return 0;
	c->sub = NULL;
	if (s == NATS_NOT_FOUND) {
		/* The consumer went away (a cluster that lost its state). */
		if (bus_nats_setup(b) < 0)
			fprintf(stderr, "evtrigger-bus: %s\n", b->setup_why);
	} else
		fprintf(stderr, "evtrigger-bus: cannot subscribe as %s: %s\n",
			b->consumer, bus_nats_error(s, e, why, sizeof(why)));
	return -EIO;
}

static void
pause_a_second(struct bus *b)
{
	for (int i = 0; i < 10 && !bus_quitting(b); i++)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
}

void *
bus_consumer_thread(void *arg)
{
	struct consumer c = { .b = arg };
	unsigned failures = 0;
	int r;

	c.uid = getuid();
	r = sd_journal_open(&c.j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		fprintf(stderr, "evtrigger-bus: cannot open the journal: %s\n",
			strerror(-r));
		return NULL;
	}
	while (!bus_quitting(c.b)) {
		natsMsgList list = { NULL, 0 };
		jsErrCode e = 0;
		natsStatus s;

		if (c.sub == NULL && (!bus_nats_connected(c.b) ||
				      subscribe(&c) < 0)) {
			pause_a_second(c.b);
			continue;
		}
		s = natsSubscription_Fetch(&list, c.sub, FETCH_BATCH,
					   FETCH_WAIT_MS, &e);
		if (s == NATS_OK) {
			struct written w[FETCH_BATCH];
			size_t n = 0;

			failures = 0;
			for (int i = 0; i < list.Count && n < FETCH_BATCH; i++)
				if (handle(&c, list.Msgs[i], w, n, &w[n]) > 0)
					n++;
			for (size_t i = 0; i < n; i++) {
				confirm(&c, &w[i]);
				written_clear(&w[i]);
			}
			natsMsgList_Destroy(&list);
			continue;
		}
		if (s == NATS_TIMEOUT)
			continue;
		/* Not connected, or the consumer is gone (a cluster that
		 * lost its state): subscribe again after a few failures. */
		if (++failures >= 5 && bus_nats_connected(c.b)) {
			unsubscribe(&c);
			failures = 0;
		}
		pause_a_second(c.b);
	}
	unsubscribe(&c);
	sd_journal_close(c.j);
	return NULL;
}
