#!/bin/bash
# Benchmarks evtrigger-listen's network side against a private
# systemd-journald, libvirtd and (for comparison) rsyslogd, in a private
# mount and network namespace (never the host's log or ports):
#  1. sustained events/s over TLS 1.3 from 1 and from 8 connections of one
#     sender (client certificate, ALPN evtrigger/1, frames pipelined): the
#     clock stops when the last OK came back, i.e. when every entry was
#     read back from the journal;
#  2. the same frames, without ALPN, into a private rsyslogd (imtcp with the
#     ossl driver, client certificates verified) writing a file: the clock
#     stops when the file has every line;
#  3. the listener child's RSS with C idle TLS sessions (handshake done,
#     sender authenticated), and per session.
# The load generator is a small Python ssl client (tests need nothing else).
# Figures go to stdout and, as markdown, to $BENCH_OUT (default
# build/bench-listen-tls.md). Needs root, openssl, rsyslog-openssl, python3.
# Usage: bench/listen-tls.sh [BUILD]   env: BENCH_N (events, 20000),
#        BENCH_RUNS (runs per figure, best taken, 3), TLS_IDLE_CONNS (1000)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$TOP/build}" && pwd)
export BUILD
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/listen-tls.sh: needs root" >&2; exit 1; }
	EVT_TESTBED_NS=1 EVT_TLS_NETNS=1 exec unshare -m -n --propagation private \
		bash "$0" "$BUILD"
fi
source "$TOP/tests/lib/tls.sh"
source "$TOP/tests/lib/testbed.sh"
source "$TOP/tests/lib/vm.sh"
source "$TOP/tests/lib/listen.sh"
N=${BENCH_N:-20000}
RUNS=${BENCH_RUNS:-3}
IDLE=${TLS_IDLE_CONNS:-1000}
OUT=${BENCH_OUT:-$BUILD/bench-listen-tls.md}
command -v rsyslogd >/dev/null || fail "rsyslogd missing: tools/deps.sh test"

# journald's per-service limit is off for the listener's unit; here too.
testbed_journald RateLimitIntervalSec=0 RateLimitBurst=0
testbed_libvirtd
testbed_listen_user
tls_ca ca
tls_cert ca server "IP:127.0.0.1"
tls_cert ca bench "DNS:bench.example.org"
echo "bench x509 san=DNS:bench.example.org" >"$TESTDIR/senders.conf"
listen_start --tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf" \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" --ca "$TESTDIR/ca.pem" \
	--rate 1000000 --burst 1000000 --max-sessions $((IDLE + 100)) \
	--max-sessions-per-address $((IDLE + 100))
tls_wait_port 6514

mkdir -p "$TESTDIR/rsyslog"
cat >"$TESTDIR/rsyslog.conf" <<CONF
global(workDirectory="$TESTDIR/rsyslog"
	DefaultNetstreamDriver="ossl"
	DefaultNetstreamDriverCAFile="$TESTDIR/ca.pem"
	DefaultNetstreamDriverCertFile="$TESTDIR/server.pem"
	DefaultNetstreamDriverKeyFile="$TESTDIR/server.key")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1"
	StreamDriver.AuthMode="x509/certvalid" MaxSessions="$((IDLE + 100))")
input(type="imtcp" port="6515")
template(name="line" type="string" string="%msgid% %app-name% %msg%\n")
*.* action(type="omfile" file="$TESTDIR/rsyslog.out" template="line")
CONF
rsyslogd -n -f "$TESTDIR/rsyslog.conf" -i "$TESTDIR/rsyslogd.pid" \
	>"$TESTDIR/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
testbed_at_exit "kill $RSYSLOG_PID; wait $RSYSLOG_PID 2>/dev/null"
tls_wait_port 6515

cat >"$TESTDIR/load.py" <<'PY'
# load.py MODE PORT CONNS N ...: MODE answers (ALPN, wait for N OKs) or
# file:PATH (no ALPN, wait until PATH has N more lines) or idle (open CONNS
# sessions, print "ready", hold them until stdin closes). Prints seconds.
import os, socket, ssl, sys, threading, time, uuid
mode, port, conns, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.check_hostname = False
ctx.load_verify_locations(d + "/ca.pem")
ctx.load_cert_chain(d + "/bench.pem", d + "/bench.key")
if mode != "file":
    ctx.set_alpn_protocols(["evtrigger/1"])
def connect():
    s = socket.create_connection(("127.0.0.1", port))
    return ctx.wrap_socket(s)
def frames(k, i):
    out = []
    for j in range(k):
        m = ('<12>1 - - John - 777 [evtrigger@32473 uuid="%s"] VDC Ready for compaction %d.%d'
             % (uuid.uuid4(), i, j)).encode()
        out.append(b"%d %s" % (len(m), m))
    return out
if mode == "idle":
    import resource
    resource.setrlimit(resource.RLIMIT_NOFILE, (conns + 64, conns + 64))
    held = [connect() for _ in range(conns)]
    print("ready", flush=True)
    sys.stdin.read()
    sys.exit(0)
per = [n // conns + (1 if i < n % conns else 0) for i in range(conns)]
socks = [connect() for _ in range(conns)]
data = [frames(per[i], i) for i in range(conns)]
errors = []
def run(i):
    s, fr = socks[i], data[i]
    def send():
        for k in range(0, len(fr), 200):
            s.sendall(b"".join(fr[k:k + 200]))
    if mode == "answers":
        t = threading.Thread(target=send); t.start()
        got, buf = 0, b""
        while got < len(fr):
            b = s.recv(65536)
            if not b:
                errors.append("closed"); break
            buf += b
            lines = buf.split(b"\n"); buf = lines.pop()
            for l in lines:
                if not l.startswith(b"OK "):
                    errors.append(l.decode())
            got += len(lines)
        t.join()
    else:
        send()
path = d + "/rsyslog.out"
before = 0
if mode == "file" and os.path.exists(path):
    with open(path, "rb") as f:
        before = sum(1 for _ in f)
start = time.monotonic()
ts = [threading.Thread(target=run, args=(i,)) for i in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
if mode == "file":
    while True:
        try:
            with open(path, "rb") as f:
                if sum(1 for _ in f) - before >= n:
                    break
        except FileNotFoundError:
            pass
        time.sleep(0.01)
el = time.monotonic() - start
if errors:
    print("errors: %d, first: %s" % (len(errors), errors[0]), file=sys.stderr)
    sys.exit(1)
print("%.4f" % el)
PY

# best RUNS of: python3 load.py ...; prints events/s
rate() {
	local best=0 i t r
	for i in $(seq "$RUNS"); do
		t=$(python3 "$TESTDIR/load.py" "$@" "$TESTDIR") || fail "load.py $* failed"
		r=$(python3 -c "print(int($N / $t))")
		[ "$r" -gt "$best" ] && best=$r
	done
	echo "$best"
}

child=$(pgrep -P "$LISTEN_PID" | head -n 1)
[ -n "$child" ] || fail "no listener child"
l1=$(rate answers 6514 1 "$N") || exit 1
l8=$(rate answers 6514 8 "$N") || exit 1
r1=$(rate file 6515 1 "$N") || exit 1
r8=$(rate file 6515 8 "$N") || exit 1
entries=$(journal_count EVENT_ID=777 EVENT_SENDER=bench)
[ "$entries" = $((N * RUNS * 2)) ] ||
	fail "the journal has $entries entries of the bench, want $((N * RUNS * 2))"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
rss_before=$(rss "$child")
coproc IDLER { python3 "$TESTDIR/load.py" idle 6514 "$IDLE" 0 "$TESTDIR"; }
read -r ready <&"${IDLER[0]}" || fail "the idle sessions did not open"
[ "$ready" = ready ] || fail "idle: $ready"
# every session authenticated (a refusal would be a 654 event)
[ "$(journal_count EVENT_ID=654)" = 0 ] || fail "refusals: $(journalctl -q -o cat EVENT_ID=654 | head -3)"
rss_idle=$(rss "$child")
exec {IDLER[1]}>&-
wait "$IDLER_PID"
per_conn=$(python3 -c "print(round(($rss_idle - $rss_before) / $IDLE, 1))")
listen_stop

{
	echo "### evtrigger-listen over TLS ($(date -u +%Y-%m-%d), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	echo "$N events of one sender (client certificate, TLS 1.3), best of $RUNS runs:"
	echo
	echo "| receiver | 1 connection | 8 connections |"
	echo "|---|---|---|"
	echo "| evtrigger-listen (ALPN evtrigger/1, each OK after the journal read-back) | $l1 events/s | $l8 events/s |"
	echo "| rsyslogd imtcp + ossl into a file (no answers) | $r1 events/s | $r8 events/s |"
	echo
	echo "Listener child RSS: $rss_before kB, with $IDLE idle TLS sessions $rss_idle kB ($per_conn kB per session)."
	echo
	echo "Command: \`bench/listen-tls.sh build\` (BENCH_N=$N BENCH_RUNS=$RUNS TLS_IDLE_CONNS=$IDLE)"
} | tee "$OUT"
