#!/bin/bash
# A rule bound to a remote sender fires only on entries the network listener
# wrote (its trusted _UID). The same EVENT_SENDER written by any other local
# process - an unprivileged user, or root - is rejected (TRIGGER_REJECTED) and
# runs nothing. The writers run as other users with setpriv.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

listener=daemon         # stands in for the listener's system user
listener_uid=$(id -u "$listener")
watch_stamp_rule vdc 777 'sender = vdc'
watch_start --listener-user "$listener"

as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups "$@"
}

# Forged by nobody, and by root: rejected.
as nobody bash -c "$(declare -f watch_event); watch_event 777 forged-nobody EVENT_SENDER=vdc"
watch_event 777 forged-root EVENT_SENDER=vdc
# From the listener, but for another sender: rejected too.
as "$listener" bash -c "$(declare -f watch_event); watch_event 777 other-sender EVENT_SENDER=vdd"
journal_wait 3 60 EVENT_ID=644 RULE=vdc
# The real thing: the listener's entry naming sender vdc.
as "$listener" bash -c "$(declare -f watch_event); watch_event 777 genuine EVENT_SENDER=vdc EVENT_AUTH=channel"
watch_wait_stamps 1 60
journal_wait 1 60 EVENT_ID=601 RULE=vdc

assert_eq "$(journal_field _UID N=forged-nobody)" "$(id -u nobody)" "writer of the forged event"
assert_eq "$(journal_field _UID N=genuine)" "$listener_uid" "writer of the genuine event"
[ -e "$OUT/genuine" ] || fail "the listener's event did not fire the rule"
for n in forged-nobody forged-root other-sender; do
	[ ! -e "$OUT/$n" ] || fail "event '$n' fired a sender-bound rule"
done
assert_eq "$(watch_stamps)" 1 "actions run"
assert_eq "$(journal_count EVENT_ID=644 RULE=vdc)" 3 "TRIGGER_REJECTED events"
assert_eq "$(journal_count EVENT_ID=600 RULE=vdc)" 1 "JOB_STARTED events"
watch_stop
