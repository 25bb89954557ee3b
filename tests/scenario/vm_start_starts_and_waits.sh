#!/bin/bash
# start boots a shut-off VM and returns once libvirt reports it running; on a
# running VM it does nothing; an unknown VM fails it with an ERROR naming it.
# (Its recovery after an interrupted job: vm_killed_job_is_reported_and_recovered.)
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"

testbed_journald
testbed_libvirtd
testbed_guest sleeper
assert_eq "$(guest_state sleeper)" "shut off" "state before"

run_action start sleeper -o timeout=2m || fail "start: $(cat "$TESTDIR/action.err")"
assert_eq "$(guest_state sleeper)" running "state after start"
journal_wait 1 10 EVENT_ID=615 VM=sleeper STEP=start
journal_wait 1 10 EVENT_ID=612 VM=sleeper STEP=start
guest_wait_console sleeper 'evt-guest: ready' 120

# Already running: succeeds, starts nothing.
n_before=$(journal_count EVENT_ID=612 VM=sleeper STEP=start)
run_action start sleeper || fail "start on a running vm: $(cat "$TESTDIR/action.err")"
journal_wait $((n_before + 1)) 10 EVENT_ID=612 VM=sleeper STEP=start
journalctl --no-pager -q -o cat EVENT_ID=615 VM=sleeper |
	grep -qF "vm 'sleeper' is already running" || fail "no already-running notice"

# An unknown VM fails with an ERROR naming it.
rc=0
run_action start nosuchvm || rc=$?
assert_eq "$rc" 1 "start of an unknown vm"
error=$(journal_field ERROR EVENT_ID=613 VM=nosuchvm)
case $error in
"no vm 'nosuchvm' on libvirt"*) ;;
*) fail "unexpected ERROR: '$error'" ;;
esac
