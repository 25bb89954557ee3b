#!/bin/bash
# `evtrigger test` is a dry run: given an event on the command line or by
# journal cursor, it says for every rule whether it would fire and, if not,
# why (id, type, source, a field, who wrote it, max-age, a job of its VM
# running), and it runs nothing, records no job and logs nothing.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

cat > "$RULES/777-vdc.rule" <<RULE
[trigger]
id = 777
type = warning
source = John
[job]
vm = vdc
steps = exec
[exec]
command = $BUILD/tools/stamp $OUT EVENT_N
RULE
cat > "$RULES/disk-full.rule" <<RULE
[trigger]
id = 2013
DISK = vd*
[job]
steps = exec
[exec]
command = $BUILD/tools/stamp $OUT EVENT_N
RULE
cat > "$RULES/from-guest.rule" <<RULE
[trigger]
id = 777
sender = vdc
[job]
steps = exec
[exec]
command = $BUILD/tools/stamp $OUT EVENT_N
RULE
cat > "$RULES/young.rule" <<RULE
[trigger]
id = 778
max-age = 1ms
[job]
steps = exec
[exec]
command = $BUILD/tools/stamp $OUT EVENT_N
RULE

dry() {
	"$EVTRIGGER" test --rules-dir "$RULES" --state-dir "$STATE" \
		--action-dir "$BUILD/actions" "$@"
}
# The verdict and reason of one rule in dry's output.
line_of() { grep "^$1 " | sed 's/^[^ ]*  *//'; }

out=$(dry --id 777 --type warning --source John N=1); rc=$?
assert_eq "$rc" 0 "exit status when a rule fires"
assert_eq "$(line_of 777-vdc <<<"$out")" "fires    would run exec on vm vdc" "777-vdc"
assert_eq "$(line_of disk-full <<<"$out")" "no       id 777, the rule wants 2013" "disk-full"
assert_eq "$(line_of from-guest <<<"$out")" \
	"refused  written by a user or unit the rule does not allow" "from-guest, local writer"

out=$(dry --id 777 --type error --source John); rc=$?
assert_eq "$rc" 1 "exit status when no rule fires"
assert_eq "$(line_of 777-vdc <<<"$out")" "no       type ERROR, the rule wants WARNING" "type"
out=$(dry --id 777 --type warning --source Jane)
assert_eq "$(line_of 777-vdc <<<"$out")" \
	"no       EVENT_SOURCE is 'Jane', the rule wants 'John'" "source"
out=$(dry --id 2013 DISK=sda)
assert_eq "$(line_of disk-full <<<"$out")" "no       DISK is 'sda', the rule wants 'vd*'" "field"
out=$(dry --id 2013 DISK=vdb --uid nobody)
assert_eq "$(line_of disk-full <<<"$out")" \
	"refused  written by a user or unit the rule does not allow" "uid"
out=$(dry --id 777 --type warning --source John --sender vdc --auth channel)
assert_eq "$(line_of from-guest <<<"$out")" "fires    would run exec" "sender vdc"
assert_eq "$(line_of 777-vdc <<<"$out")" \
	"refused  a remote event, and the rule names no sender" "777-vdc from a guest"
out=$(dry --id 777 --sender web)
assert_eq "$(line_of from-guest <<<"$out")" "refused  the sender may not fire this rule" "sender web"

# From the journal, by cursor: the entry's own writer and time.
"$EVCREATE" --type warning --id 777 --source John --description ready --field N=2 ||
	fail "evcreate failed"
journal_wait 1 30 EVENT_ID=777
cursor=$(journalctl -q -o export EVENT_ID=777 | sed -n 's/^__CURSOR=//p' | tail -n 1)
out=$(dry --cursor "$cursor")
assert_eq "$(line_of 777-vdc <<<"$out")" "fires    would run exec on vm vdc" "by cursor"
"$EVCREATE" --type warning --id 778 --source John --description old || fail "evcreate failed"
journal_wait 1 30 EVENT_ID=778
cursor=$(journalctl -q -o export EVENT_ID=778 | sed -n 's/^__CURSOR=//p' | tail -n 1)
sleep 0.01      # the entry is then surely older than 1ms
out=$(dry --cursor "$cursor")
case $(line_of young <<<"$out") in
"refused  the event is "*" old, older than the maximum age 1ms") ;;
*) fail "max-age: $out" ;;
esac
dry --cursor "s=nonexistent" >/dev/null 2>&1
assert_eq "$?" 4 "exit status for a cursor with no entry"

# Nothing ran, nothing was recorded, nothing was logged by evtrigger.
assert_eq "$(watch_stamps)" 0 "actions run by dry runs"
assert_eq "$(find "$STATE" -mindepth 1 | wc -l)" 0 "files in the state directory"
assert_eq "$(journal_count SYSLOG_IDENTIFIER=evtrigger)" 0 "evtrigger's journal entries"

# Busy: while a job of vm vdc runs, the rule is ignored (on-busy = ignore).
cat > "$RULES/hold.rule" <<RULE
[trigger]
id = 900
[job]
vm = vdc
steps = exec
[exec]
command = /bin/sh -c "touch $OUT/held; while [ ! -e $TESTDIR/release ]; do sleep 0.1; done"
RULE
watch_start
"$EVCREATE" --id 900 --type information --source hold --description hold || fail "evcreate"
for i in $(seq 600); do [ -e "$OUT/held" ] && break; sleep 0.1; done
[ -e "$OUT/held" ] || fail "the holding job did not start"
out=$(dry --id 777 --type warning --source John); rc=$?
assert_eq "$rc" 1 "exit status while busy and on-busy = ignore"
case $(line_of 777-vdc <<<"$out") in
"ignored  busy: job "*" of vm 'vdc' is running (step exec); on-busy = ignore: this trigger would be dropped") ;;
*) fail "busy: $out" ;;
esac
touch "$TESTDIR/release"
journal_wait 1 60 EVENT_ID=601 RULE=hold
out=$(dry --id 777 --type warning --source John)
assert_eq "$(line_of 777-vdc <<<"$out")" "fires    would run exec on vm vdc" "after the job"
watch_stop
assert_eq "$(journal_count EVENT_ID=600)" 1 "jobs started (only the holding one)"
