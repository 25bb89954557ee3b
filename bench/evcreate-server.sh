#!/bin/bash
# Benchmarks one event sent to another machine as a whole process, against
# evtrigger-listen and a private systemd-journald (never the host's):
#   - evcreate --server over TLS 1.3 with a client certificate, waiting for
#     the listener's "OK <uuid>" (the event is in the journal);
#   - the same with a pre-shared key (/S /U /P @FILE): its PBKDF2 (100000
#     iterations) is paid by every process;
#   - logger --server --tcp --rfc5424, plain TCP (RFC 6587) into the
#     listener's --tcp (an address entry of the senders file), no answer:
#     logger is done when the bytes are written.
# Issue 8's target: evcreate --server at most 2x logger's time.
# Every run's event must be in the journal afterwards (the script waits for
# logger's, which nothing acknowledges), or the figures mean nothing.
# Figures go to stdout and, as markdown, to $BENCH_OUT (default
# build/bench-evcreate-server.md). Needs root (namespaces), hyperfine,
# openssl, logger. The listener's libvirt side is libvirt's built-in test
# driver (test:///default): no libvirtd is needed to bench the network side.
# Usage: bench/evcreate-server.sh [--smoke] [BUILD]
#   env: BENCH_SINGLE_RUNS (300), BENCH_WARMUP (20), BENCH_PERF_RUNS (100);
#   --smoke: 3, 1 and 2.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --smoke ]; then
	export BENCH_SINGLE_RUNS=3 BENCH_WARMUP=1 BENCH_PERF_RUNS=2 \
		BENCH_OUT=${BENCH_OUT:-/dev/null}
	shift
fi
BUILD=$(cd "${1:-$TOP/build}" && pwd)
export BUILD
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/evcreate-server.sh: needs root" >&2; exit 1; }
	# Its own network namespace: its ports are its own, only loopback.
	EVT_TESTBED_NS=1 exec unshare -m -n --propagation private bash "$0" "$BUILD"
fi
source "$TOP/tests/lib/testbed.sh"
source "$TOP/tests/lib/listen.sh"
RUNS=${BENCH_SINGLE_RUNS:-300}
WARMUP=${BENCH_WARMUP:-20}
PERF_RUNS=${BENCH_PERF_RUNS:-100}
OUT=${BENCH_OUT:-$BUILD/bench-evcreate-server.md}
command -v hyperfine >/dev/null || fail "hyperfine missing: tools/deps.sh bench"
[ -x "$EVTRIGGER_LISTEN" ] || fail "no $EVTRIGGER_LISTEN: make"

ip link set lo up
testbed_journald RateLimitBurst=0
testbed_listen_user
cd "$TESTDIR" || exit 1

# A CA, the listener's certificate (127.0.0.1) and a client's.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null &&
		openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out "$1.pem" -days 2 \
			-extfile <(printf 'subjectAltName=%s\n' "$2") 2>/dev/null ||
		fail "cannot make certificate $1"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca 2>/dev/null ||
	fail "cannot make the CA"
cert listener "IP:127.0.0.1"
cert client "DNS:client01.example.org"
"$EVTRIGGER_LISTEN" --gen-psk >psk01.secret || fail "--gen-psk failed"
chmod 600 psk01.secret
cat >senders.conf <<CONF
client01 x509 san=DNS:client01.example.org
psk01 psk key-file=$TESTDIR/psk01.secret
local address 127.0.0.1
CONF
chmod 600 senders.conf
chmod 644 listener.pem ca.pem
chmod 640 listener.key
chgrp "$LISTEN_USER" listener.key
chmod 755 "$TESTDIR"

listen_start -c test:///default --tls 127.0.0.1:6514 --tcp 127.0.0.1:6601 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem" \
	--rate 100000 --burst 100000
for _ in $(seq 200); do
	ss -ltn | grep -q '127.0.0.1:6601 ' && ss -ltn | grep -q '127.0.0.1:6514 ' &&
		break
	kill -0 "$LISTEN_PID" 2>/dev/null || fail "listener exited: $(cat "$LISTEN_LOG")"
	sleep 0.05
done

EV="-t warning -i 777 -l Application -d 'VDC Ready for compaction' -f VM=vdc"
EVC_X509="$EVCREATE --server 127.0.0.1 --ca ca.pem --cert client.pem --key client.key -s X509 $EV"
EVC_PSK="$EVCREATE /S 127.0.0.1 /U psk01 /P @psk01.secret /T WARNING /ID 777 /SO Psk /D 'VDC Ready for compaction'"
LOGGER="logger --server 127.0.0.1 --port 6601 --tcp --rfc5424 --msgid 777 -t Logger -p user.warning --sd-id evtrigger@32473 --sd-param 'VM=\"vdc\"' 'VDC Ready for compaction'"
# Each must work once before it is timed.
for c in "$EVC_X509" "$EVC_PSK" "$LOGGER"; do
	sh -c "$c" || fail "$c: exit $?"
done
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-markdown single.md \
	--export-json single.json \
	-n "evcreate --server (x509)" "$EVC_X509" \
	-n "evcreate /S /U /P (PSK)" "$EVC_PSK" \
	-n "logger --tcp --rfc5424" "$LOGGER" ||
	fail "hyperfine failed"

# The clients' own CPU time (steadier than wall time on a shared machine;
# the wall time also holds the listener's handshake, journal write and
# read-back before its answer).
perf_runs=0
if command -v perf >/dev/null; then
	perf_runs=$PERF_RUNS
	for c in "X509|$EVC_X509" "Psk|$EVC_PSK" "Logger|$LOGGER"; do
		eval "set -- ${c#*|}"
		perf stat -r "$PERF_RUNS" -x, -e task-clock "$@" 2>&1 >/dev/null |
			awk -F, -v c="${c%%|*}" '/task-clock/ { printf "| %s | %.2f ms |\n", c, $1 }'
	done >cpu.md
fi

# Every event of every run landed, each with its sender's identity.
want=$((1 + WARMUP + RUNS + perf_runs))
# logger's have no answer: wait until they are all there.
journal_wait "$want" 120 SYSLOG_IDENTIFIER=Logger EVENT_AUTH=address
for x in "X509 x509 client01" "Psk psk psk01" "Logger address local"; do
	set -- $x
	got=$(journal_count SYSLOG_IDENTIFIER="$1" EVENT_ID=777 EVENT_AUTH="$2" EVENT_SENDER="$3")
	[ "$got" = "$want" ] || fail "$1: the journal has $got events from $3 ($2), want $want"
done
listen_stop

python3 - <<'PY' >ratio.md
import json
r = {x['command']: x for x in json.load(open('single.json'))['results']}
lg = r['logger --tcp --rfc5424']['median']
print('| one event | median wall time | mean ± sd | vs logger |')
print('|:---|---:|---:|---:|')
for name in ('evcreate --server (x509)', 'evcreate /S /U /P (PSK)',
             'logger --tcp --rfc5424'):
    x = r[name]
    print('| %s | %.2f ms | %.2f ± %.2f ms | %.2fx |' % (
        name, x['median'] * 1e3, x['mean'] * 1e3, x['stddev'] * 1e3,
        x['median'] / lg))
PY
{
	echo "## One event sent to another machine, as a whole process"
	echo
	echo "hyperfine -N --warmup $WARMUP --runs $RUNS; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	cat ratio.md
	echo
	if [ -s cpu.md ]; then
		echo "CPU time of the client process (perf stat -r $PERF_RUNS -e task-clock):"
		echo
		echo "| client | task-clock |"
		echo "|:---|---:|"
		cat cpu.md
		echo
	fi
	echo "Commands:"
	echo
	echo "    $EVC_X509"
	echo "    $EVC_PSK"
	echo "    $LOGGER"
	echo
	echo "Every run's event was in the journal with its sender's identity."
} | tee "$OUT"
