/* shutdown: asks the rule's VM to shut down (ACPI power button), waits until
 * it is off, and optionally forces it off after a grace time. For runs the
 * host schedules itself, where no guest signals that it is ready. */
#include <errno.h>
#include <stdio.h>

#include "evtrigger-action.h"
#include "util/vm-power.h"
#include "util/vm.h"

static const struct evt_option options[] = {
	{ "timeout", EVT_OPT_DURATION, "5m",
	  "how long to wait, in all, for the VM to be off; when it is not, the "
	  "job fails" },
	{ "force-after", EVT_OPT_DURATION, NULL,
	  "when the guest has not shut down this long after being asked, force "
	  "the VM off (like pulling the plug); unset: never force" },
	{ NULL }
};

static int
shutdown_check(const struct evt_host *host, struct evt_job *job, char *err,
	       size_t errlen)
{
	struct vm_off_plan plan;
	const char *bad = NULL;

	if (vm_off_plan_from_options(host, job, true, &plan, &bad) < 0) {
		snprintf(err, errlen, "invalid duration for %s", bad);
		return -EINVAL;
	}
	if (plan.force_after_usec == 0) {
		snprintf(err, errlen, "force-after must be longer than 0: the "
			 "guest needs time to shut down");
		return -EINVAL;
	}
	if (vm_off_plan_check(&plan, err, errlen) < 0)
		return -EINVAL;
	return vm_check_probe(host, job, VM_PROBE_VM);
}

static int
shutdown_run(const struct evt_host *host, struct evt_job *job)
{
	struct vm_off_plan plan;
	const char *bad = NULL;
	char err[256];
	int r;

	r = vm_off_plan_from_options(host, job, true, &plan, &bad);
	if (r < 0) {
		host->set_error(job, "invalid duration '%s' for %s",
				host->option(job, bad) ?: "", bad);
		return r;
	}
	if (shutdown_check(host, job, err, sizeof(err)) < 0) {
		host->set_error(job, "%s", err);
		return -EINVAL;
	}
	return vm_power_off(host, job, &plan);
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "shutdown",
	.summary = "ask the VM to shut down, wait, optionally force it off",
	.options = options,
	.check = shutdown_check,
	.run = shutdown_run,
};
