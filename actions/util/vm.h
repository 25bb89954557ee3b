/* Shared libvirt helpers for action modules: connecting to the rule's libvirt,
 * finding its VM, the VM's state and disks, and waiting for lifecycle events.
 *
 * Functions taking a struct vm report failures through the module's host:
 * they call host->set_error() with a message naming the VM and what libvirt
 * said, and return a negative errno. Pure helpers (vm_disks_parse_xml) never
 * report anything; their caller does. */
#ifndef EVT_ACTION_UTIL_VM_H
#define EVT_ACTION_UTIL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libvirt/libvirt.h>

#include "evtrigger-action.h"
#include "macro.h"

/* <disk device='...'> */
enum vm_disk_device {
	VM_DISK_DISK,
	VM_DISK_CDROM,
	VM_DISK_FLOPPY,
	VM_DISK_LUN,
	VM_DISK_DEVICE_OTHER,
};

/* <disk type='...'>: where the data lives. Only FILE (and BLOCK, for some
 * work) names something on the host's file system. */
enum vm_disk_type {
	VM_DISK_TYPE_FILE,
	VM_DISK_TYPE_BLOCK,
	VM_DISK_TYPE_NETWORK,
	VM_DISK_TYPE_VOLUME,
	VM_DISK_TYPE_DIR,
	VM_DISK_TYPE_OTHER,
};

/* One <disk> of a domain definition. Strings are NULL when the XML has none
 * (an empty CD-ROM drive has no source; a disk without <driver type=...>
 * has no format). */
struct vm_disk {
	char *target;                   /* <target dev=>: "vda", "sdb" */
	char *source;                   /* <source file=> or dev=, volume= ... */
	char *format;                   /* <driver type=>: "qcow2", "raw" */
	char *bus;                      /* <target bus=>: "virtio", "sata" */
	enum vm_disk_device device;
	enum vm_disk_type type;
	bool readonly;                  /* <readonly/> */
	bool shareable;                 /* <shareable/> */
	bool transient;                 /* <transient/> */
};

struct vm_disk_list {
	struct vm_disk *disks;
	size_t n;
};

void vm_disk_list_free(struct vm_disk_list *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vm_disk_list *, vm_disk_list_free)

const char *vm_disk_device_to_string(enum vm_disk_device d);
const char *vm_disk_type_to_string(enum vm_disk_type t);

/* Parses the <devices><disk> elements of a libvirt domain XML, in document
 * order. Returns 0 with *ret set (possibly with no disks); -EINVAL if xml is
 * not a domain definition or a <disk> has no <target dev=>; -ENOMEM. *ret is
 * untouched on failure. */
int vm_disks_parse_xml(const char *xml, struct vm_disk_list **ret);

/* Whether a disk is one a maintenance step may rewrite: a file-backed
 * read-write <disk device='disk'> that is not shared with other VMs. */
bool vm_disk_is_writable_image(const struct vm_disk *d);

/* --- connection and domain -------------------------------------------- */

struct vm {
	const struct evt_host *host;
	struct evt_job *job;
	virConnectPtr conn;
	virDomainPtr dom;
	char *name;
	char *uri;                      /* as connected, for messages */
	int lifecycle_cb;               /* callback ID, or -1 */
	bool close_cb_registered;
	bool conn_closed;               /* libvirtd went away */
	char how[80];                   /* what ended the last vm_wait() */

	/* Filled by the lifecycle callback: the newest event seen. */
	unsigned n_events;
	int last_event;                 /* virDomainEventType */
	int last_detail;
};

/* Opens the rule's libvirt connection (host->connect(), or libvirt's default
 * URI) and looks up the rule's VM (host->vm()). Registers for the VM's
 * lifecycle events at once, so that no state change between here and a later
 * vm_wait() is missed. -ENOENT (no such VM, or the rule names none),
 * -ECONNREFUSED (cannot connect), -ENOMEM. */
int vm_open(const struct evt_host *host, struct evt_job *job, struct vm **ret);
void vm_close(struct vm *vm);

/* The domain named name_or_uuid on conn: by name, else by UUID (with or
 * without dashes). 0 with *ret set; -ENOENT if none has it, other -errno
 * (libvirt's last error says why). Never reports. */
int vm_lookup(virConnectPtr conn, const char *name_or_uuid,
	      virDomainPtr *ret);

/* What vm_check_probe() asks libvirt about the rule's VM. */
enum {
	VM_PROBE_VM = 0,                /* that it exists */
	VM_PROBE_DISKS_READ = 1 << 0,   /* and its image files can be read */
	VM_PROBE_DISKS_WRITE = 1 << 1,  /* and written */
};

/* A module's check() calls this last. Only under `evtrigger check`, whose
 * host has warn() (the rule loader's and the job's have not), it asks
 * libvirt what it can: the VM exists (by name or UUID), and, per what, its
 * file-backed disks exist and can be read (and written). A mistake found is
 * host->set_error() and -ENOENT/-EACCES; a libvirt that cannot be reached
 * is one host->warn() and 0. Returns 0 at once under any other host. */
int vm_check_probe(const struct evt_host *host, struct evt_job *job,
		   unsigned what);
/* The same as a whole check() for a module with no option of its own to
 * check: vm_check_probe(host, job, VM_PROBE_VM). */
int vm_check_exists(const struct evt_host *host, struct evt_job *job,
		    char *err, size_t errlen);
/* And with VM_PROBE_DISKS_READ | VM_PROBE_DISKS_WRITE. */
int vm_check_disks_rw(const struct evt_host *host, struct evt_job *job,
		      char *err, size_t errlen);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vm *, vm_close)

/* The domain's state (VIR_DOMAIN_RUNNING, VIR_DOMAIN_SHUTOFF, ...) and its
 * reason. ret_reason may be NULL. */
int vm_state(struct vm *vm, int *ret_state, int *ret_reason);
const char *vm_state_to_string(int state);
/* Whether the VM is off: no QEMU process runs for it. */
bool vm_state_is_off(int state);
/* Whether a guest runs (or is paused, or being shut down). */
bool vm_state_is_active(int state);

/* The domain's definition: live (flags 0) or as defined
 * (VIR_DOMAIN_XML_INACTIVE). *ret is malloc'd. */
int vm_xml(struct vm *vm, unsigned flags, char **ret);
/* The disks of vm_xml(vm, flags). */
int vm_disks(struct vm *vm, unsigned flags, struct vm_disk_list **ret);

/* What vm_wait() waits for. */
enum vm_want {
	VM_WANT_OFF,                    /* vm_state_is_off() */
	VM_WANT_RUNNING,                /* VIR_DOMAIN_RUNNING */
};

/* Waits, on libvirt lifecycle events (never polling the state), until the VM
 * is in the wanted state, the CLOCK_MONOTONIC time deadline_usec passes
 * (UINT64_MAX: none) or the job is cancelled. The state is checked once first
 * (the callback was registered in vm_open, so nothing is lost in between) and
 * once after every lifecycle event. Returns 1 when reached (and sets *ret_how
 * to a short static text on what ended the wait, e.g. "event stopped/shutdown"
 * or "found shut off"; ret_how may be NULL), -ETIMEDOUT at the deadline
 * (no error set), -ECANCELED when cancelled (no error set), other -errno
 * after host->set_error(). */
int vm_wait(struct vm *vm, enum vm_want want, uint64_t deadline_usec,
	    const char **ret_how);

/* Asks the guest to shut down (ACPI power button). */
int vm_ask_shutdown(struct vm *vm);
/* Forces the VM off (virDomainDestroy: pulls the plug). */
int vm_force_off(struct vm *vm);
/* Starts the VM (virDomainCreate). */
int vm_start(struct vm *vm);

/* The sooner of two deadlines. */
uint64_t vm_deadline_min(uint64_t a, uint64_t b);

#endif
