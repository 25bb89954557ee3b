#!/bin/bash
# The 777 scenario: a rule on event ID 777 (type warning, source John) runs
# the exec action when such an event is logged, once; events that differ in
# ID, type or source run nothing. Every step is in the journal under the
# job's ID.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

watch_stamp_rule 777-vdc 777 'type = warning
source = John'
watch_start
assert_eq "$(journal_field RULE_COUNT EVENT_ID=640)" 1 "RULE_COUNT"

watch_event 778 wrong-id
watch_event 777 wrong-type EVENT_TYPE=ERROR
watch_event 777 wrong-source EVENT_SOURCE=Jane
watch_event 777 1
watch_wait_stamps 1 60
journal_wait 1 60 EVENT_ID=601 RULE=777-vdc

[ -e "$OUT/1" ] || fail "the action did not run for the 777 event"
assert_eq "$(watch_stamps)" 1 "actions run"
job=$(journal_field JOB_ID EVENT_ID=600 RULE=777-vdc)
[ -n "$job" ] || fail "no JOB_STARTED event"
cursor=$(journalctl -q -o export N=1 EVENT_ID=777 | sed -n 's/^__CURSOR=//p')
assert_eq "$(journal_field TRIGGER_CURSOR EVENT_ID=600 JOB_ID="$job")" "$cursor" \
	"the job's trigger cursor"
assert_eq "$(journal_count EVENT_ID=620 JOB_ID="$job")" 1 "EXEC_EXITED events"
assert_eq "$(journal_field EXIT_STATUS EVENT_ID=620 JOB_ID="$job")" 0 "exit status"
assert_eq "$(journal_count EVENT_ID=601 JOB_ID="$job")" 1 "JOB_FINISHED events"

watch_stop
assert_eq "$(journal_count EVENT_ID=641)" 1 "DAEMON_STOPPED events"
[ -s "$STATE/cursor" ] || fail "no cursor stored"
assert_eq "$(watch_stamps)" 1 "actions run"
watch_assert_once
