#!/bin/bash
# Through the whole daemon: events fire rules whose jobs compact, archive and
# merge a VM's disks, and each job process is killed with SIGKILL in the
# middle of its step. The images read as before (qemu-img, the job's child,
# dies with it), no archive is left under its final name, evtrigger reports
# each job interrupted (JOB_INTERRUPTED), and the recovery job runs the
# step's recover(): compact and archive remove their temporary file, merge
# says the chain still reads the same and the VM still uses its top; merging
# again then finishes the work.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/disk.sh"

testbed_journald
testbed_libvirtd
watch_setup
img=$TESTDIR/img arch=$TESTDIR/archives
mkdir -p "$img" "$arch"
disk_make_chain "$img"
# Enough data in the overlay for qemu-img to take a while on it.
qemu-img resize -q "$img/top.qcow2" 1G
qio -f qcow2 -c 'write -P 0x9a 64M 700M' "$img/top.qcow2"
disk_snapshot "$img" "$TESTDIR/before"
cp "$img/base.qcow2" "$TESTDIR/base.pristine"
testbed_guest vdc "$img/top.qcow2"

rule() { # ID STEP [OPTION-LINES]
	printf '[trigger]\nid = %s\n[job]\nvm = vdc\nconnect = qemu:///system\nsteps = %s\n[%s]\n%s\n' \
		"$1" "$2" "$2" "${3:-}" >"$RULES/$1-$2.rule"
}
rule 701 compact
rule 702 archive "dir = $arch
compression = none"
rule 703 merge
watch_start

# kill_job FILE-GLOB MIN-BYTES COMM: once a file matching FILE-GLOB holds
# more than MIN-BYTES, kills with SIGKILL the job process: the process named
# COMM that has the file open if it is the job ("exe": evtrigger re-executed
# as the job), or its parent (COMM qemu-img). Prints the file's name.
kill_job() {
	local glob=$1 min=$2 comm=$3 i f= p pid=
	for i in $(seq 1200); do
		f=$(compgen -G "$glob" | head -n 1)
		if [ -n "$f" ] && [ "$(stat -c %s "$f")" -gt "$min" ]; then
			for p in $(fuser "$f" 2>/dev/null); do
				[ "$(cat /proc/$p/comm 2>/dev/null)" = "$comm" ] && pid=$p
			done
			[ -n "$pid" ] && break
		fi
		sleep 0.05
	done
	[ -n "$pid" ] || fail "no step in progress on $glob: $(tail -n 20 "$TESTDIR/evtrigger.log")"
	if [ "$comm" = qemu-img ]; then
		kill -9 "$(awk '{ print $4 }' "/proc/$pid/stat")"
		for i in $(seq 200); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
		[ -e "/proc/$pid" ] && fail "qemu-img outlived its job"
	else
		kill -9 "$pid"
	fi
	echo "$f"
}

# recovered STEP N: waits for the Nth JOB_INTERRUPTED and the recovery's
# STEP_FINISHED of STEP, and prints the recovery's notices.
recovered() {
	journal_wait "$2" 60 EVENT_ID=604 VM=vdc
	assert_eq "$(journal_field STEP EVENT_ID=604 VM=vdc)" "$1" "interrupted step"
	journal_wait 1 60 EVENT_ID=612 STEP="$1"
	journalctl --no-pager -q -o cat EVENT_ID=615 STEP="$1" + EVENT_ID=616 STEP="$1"
}

# --- compact ----------------------------------------------------------------
watch_event 701 1
tmp=$(kill_job "$img/.top.qcow2.evt-compact.*" $((4 << 20)) qemu-img)
recovered compact 1 | grep -qF "removed $tmp left by an interrupted compaction; the image it was made from was not changed" ||
	fail "no compact recovery notice: $(recovered compact 1)"
[ -e "$tmp" ] && fail "temporary copy left after recovery"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "top.qcow2 changed by the killed compaction"

# --- archive ----------------------------------------------------------------
watch_event 702 2
tmp=$(kill_job "$arch/.*.evt-archive.*" $((4 << 20)) exe)
recovered archive 2 | grep -qF "removed the partial archive $tmp left by an interrupted run" ||
	fail "no archive recovery notice: $(recovered archive 2)"
assert_eq "$(ls -A "$arch")" "" "files left after the recovery of archive"

# --- merge: the commit is cut, the chain still reads the same ---------------
watch_event 703 3
kill_job "$img/base.qcow2" $(($(stat -c %s "$TESTDIR/base.pristine") + (64 << 20))) qemu-img >/dev/null
cmp -s "$TESTDIR/base.pristine" "$img/base.qcow2" && fail "the kill came before the commit wrote anything"
recovered merge 3 | grep -qF "the chain still reads the same data and the VM still uses $img/top.qcow2" ||
	fail "no merge recovery warning: $(recovered merge 3)"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/top.qcow2" ||
	fail "the chain reads differently after a cut commit"
disk_check_cut "$img/base.qcow2"
assert_eq "$($VIRSH domblklist vdc | awk '$1 == "vda" { print $2 }')" "$img/top.qcow2" "vda after a cut merge"
# Merging again finishes the work.
watch_event 703 4
journal_wait 1 120 EVENT_ID=612 STEP=merge DISK="$img/top.qcow2"
qemu-img compare -q "$TESTDIR/before/top.qcow2" "$img/base.qcow2" ||
	fail "base does not read what the top read"
assert_eq "$($VIRSH domblklist vdc | awk '$1 == "vda" { print $2 }')" "$img/base.qcow2" "vda after the merge"
watch_stop
