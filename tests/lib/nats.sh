# The NATS part of the test bed: a 3-node JetStream cluster on 127.0.0.1,
# started from the documented configuration (doc/nats/nats-server.conf), so
# that the documentation is what runs. Source it after tests/lib/testbed.sh,
# in a private network namespace (tests/lib/tls.sh), whose loopback then
# holds the fixed ports below:
#
#   nats_cluster_start         # nodes kvm1 kvm2 kvm3; waits for a JetStream
#                              # meta leader seen by every node
#   nats_node_kill9 K          # kill -9 node K (1..3)
#   nats_node_stop K           # SIGTERM, wait
#   nats_node_start K          # (re)start node K from its configuration
#   nats_wait_meta_leader [TIMEOUT_S]  # every running node knows the leader
#   nats_cluster_stop          # stops every node (also done at exit)
#   nats_password_file USER    # a 0600 file with USER's clear password
#   nats_verify_dropin         # systemd-analyze verify of the drop-in
#   nats_client USER OP ARGS   # a minimal client (ping, pub, sub, req)
#   nats_assert_permissions USER  # what the documented user may do
#   nats_kv_get KEY; nats_wait_kv_key KEY VALUE TIMEOUT_S  # placement
#   nats_consumer_field CONSUMER FIELD; nats_wait_consumer_done CONSUMER S
#
# The templating: the documented file is kvm1's; node K gets a copy with
# server_name kvmK, its client, route and monitoring ports on 127.0.0.1, its
# store under $TESTDIR/nats/kvmK, the route URLs pointing at the three
# nodes' route ports, and fresh passwords (route password; a bcrypt hash
# per host user). Each replacement must hit the documented lines exactly as
# often as expected, so a change of the documentation that the test bed does
# not follow fails here instead of testing something else.
#
# Node K listens for clients on 4221+K, for routes on 6221+K, and serves
# monitoring (/jsz) on 8221+K.
#
# Exports: NATS_SERVERS (nats://127.0.0.1:4222 ... for bus.conf), NATS_DIR.

NATS_DIR=$TESTDIR/nats
NATS_SERVERS="nats://127.0.0.1:4222 nats://127.0.0.1:4223 nats://127.0.0.1:4224"
NATS_DOC=$TOP/doc/nats
declare -A NATS_PID

nats_port() { echo $((4221 + $1)); }
nats_route_port() { echo $((6221 + $1)); }
nats_http_port() { echo $((8221 + $1)); }

# nats_config K: writes $NATS_DIR/kvmK.conf from the documented file.
nats_config() {
	local k=$1
	python3 -W ignore - "$NATS_DOC/nats-server.conf" "$NATS_DIR" "$k" <<-'PYEOF' ||
	import crypt, re, sys
	doc, d, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
	s = open(doc).read()
	def sub(pattern, repl, want):
	    global s
	    s, n = re.subn(pattern, repl, s, flags=re.M)
	    if n != want:
	        sys.exit("nats_config: %r matched %d times in %s, want %d" % (pattern, n, doc, want))
	def secret(name):
	    return open("%s/%s.password" % (d, name)).read().strip()
	sub(r"^server_name: kvm1$", "server_name: kvm%d" % k, 1)
	sub(r"^listen: 0\.0\.0\.0:4222$", "listen: 127.0.0.1:%d" % (4221 + k), 1)
	sub(r"^http: 127\.0\.0\.1:8222$", "http: 127.0.0.1:%d" % (8221 + k), 1)
	sub(r"^(\s+store_dir:) /var/lib/nats/jetstream$", r"\1 %s/kvm%d" % (d, k), 1)
	sub(r"^(\s+listen:) 0\.0\.0\.0:6222$", r"\1 127.0.0.1:%d" % (6221 + k), 1)
	sub(r"route-secret", secret("route"), 5)
	for h in (1, 2, 3):
	    sub(r"@kvm%d\.example\.org:6222\"$" % h, "@127.0.0.1:%d\"" % (6221 + h), 1)
	    # One salt per user and node is as good as one per user.
	    hashed = crypt.crypt(secret("kvm%d" % h), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
	    sub(r'(\{user: kvm%d, password: )"[^"]*"' % h, r'\1"%s"' % hashed, 1)
	open("%s/kvm%d.conf" % (d, k), "w").write(s)
	PYEOF
		fail "cannot make the configuration of NATS node $k"
	nats-server -c "$NATS_DIR/kvm$k.conf" -t >"$NATS_DIR/kvm$k.check" 2>&1 ||
		fail "nats-server -t refuses kvm$k.conf: $(cat "$NATS_DIR/kvm$k.check")"
}

# nats_password_file USER: prints the path of USER's password file (route,
# kvm1, kvm2, kvm3), made on first use.
nats_password_file() {
	local f=$NATS_DIR/$1.password
	if [ ! -s "$f" ]; then
		mkdir -p "$NATS_DIR"
		(umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$f") ||
			fail "cannot make $f"
	fi
	echo "$f"
}

nats_cluster_start() {
	local k
	command -v nats-server >/dev/null || fail "nats-server is not installed (tools/deps.sh test)"
	mkdir -p "$NATS_DIR"
	# The documented file as it stands, then each node's copy.
	nats-server -c "$NATS_DOC/nats-server.conf" -t >"$NATS_DIR/doc.check" 2>&1 ||
		fail "nats-server -t refuses doc/nats/nats-server.conf: $(cat "$NATS_DIR/doc.check")"
	for k in route kvm1 kvm2 kvm3; do nats_password_file "$k" >/dev/null; done
	for k in 1 2 3; do
		nats_config "$k"
		nats_node_start "$k"
	done
	testbed_at_exit nats_cluster_stop
	nats_wait_meta_leader 60
}

nats_node_start() {
	local k=$1
	nats-server -c "$NATS_DIR/kvm$k.conf" >>"$NATS_DIR/kvm$k.log" 2>&1 &
	NATS_PID[$k]=$!
}

nats_node_kill9() {
	local k=$1
	[ -n "${NATS_PID[$k]:-}" ] || return 0
	kill -9 "${NATS_PID[$k]}" 2>/dev/null
	wait "${NATS_PID[$k]}" 2>/dev/null
	NATS_PID[$k]=
}

nats_node_stop() {
	local k=$1
	[ -n "${NATS_PID[$k]:-}" ] || return 0
	kill "${NATS_PID[$k]}" 2>/dev/null
	wait "${NATS_PID[$k]}" 2>/dev/null
	NATS_PID[$k]=
}

nats_cluster_stop() {
	local k
	for k in 1 2 3; do nats_node_stop "$k"; done
}

# nats_meta_leader K: the JetStream meta leader node K knows (its
# monitoring endpoint /jsz), or nothing.
nats_meta_leader() {
	python3 -c '
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        m = json.load(r).get("meta_cluster") or {}
except (OSError, ValueError):
    sys.exit(0)
if m.get("leader") and m.get("cluster_size", 0) >= 3:
    print(m["leader"])' "http://127.0.0.1:$(nats_http_port "$1")/jsz" 2>/dev/null
}

# nats_wait_meta_leader [TIMEOUT_S]: waits until every running node names
# the same meta leader, itself a running node.
nats_wait_meta_leader() {
	local timeout=${1:-60} i k l leader seen
	for i in $(seq $((timeout * 5))); do
		leader= seen=1
		for k in 1 2 3; do
			[ -n "${NATS_PID[$k]:-}" ] || continue
			l=$(nats_meta_leader "$k")
			if [ -z "$l" ] || { [ -n "$leader" ] && [ "$l" != "$leader" ]; }; then
				seen=0
				break
			fi
			leader=$l
		done
		if [ "$seen" = 1 ] && [ -n "$leader" ] &&
			[ -n "${NATS_PID[${leader#kvm}]:-}" ]; then
			return 0
		fi
		sleep 0.2
	done
	fail "no JetStream meta leader within ${timeout}s: $(for k in 1 2 3; do echo "kvm$k: $(tail -n 5 "$NATS_DIR/kvm$k.log")"; done)"
}

# nats_verify_dropin: the documented drop-in, applied to Debian's
# nats-server.service, passes systemd-analyze verify without a word.
nats_verify_dropin() {
	local d=$TESTDIR/nats-unit out
	mkdir -p "$d/nats-server.service.d"
	cp /lib/systemd/system/nats-server.service "$d/" ||
		fail "no /lib/systemd/system/nats-server.service (package nats-server)"
	cp "$NATS_DOC/nats-server.service.d-evtrigger.conf" \
		"$d/nats-server.service.d/evtrigger.conf"
	out=$(SYSTEMD_UNIT_PATH=$d: systemd-analyze verify --man=no \
		"$d/nats-server.service" 2>&1) ||
		fail "systemd-analyze verify of the drop-in: $out"
	[ -z "$out" ] || fail "systemd-analyze verify of the drop-in: $out"
}

# nats_client USER|- OP ARGS...: a minimal NATS client (the protocol is
# lines of text; no NATS client package is needed), as USER with its
# password (- : no credentials), on the running node with the highest
# number (kvm3's, used by no bus in the tests), or node
# $NATS_CLIENT_NODE. Prints
# the server's answer:
#   ping                        "PONG", or the -ERR line
#   pub SUBJECT                 "OK", or the -ERR line (an empty message)
#   sub SUBJECT                 "OK", or the -ERR line
#   req SUBJECT PAYLOAD         the reply's payload, or the -ERR line
# A connection that fails or times out is "-ERR client: REASON".
nats_client() {
	local user=$1 pw=
	shift
	local node=${NATS_CLIENT_NODE:-} k
	for k in 3 2 1; do
		[ -n "$node" ] || [ -z "${NATS_PID[$k]:-}" ] || node=$k
	done
	[ "$user" = - ] || pw=$(cat "$(nats_password_file "$user")")
	python3 - "$(nats_port "${node:-1}")" "$user" "$pw" "$@" <<-'PYEOF'
	import json, socket, sys
	port, user, pw, op, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
	def broken(t, e, tb):
	    print("-ERR client: %s" % (e or t.__name__))
	    sys.exit(0)
	sys.excepthook = broken
	s = socket.create_connection(("127.0.0.1", port), timeout=5)
	f = s.makefile("rb")
	f.readline()  # INFO
	c = {"verbose": False, "pedantic": False, "headers": False}
	if user != "-":
	    c.update(user=user, **{"pass": pw})
	def send(b):
	    s.sendall(b.encode() if isinstance(b, str) else b)
	def until_pong():
	    while True:
	        l = f.readline().decode().strip()
	        if l == "PING":
	            send("PONG\r\n")
	        elif l == "PONG" or l.startswith("-ERR") or not l:
	            return l or "closed"
	send("CONNECT %s\r\nPING\r\n" % json.dumps(c))
	r = until_pong()
	if r != "PONG" or op == "ping":
	    print(r)
	    sys.exit(0)
	if op == "pub":
	    send("PUB %s 0\r\n\r\nPING\r\n" % args[0])
	elif op == "sub":
	    send("SUB %s 1\r\nPING\r\n" % args[0])
	if op in ("pub", "sub"):
	    r = until_pong()
	    print("OK" if r == "PONG" else r)
	    sys.exit(0)
	payload = args[1].encode()
	send("SUB _INBOX.evt 1\r\nPUB %s _INBOX.evt %d\r\n" % (args[0], len(payload)))
	send(payload + b"\r\n")
	while True:
	    l = f.readline().decode().strip()
	    if l == "PING":
	        send("PONG\r\n")
	    elif l.startswith("MSG "):
	        n = int(l.split()[-1])
	        print(f.read(n + 2)[:n].decode())
	        break
	    elif l.startswith("-ERR") or not l:
	        print(l or "closed")
	        break
	PYEOF
}

# nats_assert_permissions USER: what the documented configuration allows:
# no connection without credentials; USER may subscribe to the event
# subjects and may neither publish nor subscribe outside the bus's subjects.
nats_assert_permissions() {
	local r
	r=$(nats_client - ping)
	case $r in *"Authorization Violation"*) ;; *) fail "a client without credentials: $r" ;; esac
	assert_eq "$(nats_client "$1" ping)" PONG "connection of $1"
	assert_eq "$(nats_client "$1" sub 'evtrigger.event.>')" OK "$1 subscribing to the events"
	r=$(nats_client "$1" pub other.subject)
	case $r in *"Permissions Violation"*) ;; *) fail "$1 publishing to other.subject: $r" ;; esac
	r=$(nats_client "$1" sub '$SYS.>')
	case $r in *"Permissions Violation"*) ;; *) fail "$1 subscribing to \$SYS.>: $r" ;; esac
}

# nats_kv_get KEY: the value of KEY in the bucket evtrigger-vms (the last
# message of its subject in stream KV_evtrigger-vms), or nothing; asked
# as kvm3, a host without a bus in the tests.
nats_kv_get() {
	nats_client kvm3 req '$JS.API.STREAM.MSG.GET.KV_evtrigger-vms' \
		"{\"last_by_subj\":\"\$KV.evtrigger-vms.$1\"}" | python3 -c '
import base64, json, sys
try:
    m = json.load(sys.stdin).get("message") or {}
except ValueError:
    sys.exit(0)
if m.get("data"):
    print(base64.b64decode(m["data"]).decode())' 2>/dev/null
}

# nats_wait_kv_key KEY VALUE TIMEOUT_S: waits until the placement bucket
# says VALUE for KEY.
nats_wait_kv_key() {
	local i v=
	for i in $(seq $(($3 * 2))); do
		v=$(nats_kv_get "$1")
		[ "$v" = "$2" ] && return 0
		sleep 0.5
	done
	fail "the bucket evtrigger-vms has '$v' for $1 after $3s, want '$2'"
}

# nats_consumer_field CONSUMER FIELD: FIELD (a JSON path with dots, e.g.
# num_ack_pending or delivered.stream_seq) of CONSUMER of stream
# EVTRIGGER, asked as kvm3; nothing when it cannot be read.
nats_consumer_field() {
	nats_client kvm3 req "\$JS.API.CONSUMER.INFO.EVTRIGGER.$1" '' | python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
if v is not None:
    print(v)' "$2" 2>/dev/null
}

# nats_wait_consumer_done CONSUMER TIMEOUT_S: waits until CONSUMER has
# nothing pending: every message delivered and acknowledged.
nats_wait_consumer_done() {
	local i a= p=
	for i in $(seq $(($2 * 2))); do
		a=$(nats_consumer_field "$1" num_ack_pending)
		p=$(nats_consumer_field "$1" num_pending)
		[ "$a" = 0 ] && [ "$p" = 0 ] && return 0
		sleep 0.5
	done
	fail "consumer $1: $a awaiting their ack, $p not delivered, after $2s"
}
