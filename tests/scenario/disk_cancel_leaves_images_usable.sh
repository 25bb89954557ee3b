#!/bin/bash
# Cancelling compact, archive or merge in the middle stops qemu-img, leaves
# the images reading as before, removes the temporary or partial file at
# once, and says so: merge's STEP_WARNING tells that the chain still reads
# the same data and the VM still uses its top. (The steps run as jobs of
# `evtrigger action`, which SIGTERM cancels as `evtrigger cancel` would.)
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"
. "$TOP/tests/lib/disk.sh"

testbed_journald
testbed_libvirtd
img=$TESTDIR/img out=$TESTDIR/out
mkdir -p "$img" "$out"
disk_make_chain "$img"
qemu-img resize -q "$img/top.qcow2" 1G
qio -f qcow2 -c 'write -P 0x9a 64M 700M' "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
cp "$img/base.qcow2" "$TESTDIR/base.pristine"
testbed_guest vdc "$img/top.qcow2"

# cancel_when TEST...: once `TEST...` holds, SIGTERMs the step and expects
# its job to end cancelled (exit 1 and a JOB_CANCELLED event).
cancel_when() {
	local i rc=0 n
	for i in $(seq 600); do
		"$@" && break
		kill -0 "$ACTION_PID" 2>/dev/null || fail "step ended before the cancel: $(cat "$TESTDIR/action.err")"
		sleep 0.05
	done
	n=$(journal_count EVENT_ID=603 VM=vdc)
	kill -TERM "$ACTION_PID"
	wait "$ACTION_PID" || rc=$?
	assert_eq "$rc" 1 "exit status of the cancelled step"
	journal_wait $((n + 1)) 10 EVENT_ID=603 VM=vdc
}
grown() { # FILE-GLOB BYTES
	local f
	f=$(compgen -G "$1" | head -n 1)
	[ -n "$f" ] && [ "$(stat -c %s "$f")" -gt "$2" ]
}

# --- compact ----------------------------------------------------------------
run_action_bg compact vdc --connect qemu:///system
cancel_when grown "$img/.top.qcow2.evt-compact.*" $((4 << 20))
[ -z "$(compgen -G "$img/.top.qcow2.evt-compact.*")" ] || fail "temporary file left after cancel"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" || fail "top changed by the cancel"
journal_wait 1 10 EVENT_ID=616 STEP=compact

# --- archive ----------------------------------------------------------------
run_action_bg archive vdc --connect qemu:///system -o dir="$out" -o compression=none
cancel_when grown "$out/.*.evt-archive.*" $((4 << 20))
assert_eq "$(ls -A "$out")" "" "files left after a cancelled archive"
journal_wait 1 10 EVENT_ID=616 STEP=archive

# --- merge ------------------------------------------------------------------
run_action_bg merge vdc --connect qemu:///system
cancel_when grown "$img/base.qcow2" $(($(stat -c %s "$TESTDIR/base.pristine") + (64 << 20)))
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "the chain reads differently after a cancelled commit"
disk_check_cut "$img/base.qcow2"
assert_eq "$($VIRSH domblklist vdc | awk '$1 == "vda" { print $2 }')" "$img/top.qcow2" "vda after cancel"
[ -e "$img/top.qcow2" ] || fail "overlay removed by a cancelled merge"
journal_wait 1 10 EVENT_ID=616 STEP=merge
case $(journal_field MESSAGE EVENT_ID=616 STEP=merge) in
*"still reads the same data and VM 'vdc' still uses $img/top.qcow2"*) ;;
*) fail "unexpected cancel message: $(journal_field MESSAGE EVENT_ID=616 STEP=merge)" ;;
esac
