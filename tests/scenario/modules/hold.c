/* hold: a test action module, built by scenarios against the installed
 * headers alone (as a third party would). run() notes the VM down, reports
 * progress, then waits until the job is cancelled; recover() logs what the
 * interrupted run noted. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include "evt-ids.h"
#include "evtrigger-action.h"

static int
hold_run(const struct evt_host *host, struct evt_job *job)
{
	struct pollfd p = { .fd = host->cancel_fd(job), .events = POLLIN };
	int r;

	r = host->set_note(job, EVT_NOTE_VM_DOWN, "1");
	if (r < 0)
		return r;
	host->progress(job, "vda", 10);
	host->progress(job, "vda", 12);
	host->progress(job, "vda", 30);
	host->log(job, EVT_STEP_NOTICE, NULL, "holding");
	while (!host->cancelled(job))
		poll(&p, 1, -1);
	return -ECANCELED;
}

static int
hold_recover(const struct evt_host *host, struct evt_job *job)
{
	char note[128];
	const char *fields[] = { note, NULL };
	const char *v = host->get_note(job, EVT_NOTE_VM_DOWN);

	snprintf(note, sizeof(note), "RECOVERED_NOTE=%s", v != NULL ? v : "none");
	host->log(job, EVT_STEP_NOTICE, fields, "recovered");
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "hold",
	.summary = "test: hold until cancelled",
	.options = (const struct evt_option[]){ { NULL } },
	.run = hold_run,
	.recover = hold_recover,
};
