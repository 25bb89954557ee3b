/* evtrigger-bus: the state its parts share (evtrigger-bus(8)). main.c makes
 * it; server.c serves the listener's socket on the main thread; consumer.c
 * and vms.c run one thread each. */
#ifndef EVT_BUS_BUS_H
#define EVT_BUS_BUS_H

#include <libvirt/libvirt.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdbool.h>

#include "config.h"

/* The KV bucket of running VMs and its timing (evtrigger-bus(8)). */
#define BUS_KV_BUCKET        "evtrigger-vms"
#define BUS_KV_TTL_USEC      (10 * 1000000LL)
#define BUS_KV_REFRESH_USEC  (2 * 1000000LL)
/* The stream's limits. */
#define BUS_STREAM_MAX_AGE_USEC   (24 * 3600 * 1000000LL)
#define BUS_STREAM_DUPLICATES_USEC (2 * 60 * 1000000LL)
#define BUS_ACK_WAIT_USEC    (30 * 1000000LL)
/* How long a publish waits for the stream's PubAck. */
#define BUS_PUBLISH_WAIT_MS  5000
/* How long a written entry may take to show in the journal. */
#define BUS_READBACK_USEC    (10 * 1000000ULL)
/* Largest request: "EVB1" and a datagram of 1 MiB. */
#define BUS_REQUEST_MAX      (4 + 1024 * 1024)
#define BUS_REQUEST_MAGIC    "EVB1"
/* Most fields an event may have. */
#define BUS_FIELDS_MAX       1024

struct bus {
	struct bus_config cfg;
	char *password;
	char *consumer;                 /* "host-<host>" */
	bool exit_after_write;          /* EVTRIGGER_BUS_EXIT_AFTER_WRITE=1 */

	natsConnection *nc;
	jsCtx *js;
	kvStore *kv;                    /* NULL until set up */
	pthread_mutex_t setup_lock;     /* guards js/kv setup */
	bool ready;                     /* stream, consumer, bucket exist */
	char setup_why[512];            /* why the last setup failed */

	pthread_mutex_t virt_lock;
	virConnectPtr virt;

	int quit;                       /* atomic */
};

static inline bool
bus_quitting(struct bus *b)
{
	return __atomic_load_n(&b->quit, __ATOMIC_ACQUIRE) != 0;
}

/* nats.c: connects (reconnecting on its own from then on), then makes the
 * stream, the consumer and the bucket if missing. Each returns 0 or -errno
 * and leaves why in setup_why. */
int bus_nats_connect(struct bus *b);
int bus_nats_setup(struct bus *b);
bool bus_nats_connected(struct bus *b);
void bus_nats_close(struct bus *b);
/* The reason words of a failed NATS call, into buf. */
const char *bus_nats_error(natsStatus s, jsErrCode e, char *buf, size_t size);

/* vms.c: libvirt (read-only) and the KV bucket. */
/* 1 when vm runs on this host, 0 when not (or no such domain), -errno when
 * libvirt cannot say. */
int bus_vm_active_here(struct bus *b, const char *vm);
/* The KV's host for vm into *ret (malloc'd, NULL when none): 0 or -EIO. */
int bus_vm_owner(struct bus *b, const char *vm, char **ret);
void *bus_vms_thread(void *b);
void bus_virt_close(struct bus *b);

/* consumer.c */
void *bus_consumer_thread(void *b);

/* server.c: serves the socket until the quit flag or sigfd fires. */
int bus_server_open(const char *path);
int bus_server_run(struct bus *b, int listen_fd, int sigfd);
/* Checks one request. Either its final reply goes into reply (a refusal,
 * or RETRY when NATS is not connected) and *ret_msg is NULL, or *ret_msg is
 * the message to publish (the caller's) and reply holds the request's
 * uuid. */
void bus_handle_request(struct bus *b, const char *data, size_t len,
			char *reply, size_t size, natsMsg **ret_msg);

/* report.c: evtrigger-bus's own events (660-662), or stderr when the
 * journal cannot take them. f1, f2, f3: "NAME=value" or NULL. */
void bus_report(unsigned id, const char *message, const char *f1,
		const char *f2, const char *f3);

#endif
