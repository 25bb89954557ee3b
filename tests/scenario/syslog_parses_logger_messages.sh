#!/bin/bash
# Proves that lib/syslog.c reads what an independent sender writes: util-linux
# logger sends RFC 5424 (with MSGID, structured data, escapes) and RFC 3164
# messages to a unix datagram socket, build/tools/syslog-recv parses them
# with syslog_parse and maps them with syslog_msg_to_event, and the event
# fields are what DESIGN.md promises (a plain logger message is an event).
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

RECV=$BUILD/tools/syslog-recv
SOCK=$TESTDIR/log
OUT=$TESTDIR/out
[ -x "$RECV" ] || fail "$RECV missing: run make first"
command -v logger >/dev/null || fail "logger (util-linux) not installed"

# send ARGS...: runs logger -u SOCK ARGS with syslog-recv receiving one
# message into $OUT.
send() {
	local pid i
	rm -f "$SOCK"
	"$RECV" --count 1 --timeout 30 "$SOCK" >"$OUT" 2>"$OUT.err" &
	pid=$!
	for i in $(seq 200); do
		[ -S "$SOCK" ] && break
		sleep 0.05
	done
	[ -S "$SOCK" ] || fail "syslog-recv did not bind $SOCK: $(cat "$OUT.err")"
	logger -u "$SOCK" --socket-errors=on "$@" ||
		fail "logger $* failed"
	wait "$pid" || fail "syslog-recv failed: $(cat "$OUT.err")"
}

# field KEY: the value syslog-recv printed for KEY, or "(none)".
field() {
	local v
	v=$(sed -n "s|^$1=||p" "$OUT")
	echo "${v:-(none)}"
}

check() {
	assert_eq "$(field "$1")" "$2" "$1 (message: $(field RAW))"
}

note "design example: logger --rfc5424 --msgid 777 -t John -p user.warning"
send --rfc5424 --msgid 777 -t John -p user.warning "VDC Ready for compaction"
check VERSION 1
check MSGID 777
check APP_NAME John
check EVENT_ID 777
check EVENT_TYPE WARNING
check EVENT_SOURCE John
check EVENT_LOG Application
check EVENT_DESCRIPTION "VDC Ready for compaction"
# logger adds its own [timeQuality ...] element.
check SD_timeQuality/tzKnown 1

note "structured data: our element with log and extras, a foreign one, escapes, PID"
send --rfc5424 --msgid 65535 -t backup -p daemon.err -i \
	--sd-id zoo@123 --sd-param 'tiger="hungry"' \
	--sd-id evtrigger@32473 --sd-param 'log="System"' \
	--sd-param 'DISK="sda"' --sd-param 'NOTE="say \"hi\" \\ \]"' \
	"disk failed"
check FACILITY 3
check SEVERITY 3
check EVENT_ID 65535
check EVENT_TYPE ERROR
check EVENT_SOURCE backup
check EVENT_LOG System
check EVENT_DESCRIPTION "disk failed"
check EXTRA_DISK sda
check 'EXTRA_NOTE' 'say "hi" \x5c ]'
check SD_zoo@123/tiger hungry
check EXTRA_tiger "(none)"
[[ $(field PROCID) =~ ^[0-9]+$ ]] || fail "PROCID: expected logger's pid, got '$(field PROCID)'"

note "a custom log name and the SUCCESS type (notice)"
send --rfc5424 --msgid 1 -t John -p local0.notice \
	--sd-id evtrigger@32473 --sd-param 'log="Backup"' "done"
check FACILITY 16
check EVENT_TYPE SUCCESS
check EVENT_LOG Backup

note "UTF-8 message text"
send --rfc5424 --msgid 42 -t John -p user.info "Zürich ☃ naïve"
check EVENT_TYPE INFORMATION
check EVENT_DESCRIPTION "Zürich ☃ naïve"

note "plain syslog is not an event"
send --rfc5424 --msgid ID47 -t su "'su root' failed"
check EVENT_ERROR "not an event: MSGID is not an event id 1..65535"
check TEXT "'su root' failed"
send --rfc5424 --msgid 70000 -t su "too big"
check EVENT_ERROR "not an event: MSGID is not an event id 1..65535"

note "an event with a field that may not be set is refused, naming it"
send --rfc5424 --msgid 7 -t John --sd-id evtrigger@32473 \
	--sd-param 'EVENT_SENDER="trusted-host"' "spoof"
check EVENT_ERROR "invalid field name or log name"
check EVENT_ERROR_WHAT EVENT_SENDER
send --rfc5424 --msgid 7 -t John --sd-id evtrigger@32473 \
	--sd-param 'lower="x"' "bad name"
check EVENT_ERROR_WHAT lower

note "RFC 3164: logger --rfc3164, plain and with our element in front"
send --rfc3164 -t John -p daemon.warning "hello classic"
check VERSION 0
check APP_NAME John
check FACILITY 3
check SEVERITY 4
check TEXT "hello classic"
check EVENT_ERROR "not an event: MSGID is not an event id 1..65535"
send --rfc3164 -t John -p user.notice -i \
	'[evtrigger@32473 id="778" log="Backup" VM="vdc"] VDC archived'
check EVENT_ID 778
check EVENT_TYPE SUCCESS
check EVENT_SOURCE John
check EVENT_LOG Backup
check EXTRA_VM vdc
check EVENT_DESCRIPTION "VDC archived"
[[ $(field PROCID) =~ ^[0-9]+$ ]] || fail "PROCID: expected logger's pid, got '$(field PROCID)'"

note "logger's local form (no --rfc option: <PRI>TIMESTAMP TAG: MSG)"
send -t John -p daemon.info '[evtrigger@32473 id="9"] local'
check EVENT_ID 9
check EVENT_TYPE INFORMATION
check EVENT_LOG System
check EVENT_DESCRIPTION local

echo "ok"
