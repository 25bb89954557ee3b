#!/bin/bash
# The examples of README.md, the man pages and the shipped rules that run on
# one host without a VM or a network peer, each read from its document
# (tests/lib/docs.sh) and run as printed in the test bed: a private journald,
# evtrigger run on a rules directory of its own, systemctl's verbs played by
# systemctl_standin from the shipped unit files. Each is checked by what it
# is for: the events in the journal, the rule files read by evtrigger check,
# a transcript's output compared, the README's layout against the tree, a
# module built out of tree with the installed pkg-config file.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/docs.sh"
testbed_journald
export PATH=$BUILD:$PATH
cd "$TESTDIR" || fail "no TESTDIR"

# --- evcreate --------------------------------------------------------------
doc_example_run README.md:writing-events-evcreate:1
assert_eq "$(journal_count EVENT_ID=777 EVENT_SOURCE=John EVENT_TYPE=WARNING)" 2 \
	"README's two evcreate commands"
assert_eq "$(journal_count EVENT_ID=777 VM=vdc)" 1 "README's --field VM=vdc"
doc_example_console README.md:writing-events-evcreate:2
doc_example README.md:writing-events-evcreate:3 >events.txt
doc_example_run README.md:writing-events-evcreate:4
assert_eq "$(journal_field MESSAGE EVENT_ID=778 DISK=sda)" "backup done" "README's batch file, line 2"
assert_eq "$(journal_count EVENT_ID=777 VM=vdc)" 2 "README's batch file, line 1"

doc_example_run man/evcreate.1:examples:1
doc_example_run man/evcreate.1:examples:2 >find.out
grep -q 'VDC Ready for compaction' find.out || fail "evcreate(1)'s journalctl examples: $(cat find.out)"
doc_example_run man/evcreate.1:examples:3 >extra.out
grep -q 'disk full' extra.out || fail "evcreate(1)'s journalctl DISK=sdb: $(cat extra.out)"
assert_eq "$(journal_field FREE EVENT_ID=901 DISK=sdb)" 0 "evcreate(1)'s extra fields"
doc_example_run man/evcreate.1:examples:4
for vm in vdc web db; do
	assert_eq "$(journal_field MESSAGE EVENT_ID=777 VM="$vm" EVENT_SOURCE=John)" "$vm ready" \
		"evcreate(1)'s batch loop, $vm"
done
# The script fragment, with its two variables set: a good event, then a bad
# one (exit 3: "bad event").
doc_example man/evcreate.1:examples:6 >case.sh
id=12 text="from the script" bash case.sh 2>case.err || fail "case example: $(cat case.err)"
[ -s case.err ] && fail "case example, good event: $(cat case.err)"
journal_wait 1 10 EVENT_ID=12 MESSAGE="from the script"
id=0 text=x bash case.sh 2>case.err
grep -qx 'bad event' case.err || fail "case example, id 0: $(cat case.err)"

# backup-failed-notify.rule's comment: what the backup script logs.
doc_example_run rules.d/backup-failed-notify.rule:comment:1
assert_eq "$(journal_field MESSAGE EVENT_ID=4000 EVENT_SOURCE=backup EVENT_LOG=Application)" \
	"backup of /srv failed: disk full" "backup-failed-notify.rule's example"

# --- rules -----------------------------------------------------------------
# The rule files the documents show, each read by evtrigger check (without
# asking libvirt: they name a host's VMs).
mkdir rules
doc_example README.md:rules:1 >rules/readme.rule
doc_example man/evtrigger.rules.5:examples:1 >rules/rules5-777.rule
doc_example man/evtrigger.rules.5:examples:2 >rules/rules5-4000.rule
for r in rules/*.rule; do
	"$EVTRIGGER" check --no-probe --rules-dir "$PWD/rules" --action-dir "$BUILD/actions" "$r" \
		>check.out 2>&1 || fail "evtrigger check $r: $(cat check.out)"
done
"$EVTRIGGER" check --no-probe --rules-dir "$PWD/rules" --action-dir "$BUILD/actions" \
	>check.out 2>&1 || fail "the documents' rules: $(cat check.out)"
assert_eq "$(cat check.out)" "$PWD/rules: 3 rules valid" "evtrigger check of the documents' rules"

# --- the daemon: evtrigger(8) and evtrigger.rules(5) -----------------------
# evtrigger run as the shipped unit starts it, on a rules directory with one
# rule for 777 from root (its job runs /bin/true), through the environment.
mkdir etc-rules state
cat >etc-rules/777-local.rule <<'RULE'
[trigger]
id = 777
type = warning
uid = 0
[job]
steps = exec
on-busy = queue
[exec]
command = /bin/true
RULE
export EVTRIGGER_RULES_DIR=$PWD/etc-rules EVTRIGGER_STATE_DIR=$PWD/state \
	EVTRIGGER_ACTION_DIR=$BUILD/actions
systemctl_standin
systemctl enable --now evtrigger || fail "the stand-in could not start evtrigger run"
testbed_at_exit "kill \$(cat $TESTDIR/evtrigger.mainpid) 2>/dev/null"
journal_wait 1 30 EVENT_ID=640
jobs=$(journal_count EVENT_ID=601)

# evtrigger(8): fire the rule, and follow what happens (journalctl -f, until
# the job's end shows).
mapfile -d '' -t cmds < <(doc_example_lines man/evtrigger.8:examples:1)
assert_eq "${#cmds[@]}" 2 "commands of evtrigger(8)'s first example"
bash -c "${cmds[0]}" || fail "evtrigger(8): ${cmds[0]}"
bash -c "${cmds[1]}" >follow.out 2>&1 &
follow=$!
testbed_at_exit "kill $follow 2>/dev/null"
for _ in $(seq 600); do
	grep -q 'finished' follow.out && break
	sleep 0.1
done
grep -q 'finished' follow.out || fail "evtrigger(8): '${cmds[1]}' never showed the job's end: $(cat follow.out)"
kill $follow
journal_wait $((jobs + 1)) 30 EVENT_ID=601
# The same event without evcreate.
doc_example_run man/evtrigger.8:examples:2
journal_wait $((jobs + 2)) 30 EVENT_ID=601
# Check the rules, then reload the daemon (SIGHUP, the unit's ExecReload).
loaded=$(journal_count EVENT_ID=642)
doc_example_run man/evtrigger.8:examples:3
journal_wait $((loaded + 1)) 30 EVENT_ID=642

# evtrigger.rules(5): the same rule as its second example, written by
# evtrigger create, checked, and the daemon reloaded.
doc_example_run man/evtrigger.rules.5:examples:3
[ -f etc-rules/backup-failed.rule ] || fail "evtrigger create wrote no backup-failed.rule"
journal_wait $((loaded + 2)) 30 EVENT_ID=642
# "The same": every key = value line of the example is in the created rule.
grep -v '^[[:space:]]*\(;\|#\|\[\|$\)' rules/rules5-4000.rule | sed 's/[[:space:]]*;.*//' |
	while IFS= read -r kv; do
		grep -v '^[[:space:]]*[;#]' etc-rules/backup-failed.rule | grep -qxF -- "$kv" ||
			fail "evtrigger.rules(5): the created rule lacks '$kv': $(cat etc-rules/backup-failed.rule)"
	done || exit 1

# evtrigger(8), audit trail: a job's entries, by the job's ID (the page's
# placeholder id, in italics, filled in with the first job's).
job=$(journal_field JOB_ID EVENT_ID=601)
[ -n "$job" ] || fail "no JOB_ID in the job's end (601)"
doc_example man/evtrigger.8:description-audit-trail:1 >audit.sh
grep -q 'JOB_ID=id ' audit.sh || fail "evtrigger(8)'s audit trail: no JOB_ID=id in: $(cat audit.sh)"
sed -i "s/JOB_ID=id /JOB_ID=$job /" audit.sh
bash -e audit.sh >audit.out 2>&1 || fail "evtrigger(8)'s audit trail: $(cat audit.sh): $(cat audit.out)"
[ "$(grep -c ' evtrigger\[[0-9]*\]: ' audit.out)" -ge 2 ] &&
	[ "$(grep -vc ' evtrigger\[[0-9]*\]: ' audit.out)" = 0 ] ||
	fail "evtrigger(8)'s audit trail for $job: $(cat audit.out)"
assert_eq "$(grep -c . audit.out)" "$(journal_count JOB_ID="$job" _UID=0 SYSLOG_IDENTIFIER=evtrigger)" \
	"evtrigger(8)'s audit trail: the job's entries"

# evtrigger(8), create: the eventcreate-style command writes a rule that
# evtrigger check reads, its /TK one command line with a quoted argument.
doc_example_run man/evtrigger.8:commands-evtrigger-create:1 >create8.out
[ -f etc-rules/Disk_Cleanup.rule ] || fail "evtrigger /Create wrote no Disk_Cleanup.rule: $(cat create8.out)"
grep -qxF 'command = /usr/local/sbin/cleanup "/srv/vm data"' etc-rules/Disk_Cleanup.rule ||
	fail "evtrigger /Create's command: $(cat etc-rules/Disk_Cleanup.rule)"
"$EVTRIGGER" check --no-probe etc-rules/Disk_Cleanup.rule >check.out 2>&1 ||
	fail "evtrigger check of /Create's rule: $(cat check.out)"

# --- README: a module built out of tree, the layout -------------------------
san=$(sed -n 's/^#define EVT_SANITIZE \([01]\)$/\1/p' "$BUILD/config.h")
# (the default PREFIX: nothing is rebuilt)
make -s -C "$TOP" BUILD="$BUILD" SANITIZE="$san" DESTDIR="$TESTDIR/root" \
	install >install.log 2>&1 || fail "make install: $(tail -n 20 install.log)"
cat >hello.c <<'C'
#include <evtrigger-action.h>

static int
hello_run(const struct evt_host *host, struct evt_job *job)
{
	return 0;
}

const struct evt_action evt_action_module = {
	.api_version = EVT_ACTION_API_VERSION,
	.name = "hello",
	.summary = "README's module",
	.run = hello_run,
};
C
PKG_CONFIG_SYSROOT_DIR=$TESTDIR/root PKG_CONFIG_LIBDIR=$TESTDIR/root/usr/local/lib/pkgconfig \
	doc_example_run README.md:actions:1
nm -D --defined-only hello.so | grep -q ' evt_action_module$' ||
	fail "README's cc line built no module: $(nm -D hello.so 2>&1)"

# Every path the layout names is in the tree.
n=0
while read -r path _; do
	for p in $path; do
		[ -e "$TOP/$p" ] || fail "README's layout names $p, which is not in the tree"
		n=$((n + 1))
	done
done < <(doc_example README.md:layout:1 | grep -v '^ ' | sed -E 's/^((\S+\/ )*\S+)\s.*/\1/')
[ "$n" -ge 10 ] || fail "README's layout: only $n paths read"
echo "the host's examples run as printed"
