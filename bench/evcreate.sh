#!/bin/bash
# Benchmarks evcreate against a private systemd-journald (never the host's):
#  1. one event as a whole process, beside `logger --journald` fed the same
#     fields and `systemd-cat` running echo;
#  2. bulk: N events with `evcreate --batch` until journald has them all
#     (journalctl --sync returns), beside N lines piped into systemd-cat, and
#     beside a bare C loop of sd_journal_sendv() with the same fields (the
#     ceiling of journald's native intake);
#  3. journald's own CPU time per entry for the three bulk writers.
# Figures go to stdout and, as markdown, to $BENCH_OUT (default
# build/bench-evcreate.md). Needs root (mount namespace), hyperfine, cc.
# Usage: bench/evcreate.sh [BUILD]   env: BENCH_N (20000), BENCH_RUNS (5),
#        BENCH_SINGLE_RUNS (300), BENCH_WARMUP (20), BENCH_PERF_RUNS (100)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$TOP/build}" && pwd)
export BUILD
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench/evcreate.sh: needs root" >&2; exit 1; }
	# -n as well: a network namespace of its own lets the bench set
	# net.unix.max_dgram_qlen (per namespace) without touching the host.
	EVT_TESTBED_NS=1 exec unshare -m -n --propagation private bash "$0" "$BUILD"
fi
source "$TOP/tests/lib/testbed.sh"
N=${BENCH_N:-20000}
RUNS=${BENCH_RUNS:-5}
SINGLE_RUNS=${BENCH_SINGLE_RUNS:-300}
WARMUP=${BENCH_WARMUP:-20}
PERF_RUNS=${BENCH_PERF_RUNS:-100}
OUT=${BENCH_OUT:-$BUILD/bench-evcreate.md}
command -v hyperfine >/dev/null || fail "hyperfine missing: tools/deps.sh bench"

# journald's native socket queues net.unix.max_dgram_qlen datagrams before
# writers block. systemd sets it to 512 at boot (sysctl.d/50-default.conf);
# a machine that did not boot systemd keeps the kernel's 10. Bench as on a
# systemd host: set it in this namespace before journald makes its socket.
[ "$(cat /proc/sys/net/unix/max_dgram_qlen)" -ge 512 ] ||
	sysctl -q -w net.unix.max_dgram_qlen=512 || fail "cannot set max_dgram_qlen"
testbed_journald
cd "$TESTDIR" || exit 1
# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -o native-loop "$TOP/bench/native-loop.c" $(pkg-config --cflags --libs libsystemd) ||
	fail "cannot build bench/native-loop.c"

# The same event for all three: WARNING 777 from John, "VDC Ready for
# compaction", field VM=vdc; logger gets evcreate's journal fields.
printf '%s\n' "MESSAGE=VDC Ready for compaction" PRIORITY=4 SYSLOG_FACILITY=1 \
	SYSLOG_IDENTIFIER=John EVENT_ID=777 EVENT_TYPE=WARNING EVENT_SOURCE=John \
	EVENT_LOG=Application VM=vdc >fields
hyperfine -N --warmup "$WARMUP" --runs "$SINGLE_RUNS" --export-markdown single.md \
	--export-json single.json \
	-n evcreate "$EVCREATE -t warning -i 777 -s John -l Application -d 'VDC Ready for compaction' -f VM=vdc" \
	-n "logger --journald" "logger --journald=$TESTDIR/fields" \
	-n systemd-cat "systemd-cat -t John -p warning echo 'VDC Ready for compaction'" ||
	fail "hyperfine (single event) failed"

# CPU time per event (steadier than wall time on a shared machine).
if command -v perf >/dev/null; then
	for c in "$EVCREATE -t warning -i 777 -s John -l Application -d VDC -f VM=vdc" \
		"logger --journald=$TESTDIR/fields"; do
		# shellcheck disable=SC2086
		perf stat -r "$PERF_RUNS" -x, -e task-clock $c 2>&1 >/dev/null |
			awk -F, -v c="${c%% *}" '/task-clock/ { printf "| %s | %.3f ms |\n", c, $1 }'
	done >cpu.md
fi

seq 1 "$N" | sed 's/.*/id=777 description="VDC Ready for compaction &"/' >./batch
seq 1 "$N" | sed 's/.*/VDC Ready for compaction &/' >./plain
hyperfine --warmup 1 --runs "$RUNS" --export-markdown bulk.md --export-json bulk.json \
	-n "evcreate --batch" "$EVCREATE --batch batch -s Batch -t warning && journalctl --sync" \
	-n "systemd-cat" "systemd-cat -t Cat -p warning <plain && journalctl --sync" \
	-n "native loop" "./native-loop $N && journalctl --sync" \
	-n "journalctl --sync alone" "journalctl --sync" ||
	fail "hyperfine (bulk) failed"

# journald's own CPU time per entry: what bounds bulk intake, and steadier
# than wall time when other work shares the machine.
jcpu() { awk '{ print $14 + $15 }' "/proc/$JOURNALD_PID/stat"; }
HZ=$(getconf CLK_TCK)
: >jcpu.md
# Interleaved, so a growing or rotating journal weighs on all three alike.
for _ in 1 2 3; do
	for w in "evcreate --batch|$EVCREATE --batch batch -s Batch -t warning" \
		"systemd-cat|systemd-cat -t Cat -p warning <plain" \
		"native loop|./native-loop $N"; do
		a=$(jcpu)
		sh -c "${w#*|}" && journalctl --sync
		b=$(jcpu)
		echo "${w%%|*}|$((b - a))"
	done
done >jcpu.txt
python3 - "$N" "$HZ" jcpu.txt >jcpu.md <<'PY'
import sys, statistics
n, hz = int(sys.argv[1]), int(sys.argv[2])
ticks = {}
for line in open(sys.argv[3]):
    name, t = line.strip().split('|')
    ticks.setdefault(name, []).append(int(t))
cat = statistics.median(ticks['systemd-cat'])
print('| writer | journald CPU for %d entries (median of 3) | per entry | intake vs systemd-cat |' % n)
print('|:---|---:|---:|---:|')
for name in ('evcreate --batch', 'systemd-cat', 'native loop'):
    t = statistics.median(ticks[name])
    print('| %s | %.2f s | %.1f us | %.2fx |' % (name, t / hz, t / hz / n * 1e6, cat / t))
PY

# Every run must have landed whole, or the times mean nothing.
want=$((N * (RUNS + 1 + 3)))
for tag in Batch Cat Native; do
	got=$(journal_count SYSLOG_IDENTIFIER=$tag)
	[ "$got" = "$want" ] || fail "$tag: journald has $got entries, want $want"
done

# Rates from the median times, less what journalctl --sync alone costs.
rates() { python3 - "$N" <<'PY'
import json, sys
n = int(sys.argv[1])
single = {x['command']: x for x in json.load(open('single.json'))['results']}
bulk = {x['command']: x for x in json.load(open('bulk.json'))['results']}
print('| one event | median wall time | speed vs logger (>1: faster) |')
print('|:---|---:|---:|')
for name in ('evcreate', 'logger --journald', 'systemd-cat'):
    m = single[name]['median']
    print('| %s | %.2f ms | %.2fx |' % (name, m * 1e3,
          single['logger --journald']['median'] / m))
print()
sync = bulk['journalctl --sync alone']['median']
cat = bulk['systemd-cat']['median'] - sync
print('| %d events | median time - sync | events/s | rate vs systemd-cat |' % n)
print('|:---|---:|---:|---:|')
for name in ('evcreate --batch', 'systemd-cat', 'native loop'):
    m = bulk[name]['median'] - sync
    print('| %s | %.3f s | %.0f | %.2fx |' % (name, m, n / m, cat / m))
PY
}

{
	echo "## evcreate ($(date -u +%Y-%m-%d), $(nproc) cores, systemd $(journalctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p'), max_dgram_qlen $(cat /proc/sys/net/unix/max_dgram_qlen))"
	echo
	echo "### One event as a whole process"
	echo
	cat single.md
	echo
	if [ -s cpu.md ]; then
		echo "CPU time per process (perf stat -r $PERF_RUNS -e task-clock):"
		echo
		echo "| command | task-clock |"
		echo "|:---|---:|"
		sed "s|$BUILD/||" cpu.md
		echo
	fi
	echo "### Bulk: $N events until journald has them all"
	echo
	cat bulk.md
	echo
	echo "### Summary (medians; bulk less the cost of journalctl --sync alone)"
	echo
	rates
	echo
	echo "### journald's CPU time per entry (utime+stime of the private journald)"
	echo
	cat jcpu.md
} | tee "$OUT"
echo "bench/evcreate.sh: figures in $OUT" >&2
