# The test bed: helpers for scenario scripts. Source it, then call
# testbed_journald to get a private systemd-journald. tests/run-all.sh runs
# every scenario in its own mount namespace (unshare -m), so the tmpfs mounts
# below hide the host's log from the test and the test's log from the host.
#
# Exports: BUILD (absolute), TOP (the source tree), TESTDIR (a scratch
# directory removed at exit), EVCREATE, EVTRIGGER.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "${BUILD:-$TOP/build}" && pwd)
EVCREATE=$BUILD/evcreate
EVTRIGGER=$BUILD/evtrigger
TESTDIR=$(mktemp -d /tmp/evt-test.XXXXXX)
JOURNALD_PID=
TESTBED_CLEANUPS=()

testbed_at_exit() {
	# Add a command to run when the scenario exits, newest first.
	TESTBED_CLEANUPS=("$*" "${TESTBED_CLEANUPS[@]}")
}

testbed_cleanup() {
	local c
	for c in "${TESTBED_CLEANUPS[@]}"; do eval "$c" || true; done
	# Whatever a failed scenario left running on its scratch directory (a
	# job process waiting on a gate file, a daemon not yet stopped): job
	# processes outlive the watcher by design, so nothing else ends them.
	pkill -KILL -f -- "$TESTDIR/" 2>/dev/null
	rm -rf "$TESTDIR"
}
trap testbed_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

note() {
	echo "# $*" >&2
}

# Refuses to run outside a private mount namespace: the scenario would touch
# the host's log.
testbed_require_namespace() {
	[ "${EVT_TESTBED_NS:-}" = 1 ] ||
		fail "run scenarios through tests/run-all.sh (needs a private mount namespace)"
	[ "$(id -u)" = 0 ] || fail "scenarios need root (mount namespaces, journald)"
}

# Starts a private systemd-journald with its sockets and files on tmpfs.
# Optional KEY=VALUE arguments go to its [Journal] configuration (a drop-in in
# the private /run/systemd/journald.conf.d), e.g. RateLimitBurst=0 for
# scenarios that write more than journald's default 10,000 entries per 30s.
testbed_journald() {
	local i kv
	testbed_require_namespace
	mount -t tmpfs -o mode=0755 tmpfs /run/systemd
	if [ $# -gt 0 ]; then
		mkdir -p /run/systemd/journald.conf.d
		{
			echo "[Journal]"
			for kv in "$@"; do echo "$kv"; done
		} > /run/systemd/journald.conf.d/testbed.conf
	fi
	mkdir -p /run/log /var/log/journal
	mount -t tmpfs -o mode=0755 tmpfs /run/log
	mount -t tmpfs -o mode=2755 tmpfs /var/log/journal
	/lib/systemd/systemd-journald >"$TESTDIR/journald.log" 2>&1 &
	JOURNALD_PID=$!
	testbed_at_exit "kill $JOURNALD_PID; wait $JOURNALD_PID 2>/dev/null"
	for i in $(seq 100); do
		[ -S /run/systemd/journal/socket ] &&
			[ -S /run/systemd/journal/dev-log ] && return 0
		sleep 0.05
	done
	fail "private journald did not start: $(cat "$TESTDIR/journald.log")"
}

# journal_count FIELD=VALUE... prints how many entries match.
journal_count() {
	journalctl --no-pager -q -o export "$@" 2>/dev/null | grep -c '^__CURSOR=' || true
}

# journal_wait N TIMEOUT_S FIELD=VALUE...: waits until at least N entries
# match; fails the scenario with what was seen otherwise.
journal_wait() {
	local want=$1 timeout=$2 i n=0
	shift 2
	for i in $(seq $((timeout * 20))); do
		n=$(journal_count "$@")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.05
	done
	fail "waited ${timeout}s for $want entries matching '$*', found $n"
}

# journal_field FIELD MATCH...: prints FIELD of the newest matching entry.
journal_field() {
	local field=$1
	shift
	journalctl --no-pager -q -n 1 -o export "$@" | sed -n "s/^$field=//p" | head -n 1
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}
