#!/bin/bash
# Jobs under the daemon: one job per VM (on-busy ignore -> JOB_BUSY, queue ->
# JOB_QUEUED then started), a job process killed with -9 is reported as
# JOB_INTERRUPTED with VM_LEFT_DOWN (its step noted the VM down) and the
# rule's recovery runs (the step's recover(), then the recovery steps),
# whether the daemon was running or not; running jobs outlive a daemon
# restart and are adopted.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
ACT=$TESTDIR/actions
mkdir -p "$ACT"
# A test module built against the headers alone, beside the real exec.
cc -shared -fPIC -I"$TOP/actions" -I"$TOP/lib" -o "$ACT/hold.so" \
	"$TOP/tests/scenario/modules/hold.c" || fail "cannot build hold.so"
ln -s "$BUILD/actions/exec.so" "$ACT/exec.so"

cat >"$RULES/hold.rule" <<RULE
[trigger]
id = 901
[job]
vm = vdc
steps = hold
recovery = exec
on-busy = ignore
[exec]
command = /bin/sh -c "echo recovered \$EVENT_ID"
RULE
cat >"$RULES/later.rule" <<RULE
[trigger]
id = 902
[job]
vm = vdc
steps = exec
on-busy = queue
[exec]
command = /bin/echo later
RULE

start() {
	"$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
		--action-dir "$ACT" >>"$TESTDIR/evtrigger.log" 2>&1 &
	WATCH_PID=$!
	journal_wait "$1" 60 EVENT_ID=640
}
event() {
	printf 'MESSAGE=test %s\nEVENT_ID=%s\nEVENT_TYPE=WARNING\nN=%s\n' "$2" "$1" "$2" |
		logger --journald
}
job_pid() {
	$EVTRIGGER jobs --state-dir "$STATE" --json |
		sed -n "s/.*\"id\":\"$1\".*\"pid\":\([0-9]*\).*/\1/p"
}

# 1. Busy: a second trigger for the VM is ignored; a queued one waits.
start 1
event 901 1
journal_wait 1 30 EVENT_ID=615 MESSAGE="vdc: holding"
job1=$(journal_field JOB_ID EVENT_ID=600)
event 901 2
journal_wait 1 30 EVENT_ID=605
assert_eq "$(journal_field RUNNING_JOB_ID EVENT_ID=605)" "$job1" "RUNNING_JOB_ID"
event 902 3
journal_wait 1 30 EVENT_ID=606
job3=$(journal_field JOB_ID EVENT_ID=606)
assert_eq "$(journal_count EVENT_ID=600 JOB_ID="$job3")" 0 "queued job started early"
$EVTRIGGER jobs --state-dir "$STATE" --vm vdc | grep -q "^$job3 .*queued" ||
	fail "jobs: $($EVTRIGGER jobs --state-dir "$STATE")"
# Progress 10, 12, 30 of vda: the last call reaches the record (rate
# limited, so waited for); an event for the first only (then every 10 %
# at least 5 s apart: jobs/progress-limit.h).
for i in $(seq 600); do
	$EVTRIGGER jobs --state-dir "$STATE" --vm vdc |
		grep -q "^$job1 .*running .*hold 1/1 .* 30% .*vda" && break
	sleep 0.05
done
$EVTRIGGER jobs --state-dir "$STATE" --vm vdc | grep -q "^$job1 .*running .*hold 1/1 .* 30% .*vda" ||
	fail "jobs: $($EVTRIGGER jobs --state-dir "$STATE")"
assert_eq "$(journal_count EVENT_ID=611 JOB_ID="$job1")" 1 "STEP_PROGRESS events"
assert_eq "$(journal_count EVENT_ID=611 JOB_ID="$job1" PERCENT=10 DISK=vda)" 1 \
	"STEP_PROGRESS at 10% of vda"

# 2. kill -9 of the job process while the daemon runs.
pid=$(job_pid "$job1")
[ -n "$pid" ] && [ "$pid" -gt 0 ] || fail "no pid for job $job1"
kill -9 "$pid"
journal_wait 1 30 EVENT_ID=604 JOB_ID="$job1"
assert_eq "$(journal_field STEP EVENT_ID=604 JOB_ID="$job1")" hold "interrupted step"
assert_eq "$(journal_field PRIORITY EVENT_ID=604 JOB_ID="$job1")" 3 "PRIORITY"
journal_wait 1 30 EVENT_ID=630 JOB_ID="$job1"
# The recovery job: hold's recover() sees the note, then exec runs.
journal_wait 1 30 EVENT_ID=615 MESSAGE="vdc: recovered"
assert_eq "$(journal_field RECOVERED_NOTE EVENT_ID=615 MESSAGE="vdc: recovered")" 1 \
	"note seen by recover()"
journal_wait 1 30 EVENT_ID=620 OUTPUT="recovered 901"
# Then the queued job, after the recovery.
journal_wait 1 30 EVENT_ID=601 JOB_ID="$job3"
assert_eq "$(journal_field OUTPUT EVENT_ID=620 JOB_ID="$job3")" later "queued job"

# 3. A job outlives a daemon restart and is adopted; cancel reaches it.
event 901 4
journal_wait 2 30 EVENT_ID=615 MESSAGE="vdc: holding"
job4=$(journal_field JOB_ID EVENT_ID=615 MESSAGE="vdc: holding")
watch_stop
pid=$(job_pid "$job4")
kill -0 "$pid" || fail "the job died with the daemon"
start 2
assert_eq "$(journal_count EVENT_ID=604 JOB_ID="$job4")" 0 "running job reported interrupted"
$EVTRIGGER cancel --state-dir "$STATE" --wait "$job4" >/dev/null || fail "cancel"
journal_wait 1 30 EVENT_ID=603 JOB_ID="$job4"
# The VM was noted down and the job did not finish: said so.
journal_wait 1 30 EVENT_ID=630 JOB_ID="$job4"

# 4. kill -9 of a job while the daemon is stopped: reported at start.
event 901 5
journal_wait 3 30 EVENT_ID=615 MESSAGE="vdc: holding"
job5=$(journal_field JOB_ID EVENT_ID=615 MESSAGE="vdc: holding")
watch_stop
kill -9 "$(job_pid "$job5")"
assert_eq "$(journal_count EVENT_ID=604 JOB_ID="$job5")" 0 "reported with no daemon"
start 3
journal_wait 1 30 EVENT_ID=604 JOB_ID="$job5"
journal_wait 2 30 EVENT_ID=620 OUTPUT="recovered 901"
watch_stop
$EVTRIGGER jobs --state-dir "$STATE" --all | grep -q "^$job5 .*interrupted" ||
	fail "jobs --all: $($EVTRIGGER jobs --state-dir "$STATE" --all)"
# Job processes write nothing but sanitizer reports to the daemon's stderr.
grep -E "Sanitizer|runtime error" "$TESTDIR/evtrigger.log" &&
	fail "sanitizer reports from the daemon or its jobs"
echo ok
