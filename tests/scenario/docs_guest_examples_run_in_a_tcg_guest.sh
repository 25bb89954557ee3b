#!/bin/bash
# The examples of README.md, doc/guest.md, evcreate(1), evtrigger-listen(8),
# evtrigger(8) and the shipped 777-vdc.rule that need a VM, read from their documents (tests/lib/docs.sh)
# and run as printed, in one TCG guest vdc (the real static evcreate inside)
# defined with README's channel element, against the real evtrigger-listen
# and evtrigger run (README's host commands), with the shipped rule:
#
#   host: evtrigger run alone (started, stopped), then README's listener and
#         evtrigger run --listener-user; evtrigger test says the rule fires
#   guest: the 777 event with the uuid that makes README's job ID
#   host: that job waits for the shutdown: evtrigger jobs --vm vdc --json,
#         jobs --watch, cancel (JOB_CANCELLED), log; the listener stopped
#   guest: evcreate(1)'s retry loop (exit 7 while the listener is away)
#   host: the listener again, as evtrigger-listen(8)'s systemctl line starts
#         it (systemctl_standin, from the shipped unit)
#   guest: README's, evtrigger-listen(8)'s, evcreate(1)'s and the rule's
#         --channel examples, README's printf, doc/guest.md's (the port, its
#         links, evcreate, the retry loop, a line and its answer, fire and
#         forget); then the poweroff they ask for; doc/guest.md's journalctl
#   host: the second job: compact, merge (progress 611), archive, start;
#         README's journalctl and log lines; action compact by hand;
#         evtrigger(8)'s restore (started, then removed); README's restore
#         of the newest archive as vdc-copy; evtrigger modules
#
# The guest waits at one point for the host (a second port, org.test.gate,
# that the host writes "go" into): the test's own device, not the example's.
# The test guest's /init is not an init: poweroff, which the examples call,
# is a shell function that notes the request, and the script powers the
# guest off (poweroff -f) after the last example.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"
. "$TOP/tests/lib/docs.sh"

[ -x "$BUILD/guest/evcreate" ] ||
	fail "no $BUILD/guest/evcreate: run 'make guest-tools BUILD=$BUILD' first"
UUID=6f1c2a4e-9b3d-4c5e-8f70-1a2b3c4d5e6f
JOB=276b80bab1fa51f2
export PATH=$BUILD:$PATH
cd "$TESTDIR" || fail "no TESTDIR"

testbed_journald
testbed_libvirtd
testbed_listen_user
mkdir -p /var/backups
mount -t tmpfs -o mode=0755 tmpfs /var/backups || fail "cannot mount /var/backups"
mkdir -p /var/backups/vms rules.d state images
cp "$TOP/rules.d/777-vdc.rule" rules.d/
export EVTRIGGER_RULES_DIR=$TESTDIR/rules.d EVTRIGGER_STATE_DIR=$TESTDIR/state \
	EVTRIGGER_ACTION_DIR=$BUILD/actions
systemctl_standin

# The job ID README shows is the one of this event (doc/ARCHITECTURE.md,
# the remote job key).
assert_eq "$(printf 'remote\nvdc\n%s\n777-vdc' "$UUID" | sha256sum | cut -c1-16)" "$JOB" \
	"README's job ID"

# --- README: the channel element (and the rule's, the same element) --------
doc_example README.md:guests-signal-their-host-the-channel-and-evtrigger-listen:1 >channel.xml
doc_example rules.d/777-vdc.rule:comment:2 >channel-rule.xml
python3 - channel.xml channel-rule.xml <<'PY' || fail "the rule's channel element is not README's"
import sys, xml.etree.ElementTree as ET
def canon(p):
    return ET.canonicalize(from_file=p, strip_text=True)
sys.exit(canon(sys.argv[1]) != canon(sys.argv[2]))
PY
cat channel.xml - >channels.xml <<'XML'
<channel type='unix'>
  <target type='virtio' name='org.test.gate'/>
</channel>
XML

# --- the guest's script ----------------------------------------------------
{
	cat <<-GUEST
		grep -qw evt_docs /proc/cmdline || exit 0
		poweroff() { echo "evt-guest: poweroff asked"; : >/evt/poweroff; }
		gate() {
		    i=0
		    while [ ! -e /dev/virtio-ports/org.test.gate ] && [ \$i -lt 300 ]; do
		        for p in /sys/class/virtio-ports/*; do
		            [ "\$(cat \$p/name 2>/dev/null)" = org.test.gate ] || continue
		            b=\${p##*/}
		            [ -e /dev/\$b ] || mknod /dev/\$b c \$(cut -d: -f1 \$p/dev) \$(cut -d: -f2 \$p/dev)
		            ln -sf ../\$b /dev/virtio-ports/org.test.gate
		        done
		        sleep 0.1; i=\$((i + 1))
		    done
		    # (a read while the host is not connected returns at once)
		    until read -r l </dev/virtio-ports/org.test.gate && [ "\$l" = go ]; do
		        sleep 0.2
		    done
		    echo "evt-guest: gate \$1"
		}
		evcreate --channel --uuid $UUID -t warning -i 777 -s John -d "VDC Ready for compaction"
		echo "evt-guest: first rc=\$?"
		gate 1
	GUEST
	doc_example man/evcreate.1:examples:8
	echo 'echo "evt-guest: loop rc=$rc"'
	doc_example README.md:guests-signal-their-host-the-channel-and-evtrigger-listen:2
	echo 'echo "evt-guest: readme rc=$?"'
	doc_example man/evtrigger-listen.8:examples:1
	echo 'echo "evt-guest: answer=$answer"; exec 3<&-'
	doc_example man/evcreate.1:examples:7
	echo 'echo "evt-guest: evcreate.1 rc=$?"'
	doc_example rules.d/777-vdc.rule:comment:1
	echo 'echo "evt-guest: rule rc=$?"'
	doc_example README.md:guests-signal-their-host-the-channel-and-evtrigger-listen:3
	echo 'echo "evt-guest: printf rc=$?"'
	# doc/guest.md: the port checked, its links made from sysfs, evcreate's
	# two commands and retry loop, the line with its answer (the port closed
	# after it: one opener at a time), fire and forget last.
	doc_example doc/guest.md:2-linux-guests:1
	echo 'echo "evt-guest: guest.md ls rc=$?"'
	doc_example doc/guest.md:2-linux-guests:2
	echo 'echo "evt-guest: guest.md links rc=$?"'
	doc_example doc/guest.md:with-evcreate:1
	echo 'echo "evt-guest: guest.md evcreate rc=$?"'
	doc_example doc/guest.md:with-evcreate:2
	echo 'echo "evt-guest: guest.md loop rc=$rc"'
	doc_example doc/guest.md:without-evcreate-one-line-to-the-port:1
	echo 'exec 3<&-'
	doc_example doc/guest.md:without-evcreate-one-line-to-the-port:2
	echo 'echo "evt-guest: guest.md printf rc=$?"'
	echo 'echo "evt-guest: examples done"'
	echo '[ -e /evt/poweroff ] && { sleep 1; exec busybox poweroff -f; }'
} >guest.sh

# Disks as the rule expects: a system disk under a snapshot overlay, a swap
# disk (skipped by compact).
qemu-img create -q -f qcow2 images/vdc-system.qcow2 64M
qemu-io -f qcow2 -c 'write -P 0x5a 0 8M' images/vdc-system.qcow2 >/dev/null
qemu-img create -q -f qcow2 -b "$TESTDIR/images/vdc-system.qcow2" -F qcow2 images/vdc-system-snap1.qcow2
qemu-io -f qcow2 -c 'write -P 0xa5 2M 2M' images/vdc-system-snap1.qcow2 >/dev/null
qemu-img create -q -f qcow2 images/vdc-swap.qcow2 16M
testbed_guest --channel-xml channels.xml --script guest.sh --cmdline evt_docs vdc \
	"$TESTDIR/images/vdc-system-snap1.qcow2" "$TESTDIR/images/vdc-swap.qcow2"

# --- the host: evtrigger run alone, then README's host commands ------------
mapfile -d '' -t watcher < <(doc_example_lines README.md:the-watcher-and-its-jobs:1)
assert_eq "${#watcher[@]}" 9 "commands of README's watcher example"
ran=()
run_watcher() {
	# run_watcher N [bg]: README's watcher command N (from 0), as printed.
	ran+=("$1")
	if [ "${2:-}" = bg ]; then
		bash -c "exec ${watcher[$1]}" >"watcher$1.out" 2>&1 &
	else
		bash -c "${watcher[$1]}" >"watcher$1.out" 2>&1 ||
			fail "README: ${watcher[$1]}: exit $?: $(cat "watcher$1.out")"
	fi
}
run_watcher 0 bg
daemon=$!
testbed_at_exit "kill $daemon 2>/dev/null"
journal_wait 1 30 EVENT_ID=640
kill $daemon
wait $daemon
journal_wait 1 30 EVENT_ID=641
run_watcher 1
grep -q '^777-vdc  *fires ' watcher1.out || fail "README's dry run: $(cat watcher1.out)"

mapfile -d '' -t host < <(doc_example_lines README.md:guests-signal-their-host-the-channel-and-evtrigger-listen:4)
assert_eq "${#host[@]}" 2 "commands of README's host example"
bash -c "exec ${host[0]}" >>"$LISTEN_LOG" 2>&1 &
LISTEN_PID=$!
testbed_at_exit "listen_kill $LISTEN_PID"
bash -c "exec ${host[1]}" >evtrigger.log 2>&1 &
daemon=$!
testbed_at_exit "kill $daemon 2>/dev/null; wait $daemon 2>/dev/null"
journal_wait 2 30 EVENT_ID=640

$VIRSH start vdc >/dev/null || fail "cannot start vdc"
# The examples run on this boot only: the job's start step boots it without.
$VIRSH dumpxml --inactive --security-info vdc | sed 's/ evt_docs//' >vdc-next.xml
$VIRSH define vdc-next.xml >/dev/null || fail "cannot redefine vdc"
gate=$(guest_channel_socket vdc org.test.gate) || exit 1
guest_wait_console vdc 'evt-guest: first rc=' 120
grep -qF 'evt-guest: first rc=0' vdc.console || fail "the first event: $(tail -n 5 vdc.console)"

# --- the first job: README's job ID, followed, cancelled, told -------------
journal_wait 1 60 EVENT_ID=600 JOB_ID=$JOB
run_watcher 2
grep -q "$JOB" watcher2.out || fail "README: jobs --vm vdc --json: $(cat watcher2.out)"
run_watcher 3 bg
watch=$!
for _ in $(seq 300); do
	grep -q "$JOB" watcher3.out && break
	sleep 0.1
done
grep -q "$JOB" watcher3.out || fail "README: jobs --watch shows no $JOB: $(cat watcher3.out)"
listen_stop
run_watcher 5
journal_wait 1 60 EVENT_ID=603 JOB_ID=$JOB
wait $watch
run_watcher 4
grep -q 'cancel' watcher4.out || fail "README: evtrigger log: $(cat watcher4.out)"

# --- the guest's examples, the listener back as evtrigger-listen(8) says ---
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"go\n")
time.sleep(3600)
' "$gate" &
opener=$!
testbed_at_exit "kill $opener 2>/dev/null"
guest_wait_console vdc 'evt-guest: gate 1' 30
kill $opener
# The loop's first try finds nobody (exit 7), then the listener comes back.
guest_wait_console vdc 'evcreate: not acknowledged within 10.000s' 60
mapfile -d '' -t onhost < <(doc_example_lines man/evtrigger-listen.8:examples:3)
assert_eq "${#onhost[@]}" 3 "commands of evtrigger-listen(8)'s host example"
bash -c "${onhost[0]}" || fail "evtrigger-listen(8): ${onhost[0]}"
LISTEN_PID=$(cat evtrigger-listen.mainpid)
testbed_at_exit "listen_kill $LISTEN_PID"
guest_wait_console vdc 'evt-guest: examples done' 180
console=$(tr -d '\r' <vdc.console)
for rc in loop readme evcreate.1 rule printf "guest.md ls" "guest.md links" "guest.md evcreate" \
	"guest.md loop" "guest.md printf"; do
	assert_eq "$(sed -n "s/^evt-guest: $rc rc=//p" <<<"$console")" 0 "exit status of the guest's $rc example"
done
[[ $(sed -n 's/^evt-guest: answer=//p' <<<"$console") =~ ^OK\ [0-9a-f-]{36}$ ]] ||
	fail "evtrigger-listen(8)'s guest example read no OK: $console"
[[ $(sed -n 's/^evt-guest: answer: //p' <<<"$console") =~ ^OK\ [0-9a-f-]{36}$ ]] ||
	fail "doc/guest.md's line read no OK: $console"
grep -q '^org.evtrigger.0$' <<<"$console" || fail "doc/guest.md's check shows no port name: $console"
grep -q '^evt-guest: poweroff asked$' <<<"$console" || fail "the examples asked for no poweroff"
# 1 + the loop's + README's 2 + the page's printf + evcreate(1)'s 2 + the rule's + README's printf
# + doc/guest.md's evcreate 2, loop, line and fire and forget
journal_wait 14 60 EVENT_ID=777 EVENT_SENDER=vdc EVENT_AUTH=channel
doc_example_run doc/guest.md:4-on-the-host:1 >guest-md-host.out
[ "$(grep -c '^ *EVENT_AUTH=channel$' guest-md-host.out)" -ge 14 ] ||
	fail "doc/guest.md's journalctl on the host: $(head -n 40 guest-md-host.out)"
for c in "${onhost[@]:1}"; do
	bash -c "$c" >cmd.out 2>&1 || fail "evtrigger-listen(8): $c: $(cat cmd.out)"
done

# --- the second job: the whole rule, then README's commands after it -------
journal_wait 1 300 EVENT_ID=601 RULE=777-vdc
guest_wait_state vdc running 60
doc_example_run README.md:the-watcher-and-its-jobs:2 >story.out
# The first job's story (its cancel), then the second job's merge progress.
n611=$(journal_count EVENT_ID=611 VM=vdc)
[ "$n611" -ge 1 ] || fail "no merge progress (611) of vdc in the journal"
grep -q 'JOB_CANCELLED' story.out && [ "$(grep -c ' vdc: .*%' story.out)" -ge "$n611" ] ||
	fail "README's log and journalctl lines: $(cat story.out)"
# By hand: compact vdc once it is off; restore the newest archive as a copy.
$VIRSH destroy vdc >/dev/null || fail "cannot stop vdc"
run_watcher 6
# evtrigger(8)'s restore, as printed: the archive named as the page names it
# (the job's newest one, linked under the page's date when today is another
# day), restored into a directory of its own and started; then undone, for
# README's restore below.
archive=/var/backups/vms/2026-12-01_vdc.tar.zst linked=
if [ ! -e "$archive" ]; then
	newest=$(ls /var/backups/vms/*_vdc.tar.zst | tail -n 1)
	ln "$newest" "$archive" && sed "s|  .*\$|  ${archive##*/}|" "$newest.sha256" >"$archive.sha256" ||
		fail "no archive of vdc: $(ls -l /var/backups/vms)"
	linked=1
fi
# (its --dir in /var/lib/libvirt/images, which libvirt's package makes on a
# real host; the test bed's /var/lib/libvirt is empty)
images=
[ -d /var/lib/libvirt/images ] || { mkdir /var/lib/libvirt/images && images=made; }
doc_example_run man/evtrigger.8:commands-evtrigger-restore:1 >restore8.out
guest_wait_state vdc-copy running 60
$VIRSH destroy vdc-copy >/dev/null && $VIRSH undefine vdc-copy >/dev/null ||
	fail "cannot remove evtrigger(8)'s vdc-copy"
rm -rf /var/lib/libvirt/images/vdc-copy
[ -z "$images" ] || rmdir /var/lib/libvirt/images
[ -z "$linked" ] || rm "$archive" "$archive.sha256"
run_watcher 7
$VIRSH dominfo vdc-copy >/dev/null || fail "README's restore defined no vdc-copy: $(cat watcher7.out)"
ls /var/lib/libvirt/images | grep -q . || fail "README's restore extracted nothing"
run_watcher 8
grep -q compact watcher8.out || fail "README: evtrigger modules: $(cat watcher8.out)"
assert_eq "$(printf '%s\n' "${ran[@]}" | sort -n | tr '\n' ' ')" "0 1 2 3 4 5 6 7 8 " \
	"README's watcher commands run"
echo "the guest's examples run as printed"
