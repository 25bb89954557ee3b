#!/bin/bash
# evcreate --batch writes every good line as an event, reports each bad line
# as FILE:LINE with the problem, skips blank lines and comments, and exits 5
# when some lines failed; from a file and from standard input.
source "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

cat >"$TESTDIR/events" <<'LINES'
# guest events, one per line
type=warning id=777 source=John log=Application description="VDC Ready for compaction" VM=vdc

id=778 description="no type: the default"
id=0 description="bad id"
type=fatal id=779 description="bad type"
id=780
id=781 description="x" vm=lower
id=782 description="unterminated
id=783 description="reserved" MESSAGE=no
   # an indented comment
type=SUCCESS id=784 source=Other log=system description="last good line" DISK=sda NOTE="with spaces"
id=785 description="windows line end"
LINES
# The last line ends in CR LF, as files from Windows do.
sed -i '$ s/$/\r/' "$TESTDIR/events"

"$EVCREATE" --batch "$TESTDIR/events" --source Batch --field HOST=h1 \
	2>"$TESTDIR/err"
rc=$?
assert_eq "$rc" 5 "exit code with bad lines"
F=$TESTDIR/events
assert_eq "$(cat "$TESTDIR/err")" "evcreate: $F:5: invalid event id '0': must be 1..65535
evcreate: $F:6: invalid event type 'fatal': must be ERROR, WARNING, INFORMATION or SUCCESS
evcreate: $F:7: no description given (description=TEXT)
evcreate: $F:8: unknown key 'vm': must be type, id, source, log, description or an upper-case field name
evcreate: $F:9: unterminated double quote
evcreate: $F:10: reserved field name 'MESSAGE': not allowed as an extra field
evcreate: $F: 6 of 10 lines failed, 4 events written" "stderr"

journal_wait 1 10 EVENT_ID=785
for id in 777 778 784 785; do
	assert_eq "$(journal_count EVENT_ID=$id)" 1 "entries with EVENT_ID=$id"
done
for id in 779 780 781 782 783; do
	assert_eq "$(journal_count EVENT_ID=$id)" 0 "entries with EVENT_ID=$id"
done
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=777)" WARNING "type of 777"
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_ID=777)" John "source of 777"
assert_eq "$(journal_field MESSAGE EVENT_ID=777)" "VDC Ready for compaction" "MESSAGE of 777"
assert_eq "$(journal_field VM EVENT_ID=777)" vdc "VM of 777"
assert_eq "$(journal_field HOST EVENT_ID=777)" h1 "default field HOST"
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=778)" INFORMATION "type of 778"
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_ID=778)" Batch "default source"
assert_eq "$(journal_field PRIORITY EVENT_ID=784)" 5 "PRIORITY of SUCCESS"
assert_eq "$(journal_field EVENT_LOG EVENT_ID=784)" System "log of 784"
assert_eq "$(journal_field NOTE EVENT_ID=784)" "with spaces" "NOTE of 784"
assert_eq "$(journal_field DISK EVENT_ID=784)" sda "DISK of 784"
assert_eq "$(journal_field MESSAGE EVENT_ID=785)" "windows line end" "CR stripped"
# All from one process.
assert_eq "$(journalctl --no-pager -q -o export SYSLOG_IDENTIFIER=Batch \
	SYSLOG_IDENTIFIER=John SYSLOG_IDENTIFIER=Other |
	sed -n 's/^_PID=//p' | sort -u | wc -l)" 1 "writer processes"

# Standard input, all good: exit 0, nothing on stderr, in order.
seq 1 200 | sed 's/.*/id=& description="event &" SEQ=&/' |
	"$EVCREATE" --batch - --source Stdin 2>"$TESTDIR/err2" ||
	fail "all-good batch from stdin: exit $?"
assert_eq "$(cat "$TESTDIR/err2")" "" "stderr of a good batch"
journal_wait 200 10 SYSLOG_IDENTIFIER=Stdin
assert_eq "$(journalctl --no-pager -q -o cat -t Stdin | tr '\n' ' ' | cut -d' ' -f1-6)" \
	"event 1 event 2 event 3" "order"
assert_eq "$(journal_field SEQ SYSLOG_IDENTIFIER=Stdin)" 200 "last SEQ"

# Bad lines from stdin are named <stdin>:LINE.
printf 'id=1 description=ok1\nid=65536 description=no\n' |
	"$EVCREATE" --batch - --source Stdin2 2>"$TESTDIR/err3"
assert_eq "$?" 5 "exit code, stdin with a bad line"
assert_eq "$(head -n 1 "$TESTDIR/err3")" \
	"evcreate: <stdin>:2: invalid event id '65536': must be 1..65535" "stdin message"

# An empty batch writes nothing and succeeds.
"$EVCREATE" --batch - </dev/null || fail "empty batch: exit $?"
echo ok
