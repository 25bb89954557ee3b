#!/bin/bash
# A guest that sends bad lines (a bad event ID, a line over 64 KiB, invalid
# UTF-8, binary bytes, no description) and lines that claim an identity
# (EVENT_SENDER, EVENT_AUTH, an RFC 5424 HOSTNAME) gets one ERR answer per
# line, with 400, 413 or 403, and nothing of them reaches the journal; each
# refusal is logged as EVENT_REFUSED (652). The channel goes on: a good
# line after them gets OK.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/listen.sh"

testbed_journald
testbed_libvirtd
testbed_listen_user
cat >"$TESTDIR/send.sh" <<'GUEST'
exec 3<>/dev/virtio-ports/org.evtrigger.0 || exit 1
n=0
ask() {	# ask LABEL: sends stdin as is, prints the answer
	cat >&3
	read -r answer <&3
	echo "evt-guest: $1: $answer"
}
printf 'id=0 source=bad description="bad id"\n' | ask badid
printf 'id=70000 source=bad description="bad id"\n' | ask bigid
{ printf 'id=900 source=bad description="'; head -c 70000 /dev/zero | tr '\0' x; printf '"\n'; } | ask huge
printf 'id=901 source=bad description="caf\351"\n' | ask utf8
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\n' | ask binary
printf 'id=902 source=bad\n' | ask nodesc
printf 'id=903 source=forged description=x EVENT_SENDER=web\n' | ask sender
printf 'id=904 source=forged description=x EVENT_AUTH=channel\n' | ask auth
printf '<12>1 - web John - 905 - forged hostname\n' | ask hostname
printf '<12>1 - - John - 906 [evtrigger@32473 EVENT_SENDER="web"] forged\n' | ask sdsender
printf 'id=907 source=good description="after the bad ones"\n' | ask good
GUEST
testbed_guest --channel --script "$TESTDIR/send.sh" vdc
listen_start
$VIRSH start vdc >/dev/null || fail "cannot start guest vdc"
guest_wait_console vdc 'evt-guest: script exit' 180
grep -qF 'evt-guest: script exit 0' "$TESTDIR/vdc.console" ||
	fail "the guest script failed: $(tail -n 5 "$TESTDIR/vdc.console")"

answer() {
	sed -n "s/^evt-guest: $1: //p" "$TESTDIR/vdc.console" | tr -d '\r'
}
expect() {	# expect LABEL ANSWER-PREFIX
	local a
	a=$(answer "$1")
	case $a in
	"$2"*) ;;
	*) fail "$1: expected an answer starting '$2', got '$a'" ;;
	esac
}
expect badid "ERR 400 invalid event id '0'"
expect bigid "ERR 400 invalid event id '70000'"
expect huge "ERR 413 line too long"
expect utf8 "ERR 400 invalid description 'caf\\xe9': not valid UTF-8"
expect binary "ERR 400 "
expect nodesc "ERR 400 no description given"
expect sender "ERR 403 reserved field name 'EVENT_SENDER'"
expect auth "ERR 403 reserved field name 'EVENT_AUTH'"
expect hostname "ERR 403 HOSTNAME refused"
expect sdsender "ERR 403 reserved field name 'EVENT_SENDER'"
expect good "OK "

assert_eq "$(journal_count EVENT_SOURCE=bad)" 0 "entries of bad lines"
assert_eq "$(journal_count EVENT_SOURCE=forged)" 0 "entries of forged lines"
for id in 900 901 902 903 904 905 906; do
	assert_eq "$(journal_count EVENT_ID=$id)" 0 "entries with EVENT_ID=$id"
done
assert_eq "$(journal_count EVENT_SENDER=web)" 0 "entries claiming to be web"
assert_eq "$(journal_count EVENT_ID=907 EVENT_SENDER=vdc _UID=$LISTEN_UID)" 1 \
	"the good line's entry"
journal_wait 10 10 EVENT_ID=652 VM=vdc
assert_eq "$(journal_count EVENT_ID=652 VM=vdc CODE=403)" 4 "403 refusals logged"
assert_eq "$(journal_count EVENT_ID=652 VM=vdc CODE=413)" 1 "413 refusals logged"
listen_stop
