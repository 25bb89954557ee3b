#!/bin/bash
# evtrigger run refuses to start on a bad rule set (every error as
# file:line: message, exit status 3) and when another evtrigger run holds the
# state directory; a bad command line is exit status 2. Like every other
# subcommand, run finds its rules and state in $EVTRIGGER_RULES_DIR and
# $EVTRIGGER_STATE_DIR when no option names them.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

printf '[trigger]\nid = 0\n[job]\nsteps = exec\n[exec]\ncommand = /bin/true\n' > "$RULES/a.rule"
printf '[trigger]\ntype = fatal\n' > "$RULES/b.rule"
"$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
	--action-dir "$BUILD/actions" 2> "$TESTDIR/err"
assert_eq "$?" 3 "exit status on bad rules"
grep -q "^$RULES/a.rule:2: " "$TESTDIR/err" || fail "no a.rule:2 error: $(cat "$TESTDIR/err")"
grep -q "^$RULES/b.rule:[0-9]*: " "$TESTDIR/err" || fail "no b.rule error: $(cat "$TESTDIR/err")"
assert_eq "$(journal_count EVENT_ID=640)" 0 "DAEMON_STARTED events"
EVTRIGGER_RULES_DIR=$RULES EVTRIGGER_STATE_DIR=$STATE \
	"$EVTRIGGER" run --action-dir "$BUILD/actions" 2> "$TESTDIR/err-env"
assert_eq "$?" 3 "exit status on bad rules in \$EVTRIGGER_RULES_DIR"
grep -q "^$RULES/a.rule:2: " "$TESTDIR/err-env" ||
	fail "run ignores \$EVTRIGGER_RULES_DIR: $(cat "$TESTDIR/err-env")"

"$EVTRIGGER" run --max-age=soon 2>/dev/null
assert_eq "$?" 2 "exit status on a bad --max-age"
"$EVTRIGGER" run --rules-dir "$RULES" extra 2>/dev/null
assert_eq "$?" 2 "exit status on an extra argument"
"$EVTRIGGER" run --help | grep -q -- "--max-age" || fail "--help lacks --max-age"

rm "$RULES"/*.rule
watch_stamp_rule r 777
watch_start
"$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
	--action-dir "$BUILD/actions" 2> "$TESTDIR/err2"
assert_eq "$?" 5 "exit status of a second instance"
grep -q "locked" "$TESTDIR/err2" || fail "no lock message: $(cat "$TESTDIR/err2")"
EVTRIGGER_RULES_DIR=$RULES EVTRIGGER_STATE_DIR=$STATE \
	"$EVTRIGGER" run --action-dir "$BUILD/actions" 2> "$TESTDIR/err3"
assert_eq "$?" 5 "exit status of a second instance on \$EVTRIGGER_STATE_DIR"
grep -q "^evtrigger run: '$STATE/lock' is locked" "$TESTDIR/err3" ||
	fail "run ignores \$EVTRIGGER_STATE_DIR: $(cat "$TESTDIR/err3")"
watch_event 777 1
watch_wait_stamps 1 60
watch_stop
