#!/bin/bash
# The --server examples of evcreate(1), EXAMPLES, run as printed against
# evtrigger-listen at logs.example.org (this namespace's /etc/hosts and a
# private copy of /etc): a client certificate, /S /U /P @FILE, a spool and
# its --flush. Then /S alone, which takes /etc/evcreate/{cert,key,ca}.pem.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/docs.sh"

testbed_journald
testbed_listen_user
# A private /etc (hosts, evcreate's files) and /var/spool.
cp -a /etc "$TESTDIR/etc" && mount --bind "$TESTDIR/etc" /etc ||
	fail "cannot make a private /etc"
echo "127.0.0.1 logs.example.org" >>/etc/hosts
mkdir -p /var/spool && mount -t tmpfs -o mode=0755 tmpfs /var/spool ||
	fail "cannot mount /var/spool"
mkdir -p /etc/evcreate
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
tls_ca ca
tls_cert ca listener "DNS:logs.example.org"
tls_cert ca client "DNS:client01.example.org"
"$EVTRIGGER_LISTEN" --gen-psk >/etc/evcreate/backup01.psk || fail "--gen-psk"
chmod 600 /etc/evcreate/backup01.psk
cat >senders.conf <<CONF
client01 x509 san=DNS:client01.example.org
backup01 psk key-file=/etc/evcreate/backup01.psk
CONF
chmod 600 senders.conf
listen_start -c test:///default --tls 127.0.0.1:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem"
for _ in $(seq 200); do
	ss -ltn | grep -q '127.0.0.1:6514 ' && break
	kill -0 "$LISTEN_PID" 2>/dev/null || fail "listener exited: $(cat "$LISTEN_LOG")"
	sleep 0.05
done

# The two examples, read from evcreate(1) (tests/lib/docs.sh).
doc_example man/evcreate.1:examples:9 >certs.sh
doc_example man/evcreate.1:examples:10 >spool.sh
grep -q '^evcreate --server logs.example.org --cert client.pem' certs.sh &&
	grep -q '^evcreate /S logs.example.org /U backup01' certs.sh &&
	grep -q '^evcreate --flush --spool /var/spool/evcreate' spool.sh ||
	fail "examples not found in evcreate(1): $(cat certs.sh spool.sh)"
PATH=$BUILD:$PATH bash -e certs.sh 2>err || fail "examples (certificate, PSK): $(cat err)"
assert_eq "$(journal_count EVENT_ID=777 EVENT_AUTH=x509 EVENT_SENDER=client01)" 1 \
	"the certificate example's entry"
assert_eq "$(journal_count EVENT_ID=777 EVENT_AUTH=psk EVENT_SENDER=backup01)" 1 \
	"the PSK example's entry"

# The spool example, first while the listener is down: exit 7, kept.
listen_stop
PATH=$BUILD:$PATH bash -e spool.sh 2>err
assert_eq "$?" 7 "spool example while the listener is down"
assert_eq "$(ls /var/spool/evcreate | wc -l)" 1 "events in /var/spool/evcreate"
listen_start -c test:///default --tls 127.0.0.1:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem"
# The --flush line alone (the event line would spool one more event).
grep -v -e '^evcreate --server' -e '^ *--timeout 10' spool.sh >flush.sh
grep -q '^evcreate --flush' flush.sh || fail "no --flush line: $(cat flush.sh)"
# The listener may still be starting: --flush retries within --timeout
# (30 s by default).
PATH=$BUILD:$PATH bash -e flush.sh 2>err || fail "--flush example: $(cat err)"
assert_eq "$(ls /var/spool/evcreate)" "" "spool after the --flush example"
assert_eq "$(journal_count EVENT_ID=901 EVENT_AUTH=x509 EVENT_SENDER=client01)" 1 \
	"the spool example's entry"

# /S alone: the client certificate and CA of /etc/evcreate.
cp client.pem /etc/evcreate/cert.pem
cp client.key /etc/evcreate/key.pem
cp ca.pem /etc/evcreate/ca.pem
chmod 600 /etc/evcreate/key.pem
"$EVCREATE" /S logs.example.org /T SUCCESS /ID 902 /SO backup /D "done" 2>err ||
	fail "/S alone: exit $?: $(cat err)"
assert_eq "$(journal_count EVENT_ID=902 EVENT_AUTH=x509 EVENT_SENDER=client01)" 1 \
	"the entry of /S alone"
listen_stop
echo ok
