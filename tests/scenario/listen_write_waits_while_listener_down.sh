#!/bin/bash
# A guest writes its event while no listener runs: the write waits (the
# virtio-serial port blocks while nothing is connected on the host), nothing
# is lost, and when the listener starts the event is delivered once and the
# guest gets OK.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
cat >"$TESTDIR/send.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
echo "evt-guest: writing"
printf 'type=warning id=777 source=John description="written before the listener" uuid=0a1b2c3d-0000-4000-8000-000000000777\n' >&3
echo "evt-guest: written"
read -r answer <&3
echo "evt-guest: answer: $answer"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: writing' 120
# No listener: the guest's write has nowhere to go. Nothing is in the journal
# and the guest has no answer; then the listener starts.
assert_eq "$(journal_count EVENT_ID=777)" 0 "entries before the listener runs"
! grep -qF 'evt-guest: answer' "$TESTDIR/vdc.console" ||
	fail "the guest got an answer with no listener running"
listen_start
guest_wait_console vdc 'evt-guest: script exit' 120
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"
assert_eq "$(sed -n 's/^evt-guest: answer: //p' "$TESTDIR/vdc.console" | tr -d '\r')" \
	"OK 0a1b2c3d-0000-4000-8000-000000000777" "the guest's answer"
assert_eq "$(journal_count EVENT_ID=777)" 1 "entries of the event"
assert_eq "$(journal_field EVENT_SENDER EVENT_ID=777)" vdc "EVENT_SENDER"
listen_stop
