#!/bin/bash
# evcreate --spool against evtrigger-listen --tls: while the listener is
# down, an event (and a batch) is kept in the spool, one 0600 file per event
# named by its uuid, written before any byte is sent, and evcreate exits 7
# naming it; once the listener is up, evcreate --flush sends them, oldest
# first, each with its own uuid and its original time (EVENT_TIME), empties
# the spool and exits 0: one journal entry per event. A spool file put back
# (an answer lost after the write, say) is flushed again and stored no
# second time. A file that is no event is reported and left alone (exit 5).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_listen_user
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
tls_ca ca
tls_cert ca listener "IP:127.0.0.1"
tls_cert ca client "DNS:client01.example.org"
echo "client01 x509 san=DNS:client01.example.org" >senders.conf
chmod 600 senders.conf
S=(--server 127.0.0.1 --ca ca.pem --cert client.pem --key client.key)

# The listener is down: exit 7, the event is in the spool.
"$EVCREATE" "${S[@]}" --spool spool --timeout 2 -t warning -i 777 -s John \
	-d "VDC Ready for compaction" -f N=one 2>err
assert_eq "$?" 7 "exit while the listener is down"
f=$(ls spool)
u1=${f%.event}
[ "$f" = "$u1.event" ] && [ ${#u1} = 36 ] || fail "spool holds '$f'"
assert_eq "$(stat -c %a spool) $(stat -c %a "spool/$f")" "700 600" "modes of the spool and its file"
assert_eq "$(cat err)" "evcreate: not acknowledged (cannot connect to 127.0.0.1:6514: Connection refused); spooled as spool/$f: send it with --flush --spool spool" \
	"message of a spooled event"
grep -q "^type=warning id=777 source=John log=Application description=\"VDC Ready for compaction\" uuid=$u1 time=[0-9T:.-]*Z N=one$" "spool/$f" ||
	fail "spool file: $(cat "spool/$f")"
cp "spool/$f" saved.event
# A batch while down: each line its own file.
printf 'id=778 description=two N=two\nid=779 description=three N=three\n' |
	"$EVCREATE" "${S[@]}" --spool spool --timeout 1 --batch - 2>err
assert_eq "$?" 7 "exit of a batch while the listener is down"
assert_eq "$(tail -n 1 err)" "evcreate: 2 of 2 events not acknowledged (cannot connect to 127.0.0.1:6514: Connection refused); kept in spool: send them with --flush --spool spool" \
	"message of a spooled batch"
assert_eq "$(ls spool | wc -l)" 3 "spooled events"
assert_eq "$(journal_count EVENT_ID=777)" 0 "entries while the listener is down"

listen_start -c test:///default --tls 127.0.0.1:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem"
# --flush retries until --timeout while the listener starts.
"$EVCREATE" --flush --spool spool "${S[@]}" --timeout 30 2>err ||
	fail "--flush: exit $?: $(cat err)"
assert_eq "$(cat err)" "" "stderr of --flush"
assert_eq "$(ls spool)" "" "spool after --flush"
for n in one two three; do
	assert_eq "$(journal_count N=$n EVENT_AUTH=x509 EVENT_SENDER=client01)" 1 "entries of event $n"
done
assert_eq "$(journal_field EVENT_UUID N=one)" "$u1" "uuid of the flushed event"
# Its time is the one it was made at, kept in the spool.
t=$(sed -n 's/.* time=\([^ ]*\) .*/\1/p' saved.event)
want=$(python3 -c 'import sys, datetime
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ")
t = t.replace(tzinfo=datetime.timezone.utc)
print(int(t.timestamp()) * 1000000 + t.microsecond)' "$t")
assert_eq "$(journal_field EVENT_TIME N=one)" "$want" "EVENT_TIME of the flushed event"
# Oldest first.
assert_eq "$(journalctl --no-pager -q -o cat --output-fields=N EVENT_AUTH=x509 | tr '\n' ' ')" \
	"one two three " "order of the flushed events"

# Sent again (as after a lost answer): acknowledged, stored once.
cp saved.event "spool/$f"
"$EVCREATE" --flush --spool spool "${S[@]}" 2>err || fail "second --flush: exit $?: $(cat err)"
assert_eq "$(ls spool)" "" "spool after the second --flush"
assert_eq "$(journal_count EVENT_UUID=$u1)" 1 "entries after the event was flushed twice"

# Not an event: reported, left alone.
echo "id=1 description=x" >spool/11111111-1111-4111-8111-111111111111.event
"$EVCREATE" --flush --spool spool "${S[@]}" 2>err
assert_eq "$?" 5 "exit with a spool file that is no event"
assert_eq "$(head -n 1 err)" "evcreate: spool/11111111-1111-4111-8111-111111111111.event: the line's uuid or time is missing or not the name's; left in place" \
	"message of a spool file that is no event"
[ -e spool/11111111-1111-4111-8111-111111111111.event ] || fail "the bad file was removed"
listen_stop
echo ok
