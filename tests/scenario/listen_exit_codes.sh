#!/bin/bash
# evtrigger-listen's exit codes as its man page documents them: 2 for a bad
# command line, an unknown user or root as --user; 1 when libvirt cannot be
# reached; 0 after SIGTERM (here against libvirt's built-in test driver,
# whose one domain has no channel: the listener runs and attaches nothing).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_listen_user

expect_exit() {	# expect_exit CODE TEXT OPTION...
	local want=$1 text=$2 rc
	shift 2
	"$EVTRIGGER_LISTEN" "$@" >"$TESTDIR/out" 2>&1
	rc=$?
	assert_eq "$rc" "$want" "exit status of evtrigger-listen $*"
	grep -qF -- "$text" "$TESTDIR/out" ||
		fail "evtrigger-listen $*: no '$text' in: $(cat "$TESTDIR/out")"
}
expect_exit 2 "invalid --rate '0'" --user "$LISTEN_USER" --rate 0
expect_exit 2 "invalid --max-event '1M'" --user "$LISTEN_USER" --max-event 1M
expect_exit 2 "unexpected argument 'extra'" --user "$LISTEN_USER" extra
expect_exit 2 "user 'no-such-user-evt': no such user" --user no-such-user-evt
expect_exit 2 "user 'root': must not be root" --user root
expect_exit 1 "cannot connect to qemu+unix:///system?socket=$TESTDIR/none" \
	--user "$LISTEN_USER" --connect "qemu+unix:///system?socket=$TESTDIR/none"
expect_exit 0 "usage: evtrigger-listen" --help

listen_start --connect test:///default
# Nothing to attach; give its child time to be up, then stop it: exit 0.
for i in $(seq 100); do
	[ -n "$(pgrep -P "$LISTEN_PID")" ] && break
	sleep 0.05
done
child=$(pgrep -P "$LISTEN_PID") || fail "no child process: $(cat "$LISTEN_LOG")"
for i in $(seq 100); do
	[ "$(stat -c %u /proc/"$child")" = "$LISTEN_UID" ] && break
	sleep 0.05
done
assert_eq "$(stat -c %u /proc/"$child")" "$LISTEN_UID" "the child's user"
grep -q '^CapEff:[[:space:]]*0*$' /proc/"$child"/status ||
	fail "the child has capabilities: $(grep Cap /proc/"$child"/status)"
grep -q '^NoNewPrivs:[[:space:]]*1$' /proc/"$child"/status || fail "the child may gain privileges"
grep -q '^Seccomp:[[:space:]]*2$' /proc/"$child"/status || fail "the child has no seccomp filter"
listen_stop
assert_eq "$(journal_count EVENT_ID=650)" 0 "channels attached"
