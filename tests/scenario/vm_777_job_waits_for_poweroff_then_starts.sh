#!/bin/bash
# The guest-driven run end to end: event 777 fires a rule whose job waits for
# the guest to power itself off (wait-shutdown) and starts it again (start),
# both steps in one job process; the job finishes, the guest boots a second
# time, and no VM_LEFT_DOWN is logged.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"

testbed_journald
testbed_libvirtd
watch_setup
testbed_guest --poweroff-after 3 vdc
cat >"$RULES/777-vdc.rule" <<-EOF
	[trigger]
	id = 777
	type = warning
	[job]
	vm = vdc
	connect = qemu:///system
	steps = wait-shutdown start
	[wait-shutdown]
	timeout = 5m
	[start]
	timeout = 2m
	EOF
"$EVTRIGGER" check --rules-dir "$RULES" --action-dir "$BUILD/actions" >/dev/null ||
	fail "the rule does not check"
watch_start
$VIRSH start vdc >/dev/null || fail "cannot start guest"
guest_wait_console vdc 'evt-guest: ready' 120
watch_event 777 1

journal_wait 1 120 EVENT_ID=601 VM=vdc
job=$(journal_field JOB_ID EVENT_ID=601 VM=vdc)
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=612 STEP=wait-shutdown)" 1 "wait-shutdown finished"
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=612 STEP=start)" 1 "start finished"
assert_off_by_event vdc wait-shutdown JOB_ID="$job"
assert_eq "$(journal_count EVENT_ID=630)" 0 "VM_LEFT_DOWN events"
assert_eq "$(journal_count EVENT_ID=602)" 0 "JOB_FAILED events"
# Booted twice: once by the test, once by the job's start step.
guest_wait_console vdc 'evt-guest: ready' 120 2
watch_stop
