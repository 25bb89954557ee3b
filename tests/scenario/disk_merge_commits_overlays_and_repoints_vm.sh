#!/bin/bash
# merge commits a VM's snapshot overlays into their base: with the VM off by
# qemu-img commit, with it running by a libvirt block commit and pivot. After
# it the base reads what the top read before, the VM's definition uses the
# base, and the overlays are gone (or kept with keep-overlays). depth limits
# how many layers go; a base that another VM's overlay rests on is refused.
# No QEMU can open the top between the verification and its removal.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

testbed_journald
testbed_libvirtd
img=$TESTDIR/img
mkdir -p "$img"

# base <- mid <- top, each layer with data of its own.
make_chain3() {
	disk_make_chain "$img"
	mv "$img/top.qcow2" "$img/mid.qcow2"
	(cd "$img" && qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2)
	qio -f qcow2 -c 'write -P 0x77 2M 1M' -c 'write -P 0x78 50M 2M' "$img/top.qcow2"
	rm -rf "$TESTDIR/before"
	disk_snapshot "$img" "$TESTDIR/before"
}
source_of() {
	$VIRSH domblklist "$1" | awk -v t="$2" '$1 == t { print $2 }'
}

# --- VM off, all layers -----------------------------------------------------
make_chain3
testbed_guest vdc "$img/top.qcow2"
# A secret in the definition (a VNC password) survives the redefinition.
$VIRSH dumpxml --inactive --security-info vdc |
	sed "s|</devices>|<graphics type='vnc' autoport='yes' passwd='s3cret'/></devices>|" \
	>"$TESTDIR/vdc-vnc.xml"
$VIRSH define "$TESTDIR/vdc-vnc.xml" >/dev/null || fail "cannot add a VNC password"
# With a bandwidth limit (qemu-img commit -r) far above what it copies.
$EVTRIGGER action merge --vm vdc --connect qemu:///system -o bandwidth=1G \
	2>"$TESTDIR/err" || fail "merge failed: $(cat "$TESTDIR/err")"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read"
qemu-img check -q "$img/base.qcow2" || fail "base does not check clean"
assert_eq "$(source_of vdc vda)" "$img/base.qcow2" "vda source after merge"
$VIRSH dumpxml --inactive vdc | grep -q "type='qcow2'" || fail "driver type lost"
$VIRSH dumpxml --inactive --security-info vdc | grep -q "passwd='s3cret'" ||
	fail "the VNC password was lost by the redefinition"
[ -e "$img/top.qcow2" ] && fail "top overlay left"
[ -e "$img/mid.qcow2" ] && fail "mid overlay left"
journal_wait 1 10 EVENT_ID=612 VM=vdc STEP=merge DISK="$img/top.qcow2"
[ -n "$(journal_field SIZE_AFTER EVENT_ID=612 DISK="$img/top.qcow2")" ] || fail "no SIZE_AFTER"
[ "$(journal_count EVENT_ID=611 STEP=merge DISK="$img/top.qcow2")" -ge 1 ] || fail "no progress"
# Nothing to merge now: a STEP_SKIPPED, success.
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" ||
	fail "second merge failed: $(cat "$TESTDIR/err")"
assert_eq "$(journal_field REASON EVENT_ID=614 STEP=merge)" "no snapshot overlays" "REASON"
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# --- evtrigger jobs --vm shows the merge, its disk and percent --------------
make_chain3
qemu-img resize -q "$img/top.qcow2" 1G
qio -f qcow2 -c 'write -P 0x79 64M 400M' "$img/top.qcow2"
rm -rf "$TESTDIR/before"
disk_snapshot "$img" "$TESTDIR/before"
testbed_guest vdc "$img/top.qcow2"
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" &
job_pid=$!
# descendants PID: prints PID's descendants, depth first.
descendants() {
	local c
	for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
# Hold qemu-img still (SIGSTOP) while asking, so the answer cannot race it.
qimg=
for i in $(seq 600); do
	for p in $(descendants $job_pid); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = qemu-img ] && qimg=$p
	done
	[ -n "$qimg" ] && break
	kill -0 $job_pid 2>/dev/null || fail "merge ended before qemu-img was seen: $(cat "$TESTDIR/err")"
	sleep 0.05
done
[ -n "$qimg" ] || fail "no qemu-img under the merge job"
kill -STOP "$qimg"
$EVTRIGGER jobs --vm vdc --json >"$TESTDIR/jobs.json" || fail "evtrigger jobs failed"
kill -CONT "$qimg"
grep -q '"step":"merge"' "$TESTDIR/jobs.json" || fail "jobs does not show the merge step: $(cat "$TESTDIR/jobs.json")"
grep -q "\"item\":\"$img/top.qcow2\"" "$TESTDIR/jobs.json" || fail "jobs does not show the disk: $(cat "$TESTDIR/jobs.json")"
grep -q '"percent":[0-9]' "$TESTDIR/jobs.json" || fail "jobs shows no percent: $(cat "$TESTDIR/jobs.json")"
wait $job_pid || fail "merge failed: $(cat "$TESTDIR/err")"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read"
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# --- depth=1, keep-overlays -------------------------------------------------
make_chain3
testbed_guest vdc "$img/top.qcow2"
$EVTRIGGER action merge --vm vdc --connect qemu:///system -o depth=1 \
	-o keep-overlays=yes 2>"$TESTDIR/err" || fail "merge depth=1 failed: $(cat "$TESTDIR/err")"
assert_eq "$(source_of vdc vda)" "$img/mid.qcow2" "vda source after depth=1"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/mid.qcow2" ||
	fail "mid does not read what the top read"
[ -e "$img/top.qcow2" ] || fail "kept overlay removed"
cmp "$TESTDIR/before/base.qcow2" "$img/base.qcow2" || fail "depth=1 changed the base"
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# --- a base shared with another VM is refused -------------------------------
make_chain3
(cd "$img" && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 other.qcow2)
testbed_guest vdc "$img/top.qcow2"
testbed_guest other "$img/other.qcow2"
rc=0
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge into a shared base"
case $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc) in
*"also used by VM 'other'"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc)" ;;
esac
cmp "$TESTDIR/before/base.qcow2" "$img/base.qcow2" || fail "refused merge changed the base"
assert_eq "$(source_of vdc vda)" "$img/top.qcow2" "vda source after refusal"
$VIRSH undefine vdc >/dev/null
$VIRSH undefine other >/dev/null
# The same with another disk of the same VM on that base.
testbed_guest vdc "$img/top.qcow2" "$img/other.qcow2"
rc=0
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge into a base another disk of the VM uses"
case $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc) in
*"also used by another disk of VM 'vdc'"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc)" ;;
esac
cmp "$TESTDIR/before/base.qcow2" "$img/base.qcow2" || fail "refused merge changed the base"
$VIRSH undefine vdc >/dev/null
# Another VM using the base under another name (a symbolic link) is seen.
ln -s base.qcow2 "$img/alias.qcow2"
testbed_guest vdc "$img/top.qcow2"
testbed_guest other "$img/alias.qcow2"
rc=0
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge into a base another VM uses by a link"
case $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc) in
*"also used by VM 'other'"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc)" ;;
esac
$VIRSH undefine other >/dev/null
# A VM whose disk chain cannot be read counts as a user (fails closed).
(cd "$img" && qemu-img create -q -f qcow2 -b gone.qcow2 -F qcow2 -u broken.qcow2 1G)
testbed_guest broken "$img/broken.qcow2"
rc=0
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge beside a VM whose chain cannot be read"
case $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc) in
*"also used by VM 'broken' for all that can be told"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc)" ;;
esac
cmp "$TESTDIR/before/base.qcow2" "$img/base.qcow2" || fail "refused merge changed the base"
$VIRSH undefine broken >/dev/null
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# --- a VM starting between the compare and the removal of the overlays ------
# Its definition still names the top, so it would write into a file about to
# be removed. That moment lies between two qemu-img runs and cannot be
# reached from outside, so qemu-img is wrapped: the real one runs, and after
# the compare the wrapper does what a starting VM does first: qemu-io opens
# the top read-write (taking QEMU's lock) and writes. It must be refused.
make_chain3
testbed_guest vdc "$img/top.qcow2"
cat >"$TESTDIR/qemu-img" <<EOF
#!/bin/sh
$(command -v qemu-img) "\$@" || exit \$?
if [ "\$1" = compare ]; then
	if qemu-io -f qcow2 -c 'write -P 0x33 0 64k' "$img/top.qcow2" >/dev/null 2>&1; then
		echo wrote >>"$TESTDIR/intruder"
	else
		echo refused >>"$TESTDIR/intruder"
	fi
fi
EOF
chmod +x "$TESTDIR/qemu-img"
QEMU_IMG=$TESTDIR/qemu-img $EVTRIGGER action merge --vm vdc \
	--connect qemu:///system 2>"$TESTDIR/err" ||
	fail "merge with a writer waiting failed: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/intruder" 2>/dev/null)" refused \
	"a writer opening the top between the compare and the removal"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read"
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# The same writer, but between the commit and the compare (qemu-img commit
# needs the top for writing, so it cannot be locked before): it gets in, and
# the compare sees what it wrote: refused, the VM still uses its top.
make_chain3
testbed_guest vdc "$img/top.qcow2"
sed -i 's/= compare ]/= commit ]/' "$TESTDIR/qemu-img"
rm -f "$TESTDIR/intruder"
rc=0
QEMU_IMG=$TESTDIR/qemu-img $EVTRIGGER action merge --vm vdc \
	--connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge with a writer after the commit"
assert_eq "$(cat "$TESTDIR/intruder" 2>/dev/null)" wrote "writer after the commit"
case $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc) in
*"the base does not read the same as the chain"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge VM=vdc)" ;;
esac
assert_eq "$(source_of vdc vda)" "$img/top.qcow2" "vda source after refusal"
[ -e "$img/top.qcow2" ] || fail "top removed after a failed compare"
$VIRSH undefine vdc >/dev/null
rm -f "$img"/*

# --- VM running: block commit and pivot --------------------------------------
make_chain3
testbed_guest vdc "$img/top.qcow2"
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
guest_wait_console vdc 'evt-guest: ready' 120
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" ||
	fail "live merge failed: $(cat "$TESTDIR/err")"
assert_eq "$(guest_state vdc)" running "state after live merge"
assert_eq "$(source_of vdc vda)" "$img/base.qcow2" "live vda source"
$VIRSH dumpxml --inactive vdc | grep -q "$img/base.qcow2" ||
	fail "persistent definition still uses the overlay"
[ -e "$img/top.qcow2" ] && fail "top overlay left after live merge"
$VIRSH destroy vdc >/dev/null
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read (live)"
true
