#!/bin/bash
# Cancelling a job (SIGTERM to `evtrigger action`) while wait-shutdown waits
# ends the step through its event loop, not by being killed after the
# runner's grace period: one JOB_CANCELLED event, the runner's "did not stop"
# kill never happens, the VM keeps running and is not reported left down.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd
testbed_guest waiter
$VIRSH start waiter >/dev/null || fail "cannot start guest"
guest_wait_console waiter 'evt-guest: ready' 120

run_action_bg wait-shutdown waiter -o timeout=30m
journal_wait 1 30 EVENT_ID=610 VM=waiter STEP=wait-shutdown
kill -TERM "$ACTION_PID"
rc=0
wait "$ACTION_PID" || rc=$?
assert_eq "$rc" 1 "evtrigger action exit status after cancel"

journal_wait 1 10 EVENT_ID=603 VM=waiter
assert_eq "$(journal_count EVENT_ID=603 VM=waiter)" 1 "JOB_CANCELLED events"
journalctl --no-pager -q -o cat EVENT_ID=603 VM=waiter | grep -q "did not stop" &&
	fail "the step did not stop when cancelled: the runner killed it"
assert_eq "$(journal_count EVENT_ID=630)" 0 "VM_LEFT_DOWN events"
assert_eq "$(guest_state waiter)" running "guest state"
