#!/bin/bash
# Two guests send the same event at the same time over their own channels;
# each entry carries the identity of the VM it came from (EVENT_SENDER and
# EVENT_SENDER_UUID as libvirt knows them), never the other's, and each guest
# gets the answer for its own event. A third guest that wrote half a line
# and stalled holds up neither of them.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
for vm in vdc web; do
	cat >"$TESTDIR/$vm.sh" <<-GUEST
		exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
		for i in 1 2 3; do
			u=\$(cat /proc/sys/kernel/random/uuid)
			printf 'type=warning id=777 source=John description="ready %s" uuid=%s\n' "\$i" "\$u" >&3
			read -r answer <&3
			echo "evt-guest: sent \$u answer \$answer"
		done
	GUEST
	testbed_guest --channel --script "$TESTDIR/$vm.sh" "$vm"
done
cat >"$TESTDIR/stall.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
printf 'type=warning id=777 source=John description="never ends' >&3
echo "evt-guest: stalled"
while :; do sleep 3600; done
GUEST
testbed_guest --channel --script "$TESTDIR/stall.sh" stall
listen_start
$VIRSH start stall >/dev/null || fail "cannot start guest stall"
guest_wait_console stall 'evt-guest: stalled' 120
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
$VIRSH start web >/dev/null || fail "cannot start guest web"
for vm in vdc web; do
	guest_wait_console "$vm" 'evt-guest: script exit' 180
	grep -qF 'evt-guest: script exit 0' "$TESTDIR/$vm.console" ||
		fail "the script of $vm failed: $(tail -n 5 "$TESTDIR/$vm.console")"
done

for vm in vdc web; do
	dom_uuid=$($VIRSH domuuid "$vm")
	n=0
	while read -r _ _ u _ ok answered; do
		assert_eq "$ok $answered" "OK $u" "$vm's answer"
		m="EVENT_UUID=$u"
		assert_eq "$(journal_count $m)" 1 "entries of $vm's event $u"
		assert_eq "$(journal_field EVENT_SENDER $m)" "$vm" "EVENT_SENDER of $u"
		assert_eq "$(journal_field EVENT_SENDER_UUID $m)" "$dom_uuid" \
			"EVENT_SENDER_UUID of $u"
		assert_eq "$(journal_field _UID $m)" "$LISTEN_UID" "_UID of $u"
		n=$((n + 1))
	done < <(grep '^evt-guest: sent ' "$TESTDIR/$vm.console" | tr -d '\r')
	assert_eq "$n" 3 "events $vm sent"
	assert_eq "$(journal_count EVENT_ID=777 EVENT_SENDER=$vm)" 3 "entries of $vm"
done
[ "$($VIRSH domuuid vdc)" != "$($VIRSH domuuid web)" ] || fail "same domain uuids?"
assert_eq "$(journal_count EVENT_SENDER=stall)" 0 "entries of the stalled guest"
listen_stop
