#!/bin/bash
# evtrigger-listen --bus: a guest's event over its channel never goes to the
# bus; the listener writes it to this host's journal itself and answers once
# it is there, as without --bus (no EVENT_ENTRY_HOST, no EVENT_PLACEMENT),
# while the bus (the stand-in tests/tools/fake-bus.py, running and connected)
# sees no request. A resend of the same uuid is answered OK and written no
# second time (the listener's own look-up, as ever for guests).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
lower=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2d
cat >"$TESTDIR/send.sh" <<GUEST
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
printf 'type=warning id=777 source=John description="from the guest" uuid=$lower\n' >&3
read -r answer <&3
echo "evt-guest: answer 1: \$answer"
printf 'type=warning id=777 source=John description="from the guest" uuid=$lower\n' >&3
read -r answer <&3
echo "evt-guest: answer 2: \$answer"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc

chmod 755 "$TESTDIR"
mkdir -p "$TESTDIR/bus" && chown "$LISTEN_USER" "$TESTDIR/bus"
SOCK=$TESTDIR/bus/bus.sock
setpriv --reuid="$LISTEN_UID" --regid="$LISTEN_UID" --init-groups \
	/usr/bin/python3 "$TOP/tests/tools/fake-bus.py" "$SOCK" \
	--control "$TESTDIR/bus" >>"$TESTDIR/bus.log" 2>&1 &
testbed_at_exit "kill $! 2>/dev/null"
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "the stand-in bus did not start: $(cat "$TESTDIR/bus.log")"
listen_start --bus "$SOCK"
for _ in $(seq 100); do
	grep -q "connected to the event bus" "$LISTEN_LOG" && break
	sleep 0.1
done
grep -q "connected to the event bus" "$LISTEN_LOG" || fail "no bus connection: $(cat "$LISTEN_LOG") bus: $(cat "$TESTDIR/bus.log")"
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: script exit' 120
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"
for n in 1 2; do
	answer=$(sed -n "s/^evt-guest: answer $n: //p" "$TESTDIR/vdc.console" | tr -d '\r')
	assert_eq "$answer" "OK $lower" "the guest's answer $n"
done
m="EVENT_UUID=$lower"
assert_eq "$(journal_count $m)" 1 "entries of the event"
assert_eq "$(journal_field _UID $m)" "$LISTEN_UID" "_UID (the listener's user)"
assert_eq "$(journal_field EVENT_AUTH $m)" channel "EVENT_AUTH"
assert_eq "$(journal_field EVENT_SENDER $m)" vdc "EVENT_SENDER"
assert_eq "$(journal_field EVENT_PLACEMENT $m)" "" "EVENT_PLACEMENT of a guest's event"
assert_eq "$(journal_field EVENT_ENTRY_HOST $m)" "" "EVENT_ENTRY_HOST of a guest's event"
assert_eq "$(cat "$TESTDIR/bus/requests")" "" "requests the bus saw"
listen_stop
echo ok
