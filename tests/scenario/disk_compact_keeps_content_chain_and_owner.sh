#!/bin/bash
# compact shrinks a qcow2 overlay (rewritten beside, verified, renamed: same
# content, same backing file, owner and mode) and a raw image (holes punched
# where blocks are zero: same content), leaves a disk its skip pattern names
# alone with a STEP_SKIPPED event, logs sizes before and after, and refuses
# while the VM runs. No QEMU can open the original for writing between the
# verification and the rename.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

testbed_journald
testbed_libvirtd
img=$TESTDIR/img
mkdir -p "$img"
disk_make_chain "$img"
disk_make_raw "$img/data.raw" 16
truncate -s 8M "$img/vm-swap.raw"
chown 4242:4343 "$img/top.qcow2"
chmod 0640 "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
testbed_guest vdc "$img/top.qcow2" "$img/data.raw" "$img/vm-swap.raw"

top_before=$(disk_alloc "$img/top.qcow2")
raw_before=$(disk_alloc "$img/data.raw")
swap_mtime=$(stat -c %Y.%i "$img/vm-swap.raw")

$EVTRIGGER action compact --vm vdc --connect qemu:///system \
	-o 'skip=*swap* "wsus data"' 2>"$TESTDIR/err" ||
	fail "compact failed: $(cat "$TESTDIR/err")"

# Same content, same chain.
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 reads differently after compaction"
qemu-img check -q "$img/top.qcow2" || fail "top.qcow2 does not check clean"
assert_eq "$(qemu-img info --output=json "$img/top.qcow2" |
	sed -n 's/.*"backing-filename": "\(.*\)".*/\1/p')" base.qcow2 "backing file"
qemu-img compare -q -f raw -F raw "$TESTDIR/before/data.raw" "$img/data.raw" ||
	fail "data.raw reads differently after hole punching"
cmp "$TESTDIR/before/data.raw" "$img/data.raw" || fail "data.raw bytes differ"
assert_eq "$(stat -c %u:%g:%a "$img/top.qcow2")" 4242:4343:640 "owner and mode"
assert_eq "$(stat -c %Y.%i "$img/vm-swap.raw")" "$swap_mtime" "swap untouched"

# Smaller on the host, as the events say.
top_after=$(disk_alloc "$img/top.qcow2")
raw_after=$(disk_alloc "$img/data.raw")
[ "$top_after" -lt "$top_before" ] || fail "top.qcow2 not smaller: $top_before -> $top_after"
[ "$raw_after" -lt "$raw_before" ] || fail "data.raw not smaller: $raw_before -> $raw_after"
journal_wait 1 10 EVENT_ID=612 VM=vdc STEP=compact DISK="$img/top.qcow2"
assert_eq "$(journal_field SIZE_BEFORE EVENT_ID=612 DISK="$img/top.qcow2")" "$top_before" "SIZE_BEFORE"
assert_eq "$(journal_field SIZE_AFTER EVENT_ID=612 DISK="$img/top.qcow2")" "$top_after" "SIZE_AFTER"
[ -n "$(journal_field DURATION_USEC EVENT_ID=612 DISK="$img/top.qcow2")" ] || fail "no DURATION_USEC"
assert_eq "$(journal_field SIZE_AFTER EVENT_ID=612 DISK="$img/data.raw")" "$raw_after" "raw SIZE_AFTER"
[ "$(journal_count EVENT_ID=611 DISK="$img/top.qcow2")" -ge 1 ] || fail "no progress event"
assert_eq "$(journal_field REASON EVENT_ID=614 DISK="$img/vm-swap.raw")" \
	"matches skip pattern '*swap*'" "skip REASON"
# Nothing left beside the images.
[ -z "$(ls -A "$img" | grep '^\.')" ] || fail "files left in $img: $(ls -A "$img")"

# An image another VM holds open (QEMU's lock): refused, nothing touched.
testbed_guest other "$img/data.raw"
$VIRSH start other >/dev/null || fail "cannot start other"
guest_wait_state other running 60
cp --sparse=always "$img/data.raw" "$TESTDIR/data.in-use"
rc=0
$EVTRIGGER action compact --vm vdc --connect qemu:///system \
	-o 'skip=*swap* top.qcow2' 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "compact of an image in use"
case $(journal_field ERROR EVENT_ID=613 VM=vdc STEP=compact) in
*"$img/data.raw: the image is in use"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 VM=vdc STEP=compact)" ;;
esac
$VIRSH destroy other >/dev/null
cmp "$TESTDIR/data.in-use" "$img/data.raw" || fail "data.raw changed by the refused run"

# While the VM runs: refused, nothing touched.
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
guest_wait_state vdc running 60
rc=0
$EVTRIGGER action compact --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "compact of a running VM"
case $(journal_field ERROR EVENT_ID=613 VM=vdc STEP=compact) in
*"it is running"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 VM=vdc)" ;;
esac
$VIRSH destroy vdc >/dev/null
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 changed by the refused run"

# A VM starting between the last check and the rename must not write into
# the file being replaced (its writes would be lost). That moment lies
# between two qemu-img runs and cannot be reached from outside, so qemu-img
# is wrapped: the real one runs, and after the compare the wrapper does what
# a starting VM does first: qemu-io opens the original read-write (taking
# QEMU's lock) and writes. It must be refused.
rm -rf "$TESTDIR/before"
disk_snapshot "$img" "$TESTDIR/before"
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
QEMU_IMG=$TESTDIR/qemu-img $EVTRIGGER action compact --vm vdc \
	--connect qemu:///system -o 'skip=*.raw' 2>"$TESTDIR/err" ||
	fail "compact with a writer waiting failed: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/intruder" 2>/dev/null)" refused \
	"a writer opening the image between the compare and the rename"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 reads differently after the second compaction"
