# The documentation's examples, read from the documents themselves by
# tests/tools/doc-examples (which says what an example is and how its id is
# made: README.md:SECTION:N, man/PAGE:examples:N, rules.d/NAME.rule:comment:N).
# Source it after tests/lib/testbed.sh. A scenario that calls one of these
# with an example's id, literally, is what makes that example count as run
# (tests/scenario/docs_every_example_is_run.sh checks that each one is).
#
#   doc_example ID              prints the example as a reader sees it
#   doc_example_run ID          runs it with bash -e, here (fails with it)
#   doc_example_lines ID        prints its commands one per line: comment
#                               lines dropped, continuation lines and
#                               here-documents joined into their command
#                               (NUL-separated, for mapfile -d '')
#   doc_example_console ID      runs each '$ ' command of a transcript and
#                               compares its output (stdout and stderr) with
#                               the lines the document shows after it

DOC_EXAMPLES=$TOP/tests/tools/doc-examples

doc_example() {
	"$DOC_EXAMPLES" show "$1" || fail "no example $1 in the documents"
}

doc_example_run() {
	local id=$1 f
	f=$(mktemp "$TESTDIR/example.XXXXXX")
	doc_example "$id" >"$f" || exit 1
	bash -e "$f" || fail "example $id failed (exit $?):
$(cat "$f")"
}

doc_example_lines() {
	doc_example "$1" | python3 -c '
import re, sys
lines, out, i = sys.stdin.read().split("\n"), [], 0
while i < len(lines):
    l = lines[i]
    i += 1
    if not l.strip() or l.lstrip().startswith("#"):
        continue
    cmd = l
    while cmd.endswith("\\") and i < len(lines):
        cmd = cmd + "\n" + lines[i]
        i += 1
    m = re.search(r"<<-?\s*([A-Za-z_]+)\s*$", cmd)
    if m:
        while i < len(lines):
            cmd += "\n" + lines[i]
            i += 1
            if lines[i - 1] == m.group(1):
                break
    out.append(cmd)
sys.stdout.write("".join(c + "\0" for c in out))
'
}

doc_example_console() {
	local id=$1 text cmd want got n=0
	text=$(doc_example "$id") || exit 1
	while IFS= read -r -d '' cmd && IFS= read -r -d '' want; do
		got=$(bash -c "$cmd" 2>&1)
		assert_eq "$got" "$want" "example $id: output of '$cmd'"
		n=$((n + 1))
	done < <(python3 -c '
import sys
cmd, out = None, []
def flush():
    if cmd is not None:
        sys.stdout.write(cmd + "\0" + "\n".join(out) + "\0")
for l in sys.stdin.read().rstrip("\n").split("\n"):
    if l.startswith("$ "):
        flush()
        cmd, out = l[2:], []
    else:
        out.append(l)
flush()
' <<<"$text")
	[ "$n" -gt 0 ] || fail "example $id: no '\$ ' command in it"
}

# systemctl_standin: a STAND-IN FOR systemctl, for the examples that manage
# a unit (the test bed has no systemd as PID 1). It runs what the shipped unit
# file says, read from systemd/UNIT.service (@SBINDIR@ as $BUILD):
#   systemctl reload UNIT        the unit's ExecReload= with $MAINPID the pid
#                                in $TESTDIR/UNIT.mainpid
#   systemctl enable --now UNIT  systemd-analyze verify, then the unit's
#                                ExecStart= in the background, its pid in
#                                $TESTDIR/UNIT.mainpid, output in
#                                $TESTDIR/UNIT.log
#   systemctl daemon-reload      nothing (no unit is loaded)
# Anything else fails. It is exported as the function systemctl, so the
# examples' shells find it.
systemctl_standin() {
	systemctl() {
		local unit line pid
		case "$*" in
		daemon-reload) return 0 ;;
		"reload "*)
			unit=${2%.service}
			pid=$(cat "$TESTDIR/$unit.mainpid") || return 1
			line=$(sed -n 's/^ExecReload=//p' "$TOP/systemd/$unit.service")
			[ -n "$line" ] || return 1
			MAINPID=$pid bash -c "$line"
			;;
		"enable --now "*)
			unit=${3%.service}
			line=$(sed -n 's/^ExecStart=//p' "$TOP/systemd/$unit.service" |
				sed "s,@SBINDIR@,$BUILD,")
			[ -n "$line" ] || return 1
			bash -c "exec $line" >"$TESTDIR/$unit.log" 2>&1 &
			echo $! >"$TESTDIR/$unit.mainpid"
			;;
		*)
			echo "systemctl stand-in: '$*' is not supported" >&2
			return 1
			;;
		esac
	}
	export -f systemctl
	export TESTDIR TOP BUILD
}
