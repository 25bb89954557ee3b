#!/bin/bash
# Benchmarks of the guest channel (evtrigger-listen), in a private journald
# and a private libvirtd with busybox TCG guests (tests/lib/vm.sh):
#
#   bench/listen-channel.sh [BUILD] [latency|throughput|memory|all]
#
#  latency     guest event -> action process started, timed on the host. The
#              guest's clock cannot be compared with the host's (its realtime
#              comes from the RTC, at second resolution), so the guest gets a
#              second virtio-serial port of its own, org.evtrigger.bench: the
#              host writes "go N" there and records the time, the guest's
#              busybox loop writes the event line with N=N to org.evtrigger.0
#              at once, and the rule's exec (sender = the guest, evtrigger run
#              --listener-user) stamps the host time when it starts. The
#              figure therefore includes the host -> guest hop: an upper bound.
#              Split at the listener's journal entry (__REALTIME_TIMESTAMP,
#              journald's reception time): go -> entry (host->guest hop, the
#              guest, the channel, the listener) and entry -> action (the
#              watcher and job, all inside the host).
#  throughput  events/s into the journal from one guest and from eight, each
#              pipelining (a background cat reads the answers while a cat of
#              pre-made lines writes), beside `evcreate --batch` on the host
#              into the same journald. Rates come from the entries' journal
#              timestamps (first -> last), never from timing in the guest.
#  memory      VmRSS of the listener's parent and child with 100 attached
#              domains (started paused: QEMU keeps the channel socket, the
#              guest uses no CPU), after 100 CHANNEL_ATTACHED (650) events.
#
# Sizes: LAT_EVENTS (200) at LAT_RATE/s (10), TP_EVENTS per guest (2000),
# TP_GUESTS ("1 8"), MEM_DOMAINS (100). BENCH_SMOKE=1 (bench/run.sh --smoke)
# makes them 5, 50, "1", 3. Needs root. Exits 1 if any event was lost (an
# event without its action, an entry missing from the journal): then the
# figures measure nothing. Figures and how to read them:
# bench/listen-channel.md.
set -u
if [ "${EVT_TESTBED_NS:-}" != 1 ]; then
	exec env EVT_TESTBED_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=$(cd "${1:-$TOP/build}" && pwd)
WHAT=${2:-all}
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	LAT_EVENTS=${LAT_EVENTS:-5} TP_EVENTS=${TP_EVENTS:-50}
	TP_GUESTS=${TP_GUESTS:-1} MEM_DOMAINS=${MEM_DOMAINS:-3}
fi
LAT_EVENTS=${LAT_EVENTS:-200}
LAT_RATE=${LAT_RATE:-10}
TP_EVENTS=${TP_EVENTS:-2000}
TP_GUESTS=${TP_GUESTS:-1 8}
MEM_DOMAINS=${MEM_DOMAINS:-100}
FAILED=0
# The listener's rate limit, high enough never to limit (its maximum).
NOLIMIT="--rate 1000000 --burst 1000000"

. "$TOP/tests/lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/watch.sh"
. "$TOP/tests/lib/listen.sh"

lost() {
	echo "FAIL: $*" >&2
	FAILED=1
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# show COMMAND...: prints the command a figure comes from.
show() { printf '  $ %s\n' "$*"; }

# pct FILE LABEL: n, median, p99, max of a file of microseconds.
pct() {
	sort -n "$1" | awk -v label="$2" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { printf "%-46s no events\n", label; exit }
			printf "%-46s n=%d median=%.2fms p99=%.2fms max=%.2fms\n",
				label, NR, v[int((NR + 1) / 2)] / 1000,
				v[int(NR * 0.99 + 0.999)] / 1000, v[NR] / 1000
		}'
}

# entries_n_time MATCH...: "N __REALTIME_TIMESTAMP" of each matching entry.
entries_n_time() {
	journalctl --no-pager -q -o export "$@" | awk '
		/^__REALTIME_TIMESTAMP=/ { t = substr($0, 22) }
		/^N=/ { n = substr($0, 3) }
		/^$/ { if (n != "") print n, t; n = "" }
		END { if (n != "") print n, t }'
}

# span_rate MATCH...: "count first_us last_us rate/s" of the matching entries,
# from their journal timestamps.
span_rate() {
	journalctl --no-pager -q -o export "$@" |
		sed -n 's/^__REALTIME_TIMESTAMP=//p' | sort -n | awk '
		NR == 1 { f = $1 } { l = $1 }
		END {
			if (NR < 2 || l == f) { print NR, f, l, 0; exit }
			printf "%d %s %s %.0f\n", NR, f, l, (NR - 1) * 1000000 / (l - f)
		}'
}

# bench_port_xml NAME: adds the bench's own port, org.evtrigger.bench, to the
# defined guest NAME (dumpxml | edit | define; the shared vm.sh is untouched).
bench_port_xml() {
	$VIRSH dumpxml --inactive "$1" | sed "s|</devices>|<channel type='unix'><target type='virtio' name='org.evtrigger.bench'/></channel></devices>|" \
		>"$TESTDIR/$1.bench.xml"
	$VIRSH define "$TESTDIR/$1.bench.xml" >/dev/null || fail "cannot redefine $1"
}

# The guest side of the latency run (busybox sh): the /init's port loop for
# the bench port, then "go N" -> the event line, its answer back to the host.
cat >"$TESTDIR/lat.sh" <<'GUEST'
i=0
while [ ! -e /dev/virtio-ports/org.evtrigger.bench ] && [ $i -lt 300 ]; do
	for p in /sys/class/virtio-ports/*; do
		n=$(cat "$p/name" 2>/dev/null); [ -n "$n" ] || continue
		b=${p##*/}
		[ -e "/dev/$b" ] || mknod "/dev/$b" c "$(cut -d: -f1 "$p/dev")" "$(cut -d: -f2 "$p/dev")"
		mkdir -p /dev/virtio-ports && ln -sf "../$b" "/dev/virtio-ports/$n"
	done
	sleep 0.1
	i=$((i + 1))
done
exec 3<>/dev/virtio-ports/org.evtrigger.0 4<>/dev/virtio-ports/org.evtrigger.bench || exit 1
echo "evt-guest: bench ports open"
while :; do
	# A read returns end-of-file while no host process is connected.
	if read -r go n <&4; then
		[ "$go" = go ] || continue
		printf 'type=information id=777 source=bench description=bench N=%s\n' "$n" >&3
		read -r answer <&3
		printf '%s %s\n' "$n" "$answer" >&4
	else
		sleep 0.05
	fi
done
GUEST

# The host side: "go N" every 1/LAT_RATE s (start to start), each after the
# previous answer; writes "N sent_us" to SENT. WARM warm-up events first
# (N=wK, not counted).
lat_driver() {
	python3 - "$@" <<-'PYEOF'
	import socket, sys, time
	path, count, rate, sent, warm = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(path)
	f = s.makefile("rb")
	bad = 0
	with open(sent, "w") as out:
	    names = ["w%d" % k for k in range(1, warm + 1)] + [str(k) for k in range(1, count + 1)]
	    for n in names:
	        t0 = time.time()
	        s.sendall(("go %s\n" % n).encode())
	        line = f.readline().decode().split()
	        if len(line) < 2 or line[0] != n or line[1] != "OK":
	            print("lat driver: event %s answered %r" % (n, line), file=sys.stderr)
	            bad += 1
	        if not n.startswith("w"):
	            out.write("%s %d\n" % (n, int(t0 * 1000000)))
	        time.sleep(max(0.0, 1.0 / rate - (time.time() - t0)))
	sys.exit(1 if bad else 0)
	PYEOF
}

bench_latency() {
	local i sock
	echo "== latency: guest event -> action process started, through the channel ($LAT_EVENTS events, one every $((1000 / LAT_RATE)) ms)"
	watch_stamp_rule lat 777 'sender = lat'
	watch_start --listener-user "$LISTEN_USER"
	testbed_guest --channel --script "$TESTDIR/lat.sh" lat
	bench_port_xml lat
	listen_start $NOLIMIT
	$VIRSH start lat >/dev/null || fail "cannot start guest lat"
	guest_wait_console lat 'evt-guest: bench ports open' 180
	sock=$(guest_channel_socket lat org.evtrigger.bench)
	if lat_driver "$sock" "$LAT_EVENTS" "$LAT_RATE" "$TESTDIR/lat.sent" 3; then
		for i in $(seq 600); do
			[ "$(watch_stamps)" -ge $((LAT_EVENTS + 3)) ] && break
			sleep 0.1
		done
	else
		lost "latency: the guest did not get OK for every event"
	fi
	[ "$(watch_stamps)" -ge $((LAT_EVENTS + 3)) ] ||
		lost "latency: $(watch_stamps) of $((LAT_EVENTS + 3)) actions ran"
	show "rule: [trigger] id = 777, sender = lat; [exec] command = stamp DIR EVENT_N"
	show "evtrigger run --listener-user $LISTEN_USER; evtrigger-listen --user $LISTEN_USER $NOLIMIT"
	show "host: 'go N' on org.evtrigger.bench; guest: printf 'type=information id=777 source=bench description=bench N=%s\\n' \$n >&3"
	entries_n_time EVENT_ID=777 EVENT_SENDER=lat _UID="$LISTEN_UID" | sort -k1,1 >"$TESTDIR/lat.entry"
	sort -k1,1 "$TESTDIR/lat.sent" >"$TESTDIR/lat.sent.s"
	: >"$TESTDIR/lat.total"; : >"$TESTDIR/lat.in"; : >"$TESTDIR/lat.host"
	join "$TESTDIR/lat.sent.s" "$TESTDIR/lat.entry" | while read -r n sent entry; do
		[ -e "$OUT/$n" ] || continue
		started=$(cat "$OUT/$n")
		echo $((started - sent)) >>"$TESTDIR/lat.total"
		echo $((entry - sent)) >>"$TESTDIR/lat.in"
		echo $((started - entry)) >>"$TESTDIR/lat.host"
	done
	pct "$TESTDIR/lat.total" "go -> action started (upper bound: includes host->guest hop)"
	pct "$TESTDIR/lat.in" "  go -> listener's journal entry"
	pct "$TESTDIR/lat.host" "  inside the host: journal entry -> action started"
	# The watcher's share, split at the job record's "created" time (as in
	# bench/watch.sh): entry -> job recorded, recorded -> action started.
	for rec in "$STATE"/jobs/*/record; do
		grep -qx rule=lat "$rec" || continue
		awk -F= '/^created=/ { c = $2 } /^field\.N=/ { n = $2 } END { print n, c }' "$rec"
	done | sort -k1,1 >"$TESTDIR/lat.created"
	join "$TESTDIR/lat.entry" "$TESTDIR/lat.created" | while read -r n entry created; do
		case $n in w*) continue ;; esac        # the warm-up events
		[ -e "$OUT/$n" ] && echo "$((created - entry)) $(($(cat "$OUT/$n") - created))"
	done >"$TESTDIR/lat.split"
	cut -d' ' -f1 "$TESTDIR/lat.split" >"$TESTDIR/lat.w"
	cut -d' ' -f2 "$TESTDIR/lat.split" >"$TESTDIR/lat.j"
	pct "$TESTDIR/lat.w" "    watcher: entry -> job recorded"
	pct "$TESTDIR/lat.j" "    jobs: recorded -> action started"
	[ "$(wc -l <"$TESTDIR/lat.total")" = "$LAT_EVENTS" ] ||
		lost "latency: $(wc -l <"$TESTDIR/lat.total") of $LAT_EVENTS events have an entry and an action"
	watch_assert_once
	listen_stop
	watch_stop
	$VIRSH destroy lat >/dev/null 2>&1
}

# tp_script M SOURCE: a guest script that makes M event lines, says so, then writes
# them all (blocking until the listener attaches) while a background loop
# reads the answers.
tp_script() {
	cat <<-GUEST
	mkdir -p /tmp
	seq 1 $1 | sed 's/.*/type=information id=778 source=$2 description=bench N=&/' >/tmp/ev
	exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
	echo "evt-guest: lines ready"
	( while :; do cat <&3 >>/tmp/answers; sleep 0.05; done ) &
	cat /tmp/ev >&3
	echo "evt-guest: lines written"
	while [ "\$(grep -c '^OK ' /tmp/answers)" -lt $1 ]; do sleep 1; done
	echo "evt-guest: all answered"
	GUEST
}

# tp_run G: G guests, TP_EVENTS each, the listener started once all are ready.
tp_run() {
	local g=$1 k names= total=$((g * TP_EVENTS)) got i r
	tp_script "$TP_EVENTS" "tp$g" >"$TESTDIR/tp.sh"
	for k in $(seq "$g"); do
		names="$names tp$g-$k"
		testbed_guest --channel --script "$TESTDIR/tp.sh" "tp$g-$k"
		$VIRSH start "tp$g-$k" >/dev/null || fail "cannot start guest tp$g-$k"
	done
	for k in $names; do guest_wait_console "$k" 'evt-guest: lines ready' 300; done
	listen_start $NOLIMIT
	# Until all are in, or 30 s without a new one.
	local last=0 still=0
	while :; do
		got=$(journal_count EVENT_ID=778 _UID="$LISTEN_UID" EVENT_SOURCE="tp$g")
		[ "$got" -ge "$total" ] && break
		if [ "$got" = "$last" ]; then
			still=$((still + 1))
			[ "$still" -ge 300 ] && break
		else
			still=0 last=$got
		fi
		sleep 0.1
	done
	r=$(span_rate EVENT_ID=778 _UID="$LISTEN_UID" EVENT_SOURCE="tp$g")
	set -- $r
	[ "$1" -ge "$total" ] || lost "throughput, $g guest(s): $1 of $total entries in the journal"
	printf '%-46s %d events/s (%d entries in %.2fs)\n' "listener, $g guest(s) x $TP_EVENTS events" \
		"$4" "$1" "$(echo "($3 - $2) / 1000000" | bc -l)"
	echo "$4" >"$TESTDIR/tp.rate.$g"
	for k in $names; do
		for i in $(seq 300); do
			grep -qF 'evt-guest: all answered' "$TESTDIR/$k.console" && break
			sleep 0.1
		done
		grep -qF 'evt-guest: all answered' "$TESTDIR/$k.console" ||
			lost "throughput: guest $k did not get every answer: $(tail -n 3 "$TESTDIR/$k.console")"
		$VIRSH destroy "$k" >/dev/null 2>&1
	done
	listen_stop
}

# standin_run: the channel alone, for scale: one guest, the same script,
# its host socket read by a stand-in that answers every line at once
# without the journal (host time of the first and last line received).
standin_run() {
	local r
	testbed_guest --channel --script "$TESTDIR/tp.sh" tpS
	$VIRSH start tpS >/dev/null || fail "cannot start guest tpS"
	guest_wait_console tpS 'evt-guest: lines ready' 300
	r=$(python3 - "$(guest_channel_socket tpS)" "$TP_EVENTS" <<-'PYEOF'
	import socket, sys, time, uuid
	path, want = sys.argv[1], int(sys.argv[2])
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(path)
	s.settimeout(60)
	buf, n, first, last = b"", 0, 0.0, 0.0
	while n < want:
	    d = s.recv(65536)
	    if not d:
	        break
	    now = time.time()
	    buf += d
	    k = buf.count(b"\n")
	    if k:
	        first = first or now
	        last = now
	        n += k
	        buf = buf[buf.rfind(b"\n") + 1:]
	        s.sendall(b"".join(b"OK %s\n" % str(uuid.uuid4()).encode() for _ in range(k)))
	print(n, "%.1f" % ((last - first) * 1000))
	PYEOF
	)
	set -- $r
	[ "${1:-0}" -ge "$TP_EVENTS" ] || lost "stand-in: ${1:-0} of $TP_EVENTS lines arrived"
	# Few lines arrive in a few reads: a span, not a rate.
	printf '%-46s all %d lines within %s ms of the first\n' "  for scale: the channel alone, 1 guest" "${1:-0}" "${2:-0}"
	echo "     (stand-in answering at once, no journal: guest + virtio-serial + QEMU)"
	$VIRSH destroy tpS >/dev/null 2>&1
}

# local_run M: M lines with evcreate --batch, the same rate computation.
local_run() {
	local m=$1 r
	seq 1 "$m" | sed "s/.*/type=information id=779 source=local$m description=bench N=&/" >"$TESTDIR/local.$m"
	"$EVCREATE" --batch "$TESTDIR/local.$m" || lost "evcreate --batch failed"
	for i in $(seq 600); do
		[ "$(journal_count EVENT_ID=779 EVENT_SOURCE="local$m")" -ge "$m" ] && break
		sleep 0.1
	done
	set -- $(span_rate EVENT_ID=779 EVENT_SOURCE="local$m")
	[ "$1" -ge "$m" ] || lost "evcreate --batch: $1 of $m entries in the journal"
	printf '%-46s %d events/s (%d entries in %.2fs)\n' "evcreate --batch on the host, $m lines" \
		"$4" "$1" "$(echo "($3 - $2) / 1000000" | bc -l)"
	echo "$4" >"$TESTDIR/local.rate.$m"
}

bench_throughput() {
	local g
	echo "== throughput: events/s into the journal (journal timestamps, first -> last entry)"
	show "guest: seq 1 M | sed 's/.*/type=information id=778 source=tpG description=bench N=&/' >/tmp/ev; cat <&3 >>/tmp/answers & cat /tmp/ev >&3"
	show "evtrigger-listen --user $LISTEN_USER $NOLIMIT   (started once every guest is ready)"
	show "seq 1 M | sed 's/.*/type=information id=779 source=localM description=bench N=&/' | evcreate --batch FILE"
	for g in $TP_GUESTS; do
		tp_run "$g"
		[ "$g" = 1 ] && standin_run
		local_run $((g * TP_EVENTS))
		printf '%-46s %.2fx\n' "  listener / evcreate --batch ($g guest(s))" \
			"$(echo "$(cat "$TESTDIR/tp.rate.$g") / $(cat "$TESTDIR/local.rate.$((g * TP_EVENTS))")" | bc -l)"
	done
}

# mem_xml NAME: the smallest domain with the channel (it never runs a guest).
mem_xml() {
	cat <<-EOF
	<domain type='qemu'>
	  <name>$1</name>
	  <memory unit='MiB'>16</memory>
	  <vcpu>1</vcpu>
	  <os><type arch='x86_64' machine='pc'>hvm</type></os>
	  <devices>
	    <channel type='unix'><target type='virtio' name='org.evtrigger.0'/></channel>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	EOF
}

rss_of() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } /^RssAnon/ { a = $2 }
		END { printf "VmRSS %.1f MiB (RssAnon %.1f MiB, VmHWM %.1f MiB)", r / 1024, a / 1024, h / 1024 }' "/proc/$1/status"
}

bench_memory() {
	local k child t0
	echo "== memory: the listener with $MEM_DOMAINS attached domains (started paused)"
	show "virsh start --paused mK   ($MEM_DOMAINS domains, 16 MiB, one org.evtrigger.0 channel each)"
	show "grep VmRSS /proc/PID/status   (parent: evtrigger-listen; child: its unprivileged half)"
	listen_start $NOLIMIT
	for k in $(seq 50); do
		child=$(pgrep -P "$LISTEN_PID" | head -n 1)
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ] || fail "the listener has no child"
	sleep 1
	printf '%-46s parent %s\n' "no domain" "$(rss_of "$LISTEN_PID")"
	printf '%-46s child  %s\n' "" "$(rss_of "$child")"
	t0=$(now_us)
	for k in $(seq "$MEM_DOMAINS"); do
		mem_xml "m$k" >"$TESTDIR/m$k.xml"
		$VIRSH define "$TESTDIR/m$k.xml" >/dev/null || fail "cannot define m$k"
	done
	# Four at a time: libvirtd starts them in parallel.
	seq "$MEM_DOMAINS" | sed 's/^/m/' |
		xargs -P 4 -I{} $VIRSH start --paused {} >/dev/null ||
		lost "memory: a domain did not start"
	printf '%-46s %.1fs\n' "  starting them took" "$(echo "($(now_us) - $t0) / 1000000" | bc -l)"
	for k in $(seq 600); do
		[ "$(journal_count EVENT_ID=650 _PID="$LISTEN_PID")" -ge "$MEM_DOMAINS" ] && break
		sleep 0.1
	done
	k=$(journal_count EVENT_ID=650 _PID="$LISTEN_PID")
	[ "$k" -ge "$MEM_DOMAINS" ] || lost "memory: $k of $MEM_DOMAINS channels attached"
	sleep 1
	printf '%-46s parent %s\n' "$k domains attached (650 events)" "$(rss_of "$LISTEN_PID")"
	printf '%-46s child  %s\n' "" "$(rss_of "$child")"
	printf '%-46s %s\n' "  (states of all defined domains)" "$($VIRSH list --all | awk '{ print $3 }' | sort | uniq -c | tr -s ' \n' ' ')"
	listen_stop
	seq "$MEM_DOMAINS" | sed 's/^/m/' | xargs -P 4 -I{} $VIRSH destroy {} >/dev/null 2>&1
}

testbed_journald RateLimitBurst=0 RuntimeMaxUse=4G RuntimeMaxFileSize=512M \
	SystemMaxUse=4G SystemMaxFileSize=512M
testbed_libvirtd
testbed_listen_user
watch_setup
echo "# bench/listen-channel.sh on $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), build $BUILD"
case $WHAT in
latency) bench_latency ;;
throughput) bench_throughput ;;
memory) bench_memory ;;
all) bench_latency; bench_throughput; bench_memory ;;
*) echo "usage: bench/listen-channel.sh [BUILD] [latency|throughput|memory|all]" >&2; exit 2 ;;
esac
echo "# load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$FAILED"
