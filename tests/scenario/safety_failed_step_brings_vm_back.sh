#!/bin/bash
# A job that shut its VM down and then failed does not leave the VM off:
# without on-failure it runs start (logged like any step, before JOB_FAILED),
# for a failed exec, archive (a directory that does not exist), compact and
# merge (no space left on the images' file system); on-failure = none leaves
# it down with VM_LEFT_DOWN (an ERROR) and the reason; a start that cannot
# work (the disk is gone) logs VM_LEFT_DOWN with start's error. Before,
# every one of these jobs left the VM shut off.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
. "$TOP/tests/lib/watch.sh"

testbed_journald
testbed_libvirtd
watch_setup

# The images on a small file system, filled up: compact and merge need
# room and fail; QEMU needs none to run the guest.
img=$TESTDIR/img
mkdir -p "$img"
mount -t tmpfs -o size=48M tmpfs "$img"
testbed_at_exit "umount -l '$img'"
disk_make_chain "$img"
dd if=/dev/zero of="$img/filler" bs=1M status=none 2>/dev/null || true
testbed_guest --acpi vdc "$img/top.qcow2"

rule() {   # rule NAME ID STEP [LINES]: shutdown STEP start, on event ID
	cat >"$RULES/$1.rule" <<-EOF2
		[trigger]
		id = $2
		[job]
		vm = vdc
		connect = qemu:///system
		steps = shutdown $3 start
		${4:-}
		[shutdown]
		timeout = 2m
		force-after = 1m
		[start]
		timeout = 2m
	EOF2
}
rule exec 781 exec $'[exec]\ncommand = /bin/false'
rule archive 782 archive $'[archive]\ndir = /nonexistent/archives'
rule compact 783 compact
rule merge 784 merge
rule none 785 exec $'on-failure = none\n[exec]\ncommand = /bin/false'
# Its exec fails once the test has removed the disk, so that start cannot.
rule nodisk 786 exec "[exec]
command = /bin/sh -c \"while [ -e '$img/top.qcow2' ]; do sleep 0.1; done; exit 1\""
# --no-probe: these rules are meant to fail when they run (a directory that
# is not there, a full disk); `check` asking libvirt and the file system
# would rightly refuse the first one beforehand (ux_check_asks_libvirt_...).
"$EVTRIGGER" check --no-probe --rules-dir "$RULES" --action-dir "$BUILD/actions" >/dev/null ||
	fail "the rules do not check"
watch_start
$VIRSH start vdc >/dev/null || fail "cannot start guest"
boots=1
guest_wait_console vdc 'evt-guest: acpi armed' 120 $boots

# fired RULE ID: fires the rule, waits for JOB_FAILED, prints the job ID.
fired() {
	watch_event "$2" "$1" >/dev/null
	journal_wait 1 240 EVENT_ID=602 RULE="$1"
	journal_field JOB_ID EVENT_ID=602 RULE="$1"
}

for step in exec archive compact merge; do
	id=$(grep -o '^id = .*' "$RULES/$step.rule" | cut -d' ' -f3)
	job=$(fired "$step" "$id")
	assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=613 STEP="$step")" 1 "$step failed"
	assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=612 STEP=shutdown)" 1 "$step: shutdown ran"
	assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=610 STEP=start)" 1 "$step: start ran on failure"
	assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=612 STEP=start)" 1 "$step: start finished"
	assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=630)" 0 "$step: VM_LEFT_DOWN"
	assert_eq "$(journal_field STEP JOB_ID="$job" EVENT_ID=602)" "$step" "$step: JOB_FAILED names the failed step"
	assert_eq "$(guest_state vdc)" running "$step: VM state after the failed job"
	# evtrigger jobs: failed, in the step that failed (step 2 of 3).
	"$EVTRIGGER" jobs --all --json --state-dir "$STATE" >"$TESTDIR/jobs.json" ||
		fail "evtrigger jobs failed"
	grep "\"$job\"" "$TESTDIR/jobs.json" | grep -q "\"state\": *\"failed\".*\"step\": *\"$step\"" ||
		grep "\"$job\"" "$TESTDIR/jobs.json" | grep -q "\"step\": *\"$step\".*\"state\": *\"failed\"" ||
		fail "$step: evtrigger jobs: $(grep "$job" "$TESTDIR/jobs.json")"
	boots=$((boots + 1))
	guest_wait_console vdc 'evt-guest: acpi armed' 120 $boots
done
# The images the failed disk steps left are whole.
rm -f "$img/filler"
qemu-img check -U -q "$img/top.qcow2" || fail "top.qcow2 damaged"

job=$(fired none 785)
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=610 STEP=start)" 0 "on-failure = none: start ran"
journal_wait 1 30 JOB_ID="$job" EVENT_ID=630
assert_eq "$(journal_field PRIORITY JOB_ID="$job" EVENT_ID=630)" 3 "VM_LEFT_DOWN is an ERROR"
assert_eq "$(journal_field REASON JOB_ID="$job" EVENT_ID=630)" "on-failure = none" "VM_LEFT_DOWN REASON"
assert_eq "$(guest_state vdc)" "shut off" "VM after on-failure = none"
$VIRSH start vdc >/dev/null || fail "cannot start guest again"
boots=$((boots + 1))
guest_wait_console vdc 'evt-guest: acpi armed' 120 $boots

# A start that cannot work: the disk is gone when the job fails.
watch_event 786 nodisk >/dev/null
journal_wait 1 240 EVENT_ID=612 STEP=shutdown RULE=nodisk
rm -f "$img/top.qcow2"
journal_wait 1 240 EVENT_ID=602 RULE=nodisk
job=$(journal_field JOB_ID EVENT_ID=602 RULE=nodisk)
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=613 STEP=start)" 1 "start failed"
journal_wait 1 30 JOB_ID="$job" EVENT_ID=630
journal_field REASON JOB_ID="$job" EVENT_ID=630 | grep -q '^on-failure step start failed: ' ||
	fail "VM_LEFT_DOWN REASON: $(journal_field REASON JOB_ID="$job" EVENT_ID=630)"
assert_eq "$(guest_state vdc)" "shut off" "VM without its disk"
watch_stop
