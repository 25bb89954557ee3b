#!/bin/bash
# `evtrigger action exec` runs a command with argv (no shell of ours), the
# event's fields in its environment as single values, and logs EXEC_EXITED
# with the output; a failing command fails the step.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald
export EVTRIGGER_ACTION_DIR=$BUILD/actions EVTRIGGER_STATE_DIR=$TESTDIR/state

# The 777 case: the command sees EVENT_ID.
$EVTRIGGER action exec -o command='/bin/sh -c "echo id=$EVENT_ID"' \
	--event EVENT_ID=777 --event EVENT_TYPE=WARNING 2>"$TESTDIR/err" ||
	fail "action exec failed: $(cat "$TESTDIR/err")"
journal_wait 1 10 EVENT_ID=620
assert_eq "$(journal_field OUTPUT EVENT_ID=620)" "id=777" "OUTPUT"
assert_eq "$(journal_field EXIT_STATUS EVENT_ID=620)" "0" "EXIT_STATUS"
job=$(journal_field JOB_ID EVENT_ID=620)
[ -n "$job" ] || fail "EXEC_EXITED has no JOB_ID"
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=600)" 1 "JOB_STARTED"
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=610)" 1 "STEP_STARTED"
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=612)" 1 "STEP_FINISHED"
assert_eq "$(journal_count JOB_ID="$job" EVENT_ID=601)" 1 "JOB_FINISHED"
assert_eq "$(journal_field SYSLOG_IDENTIFIER JOB_ID="$job" EVENT_ID=601)" \
	evtrigger "SYSLOG_IDENTIFIER"
assert_eq "$(journal_field STEP JOB_ID="$job" EVENT_ID=612)" exec "STEP"
[ -n "$(journal_field DURATION_USEC JOB_ID="$job" EVENT_ID=612)" ] ||
	fail "STEP_FINISHED has no DURATION_USEC"
# The temporary record is gone.
[ -z "$(ls "$TESTDIR/state/jobs" 2>/dev/null)" ] || fail "job record left behind"

# A hostile value stays one environment value: printf prints each argument
# on its own line, so a split would show as more lines.
evil="a b  \"c\" 'd' ;rm -rf /tmp/nothing \$(id) \`id\` *"
$EVTRIGGER action exec \
	-o command='/usr/bin/printf [%s]\n $EVENT_SOURCE' \
	--event EVENT_SOURCE="$evil" 2>"$TESTDIR/err" ||
	fail "action exec failed: $(cat "$TESTDIR/err")"
journal_wait 2 10 EVENT_ID=620
# printf got the literal text "$EVENT_SOURCE": no shell expanded it.
assert_eq "$(journal_field OUTPUT EVENT_ID=620)" '[$EVENT_SOURCE]' "argv"

$EVTRIGGER action exec -o command="/usr/bin/env" \
	--event EVENT_SOURCE="$evil" --event LD_PRELOAD=/tmp/evil.so \
	--event MESSAGE="the description" 2>"$TESTDIR/err" ||
	fail "action exec failed: $(cat "$TESTDIR/err")"
journal_wait 3 10 EVENT_ID=620
out=$(journalctl --no-pager -q -n 1 -o cat --output-fields=OUTPUT EVENT_ID=620)
printf '%s\n' "$out" | grep -qxF "EVENT_SOURCE=$evil" ||
	fail "EVENT_SOURCE not passed intact: $out"
printf '%s\n' "$out" | grep -qxF "EVENT_DESCRIPTION=the description" ||
	fail "MESSAGE not passed as EVENT_DESCRIPTION: $out"
printf '%s\n' "$out" | grep -q '^LD_PRELOAD=' &&
	fail "LD_PRELOAD from an event reached the command: $out"
printf '%s\n' "$out" | grep -q '^JOB_ID=' || fail "no JOB_ID: $out"

# The environment is an allow list: hostile names never arrive as such, any
# other field arrives only as EVENT_NAME, and a field never overrides the
# job's VM, RULE or JOB_ID nor a known EVENT_* name.
$EVTRIGGER action exec -o command="/usr/bin/env" \
	--event EVENT_TYPE=WARNING --event TYPE=ERROR \
	--event 'TAR_OPTIONS=--checkpoint=1' --event RSYNC_RSH=/tmp/evil \
	--event LD_PRELOAD=/tmp/evil.so --event 'BASH_FUNC_LS=() { id; }' \
	--event VM=vdc --event JOB_ID=fake --event EVENT_EXTRA=kept \
	2>"$TESTDIR/err" || fail "action exec failed: $(cat "$TESTDIR/err")"
journal_wait 4 10 EVENT_ID=620
out=$(journalctl --no-pager -q -n 1 -o cat --output-fields=OUTPUT EVENT_ID=620)
for name in TAR_OPTIONS RSYNC_RSH LD_PRELOAD BASH_FUNC VM; do
	printf '%s\n' "$out" | grep -q "^$name" &&
		fail "$name from an event reached the command: $out"
done
printf '%s\n' "$out" | grep -qxF "EVENT_VM=vdc" ||
	fail "VM=vdc did not arrive as EVENT_VM: $out"
printf '%s\n' "$out" | grep -qxF "EVENT_TAR_OPTIONS=--checkpoint=1" ||
	fail "TAR_OPTIONS did not arrive as EVENT_TAR_OPTIONS: $out"
printf '%s\n' "$out" | grep -qxF "EVENT_EXTRA=kept" ||
	fail "EVENT_EXTRA not kept: $out"
printf '%s\n' "$out" | grep -qxF "EVENT_TYPE=WARNING" ||
	fail "EVENT_TYPE overridden: $out"
printf '%s\n' "$out" | grep -q "^JOB_ID=fake" && fail "JOB_ID from the event: $out"
assert_eq "$(printf '%s\n' "$out" | grep -c '^EVENT_TYPE=')" 1 "one EVENT_TYPE"

# The reviewer's case: tar never sees TAR_OPTIONS from an event.
mkdir "$TESTDIR/tar" && touch "$TESTDIR/tar/x"
$EVTRIGGER action exec -o cwd="$TESTDIR/tar" \
	-o command="/bin/tar -cf out.tar x" \
	--event 'TAR_OPTIONS=--checkpoint=1 --checkpoint-action=exec=touch\ PWNED' \
	2>"$TESTDIR/err" || fail "action exec failed: $(cat "$TESTDIR/err")"
journal_wait 5 10 EVENT_ID=620
[ -e "$TESTDIR/tar/PWNED" ] && fail "TAR_OPTIONS from an event ran a command"
[ -s "$TESTDIR/tar/out.tar" ] || fail "tar did not run"

# A failing command fails the step and the job, exit status 1.
rc=0
$EVTRIGGER action exec -o command='/bin/sh -c "echo oops; exit 3"' \
	2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 1 "exit code of a failed action"
journal_wait 1 10 EVENT_ID=602
assert_eq "$(journal_field EXIT_STATUS EVENT_ID=620)" 3 "EXIT_STATUS"
assert_eq "$(journal_field OUTPUT EVENT_ID=620)" oops "OUTPUT"
journal_field ERROR EVENT_ID=602 | grep -q "exited with status 3" ||
	fail "JOB_FAILED ERROR: $(journal_field ERROR EVENT_ID=602)"

# Output is bounded.
$EVTRIGGER action exec -o command='/bin/sh -c "head -c 100000 /dev/zero | tr \\\\0 x"' \
	-o output-max=10 2>"$TESTDIR/err" || fail "$(cat "$TESTDIR/err")"
journal_wait 7 10 EVENT_ID=620
assert_eq "$(journal_field OUTPUT EVENT_ID=620)" xxxxxxxxxx "bounded OUTPUT"

# Nothing of evtrigger's leaks into the command: only 0, 1 and 2 are open.
$EVTRIGGER action exec -o command='/bin/ls /proc/self/fd' 2>"$TESTDIR/err" ||
	fail "$(cat "$TESTDIR/err")"
journal_wait 8 10 EVENT_ID=620
out=$(journalctl --no-pager -q -n 1 -o cat --output-fields=OUTPUT EVENT_ID=620)
# ls itself has its directory open as fd 3.
assert_eq "$(echo $out)" "0 1 2 3" "open file descriptors"

# user and cwd.
$EVTRIGGER action exec -o user=nobody -o cwd=/tmp \
	-o command='/bin/sh -c "id -u; pwd"' 2>"$TESTDIR/err" ||
	fail "$(cat "$TESTDIR/err")"
journal_wait 9 10 EVENT_ID=620
out=$(journalctl --no-pager -q -n 1 -o cat --output-fields=OUTPUT EVENT_ID=620)
assert_eq "$out" "$(id -u nobody)
/tmp" "user and cwd"

# Bad options are refused before anything runs.
rc=0
$EVTRIGGER action exec -o command=relative/prog 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 2 "exit code for a relative command"
rc=0
$EVTRIGGER action exec -o nosuch=1 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 2 "exit code for an unknown option"
grep -q "unknown option 'nosuch'" "$TESTDIR/err" || fail "$(cat "$TESTDIR/err")"
rc=0
$EVTRIGGER action nosuchmodule 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 4 "exit code for an unknown module"
echo "ok"
