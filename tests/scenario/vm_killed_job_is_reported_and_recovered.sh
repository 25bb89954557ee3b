#!/bin/bash
# A job killed (with the daemon, as in a crash or power cut) while its VM is
# down is reported at the next start with JOB_INTERRUPTED and an ERROR event
# VM_LEFT_DOWN, and the rule's recovery step `start` brings the VM back. A job
# killed in wait-shutdown before it did anything to the VM is reported as
# interrupted, but not as having left the VM down.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"

testbed_journald
testbed_libvirtd
watch_setup
testbed_guest victim
$VIRSH start victim >/dev/null || fail "cannot start guest"
guest_wait_console victim 'evt-guest: ready' 120

# rule_file ID WAIT-SHUTDOWN-OPTIONS: steps wait-shutdown, exec (a long
# sleep: the job is killed there), start; recovery start.
rule_file() {
	cat >"$RULES/victim-$1.rule.tmp" <<-EOF
		[trigger]
		id = $1
		[job]
		vm = victim
		connect = qemu:///system
		steps = wait-shutdown exec start
		recovery = start
		[wait-shutdown]
		$2
		[exec]
		command = /bin/sleep 600
	EOF
	mv "$RULES/victim-$1.rule.tmp" "$RULES/victim-$1.rule"
}
rule_file 701 "timeout = 10m"
rule_file 702 "ask-after = 1s
force-after = 2s"

# job_pid STEP: the pid of the job process now in STEP, from its STEP_STARTED.
job_pid() {
	journal_field _PID EVENT_ID=610 VM=victim STEP="$1"
}

# kill_all: kills the daemon and the job process (and what it runs) with
# SIGKILL, by pid.
kill_all() {
	local pid=$1 child
	watch_kill9
	for child in $(pgrep -P "$pid"); do kill -9 "$child"; done
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# 1. Killed while waiting: nothing was done to the VM.
watch_start
watch_event 701 1
journal_wait 1 60 EVENT_ID=610 VM=victim STEP=wait-shutdown
pid=$(job_pid wait-shutdown)
[ -n "$pid" ] || fail "no pid for the wait-shutdown step"
kill_all "$pid"
assert_eq "$(guest_state victim)" running "state after kill in wait-shutdown"
watch_start
journal_wait 1 60 EVENT_ID=604 VM=victim
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=604 VM=victim)" ERROR "JOB_INTERRUPTED type"
journal_wait 1 60 EVENT_ID=612 VM=victim STEP=start
assert_eq "$(journal_count EVENT_ID=630)" 0 "VM_LEFT_DOWN after a kill that left the VM running"
journalctl --no-pager -q -o cat EVENT_ID=615 VM=victim STEP=start |
	grep -qF "vm 'victim' is already running" ||
	fail "recovery start did not find the vm running"
assert_eq "$(guest_state victim)" running "state after recovery 1"

# 2. Killed after wait-shutdown forced the VM off, while the next step runs.
watch_event 702 2
journal_wait 1 60 EVENT_ID=616 VM=victim STEP=wait-shutdown REASON=forced
journal_wait 1 60 EVENT_ID=610 VM=victim STEP=exec
assert_eq "$(guest_state victim)" "shut off" "state after wait-shutdown"
pid=$(job_pid exec)
[ -n "$pid" ] || fail "no pid for the exec step"
kill_all "$pid"
assert_eq "$(guest_state victim)" "shut off" "state after kill"
watch_start
journal_wait 1 60 EVENT_ID=630 VM=victim
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=630 VM=victim)" ERROR "VM_LEFT_DOWN type"
journal_wait 2 60 EVENT_ID=604 VM=victim
journal_wait 2 60 EVENT_ID=612 VM=victim STEP=start
assert_eq "$(guest_state victim)" running "state after recovery 2"
watch_stop
