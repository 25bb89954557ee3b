#!/bin/bash
# End to end: a rule bound to sender vdc (`sender = vdc`) fires on the event
# guest vdc sends through its channel, because the entry is the listener's
# (evtrigger run --listener-user evtrigger-listen). The guest sends the same
# event twice (a resend with the same uuid after, say, a lost answer): both
# get OK, the journal has one entry, the rule's job runs once. The same
# event written on the host by root with EVENT_SENDER=vdc fires nothing.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
watch_setup
watch_stamp_rule vdc 777 'sender = vdc'
watch_start --listener-user "$LISTEN_USER"
u=7d1e2f30-4a5b-4c6d-8e7f-8091a2b3c4d5
cat >"$TESTDIR/send.sh" <<GUEST
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
for try in 1 2; do
	printf 'type=warning id=777 source=John description="VDC Ready for compaction" N=guest uuid=$u\n' >&3
	read -r answer <&3
	echo "evt-guest: answer \$try: \$answer"
done
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: script exit' 120
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"
for try in 1 2; do
	assert_eq "$(sed -n "s/^evt-guest: answer $try: //p" "$TESTDIR/vdc.console" | tr -d '\r')" \
		"OK $u" "answer $try"
done
assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries of the event"
watch_wait_stamps 1 60
journal_wait 1 60 EVENT_ID=601 RULE=vdc
[ -e "$OUT/guest" ] || fail "the guest's event did not fire the rule"

# The same claim made on the host by root: rejected, nothing runs.
watch_event 777 forged-root EVENT_SENDER=vdc
journal_wait 1 60 EVENT_ID=644 RULE=vdc
[ ! -e "$OUT/forged-root" ] || fail "root's EVENT_SENDER=vdc fired the rule"
assert_eq "$(watch_stamps)" 1 "actions run"
watch_assert_once
assert_eq "$(journal_count EVENT_ID=600 RULE=vdc)" 1 "JOB_STARTED events"
listen_stop
watch_stop
