/* The rule's VM through libvirt: connection, state, definition, power
 * actions, and waiting for lifecycle events with the job's cancel and time
 * limit watched in the same event loop. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "time.h"
#include "vm.h"

/* libvirt prints every error to stderr unless told otherwise; modules never
 * print, and the message goes into host->set_error() instead. */
static void
quiet_error(void *userdata, virErrorPtr err)
{
}

/* The text of libvirt's last error, never NULL. */
static const char *
last_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m != NULL ? m : "unknown libvirt error";
}

static int
last_error_errno(int dflt)
{
	virErrorPtr e = virGetLastError();

	if (e == NULL)
		return dflt;
	switch (e->code) {
	case VIR_ERR_NO_DOMAIN:
		return -ENOENT;
	case VIR_ERR_NO_MEMORY:
		return -ENOMEM;
	case VIR_ERR_OPERATION_INVALID:
		return -EBUSY;
	case VIR_ERR_OPERATION_TIMEOUT:
		return -ETIMEDOUT;
	case VIR_ERR_NO_CONNECT:
	case VIR_ERR_SYSTEM_ERROR:
	case VIR_ERR_RPC:
		return -ECONNREFUSED;
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_AUTH_UNAVAILABLE:
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_ACCESS_DENIED:
		return -EACCES;
	default:
		return dflt;
	}
}

static bool
error_is_unsupported(void)
{
	virErrorPtr e = virGetLastError();

	return e != NULL && (e->code == VIR_ERR_NO_SUPPORT ||
			     e->code == VIR_ERR_INVALID_ARG ||
			     e->code == VIR_ERR_ARGUMENT_UNSUPPORTED);
}

uint64_t
vm_deadline_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

const char *
vm_state_to_string(int state)
{
	switch (state) {
	case VIR_DOMAIN_NOSTATE:
		return "no state";
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting down";
	case VIR_DOMAIN_SHUTOFF:
		return "shut off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "suspended by guest";
	default:
		return "unknown";
	}
}

bool
vm_state_is_off(int state)
{
	return state == VIR_DOMAIN_SHUTOFF;
}

bool
vm_state_is_active(int state)
{
	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_NOSTATE;
}

static bool
state_is_wanted(int state, enum vm_want want)
{
	switch (want) {
	case VM_WANT_OFF:
		return vm_state_is_off(state);
	case VM_WANT_RUNNING:
		return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED;
	}
	return false;
}

static const char *
event_to_string(int event)
{
	static const char *const names[] = {
		[VIR_DOMAIN_EVENT_DEFINED] = "defined",
		[VIR_DOMAIN_EVENT_UNDEFINED] = "undefined",
		[VIR_DOMAIN_EVENT_STARTED] = "started",
		[VIR_DOMAIN_EVENT_SUSPENDED] = "suspended",
		[VIR_DOMAIN_EVENT_RESUMED] = "resumed",
		[VIR_DOMAIN_EVENT_STOPPED] = "stopped",
		[VIR_DOMAIN_EVENT_SHUTDOWN] = "shutdown",
		[VIR_DOMAIN_EVENT_PMSUSPENDED] = "pmsuspended",
		[VIR_DOMAIN_EVENT_CRASHED] = "crashed",
	};

	if (event >= 0 && (size_t)event < ELEMENTSOF(names) &&
	    names[event] != NULL)
		return names[event];
	return "other";
}

static const char *
stopped_detail_to_string(int detail)
{
	static const char *const names[] = {
		[VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN] = "shutdown",
		[VIR_DOMAIN_EVENT_STOPPED_DESTROYED] = "destroyed",
		[VIR_DOMAIN_EVENT_STOPPED_CRASHED] = "crashed",
		[VIR_DOMAIN_EVENT_STOPPED_MIGRATED] = "migrated",
		[VIR_DOMAIN_EVENT_STOPPED_SAVED] = "saved",
		[VIR_DOMAIN_EVENT_STOPPED_FAILED] = "failed",
		[VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT] = "from snapshot",
	};

	if (detail >= 0 && (size_t)detail < ELEMENTSOF(names) &&
	    names[detail] != NULL)
		return names[detail];
	return "other";
}

static const char *
shutdown_detail_to_string(int detail)
{
	switch (detail) {
	case VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED:
		return "finished";
	case VIR_DOMAIN_EVENT_SHUTDOWN_GUEST:
		return "by the guest";
	case VIR_DOMAIN_EVENT_SHUTDOWN_HOST:
		return "asked by the host";
	default:
		return "other";
	}
}

static int
lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
	     void *opaque)
{
	struct vm *vm = opaque;

	vm->n_events++;
	vm->last_event = event;
	vm->last_detail = detail;
	return 0;
}

static void
close_cb(virConnectPtr conn, int reason, void *opaque)
{
	struct vm *vm = opaque;

	vm->conn_closed = true;
}

/* Once per module: every module links its own copy of this file, and
 * registering libvirt's default (GLib) event loop again only registers the
 * same functions again. It must happen before the connection is opened. */
static int
libvirt_setup(void)
{
	static bool done;

	virSetErrorFunc(NULL, quiet_error);
	if (done)
		return 0;
	if (virEventRegisterDefaultImpl() < 0)
		return -ENOMEM;
	done = true;
	return 0;
}

static const char *
uri_text(const struct vm *vm)
{
	return vm->uri != NULL ? vm->uri : "default";
}

void
vm_close(struct vm *vm)
{
	if (vm == NULL)
		return;
	if (vm->conn != NULL) {
		if (vm->lifecycle_cb >= 0)
			virConnectDomainEventDeregisterAny(vm->conn,
							   vm->lifecycle_cb);
		if (vm->close_cb_registered)
			virConnectUnregisterCloseCallback(vm->conn, close_cb);
	}
	if (vm->dom != NULL)
		virDomainFree(vm->dom);
	if (vm->conn != NULL)
		virConnectClose(vm->conn);
	free(vm->name);
	free(vm->uri);
	free(vm);
}

int
vm_lookup(virConnectPtr conn, const char *name_or_uuid, virDomainPtr *ret)
{
	size_t len = strlen(name_or_uuid);
	virDomainPtr dom;
	int r;

	dom = virDomainLookupByName(conn, name_or_uuid);
	if (dom == NULL) {
		r = last_error_errno(-ENOENT);
		if (r != -ENOENT)
			return r;
		/* Not a name: a UUID, if it reads as one (libvirt's own
		 * parser, which takes it with or without dashes). */
		if (len < VIR_UUID_STRING_BUFLEN - 1 - 4 ||
		    strspn(name_or_uuid, "0123456789abcdefABCDEF-") != len)
			return -ENOENT;
		dom = virDomainLookupByUUIDString(conn, name_or_uuid);
		if (dom == NULL)
			return last_error_errno(-ENOENT);
	}
	*ret = dom;
	return 0;
}

/* A rule may name its VM by UUID: from here on the job (its record, its
 * events, `evtrigger jobs`) names it by the domain's name. */
static int
vm_use_domain_name(struct vm *vm)
{
	const char *name = virDomainGetName(vm->dom);
	char *copy;

	if (name == NULL || streq(name, vm->name))
		return 0;
	copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	free(vm->name);
	vm->name = copy;
	if (vm->host->set_note != NULL)
		(void)vm->host->set_note(vm->job, EVT_NOTE_VM_NAME, copy);
	return 0;
}

/* Connects vm (its name and uri set) and finds its domain. */
static int
vm_connect(struct vm *vm)
{
	const struct evt_host *host = vm->host;
	struct evt_job *job = vm->job;
	int r;

	r = libvirt_setup();
	if (r < 0) {
		host->set_error(job, "cannot set up libvirt's event loop: %s",
				last_error());
		return r;
	}
	vm->conn = virConnectOpen(vm->uri);
	if (vm->conn == NULL) {
		r = last_error_errno(-ECONNREFUSED);
		host->set_error(job, "cannot connect to libvirt (%s): %s",
				uri_text(vm), last_error());
		return r;
	}
	if (virConnectRegisterCloseCallback(vm->conn, close_cb, vm, NULL) == 0)
		vm->close_cb_registered = true;
	r = vm_lookup(vm->conn, vm->name, &vm->dom);
	if (r < 0) {
		if (r == -ENOENT)
			host->set_error(job, "no vm '%s' on libvirt (%s): no "
					"domain has this name or UUID",
					vm->name, uri_text(vm));
		else
			host->set_error(job, "cannot look up vm '%s': %s",
					vm->name, last_error());
		return r;
	}
	r = vm_use_domain_name(vm);
	if (r < 0)
		return r;
	/* Registered before anyone reads the state: a change after the read
	 * is then always seen as an event. */
	vm->lifecycle_cb = virConnectDomainEventRegisterAny(
		vm->conn, vm->dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), vm, NULL);
	if (vm->lifecycle_cb < 0) {
		r = last_error_errno(-EIO);
		host->set_error(job, "cannot watch vm '%s' for lifecycle events: %s",
				vm->name, last_error());
		return r;
	}
	return 0;
}

int
vm_open(const struct evt_host *host, struct evt_job *job, struct vm **ret)
{
	const char *name = host->vm(job), *uri = host->connect(job);
	struct vm *vm;
	int r;

	if (name == NULL) {
		host->set_error(job, "the rule names no vm ([job] vm =)");
		return -ENOENT;
	}
	vm = calloc(1, sizeof(*vm));
	if (vm == NULL)
		return -ENOMEM;
	vm->host = host;
	vm->job = job;
	vm->lifecycle_cb = -1;
	vm->name = strdup(name);
	vm->uri = uri != NULL ? strdup(uri) : NULL;
	if (vm->name == NULL || (uri != NULL && vm->uri == NULL))
		r = -ENOMEM;
	else
		r = vm_connect(vm);
	if (r < 0) {
		vm_close(vm);
		return r;
	}
	*ret = vm;
	return 0;
}

int
vm_state(struct vm *vm, int *ret_state, int *ret_reason)
{
	int state, reason, r;

	if (virDomainGetState(vm->dom, &state, &reason, 0) < 0) {
		r = last_error_errno(-EIO);
		vm->host->set_error(vm->job, "cannot read the state of vm '%s': %s",
				    vm->name, last_error());
		return r;
	}
	*ret_state = state;
	if (ret_reason != NULL)
		*ret_reason = reason;
	return 0;
}

int
vm_xml(struct vm *vm, unsigned flags, char **ret)
{
	char *xml;
	int r;

	xml = virDomainGetXMLDesc(vm->dom, flags);
	if (xml == NULL) {
		r = last_error_errno(-EIO);
		vm->host->set_error(vm->job,
				    "cannot read the definition of vm '%s': %s",
				    vm->name, last_error());
		return r;
	}
	*ret = xml;
	return 0;
}

int
vm_disks(struct vm *vm, unsigned flags, struct vm_disk_list **ret)
{
	_cleanup_(freep) char *xml = NULL;
	int r;

	r = vm_xml(vm, flags, &xml);
	if (r < 0)
		return r;
	r = vm_disks_parse_xml(xml, ret);
	if (r == -EINVAL)
		vm->host->set_error(vm->job,
				    "cannot read the disks of vm '%s': a <disk> "
				    "without <target dev=> or malformed XML",
				    vm->name);
	return r;
}

/* --- waiting ------------------------------------------------------------ */

struct wait_ctx {
	bool cancelled;
};

static void
cancel_cb(int watch, int fd, int events, void *opaque)
{
	struct wait_ctx *w = opaque;

	w->cancelled = true;
}

static void
timeout_cb(int timer, void *opaque)
{
	/* Only wakes virEventRunDefaultImpl(); the loop reads the clock. */
}

/* Milliseconds until deadline, rounded up so the timer never fires early,
 * capped to what libvirt's int takes. -1 for no deadline. */
static int
timer_ms(uint64_t deadline, uint64_t now)
{
	uint64_t ms;

	if (deadline == UINT64_MAX)
		return -1;
	if (deadline <= now)
		return 0;
	ms = (deadline - now + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* The state for vm_wait(): 1 with *ret_state; 0 when the VM is off because
 * it is gone (a transient VM is undefined when it stops), which only counts
 * when waiting for it to be off; -errno with the error set. */
static int
wait_state(struct vm *vm, enum vm_want want, int *ret_state)
{
	int state, reason, r;

	if (virDomainGetState(vm->dom, &state, &reason, 0) == 0) {
		*ret_state = state;
		return 1;
	}
	r = last_error_errno(-EIO);
	if (r == -ENOENT && want == VM_WANT_OFF)
		return 0;
	vm->host->set_error(vm->job, "cannot read the state of vm '%s': %s",
			    vm->name, last_error());
	return r;
}

int
vm_wait(struct vm *vm, enum vm_want want, uint64_t deadline_usec,
	const char **ret_how)
{
	struct wait_ctx w = { false };
	int state = VIR_DOMAIN_NOSTATE, r, fd, watch = -1, timer = -1;
	unsigned seen;

	r = wait_state(vm, want, &state);
	if (r < 0)
		return r;
	if (r == 0 || state_is_wanted(state, want)) {
		snprintf(vm->how, sizeof(vm->how), "found %s",
			 r == 0 ? "undefined" : vm_state_to_string(state));
		if (ret_how != NULL)
			*ret_how = vm->how;
		return 1;
	}

	fd = vm->host->cancel_fd(vm->job);
	if (fd >= 0) {
		watch = virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE,
					  cancel_cb, &w, NULL);
		if (watch < 0) {
			vm->host->set_error(vm->job, "cannot watch for cancel: %s",
					    last_error());
			return -EIO;
		}
	}
	timer = virEventAddTimeout(timer_ms(deadline_usec, now_usec(CLOCK_MONOTONIC)),
				   timeout_cb, NULL, NULL);
	if (timer < 0) {
		r = -EIO;
		vm->host->set_error(vm->job, "cannot set a timer: %s",
				    last_error());
		goto out;
	}

	for (;;) {
		uint64_t now = now_usec(CLOCK_MONOTONIC);

		/* The deadline first: a job runner that stops the step at the
		 * same time limit also signals cancel, and the caller's
		 * message on what it waited for is the better one. */
		if (now >= deadline_usec) {
			r = -ETIMEDOUT;
			break;
		}
		if (w.cancelled || vm->host->cancelled(vm->job)) {
			r = -ECANCELED;
			break;
		}
		if (vm->conn_closed) {
			r = -ECONNRESET;
			vm->host->set_error(vm->job,
					    "lost the connection to libvirt (%s) "
					    "while waiting for vm '%s'",
					    uri_text(vm), vm->name);
			break;
		}
		virEventUpdateTimeout(timer, timer_ms(deadline_usec, now));
		seen = vm->n_events;
		if (virEventRunDefaultImpl() < 0) {
			r = -EIO;
			vm->host->set_error(vm->job, "libvirt event loop failed: %s",
					    last_error());
			break;
		}
		if (vm->n_events == seen)
			continue;
		/* Something happened to the VM: read where it is now. */
		r = wait_state(vm, want, &state);
		if (r < 0)
			break;
		if (r == 0 || state_is_wanted(state, want)) {
			/* The newest event seen: libvirt sends "shutdown"
			 * (the guest finished its shutdown) just before
			 * "stopped", and the state may already be off. */
			if (vm->last_event == VIR_DOMAIN_EVENT_STOPPED)
				snprintf(vm->how, sizeof(vm->how),
					 "lifecycle event stopped (%s)",
					 stopped_detail_to_string(vm->last_detail));
			else if (vm->last_event == VIR_DOMAIN_EVENT_SHUTDOWN)
				snprintf(vm->how, sizeof(vm->how),
					 "lifecycle event shutdown (%s)",
					 shutdown_detail_to_string(vm->last_detail));
			else
				snprintf(vm->how, sizeof(vm->how),
					 "lifecycle event %s",
					 event_to_string(vm->last_event));
			if (ret_how != NULL)
				*ret_how = vm->how;
			r = 1;
			break;
		}
	}
out:
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	if (watch >= 0)
		virEventRemoveHandle(watch);
	return r;
}

/* --- power -------------------------------------------------------------- */

int
vm_ask_shutdown(struct vm *vm)
{
	int r;

	/* The ACPI power button needs nothing in the guest but ACPI; drivers
	 * that lack it get the hypervisor's default way of asking. */
	if (virDomainShutdownFlags(vm->dom,
				   VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) == 0)
		return 0;
	if (!error_is_unsupported() || virDomainShutdown(vm->dom) < 0) {
		r = last_error_errno(-EIO);
		vm->host->set_error(vm->job,
				    "cannot ask vm '%s' to shut down: %s",
				    vm->name, last_error());
		return r;
	}
	return 0;
}

int
vm_force_off(struct vm *vm)
{
	int r;

	if (virDomainDestroy(vm->dom) < 0) {
		r = last_error_errno(-EIO);
		vm->host->set_error(vm->job, "cannot force vm '%s' off: %s",
				    vm->name, last_error());
		return r;
	}
	return 0;
}

int
vm_start(struct vm *vm)
{
	int r;

	if (virDomainCreate(vm->dom) < 0) {
		r = last_error_errno(-EIO);
		vm->host->set_error(vm->job, "cannot start vm '%s': %s",
				    vm->name, last_error());
		return r;
	}
	return 0;
}

/* --- check time: what libvirt can tell -------------------------------------- */

static int
probe_disks(const struct evt_host *host, struct evt_job *job,
	    const char *name, virDomainPtr dom, unsigned what)
{
	_cleanup_(vm_disk_list_freep) struct vm_disk_list *disks = NULL;
	_cleanup_(freep) char *xml = NULL;
	int mode = (what & VM_PROBE_DISKS_WRITE) ? R_OK | W_OK : R_OK;
	int bad = 0;

	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (xml == NULL || vm_disks_parse_xml(xml, &disks) < 0) {
		host->warn(job, "cannot read the definition of vm '%s' (%s): "
			   "its disks are not checked", name, last_error());
		return 0;
	}
	for (size_t i = 0; i < disks->n; i++) {
		const struct vm_disk *d = &disks->disks[i];

		if (d->type != VM_DISK_TYPE_FILE || d->source == NULL ||
		    d->device != VM_DISK_DISK)
			continue;
		if (access(d->source, mode) < 0) {
			host->set_error(job, "disk %s of vm '%s': cannot %s %s: "
					"%s", d->target, name,
					mode & W_OK ? "read and write" : "read",
					d->source, strerror(errno));
			bad++;
		}
	}
	return bad > 0 ? -EACCES : 0;
}

int
vm_check_probe(const struct evt_host *host, struct evt_job *job,
	       unsigned what)
{
	const char *name = host->vm(job), *uri = host->connect(job);
	virConnectPtr conn;
	virDomainPtr dom = NULL;
	int r;

	if (host->warn == NULL || name == NULL)
		return 0;
	virSetErrorFunc(NULL, quiet_error);
	conn = virConnectOpenReadOnly(uri);
	if (conn == NULL) {
		host->warn(job, "cannot ask libvirt (%s) whether vm '%s' "
			   "exists: %s", uri != NULL ? uri : "default", name,
			   last_error());
		return 0;
	}
	r = vm_lookup(conn, name, &dom);
	if (r == -ENOENT)
		host->set_error(job, "no vm '%s' on libvirt (%s): no domain "
				"has this name or UUID", name,
				uri != NULL ? uri : "default");
	else if (r < 0) {
		host->warn(job, "cannot ask libvirt (%s) for vm '%s': %s",
			   uri != NULL ? uri : "default", name, last_error());
		r = 0;
	} else if (what & (VM_PROBE_DISKS_READ | VM_PROBE_DISKS_WRITE))
		r = probe_disks(host, job, name, dom, what);
	if (dom != NULL)
		virDomainFree(dom);
	virConnectClose(conn);
	return r;
}

int
vm_check_exists(const struct evt_host *host, struct evt_job *job, char *err,
		size_t errlen)
{
	return vm_check_probe(host, job, VM_PROBE_VM);
}

int
vm_check_disks_rw(const struct evt_host *host, struct evt_job *job,
		  char *err, size_t errlen)
{
	return vm_check_probe(host, job,
			      VM_PROBE_DISKS_READ | VM_PROBE_DISKS_WRITE);
}
