/* evtrigger-bus's NATS connection and the JetStream objects it needs: the
 * stream, this host's consumer and the bucket of running VMs (see bus.h).
 * Made if missing, never changed when they exist (an admin's changes
 * stay). */
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "evt-ids.h"
#include "strv.h"
#include "subject.h"

const char *
bus_nats_error(natsStatus s, jsErrCode e, char *buf, size_t size)
{
	if (e != 0)
		snprintf(buf, size, "%s (JetStream error %d)",
			 natsStatus_GetText(s), (int)e);
	else
		snprintf(buf, size, "%s", natsStatus_GetText(s));
	return buf;
}

static void
report_server(unsigned id, natsConnection *nc, const char *message)
{
	char url[256] = "", field[300];

	if (natsConnection_GetConnectedUrl(nc, url, sizeof(url)) != NATS_OK ||
	    url[0] == '\0')
		snprintf(url, sizeof(url), "-");
	snprintf(field, sizeof(field), EVT_FIELD_NATS_SERVER "=%s", url);
	bus_report(id, message, field, NULL, NULL);
}

static void
on_disconnected(natsConnection *nc, void *closure)
{
	if (bus_quitting(closure))
		return;         /* our own close */
	report_server(EVT_BUS_DISCONNECTED, nc,
		      "evtrigger-bus lost its NATS connection; reconnecting");
}

static void
on_reconnected(natsConnection *nc, void *closure)
{
	report_server(EVT_BUS_CONNECTED, nc,
		      "evtrigger-bus connected to NATS again");
}

bool
bus_nats_connected(struct bus *b)
{
	return b->nc != NULL &&
	       natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED;
}

static natsStatus
set_options(struct bus *b, natsOptions *o)
{
	const struct bus_config *c = &b->cfg;
	natsStatus s;
	int n = (int)strv_length(c->servers);

	s = natsOptions_SetServers(o, (const char **)c->servers, n);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, c->host);
	/* Reconnect for ever, by itself: the bus outlives any outage. */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 1000);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(o, on_disconnected, b);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(o, on_reconnected, b);
	if (s == NATS_OK && c->user != NULL)
		s = natsOptions_SetUserInfo(o, c->user, b->password);
	if (s == NATS_OK && (c->tls_ca != NULL || c->tls_cert != NULL))
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && c->tls_ca != NULL)
		s = natsOptions_LoadCATrustedCertificates(o, c->tls_ca);
	if (s == NATS_OK && c->tls_cert != NULL)
		s = natsOptions_LoadCertificatesChain(o, c->tls_cert,
						      c->tls_key);
	return s;
}

/* One try at every server: the caller tries again (the library's own
 * retry of a first connection would block for ever on a refused password,
 * deaf to SIGTERM). Once connected, the library reconnects by itself. */
int
bus_nats_connect(struct bus *b)
{
	natsConnection *nc = NULL;
	natsOptions *o = NULL;
	natsStatus s;

	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = set_options(b, o);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, o);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&b->js, nc, NULL);
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		snprintf(b->setup_why, sizeof(b->setup_why), "cannot connect: "
			 "%s (%s)", natsStatus_GetText(s),
			 nats_GetLastError(NULL));
		natsConnection_Destroy(nc);
		return -EIO;
	}
	b->nc = nc;
	return 0;
}

static int
setup_stream(struct bus *b)
{
	const char *subjects[] = { SUBJECT_ALL };
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsErrCode e = 0;
	natsStatus s;
	char why[256];

	s = js_GetStreamInfo(&si, b->js, b->cfg.stream, NULL, &e);
	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return 0;
	}
	if (s != NATS_NOT_FOUND) {
		snprintf(b->setup_why, sizeof(b->setup_why), "stream %s: %s",
			 b->cfg.stream, bus_nats_error(s, e, why, sizeof(why)));
		return -EIO;
	}
	jsStreamConfig_Init(&sc);
	sc.Name = b->cfg.stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = b->cfg.replicas;
	sc.MaxAge = BUS_STREAM_MAX_AGE_USEC * 1000;
	sc.Duplicates = BUS_STREAM_DUPLICATES_USEC * 1000;
	sc.Discard = js_DiscardOld;
	s = js_AddStream(&si, b->js, &sc, NULL, &e);
	if (s != NATS_OK) {
		snprintf(b->setup_why, sizeof(b->setup_why),
			 "cannot make stream %s: %s", b->cfg.stream,
			 bus_nats_error(s, e, why, sizeof(why)));
		return -EIO;
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

static int
setup_consumer(struct bus *b)
{
	jsConsumerInfo *ci = NULL;
	jsConsumerConfig cc;
	jsErrCode e = 0;
	natsStatus s;
	char why[256];

	s = js_GetConsumerInfo(&ci, b->js, b->cfg.stream, b->consumer, NULL,
			       &e);
	if (s == NATS_OK) {
		jsConsumerInfo_Destroy(ci);
		return 0;
	}
	if (s != NATS_NOT_FOUND) {
		snprintf(b->setup_why, sizeof(b->setup_why), "consumer %s: %s",
			 b->consumer, bus_nats_error(s, e, why, sizeof(why)));
		return -EIO;
	}
	jsConsumerConfig_Init(&cc);
	cc.Durable = b->consumer;
	cc.FilterSubject = SUBJECT_ALL;
	cc.DeliverPolicy = js_DeliverNew;
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = BUS_ACK_WAIT_USEC * 1000;
	cc.MaxDeliver = -1;
	s = js_AddConsumer(&ci, b->js, b->cfg.stream, &cc, NULL, &e);
	if (s != NATS_OK) {
		snprintf(b->setup_why, sizeof(b->setup_why),
			 "cannot make consumer %s: %s", b->consumer,
			 bus_nats_error(s, e, why, sizeof(why)));
		return -EIO;
	}
	jsConsumerInfo_Destroy(ci);
	return 0;
}

static int
setup_bucket(struct bus *b)
{
	kvStore *kv = NULL;
	kvConfig kc;
	natsStatus s;

	if (b->kv != NULL)
		return 0;
	s = js_KeyValue(&kv, b->js, BUS_KV_BUCKET);
	if (s == NATS_NOT_FOUND) {
		kvConfig_Init(&kc);
		kc.Bucket = BUS_KV_BUCKET;
		kc.History = 1;
		kc.TTL = BUS_KV_TTL_USEC * 1000;
		kc.StorageType = js_FileStorage;
		kc.Replicas = b->cfg.replicas;
		s = js_CreateKeyValue(&kv, b->js, &kc);
	}
	if (s != NATS_OK) {
		snprintf(b->setup_why, sizeof(b->setup_why), "bucket %s: %s "
			 "(%s)", BUS_KV_BUCKET, natsStatus_GetText(s),
			 nats_GetLastError(NULL));
		return -EIO;
	}
	b->kv = kv;
	return 0;
}

int
bus_nats_setup(struct bus *b)
{
	int r;

	pthread_mutex_lock(&b->setup_lock);
	r = setup_stream(b);
	if (r >= 0)
		r = setup_consumer(b);
	if (r >= 0)
		r = setup_bucket(b);
	if (r >= 0 && !b->ready) {
		b->ready = true;
		report_server(EVT_BUS_CONNECTED, b->nc,
			      "evtrigger-bus connected to NATS");
	}
	pthread_mutex_unlock(&b->setup_lock);
	return r;
}

void
bus_nats_close(struct bus *b)
{
	kvStore_Destroy(b->kv);
	b->kv = NULL;
	jsCtx_Destroy(b->js);
	b->js = NULL;
	if (b->nc != NULL) {
		natsConnection_Close(b->nc);
		natsConnection_Destroy(b->nc);
		b->nc = NULL;
	}
}
