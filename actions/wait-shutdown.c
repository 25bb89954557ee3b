/* wait-shutdown: waits until the rule's VM is off (libvirt lifecycle events),
 * optionally asking the guest to shut down and then forcing it off. */
#include <errno.h>
#include <stdio.h>

#include "evtrigger-action.h"
#include "util/vm-power.h"
#include "util/vm.h"

static const struct evt_option options[] = {
	{ "timeout", EVT_OPT_DURATION, "15m",
	  "how long to wait, in all, for the VM to be off; when it is not, the "
	  "job fails and nothing else is done to the VM" },
	{ "ask-after", EVT_OPT_DURATION, NULL,
	  "when the VM still runs after this long, ask the guest to shut down "
	  "(ACPI power button); unset: never ask" },
	{ "force-after", EVT_OPT_DURATION, NULL,
	  "when the VM still runs after this long, force it off (like pulling "
	  "the plug); unset: never force" },
	{ NULL }
};

static int
wait_shutdown_check(const struct evt_host *host, struct evt_job *job,
		    char *err, size_t errlen)
{
	struct vm_off_plan plan;
	const char *bad = NULL;

	if (vm_off_plan_from_options(host, job, false, &plan, &bad) < 0) {
		snprintf(err, errlen, "invalid duration for %s", bad);
		return -EINVAL;
	}
	if (vm_off_plan_check(&plan, err, errlen) < 0)
		return -EINVAL;
	return vm_check_probe(host, job, VM_PROBE_VM);
}

static int
wait_shutdown_run(const struct evt_host *host, struct evt_job *job)
{
	struct vm_off_plan plan;
	const char *bad = NULL;
	char err[256];
	int r;

	r = vm_off_plan_from_options(host, job, false, &plan, &bad);
	if (r < 0) {
		host->set_error(job, "invalid duration '%s' for %s",
				host->option(job, bad) ?: "", bad);
		return r;
	}
	if (vm_off_plan_check(&plan, err, sizeof(err)) < 0) {
		host->set_error(job, "%s", err);
		return -EINVAL;
	}
	return vm_power_off(host, job, &plan);
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "wait-shutdown",
	.summary = "wait until the VM is off; optionally ask, then force",
	.options = options,
	.check = wait_shutdown_check,
	.run = wait_shutdown_run,
};
