/* Which VMs run here (libvirt, read-only) and the KV bucket of running VMs
 * that every host keeps fresh (see bus.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libvirt/virterror.h>

#include "bus.h"
#include "strv.h"
#include "subject.h"

static void
virt_silent(void *opaque, virErrorPtr err)
{
}

/* The connection, opened on first use and again after a failure. Called
 * with virt_lock held. */
static virConnectPtr
virt_get(struct bus *b)
{
	if (b->virt == NULL) {
		virSetErrorFunc(NULL, virt_silent);
		b->virt = virConnectOpenReadOnly(b->cfg.connect);
	}
	return b->virt;
}

/* Drops a connection that failed: the next call opens a new one. */
static void
virt_drop(struct bus *b)
{
	if (b->virt != NULL && virConnectIsAlive(b->virt) != 1) {
		virConnectClose(b->virt);
		b->virt = NULL;
	}
}

void
bus_virt_close(struct bus *b)
{
	if (b->virt != NULL)
		virConnectClose(b->virt);
	b->virt = NULL;
}

int
bus_vm_active_here(struct bus *b, const char *vm)
{
	virConnectPtr c;
	virDomainPtr d;
	int r;

	pthread_mutex_lock(&b->virt_lock);
	c = virt_get(b);
	if (c == NULL) {
		pthread_mutex_unlock(&b->virt_lock);
		return -EIO;
	}
	d = virDomainLookupByName(c, vm);
	if (d == NULL) {
		virErrorPtr e = virGetLastError();

		r = e != NULL && e->code == VIR_ERR_NO_DOMAIN ? 0 : -EIO;
		if (r < 0)
			virt_drop(b);
		pthread_mutex_unlock(&b->virt_lock);
		return r;
	}
	r = virDomainIsActive(d);
	virDomainFree(d);
	if (r < 0)
		virt_drop(b);
	pthread_mutex_unlock(&b->virt_lock);
	return r < 0 ? -EIO : r;
}

int
bus_vm_owner(struct bus *b, const char *vm, char **ret)
{
	_cleanup_(freep) char *key = NULL;
	kvEntry *e = NULL;
	natsStatus s;

	if (subject_kv_key(vm, &key) < 0)
		return -ENOMEM;
	s = kvStore_Get(&e, b->kv, key);
	if (s == NATS_NOT_FOUND) {
		*ret = NULL;
		return 0;
	}
	if (s != NATS_OK)
		return -EIO;
	*ret = strdup(kvEntry_ValueString(e));
	kvEntry_Destroy(e);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* The names of the VMs running here, or -EIO. */
static int
running_vms(struct bus *b, char ***ret, size_t *ret_n)
{
	virDomainPtr *doms = NULL;
	char **v = NULL;
	size_t n = 0;
	int count, r = 0;

	pthread_mutex_lock(&b->virt_lock);
	count = virt_get(b) == NULL ? -1 :
		virConnectListAllDomains(b->virt, &doms,
					 VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (count < 0)
		virt_drop(b);
	pthread_mutex_unlock(&b->virt_lock);
	if (count < 0)
		return -EIO;
	for (int i = 0; i < count; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (r == 0 && name != NULL)
			r = strv_extend(&v, &n, name);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The keys of the bucket that name this host: its claims of an earlier run
 * (so that a restart still deletes those of VMs stopped meanwhile). */
static void
own_keys(struct bus *b, char ***owned, size_t *n_owned)
{
	kvKeysList keys = { NULL, 0 };

	if (kvStore_Keys(&keys, b->kv, NULL) != NATS_OK)
		return;
	for (int i = 0; i < keys.Count; i++) {
		kvEntry *e = NULL;

		if (kvStore_Get(&e, b->kv, keys.Keys[i]) != NATS_OK)
			continue;
		if (streq(kvEntry_ValueString(e), b->cfg.host))
			(void)strv_extend(owned, n_owned, keys.Keys[i]);
		kvEntry_Destroy(e);
	}
	kvKeysList_Destroy(&keys);
}

/* One round: puts every running VM, deletes this host's keys of VMs no
 * longer running. *owned (the keys put last round) becomes this round's. */
static void
refresh(struct bus *b, char ***owned, size_t *n_owned)
{
	_cleanup_(strv_freep) char **vms = NULL, **now = NULL;
	size_t n_vms = 0, n_now = 0;

	if (running_vms(b, &vms, &n_vms) < 0)
		return;         /* libvirt cannot say: claims stay until TTL */
	for (size_t i = 0; i < n_vms; i++) {
		char *key = NULL;

		if (subject_kv_key(vms[i], &key) < 0 ||
		    strv_push(&now, &n_now, key) < 0)
			return;
		(void)kvStore_PutString(NULL, b->kv, key, b->cfg.host);
	}
	for (size_t i = 0; i < *n_owned; i++) {
		kvEntry *e = NULL;

		if (strv_has(now, n_now, (*owned)[i]))
			continue;
		/* Only if it is still ours: the VM may run elsewhere now. */
		if (kvStore_Get(&e, b->kv, (*owned)[i]) != NATS_OK)
			continue;
		if (streq(kvEntry_ValueString(e), b->cfg.host))
			(void)kvStore_Delete(b->kv, (*owned)[i]);
		kvEntry_Destroy(e);
	}
	strv_free(*owned);
	*owned = TAKE_PTR(now);
	*n_owned = n_now;
}

void *
bus_vms_thread(void *arg)
{
	struct bus *b = arg;
	char **owned = NULL;
	size_t n_owned = 0;

	own_keys(b, &owned, &n_owned);
	while (!bus_quitting(b)) {
		if (bus_nats_connected(b))
			refresh(b, &owned, &n_owned);
		for (int i = 0; i < 20 && !bus_quitting(b); i++)
			nanosleep(&(struct timespec){ 0, BUS_KV_REFRESH_USEC *
							  1000 / 20 }, NULL);
	}
	strv_free(owned);
	return NULL;
}
