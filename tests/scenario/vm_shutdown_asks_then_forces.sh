#!/bin/bash
# shutdown asks at once (ACPI power button): a listening guest powers off
# without force; a guest that ignores the button is forced off after
# force-after, with a STEP_WARNING event.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd

testbed_guest --acpi polite
$VIRSH start polite >/dev/null || fail "cannot start guest polite"
guest_wait_console polite 'evt-guest: acpi armed' 120
run_action shutdown polite -o timeout=5m -o force-after=4m ||
	fail "shutdown polite: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state polite)" "shut off" "polite state"
journal_wait 1 10 EVENT_ID=615 VM=polite STEP=shutdown REASON=asked
assert_off_by_event polite shutdown
assert_eq "$(journal_count EVENT_ID=616 VM=polite)" 0 "polite: forced"
journal_wait 1 10 EVENT_ID=612 VM=polite STEP=shutdown

testbed_guest deaf
$VIRSH start deaf >/dev/null || fail "cannot start guest deaf"
guest_wait_console deaf 'evt-guest: ready' 120
run_action shutdown deaf -o timeout=5m -o force-after=2s ||
	fail "shutdown deaf: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state deaf)" "shut off" "deaf state"
journal_wait 1 10 EVENT_ID=615 VM=deaf STEP=shutdown REASON=asked
journal_wait 1 10 EVENT_ID=616 VM=deaf STEP=shutdown REASON=forced
journal_wait 1 10 EVENT_ID=612 VM=deaf STEP=shutdown

# Without force-after, a guest that ignores the button fails the step and
# keeps running.
$VIRSH start deaf >/dev/null || fail "cannot restart guest deaf"
guest_wait_console deaf 'evt-guest: ready' 120 2
rc=0
run_action shutdown deaf -o timeout=3s || rc=$?
assert_eq "$rc" 1 "shutdown without force: exit status"
error=$(journal_field ERROR EVENT_ID=613 VM=deaf STEP=shutdown)
waited=$(expr "$error" : "vm 'deaf' did not shut down: waited \([0-9]*\)s after asking it to shut down$")
[ -n "$waited" ] && [ "$waited" -ge 3 ] || fail "unexpected ERROR: '$error'"

assert_eq "$(guest_state deaf)" running "deaf state after failed shutdown"
