#!/bin/bash
# The listener does not start on a bad network configuration, and says why:
# every error of the senders file as file:line (exit 2), a senders file
# with psk keys that others may read (exit 2), a missing file, --tls without
# --cert/--key, a bad address, a bad certificate; a port already taken
# (exit 1). --gen-psk prints a fresh 64-hex-digit secret each time.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_listen_user
tls_ca ca
tls_cert ca server "IP:127.0.0.1"
L=$BUILD/evtrigger-listen
tlsopts=(--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key")

# expect CODE STDERR-REGEX ARGS...
expect() {
	local code=$1 re=$2 rc
	shift 2
	"$L" --user "$LISTEN_USER" "$@" >"$TESTDIR/out" 2>"$TESTDIR/err"
	rc=$?
	[ "$rc" = "$code" ] || fail "evtrigger-listen $*: exit $rc, want $code: $(cat "$TESTDIR/err")"
	grep -qE -- "$re" "$TESTDIR/err" || fail "evtrigger-listen $*: stderr lacks '$re': $(cat "$TESTDIR/err")"
}

cat >"$TESTDIR/bad.conf" <<CONF
ok      address 127.0.0.1
bad/one address 127.0.0.2
two     x509    san=DNS:*.example.org
three   tls     x
CONF
expect 2 "^$TESTDIR/bad.conf:2: invalid sender name 'bad/one'" --tcp :5514 --senders "$TESTDIR/bad.conf"
grep -q "^$TESTDIR/bad.conf:3: wildcard in san 'DNS:\*.example.org'" "$TESTDIR/err" || fail "line 3 not reported: $(cat "$TESTDIR/err")"
grep -q "^$TESTDIR/bad.conf:4: unknown kind 'tls'" "$TESTDIR/err" || fail "line 4 not reported: $(cat "$TESTDIR/err")"
grep -q "3 errors in $TESTDIR/bad.conf; not started" "$TESTDIR/err" || fail "no summary: $(cat "$TESTDIR/err")"

printf 'web01 psk key=%064x\n' 1 >"$TESTDIR/open.conf"
chmod 644 "$TESTDIR/open.conf"
expect 2 "open.conf:1: the file holds psk keys and is readable or writable by group or others \(mode 0644\)" \
	--tls 127.0.0.1:6514 "${tlsopts[@]}" --senders "$TESTDIR/open.conf"
expect 2 "cannot read the senders file $TESTDIR/none.conf: No such file" \
	--tls 127.0.0.1:6514 "${tlsopts[@]}" --senders "$TESTDIR/none.conf"
chmod 600 "$TESTDIR/open.conf"
expect 2 "--tls needs --cert and --key" --tls 127.0.0.1:6514 --senders "$TESTDIR/open.conf"
expect 2 "invalid --tls '::1:6514': must be \[ADDR\]:PORT" --tls ::1:6514 "${tlsopts[@]}"
expect 2 "invalid --tcp '127.0.0.1:99999'" --tcp 127.0.0.1:99999
expect 2 "cannot load the certificate '$TESTDIR/ca.key'" --tls 127.0.0.1:6514 \
	--cert "$TESTDIR/ca.key" --key "$TESTDIR/server.key" --senders "$TESTDIR/open.conf"
expect 2 "cannot load the key" --tls 127.0.0.1:6514 \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/ca.key" --senders "$TESTDIR/open.conf"

python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 6514)); s.listen(); print("up", flush=True); time.sleep(120)' >"$TESTDIR/holder" &
holder=$!
testbed_at_exit "kill $holder 2>/dev/null"
for _ in $(seq 200); do grep -q up "$TESTDIR/holder" && break; sleep 0.05; done
expect 1 "cannot listen on --tls 127.0.0.1:6514: Address already in use" \
	--tls 127.0.0.1:6514 "${tlsopts[@]}" --senders "$TESTDIR/open.conf"
kill $holder

a=$("$L" --gen-psk) && b=$("$L" --gen-psk) || fail "--gen-psk failed"
printf %s "$a" | grep -qxE '[0-9a-f]{64}' || fail "--gen-psk printed '$a'"
[ "$a" != "$b" ] || fail "--gen-psk printed the same secret twice"
