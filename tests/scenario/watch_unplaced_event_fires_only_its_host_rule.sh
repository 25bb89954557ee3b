#!/bin/bash
# Several hosts, on one: evcreate --server through evtrigger-listen --bus and
# the stand-in bus (tests/tools/fake-bus.py, which writes the event as
# evtrigger-bus's consumer does, here with the EVENT_PLACEMENT we ask for).
# An event whose VM runs on no host (EVENT_PLACEMENT=nowhere) fires only the
# rule whose `host` is this host, not one naming another host; one that no
# rule owns fires nothing and is reported once as EVENT_UNPLACED (645) by this
# host, where it entered; `evtrigger test` says the same. Other placements
# fire as without the bus, whatever `host` says. evtrigger jobs, the job's
# JOB_STARTED and evtrigger log show where the event entered and where the
# job ran ("-" for an event that came over no bus). EVENT_PLACEMENT from
# anyone but the listener's user is not believed. evtrigger run --host names
# this host otherwise than hostname.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/watch.sh"

testbed_journald
testbed_listen_user
watch_setup
cd "$TESTDIR" || fail "no TESTDIR"
chmod 755 "$TESTDIR"
HOST=$(hostname)
tls_ca ca
tls_cert ca listener "IP:127.0.0.1"
tls_cert ca client "DNS:client01.example.org"
echo "client01 x509 san=DNS:client01.example.org" >senders.conf
chmod 600 senders.conf
S=(--server 127.0.0.1 --ca ca.pem --cert client.pem --key client.key --timeout 30)

mkdir -p bus && chown "$LISTEN_USER" bus
SOCK=$TESTDIR/bus/bus.sock
setpriv --reuid="$LISTEN_UID" --regid="$LISTEN_UID" --init-groups \
	/usr/bin/python3 "$TOP/tests/tools/fake-bus.py" "$SOCK" \
	--control "$TESTDIR/bus" >>"$TESTDIR/bus.log" 2>&1 &
testbed_at_exit "kill $! 2>/dev/null"
listen_start -c test:///default --tls 127.0.0.1:6514 \
	--senders "$TESTDIR/senders.conf" --cert "$TESTDIR/listener.pem" \
	--key "$TESTDIR/listener.key" --ca "$TESTDIR/ca.pem" --bus "$SOCK"
tls_wait_port 6514

watch_stamp_rule mine 777 "sender = client01
host = $HOST" "vm = vdc"
watch_stamp_rule theirs 777 "sender = client01
host = kvm-other" "vm = vdc"
watch_stamp_rule nobodys 778 "sender = client01" "vm = vdc"
watch_stamp_rule local 779 "sender = client01
host = kvm-other"
watch_stamp_rule root 780
watch_start --listener-user "$LISTEN_USER"

# Runs on no host: only the rule of this host.
echo nowhere >bus/placement
"$EVCREATE" "${S[@]}" -i 777 -s John -d "VM stopped" -f VM=vdc -f N=n777 2>err ||
	fail "evcreate: $?: $(cat err)"
watch_wait_stamps 1 60
journal_wait 1 60 EVENT_ID=601 RULE=mine
assert_eq "$(journal_count EVENT_ID=600 RULE=theirs)" 0 "jobs of the rule of another host"
assert_eq "$(journal_count EVENT_ID=644 RULE=theirs)" 0 "rejections of the rule of another host"
job=$(journal_field JOB_ID EVENT_ID=600 RULE=mine)
assert_eq "$(journal_field ENTRY_HOST EVENT_ID=600 RULE=mine)" "$HOST" "ENTRY_HOST of JOB_STARTED"

# Owned by no rule: nothing runs, 645 once, naming the event.
"$EVCREATE" "${S[@]}" -i 778 -s John -d "nobody's" -f VM=vdc -f N=n778 2>err ||
	fail "evcreate: $?: $(cat err)"
journal_wait 1 60 EVENT_ID=645
u=$(journal_field EVENT_UUID N=n778)
assert_eq "$(journal_count EVENT_ID=645 EVENT_UUID=$u EVENT_SENDER=client01 VM=vdc)" 1 "EVENT_UNPLACED of the event"
journal_field REASON EVENT_ID=645 | grep -q "no host" || fail "reason: $(journal_field REASON EVENT_ID=645)"
assert_eq "$(journal_count EVENT_ID=600 RULE=nobodys)" 0 "jobs of the unowned event"
# evtrigger test explains both.
"$EVTRIGGER" test --rules-dir "$RULES" --state-dir "$STATE" --action-dir "$BUILD/actions" -u "$LISTEN_USER" \
	--cursor "$(journalctl -q -n 1 -o export N=n778 | sed -n 's/^__CURSOR=//p')" >test.out
grep -q "^nobodys  *not-here  .*names no host" test.out || fail "evtrigger test: $(cat test.out)"
grep -q "EVENT_UNPLACED (645)" test.out || fail "evtrigger test: $(cat test.out)"
"$EVTRIGGER" test --rules-dir "$RULES" --state-dir "$STATE" --action-dir "$BUILD/actions" --id 777 --sender client01 \
	--auth x509 --placement nowhere --entry-host "$HOST" VM=vdc >test.out
grep -q "^mine  *fires" test.out && grep -q "^theirs  *not-here  .*kvm-other" test.out ||
	fail "evtrigger test: $(cat test.out)"

# Its VM runs here (or no bus): fires whatever host says.
echo local >bus/placement
"$EVCREATE" "${S[@]}" -i 779 -s John -d "local" -f N=n779 2>err || fail "evcreate: $?: $(cat err)"
watch_wait_stamps 2 60
watch_event 780 n780
watch_wait_stamps 3 60
journal_wait 1 60 EVENT_ID=601 RULE=root

# EVENT_PLACEMENT from another user: not believed, and neither its sender.
printf 'EVENT_ID=777\nMESSAGE=forged\nN=forged\nEVENT_SENDER=client01\nEVENT_AUTH=x509\nEVENT_PLACEMENT=nowhere\nEVENT_ENTRY_HOST=%s\n' "$HOST" |
	setpriv --reuid=nobody --regid=nogroup --clear-groups logger --journald
journal_wait 1 60 EVENT_ID=644 RULE=mine
journal_field REASON EVENT_ID=644 RULE=mine | grep -q "believed only on entries the listener wrote" ||
	fail "reason: $(journal_field REASON EVENT_ID=644 RULE=mine)"
[ ! -e "$OUT/forged" ] || fail "a forged event ran"

# Where each job's event entered and where it ran.
"$EVTRIGGER" jobs --all --state-dir "$STATE" >jobs.out || fail "evtrigger jobs: $(cat jobs.out)"
head -n 1 jobs.out | grep -q "ELAPSED  *ENTRY  *RUN$" || fail "jobs header: $(head -n 1 jobs.out)"
grep "^$job " jobs.out | grep -q " $HOST  *$HOST$" || fail "jobs of the bus event: $(cat jobs.out)"
grep " root " jobs.out | grep -q " -  *$HOST$" || fail "jobs of the local event: $(cat jobs.out)"
"$EVTRIGGER" jobs --state-dir "$STATE" "$job" >job.out || fail "evtrigger jobs JOB: $(cat job.out)"
assert_eq "$(wc -l <job.out)" 2 "lines of evtrigger jobs JOB"
"$EVTRIGGER" jobs --json --state-dir "$STATE" "$job" | grep -q "\"entry_host\":\"$HOST\",\"run_host\":\"$HOST\"" ||
	fail "jobs --json: $("$EVTRIGGER" jobs --json --state-dir "$STATE" "$job")"
"$EVTRIGGER" log --state-dir "$STATE" "$job" >log.out || fail "evtrigger log: $(cat log.out)"
grep -q " 600 JOB_STARTED .*(entry host $HOST, run host $HOST)$" log.out || fail "evtrigger log: $(cat log.out)"

# evtrigger run --host: this host under another name, as the bus knows it.
watch_stop
watch_start --listener-user "$LISTEN_USER" --host kvm-other
echo nowhere >bus/placement
"$EVCREATE" "${S[@]}" -i 777 -s John -d "VM stopped" -f VM=vdc -f N=n777b 2>err ||
	fail "evcreate: $?: $(cat err)"
watch_wait_stamps 4 60
journal_wait 1 60 EVENT_ID=601 RULE=theirs
assert_eq "$(journal_count EVENT_ID=600 RULE=mine)" 1 "jobs of this host's rule under --host kvm-other"
other=$(journal_field JOB_ID EVENT_ID=600 RULE=theirs)
"$EVTRIGGER" jobs --state-dir "$STATE" "$other" | grep -q " $HOST  *kvm-other$" ||
	fail "jobs under --host: $("$EVTRIGGER" jobs --state-dir "$STATE" "$other")"

sleep 1
assert_eq "$(journal_count EVENT_ID=645)" 1 "EVENT_UNPLACED reports"
watch_assert_once
watch_stop
listen_stop
echo ok
