#!/bin/bash
# Proves that lib/syslog.c reads what an independent sender writes: util-linux
# logger sends RFC 5424 (with MSGID, structured data, escapes) and RFC 3164
# messages to a unix datagram socket, build/tools/syslog-recv parses them
# with syslog_parse and maps them with syslog_msg_to_event, and the event
# fields are what doc/ARCHITECTURE.md promises (a plain logger message is an event).
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

RECV=$BUILD/tools/syslog-recv
SOCK=$TESTDIR/log
OUT=$TESTDIR/out
[ -x "$RECV" ] || fail "$RECV missing: run make first"
command -v logger >/dev/null || fail "logger (util-linux) not installed"

# start_recv ARGS...: syslog-recv ARGS on SOCK in the background, output
# in $OUT; finish_recv waits for it.
start_recv() {
	local i
	rm -f "$SOCK"
	"$RECV" --timeout 30 "$@" "$SOCK" >"$OUT" 2>"$OUT.err" &
	RECV_PID=$!
	for i in $(seq 200); do
		[ -S "$SOCK" ] && return 0
		sleep 0.05
	done
	fail "syslog-recv did not bind $SOCK: $(cat "$OUT.err")"
}

finish_recv() {
	wait "$RECV_PID" || fail "syslog-recv failed: $(cat "$OUT.err")"
}

# send ARGS...: runs logger -u SOCK ARGS, syslog-recv receiving one message.
send() {
	start_recv --count 1
	logger -u "$SOCK" --socket-errors=on "$@" ||
		fail "logger $* failed"
	finish_recv
}

# field KEY [N]: the value syslog-recv printed for KEY in message N (1), or
# "(none)".
field() {
	local v
	v=$(awk -v n="${2:-1}" -v key="$1=" '
		$0 == "N=" n { inside = 1; next }
		/^N=/ { inside = 0 }
		inside && index($0, key) == 1 { print substr($0, length(key) + 1) }
	' "$OUT")
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

note "RFC 6587 framing on a stream socket: octet counting (logger --octet-count)"
start_recv --stream --count 2
printf 'first line\nsecond [line]\n' |
	logger -u "$SOCK" --socket-errors=on --octet-count --rfc5424 \
		--msgid 800 -t John -p user.err || fail "logger --octet-count failed"
finish_recv
assert_eq "$(field EVENT_ID 1)" 800 "EVENT_ID of frame 1"
assert_eq "$(field EVENT_DESCRIPTION 1)" "first line" "frame 1"
assert_eq "$(field EVENT_TYPE 2)" ERROR "EVENT_TYPE of frame 2"
assert_eq "$(field EVENT_DESCRIPTION 2)" "second [line]" "frame 2"

note "RFC 6587 framing on a stream socket: LF-terminated (non-transparent)"
start_recv --stream --count 2
printf 'one\ntwo\n' |
	logger -u "$SOCK" --socket-errors=on --rfc5424 --msgid 801 -t John ||
	fail "logger (stream) failed"
finish_recv
assert_eq "$(field EVENT_DESCRIPTION 1)" one "frame 1"
assert_eq "$(field EVENT_DESCRIPTION 2)" two "frame 2"

note "octet counting inside a datagram (logger --octet-count on a datagram socket)"
start_recv --framed --count 1
logger -u "$SOCK" --socket-errors=on --octet-count --rfc5424 --msgid 802 \
	-t John "framed" || fail "logger --octet-count failed"
finish_recv
check EVENT_ID 802
check EVENT_DESCRIPTION framed

echo "ok"
