#!/bin/bash
# `evtrigger jobs` shows what a person waits for: step N of M, the step's
# and the job's percent, the item, a rate and the time left; `jobs --watch
# JOB` follows the job until it ends, as plain lines on a pipe and as a
# progress bar on a terminal (script(1)). STEP_PROGRESS events are limited:
# the first and the last of a step always, at most one per 10 %.
# Progress is driven by the test (the paced module waits for gate files);
# every wait is on what evtrigger shows, never on time.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
ACT=$TESTDIR/actions GATE=$TESTDIR/gate
mkdir -p "$ACT" "$GATE"
cc -shared -fPIC -I"$TOP/actions" -I"$TOP/lib" -o "$ACT/paced.so" \
	"$TOP/tests/scenario/modules/paced.c" || fail "cannot build paced.so"
ln -s "$BUILD/actions/exec.so" "$ACT/exec.so"
truncate -s 64M "$TESTDIR/disk.img"
command -v script >/dev/null || fail "script(1) is not installed (bsdutils)"

cat >"$RULES/paced.rule" <<RULE
[trigger]
id = 950
[job]
vm = vdc
steps = paced exec
[paced]
gate = $GATE
item = $TESTDIR/disk.img
at = 0 10 20 30 40 50 60 70 80 90 100
[exec]
command = /bin/true
RULE
watch_start --action-dir "$ACT"
"$EVCREATE" --id 950 --type information --source test --description go || fail "evcreate"
journal_wait 1 60 EVENT_ID=610 STEP=paced
job=$(journal_field JOB_ID EVENT_ID=610 STEP=paced)
jobs() { "$EVTRIGGER" jobs --state-dir "$STATE" "$@"; }

# release P: lets the module report P, and waits until the record has it.
release() {
	local i
	touch "$GATE/$1"
	for i in $(seq 600); do
		jobs --json | grep -q "\"percent\":$1," && return 0
		sleep 0.05
	done
	fail "the record never showed $1%: $(jobs --json)"
}
for p in 0 10 20 30; do release $p; done

# The table: its header, and the job's row.
jobs > "$TESTDIR/table"
head -n 1 "$TESTDIR/table" | grep -Eq '^JOB +VM +RULE +STATE +STEP +PCT +JOB% +ITEM +RATE +LEFT +STARTED +ELAPSED +ENTRY +RUN$' ||
	fail "header: $(cat "$TESTDIR/table")"
row=$(grep "^$job " "$TESTDIR/table") || fail "no row for $job: $(cat "$TESTDIR/table")"
echo "$row" | grep -Eq "^$job +vdc +paced +running +paced 1/2 +30% +15% +disk.img +[0-9.]+(B|KiB|MiB|GiB)/s +~[0-9]" ||
	fail "row: $row"
jobs --json | grep -q '"step_index":1,"step_count":2,' || fail "json: $(jobs --json)"
jobs --json | grep -q '"job_percent":15' || fail "json job_percent: $(jobs --json)"
# A long rule name and a long item keep the columns in line: every row's
# STATE starts where the header's does.
col=$(head -n 1 "$TESTDIR/table" | grep -bo 'STATE' | head -n 1 | cut -d: -f1)
assert_eq "$(echo "$row" | grep -bo ' running' | head -n 1 | cut -d: -f1)" "$((col - 1))" "STATE column"

# Watch it: a pipe and a terminal.
jobs --watch "$job" > "$TESTDIR/watch.out" 2>&1 &
plain=$!
script -qfec "$EVTRIGGER jobs --watch --state-dir $STATE $job" /dev/null \
	> "$TESTDIR/tty.out" 2>&1 < /dev/null &
tty=$!
wait_out() {     # wait_out FILE TEXT
	local i
	for i in $(seq 600); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.05
	done
	fail "no '$2' in $1: $(tail -n 5 "$1")"
}
wait_out "$TESTDIR/watch.out" "running step paced 1/2 30% (job 15%) disk.img"
wait_out "$TESTDIR/tty.out" "[#########---------------------]  30%  job 15%"
for p in 40 50 60 70 80 90; do
	release $p
	wait_out "$TESTDIR/watch.out" "running step paced 1/2 $p% (job $((p / 2))%) disk.img"
done
touch "$GATE/100"
journal_wait 1 60 EVENT_ID=601 JOB_ID="$job"
wait "$plain" || fail "jobs --watch exited with $? for a finished job"
wait "$tty" || fail "jobs --watch on a terminal exited with $?"
tail -n 1 "$TESTDIR/watch.out" | grep -q "^[0-9:]* $job finished step exec 2/2 .*(job 100%)" ||
	fail "last line: $(tail -n 3 "$TESTDIR/watch.out")"
grep -q $'\033' "$TESTDIR/watch.out" && fail "escape sequences on a pipe"
grep -q $'\033\\[2K' "$TESTDIR/tty.out" || fail "no redraw on a terminal: $(cat -v "$TESTDIR/tty.out" | tail -n 3)"
grep -qF "finished  step exec 2/2" "$TESTDIR/tty.out" || fail "tty end: $(cat -v "$TESTDIR/tty.out" | tail -n 3)"
# The pipe printed one line per change, not one per redraw.
assert_eq "$(grep -c "paced 1/2 50%" "$TESTDIR/watch.out")" 1 "lines for 50%"

# STEP_PROGRESS: 11 reports, the first (0 %) and the last (100 %) logged,
# at most one per 10 % between.
n=$(journal_count EVENT_ID=611 JOB_ID="$job")
[ "$n" -ge 2 ] && [ "$n" -le 11 ] || fail "$n STEP_PROGRESS events"
pcts=$(journalctl --no-pager -q -o cat --output-fields=PERCENT EVENT_ID=611 JOB_ID="$job")
assert_eq "$(echo "$pcts" | head -n 1)" 0 "first STEP_PROGRESS"
assert_eq "$(echo "$pcts" | tail -n 1)" 100 "last STEP_PROGRESS"

# A burst of every percent: two events unless 5 s pass between reports.
rm -f "$GATE"/*
sed -i "s/^at = .*/at = $(seq -s ' ' 0 100)/" "$RULES/paced.rule"
for p in $(seq 0 100); do touch "$GATE/$p"; done
before=$(journal_count EVENT_ID=642)
kill -HUP "$WATCH_PID"
journal_wait $((before + 1)) 60 EVENT_ID=642
"$EVCREATE" --id 950 --type information --source test --description burst || fail "evcreate"
journal_wait 2 60 EVENT_ID=601
job2=$(journalctl --no-pager -q -o cat --output-fields=JOB_ID EVENT_ID=601 | tail -n 1)
[ "$job2" != "$job" ] || fail "no second job"
n=$(journal_count EVENT_ID=611 JOB_ID="$job2")
[ "$n" -ge 2 ] && [ "$n" -le 11 ] || fail "$n STEP_PROGRESS events for 101 reports"
watch_stop

# No job: --watch says so; a wrong state dir is an error, not "no jobs".
assert_eq "$(jobs --watch)" "no job is running or queued" "watch with nothing to watch"
"$EVTRIGGER" jobs --state-dir "$TESTDIR/nonexistent" >/dev/null 2>&1
assert_eq "$?" 5 "jobs with a state dir that does not exist"
