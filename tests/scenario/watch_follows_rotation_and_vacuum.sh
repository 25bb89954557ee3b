#!/bin/bash
# Journal rotation and vacuuming while evtrigger watches (SD_JOURNAL_INVALIDATE):
# every matching event written across five rotations runs once; after the
# files holding the stored cursor's entry are vacuumed away (evtrigger
# stopped meanwhile), it takes up after that place: nothing replayed, nothing
# newer skipped.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald RateLimitBurst=0
watch_setup

watch_stamp_rule r 777
watch_start
"$BUILD/tools/journal-flood" --count 10000 --every 20 --id 777 --rate 5000 \
	> "$TESTDIR/written" &
flood=$!
for i in 1 2 3 4 5; do
	sleep 0.3
	journalctl --rotate || fail "journalctl --rotate failed"
done
wait "$flood" || fail "journal-flood failed"
watch_wait_stamps 500 600
journal_wait 500 120 EVENT_ID=601 RULE=r
watch_assert_once
assert_eq "$(watch_stamps)" 500 "actions run"

# Vacuum while watching: the journal files go away under evtrigger.
journalctl --rotate
journalctl -q --vacuum-files=1
watch_event 777 after-vacuum
watch_wait_stamps 501 60

# Vacuum the stored cursor's file while stopped.
watch_stop
journalctl --rotate
watch_event 777 while-stopped
journalctl --rotate
# Keeps the active file and the newest archived one (with while-stopped).
journalctl -q --vacuum-files=2
watch_event 777 after-restart-vacuum
# The set-up: the stored cursor's entry is gone, the one after it is not.
assert_eq "$(journal_count N=after-vacuum)" 0 "entries left of the cursor's event"
assert_eq "$(journal_count N=while-stopped)" 1 "entries of the next event"
watch_start
watch_wait_stamps 503 60
[ -e "$OUT/while-stopped" ] || fail "the event after the vanished cursor did not run"
[ -e "$OUT/after-restart-vacuum" ] || fail "the event after the vacuum did not run"
watch_event 777 last
watch_wait_stamps 504 60
watch_stop
watch_assert_once
assert_eq "$(watch_stamps)" 504 "actions run"
