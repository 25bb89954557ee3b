#!/bin/bash
# The examples of README's "Several hosts" section, evtrigger-bus(8) and
# evtrigger-listen(8)'s --bus line, read from their documents
# (tests/lib/docs.sh) and run as printed on one host, in a network namespace
# of its own (tests/lib/tls.sh) whose /etc/hosts names 127.0.0.1 kvm1 kvm2
# kvm3 and hv1 hv2 hv3, with a private /etc, journald and libvirtd (where VM
# vdc is defined and shut off: it runs on no host). The configuration blocks
# are written to the paths they name and used by the real evtrigger-bus; the
# NATS nodes are tests/lib/bus.sh's (ports 14222-14224), so the documented
# port 4222 of each host is mapped to them in the servers line, which is all
# that is changed. systemctl is systemctl_standin with the shipped units: the
# bus runs as the listener's user in its RuntimeDirectory, the listener with
# /etc/default/evtrigger-listen.
#
# 1. README: the bus.conf on kvm1, the bus and listener started as shown,
#    the sender's evcreate (OK; the event lands as EVENT_PLACEMENT=nowhere,
#    EVENT_ENTRY_HOST=kvm1, VM=vdc), the rule for vdc read by evtrigger check
#    and, on that very entry, firing only on host kvm2.
# 2. evtrigger-bus(8): its configuration (with TLS to NATS) as hv1 against
#    nodes that ask for client certificates, its first example (the bus and
#    the listener's options), an event through it, then evtrigger-listen(8)'s
#    --bus line as printed; its journalctl examples checked against the
#    journal (their output has timestamps and pids).
# 3. evtrigger-bus(8)'s by-hand example as printed (by the listener's user:
#    its prompt is a user's) on a host without bus.conf, against one
#    JetStream node on 127.0.0.1:4222 (free: this namespace is private).
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/docs.sh"
. "$TOP/tests/lib/bus.sh"

testbed_journald
testbed_listen_user
cp -a /etc "$TESTDIR/etc" && mount --bind "$TESTDIR/etc" /etc ||
	fail "cannot make a private /etc"
testbed_at_exit "umount -R -l /etc"
for d in /etc/evtrigger /etc/default /run/evtrigger-bus; do
	mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" || fail "cannot mount a tmpfs on $d"
done
echo "127.0.0.1 kvm1 kvm2 kvm3 hv1 hv2 hv3" >>/etc/hosts
testbed_libvirtd
export PATH=$BUILD:$PATH EVTRIGGER_ACTION_DIR=$BUILD/actions
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
L=$LISTEN_USER

# vdc: defined here, shut off.
cat >vdc.xml <<'XML'
<domain type='qemu'>
  <name>vdc</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
XML
$VIRSH define vdc.xml >/dev/null || fail "cannot define vdc"
assert_eq "$($VIRSH domstate vdc)" "shut off" "vdc's state"

# The listener's and the sender's certificates; the senders file names the
# sender the rule names.
tls_ca ca
tls_cert ca listener "DNS:kvm1,DNS:hv1"
tls_cert ca me "DNS:backup01.example.org"
cp listener.pem listener.key ca.pem /etc/evtrigger/ || fail "cannot copy the listener's files"
echo "backup01 x509 san=DNS:backup01.example.org" >/etc/evtrigger/senders.conf
chmod 600 /etc/evtrigger/senders.conf

# stop_unit UNIT: what the stand-in started (SIGTERM, wait until it is gone;
# started by an example's shell, it is no child of this one).
stop_unit() {
	local pid
	pid=$(cat "$TESTDIR/$1.mainpid") || fail "$1 was not started"
	kill "$pid" || fail "$1 is not running: $(tail -n 20 "$TESTDIR/$1.log")"
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "$1 did not stop on SIGTERM in 30s"
	rm -f "$TESTDIR/$1.mainpid"
}
# wait_bus_and_listener N: the bus's Nth 660 (connected, stream found), the
# listener connected to it and listening on 6514.
wait_bus_and_listener() {
	journal_wait "$1" 120 EVENT_ID=660 _UID="$LISTEN_UID"
	for _ in $(seq 300); do
		grep -q "connected to the event bus" "$TESTDIR/evtrigger-listen.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "connected to the event bus" "$TESTDIR/evtrigger-listen.log" ||
		fail "the listener did not connect to the bus: $(tail -n 20 "$TESTDIR/evtrigger-listen.log")"
	tls_wait_port 6514
}
systemctl_standin
testbed_at_exit 'for u in evtrigger-bus evtrigger-listen.unit evtrigger-listen; do [ -f $TESTDIR/$u.mainpid ] && kill $(cat $TESTDIR/$u.mainpid) 2>/dev/null; done'

# --- 1. README: kvm1 ----------------------------------------------------------
BUS_NATS_USER=kvm1
busnats_start auth
echo bus-test-secret >/etc/evtrigger/bus.password
doc_example README.md:several-hosts-nats-jetstream-carries-remote-events-to-the-vm-s-host:2 |
	sed 's,nats://kvm1:4222 nats://kvm2:4222 nats://kvm3:4222,nats://kvm1:14222 nats://kvm2:14223 nats://kvm3:14224,' \
		>/etc/evtrigger/bus.conf
grep -qx 'servers = nats://kvm1:14222 nats://kvm2:14223 nats://kvm3:14224' /etc/evtrigger/bus.conf ||
	fail "README's servers line is not the one mapped: $(cat /etc/evtrigger/bus.conf)"
# "owned by evtrigger-listen, mode 0600" (and the password file too)
chown "$L:$L" /etc/evtrigger/bus.conf /etc/evtrigger/bus.password &&
	chmod 600 /etc/evtrigger/bus.conf /etc/evtrigger/bus.password || fail "chown"

doc_example_run README.md:several-hosts-nats-jetstream-carries-remote-events-to-the-vm-s-host:3
wait_bus_and_listener 1
bpid=$(cat "$TESTDIR/evtrigger-bus.mainpid")
assert_eq "$(ps -o user= -p "$bpid")" "$L" "the bus's user (User= of its unit)"
# (the NATS client picks any of the servers)
[[ $(journal_field NATS_SERVER EVENT_ID=660) == nats://kvm[123]:1422[234] ]] ||
	fail "NATS_SERVER of 660: $(journal_field NATS_SERVER EVENT_ID=660)"

doc_example_run README.md:several-hosts-nats-jetstream-carries-remote-events-to-the-vm-s-host:1
journal_wait 1 60 EVENT_ID=778 VM=vdc EVENT_SENDER=backup01 _UID="$LISTEN_UID"
assert_eq "$(journal_count EVENT_ID=778 VM=vdc EVENT_SOURCE=backup EVENT_AUTH=x509 EVENT_ENTRY_HOST=kvm1 EVENT_PLACEMENT=nowhere MESSAGE="backup of vdc done")" 1 \
	"README's event, written by the bus of kvm1 (vdc runs on no host)"

mkdir -p /etc/evtrigger/rules.d
doc_example README.md:several-hosts-nats-jetstream-carries-remote-events-to-the-vm-s-host:4 \
	>/etc/evtrigger/rules.d/vdc-backup-done.rule
evtrigger check >check.out 2>&1 || fail "evtrigger check of README's rule: $(cat check.out)"
assert_eq "$(cat check.out)" "/etc/evtrigger/rules.d: 1 rule valid" "evtrigger check of README's rule"
cursor=$(journalctl -q -n 1 -o export EVENT_ID=778 VM=vdc | sed -n 's/^__CURSOR=//p')
for h in kvm2 kvm1 kvm3; do
	evtrigger test -u "$L" --host "$h" --cursor "$cursor" >"test-$h.out" 2>&1
	echo "exit $?" >>"test-$h.out"
done
grep -q '^vdc-backup-done  *fires' test-kvm2.out && grep -qx 'exit 0' test-kvm2.out ||
	fail "README's rule on kvm2 for the event: $(cat test-kvm2.out)"
for h in kvm1 kvm3; do
	grep -q '^vdc-backup-done  *not-here' "test-$h.out" && grep -qx 'exit 1' "test-$h.out" ||
		fail "README's rule on $h for the event: $(cat "test-$h.out")"
done
stop_unit evtrigger-listen
stop_unit evtrigger-bus
busnats_stop

# --- 2. evtrigger-bus(8) and evtrigger-listen(8): hv1, TLS to NATS ------------
# bus.sh's nodes again (their configuration, fresh stores), with the user hv1
# and a TLS block that asks for a client certificate.
tls_cert ca natsd "DNS:hv1,DNS:hv2,DNS:hv3"
tls_cert ca hv1 "DNS:hv1"
BUS_NATS_USER=hv1
for i in 0 1 2; do
	rm -rf "$TESTDIR/nats$i" && mkdir "$TESTDIR/nats$i"
	sed -i 's/{ user: kvm1,/{ user: hv1,/' "$TESTDIR/nats$i.conf"
	grep -q '{ user: hv1,' "$TESTDIR/nats$i.conf" || fail "no user hv1 in nats$i.conf"
	cat >>"$TESTDIR/nats$i.conf" <<-CONF
	tls { cert_file: "$TESTDIR/natsd.pem", key_file: "$TESTDIR/natsd.key",
	  ca_file: "$TESTDIR/ca.pem", verify: true }
	CONF
	nats-server -c "$TESTDIR/nats$i.conf" >>"$TESTDIR/nats$i.log" 2>&1 &
	BUS_NATS_PIDS[i]=$!
done
echo bus-test-secret >/etc/evtrigger/nats.password
cp ca.pem /etc/evtrigger/nats-ca.pem && cp hv1.pem hv1.key /etc/evtrigger/ || fail "cp"
chown "$L:$L" /etc/evtrigger/nats.password /etc/evtrigger/hv1.key &&
	chmod 600 /etc/evtrigger/nats.password /etc/evtrigger/hv1.key || fail "chown"
doc_example man/evtrigger-bus.8:configuration:1 |
	sed 's,nats://hv1:4222 nats://hv2:4222 nats://hv3:4222,nats://hv1:14222 nats://hv2:14223 nats://hv3:14224,' \
		>/etc/evtrigger/bus.conf
grep -q '^servers = nats://hv1:14222 nats://hv2:14223 nats://hv3:14224$' /etc/evtrigger/bus.conf ||
	fail "evtrigger-bus(8)'s servers line is not the one mapped: $(cat /etc/evtrigger/bus.conf)"
chown "$L:$L" /etc/evtrigger/bus.conf && chmod 600 /etc/evtrigger/bus.conf || fail "chown"

# Its first example, the page's root prompt '# ' taken off, on a host whose
# /etc/default/evtrigger-listen has nothing yet.
rm -f /etc/default/evtrigger-listen
doc_example man/evtrigger-bus.8:examples:1 | sed 's/^# //' >bus8-1.sh
grep -q '\.\.\.' bus8-1.sh && fail "evtrigger-bus(8)'s first example has a placeholder: $(cat bus8-1.sh)"
bash -e bus8-1.sh >bus8-1.out 2>&1 || fail "evtrigger-bus(8)'s first example: $(cat bus8-1.out)"
wait_bus_and_listener 2
s=$(journalctl -q -n 1 -o cat --output-fields=NATS_SERVER EVENT_ID=660)
[[ $s == nats://hv[123]:1422[234] ]] || fail "NATS_SERVER of hv1's 660: $s"
evcreate --server hv1 --cert me.pem --key me.key --ca ca.pem --id 779 --source backup \
	-d "through hv1" 2>err || fail "evcreate through hv1's bus: exit $?: $(cat err)"
journal_wait 1 60 EVENT_ID=779 EVENT_ENTRY_HOST=hv1 EVENT_PLACEMENT=entry EVENT_SENDER=backup01 _UID="$LISTEN_UID"
stop_unit evtrigger-listen

# evtrigger-listen(8): the listener with --bus, as printed (the default
# senders file), in the background as the daemon it is.
mapfile -d '' -t cmds < <(doc_example_lines man/evtrigger-listen.8:examples:6)
assert_eq "${#cmds[@]}" 1 "commands of evtrigger-listen(8)'s --bus example"
mv "$TESTDIR/evtrigger-listen.log" "$TESTDIR/evtrigger-listen.unit.log"
bash -c "exec ${cmds[0]}" >>"$TESTDIR/evtrigger-listen.log" 2>&1 &
echo $! >"$TESTDIR/evtrigger-listen.mainpid"
wait_bus_and_listener 2
evcreate --server hv1 --cert me.pem --key me.key --ca ca.pem --id 780 --source backup \
	-d "through evtrigger-listen(8)'s listener" --field VM=vdc 2>err ||
	fail "evcreate through evtrigger-listen(8)'s listener: exit $?: $(cat err)"
journal_wait 1 60 EVENT_ID=780 VM=vdc EVENT_ENTRY_HOST=hv1 EVENT_PLACEMENT=nowhere _UID="$LISTEN_UID"
stop_unit evtrigger-listen

# "See what the bus did": two 660 so far and nothing else of the bus; the
# events of vdc, which runs nowhere, in full.
mapfile -t cmds < <(doc_example man/evtrigger-bus.8:examples:2 | sed -n 's/^\$ //p')
assert_eq "${#cmds[@]}" 2 "commands of evtrigger-bus(8)'s journalctl example"
bash -c "${cmds[0]}" >seen.out 2>&1 || fail "${cmds[0]}: $(cat seen.out)"
assert_eq "$(grep -vc '^-- ' seen.out)" "$(journal_count EVENT_ID=660)" "lines of '${cmds[0]}'"
assert_eq "$(journal_count EVENT_ID=660)" 2 "660 entries (kvm1, then hv1)"
assert_eq "$(grep -c ' evtrigger\[[0-9]*\]: evtrigger-bus connected to NATS$' seen.out)" 2 \
	"the bus's lines of '${cmds[0]}' (source evtrigger)"
bash -c "${cmds[1]}" >nowhere.out 2>&1 || fail "${cmds[1]}: $(cat nowhere.out)"
assert_eq "$(grep -c '^    EVENT_PLACEMENT=nowhere$' nowhere.out)" 2 "entries of '${cmds[1]}'"
for f in EVENT_ID=778 EVENT_ID=780 EVENT_ENTRY_HOST=kvm1 EVENT_ENTRY_HOST=hv1; do
	assert_eq "$(grep -c "^    $f\$" nowhere.out)" 1 "$f in '${cmds[1]}'"
done
assert_eq "$(grep -c '^    VM=vdc$' nowhere.out)" 2 "VM=vdc in '${cmds[1]}'"
stop_unit evtrigger-bus
busnats_stop

# --- 3. evtrigger-bus(8) by hand: one node on 127.0.0.1:4222 ----------------
! ss -ltn | grep -q ':4222 ' || fail "port 4222 in use in this namespace: $(ss -ltnp)"
[ -e /tmp/bus.sock ] && fail "/tmp/bus.sock exists already"
# "on a host without /etc/evtrigger/bus.conf"
rm /etc/evtrigger/bus.conf
mkdir -p nats-byhand
printf 'listen: 127.0.0.1:4222\njetstream { store_dir: "%s" }\n' "$TESTDIR/nats-byhand" >nats-byhand.conf
nats-server -c nats-byhand.conf >nats-byhand.log 2>&1 &
BUS_NATS_PIDS=($!)
mapfile -d '' -t cmds < <(doc_example_lines man/evtrigger-bus.8:examples:3)
assert_eq "${#cmds[@]}" 1 "commands of evtrigger-bus(8)'s by-hand example"
# ('$ ': a user's prompt; the listener's, whose groups may read the journal)
setpriv --reuid "$L" --regid "$L" --init-groups bash -c "exec ${cmds[0]#\$ }" >byhand.log 2>&1 &
byhand=$!
testbed_at_exit "kill $byhand 2>/dev/null; rm -f /tmp/bus.sock"
for _ in $(seq 600); do
	[ -S /tmp/bus.sock ] && break
	kill -0 $byhand 2>/dev/null || fail "the by-hand bus exited: $(cat byhand.log)"
	sleep 0.1
done
[ -S /tmp/bus.sock ] || fail "the by-hand bus made no /tmp/bus.sock: $(cat byhand.log)"
BUS_SOCK=/tmp/bus.sock
u=$(cat /proc/sys/kernel/random/uuid)
assert_eq "$(bus_ask $(bus_event byhand "$u" N=byhand))" "OK $u" "the by-hand bus's reply"
journal_wait 1 60 N=byhand EVENT_SENDER=byhand EVENT_ENTRY_HOST=hv1 EVENT_PLACEMENT=entry
kill $byhand
wait $byhand
assert_eq "$?" 0 "exit of the by-hand bus on SIGTERM"
BUS_LOG=$TESTDIR/byhand.log
bus_check_log
for u in evtrigger-bus evtrigger-listen.unit evtrigger-listen; do
	BUS_LOG=$TESTDIR/$u.log
	bus_check_log
done
echo "the bus's examples run as printed"
