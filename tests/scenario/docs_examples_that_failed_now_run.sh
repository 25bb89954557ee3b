#!/bin/bash
# The examples the first-week report found broken, run as the documents
# print them: evcreate(1)'s batch loop (its quoting), the evcreate commands
# in the shipped rules' comments (no positional description), and
# evtrigger(8)'s `evtrigger action MODULE -o key=value` synopsis.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald
export PATH=$BUILD:$PATH

# evcreate(1): the loop between 'for vm in' and 'done', as man renders it.
MANWIDTH=200 man -l "$TOP/man/evcreate.1" 2>/dev/null | col -b |
	sed -n '/^[[:space:]]*for vm in vdc web db; do$/,/^[[:space:]]*done | evcreate/p' |
	sed 's/^[[:space:]]*//' >"$TESTDIR/loop.sh"
[ "$(wc -l <"$TESTDIR/loop.sh")" = 3 ] || fail "evcreate(1): loop not found: $(cat "$TESTDIR/loop.sh")"
bash "$TESTDIR/loop.sh" || fail "evcreate(1)'s batch loop failed: $(cat "$TESTDIR/loop.sh")"
for vm in vdc web db; do
	journal_wait 1 10 EVENT_ID=777 VM="$vm"
	assert_eq "$(journal_field MESSAGE EVENT_ID=777 VM="$vm")" "$vm ready" "the loop's description for $vm"
done

# The shipped rules' comments: each example command line runs as written
# (the --channel and --server ones need a guest or a listener: their
# arguments must still parse, which --help-free dry parsing cannot show, so
# only the local ones run here; the others run in guest_ and evcreate_server_
# scenarios).
n=0
for rule in "$TOP"/rules.d/*.rule; do
	cmd=$(sed -n '/^#     evcreate /,/^#$/p' "$rule" | sed '/^#$/d; s/^#     //; s/^    //' |
		sed ':a; /\\$/{N; s/\\\n//; ba}')
	[ -n "$cmd" ] || continue
	case $cmd in *--channel* | *--server*) continue ;; esac
	eval "$cmd" || fail "${rule##*/}: its example failed: $cmd"
	n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no local example found in rules.d"
journal_wait 1 10 EVENT_ID=4000 EVENT_SOURCE=backup
assert_eq "$(journal_field MESSAGE EVENT_ID=4000)" "backup of /srv failed: disk full" "backup-failed-notify.rule's example"

# evtrigger(8): evtrigger action MODULE -o key=value.
grep -q '^\.RB \[ \\-o$' "$TOP/man/evtrigger.8" || fail "evtrigger(8) synopsis lost -o"
"$EVTRIGGER" action exec --action-dir "$BUILD/actions" --state-dir "$TESTDIR/state" \
	-o command=/bin/true >"$TESTDIR/action.log" 2>&1 ||
	fail "evtrigger action exec -o command=/bin/true: $(cat "$TESTDIR/action.log")"
echo "the examples run as printed"
