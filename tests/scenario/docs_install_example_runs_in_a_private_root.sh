#!/bin/bash
# README's "Installing" block, read from README.md and run as printed, as
# root, in a private root: /usr/local, /var/lib/evtrigger and /run/evtrigger
# are tmpfs of this scenario's mount namespace and /etc a private copy, so
# `make install PREFIX=/usr/local` and useradd change nothing of the
# machine's. systemctl is systemctl_standin (tests/lib/docs.sh), which runs
# the installed units' ExecStart= as their drop-ins change it. Afterwards the
# installed evtrigger runs with README's --listener-user (the drop-in took),
# the installed listener runs as the user useradd made, and both logged
# its start in the (private) journal. make uses the tree under test as
# built (its BUILD and SANITIZE, from the environment).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/docs.sh"

testbed_journald
testbed_libvirtd
cp -a /etc "$TESTDIR/etc" && mount --bind "$TESTDIR/etc" /etc ||
	fail "cannot make a private /etc"
testbed_at_exit "umount -R -l /etc"
for d in /usr/local /var/lib/evtrigger /run/evtrigger; do
	mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" || fail "cannot mount a tmpfs on $d"
done
getent passwd evtrigger-listen >/dev/null && fail "user evtrigger-listen exists before useradd"
# The listener reads its entries back as group systemd-journal: the journal
# directories as systemd-tmpfiles leaves them on a real host.
getent group systemd-journal >/dev/null || groupadd --system systemd-journal ||
	fail "no group systemd-journal"
for d in /run/log/journal /var/log/journal; do
	[ -d "$d" ] || continue
	chgrp -R systemd-journal "$d" && chmod -R g+rX "$d" &&
		find "$d" -type d -exec chmod g+s {} + || fail "cannot open $d to systemd-journal"
done

san=$(sed -n 's/^#define EVT_SANITIZE \([01]\)$/\1/p' "$BUILD/config.h")
[ -n "$san" ] || fail "$BUILD/config.h does not say how it was built"
cd "$TOP" || fail "no TOP"
export BUILD=$(realpath --relative-to="$TOP" "$BUILD") SANITIZE=$san
systemctl_standin
doc_example_run README.md:installing:1 >"$TESTDIR/install.out"

[ -x /usr/local/sbin/evtrigger ] && [ -x /usr/local/sbin/evtrigger-listen ] ||
	fail "make install put no programs in /usr/local/sbin"
id -nG evtrigger-listen | grep -qw systemd-journal || fail "evtrigger-listen is not in systemd-journal"
pid=$(cat "$TESTDIR/evtrigger.mainpid")
testbed_at_exit "kill $pid 2>/dev/null"
# (the first one may have been stopped by the restart before it logged)
journal_wait 1 30 EVENT_ID=640 _PID=$pid
kill -0 "$pid" 2>/dev/null || fail "evtrigger is not running: $(cat "$TESTDIR/evtrigger.log")"
assert_eq "$(tr '\0' ' ' </proc/$pid/cmdline)" \
	"/usr/local/sbin/evtrigger run --listener-user evtrigger-listen " "evtrigger's command line"
lpid=$(cat "$TESTDIR/evtrigger-listen.mainpid")
testbed_at_exit "kill $lpid 2>/dev/null"
assert_eq "$(tr '\0' ' ' </proc/$lpid/cmdline)" "/usr/local/sbin/evtrigger-listen " \
	"evtrigger-listen's command line"
for _ in $(seq 100); do
	pgrep -u evtrigger-listen -f evtrigger-listen >/dev/null && break
	sleep 0.1
done
pgrep -u evtrigger-listen -f evtrigger-listen >/dev/null ||
	fail "no listener half runs as evtrigger-listen: $(cat "$TESTDIR/evtrigger-listen.log")"
kill "$pid" "$lpid"
echo "README's installing block ran"
