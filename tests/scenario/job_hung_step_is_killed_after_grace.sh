#!/bin/bash
# A step that ignores its time limit is given a grace period (30 s), then its
# job process is killed: JOB_TIMEOUT says so, and the daemon reports the job
# interrupted and runs the rule's recovery.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
ACT=$TESTDIR/actions
mkdir -p "$ACT"
cc -shared -fPIC -I"$TOP/actions" -I"$TOP/lib" -o "$ACT/stubborn.so" \
	"$TOP/tests/scenario/modules/stubborn.c" || fail "cannot build stubborn.so"
ln -s "$BUILD/actions/exec.so" "$ACT/exec.so"
cat >"$RULES/hung.rule" <<RULE
[trigger]
id = 903
[job]
steps = stubborn
recovery = exec
[stubborn]
timeout = 1s
[exec]
command = /bin/echo recovered after hang
RULE
"$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
	--action-dir "$ACT" >>"$TESTDIR/evtrigger.log" 2>&1 &
WATCH_PID=$!
journal_wait 1 60 EVENT_ID=640
printf 'MESSAGE=hang\nEVENT_ID=903\nEVENT_TYPE=WARNING\n' | logger --journald
journal_wait 1 30 EVENT_ID=610 STEP=stubborn
job=$(journal_field JOB_ID EVENT_ID=610 STEP=stubborn)
journal_wait 1 90 EVENT_ID=607 JOB_ID="$job"
journal_field MESSAGE EVENT_ID=607 JOB_ID="$job" | grep -q "did not stop within 30" ||
	fail "JOB_TIMEOUT: $(journal_field MESSAGE EVENT_ID=607 JOB_ID="$job")"
journal_wait 1 30 EVENT_ID=604 JOB_ID="$job"
journal_wait 1 30 EVENT_ID=620 OUTPUT="recovered after hang"
assert_eq "$(journal_count EVENT_ID=602 JOB_ID="$job")" 0 "JOB_FAILED of the hung job"
echo ok
