# Several hosts on one machine: the test bed of evtrigger on several hosts
# (issue 11). Source it after tests/lib/tls.sh (a private network namespace,
# shared by all hosts), tests/lib/testbed.sh and tests/lib/nats.sh:
#
#   nats_cluster_start                  # (nats.sh) kvm1 kvm2 kvm3
#   host_start kvm1 kvm2:vdc            # host kvm1: no VM; host kvm2: a
#                                       # TCG guest vdc, defined
#   host_tls                            # certificates, senders files
#   host_stamp_rule kvm2 NAME TRIGGER-LINES   # a rule: exec tools/stamp
#   host_bus_start kvm1 [VAR=VALUE...]  # its evtrigger-bus, from doc/nats/bus.conf
#   host_bus_stop / host_bus_kill9 / host_bus_wait_exit kvm1
#   host_listen_start kvm1 [--no-bus] [OPTION...]  # evtrigger-listen --tls
#   host_watch_start kvm1 [OPTION...]   # evtrigger run with that host's rules
#   host_vm_start kvm2 vdc              # boots the guest, waits for it
#   host_send kvm1 EVCREATE-ARGS...     # evcreate --server kvm1, as backup01
#   host_run kvm2 CMD...                # runs a command inside the host
#   host_journal_count kvm1 FIELD=VALUE...; host_journal_wait kvm1 N S FIELD=VALUE...
#   host_journal_field kvm1 FIELD MATCH...; host_wait_stamp kvm2 UUID [S]
#   host_stamps / host_jobs / host_assert_once kvm2
#
# What a host is. A background `unshare -m -u --propagation private`
# process running this file (HOSTS_MAIN=NAME): its own mount namespace and
# hostname (UTS namespace), in which it starts a private journald and
# libvirtd (testbed.sh, vm.sh: tmpfs over their directories, so each host
# has its own journal and its own domains), adds the listener's user
# (listen.sh), defines its guest if it has one, says it is ready and then
# sleeps. Its TESTDIR (its scratch directory, HOST_DIR[NAME] here) holds its
# files: rules.d, state, bus.conf, logs, the guest's console. SIGTERM makes
# it tear all of that down (testbed_cleanup: domains destroyed, QEMU killed,
# libvirtd and journald stopped); host_stop then kills whatever is left in
# its mount namespace, so no QEMU outlives the scenario.
#
# host_run NAME CMD... runs CMD in the host's mount and UTS namespaces with
# nsenter; host_bg NAME CMD... & the same in the background, $! being CMD's
# pid. The network namespace is the scenario's, shared by every host and
# the NATS nodes, so each host has its own loopback address: HOST_ADDR[NAME]
# (kvmK: 127.0.1.K), where its listener serves TLS on the default port 6514.
# The NATS cluster runs beside the hosts, not inside them (it needs nothing
# of theirs).
#
# Daemons of a host run as children of the scenario (host_bg ... &), their
# pids in HOST_BUS_PID, HOST_LISTEN_PID, HOST_WATCH_PID, their output in the
# host's directory (bus.log, listen.log, evtrigger.log); each is stopped at
# exit, before the hosts.
#
# TLS: host_tls makes a CA ($TESTDIR/ca.pem), a listener certificate for
# each host's address and a client certificate with SAN
# DNS:backup01.example.org, named backup01 in every host's senders file;
# HOST_SENDER=(evcreate options of that sender, without --server).

HOSTS_LIB=$TOP/tests/lib/hosts.sh
declare -A HOST_PID HOST_DIR HOST_ADDR HOST_BUS_PID HOST_LISTEN_PID HOST_WATCH_PID
HOST_SENDER=()
EVTRIGGER_BUS=$BUILD/evtrigger-bus
EVTRIGGER_LISTEN=$BUILD/evtrigger-listen
HOSTS_LISTEN_USER=evtrigger-listen

# host_main: what the host process runs (HOSTS_MAIN=NAME, HOSTS_READY=FILE,
# HOSTS_GUEST=VM or empty), inside its new namespaces.
host_main() {
	hostname "$HOSTS_MAIN" || fail "cannot set the hostname $HOSTS_MAIN"
	. "$TOP/tests/lib/vm.sh"
	. "$TOP/tests/lib/listen.sh"
	chmod 755 "$TESTDIR"
	testbed_journald RateLimitIntervalSec=0 RateLimitBurst=0
	testbed_libvirtd
	testbed_listen_user
	mkdir -p "$TESTDIR/rules.d" "$TESTDIR/state" "$TESTDIR/out"
	chmod 0777 "$TESTDIR/out"
	[ -z "${HOSTS_GUEST:-}" ] || testbed_guest "$HOSTS_GUEST"
	trap 'exit 0' TERM INT
	echo "$TESTDIR" >"$HOSTS_READY.tmp" && mv "$HOSTS_READY.tmp" "$HOSTS_READY"
	sleep infinity &
	wait $!
}

if [ -n "${HOSTS_MAIN:-}" ] && [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# This file run as a host (host_start).
	. "$(dirname "$0")/testbed.sh"
	host_main
	exit 0
fi

# host_start NAME[:VM]...: starts each host NAME (with a guest VM,
# defined, not started, when given) and waits until each is ready (its
# journald and libvirtd answer). The address of host kvmK is 127.0.1.K.
host_start() {
	local h name guest ready i
	for h in "$@"; do
		name=${h%%:*} guest=
		[ "$h" = "$name" ] || guest=${h#*:}
		HOSTS_MAIN=$name HOSTS_READY=$TESTDIR/host-$name.ready HOSTS_GUEST=$guest \
			unshare -m -u --propagation private bash "$HOSTS_LIB" \
			>"$TESTDIR/host-$name.log" 2>&1 &
		HOST_PID[$name]=$!
		testbed_at_exit "host_stop $name"
	done
	for h in "$@"; do
		name=${h%%:*}
		ready=$TESTDIR/host-$name.ready
		for i in $(seq 1200); do
			[ -s "$ready" ] && break
			kill -0 "${HOST_PID[$name]}" 2>/dev/null ||
				fail "host $name did not start: $(tail -n 20 "$TESTDIR/host-$name.log")"
			sleep 0.1
		done
		[ -s "$ready" ] || fail "host $name not ready within 120s: $(tail -n 20 "$TESTDIR/host-$name.log")"
		HOST_DIR[$name]=$(cat "$ready")
		HOST_ADDR[$name]=127.0.1.${name#kvm}
		assert_eq "$(host_run "$name" hostname)" "$name" "hostname inside host $name"
	done
}

# host_run NAME CMD...: CMD inside host NAME, in the current directory.
host_run() {
	local name=$1
	shift
	nsenter -t "${HOST_PID[$name]}" -m -u --wd="$PWD" -- "$@"
}

# host_bg NAME CMD... &: the same for a command put in the background: the
# background subshell becomes CMD (exec), so that $! is CMD's pid.
host_bg() {
	local name=$1
	shift
	exec nsenter -t "${HOST_PID[$name]}" -m -u --wd="$PWD" -- "$@"
}

# host_stop NAME: the daemons of the host, then the host itself (its own
# teardown), then anything still running in its mount namespace.
host_stop() {
	local name=$1 pid=${HOST_PID[$1]:-} ns p i
	[ -n "$pid" ] || return 0
	host_watch_stop_quietly "$name"
	host_daemon_kill "${HOST_LISTEN_PID[$name]:-}"
	host_daemon_kill "${HOST_BUS_PID[$name]:-}"
	HOST_LISTEN_PID[$name]= HOST_BUS_PID[$name]=
	ns=$(readlink "/proc/$pid/ns/mnt")
	kill "$pid" 2>/dev/null
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
		kill -9 "${p#/proc/}" 2>/dev/null
	done
	wait "$pid" 2>/dev/null
	HOST_PID[$name]=
	true
}

host_daemon_kill() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	true
}

# host_journal_count NAME FIELD=VALUE...: entries of host NAME's journal.
host_journal_count() {
	local name=$1
	shift
	host_run "$name" journalctl --no-pager -q -o export "$@" 2>/dev/null |
		grep -c '^__CURSOR=' || true
}

# host_journal_wait NAME N TIMEOUT_S FIELD=VALUE...
host_journal_wait() {
	local name=$1 want=$2 timeout=$3 i n=0
	shift 3
	for i in $(seq $((timeout * 5))); do
		n=$(host_journal_count "$name" "$@")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.2
	done
	fail "host $name: waited ${timeout}s for $want entries matching '$*', found $n"
}

# host_journal_field NAME FIELD MATCH...: FIELD of the newest match.
host_journal_field() {
	local name=$1 field=$2
	shift 2
	host_run "$name" journalctl --no-pager -q -n 1 -o export "$@" |
		sed -n "s/^$field=//p" | head -n 1
}

# host_bg_as_listener NAME CMD... &: host_bg as the listener's user.
host_bg_as_listener() {
	local name=$1
	shift
	host_bg "$name" setpriv --reuid="$HOSTS_LISTEN_USER" \
		--regid="$HOSTS_LISTEN_USER" --init-groups -- "$@"
}

# host_bus_config NAME: writes the host's bus.conf from the documented
# doc/nats/bus.conf: its host name, its socket in the host's directory,
# the cluster's servers (this host's node first), its user and a copy of
# its password file owned by the listener's user. Each replacement must hit.
host_bus_config() {
	local name=$1 d=${HOST_DIR[$1]} servers k=${1#kvm} s
	servers="nats://127.0.0.1:$(nats_port "$k")"
	for s in 1 2 3; do
		[ "$s" = "$k" ] || servers="$servers nats://127.0.0.1:$(nats_port "$s")"
	done
	cp "$(nats_password_file "$name")" "$d/bus.password" || fail "no password of $name"
	python3 - "$TOP/doc/nats/bus.conf" "$d/bus.conf" "$name" "$d/bus/bus.sock" \
		"$servers" "$d/bus.password" <<-'PYEOF' || fail "cannot make $d/bus.conf"
	import re, sys
	doc, out, name, sock, servers, pw = sys.argv[1:]
	s = open(doc).read()
	for key, value in (("host", name), ("socket", sock), ("servers", servers),
	                   ("user", name), ("password-file", pw),
	                   ("connect", "qemu:///system"), ("replicas", "3")):
	    s, n = re.subn(r"^%s = .*$" % re.escape(key), "%s = %s" % (key, value), s, flags=re.M)
	    if n != 1:
	        sys.exit("host_bus_config: key %s found %d times in %s" % (key, n, doc))
	open(out, "w").write(s)
	PYEOF
	# The socket's directory is the bus's, as its unit's RuntimeDirectory.
	mkdir -p "$d/bus"
	host_run "$name" chown "$HOSTS_LISTEN_USER:" "$d/bus" "$d/bus.conf" "$d/bus.password" &&
		chmod 0600 "$d/bus.conf" "$d/bus.password" || fail "cannot hand bus.conf to the listener's user"
}

# host_bus_start NAME [VAR=VALUE...]: evtrigger-bus of host NAME as the
# listener's user, with the environment given (e.g.
# EVTRIGGER_BUS_EXIT_AFTER_WRITE=1); waits until its socket exists and
# JetStream has its consumer host-NAME (asked through nats.sh).
host_bus_start() {
	local name=$1 d=${HOST_DIR[$1]} i
	shift
	[ -x "$EVTRIGGER_BUS" ] || fail "no $EVTRIGGER_BUS (the bus is not built)"
	[ -f "$d/bus.conf" ] || host_bus_config "$name"
	rm -f "$d/bus/bus.sock"
	host_bg_as_listener "$name" env "$@" "$EVTRIGGER_BUS" --config "$d/bus.conf" \
		>>"$d/bus.log" 2>&1 &
	HOST_BUS_PID[$name]=$!
	for i in $(seq 600); do
		[ -S "$d/bus/bus.sock" ] &&
			[ -n "$(nats_consumer_field "host-$name" num_pending)" ] && return 0
		kill -0 "${HOST_BUS_PID[$name]}" 2>/dev/null ||
			fail "evtrigger-bus of $name exited: $(tail -n 20 "$d/bus.log")"
		sleep 0.1
	done
	fail "evtrigger-bus of $name: no socket or no consumer host-$name within 60s: $(tail -n 20 "$d/bus.log")"
}

# host_bus_wait_exit NAME: waits for the bus to end (a test hook made it
# exit); its exit status in HOST_BUS_RC. (Not in a $(...): only this shell
# may wait for it.)
host_bus_wait_exit() {
	wait "${HOST_BUS_PID[$1]}"
	HOST_BUS_RC=$?
	HOST_BUS_PID[$1]=
}

host_bus_kill9() {
	kill -9 "${HOST_BUS_PID[$1]}" 2>/dev/null
	wait "${HOST_BUS_PID[$1]}" 2>/dev/null
	HOST_BUS_PID[$1]=
}

# host_bus_stop NAME: SIGTERM; fails unless it exits 0 with no sanitizer
# report.
host_bus_stop() {
	local name=$1 rc
	[ -n "${HOST_BUS_PID[$name]:-}" ] || return 0
	kill "${HOST_BUS_PID[$name]}"
	wait "${HOST_BUS_PID[$name]}"
	rc=$?
	HOST_BUS_PID[$name]=
	[ "$rc" = 0 ] || fail "evtrigger-bus of $name exited $rc: $(tail -n 20 "${HOST_DIR[$name]}/bus.log")"
	host_check_log "$name" bus.log
}

# host_check_log NAME FILE: no sanitizer report in the host's FILE.
host_check_log() {
	local f=${HOST_DIR[$1]}/$2
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" ||
		fail "sanitizer report in $1's $2: $(grep -m1 -A20 -E 'Sanitizer|runtime error' "$f")"
}

# host_tls: a CA, each started host's listener certificate and senders
# file, and the sender backup01's client certificate (see above).
host_tls() {
	local name
	chmod 755 "$TESTDIR"
	tls_ca ca
	tls_cert ca backup01 "DNS:backup01.example.org"
	for name in "${!HOST_DIR[@]}"; do
		tls_cert ca "listener-$name" "IP:${HOST_ADDR[$name]}"
		echo "backup01 x509 san=DNS:backup01.example.org" >"${HOST_DIR[$name]}/senders.conf"
		chmod 600 "${HOST_DIR[$name]}/senders.conf"
	done
	HOST_SENDER=(--ca "$TESTDIR/ca.pem" --cert "$TESTDIR/backup01.pem"
		--key "$TESTDIR/backup01.key")
}

# host_listen_start NAME [--no-bus] [OPTION...]: evtrigger-listen of host
# NAME serving TLS on its address (port 6514) with the senders file of
# host_tls, and --bus to the host's bus unless --no-bus; waits for the port.
host_listen_start() {
	local name=$1 d=${HOST_DIR[$1]} bus=1
	shift
	if [ "${1:-}" = --no-bus ]; then
		bus=0
		shift
	fi
	local opts=(--user "$HOSTS_LISTEN_USER" --tls "${HOST_ADDR[$name]}:6514"
		--senders "$d/senders.conf" --cert "$TESTDIR/listener-$name.pem"
		--key "$TESTDIR/listener-$name.key" --ca "$TESTDIR/ca.pem")
	[ "$bus" = 1 ] && opts+=(--bus "$d/bus/bus.sock")
	host_bg "$name" "$EVTRIGGER_LISTEN" "${opts[@]}" "$@" >>"$d/listen.log" 2>&1 &
	HOST_LISTEN_PID[$name]=$!
	host_wait_port "$name" "${HOST_ADDR[$name]}" 6514
}

host_wait_port() {
	local i
	for i in $(seq 600); do
		ss -Htln "src = $2 and sport = :$3" | grep -q . && return 0
		kill -0 "${HOST_LISTEN_PID[$1]}" 2>/dev/null ||
			fail "evtrigger-listen of $1 exited: $(tail -n 20 "${HOST_DIR[$1]}/listen.log")"
		sleep 0.1
	done
	fail "nothing listens on $2:$3: $(tail -n 20 "${HOST_DIR[$1]}/listen.log")"
}

# host_listen_stop NAME: SIGTERM; fails unless it exits 0 with no
# sanitizer report.
host_listen_stop() {
	local name=$1 rc
	[ -n "${HOST_LISTEN_PID[$name]:-}" ] || return 0
	kill "${HOST_LISTEN_PID[$name]}"
	wait "${HOST_LISTEN_PID[$name]}"
	rc=$?
	HOST_LISTEN_PID[$name]=
	[ "$rc" = 0 ] || fail "evtrigger-listen of $name exited $rc: $(tail -n 20 "${HOST_DIR[$name]}/listen.log")"
	host_check_log "$name" listen.log
}

# host_stamp_rule NAME RULE TRIGGER-LINES: writes RULE.rule into host
# NAME's rules.d: on TRIGGER-LINES (id, sender ...), exec stamp into the
# host's out/ directory, one file per EVENT_UUID.
host_stamp_rule() {
	local d=${HOST_DIR[$1]}
	printf '[trigger]\n%s\n[job]\nsteps = exec\non-busy = queue\n[exec]\ncommand = %s %s EVENT_UUID\n' \
		"$3" "$BUILD/tools/stamp" "$d/out" >"$d/rules.d/$2.rule.tmp" &&
		mv "$d/rules.d/$2.rule.tmp" "$d/rules.d/$2.rule" || fail "cannot write rule $2"
}

# host_watch_start NAME [OPTION...]: evtrigger run in host NAME with its
# rules, state and the listener's user; waits for its DAEMON_STARTED.
host_watch_start() {
	local name=$1 d=${HOST_DIR[$1]} before i
	shift
	before=$(host_journal_count "$name" EVENT_ID=640)
	host_bg "$name" "$EVTRIGGER" run --rules-dir "$d/rules.d" \
		--state-dir "$d/state" --action-dir "$BUILD/actions" \
		--listener-user "$HOSTS_LISTEN_USER" "$@" >>"$d/evtrigger.log" 2>&1 &
	HOST_WATCH_PID[$name]=$!
	for i in $(seq 300); do
		[ "$(host_journal_count "$name" EVENT_ID=640)" -gt "$before" ] && return 0
		kill -0 "${HOST_WATCH_PID[$name]}" 2>/dev/null || break
		sleep 0.2
	done
	fail "evtrigger run of $name did not start: $(tail -n 20 "$d/evtrigger.log")"
}

host_watch_stop() {
	local name=$1
	[ -n "${HOST_WATCH_PID[$name]:-}" ] || return 0
	kill -TERM "${HOST_WATCH_PID[$name]}"
	wait "${HOST_WATCH_PID[$name]}" ||
		fail "evtrigger run of $name exited with $? on SIGTERM: $(tail -n 20 "${HOST_DIR[$name]}/evtrigger.log")"
	HOST_WATCH_PID[$name]=
	host_check_log "$name" evtrigger.log
}

host_watch_stop_quietly() {
	host_daemon_kill "${HOST_WATCH_PID[$1]:-}"
	HOST_WATCH_PID[$1]=
}

# host_stamps NAME: how many stamps (actions run) host NAME has.
host_stamps() {
	find "${HOST_DIR[$1]}/out" -maxdepth 1 -type f ! -name '*.again' | wc -l
}

# host_jobs NAME: how many job directories host NAME's state has.
host_jobs() {
	find "${HOST_DIR[$1]}/state/jobs" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l
}

# host_wait_stamp NAME UUID [TIMEOUT_S]: waits until host NAME ran the
# action for the event UUID.
host_wait_stamp() {
	local i
	for i in $(seq $((${3:-60} * 10))); do
		[ -e "${HOST_DIR[$1]}/out/$2" ] && return 0
		sleep 0.1
	done
	fail "host $1 did not run the action of $2 within ${3:-60}s: $(tail -n 20 "${HOST_DIR[$1]}/evtrigger.log")"
}

# host_assert_once NAME: no action of host NAME ran twice.
host_assert_once() {
	local again
	again=$(find "${HOST_DIR[$1]}/out" -maxdepth 1 -name '*.again' | head -n 5)
	[ -z "$again" ] || fail "host $1 ran actions twice for: $again"
}

# host_vm_start NAME VM: starts the host's guest and waits until it booted.
host_vm_start() {
	host_run "$1" virsh -q -c qemu:///system start "$2" >/dev/null ||
		fail "cannot start $2 on $1: $(tail -n 5 "${HOST_DIR[$1]}/libvirtd.log")"
	host_wait_console "$1" "$2" 'evt-guest: ready' 180
}

# host_wait_console NAME VM TEXT TIMEOUT_S
host_wait_console() {
	local i f=${HOST_DIR[$1]}/$2.console
	for i in $(seq $(($4 * 10))); do
		grep -qF -- "$3" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "guest $2 on $1 did not print '$3' within $4s: $(tail -n 5 "$f" 2>/dev/null)"
}

# host_send HOST EVCREATE-ARGS...: the backup server (the scenario's own
# namespace, no host's) sends an event with evcreate --server to HOST's
# listener as sender backup01 (host_tls); fails unless it exits 0.
host_send() {
	local h=$1
	shift
	"$EVCREATE" --server "${HOST_ADDR[$h]}" "${HOST_SENDER[@]}" --timeout 60 \
		-t warning -s John "$@" 2>"$TESTDIR/evcreate.err" ||
		fail "evcreate to $h: exit $?: $(cat "$TESTDIR/evcreate.err")"
}
