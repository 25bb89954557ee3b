#!/bin/bash
# Runs every benchmark of bench/ against the build in BUILD (normal build,
# not the sanitizer one), one after another. Each prints its figures and the
# commands behind them; BENCHMARKS.md records the ones we published.
#
#   bench/run.sh [--smoke] [BUILD]
#
# --smoke: every benchmark at tiny sizes, in seconds. The figures mean
# nothing; what counts is that each script still runs to the end and that
# every event it sends is acted on (each script fails otherwise). `make
# check` runs this, so that a benchmark cannot rot unnoticed.
set -u
SMOKE=0
if [ "${1:-}" = --smoke ]; then
	SMOKE=1
	shift
fi
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
if [ "$SMOKE" = 1 ]; then
	export BENCH_N=300 BENCH_RUNS=1 BENCH_SINGLE_RUNS=3 BENCH_WARMUP=1 \
		BENCH_PERF_RUNS=2 BENCH_OUT=/dev/null
	export LAT_EVENTS=5 LAT_RATE=25 NOISE_RATE=300 BACKLOG=2000 \
		BACKLOG_MATCHING=5 RULES_N=20 RSS_EVENTS=5 IDLE_SECS=1 \
		TLS_IDLE_CONNS=20
	export DISK_CHUNKS=4 CHUNK_MB=1
	export BENCH_SMOKE=1 TP_EVENTS=50 TP_GUESTS=1 MEM_DOMAINS=3
	DISK_RUNS=1
else
	DISK_RUNS=3
fi
rc=0
for b in bench/evcreate.sh bench/evcreate-server.sh bench/watch.sh bench/disk.sh \
	bench/listen-tls.sh bench/listen-channel.sh bench/cluster.sh; do
	echo "=== $b"
	case $b in
	*/disk.sh) "$b" "$BUILD" "$DISK_RUNS" ;;
	*) "$b" "$BUILD" ;;
	esac
	r=$?
	[ "$r" = 0 ] || { echo "$b: failed (exit $r)" >&2; rc=1; }
done
[ "$SMOKE" = 0 ] || echo "bench smoke: $([ "$rc" = 0 ] && echo every benchmark ran || echo FAILED)"
exit $rc
