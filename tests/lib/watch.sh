# Helpers for scenarios of the watcher (`evtrigger run`). Source after
# testbed.sh and call testbed_journald first.
#
#   watch_setup            makes $RULES, $STATE, $OUT (stamps) under $TESTDIR
#   watch_stamp_rule NAME ID [TRIGGER-LINES] [JOB-LINES]
#                          writes $RULES/NAME.rule: on event ID, exec
#                          tools/stamp $OUT EVENT_N (one file per event's N field, which exec passes as EVENT_N)
#   watch_start [OPTION]...   starts evtrigger run; waits for DAEMON_STARTED
#   watch_stop             SIGTERM, waits for it to exit
#   watch_kill9            kill -9
#   watch_event ID N [FIELD=VALUE]...  logs an event with logger --journald
#   watch_wait_stamps N TIMEOUT   waits until N stamps exist
#   watch_assert_once      fails if an event's action ran twice

WATCH_PID=
WATCH_STARTS=0

watch_setup() {
	RULES=$TESTDIR/rules.d
	STATE=$TESTDIR/state
	OUT=$TESTDIR/out
	mkdir -p "$RULES" "$STATE" "$OUT"
	chmod 0777 "$OUT"
	testbed_at_exit 'watch_stop_quietly'
}

watch_stamp_rule() {
	local name=$1 id=$2 trigger=${3:-} job=${4:-}
	{
		printf '[trigger]\nid = %s\n' "$id"
		[ -n "$trigger" ] && printf '%s\n' "$trigger"
		printf '[job]\nsteps = exec\non-busy = queue\n'
		[ -n "$job" ] && printf '%s\n' "$job"
		printf '[exec]\ncommand = %s %s EVENT_N\n' "$BUILD/tools/stamp" "$OUT"
	} > "$RULES/$name.rule.tmp"
	mv "$RULES/$name.rule.tmp" "$RULES/$name.rule"
}

watch_start() {
	local before
	before=$(journal_count EVENT_ID=640)
	"$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
		--action-dir "$BUILD/actions" "$@" \
		>>"$TESTDIR/evtrigger.log" 2>&1 &
	WATCH_PID=$!
	WATCH_STARTS=$((WATCH_STARTS + 1))
	journal_wait $((before + 1)) 60 EVENT_ID=640 ||
		fail "evtrigger did not start: $(cat "$TESTDIR/evtrigger.log")"
}

watch_stop() {
	[ -n "$WATCH_PID" ] || return 0
	kill -TERM "$WATCH_PID"
	wait "$WATCH_PID" || fail "evtrigger run exited with $? on SIGTERM"
	WATCH_PID=
}

watch_stop_quietly() {
	[ -n "$WATCH_PID" ] || return 0
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=
}

watch_kill9() {
	kill -9 "$WATCH_PID"
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=
}

watch_event() {
	# FIELD=VALUE arguments replace the defaults of the same name.
	local id=$1 n=$2 kv name
	shift 2
	local -A given=()
	for kv in "$@"; do given[${kv%%=*}]=1; done
	{
		for kv in "MESSAGE=test event $n" "EVENT_ID=$id" EVENT_TYPE=WARNING \
			EVENT_SOURCE=John EVENT_LOG=Application "N=$n"; do
			name=${kv%%=*}
			[ -n "${given[$name]:-}" ] || printf '%s\n' "$kv"
		done
		for kv in "$@"; do printf '%s\n' "$kv"; done
	} | logger --journald
}

watch_stamps() {
	find "$OUT" -maxdepth 1 -type f ! -name '*.again' | wc -l
}

watch_wait_stamps() {
	local want=$1 timeout=$2 i n=0
	for i in $(seq $((timeout * 10))); do
		n=$(watch_stamps)
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
	done
	fail "waited ${timeout}s for $want actions to run, $n did; log: $(tail -n 20 "$TESTDIR/evtrigger.log"); evtrigger's last events: $(journalctl --no-pager -q -n 15 -o export SYSLOG_IDENTIFIER=evtrigger |
		grep -E '^(EVENT_ID|RULE|REASON|ERROR|JOB_ID|MESSAGE)=' | tr '\n' ' ')"
}

watch_assert_once() {
	local again
	again=$(find "$OUT" -maxdepth 1 -name '*.again' | head -n 5)
	[ -z "$again" ] || fail "actions ran twice for events: $again"
}
