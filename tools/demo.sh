#!/bin/bash
# The demo: the whole maintenance run of doc/ARCHITECTURE.md, end to end, in a sandbox.
#
#   make demo                      # the embedded default rule below
#   make demo RULE=my.rule         # your own rule (its [job] vm must be vdc)
#
# A private systemd-journald and a private libvirtd run in a mount namespace
# of their own (the host's log and VMs are never touched). A tiny QEMU guest
# "vdc" boots with three disks: a system disk with a snapshot overlay, a data
# disk full of zeroed space, and a swap disk. The guest signals the host,
# "ID 777: ready for compaction", and powers itself off. evtrigger sees the
# event, waits for the shutdown, compacts each disk but swap, merges the
# snapshot, archives the VM and starts it again, logging every step. The demo
# then shows the audit trail from journalctl, the archive and the VM's state.
set -u
BUILD=$(cd "${1:-build}" && pwd)
RULE=${RULE:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: needs root (namespaces, journald, libvirtd)" >&2; exit 1; }
	[ -z "$RULE" ] || RULE=$(realpath "$RULE")
	EVT_TESTBED_NS=1 RULE=$RULE exec unshare -m --propagation private "$0" "$BUILD"
fi

export BUILD
# shellcheck source=../tests/lib/testbed.sh
source "$TOP/tests/lib/testbed.sh"
# shellcheck source=../tests/lib/vm.sh
source "$TOP/tests/lib/vm.sh"
DEMO=$TESTDIR

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

default_rule() {
	cat <<-EOF
	# The demo's rule: when the guest of VM vdc says it is ready (event 777,
	# WARNING, source John), wait for it to power off, compact its disks but
	# swap, merge its snapshot overlay, archive it and start it again.
	[trigger]
	id = 777
	type = warning
	source = John
	; the demo writes the trigger as root on the host, on behalf of the guest
	uid = 0

	[job]
	vm = vdc
	connect = qemu:///system
	steps = wait-shutdown compact merge archive start
	recovery = start
	on-busy = ignore

	[wait-shutdown]
	timeout = 2m

	[compact]
	skip = *swap*

	[archive]
	dir = $DEMO/archives
	name = %Y-%m-%d {vm}.tar.zst
	keep = 4

	[start]
	timeout = 2m
	EOF
}

say "a private journal and libvirtd"
testbed_journald
testbed_libvirtd

say "guest vdc: a system disk with a snapshot, a data disk, a swap disk"
mkdir -p "$DEMO/images" "$DEMO/archives" "$DEMO/rules.d" "$DEMO/state"
img=$DEMO/images
qemu-img create -q -f qcow2 "$img/vdc-system.qcow2" 256M
qemu-io -f qcow2 -c 'write -P 0x5a 0 32M' "$img/vdc-system.qcow2" >/dev/null
qemu-img create -q -f qcow2 -b "$img/vdc-system.qcow2" -F qcow2 "$img/vdc-system-snap1.qcow2"
qemu-io -f qcow2 -c 'write -P 0xa5 8M 8M' "$img/vdc-system-snap1.qcow2" >/dev/null
qemu-img create -q -f qcow2 "$img/vdc-data.qcow2" 256M
# 96 MiB written, then 64 MiB of it zeroed again by the "defrag": space that
# compaction gives back.
qemu-io -f qcow2 -c 'write -P 0x33 0 96M' -c 'write -P 0 32M 64M' "$img/vdc-data.qcow2" >/dev/null
qemu-img create -q -f qcow2 "$img/vdc-swap.qcow2" 64M
qemu-io -f qcow2 -c 'write -P 0x11 0 16M' "$img/vdc-swap.qcow2" >/dev/null
testbed_guest --poweroff-after 6 vdc "$img/vdc-system-snap1.qcow2" \
	"$img/vdc-data.qcow2" "$img/vdc-swap.qcow2"
for f in "$img"/*.qcow2; do
	printf '  %-22s %8s on disk\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)"
done

if [ -n "$RULE" ]; then
	cp "$RULE" "$DEMO/rules.d/"
else
	default_rule >"$DEMO/rules.d/777-vdc.rule"
fi
say "the rule ($(ls "$DEMO/rules.d"))"
grep -v '^[[:space:]]*[#;]' "$DEMO"/rules.d/*.rule | sed '/^$/d; s/^/  /'
"$EVTRIGGER" check --rules-dir "$DEMO/rules.d" --action-dir "$BUILD/actions" ||
	fail "the rule is invalid"

say "evtrigger run (watching the journal)"
"$EVTRIGGER" run --rules-dir "$DEMO/rules.d" --state-dir "$DEMO/state" \
	--action-dir "$BUILD/actions" >"$DEMO/evtrigger.log" 2>&1 &
EVT_PID=$!
testbed_at_exit "kill $EVT_PID 2>/dev/null; wait $EVT_PID 2>/dev/null"
journal_wait 1 30 EVENT_ID=640

say "the guest boots, signals 777 and powers itself off"
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
guest_wait_console vdc 'evt-guest: ready' 120
"$EVCREATE" /T WARNING /ID 777 /SO John /L APPLICATION /D "VDC Ready for compaction"
echo '  evcreate /T WARNING /ID 777 /SO John /L APPLICATION /D "VDC Ready for compaction"'

say "the job, as 'evtrigger jobs' sees it while it runs"
export EVTRIGGER_STATE_DIR=$DEMO/state
last=
for _ in $(seq 600); do
	now=$("$EVTRIGGER" jobs --all --state-dir "$DEMO/state" 2>/dev/null | tail -n +2)
	[ "$now" != "$last" ] && [ -n "$now" ] && echo "  $now"
	last=$now
	[ "$(journal_count EVENT_ID=601) $(journal_count EVENT_ID=602)" != "0 0" ] && break
	sleep 0.5
done

say "the audit trail: journalctl RULE=777-vdc"
journalctl --no-pager -o json RULE=777-vdc | python3 "$TOP/tools/demo-trail.py"

say "afterwards"
for f in "$img"/*.qcow2; do
	printf '  %-22s %8s on disk, backing: %s\n' "$(basename "$f")" \
		"$(du -h "$f" | cut -f1)" \
		"$(qemu-img info -U --output=json "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("backing-filename","none"))')"
done
echo "  vdc is: $($VIRSH domstate vdc)"
for a in "$DEMO"/archives/*; do
	echo "  $(basename "$a") ($(du -h "$a" | cut -f1))"
done
a=$(ls "$DEMO"/archives/*.tar.* 2>/dev/null | grep -v sha256 | head -n 1)
[ -n "$a" ] && bsdtar -tvf "$a" | sed 's/^/    /'
(cd "$DEMO/archives" && sha256sum -c ./*.sha256 2>/dev/null | sed 's/^/  /')

if [ "$(journal_count EVENT_ID=601)" -ge 1 ]; then
	say "done: the job finished; every step is in the journal (journalctl EVENT_ID=601)"
else
	journalctl --no-pager -o cat EVENT_ID=602 EVENT_ID=613
	fail "the job did not finish; evtrigger's output: $(cat "$DEMO/evtrigger.log")"
fi
