#!/bin/bash
# SIGHUP reloads the rules while events arrive: none is lost, none runs
# twice. A reload that finds a bad rule file keeps the previous rules in
# force and logs RULES_INVALID with the errors as file:line: message; a good
# reload that adds an ID makes that ID fire.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald RateLimitBurst=0
watch_setup

watch_stamp_rule flood 777
watch_start

"$BUILD/tools/journal-flood" --count 5000 --every 10 --id 777 --rate 2000 \
	> "$TESTDIR/written" &
flood=$!
reloads=0
while kill -0 "$flood" 2>/dev/null; do
	sleep 0.2
	kill -HUP "$WATCH_PID"
	reloads=$((reloads + 1))
done
wait "$flood" || fail "journal-flood failed"
note "reloaded $reloads times while 500 matching events were written"
# Signals sent close together may be handled as one reload.
journal_wait 1 60 EVENT_ID=642
watch_wait_stamps 500 600
journal_wait 500 120 EVENT_ID=601 RULE=flood
watch_assert_once
assert_eq "$(watch_stamps)" 500 "actions run"

# A bad file: the reload is refused as a whole, the old rule still fires.
printf '[trigger]\nid = 70000\n[job]\nsteps = exec\n' > "$RULES/bad.rule"
watch_stamp_rule new 778
kill -HUP "$WATCH_PID"
journal_wait 1 60 EVENT_ID=643
# ERRORS holds one line per error: read it from JSON, not export format.
errors=$(journalctl -q -n 1 -o json EVENT_ID=643 |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["ERRORS"])')
case $errors in
*"$RULES/bad.rule:2: "*) ;;
*) fail "RULES_INVALID does not name bad.rule:2: '$errors'" ;;
esac
grep -q "$RULES/bad.rule:2: " "$TESTDIR/evtrigger.log" ||
	fail "the errors were not printed as file:line: message"
kill -0 "$WATCH_PID" || fail "evtrigger exited on a bad reload"
watch_event 778 new-before
watch_event 777 old-after-bad-reload
watch_wait_stamps 501 60
[ -e "$OUT/old-after-bad-reload" ] || fail "the old rules stopped working"
[ ! -e "$OUT/new-before" ] || fail "a rule of a refused reload fired"

# Fixed: the new rule's ID fires from now on.
rm "$RULES/bad.rule"
loaded=$(journal_count EVENT_ID=642)
kill -HUP "$WATCH_PID"
journal_wait $((loaded + 1)) 60 EVENT_ID=642
assert_eq "$(journal_field RULE_COUNT EVENT_ID=642)" 2 "RULE_COUNT"
watch_event 778 new-after
watch_wait_stamps 502 60
[ -e "$OUT/new-after" ] || fail "the reloaded rule does not fire"
watch_stop
watch_assert_once
