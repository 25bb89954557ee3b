#!/bin/bash
# Two hosts, kvm1 and kvm2 (tests/lib/hosts.sh: each its own mount and UTS
# namespace, journald, libvirtd, evtrigger-bus, evtrigger-listen --bus and
# evtrigger run, with the same rules), and a 3-node NATS JetStream cluster
# started from doc/nats/ (tests/lib/nats.sh). The VM vdc runs on kvm2 only
# (a TCG guest).
#  1. A backup server sends `evcreate --server kvm1 ... -f VM=vdc`: kvm1's
#     listener answers OK, the job runs on kvm2 only, once; kvm2's entry
#     says where it entered (EVENT_ENTRY_HOST=kvm1, EVENT_PLACEMENT=local),
#     kvm1 writes nothing and has no job; `evtrigger jobs` on kvm2 shows
#     kvm1 as the entry host and kvm2 as where it ran, and JOB_STARTED
#     carries ENTRY_HOST=kvm1. Sent again with the same uuid, to kvm2 this
#     time: still one entry and one job.
#  2. An event for a VM that runs nowhere (ghost): every host writes it
#     with EVENT_PLACEMENT=nowhere; a rule without `host =` does not fire
#     and kvm1, the entry host, reports 645 EVENT_UNPLACED once; with a
#     rule `host = kvm2` the job runs on kvm2 only.
#  3. vdc shut off on kvm2 (defined, running nowhere): its key leaves the
#     placement bucket, an event for it is written as nowhere on both
#     hosts and reported by the entry host.
# The drop-in of doc/nats for nats-server.service verifies, and the
# documented NATS user of a host may not publish outside what the bus uses
# while a sender without credentials is refused.
. "$(dirname "$0")/../lib/tls.sh"
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/nats.sh"
. "$TOP/tests/lib/hosts.sh"

nats_verify_dropin
nats_cluster_start
nats_assert_permissions kvm1
host_start kvm1 kvm2:vdc
host_tls
for h in kvm1 kvm2; do
	host_stamp_rule $h vdc "id = 777
sender = backup01
VM = vdc"
	host_stamp_rule $h ghost "id = 778
sender = backup01
VM = ghost"
	host_stamp_rule $h ghost-on-kvm2 "id = 779
sender = backup01
VM = ghost
host = kvm2"
	host_bus_start $h
	host_listen_start $h
done
# A local event of root (logger) on kvm1, to know how far its watcher read.
printf '[trigger]\nid = 790\n[job]\nsteps = exec\n[exec]\ncommand = %s %s EVENT_N\n' \
	"$BUILD/tools/stamp" "${HOST_DIR[kvm1]}/out" >"${HOST_DIR[kvm1]}/rules.d/sentinel.rule"
for h in kvm1 kvm2; do host_watch_start $h; done
host_vm_start kvm2 vdc
nats_wait_kv_key vdc kvm2 60

# 1. Entered on kvm1, runs on kvm2.
u=2f0c5a1e-7b3d-4e8f-9a10-1b2c3d4e5f60
host_send kvm1 -i 777 -d "VDC Ready for compaction" -f VM=vdc --uuid $u
host_wait_stamp kvm2 $u 60
host_journal_wait kvm2 1 60 EVENT_ID=601 RULE=vdc
assert_eq "$(host_journal_count kvm2 EVENT_UUID=$u)" 1 "entries of the event on kvm2"
assert_eq "$(host_journal_field kvm2 EVENT_ENTRY_HOST EVENT_UUID=$u)" kvm1 "EVENT_ENTRY_HOST on kvm2"
assert_eq "$(host_journal_field kvm2 EVENT_PLACEMENT EVENT_UUID=$u)" local "EVENT_PLACEMENT on kvm2"
assert_eq "$(host_journal_field kvm2 EVENT_SENDER EVENT_UUID=$u)" backup01 "EVENT_SENDER on kvm2"
assert_eq "$(host_journal_field kvm2 EVENT_AUTH EVENT_UUID=$u)" x509 "EVENT_AUTH on kvm2"
assert_eq "$(host_journal_field kvm2 _HOSTNAME EVENT_UUID=$u)" kvm2 "_HOSTNAME of the entry"
assert_eq "$(host_journal_field kvm2 ENTRY_HOST EVENT_ID=600 RULE=vdc)" kvm1 "ENTRY_HOST of JOB_STARTED"
assert_eq "$(host_journal_field kvm2 _HOSTNAME EVENT_ID=600 RULE=vdc)" kvm2 "_HOSTNAME of JOB_STARTED"
job=$(host_journal_field kvm2 JOB_ID EVENT_ID=600 RULE=vdc)
jobs_kvm2() {
	host_run kvm2 env EVTRIGGER_STATE_DIR="${HOST_DIR[kvm2]}/state" "$EVTRIGGER" jobs --all "$@"
}
# The table: the job's row names both hosts.
line=$(jobs_kvm2 | grep -F "${job:0:12}") ||
	fail "evtrigger jobs --all on kvm2 does not list $job: $(jobs_kvm2)"
grep -qw kvm1 <<<"$line" && grep -qw kvm2 <<<"$line" ||
	fail "evtrigger jobs on kvm2 does not show entry host kvm1 and run host kvm2: $(jobs_kvm2)"
# --json says which is which.
jobs_kvm2 --json >"$TESTDIR/jobs.json" || fail "evtrigger jobs --all --json on kvm2 failed"
assert_eq "$(python3 - "$TESTDIR/jobs.json" "$job" <<'PY'
import json, sys
t = open(sys.argv[1]).read().strip()
try:
    jobs = json.loads(t)
except ValueError:
    jobs = [json.loads(l) for l in t.splitlines() if l.strip()]
if isinstance(jobs, dict):
    jobs = jobs.get("jobs", [jobs])
for j in jobs:
    if str(j.get("job", j.get("id", ""))).startswith(sys.argv[2][:12]):
        print(j.get("entry_host"), j.get("run_host"))
PY
)" "kvm1 kvm2" "entry and run host of the job in evtrigger jobs --json"
# The same event, its answer lost, sent to the other host.
host_send kvm2 -i 777 -d "VDC Ready for compaction" -f VM=vdc --uuid $u
# JetStream keeps it once (Nats-Msg-Id sender/uuid). An event sent after
# it shows how far kvm2 got: had the resend become a second message, kvm2
# would have handled it first.
u2=2f0c5a1e-7b3d-4e8f-9a10-1b2c3d4e5f61
host_send kvm1 -i 777 -d "VDC Ready again" -f VM=vdc --uuid $u2
host_wait_stamp kvm2 $u2 60
host_journal_wait kvm2 2 60 EVENT_ID=601 RULE=vdc
assert_eq "$(host_journal_count kvm2 EVENT_UUID=$u)" 1 "entries of the event on kvm2 after a resend"
assert_eq "$(host_journal_count kvm1 EVENT_UUID=$u)" 0 "entries of the event on kvm1"
assert_eq "$(host_journal_count kvm1 EVENT_UUID=$u2)" 0 "entries of the second event on kvm1"
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=vdc)" 2 "jobs of rule vdc on kvm2"
assert_eq "$(host_stamps kvm1)" 0 "actions run on kvm1"
assert_eq "$(host_jobs kvm1)" 0 "jobs on kvm1"

# 2. A VM that runs nowhere.
g=5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e50
host_send kvm1 -i 778 -d "ghost backup done" -f VM=ghost --uuid $g
host_journal_wait kvm1 1 60 EVENT_ID=645 EVENT_UUID=$g
assert_eq "$(host_journal_field kvm1 VM EVENT_ID=645 EVENT_UUID=$g)" ghost "VM of EVENT_UNPLACED"
assert_eq "$(host_journal_field kvm1 EVENT_SENDER EVENT_ID=645 EVENT_UUID=$g)" backup01 "EVENT_SENDER of EVENT_UNPLACED"
for h in kvm1 kvm2; do
	host_journal_wait $h 1 60 EVENT_UUID=$g EVENT_PLACEMENT=nowhere
done
h=$(host_journal_field kvm1 EVENT_ENTRY_HOST EVENT_UUID=$g EVENT_PLACEMENT=nowhere)
assert_eq "$h" kvm1 "EVENT_ENTRY_HOST of the unplaced event"
g2=5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e51
host_send kvm1 -i 779 -d "ghost backup done, owned" -f VM=ghost --uuid $g2
host_wait_stamp kvm2 $g2 60
host_journal_wait kvm2 1 60 EVENT_ID=601 RULE=ghost-on-kvm2
# Once kvm1 ran the job of a local event logged after the second ghost
# event reached its journal, its watcher has read both ghost events: one
# report, for the rule without host.
host_journal_wait kvm1 1 60 EVENT_UUID=$g2 EVENT_PLACEMENT=nowhere
host_run kvm1 logger --journald <<<$'MESSAGE=sentinel\nEVENT_ID=790\nN=sentinel'
host_journal_wait kvm1 1 60 EVENT_ID=601 RULE=sentinel
assert_eq "$(host_journal_count kvm1 EVENT_ID=645)" 1 "EVENT_UNPLACED reports on kvm1"
assert_eq "$(host_journal_count kvm2 EVENT_ID=645)" 0 "EVENT_UNPLACED reports on kvm2"
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=ghost)" 0 "jobs of rule ghost on kvm2"
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=ghost-on-kvm2)" 1 "jobs of rule ghost-on-kvm2 on kvm2"
assert_eq "$(host_journal_count kvm1 EVENT_ID=600)" 1 "jobs on kvm1 (the local sentinel's)"
assert_eq "$(host_jobs kvm1)" 1 "job directories on kvm1 (the local sentinel's)"
assert_eq "$(host_stamps kvm2)" 3 "actions run on kvm2"
host_assert_once kvm2

# 3. A VM that is defined but runs on no host: vdc, shut off on kvm2. kvm2's
# bus takes its key out of the placement bucket; an event for vdc is then
# written as nowhere on both hosts, fires neither host's rule vdc (it names
# no host) and is reported by kvm1, where it entered.
host_run kvm2 virsh -q -c qemu:///system destroy vdc >/dev/null ||
	fail "cannot shut vdc off on kvm2"
nats_wait_kv_key vdc "" 60
u3=2f0c5a1e-7b3d-4e8f-9a10-1b2c3d4e5f62
host_send kvm1 -i 777 -d "VDC Ready, but off" -f VM=vdc --uuid $u3
host_journal_wait kvm1 1 60 EVENT_ID=645 EVENT_UUID=$u3
for h in kvm1 kvm2; do
	host_journal_wait $h 1 60 EVENT_UUID=$u3 EVENT_PLACEMENT=nowhere
done
assert_eq "$(host_journal_field kvm1 VM EVENT_ID=645 EVENT_UUID=$u3)" vdc "VM of the report on the shut-off VM"
assert_eq "$(host_journal_count kvm2 EVENT_ID=645)" 0 "EVENT_UNPLACED reports on kvm2"
assert_eq "$(host_journal_count kvm2 EVENT_ID=600 RULE=vdc)" 2 "jobs of rule vdc on kvm2 (none for the shut-off VM)"
assert_eq "$(host_stamps kvm2)" 3 "actions run on kvm2"

for h in kvm1 kvm2; do
	host_watch_stop $h
	host_listen_stop $h
	host_bus_stop $h
done
echo ok
