#!/bin/bash
# The journal catalog built from lib/evt-ids.h installs with
# `journalctl --update-catalog`, and `journalctl -x` then explains an
# evtrigger event by its MESSAGE_ID. The catalog directories are tmpfs copies
# inside this scenario's mount namespace: the host's stay untouched.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

catdir=/usr/lib/systemd/catalog
mkdir -p "$TESTDIR/catalog"
cp -a "$catdir"/. "$TESTDIR/catalog/" 2>/dev/null || true
mount -t tmpfs tmpfs "$catdir"
cp -a "$TESTDIR/catalog"/. "$catdir"/
cp "$BUILD/evtrigger.catalog" "$catdir/evtrigger.catalog"
mkdir -p /var/lib/systemd/catalog
mount -t tmpfs tmpfs /var/lib/systemd/catalog
journalctl --update-catalog || fail "journalctl --update-catalog failed"

# The MESSAGE_ID the catalog gives an event ID.
catalog_mid() {
	awk -v id="$1" '/^-- / { mid = $2 }
		$0 ~ "^Subject: evtrigger event " id " " { print mid }' \
		"$BUILD/evtrigger.catalog"
}
mid_640=$(catalog_mid 640)
mid_602=$(catalog_mid 602)
[ -n "$mid_640" ] && [ -n "$mid_602" ] || fail "the catalog lacks events 640/602"

printf 'MESSAGE=catalog test\nEVENT_ID=640\nMESSAGE_ID=%s\nCATALOG_TEST=1\n' \
	"$mid_640" | logger --journald
journal_wait 1 10 CATALOG_TEST=1
out=$(journalctl --no-pager -x CATALOG_TEST=1)
echo "$out" | grep -q "Subject: evtrigger event 640 (INFORMATION): evtrigger started" ||
	fail "journalctl -x does not explain event 640: $out"
echo "$out" | grep -q "RULE_COUNT" || fail "the explanation lacks its text: $out"
# And on the entry the daemon itself logs at start.
. "$TOP/tests/lib/watch.sh"
watch_setup
watch_stamp_rule r 777
watch_start
watch_stop
out=$(journalctl --no-pager -x -n 1 EVENT_ID=640 SYSLOG_IDENTIFIER=evtrigger)
echo "$out" | grep -q "Subject: evtrigger event 640 (INFORMATION): evtrigger started" ||
	fail "journalctl -x does not explain evtrigger's DAEMON_STARTED: $out"
journalctl --no-pager --list-catalog | grep -q "^$mid_602 evtrigger: evtrigger event 602 (ERROR): Job failed" ||
	fail "--list-catalog lacks event 602"
