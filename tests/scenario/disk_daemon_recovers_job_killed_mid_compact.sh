#!/bin/bash
# Through the whole daemon: an event fires a rule whose job compacts a VM's
# disk; the job process is killed with SIGKILL in the middle. The image reads
# as before, evtrigger reports the job interrupted (JOB_INTERRUPTED), and the
# recovery job runs compact's recover(), which removes the temporary copy
# and says the image was not changed.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/disk.sh"

testbed_journald
testbed_libvirtd
watch_setup
img=$TESTDIR/img
mkdir -p "$img"
disk_make_chain "$img"
qemu-img resize -q "$img/top.qcow2" 1G
qio -f qcow2 -c 'write -P 0x9a 64M 700M' "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
testbed_guest vdc "$img/top.qcow2"

cat >"$RULES/777-vdc.rule" <<EOR
[trigger]
id = 777
[job]
vm = vdc
connect = qemu:///system
steps = compact
[compact]
skip = *swap*
EOR
watch_start
watch_event 777 1

# qemu-img has the temporary copy open (the job process too): its parent
# is the job process.
tmp= qimg=
for i in $(seq 1200); do
	tmp=$(compgen -G "$img/.top.qcow2.evt-compact.*" | head -n 1)
	if [ -n "$tmp" ] && [ "$(stat -c %s "$tmp")" -gt $((4 << 20)) ]; then
		for p in $(fuser "$tmp" 2>/dev/null); do
			[ "$(cat /proc/$p/comm 2>/dev/null)" = qemu-img ] && qimg=$p
		done
		[ -n "$qimg" ] && break
	fi
	sleep 0.05
done
[ -n "$qimg" ] || fail "no compaction in progress seen: $(tail -n 20 "$TESTDIR/evtrigger.log")"
job=$(awk '{ print $4 }' "/proc/$qimg/stat")
kill -9 "$job"

journal_wait 1 60 EVENT_ID=604 VM=vdc
assert_eq "$(journal_field STEP EVENT_ID=604 VM=vdc)" compact "interrupted step"
# The recovery job's compact step finishes after recover() said what it did.
journal_wait 1 60 EVENT_ID=612 STEP=compact
journalctl --no-pager -q -o cat EVENT_ID=615 STEP=compact |
	grep -qF "removed $tmp left by an interrupted compaction; the image it was made from was not changed" ||
	fail "no recovery notice: $(journalctl --no-pager -q -o cat EVENT_ID=615 STEP=compact)"
[ -e "$tmp" ] && fail "temporary copy left after recovery"
for i in $(seq 200); do [ -e "/proc/$qimg" ] || break; sleep 0.05; done
[ -e "/proc/$qimg" ] && fail "qemu-img outlived its job"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 changed by the killed job"
watch_stop
