#!/bin/bash
# The listener dies right after it wrote an event to the journal and read it
# back, before it answered (the test hook EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE
# makes its child _exit() there, as a kill -9 at that moment would; the
# parent then ends too). The guest sees the channel close without an answer
# and resends the same line, same uuid, which waits until a listener runs
# again. The new listener finds its own entry for that uuid and sender,
# answers OK and writes nothing: one entry.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
u=4b6f2c1e-9d3a-4e55-a0f1-2c3d4e5f6a7b
cat >"$TESTDIR/send.sh" <<GUEST
line='type=warning id=777 source=John description="sent once" uuid=$u'
for try in 1 2 3 4 5; do
	exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
	printf '%s\n' "\$line" >&3
	if read -r answer <&3; then
		echo "evt-guest: try \$try answer: \$answer"
		exit 0
	fi
	echo "evt-guest: try \$try: no answer, resending"
	exec 3<&-
done
exit 1
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
EVTRIGGER_LISTEN_TEST_EXIT_AFTER_STORE=1 listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
wait "$LISTEN_PID"
rc=$?
LISTEN_PID=
[ "$rc" = 1 ] || fail "the listener exited $rc, expected 1 (its child died): $(cat "$LISTEN_LOG")"
listen_check_log
grep -q 'child ended' "$LISTEN_LOG" || fail "no word of the child's end: $(cat "$LISTEN_LOG")"
assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries after the kill"
guest_wait_console vdc 'evt-guest: try 1: no answer, resending' 60

listen_start
guest_wait_console vdc 'evt-guest: script exit' 120
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"
assert_eq "$(sed -n 's/^evt-guest: try 2 answer: //p' "$TESTDIR/vdc.console" | tr -d '\r')" \
	"OK $u" "the answer to the resend"
assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries after the resend"
assert_eq "$(journal_count EVENT_ID=777 EVENT_SENDER=vdc)" 1 "entries of the event"
listen_stop
