#!/bin/bash
# `make demo` as CI runs it: the guest's own maintenance script signals 777
# with evcreate --channel, the listener writes it as sent by vdc, the shipped
# rules.d/777-vdc.rule (sender = vdc) fires, and the job waits for the
# power-off, compacts, merges, archives and starts the VM again.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bail() { echo "FAIL: $*"; sed 's/\x1b\[[0-9;]*m//g' "$out" | tail -n 40; exit 1; }

"$TOP/tools/demo.sh" "$BUILD" >"$out" 2>&1 || bail "the demo failed"
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
