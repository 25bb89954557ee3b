/* What the disk actions (compact, merge, archive) share as steps: choosing
 * the VM's disks through its skip patterns, logging a disk's events with
 * their fields, turning qemu-img progress into host->progress. Reports
 * through the host (set_error, log); never prints. */
#ifndef EVT_DISKSTEP_H
#define EVT_DISKSTEP_H

#include <stdbool.h>
#include <stdint.h>

#include "evtrigger-action.h"
#include "vm.h"

/* Logs event id for disk with up to 4 more "NAME=value" fields (NULL ends
 * them early) and a message. */
int disk_log(const struct evt_host *host, struct evt_job *job, unsigned id,
	     const char *disk, const char *const *more, const char *format, ...)
	_printf_(6, 7);

/* Whether the step should work on disk d: a writable file image not matched
 * by the "skip" option's patterns. Logs STEP_SKIPPED with DISK and REASON
 * for a disk it leaves alone; says nothing about CD-ROMs and other devices
 * that are not disks. */
bool disk_selected(const struct evt_host *host, struct evt_job *job,
		   const struct vm_disk *d);

/* Fails (-EBUSY, after set_error) unless the VM is off and has no
 * managed-save image (see disk_require_no_saved_state). verb says what was
 * refused ("compact"). */
int disk_require_off(const struct evt_host *host, struct evt_job *job,
		     struct vm *vm, const char *verb);
/* Fails (-EBUSY, after set_error) if the VM has a managed-save image (a
 * shut-off VM whose memory waits on disk for its next start: its disks must
 * not change); -EIO, after set_error, if libvirt cannot tell. */
int disk_require_no_saved_state(const struct evt_host *host,
				struct evt_job *job, struct vm *vm,
				const char *verb);

/* Progress of one disk through several phases: phase k of n maps 0..100
 * into its share of the whole. */
struct disk_progress {
	const struct evt_host *host;
	struct evt_job *job;
	const char *disk;
	unsigned phase, phases;
};
void disk_progress_cb(unsigned percent, void *userdata);

/* Runs qemu-img with args, its progress into p (NULL: none), stopped when
 * the job is cancelled. On failure sets the job's error, naming what and
 * path (NULL: none): -ECANCELED (no error set), the -errno that kept it from
 * running, or -EIO for a qemu-img that failed. */
int disk_run_qemuimg(const struct evt_host *host, struct evt_job *job,
		     const char *const *args, const char *what,
		     const char *path, struct disk_progress *p);

/* The disk's format as the VM's definition gives it; libvirt's default,
 * "raw", when it gives none. Never probed (see qemuimg_chain). */
static inline const char *
disk_format(const struct vm_disk *d)
{
	return d->format != NULL ? d->format : "raw";
}


/* A decimal rendering of v in a static-free way: into buf. */
const char *disk_u64(uint64_t v, char buf[static 24]);

#endif
