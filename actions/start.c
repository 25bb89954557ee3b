/* start: starts the rule's VM and waits until it runs (libvirt lifecycle
 * events). As a recovery step it starts a VM that an interrupted job left
 * shut off. */
#include <errno.h>
#include <stdio.h>

#include "evtrigger-action.h"
#include "util/vm-power.h"
#include "util/vm.h"

static const struct evt_option options[] = {
	{ "timeout", EVT_OPT_DURATION, "2m",
	  "how long to wait for the VM to run after starting it; when it does "
	  "not, the job fails" },
	{ NULL }
};

static int
start_timeout(const struct evt_host *host, struct evt_job *job,
	      uint64_t *ret)
{
	int r = host->option_duration(job, "timeout", ret);

	if (r == -ENOENT) {
		*ret = VM_NEVER;
		return 0;
	}
	if (r < 0)
		host->set_error(job, "invalid timeout '%s'",
				host->option(job, "timeout") ?: "");
	return r;
}

static int
start_check(const struct evt_host *host, struct evt_job *job, char *err,
	    size_t errlen)
{
	uint64_t t;

	if (host->option_duration(job, "timeout", &t) == 0 && t == 0) {
		snprintf(err, errlen, "timeout must be longer than 0");
		return -EINVAL;
	}
	return vm_check_probe(host, job, VM_PROBE_VM);
}

static int
start_run(const struct evt_host *host, struct evt_job *job)
{
	uint64_t timeout;
	int r;

	r = start_timeout(host, job, &timeout);
	if (r < 0)
		return r;
	return vm_power_on(host, job, timeout, false);
}

static int
start_recover(const struct evt_host *host, struct evt_job *job)
{
	uint64_t timeout;
	int r;

	r = start_timeout(host, job, &timeout);
	if (r < 0)
		return r;
	return vm_power_on(host, job, timeout, true);
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "start",
	.summary = "start the VM and wait until it runs",
	.options = options,
	.check = start_check,
	.run = start_run,
	.recover = start_recover,
};
