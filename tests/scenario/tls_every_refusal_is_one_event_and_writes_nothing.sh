#!/bin/bash
# Every refusal of a network sender is one journal event (654 for the peer,
# 656 for a sender over its rate) naming the peer's address and the reason,
# and nothing of the refused event is written: no client certificate, a
# certificate of an unknown CA, an expired one, one whose SAN is not
# listed, an unknown PSK identity, a wrong PSK, TLS 1.2 (not allowed by
# default), a bad octet count, a frame
# over --max-frame, a 12-digit length prefix, too many events too fast.
# A client that asked for answers (ALPN evtrigger/1) gets ERR before the
# connection ends where there is an event to answer.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
tls_ca ca
tls_ca rogue
tls_cert ca server "IP:127.0.0.1"
tls_cert ca good "DNS:good.example.org"
tls_cert ca unlisted "DNS:unlisted.example.org"
tls_cert ca expired "DNS:expired.example.org" -1
tls_cert rogue forged "DNS:good.example.org"
secret=$(printf '%064x' 42)
cat >"$TESTDIR/senders.conf" <<CONF
good    x509 san=DNS:good.example.org
expired x509 san=DNS:expired.example.org
web01   psk  key=$secret
CONF
chmod 600 "$TESTDIR/senders.conf"
listen_start --tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf" \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" \
	--ca "$TESTDIR/ca.pem" --max-frame 1024 --rate 1 --burst 2
tls_wait_port 6514

n=0
# expect_refusal ID_OF_EVENT REGEX: one more 654 event, its REASON matching
# REGEX, its PEER 127.0.0.1:PORT; nothing with EVENT_ID written.
expect_refusal() {
	n=$((n + 1))
	journal_wait $n 30 EVENT_ID=654
	assert_eq "$(journal_count EVENT_ID=654)" $n "refusal events"
	reason=$(journal_field REASON EVENT_ID=654)
	printf %s "$reason" | grep -qE "$2" || fail "refusal $n: reason '$reason' does not match '$2'"
	journal_field PEER EVENT_ID=654 | grep -qE '^127\.0\.0\.1:[0-9]+$' ||
		fail "refusal $n: PEER is '$(journal_field PEER EVENT_ID=654)'"
	journal_field MESSAGE EVENT_ID=654 | grep -q "network peer 127.0.0.1:" ||
		fail "refusal $n: message '$(journal_field MESSAGE EVENT_ID=654)'"
	assert_eq "$(journal_count EVENT_ID=$1)" 0 "entries of refused event $1"
	note "refused: $reason"
}

# attempt ID EVENT_ID S_CLIENT_ARGS...: connects, sends one event, waits
# until the listener dropped the connection.
attempt() {
	local id=$1 ev=$2
	shift 2
	tls_client "$id" -connect 127.0.0.1:6514 -alpn evtrigger/1 "$@"
	tls_send "$id" "$(tls_frame "<13>1 - - John - $ev - refused")"
	tls_wait_exit "$id"
	tls_client_stop "$id"
}

attempt nocert 901 -CAfile "$TESTDIR/ca.pem"
expect_refusal 901 '^no client certificate and no psk$'
attempt rogue 902 -cert "$TESTDIR/forged.pem" -key "$TESTDIR/forged.key"
expect_refusal 902 '^client certificate refused: unable to (get local issuer certificate|verify the first certificate)'
attempt expired 903 -cert "$TESTDIR/expired.pem" -key "$TESTDIR/expired.key"
expect_refusal 903 '^client certificate refused: certificate has expired$'
attempt unlisted 904 -cert "$TESTDIR/unlisted.pem" -key "$TESTDIR/unlisted.key"
expect_refusal 904 "^certificate not listed in the senders file \(no listed SAN; sha256=$(tls_fingerprint "$TESTDIR/unlisted.pem")\)$"
attempt unknownpsk 905 -tls1_3 -psk_identity nobody -psk "$(tls_psk_hex nobody "$secret")"
expect_refusal 905 "^unknown psk identity 'nobody'$"
attempt wrongpsk 906 -tls1_3 -psk_identity web01 -psk "$(tls_psk_hex web01 not-the-secret)"
expect_refusal 906 "^wrong psk for 'web01'"
# TLS 1.2 only with --tls-min 1.2
attempt tls12 909 -tls1_2 -cert "$TESTDIR/good.pem" -key "$TESTDIR/good.key"
expect_refusal 909 '^handshake failed: unsupported protocol$'

# Framing errors of an authenticated sender: ERR, one refusal, the end.
frame_refusal() {
	local id=$1 bytes=$2 answer=$3 regex=$4
	tls_client "$id" -connect 127.0.0.1:6514 -alpn evtrigger/1 \
		-cert "$TESTDIR/good.pem" -key "$TESTDIR/good.key"
	tls_send "$id" "$bytes"
	tls_wait_exit "$id"
	tls_client_stop "$id"
	assert_eq "$(cat "$TESTDIR/$id.out")" "$answer" "the answer to $id"
	expect_refusal 907 "$regex"
	assert_eq "$(journal_field PEER_NAME EVENT_ID=654)" good "PEER_NAME of $id"
}
frame_refusal badframe "12x <13>1 - - John - 907 - bad" "ERR 400 bad octet count" '^bad octet count$'
big=$(head -c 2000 /dev/zero | tr '\0' x)
frame_refusal toobig "$(tls_frame "<13>1 - - John - 907 - $big")" "ERR 413 frame too long" '^frame too long$'
frame_refusal huge "999999999999 <13>1 - - John - 907 - x" "ERR 413 frame too long" '^frame too long$'

# Too fast: burst 2, then 429 until the bucket refills; one 656 report.
tls_client fast -connect 127.0.0.1:6514 -alpn evtrigger/1 \
	-cert "$TESTDIR/good.pem" -key "$TESTDIR/good.key"
frames=
for i in $(seq 10); do
	frames+=$(tls_frame "<13>1 - - John - 908 [evtrigger@32473 uuid=\"00000000-0000-4000-8000-0000000000$((10 + i))\"] fast $i")
done
tls_send fast "$frames"
tls_wait_lines fast 10 60
tls_client_stop fast
ok=$(grep -c '^OK ' "$TESTDIR/fast.out")
limited=$(grep -c '^ERR 429 ' "$TESTDIR/fast.out")
assert_eq "$((ok + limited))" 10 "answers: $(cat "$TESTDIR/fast.out")"
[ "$limited" -ge 1 ] || fail "no 429 for 10 events at burst 2: $(cat "$TESTDIR/fast.out")"
assert_eq "$(journal_count EVENT_ID=908)" "$ok" "entries of the fast events (only the OK ones)"
journal_wait 1 30 EVENT_ID=656
assert_eq "$(journal_field PEER_NAME EVENT_ID=656)" good "the rate-limited sender"
assert_eq "$(journal_count EVENT_ID=654)" $n "refusal events at the end"
listen_stop
