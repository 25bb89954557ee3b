#!/bin/bash
# A live merge (libvirt active block commit of a running VM, throttled with
# the bandwidth option so that it is caught in the middle) that is
# 1. cancelled with `evtrigger cancel`: the block job is aborted without
#    pivot, the VM runs on with the same top image, its live and persistent
#    definitions are unchanged, the chain reads the same, and a STEP_WARNING
#    says the chain is usable;
# 2. killed with SIGKILL under `evtrigger run`: the block job, which lives
#    in QEMU, goes on without its job; the recovery job stops it without
#    pivot and leaves the same state as 1;
# 3. killed after the pivot took place (done here by hand with virsh while
#    the job process is stopped, as libvirtd completes a pivot begun by a
#    job that then dies): the recovery points the persistent definition at
#    the base, which QEMU now uses, instead of leaving it on the stale top.
# Progress is waited for on STEP_PROGRESS events, never on time.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/action.sh"
. "$TOP/tests/lib/disk.sh"

testbed_journald
testbed_libvirtd
watch_setup
img=$TESTDIR/img
mkdir -p "$img"
disk_make_chain "$img"
# 96 MiB in the overlay: at 4 MiB/s the commit takes about 25 s.
qemu-img resize -q "$img/top.qcow2" 192M
qio -f qcow2 -c 'write -P 0x9a 64M 96M' "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
testbed_guest vdc "$img/top.qcow2"
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
guest_wait_console vdc 'evt-guest: ready' 120
$VIRSH dumpxml vdc >"$TESTDIR/live.before"
$VIRSH dumpxml --inactive vdc >"$TESTDIR/def.before"

source_of() { # VM TARGET: the image the running VM uses
	$VIRSH domblklist "$1" | awk -v t="$2" '$1 == t { print $2 }'
}
no_block_job() {
	local out
	out=$($VIRSH blockjob vdc vda --info 2>&1)
	# virsh -q prints nothing when there is none.
	case $out in
	"" | *"No current block job"*) ;;
	*) fail "a block job is left on vda: $out" ;;
	esac
}
# chain_as_before WHAT: the VM runs on its top with the definitions it had,
# and the chain reads what it read before.
chain_as_before() {
	assert_eq "$(guest_state vdc)" running "state after $1"
	assert_eq "$(source_of vdc vda)" "$img/top.qcow2" "vda after $1"
	no_block_job
	$VIRSH dumpxml vdc | diff -u "$TESTDIR/live.before" - ||
		fail "live definition changed by $1"
	$VIRSH dumpxml --inactive vdc | diff -u "$TESTDIR/def.before" - ||
		fail "persistent definition changed by $1"
	qemu-img compare -U -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
		fail "the chain reads differently after $1"
	[ -e "$img/top.qcow2" ] || fail "overlay removed by $1"
}
# progress_seen N: waits for the Nth STEP_PROGRESS of merge past 0%.
progress_seen() {
	local i
	for i in $(seq 1200); do
		[ "$(journalctl --no-pager -q -o cat --output-fields=PERCENT \
			EVENT_ID=611 STEP=merge VM=vdc | grep -cv '^0$')" -ge "$1" ] &&
			return 0
		sleep 0.05
	done
	fail "no merge progress: $(tail -n 5 "$TESTDIR/action.err" "$TESTDIR/evtrigger.log" 2>/dev/null)"
}

# --- 1. evtrigger cancel during the block commit ----------------------------
run_action_bg merge vdc --connect qemu:///system -o bandwidth=4M
progress_seen 1
job=$(journal_field JOB_ID EVENT_ID=610 STEP=merge VM=vdc)
[ -n "$job" ] || fail "no JOB_ID on the merge's STEP_STARTED"
# `evtrigger jobs --vm` shows the live merge with its disk and percent.
$EVTRIGGER jobs --vm vdc --json >"$TESTDIR/jobs.json" || fail "evtrigger jobs failed"
grep -q '"step":"merge"' "$TESTDIR/jobs.json" || fail "jobs does not show the merge: $(cat "$TESTDIR/jobs.json")"
grep -q '"percent":[0-9]' "$TESTDIR/jobs.json" || fail "jobs shows no percent: $(cat "$TESTDIR/jobs.json")"
$EVTRIGGER cancel "$job" || fail "evtrigger cancel $job failed"
rc=0
wait "$ACTION_PID" || rc=$?
assert_eq "$rc" 1 "exit status of the cancelled merge"
journal_wait 1 10 EVENT_ID=603 JOB_ID="$job"
case $(journal_field MESSAGE EVENT_ID=616 STEP=merge JOB_ID="$job") in
*"still reads the same data and VM 'vdc' still uses $img/top.qcow2"*) ;;
*) fail "unexpected cancel message: $(journal_field MESSAGE EVENT_ID=616 STEP=merge JOB_ID="$job")" ;;
esac
assert_eq "$(journal_count EVENT_ID=612 STEP=merge)" 0 "STEP_FINISHED of a cancelled merge"
cmp -s "$TESTDIR/before/base.qcow2" "$img/base.qcow2" &&
	fail "the cancel came before the block commit wrote anything"
chain_as_before "a cancelled live merge"

# --- 2. the job process killed during the block commit ----------------------
printf '[trigger]\nid = 703\n[job]\nvm = vdc\nconnect = qemu:///system\nsteps = merge\n[merge]\nbandwidth = 4M\n' \
	>"$RULES/703-merge.rule"
watch_start
n611=$(journalctl --no-pager -q -o cat --output-fields=PERCENT EVENT_ID=611 STEP=merge VM=vdc | grep -cv '^0$')
watch_event 703 1
progress_seen $((n611 + 1))
pid=$(journal_field _PID EVENT_ID=610 STEP=merge VM=vdc)
[ -n "$pid" ] && [ "$pid" != "$ACTION_PID" ] || fail "no pid for the merge job"
kill -9 "$pid"
journal_wait 1 60 EVENT_ID=604 VM=vdc
assert_eq "$(journal_field STEP EVENT_ID=604 VM=vdc)" merge "interrupted step"
journal_wait 1 60 EVENT_ID=612 STEP=merge
journalctl --no-pager -q -o cat EVENT_ID=615 STEP=merge >"$TESTDIR/recovery.1"
grep -qF "stopped, without pivot, the block commit of $img/top.qcow2 into $img/base.qcow2 left running by an interrupted merge" \
	"$TESTDIR/recovery.1" || fail "no notice that the block job was stopped: $(cat "$TESTDIR/recovery.1")"
journalctl --no-pager -q -o cat EVENT_ID=616 STEP=merge |
	grep -qF "the chain still reads the same data and the VM still uses $img/top.qcow2" ||
	fail "no recovery warning that the chain is usable"
chain_as_before "a killed live merge and its recovery"

# --- 3. killed after the pivot: the definition follows QEMU -----------------
watch_event 703 2
progress_seen $((n611 + 2))
pid=$(journal_field _PID EVENT_ID=610 STEP=merge VM=vdc)
[ -n "$pid" ] || fail "no pid for the merge job"
kill -STOP "$pid"
# Lift the limit, wait until the commit is ready, pivot by hand.
$VIRSH blockjob vdc vda --bandwidth 0 >/dev/null || fail "cannot lift the bandwidth limit"
ready=
for i in $(seq 1200); do
	$VIRSH dumpxml vdc | grep -q "<mirror .*ready='yes'" && ready=1 && break
	sleep 0.05
done
[ -n "$ready" ] || fail "the block commit did not become ready: $($VIRSH blockjob vdc vda --info 2>&1)"
$VIRSH blockjob vdc vda --pivot >/dev/null || fail "cannot pivot by hand"
assert_eq "$(source_of vdc vda)" "$img/base.qcow2" "vda after the pivot by hand"
kill -9 "$pid"
journal_wait 2 60 EVENT_ID=604 VM=vdc
journal_wait 2 60 EVENT_ID=612 STEP=merge
journalctl --no-pager -q -o cat EVENT_ID=616 STEP=merge |
	grep -qF "was switched from $img/top.qcow2 to $img/base.qcow2: its definition now uses $img/base.qcow2 too" ||
	fail "no recovery warning about the pivot: $(journalctl --no-pager -q -o cat EVENT_ID=616 STEP=merge)"
assert_eq "$(guest_state vdc)" running "state after the recovery of a pivoted merge"
assert_eq "$(source_of vdc vda)" "$img/base.qcow2" "live vda after the recovery"
$VIRSH dumpxml --inactive vdc | grep -qF "<source file='$img/base.qcow2'" ||
	fail "persistent definition does not use the base QEMU uses: $($VIRSH dumpxml --inactive vdc | grep '<source')"
$VIRSH dumpxml --inactive vdc | grep -qF "$img/top.qcow2" &&
	fail "persistent definition still names the top"
no_block_job
watch_stop
$VIRSH destroy vdc >/dev/null
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "the base does not read what the top read"
disk_check_cut "$img/base.qcow2"
true
