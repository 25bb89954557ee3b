#!/bin/bash
# wait-shutdown's ask-after presses the ACPI power button (a STEP_NOTICE) and a
# guest that listens powers off; force-after pulls the plug (a STEP_WARNING)
# on a guest that ignores the button.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd

# A guest that listens to the power button.
testbed_guest --acpi polite
$VIRSH start polite >/dev/null || fail "cannot start guest polite"
guest_wait_console polite 'evt-guest: acpi armed' 120
run_action wait-shutdown polite -o timeout=5m -o ask-after=1s \
	-o force-after=4m || fail "wait-shutdown polite: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state polite)" "shut off" "polite state"
grep -qF 'evt-guest: power button pressed' "$TESTDIR/polite.console" ||
	fail "polite guest never saw the power button"
journal_wait 1 10 EVENT_ID=615 VM=polite REASON=asked
assert_off_by_event polite wait-shutdown
assert_eq "$(journal_count EVENT_ID=616 VM=polite)" 0 "polite: STEP_WARNING events"

# A guest that ignores it.
testbed_guest deaf
$VIRSH start deaf >/dev/null || fail "cannot start guest deaf"
guest_wait_console deaf 'evt-guest: ready' 120
run_action wait-shutdown deaf -o timeout=5m -o ask-after=1s \
	-o force-after=3s || fail "wait-shutdown deaf: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state deaf)" "shut off" "deaf state"
journal_wait 1 10 EVENT_ID=615 VM=deaf REASON=asked
journal_wait 1 10 EVENT_ID=616 VM=deaf REASON=forced
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=616 VM=deaf)" WARNING "forced event type"
journal_wait 1 10 EVENT_ID=612 VM=deaf STEP=wait-shutdown
