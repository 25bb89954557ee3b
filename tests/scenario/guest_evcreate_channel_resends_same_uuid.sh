#!/bin/bash
# The examples of evcreate(1) for a VM, run by the real static evcreate in a
# TCG guest: the retry loop with one uuid survives a host side that is not
# there at first (exit 7, sent again) and one that goes away before it
# answers (EOF: the same line is sent again by the same run), and the host
# gets the event under that one uuid; then the plain --channel example. The
# host side is NOT the listener: channel_standin (tests/lib/vm.sh) stands in
# for it, connects only after the first run has given up, drops its first
# line without answering, then answers OK.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"

[ -x "$BUILD/guest/evcreate" ] ||
	fail "no $BUILD/guest/evcreate: run 'make guest-tools BUILD=$BUILD' first"

# The two examples, each checked to be in evcreate(1) and doc/guest.md.
cat >"$TESTDIR/loop.sh" <<'GUEST'
uuid=$(cat /proc/sys/kernel/random/uuid)
while :; do
    evcreate --channel --uuid "$uuid" --timeout 10 -t warning \
        -i 777 -s John -d "VDC Ready for compaction"
    rc=$?
    [ $rc = 7 ] || break
done
GUEST
cat >"$TESTDIR/plain.sh" <<'GUEST'
evcreate --channel --type warning --id 777 --source John \
    --description "VDC Ready for compaction"
GUEST
man_text "$TOP/man/evcreate.1" >"$TESTDIR/evcreate.1.txt"
for f in loop plain; do
	assert_example_in "$TESTDIR/evcreate.1.txt" "$TESTDIR/$f.sh"
	assert_example_in "$TOP/doc/guest.md" "$TESTDIR/$f.sh"
done
# First, without anything on the host side, how much CPU evcreate uses while
# it waits 5 s for the host to connect: a busy loop would use about all of it.
# (The first getrandom(2) after boot, for the first uuid, waits for the
# kernel's random generator, which under TCG costs about a second of system
# time: a run without the device takes that first.)
{
	echo 'evcreate --channel=/nonexistent -i 1 -d x 2>/dev/null'
	echo 'time -p evcreate --channel --timeout 5 -i 1 -d "nobody there"'
	echo 'echo "evt-guest: absent rc=$?"'
	sed -n 1p "$TESTDIR/loop.sh"
	echo 'echo "evt-guest: uuid=$uuid"'
	sed 1d "$TESTDIR/loop.sh"
	echo 'echo "evt-guest: loop rc=$rc"'
	cat "$TESTDIR/plain.sh"
	echo 'echo "evt-guest: plain rc=$?"'
} >"$TESTDIR/send.sh"
testbed_libvirtd
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
sock=$(guest_channel_socket vdc) || exit 1
guest_wait_console vdc 'evt-guest: ready' 120
# Nothing on the host side yet: the runs give up.
guest_wait_console vdc 'evt-guest: absent rc=' 60
console=$(tr -d '\r' <"$TESTDIR/vdc.console")
assert_eq "$(sed -n 's/^evt-guest: absent rc=//p' <<<"$console")" 7 "exit status with no host"
grep -qF 'evcreate: not acknowledged within 5.000s (the host is not connected to /dev/virtio-ports/org.evtrigger.0)' <<<"$console" ||
	fail "no 'not connected' message: $console"
cpu=$(awk '$1 == "user" || $1 == "sys" { t += $2 } END { print t + 0 }' <<<"$console")
grep -qE '^user [0-9.]+$' <<<"$console" || fail "no CPU times from time -p: $console"
awk -v t="$cpu" 'BEGIN { exit !(t < 1.0) }' ||
	fail "evcreate used ${cpu}s of CPU in a 5s wait for the host (busy loop?)"
note "CPU time of a 5s wait for the host: ${cpu}s"
guest_wait_console vdc 'evcreate: not acknowledged within 10.000s (the host is not connected' 60
grep -qF 'evt-guest: loop rc=' "$TESTDIR/vdc.console" &&
	fail "the loop ended while the host was away: $(tail -n 5 "$TESTDIR/vdc.console")"

# Stand-in for the listener (not evtrigger-listen).
channel_standin "$sock" drop,ok,ok "$TESTDIR/received" 2>"$TESTDIR/standin.err" &
standin=$!
testbed_at_exit "kill $standin 2>/dev/null"

guest_wait_console vdc 'evt-guest: script exit' 120
console=$(tr -d '\r' <"$TESTDIR/vdc.console")
uuid=$(sed -n 's/^evt-guest: uuid=//p' <<<"$console")
[ -n "$uuid" ] || fail "no uuid on the console: $console"
assert_eq "$(sed -n 's/^evt-guest: loop rc=//p' <<<"$console")" 0 "exit status of the loop's last run"
assert_eq "$(sed -n 's/^evt-guest: plain rc=//p' <<<"$console")" 0 "exit status of the plain example"

mapfile -t lines <"$TESTDIR/received"
assert_eq "${#lines[@]}" 3 "lines the stand-in received: $(cat "$TESTDIR/received")"
for i in 0 1; do
	[[ ${lines[$i]} == "type=warning id=777 source=John log=Application description=\"VDC Ready for compaction\" uuid=$uuid time="* ]] ||
		fail "line $((i + 1)) is not the loop's event with uuid $uuid: ${lines[$i]}"
done
assert_eq "$(cat "$TESTDIR/received.answers")" "answered: drop
answered: OK $uuid
answered: OK $(grep -oE 'uuid=[0-9a-f-]{36}' <<<"${lines[2]}" | cut -d= -f2)" "the stand-in's answers"
[[ ${lines[2]} == "type=warning id=777 source=John log=Application description=\"VDC Ready for compaction\" uuid="* ]] ||
	fail "line 3 is not the plain example's event: ${lines[2]}"
[[ ${lines[2]} != *"uuid=$uuid "* ]] || fail "the plain example reused the loop's uuid"
