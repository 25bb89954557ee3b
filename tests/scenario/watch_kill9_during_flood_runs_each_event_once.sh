#!/bin/bash
# kill -9 of evtrigger, several times, while 10,000 events are written of
# which 1,000 match a rule; after the last restart every matching event has
# run its action exactly once: none lost, none doubled (the cursor is stored
# only after the jobs are recorded, and job records are keyed by cursor).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald RateLimitBurst=0
watch_setup

watch_stamp_rule flood 777
watch_start

"$BUILD/tools/journal-flood" --count 10000 --every 10 --id 777 --rate 2500 \
	> "$TESTDIR/written" &
flood=$!
kills=0
while kill -0 "$flood" 2>/dev/null; do
	sleep "0.$((RANDOM % 6 + 2))"
	watch_kill9
	kills=$((kills + 1))
	watch_start
done
wait "$flood" || fail "journal-flood failed"
assert_eq "$(cat "$TESTDIR/written")" 1000 "matching events written"
note "killed evtrigger $kills times while the events were written"
# And once more after the writing, in the middle of catching up.
watch_kill9
watch_start

watch_wait_stamps 1000 300
# Let anything that would run twice run: wait until every job is finished.
journal_wait 1000 300 EVENT_ID=601 RULE=flood
for n in $(seq 1000); do
	[ -e "$OUT/$n" ] || fail "event $n never ran its action"
done
watch_assert_once
assert_eq "$(watch_stamps)" 1000 "actions run"
assert_eq "$(journal_count EVENT_ID=600 RULE=flood)" 1000 "JOB_STARTED events"
watch_stop
watch_assert_once
