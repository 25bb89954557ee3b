#!/bin/bash
# `make install DESTDIR=D` puts every file where the layout says (programs,
# modules exporting only their entry point, the public headers, man pages,
# unit, catalog, pkg-config file), and `make uninstall DESTDIR=D` then leaves
# no file behind, only empty directories. Uses the tree under test as built
# (same BUILD and SANITIZE, so nothing is rebuilt).
. "$(dirname "$0")/../lib/testbed.sh"

san=$(sed -n 's/^#define EVT_SANITIZE \([01]\)$/\1/p' "$BUILD/config.h")
[ -n "$san" ] || fail "$BUILD/config.h does not say how it was built"
d=$TESTDIR/dest
mk() { make -s -C "$TOP" BUILD="$BUILD" SANITIZE="$san" DESTDIR="$d" "$@"; }

mk install >"$TESTDIR/install.log" 2>&1 ||
	fail "make install failed: $(tail -n 20 "$TESTDIR/install.log")"
for f in usr/local/bin/evcreate usr/local/sbin/evtrigger \
	usr/local/lib/evtrigger/actions/exec.so \
	usr/local/lib/evtrigger/actions/archive.so \
	usr/local/include/evtrigger/evtrigger-action.h \
	usr/local/include/evtrigger/evt-ids.h \
	usr/local/include/evtrigger/evt-fields.h \
	usr/local/share/man/man8/evtrigger.8 usr/local/share/man/man1/evcreate.1 \
	usr/local/share/doc/evtrigger/README.md \
	usr/local/lib/systemd/catalog/evtrigger.catalog \
	usr/local/lib/systemd/system/evtrigger.service \
	usr/local/lib/pkgconfig/evtrigger-action.pc; do
	[ -e "$d/$f" ] || fail "make install did not install /$f"
done
grep -q '^ExecStart=/usr/local/sbin/evtrigger' \
	"$d/usr/local/lib/systemd/system/evtrigger.service" ||
	fail "the installed unit does not start /usr/local/sbin/evtrigger"
[ -d "$d/etc/evtrigger/rules.d" ] || fail "no /etc/evtrigger/rules.d"

# The installed headers are enough to build a module, and the module
# exports its entry point alone.
cat >"$TESTDIR/hello.c" <<'C'
#include <stddef.h>
#include <evtrigger/evtrigger-action.h>
#include <evtrigger/evt-ids.h>
static int run(const struct evt_host *h, struct evt_job *j) { return 0; }
int helper_that_stays_inside(void) { return EVT_STEP_FINISHED; }
const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION, .name = "hello",
	.summary = EVT_FIELD_JOB_ID, .run = run,
};
C
cc -shared -fPIC -fvisibility=hidden -I"$d/usr/local/include" \
	-o "$TESTDIR/hello.so" "$TESTDIR/hello.c" ||
	fail "a module does not build against the installed headers"
syms=$(nm -D --defined-only "$TESTDIR/hello.so" | awk '{ print $3 }')
[ "$syms" = evt_action_module ] ||
	fail "the module exports '$syms', not evt_action_module alone"
for m in "$d"/usr/local/lib/evtrigger/actions/*.so; do
	syms=$(nm -D --defined-only "$m" | awk '$3 !~ /^_/ { print $3 }')
	[ "$syms" = evt_action_module ] ||
		fail "${m##*/} exports '$(echo $syms)', not evt_action_module alone"
done

# An admin's rule stays; everything make installed goes.
echo '# mine' >"$d/etc/evtrigger/rules.d/mine.rule"
mk uninstall >"$TESTDIR/uninstall.log" 2>&1 ||
	fail "make uninstall failed: $(tail -n 20 "$TESTDIR/uninstall.log")"
[ -e "$d/etc/evtrigger/rules.d/mine.rule" ] ||
	fail "make uninstall removed a rule of the admin's"
rm "$d/etc/evtrigger/rules.d/mine.rule"
left=$(cd "$d" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left files behind: $left"
# And twice is fine: nothing to remove is not an error.
mk uninstall >"$TESTDIR/uninstall2.log" 2>&1 ||
	fail "a second make uninstall failed: $(tail -n 20 "$TESTDIR/uninstall2.log")"
echo "install and uninstall: every file installed, none left"
