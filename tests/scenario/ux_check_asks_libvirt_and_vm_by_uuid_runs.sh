#!/bin/bash
# evtrigger check finds at check time what used to fail only after the guest
# had signalled: with libvirt reachable, a VM that does not exist (by name
# or UUID), a disk that cannot be used, an archive dir that is not there; a
# libvirt that cannot be reached is a warning, not an error. A rule may
# name its VM by UUID: check accepts it, and the job finds the VM and names
# it by its name in its record and its events.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
testbed_journald
R=$TESTDIR/rules
mkdir -p "$R" "$TESTDIR/backups" "$TESTDIR/img"

# check_rule NAME: checks $R/NAME.rule alone; output in $TESTDIR/check.out.
check_rule() {
	"$EVTRIGGER" check --action-dir "$BUILD/actions" "$R/$1.rule" \
		>"$TESTDIR/check.out" 2>&1
}
rule() {        # rule NAME VM STEPS [SECTION-LINES]
	printf '[trigger]\nid = 777\n[job]\nvm = %s\nsteps = %s\n%s\n' \
		"$2" "$3" "${4:-}" > "$R/$1.rule"
}

# libvirt not reachable: a warning, and the rule is valid.
rule unreachable vdc "wait-shutdown start" \
	"connect = qemu+unix:///system?socket=$TESTDIR/no-such-socket"
check_rule unreachable; rc=$?
assert_eq "$rc" 0 "check with libvirt unreachable: $(cat "$TESTDIR/check.out")"
assert_eq "$(grep -c "warning: cannot ask libvirt" "$TESTDIR/check.out")" 1 \
	"one warning for the rule: $(cat "$TESTDIR/check.out")"

testbed_libvirtd
qemu-img create -q -f qcow2 "$TESTDIR/img/sleeper.qcow2" 16M
testbed_guest sleeper "$TESTDIR/img/sleeper.qcow2"
uuid=$($VIRSH domuuid sleeper | tr -d '[:space:]')
[ -n "$uuid" ] || fail "no uuid for sleeper"

# The cases: NAME VM STEPS SECTION-LINES, exit status, text in the output.
while IFS='|' read -r name vm steps lines want text; do
	[ -n "$name" ] || continue
	rule "$name" "$vm" "$steps" "$(printf '%b' "$lines")"
	check_rule "$name"; rc=$?
	assert_eq "$rc" "$want" "check of $name: $(cat "$TESTDIR/check.out")"
	grep -qF -- "$text" "$TESTDIR/check.out" ||
		fail "check of $name: no '$text' in: $(cat "$TESTDIR/check.out")"
	grep -q "warning" "$TESTDIR/check.out" &&
		fail "check of $name warns with libvirt up: $(cat "$TESTDIR/check.out")"
done <<CASES
by-name|sleeper|wait-shutdown compact start||0|1 rule file valid
by-uuid|$uuid|wait-shutdown compact archive start|[archive]\ndir = $TESTDIR/backups|0|1 rule file valid
missing-vm|nosuchvm|wait-shutdown compact start||3|action 'wait-shutdown': no vm 'nosuchvm' on libvirt (default): no domain has this name or UUID
missing-uuid|0a1b2c3d-0000-4000-8000-00000000abcd|start||3|no vm '0a1b2c3d-0000-4000-8000-00000000abcd' on libvirt
no-archive-dir|sleeper|wait-shutdown archive start|[archive]\ndir = $TESTDIR/nonexistent|3|action 'archive': archive dir '$TESTDIR/nonexistent': does not exist
archive-dir-file|sleeper|archive|[archive]\ndir = $TESTDIR/img/sleeper.qcow2|3|is not a directory
keep-without-vm|sleeper|archive|[archive]\ndir = $TESTDIR/backups\nname = %Y.tar\nkeep = 2|3|cannot be used with keep without {vm}
nosuchuser|sleeper|exec|[exec]\ncommand = /bin/true\nuser = nosuchuser|3|action 'exec': unknown user 'nosuchuser'
CASES

# One mistake found by three steps is reported once.
rule missing-vm nosuchvm "wait-shutdown compact start"
check_rule missing-vm
assert_eq "$(grep -c "no vm 'nosuchvm'" "$TESTDIR/check.out")" 1 \
	"the missing vm reported once: $(cat "$TESTDIR/check.out")"
grep -q "1 error" "$TESTDIR/check.out" || fail "error count: $(cat "$TESTDIR/check.out")"
# --no-probe skips asking libvirt.
"$EVTRIGGER" check --no-probe --action-dir "$BUILD/actions" "$R/missing-vm.rule" \
	>/dev/null 2>&1 || fail "check --no-probe of a rule whose vm is missing"

# A disk the VM names but that is gone.
mv "$TESTDIR/img/sleeper.qcow2" "$TESTDIR/img/moved.qcow2"
check_rule by-name; rc=$?
assert_eq "$rc" 3 "check with a disk gone: $(cat "$TESTDIR/check.out")"
grep -qF "action 'compact': disk vda of vm 'sleeper': cannot read and write $TESTDIR/img/sleeper.qcow2: No such file or directory" \
	"$TESTDIR/check.out" || fail "disk gone: $(cat "$TESTDIR/check.out")"
mv "$TESTDIR/img/moved.qcow2" "$TESTDIR/img/sleeper.qcow2"

# The job of a rule naming the VM by UUID finds it and names it by name.
. "$TOP/tests/lib/watch.sh"
watch_setup
printf '[trigger]\nid = 777\n[job]\nvm = %s\nsteps = start\n[start]\ntimeout = 2m\n' \
	"$uuid" > "$RULES/by-uuid.rule"
watch_start
"$EVCREATE" --id 777 --type warning --source John --description go || fail "evcreate"
journal_wait 1 180 EVENT_ID=601 RULE=by-uuid
assert_eq "$(guest_state sleeper)" running "state after the job"
assert_eq "$(journal_count EVENT_ID=612 STEP=start VM=sleeper)" 1 "STEP_DONE with VM=sleeper"
assert_eq "$(journal_count EVENT_ID=601 VM=sleeper)" 1 "JOB_FINISHED with VM=sleeper"
"$EVTRIGGER" jobs --all --json --state-dir "$STATE" > "$TESTDIR/jobs.json"
grep -qF '"vm":"sleeper"' "$TESTDIR/jobs.json" || fail "jobs: $(cat "$TESTDIR/jobs.json")"
grep -qF "\"vm\":\"$uuid\"" "$TESTDIR/jobs.json" &&
	fail "the job still names the uuid: $(cat "$TESTDIR/jobs.json")"
watch_stop
$VIRSH destroy sleeper >/dev/null 2>&1 || true
