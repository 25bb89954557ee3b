#!/bin/bash
# evtrigger's own events (600-699, written by its uid as SYSLOG_IDENTIFIER
# evtrigger) fire only rules that ask for them (evtrigger-events = yes); a
# job's own events never fire its rule again; a chain of rules on them stops
# at three; an unprivileged writer's refused events never make a root-only
# rule on 644 fire, and their 644 reports name the writer and are rate
# limited, with the rest counted. Before, each of these looped or fired.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald RateLimitBurst=0
watch_setup

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups "$@"
}
as_event() {   # as_event USER ID N [FIELD=VALUE]...
	local user=$1
	shift
	as "$user" bash -c "$(declare -f watch_event); watch_event $*"
}
reload() {
	local before
	before=$(journal_count EVENT_ID=642)
	kill -HUP "$WATCH_PID"
	journal_wait $((before + 1)) 60 EVENT_ID=642
}
exec_rule() {  # exec_rule NAME ID COMMAND [TRIGGER-LINES]
	printf '[trigger]\nid = %s\n%s\n[job]\nsteps = exec\non-busy = queue\n[exec]\ncommand = %s\n' \
		"$2" "${4:-}" "$3" >"$RULES/$1.rule"
}
nobody=$(id -u nobody)

# 1. The issue's loop: a rule on JOB_FINISHED with on-busy = queue.
watch_stamp_rule loop 601
out=$("$EVTRIGGER" check --rules-dir "$RULES" --action-dir "$BUILD/actions" 2>&1) ||
	fail "check refused a rule on 601: $out"
grep -q "warning: .*loop.*601.*evtrigger-events" <<<"$out" ||
	fail "check did not warn about a rule on evtrigger's own ID: $out"
watch_start
watch_event 601 first
journal_wait 1 60 EVENT_ID=601 RULE=loop
# Entries are handled in order: once nobody's later 601 is rejected, the
# job's own 601 has been handled too.
as_event nobody 601 marker1
journal_wait 1 60 EVENT_ID=644 RULE=loop TRIGGER_UID="$nobody"
assert_eq "$(journal_count EVENT_ID=600 RULE=loop)" 1 "jobs of the rule on 601"
assert_eq "$(journal_field CHAIN_DEPTH EVENT_ID=601 RULE=loop)" 1 "CHAIN_DEPTH of a job fired from outside"
assert_eq "$(journal_field TRIGGER_UID EVENT_ID=601 RULE=loop)" 0 "TRIGGER_UID of the job's events"

# 2. "Notify me when a job fails", itself failing, asking for evtrigger's
# events: it runs once for the other rule's failure, never for its own.
exec_rule failing 777 /bin/false
exec_rule notify 602 /bin/false 'evtrigger-events = yes'
reload
watch_event 777 f1
journal_wait 1 60 EVENT_ID=644 RULE=notify
assert_eq "$(journal_count EVENT_ID=600 RULE=failing)" 1 "jobs of the failing rule"
assert_eq "$(journal_count EVENT_ID=600 RULE=notify)" 1 "jobs of the notify rule"
assert_eq "$(journal_field CHAIN_DEPTH EVENT_ID=602 RULE=notify)" 2 "CHAIN_DEPTH of the notify job"
journal_field REASON EVENT_ID=644 RULE=notify | grep -q "own job" ||
	fail "the refusal does not say why: $(journal_field REASON EVENT_ID=644 RULE=notify)"

# 3. Two rules that fire on each other's JOB_FINISHED: the chain stops.
rm "$RULES/notify.rule" "$RULES/failing.rule"
watch_stamp_rule start 778
exec_rule c1 601 /bin/true 'evtrigger-events = yes'
exec_rule c2 601 /bin/true 'evtrigger-events = yes'
reload
watch_event 778 chain
journal_wait 2 60 EVENT_ID=644 'REASON=a chain of 4 rules fired by evtrigger'"'"'s own events: at most 3'
as_event nobody 601 marker2
journal_wait 1 60 EVENT_ID=644 RULE=c2 TRIGGER_UID="$nobody"
journal_wait 1 60 EVENT_ID=644 RULE=c1 TRIGGER_UID="$nobody"
assert_eq "$(journal_count EVENT_ID=600 RULE=start)" 1 "jobs of the first rule"
assert_eq "$(journal_count EVENT_ID=600 RULE=c1)" 2 "jobs of c1 (depths 2 and 3)"
assert_eq "$(journal_count EVENT_ID=600 RULE=c2)" 2 "jobs of c2 (depths 2 and 3)"
assert_eq "$(journal_count EVENT_ID=600 CHAIN_DEPTH=4)" 0 "jobs at depth 4"

# 4. Laundering: a root-only rule on 644 (with and without asking for
# evtrigger's events) never fires for rejections of another user's events;
# for root's own rejected event it fires when it asks.
rm "$RULES/c1.rule" "$RULES/c2.rule"
watch_stamp_rule rootonly 777
watch_stamp_rule rootonly2 779 'uid = nobody'
exec_rule alert 644 /bin/true
exec_rule alertyes 644 /bin/true 'evtrigger-events = yes'
reload
flood=30
for i in $(seq $flood); do as_event daemon 777 "d$i"; done
watch_event 779 root-refused
journal_wait 1 60 EVENT_ID=600 RULE=alertyes
journal_wait 1 60 EVENT_ID=601 RULE=alertyes
watch_stop
daemon_uid=$(id -u daemon)
reported=$(journal_count EVENT_ID=644 RULE=rootonly TRIGGER_UID="$daemon_uid")
suppressed=$(journalctl -q -o export EVENT_ID=644 TRIGGER_UID="$daemon_uid" |
	sed -n 's/^SUPPRESSED=//p' | awk '{s += $1} END {print s + 0}')
[ "$reported" -ge 1 ] && [ "$reported" -le 10 ] ||
	fail "$reported reports for $flood refused events of one writer: not rate limited"
assert_eq "$((reported + suppressed))" "$flood" "reported + SUPPRESSED"
# Each report names the writer's command as journald recorded it for the
# refused entry (TRIGGER_CURSOR): journald reads _COMM from /proc when the
# entry arrives, so a logger that has already exited has none, and then
# neither has the report.
n_comm=0
while read -r c; do
	orig=$(journalctl -q -o export --cursor="$c" 2>/dev/null |
		awk '/^$/ {exit} {print}' | sed -n 's/^_COMM=//p')
	rep=$(journalctl -q -o export EVENT_ID=644 RULE=rootonly TRIGGER_CURSOR="$c" |
		sed -n 's/^TRIGGER_COMM=//p' | head -n 1)
	assert_eq "$rep" "$orig" "TRIGGER_COMM of the report on $c"
	[ "$orig" = logger ] && n_comm=$((n_comm + 1))
done < <(journalctl -q -o export EVENT_ID=644 RULE=rootonly TRIGGER_UID="$daemon_uid" |
	sed -n 's/^TRIGGER_CURSOR=//p')
note "$n_comm of $reported reports name logger (the others' writer had exited)"
[ -n "$(journal_field TRIGGER_PID EVENT_ID=644 RULE=rootonly TRIGGER_UID="$daemon_uid")" ] ||
	fail "644 does not carry TRIGGER_PID"
assert_eq "$(journal_count EVENT_ID=600 RULE=alert)" 0 "jobs of the 644 rule without evtrigger-events"
assert_eq "$(journal_count EVENT_ID=600 RULE=alertyes)" 1 "jobs of the 644 rule with evtrigger-events (root's refusal only)"
assert_eq "$(journal_field TRIGGER_UID EVENT_ID=600 RULE=alertyes)" 0 "writer behind the alert job"
assert_eq "$(journal_count EVENT_ID=600 RULE=rootonly)" 0 "jobs of the root-only rule"
