#!/bin/bash
# Network senders over TLS 1.3 (RFC 5425, octet-counted RFC 5424 frames):
# a client certificate whose SAN the senders file lists, and a TLS 1.3
# external PSK whose identity is a senders file name, each get OK <uuid>
# when they offer ALPN evtrigger/1, and their events land with EVENT_SENDER
# from the senders file, EVENT_AUTH x509/psk, the peer's address, the
# claimed HOSTNAME recorded as EVENT_HOSTNAME and EVENT_TIME from the
# TIMESTAMP. A stock sender (no ALPN) gets no answers and its event is
# stored all the same. A resend of the same uuid is answered OK and writes
# nothing new. With --tls-min 1.2, a TLS 1.2 client is served as well.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
tls_ca ca
tls_cert ca server "IP:127.0.0.1"
tls_cert ca backup01 "DNS:backup01.example.org"
secret=$(printf '%064x' 7)
cat >"$TESTDIR/senders.conf" <<CONF
# who may send
backup01 x509 san=DNS:backup01.example.org
web01    psk  key=$secret
CONF
chmod 600 "$TESTDIR/senders.conf"
listen_start --tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf" \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" --ca "$TESTDIR/ca.pem"
tls_wait_port 6514

u1=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b21
msg="<12>1 2026-12-01T15:31:37.123456Z backup01.example.org John - 777 [evtrigger@32473 uuid=\"$u1\"] VDC Ready for compaction"
tls_client x509 -connect 127.0.0.1:6514 -alpn evtrigger/1 -CAfile "$TESTDIR/ca.pem" \
	-cert "$TESTDIR/backup01.pem" -key "$TESTDIR/backup01.key"
tls_send x509 "$(tls_frame "$msg")"
tls_wait_lines x509 1
assert_eq "$(cat "$TESTDIR/x509.out")" "OK $u1" "the answer to the x509 sender"
# the same uuid again: OK, nothing new
tls_send x509 "$(tls_frame "$msg")"
tls_wait_lines x509 2
assert_eq "$(sed -n 2p "$TESTDIR/x509.out")" "OK $u1" "the answer to the resend"
tls_client_stop x509
assert_eq "$(journal_count EVENT_UUID=$u1)" 1 "entries of the x509 event"
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u1)" backup01 "EVENT_SENDER"
assert_eq "$(journal_field EVENT_AUTH EVENT_UUID=$u1)" x509 "EVENT_AUTH"
assert_eq "$(journal_field EVENT_ID EVENT_UUID=$u1)" 777 "EVENT_ID"
assert_eq "$(journal_field EVENT_SOURCE EVENT_UUID=$u1)" John "EVENT_SOURCE"
assert_eq "$(journal_field EVENT_TYPE EVENT_UUID=$u1)" WARNING "EVENT_TYPE"
assert_eq "$(journal_field EVENT_HOSTNAME EVENT_UUID=$u1)" backup01.example.org "EVENT_HOSTNAME"
assert_eq "$(journal_field EVENT_TIME EVENT_UUID=$u1)" 1796139097123456 "EVENT_TIME"
assert_eq "$(journal_field MESSAGE EVENT_UUID=$u1)" "VDC Ready for compaction" "MESSAGE"
journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$u1 | grep -qE '^127\.0\.0\.1:[0-9]+$' ||
	fail "EVENT_SENDER_ADDRESS: $(journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$u1)"
assert_eq "$(journal_field EVENT_SENDER_UUID EVENT_UUID=$u1)" "" "EVENT_SENDER_UUID"
assert_eq "$(journal_field _UID EVENT_UUID=$u1)" "$LISTEN_UID" "the writer's uid"

u2=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b22
tls_client psk -connect 127.0.0.1:6514 -alpn evtrigger/1 -tls1_3 \
	-psk_identity web01 -psk "$(tls_psk_hex web01 "$secret")"
tls_send psk "$(tls_frame "<11>1 - - web-app - 4711 [evtrigger@32473 uuid=\"$u2\" log=\"Application\"] disk almost full")"
tls_wait_lines psk 1
assert_eq "$(cat "$TESTDIR/psk.out")" "OK $u2" "the answer to the psk sender"
tls_client_stop psk
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u2)" web01 "psk EVENT_SENDER"
assert_eq "$(journal_field EVENT_AUTH EVENT_UUID=$u2)" psk "psk EVENT_AUTH"
assert_eq "$(journal_field EVENT_ID EVENT_UUID=$u2)" 4711 "psk EVENT_ID"
assert_eq "$(journal_field EVENT_TYPE EVENT_UUID=$u2)" ERROR "psk EVENT_TYPE"
assert_eq "$(journal_field EVENT_HOSTNAME EVENT_UUID=$u2)" "" "no HOSTNAME claimed"

# A stock sender: no ALPN, no answers; stored all the same.
u3=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b23
tls_client stock -connect 127.0.0.1:6514 -CAfile "$TESTDIR/ca.pem" \
	-cert "$TESTDIR/backup01.pem" -key "$TESTDIR/backup01.key"
tls_send stock "$(tls_frame "<13>1 - - John - 778 [evtrigger@32473 uuid=\"$u3\"] from a stock sender")"
journal_wait 1 30 EVENT_UUID=$u3
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u3)" backup01 "stock EVENT_SENDER"
# an answer would come before the entry is read back: check after one more
tls_send stock "$(tls_frame "<13>1 - - John - 779 - second")"
journal_wait 1 30 EVENT_ID=779 EVENT_SENDER=backup01
tls_client_stop stock
assert_eq "$(cat "$TESTDIR/stock.out")" "" "answers to a stock sender"
assert_eq "$(journal_count EVENT_ID=654)" 0 "refusals"
listen_stop

# --tls-min 1.2: a TLS 1.2 client with a certificate is served too.
listen_start --tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf" --tls-min 1.2 \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" --ca "$TESTDIR/ca.pem"
tls_wait_port 6514
u4=6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b24
tls_client tls12 -connect 127.0.0.1:6514 -alpn evtrigger/1 -tls1_2 \
	-cert "$TESTDIR/backup01.pem" -key "$TESTDIR/backup01.key"
tls_send tls12 "$(tls_frame "<12>1 - - John - 777 [evtrigger@32473 uuid=\"$u4\"] over TLS 1.2")"
tls_wait_lines tls12 1
tls_client_stop tls12
assert_eq "$(cat "$TESTDIR/tls12.out")" "OK $u4" "the answer over TLS 1.2"
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u4)" backup01 "EVENT_SENDER over TLS 1.2"
listen_stop
