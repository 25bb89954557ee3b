#!/bin/bash
# The paths compiled into the programs follow PREFIX: `make` (PREFIX
# /usr/local) then `make install PREFIX=/usr` rebuilds, and the installed
# daemon looks for its modules in /usr/lib/evtrigger/actions, where install
# put them. Builds a tree of its own (-O0, to be quick) in the scratch
# directory; the tree under test is not touched.
. "$(dirname "$0")/../lib/testbed.sh"

b=$TESTDIR/build d=$TESTDIR/dest
mk() { make -s -C "$TOP" -j2 BUILD="$b" CFLAGS=-O0 "$@"; }
# The action directory `evtrigger run --help` gives as its default (the
# line after the option: "(default $EVTRIGGER_ACTION_DIR or DIR)").
action_dir() {
	"$1" run --help | sed -n '/--action-dir=DIR/{n;s/.*(default .* or \(.*\))$/\1/p}'
}

mk all >"$TESTDIR/make1.log" 2>&1 || fail "make failed: $(tail -n 20 "$TESTDIR/make1.log")"
got=$(action_dir "$b/evtrigger")
[ "$got" = /usr/local/lib/evtrigger/actions ] ||
	fail "default build: action dir '$got', want /usr/local/lib/evtrigger/actions"
grep -q '^#define EVT_ACTIONDIR "/usr/local/lib/evtrigger/actions"$' "$b/config.h" ||
	fail "config.h: $(cat "$b/config.h")"

# A second make with the same variables rebuilds nothing.
before=$(stat -c %y "$b/evtrigger")
mk all >"$TESTDIR/make2.log" 2>&1 || fail "make (again) failed"
[ "$(stat -c %y "$b/evtrigger")" = "$before" ] ||
	fail "make with unchanged variables relinked evtrigger"

mk install PREFIX=/usr DESTDIR="$d" >"$TESTDIR/install.log" 2>&1 ||
	fail "make install PREFIX=/usr failed: $(tail -n 20 "$TESTDIR/install.log")"
got=$(action_dir "$d/usr/sbin/evtrigger")
[ "$got" = /usr/lib/evtrigger/actions ] ||
	fail "installed with PREFIX=/usr: action dir '$got', want /usr/lib/evtrigger/actions"
[ -e "$d$got/exec.so" ] || fail "the modules are not in $d$got"
grep -q '^ExecStart=/usr/sbin/evtrigger' "$d/usr/lib/systemd/system/evtrigger.service" ||
	fail "the unit does not start /usr/sbin/evtrigger"
# SYSCONFDIR and STATEDIR reach the programs too.
mk all SYSCONFDIR=/opt/evt-etc STATEDIR=/opt/evt-state >"$TESTDIR/make3.log" 2>&1 ||
	fail "make SYSCONFDIR=... failed"
"$b/evtrigger" run --help | grep -q 'or /opt/evt-etc/evtrigger/rules.d)' ||
	fail "SYSCONFDIR did not reach evtrigger: $("$b/evtrigger" run --help | grep rules-dir)"
"$b/evtrigger" run --help | grep -q 'or /opt/evt-state)' ||
	fail "STATEDIR did not reach evtrigger"
echo "PREFIX, SYSCONFDIR and STATEDIR reach the compiled-in paths"
