#!/bin/bash
# Floods from one address do not starve another sender: 300 connections
# from 127.0.0.1 that never finish (or never start) a TLS handshake, after a
# 12-digit length prefix from an authenticated sender there; meanwhile a
# second machine (another network namespace, 10.77.0.2) sends an event and
# gets OK. The listener keeps at most --max-sessions-per-address sessions
# per address, refuses the rest at once, closes silent handshakes after
# --handshake-timeout and idle sessions after --idle-timeout, each refusal
# reported with the peer's address, the reports limited per address with
# the count of those left out (SUPPRESSED).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
tls_machine
tls_ca ca
tls_cert ca server "IP:127.0.0.1,IP:$HOST_IP"
tls_cert ca local "DNS:local.example.org"
tls_cert ca remote "DNS:remote.example.org"
cat >"$TESTDIR/senders.conf" <<CONF
local  x509 san=DNS:local.example.org
remote x509 san=DNS:remote.example.org
CONF
listen_start --tls :6514 --senders "$TESTDIR/senders.conf" \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" \
	--ca "$TESTDIR/ca.pem" --handshake-timeout 2s --idle-timeout 3s
tls_wait_port 6514

# A 12-digit length prefix: 413, one refusal, the end; nothing allocated
# for it (the sanitizer build would notice a 1 TB malloc).
tls_client huge -connect 127.0.0.1:6514 -alpn evtrigger/1 \
	-cert "$TESTDIR/local.pem" -key "$TESTDIR/local.key"
tls_send huge "999999999999 <13>1 - - John - 777 - x"
tls_wait_exit huge
tls_client_stop huge
assert_eq "$(cat "$TESTDIR/huge.out")" "ERR 413 frame too long" "the answer to the huge prefix"

cat >"$TESTDIR/flood.py" <<'PY'
import socket, sys
socks = []
for i in range(300):
    s = socket.create_connection(("127.0.0.1", 6514))
    if i % 60 == 0:
        s.sendall(b"\x16\x03\x01\x02\x00")   # a ClientHello that never comes
    socks.append(s)
print("connected", flush=True)
closed = timeouts = 0
for s in socks:
    s.settimeout(60)
    try:
        while s.recv(4096):
            pass
        closed += 1
    except socket.timeout:
        timeouts += 1
    except OSError:
        closed += 1
print("closed %d timeouts %d" % (closed, timeouts), flush=True)
PY
python3 "$TESTDIR/flood.py" >"$TESTDIR/flood.out" 2>&1 &
flood=$!
for i in $(seq 600); do grep -q connected "$TESTDIR/flood.out" && break; sleep 0.05; done
grep -q connected "$TESTDIR/flood.out" || fail "the flood did not connect: $(cat "$TESTDIR/flood.out")"

# The second machine is served meanwhile.
u=7a1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c
cat >"$TESTDIR/remote.sh" <<SH
printf '%s' '$(tls_frame "<12>1 - remote.example.org John - 777 [evtrigger@32473 uuid=\"$u\"] from the other machine")' |
	openssl s_client -quiet -connect $HOST_IP:6514 -alpn evtrigger/1 \
		-cert "$TESTDIR/remote.pem" -key "$TESTDIR/remote.key" 2>"$TESTDIR/remote.err"
SH
PEER_RUN bash "$TESTDIR/remote.sh" >"$TESTDIR/remote.out" &
remote=$!
journal_wait 1 60 EVENT_UUID=$u
# s_client -quiet waits for the server: the idle timeout ends it
wait $remote
assert_eq "$(cat "$TESTDIR/remote.out")" "OK $u" "the answer to the other machine"
assert_eq "$(journal_field EVENT_SENDER EVENT_UUID=$u)" remote "EVENT_SENDER"
journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$u | grep -qE "^$PEER_IP:[0-9]+\$" ||
	fail "EVENT_SENDER_ADDRESS: $(journal_field EVENT_SENDER_ADDRESS EVENT_UUID=$u)"
journal_wait 1 30 EVENT_ID=654 PEER_NAME=remote
journal_field REASON EVENT_ID=654 PEER_NAME=remote | grep -qx "idle timeout" ||
	fail "the idle session's refusal: $(journal_field REASON EVENT_ID=654 PEER_NAME=remote)"

wait $flood
assert_eq "$(tail -n 1 "$TESTDIR/flood.out")" "closed 300 timeouts 0" "the flood's connections"
local_reports=$(journalctl -q -o export EVENT_ID=654 | grep -c '^PEER=127\.0\.0\.1:')
[ "$local_reports" -lt 100 ] || fail "$local_reports refusal reports for 127.0.0.1: not limited"
journalctl -q -o export EVENT_ID=654 | grep -q '^REASON=too many sessions from this address (16)$' ||
	fail "no 'too many sessions' refusal"
journalctl -q -o export EVENT_ID=654 | grep -q '^REASON=handshake timeout$' ||
	fail "no 'handshake timeout' refusal"
journalctl -q -o export EVENT_ID=654 | grep -qE '^SUPPRESSED=[1-9][0-9]*$' ||
	fail "no report carries a count of suppressed ones"
note "$local_reports reports for about 300 refusals of 127.0.0.1"

# Still serving.
u2=7a1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2d
tls_client after -connect 127.0.0.1:6514 -alpn evtrigger/1 \
	-cert "$TESTDIR/local.pem" -key "$TESTDIR/local.key"
tls_send after "$(tls_frame "<13>1 - - John - 777 [evtrigger@32473 uuid=\"$u2\"] after the flood")"
tls_wait_lines after 1
tls_client_stop after
assert_eq "$(cat "$TESTDIR/after.out")" "OK $u2" "the answer after the flood"
listen_stop
