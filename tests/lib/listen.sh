# The listener part of the test bed: its unprivileged user and a running
# evtrigger-listen. Source it after tests/lib/testbed.sh and tests/lib/vm.sh:
#
#   testbed_journald; testbed_libvirtd
#   testbed_listen_user             # user evtrigger-listen, journal readable
#   listen_start [OPTION...]        # $BUILD/evtrigger-listen --user ... &
#   listen_stop                     # SIGTERM, wait; fails unless it exits
#                                   # 0 with no sanitizer report
#   listen_wait_attached VM [N]     # N-th CHANNEL_ATTACHED event (650) of VM
#
# The user. evtrigger-listen's child runs as its own user, a system user (uid
# below 1000, so journald files its entries in the system journal, where the
# watcher reads them) in group systemd-journal (to read its entries back).
# Like libvirt-qemu in vm.sh, it is added to private copies of /etc/passwd
# and /etc/group bind-mounted in the scenario's namespace. The private
# journald's directories are tmpfs owned by root, so they are given group
# systemd-journal with the setgid bit, as systemd-tmpfiles does on a real
# host, and the files journald already made are made group-readable.
#
# Exports: LISTEN_USER, LISTEN_UID, LISTEN_PID, LISTEN_LOG.

LISTEN_USER=evtrigger-listen
LISTEN_UID=
LISTEN_PID=
LISTEN_LOG=$TESTDIR/listen.log
EVTRIGGER_LISTEN=$BUILD/evtrigger-listen

testbed_listen_user() {
	local uid d p g
	if ! getent passwd "$LISTEN_USER" >/dev/null; then
		for uid in $(seq 989 -1 900); do
			getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null ||
				break
		done
		# vm.sh's private copies when it made them (written in place:
		# they are bind-mounted), else new ones.
		p=$TESTDIR/passwd g=$TESTDIR/group
		if [ ! -f "$p" ] || [ ! -f "$g" ]; then
			p=$TESTDIR/passwd.listen g=$TESTDIR/group.listen
			cp /etc/passwd "$p" && cp /etc/group "$g" || fail "cannot copy /etc/passwd"
			mount --bind "$p" /etc/passwd || fail "cannot bind-mount /etc/passwd"
			mount --bind "$g" /etc/group || fail "cannot bind-mount /etc/group"
		fi
		echo "$LISTEN_USER:x:$uid:$uid:evtrigger listener:/nonexistent:/usr/sbin/nologin" >>"$p"
		{
			getent group systemd-journal >/dev/null ||
				echo "systemd-journal:x:$((uid - 1)):"
			echo "$LISTEN_USER:x:$uid:"
		} >>"$g"
		sed "s/^\(systemd-journal:[^:]*:[^:]*:\)\(.\+\)\$/\1\2,$LISTEN_USER/;
			s/^\(systemd-journal:[^:]*:[^:]*:\)\$/\1$LISTEN_USER/" "$g" >"$g.new" &&
			cat "$g.new" >"$g" && rm -f "$g.new" || fail "cannot edit $g"
	fi
	LISTEN_UID=$(id -u "$LISTEN_USER") || fail "no user $LISTEN_USER"
	id -Gn "$LISTEN_USER" | grep -qw systemd-journal ||
		fail "$LISTEN_USER is not in group systemd-journal"
	for d in /run/log/journal /var/log/journal; do
		[ -d "$d" ] || continue
		chgrp -R systemd-journal "$d" && chmod -R g+rX "$d" &&
			find "$d" -type d -exec chmod g+s {} + ||
			fail "cannot make $d readable by group systemd-journal"
	done
}

# listen_start [OPTION...]: starts the listener in the background as
#   $BUILD/evtrigger-listen --user evtrigger-listen OPTION...
# (libvirt: qemu:///system, the test bed's private libvirtd), its stderr in
# $LISTEN_LOG. It does not wait: a guest's write waits for the listener
# anyway, and listen_wait_attached waits for its CHANNEL_ATTACHED event.
listen_start() {
	"$EVTRIGGER_LISTEN" --user "$LISTEN_USER" "$@" >>"$LISTEN_LOG" 2>&1 &
	LISTEN_PID=$!
	testbed_at_exit "listen_kill $LISTEN_PID"
}

listen_kill() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	true
}

listen_stop() {
	local rc
	[ -n "$LISTEN_PID" ] || return 0
	kill "$LISTEN_PID" 2>/dev/null
	wait "$LISTEN_PID"
	rc=$?
	LISTEN_PID=
	[ "$rc" = 0 ] || fail "evtrigger-listen exited $rc: $(tail -n 20 "$LISTEN_LOG")"
	listen_check_log
}

# listen_check_log: fails if the listener's stderr has a sanitizer report.
listen_check_log() {
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LISTEN_LOG" ||
		fail "sanitizer report from evtrigger-listen: $(grep -m1 -A20 -E 'Sanitizer|runtime error' "$LISTEN_LOG")"
}

# listen_wait_attached VM [N [TIMEOUT_S]]: waits for the N-th (default 1)
# "channel attached" event of VM.
listen_wait_attached() {
	journal_wait "${2:-1}" "${3:-60}" EVENT_ID=650 VM="$1"
}
