/* stubborn: a test action module that ignores cancel, as a hung step
 * would. Built by scenarios against the headers alone. */
#include <unistd.h>

#include "evtrigger-action.h"

static int
stubborn_run(const struct evt_host *host, struct evt_job *job)
{
	host->set_note(job, "stubborn-ran", "1");
	for (;;)
		pause();
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "stubborn",
	.summary = "test: never returns, ignores cancel",
	.options = (const struct evt_option[]){ { NULL } },
	.run = stubborn_run,
};
