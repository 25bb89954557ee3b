#!/bin/bash
# eventtriggers' own command lines work beside the GNU forms: /Create with a
# trigger name holding a blank (Disk Cleanup -> Disk_Cleanup.rule, the name
# kept in the file), switches in any case; the rule passes check and fires
# on the event `evcreate /T WARNING /ID 777 /SO John /L APPLICATION` writes;
# /Query in TABLE, LIST and CSV, /V (trust, steps), /NH; trigger IDs from
# /Query used by /Delete /TID, /TID *; -V, help, -? and /?; and the GNU
# create/query/delete on the same rules. Mistakes are refused, writing
# nothing.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
export EVTRIGGER_RULES_DIR=$RULES EVTRIGGER_ACTION_DIR=$BUILD/actions
E=$EVTRIGGER

# The example of evtrigger(8) that holds TEXT, its continuation lines
# joined, as the man page prints it.
man_example_line() {
	MANWIDTH=200 man -l "$TOP/man/evtrigger.8" 2>/dev/null | sed 's/^ *//' |
		awk -v t="$1" 'index($0, t) { on = 1 } on { if (sub(/\\$/, "")) { printf "%s", $0; next } print; exit }'
}

only_files() {
	assert_eq "$(cd "$RULES" && ls -A | tr '\n' ' ')" "$*" "rules.d content"
}

# ---- version and help ------------------------------------------------------
assert_eq "$($E -V)" "evtrigger $($E --version | cut -d' ' -f2)" "-V"
for h in -? /? --help -h help; do
	$E "$h" >"$TESTDIR/o" 2>&1 || fail "evtrigger $h failed"
	grep -q '^usage: evtrigger COMMAND' "$TESTDIR/o" || fail "evtrigger $h: $(cat "$TESTDIR/o")"
	grep -q '/Create | /Query | /Delete' "$TESTDIR/o" || fail "evtrigger $h does not name the Windows verbs"
done
$E help query | grep -q '^usage: evtrigger query' || fail "help query"
$E help /query | grep -q '^usage: evtrigger /Query' || fail "help /query"
$E /Create /? | grep -q '^usage: evtrigger /Create' || fail "/Create /?"
$E /DELETE -? | grep -q '/Delete /TID' || fail "/DELETE -?"
for c in create query delete restore; do
	$E $c -? | grep -q "^usage: evtrigger $c" || fail "evtrigger $c -?"
done
rc=0; $E help nosuch 2>/dev/null || rc=$?
assert_eq "$rc" 2 "help of an unknown command"

# ---- /Create, as eventtriggers takes it -----------------------------------
$E /Create /TR "Disk Cleanup" /EID 777 /T WARNING /L APPLICATION /SO John \
	/TK "$BUILD/tools/stamp $OUT EVENT_N" >"$TESTDIR/o" 2>"$TESTDIR/err" ||
	fail "/Create: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/o")" "wrote $RULES/Disk_Cleanup.rule" "/Create output"
grep -qx '# Trigger name: Disk Cleanup' "$RULES/Disk_Cleanup.rule" ||
	fail "trigger name not kept: $(head -3 "$RULES/Disk_Cleanup.rule")"
grep -qx 'id = 777' "$RULES/Disk_Cleanup.rule" || fail "no id"
# Switches in any case, any order; the GNU form beside it.
$E /create /so backup /tk /bin/true /eid 4000 /t error /tr nightly \
	/d "backup failed" >/dev/null 2>"$TESTDIR/err" || fail "/create lower case: $(cat "$TESTDIR/err")"
$E create --name gnu-rule --id 901 --type information --run /bin/true \
	>/dev/null 2>"$TESTDIR/err" || fail "GNU create: $(cat "$TESTDIR/err")"
only_files "Disk_Cleanup.rule gnu-rule.rule nightly.rule "
# evtrigger(8)'s example, as printed there (into a directory of its own).
ex=$(man_example_line '/Create /TR "Disk Cleanup"')
mkdir "$TESTDIR/ex"
(eval "EVTRIGGER_RULES_DIR=$TESTDIR/ex $E ${ex#evtrigger }") >/dev/null 2>"$TESTDIR/err" ||
	fail "evtrigger(8) example: $ex: $(cat "$TESTDIR/err")"
grep -qx 'command = /usr/local/sbin/cleanup "/srv/vm data"' "$TESTDIR/ex/Disk_Cleanup.rule" ||
	fail "example's command: $(grep command "$TESTDIR/ex/Disk_Cleanup.rule")"
$E check >/dev/null 2>"$TESTDIR/err" || fail "check: $(cat "$TESTDIR/err")"

# Refused, nothing written.
refuse() { # RC TEXT ARGS...
	local want=$1 text=$2 rc=0
	shift 2
	$E "$@" >/dev/null 2>"$TESTDIR/err" || rc=$?
	assert_eq "$rc" "$want" "exit status of: $*"
	grep -qF -- "$text" "$TESTDIR/err" || fail "$*: expected '$text' in: $(cat "$TESTDIR/err")"
}
refuse 2 "unknown switch '/XX'" /Create /TR x /EID 1 /TK /bin/true /XX 1
refuse 2 "/TR NAME, /EID ID and /TK COMMAND are required" /Create /TR x /TK /bin/true
refuse 2 "/RP is not supported" /Create /TR x /EID 1 /TK /bin/true /RU root /RP secret
refuse 2 "remote systems (/S, /U, /P) are not supported" /Create /S host /TR x /EID 1 /TK /bin/true
refuse 2 "switch '/tr' given twice" /Create /TR x /tr y /EID 1 /TK /bin/true
refuse 6 "rule 'Disk_Cleanup' exists" /Create /TR "Disk Cleanup" /EID 1 /TK /bin/true
refuse 2 "remote systems" /Query /S host
refuse 2 "invalid /FO 'XML'" /Query /FO XML
only_files "Disk_Cleanup.rule gnu-rule.rule nightly.rule "

# ---- it fires on the eventcreate-style event ----------------------------------
watch_start
"$EVCREATE" --type WARNING --id 777 --source John --log APPLICATION \
	--description "disk full" --field N=1 || fail "evcreate failed"
watch_wait_stamps 1 30
watch_stop

# ---- /Query ---------------------------------------------------------------
tid=$($E /Query /FO CSV /NH | awk -F, '$2 == "Disk Cleanup" { print $1 }')
[ -n "$tid" ] || fail "no trigger ID for 'Disk Cleanup': $($E /Query)"
# Stable: the same after other rules come and go.
$E create --name extra --id 5 --run /bin/true >/dev/null
$E delete extra >/dev/null
assert_eq "$($E /Query /FO CSV /NH | awk -F, '$2 == "Disk Cleanup" { print $1 }')" "$tid" "trigger ID after changes"
# TABLE: eventtriggers' columns, underlined; /NH drops both lines.
$E /query >"$TESTDIR/table"
head -1 "$TESTDIR/table" | grep -q '^Trigger ID  Event Trigger Name  Task' || fail "table header: $(head -2 "$TESTDIR/table")"
sed -n 2p "$TESTDIR/table" | grep -q '^==========  ' || fail "no underline"
grep -q "^$tid  *Disk Cleanup  *$BUILD/tools/stamp" "$TESTDIR/table" || fail "table row: $(cat "$TESTDIR/table")"
assert_eq "$($E /QUERY /nh | wc -l)" 3 "rows without header"
# LIST /V: trust and steps too.
$E /Query /FO list /V >"$TESTDIR/list"
for want in "Trigger ID:          $tid" "Event Trigger Name:  Disk Cleanup" \
	"Event ID:            777" "Type:                warning" "Source:              John" \
	"Log:                 Application" "Steps:               exec" "Trust:               uid=0" \
	"Description:         backup failed"; do
	grep -qxF -- "$want" "$TESTDIR/list" || fail "/V LIST lacks '$want': $(cat "$TESTDIR/list")"
done
# CSV with a header; the GNU query in any-case format and -v.
assert_eq "$($E /Query /FO Csv | head -1)" "Trigger ID,Event Trigger Name,Task" "CSV header"
$E query --format CSV >/dev/null || fail "--format CSV refused"
# The GNU verb with eventtriggers' switches is the /Query form.
assert_eq "$($E query /FO csv /NH)" "$($E /Query /FO CSV /NH)" "query /FO"

$E query --format Json | grep -q '"name":"Disk_Cleanup"' || fail "--format Json"
$E query -v --format csv --no-header | grep -q "^$tid,Disk_Cleanup,777," || fail "query -v: $($E query -v --format csv)"

# ---- /Delete ---------------------------------------------------------------
refuse 4 "no trigger ID 1 in" /Delete /TID 1
refuse 2 "invalid trigger ID 'x'" /Delete /TID x
refuse 2 "/TID ID|* is required" /Delete
$E /Delete /TID "$tid" >"$TESTDIR/o" || fail "/Delete /TID $tid"
assert_eq "$(cat "$TESTDIR/o")" "removed $RULES/Disk_Cleanup.rule" "/Delete output"
only_files "gnu-rule.rule nightly.rule "
# The GNU delete takes a trigger name as /Create took it.
$E /Create /TR "My Task" /EID 3 /TK /bin/true >/dev/null
$E delete "My Task" >/dev/null || fail "delete by trigger name"
only_files "gnu-rule.rule nightly.rule "
$E /delete /tid '*' >"$TESTDIR/o" || fail "/Delete /TID *"
assert_eq "$(wc -l <"$TESTDIR/o")" 2 "lines removed by /TID *"
only_files ""
exit 0
