/* Step-level helpers for the disk actions (see diskstep.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/virterror.h>

#include "diskfile.h"
#include "diskstep.h"
#include "evt-ids.h"
#include "qemuimg.h"

int
disk_log(const struct evt_host *host, struct evt_job *job, unsigned id,
	 const char *disk, const char *const *more, const char *format, ...)
{
	_cleanup_(freep) char *msg = NULL, *dfield = NULL;
	const char *fields[6] = {};
	size_t n = 0;
	va_list ap;
	int r;

	va_start(ap, format);
	r = vasprintf(&msg, format, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (disk != NULL) {
		if (asprintf(&dfield, EVT_FIELD_DISK "=%s", disk) < 0)
			return -ENOMEM;
		fields[n++] = dfield;
	}
	for (size_t i = 0; more != NULL && more[i] != NULL && n < 5; i++)
		fields[n++] = more[i];
	return host->log(job, id, fields, "%s", msg);
}

bool
disk_selected(const struct evt_host *host, struct evt_job *job,
	      const struct vm_disk *d)
{
	const char *const *skip = NULL;
	const char *name = d->source != NULL ? d->source : d->target;
	const char *pattern;
	_cleanup_(freep) char *reason = NULL;
	size_t n = 0;

	if (d->device != VM_DISK_DISK)
		return false;
	if (!vm_disk_is_writable_image(d)) {
		const char *why = d->type != VM_DISK_TYPE_FILE ?
			"not a file on the host" :
			d->readonly ? "read-only" : d->shareable ?
			"shared with other VMs" : "transient";

		if (asprintf(&reason, EVT_FIELD_REASON "=%s", why) >= 0)
			disk_log(host, job, EVT_STEP_SKIPPED, name,
				 (const char *const[]){ reason, NULL },
				 "disk %s (%s) left alone: %s", d->target,
				 name, why);
		return false;
	}
	if (host->option_list(job, "skip", &skip, &n) < 0)
		n = 0;
	pattern = disk_skip_match(skip, n, d->source, d->target);
	if (pattern == NULL)
		return true;
	if (asprintf(&reason, EVT_FIELD_REASON "=matches skip pattern '%s'",
		     pattern) >= 0)
		disk_log(host, job, EVT_STEP_SKIPPED, d->source,
			 (const char *const[]){ reason, NULL },
			 "disk %s (%s) skipped: matches skip pattern '%s'",
			 d->target, d->source, pattern);
	return false;
}

int
disk_require_off(const struct evt_host *host, struct evt_job *job,
		 struct vm *vm, const char *verb)
{
	int state, r;

	r = vm_state(vm, &state, NULL);
	if (r < 0)
		return r;
	if (vm_state_is_off(state))
		return disk_require_no_saved_state(host, job, vm, verb);
	host->set_error(job, "cannot %s the disks of VM '%s': it is %s; "
			"shut it down first (wait-shutdown or shutdown step)",
			verb, vm->name, vm_state_to_string(state));
	return -EBUSY;
}

int
disk_require_no_saved_state(const struct evt_host *host, struct evt_job *job,
			    struct vm *vm, const char *verb)
{
	int r;

	/* A managed-save image holds the guest's memory, which expects the
	 * disks as they were: changing them breaks the restore. */
	r = virDomainHasManagedSaveImage(vm->dom, 0);
	if (r < 0) {
		host->set_error(job, "cannot %s the disks of VM '%s': cannot "
				"tell whether it has a saved state: %s", verb,
				vm->name, virGetLastErrorMessage());
		return -EIO;
	}
	if (r > 0) {
		host->set_error(job, "cannot %s the disks of VM '%s': vm '%s' "
				"has a saved state (virsh managedsave); start "
				"or discard it first", verb, vm->name,
				vm->name);
		return -EBUSY;
	}
	return 0;
}

void
disk_progress_cb(unsigned percent, void *userdata)
{
	struct disk_progress *p = userdata;
	unsigned phases = p->phases > 0 ? p->phases : 1;

	p->host->progress(p->job, p->disk,
			  (p->phase * 100 + percent) / phases);
}

const char *
disk_u64(uint64_t v, char buf[static 24])
{
	snprintf(buf, 24, "%" PRIu64, v);
	return buf;
}

int
disk_run_qemuimg(const struct evt_host *host, struct evt_job *job,
		 const char *const *args, const char *what, const char *path,
		 struct disk_progress *p)
{
	struct qemuimg_opts o = {
		.progress = p != NULL ? disk_progress_cb : NULL,
		.userdata = p,
		.cancel_fd = host->cancel_fd(job),
	};
	_cleanup_(freep) char *err = NULL;
	const char *why;
	int r;

	r = qemuimg_run(args, &o, NULL, &err);
	if (r == -ECANCELED)
		return r;
	if (r < 0 && r != -EINTR) {
		if (path != NULL)
			host->set_error(job, "cannot run qemu-img %s for %s: %s",
					args[0], path, strerror(-r));
		else
			host->set_error(job, "cannot run qemu-img %s: %s",
					args[0], strerror(-r));
		return r;
	}
	if (r != 0) {
		why = err != NULL && *err != '\0' ? err :
		      "qemu-img gave no reason";
		if (path != NULL)
			host->set_error(job, "%s of %s failed: %s", what, path,
					why);
		else
			host->set_error(job, "%s failed: %s", what, why);
		return -EIO;
	}
	return 0;
}
