#!/bin/bash
# `sender-auth` decides which proofs of a sender (the listener's EVENT_AUTH)
# a `sender =` rule accepts. Without it: channel x509 psk, never an address
# (plain TCP/UDP from an allow-listed address). Entries written as the
# listener's uid (a system user standing in for it, setpriv) with
# EVENT_SENDER=nas and EVENT_AUTH=address/psk/x509 run only the rules that
# accept that proof; the others log TRIGGER_REJECTED with the reason, as
# `evtrigger test` explains. `evtrigger check` reports every bad sender-auth.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

listener=daemon
listener_uid=$(id -u "$listener")

# rule NAME [TRIGGER LINE]: sender nas, stamps into $OUT/NAME/<N>.
rule() {
	local name=$1 extra=${2:-}
	mkdir -p "$OUT/$name"
	{
		printf '[trigger]\nid = 777\nsender = nas\n'
		[ -n "$extra" ] && printf '%s\n' "$extra"
		printf '[job]\nsteps = exec\non-busy = queue\n'
		printf '[exec]\ncommand = %s %s EVENT_N\n' "$BUILD/tools/stamp" "$OUT/$name"
	} >"$RULES/$name.rule"
}
rule dflt
rule addr 'sender-auth = address'
rule x509 'sender-auth = x509'
rule any 'sender-auth = channel x509 psk address'

$EVTRIGGER check --rules-dir "$RULES" --action-dir "$BUILD/actions" >/dev/null ||
	fail "check refused good sender-auth rules"

# evtrigger test explains the refusal by proof, before anything runs.
out=$($EVTRIGGER test --rules-dir "$RULES" --state-dir "$STATE" \
	--action-dir "$BUILD/actions" --listener-user "$listener" \
	--uid "$listener" --id 777 --sender nas --auth address)
grep -q "^dflt .*refused  sender 'nas' proved by address; the rule accepts channel x509 psk$" <<<"$out" ||
	fail "test dflt: $out"
grep -q "^addr .*fires " <<<"$out" || fail "test addr: $out"
grep -q "^x509 .*refused  sender 'nas' proved by address; the rule accepts x509$" <<<"$out" ||
	fail "test x509: $out"

# query shows which proofs count, where it shows the sender.
$EVTRIGGER query --rules-dir "$RULES" --verbose >"$TESTDIR/query" || fail "query"
grep -q "sender=nas sender-auth=channel x509 psk (default)" "$TESTDIR/query" ||
	fail "query dflt: $(cat "$TESTDIR/query")"
grep -q "sender=nas sender-auth=address" "$TESTDIR/query" ||
	fail "query addr: $(cat "$TESTDIR/query")"

watch_start --listener-uid "$listener_uid"
as_listener() {
	setpriv --reuid="$listener" --regid="$(id -g "$listener")" --clear-groups \
		bash -c "$(declare -f watch_event); watch_event 777 $*"
}
as_listener via-address EVENT_SENDER=nas EVENT_AUTH=address
as_listener via-psk EVENT_SENDER=nas EVENT_AUTH=psk
as_listener via-x509 EVENT_SENDER=nas EVENT_AUTH=x509
# root forging an address-proved sender: believed by no rule.
watch_event 777 forged EVENT_SENDER=nas EVENT_AUTH=address

# dflt: psk, x509; addr: address; x509: x509; any: all three = 7 jobs.
journal_wait 7 60 EVENT_ID=601
# refused: dflt 1, addr 2 (+1 forged), x509 2, any 0 (+1 forged for each).
journal_wait 9 60 EVENT_ID=644

ran() { (cd "$OUT/$1" && ls | grep -v '\.again$' | sort | tr '\n' ' '); }
assert_eq "$(ran dflt)" "via-psk via-x509 " "dflt ran for"
assert_eq "$(ran addr)" "via-address " "addr ran for"
assert_eq "$(ran x509)" "via-x509 " "x509 ran for"
assert_eq "$(ran any)" "via-address via-psk via-x509 " "any ran for"
[ -z "$(find "$OUT" -name '*.again')" ] || fail "an action ran twice"

reason() { journal_field REASON EVENT_ID=644 RULE="$1" TRIGGER_N="$2"; }
n_of() { journalctl -q -o export EVENT_ID=644 RULE="$1" | sed -n 's/^REASON=//p'; }
assert_eq "$(journal_count EVENT_ID=644 RULE=dflt)" 2 "dflt rejections"
n_of dflt | grep -qx "sender 'nas' proved by address; the rule accepts channel x509 psk" ||
	fail "dflt reasons: $(n_of dflt)"
assert_eq "$(journal_count EVENT_ID=644 RULE=addr)" 3 "addr rejections"
n_of addr | grep -qx "sender 'nas' proved by psk; the rule accepts address" ||
	fail "addr reasons: $(n_of addr)"
n_of addr | grep -qx "sender 'nas' proved by x509; the rule accepts address" ||
	fail "addr reasons: $(n_of addr)"
assert_eq "$(journal_count EVENT_ID=644 RULE=x509)" 3 "x509 rejections"
n_of x509 | grep -qx "sender 'nas' proved by psk; the rule accepts x509" ||
	fail "x509 reasons: $(n_of x509)"
assert_eq "$(journal_count EVENT_ID=644 RULE=any)" 1 "any rejections (the forged one)"
n_of any | grep -qx "EVENT_SENDER is believed only on entries the listener wrote" ||
	fail "any reasons: $(n_of any)"
watch_stop

# check reports every mistake, file:line.
bad=$TESTDIR/bad
mkdir -p "$bad"
printf '[trigger]\nid = 1\nsender = nas\nsender-auth = x509 tls\n[job]\nsteps = exec\n[exec]\ncommand = /bin/true\n' >"$bad/word.rule"
printf '[trigger]\nid = 1\nsender-auth = address\n[job]\nsteps = exec\n[exec]\ncommand = /bin/true\n' >"$bad/alone.rule"
rc=0
$EVTRIGGER check --rules-dir "$bad" --action-dir "$BUILD/actions" >"$TESTDIR/check" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "check accepted bad sender-auth"
grep -q "word.rule:4: invalid sender-auth 'tls': must be channel, x509, psk or address" "$TESTDIR/check" ||
	fail "check word: $(cat "$TESTDIR/check")"
grep -q "alone.rule:3: sender-auth without sender" "$TESTDIR/check" ||
	fail "check alone: $(cat "$TESTDIR/check")"
echo ok
