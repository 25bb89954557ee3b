/* Loading action modules (actions/evtrigger-action.h) by name from an action
 * directory. Modules stay loaded for the life of the process. Never logs. */
#ifndef EVT_MODULE_H
#define EVT_MODULE_H

#include <stddef.h>

#include "evtrigger-action.h"

/* Where modules are looked up: set once at start (cmd/common.c resolves
 * --action-dir, $EVTRIGGER_ACTION_DIR); EVT_ACTIONDIR until then. dir is
 * copied. */
int module_set_dir(const char *dir);
const char *module_dir(void);

/* The module NAME.so of the action directory. Returns 0 with *ret set, or
 * -EINVAL (bad name: only [a-z0-9_-]), -ENOENT (no such file), -ENOEXEC (not
 * a module: no evt_action_module symbol, or name mismatch), -EPROTO (API
 * version mismatch). On error, if err is not NULL, a one-line reason is
 * written to it. */
int module_get(const char *name, const struct evt_action **ret, char *err,
	       size_t errlen);

/* module_get() in the shape of struct rule_modules' lookup (rule.h):
 * the module, or NULL with the reason in err. userdata is unused. */
const struct evt_action *module_lookup(void *userdata, const char *name,
				       char *err, size_t errlen);

/* The declaration of option `key` of module m, or NULL. */
const struct evt_option *module_option(const struct evt_action *m,
				       const char *key);

/* Checks text against an option's type. Returns 0 or -EINVAL. */
int module_check_option_value(const struct evt_option *o, const char *text);

#endif
