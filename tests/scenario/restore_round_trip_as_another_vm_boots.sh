#!/bin/bash
# An archive made by the archive action comes back with `evtrigger restore
# --as`: the checksum is verified first, the images (a qcow2 overlay over its
# base, and a big mostly empty raw disk) are extracted sparse into the
# chosen directory, the overlay's backing reference points at the restored
# base, every disk reads as the original (qemu-img compare), the definition
# has the new name, a new UUID and the restored paths, and the restored VM
# boots. Refused without writing anything: a VM that exists, a file that
# exists, a damaged archive.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

testbed_journald
testbed_libvirtd
img=$TESTDIR/img out=$TESTDIR/out
mkdir -p "$img" "$out"
disk_make_chain "$img"
truncate -s 1G "$img/big.raw"
for o in 0 300 900; do qio -f raw -c "write -P 0x5a ${o}M 2M" "$img/big.raw"; done
# A second overlay of the same base, naming it by its absolute path: restored
# elsewhere, that name must be rewritten (qemu-img rebase -u).
qemu-img create -q -f qcow2 -b "$img/base.qcow2" -F qcow2 "$img/abs.qcow2" ||
	fail "qemu-img create abs.qcow2"
qio -f qcow2 -c 'write -P 0x77 5M 1M' "$img/abs.qcow2"
testbed_guest vdc "$img/top.qcow2" "$img/big.raw" "$img/abs.qcow2"

$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$out" -o 'name={vm}.tar.zst' 2>"$TESTDIR/err" ||
	fail "archive failed: $(cat "$TESTDIR/err")"
arch=$out/vdc.tar.zst

# The round trip, as another VM, into a directory of our choosing.
rc=0
$EVTRIGGER restore "$arch" --dir "$TESTDIR/r" --as vdc2 \
	--connect qemu:///system 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 0 "restore exit status ($(cat "$TESTDIR/err"))"
for f in top.qcow2 base.qcow2 big.raw abs.qcow2; do
	[ -f "$TESTDIR/r/$f" ] || fail "$f not restored: $(ls -A "$TESTDIR/r")"
done
assert_eq "$(ls -A "$TESTDIR/r" | sort | tr '\n' ' ')" \
	"abs.qcow2 base.qcow2 big.raw top.qcow2 " "files in the restore directory"
# Sparse: 1 GiB of size, a few MiB allocated.
alloc=$(disk_alloc "$TESTDIR/r/big.raw")
[ "$alloc" -lt $((64 << 20)) ] || fail "big.raw restored with $alloc bytes allocated: not sparse"
assert_eq "$(stat -c %s "$TESTDIR/r/big.raw")" $((1 << 30)) "big.raw size"
# The overlay reads through the restored base, not the original.
qemu-img info --output=json "$TESTDIR/r/top.qcow2" | grep -q "\"full-backing-filename\": \"$TESTDIR/r/base.qcow2\"" ||
	fail "overlay does not point at the restored base: $(qemu-img info "$TESTDIR/r/top.qcow2")"
# The absolute reference now names the restored base; the relative one
# ("base.qcow2") already found it and is left as written.
qemu-img info --output=json "$TESTDIR/r/abs.qcow2" | grep -q "\"backing-filename\": \"$TESTDIR/r/base.qcow2\"" ||
	fail "abs.qcow2 not rebased onto the restored base: $(qemu-img info "$TESTDIR/r/abs.qcow2")"
qemu-img info --output=json "$TESTDIR/r/top.qcow2" | grep -q '"backing-filename": "base.qcow2"' ||
	fail "top.qcow2's relative backing name changed"
for f in top.qcow2 base.qcow2 big.raw abs.qcow2; do
	qemu-img compare -q "$img/$f" "$TESTDIR/r/$f" ||
		fail "restored $f reads differently from the original"
done
# The definition: new name, new UUID, restored paths, original untouched.
$VIRSH dumpxml --inactive vdc2 >"$TESTDIR/vdc2.xml" || fail "vdc2 not defined"
grep -q "<source file='$TESTDIR/r/top.qcow2'/>" "$TESTDIR/vdc2.xml" ||
	fail "vdc2 does not use the restored top.qcow2: $(grep source "$TESTDIR/vdc2.xml")"
grep -q "<source file='$TESTDIR/r/big.raw'/>" "$TESTDIR/vdc2.xml" ||
	fail "vdc2 does not use the restored big.raw"
u1=$($VIRSH domuuid vdc) u2=$($VIRSH domuuid vdc2)
[ -n "$u2" ] && [ "$u1" != "$u2" ] || fail "vdc2 has vdc's UUID ($u1 / $u2)"
grep -q "<source file='$img/top.qcow2'/>" <($VIRSH dumpxml --inactive vdc) ||
	fail "the original VM's definition changed"
journal_wait 1 10 EVENT_ID=612 STEP=restore ARCHIVE="$arch"

# The restored VM boots (its console file is the original's: count boots).
before=$(grep -cF 'evt-guest: ready' "$TESTDIR/vdc.console" 2>/dev/null || true)
$VIRSH start vdc2 >/dev/null || fail "cannot start vdc2"
guest_wait_state vdc2 running 60
guest_wait_console vdc 'evt-guest: ready' 120 $((${before:-0} + 1))
$VIRSH destroy vdc2 >/dev/null 2>&1

# Refusals, each leaving nothing behind.
refused() { # WHAT EXPECTED-TEXT DIR ARGS...
	local what=$1 text=$2 dir=$3 rc=0
	shift 3
	local files_before
	files_before=$(ls -A "$dir" 2>/dev/null | sort | tr '\n' ' ')
	$EVTRIGGER restore "$@" --dir "$dir" --connect qemu:///system \
		2>"$TESTDIR/err" || rc=$?
	assert_eq "$rc" 1 "restore refused: $what"
	grep -qF -- "$text" "$TESTDIR/err" ||
		fail "$what: expected '$text' in: $(cat "$TESTDIR/err")"
	assert_eq "$(ls -A "$dir" 2>/dev/null | sort | tr '\n' ' ')" \
		"$files_before" "files after the refused restore ($what)"
}
# A VM of that name exists (the original, or the first restore).
refused "existing vm" "vm 'vdc' exists: not replaced" "$TESTDIR/r3" "$arch"
refused "existing vm (as)" "vm 'vdc2' exists: not replaced" "$TESTDIR/r3" "$arch" --as vdc2
# A file that exists in the directory.
mkdir -p "$TESTDIR/r4"
echo keep >"$TESTDIR/r4/big.raw"
refused "existing file" "big.raw exists: not replaced" "$TESTDIR/r4" "$arch" --as vdc3
assert_eq "$(cat "$TESTDIR/r4/big.raw")" keep "the existing file's content"
$VIRSH dominfo vdc3 >/dev/null 2>&1 && fail "vdc3 defined although refused"
# A damaged archive: one byte changed.
cp "$arch" "$out/bad.tar.zst"
sed "s/vdc.tar.zst/bad.tar.zst/" "$arch.sha256" >"$out/bad.tar.zst.sha256"
printf '\x00' | dd of="$out/bad.tar.zst" bs=1 seek=$(($(stat -c %s "$out/bad.tar.zst") / 2)) conv=notrunc status=none
cmp -s "$arch" "$out/bad.tar.zst" && printf '\x01' | dd of="$out/bad.tar.zst" bs=1 seek=$(($(stat -c %s "$out/bad.tar.zst") / 2)) conv=notrunc status=none
refused "bad checksum" "does not match its checksum file" "$TESTDIR/r5" "$out/bad.tar.zst" --as vdc5
# No checksum file at all.
cp "$arch" "$out/nosum.tar.zst"
refused "no checksum" "no checksum file" "$TESTDIR/r6" "$out/nosum.tar.zst" --as vdc6
for n in vdc3 vdc5 vdc6; do
	$VIRSH dominfo $n >/dev/null 2>&1 && fail "$n defined although refused"
done
[ -z "$(ls -A "$TESTDIR/r" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$TESTDIR/r")"
exit 0
