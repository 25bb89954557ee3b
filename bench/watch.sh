#!/bin/bash
# Benchmarks of the watcher (`evtrigger run`), in a private journald (mount
# namespace, tmpfs journal), against the watcher a user would otherwise write
# (journalctl -f -o json piped into a shell loop with jq, or into Python).
#
#   bench/watch.sh [BUILD] [latency|noise|catchup|rss|all]
#
# Figures and how to read them: bench/watch.md. Needs root. Sizes can be
# lowered for a quick run: LAT_EVENTS=200 NOISE_RATE=10000 BACKLOG=1000000
# BACKLOG_MATCHING=100 RULES_N=10000 RSS_EVENTS=50 IDLE_SECS=10.
# Exits 1 if any run lost an event (an action that never ran): then its
# figures measure nothing.
#
# The rules' exec step runs tools/stamp with EVENT_N: exec passes an event's
# extra fields (here N) to the command only as EVENT_<NAME>.
set -u
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	exec env EVT_TESTBED_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=$(cd "${1:-$TOP/build}" && pwd)
WHAT=${2:-all}
LAT_EVENTS=${LAT_EVENTS:-200}
LAT_RATE=${LAT_RATE:-10}                # events/s: one every 100 ms
NOISE_RATE=${NOISE_RATE:-10000}
BACKLOG=${BACKLOG:-1000000}
BACKLOG_MATCHING=${BACKLOG_MATCHING:-100}
RULES_N=${RULES_N:-10000}
RULES_IDS=${RULES_IDS:-$RULES_N}        # distinct event IDs among them
RSS_EVENTS=${RSS_EVENTS:-50}
IDLE_SECS=${IDLE_SECS:-10}
FAILED=0

# lost LABEL DIR WANT: fails the benchmark if fewer than WANT actions ran.
lost() {
	local got
	got=$(find "$2" -maxdepth 1 -type f ! -name '*.again' | wc -l)
	if [ "$got" -lt "$3" ]; then
		echo "FAIL: $1: $got of $3 events ran" >&2
		FAILED=1
	fi
}

. "$TOP/tests/lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
# No rate limit, and room for the backlog in the (tmpfs) runtime journal.
testbed_journald RateLimitBurst=0 RuntimeMaxUse=8G RuntimeMaxFileSize=1G \
	SystemMaxUse=8G SystemMaxFileSize=1G
watch_setup
FLOOD=$BUILD/tools/journal-flood
STAMP=$BUILD/tools/stamp

now_us() { echo $(($(date +%s%N) / 1000)); }

# stats SENT-FILE DIR: joins "N sent_us" with DIR/N (started_us), prints
# "median p99 max" in ms for the events that ran.
stats() {
	local n t
	while read -r n t; do
		[ -e "$2/$n" ] && echo $(($(cat "$2/$n") - t))
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

# The user's watchers: follow the whole journal, match in the loop, run the
# command. The journalctl writes into a FIFO so that it can be stopped by its
# PID. Each run has its own event ID and stamp directory (RUN_ID, RUN_DIR):
# a late action of one run cannot count in the next.
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
		*"\"EVENT_ID\":\"$1\""*)
			n=$(jq -r .N <<<"$line")
			N=$n "$STAMP" "$2" N ;;
		esac
	done < "$TESTDIR/fifo" &
	USER_PID=$!
	sleep 1
}
start_python_watcher() {
	user_journalctl
	python3 -c '
import json, subprocess, sys
id, out, stamp = sys.argv[1], sys.argv[2], sys.argv[3]
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:  # a line cut short when journalctl is stopped
        continue
    if e.get("EVENT_ID") == id:
        subprocess.run([stamp, out, "N"], env={"N": e["N"]})
' "$1" "$2" "$STAMP" < "$TESTDIR/fifo" &
	USER_PID=$!
	sleep 1
}
stop_user_watcher() {
	kill "$JOURNALCTL_PID" 2>/dev/null
	wait "$JOURNALCTL_PID" "$USER_PID" 2>/dev/null
}

RUN=0
# next_run: a new event ID and stamp directory, and an evtrigger rule for
# them (the rules are written before evtrigger starts).
next_run() {
	RUN=$((RUN + 1))
	RUN_ID=$((700 + RUN))
	RUN_DIR=$OUT/run$RUN
	mkdir -p "$RUN_DIR"
}

# latency LABEL: LAT_EVENTS matching events (ID RUN_ID) at LAT_RATE/s, with
# whatever noise runs meanwhile; prints the stats.
latency() {
	local label=$1 sent=$TESTDIR/sent.$RUN i
	"$FLOOD" --count "$LAT_EVENTS" --every 1 --id "$RUN_ID" --rate "$LAT_RATE" \
		--stamp-file "$sent" >/dev/null
	for i in $(seq 300); do
		[ "$(find "$RUN_DIR" -type f | wc -l)" -ge "$LAT_EVENTS" ] && break
		sleep 0.1
	done
	printf '%-44s %s\n' "$label" "$(stats "$sent" "$RUN_DIR")"
	# The user's shell loop is known to lose events under noise (that is a
	# finding, bench/watch.md); evtrigger must never.
	case $label in evtrigger*) lost "$label" "$RUN_DIR" "$LAT_EVENTS" ;; esac
	case $label in evtrigger*) breakdown "$sent" ;; esac
}

# evtrigger_rules FIRST LAST: a rule per run ID, stamping into its dir.
evtrigger_rules() {
	local k
	for k in $(seq "$1" "$2"); do
		mkdir -p "$OUT/run$k"
		printf '[trigger]\nid = %d\n[job]\nsteps = exec\non-busy = queue\n[exec]\ncommand = %s %s EVENT_N\n' \
			$((700 + k)) "$STAMP" "$OUT/run$k" > "$RULES/lat$k.rule"
	done
}

# breakdown SENT-FILE: for evtrigger's run RUN, splits the latency at the job
# record's "created" time (when the watcher handed the entry to the job
# manager): watcher = sent -> created, jobs = created -> action started.
breakdown() {
	local rec
	for rec in "$STATE"/jobs/*/record; do
		grep -q "^rule=lat$RUN\$" "$rec" || continue
		awk -F= '/^created=/ { c = $2 } /^field\.N=/ { n = $2 } END { print n, c }' "$rec"
	done | sort -n > "$TESTDIR/created.$RUN"
	join <(sort -k1,1 "$1") <(sort -k1,1 "$TESTDIR/created.$RUN") |
	while read -r n sent created; do
		[ -e "$RUN_DIR/$n" ] &&
			echo "$((created - sent)) $(($(cat "$RUN_DIR/$n") - created))"
	done > "$TESTDIR/split.$RUN"
	pct "$TESTDIR/split.$RUN" 1 "    watcher: sent -> job recorded"
	pct "$TESTDIR/split.$RUN" 2 "    jobs: recorded -> action started"
}

# pct FILE COLUMN LABEL: median and p99 of a column of microseconds.
pct() {
	cut -d' ' -f"$2" "$1" | sort -n | awk -v label="$3" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) exit
			printf "%-44s median=%.2fms p99=%.2fms\n", label,
				v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.99 + 0.999)] / 1000
		}'
}

# with_noise COMMAND...: runs COMMAND while NOISE_RATE unrelated entries/s
# are written, and prints the rate journald actually took.
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

# CPU the daemon uses while nothing happens (the --poll timer), over
# IDLE_SECS.
idle_cpu() {
	local hz t0 t1
	hz=$(getconf CLK_TCK)
	t0=$(awk '{ print $14 + $15 }' "/proc/$WATCH_PID/stat")
	sleep "$IDLE_SECS"
	t1=$(awk '{ print $14 + $15 }' "/proc/$WATCH_PID/stat")
	printf '%-44s %.2f%% of one CPU\n' "evtrigger run, idle CPU (poll $POLL_NOTE)" \
		"$(echo "($t1 - $t0) * 100 / $hz / $IDLE_SECS" | bc -l)"
}

bench_latency() {
	echo "== latency: event written -> action process started ($LAT_EVENTS events, $LAT_RATE/s)"
	evtrigger_rules $((RUN + 1)) $((RUN + 3))
	if [ "$WHAT" = noise ]; then
		watch_start
		RUN=2; next_run; with_noise latency "evtrigger run, $NOISE_RATE noise entries/s"
		watch_stop
		next_run; start_shell_watcher "$RUN_ID" "$RUN_DIR"
		with_noise latency "journalctl -f | sh loop + jq, noise"
		stop_user_watcher
		next_run; start_python_watcher "$RUN_ID" "$RUN_DIR"
		with_noise latency "journalctl -f | python, noise"
		stop_user_watcher
		return
	fi
	POLL_NOTE="--poll=0"
	watch_start --poll=0
	next_run; latency "evtrigger run --poll=0, idle"
	idle_cpu
	watch_stop
	POLL_NOTE="default 2ms"
	watch_start
	next_run; latency "evtrigger run, idle"
	idle_cpu
	next_run; with_noise latency "evtrigger run, $NOISE_RATE noise entries/s"
	watch_stop
	next_run; start_shell_watcher "$RUN_ID" "$RUN_DIR"
	latency "journalctl -f | sh loop + jq, idle"
	stop_user_watcher
	next_run; start_shell_watcher "$RUN_ID" "$RUN_DIR"
	with_noise latency "journalctl -f | sh loop + jq, noise"
	stop_user_watcher
	next_run; start_python_watcher "$RUN_ID" "$RUN_DIR"
	latency "journalctl -f | python, idle"
	stop_user_watcher
	next_run; start_python_watcher "$RUN_ID" "$RUN_DIR"
	with_noise latency "journalctl -f | python, noise"
	stop_user_watcher
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
	local rec_t= i
	t0=$(now_us)
	watch_start
	for i in $(seq 3000); do
		if [ -z "$rec_t" ] && [ "$(grep -lx rule=catchup "$STATE"/jobs/*/record 2>/dev/null | wc -l)" -ge "$BACKLOG_MATCHING" ]; then
			rec_t=$(now_us)
		fi
		[ -n "$rec_t" ] && [ "$(watch_stamps)" -ge "$BACKLOG_MATCHING" ] && break
		sleep 0.01
	done
	lost "catch-up" "$OUT" "$BACKLOG_MATCHING"
	printf '%-44s %.3fs (observed every 10ms)\n' "evtrigger run: start -> all jobs recorded" \
		"$(echo "(${rec_t:-0} - $t0) / 1000000" | bc -l)"
	last=$(find "$OUT" -maxdepth 1 -type f -exec cat {} + | sort -n | tail -n 1)
	printf '%-44s %.3fs\n' "evtrigger run: start -> last job started" \
		"$(echo "($last - $t0) / 1000000" | bc -l)"
	watch_stop
	t0=$(now_us)
	journalctl -q -o json EVENT_ID=777 >/dev/null
	printf '%-44s %.3fs\n' "  (journalctl EVENT_ID=777, for scale)" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	t0=$(now_us)
	journalctl -q -o json | grep -c '"EVENT_ID":"777"' >/dev/null
	printf '%-44s %.3fs\n' "  (journalctl -o json | grep, as a user's" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	echo "   catch-up loop must read it all)"
	rm -f "$RULES/catchup.rule"
}

# rss_lines PID: resident memory, split into the process's own (anonymous)
# and the journal files' pages it has mapped (file, or shmem on tmpfs).
rss_lines() {
	grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem)' "/proc/$1/status" |
		awk '{ printf "  %-42s %.1f MiB\n", $1, $2 / 1024 }'
}

bench_rss() {
	local i dir=$TESTDIR/many pid
	echo "== memory: $RULES_N rules loaded, on $RULES_IDS distinct event IDs"
	mkdir -p "$dir"
	for i in $(seq "$RULES_N"); do
		printf '[trigger]\nid = %d\nsource = John\nTARGET = r%d\n[job]\nsteps = exec\non-busy = queue\n[exec]\ncommand = %s %s EVENT_N\n' \
			$((i % RULES_IDS + 2)) "$i" "$STAMP" "$OUT" > "$dir/r$i.rule"
	done
	local t0=$(now_us)
	"$EVTRIGGER" run --rules-dir "$dir" --state-dir "$TESTDIR/state-many" \
		--action-dir "$BUILD/actions" >>"$TESTDIR/evtrigger.log" 2>&1 &
	pid=$!
	journal_wait 1 300 EVENT_ID=640 RULE_COUNT="$RULES_N"
	printf '%-44s %.2fs\n' "start-up (load, filter on $RULES_IDS IDs)" \
		"$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	rss_lines "$pid"
	# Latency with 10,000 IDs in the journal filter.
	reset_out
	"$FLOOD" --count "$RSS_EVENTS" --every 1 --id 2 --rate 5 --field EVENT_SOURCE=John \
		--field TARGET=r$RULES_IDS --stamp-file "$TESTDIR/sent.many" >/dev/null
	for i in $(seq 100); do [ "$(watch_stamps)" -ge "$RSS_EVENTS" ] && break; sleep 0.1; done
	printf '%-44s %s\n' "latency with $RULES_N rules, idle" "$(stats "$TESTDIR/sent.many" "$OUT")"
	lost "latency with $RULES_N rules, idle" "$OUT" "$RSS_EVENTS"
	echo "after $RSS_EVENTS jobs:"
	rss_lines "$pid"
	# The same under NOISE_RATE unrelated entries/s, and the CPU it costs.
	reset_out
	# The events go at 5/s: the noise lasts that long and 2 s more.
	local secs=$((RSS_EVENTS / 5 + 2)) c0 c1 w0 w1
	"$FLOOD" --count $((NOISE_RATE * secs)) --rate "$NOISE_RATE" >/dev/null &
	NOISE_PID=$!
	sleep 1
	c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	w0=$(now_us)
	"$FLOOD" --count "$RSS_EVENTS" --every 1 --id 2 --rate 5 --field EVENT_SOURCE=John \
		--field TARGET=r$RULES_IDS --stamp-file "$TESTDIR/sent.many2" >/dev/null
	c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	w1=$(now_us)
	wait "$NOISE_PID"
	for i in $(seq 100); do [ "$(watch_stamps)" -ge "$RSS_EVENTS" ] && break; sleep 0.1; done
	printf '%-44s %s\n' "latency with $RULES_N rules, $NOISE_RATE noise/s" "$(stats "$TESTDIR/sent.many2" "$OUT")"
	lost "latency with $RULES_N rules, noise" "$OUT" "$RSS_EVENTS"
	printf '%-44s %.1f%% of one CPU\n' "  evtrigger run's CPU meanwhile" \
		"$(echo "($c1 - $c0) * 100 / $(getconf CLK_TCK) / (($w1 - $w0) / 1000000)" | bc -l)"
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
exit "$FAILED"
