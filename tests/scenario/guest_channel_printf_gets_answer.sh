#!/bin/bash
# The guest side of the channel with no evcreate at all, as doc/guest.md shows
# it: a busybox guest with the org.evtrigger.0 channel (its /dev/virtio-ports
# link made by the doc's sysfs loop) writes one event line to
# /dev/virtio-ports/org.evtrigger.0 with printf and reads the answer line from
# the same port, then sends one more line fire-and-forget. The host side here
# is NOT the listener: it is channel_standin (tests/lib/vm.sh), a stand-in that
# records the lines and answers "OK <uuid>", connected to the socket path read
# from libvirt's live XML. The guest's first write is blocked until the
# stand-in connects.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"

# The examples, each checked to be in doc/guest.md.
cat >"$TESTDIR/ask.sh" <<'GUEST'
port=/dev/virtio-ports/org.evtrigger.0
exec 3<>"$port" || exit 1
printf 'type=warning id=777 source=John description="VDC Ready for compaction"\n' >&3
read -r answer <&3
echo "evt-guest: answer: $answer"
GUEST
cat >"$TESTDIR/forget.sh" <<'GUEST'
printf 'type=warning id=777 source=John description="VDC Ready for compaction"\n' > /dev/virtio-ports/org.evtrigger.0
GUEST
awk '/^\t\tports\(\) \{$/{f=1; next} f && /^\t\t\}$/{exit} f' "$TOP/tests/lib/vm.sh" \
	>"$TESTDIR/ports.sh"
[ -s "$TESTDIR/ports.sh" ] || fail "no ports() loop in tests/lib/vm.sh"
for f in ask forget ports; do
	assert_example_in "$TOP/doc/guest.md" "$TESTDIR/$f.sh"
done
{ cat "$TESTDIR/ask.sh"; echo 'exec 3<&-'; cat "$TESTDIR/forget.sh"; } >"$TESTDIR/send.sh"

testbed_libvirtd
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
sock=$(guest_channel_socket vdc) || exit 1
[ -S "$sock" ] || fail "the live XML names $sock, which is not a socket"
guest_wait_console vdc 'evt-guest: ready' 120
grep -qF 'evt-guest: channel org.evtrigger.0' "$TESTDIR/vdc.console" ||
	fail "the guest has no /dev/virtio-ports/org.evtrigger.0: $(tail -n 5 "$TESTDIR/vdc.console")"

# Stand-in for the listener (not evtrigger-listen).
channel_standin "$sock" ok "$TESTDIR/received" 2>"$TESTDIR/standin.err" &
standin=$!
testbed_at_exit "kill $standin 2>/dev/null"

guest_wait_console vdc 'evt-guest: script exit' 60
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"
answer=$(sed -n 's/^evt-guest: answer: //p' "$TESTDIR/vdc.console" | tr -d '\r')
uuid=$(sed -n '1s/^answered: OK //p' "$TESTDIR/received.answers")
[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
	fail "stand-in answer has no uuid: $(cat "$TESTDIR/received.answers")"
assert_eq "$answer" "OK $uuid" "answer the guest read from the port"
# The fire-and-forget line arrives too (its write returned once it was in
# the queue; the stand-in may still be reading it).
for i in $(seq 100); do
	[ "$(wc -l <"$TESTDIR/received")" -ge 2 ] && break
	sleep 0.1
done
line='type=warning id=777 source=John description="VDC Ready for compaction"'
assert_eq "$(cat "$TESTDIR/received")" "$line
$line" "lines the stand-in received"
