#!/bin/bash
# Each kind of bad input gets one line naming the problem, its own exit code
# (evcreate(1), EXIT STATUS), and writes nothing to the journal.
source "$(dirname "$0")/../lib/testbed.sh"
testbed_journald

LONG_DESC=$(head -c 32769 /dev/zero | tr '\0' d)
LONG_VALUE=$(head -c 8193 /dev/zero | tr '\0' v)
LONG_NAME=$(head -c 65 /dev/zero | tr '\0' N)

# expect CODE 'MESSAGE' ARG...: evcreate ARG... exits CODE and prints
# exactly "evcreate: MESSAGE" as its first line on stderr, nothing on stdout.
expect() {
	local code=$1 msg=$2 rc
	shift 2
	"$EVCREATE" "$@" >"$TESTDIR/out" 2>"$TESTDIR/err"
	rc=$?
	assert_eq "$rc" "$code" "exit code of evcreate $*"
	assert_eq "$(head -n 1 "$TESTDIR/err")" "evcreate: $msg" "message of evcreate $*"
	assert_eq "$(cat "$TESTDIR/out")" "" "stdout of evcreate $*"
}

# Every bad event below uses source Bad, so one count shows none landed.
ok=(-s Bad -d "text")
expect 3 "invalid event id '0': must be 1..65535" -i 0 "${ok[@]}"
expect 3 "invalid event id '70000': must be 1..65535" -i 70000 "${ok[@]}"
expect 3 "invalid event id '70000': must be 1..65535" /ID 70000 /SO Bad /D text
expect 3 "invalid event id '12abc': must be 1..65535" -i 12abc "${ok[@]}"
expect 3 "invalid event type 'fatal': must be ERROR, WARNING, INFORMATION or SUCCESS" \
	-t fatal -i 1 "${ok[@]}"
expect 3 "invalid event type 'fatal': must be ERROR, WARNING, INFORMATION or SUCCESS" \
	/T fatal /ID 1 /SO Bad /D text
expect 3 "no description given (--description or /D)" -i 1 -s Bad
expect 3 "no description given (--description or /D)" /T error /ID 1 /SO Bad
expect 3 "invalid description '': must not be empty" -i 1 -s Bad -d ""
expect 3 "no event id given (--id or /ID)" "${ok[@]}"
expect 3 "invalid field name 'vm': must be 1..64 of A-Z, 0-9 and '_', not starting with a digit or '_'" \
	-i 1 "${ok[@]}" -f vm=x
expect 3 "invalid field name '_SYSTEMD_UNIT': must be 1..64 of A-Z, 0-9 and '_', not starting with a digit or '_'" \
	-i 1 "${ok[@]}" -f _SYSTEMD_UNIT=x.service
expect 3 "invalid field name 'VM-NAME': must be 1..64 of A-Z, 0-9 and '_', not starting with a digit or '_'" \
	-i 1 "${ok[@]}" -f VM-NAME=x
expect 3 "invalid field name '${LONG_NAME:0:64}...': must be 1..64 of A-Z, 0-9 and '_', not starting with a digit or '_'" \
	-i 1 "${ok[@]}" -f "$LONG_NAME=x"
expect 3 "reserved field name 'EVENT_ID': not allowed as an extra field" \
	-i 1 "${ok[@]}" -f EVENT_ID=2
expect 3 "reserved field name 'EVENT_SENDER': not allowed as an extra field" \
	-i 1 "${ok[@]}" -f EVENT_SENDER=vdc
expect 3 "invalid field 'VM': must be NAME=VALUE" -i 1 "${ok[@]}" -f VM
expect 3 "invalid description '${LONG_DESC:0:64}...': 32769 bytes, at most 32768" \
	-i 1 -s Bad -d "$LONG_DESC"
expect 3 "invalid value of field VM: 8193 bytes, at most 8192" \
	-i 1 "${ok[@]}" -f "VM=$LONG_VALUE"
expect 3 "invalid description 'caf\\xe9': not valid UTF-8" \
	-i 1 -s Bad -d $'caf\xe9'
expect 3 "invalid description '\\xed\\xa0\\x80': not valid UTF-8" \
	-i 1 -s Bad -d $'\xed\xa0\x80'
expect 3 "invalid description '\\xc0\\xaf': not valid UTF-8" \
	-i 1 -s Bad -d $'\xc0\xaf'
expect 3 "invalid value of field VM '\\xff': not valid UTF-8" \
	-i 1 "${ok[@]}" -f $'VM=\xff'
expect 3 "invalid source 'John Doe': must be printable ASCII without spaces" \
	-i 1 -s "John Doe" -d text
expect 3 "invalid log 'My Log': must be printable ASCII without spaces, '=', ']' or '\"'" \
	-i 1 "${ok[@]}" -l "My Log"

expect 2 "unknown option '--colour'" -i 1 "${ok[@]}" --colour
expect 2 "option '--id' needs a value" "${ok[@]}" --id
expect 2 "option '--id' given twice" -i 1 --id 2 "${ok[@]}"
expect 2 "unexpected argument 'stray'" -i 1 "${ok[@]}" stray
expect 2 "unknown switch '/X': must be /T, /ID, /SO, /L, /D, /S, /U, /P or /?" /ID 1 /D text /X y
expect 2 "invalid target 'file': must be journal or syslog" -i 1 "${ok[@]}" --target file
expect 2 "no event given: see 'evcreate --help'"
expect 2 "cannot open batch file '$TESTDIR/none': No such file or directory" \
	--batch "$TESTDIR/none"
expect 2 "cannot open batch file '$TESTDIR': Is a directory" --batch "$TESTDIR"

# /S /U /P send to another machine (evcreate(1), SENDING TO ANOTHER MACHINE):
# a bad remote command line is refused before anything is sent or written.
expect 2 "switches /U and /P need /S HOST" \
	/U admin /P @"$TESTDIR/psk" /T error /ID 1 /SO Bad /D text
expect 2 "switches /U and /P go together: /U NAME /P @FILE, /P - or /P SECRET" \
	/S vdc-host /U admin /T error /ID 1 /SO Bad /D text
expect 2 "invalid server 'vdc-host:0': must be HOST, HOST:PORT or [ADDRESS]:PORT, port 1..65535" \
	/T error /ID 1 /SO Bad /D text /s vdc-host:0
expect 2 "cannot read PSK file '$TESTDIR/none': No such file or directory" \
	/S 127.0.0.1:9 /U admin /P @"$TESTDIR/none" /T error /ID 1 /SO Bad /D text
expect 3 "invalid event id '0': must be 1..65535" \
	/S 127.0.0.1:9 /U admin /P @"$TESTDIR/none" /T error /ID 0 /SO Bad /D text

# A good event after the bad ones: once it is in, the bad ones would be too.
"$EVCREATE" -i 2 -s Good -d "after the bad ones" || fail "good event: exit $?"
journal_wait 1 10 SYSLOG_IDENTIFIER=Good
assert_eq "$(journal_count SYSLOG_IDENTIFIER=Bad)" 0 "entries written by bad input"
assert_eq "$(journal_count SYSLOG_IDENTIFIER=evcreate)" 0 "entries with the default source"

# --help and --version write to stdout and succeed; the help names every option.
"$EVCREATE" --help >"$TESTDIR/help" || fail "--help: exit $?"
for opt in --type --id --source --log --description --field --target \
	--syslog-format --socket --batch --help --version /T /ID /SO /L /D /? \
	--server --cert --key --ca --psk-identity --psk-file --spool --flush \
	--no-answer /S /U /P; do
	grep -q -- "$opt" "$TESTDIR/help" || fail "--help does not mention $opt"
done
"$EVCREATE" '/?' | cmp -s - "$TESTDIR/help" || fail "/? differs from --help"
"$EVCREATE" --version | grep -q '^evcreate [0-9]' || fail "--version"
echo ok
