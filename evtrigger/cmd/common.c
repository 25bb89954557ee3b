/* What the subcommands share (see common.h). */
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common.h"
#include "jobs/module.h"
#include "options.h"
#include "report.h"

const struct rule_modules cmd_modules_real = { module_lookup, NULL };

bool
cmd_dirs_option(struct cmd_dirs *d, int c, const char *arg)
{
	switch (c) {
	case 'r':
		d->rules = arg;
		return true;
	case 's':
		d->state = arg;
		return true;
	case 'a':
		d->action = arg;
		return true;
	default:
		return false;
	}
}

/* The one resolver: the option's value, else the environment's (if set
 * and not empty), else the default. */
static const char *
resolve(const char *given, const char *env_name, const char *fallback)
{
	const char *env = getenv(env_name);

	if (given != NULL)
		return given;
	return env != NULL && *env != '\0' ? env : fallback;
}

int
cmd_dirs_resolve(struct cmd_dirs *d, const char *cmd)
{
	d->rules = resolve(d->rules, "EVTRIGGER_RULES_DIR", RULES_DIR_DEFAULT);
	d->state = resolve(d->state, "EVTRIGGER_STATE_DIR", EVT_STATEDIR);
	d->action = resolve(d->action, "EVTRIGGER_ACTION_DIR", EVT_ACTIONDIR);
	if (module_set_dir(d->action) < 0) {
		report_error(0, "%s: out of memory", cmd);
		return -ENOMEM;
	}
	return 0;
}

void
cmd_print_rule_errors(const struct rule_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "%s\n", e->lines[i]);
}

const char *
cmd_this_host(void)
{
	static char host[256];

	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		return NULL;
	return host;
}

int
cmd_listener_option(struct rule_trust *t, const char *arg, bool by_uid)
{
	int64_t v;

	if (!by_uid) {
		struct passwd *pw = getpwnam(arg);

		if (pw == NULL)
			return report_error(-EINVAL, "unknown --listener-user '%s'",
					    arg);
		v = pw->pw_uid;
	} else if (parse_int(arg, &v) < 0 || v < 0 || v >= (int64_t)UINT32_MAX)
		return report_error(-EINVAL, "invalid --listener-uid '%s'", arg);
	t->listener_uid = (uid_t)v;
	t->have_listener = true;
	return 0;
}
