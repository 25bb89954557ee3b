#!/bin/bash
# Benchmarks evtrigger on two hosts sharing a 3-node NATS JetStream cluster
# (issue 11), on the test bed of the cluster scenarios (tests/lib/hosts.sh,
# tests/lib/nats.sh: hosts kvm1 and kvm2 in their own mount and UTS
# namespaces, each with journald, libvirtd, evtrigger-bus, evtrigger-listen
# and evtrigger run; the VM vdc runs on kvm2; the cluster started from
# doc/nats/), in a private network namespace:
#  1. latency: an event for vdc sent to kvm1 (over TLS, one connection, one
#     event at a time at LAT_RATE/s) until its action starts on kvm2 (the
#     rule's exec step runs tools/stamp, which notes the time), beside the
#     same event sent straight to kvm2 whose listener runs without --bus
#     (the single-host path); median and p99 of each, and of the OK and of
#     the entry's arrival in kvm2's journal;
#  2. sustained events/s through the cluster: TP_EVENTS events for vdc
#     pipelined into kvm1 over 4 connections; the clock stops at the last
#     OK (every event stored by the JetStream quorum) and at the last entry
#     in kvm2's journal (journald's receive time), beside the same events
#     into kvm2 without --bus (the clock stops at the last OK, i.e. the
#     last entry read back from kvm2's journal).
# Figures go to stdout and, as markdown, to $BENCH_OUT (default
# build/bench-cluster.md). The target (the cluster adds under 10 ms at p99)
# is reported, never asserted; the script fails only if an event was lost
# or ran twice. Needs root, nats-server, python3.
# Usage: bench/cluster.sh [BUILD]   env: LAT_EVENTS (200), LAT_RATE (10),
#        TP_EVENTS (5000)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$TOP/build}" && pwd)
export BUILD
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/cluster.sh: needs root" >&2; exit 1; }
	EVT_TESTBED_NS=1 EVT_TLS_NETNS=1 exec unshare -m -n --propagation private \
		bash "$0" "$BUILD"
fi
source "$TOP/tests/lib/tls.sh"
source "$TOP/tests/lib/testbed.sh"
source "$TOP/tests/lib/nats.sh"
source "$TOP/tests/lib/hosts.sh"
LAT_N=${LAT_EVENTS:-200}
LAT_RATE=${LAT_RATE:-10}
TP_N=${TP_EVENTS:-5000}
OUT=${BENCH_OUT:-$BUILD/bench-cluster.md}

nats_cluster_start
host_start kvm1 kvm2:vdc
host_tls
for h in kvm1 kvm2; do
	host_stamp_rule $h vdc "id = 777
sender = backup01
VM = vdc"
	host_bus_start $h
	host_watch_start $h
done
host_vm_start kvm2 vdc
nats_wait_kv_key vdc kvm2 60

cat >"$TESTDIR/load.py" <<'PY'
# load.py lat ADDR N RATE OUT: one connection, one event at a time (the next
#   when the OK came, at most RATE/s); writes "uuid sent_us ok_us" to OUT.
# load.py tp ADDR N CONNS RUN: N events pipelined over CONNS connections;
#   prints "start_us last_ok_us". Events carry VM=vdc and RUN=RUN.
import socket, ssl, sys, threading, time, uuid
mode, addr, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[-1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.check_hostname = False
ctx.load_verify_locations(d + "/ca.pem")
ctx.load_cert_chain(d + "/backup01.pem", d + "/backup01.key")
ctx.set_alpn_protocols(["evtrigger/1"])
def connect():
    return ctx.wrap_socket(socket.create_connection((addr, 6514)))
def frame(eid, u, extra, text):
    m = ('<12>1 - - John - %d [evtrigger@32473 uuid="%s" VM="vdc"%s] %s'
         % (eid, u, extra, text)).encode()
    return b"%d %s" % (len(m), m)
def us():
    return time.time_ns() // 1000
def lines(s):
    buf = b""
    while True:
        b = s.recv(65536)
        if not b:
            raise SystemExit("the listener closed the connection")
        buf += b
        while b"\n" in buf:
            l, buf = buf.split(b"\n", 1)
            if not l.startswith(b"OK "):
                raise SystemExit("answer: " + l.decode())
            yield l
if mode == "lat":
    rate, out = float(sys.argv[4]), sys.argv[5]
    s = connect()
    answers = lines(s)
    with open(out, "w") as f:
        for i in range(n):
            t0 = time.monotonic()
            u = str(uuid.uuid4())
            sent = us()
            s.sendall(frame(777, u, "", "VDC Ready for compaction %d" % i))
            next(answers)
            f.write("%s %d %d\n" % (u, sent, us()))
            time.sleep(max(0, 1 / rate - (time.monotonic() - t0)))
    sys.exit(0)
conns, run = int(sys.argv[4]), sys.argv[5]
per = [n // conns + (1 if i < n % conns else 0) for i in range(conns)]
socks = [connect() for _ in range(conns)]
data = [[frame(778, uuid.uuid4(), ' RUN="%s"' % run, "backup %d.%d" % (i, j))
         for j in range(per[i])] for i in range(conns)]
errors = []
def go(i):
    s, fr = socks[i], data[i]
    def send():
        for k in range(0, len(fr), 200):
            s.sendall(b"".join(fr[k:k + 200]))
    t = threading.Thread(target=send)
    t.start()
    try:
        a = lines(s)
        for _ in fr:
            next(a)
    except SystemExit as e:
        errors.append(str(e))
    t.join()
start = us()
ts = [threading.Thread(target=go, args=(i,)) for i in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
if errors:
    sys.exit("errors: %d, first: %s" % (len(errors), errors[0]))
print(start, us())
PY

# latency ADDR LABEL: LAT_N events to ADDR, waits for every action on kvm2;
# prints the median and p99 (ms) of the action's start, of the OK, and of
# the entry in kvm2's journal (journald's receive time).
latency() {
	local addr=$1 label=$2 f=$TESTDIR/lat-$2 u i
	python3 "$TESTDIR/load.py" lat "$addr" "$LAT_N" "$LAT_RATE" "$f" "$TESTDIR" ||
		fail "latency run $label failed"
	while read -r u _; do host_wait_stamp kvm2 "$u" 120; done <"$f"
	host_assert_once kvm2
	host_run kvm2 journalctl --no-pager -q -o export EVENT_ID=777 \
		EVENT_SENDER=backup01 >"$f.journal" || fail "cannot read kvm2's journal"
	python3 - "$f" "${HOST_DIR[kvm2]}/out" "$f.journal" <<-'PY'
	import statistics, sys
	written, e = {}, {}
	for l in open(sys.argv[3], encoding="utf-8", errors="replace"):
	    l = l.rstrip("\n")
	    if not l:
	        if "EVENT_UUID" in e:
	            written[e["EVENT_UUID"]] = int(e["__REALTIME_TIMESTAMP"])
	        e = {}
	    elif "=" in l:
	        k, v = l.split("=", 1)
	        e[k] = v
	if "EVENT_UUID" in e:
	    written[e["EVENT_UUID"]] = int(e["__REALTIME_TIMESTAMP"])
	act, ok, ent = [], [], []
	for l in open(sys.argv[1]):
	    u, sent, okt = l.split()
	    act.append((int(open(sys.argv[2] + "/" + u).read()) - int(sent)) / 1000)
	    ok.append((int(okt) - int(sent)) / 1000)
	    if u not in written:
	        sys.exit("no entry of %s in kvm2's journal" % u)
	    ent.append((written[u] - int(sent)) / 1000)
	def p(v, q):
	    v = sorted(v)
	    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
	print("%.1f %.1f %.1f %.1f %.1f %.1f" % (
	    statistics.median(act), p(act, 0.99), statistics.median(ok), p(ok, 0.99),
	    statistics.median(ent), p(ent, 0.99)))
	PY
}

# throughput ADDR RUN: TP_N events for vdc to ADDR over 4 connections;
# waits until kvm2's journal has every one; prints "ok_eps journal_eps".
throughput() {
	local addr=$1 run=$2 r start last_ok last_entry
	r=$(python3 "$TESTDIR/load.py" tp "$addr" "$TP_N" 4 "$run" "$TESTDIR") ||
		fail "throughput run $run failed"
	read -r start last_ok <<<"$r"
	host_journal_wait kvm2 "$TP_N" 300 EVENT_ID=778 RUN="$run"
	assert_eq "$(host_journal_count kvm2 EVENT_ID=778 RUN="$run")" "$TP_N" "entries of run $run on kvm2"
	assert_eq "$(host_journal_count kvm1 EVENT_ID=778 RUN="$run")" 0 "entries of run $run on kvm1"
	last_entry=$(host_run kvm2 journalctl --no-pager -q -o export EVENT_ID=778 RUN="$run" |
		sed -n 's/^__REALTIME_TIMESTAMP=//p' | sort -n | tail -n 1)
	python3 -c "import sys; n, s, o, e = map(int, sys.argv[1:])
print(int(n / ((o - s) / 1e6)), int(n / ((e - s) / 1e6)))" "$TP_N" "$start" "$last_ok" "$last_entry"
}

# No rate limit of the sender (as in bench/listen-tls.sh).
NO_LIMIT=(--rate 1000000 --burst 1000000)
# The single-host path: straight to kvm2, its listener without --bus.
host_listen_start kvm2 --no-bus "${NO_LIMIT[@]}"
r=$(latency "${HOST_ADDR[kvm2]}" direct) || exit 1
read -r d_med d_p99 d_okmed d_okp99 d_emed d_ep99 <<<"$r"
r=$(throughput "${HOST_ADDR[kvm2]}" direct) || exit 1
read -r d_tp _ <<<"$r"
host_listen_stop kvm2

# Through the cluster: into kvm1, run on kvm2.
host_listen_start kvm1 "${NO_LIMIT[@]}"
host_listen_start kvm2 "${NO_LIMIT[@]}"
r=$(latency "${HOST_ADDR[kvm1]}" cluster) || exit 1
read -r c_med c_p99 c_okmed c_okp99 c_emed c_ep99 <<<"$r"
r=$(throughput "${HOST_ADDR[kvm1]}" cluster) || exit 1
read -r c_tp_ok c_tp_entry <<<"$r"
assert_eq "$(host_stamps kvm1)" 0 "actions run on kvm1"
assert_eq "$(host_stamps kvm2)" $((LAT_N * 2)) "actions run on kvm2"
diff() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$1" "$2"; }
added=$(diff "$c_p99" "$d_p99")
added_med=$(diff "$c_med" "$d_med")
added_entry=$(diff "$c_ep99" "$d_ep99")
added_entry_med=$(diff "$c_emed" "$d_emed")
met=$(python3 -c "import sys; print('met' if float(sys.argv[1]) < 10 else 'NOT met')" "$added")

{
	echo "### evtrigger on two hosts through NATS JetStream ($(date -u +%Y-%m-%d), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	echo "Latency, $LAT_N events at most $LAT_RATE/s, one at a time over one TLS connection (ms):"
	echo
	echo "| path | action started: median | p99 | OK: median | p99 | entry in kvm2's journal: median | p99 |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	echo "| straight to kvm2 (listener without --bus) | $d_med | $d_p99 | $d_okmed | $d_okp99 | $d_emed | $d_ep99 |"
	echo "| into kvm1, through the cluster, run on kvm2 | $c_med | $c_p99 | $c_okmed | $c_okp99 | $c_emed | $c_ep99 |"
	echo
	echo "The cluster adds $added ms at p99 ($added_med at the median) to the action's start (target: under 10 ms at p99: $met), and $added_entry ms at p99 ($added_entry_med at the median) to the entry's arrival in kvm2's journal."
	echo
	echo "Sustained, $TP_N events pipelined over 4 TLS connections:"
	echo
	echo "| path | events/s |"
	echo "|---|---:|"
	echo "| straight to kvm2, to the last OK (entry read back) | $d_tp |"
	echo "| into kvm1, to the last OK (stored by the JetStream quorum) | $c_tp_ok |"
	echo "| into kvm1, to the last entry in kvm2's journal | $c_tp_entry |"
	echo
	echo "Command: \`bench/cluster.sh build\` (LAT_EVENTS=$LAT_N LAT_RATE=$LAT_RATE TP_EVENTS=$TP_N)"
} | tee "$OUT"

# Each daemon stops cleanly (exit 0, no sanitizer report).
for h in kvm1 kvm2; do
	host_listen_stop $h
	host_watch_stop $h
	host_bus_stop $h
done
