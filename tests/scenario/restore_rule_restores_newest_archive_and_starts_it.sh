#!/bin/bash
# A rule restores: `steps = restore start` with `vm = vdc-standby` and
# `[restore] archive = DIR/*_vdc.tar.zst` takes the newest archive (by
# mtime), defines it as the rule's VM (new UUID) with its images in the
# rule's dir, and starts it; a second trigger finds the VM there and fails
# without touching it. `evtrigger check` refuses a relative dir.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/disk.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
testbed_libvirtd
watch_setup
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$STATE
img=$TESTDIR/img arch=$TESTDIR/archives
mkdir -p "$img" "$arch"
disk_make_chain "$img"
testbed_guest vdc "$img/top.qcow2"

# Two archives; the newer one is the one to restore.
$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$arch" -o 'name=old_{vm}.tar.zst' 2>"$TESTDIR/err" ||
	fail "archive: $(cat "$TESTDIR/err")"
touch -d 2001-01-01 "$arch/old_vdc.tar.zst"
qio -f qcow2 -c 'write -P 0x99 2M 1M' "$img/top.qcow2"
$EVTRIGGER action archive --vm vdc --connect qemu:///system \
	-o dir="$arch" -o 'name=new_{vm}.tar.zst' 2>"$TESTDIR/err" ||
	fail "archive: $(cat "$TESTDIR/err")"

cat >"$RULES/standby.rule" <<EOR
[trigger]
id = 4800

[job]
vm = vdc-standby
connect = qemu:///system
steps = restore start

[restore]
archive = $arch/*_vdc.tar.zst
dir = $TESTDIR/standby
EOR
$EVTRIGGER check --rules-dir "$RULES" >/dev/null 2>"$TESTDIR/err" ||
	fail "check: $(cat "$TESTDIR/err")"
mkdir "$TESTDIR/bad"
sed 's|^dir = .*|dir = standby|' "$RULES/standby.rule" >"$TESTDIR/bad/bad.rule"
rc=0
$EVTRIGGER check --rules-dir "$TESTDIR/bad" >/dev/null 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 3 "check of a relative restore dir"
grep -q "restore needs 'dir', an absolute path" "$TESTDIR/err" || fail "check message: $(cat "$TESTDIR/err")"

watch_start
"$EVCREATE" -i 4800 -d "restore the standby" || fail "evcreate"
journal_wait 1 180 EVENT_ID=601 RULE=standby
guest_wait_state vdc-standby running 60
grep -q "<source file='$TESTDIR/standby/top.qcow2'/>" <($VIRSH dumpxml --inactive vdc-standby) ||
	fail "vdc-standby does not use the restored image"
qemu-img compare -q -U "$img/top.qcow2" "$TESTDIR/standby/top.qcow2" ||
	fail "the newest archive was not the one restored"
[ "$($VIRSH domuuid vdc)" != "$($VIRSH domuuid vdc-standby)" ] || fail "same UUID"
journal_wait 1 10 EVENT_ID=612 RULE=standby STEP=restore ARCHIVE="$arch/new_vdc.tar.zst"

# Again: the VM exists, the job fails, the running VM is left alone.
"$EVCREATE" -i 4800 -d "again" || fail "evcreate"
journal_wait 1 120 EVENT_ID=602 RULE=standby
case $(journal_field ERROR EVENT_ID=613 RULE=standby STEP=restore) in
*"vm 'vdc-standby' exists: not replaced"*) ;;
*) fail "unexpected ERROR: $(journal_field ERROR EVENT_ID=613 RULE=standby)" ;;
esac
assert_eq "$(guest_state vdc-standby)" running "vdc-standby after the refused restore"
watch_stop
$VIRSH destroy vdc-standby >/dev/null 2>&1
exit 0
