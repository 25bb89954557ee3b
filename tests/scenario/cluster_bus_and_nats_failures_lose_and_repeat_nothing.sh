#!/bin/bash
# Failures on two hosts sharing a 3-node NATS JetStream cluster (the test
# bed of cluster_event_runs_once_on_the_host_of_its_vm: hosts kvm1 and kvm2,
# VM vdc on kvm2, events sent to kvm1 with -f VM=vdc):
#  1. kvm2's evtrigger-bus dies between its journal write and its ack to
#     JetStream (the test hook EVTRIGGER_BUS_EXIT_AFTER_WRITE=1 makes it
#     _exit(99) there, as a kill -9 at that moment would). Started again
#     normally, it gets the event again (AckWait), finds its own entry and
#     acks: one entry, one job.
#  2. kvm2's own NATS node is killed (kill -9): events still flow, through
#     the two other nodes; the node comes back.
#  3. Every NATS node is down: the buses report it (661), kvm1's listener
#     answers that it cannot store the event now (503), evcreate --spool
#     keeps it (exit 7); once the cluster is back (660), evcreate --flush
#     delivers it: it runs on kvm2, once.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/nats.sh"
. "$TOP/tests/lib/hosts.sh"

nats_cluster_start
host_start kvm1 kvm2:vdc
host_tls
for h in kvm1 kvm2; do
	host_stamp_rule $h vdc "id = 777
sender = backup01
VM = vdc"
	host_bus_start $h
	host_listen_start $h
	host_watch_start $h
done
host_vm_start kvm2 vdc
nats_wait_kv_key vdc kvm2 60

# assert_ran_once UUID: the event is one entry on kvm2, ran one job there,
# and is nowhere on kvm1.
assert_ran_once() {
	host_wait_stamp kvm2 "$1" 120
	assert_eq "$(host_journal_count kvm2 EVENT_UUID="$1")" 1 "entries of $1 on kvm2"
	assert_eq "$(host_journal_count kvm1 EVENT_UUID="$1")" 0 "entries of $1 on kvm1"
	host_assert_once kvm2
}

# 1. The bus dies between the write and the ack.
host_bus_stop kvm2
host_bus_start kvm2 EVTRIGGER_BUS_EXIT_AFTER_WRITE=1
u1=0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c01
host_send kvm1 -i 777 -d "VDC Ready for compaction" -f VM=vdc --uuid $u1
host_bus_wait_exit kvm2
assert_eq "$HOST_BUS_RC" 99 "exit of kvm2's bus at the test hook"
host_check_log kvm2 bus.log
assert_eq "$(host_journal_count kvm2 EVENT_UUID=$u1)" 1 "entries of $u1 on kvm2 after the kill"
host_bus_start kvm2
# Redelivered after AckWait (30 s), found in the journal, acknowledged.
nats_wait_consumer_done host-kvm2 120
assert_ran_once $u1
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=vdc)" 1 "jobs on kvm2 after the redelivery"

# 2. kvm2's NATS node (the first of its bus's servers) dies.
nats_node_kill9 2
nats_wait_meta_leader 60
u2=0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c02
host_send kvm1 -i 777 -d "VDC Ready, a node down" -f VM=vdc --uuid $u2
assert_ran_once $u2
nats_node_start 2
nats_wait_meta_leader 60

# 3. The whole cluster is down: each bus says so (661 BUS_DISCONNECTED).
connected=$(host_journal_count kvm1 EVENT_ID=660)
disconnected=$(host_journal_count kvm1 EVENT_ID=661)
for k in 1 2 3; do nats_node_kill9 $k; done
host_journal_wait kvm1 $((disconnected + 1)) 60 EVENT_ID=661
u3=0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c03
"$EVCREATE" --server "${HOST_ADDR[kvm1]}" "${HOST_SENDER[@]}" --spool "$TESTDIR/spool" \
	--timeout 5 -t warning -s John -i 777 -d "VDC Ready, no cluster" -f VM=vdc \
	--uuid $u3 2>"$TESTDIR/evcreate.err"
assert_eq "$?" 7 "exit of evcreate --spool while the cluster is down"
grep -q "spooled as $TESTDIR/spool/$u3.event" "$TESTDIR/evcreate.err" ||
	fail "evcreate's message: $(cat "$TESTDIR/evcreate.err")"
grep -q "503" "$TESTDIR/evcreate.err" ||
	fail "evcreate was not told to retry (503): $(cat "$TESTDIR/evcreate.err")"
assert_eq "$(host_journal_count kvm1 EVENT_UUID=$u3)" 0 "entries of $u3 on kvm1 while the cluster is down"
assert_eq "$(host_journal_count kvm2 EVENT_UUID=$u3)" 0 "entries of $u3 on kvm2 while the cluster is down"
for k in 1 2 3; do nats_node_start $k; done
nats_wait_meta_leader 60
host_journal_wait kvm1 $((connected + 1)) 60 EVENT_ID=660
nats_wait_kv_key vdc kvm2 60
"$EVCREATE" --flush --spool "$TESTDIR/spool" --server "${HOST_ADDR[kvm1]}" \
	"${HOST_SENDER[@]}" --timeout 120 2>"$TESTDIR/evcreate.err" ||
	fail "evcreate --flush: exit $?: $(cat "$TESTDIR/evcreate.err")"
assert_eq "$(ls "$TESTDIR/spool")" "" "the spool after --flush"
assert_ran_once $u3
assert_eq "$(host_journal_field kvm2 EVENT_ENTRY_HOST EVENT_UUID=$u3)" kvm1 "EVENT_ENTRY_HOST of the flushed event"
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=vdc)" 3 "jobs on kvm2"
assert_eq "$(host_jobs kvm1)" 0 "jobs on kvm1"

for h in kvm1 kvm2; do
	host_watch_stop $h
	host_listen_stop $h
	host_bus_stop $h
done
echo ok
