#!/bin/bash
# evcreate --server against a scripted RFC 5425 peer (Python's ssl module,
# so OpenSSL on both ends, certificates made here with openssl): exit 0 only
# on "OK <uuid>", 8 on a refusal, the same uuid sent again after ERR 429 and
# after a connection lost before the answer, a batch pipelined over one
# connection, the server's certificate checked against --ca and the host
# name, TLS 1.2 taken with certificates, IPv6, a host without ALPN
# evtrigger/1 refused unless --no-answer, and the static guest build's exit
# 6. The peer answers by event id (see peer.py below); it logs every frame it
# got, so the test sees what went over the wire. Runs in its own network
# namespace (only its loopback), so its ports are its own.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

cd "$TESTDIR" || fail "no TESTDIR"
# /etc/hosts names the server as the certificate does.
cp /etc/hosts hosts
printf '127.0.0.1 logs.example.org\n127.0.0.1 other.example.org\n' >>hosts
mount --bind hosts /etc/hosts

# cert NAME CA SUBJECT-ALT-NAMES [EXT]: a P-256 key and certificate by CA.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null &&
		openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
			-CAcreateserial -out "$1.pem" -days 2 -extfile \
			<(printf 'subjectAltName=%s\n%s\n' "$3" "${4:-}") \
			2>/dev/null || fail "cannot make certificate $1"
}
for ca in ca other-ca; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout $ca.key -out $ca.pem -days 2 -subj "/CN=$ca" 2>/dev/null ||
		fail "cannot make $ca"
done
cert srv ca "DNS:logs.example.org,IP:127.0.0.1,IP:::1"
cert client ca "DNS:client01.example.org" "extendedKeyUsage=clientAuth"

cat >peer.py <<'PY'
import re, socket, ssl, sys, threading
# Answers by the event id (MSGID): 4xx but 429 -> ERR 4xx; 429 -> ERR 429
# the first time per uuid, then OK; 999 -> closes without answering the
# first time per uuid, then OK; others -> OK <uuid>. Logs one line per
# frame: "conn N uuid U msgid M ts T cn C".
opt = dict(zip(sys.argv[1::2], sys.argv[2::2]))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
v = ssl.TLSVersion.TLSv1_2 if opt.get('--tls') == '1.2' else ssl.TLSVersion.TLSv1_3
ctx.minimum_version = ctx.maximum_version = v
ctx.load_cert_chain(opt['--cert'], opt['--key'])
if '--client-ca' in opt:
    ctx.load_verify_locations(opt['--client-ca'])
    ctx.verify_mode = ssl.CERT_REQUIRED
if opt.get('--alpn', 'yes') == 'yes':
    ctx.set_alpn_protocols(['evtrigger/1'])
log = open(opt['--log'], 'a', buffering=1)
seen, lock, count = set(), threading.Lock(), [0]
fam = socket.AF_INET6 if ':' in opt['--addr'] else socket.AF_INET
srv = socket.socket(fam)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((opt['--addr'], int(opt['--port'])))
srv.listen(64)
open(opt['--ready'], 'w').write('ready\n')

def serve(raw, n):
    try:
        c = ctx.wrap_socket(raw, server_side=True)
    except Exception as e:
        log.write('conn %d handshake-failed %s\n' % (n, e))
        raw.close()
        return
    cn = '-'
    for rdn in (c.getpeercert() or {}).get('subject', ()):
        for k, val in rdn:
            if k == 'commonName':
                cn = val
    answers = c.selected_alpn_protocol() == 'evtrigger/1'
    buf = b''
    while True:
        try:
            d = c.recv(65536)
        except Exception:
            d = b''
        if not d:
            break
        buf += d
        while True:
            m = re.match(rb'(\d+) ', buf)
            if not m or len(buf) < m.end() + int(m.group(1)):
                break
            msg = buf[m.end():m.end() + int(m.group(1))]
            buf = buf[m.end() + int(m.group(1)):]
            f = msg.split(b' ')
            u = re.search(rb'uuid="([^"]*)"', msg)
            u = u.group(1).decode() if u else '-'
            log.write('conn %d uuid %s msgid %s ts %s cn %s\n'
                      % (n, u, f[5].decode(), f[1].decode(), cn))
            if not answers:
                continue
            i = int(f[5])
            with lock:
                first = (u, i) not in seen
                seen.add((u, i))
            if i == 999 and first:
                c.close()
                return
            if 400 <= i < 500 and i != 429:
                a = 'ERR %d refused by the test peer' % i
            elif i == 429 and first:
                a = 'ERR 429 rate limited'
            else:
                a = 'OK ' + u
            c.sendall((a + '\n').encode())
    c.close()

while True:
    s, _ = srv.accept()
    count[0] += 1
    threading.Thread(target=serve, args=(s, count[0]), daemon=True).start()
PY

# peer NAME ADDR PORT ARGS...: starts a peer logging to NAME.log.
peer() {
	local name=$1 addr=$2 port=$3 i
	shift 3
	python3 peer.py --cert srv.pem --key srv.key --addr "$addr" \
		--port "$port" --log "$name.log" --ready "$name.ready" "$@" \
		2>"$name.err" &
	testbed_at_exit "kill $!"
	for i in $(seq 200); do
		[ -e "$name.ready" ] && return 0
		sleep 0.05
	done
	fail "peer $name did not start: $(cat "$name.err")"
}
# run CODE ARGS...: evcreate ARGS... exits CODE; its stderr is in err.
run() {
	local code=$1 rc
	shift
	"$EVCREATE" "$@" >out 2>err
	rc=$?
	[ "$rc" = "$code" ] || fail "evcreate $*: exit $rc, want $code: $(cat err)"
}
# frames NAME: the frames peer NAME got, one per line.
frames() { grep -c ' uuid ' "$1.log" || true; }

peer main 127.0.0.1 6514 --client-ca ca.pem
peer v6 ::1 6600
peer tls12 127.0.0.1 6601 --tls 1.2
peer plain 127.0.0.1 6602 --alpn no
X=(--ca ca.pem --cert client.pem --key client.key)

# OK: exit 0, nothing on stderr; the frame carried our uuid, the client's
# certificate and the time as TIMESTAMP.
U=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f
run 0 --server logs.example.org "${X[@]}" --uuid "${U^^}" -t warning -i 777 \
	-s John -d "VDC Ready for compaction"
assert_eq "$(cat err)" "" "stderr of an acknowledged event"
grep -q "uuid $U msgid 777 ts 20[0-9-]*T[0-9:.]*[+-][0-9:]* cn client" main.log ||
	fail "frame not as sent: $(cat main.log)"
# The default port is 6514; the eventcreate syntax with the same options.
run 0 /S logs.example.org /T ERROR /ID 778 /SO John /D "x" "${X[@]}"
assert_eq "$(frames main)" 2 "frames after two events"

# A refusal: exit 8 with the host's answer, not sent again.
run 8 --server logs.example.org:6514 "${X[@]}" -i 403 -d refused
assert_eq "$(cat err)" "evcreate: the host refused the event: ERR 403 refused by the test peer" \
	"message of a refusal"
assert_eq "$(grep -c 'msgid 403' main.log)" 1 "sends of a refused event"

# ERR 429: the same uuid again after a pause, on the same connection.
run 0 --server logs.example.org "${X[@]}" -i 429 -d slow
assert_eq "$(grep 'msgid 429' main.log | awk '{print $2, $4}' | sort -u | wc -l)" 1 \
	"connections x uuids of the 429 event (one connection, one uuid)"
assert_eq "$(grep -c 'msgid 429' main.log)" 2 "sends of the 429 event"

# The connection lost before the answer: a new connection, the same uuid.
run 0 --server logs.example.org "${X[@]}" -i 999 -d lost
assert_eq "$(grep -c 'msgid 999' main.log)" 2 "sends of the event whose answer was lost"
assert_eq "$(grep 'msgid 999' main.log | awk '{print $4}' | sort -u | wc -l)" 1 \
	"uuids of the event whose answer was lost"
assert_eq "$(grep 'msgid 999' main.log | awk '{print $2}' | sort -u | wc -l)" 2 \
	"connections of the event whose answer was lost"

# A batch: one connection, in order, each line its own uuid; the refused
# and the bad line reported by line, the others acknowledged: exit 5.
: >main.log
printf '%s\n' "id=1 description=a" "id=403 description=b" "# comment" \
	"id=0 description=bad" "id=429 description=c" \
	'type=warning id=5 source=John description="d e" VM=vdc' |
	"$EVCREATE" --server logs.example.org "${X[@]}" --batch - >out 2>err
assert_eq "$?" 5 "exit of a batch with a refused and a bad line"
assert_eq "$(cat err)" "evcreate: <stdin>:4: invalid event id '0': must be 1..65535
evcreate: <stdin>:2: the host refused the event (uuid $(awk '/msgid 403/ {print $4}' main.log)): ERR 403 refused by the test peer
evcreate: 3 events acknowledged, 2 refused or bad" "batch messages"
assert_eq "$(awk '{print $2}' main.log | sort -u | wc -l)" 1 "connections of the batch"
assert_eq "$(awk '{print $6}' main.log | tr '\n' ' ')" "1 403 429 5 429 " \
	"frames of the batch, in order (429 again at the end)"
assert_eq "$(awk '{print $4}' main.log | sort -u | wc -l)" 4 "uuids of the batch"
printf 'id=1 description=a\nid=2 description=b\n' |
	"$EVCREATE" --server logs.example.org "${X[@]}" --batch - ||
	fail "good batch: exit $?"

# Other ends: IPv6 with a port in brackets, TLS 1.2 with certificates.
run 0 --server "[::1]:6600" --ca ca.pem -i 1 -d v6
assert_eq "$(frames v6)" 1 "frames over IPv6"
run 0 --server 127.0.0.1:6601 --ca ca.pem -i 1 -d tls12
assert_eq "$(frames tls12)" 1 "frames over TLS 1.2"

# The server's certificate: another CA, another name, no certificate of
# ours where one is required: exit 4 at once, no frame sent.
n=$(frames main)
run 4 --server logs.example.org --ca other-ca.pem -i 1 -d x
assert_eq "$(cat err)" "evcreate: TLS handshake with logs.example.org:6514 failed: the server's certificate is not trusted: self-signed certificate in certificate chain" \
	"message of an untrusted server"
run 4 --server other.example.org:6601 --ca ca.pem -i 1 -d x
grep -q "certificate is not trusted: hostname mismatch" err ||
	fail "a server of another name: $(cat err)"
run 4 --server logs.example.org --ca ca.pem -i 1 -d x
assert_eq "$(cat err)" "evcreate: the host ended the connection: tlsv13 alert certificate required" \
	"message when the server wants a client certificate"
assert_eq "$(frames main)" "$n" "frames sent to a refusing or untrusted server"

# A host without ALPN evtrigger/1 cannot answer: refused, unless told.
run 4 --server 127.0.0.1:6602 --ca ca.pem -i 1 -d x
assert_eq "$(cat err)" "evcreate: the host does not answer events (no evtrigger/1): give --no-answer to send without acknowledgement" \
	"message for a host without answers"
assert_eq "$(frames plain)" 0 "frames sent to a host without answers"
run 0 --server 127.0.0.1:6602 --ca ca.pem --no-answer -i 1 -d x
assert_eq "$(frames plain)" 1 "frames sent with --no-answer"

# Nothing listening: exit 4 within --timeout, naming the address.
run 4 --server 127.0.0.1:6699 --ca ca.pem --timeout 1 -i 1 -d x
assert_eq "$(cat err)" "evcreate: cannot connect to 127.0.0.1:6699: Connection refused" \
	"message when nothing listens"
run 4 --server no-such-host.invalid --ca ca.pem -i 1 -d x
grep -q "^evcreate: cannot resolve 'no-such-host.invalid': " err ||
	fail "unknown host: $(cat err)"

# The static guest build has no TLS.
[ -x "$BUILD/guest/evcreate" ] || fail "no $BUILD/guest/evcreate (make guest-tools)"
"$BUILD/guest/evcreate" /S logs.example.org /ID 1 /D x 2>err
assert_eq "$?" 6 "exit of --server in the guest build"
assert_eq "$(cat err)" "evcreate: --server: not built with TLS (the static guest build); use --channel" \
	"message of --server in the guest build"
echo ok
