#!/bin/bash
# The man pages list every event ID of lib/evt-ids.h with its name and type
# (the listener's own, 650-659, in evtrigger-listen(8), the bus's, 660-669,
# in evtrigger-bus(8), the others in evtrigger(8)), and list none that the table lacks; the journal catalog made
# from the same table has an entry for each.
. "$(dirname "$0")/../lib/testbed.sh"

render() {
	MANWIDTH=200 man -l "$TOP/man/$1" 2>/dev/null | col -b > "$TESTDIR/$1.txt"
	[ -s "$TESTDIR/$1.txt" ] || fail "man/$1 does not render"
}
render evtrigger.8
render evtrigger-listen.8
render evtrigger-bus.8

n=0
while read -r id name type; do
	page=evtrigger.8
	[ "$id" -ge 650 ] && [ "$id" -le 659 ] && page=evtrigger-listen.8
	[ "$id" -ge 660 ] && [ "$id" -le 669 ] && page=evtrigger-bus.8
	grep -q "^ *$id $name ($type)\$" "$TESTDIR/$page.txt" ||
		fail "$page lacks '$id $name ($type)'"
	grep -q "^Subject: evtrigger event $id ($type): " "$BUILD/evtrigger.catalog" ||
		fail "the catalog lacks event $id"
	n=$((n + 1))
done < <("$BUILD/tools/evt-ids-list")
[ "$n" -gt 0 ] || fail "no IDs in lib/evt-ids.h?"

# Nothing in the man pages' tables that the header lacks.
for page in evtrigger.8 evtrigger-listen.8 evtrigger-bus.8; do
	sed -n '/^EVENT IDS/,/^EXAMPLES/p' "$TESTDIR/$page.txt" |
		grep -oE '^ *[0-9]{3,5} [A-Z_]+ \([A-Z]+\)$' | sed 's/^ *//; s/[()]//g'
done | sort > "$TESTDIR/man-ids"
"$BUILD/tools/evt-ids-list" | sort > "$TESTDIR/header-ids"
diff -u "$TESTDIR/header-ids" "$TESTDIR/man-ids" ||
	fail "the man pages' event tables differ from lib/evt-ids.h"
note "$n event IDs documented"
