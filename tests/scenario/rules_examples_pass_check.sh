#!/bin/bash
# The documented example rules shipped in rules.d/ are valid against the
# action modules built beside them: every step exists, every option is
# declared and well-formed, and each module's own check accepts them.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace

n=$(ls "$TOP"/rules.d/*.rule | wc -l)
[ "$n" -ge 3 ] || fail "expected the example rules in $TOP/rules.d, found $n"
# --no-probe: the examples name VMs and directories of a host, not this one
# (check's questions to libvirt and the file system: ux_check_asks_libvirt_*).
$EVTRIGGER check --no-probe --rules-dir "$TOP/rules.d" --action-dir "$BUILD/actions" \
	>"$TESTDIR/out" 2>"$TESTDIR/err" ||
	fail "example rules invalid: $(cat "$TESTDIR/err")"
assert_eq "$(cat "$TESTDIR/out")" "$TOP/rules.d: $n rules valid" "summary"

# Each is listed with what it is for.
EVTRIGGER_RULES_DIR=$TOP/rules.d $EVTRIGGER query --format csv >"$TESTDIR/csv" ||
	fail "query of the examples"
grep -qx "777-vdc,777,warning,John,,vdc,wait-shutdown compact merge archive start,$TOP/rules.d/777-vdc.rule" \
	"$TESTDIR/csv" || fail "777 rule: $(cat "$TESTDIR/csv")"
echo ok
