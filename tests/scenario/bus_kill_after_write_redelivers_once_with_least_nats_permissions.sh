#!/bin/bash
# evtrigger-bus with a NATS user allowed only what evtrigger-bus(8) lists
# (and its password in a 0600 file) does all its work: the stream, its
# consumer and the VM bucket are made, events are published, written with
# their placement, the bucket is read, and no server reports a permission
# violation. A bus that dies between writing an entry and acknowledging its
# message (EVTRIGGER_BUS_EXIT_AFTER_WRITE=1) gets the message again when it
# runs again and does not write it twice. A password file others may read
# is refused.
. "$(dirname "$0")/../lib/testbed.sh"
. "$(dirname "$0")/../lib/listen.sh"
. "$(dirname "$0")/../lib/bus.sh"

testbed_journald
testbed_listen_user
busnats_start auth

pw=$TESTDIR/nats.password
echo bus-test-secret >"$pw"
chown "$LISTEN_USER" "$pw"
chmod 0640 "$pw"
bus_config "user = $BUS_NATS_USER" "password-file = $pw"
setpriv --reuid "$LISTEN_USER" --regid "$LISTEN_USER" --init-groups \
	"$EVTRIGGER_BUS" --config "$BUS_CONF" 2>"$TESTDIR/refused.log"
rc=$?
[ "$rc" = 2 ] || fail "a password file others may read: exit $rc, want 2"
grep -q "must be 0600" "$TESTDIR/refused.log" ||
	fail "no reason given: $(cat "$TESTDIR/refused.log")"
chmod 0600 "$pw"

# A wrong password never gets in.
echo wrong >"$TESTDIR/wrong.password"
chown "$LISTEN_USER" "$TESTDIR/wrong.password"
chmod 0600 "$TESTDIR/wrong.password"

bus_start EVTRIGGER_BUS_EXIT_AFTER_WRITE=1
journal_wait 1 60 EVENT_ID=660 _UID="$LISTEN_UID"

U1=aaaaaaaa-1111-4111-8111-111111111111
assert_eq "$(bus_ask $(bus_event backup $U1))" "OK $U1" "reply"
# The bus writes, reads back, and dies before its ack.
for i in $(seq 300); do
	kill -0 "$BUS_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$BUS_PID"
rc=$?
[ "$rc" = 99 ] || fail "the test hook did not stop the bus after its write (exit $rc): $(tail "$BUS_LOG")"
assert_eq "$(journal_count EVENT_UUID=$U1)" 1 "entries after the write"

# Run again: JetStream delivers the unacknowledged message again once its
# ack wait (30 s) is over; the bus finds its entry, writes nothing, acks.
bus_start
note "waiting for JetStream's redelivery (ack wait 30s)"
for i in $(seq 90); do
	d=$(busnats_consumer delivered.consumer_seq) && [ "${d:-0}" -ge 2 ] &&
		[ "$(busnats_consumer num_ack_pending)" = 0 ] && break
	sleep 1
done
[ "${d:-0}" -ge 2 ] || fail "the message was not delivered again in 90s (deliveries '$d')"
assert_eq "$(busnats_consumer delivered.stream_seq)" 1 "messages in the stream"
assert_eq "$(busnats_consumer num_ack_pending)" 0 "messages awaiting an ack"
assert_eq "$(journal_count EVENT_UUID=$U1)" 1 "entries after the redelivery"

# Everything else works with these permissions: libvirt's answer, the
# bucket (read, as the VM runs nowhere; written, as 'test' runs here).
U2=aaaaaaaa-2222-4222-8222-222222222222
U3=aaaaaaaa-3333-4333-8333-333333333333
assert_eq "$(bus_ask $(bus_event backup $U2 VM=test) -- $(bus_event backup $U3 VM=elsewhere))" \
	"OK $U2
OK $U3" "replies after the restart"
journal_wait 1 30 EVENT_UUID=$U2
assert_eq "$(journal_field EVENT_PLACEMENT EVENT_UUID=$U2)" local "placement (libvirt)"
journal_wait 1 30 EVENT_UUID=$U3
assert_eq "$(journal_field EVENT_PLACEMENT EVENT_UUID=$U3)" nowhere "placement (bucket read)"
assert_eq "$(journal_count EVENT_ID=662)" 0 "refusals"
# The bucket holds this host's running VM ('test'), put every 2 s.
[ "$(busnats_stream_msgs KV_evtrigger-vms)" -ge 1 ] || fail "nothing in the VM bucket"

! grep -i "violation" "$TESTDIR"/nats*.log ||
	fail "a NATS server refused something the bus did"
bus_stop

# The wrong password: no connection, the bus says so and keeps trying.
bus_config "user = $BUS_NATS_USER" "password-file = $TESTDIR/wrong.password"
: >"$BUS_LOG"
setpriv --reuid "$LISTEN_USER" --regid "$LISTEN_USER" --init-groups \
	"$EVTRIGGER_BUS" --config "$BUS_CONF" >>"$BUS_LOG" 2>&1 &
BUS_PID=$!
sleep 12
[ ! -S "$BUS_SOCK" ] || fail "the bus listens without NATS"
grep -q "waiting for NATS: cannot connect: Authentication Violation" "$BUS_LOG" ||
	fail "the bus does not say why it waits: $(cat "$BUS_LOG")"
bus_stop
note "least permissions suffice; a kill between write and ack writes once"
