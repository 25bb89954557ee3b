#!/bin/bash
# The demo: the whole maintenance run, end to end, in a sandbox, with the
# guest itself signalling its host.
#
#   make demo                      # the shipped rules.d/777-vdc.rule
#   make demo RULE=my.rule         # your own rule (its [job] vm must be vdc)
#
# A private systemd-journald and a private libvirtd run in a mount namespace
# of their own (the host's log and VMs are never touched). A tiny QEMU guest
# "vdc" boots with three disks (a system disk with a snapshot overlay, a data
# disk full of zeroed space, and a swap disk) and the event channel
# org.evtrigger.0. evtrigger-listen attaches to that channel; the guest's own
# maintenance script signals "ID 777: ready for compaction" with
# `evcreate --channel`, waits for the host's OK and powers itself off. The
# listener writes the event into the journal as sent by "vdc"; evtrigger sees
# it, fires the shipped rule (sender = vdc), waits for the shutdown, compacts
# each disk but swap, merges the snapshot, archives the VM and starts it
# again, logging every step. The demo then shows the audit trail, the
# archive and the VM's state. Architecture: doc/ARCHITECTURE.md.
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
# shellcheck source=../tests/lib/listen.sh
source "$TOP/tests/lib/listen.sh"
DEMO=$TESTDIR

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "a private journal, libvirtd and the listener's user"
testbed_journald
testbed_libvirtd
testbed_listen_user
# The shipped rule archives into /var/backups/vms: a tmpfs of the demo's own.
[ -d /var/backups ] || mkdir -p /var/backups
mount -t tmpfs -o mode=0755 tmpfs /var/backups || fail "cannot mount a tmpfs on /var/backups"
mkdir -p /var/backups/vms

say "guest vdc: a system disk with a snapshot, a data disk, a swap disk"
mkdir -p "$DEMO/images" "$DEMO/rules.d" "$DEMO/state"
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
# The guest's maintenance script: on the boot that has evt_demo_maintenance
# on its kernel command line (the first one), "defragment", signal the host
# through the channel, and power off once the host has the event.
cat >"$DEMO/maintenance.sh" <<-'GUEST'
	grep -qw evt_demo_maintenance /proc/cmdline || exit 0
	echo "guest: defragmenting ... done"
	if evcreate --channel /T WARNING /ID 777 /SO John /L APPLICATION \
		/D "VDC Ready for compaction"; then
		echo "guest: the host has the event; powering off"
		poweroff -f
	fi
	echo "guest: evcreate failed ($?), staying up"
GUEST
testbed_guest --channel --script "$DEMO/maintenance.sh" \
	--cmdline evt_demo_maintenance vdc "$img/vdc-system-snap1.qcow2" \
	"$img/vdc-data.qcow2" "$img/vdc-swap.qcow2"
for f in "$img"/*.qcow2; do
	printf '  %-22s %8s on disk\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)"
done
echo "  its channel: <channel type='unix'><target type='virtio' name='org.evtrigger.0'/></channel>"
echo "  its maintenance script (inside the guest):"
sed 's/^/    /' "$DEMO/maintenance.sh"

if [ -n "$RULE" ]; then
	cp "$RULE" "$DEMO/rules.d/"
else
	cp "$TOP/rules.d/777-vdc.rule" "$DEMO/rules.d/"
fi
say "the rule ($(ls "$DEMO/rules.d"))"
grep -v '^[[:space:]]*[#;]' "$DEMO"/rules.d/*.rule | sed '/^$/d; s/^/  /'
"$EVTRIGGER" check --rules-dir "$DEMO/rules.d" --action-dir "$BUILD/actions" ||
	fail "the rule is invalid"

say "evtrigger-listen (guest channels) and evtrigger run (the journal)"
listen_start
echo "  evtrigger-listen --user $LISTEN_USER"
"$EVTRIGGER" run --rules-dir "$DEMO/rules.d" --state-dir "$DEMO/state" \
	--action-dir "$BUILD/actions" --listener-user "$LISTEN_USER" \
	>"$DEMO/evtrigger.log" 2>&1 &
EVT_PID=$!
echo "  evtrigger run --listener-user $LISTEN_USER"
testbed_at_exit "kill $EVT_PID 2>/dev/null; wait $EVT_PID 2>/dev/null"
journal_wait 1 30 EVENT_ID=640

say "the guest boots, signals 777 through its channel and powers itself off"
$VIRSH start vdc >/dev/null || fail "cannot start vdc"
# Its maintenance runs on this boot only: the next one (the job's start
# step) boots without the flag.
$VIRSH dumpxml --inactive --security-info vdc |
	sed 's/ evt_demo_maintenance//' >"$DEMO/vdc-next.xml"
$VIRSH define "$DEMO/vdc-next.xml" >/dev/null || fail "cannot redefine vdc"
guest_wait_console vdc 'guest: the host has the event' 120
grep -E '^(guest:|OK|evt-guest: channel)' "$DEMO/vdc.console" | sed 's/^/  /'
journal_wait 1 60 EVENT_ID=777
echo "  the host's journal has it, as the listener wrote it:"
journalctl --no-pager -o verbose EVENT_ID=777 | grep -E '^ *(EVENT_(ID|TYPE|SOURCE|SENDER|SENDER_UUID|AUTH|UUID)|MESSAGE|_UID)=' | sed 's/^ */    /'

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
for a in /var/backups/vms/*; do
	echo "  $(basename "$a") ($(du -h "$a" | cut -f1))"
done
a=$(ls /var/backups/vms/*.tar.* 2>/dev/null | grep -v sha256 | head -n 1)
[ -n "$a" ] && bsdtar -tvf "$a" | sed 's/^/    /'
(cd /var/backups/vms && sha256sum -c ./*.sha256 2>/dev/null | sed 's/^/  /')

if [ "$(journal_count EVENT_ID=601)" -ge 1 ]; then
	say "done: the job finished; every step is in the journal (journalctl EVENT_ID=601)"
else
	journalctl --no-pager -o cat EVENT_ID=602 EVENT_ID=613
	fail "the job did not finish; evtrigger's output: $(cat "$DEMO/evtrigger.log")"
fi
