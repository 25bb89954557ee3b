#!/bin/bash
# libvirtd restarts while the listener runs: the guest channels the listener
# holds stay attached (QEMU keeps running), the listener connects to libvirt
# again on its own, and it still follows lifecycle events: the guest,
# restarted afterwards, is attached on its new socket and served.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
cat >"$TESTDIR/send.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
printf 'id=401 source=John description="boot %s"\n' "$(cat /proc/sys/kernel/random/uuid)" >&3
read -r answer <&3
echo "evt-guest: answer: $answer"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: answer: OK ' 120

# Restart libvirtd (its state is on the scenario's tmpfs; QEMU runs on).
kill "$LIBVIRTD_PID"
wait "$LIBVIRTD_PID" 2>/dev/null
libvirtd --pid-file "$TESTDIR/libvirtd.pid" >>"$TESTDIR/libvirtd.log" 2>&1 &
LIBVIRTD_PID=$!
for i in $(seq 600); do
	grep -q 'connected to qemu:///system' "$LISTEN_LOG" && break
	kill -0 "$LISTEN_PID" 2>/dev/null || fail "the listener died: $(cat "$LISTEN_LOG")"
	sleep 0.1
done
grep -q 'connected to qemu:///system' "$LISTEN_LOG" ||
	fail "the listener did not reconnect to libvirt: $(cat "$LISTEN_LOG")"
assert_eq "$(journal_count EVENT_ID=650 VM=vdc)" 1 "attaches (the channel stayed)"
assert_eq "$(journal_count EVENT_ID=651 VM=vdc)" 0 "detaches"

$VIRSH destroy vdc >/dev/null || fail "cannot destroy vdc"
$VIRSH start vdc >/dev/null || fail "cannot start vdc again"
guest_wait_console vdc 'evt-guest: answer: OK ' 120 2
assert_eq "$(journal_count EVENT_ID=401 EVENT_SENDER=vdc)" 2 "events of both boots"
journal_wait 2 30 EVENT_ID=650 VM=vdc
listen_stop
