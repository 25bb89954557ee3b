#!/bin/bash
# A stock sender: a private rsyslogd (Debian's rsyslog with rsyslog-openssl)
# receives `logger --rfc5424 --msgid 777 -t John` on its own socket and
# forwards it with omfwd over TLS (StreamDriver ossl, octet-counted RFC 5424,
# a client certificate) to the listener. rsyslog offers no ALPN, so it gets
# no answers; the event lands with the certificate's sender name from the
# senders file, EVENT_AUTH=x509, and what logger said.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

command -v rsyslogd >/dev/null || fail "rsyslogd not installed (tools/deps.sh test)"
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so ] || [ -n "$(find /usr/lib -name lmnsd_ossl.so 2>/dev/null)" ] ||
	fail "rsyslog's openssl driver is not installed (rsyslog-openssl, tools/deps.sh test)"
testbed_journald
testbed_libvirtd
testbed_listen_user
tls_ca ca
tls_cert ca server "IP:127.0.0.1"
tls_cert ca relay "DNS:relay01.example.org"
echo "relay01 x509 san=DNS:relay01.example.org" >"$TESTDIR/senders.conf"
listen_start --tls 127.0.0.1:6514 --senders "$TESTDIR/senders.conf" \
	--cert "$TESTDIR/server.pem" --key "$TESTDIR/server.key" --ca "$TESTDIR/ca.pem"
tls_wait_port 6514

SOCK=$TESTDIR/rsyslog.sock
mkdir -p "$TESTDIR/rsyslog"
cat >"$TESTDIR/rsyslog.conf" <<CONF
global(workDirectory="$TESTDIR/rsyslog"
	DefaultNetstreamDriver="ossl"
	DefaultNetstreamDriverCAFile="$TESTDIR/ca.pem"
	DefaultNetstreamDriverCertFile="$TESTDIR/relay.pem"
	DefaultNetstreamDriverKeyFile="$TESTDIR/relay.key")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SOCK" UseSpecialParser="off" RateLimit.Interval="0")
template(name="rfc5424" type="string"
	string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")
*.* action(type="omfwd" target="127.0.0.1" port="6514" protocol="tcp"
	TCP_Framing="octet-counted" template="rfc5424"
	StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid")
CONF
rsyslogd -n -f "$TESTDIR/rsyslog.conf" -i "$TESTDIR/rsyslogd.pid" \
	>"$TESTDIR/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
testbed_at_exit "kill $RSYSLOG_PID; wait $RSYSLOG_PID 2>/dev/null"
for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "rsyslogd did not start: $(cat "$TESTDIR/rsyslogd.log")"

logger -u "$SOCK" --rfc5424 --msgid 777 -t John "VDC Ready for compaction" ||
	fail "logger failed"
journal_wait 1 60 EVENT_ID=777 || true
[ "$(journal_count EVENT_ID=777)" = 1 ] || fail "no event: $(cat "$TESTDIR/rsyslogd.log"; tail "$LISTEN_LOG")"
assert_eq "$(journal_field EVENT_SENDER EVENT_ID=777)" relay01 "EVENT_SENDER (the certificate's)"
assert_eq "$(journal_field EVENT_AUTH EVENT_ID=777)" x509 "EVENT_AUTH"
assert_eq "$(journal_field EVENT_SOURCE EVENT_ID=777)" John "EVENT_SOURCE"
assert_eq "$(journal_field MESSAGE EVENT_ID=777)" "VDC Ready for compaction" "MESSAGE"
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=777)" SUCCESS "EVENT_TYPE (logger's notice, lib/syslog.c's mapping)"
[ -n "$(journal_field EVENT_UUID EVENT_ID=777)" ] || fail "no EVENT_UUID made"
assert_eq "$(journal_count EVENT_ID=654)" 0 "refusals"
listen_stop
