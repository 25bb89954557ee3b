#!/bin/bash
# The watcher reads a bounded amount of each entry (64K a field, 256K in
# all): an event with a bigger field, which anyone may log, is rejected
# (TRIGGER_REJECTED "too large") instead of being copied whole or matched on
# a cut value, and the watcher goes on with the next event.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

watch_stamp_rule vdc 777
watch_start

big=$(head -c 100000 /dev/zero | tr '\0' x)
watch_event 777 huge "BIG=$big"
journal_wait 1 60 EVENT_ID=777 N=huge
journal_wait 1 60 EVENT_ID=644 RULE=vdc
journal_field REASON EVENT_ID=644 RULE=vdc | grep -q "too large" ||
	fail "REASON: $(journal_field REASON EVENT_ID=644 RULE=vdc)"
watch_event 777 small
watch_wait_stamps 1 60
[ -e "$OUT/small" ] || fail "the small event did not fire the rule"
[ ! -e "$OUT/huge" ] || fail "the huge event fired the rule"
assert_eq "$(watch_stamps)" 1 "actions run"
watch_stop
