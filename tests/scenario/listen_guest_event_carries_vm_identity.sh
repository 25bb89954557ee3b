#!/bin/bash
# A busybox guest with the org.evtrigger.0 channel writes one event line
# (printf, no evcreate) to /dev/virtio-ports/org.evtrigger.0 and reads the
# answer: evtrigger-listen, attached through the socket path libvirt chose,
# answers "OK <uuid>" only once the entry is in the host journal, and the
# entry carries the VM's identity as libvirt knows it (EVENT_SENDER = the
# domain name, EVENT_SENDER_UUID = its uuid, EVENT_AUTH=channel), written by
# the listener's own unprivileged user (_UID), with the sender's time as
# EVENT_TIME. A second event without a uuid gets one made by the listener.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
uuid=6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C
lower=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c
cat >"$TESTDIR/send.sh" <<GUEST
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
printf 'type=warning id=777 source=John description="VDC Ready for compaction" uuid=$uuid time=2026-12-01T16:31:37.5+01:00 DISK=vda\n' >&3
read -r answer <&3
echo "evt-guest: answer 1: \$answer"
printf 'id=778 description="no uuid given"\r\n' >&3
read -r answer <&3
echo "evt-guest: answer 2: \$answer"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: script exit' 120
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"

answer=$(sed -n 's/^evt-guest: answer 1: //p' "$TESTDIR/vdc.console" | tr -d '\r')
assert_eq "$answer" "OK $lower" "the guest's answer"
assert_eq "$(journal_count EVENT_UUID=$lower)" 1 "entries of the event"
dom_uuid=$($VIRSH domuuid vdc)
m="EVENT_UUID=$lower"
assert_eq "$(journal_field EVENT_SENDER $m)" vdc "EVENT_SENDER"
assert_eq "$(journal_field EVENT_SENDER_UUID $m)" "$dom_uuid" "EVENT_SENDER_UUID"
assert_eq "$(journal_field EVENT_AUTH $m)" channel "EVENT_AUTH"
assert_eq "$(journal_field EVENT_SENDER_ADDRESS $m)" channel:org.evtrigger.0 \
	"EVENT_SENDER_ADDRESS"
assert_eq "$(journal_field _UID $m)" "$LISTEN_UID" "_UID (the listener's user)"
assert_eq "$(journal_field EVENT_ID $m)" 777 "EVENT_ID"
assert_eq "$(journal_field EVENT_TYPE $m)" WARNING "EVENT_TYPE"
assert_eq "$(journal_field EVENT_SOURCE $m)" John "EVENT_SOURCE"
assert_eq "$(journal_field MESSAGE $m)" "VDC Ready for compaction" "MESSAGE"
assert_eq "$(journal_field DISK $m)" vda "DISK"
assert_eq "$(journal_field EVENT_TIME $m)" 1796139097500000 "EVENT_TIME"

answer=$(sed -n 's/^evt-guest: answer 2: //p' "$TESTDIR/vdc.console" | tr -d '\r')
made=${answer#OK }
[[ $made =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
	fail "second answer is not OK with a new uuid: '$answer'"
assert_eq "$(journal_count EVENT_UUID=$made EVENT_ID=778 EVENT_SENDER=vdc)" 1 \
	"entries of the event without a uuid"
assert_eq "$(journal_count EVENT_ID=778 EVENT_TIME=)" 0 "EVENT_TIME without a time"
journal_wait 1 10 EVENT_ID=650 VM=vdc
assert_eq "$(journal_field VM_UUID EVENT_ID=650 VM=vdc)" "$dom_uuid" "attached VM_UUID"
listen_stop
