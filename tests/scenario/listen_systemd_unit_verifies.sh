#!/bin/bash
# systemd/evtrigger-listen.service is a valid unit (systemd-analyze verify)
# once @SBINDIR@ is substituted as `make install` does; it turns journald's
# rate limit off for the listener (which limits each VM itself and reads
# every entry back), keeps the parent's capabilities to the three it needs,
# and its sandbox rates "OK" or better.
. "$(dirname "$0")/../lib/testbed.sh"

unit=$TESTDIR/evtrigger-listen.service
sed "s|@SBINDIR@|$BUILD|g" "$TOP/systemd/evtrigger-listen.service" > "$unit"
out=$(systemd-analyze verify --man=no "$unit" 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
grep -qx 'LogRateLimitIntervalSec=0' "$unit" || fail "journald's rate limit is on"
grep -qx 'CapabilityBoundingSet=CAP_DAC_OVERRIDE CAP_SETUID CAP_SETGID' "$unit" ||
	fail "capabilities other than the parent's three"
grep -qx 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' "$unit" ||
	fail "not AF_UNIX and IP only (network senders)"
! grep -q '^User=' "$unit" || fail "User= would leave the parent without root"

level=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n 1)
case $level in
*"OK"* | *"SAFE"*) note "$level" ;;
*) fail "sandbox exposure: $level" ;;
esac
