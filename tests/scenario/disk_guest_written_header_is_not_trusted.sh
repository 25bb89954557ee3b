#!/bin/bash
# A guest can write anything at the start of its raw disk, a qcow2 header
# naming a host file as its "backing file" included. The disk actions take
# the format from the VM's definition and never probe it: archive does not
# pull the host file into the archive, merge does not commit into it,
# compact treats the disk as the raw disk it is. An overlay that does not
# record its backing file's format is refused rather than probed.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

testbed_journald
testbed_libvirtd
img=$TESTDIR/img out=$TESTDIR/out
mkdir -p "$img" "$out"
echo "host secret" >"$TESTDIR/secret"
cp "$TESTDIR/secret" "$TESTDIR/secret.orig"
# What the guest wrote: the bytes of a qcow2 image over the secret.
qemu-img create -q -f qcow2 -b "$TESTDIR/secret" -F raw "$TESTDIR/evil.qcow2" 1M
truncate -s 16M "$img/guest.raw"
dd if="$TESTDIR/evil.qcow2" of="$img/guest.raw" conv=notrunc status=none
qemu-img info "$img/guest.raw" 2>/dev/null | grep -q "backing file: $TESTDIR/secret" ||
	fail "test image is not what a prober would take for an overlay"
cp --sparse=always "$img/guest.raw" "$TESTDIR/guest.orig"
testbed_guest vdc "$img/guest.raw"     # type='raw' in the definition

$EVTRIGGER action archive --vm vdc --connect qemu:///system -o dir="$out" \
	-o name=a.tar 2>"$TESTDIR/err" || fail "archive failed: $(cat "$TESTDIR/err")"
bsdtar -tf "$out/a.tar" | grep -q secret && fail "the host file was archived"
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" ||
	fail "merge failed: $(cat "$TESTDIR/err")"
assert_eq "$(journal_field REASON EVENT_ID=614 STEP=merge)" "no snapshot overlays" "merge REASON"
$EVTRIGGER action compact --vm vdc --connect qemu:///system 2>"$TESTDIR/err" ||
	fail "compact failed: $(cat "$TESTDIR/err")"
cmp "$TESTDIR/secret.orig" "$TESTDIR/secret" || fail "the host file changed"
cmp "$TESTDIR/guest.orig" "$img/guest.raw" || fail "the guest's bytes changed"
$VIRSH undefine vdc >/dev/null

# An overlay without a recorded backing format, as older qemu-img made them:
# the header extension that records it is cut off (its magic zeroed ends the
# extension list).
qemu-img create -q -f qcow2 "$img/base.qcow2" 16M
qemu-img create -q -f qcow2 -b "$img/base.qcow2" -F qcow2 "$img/top.qcow2"
python3 - "$img/top.qcow2" <<'PY'
import sys
with open(sys.argv[1], 'r+b') as f:
    head = bytearray(f.read(4096))
    i = head.find(b'\xe2\x79\x2a\xca')     # QCOW2_EXT_MAGIC_BACKING_FORMAT
    assert 0 < i, 'no backing format extension'
    f.seek(i)
    f.write(b'\0\0\0\0')
PY
qemu-img info --output=json "$img/top.qcow2" | grep -q backing-filename-format &&
	fail "test image still records its backing format"
testbed_guest vdc "$img/top.qcow2"
rc=0
$EVTRIGGER action merge --vm vdc --connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "merge of an overlay without backing format"
case $(journal_field ERROR EVENT_ID=613 STEP=merge) in
*"does not record the format of its backing file"*"refusing to probe it"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=merge)" ;;
esac
