#!/bin/bash
# While a failed job runs its on-failure steps, `evtrigger jobs` shows the
# step as an on-failure step, never as "step 2/1" (they are numbered on
# after the job's own steps), and no job percent beyond the steps.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

# exec fails the first time (the job's step) and then takes its time (the
# on-failure step), until the test removes the hold file.
hold=$TESTDIR/hold
touch "$hold"
cat >"$RULES/retry.rule" <<EOF2
[trigger]
id = 787
[job]
steps = exec
on-failure = exec
[exec]
command = /bin/sh -c "if [ -e '$TESTDIR/failed-once' ]; then while [ -e '$hold' ]; do sleep 0.1; done; exit 0; fi; touch '$TESTDIR/failed-once'; exit 1"
EOF2
"$EVTRIGGER" check --rules-dir "$RULES" --action-dir "$BUILD/actions" >/dev/null ||
	fail "the rule does not check"
watch_start
watch_event 787 one >/dev/null
journal_wait 2 60 EVENT_ID=610 RULE=retry
"$EVTRIGGER" jobs --state-dir "$STATE" >"$TESTDIR/jobs.txt" || fail "evtrigger jobs failed"
cat "$TESTDIR/jobs.txt" >&2
grep -q "exec (on-failure)" "$TESTDIR/jobs.txt" ||
	fail "the on-failure step is not shown as such: $(cat "$TESTDIR/jobs.txt")"
grep -q "exec 2/1" "$TESTDIR/jobs.txt" && fail "a step number beyond the total"
grep -qE '\b(1[0-9][0-9]|[2-9][0-9][0-9])%' "$TESTDIR/jobs.txt" && fail "a job percent beyond 100"
rm -f "$hold"
journal_wait 1 60 EVENT_ID=602 RULE=retry
watch_stop
