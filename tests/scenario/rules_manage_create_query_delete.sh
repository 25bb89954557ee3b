#!/bin/bash
# evtrigger create writes a rule file a person could have written, checked
# before it is written and never half-written or overwritten by accident;
# check finds it valid; query lists it in every format (CSV and JSON escaped
# properly); delete removes it. create refuses bad input without leaving a
# file; check reports every error of a broken rules directory as FILE:LINE.
# No journald is needed: these commands only read and write rule files.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

R=$TESTDIR/rules.d
mkdir -p "$R"
export EVTRIGGER_RULES_DIR=$R EVTRIGGER_ACTION_DIR=$BUILD/actions
PY=/usr/bin/python3

# Only the given files are in the rules directory: nothing half-written.
only_files() {
	assert_eq "$(cd "$R" && ls -A | tr '\n' ' ')" "$*" "rules.d content"
}

# ---- create, then check ----------------------------------------------------
# The command's arguments hold blanks, quotes, a backslash, a leading ';' and
# a '$': each must come back as the same single word.
$EVTRIGGER create --name notify --id 777 --type warning --source John \
	--description "tell the admin" --set exec.output-max=16K \
	--run /usr/bin/printf '%s|' 'two words' 'a "q" \b' ';x' '$EVENT_ID' \
	>"$TESTDIR/out" 2>"$TESTDIR/err" ||
	fail "create: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/out")" "wrote $R/notify.rule" "create output"
only_files "notify.rule "
assert_eq "$(stat -c %a "$R/notify.rule")" 644 "mode"
grep -qx 'id = 777' "$R/notify.rule" || fail "no 'id = 777' line"
grep -qx 'steps = exec' "$R/notify.rule" || fail "no 'steps = exec' line"
grep -q '^# notify.rule: tell the admin$' "$R/notify.rule" || fail "no title comment"
grep -qx 'output-max = 16K' "$R/notify.rule" || fail "no exec option"
grep -qx 'command = /usr/bin/printf %s| "two words" "a \\"q\\" \\\\b" ";x" $EVENT_ID' \
	"$R/notify.rule" || fail "command line: $(grep command "$R/notify.rule")"

$EVTRIGGER check >"$TESTDIR/out" 2>"$TESTDIR/err" ||
	fail "check of a created rule: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/out")" "$R: 1 rule valid" "check summary"

# A rule with steps and step options, a sender, and a source that needs
# escaping in CSV and JSON.
$EVTRIGGER create --name vdc --id 2013 --type error --source 'a,"b"' \
	--log system --sender "vdc web1" --vm vdc --connect test:///default \
	--steps exec --set 'exec.command=/bin/true' --set exec.timeout=2m \
	--on-busy queue --timeout 1h --max-age 30m >/dev/null 2>"$TESTDIR/err" ||
	fail "create vdc: $(cat "$TESTDIR/err")"
only_files "notify.rule vdc.rule "
$EVTRIGGER check "$R/vdc.rule" >"$TESTDIR/out" ||
	fail "check FILE of a created rule"
assert_eq "$(cat "$TESTDIR/out")" "1 rule file valid" "check FILE summary"

# ---- query, every format ---------------------------------------------------
$EVTRIGGER query >"$TESTDIR/table" || fail "query"
assert_eq "$(sed -n 1p "$TESTDIR/table" | tr -s ' ')" \
	"NAME ID TYPE SOURCE LOG VM STEPS FILE" "table header"
assert_eq "$(sed -n 2p "$TESTDIR/table" | tr -s ' ')" \
	"notify 777 warning John - - exec $R/notify.rule" "table row 1"
assert_eq "$(sed -n 3p "$TESTDIR/table" | tr -s ' ')" \
	"vdc 2013 error a,\"b\" System vdc exec $R/vdc.rule" "table row 2"

$EVTRIGGER query --format list >"$TESTDIR/list" || fail "query list"
grep -qx 'Name:   vdc' "$TESTDIR/list" || fail "list: $(cat "$TESTDIR/list")"
grep -qx 'ID:     2013' "$TESTDIR/list" || fail "list: no ID"
grep -qx 'Log:    System' "$TESTDIR/list" || fail "list: no Log"

$EVTRIGGER query --format csv >"$TESTDIR/csv" || fail "query csv"
$PY - "$TESTDIR/csv" "$R" <<'EOF' || fail "csv: $(cat "$TESTDIR/csv")"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["name", "id", "type", "source", "log", "vm", "steps", "file"], rows[0]
assert rows[1] == ["notify", "777", "warning", "John", "", "", "exec",
                   sys.argv[2] + "/notify.rule"], rows[1]
assert rows[2] == ["vdc", "2013", "error", 'a,"b"', "System", "vdc", "exec",
                   sys.argv[2] + "/vdc.rule"], rows[2]
assert len(rows) == 3
EOF

$EVTRIGGER query --format json >"$TESTDIR/json" || fail "query json"
$PY - "$TESTDIR/json" "$R" <<'EOF' || fail "json: $(cat "$TESTDIR/json")"
import json, sys
rules = json.load(open(sys.argv[1]))
assert rules[0] == {"name": "notify", "id": 777, "type": "warning",
                    "source": "John", "log": None, "vm": None,
                    "steps": ["exec"], "file": sys.argv[2] + "/notify.rule"}, rules[0]
assert rules[1]["source"] == 'a,"b"' and rules[1]["vm"] == "vdc", rules[1]
assert len(rules) == 2
EOF

$EVTRIGGER query vdc --format csv | grep -q '^notify' && fail "query NAME lists others"
$EVTRIGGER query nosuch >/dev/null 2>&1
assert_eq $? 4 "query of a missing rule"

# ---- create refuses, and writes nothing -------------------------------------
before=$(sha256sum "$R/notify.rule")
refuse() {      # refuse EXIT-CODE ARGS...: create fails with that code
	local want=$1
	shift
	$EVTRIGGER create "$@" >"$TESTDIR/out" 2>"$TESTDIR/err"
	local rc=$?
	[ "$rc" = "$want" ] ||
		fail "create $*: exit $rc, expected $want: $(cat "$TESTDIR/err")"
	only_files "notify.rule vdc.rule "
}
refuse 6 --name notify --id 777 --run /bin/true                  # exists
assert_eq "$(sha256sum "$R/notify.rule")" "$before" "notify.rule kept"
grep -q "rule 'notify' exists" "$TESTDIR/err" || fail "exists: $(cat "$TESTDIR/err")"
refuse 3 --name new --id 0 --run /bin/true                       # bad id
grep -qx "$R/new.rule:6: invalid id '0': must be 1..65535" "$TESTDIR/err" ||
	fail "bad id message: $(cat "$TESTDIR/err")"
refuse 3 --name new --id 1 --type fatal --run /bin/true          # bad type
refuse 3 --name new --id 1 --steps "exec nosuch" --set exec.command=/bin/true
grep -q "unknown action 'nosuch'" "$TESTDIR/err" || fail "unknown module: $(cat "$TESTDIR/err")"
refuse 3 --name new --id 1 --steps exec                          # exec needs a command
grep -q "action 'exec': exec needs a command" "$TESTDIR/err" ||
	fail "module check: $(cat "$TESTDIR/err")"
refuse 3 --name new --id 1 --steps exec --set exec.command=/bin/true --set exec.colour=red
refuse 3 --name new --id 1 --vm a/b --run /bin/true              # bad vm
refuse 2 --name new --id 1 --source "$(printf 'John\nuid = 1000')" --run /bin/true
refuse 2 --name new --id 1 --run /bin/echo "$(printf 'a\nb')"    # line break
refuse 2 --name new --id 1 --steps exec --set "$(printf 'exec.x\nid=2')=y"
refuse 2 --name new --id 1 --steps exec --set 'exec.command=/bin/true ;x'
refuse 2 --name new --id 1 --run /bin/echo 'a ;b'                # a comment in a word
refuse 2 --name ../evil --id 1 --run /bin/true                   # a path
refuse 2 --name new --id 1                                       # nothing to do
refuse 2 --name new --id 1 --steps exec --run /bin/true          # both
refuse 2 --id 1 --run /bin/true                                  # no name

# --force replaces, atomically.
$EVTRIGGER create --name notify --id 778 --force --run /bin/true >/dev/null ||
	fail "create --force"
grep -qx 'id = 778' "$R/notify.rule" || fail "--force did not replace"
only_files "notify.rule vdc.rule "

# ---- delete ------------------------------------------------------------------
$EVTRIGGER delete notify >"$TESTDIR/out" || fail "delete"
assert_eq "$(cat "$TESTDIR/out")" "removed $R/notify.rule" "delete output"
only_files "vdc.rule "
$EVTRIGGER delete notify 2>"$TESTDIR/err"
assert_eq $? 4 "delete of a missing rule"
grep -q "no rule 'notify'" "$TESTDIR/err" || fail "delete message"
$EVTRIGGER delete ../vdc 2>/dev/null
assert_eq $? 2 "delete of a path"
assert_eq "$($EVTRIGGER query --format csv | wc -l)" 2 "one rule left"
$EVTRIGGER delete vdc.rule >/dev/null || fail "delete NAME.rule"
only_files ""
assert_eq "$($EVTRIGGER query --format json)" "[]" "no rules as JSON"

# ---- check reports every error of a broken directory ----------------------------
cat >"$R/a-broken.rule" <<'EOF'
[trigger]
id = 0
type = loud
colour = red

[job]
vm = ../etc
steps = exec nosuch
on-busy = maybe
[exec]
command = /bin/true
output-max = lots
EOF
cat >"$R/b-good.rule" <<'EOF'
[trigger]
id = 5
[job]
steps = exec
[exec]
command = /bin/true
EOF
cat >"$R/c-broken.rule" <<'EOF'
[trigger]
type = error
just some words
[job
steps = exec
EOF
$EVTRIGGER check >"$TESTDIR/out" 2>"$TESTDIR/err"
assert_eq $? 3 "check of a broken directory"
cat >"$TESTDIR/want" <<EOF
$R/a-broken.rule:2: invalid id '0': must be 1..65535
$R/a-broken.rule:3: invalid type 'loud': must be error, warning, information or success
$R/a-broken.rule:4: unknown key 'colour' in [trigger]
$R/a-broken.rule:7: invalid vm '../etc': a libvirt domain name without '/' or control characters
$R/a-broken.rule:8: unknown action 'nosuch': no $BUILD/actions/nosuch.so
$R/a-broken.rule:9: invalid on-busy 'maybe': must be ignore or queue
$R/a-broken.rule:12: invalid output-max 'lots' for action 'exec': expected a size like 4096, 10K, 20M, 1G
$R/c-broken.rule:1: missing id in [trigger]
$R/c-broken.rule:1: missing [job] section
$R/c-broken.rule:3: syntax error: expected 'key = value'
$R/c-broken.rule:4: syntax error: '[' without ']'
evtrigger check: 11 errors
EOF
diff -u "$TESTDIR/want" "$TESTDIR/err" || fail "check errors differ"
assert_eq "$(cat "$TESTDIR/out")" "" "no summary on errors"

# query lists what is valid, and says what is not.
$EVTRIGGER query --format csv >"$TESTDIR/out" 2>"$TESTDIR/err"
assert_eq $? 3 "query with broken rules"
assert_eq "$(sed -n 2p "$TESTDIR/out" | cut -d, -f1,2)" "b-good,5" "valid rule listed"
assert_eq "$(wc -l <"$TESTDIR/out")" 2 "only the valid rule"
grep -q "a-broken.rule:2: invalid id" "$TESTDIR/err" || fail "query stderr"

# An unreadable rules directory is a runtime error, not a rule error.
$EVTRIGGER check --rules-dir "$TESTDIR/none" 2>"$TESTDIR/err"
assert_eq $? 5 "check of a missing directory"

# --help of each command.
for c in check create query delete; do
	$EVTRIGGER $c --help | grep -q "^usage: evtrigger $c" || fail "$c --help"
done
echo "ok"
