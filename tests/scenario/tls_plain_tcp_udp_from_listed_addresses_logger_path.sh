#!/bin/bash
# Plain TCP (RFC 6587, both framings) and UDP, off by default, take events
# only from addresses the senders file lists, as EVENT_AUTH=address: the
# local path that turns util-linux logger's RFC 5424 message into an event
# (evtrigger-listen(8), "LOCAL SYSLOG SENDERS"):
#   logger --server 127.0.0.1 --tcp --port P --rfc5424 --msgid 777 -t John ...
# into a listener started with --tcp 127.0.0.1:P and 127.0.0.1 listed. A
# second machine whose address is not listed is refused (one event each,
# nothing written), over TCP and UDP.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
tls_machine
echo "localhost address 127.0.0.1" >"$TESTDIR/senders.conf"
listen_start --tcp :5514 --udp :5514 --senders "$TESTDIR/senders.conf"
tls_wait_port 5514

logger --server 127.0.0.1 --tcp --port 5514 --rfc5424 --msgid 777 -t John \
	"VDC Ready for compaction" || fail "logger --tcp failed"
journal_wait 1 30 EVENT_ID=777
assert_eq "$(journal_field EVENT_SOURCE EVENT_ID=777)" John "EVENT_SOURCE"
assert_eq "$(journal_field EVENT_SENDER EVENT_ID=777)" localhost "EVENT_SENDER"
assert_eq "$(journal_field EVENT_AUTH EVENT_ID=777)" address "EVENT_AUTH"
assert_eq "$(journal_field MESSAGE EVENT_ID=777)" "VDC Ready for compaction" "MESSAGE"
assert_eq "$(journal_field EVENT_HOSTNAME EVENT_ID=777)" "$(hostname)" "EVENT_HOSTNAME (recorded)"
journal_field EVENT_SENDER_ADDRESS EVENT_ID=777 | grep -qE '^127\.0\.0\.1:[0-9]+$' ||
	fail "EVENT_SENDER_ADDRESS: $(journal_field EVENT_SENDER_ADDRESS EVENT_ID=777)"
[ -n "$(journal_field EVENT_UUID EVENT_ID=777)" ] || fail "no EVENT_UUID"
[ -n "$(journal_field EVENT_TIME EVENT_ID=777)" ] || fail "no EVENT_TIME"

logger --server 127.0.0.1 --tcp --octet-count --port 5514 --rfc5424 --msgid 778 \
	-t John "octet counted" || fail "logger --octet-count failed"
journal_wait 1 30 EVENT_ID=778 EVENT_AUTH=address
logger --server 127.0.0.1 --udp --port 5514 --rfc5424 --msgid 779 -t John \
	"over udp" || fail "logger --udp failed"
journal_wait 1 30 EVENT_ID=779 EVENT_AUTH=address EVENT_SENDER=localhost
# not an event: no number in MSGID; stored as nothing, refused as 400
logger --server 127.0.0.1 --tcp --port 5514 --rfc5424 -t John "no msgid"
journal_wait 1 30 EVENT_ID=655
assert_eq "$(journal_field CODE EVENT_ID=655)" 400 "the code of the refused event"

PEER_RUN logger --server $HOST_IP --tcp --port 5514 --rfc5424 --msgid 780 -t John \
	"not listed" 2>/dev/null
journal_wait 1 30 EVENT_ID=654 REASON="address not listed in the senders file"
journal_field PEER EVENT_ID=654 | grep -qE "^$PEER_IP:[0-9]+\$" ||
	fail "PEER: $(journal_field PEER EVENT_ID=654)"
PEER_RUN logger --server $HOST_IP --udp --port 5514 --rfc5424 --msgid 781 -t John \
	"not listed either"
journal_wait 2 30 EVENT_ID=654 REASON="address not listed in the senders file"
for id in 777 778 779; do
	assert_eq "$(journal_count EVENT_ID=$id)" 1 "entries of $id"
done
assert_eq "$(journal_count EVENT_ID=780)" 0 "entries from the unlisted TCP peer"
assert_eq "$(journal_count EVENT_ID=781)" 0 "entries from the unlisted UDP peer"
listen_stop
