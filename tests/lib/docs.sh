# The documentation's examples, read from the documents themselves by
# tests/tools/doc-examples (which says what an example is and how its id is
# made: README.md:SECTION:N, doc/guest.md:SECTION:N, man/PAGE:SECTION:N (e.g.
# man/evcreate.1:examples:2, man/evtrigger.8:commands-evtrigger-create:1),
# rules.d/NAME.rule:comment:N). Messages, formats and files the man pages
# show are compared with the real ones by tests/lib/docs_compare.py.
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
# a unit (the test bed has no systemd as PID 1). It runs what the unit file
# says: the installed one (/etc/systemd/system, /usr/local/lib/systemd/system,
# /lib/systemd/system), else the shipped systemd/UNIT.service with @SBINDIR@
# as $BUILD; ExecStart= as the drop-ins in /etc/systemd/system/UNIT.service.d
# change it (an empty ExecStart= clears it). (The units themselves are
# checked by systemd-analyze verify in the systemd_ and listen_ scenarios.)
#   systemctl enable --now UNIT  ExecStart= in the background, its pid in
#                                $TESTDIR/UNIT.mainpid, output in
#                                $TESTDIR/UNIT.log
#   systemctl restart UNIT       SIGTERM to that pid, wait, start again
#   systemctl reload UNIT        ExecReload= with $MAINPID that pid
#   systemctl daemon-reload      nothing (no unit is loaded)
# The service runs with its EnvironmentFile= sourced, as its User=/Group=
# (and that user's groups), with its RuntimeDirectory= made in /run.
# Anything else fails. It is exported as the function systemctl, so the
# examples' shells find it.
systemctl_standin() {
	systemctl_unit() {
		local u=$1 d
		for d in /etc/systemd/system /usr/local/lib/systemd/system /lib/systemd/system; do
			[ -f "$d/$u.service" ] && { cat "$d/$u.service"; break; }
		done | grep . || sed "s,@SBINDIR@,$BUILD," "$TOP/systemd/$u.service"
		cat /etc/systemd/system/"$u".service.d/*.conf 2>/dev/null
	}
	systemctl_exec() {
		# systemctl_exec UNIT KEY: the last value of KEY= (after a reset).
		systemctl_unit "$1" | sed -n "s/^$2=//p" | tail -n 1
	}
	systemctl_start() {
		local unit=$1 line f env= user group dir
		line=$(systemctl_exec "$unit" ExecStart)
		[ -n "$line" ] || { echo "systemctl stand-in: $unit: no ExecStart" >&2; return 1; }
		# EnvironmentFile= (- : may be missing), read as shell assignments.
		for f in $(systemctl_unit "$unit" | sed -n 's/^EnvironmentFile=//p'); do
			[ -f "${f#-}" ] && env+="set -a; . ${f#-}; set +a; "
		done
		# User=/Group= (with the user's groups), RuntimeDirectory= in /run.
		user=$(systemctl_exec "$unit" User)
		group=$(systemctl_exec "$unit" Group)
		for dir in $(systemctl_exec "$unit" RuntimeDirectory); do
			mkdir -p "/run/$dir" && chown "${user:-root}:${group:-${user:-root}}" "/run/$dir" &&
				chmod "$(systemctl_exec "$unit" RuntimeDirectoryMode | grep . || echo 0755)" "/run/$dir" ||
				return 1
		done
		[ -z "$user" ] || line="setpriv --reuid $user --regid ${group:-$user} --init-groups $line"
		bash -c "${env}exec $line" >>"$TESTDIR/$unit.log" 2>&1 &
		echo $! >"$TESTDIR/$unit.mainpid"
	}
	systemctl() {
		local unit pid line
		case "$*" in
		daemon-reload) return 0 ;;
		"reload "*)
			unit=${2%.service}
			pid=$(cat "$TESTDIR/$unit.mainpid") || return 1
			line=$(systemctl_exec "$unit" ExecReload)
			[ -n "$line" ] || return 1
			MAINPID=$pid bash -c "$line"
			;;
		"restart "*)
			unit=${2%.service}
			if [ -f "$TESTDIR/$unit.mainpid" ]; then
				pid=$(cat "$TESTDIR/$unit.mainpid")
				kill "$pid" 2>/dev/null
				while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
			fi
			systemctl_start "$unit"
			;;
		"enable --now "*)
			systemctl_start "${3%.service}"
			;;
		*)
			echo "systemctl stand-in: '$*' is not supported" >&2
			return 1
			;;
		esac
	}
	export -f systemctl systemctl_unit systemctl_exec systemctl_start
	export TESTDIR TOP BUILD
}
