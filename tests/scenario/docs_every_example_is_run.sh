#!/bin/bash
# Every example of README.md, doc/guest.md, the man pages (every .EX/.nf
# block, in any section) and the shipped rules' comments is run by a
# scenario (tests/tools/doc-examples check: each id is named by a
# tests/lib/docs.sh helper call, which reads the example from its document),
# and each shipped rule passes evtrigger check on its own. The check itself
# is shown to fail for an example nobody runs (in EXAMPLES and in another
# section, each complaint naming the id and what runs it), an indented
# README block of no kind, and a scenario naming an example that is gone: so
# a new example fails the suite until a scenario runs it.
. "$(dirname "$0")/../lib/testbed.sh"
testbed_require_namespace
tool=$TOP/tests/tools/doc-examples

"$tool" check >"$TESTDIR/check.out" 2>&1 ||
	fail "examples that no scenario runs:
$(cat "$TESTDIR/check.out")"
note "$(tail -n 1 "$TESTDIR/check.out")"
grep -F 'is not run:' "$TESTDIR/check.out" | while read -r l; do note "$l"; done
n=$("$tool" list | wc -l)
[ "$n" -ge 40 ] || fail "only $n examples found: $("$tool" list)"

# Each shipped rule on its own (--no-probe: they name a host's VMs).
for r in "$TOP"/rules.d/*.rule; do
	$EVTRIGGER check --no-probe --rules-dir "$TOP/rules.d" --action-dir "$BUILD/actions" \
		"$r" >"$TESTDIR/out" 2>&1 || fail "${r##*/}: $(cat "$TESTDIR/out")"
done

# The check fails on what it must fail on, in a copy of the documents.
t=$TESTDIR/top
mkdir -p "$t/man" "$t/rules.d" "$t/tests/scenario" "$t/doc"
cp "$TOP/README.md" "$t/" && cp "$TOP/doc/guest.md" "$t/doc/" && cp "$TOP"/man/* "$t/man/" && cp "$TOP"/rules.d/* "$t/rules.d/" &&
	cp "$TOP"/tests/scenario/*.sh "$t/tests/scenario/" || fail "cannot copy the documents"
DOC_EXAMPLES_TOP=$t "$tool" check >/dev/null || fail "the copy does not pass the check"
cat >"$t/man/new.8" <<'MAN'
.TH NEW 8
.SH "THE FORMAT"
.SS Lines
.\" example: output
.nf
new: a message
.fi
.SH EXAMPLES
.EX
new \-\-thing
.EE
MAN
printf '\n## New\n\n    indented --block\n' >>"$t/README.md"
printf 'doc_example%s README.md:gone:1\n' _run >>"$t/tests/scenario/$(ls "$t/tests/scenario" | head -n 1)"
run=_run # (not written out: this line would name the example)
DOC_EXAMPLES_TOP=$t "$tool" check >"$TESTDIR/bad.out" 2>&1 &&
	fail "the check passed with new examples nobody runs: $(cat "$TESTDIR/bad.out")"
grep -q '^man/new.8:10: example man/new.8:examples:1 is run by no scenario: new --thing$' "$TESTDIR/bad.out" &&
	grep -qF "  (man/new.8:examples:1, of kind sh: ask the DOCS helper (tests/lib/docs.sh, tests/scenario/docs_*.sh) to run it: doc_example${run} man/new.8:examples:1 " "$TESTDIR/bad.out" &&
	grep -q '^man/new.8:6: example man/new.8:the-format-lines:1 is run by no scenario: new: a message$' "$TESTDIR/bad.out" &&
	grep -q "^README.md:.*: example README.md:new:1: a code block of no known kind ('none')" "$TESTDIR/bad.out" &&
	grep -q 'names example README.md:gone:1, which no document has$' "$TESTDIR/bad.out" ||
	fail "the check's complaints: $(cat "$TESTDIR/bad.out")"
echo "every example is run"
