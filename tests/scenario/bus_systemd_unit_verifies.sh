#!/bin/bash
# systemd/evtrigger-bus.service is a valid unit (systemd-analyze verify)
# once @SBINDIR@ is substituted as `make install` does; it is Type=notify,
# runs as the listener's user (so that its entries carry the listener's
# trusted _UID) with its socket in its RuntimeDirectory, after NATS, with no
# capability and journald's rate limit off, and its sandbox rates "OK" or
# better.
. "$(dirname "$0")/../lib/testbed.sh"

unit=$TESTDIR/evtrigger-bus.service
sed "s|@SBINDIR@|$BUILD|g" "$TOP/systemd/evtrigger-bus.service" > "$unit"
out=$(systemd-analyze verify --man=no "$unit" 2>&1) ||
	fail "systemd-analyze verify: $out"
# The listener's user need not exist on the machine that runs the tests.
out=$(echo "$out" | grep -v "evtrigger-listen" || true)
[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
grep -qx 'Type=notify' "$unit" || fail "not Type=notify"
grep -qx 'User=evtrigger-listen' "$unit" || fail "not the listener's user"
grep -qx 'RuntimeDirectory=evtrigger-bus' "$unit" || fail "no RuntimeDirectory"
grep -q '^After=.*nats-server.service' "$unit" || fail "not after nats-server"
grep -qx 'CapabilityBoundingSet=' "$unit" || fail "capabilities left"
grep -qx 'LogRateLimitIntervalSec=0' "$unit" || fail "journald's rate limit is on"
# The socket path of the unit is the bus's default, which the listener's
# --bus names.
grep -q '/run/evtrigger-bus/bus.sock' "$TOP/bus/config.h" ||
	fail "the default socket is not in the unit's RuntimeDirectory"

level=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n 1)
case $level in
*"OK"* | *"SAFE"*) note "$level" ;;
*) fail "sandbox exposure: $level" ;;
esac
