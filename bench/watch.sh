#!/bin/bash
# Benchmarks of the watcher (`evtrigger run`), in a private journald (mount
# namespace, tmpfs journal), against the watcher a user would otherwise write
# (journalctl -f -o json piped into a shell loop with jq, or into Python).
#
#   bench/watch.sh [BUILD] [latency|noise|catchup|rss|all]
#
# Figures and how to read them: bench/watch.md. Needs root. Sizes can be
# lowered for a quick run: LAT_EVENTS=200 NOISE_RATE=10000 BACKLOG=1000000
# BACKLOG_MATCHING=100 RULES_N=10000.
set -u
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	exec env EVT_TESTBED_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=$(cd "${1:-$TOP/build}" && pwd)
WHAT=${2:-all}
LAT_EVENTS=${LAT_EVENTS:-200}
LAT_RATE=${LAT_RATE:-20}                # events/s: one every 50 ms
NOISE_RATE=${NOISE_RATE:-10000}
BACKLOG=${BACKLOG:-1000000}
BACKLOG_MATCHING=${BACKLOG_MATCHING:-100}
RULES_N=${RULES_N:-10000}

. "$TOP/tests/lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
# No rate limit, and room for the backlog in the (tmpfs) runtime journal.
testbed_journald RateLimitBurst=0 RuntimeMaxUse=8G RuntimeMaxFileSize=1G \
	SystemMaxUse=8G SystemMaxFileSize=1G
watch_setup
FLOOD=$BUILD/tools/journal-flood
STAMP=$BUILD/tools/stamp

now_us() { echo $(($(date +%s%N) / 1000)); }

# stats SENT-FILE: joins "N sent_us" with $OUT/N (started_us), prints
# "median p99 max" in ms for the events that ran.
stats() {
	local n t
	while read -r n t; do
		[ -e "$OUT/$n" ] && echo $(($(cat "$OUT/$n") - t))
	done < "$1" | sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "no events ran"; exit }
			p50 = v[int((NR + 1) / 2)]; p99 = v[int(NR * 0.99 + 0.999)]
			printf "n=%d median=%.2fms p99=%.2fms max=%.2fms\n",
				NR, p50 / 1000, p99 / 1000, v[NR] / 1000
		}'
}

reset_out() { rm -rf "$OUT"; mkdir -p "$OUT"; }

# The user's watchers: follow the whole journal, match in the loop. The
# journalctl runs into a FIFO so that it can be stopped by its PID.
user_journalctl() {
	rm -f "$TESTDIR/fifo"
	mkfifo "$TESTDIR/fifo"
	journalctl -f -n 0 -o json > "$TESTDIR/fifo" &
	JOURNALCTL_PID=$!
}
start_shell_watcher() {
	user_journalctl
	while IFS= read -r line; do
		case $line in
		*'"EVENT_ID":"777"'*)
			n=$(jq -r .N <<<"$line")
			N=$n "$STAMP" "$OUT" N ;;
		esac
	done < "$TESTDIR/fifo" &
	USER_PID=$!
	sleep 1
}
start_python_watcher() {
	user_journalctl
	python3 -c '
import json, subprocess, sys
out, stamp = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    e = json.loads(line)
    if e.get("EVENT_ID") == "777":
        subprocess.run([stamp, out, "N"], env={"N": e["N"]})
' "$OUT" "$STAMP" < "$TESTDIR/fifo" &
	USER_PID=$!
	sleep 1
}
stop_user_watcher() {
	kill "$JOURNALCTL_PID" 2>/dev/null
	wait "$JOURNALCTL_PID" "$USER_PID" 2>/dev/null
}

# latency LABEL: LAT_EVENTS matching events at LAT_RATE/s, with whatever
# noise runs meanwhile; prints the stats.
latency() {
	local label=$1 sent=$TESTDIR/sent.$RANDOM
	reset_out
	"$FLOOD" --count "$LAT_EVENTS" --every 1 --id 777 --rate "$LAT_RATE" \
		--stamp-file "$sent" >/dev/null
	for i in $(seq 300); do
		[ "$(watch_stamps)" -ge "$LAT_EVENTS" ] && break
		sleep 0.1
	done
	printf '%-44s %s\n' "$label" "$(stats "$sent")"
}

with_noise() {
	local secs=$(((LAT_EVENTS / LAT_RATE) + 2)) t0 t1
	t0=$(now_us)
	"$FLOOD" --count $((NOISE_RATE * secs)) --rate "$NOISE_RATE" >/dev/null &
	NOISE_PID=$!
	sleep 1
	"$@"
	wait "$NOISE_PID"
	t1=$(now_us)
	printf '%-44s %d entries/s achieved\n' "  (noise)" \
		$((NOISE_RATE * secs * 1000000 / (t1 - t0)))
}

bench_latency() {
	echo "== latency: event written -> action process started ($LAT_EVENTS events, $LAT_RATE/s)"
	watch_stamp_rule lat 777
	watch_start
	latency "evtrigger run, idle"
	with_noise latency "evtrigger run, $NOISE_RATE noise entries/s"
	watch_stop
	start_shell_watcher
	latency "journalctl -f | sh loop + jq, idle"
	with_noise latency "journalctl -f | sh loop + jq, noise"
	stop_user_watcher
	start_python_watcher
	latency "journalctl -f | python, idle"
	with_noise latency "journalctl -f | python, noise"
	stop_user_watcher
	rm -f "$RULES/lat.rule"
}

bench_catchup() {
	local t0 last
	echo "== catch-up: $BACKLOG entries logged while stopped, $BACKLOG_MATCHING matching"
	watch_stamp_rule catchup 777
	watch_start
	watch_stop
	reset_out
	t0=$(now_us)
	"$FLOOD" --count "$BACKLOG" --every $((BACKLOG / BACKLOG_MATCHING)) \
		--id 777 >/dev/null
	printf '%-44s %.1fs (%d entries/s)\n' "  writing the backlog took" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)" \
		$((BACKLOG * 1000000 / ($(now_us) - t0)))
	t0=$(now_us)
	watch_start
	watch_wait_stamps "$BACKLOG_MATCHING" 300
	last=$(cat "$OUT"/* | sort -n | tail -n 1)
	printf '%-44s %.3fs\n' "evtrigger run: start -> last job started" \
		"$(echo "($last - $t0) / 1000000" | bc -l)"
	watch_stop
	t0=$(now_us)
	journalctl -q -o json EVENT_ID=777 >/dev/null
	printf '%-44s %.3fs\n' "  (journalctl EVENT_ID=777, for scale)" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	t0=$(now_us)
	journalctl -q -o json | grep -c '"EVENT_ID":"777"' >/dev/null
	printf '%-44s %.3fs\n' "  (journalctl -o json | grep: read it all)" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	rm -f "$RULES/catchup.rule"
}

bench_rss() {
	local i dir=$TESTDIR/many pid
	echo "== memory: $RULES_N rules loaded"
	mkdir -p "$dir"
	for i in $(seq "$RULES_N"); do
		printf '[trigger]\nid = %d\nsource = John\n[job]\nsteps = exec\n[exec]\ncommand = %s %s N\n' \
			$((i % 65535 + 1)) "$STAMP" "$OUT" > "$dir/r$i.rule"
	done
	local t0=$(now_us)
	"$EVTRIGGER" run --rules-dir "$dir" --state-dir "$TESTDIR/state-many" \
		--action-dir "$BUILD/actions" >>"$TESTDIR/evtrigger.log" 2>&1 &
	pid=$!
	journal_wait 1 300 EVENT_ID=640 RULE_COUNT="$RULES_N"
	printf '%-44s %.2fs\n' "start-up (load, filter on $RULES_N IDs)" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	grep -E '^Vm(RSS|HWM)' /proc/$pid/status | awk '{ printf "%-44s %.1f MiB\n", $1, $2 / 1024 }'
	# Latency with 10,000 IDs in the journal filter.
	reset_out
	"$FLOOD" --count 50 --every 1 --id 1 --rate 20 --field EVENT_SOURCE=John \
		--stamp-file "$TESTDIR/sent.many" >/dev/null
	for i in $(seq 100); do [ "$(watch_stamps)" -ge 50 ] && break; sleep 0.1; done
	printf '%-44s %s\n' "latency with $RULES_N rules, idle" "$(stats "$TESTDIR/sent.many")"
	grep -E '^VmRSS' /proc/$pid/status | awk '{ printf "%-44s %.1f MiB\n", "VmRSS after 50 jobs", $2 / 1024 }'
	kill -TERM "$pid"; wait "$pid"
}

echo "# bench/watch.sh on $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), build $BUILD"
case $WHAT in
latency) bench_latency ;;
noise) bench_latency ;;
catchup) bench_catchup ;;
rss) bench_rss ;;
all) bench_latency; bench_catchup; bench_rss ;;
*) echo "usage: bench/watch.sh [BUILD] [latency|catchup|rss|all]" >&2; exit 2 ;;
esac
