#!/bin/bash
# A VM that never turns off fails wait-shutdown with an ERROR event naming
# the VM and how long the step waited, and nothing else is done to it: it
# stays running, it was neither asked nor forced, and the job does not claim
# to have left it down (no VM_LEFT_DOWN event).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd
testbed_guest stubborn
$VIRSH start stubborn >/dev/null || fail "cannot start guest"
guest_wait_console stubborn 'evt-guest: ready' 120

rc=0
run_action wait-shutdown stubborn -o timeout=3s || rc=$?
assert_eq "$rc" 1 "wait-shutdown exit status"

journal_wait 1 10 EVENT_ID=613 VM=stubborn STEP=wait-shutdown
assert_eq "$(journal_field PRIORITY EVENT_ID=613)" 3 "STEP_FAILED priority"
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=613)" ERROR "STEP_FAILED type"
error=$(journal_field ERROR EVENT_ID=613 VM=stubborn)
# How long it waited: at least the timeout (whole seconds; no upper bound is
# asserted, the machine may be slow).
waited=$(expr "$error" : "vm 'stubborn' did not shut down: waited \([0-9]*\)s$")
[ -n "$waited" ] && [ "$waited" -ge 3 ] ||
	fail "ERROR does not name the VM and the wait: '$error'"

assert_eq "$(journal_count EVENT_ID=615 VM=stubborn)" 0 "STEP_NOTICE events (not asked)"
assert_eq "$(journal_count EVENT_ID=616 VM=stubborn)" 0 "STEP_WARNING events (not forced)"
assert_eq "$(guest_state stubborn)" running "guest state"
assert_eq "$(journal_count EVENT_ID=630)" 0 "VM_LEFT_DOWN events"
