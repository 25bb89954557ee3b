#!/bin/bash
# Journal target edge cases: an event too large for one datagram lands whole
# (it goes in a memfd), and a batch keeps writing when journald restarts
# between two lines (evcreate reconnects its one socket).
source "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

# The largest event evcreate accepts: a 32768-byte description and 64
# fields of 8192 bytes, about 560 KB, over the default socket buffer.
DESC=$(head -c 32768 /dev/zero | tr '\0' d)
VALUE=$(head -c 8192 /dev/zero | tr '\0' v)
args=()
for i in $(seq 1 64); do args+=(-f "F$i=$VALUE"); done
"$EVCREATE" -i 4242 -s Large -d "$DESC" "${args[@]}" || fail "large event: exit $?"
journal_wait 1 10 EVENT_ID=4242
assert_eq "$(journal_field MESSAGE EVENT_ID=4242 | wc -c)" 32769 "MESSAGE bytes (and newline)"
assert_eq "$(journal_field F64 EVENT_ID=4242)" "$VALUE" "field F64"
assert_eq "$(journalctl --no-pager -q -o export EVENT_ID=4242 | grep -c '^F[0-9]*=')" 64 "extra fields"

# A batch fed through a FIFO: line 1, restart journald, line 2.
mkfifo "$TESTDIR/fifo"
"$EVCREATE" --batch "$TESTDIR/fifo" -s Restart 2>"$TESTDIR/err" &
EVC_PID=$!
exec 3>"$TESTDIR/fifo"
echo 'id=1 description="before the restart"' >&3
journal_wait 1 10 SYSLOG_IDENTIFIER=Restart EVENT_ID=1
kill "$JOURNALD_PID"
wait "$JOURNALD_PID" 2>/dev/null
# 3>&-: journald must not hold the FIFO open, or the batch never ends.
/lib/systemd/systemd-journald >>"$TESTDIR/journald.log" 2>&1 3>&- &
JOURNALD_PID=$!
testbed_at_exit "kill $JOURNALD_PID; wait $JOURNALD_PID 2>/dev/null"
for i in $(seq 100); do
	# The new journald's socket accepts connections once it is up.
	python3 -c 'import socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect("/run/systemd/journal/socket")' \
		2>/dev/null && break
	sleep 0.05
done
echo 'id=2 description="after the restart"' >&3
exec 3>&-
wait "$EVC_PID"
assert_eq "$?" 0 "batch exit code across a journald restart"
assert_eq "$(cat "$TESTDIR/err")" "" "batch stderr"
journal_wait 1 10 SYSLOG_IDENTIFIER=Restart EVENT_ID=2
assert_eq "$(journal_field MESSAGE SYSLOG_IDENTIFIER=Restart EVENT_ID=2)" \
	"after the restart" "event after the restart"
echo ok
