/* Turning the rule's VM off and on as job steps: the shared body of the
 * wait-shutdown, shutdown and start modules, logging every action through the
 * host as the step's events. */
#ifndef EVT_ACTION_UTIL_VM_POWER_H
#define EVT_ACTION_UTIL_VM_POWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtrigger-action.h"

/* When to give up, ask and force, each counted from the start of the step;
 * VM_NEVER for never. */
#define VM_NEVER UINT64_MAX
struct vm_off_plan {
	uint64_t timeout_usec;
	uint64_t ask_after_usec;
	uint64_t force_after_usec;
};

/* Reads the plan from the step's options: timeout, ask-after, force-after
 * (each optional; ask-after is 0 when ask_at_once). Reports nothing (usable
 * from check()): on -EINVAL *ret_bad names the malformed option. */
int vm_off_plan_from_options(const struct evt_host *host, struct evt_job *job,
			     bool ask_at_once, struct vm_off_plan *ret,
			     const char **ret_bad);
/* Checks that ask-after < force-after < timeout where they are set. Returns 0,
 * or -EINVAL with the reason in err. */
int vm_off_plan_check(const struct vm_off_plan *p, char *err, size_t errlen);

/* Waits until the VM is off, asking and forcing as planned. Returns 0 when it
 * is off; -ETIMEDOUT (error set: the VM and how long it waited) when it did
 * not turn off in time, and then nothing more was done to it; -ECANCELED;
 * other -errno with the error set. */
int vm_power_off(const struct evt_host *host, struct evt_job *job,
		 const struct vm_off_plan *plan);

/* Starts the VM unless it runs, and waits until it runs, at most timeout_usec
 * (VM_NEVER: the step's limit only). recovering says that a job was cut short
 * and the VM may have been left down (only changes what is logged). */
int vm_power_on(const struct evt_host *host, struct evt_job *job,
		uint64_t timeout_usec, bool recovering);

#endif
