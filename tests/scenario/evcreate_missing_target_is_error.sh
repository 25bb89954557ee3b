#!/bin/bash
# A chosen target that is not there is an error naming the path (exit 4),
# never a silent drop: no journald, no syslog socket, a socket nobody reads,
# a journald that went away.
source "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

expect() {
	local code=$1 msg=$2 rc
	shift 2
	"$EVCREATE" "$@" >"$TESTDIR/out" 2>"$TESTDIR/err" </dev/null
	rc=$?
	assert_eq "$rc" "$code" "exit code of evcreate $*"
	assert_eq "$(cat "$TESTDIR/err")" "evcreate: $msg" "message of evcreate $*"
}
ev=(-i 1 -s Gone -d text)

# No journald at all: an empty /run/systemd.
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
expect 4 "the journal is not available: /run/systemd/journal/socket: No such file or directory" \
	--target journal "${ev[@]}"
expect 4 "the journal is not available: /run/systemd/journal/socket: No such file or directory" \
	--target journal --batch - "${ev[@]}"
if [ ! -e /dev/log ]; then
	expect 4 "no log target: neither /run/systemd/journal/socket nor /dev/log exists" "${ev[@]}"
else
	note "/dev/log exists here: the no-target-at-all case is not tested"
fi

# No syslog socket at the path given.
expect 4 "syslog is not available: $TESTDIR/none.sock: No such file or directory" \
	--socket "$TESTDIR/none.sock" "${ev[@]}"
expect 4 "syslog is not available: $TESTDIR/none.sock: No such file or directory" \
	--target syslog --socket "$TESTDIR/none.sock" --batch - "${ev[@]}"
# A socket file that nobody reads any more.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.close()' \
	"$TESTDIR/dead.sock"
expect 4 "syslog is not available: $TESTDIR/dead.sock: Connection refused" \
	--target syslog --socket "$TESTDIR/dead.sock" "${ev[@]}"
# A path that is not a socket.
touch "$TESTDIR/file"
expect 4 "syslog is not available: $TESTDIR/file: Connection refused" \
	--socket "$TESTDIR/file" "${ev[@]}"

# A journald that went away and left its socket behind.
testbed_journald
kill "$JOURNALD_PID"
wait "$JOURNALD_PID" 2>/dev/null
[ -S /run/systemd/journal/socket ] || fail "journald removed its socket"
expect 4 "cannot write to the journal: /run/systemd/journal/socket: Connection refused" \
	"${ev[@]}"
printf 'id=1 description=a\nid=2 description=b\n' >"$TESTDIR/batch"
expect 4 "$TESTDIR/batch:1: cannot write to the journal: /run/systemd/journal/socket: Connection refused; stopped after 0 events" \
	--batch "$TESTDIR/batch"
echo ok
