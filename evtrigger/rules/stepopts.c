/* A step's options as modules read them, and the one check of a step's
 * options (see stepopts.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jobs/module.h"
#include "options.h"
#include "rules/keys.h"
#include "rules/rule.h"
#include "rules/stepopts.h"

void
stepopts_init(struct stepopts *o, const struct rule *rule, const char *step,
	      const struct evt_action *module)
{
	*o = (struct stepopts){
		.rule = rule,
		.step = step,
		.module = module,
	};
}

void
stepopts_done(struct stepopts *o)
{
	for (size_t i = 0; i < o->n_lists; i++)
		strv_free(o->lists[i]);
	free(o->lists);
	o->lists = NULL;
	o->n_lists = 0;
	for (size_t i = 0; i < o->n_reasons; i++)
		free(o->reasons[i]);
	free(o->reasons);
	o->reasons = NULL;
	o->n_reasons = 0;
	for (size_t i = 0; i < o->n_warnings; i++)
		free(o->warnings[i]);
	free(o->warnings);
	o->warnings = NULL;
	o->n_warnings = 0;
}

const char *
stepopts_get(struct stepopts *o, const char *name)
{
	const struct evt_option *decl = NULL;
	const char *text;

	if (o->module != NULL) {
		decl = module_option(o->module, name);
		if (decl == NULL)
			return NULL;
	}
	text = o->rule != NULL ? rule_option(o->rule, o->step, name) : NULL;
	if (text != NULL)
		return text;
	return decl != NULL ? decl->default_value : NULL;
}

int
stepopts_bool(struct stepopts *o, const char *name, int *ret)
{
	const char *s = stepopts_get(o, name);

	return s == NULL ? -ENOENT : parse_bool(s, ret);
}

int
stepopts_int(struct stepopts *o, const char *name, int64_t *ret)
{
	const char *s = stepopts_get(o, name);

	return s == NULL ? -ENOENT : parse_int(s, ret);
}

int
stepopts_duration(struct stepopts *o, const char *name, uint64_t *ret_usec)
{
	const char *s = stepopts_get(o, name);

	return s == NULL ? -ENOENT : parse_duration(s, ret_usec);
}

int
stepopts_size(struct stepopts *o, const char *name, uint64_t *ret_bytes)
{
	const char *s = stepopts_get(o, name);

	return s == NULL ? -ENOENT : parse_size(s, ret_bytes);
}

int
stepopts_list(struct stepopts *o, const char *name,
	      const char *const **ret_words, size_t *ret_n)
{
	_cleanup_(strv_freep) char **words = NULL;
	const char *s = stepopts_get(o, name);
	char ***lists;
	size_t n;
	int r;

	if (s == NULL)
		return -ENOENT;
	r = parse_words(s, &words, &n);
	if (r < 0)
		return r;
	lists = reallocarray(o->lists, o->n_lists + 1, sizeof(*lists));
	if (lists == NULL)
		return -ENOMEM;
	o->lists = lists;
	o->lists[o->n_lists++] = words;
	*ret_words = (const char *const *)TAKE_PTR(words);
	if (ret_n != NULL)
		*ret_n = n;
	return 0;
}

int
stepopts_timeout(struct stepopts *o, uint64_t *ret_usec)
{
	const struct evt_option *decl = NULL;
	const char *s = NULL;

	if (o->rule != NULL)
		s = rule_option(o->rule, o->step, "timeout");
	if (s == NULL && o->module != NULL) {
		decl = module_option(o->module, "timeout");
		if (decl != NULL && decl->type == EVT_OPT_DURATION)
			s = decl->default_value;
	}
	return s == NULL ? -ENOENT : parse_duration(s, ret_usec);
}

/* The check-time host: job is a struct stepopts. */

static const char *
check_option(struct evt_job *job, const char *name)
{
	return stepopts_get((struct stepopts *)job, name);
}

static int
check_option_bool(struct evt_job *job, const char *name, int *ret)
{
	return stepopts_bool((struct stepopts *)job, name, ret);
}

static int
check_option_int(struct evt_job *job, const char *name, int64_t *ret)
{
	return stepopts_int((struct stepopts *)job, name, ret);
}

static int
check_option_duration(struct evt_job *job, const char *name,
		      uint64_t *ret_usec)
{
	return stepopts_duration((struct stepopts *)job, name, ret_usec);
}

static int
check_option_size(struct evt_job *job, const char *name, uint64_t *ret_bytes)
{
	return stepopts_size((struct stepopts *)job, name, ret_bytes);
}

static int
check_option_list(struct evt_job *job, const char *name,
		  const char *const **ret_words, size_t *ret_n)
{
	return stepopts_list((struct stepopts *)job, name, ret_words, ret_n);
}

static const char *
check_event_field(struct evt_job *job, const char *name)
{
	return NULL;
}

static void
check_event_fields(struct evt_job *job,
		   void (*fn)(const char *name, const char *value,
			      void *userdata),
		   void *userdata)
{
}

static const char *
check_vm(struct evt_job *job)
{
	const struct rule *r = ((struct stepopts *)job)->rule;

	return r != NULL ? r->vm : NULL;
}

static const char *
check_connect(struct evt_job *job)
{
	const struct rule *r = ((struct stepopts *)job)->rule;

	return r != NULL ? r->connect : NULL;
}

static const char *
check_job_id(struct evt_job *job)
{
	return NULL;
}

static const char *
check_rule(struct evt_job *job)
{
	const struct rule *r = ((struct stepopts *)job)->rule;

	return r != NULL ? r->name : NULL;
}

static int _printf_(4, 5)
check_log(struct evt_job *job, unsigned id, const char *const *fields,
	  const char *format, ...)
{
	return -EOPNOTSUPP;
}

static int
check_progress(struct evt_job *job, const char *item, unsigned percent)
{
	return -EOPNOTSUPP;
}

/* Appends the text of format to *v (o->oom on failure). */
static void
collect(struct stepopts *o, char ***v, size_t *n, const char *format,
	va_list ap)
{
	char *s, **nv;

	if (vasprintf(&s, format, ap) < 0) {
		o->oom = true;
		return;
	}
	nv = reallocarray(*v, *n + 1, sizeof(char *));
	if (nv == NULL) {
		free(s);
		o->oom = true;
		return;
	}
	*v = nv;
	(*v)[(*n)++] = s;
}

/* At check time each call is one mistake: a module may report several
 * before it returns -EINVAL, and all of them reach the user. */
static void _printf_(2, 3)
check_set_error(struct evt_job *job, const char *format, ...)
{
	struct stepopts *o = (struct stepopts *)job;
	va_list ap;

	va_start(ap, format);
	collect(o, &o->reasons, &o->n_reasons, format, ap);
	va_end(ap);
}

static void _printf_(2, 3)
probe_warn(struct evt_job *job, const char *format, ...)
{
	struct stepopts *o = (struct stepopts *)job;
	va_list ap;

	va_start(ap, format);
	collect(o, &o->warnings, &o->n_warnings, format, ap);
	va_end(ap);
}

static int
check_cancelled(struct evt_job *job)
{
	return 0;
}

static int
check_cancel_fd(struct evt_job *job)
{
	return -EOPNOTSUPP;
}

static uint64_t
check_deadline(struct evt_job *job)
{
	return UINT64_MAX;
}

static int
check_set_note(struct evt_job *job, const char *key, const char *value)
{
	return -EOPNOTSUPP;
}

static const char *
check_get_note(struct evt_job *job, const char *key)
{
	return NULL;
}

/* The check host; the probe host is the same and warn(). */
#define CHECK_HOST_FUNCTIONS \
	.api_version = EVT_ACTION_API_VERSION, \
	.option = check_option, \
	.option_bool = check_option_bool, \
	.option_int = check_option_int, \
	.option_duration = check_option_duration, \
	.option_size = check_option_size, \
	.option_list = check_option_list, \
	.event_field = check_event_field, \
	.event_fields = check_event_fields, \
	.vm = check_vm, \
	.connect = check_connect, \
	.job_id = check_job_id, \
	.rule = check_rule, \
	.log = check_log, \
	.progress = check_progress, \
	.set_error = check_set_error, \
	.cancelled = check_cancelled, \
	.cancel_fd = check_cancel_fd, \
	.deadline = check_deadline, \
	.set_note = check_set_note, \
	.get_note = check_get_note,

const struct evt_host stepopts_check_host = {
	CHECK_HOST_FUNCTIONS
};

const struct evt_host stepopts_probe_host = {
	CHECK_HOST_FUNCTIONS
	.warn = probe_warn,
};

static int run_check(struct stepopts *o, char *err, size_t errlen);

static const char *
option_type_text(enum evt_option_type t)
{
	switch (t) {
	case EVT_OPT_STRING:
		return "text";
	case EVT_OPT_BOOL:
		return "yes or no";
	case EVT_OPT_INT:
		return "an integer";
	case EVT_OPT_DURATION:
		return "a duration like 90s, 15m, 2h";
	case EVT_OPT_SIZE:
		return "a size like 4096, 10K, 20M, 1G";
	case EVT_OPT_LIST:
		return "words, \"double quotes\" keeping spaces";
	}
	return "a valid value";
}

static int _printf_(5, 6)
report(stepopts_report_fn fn, void *userdata, unsigned line, int *n,
       const char *fmt, ...)
{
	_cleanup_(freep) char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	fn(userdata, line, s);
	(*n)++;
	return 0;
}

int
stepopts_check_options(const struct rule *r, const char *step,
		       const struct evt_action *m, stepopts_report_fn fn,
		       void *userdata)
{
	struct stepopts o;
	char err[512] = "";
	uint64_t u;
	int n = 0, k;

	for (size_t i = 0; i < r->n_options; i++) {
		const struct rule_option *opt = &r->options[i];
		const struct evt_option *decl;

		if (!streq(opt->section, step))
			continue;
		decl = m != NULL ? module_option(m, opt->key) : NULL;
		k = 0;
		/* Every step's `timeout` is the runner's time limit, read as a
		 * duration (stepopts_timeout) whatever a module declares. */
		if (streq(opt->key, "timeout")) {
			if (parse_duration(opt->value, &u) < 0)
				k = report(fn, userdata, opt->line, &n,
					   "invalid timeout '%s': expected a "
					   "duration like 90s, 15m, 2h",
					   Q(opt->value));
		} else if (m == NULL)
			continue;
		else if (decl == NULL)
			k = report(fn, userdata, opt->line, &n,
				   "unknown option '%s' for action '%s'",
				   Q(opt->key), step);
		else if (module_check_option_value(decl, opt->value) < 0)
			k = report(fn, userdata, opt->line, &n,
				   "invalid %s '%s' for action '%s': expected "
				   "%s", opt->key, Q(opt->value), step,
				   option_type_text(decl->type));
		if (k < 0)
			return k;
	}
	/* The module's own check() sees only well-formed options. */
	if (m == NULL || m->check == NULL || n > 0)
		return n;
	stepopts_init(&o, r, step, m);
	k = run_check(&o, err, sizeof(err));
	if (o.oom) {
		stepopts_done(&o);
		return -ENOMEM;
	}
	for (size_t i = 0; i < o.n_reasons && k < 0; i++)
		if (report(fn, userdata, 0, &n, "action '%s': %s", step,
			   o.reasons[i]) < 0) {
			stepopts_done(&o);
			return -ENOMEM;
		}
	stepopts_done(&o);
	if (k < 0 && err[0] != '\0' &&
	    report(fn, userdata, 0, &n, "action '%s': %s", step, err) < 0)
		return -ENOMEM;
	if (k < 0 && n == 0 &&
	    report(fn, userdata, 0, &n, "action '%s': options refused: %s",
		   step, strerror(-k)) < 0)
		return -ENOMEM;
	return n;
}

/* Runs the module's check() on o; the reasons it gives stay in o (err and
 * o->reasons) until stepopts_done(). */
static int
run_check(struct stepopts *o, char *err, size_t errlen)
{
	if (o->module == NULL || o->module->check == NULL)
		return 0;
	if (errlen > 0)
		err[0] = '\0';
	return o->module->check(&stepopts_check_host, (struct evt_job *)o, err,
				errlen);
}

int
stepopts_check(struct stepopts *o, char *err, size_t errlen)
{
	int r = run_check(o, err, errlen);

	if (r < 0 && errlen > 0 && err[0] == '\0') {
		if (o->n_reasons > 0)
			snprintf(err, errlen, "%s", o->reasons[0]);
		else
			snprintf(err, errlen, "options refused: %s",
				 strerror(-r));
	}
	stepopts_done(o);
	return r < 0 ? r : 0;
}

static bool
seen_text(char **v, size_t n, size_t i)
{
	for (size_t k = 0; k < i && k < n; k++)
		if (streq(v[k], v[i]))
			return true;
	return false;
}

int
stepopts_probe(const struct rule *r, const char *step,
	       const struct evt_action *m, stepopts_report_fn err_fn,
	       stepopts_report_fn warn_fn, void *userdata)
{
	struct stepopts o;
	char err[512] = "";
	int n = 0, k;

	if (m == NULL || m->check == NULL)
		return 0;
	stepopts_init(&o, r, step, m);
	k = m->check(&stepopts_probe_host, (struct evt_job *)&o, err,
		     sizeof(err));
	if (o.oom) {
		stepopts_done(&o);
		return -ENOMEM;
	}
	for (size_t i = 0; i < o.n_reasons; i++)
		if (!seen_text(o.reasons, o.n_reasons, i)) {
			err_fn(userdata, 0, o.reasons[i]);
			n++;
		}
	for (size_t i = 0; i < o.n_warnings; i++)
		if (!seen_text(o.warnings, o.n_warnings, i))
			warn_fn(userdata, 0, o.warnings[i]);
	if (k < 0 && err[0] != '\0') {
		err_fn(userdata, 0, err);
		n++;
	}
	if (k < 0 && n == 0) {
		snprintf(err, sizeof(err), "refused: %s", strerror(-k));
		err_fn(userdata, 0, err);
		n++;
	}
	stepopts_done(&o);
	return n;
}
