#!/bin/bash
# evcreate's pre-shared key against OpenSSL's own TLS 1.3 server
# (openssl s_server -psk, no certificate), given the key that Python's
# hashlib.pbkdf2_hmac derives from the secret as the contract says: the
# secret from /P @FILE, /P - and --psk-file reaches the same key (the
# handshake succeeds and the frame arrives with its uuid), a literal /P
# works with a warning, and a wrong secret or name ends at the handshake
# (exit 4, or 7 with the event kept in --spool) with nothing sent. Runs in
# its own network namespace.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace
cd "$TESTDIR" || fail "no TESTDIR"

SECRET="correct horse battery staple"
printf '%s\n' "$SECRET" >backup01.psk
chmod 600 backup01.psk
KEY=$(python3 -c 'import hashlib, sys
print(hashlib.pbkdf2_hmac("sha256", sys.argv[1].encode(),
      b"evtrigger/1 psk " + sys.argv[2].encode(), 100000, 32).hex())' \
	"$SECRET" backup01)
U=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f
n=0

# server: one s_server for one connection, answering "OK $U" (what it reads
# from its input it sends to the client), its output in s$n.out.
server() {
	n=$((n + 1))
	rm -f in$n
	mkfifo in$n
	openssl s_server -accept 127.0.0.1:6514 -tls1_3 -nocert \
		-psk_identity backup01 -psk "$KEY" -alpn evtrigger/1 \
		-ciphersuites TLS_AES_128_GCM_SHA256 -naccept 1 -quiet \
		<in$n >s$n.out 2>s$n.err &
	S=$!
	testbed_at_exit "kill $S 2>/dev/null"
	exec 3>in$n
	echo "OK $U" >&3
	for i in $(seq 200); do
		ss -ltn | grep -q '127.0.0.1:6514 ' && return 0
		sleep 0.05
	done
	fail "s_server did not start: $(cat s$n.err)"
}
done_server() {
	exec 3>&-
	wait "$S" 2>/dev/null
}
# frame_ok: the server got one frame with our uuid, id 777 and source John.
frame_ok() {
	grep -q "^[0-9]* <12>1 [^ ]* [^ ]* John [0-9]* 777 \[evtrigger@32473 uuid=\"$U\" log=\"Application\"\] .*VDC Ready" s$n.out ||
		fail "$1: the server got: $(cat s$n.out)"
}
EV=(/T WARNING /ID 777 /SO John /D "VDC Ready" --uuid "$U")

server
"$EVCREATE" /S 127.0.0.1 /U backup01 /P @backup01.psk "${EV[@]}" 2>err ||
	fail "/P @FILE: exit $?: $(cat err)"
assert_eq "$(cat err)" "" "stderr of /P @FILE"
done_server
frame_ok "/P @FILE"

server
"$EVCREATE" /S 127.0.0.1:6514 /U backup01 /P - "${EV[@]}" <backup01.psk 2>err ||
	fail "/P -: exit $?: $(cat err)"
done_server
frame_ok "/P -"

server
"$EVCREATE" --server 127.0.0.1 --psk-identity backup01 --psk-file backup01.psk \
	-t warning -i 777 -s John -d "VDC Ready" --uuid "$U" 2>err ||
	fail "--psk-file: exit $?: $(cat err)"
done_server
frame_ok "--psk-file"

# A literal secret works, and says it can be seen.
server
"$EVCREATE" /S 127.0.0.1 /U backup01 /P "$SECRET" "${EV[@]}" 2>err ||
	fail "literal /P: exit $?: $(cat err)"
assert_eq "$(cat err)" "evcreate: warning: the secret of /P is on the command line, where other users can see it (ps, /proc): use /P @FILE or /P -" \
	"warning of a literal /P"
done_server
frame_ok "literal /P"

# A wrong secret, a wrong name: the handshake fails, at once (no retry
# until --timeout: the test would wait 30 s), nothing is sent.
for wrong in "/U backup01 /P wrong-secret" "/U backup02 /P @backup01.psk"; do
	server
	# shellcheck disable=SC2086 # $wrong: switches
	"$EVCREATE" /S 127.0.0.1 $wrong "${EV[@]}" 2>err
	rc=$?
	assert_eq "$rc" 4 "exit with $wrong"
	grep -q "^evcreate: TLS handshake with 127.0.0.1:6514 failed: .* (wrong PSK or identity?)$" err ||
		fail "message with $wrong: $(cat err)"
	done_server
	assert_eq "$(grep -c 777 s$n.out)" 0 "frames the server got with $wrong"
done

# With --spool the event is kept for --flush (exit 7), then delivered once
# the secret is right.
server
"$EVCREATE" /S 127.0.0.1 /U backup01 /P wrong-secret "${EV[@]}" --spool spool 2>err
assert_eq "$?" 7 "exit with a wrong secret and --spool"
[ -f "spool/$U.event" ] || fail "not spooled: $(ls -la spool)"
done_server
server
"$EVCREATE" --flush --spool spool --server 127.0.0.1 --psk-identity backup01 \
	--psk-file backup01.psk 2>err || fail "--flush: exit $?: $(cat err)"
done_server
frame_ok "--flush"
assert_eq "$(ls spool)" "" "spool after --flush"
echo ok
