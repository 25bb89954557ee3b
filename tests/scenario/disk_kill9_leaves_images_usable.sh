#!/bin/bash
# A job process killed with SIGKILL in the middle of compact, merge or archive
# leaves the images reading as before (qemu-img, its child, dies with it), no
# archive under its final name, and notes from which the step's recover()
# removes the leftover temporary file and reports the state. (The job runner
# reports the interruption itself and calls recover(); here the stand-in
# runner tests/tools/action-host plays it, with a notes file that survives
# the kill, so the modules are tested alone.)
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/action.sh"
. "$TOP/tests/lib/disk.sh"

testbed_journald
testbed_libvirtd
img=$TESTDIR/img out=$TESTDIR/out
mkdir -p "$img" "$out"
disk_make_chain "$img"
# Enough data in the overlay for qemu-img to take a while on it.
qio -f qcow2 -c 'write -P 0x99 0 48M' "$img/top.qcow2"
qemu-img resize -q "$img/top.qcow2" 1G
qio -f qcow2 -c 'write -P 0x9a 64M 700M' "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
testbed_guest vdc "$img/top.qcow2"

# kill_when_growing GLOB: waits until a file matching GLOB exists and holds
# data, then kills the step with SIGKILL and waits for its qemu-img to go.
kill_when_growing() {
	local glob=$1 i f= kids
	for i in $(seq 600); do
		f=$(compgen -G "$glob" | head -n 1)
		[ -n "$f" ] && [ "$(stat -c %s "$f")" -gt $((4 << 20)) ] && break
		kill -0 "$ACTION_PID" 2>/dev/null || fail "step ended before the kill: $(cat "$TESTDIR/action.err")"
		sleep 0.05
	done
	[ -n "$f" ] || fail "no file matching $glob appeared"
	kids=$(pgrep -P "$ACTION_PID" || true)
	kill -9 "$ACTION_PID"
	wait "$ACTION_PID" 2>/dev/null
	for k in $kids; do
		for i in $(seq 200); do [ -e "/proc/$k" ] || break; sleep 0.05; done
		[ -e "/proc/$k" ] && fail "qemu-img $k outlived the killed step"
	done
	echo "$f"
}

# --- compact ----------------------------------------------------------------
rm -f "$TESTDIR/action.notes"
run_action_bg compact vdc
tmp=$(kill_when_growing "$img/.top.qcow2.evt-compact.*")
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 changed by the killed compaction"
assert_eq "$(action_note compact-temp)" "$tmp" "compact-temp note"
run_action compact vdc --recover || fail "compact recover: $(cat "$TESTDIR/action.err")"
[ -e "$tmp" ] && fail "recover left $tmp"
journal_wait 1 10 EVENT_ID=615 STEP=compact MESSAGE="removed $tmp left by an interrupted compaction; the image it was made from was not changed"

# --- archive ----------------------------------------------------------------
rm -f "$TESTDIR/action.notes"
run_action_bg archive vdc -o dir="$out" -o compression=none
tmp=$(kill_when_growing "$out/.*.evt-archive.*")
[ -z "$(ls "$out")" ] || fail "something under a final name: $(ls "$out")"
run_action archive vdc --recover -o dir="$out" || fail "archive recover: $(cat "$TESTDIR/action.err")"
assert_eq "$(ls -A "$out")" "" "files left after recover"

# --- merge: the commit is cut, the chain still reads the same ---------------
rm -f "$TESTDIR/action.notes"
cp "$img/base.qcow2" "$TESTDIR/base.pristine"
run_action_bg merge vdc
# The base grows as data is committed into it.
for i in $(seq 600); do
	[ "$(stat -c %s "$img/base.qcow2")" -gt $(($(stat -c %s "$TESTDIR/base.pristine") + (64 << 20))) ] && break
	kill -0 "$ACTION_PID" 2>/dev/null || fail "merge ended before the kill: $(cat "$TESTDIR/action.err")"
	sleep 0.05
done
kids=$(pgrep -P "$ACTION_PID" || true)
kill -9 "$ACTION_PID"
wait "$ACTION_PID" 2>/dev/null
for k in $kids; do
	for i in $(seq 200); do [ -e "/proc/$k" ] || break; sleep 0.05; done
done
cmp -s "$TESTDIR/base.pristine" "$img/base.qcow2" && fail "the kill came before the commit wrote anything"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "the chain reads differently after a cut commit"
disk_check_cut "$img/base.qcow2"
assert_eq "$($VIRSH domblklist vdc | awk '$1 == "vda" { print $2 }')" "$img/top.qcow2" "vda after a cut merge"
assert_eq "$(action_note merge-phase)" commit "merge-phase note"
run_action merge vdc --recover || fail "merge recover: $(cat "$TESTDIR/action.err")"
journal_wait 1 10 EVENT_ID=616 STEP=merge
case $(journal_field MESSAGE EVENT_ID=616 STEP=merge) in
*"still reads the same data"*) ;;
*) fail "unexpected recovery message: $(journal_field MESSAGE EVENT_ID=616 STEP=merge)" ;;
esac
# And merging again finishes the job.
run_action merge vdc || fail "merge after recovery: $(cat "$TESTDIR/action.err")"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read"
