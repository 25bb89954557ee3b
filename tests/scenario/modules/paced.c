/* paced: a test action module whose progress the test drives. For each
 * percent P of the list `at` (e.g. "0 10 50 100") it waits until the file
 * GATE/P exists, then reports P for `item`. Built by scenarios against the
 * headers alone. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "evtrigger-action.h"

static int
paced_run(const struct evt_host *host, struct evt_job *job)
{
	const char *gate = host->option(job, "gate");
	const char *item = host->option(job, "item");
	const char *const *at;
	size_t n;
	char path[4096];

	if (gate == NULL || host->option_list(job, "at", &at, &n) < 0) {
		host->set_error(job, "paced needs gate and at");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", gate, at[i]);
		while (access(path, F_OK) < 0) {
			if (host->cancelled(job))
				return -ECANCELED;
			poll(NULL, 0, 20);
		}
		host->progress(job, item, (unsigned)atoi(at[i]));
	}
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "paced",
	.summary = "test: progress when the test says",
	.options = (const struct evt_option[]){
		{ "gate", EVT_OPT_STRING, NULL, "a directory" },
		{ "item", EVT_OPT_STRING, NULL, "the item reported" },
		{ "at", EVT_OPT_LIST, "0 100", "percents, each behind GATE/P" },
		{ NULL },
	},
	.run = paced_run,
};
