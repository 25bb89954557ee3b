#!/bin/bash
# eventcreate command lines with Windows names port as written: /SO "My
# App" and /L "Windows PowerShell" keep their blanks in EVENT_SOURCE,
# SYSLOG_IDENTIFIER (journalctl -t "My App" finds it) and EVENT_LOG; /F
# NAME=VALUE adds extra fields in slash syntax; a rule written with
# evtrigger /Create /SO "My App" /L "Windows PowerShell" fires on it. A
# syslog message cannot carry a blank in APP-NAME: --target syslog refuses
# such a source (exit 3) and sends nothing, rather than renaming it.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
export EVTRIGGER_RULES_DIR=$RULES EVTRIGGER_ACTION_DIR=$BUILD/actions

"$EVCREATE" /T WARNING /ID 4711 /SO "My App" /L "Windows PowerShell" \
	/D "ready" /F VM=vdc /f DISK=sda 2>"$TESTDIR/err" ||
	fail "evcreate with blanks and /F: $(cat "$TESTDIR/err")"
journal_wait 1 10 EVENT_ID=4711
assert_eq "$(journal_field EVENT_SOURCE EVENT_ID=4711)" "My App" "EVENT_SOURCE"
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_ID=4711)" "My App" "SYSLOG_IDENTIFIER"
assert_eq "$(journal_field EVENT_LOG EVENT_ID=4711)" "Windows PowerShell" "EVENT_LOG"
assert_eq "$(journal_field VM EVENT_ID=4711)" vdc "VM (/F)"
assert_eq "$(journal_field DISK EVENT_ID=4711)" sda "DISK (/f)"
assert_eq "$(journalctl --no-pager -q -t "My App" -o cat | tail -n 1)" ready "journalctl -t 'My App'"

# Syslog: refused before anything is sent (journald's dev-log would take it).
n=$(journal_count EVENT_ID=4712)
rc=0
"$EVCREATE" --target syslog --socket /run/systemd/journal/dev-log \
	-i 4712 -s "My App" -d x 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 3 "syslog with a blank in the source"
grep -qF "invalid source 'My App' for syslog" "$TESTDIR/err" || fail "message: $(cat "$TESTDIR/err")"
rc=0
"$EVCREATE" /T ERROR /ID 4712 /SO " My App" /D x 2>"$TESTDIR/err" || rc=$?
assert_eq "$rc" 3 "a source starting with a blank"
# A later event that is written: once it is in, the refused ones would be.
"$EVCREATE" -i 4714 -s marker -d done || fail "marker event"
journal_wait 1 10 EVENT_ID=4714
assert_eq "$(journalctl --no-pager -q -o cat -t "My App" MESSAGE=x | wc -l)" 0 "entries of refused events"
assert_eq "$(journal_count EVENT_ID=4712)" "$n" "refused events written"

# A rule with the same names, written in eventtriggers' syntax, fires.
"$EVTRIGGER" /Create /TR "PowerShell ready" /EID 4713 /SO "My App" \
	/L "Windows PowerShell" /TK "$BUILD/tools/stamp $OUT EVENT_N" >/dev/null 2>"$TESTDIR/err" ||
	fail "/Create with blanks: $(cat "$TESTDIR/err")"
grep -qx 'source = My App' "$RULES/PowerShell_ready.rule" || fail "rule: $(cat "$RULES/PowerShell_ready.rule")"
"$EVTRIGGER" check >/dev/null 2>"$TESTDIR/err" || fail "check: $(cat "$TESTDIR/err")"
watch_start
"$EVCREATE" /ID 4713 /SO "My App" /L "windows powershell" /D go /F N=1 ||
	fail "evcreate for the rule"
watch_wait_stamps 1 30
watch_stop
exit 0
