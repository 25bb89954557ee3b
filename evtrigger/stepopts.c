/* A step's options as modules read them (see stepopts.h). */
#include <errno.h>
#include <string.h>

#include "module.h"
#include "options.h"
#include "rule.h"
#include "stepopts.h"

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

static void _printf_(2, 3)
check_set_error(struct evt_job *job, const char *format, ...)
{
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

const struct evt_host stepopts_check_host = {
	.api_version = EVT_ACTION_API_VERSION,
	.option = check_option,
	.option_bool = check_option_bool,
	.option_int = check_option_int,
	.option_duration = check_option_duration,
	.option_size = check_option_size,
	.option_list = check_option_list,
	.event_field = check_event_field,
	.event_fields = check_event_fields,
	.vm = check_vm,
	.connect = check_connect,
	.job_id = check_job_id,
	.rule = check_rule,
	.log = check_log,
	.progress = check_progress,
	.set_error = check_set_error,
	.cancelled = check_cancelled,
	.cancel_fd = check_cancel_fd,
	.deadline = check_deadline,
	.set_note = check_set_note,
	.get_note = check_get_note,
};

int
stepopts_check(struct stepopts *o, char *err, size_t errlen)
{
	int r;

	if (o->module == NULL || o->module->check == NULL)
		return 0;
	if (errlen > 0)
		err[0] = '\0';
	r = o->module->check(&stepopts_check_host, (struct evt_job *)o, err,
			     errlen);
	stepopts_done(o);
	if (r >= 0)
		return 0;
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "options refused: %s", strerror(-r));
	return r;
}
