#!/bin/bash
# A running job is cancelled by `evtrigger cancel` (JOB_CANCELLED naming the
# step, the command killed) and stopped by its time limits (JOB_TIMEOUT);
# cancel refuses unknown and ended jobs; `evtrigger jobs` shows what runs.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

# Cancel.
$EVTRIGGER action exec --vm vdc -o command="/bin/sleep 6001" \
	2>"$TESTDIR/err" &
pid=$!
journal_wait 1 30 EVENT_ID=610
job=$(journal_field JOB_ID EVENT_ID=610)
[ -n "$job" ] || fail "no job id"
$EVTRIGGER jobs --vm vdc >"$TESTDIR/jobs" || fail "evtrigger jobs failed"
grep -q "^$job .*running .*exec" "$TESTDIR/jobs" || fail "jobs: $(cat "$TESTDIR/jobs")"
$EVTRIGGER jobs --json --vm vdc | grep -q "\"id\":\"$job\",.*\"state\":\"running\"" ||
	fail "jobs --json: $($EVTRIGGER jobs --json)"
assert_eq "$($EVTRIGGER jobs --vm other)" "" "jobs of another VM"
$EVTRIGGER jobs --json | python3 -c '
import json, sys
jobs = json.load(sys.stdin)
assert len(jobs) == 1 and jobs[0]["vm"] == "vdc" and jobs[0]["step"] == "exec", jobs
' || fail "jobs --json is not the expected JSON"
$EVTRIGGER modules --json | python3 -c '
import json, sys
mods = {m["name"]: m for m in json.load(sys.stdin)}
assert [o["name"] for o in mods["exec"]["options"]] == ["command", "output-max", "cwd", "user"], mods
' || fail "modules --json is not the expected JSON"
$EVTRIGGER cancel --wait "$job" >"$TESTDIR/cancel" || fail "cancel failed"
rc=0
wait $pid || rc=$?
assert_eq "$rc" 1 "exit code of a cancelled action"
journal_wait 1 30 EVENT_ID=603 JOB_ID="$job"
assert_eq "$(journal_field STEP EVENT_ID=603 JOB_ID="$job")" exec "cancelled step"
assert_eq "$(journal_field VM EVENT_ID=603 JOB_ID="$job")" vdc "VM"
assert_eq "$(journal_field SIGNAL EVENT_ID=620 JOB_ID="$job")" TERM "command's end"
assert_eq "$(journal_count EVENT_ID=601 JOB_ID="$job")" 0 "JOB_FINISHED events"
pgrep -f "sleep 6001" >/dev/null && fail "the command survived the cancel"

# Cancel refuses what it cannot cancel.
rc=0
$EVTRIGGER cancel ffffffffffffffff 2>/dev/null || rc=$?
assert_eq "$rc" 4 "cancel of an unknown job"
rc=0
$EVTRIGGER cancel ../../etc 2>/dev/null || rc=$?
assert_eq "$rc" 2 "cancel of a malformed id"

# A step's time limit.
rc=0
$EVTRIGGER action exec -o command="/bin/sleep 6002" -o timeout=1s \
	2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "exit code of a timed-out action"
journal_wait 1 30 EVENT_ID=607
job=$(journal_field JOB_ID EVENT_ID=607)
assert_eq "$(journal_field STEP EVENT_ID=607)" exec "timed-out step"
assert_eq "$(journal_field TIMEOUT_USEC EVENT_ID=607)" 1000000 "TIMEOUT_USEC"
assert_eq "$(journal_count EVENT_ID=613 JOB_ID="$job")" 1 "STEP_FAILED events"
journal_field ERROR EVENT_ID=613 JOB_ID="$job" | grep -q "step time limit of 1[.s]" ||
	fail "STEP_FAILED ERROR: $(journal_field ERROR EVENT_ID=613 JOB_ID="$job")"

# The whole job's time limit.
rc=0
$EVTRIGGER action exec -o command="/bin/sleep 6003" --timeout 1s \
	2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "exit code of a timed-out job"
journal_wait 2 30 EVENT_ID=607
journal_field MESSAGE EVENT_ID=607 | grep -q "job limit of 1[.s]" ||
	fail "JOB_TIMEOUT: $(journal_field MESSAGE EVENT_ID=607)"
pgrep -f "sleep 600[23]" >/dev/null && fail "a timed-out command survived"
echo ok
