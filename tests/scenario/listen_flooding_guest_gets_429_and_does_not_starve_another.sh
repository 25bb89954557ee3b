#!/bin/bash
# With a rate of 2 events a second per VM (burst 2), a guest that writes 12
# events at once gets ERR 429 for some of them (nothing written for those,
# the listener stops reading it meanwhile) and SENDER_RATE_LIMITED (653) is
# logged; it resends each refused one with the same uuid until OK, and in
# the end each of its events is in the journal exactly once. Another guest
# sending at the same time gets OK for every event: the flood does not
# starve it.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
cat >"$TESTDIR/flood.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
line() { printf 'id=100 source=flood description="flood %d" uuid=00000000-0000-4000-8000-%012d\n' "$1" "$1"; }
i=1
while [ $i -le 12 ]; do line $i; i=$((i + 1)); done >&3
i=1
while [ $i -le 12 ]; do
	read -r answer <&3
	echo "evt-guest: answer $i: $answer"
	eval "a$i=\$answer"
	i=$((i + 1))
done
i=1
while [ $i -le 12 ]; do
	eval "answer=\$a$i"
	while [ "${answer#ERR 429}" != "$answer" ]; do
		line $i >&3
		read -r answer <&3
	done
	echo "evt-guest: final $i: $answer"
	i=$((i + 1))
done
GUEST
cat >"$TESTDIR/calm.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
for i in 1 2; do
	printf 'id=200 source=calm description="calm %d"\n' "$i" >&3
	read -r answer <&3
	echo "evt-guest: calm $i: $answer"
done
GUEST
testbed_guest --channel --script "$TESTDIR/flood.sh" flood
testbed_guest --channel --script "$TESTDIR/calm.sh" calm
listen_start --rate 2 --burst 2
$VIRSH start flood >/dev/null || fail "cannot start guest flood"
$VIRSH start calm >/dev/null || fail "cannot start guest calm"
for vm in flood calm; do
	guest_wait_console "$vm" 'evt-guest: script exit' 240
	grep -qF 'evt-guest: script exit 0' "$TESTDIR/$vm.console" ||
		fail "the script of $vm failed: $(tail -n 5 "$TESTDIR/$vm.console")"
done

limited=$(grep -c '^evt-guest: answer [0-9]*: ERR 429 ' "$TESTDIR/flood.console")
[ "$limited" -ge 1 ] || fail "the flood got no 429: $(grep answer "$TESTDIR/flood.console")"
ok=$(grep -c '^evt-guest: answer [0-9]*: OK ' "$TESTDIR/flood.console")
assert_eq "$((ok + limited))" 12 "first answers of the flood, OK or 429"
for i in $(seq 12); do
	u=$(printf '00000000-0000-4000-8000-%012d' "$i")
	assert_eq "$(sed -n "s/^evt-guest: final $i: //p" "$TESTDIR/flood.console" | tr -d '\r')" \
		"OK $u" "final answer of flood event $i"
	assert_eq "$(journal_count EVENT_UUID=$u)" 1 "entries of flood event $i"
done
assert_eq "$(journal_count EVENT_SENDER=flood)" 12 "entries of the flood"
assert_eq "$(grep -c '^evt-guest: calm [12]: OK ' "$TESTDIR/calm.console")" 2 \
	"calm's answers"
assert_eq "$(journal_count EVENT_SENDER=calm EVENT_ID=200)" 2 "entries of calm"
journal_wait 1 10 EVENT_ID=653 VM=flood
suppressed=$(journal_field SUPPRESSED EVENT_ID=653 VM=flood)
[ "${suppressed:-0}" -ge 1 ] || fail "SENDER_RATE_LIMITED without SUPPRESSED: '$suppressed'"
assert_eq "$(journal_count EVENT_ID=653 VM=calm)" 0 "rate-limit events of calm"
listen_stop
