#!/bin/bash
# End to end over a real network path: a second machine (network namespace
# "peer", tests/lib/tls.sh: a veth pair, $HOST_IP here and $PEER_IP there,
# assigned in these private namespaces only) runs
#   evcreate /S $HOST_IP /U backup01 /P @FILE ...
# against evtrigger-listen --tls; the listener answers OK, writes one entry
# with EVENT_SENDER=backup01 EVENT_AUTH=psk and the peer's address, and a
# rule bound to `sender = backup01` fires once. Sent again with the same
# uuid (--uuid), the event is stored once. A client certificate gets
# EVENT_AUTH=x509. Refused without writing the event: a wrong secret (exit
# 4, the listener's refusal event), a sender name that is a VM's (ERR 403,
# exit 8), a certificate from another CA (exit 4).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_listen_user
tls_machine
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null &&
		openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
			-CAcreateserial -out "$1.pem" -days 2 \
			-extfile <(printf 'subjectAltName=%s\n' "$3") 2>/dev/null ||
		fail "cannot make certificate $1"
}
for ca in ca other-ca; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout $ca.key -out $ca.pem -days 2 -subj "/CN=$ca" 2>/dev/null ||
		fail "cannot make $ca"
done
cert listener ca "IP:$HOST_IP"
cert client ca "DNS:client01.example.org"
cert stranger other-ca "DNS:client01.example.org"
"$EVTRIGGER_LISTEN" --gen-psk >backup01.psk || fail "--gen-psk failed"
grep -qx '[0-9a-f]\{64\}' backup01.psk || fail "--gen-psk printed $(cat backup01.psk)"
# The listener's libvirt is its built-in test driver, whose running
# domain is called "test": that name belongs to a VM.
cat >senders.conf <<CONF
backup01 psk key-file=$TESTDIR/backup01.psk
client01 x509 san=DNS:client01.example.org
test psk key-file=$TESTDIR/backup01.psk
CONF
chmod 600 senders.conf backup01.psk

watch_setup
# The rule stamps $OUT/<uuid> (the exec action passes EVENT_UUID as is).
cat >"$RULES/backup.rule" <<RULE
[trigger]
id = 777
sender = backup01
[job]
steps = exec
on-busy = queue
[exec]
command = $BUILD/tools/stamp $OUT EVENT_UUID
RULE
watch_start --listener-user "$LISTEN_USER"
listen_start -c test:///default --tls $HOST_IP:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem"

# peer_evcreate ARGS...: evcreate on the other machine.
peer_evcreate() { PEER_RUN "$EVCREATE" "$@"; }

U=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f
EV=(/T WARNING /ID 777 /SO John /D "VDC Ready for compaction")
# The listener may still be starting: --timeout covers that (it retries).
peer_evcreate /S $HOST_IP /U backup01 /P @backup01.psk "${EV[@]}" \
	--uuid "$U" --timeout 30 2>err || fail "PSK event: exit $?: $(cat err)"
assert_eq "$(cat err)" "" "stderr of the PSK event"
assert_eq "$(journal_count EVENT_UUID=$U)" 1 "entries of the event"
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$U)" backup01 "EVENT_SENDER"
assert_eq "$(journal_field EVENT_AUTH EVENT_UUID=$U)" psk "EVENT_AUTH"
case $(journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$U) in
"$PEER_IP":[0-9]*) ;;
*) fail "EVENT_SENDER_ADDRESS: $(journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$U)" ;;
esac
assert_eq "$(journal_field EVENT_ID EVENT_UUID=$U)" 777 "EVENT_ID"
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_UUID=$U)" John "source"
[ -n "$(journal_field EVENT_TIME EVENT_UUID=$U)" ] || fail "no EVENT_TIME"
# The rule fires, once.
journal_wait 1 60 EVENT_ID=601 RULE=backup
# The same event again (its answer lost, say): OK, still one entry.
peer_evcreate /S $HOST_IP /U backup01 /P @backup01.psk "${EV[@]}" \
	--uuid "$U" 2>err || fail "resend: exit $?: $(cat err)"
assert_eq "$(journal_count EVENT_UUID=$U)" 1 "entries after a resend"

# A client certificate.
peer_evcreate --server $HOST_IP --ca ca.pem --cert client.pem \
	--key client.key -i 778 -s John -d "by certificate" 2>err ||
	fail "x509 event: exit $?: $(cat err)"
assert_eq "$(journal_field EVENT_AUTH EVENT_ID=778)" x509 "EVENT_AUTH of the certificate's event"
assert_eq "$(journal_field EVENT_SENDER EVENT_ID=778)" client01 "EVENT_SENDER of the certificate's event"

# Refusals: nothing of the event is written.
peer_evcreate /S $HOST_IP /U backup01 /P wrong-secret /T ERROR /ID 779 \
	/SO Bad /D "wrong secret" 2>err
assert_eq "$?" 4 "exit with a wrong secret"
grep -q "^evcreate: TLS handshake with $HOST_IP:6514 failed: " err ||
	fail "message with a wrong secret: $(cat err)"
# The listener's refusal event names the peer.
journal_wait 1 30 EVENT_ID=654
case $(journal_field PEER EVENT_ID=654) in
"$PEER_IP":[0-9]*) ;;
*) fail "PEER of the refusal: $(journal_field PEER EVENT_ID=654)" ;;
esac
peer_evcreate /S $HOST_IP /U test /P @backup01.psk /T ERROR /ID 779 \
	/SO Bad /D "a VM's name" 2>err
assert_eq "$?" 8 "exit with a VM's name"
grep -q "^evcreate: the host refused the event: ERR 403 " err ||
	fail "message with a VM's name: $(cat err)"
peer_evcreate --server $HOST_IP --ca ca.pem --cert stranger.pem \
	--key stranger.key -i 779 -s Bad -d "other CA" --timeout 5 2>err
assert_eq "$?" 4 "exit with a certificate of another CA"
assert_eq "$(journal_count SYSLOG_IDENTIFIER=Bad)" 0 "refused events written"
assert_eq "$(journal_count EVENT_ID=779)" 0 "refused events written (by id)"

watch_wait_stamps 1 60
[ -e "$OUT/$U" ] || fail "the rule did not run for $U: $(ls "$OUT")"
watch_assert_once
assert_eq "$(journal_count EVENT_ID=600 RULE=backup)" 1 "JOB_STARTED events"
listen_stop
watch_stop
echo ok
