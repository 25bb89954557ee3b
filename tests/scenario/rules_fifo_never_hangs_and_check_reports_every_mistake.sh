#!/bin/bash
# A FIFO in the rules directory never hangs `evtrigger check`, `run` or a
# reload: it is refused as "not a regular file" at once (before, opening it
# waited for a writer for ever). And `check` reports every mistake of a
# step's section, here five in [archive], not just the first.
# (`timeout` only turns a hang into a failure; nothing is timed.)
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

# --- a FIFO among the rules ---------------------------------------------------
watch_stamp_rule good 777
mkfifo "$RULES/fifo.rule"
timeout 60 "$EVTRIGGER" check --rules-dir "$RULES" \
	--action-dir "$BUILD/actions" 2> "$TESTDIR/err"
rc=$?
[ "$rc" != 124 ] || fail "check hangs on a FIFO in the rules directory"
assert_eq "$rc" 3 "check's exit status with a FIFO among the rules"
grep -qx "$RULES/fifo.rule: cannot read: not a regular file" "$TESTDIR/err" ||
	fail "check: $(cat "$TESTDIR/err")"

timeout 60 "$EVTRIGGER" run --rules-dir "$RULES" --state-dir "$STATE" \
	--action-dir "$BUILD/actions" 2> "$TESTDIR/err-run"
rc=$?
[ "$rc" != 124 ] || fail "run hangs on a FIFO in the rules directory"
assert_eq "$rc" 3 "run's exit status with a FIFO among the rules"
grep -qx "$RULES/fifo.rule: cannot read: not a regular file" "$TESTDIR/err-run" ||
	fail "run: $(cat "$TESTDIR/err-run")"

# A reload that meets a FIFO keeps the rules it has, and keeps working.
rm "$RULES/fifo.rule"
watch_start
mkfifo "$RULES/fifo.rule"
kill -HUP "$WATCH_PID"
journal_wait 1 60 EVENT_ID=643
journal_field ERRORS EVENT_ID=643 | grep -q "fifo.rule: cannot read: not a regular file" ||
	fail "RULES_INVALID lacks the FIFO: $(journal_field ERRORS EVENT_ID=643)"
watch_event 777 1
watch_wait_stamps 1 60
kill -0 "$WATCH_PID" || fail "evtrigger run died on a reload with a FIFO"
watch_stop
rm "$RULES/fifo.rule" "$RULES/good.rule"

# --- every mistake of [archive] ------------------------------------------------
cat > "$RULES/archive.rule" <<'RULE'
[trigger]
id = 777
[job]
vm = vdc
steps = archive
[archive]
dir = relative/path
name = a/b.tar
compression = lz4
threads = 999
keep = -1
RULE
"$EVTRIGGER" check --rules-dir "$RULES" --action-dir "$BUILD/actions" \
	2> "$TESTDIR/err-archive"
assert_eq "$?" 3 "check's exit status on a bad [archive]"
for want in "archive needs 'dir', an absolute path" \
	"invalid archive name 'a/b.tar'" \
	"invalid compression 'lz4'" \
	"invalid threads '999'" \
	"invalid keep '-1'"; do
	grep -q "^$RULES/archive.rule:6: action 'archive': $want" \
		"$TESTDIR/err-archive" ||
		fail "check does not report \"$want\": $(cat "$TESTDIR/err-archive")"
done
assert_eq "$(grep -c "^$RULES/archive.rule:" "$TESTDIR/err-archive")" 5 \
	"mistakes reported in [archive]"
grep -qx "evtrigger check: 5 errors" "$TESTDIR/err-archive" ||
	fail "no error count: $(cat "$TESTDIR/err-archive")"
echo ok
