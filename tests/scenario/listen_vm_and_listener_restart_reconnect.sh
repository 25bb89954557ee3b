#!/bin/bash
# The listener follows its guests: when the listener restarts, the guest's
# next write waits and is delivered by the new listener; when the VM
# restarts, libvirt gives its channel a new socket, read from the new live
# XML, and the listener attaches to that one (a second CHANNEL_ATTACHED,
# after a CHANNEL_DETACHED) and serves the guest again.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
cat >"$TESTDIR/send.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
boot=$(cat /proc/sys/kernel/random/uuid)
printf 'id=301 source=John description="first of boot %s"\n' "$boot" >&3
read -r answer <&3
echo "evt-guest: first: $answer"
# The host side goes away when the listener stops: the read sees EOF.
read -r nothing <&3
echo "evt-guest: host gone"
printf 'id=302 source=John description="after the listener restart %s"\n' "$boot" >&3
read -r answer <&3
echo "evt-guest: second: $answer"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
sock1=$(guest_channel_socket vdc) || exit 1
guest_wait_console vdc 'evt-guest: first: OK ' 120
listen_stop
guest_wait_console vdc 'evt-guest: host gone' 60
listen_start
guest_wait_console vdc 'evt-guest: second: OK ' 60
assert_eq "$(journal_count EVENT_ID=301 EVENT_SENDER=vdc)" 1 "first events"
assert_eq "$(journal_count EVENT_ID=302 EVENT_SENDER=vdc)" 1 "events after the listener restart"
assert_eq "$(journal_field SOCKET EVENT_ID=650 VM=vdc)" "$sock1" "socket attached"

# The VM restarts: a new QEMU, a new socket.
$VIRSH destroy vdc >/dev/null || fail "cannot destroy vdc"
journal_wait 1 60 EVENT_ID=651 VM=vdc
$VIRSH start vdc >/dev/null || fail "cannot start vdc again"
sock2=$(guest_channel_socket vdc) || exit 1
[ "$sock2" != "$sock1" ] || note "libvirt kept the socket path $sock1"
guest_wait_console vdc 'evt-guest: first: OK ' 120 2
# Three attaches: the first listener, the restarted one, the new VM.
journal_wait 3 30 EVENT_ID=650 VM=vdc
assert_eq "$(journal_field SOCKET EVENT_ID=650 VM=vdc)" "$sock2" "socket attached after the VM restart"
assert_eq "$(journal_count EVENT_ID=301 EVENT_SENDER=vdc)" 2 "first events of both boots"
listen_stop
