#!/bin/bash
# evtrigger(8) lists every event ID of lib/evt-ids.h with its name and type,
# and lists none that the table lacks; the journal catalog made from the same
# table has an entry for each.
. "$(dirname "$0")/../lib/testbed.sh"

man_text=$TESTDIR/evtrigger.8.txt
MANWIDTH=200 man -l "$TOP/man/evtrigger.8" 2>/dev/null | col -b > "$man_text"
[ -s "$man_text" ] || fail "man/evtrigger.8 does not render"

n=0
while read -r id name type; do
	grep -q "^ *$id $name ($type)\$" "$man_text" ||
		fail "evtrigger(8) lacks '$id $name ($type)'"
	grep -q "^Subject: evtrigger event $id ($type): " "$BUILD/evtrigger.catalog" ||
		fail "the catalog lacks event $id"
	n=$((n + 1))
done < <("$BUILD/tools/evt-ids-list")
[ "$n" -gt 0 ] || fail "no IDs in lib/evt-ids.h?"

# Nothing in the man page's table that the header lacks.
sed -n '/^EVENT IDS/,/^EXAMPLES/p' "$man_text" |
	grep -oE '^ *[0-9]{3,5} [A-Z_]+ \([A-Z]+\)$' | sed 's/^ *//; s/[()]//g' |
	sort > "$TESTDIR/man-ids"
"$BUILD/tools/evt-ids-list" | sort > "$TESTDIR/header-ids"
diff -u "$TESTDIR/header-ids" "$TESTDIR/man-ids" ||
	fail "the man page's event table differs from lib/evt-ids.h"
note "$n event IDs documented"
