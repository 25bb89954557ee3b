#!/bin/bash
# A third-party action module, built against the installed header alone
# (make install into a staging root, pkg-config evtrigger-action, no path into
# this source tree), is validated by `evtrigger check` through the options it
# declares and runs from a rule when its event arrives, logging through the
# host like a shipped module.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

root=$TESTDIR/root
san=0
case $BUILD in *-san) san=1 ;; esac
make -s -C "$TOP" install BUILD="$BUILD" SANITIZE=$san DESTDIR="$root" \
	PREFIX=/usr SYSCONFDIR=/etc >"$TESTDIR/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$TESTDIR/install.log")"
[ -e "$root/usr/include/evtrigger/evtrigger-action.h" ] ||
	fail "the module header is not installed"

cflags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig \
	pkg-config --cflags evtrigger-action) || fail "pkg-config evtrigger-action"
cflags=$(echo $cflags)
assert_eq "$cflags" "-I$root/usr/include/evtrigger" "pkg-config --cflags"

mkdir -p "$TESTDIR/src" "$TESTDIR/actions" "$TESTDIR/rules.d" "$TESTDIR/state"
cat >"$TESTDIR/src/hello.c" <<'C'
/* hello: a third-party evtrigger action, built outside the source tree. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <evt-ids.h>
#include <evtrigger-action.h>

static const struct evt_option hello_options[] = {
	{ "greeting", EVT_OPT_STRING, "hello", "what to say" },
	{ "times", EVT_OPT_INT, "1", "how often to say it, 1..10" },
	{ NULL },
};

static int
hello_check(const struct evt_host *host, struct evt_job *job, char *err,
	    size_t errlen)
{
	int64_t n;

	if (host->option_int(job, "times", &n) < 0 || n < 1 || n > 10) {
		snprintf(err, errlen, "times must be 1..10");
		return -EINVAL;
	}
	return 0;
}

static int
hello_run(const struct evt_host *host, struct evt_job *job)
{
	const char *fields[] = { "HELLO=yes", NULL };
	const char *id = host->event_field(job, "EVENT_ID");
	int64_t n;

	if (host->option_int(job, "times", &n) < 0)
		return -EINVAL;
	for (int64_t i = 1; i <= n; i++) {
		host->progress(job, NULL, (unsigned)(100 * i / n));
		host->log(job, EVT_STEP_NOTICE, fields, "%s %lld from module, event %s",
			  host->option(job, "greeting"), (long long)i,
			  id != NULL ? id : "?");
	}
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "hello",
	.summary = "say hello, from outside the tree",
	.options = hello_options,
	.check = hello_check,
	.run = hello_run,
};
C
# shellcheck disable=SC2086
cc -std=gnu11 -Wall -Wextra -Werror -shared -fPIC $cflags \
	-o "$TESTDIR/actions/hello.so" "$TESTDIR/src/hello.c" ||
	fail "the module does not build against the installed header"

cat >"$TESTDIR/rules.d/hello.rule" <<'R'
[trigger]
id = 4242
uid = 0

[job]
steps = hello

[hello]
greeting = bonjour
times = 2
R
"$EVTRIGGER" check --rules-dir "$TESTDIR/rules.d" --action-dir "$TESTDIR/actions" ||
	fail "evtrigger check refused the rule"

# The options it declares are what check validates.
mkdir -p "$TESTDIR/bad.d"
printf '[trigger]\nid = 1\n[job]\nsteps = hello\n[hello]\ntimes = many\nvolume = 11\n' \
	>"$TESTDIR/bad.d/bad.rule"
"$EVTRIGGER" check --rules-dir "$TESTDIR/bad.d" --action-dir "$TESTDIR/actions" \
	2>"$TESTDIR/err"
assert_eq "$?" 3 "check exit code for bad module options"
grep -q "bad.rule:6: .*times" "$TESTDIR/err" || fail "no file:line error for 'times': $(cat "$TESTDIR/err")"
grep -q "bad.rule:7: .*volume" "$TESTDIR/err" || fail "no file:line error for 'volume': $(cat "$TESTDIR/err")"
printf '[trigger]\nid = 1\n[job]\nsteps = hello\n[hello]\ntimes = 11\n' >"$TESTDIR/bad.d/bad.rule"
"$EVTRIGGER" check --rules-dir "$TESTDIR/bad.d" --action-dir "$TESTDIR/actions" \
	2>"$TESTDIR/err"
assert_eq "$?" 3 "check exit code when the module's check() refuses"
grep -q "times must be 1..10" "$TESTDIR/err" || fail "module check() reason missing: $(cat "$TESTDIR/err")"

"$EVTRIGGER" run --rules-dir "$TESTDIR/rules.d" --state-dir "$TESTDIR/state" \
	--action-dir "$TESTDIR/actions" >"$TESTDIR/run.log" 2>&1 &
pid=$!
testbed_at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
journal_wait 1 30 EVENT_ID=640
"$EVCREATE" --id 4242 --source tester -d "say hello" || fail "evcreate"
journal_wait 1 60 EVENT_ID=601 RULE=hello
assert_eq "$(journal_count EVENT_ID=615 STEP=hello HELLO=yes)" 2 "the module's notices"
journalctl -q -o cat EVENT_ID=615 STEP=hello | grep -q "bonjour 2 from module, event 4242" ||
	fail "the module's message: $(journalctl -q -o cat EVENT_ID=615 STEP=hello)"
assert_eq "$(journal_count EVENT_ID=602)" 0 "failed jobs"
kill "$pid"
wait "$pid"
assert_eq "$?" 0 "evtrigger run exit status after SIGTERM"
echo ok
