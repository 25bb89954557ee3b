#!/bin/bash
# `make demo` as CI runs it: the guest's own maintenance script signals 777
# with evcreate --channel, the listener writes it as sent by vdc, the shipped
# rules.d/777-vdc.rule (sender = vdc) fires, and the job waits for the
# power-off, compacts, merges, archives and starts the VM again.
#
# README's two commands, read from README.md: `make demo` runs as printed,
# with the tree under test as built (its BUILD and SANITIZE from the
# environment, so nothing is rebuilt). `make check` is the suite this
# scenario is part of: run from here it would run this scenario again,
# without end; that it runs the suite (tests/run-all.sh) is checked instead.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/docs.sh"
out=$TESTDIR/demo.out
bail() { echo "FAIL: $*"; sed 's/\x1b\[[0-9;]*m//g' "$out" | tail -n 40; exit 1; }

mapfile -d '' -t cmds < <(doc_example_lines README.md:two-commands:1)
[[ ${#cmds[@]} = 2 && ${cmds[0]} == "make demo "* && ${cmds[1]} == "make check "* ]] ||
	fail "README's two commands are not make demo and make check: ${cmds[*]}"
san=$(sed -n 's/^#define EVT_SANITIZE \([01]\)$/\1/p' "$BUILD/config.h")
[ -n "$san" ] || fail "$BUILD/config.h does not say how it was built"
(cd "$TOP" && BUILD=$(realpath --relative-to="$TOP" "$BUILD") SANITIZE=$san \
	bash -c "${cmds[0]}") >"$out" 2>&1 || bail "README's make demo failed"
make -C "$TOP" -n check 2>&1 | grep -q '^tests/run-all.sh build-san$' ||
	fail "make check does not run the suite: $(make -C "$TOP" -n check 2>&1 | tail -n 5)"
sed -i 's/\x1b\[[0-9;]*m//g' "$out"
grep -q '^  guest: the host has the event; powering off' "$out" ||
	bail "the guest did not get the host's OK"
grep -q '^    EVENT_SENDER=vdc$' "$out" || bail "the event is not recorded as sent by vdc"
grep -q '^    EVENT_AUTH=channel$' "$out" || bail "the event is not recorded as proven by the channel"
grep -q '601 SUCCESS .*job finished' "$out" || bail "the job did not finish"
grep -q '^  vdc is: running$' "$out" || bail "vdc is not running again"
grep -qE '^  [0-9]{4}-[0-9]{2}-[0-9]{2}_vdc\.tar\.zst: OK$' "$out" ||
	bail "no archive whose checksum verifies"
[ "$(grep -c '^   600 ' "$out")" = 1 ] || bail "not exactly one job started"
echo "demo: the guest's 777 ran the shipped rule's job once"
