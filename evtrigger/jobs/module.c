/* Loading action modules by name (see module.h). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "jobs/module.h"
#include "options.h"

struct loaded {
	char *name;
	const struct evt_action *action;
};

static char *action_dir;
static struct loaded *loaded;
static size_t n_loaded;

int
module_set_dir(const char *dir)
{
	char *d = strdup(dir);

	if (d == NULL)
		return -ENOMEM;
	free(action_dir);
	action_dir = d;
	return 0;
}

const char *
module_dir(void)
{
	return action_dir != NULL ? action_dir : EVT_ACTIONDIR;
}

static int
check_name(const char *name)
{
	if (*name == '\0' || strlen(name) > 64)
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return -EINVAL;
	return 0;
}

static int _printf_(4, 5)
fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

int
module_get(const char *name, const struct evt_action **ret, char *err,
	   size_t errlen)
{
	_cleanup_(freep) char *path = NULL;
	const struct evt_action *a;
	struct loaded *l;
	void *h;

	if (check_name(name) < 0)
		return fail(err, errlen, -EINVAL,
			    "invalid action name '%s'", name);
	for (size_t i = 0; i < n_loaded; i++)
		if (streq(loaded[i].name, name)) {
			*ret = loaded[i].action;
			return 0;
		}
	if (asprintf(&path, "%s/%s.so", module_dir(), name) < 0)
		return -ENOMEM;
	if (access(path, R_OK) < 0)
		return fail(err, errlen, -ENOENT, "unknown action '%s': no %s",
			    name, path);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return fail(err, errlen, -ENOEXEC, "cannot load %s: %s", path,
			    dlerror());
	a = dlsym(h, EVT_ACTION_SYMBOL);
	if (a == NULL || a->name == NULL || !streq(a->name, name) ||
	    a->run == NULL) {
		dlclose(h);
		return fail(err, errlen, -ENOEXEC,
			    "%s is not an evtrigger action module for '%s'",
			    path, name);
	}
	if (a->api_version != EVT_ACTION_API_VERSION) {
		unsigned v = a->api_version;

		dlclose(h);
		return fail(err, errlen, -EPROTO,
			    "%s: built for action API version %u, not %u",
			    path, v, EVT_ACTION_API_VERSION);
	}
	l = reallocarray(loaded, n_loaded + 1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	loaded = l;
	loaded[n_loaded].name = strdup(name);
	if (loaded[n_loaded].name == NULL)
		return -ENOMEM;
	loaded[n_loaded].action = a;
	n_loaded++;
	*ret = a;
	return 0;
}

const struct evt_action *
module_lookup(void *userdata, const char *name, char *err, size_t errlen)
{
	const struct evt_action *a;
	int r;

	r = module_get(name, &a, err, errlen);
	if (r < 0) {
		if (r == -ENOMEM && err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return a;
}

const struct evt_option *
module_option(const struct evt_action *m, const char *key)
{
	if (m->options == NULL)
		return NULL;
	for (const struct evt_option *o = m->options; o->name != NULL; o++)
		if (streq(o->name, key))
			return o;
	return NULL;
}

int
module_check_option_value(const struct evt_option *o, const char *text)
{
	int b;
	int64_t i;
	uint64_t u;
	_cleanup_(strv_freep) char **w = NULL;

	switch (o->type) {
	case EVT_OPT_STRING:
		return 0;
	case EVT_OPT_BOOL:
		return parse_bool(text, &b) < 0 ? -EINVAL : 0;
	case EVT_OPT_INT:
		return parse_int(text, &i) < 0 ? -EINVAL : 0;
	case EVT_OPT_DURATION:
		return parse_duration(text, &u) < 0 ? -EINVAL : 0;
	case EVT_OPT_SIZE:
		return parse_size(text, &u) < 0 ? -EINVAL : 0;
	case EVT_OPT_LIST:
		return parse_words(text, &w, NULL) < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}
