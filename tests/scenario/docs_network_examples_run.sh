#!/bin/bash
# The examples of README.md, evtrigger-listen(8) and the shipped rules for
# other machines, read from their documents (tests/lib/docs.sh) and run as
# printed: "another machine" is a second network namespace (tls_machine,
# 10.77.0.2) whose /etc/hosts names the host (10.77.0.1) vmhost and loghost,
# in a private /etc. README's senders file and commands against a listener
# started as README says (--tls 0.0.0.0:6514 --senders ...), then rsyslog
# forwarding with evtrigger-listen(8)'s configuration, then that page's own
# setup (its PSK, senders file and listener) and its evcreate /S /U /P.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/docs.sh"

testbed_journald
testbed_listen_user
cp -a /etc "$TESTDIR/etc" && mount --bind "$TESTDIR/etc" /etc ||
	fail "cannot make a private /etc"
testbed_at_exit "umount -R -l /etc"
tls_machine
printf '%s vmhost\n%s loghost\n' "$HOST_IP" "$HOST_IP" >>/etc/hosts
mkdir -p /var/spool && mount -t tmpfs -o mode=0755 tmpfs /var/spool ||
	fail "cannot mount /var/spool"
mkdir -p /etc/evtrigger/psk /etc/evcreate /etc/ssl
export PATH=$BUILD:$PATH
# The listener's libvirt (it follows VMs too): the test bed's private one.
testbed_libvirtd
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"

tls_ca ca
tls_cert ca listener "DNS:vmhost"
tls_cert ca me "DNS:backup01.example.org"
tls_cert ca web1 "DNS:web1.example.org"
tls_cert ca relay01 "DNS:relay01.example.org"

# --- README: the senders file, the listener, the commands on another machine
doc_example README.md:other-machines-tls-certificates-or-a-shared-key:1 >/etc/evtrigger/senders.conf
# The senders the other examples need: web1-disk-warning.rule's, and the
# rsyslog relay of evtrigger-listen(8).
cat >>/etc/evtrigger/senders.conf <<'CONF'
web1       x509     san=DNS:web1.example.org
relay01    x509     san=DNS:relay01.example.org
CONF
chmod 600 /etc/evtrigger/senders.conf
evtrigger-listen --gen-psk >/etc/evtrigger/psk/nas.key || fail "--gen-psk"
cp /etc/evtrigger/psk/nas.key /etc/evcreate/nas.key
chmod 600 /etc/evtrigger/psk/nas.key /etc/evcreate/nas.key
listen_start --tls 0.0.0.0:6514 --tcp 127.0.0.1:5514 --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem" --senders /etc/evtrigger/senders.conf
tls_wait_port 6514

doc_example README.md:other-machines-tls-certificates-or-a-shared-key:2 >readme-tls.sh
PEER_RUN env PATH="$PATH" bash -e readme-tls.sh 2>readme-tls.err ||
	fail "README's commands on another machine: $(cat readme-tls.err; tail -n 5 "$LISTEN_LOG")"
assert_eq "$(journal_count EVENT_ID=2013 EVENT_SENDER=backup01 EVENT_AUTH=x509)" 1 \
	"README: the certificate's event"
assert_eq "$(journal_count EVENT_ID=777 EVENT_SENDER=nas EVENT_AUTH=psk)" 1 "README: the /S /U /P event"
assert_eq "$(journal_count EVENT_ID=901 EVENT_SENDER=backup01)" 1 "README: the spooled event"
assert_eq "$(ls /var/spool/evcreate)" "" "README: the spool after --flush"
[[ $(journal_field EVENT_SENDER_ADDRESS EVENT_ID=2013) == "$PEER_IP:"* ]] ||
	fail "README: the peer's address: $(journal_field EVENT_SENDER_ADDRESS EVENT_ID=2013)"

# web1-disk-warning.rule: what web1 logs (a machine named web1: a UTS
# namespace of its own), then the dry run of that rule on the entry.
doc_example rules.d/web1-disk-warning.rule:comment:1 >web1.sh
PEER_RUN unshare -u env PATH="$PATH" bash -e -c 'hostname web1 && . ./web1.sh' ||
	fail "web1-disk-warning.rule's example"
assert_eq "$(journal_count EVENT_ID=2013 EVENT_SENDER=web1 EVENT_AUTH=x509 MOUNT=/srv)" 1 \
	"web1-disk-warning.rule's event"
h=$(journal_field EVENT_HOSTNAME EVENT_ID=2013 EVENT_SENDER=web1)
"$EVTRIGGER" test --rules-dir "$TOP/rules.d" --action-dir "$BUILD/actions" --id 2013 --type warning --source diskmon \
	--sender web1 --auth x509 MOUNT=/srv "EVENT_HOSTNAME=$h" \
	>test.out 2>&1 || fail "evtrigger test: $(cat test.out)"
grep -q '^web1-disk-warning  *fires ' test.out ||
	fail "web1-disk-warning.rule does not fire on its example: $(cat test.out) (EVENT_HOSTNAME here: $h)"

# --- evtrigger-listen(8): rsyslog forwarding to it, as the page configures
# it (its certificates in /etc/ssl; the template, wrapped on the page, on one
# line as the page says), fed by logger on a socket of the test's own.
cp ca.pem /etc/ssl/loghost-ca.pem && cp relay01.pem /etc/ssl/relay01.pem &&
	cp relay01.key /etc/ssl/relay01.key || fail "cannot copy relay01's files"
mkdir rsyslog
{
	echo "global(workDirectory=\"$TESTDIR/rsyslog\")"
	echo 'module(load="imuxsock" SysSock.Use="off")'
	echo "input(type=\"imuxsock\" Socket=\"$TESTDIR/rsyslog.sock\" UseSpecialParser=\"off\")"
	doc_example man/evtrigger-listen.8:examples:5 | python3 -c '
import re, sys
text = sys.stdin.read()
# "one line in the real file": the template string, without that comment.
text = re.sub(r"\s*# one line in the real file", "", text)
text = re.sub(r"\n  (?=%)", " ", text)
sys.stdout.write(text)'
} >rsyslog.conf
grep -q '^template(name="rfc5424" type="string" string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")$' rsyslog.conf ||
	fail "the page's template, on one line: $(cat rsyslog.conf)"
rsyslogd -n -f rsyslog.conf -i "$TESTDIR/rsyslogd.pid" >rsyslogd.log 2>&1 &
rsyslog=$!
testbed_at_exit "kill $rsyslog 2>/dev/null; wait $rsyslog 2>/dev/null"
for _ in $(seq 200); do [ -S rsyslog.sock ] && break; sleep 0.05; done
[ -S rsyslog.sock ] || fail "rsyslogd did not start: $(cat rsyslogd.log)"
logger -u "$TESTDIR/rsyslog.sock" --rfc5424 --msgid 3001 -t relayed "through rsyslog" ||
	fail "logger"
journal_wait 1 60 EVENT_ID=3001 EVENT_SENDER=relay01 EVENT_AUTH=x509
kill $rsyslog
listen_stop

# --- evtrigger-listen(8): its own setup, listener and sender ---------------
cp listener.pem /etc/evtrigger/server.pem && cp listener.key /etc/evtrigger/server.key &&
	cp ca.pem /etc/evtrigger/clients-ca.pem || fail "cannot copy the listener's files"
mapfile -d '' -t cmds < <(doc_example_lines man/evtrigger-listen.8:examples:4)
assert_eq "${#cmds[@]}" 7 "commands of evtrigger-listen(8)'s network example"
for c in "${cmds[@]}"; do
	case $c in
	evtrigger-listen\ --tls*)
		# The listener: in the background, as the daemon it is.
		bash -c "exec $c" >>"$LISTEN_LOG" 2>&1 &
		LISTEN_PID=$!
		testbed_at_exit "listen_kill $LISTEN_PID"
		tls_wait_port 6514
		;;
	evcreate\ *)
		# "on web01 (the same secret in /etc/evcreate/web01.psk)"
		cp /etc/evtrigger/web01.psk /etc/evcreate/web01.psk
		PEER_RUN env PATH="$PATH" bash -c "$c" ||
			fail "evtrigger-listen(8): $c: $(tail -n 5 "$LISTEN_LOG")"
		;;
	*)
		bash -c "$c" >cmd.out 2>&1 || fail "evtrigger-listen(8): $c: $(cat cmd.out)"
		;;
	esac
done
assert_eq "$(journal_count EVENT_ID=777 EVENT_SENDER=web01 EVENT_AUTH=psk)" 1 \
	"evtrigger-listen(8): web01's event"
listen_stop
echo "the network examples run as printed"
