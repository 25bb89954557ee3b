/* Turning the rule's VM off (wait, ask, force) and on, as job steps. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "time.h"
#include "evt-ids.h"
#include "vm-power.h"
#include "vm.h"

/* A wait as people say it: whole seconds from one second on (the time limit
 * counts from the runner's start of the step, a few ms before ours). */
static char *
format_waited(uint64_t usec, char *buf, size_t size)
{
	uint64_t s = (usec + 500000) / 1000000;

	if (usec < 1000000 || s >= 60)
		return format_duration(s >= 60 ? s * 1000000 : usec, buf, size);
	snprintf(buf, size, "%llus", (unsigned long long)s);
	return buf;
}

/* An unset option is VM_NEVER. Never reports: this runs in check() too. */
static int
duration_option(const struct evt_host *host, struct evt_job *job,
		const char *name, uint64_t *ret, const char **ret_bad)
{
	uint64_t v;
	int r;

	r = host->option_duration(job, name, &v);
	if (r == -ENOENT) {
		*ret = VM_NEVER;
		return 0;
	}
	if (r < 0) {
		*ret_bad = name;
		return r;
	}
	*ret = v;
	return 0;
}

int
vm_off_plan_from_options(const struct evt_host *host, struct evt_job *job,
			 bool ask_at_once, struct vm_off_plan *ret,
			 const char **ret_bad)
{
	struct vm_off_plan p;
	int r;

	r = duration_option(host, job, "timeout", &p.timeout_usec, ret_bad);
	if (r < 0)
		return r;
	if (ask_at_once)
		p.ask_after_usec = 0;
	else {
		r = duration_option(host, job, "ask-after", &p.ask_after_usec,
				    ret_bad);
		if (r < 0)
			return r;
	}
	r = duration_option(host, job, "force-after", &p.force_after_usec,
			    ret_bad);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

int
vm_off_plan_check(const struct vm_off_plan *p, char *err, size_t errlen)
{
	char a[32], b[32];

	if (p->force_after_usec != VM_NEVER && p->ask_after_usec != VM_NEVER &&
	    p->force_after_usec <= p->ask_after_usec) {
		snprintf(err, errlen,
			 "force-after (%s) must be longer than ask-after (%s)",
			 format_duration(p->force_after_usec, a, sizeof(a)),
			 format_duration(p->ask_after_usec, b, sizeof(b)));
		return -EINVAL;
	}
	if (p->timeout_usec != VM_NEVER && p->force_after_usec != VM_NEVER &&
	    p->force_after_usec >= p->timeout_usec) {
		snprintf(err, errlen,
			 "force-after (%s) must be shorter than timeout (%s)",
			 format_duration(p->force_after_usec, a, sizeof(a)),
			 format_duration(p->timeout_usec, b, sizeof(b)));
		return -EINVAL;
	}
	if (p->timeout_usec != VM_NEVER && p->ask_after_usec != VM_NEVER &&
	    p->ask_after_usec >= p->timeout_usec) {
		snprintf(err, errlen,
			 "ask-after (%s) must be shorter than timeout (%s)",
			 format_duration(p->ask_after_usec, a, sizeof(a)),
			 format_duration(p->timeout_usec, b, sizeof(b)));
		return -EINVAL;
	}
	return 0;
}

/* Logs id with DURATION_USEC (and REASON when given), then the message. */
static void
log_with(const struct evt_host *host, struct evt_job *job, unsigned id,
	 uint64_t usec, const char *reason, const char *message)
{
	char dur[64], rsn[128];
	const char *fields[3] = { dur, NULL, NULL };

	snprintf(dur, sizeof(dur), EVT_FIELD_DURATION_USEC "=%llu",
		 (unsigned long long)usec);
	if (reason != NULL) {
		snprintf(rsn, sizeof(rsn), EVT_FIELD_REASON "=%s", reason);
		fields[1] = rsn;
	}
	host->log(job, id, fields, "%s", message);
}

/* After a step that did not turn the VM off: it is not down because of us. */
static void
clear_note_if_running(const struct evt_host *host, struct evt_job *job,
		      struct vm *vm)
{
	int state;

	if (vm_state(vm, &state, NULL) == 0 && !vm_state_is_off(state))
		host->set_note(job, EVT_NOTE_VM_DOWN, NULL);
}

/* Whether the VM is off, or gone (a transient VM is undefined once off). */
static bool
vm_is_off_now(struct vm *vm)
{
	int state, r;

	r = vm_state(vm, &state, NULL);
	return r == -ENOENT || (r == 0 && vm_state_is_off(state));
}

int
vm_power_off(const struct evt_host *host, struct evt_job *job,
	     const struct vm_off_plan *plan)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	uint64_t start = now_usec(CLOCK_MONOTONIC), end, ask_at, force_at, now;
	bool asked = false, forced = false;
	char waited[32], after[32], msg[512];
	const char *how;
	int r;

	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	/* The job runner's limit (the same timeout option, or the job's) may
	 * come first. */
	end = vm_deadline_min(usec_add(start, plan->timeout_usec),
			      host->deadline(job));
	ask_at = usec_add(start, plan->ask_after_usec);
	force_at = usec_add(start, plan->force_after_usec);

	for (;;) {
		uint64_t next = end;

		if (!asked && plan->ask_after_usec != VM_NEVER)
			next = vm_deadline_min(next, ask_at);
		if (!forced && plan->force_after_usec != VM_NEVER)
			next = vm_deadline_min(next, force_at);
		r = vm_wait(vm, VM_WANT_OFF, next, &how);
		now = now_usec(CLOCK_MONOTONIC);
		format_waited(now - start, waited, sizeof(waited));
		if (r == 1) {
			r = host->set_note(job, EVT_NOTE_VM_DOWN, "1");
			if (r < 0) {
				host->set_error(job, "cannot record that vm '%s' "
						"is down: %s", vm->name,
						strerror(-r));
				return r;
			}
			snprintf(msg, sizeof(msg), "vm '%s' is off after %s (%s)",
				 vm->name, waited, how);
			log_with(host, job, EVT_STEP_NOTICE, now - start, how, msg);
			return 0;
		}
		if (r == -ECANCELED) {
			clear_note_if_running(host, job, vm);
			return r;
		}
		if (r != -ETIMEDOUT)
			return r;

		if (now >= end) {
			clear_note_if_running(host, job, vm);
			host->set_error(job, "vm '%s' did not shut down: waited %s%s",
					vm->name, waited,
					forced ? " after forcing it off" :
					asked ? " after asking it to shut down" : "");
			return -ETIMEDOUT;
		}
		/* Noted before acting: a crash from here on may leave it down. */
		r = host->set_note(job, EVT_NOTE_VM_DOWN, "1");
		if (r < 0) {
			host->set_error(job, "cannot record that vm '%s' is "
					"going down: %s", vm->name, strerror(-r));
			return r;
		}
		if (!forced && plan->force_after_usec != VM_NEVER && now >= force_at) {
			forced = true;
			r = vm_force_off(vm);
			if (r < 0 && !vm_is_off_now(vm))
				return r;
			format_duration(plan->force_after_usec, after, sizeof(after));
			snprintf(msg, sizeof(msg),
				 "forced vm '%s' off: still running after %s",
				 vm->name, after);
			log_with(host, job, EVT_STEP_WARNING, now - start,
				 "forced", msg);
			continue;
		}
		if (!asked && plan->ask_after_usec != VM_NEVER && now >= ask_at) {
			asked = true;
			r = vm_ask_shutdown(vm);
			if (r < 0 && !vm_is_off_now(vm))
				return r;
			if (plan->ask_after_usec == 0)
				snprintf(msg, sizeof(msg), "asked vm '%s' to shut "
					 "down (ACPI power button)", vm->name);
			else
				snprintf(msg, sizeof(msg), "asked vm '%s' to shut "
					 "down (ACPI power button): still running "
					 "after %s", vm->name,
					 format_duration(plan->ask_after_usec,
							 after, sizeof(after)));
			log_with(host, job, EVT_STEP_NOTICE, now - start, "asked",
				 msg);
		}
	}
}

int
vm_power_on(const struct evt_host *host, struct evt_job *job,
	    uint64_t timeout_usec, bool recovering)
{
	_cleanup_(vm_closep) struct vm *vm = NULL;
	uint64_t start = now_usec(CLOCK_MONOTONIC), end;
	char waited[32], msg[512];
	const char *how;
	int r, state;

	r = vm_open(host, job, &vm);
	if (r < 0)
		return r;
	end = vm_deadline_min(usec_add(start, timeout_usec), host->deadline(job));

	r = vm_state(vm, &state, NULL);
	if (r < 0)
		return r;
	if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED) {
		host->set_note(job, EVT_NOTE_VM_DOWN, NULL);
		host->log(job, EVT_STEP_NOTICE, NULL, "vm '%s' is already running%s",
			  vm->name, recovering ? ": it was not left down" : "");
		return 0;
	}
	if (!vm_state_is_off(state)) {
		host->set_error(job, "vm '%s' is %s: not starting it", vm->name,
				vm_state_to_string(state));
		return -EBUSY;
	}
	if (recovering)
		host->log(job, EVT_STEP_WARNING, NULL,
			  "starting vm '%s': an interrupted job left it shut off",
			  vm->name);
	else
		host->log(job, EVT_STEP_NOTICE, NULL, "starting vm '%s'", vm->name);
	r = vm_start(vm);
	if (r < 0)
		return r;
	r = vm_wait(vm, VM_WANT_RUNNING, end, &how);
	format_waited(now_usec(CLOCK_MONOTONIC) - start, waited, sizeof(waited));
	if (r == -ETIMEDOUT) {
		host->set_error(job, "vm '%s' did not start running: waited %s",
				vm->name, waited);
		return r;
	}
	if (r < 0)
		return r;
	host->set_note(job, EVT_NOTE_VM_DOWN, NULL);
	snprintf(msg, sizeof(msg), "vm '%s' is running after %s (%s)", vm->name,
		 waited, how);
	log_with(host, job, EVT_STEP_NOTICE, now_usec(CLOCK_MONOTONIC) - start, how, msg);
	return 0;
}
