#!/bin/bash
# Proves that what lib/syslog.c writes is read by an independent receiver as
# intended: events formatted with syslog_format_event and sent with
# syslog_send (build/tools/syslog-send) reach a private rsyslogd on a unix
# socket, whose own RFC 5424 parser and mmpstrucdata report the PRI,
# timestamp, APP-NAME, PROCID, MSGID, every structured-data param (escapes
# undone) and the BOM-marked message; and the RFC 3164 form parses there too.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

SEND=$BUILD/tools/syslog-send
SOCK=$TESTDIR/rsyslog.sock
OUT=$TESTDIR/rsyslog.out
[ -x "$SEND" ] || fail "$SEND missing: run make first"
command -v rsyslogd >/dev/null || fail "rsyslogd not installed"
command -v python3 >/dev/null || fail "python3 not installed"

mkdir -p "$TESTDIR/rsyslog"
cat >"$TESTDIR/rsyslog.conf" <<EOF
global(workDirectory="$TESTDIR/rsyslog")
module(load="imuxsock" SysSock.Use="off")
module(load="mmpstrucdata")
# The regular parser chain (RFC 5424, then 3164), the message's own
# timestamp and hostname: read the message as a network peer would.
input(type="imuxsock" Socket="$SOCK" UseSpecialParser="off"
      ParseHostname="on" IgnoreTimestamp="off")
# And a socket as a stock /dev/log is read (the special local parser).
input(type="imuxsock" Socket="$SOCK.local")
template(name="fields" type="list") {
 constant(value="PRI=") property(name="pri") constant(value="\n")
 constant(value="TIMESTAMP=") property(name="timereported" dateFormat="rfc3339") constant(value="\n")
 constant(value="HOSTNAME=") property(name="hostname") constant(value="\n")
 constant(value="APP_NAME=") property(name="app-name") constant(value="\n")
 constant(value="PROCID=") property(name="procid") constant(value="\n")
 constant(value="MSGID=") property(name="msgid") constant(value="\n")
 constant(value="SDJSON=") property(name="\$!rfc5424-sd") constant(value="\n")
 constant(value="MSG=") property(name="msg") constant(value="\n")
 constant(value="END\n")
}
action(type="mmpstrucdata" sd_name.lowercase="off")
action(type="omfile" file="$OUT" template="fields")
EOF
rsyslogd -n -f "$TESTDIR/rsyslog.conf" -i "$TESTDIR/rsyslog.pid" \
	>"$TESTDIR/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
testbed_at_exit "kill $RSYSLOG_PID; wait $RSYSLOG_PID 2>/dev/null"
for i in $(seq 200); do
	[ -S "$SOCK" ] && [ -S "$SOCK.local" ] && break
	sleep 0.05
done
[ -S "$SOCK" ] && [ -S "$SOCK.local" ] || fail "rsyslogd did not start: $(cat "$TESTDIR/rsyslogd.log")"

# wait_messages N: until rsyslog has written N messages.
wait_messages() {
	local i n=0
	for i in $(seq 600); do
		n=$(grep -c '^END$' "$OUT" 2>/dev/null || true)
		[ "$n" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "rsyslog wrote $n of $1 messages: $(cat "$TESTDIR/rsyslogd.log")"
}

# field N KEY: KEY of the N-th message rsyslog wrote.
field() {
	awk -v n="$1" -v key="$2=" '
		$0 == "END" { m++; next }
		m == n - 1 && index($0, key) == 1 { print substr($0, length(key) + 1) }
	' "$OUT"
}

# sd N SD-ID PARAM: a structured-data param as rsyslog's mmpstrucdata read it.
sd() {
	field "$1" SDJSON | python3 -c '
import json, sys
d = json.loads(sys.stdin.read() or "{}")
print(d.get(sys.argv[1], {}).get(sys.argv[2], "(none)"))' "$2" "$3"
}

BOM=$'\xef\xbb\xbf'

note "RFC 5424: an event with extras needing escapes, unicode, a custom log"
"$SEND" --print --hostname vdc --pid 4242 "$SOCK" warning 777 John Backup \
	"VDC Ready für compaction ☃" 'NOTE=say "hi" \ ] [' VM=vdc \
	'A2345678901234567890123456789012=thirty-two' >"$TESTDIR/sent" ||
	fail "syslog-send failed"
wait_messages 1
assert_eq "$(field 1 PRI)" 12 "PRI (user.warning)"
assert_eq "$(field 1 HOSTNAME)" vdc HOSTNAME
assert_eq "$(field 1 APP_NAME)" John APP-NAME
assert_eq "$(field 1 PROCID)" 4242 PROCID
assert_eq "$(field 1 MSGID)" 777 MSGID
sent_ts=$(cut -d' ' -f2 "$TESTDIR/sent")
[[ $sent_ts =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}$ ]] ||
	fail "TIMESTAMP: expected RFC 3339 with microseconds, sent '$sent_ts'"
assert_eq "$(field 1 TIMESTAMP)" "$sent_ts" "TIMESTAMP as rsyslog read it"
assert_eq "$(sd 1 evtrigger@32473 log)" Backup "SD log"
assert_eq "$(sd 1 evtrigger@32473 NOTE)" 'say "hi" \ ] [' "SD NOTE (escapes)"
assert_eq "$(sd 1 evtrigger@32473 VM)" vdc "SD VM"
assert_eq "$(sd 1 evtrigger@32473 A2345678901234567890123456789012)" \
	thirty-two "SD param at the 32-byte name limit"
# RFC 5424 6.4: MSG starts with the BOM, then UTF-8.
assert_eq "$(field 1 MSG)" "${BOM}VDC Ready für compaction ☃" MSG

note "RFC 5424: System log goes as facility daemon, no source is nil"
"$SEND" --pid 1 "$SOCK" error 65535 "" System "disk failed" ||
	fail "syslog-send failed"
wait_messages 2
assert_eq "$(field 2 PRI)" 27 "PRI (daemon.err)"
assert_eq "$(field 2 APP_NAME)" - "APP-NAME (nil)"
assert_eq "$(field 2 MSGID)" 65535 MSGID
assert_eq "$(sd 2 evtrigger@32473 log)" System "SD log"

note "RFC 3164 form"
"$SEND" --rfc3164 --hostname vdc --pid 4243 "$SOCK" success 778 John \
	Application "VDC archived" || fail "syslog-send failed"
wait_messages 3
assert_eq "$(field 3 PRI)" 13 "PRI (user.notice)"
assert_eq "$(field 3 HOSTNAME)" vdc HOSTNAME
assert_eq "$(field 3 APP_NAME)" John "APP-NAME (the tag)"
assert_eq "$(field 3 PROCID)" 4243 "PROCID"
# rsyslog keeps the space after "TAG[PID]:" in the 3164 message text.
assert_eq "$(field 3 MSG)" \
	' [evtrigger@32473 id="778" log="Application"] VDC archived' MSG

note "RFC 3164 local form (no hostname) on a socket read as stock /dev/log"
"$SEND" --rfc3164 --pid 4244 "$SOCK.local" information 779 John System \
	"local form" || fail "syslog-send failed"
wait_messages 4
assert_eq "$(field 4 PRI)" 30 "PRI (daemon.info)"
assert_eq "$(field 4 APP_NAME)" John "APP-NAME (the tag)"
assert_eq "$(field 4 PROCID)" 4244 "PROCID"
assert_eq "$(field 4 MSG)" \
	' [evtrigger@32473 id="779" log="System"] local form' MSG

echo ok
