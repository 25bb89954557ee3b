#!/bin/bash
# On a host without journald, evcreate's default target is syslog through
# /dev/log: here a real rsyslogd owns /dev/log (as on such a host) and
# receives the event. The private /dev is a tmpfs in this scenario's own
# mount namespace, with the few device nodes a script needs bound in.
source "$(dirname "$0")/../lib/testbed.sh"
source "$TOP/tests/lib/docs.sh"
testbed_require_namespace
command -v rsyslogd >/dev/null || fail "rsyslogd not installed (tools/deps.sh test)"

# No journald: an empty /run/systemd.
mount -t tmpfs -o mode=0755 tmpfs /run/systemd

# A private /dev. Device nodes are bound file by file (never a directory
# bind of the real /dev under $TESTDIR, which the cleanup removes).
mkdir "$TESTDIR/nodes"
for n in null zero urandom random full; do
	touch "$TESTDIR/nodes/$n"
	mount --bind "/dev/$n" "$TESTDIR/nodes/$n" || fail "bind /dev/$n"
done
mount -t tmpfs -o mode=0755 tmpfs /dev || fail "tmpfs on /dev"
testbed_at_exit "umount -l /dev; for n in $TESTDIR/nodes/*; do umount \$n; done"
for n in null zero urandom random full; do
	touch "/dev/$n"
	mount --bind "$TESTDIR/nodes/$n" "/dev/$n" || fail "bind /dev/$n back"
done
ln -s /proc/self/fd /dev/fd
[ ! -e /dev/log ] || fail "/dev/log exists in the private /dev"

# Without anything on /dev/log: the error names both paths.
"$EVCREATE" -i 1 -d x 2>"$TESTDIR/err"
assert_eq "$?" 4 "exit code without journald and /dev/log"
assert_eq "$(cat "$TESTDIR/err")" \
	"evcreate: no log target: neither /run/systemd/journal/socket nor /dev/log exists" \
	"message without any target"
"$EVCREATE" --target syslog -i 1 -d x 2>"$TESTDIR/err"
assert_eq "$?" 4 "exit code, --target syslog without /dev/log"
assert_eq "$(cat "$TESTDIR/err")" \
	"evcreate: syslog is not available: /dev/log: No such file or directory" \
	"message, --target syslog without /dev/log"

# rsyslogd on /dev/log, configured as it ships: its local-socket parser reads
# the classic form, evcreate's default there (evcreate(1), NOTES).
OUT=$TESTDIR/received
cat >"$TESTDIR/rsyslog.conf" <<CONF
global(workDirectory="$TESTDIR")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
template(name="fields" type="string"
	string="msgid=%msgid%|app=%app-name%|sev=%syslogseverity%|sd=%structured-data%|msg=%msg%\n")
*.* action(type="omfile" file="$OUT" template="fields")
CONF
rsyslogd -n -f "$TESTDIR/rsyslog.conf" -i "$TESTDIR/rsyslogd.pid" \
	>"$TESTDIR/rsyslogd.log" 2>&1 &
RSYSLOG_PID=$!
testbed_at_exit "kill $RSYSLOG_PID; wait $RSYSLOG_PID 2>/dev/null"
for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done
[ -S /dev/log ] || fail "rsyslogd did not make /dev/log: $(cat "$TESTDIR/rsyslogd.log")"

# The default target, no option: syslog on /dev/log, the classic form.
"$EVCREATE" -t warning -i 777 -s John -d "VDC Ready for compaction" -f VM=vdc ||
	fail "evcreate without journald: exit $?"
# The journal, asked for by name, is still an error, not a fallback.
"$EVCREATE" --target journal -i 778 -s John -d "not written" 2>"$TESTDIR/err"
assert_eq "$?" 4 "exit code, --target journal without journald"
# (rsyslogd logs its own start too: only John's lines count.)
for _ in $(seq 200); do grep -q '|app=John|' "$OUT" 2>/dev/null && break; sleep 0.05; done
assert_eq "$(grep '|app=John|' "$OUT" | sed 's/msg=\xef\xbb\xbf/msg=/')" \
	'msgid=-|app=John|sev=4|sd=-|msg= [evtrigger@32473 id="777" log="Application" VM="vdc"] VDC Ready for compaction' \
	"event received on /dev/log"

# evcreate(1)'s example for such a host, as printed.
PATH=$BUILD:$PATH doc_example_run man/evcreate.1:examples:5
for _ in $(seq 200); do grep -q '|app=John|.*\] ready$' "$OUT" 2>/dev/null && break; sleep 0.05; done
assert_eq "$(grep '|app=John|.*\] ready$' "$OUT" | sed 's/msg=\xef\xbb\xbf/msg=/')" \
	'msgid=-|app=John|sev=6|sd=-|msg= [evtrigger@32473 id="777" log="Application"] ready' \
	"evcreate(1)'s rfc3164 example, received on /dev/log"
echo ok
