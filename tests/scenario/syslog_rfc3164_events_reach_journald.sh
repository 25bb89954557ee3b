#!/bin/bash
# Proves that the RFC 3164 local form of syslog_format_event (what a host's
# /dev/log receivers read) is taken apart by a real systemd-journald as
# intended: the source becomes SYSLOG_IDENTIFIER, the pid SYSLOG_PID, the
# type PRIORITY, the log SYSLOG_FACILITY, and the message keeps the event's
# structured data in front of the description (journald 252 does not parse
# RFC 5424 on its syslog socket; see lib/syslog.h).
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

SEND=$BUILD/tools/syslog-send
DEVLOG=/run/systemd/journal/dev-log
[ -x "$SEND" ] || fail "$SEND missing: run make first"

"$SEND" --rfc3164 --pid 4242 "$DEVLOG" warning 777 John Application \
	"VDC Ready for compaction" VM=vdc || fail "syslog-send failed"
"$SEND" --rfc3164 --pid 4243 "$DEVLOG" error 778 John System \
	"VDC failed" || fail "syslog-send failed"

journal_wait 1 30 SYSLOG_IDENTIFIER=John SYSLOG_PID=4242
assert_eq "$(journal_field PRIORITY SYSLOG_PID=4242)" 4 PRIORITY
assert_eq "$(journal_field SYSLOG_FACILITY SYSLOG_PID=4242)" 1 SYSLOG_FACILITY
assert_eq "$(journal_field MESSAGE SYSLOG_PID=4242)" \
	'[evtrigger@32473 id="777" log="Application" VM="vdc"] VDC Ready for compaction' \
	MESSAGE

journal_wait 1 30 SYSLOG_IDENTIFIER=John SYSLOG_PID=4243
assert_eq "$(journal_field PRIORITY SYSLOG_PID=4243)" 3 PRIORITY
assert_eq "$(journal_field SYSLOG_FACILITY SYSLOG_PID=4243)" 3 \
	"SYSLOG_FACILITY (daemon for System)"
echo ok
