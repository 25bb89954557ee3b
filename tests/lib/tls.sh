# The network part of the test bed: a private network namespace, a second
# "machine" in another one, certificates made with openssl, and TLS/TCP
# clients that send frames and collect answers. Source it FIRST (before
# tests/lib/testbed.sh): it runs the scenario again inside its own network
# namespace (unshare -n), so that its ports and addresses touch nothing of
# the host's:
#
#   . "$(dirname "$0")/../lib/tls.sh"       # re-executes under unshare -n
#   . "$TOP/tests/lib/testbed.sh" ...
#   tls_machine                # netns "peer": veth 10.77.0.1 (here) <->
#                              # 10.77.0.2 (there); PEER_RUN cmd... runs there
#   tls_ca NAME                # $TESTDIR/NAME.pem, NAME.key: a CA
#   tls_cert CA NAME SAN [DAYS] # NAME.pem/.key signed by CA with that
#                              # subjectAltName (DAYS -1: expired)
#   tls_fingerprint CERT       # its SHA-256, AB:CD:...
#   tls_client ID ARGS...      # openssl s_client ARGS in the background,
#                              # fed from tls_send ID, answers in $TESTDIR/ID.out
#   tls_send ID TEXT           # writes TEXT (printf %s) to client ID
#   tls_frame MSG              # prints "LEN MSG" (RFC 6587 octet counting)
#   tls_wait_lines ID N        # waits for N lines of answers from ID
#   tls_client_stop ID
#   tls_wait_port PORT         # until something listens on TCP PORT
#   tls_psk_hex NAME SECRET    # the derived PSK key, for s_client -psk
#
# Exports: PEER_IP, HOST_IP.

if [ "${EVT_TLS_NETNS:-}" != 1 ]; then
	EVT_TLS_NETNS=1 exec unshare -n bash "$0" "$@"
fi
ip link set lo up || { echo "FAIL: cannot bring lo up" >&2; exit 1; }

HOST_IP=10.77.0.1
PEER_IP=10.77.0.2
declare -A TLS_CLIENT_PID TLS_CLIENT_FD

# tls_machine: the second machine, a network namespace "peer" (made with
# ip netns add, its /run/netns on a private tmpfs) joined by a veth pair.
tls_machine() {
	mkdir -p /run/netns
	mount -t tmpfs -o mode=0755 tmpfs /run/netns || fail "cannot mount /run/netns"
	ip netns add peer || fail "cannot make netns peer"
	testbed_at_exit "ip netns del peer"
	ip link add evt0 type veth peer name evt1 || fail "cannot make a veth pair"
	ip link set evt1 netns peer || fail "cannot move evt1"
	ip addr add $HOST_IP/24 dev evt0 && ip link set evt0 up ||
		fail "cannot set up evt0"
	ip netns exec peer ip addr add $PEER_IP/24 dev evt1 &&
		ip netns exec peer ip link set evt1 up &&
		ip netns exec peer ip link set lo up || fail "cannot set up evt1"
}

PEER_RUN() {
	ip netns exec peer "$@"
}

tls_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 3 -subj "/CN=$1" -keyout "$TESTDIR/$1.key" \
		-out "$TESTDIR/$1.pem" >"$TESTDIR/openssl.log" 2>&1 ||
		fail "cannot make CA $1: $(cat "$TESTDIR/openssl.log")"
}

tls_cert() {
	local ca=$1 name=$2 san=$3 days=${4:-3}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$name" -keyout "$TESTDIR/$name.key" \
		-out "$TESTDIR/$name.csr" >"$TESTDIR/openssl.log" 2>&1 &&
	printf 'subjectAltName=%s\n' "$san" >"$TESTDIR/$name.ext" &&
	openssl x509 -req -in "$TESTDIR/$name.csr" -CA "$TESTDIR/$ca.pem" \
		-CAkey "$TESTDIR/$ca.key" -CAcreateserial -days "$days" \
		-extfile "$TESTDIR/$name.ext" -out "$TESTDIR/$name.pem" \
		>>"$TESTDIR/openssl.log" 2>&1 ||
		fail "cannot make certificate $name: $(cat "$TESTDIR/openssl.log")"
}

tls_fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'
}

# tls_frame MSG: the octet-counted frame of MSG (bytes, not characters).
tls_frame() {
	printf '%d %s' "$(printf %s "$1" | wc -c)" "$1"
}

# tls_client ID [--in NETNS] ARGS...: openssl s_client -quiet ARGS, its
# standard input a FIFO held open here, its output in $TESTDIR/ID.out.
tls_client() {
	local id=$1 fd
	shift
	rm -f "$TESTDIR/$id.in" "$TESTDIR/$id.out"
	mkfifo "$TESTDIR/$id.in"
	openssl s_client -quiet "$@" <"$TESTDIR/$id.in" >"$TESTDIR/$id.out" \
		2>"$TESTDIR/$id.err" &
	TLS_CLIENT_PID[$id]=$!
	exec {fd}>"$TESTDIR/$id.in"
	TLS_CLIENT_FD[$id]=$fd
	testbed_at_exit "kill ${TLS_CLIENT_PID[$id]} 2>/dev/null"
}

tls_send() {
	printf %s "$2" >&"${TLS_CLIENT_FD[$1]}"
}

# tls_wait_lines ID N [TIMEOUT_S]: waits until ID's output has N lines.
tls_wait_lines() {
	local id=$1 n=$2 i
	for i in $(seq $((${3:-30} * 20))); do
		[ "$(wc -l <"$TESTDIR/$id.out")" -ge "$n" ] && return 0
		sleep 0.05
	done
	fail "waited for $n answer lines from $id, got: $(cat "$TESTDIR/$id.out"); stderr: $(tail -n 5 "$TESTDIR/$id.err")"
}

# tls_wait_port PORT [TIMEOUT_S]: waits until something listens on TCP
# PORT here.
tls_wait_port() {
	local i
	for i in $(seq $((${2:-30} * 20))); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	fail "nothing listens on port $1: $(tail -n 20 "${LISTEN_LOG:-/dev/null}")"
}

# tls_psk_hex NAME SECRET: the PSK key evtrigger derives for NAME from
# SECRET (PBKDF2-HMAC-SHA256, salt "evtrigger/1 psk NAME", 100000), in hex,
# as openssl s_client -psk wants it.
tls_psk_hex() {
	python3 -c 'import hashlib,sys; print(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), b"evtrigger/1 psk " + sys.argv[1].encode(), 100000, 32).hex())' "$1" "$2"
}

# tls_wait_exit ID [TIMEOUT_S]: waits until client ID ended (the server
# closed the connection).
tls_wait_exit() {
	local id=$1 i
	for i in $(seq $((${2:-30} * 20))); do
		kill -0 "${TLS_CLIENT_PID[$id]}" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "client $id still connected"
}

tls_client_stop() {
	local id=$1 fd=${TLS_CLIENT_FD[$1]}
	exec {fd}>&-
	kill "${TLS_CLIENT_PID[$id]}" 2>/dev/null
	wait "${TLS_CLIENT_PID[$id]}" 2>/dev/null
	true
}
