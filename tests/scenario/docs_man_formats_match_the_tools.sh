#!/bin/bash
# The man pages' blocks outside their EXAMPLES sections (messages, formats,
# files, commands), read from the pages (tests/lib/docs.sh) and each checked
# against the real thing: a message evcreate makes from the example's own
# values compared field by field (tests/lib/docs_compare.py: times, process
# IDs and host names by form), a layout matched by real messages, a senders
# file read by a running listener, a key derivation that a TLS handshake
# with the listener accepts, rule errors printed by evtrigger check, the
# channel elements the same as README's (which the docs guest scenario puts
# into a VM), and the commands run as printed (a private /etc, journald and
# network namespace).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/docs.sh"
testbed_journald
testbed_listen_user
cp -a /etc "$TESTDIR/etc" && mount --bind "$TESTDIR/etc" /etc || fail "cannot make a private /etc"
testbed_at_exit "umount -R -l /etc"
mkdir -p /etc/evtrigger
# The listener follows VMs too: the test bed's private libvirtd.
testbed_libvirtd
export PATH=$BUILD:$PATH
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
cmp=$TOP/tests/lib/docs_compare.py

# capture SOCKET OUT: each datagram to the unix socket SOCKET, appended to
# OUT (one per line), until killed.
capture() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    d = s.recv(70000)
    with open(sys.argv[2], "ab") as f:
        f.write(d.rstrip(b"\n") + b"\n")
' "$1" "$2" &
	testbed_at_exit "kill $! 2>/dev/null"
	for _ in $(seq 600); do [ -S "$1" ] && return 0; sleep 0.05; done
	fail "no capture socket $1"
}
: >syslog.out
capture "$TESTDIR/syslog.sock" syslog.out

# --- evcreate(1), BATCH FORMAT: the batch file, written to the journal -----
doc_example man/evcreate.1:batch-format:1 >batch.txt
evcreate --batch batch.txt || fail "evcreate --batch with evcreate(1)'s batch: $(cat batch.txt)"
journal_wait 1 10 EVENT_ID=777 VM=vdc EVENT_TYPE=WARNING EVENT_SOURCE=John EVENT_LOG=Application
journal_wait 1 10 EVENT_ID=778 DISK=sda EVENT_TYPE=SUCCESS EVENT_LOG=System SYSLOG_FACILITY=3
assert_eq "$(journal_field MESSAGE EVENT_ID=778 DISK=sda)" "backup done" "evcreate(1)'s batch, line 2"
# evtrigger-listen(8): the line a guest writes is a line of that format (the
# guest runs the same printf: man/evtrigger-listen.8:examples:1).
doc_example man/evtrigger-listen.8:description:1 >line.txt
evcreate --batch line.txt || fail "evtrigger-listen(8)'s line is no batch line: $(cat line.txt)"
journal_wait 1 10 EVENT_ID=777 EVENT_SOURCE=John MESSAGE="VDC Ready for compaction"
doc_example man/evtrigger-listen.8:examples:1 | grep -qF "$(cat line.txt)" ||
	fail "evtrigger-listen(8): its guest example does not send the line it shows"

# --- evcreate(1): the syslog messages, made by evcreate with their values --
# real_syslog NAME FORMAT: evcreate's message for the values of the example
# in NAME.ex, in NAME.real, compared.
real_syslog() {
	local n f=$1
	mapfile -t opts < <("$cmp" values "$f.ex")
	n=$(wc -l <syslog.out 2>/dev/null || echo 0)
	evcreate --target syslog --socket "$TESTDIR/syslog.sock" --syslog-format "$2" "${opts[@]}" ||
		fail "evcreate --syslog-format $2 ${opts[*]}"
	for _ in $(seq 600); do [ "$(wc -l <syslog.out)" -gt "$n" ] && break; sleep 0.05; done
	tail -n 1 syslog.out >"$f.real"
	"$cmp" syslog "$f.ex" "$f.real" >"$f.diff" ||
		fail "$1: the real message differs: $(cat "$f.diff")"
}
doc_example man/evcreate.1:syslog-messages:1 >m5424.ex
real_syslog m5424 rfc5424
doc_example man/evcreate.1:syslog-messages:2 >m3164.ex
real_syslog m3164 rfc3164

# evtrigger-syslog(5): the two layouts, matched by evcreate's messages (with
# and without extra fields).
cp m5424.real m5424-fields
cp m3164.real m3164-fields
evcreate --target syslog --socket "$TESTDIR/syslog.sock" --syslog-format rfc5424 -t error -i 12 -s app -d "no fields"
evcreate --target syslog --socket "$TESTDIR/syslog.sock" --syslog-format rfc3164 -t error -i 12 -s app -d "no fields"
for _ in $(seq 600); do [ "$(wc -l <syslog.out)" -ge 4 ] && break; sleep 0.05; done
sed -n 3p syslog.out >m5424-bare
sed -n 4p syslog.out >m3164-bare
doc_example man/evtrigger-syslog.5:description-rfc-5424:1 >f5424
doc_example man/evtrigger-syslog.5:description-rfc-3164:1 >f3164
"$cmp" format f5424 m5424-fields m5424-bare >fmt.out || fail "evtrigger-syslog(5), RFC 5424: $(cat fmt.out)"
"$cmp" format f3164 m3164-fields m3164-bare >fmt.out || fail "evtrigger-syslog(5), RFC 3164: $(cat fmt.out)"

# --- evcreate(1), CHANNEL: the line on the port (a pty standing for it), ---
# answered OK as the host would.
python3 - channel.real <<'PY' &
import os, pty, re, sys, tty
m, s = pty.openpty()
tty.setraw(s)
open("pty.name", "w").write(os.ttyname(s))
buf = b""
while not buf.endswith(b"\n"):
    buf += os.read(m, 65536)
open(sys.argv[1], "wb").write(buf)
u = re.search(rb"uuid=(\S+)", buf).group(1)
os.write(m, b"OK " + u + b"\n")
import time; time.sleep(5)
PY
testbed_at_exit "kill $! 2>/dev/null"
for _ in $(seq 600); do [ -s pty.name ] && break; sleep 0.05; done
doc_example man/evcreate.1:channel:1 >channel.ex
mapfile -t opts < <("$cmp" values channel.ex)
evcreate --channel="$(cat pty.name)" --timeout 10 "${opts[@]}" >channel.log 2>&1 ||
	fail "evcreate --channel on a pty: $(cat channel.log)"
"$cmp" syslog channel.ex channel.real >channel.diff || fail "evcreate(1)'s channel line: $(cat channel.diff)"

# --- the channel elements: README's, which the guest scenario defines -------
doc_example README.md:guests-signal-their-host-the-channel-and-evtrigger-listen:1 >readme-channel.xml
doc_example man/evcreate.1:channel:2 >el-evcreate.1.xml
doc_example man/evtrigger-listen.8:the-vm:1 >el-evtrigger-listen.8.xml
doc_example man/evtrigger.rules.5:trigger-when-the-rule-fires:1 >el-evtrigger.rules.5.xml
doc_example doc/guest.md:1-the-vm-one-libvirt-element:1 >el-guest.md.xml
for el in el-*.xml; do
	python3 - readme-channel.xml "$el" <<'PY' || fail "$el: not README's channel element: $(cat "$el")"
import sys, xml.etree.ElementTree as ET
c = [ET.canonicalize(from_file=p, strip_text=True) for p in sys.argv[1:]]
sys.exit(c[0] != c[1])
PY
done

# --- evcreate(1), NOTES: rsyslog's own check of the module line -----------
# (with an action, without which rsyslogd refuses any configuration)
{
	doc_example man/evcreate.1:notes:1
	echo "action(type=\"omfile\" file=\"$TESTDIR/rs.log\")"
} >rs.conf
rsyslogd -N1 -f rs.conf >rs.out 2>&1 || fail "rsyslogd -N1 on evcreate(1)'s line: $(cat rs.out)"
grep -qi 'error\|invalid\|unknown' rs.out && fail "rsyslogd -N1 on evcreate(1)'s line: $(cat rs.out)"

# --- evtrigger-listen(8): the senders file, read by the listener ----------
doc_example man/evtrigger-listen.8:senders-file:1 >/etc/evtrigger/senders.conf
evtrigger-listen --gen-psk >/etc/evtrigger/web01.psk || fail "--gen-psk"
chmod 600 /etc/evtrigger/senders.conf /etc/evtrigger/web01.psk
tls_ca ca
tls_cert ca listener "DNS:localhost"
tls_cert ca client "DNS:client.example.org"
listen_start --tls 127.0.0.1:6514 --tcp 127.0.0.1:5514 --cert listener.pem --key listener.key \
	--ca ca.pem --senders /etc/evtrigger/senders.conf
tls_wait_port 6514
tls_wait_port 5514
# localhost's address entry, by the page's logger line below; web01's key
# file, by the key derived as both pages write it.
doc_example man/evcreate.1:pre-shared-keys:1 >formula-evcreate.1.txt
doc_example man/evtrigger-listen.8:psk-keys:1 >formula-evtrigger-listen.8.txt
for id in formula-*.txt; do
	hex=$(python3 - "$id" web01 "$(cat /etc/evtrigger/web01.psk)" <<'PY'
import hashlib, re, sys
f = open(sys.argv[1]).read()
salt = re.search(r'"([^"]*)"\s*\+?\s*(?:name|NAME)\b', f).group(1)
n = int(re.search(r"(\d+) iterations", f).group(1))
size = int(re.search(r"(\d+) bytes", f).group(1))
assert "PBKDF2-HMAC-SHA256(secret" in f
print(hashlib.pbkdf2_hmac("sha256", sys.argv[3].encode(), (salt + sys.argv[2]).encode(),
                          n, size).hex())
PY
) || fail "$id: cannot read the formula: $(cat "$id")"
	u=$(cat /proc/sys/kernel/random/uuid)
	tls_client psk -connect 127.0.0.1:6514 -alpn evtrigger/1 -tls1_3 \
		-ciphersuites TLS_AES_128_GCM_SHA256 -psk_identity web01 -psk "$hex"
	tls_send psk "$(tls_frame "<12>1 - - formula - 909 [evtrigger@32473 uuid=\"$u\" log=\"Application\"] $id")"
	tls_wait_lines psk 1
	assert_eq "$(cat psk.out)" "OK $u" "$id: the listener's answer to the key as written"
	tls_client_stop psk
	assert_eq "$(journal_field EVENT_SENDER EVENT_UUID="$u")" web01 "$id: the sender"
done

# --- evcreate(1), SENDING TO ANOTHER MACHINE: the frame, on the wire ------
# (a TLS server that only records it; --no-answer, as to a stock receiver).
python3 - <<'PY' &
import socket, ssl
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain("listener.pem", "listener.key")
s = socket.create_server(("127.0.0.1", 7514))
t = c.wrap_socket(s.accept()[0], server_side=True)
data = b""
while True:
    d = t.recv(65536)
    if not d:
        break
    data += d
open("frame.tmp", "wb").write(data)
__import__("os").rename("frame.tmp", "frame.real")
PY
testbed_at_exit "kill $! 2>/dev/null"
tls_wait_port 7514
doc_example man/evcreate.1:sending-to-another-machine:1 >frame.ex
mapfile -t opts < <("$cmp" values frame.ex)
evcreate --server localhost:7514 --ca ca.pem --cert client.pem --key client.key --no-answer \
	"${opts[@]}" >frame.log 2>&1 || fail "evcreate --server: $(cat frame.log)"
for _ in $(seq 600); do [ -s frame.real ] && break; sleep 0.05; done
"$cmp" syslog frame.ex frame.real >frame.diff || fail "evcreate(1)'s frame: $(cat frame.diff) (evcreate: $(cat frame.log))"

# --- evtrigger-syslog(5): logger's message, as printed (its /dev/log the --
# capture socket), is a WARNING 777 of John in Application for the listener.
doc_example man/evtrigger-syslog.5:description-rfc-5424:2 >logger.sh
n=$(wc -l <syslog.out)
unshare -m bash -c "mount -t tmpfs tmpfs /dev && ln -s '$TESTDIR/syslog.sock' /dev/log &&
	bash -e logger.sh" || fail "evtrigger-syslog(5)'s logger line: $(cat logger.sh)"
for _ in $(seq 600); do [ "$(wc -l <syslog.out)" -gt "$n" ] && break; sleep 0.05; done
msg=$(tail -n 1 syslog.out)
python3 -c '
import socket, sys
m = sys.argv[1].encode()
s = socket.create_connection(("127.0.0.1", 5514))
s.sendall(b"%d %s" % (len(m), m))
s.close()' "$msg"
journal_wait 1 30 EVENT_ID=777 EVENT_SENDER=localhost EVENT_AUTH=address
assert_eq "$(journal_field EVENT_TYPE EVENT_ID=777 EVENT_SENDER=localhost)" WARNING "logger's event: type"
assert_eq "$(journal_field EVENT_SOURCE EVENT_ID=777 EVENT_SENDER=localhost)" John "logger's event: source"
assert_eq "$(journal_field EVENT_LOG EVENT_ID=777 EVENT_SENDER=localhost)" Application "logger's event: log"
listen_stop

# --- evtrigger-listen(8), LOCAL SYSLOG SENDERS: its file and its commands -
doc_example man/evtrigger-listen.8:local-syslog-senders:1 >/etc/evtrigger/senders.conf
mapfile -d '' -t cmds < <(doc_example_lines man/evtrigger-listen.8:local-syslog-senders:2)
assert_eq "${#cmds[@]}" 2 "commands of evtrigger-listen(8)'s local syslog example"
bash -c "exec ${cmds[0]}" >>"$LISTEN_LOG" 2>&1 &
LISTEN_PID=$!
testbed_at_exit "listen_kill $LISTEN_PID"
tls_wait_port 5514
bash -c "${cmds[1]}" || fail "evtrigger-listen(8): ${cmds[1]}"
journal_wait 2 30 EVENT_ID=777 EVENT_SENDER=localhost EVENT_AUTH=address
assert_eq "$(journal_field MESSAGE EVENT_ID=777 EVENT_SENDER=localhost)" "VDC Ready for compaction" \
	"evtrigger-listen(8)'s logger event"
listen_stop

# --- evtrigger.rules(5), ERRORS: evtrigger check prints each line ---------
mkdir errs
doc_example man/evtrigger.rules.5:errors:1 >errors.ex
# A rule with each of those errors, on the line the page says.
cat >errs/777-vdc.rule <<'RULE'
[trigger]
source = John
type = warn
colour = red
type = warning
[job]
on-busy = queue
recovery = start
vm = ../x
steps = wait-shutdown compcat compact archive
[wait-shutdown]
timeout = 15m
[compact]
this is no key
skip = *swap*
keep = 4
[merge]
[archive]
keep = four
dir = /var/backups/vms
RULE
(cd errs && "$EVTRIGGER" check --no-probe --action-dir "$BUILD/actions" --rules-dir "$TESTDIR/errs" \
	777-vdc.rule) >errs.out 2>&1 && fail "evtrigger check passed the rule with errors"
assert_eq "$(tail -n 1 errs.out)" "evtrigger check: $(wc -l <errors.ex) errors" "evtrigger check's count"
# (the page names the default action directory, the build's EVT_ACTIONDIR)
dflt=$(sed -n 's/^#define EVT_ACTIONDIR "\(.*\)"$/\1/p' "$BUILD/config.h")
[ -n "$dflt" ] || fail "no EVT_ACTIONDIR in $BUILD/config.h"
sed -e '$d' -e "s|$BUILD/actions/|$dflt/|" errs.out >errs.got
diff errors.ex errs.got >errs.diff || fail "evtrigger.rules(5)'s error lines: $(cat errs.diff)"

# The errors found by asking libvirt (no --no-probe): a vm libvirt does not
# know and a missing archive directory; then, libvirt out of reach (its
# sockets hidden), the warning ('...': libvirt's own words).
doc_example man/evtrigger.rules.5:errors:2 >probe.ex
mkdir -p /var/backups && mount -t tmpfs -o mode=0755 tmpfs /var/backups ||
	fail "cannot mount /var/backups"
mkdir probe
cat >probe/777-vdc.rule <<'RULE'
[trigger]
id = 777
type = warning
[job]
vm = vdcc
steps = wait-shutdown archive
[archive]
dir = /var/backups/vms
RULE
(cd probe && "$EVTRIGGER" check --action-dir "$BUILD/actions" --rules-dir "$TESTDIR/probe" \
	777-vdc.rule) >probe.out 2>&1 && fail "evtrigger check passed vm vdcc: $(cat probe.out)"
diff <(head -n 2 probe.ex) <(grep -v '^evtrigger check: ' probe.out) >probe.diff ||
	fail "evtrigger.rules(5)'s errors found by libvirt: $(cat probe.diff)"
mkdir /var/backups/vms
sed -i 's/^vm = vdcc$/vm = vdc/' probe/777-vdc.rule
(cd probe && unshare -m sh -c 'mount -t tmpfs tmpfs /run/libvirt &&
	exec "$0" check --action-dir "$1" --rules-dir "$2" 777-vdc.rule' \
	"$EVTRIGGER" "$BUILD/actions" "$TESTDIR/probe") >probe.out 2>&1 ||
	fail "evtrigger check without libvirt (a warning only): $(cat probe.out)"
want=$(sed -n 3p probe.ex)
[[ $want == *': ...' ]] || fail "evtrigger.rules(5)'s warning line: $want"
grep -qF -- "${want%...}" probe.out || fail "evtrigger.rules(5)'s warning: want '$want', got: $(cat probe.out)"
assert_eq "$(wc -l <probe.ex)" 3 "lines of evtrigger.rules(5)'s errors found by libvirt"

echo "the man pages' formats match the tools"
