#!/bin/bash
# evcreate writes every field of an event into a real (private) journald, in
# both syntaxes, and journalctl finds it by EVENT_ID and by -t SOURCE.
source "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

# entry_fields MATCH...: the newest matching entry's own fields, sorted,
# without the ones journald adds (_*, __*) or that differ per write.
entry_fields() {
	journalctl --no-pager -q -n 1 -o export "$@" |
		grep -v -e '^_' -e '^$' | sort
}

"$EVCREATE" --type warning --id 777 --source John --log Application \
	--description "VDC Ready for compaction" --field VM=vdc \
	--field "NOTE=two words" --field EMPTY= ||
	fail "evcreate exited $?"
journal_wait 1 10 EVENT_ID=777

assert_eq "$(journal_field EVENT_ID EVENT_ID=777)" 777 EVENT_ID
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=777)" WARNING EVENT_TYPE
assert_eq "$(journal_field EVENT_SOURCE EVENT_ID=777)" John EVENT_SOURCE
assert_eq "$(journal_field EVENT_LOG EVENT_ID=777)" Application EVENT_LOG
assert_eq "$(journal_field MESSAGE EVENT_ID=777)" "VDC Ready for compaction" MESSAGE
assert_eq "$(journal_field PRIORITY EVENT_ID=777)" 4 PRIORITY
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_ID=777)" John SYSLOG_IDENTIFIER
assert_eq "$(journal_field SYSLOG_FACILITY EVENT_ID=777)" 1 SYSLOG_FACILITY
assert_eq "$(journal_field VM EVENT_ID=777)" vdc VM
assert_eq "$(journal_field NOTE EVENT_ID=777)" "two words" NOTE
assert_eq "$(journalctl --no-pager -q -n 1 -o export EVENT_ID=777 | grep -c '^EMPTY=$')" 1 EMPTY
# Nothing else: no CODE_FILE of evcreate's own source and the like.
assert_eq "$(entry_fields EVENT_ID=777 | cut -d= -f1 | tr '\n' ' ')" \
	"EMPTY EVENT_ID EVENT_LOG EVENT_SOURCE EVENT_TYPE MESSAGE NOTE PRIORITY SYSLOG_FACILITY SYSLOG_IDENTIFIER VM " \
	"field names"

# What an admin types finds it.
assert_eq "$(journalctl --no-pager -q -o cat EVENT_ID=777)" \
	"VDC Ready for compaction" "journalctl EVENT_ID=777"
assert_eq "$(journalctl --no-pager -q -o cat -t John)" \
	"VDC Ready for compaction" "journalctl -t John"

# eventcreate's own syntax, switches in any case, gives the same entry.
"$EVCREATE" /T WARNING /ID 777 /SO John /L APPLICATION \
	/D "VDC Ready for compaction" || fail "eventcreate syntax exited $?"
"$EVCREATE" --type warning --id 777 --source John --log application \
	--description "VDC Ready for compaction" || fail "GNU syntax exited $?"
"$EVCREATE" /t warning /id 777 /so John /l application \
	/d "VDC Ready for compaction" || fail "lower-case switches exited $?"
journal_wait 4 10 EVENT_ID=777
# One line per entry: its own fields, sorted, '|'-separated.
entries=$(journalctl --no-pager -q -o export EVENT_ID=777 | python3 -c '
import sys
for rec in sys.stdin.read().split("\n\n"):
    f = sorted(l for l in rec.split("\n") if l and not l.startswith("_"))
    if f:
        print("|".join(f))')
assert_eq "$(printf '%s\n' "$entries" | wc -l)" 4 "entries with EVENT_ID=777"
assert_eq "$(printf '%s\n' "$entries" | tail -n 3 | sort -u | wc -l)" 1 \
	"distinct entries written by the two syntaxes"
assert_eq "$(printf '%s\n' "$entries" | tail -n 1)" \
	"EVENT_ID=777|EVENT_LOG=Application|EVENT_SOURCE=John|EVENT_TYPE=WARNING|MESSAGE=VDC Ready for compaction|PRIORITY=4|SYSLOG_FACILITY=1|SYSLOG_IDENTIFIER=John" \
	"eventcreate-syntax entry"

# PRIORITY per type: ERROR 3, WARNING 4, INFORMATION 6, SUCCESS 5; the log
# System is facility daemon (3).
id=800
for tp in ERROR:3 warning:4 Information:6 SUCCESS:5; do
	id=$((id + 1))
	"$EVCREATE" -t "${tp%%:*}" -i $id -s Types -l SYSTEM -d "type ${tp%%:*}" ||
		fail "type ${tp%%:*}: exit $?"
	journal_wait 1 10 EVENT_ID=$id
	assert_eq "$(journal_field PRIORITY EVENT_ID=$id)" "${tp#*:}" "PRIORITY of ${tp%%:*}"
	want=$(echo "${tp%%:*}" | tr '[:lower:]' '[:upper:]')
	assert_eq "$(journal_field EVENT_TYPE EVENT_ID=$id)" "$want" "EVENT_TYPE"
	assert_eq "$(journal_field EVENT_LOG EVENT_ID=$id)" System "EVENT_LOG"
	assert_eq "$(journal_field SYSLOG_FACILITY EVENT_ID=$id)" 3 "facility of System"
done

# Defaults: type INFORMATION, log Application, source evcreate.
"$EVCREATE" -i 900 -d "defaults" || fail "defaults: exit $?"
journal_wait 1 10 EVENT_ID=900
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=900)" INFORMATION "default type"
assert_eq "$(journal_field EVENT_LOG EVENT_ID=900)" Application "default log"
assert_eq "$(journal_field SYSLOG_IDENTIFIER EVENT_ID=900)" evcreate "default source"

# A multi-line, non-ASCII description arrives intact.
"$EVCREATE" -i 901 -d $'Grüße\nzweite Zeile €' || fail "UTF-8: exit $?"
journal_wait 1 10 EVENT_ID=901
assert_eq "$(journalctl --no-pager -q -o json EVENT_ID=901 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["MESSAGE"])')" \
	$'Grüße\nzweite Zeile €' "multi-line MESSAGE"
echo "ok"
