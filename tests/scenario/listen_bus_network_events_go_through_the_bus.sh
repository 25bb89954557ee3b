#!/bin/bash
# evtrigger-listen --bus PATH hands network events to the bus (here the
# stand-in tests/tools/fake-bus.py, run as the listener's user and writing
# the journal as evtrigger-bus's consumer does) instead of writing them
# itself: evcreate --server gets OK once the bus said OK, and the entry
# carries the listener's uid, EVENT_ENTRY_HOST and EVENT_PLACEMENT; a RETRY
# answer, a bus that is not there and one that answers nothing for 10 s are
# each a 503 that makes evcreate spool, and a later --flush delivers the
# event once; the listener connects again when the bus comes back. Many
# events over one connection (a batch) keep their order with the bus's
# replies. A UDP event goes to the bus too; one it refuses is reported.
# Without --bus nothing of this happens (the other listen_* and
# tls_* scenarios).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_listen_user
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
HOST=$(hostname)
tls_ca ca
tls_cert ca listener "IP:127.0.0.1"
tls_cert ca client "DNS:client01.example.org"
{
	echo "client01 x509 san=DNS:client01.example.org"
	echo "localhost address 127.0.0.1"
} >senders.conf
chmod 600 senders.conf
S=(--server 127.0.0.1 --ca ca.pem --cert client.pem --key client.key)

mkdir -p bus && chown "$LISTEN_USER" bus
SOCK=$TESTDIR/bus/bus.sock
BUS_PID=
bus_start() {
	setpriv --reuid="$LISTEN_UID" --regid="$LISTEN_UID" --init-groups \
		/usr/bin/python3 "$TOP/tests/tools/fake-bus.py" "$SOCK" \
		--control "$TESTDIR/bus" >>"$TESTDIR/bus.log" 2>&1 &
	BUS_PID=$!
	testbed_at_exit "kill $BUS_PID 2>/dev/null"
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	fail "the stand-in bus did not start: $(cat "$TESTDIR/bus.log")"
}
bus_stop() {
	kill "$BUS_PID" && wait "$BUS_PID" 2>/dev/null
	rm -f "$SOCK"
}
bus_start
listen_start -c test:///default --tls 127.0.0.1:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem" --bus "$SOCK" \
	--udp 127.0.0.1:5514
tls_wait_port 6514
for _ in $(seq 100); do
	grep -q "connected to the event bus" "$LISTEN_LOG" && break
	sleep 0.1
done

# OK from the bus: OK to the sender; the bus wrote the entry.
"$EVCREATE" "${S[@]}" --timeout 30 -t warning -i 777 -s John \
	-d "through the bus" -f N=one 2>err || fail "evcreate: exit $?: $(cat err)"
journal_wait 1 10 N=one
assert_eq "$(journal_count N=one _UID=$LISTEN_UID EVENT_SENDER=client01 EVENT_AUTH=x509 EVENT_ENTRY_HOST=$HOST EVENT_PLACEMENT=entry)" 1 \
	"the entry the bus wrote"
u=$(journal_field EVENT_UUID N=one)
grep -q "^client01 $u ok$" bus/requests || fail "the bus saw: $(cat bus/requests)"

# A batch over one connection: every event OK, in order, each once.
for i in $(seq 1 40); do echo "id=778 source=John description=batch N=b$i"; done |
	"$EVCREATE" "${S[@]}" --timeout 30 --batch - 2>err || fail "batch: exit $?: $(cat err)"
assert_eq "$(journal_count EVENT_ID=778 _UID=$LISTEN_UID)" 40 "entries of the batch"
assert_eq "$(journalctl --no-pager -q -o cat --output-fields=N EVENT_ID=778 | tr '\n' ' ')" \
	"$(seq -f 'b%g' 1 40 | tr '\n' ' ')" "order of the batch"

# RETRY: 503, evcreate spools; once the bus takes events, --flush delivers once.
echo retry >bus/mode
"$EVCREATE" "${S[@]}" --spool spool --timeout 3 -i 777 -s John -d retried -f N=two 2>err
assert_eq "$?" 7 "exit of an event the bus answered RETRY"
grep -q "503" err || fail "evcreate said: $(cat err)"
assert_eq "$(ls spool | wc -l)" 1 "spooled events after RETRY"
assert_eq "$(journal_count N=two)" 0 "entries of the event the bus refused"
echo ok >bus/mode
"$EVCREATE" --flush --spool spool "${S[@]}" --timeout 30 2>err || fail "--flush: exit $?: $(cat err)"
assert_eq "$(ls spool)" "" "spool after --flush"
assert_eq "$(journal_count N=two _UID=$LISTEN_UID)" 1 "entries of the flushed event"

# The bus goes away: 503 and spool; it comes back: the listener connects
# again and --flush delivers once.
bus_stop
"$EVCREATE" "${S[@]}" --spool spool --timeout 3 -i 777 -s John -d away -f N=three 2>err
assert_eq "$?" 7 "exit while the bus is away"
grep -q "lost the event bus" "$LISTEN_LOG" || fail "the listener did not notice: $(tail "$LISTEN_LOG")"
bus_start
"$EVCREATE" --flush --spool spool "${S[@]}" --timeout 60 2>err || fail "--flush after the bus came back: exit $?: $(cat err)"
assert_eq "$(journal_count N=three _UID=$LISTEN_UID)" 1 "entries of the event sent while the bus was away"
assert_eq "$(grep -c "connected to the event bus" "$LISTEN_LOG")" 2 "connections to the bus"

# A bus that answers nothing: 503 after 10 s, the listener connects again.
echo hang >bus/mode
"$EVCREATE" "${S[@]}" --spool spool --timeout 30 -i 777 -s John -d hung -f N=four 2>err
assert_eq "$?" 7 "exit when the bus answered nothing"
echo ok >bus/mode
"$EVCREATE" --flush --spool spool "${S[@]}" --timeout 60 2>err || fail "--flush after the bus hung: exit $?: $(cat err)"
assert_eq "$(journal_count N=four _UID=$LISTEN_UID)" 1 "entries of the event the bus hung on"

# UDP: nobody to answer; the bus writes it, or a RETRY is reported (655).
logger --server 127.0.0.1 --udp --port 5514 --rfc5424 --msgid 779 -t John \
	"over udp" || fail "logger --udp failed"
journal_wait 1 30 EVENT_ID=779 _UID=$LISTEN_UID EVENT_AUTH=address EVENT_SENDER=localhost EVENT_PLACEMENT=entry
echo retry >bus/mode
logger --server 127.0.0.1 --udp --port 5514 --rfc5424 --msgid 780 -t John \
	"refused over udp" || fail "logger --udp failed"
journal_wait 1 30 EVENT_ID=655 CODE=503 PEER_NAME=localhost
echo ok >bus/mode
assert_eq "$(journal_count EVENT_ID=780)" 0 "entries of the UDP event the bus refused"

# The listener never wrote a network event itself.
for sender in client01 localhost; do
	assert_eq "$(journal_count _UID=$LISTEN_UID EVENT_SENDER=$sender EVENT_PLACEMENT=entry)" \
		"$(journal_count _UID=$LISTEN_UID EVENT_SENDER=$sender)" \
		"entries of $sender the bus wrote, of all"
done
listen_stop
echo ok
