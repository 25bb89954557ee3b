#!/bin/bash
# systemd/evtrigger.service is a valid unit (systemd-analyze verify, which
# works without a running systemd) once @SBINDIR@ is substituted as
# `make install` does, and its sandbox rates "OK" or better.
. "$(dirname "$0")/../lib/testbed.sh"

unit=$TESTDIR/evtrigger.service
sed "s|@SBINDIR@|$BUILD|g" "$TOP/systemd/evtrigger.service" > "$unit"
out=$(systemd-analyze verify --man=no "$unit" 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
grep -q '^Type=notify$' "$unit" || fail "not Type=notify"
grep -q '^KillMode=process$' "$unit" || fail "jobs would not survive a restart"

level=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n 1)
case $level in
*"OK"* | *"SAFE"*) note "$level" ;;
*) fail "sandbox exposure: $level" ;;
esac
