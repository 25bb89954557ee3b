#!/bin/bash
# evcreate's syslog target, read by a real rsyslogd as an independent peer:
# RFC 5424 (MSGID, APP-NAME, severity, structured data, MSG) and the classic
# RFC 3164 form, single events and a batch over one socket.
#
# rsyslog's imuxsock reads local sockets with a "special parser" for the
# classic form unless told otherwise; RFC 5424 needs UseSpecialParser="off"
# (evcreate(1), NOTES). SOCK is set up that way, SOCK_STOCK as rsyslog's
# defaults leave it, where the classic form is the one to use.
source "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace
command -v rsyslogd >/dev/null || fail "rsyslogd not installed (tools/deps.sh test)"

SOCK=$TESTDIR/log.sock
SOCK_STOCK=$TESTDIR/stock.sock
OUT=$TESTDIR/received
cat >"$TESTDIR/rsyslog.conf" <<CONF
global(workDirectory="$TESTDIR")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SOCK" UseSpecialParser="off"
	RateLimit.Interval="0")
input(type="imuxsock" Socket="$SOCK_STOCK" RateLimit.Interval="0")
template(name="fields" type="string"
	string="msgid=%msgid%|app=%app-name%|sev=%syslogseverity%|fac=%syslogfacility%|sd=%structured-data%|msg=%msg%\n")
*.* action(type="omfile" file="$OUT" template="fields")
CONF
rsyslogd -n -f "$TESTDIR/rsyslog.conf" -i "$TESTDIR/rsyslogd.pid" \
	>"$TESTDIR/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
testbed_at_exit "kill $RSYSLOG_PID; wait $RSYSLOG_PID 2>/dev/null"
for _ in $(seq 100); do [ -S "$SOCK" ] && [ -S "$SOCK_STOCK" ] && break; sleep 0.05; done
{ [ -S "$SOCK" ] && [ -S "$SOCK_STOCK" ]; } || fail "rsyslogd did not start: $(cat "$TESTDIR/rsyslogd.log")"

# wait_lines N: until rsyslogd has written N lines.
wait_lines() {
	local _
	for _ in $(seq 200); do
		[ "$(wc -l 2>/dev/null <"$OUT" || echo 0)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "rsyslogd wrote $(wc -l 2>/dev/null <"$OUT") lines, want $1: $(cat "$OUT" "$TESTDIR/rsyslogd.log" 2>/dev/null)"
}
# Line N of the output, with the UTF-8 BOM that RFC 5424 puts before MSG
# removed (rsyslog keeps it in %msg%).
line() {
	sed -n "$1p" "$OUT" | sed 's/msg=\xef\xbb\xbf/msg=/'
}

# RFC 5424 (asked for; the default is the classic form), GNU syntax.
"$EVCREATE" --syslog-format rfc5424 --socket "$SOCK" -t warning -i 777 -s John \
	-d "VDC Ready for compaction" -f VM=vdc -f 'NOTE=a "quoted" ]' ||
	fail "rfc5424: exit $?"
wait_lines 1
assert_eq "$(line 1)" \
	'msgid=777|app=John|sev=4|fac=1|sd=[evtrigger@32473 log="Application" VM="vdc" NOTE="a \"quoted\" \]"]|msg=VDC Ready for compaction' \
	"rfc5424 event"

# Every type's severity; log System is facility daemon (3).
n=1
for tp in error:3 information:6 success:5; do
	"$EVCREATE" --socket "$SOCK" --syslog-format rfc5424 -t ${tp%%:*} -i 10 -s Types -l system \
		-d "${tp%%:*}" || fail "${tp%%:*}: exit $?"
	n=$((n + 1))
	wait_lines $n
	assert_eq "$(line $n)" \
		"msgid=10|app=Types|sev=${tp#*:}|fac=3|sd=[evtrigger@32473 log=\"System\"]|msg=${tp%%:*}" \
		"severity of ${tp%%:*}"
done

# The classic form: no MSGID or structured data in the protocol, so the
# element leads the text (lib/syslog.h). Through rsyslog's stock parser, and
# the default format.
"$EVCREATE" --socket "$SOCK_STOCK" -t error -i 778 \
	-s John -l System -d "VDC classic" -f VM=vdc || fail "rfc3164: exit $?"
n=$((n + 1))
wait_lines $n
assert_eq "$(line $n)" \
	'msgid=-|app=John|sev=3|fac=3|sd=-|msg= [evtrigger@32473 id="778" log="System" VM="vdc"] VDC classic' \
	"rfc3164 event"

# A batch over the syslog socket, with one bad line.
printf '%s\n' 'id=1 description="first"' 'id=0 description="bad"' \
	'type=error id=2 description="second" K=v' |
	"$EVCREATE" --socket "$SOCK" --syslog-format rfc5424 --batch - -s Batch 2>"$TESTDIR/err"
assert_eq "$?" 5 "batch exit code"
assert_eq "$(head -n 1 "$TESTDIR/err")" \
	"evcreate: <stdin>:2: invalid event id '0': must be 1..65535" "batch error"
n=$((n + 2))
wait_lines $n
assert_eq "$(line $((n - 1)))" \
	'msgid=1|app=Batch|sev=6|fac=1|sd=[evtrigger@32473 log="Application"]|msg=first' "batch line 1"
assert_eq "$(line $n)" \
	'msgid=2|app=Batch|sev=3|fac=1|sd=[evtrigger@32473 log="Application" K="v"]|msg=second' "batch line 3"

# What the syslog target cannot carry is refused before anything is sent.
"$EVCREATE" --socket "$SOCK" --syslog-format rfc5424 -i 1 -d x -f "$(printf 'N%.0s' $(seq 33))=v" 2>"$TESTDIR/err"
assert_eq "$?" 3 "exit code, field name too long for syslog"
assert_eq "$(cat "$TESTDIR/err")" \
	"evcreate: invalid field name '$(printf 'N%.0s' $(seq 33))' for syslog: longer than 32 bytes" \
	"message, field name too long for syslog"
"$EVCREATE" --socket "$SOCK" --syslog-format rfc3164 -i 1 -d x -s 'a:b' 2>"$TESTDIR/err"
assert_eq "$?" 3 "exit code, rfc3164 source with ':'"
# Then one more good event: nothing of the refused ones came before it.
"$EVCREATE" --socket "$SOCK" --syslog-format rfc5424 -i 3 -s Last -d last || fail "last: exit $?"
n=$((n + 1))
wait_lines $n
assert_eq "$(line $n)" \
	'msgid=3|app=Last|sev=6|fac=1|sd=[evtrigger@32473 log="Application"]|msg=last' "last event"
assert_eq "$(wc -l <"$OUT")" $n "lines rsyslogd wrote"
echo ok
