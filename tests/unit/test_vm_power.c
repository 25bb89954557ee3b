/* Check suite for actions/util/vm.c and vm-power.c, and the option checks of
 * the wait-shutdown, shutdown and start modules. The VM here is libvirt's
 * built-in test driver (test:///default, in-process, a running domain named
 * "test"); the real daemon and QEMU guests are in tests/scenario/vm_*.sh. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evt-ids.h"
#include "options.h"
#include "time.h"
#include "util/vm-power.h"
#include "util/vm.h"

/* --- a host that records what the module does --------------------------- */

struct evt_job {
	const char *vm;
	const char *opts[8][2];
	unsigned ids[32];
	char messages[32][256];
	size_t n_logs;
	char error[512];
	char note[16];
	char vm_name[64];       /* the EVT_NOTE_VM_NAME note */
	int cancel_pipe[2];
	uint64_t deadline;
};

static const char *
h_option(struct evt_job *job, const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(job->opts) && job->opts[i][0]; i++)
		if (streq(job->opts[i][0], name))
			return job->opts[i][1];
	return NULL;
}

static int
h_option_duration(struct evt_job *job, const char *name, uint64_t *ret)
{
	const char *s = h_option(job, name);

	return s == NULL ? -ENOENT : parse_duration(s, ret);
}

static const char *h_vm(struct evt_job *job) { return job->vm; }
static const char *h_connect(struct evt_job *job) { return "test:///default"; }

static int
h_log(struct evt_job *job, unsigned id, const char *const *fields,
      const char *format, ...)
{
	va_list ap;

	ck_assert_uint_lt(job->n_logs, ELEMENTSOF(job->ids));
	job->ids[job->n_logs] = id;
	va_start(ap, format);
	vsnprintf(job->messages[job->n_logs], sizeof(job->messages[0]), format,
		  ap);
	va_end(ap);
	job->n_logs++;
	return 0;
}

static void
h_set_error(struct evt_job *job, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(job->error, sizeof(job->error), format, ap);
	va_end(ap);
}

/* Cancel arrives only through the fd here: that is what vm_wait watches. */
static int
h_cancelled(struct evt_job *job)
{
	return 0;
}

static int h_cancel_fd(struct evt_job *job) { return job->cancel_pipe[0]; }
static uint64_t h_deadline(struct evt_job *job) { return job->deadline; }

static int
h_set_note(struct evt_job *job, const char *key, const char *value)
{
	if (streq(key, EVT_NOTE_VM_NAME)) {
		snprintf(job->vm_name, sizeof(job->vm_name), "%s",
			 value ? value : "");
		return 0;
	}
	ck_assert_str_eq(key, EVT_NOTE_VM_DOWN);
	snprintf(job->note, sizeof(job->note), "%s", value ? value : "");
	return 0;
}

static const struct evt_host host = {
	.api_version = EVT_ACTION_API_VERSION,
	.option = h_option,
	.option_duration = h_option_duration,
	.vm = h_vm,
	.connect = h_connect,
	.log = h_log,
	.set_error = h_set_error,
	.cancelled = h_cancelled,
	.cancel_fd = h_cancel_fd,
	.deadline = h_deadline,
	.set_note = h_set_note,
};

/* test:///default keeps its state only while a connection is open: hold one
 * for the whole test (each test runs in its own process), so that what one
 * vm_open/vm_close did is seen by the next. */
static virConnectPtr test_driver;

static void
job_init(struct evt_job *job, const char *vm)
{
	if (test_driver == NULL)
		test_driver = virConnectOpen("test:///default");
	ck_assert_ptr_nonnull(test_driver);
	memset(job, 0, sizeof(*job));
	job->vm = vm;
	job->deadline = UINT64_MAX;
	ck_assert_int_eq(pipe(job->cancel_pipe), 0);
}

static bool
logged(const struct evt_job *job, unsigned id, const char *needle)
{
	for (size_t i = 0; i < job->n_logs; i++)
		if (job->ids[i] == id && strstr(job->messages[i], needle))
			return true;
	return false;
}

/* --- plan checks ---------------------------------------------------------- */

#define S(x) ((uint64_t)(x) * 1000000ULL)
static const struct {
	struct vm_off_plan plan;
	int r;
	const char *reason;
} plan_cases[] = {
	{ { S(900), VM_NEVER, VM_NEVER }, 0, NULL },
	{ { S(900), S(60), S(600) }, 0, NULL },
	{ { VM_NEVER, S(60), S(600) }, 0, NULL },
	{ { S(900), S(600), S(60) }, -EINVAL, "force-after (1m 0s) must be longer than ask-after (10m 0s)" },
	{ { S(900), S(60), S(60) }, -EINVAL, "must be longer than ask-after" },
	{ { S(60), VM_NEVER, S(60) }, -EINVAL, "force-after (1m 0s) must be shorter than timeout (1m 0s)" },
	{ { S(60), S(120), VM_NEVER }, -EINVAL, "ask-after (2m 0s) must be shorter than timeout (1m 0s)" },
};

START_TEST(test_plan_check)
{
	char err[256] = "";
	int r = vm_off_plan_check(&plan_cases[_i].plan, err, sizeof(err));

	ck_assert_int_eq(r, plan_cases[_i].r);
	if (plan_cases[_i].reason != NULL)
		ck_assert_msg(strstr(err, plan_cases[_i].reason) != NULL,
			      "case %d: '%s'", _i, err);
}
END_TEST

START_TEST(test_plan_from_options)
{
	struct evt_job job;
	struct vm_off_plan p;
	const char *bad = NULL;

	job_init(&job, "test");
	job.opts[0][0] = "timeout";
	job.opts[0][1] = "15m";
	job.opts[1][0] = "force-after";
	job.opts[1][1] = "10m";
	ck_assert_int_eq(vm_off_plan_from_options(&host, &job, false, &p, &bad), 0);
	ck_assert_uint_eq(p.timeout_usec, S(900));
	ck_assert_uint_eq(p.ask_after_usec, VM_NEVER);
	ck_assert_uint_eq(p.force_after_usec, S(600));
	ck_assert_int_eq(vm_off_plan_from_options(&host, &job, true, &p, &bad), 0);
	ck_assert_uint_eq(p.ask_after_usec, 0);
	job.opts[1][1] = "soon";
	ck_assert_int_eq(vm_off_plan_from_options(&host, &job, false, &p, &bad),
			 -EINVAL);
	ck_assert_str_eq(bad, "force-after");
}
END_TEST

/* --- against libvirt's test driver ------------------------------------- */

START_TEST(test_open_unknown_vm)
{
	struct evt_job job;
	struct vm *vm = NULL;

	job_init(&job, "nosuchvm");
	ck_assert_int_eq(vm_open(&host, &job, &vm), -ENOENT);
	ck_assert_ptr_null(vm);
	ck_assert_str_eq(job.error, "no vm 'nosuchvm' on libvirt (test:///default): "
			 "no domain has this name or UUID");
}
END_TEST

/* A rule may name the VM by UUID (with or without dashes): found, and the
 * job told the domain's name. By name, no note. An unknown UUID fails as
 * an unknown name does. */
static const struct {
	const char *given;
	int r;
	const char *name;       /* vm->name after vm_open */
	const char *note;       /* EVT_NOTE_VM_NAME set, or "" */
} lookup_cases[] = {
	{ "test", 0, "test", "" },
	{ "6695eb01-f6a4-8304-79aa-97f2502e193f", 0, "test", "test" },
	{ "6695eb01f6a4830479aa97f2502e193f", 0, "test", "test" },
	{ "6695EB01-F6A4-8304-79AA-97F2502E193F", 0, "test", "test" },
	{ "00000000-0000-4000-8000-000000000000", -ENOENT, NULL, "" },
	{ "6695eb01", -ENOENT, NULL, "" },
};

START_TEST(test_open_by_name_or_uuid)
{
	struct evt_job job;
	struct vm *vm = NULL;

	job_init(&job, lookup_cases[_i].given);
	ck_assert_int_eq(vm_open(&host, &job, &vm), lookup_cases[_i].r);
	if (lookup_cases[_i].name != NULL)
		ck_assert_str_eq(vm->name, lookup_cases[_i].name);
	else
		ck_assert_ptr_null(vm);
	ck_assert_str_eq(job.vm_name, lookup_cases[_i].note);
	vm_close(vm);
}
END_TEST

START_TEST(test_disks_of_test_domain)
{
	struct evt_job job;
	struct vm *vm = NULL;
	struct vm_disk_list *l = NULL;

	job_init(&job, "test");
	ck_assert_int_eq(vm_open(&host, &job, &vm), 0);
	ck_assert_int_eq(vm_disks(vm, VIR_DOMAIN_XML_INACTIVE, &l), 0);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->disks[0].target, "vda");
	ck_assert_str_eq(l->disks[0].source, "/guest/diskimage1");
	vm_disk_list_free(l);
	vm_close(vm);
}
END_TEST

START_TEST(test_wait_times_out_and_leaves_vm_alone)
{
	struct evt_job job;
	struct vm_off_plan p = { S(1) / 5, VM_NEVER, VM_NEVER };
	struct vm *vm = NULL;
	int state;

	job_init(&job, "test");
	ck_assert_int_eq(vm_power_off(&host, &job, &p), -ETIMEDOUT);
	ck_assert_msg(strncmp(job.error, "vm 'test' did not shut down: waited ",
			      36) == 0, "%s", job.error);
	ck_assert_str_eq(job.note, "");
	ck_assert_uint_eq(job.n_logs, 0);
	ck_assert_int_eq(vm_open(&host, &job, &vm), 0);
	ck_assert_int_eq(vm_state(vm, &state, NULL), 0);
	ck_assert_int_eq(state, VIR_DOMAIN_RUNNING);
	vm_close(vm);
}
END_TEST

/* The job runner's deadline ends the wait when it comes first; the message
 * says how long it waited, in whole seconds. */
START_TEST(test_step_deadline_ends_wait)
{
	struct evt_job job;
	struct vm_off_plan p = { S(900), VM_NEVER, VM_NEVER };

	job_init(&job, "test");
	job.deadline = deadline_after(S(1) + S(1) / 5);
	ck_assert_int_eq(vm_power_off(&host, &job, &p), -ETIMEDOUT);
	ck_assert_str_eq(job.error, "vm 'test' did not shut down: waited 1s");
}
END_TEST

START_TEST(test_cancel_fd_ends_wait)
{
	struct evt_job job;
	struct vm_off_plan p = { S(900), VM_NEVER, VM_NEVER };

	job_init(&job, "test");
	ck_assert_int_eq(write(job.cancel_pipe[1], "x", 1), 1);
	ck_assert_int_eq(vm_power_off(&host, &job, &p), -ECANCELED);
	ck_assert_str_eq(job.note, "");
}
END_TEST

START_TEST(test_ask_at_once_then_start)
{
	struct evt_job job;
	struct vm_off_plan p = { S(900), 0, VM_NEVER };

	job_init(&job, "test");
	ck_assert_int_eq(vm_power_off(&host, &job, &p), 0);
	ck_assert_str_eq(job.note, "1");
	ck_assert(logged(&job, EVT_STEP_NOTICE, "asked vm 'test' to shut down"));
	ck_assert(logged(&job, EVT_STEP_NOTICE, "vm 'test' is off after"));

	/* Already off: wait-shutdown returns at once and notes it. */
	job.n_logs = 0;
	job.note[0] = '\0';
	p.ask_after_usec = VM_NEVER;
	ck_assert_int_eq(vm_power_off(&host, &job, &p), 0);
	ck_assert_str_eq(job.note, "1");
	ck_assert(logged(&job, EVT_STEP_NOTICE, "(found shut off)"));

	job.n_logs = 0;
	ck_assert_int_eq(vm_power_on(&host, &job, S(60), false), 0);
	ck_assert_str_eq(job.note, "");
	ck_assert(logged(&job, EVT_STEP_NOTICE, "starting vm 'test'"));
	ck_assert(logged(&job, EVT_STEP_NOTICE, "vm 'test' is running after"));

	job.n_logs = 0;
	ck_assert_int_eq(vm_power_on(&host, &job, S(60), true), 0);
	ck_assert(logged(&job, EVT_STEP_NOTICE,
			 "vm 'test' is already running: it was not left down"));
}
END_TEST

START_TEST(test_force)
{
	struct evt_job job;
	struct vm_off_plan p = { S(900), VM_NEVER, 0 };

	job_init(&job, "test");
	ck_assert_int_eq(vm_power_off(&host, &job, &p), 0);
	ck_assert_str_eq(job.note, "1");
	ck_assert(logged(&job, EVT_STEP_WARNING, "forced vm 'test' off"));
}
END_TEST

/* A transient VM is undefined as it stops: gone counts as off. */
START_TEST(test_transient_vm_gone_is_off)
{
	static const char xml[] =
		"<domain type='test'><name>transient</name>"
		"<memory>65536</memory><os><type>hvm</type></os></domain>";
	struct evt_job job;
	struct vm_off_plan p = { S(900), VM_NEVER, 0 };
	virDomainPtr d;

	job_init(&job, "transient");
	d = virDomainCreateXML(test_driver, xml, 0);
	ck_assert_ptr_nonnull(d);
	virDomainFree(d);
	ck_assert_int_eq(vm_power_off(&host, &job, &p), 0);
	ck_assert(logged(&job, EVT_STEP_WARNING, "forced vm 'transient' off"));
	ck_assert(logged(&job, EVT_STEP_NOTICE, "vm 'transient' is off after"));
	ck_assert_str_eq(job.note, "1");
}
END_TEST

static Suite *
vm_power_suite(void)
{
	Suite *s = suite_create("vm_power");
	TCase *plan = tcase_create("plan"), *drv = tcase_create("test-driver");

	tcase_add_loop_test(plan, test_plan_check, 0, ELEMENTSOF(plan_cases));
	tcase_add_test(plan, test_plan_from_options);
	suite_add_tcase(s, plan);
	tcase_add_test(drv, test_open_unknown_vm);
	tcase_add_loop_test(drv, test_open_by_name_or_uuid, 0,
			    ELEMENTSOF(lookup_cases));
	tcase_add_test(drv, test_disks_of_test_domain);
	tcase_add_test(drv, test_wait_times_out_and_leaves_vm_alone);
	tcase_add_test(drv, test_step_deadline_ends_wait);
	tcase_add_test(drv, test_cancel_fd_ends_wait);
	tcase_add_test(drv, test_ask_at_once_then_start);
	tcase_add_test(drv, test_force);
	tcase_add_test(drv, test_transient_vm_gone_is_off);
	suite_add_tcase(s, drv);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vm_power_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
