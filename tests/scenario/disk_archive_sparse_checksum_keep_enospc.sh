#!/bin/bash
# archive writes the VM's definition and its images (with backing files) into
# a dated pax archive that bsdtar lists and extracts to the same bytes, with
# sparse entries (a big, mostly empty image costs only its data), a checksum
# file sha256sum -c accepts, the newest `keep` archives of the VM kept (and
# nothing else touched); on a full disk the partial file is removed and the
# step fails with an ERROR event.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

testbed_journald
testbed_libvirtd
img=$TESTDIR/img out=$TESTDIR/out
mkdir -p "$img" "$out"
disk_make_chain "$img"
# 2 GiB, 24 MiB of it data in scattered places.
truncate -s 2G "$img/big.raw"
for o in 0 300 900 2000; do qio -f raw -c "write -P 0x5a ${o}M 6M" "$img/big.raw"; done
truncate -s 8M "$img/swap.raw"
testbed_guest vdc "$img/top.qcow2" "$img/big.raw" "$img/swap.raw"

# Files the pruning must never touch: another VM's archive, an unrelated file.
touch -d '2001-01-01' "$out/2001-01-01 other.tar.zst" "$out/notes.txt" \
	"$out/2001-01-01 vdc.tar.zst.bak"
# Two old archives of vdc by the same pattern (older by mtime).
for d in 2001-01-02 2001-01-03; do
	echo old >"$out/$d vdc.tar.zst"
	echo "x  $d vdc.tar.zst" >"$out/$d vdc.tar.zst.sha256"
	touch -d "$d" "$out/$d vdc.tar.zst" "$out/$d vdc.tar.zst.sha256"
done

$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$out" -o keep=2 -o 'skip=*swap*' 2>"$TESTDIR/err" ||
	fail "archive failed: $(cat "$TESTDIR/err")"
name="$(date +%Y-%m-%d) vdc.tar.zst"
[ -f "$out/$name" ] || fail "no archive '$name': $(ls "$out")"
(cd "$out" && sha256sum -c --quiet "$name.sha256") || fail "checksum does not match"
assert_eq "$(stat -c %a "$out/$name")" 600 "archive mode"

# keep=2: this one and the newest old one; never the others.
[ -e "$out/2001-01-02 vdc.tar.zst" ] && fail "oldest archive kept"
[ -e "$out/2001-01-02 vdc.tar.zst.sha256" ] && fail "oldest checksum kept"
[ -e "$out/2001-01-03 vdc.tar.zst" ] || fail "second newest archive removed"
for f in "2001-01-01 other.tar.zst" notes.txt "2001-01-01 vdc.tar.zst.bak"; do
	[ -e "$out/$f" ] || fail "pruning removed '$f'"
done
[ -z "$(ls -A "$out" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$out")"

# %F matches only a date: vdc's keep never takes vdc-db's archives (another
# VM whose name starts with vdc-).
mkdir "$TESTDIR/outf"
echo old >"$TESTDIR/outf/vdc-db-2001-01-01.tar"
echo old >"$TESTDIR/outf/vdc-2001-01-01.tar"
touch -d 2001-01-01 "$TESTDIR/outf"/*.tar
$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$TESTDIR/outf" -o 'name={vm}-%F.tar' -o compression=none \
	-o keep=1 -o 'skip=*' 2>"$TESTDIR/err" ||
	fail "archive with %F failed: $(cat "$TESTDIR/err")"
[ -e "$TESTDIR/outf/vdc-$(date +%F).tar" ] || fail "no %F archive: $(ls "$TESTDIR/outf")"
[ -e "$TESTDIR/outf/vdc-2001-01-01.tar" ] && fail "keep=1 kept vdc's old archive"
[ -e "$TESTDIR/outf/vdc-db-2001-01-01.tar" ] || fail "keep removed VM vdc-db's archive"
# A conversion that may give any text (%a) cannot be used with keep.
rc=0
$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$TESTDIR/outf" -o 'name={vm}-%a.tar' -o keep=1 \
	2>"$TESTDIR/err" || rc=$?
[ "$rc" -ne 0 ] || fail "keep with %a accepted"
grep -q "cannot be used with keep: its conversion '%a'" "$TESTDIR/err" ||
	fail "unexpected error: $(cat "$TESTDIR/err")"

# Contents: the definition, the chain (top and base), the big image; no swap.
bsdtar -tf "$out/$name" | sort >"$TESTDIR/list"
want=$(printf '%s\n' vdc.xml "${img#/}/top.qcow2" "${img#/}/base.qcow2" \
	"${img#/}/big.raw" | sort)
assert_eq "$(cat "$TESTDIR/list")" "$want" "archive members"
bsdtar -tvf "$out/$name" | grep -q 'swap' && fail "swap disk archived"

# Sparse: 2 GiB image, archive of a few MiB at most (test data compresses).
size=$(stat -c %s "$out/$name")
[ "$size" -lt $((8 << 20)) ] || fail "archive is $size bytes: not sparse?"

# Extracted, the images are the same bytes, and big.raw comes back sparse.
mkdir "$TESTDIR/x"
(cd "$TESTDIR/x" && bsdtar -xf "$out/$name") || fail "bsdtar cannot extract"
for f in top.qcow2 base.qcow2 big.raw; do
	cmp "$img/$f" "$TESTDIR/x/${img#/}/$f" || fail "$f differs after extraction"
done
qemu-img compare -q "$img/top.qcow2" "$TESTDIR/x/${img#/}/top.qcow2" ||
	fail "extracted chain reads differently"
alloc=$(disk_alloc "$TESTDIR/x/${img#/}/big.raw")
[ "$alloc" -lt $((64 << 20)) ] || fail "big.raw extracted with $alloc bytes allocated: not sparse"
grep -q "<name>vdc</name>" "$TESTDIR/x/vdc.xml" || fail "vdc.xml is not the definition"

# Events: progress, and the finish with sizes and checksum.
# (The module's STEP_FINISHED names the archive; the job runner logs its own.)
journal_wait 1 10 EVENT_ID=612 VM=vdc STEP=archive ARCHIVE="$out/$name"
assert_eq "$(journal_field SHA256 EVENT_ID=612 ARCHIVE="$out/$name")" \
	"$(cut -d' ' -f1 "$out/$name.sha256")" "SHA256"
[ "$(journal_count EVENT_ID=611 STEP=archive)" -ge 1 ] || fail "no progress event"

# gzip and xz by option, readable by bsdtar.
for c in gzip xz; do
	$EVTRIGGER action archive --vm vdc --connect qemu:///system \
		-o dir="$out" -o "name={vm}-$c.tar" -o compression=$c -o level=1 \
		-o 'skip=*swap* big.raw' 2>"$TESTDIR/err" ||
		fail "archive $c failed: $(cat "$TESTDIR/err")"
	bsdtar -tvf "$out/vdc-$c.tar" | grep -q top.qcow2 || fail "$c archive unreadable"
done

# A full disk: the partial archive is removed, the step fails with ERROR.
mkdir "$TESTDIR/small"
mount -t tmpfs -o size=1M tmpfs "$TESTDIR/small" || fail "cannot mount tmpfs"
testbed_at_exit "umount '$TESTDIR/small'"
# Incompressible data the archive cannot hold in 1 MiB.
dd if=/dev/urandom of="$img/big.raw" bs=1M count=4 conv=notrunc status=none
rc=0
$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$TESTDIR/small" -o 'skip=*swap*' 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "archive into a full file system"
assert_eq "$(ls -A "$TESTDIR/small")" "" "files left on the full file system"
case $(journal_field ERROR EVENT_ID=613 STEP=archive) in
*"No space left"*|*"space"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=archive)" ;;
esac

# A running VM is refused.
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
guest_wait_state vdc running 60
rc=0
$EVTRIGGER action archive --vm vdc --connect qemu:///system -o dir="$out" \
	-o 'name=running {vm}.tar' 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "archive of a running VM"
[ -e "$out/running vdc.tar" ] && fail "archive written of a running VM"
# A VM shut off with its memory saved (managedsave) is refused too: its
# saved state expects the disks as they are.
$VIRSH managedsave vdc >/dev/null || fail "cannot managedsave vdc"
rc=0
$EVTRIGGER action archive --vm vdc --connect qemu:///system -o dir="$out" \
	-o 'name=saved {vm}.tar' 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "archive of a VM with a saved state"
[ -e "$out/saved vdc.tar" ] && fail "archive written of a VM with a saved state"
case $(journal_field ERROR EVENT_ID=613 STEP=archive VM=vdc) in
*"vm 'vdc' has a saved state (virsh managedsave); start or discard it first"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 STEP=archive VM=vdc)" ;;
esac
$VIRSH managedsave-remove vdc >/dev/null
true
