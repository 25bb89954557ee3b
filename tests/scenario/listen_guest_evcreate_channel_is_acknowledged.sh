#!/bin/bash
# The real evcreate (static, make guest-tools) in a TCG guest, against the
# real listener: `evcreate --channel` exits 0 once the host journal has the
# event, under the uuid it sent and with the VM's identity; the eventcreate
# syntax does the same; with a rate of one event a second, an event sent
# right after the others exits 0 with one entry whether or not it met a 429
# on the way (how fast a TCG guest runs decides that, so nothing here
# depends on it; the listener's 429 is tested in
# listen_flooding_guest_gets_429_and_does_not_starve_another);
# an event the host refuses as too large (413) makes it exit 8, and nothing
# is written.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

[ -x "$BUILD/guest/evcreate" ] ||
	fail "no $BUILD/guest/evcreate: run 'make guest-tools BUILD=$BUILD' first"
testbed_journald
testbed_libvirtd
testbed_listen_user
u1=11111111-2222-4333-8444-555555555551
u2=11111111-2222-4333-8444-555555555552
u3=11111111-2222-4333-8444-555555555553
u4=11111111-2222-4333-8444-555555555554
big=$(head -c 300 /dev/zero | tr '\0' x)
cat >"$TESTDIR/send.sh" <<GUEST
evcreate --channel --uuid $u1 --type warning --id 777 --source John \\
    --description "VDC Ready for compaction" --field DISK=vda
echo "evt-guest: gnu rc=\$?"
evcreate --channel --uuid $u2 /T WARNING /ID 778 /SO John /D "eventcreate syntax"
echo "evt-guest: eventcreate rc=\$?"
evcreate --channel --uuid $u3 --id 779 --source John --description "right after"
echo "evt-guest: limited rc=\$?"
evcreate --channel --uuid $u4 --timeout 20 --id 780 --source John --description "$big"
echo "evt-guest: big rc=\$?"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start --rate 1 --burst 1 --max-event 256
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: script exit' 180
console=$(tr -d '\r' <"$TESTDIR/vdc.console")
rc() { sed -n "s/^evt-guest: $1 rc=//p" <<<"$console"; }
assert_eq "$(rc gnu)" 0 "evcreate --channel exit status"
assert_eq "$(rc eventcreate)" 0 "evcreate /T ... --channel exit status"
assert_eq "$(rc limited)" 0 "exit status of the event sent over the rate"
assert_eq "$(rc big)" 8 "exit status of an event the host refused"

dom_uuid=$($VIRSH domuuid vdc)
for u in $u1 $u2 $u3; do
	assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries of $u"
	assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u)" vdc "EVENT_SENDER of $u"
	assert_eq "$(journal_field EVENT_SENDER_UUID EVENT_UUID=$u)" "$dom_uuid" \
		"EVENT_SENDER_UUID of $u"
	assert_eq "$(journal_field _UID EVENT_UUID=$u)" "$LISTEN_UID" "_UID of $u"
	[ -n "$(journal_field EVENT_TIME EVENT_UUID=$u)" ] || fail "no EVENT_TIME on $u"
done
assert_eq "$(journal_field DISK EVENT_UUID=$u1)" vda "DISK"
assert_eq "$(journal_field EVENT_ID EVENT_UUID=$u2)" 778 "EVENT_ID (eventcreate syntax)"
assert_eq "$(journal_count EVENT_UUID=$u4)" 0 "entries of the refused event"
journal_wait 1 30 EVENT_ID=652 VM=vdc CODE=413
listen_stop
