#!/bin/bash
# `evtrigger log JOB` tells a job's story from the journal with only the
# entries evtrigger wrote (trusted _UID = the owner of the job's directory,
# SYSLOG_IDENTIFIER=evtrigger): a line forged by nobody with the real JOB_ID,
# evtrigger's identifier and a JOB_FAILED ID is left out (and counted), and
# the journalctl match evtrigger(8) gives hides it too; `evtrigger jobs`
# shows the job as evtrigger recorded it. Before, the forged line showed in
# `journalctl JOB_ID=...` as evtrigger's.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

watch_stamp_rule k 777
watch_start
watch_event 777 one
journal_wait 1 60 EVENT_ID=601 RULE=k
job=$(journal_field JOB_ID EVENT_ID=601 RULE=k)

# The forgery, as the report made it.
printf 'EVENT_ID=602\nSYSLOG_IDENTIFIER=evtrigger\nJOB_ID=%s\nRULE=k\nMESSAGE=k: job failed in step exec: disk corrupted, VM destroyed\n' "$job" |
	setpriv --reuid=nobody --regid=nogroup --clear-groups logger --journald
journal_wait 1 60 JOB_ID="$job" MESSAGE='k: job failed in step exec: disk corrupted, VM destroyed'
assert_eq "$(journal_field _UID JOB_ID="$job" EVENT_ID=602)" "$(id -u nobody)" "writer of the forged line"

rc=0
"$EVTRIGGER" log --state-dir "$STATE" "$job" >"$TESTDIR/log.out" 2>"$TESTDIR/log.err" || rc=$?
assert_eq "$rc" 0 "evtrigger log exit status"
grep -q 'VM destroyed' "$TESTDIR/log.out" && fail "evtrigger log shows the forged line: $(cat "$TESTDIR/log.out")"
grep -q ' 600 JOB_STARTED ' "$TESTDIR/log.out" || fail "no JOB_STARTED: $(cat "$TESTDIR/log.out")"
grep -q ' 601 JOB_FINISHED ' "$TESTDIR/log.out" || fail "no JOB_FINISHED: $(cat "$TESTDIR/log.out")"
grep -q ' 620 EXEC_EXITED ' "$TESTDIR/log.out" || fail "no EXEC_EXITED: $(cat "$TESTDIR/log.out")"
assert_eq "$(wc -l <"$TESTDIR/log.out")" "$(journal_count JOB_ID="$job" _UID=0 SYSLOG_IDENTIFIER=evtrigger)" "lines shown"
grep -q '1 entry naming job .* not written by evtrigger (uid 0) left out' "$TESTDIR/log.err" ||
	fail "the forged line is not reported as left out: $(cat "$TESTDIR/log.err")"

# The documented journalctl match hides it too; the plain one does not.
journalctl -q JOB_ID="$job" _UID=0 SYSLOG_IDENTIFIER=evtrigger | grep -q 'VM destroyed' &&
	fail "the man page's journalctl match shows the forged line"
journalctl -q JOB_ID="$job" | grep -q 'VM destroyed' ||
	fail "the forged line is not in the journal at all (the test proves nothing)"
grep -q 'JOB_ID=.*_UID=0 SYSLOG_IDENTIFIER=evtrigger' "$TOP/man/evtrigger.8" ||
	fail "evtrigger(8) does not give the trusted journalctl match"

# evtrigger jobs: the record says finished, whatever the journal says.
"$EVTRIGGER" jobs --all --state-dir "$STATE" >"$TESTDIR/jobs.out" 2>&1 ||
	fail "evtrigger jobs: $(cat "$TESTDIR/jobs.out")"
grep "${job:0:8}" "$TESTDIR/jobs.out" | grep -q finished ||
	fail "evtrigger jobs does not show the job finished: $(cat "$TESTDIR/jobs.out")"
grep -q 'VM destroyed\|failed' "$TESTDIR/jobs.out" && fail "evtrigger jobs shows the forgery"

# An unknown job: exit 4.
rc=0
"$EVTRIGGER" log --state-dir "$STATE" 0123456789abcdef >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 4 "evtrigger log of an unknown job"
watch_stop
