#!/bin/bash
# The real static evcreate (make guest-tools) inside a TCG guest sends events
# with --channel and exits as evcreate(1) says: 0 when the host answers OK
# with its uuid, 8 on ERR 400, 0 after an ERR 503 once a resend of the same
# line (same uuid) is answered OK, 7 when no answer comes within --timeout, 4
# without the device; while another process holds the port it waits (exit 7
# at --timeout, 0 once the port is free). The host side is NOT the listener:
# channel_standin (tests/lib/vm.sh) stands in for it, answering the lines in
# order with ok, err400, err503, ok, ok, then never again. The guest's first send waits
# until the stand-in connects.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"

[ -x "$BUILD/guest/evcreate" ] ||
	fail "no $BUILD/guest/evcreate: run 'make guest-tools BUILD=$BUILD' first"
# Static: nothing for ldd, no program interpreter, no shared libraries.
ldd "$BUILD/guest/evcreate" >/dev/null 2>&1 &&
	fail "$BUILD/guest/evcreate is dynamic: $(ldd "$BUILD/guest/evcreate")"
readelf -lW "$BUILD/guest/evcreate" | grep -q 'program interpreter' &&
	fail "$BUILD/guest/evcreate has a program interpreter"
readelf -dW "$BUILD/guest/evcreate" | grep -q NEEDED &&
	fail "$BUILD/guest/evcreate needs shared libraries: $(readelf -dW "$BUILD/guest/evcreate" | grep NEEDED)"
UUID=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f

# The eventcreate-syntax example of evcreate(1) and doc/guest.md.
example='evcreate /T WARNING /ID 777 /SO John /D "VDC Ready for compaction" --channel'
echo "$example" >"$TESTDIR/example.sh"
man_text "$TOP/man/evcreate.1" >"$TESTDIR/evcreate.1.txt"
assert_example_in "$TESTDIR/evcreate.1.txt" "$TESTDIR/example.sh"
assert_example_in "$TOP/doc/guest.md" "$TESTDIR/example.sh"

testbed_libvirtd
cat >"$TESTDIR/send.sh" <<GUEST
evcreate --channel=/dev/virtio-ports/nope -i 1 -d x
echo "evt-guest: rc0=\$?"
$example
echo "evt-guest: rc1=\$?"
evcreate --channel -t error -i 12 -d "bad in the host's eyes"
echo "evt-guest: rc2=\$?"
evcreate --channel --uuid ${UUID^^} -i 13 -d "stored after a retry" -f VM=vdc
echo "evt-guest: rc3=\$?"
# Another process holds the port (one opener at a time): evcreate waits for
# it, and gives up after --timeout while it still holds the port.
( exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
  : >/evt/held
  while [ ! -e /evt/release ]; do sleep 0.2; done ) &
while [ ! -e /evt/held ]; do sleep 0.1; done
evcreate --channel --timeout 1 -i 15 -d "port held"
echo "evt-guest: rc5=\$?"
evcreate --channel -i 16 -d "after the holder" &
sender=\$!
sleep 1
: >/evt/release
wait \$sender
echo "evt-guest: rc6=\$?"
evcreate --channel --timeout 3 -i 14 -d "never answered"
echo "evt-guest: rc4=\$?"
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
sock=$(guest_channel_socket vdc) || exit 1
guest_wait_console vdc 'evt-guest: ready' 120
grep -qF 'evt-guest: channel org.evtrigger.0' "$TESTDIR/vdc.console" ||
	fail "the guest has no /dev/virtio-ports/org.evtrigger.0: $(tail -n 5 "$TESTDIR/vdc.console")"

# Stand-in for the listener (not evtrigger-listen).
channel_standin "$sock" ok,err400,err503,ok,ok,silent "$TESTDIR/received" \
	2>"$TESTDIR/standin.err" &
standin=$!
testbed_at_exit "kill $standin 2>/dev/null"

guest_wait_console vdc 'evt-guest: script exit' 120
console=$(tr -d '\r' <"$TESTDIR/vdc.console")
rc() {
	sed -n "s/^evt-guest: $1=//p" <<<"$console"
}
assert_eq "$(rc rc0)" 4 "exit code without the device"
assert_eq "$(rc rc1)" 0 "exit code on OK"
assert_eq "$(rc rc2)" 8 "exit code on ERR 400"
assert_eq "$(rc rc3)" 0 "exit code on ERR 503, then OK"
assert_eq "$(rc rc5)" 7 "exit code while another process holds the port"
assert_eq "$(rc rc6)" 0 "exit code once the port is free"
assert_eq "$(rc rc4)" 7 "exit code without an answer"
grep -qF "evcreate: the host refused the event: ERR 400 stand-in refusal" <<<"$console" ||
	fail "no refusal message on the console: $console"
grep -qF "evcreate: not acknowledged within 1.000s (/dev/virtio-ports/org.evtrigger.0 is busy: another process has it open)" <<<"$console" ||
	fail "no 'busy' message on the console: $console"
grep -qF "evcreate: not acknowledged within 3.000s" <<<"$console" ||
	fail "no timeout message on the console: $console"

mapfile -t lines <"$TESTDIR/received"
[ "${#lines[@]}" -ge 6 ] || fail "the stand-in received ${#lines[@]} lines: $(cat "$TESTDIR/received")"
uuid_re='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
time_re='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
[[ ${lines[0]} =~ ^type=warning\ id=777\ source=John\ log=Application\ description=\"VDC\ Ready\ for\ compaction\"\ uuid=($uuid_re)\ time=$time_re$ ]] ||
	fail "line 1 is not the event as a batch line: ${lines[0]}"
assert_eq "$(sed -n 1p "$TESTDIR/received.answers")" \
	"answered: OK ${BASH_REMATCH[1]}" "stand-in's first answer"
[[ ${lines[1]} =~ ^type=error\ id=12\ source=evcreate\ log=Application\ description=\"bad\ in\ the\ host\'s\ eyes\"\ uuid=$uuid_re\ time=$time_re$ ]] ||
	fail "line 2: ${lines[1]}"
# The resend after 503 is the same line: same uuid, same time.
[[ ${lines[2]} == *" uuid=$UUID time="*" VM=vdc" ]] || fail "line 3: ${lines[2]}"
assert_eq "${lines[3]}" "${lines[2]}" "the resend after ERR 503"
[[ ${lines[4]} == "type=information id=16 "* ]] || fail "line 5: ${lines[4]}"
[[ ${lines[5]} == "type=information id=14 "* ]] || fail "line 6: ${lines[5]}"
# Resends of the unanswered event (if any) carry its uuid.
u5=$(grep -oE "uuid=$uuid_re" <<<"${lines[5]}")
for l in "${lines[@]:6}"; do
	[[ $l == *" $u5 "* ]] || fail "a line after the unanswered one is not its resend: $l"
done
