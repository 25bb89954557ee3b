#!/bin/bash
# wait-shutdown returns once a guest powers itself off, learning it from
# libvirt's lifecycle events (the REASON of its notice says which event).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd
testbed_guest --poweroff-after 4 selfoff
$VIRSH start selfoff >/dev/null || fail "cannot start guest"
# Started before the guest is up, so the step is waiting when it powers off.
run_action wait-shutdown selfoff -o timeout=5m ||
	fail "wait-shutdown failed: $(cat "$TESTDIR/action.err")"

assert_eq "$(guest_state selfoff)" "shut off" "guest state"
grep -qF 'evt-guest: powering off' "$TESTDIR/selfoff.console" ||
	fail "the guest did not power itself off: $(tail -n 3 "$TESTDIR/selfoff.console")"
journal_wait 1 10 EVENT_ID=615 VM=selfoff STEP=wait-shutdown
assert_off_by_event selfoff wait-shutdown
journal_wait 1 10 EVENT_ID=612 VM=selfoff STEP=wait-shutdown
assert_eq "$(journal_count EVENT_ID=613)" 0 "STEP_FAILED events"
assert_eq "$(journal_count EVENT_ID=616)" 0 "STEP_WARNING events (nothing forced)"
