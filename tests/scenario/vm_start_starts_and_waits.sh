#!/bin/bash
# start boots a shut-off VM and returns once libvirt reports it running,
# clearing the vm-down note; on a running VM it does nothing; as recovery it
# starts a VM an interrupted job left down, with a STEP_WARNING.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd
testbed_guest sleeper
assert_eq "$(guest_state sleeper)" "shut off" "state before"
echo "vm-down=1" >"$TESTDIR/action.notes"

run_action start sleeper -o timeout=2m || fail "start: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state sleeper)" running "state after start"
journal_wait 1 10 EVENT_ID=615 VM=sleeper STEP=start
journal_wait 1 10 EVENT_ID=612 VM=sleeper STEP=start
assert_eq "$(action_note vm-down)" "" "vm-down note after start"
guest_wait_console sleeper 'evt-guest: ready' 120

# Already running: succeeds, starts nothing.
n_before=$(journal_count EVENT_ID=612 VM=sleeper STEP=start)
run_action start sleeper || fail "start on a running vm: $(cat "$TESTDIR/action.err")"
journal_wait $((n_before + 1)) 10 EVENT_ID=612 VM=sleeper STEP=start
assert_eq "$(journal_count MESSAGE="vm 'sleeper' is already running" VM=sleeper)" 1 "already-running notice"

# Recovery: the VM was left down.
$VIRSH destroy sleeper >/dev/null
run_action start sleeper --recover || fail "start --recover: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state sleeper)" running "state after recovery"
journal_wait 1 10 EVENT_ID=616 VM=sleeper STEP=start

# An unknown VM fails with an ERROR naming it.
rc=0
run_action start nosuchvm || rc=$?
assert_eq "$rc" 1 "start of an unknown vm"
error=$(journal_field ERROR EVENT_ID=613 VM=nosuchvm)
case $error in
"no vm 'nosuchvm' on libvirt"*) ;;
*) fail "unexpected ERROR: '$error'" ;;
esac
