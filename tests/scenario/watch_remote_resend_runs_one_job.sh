#!/bin/bash
# A remote event's job is keyed by (sender, uuid, rule), not by the journal
# cursor: two journal entries of one event (a resend: the same EVENT_SENDER
# and EVENT_UUID, written by the listener's uid) run exactly one job, while
# evtrigger runs and also when it is killed -9 between them. An event the
# sender held back longer than max-age (EVENT_TIME) is rejected with its
# reason. The listener is stood in for by another system user (setpriv).
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

listener=daemon
listener_uid=$(id -u "$listener")
watch_stamp_rule vdc 777 'sender = vdc'
watch_start --listener-uid "$listener_uid"

# listener_event N UUID [FIELD=VALUE]...: the event as the listener writes it.
listener_event() {
	local n=$1 uuid=$2
	shift 2
	setpriv --reuid="$listener" --regid="$(id -g "$listener")" --clear-groups \
		bash -c "$(declare -f watch_event); watch_event 777 $n EVENT_SENDER=vdc EVENT_AUTH=channel EVENT_UUID=$uuid $*"
}
uuid() { cat /proc/sys/kernel/random/uuid; }

# A resend while evtrigger runs. Jobs of one rule run one after the other,
# in order: once "two" has run, a second job for "one" would have run too.
u1=$(uuid)
listener_event one "$u1"
listener_event one "$u1"
listener_event two "$(uuid)"
watch_wait_stamps 2 60
journal_wait 2 60 EVENT_ID=601 RULE=vdc
assert_eq "$(journal_count N=one)" 2 "journal entries of event one"
assert_eq "$(journal_count EVENT_ID=600 RULE=vdc)" 2 "jobs started"

# A resend after a kill -9: the first entry's job is found by its key, the
# second entry (another cursor) runs nothing.
u3=$(uuid)
listener_event three "$u3"
watch_wait_stamps 3 60
watch_kill9
listener_event three "$u3"
watch_start --listener-uid "$listener_uid"
listener_event four "$(uuid)"
watch_wait_stamps 4 60
journal_wait 4 60 EVENT_ID=601 RULE=vdc
assert_eq "$(journal_count N=three)" 2 "journal entries of event three"
assert_eq "$(journal_count EVENT_ID=600 RULE=vdc)" 4 "jobs started"
watch_assert_once
for n in one three; do
	assert_eq "$(journal_count EVENT_ID=600 RULE=vdc "TRIGGER_CURSOR=$(journalctl -q -n 1 -o export N=$n | sed -n 's/^__CURSOR=//p' | head -n 1)")" 0 \
		"a job for the resent entry of event $n"
done

# Held back two hours by the sender: older than max-age (1h), rejected.
sent=$(( ($(date +%s) - 7200) * 1000000 ))
listener_event stale "$(uuid)" "EVENT_TIME=$sent"
journal_wait 1 60 EVENT_ID=644 RULE=vdc
journal_field REASON EVENT_ID=644 RULE=vdc |
	grep -q "^the event is 2h 0m [0-9]*s old by the sender's time, older than the maximum age 1h 0m 0s$" ||
	fail "reason: $(journal_field REASON EVENT_ID=644 RULE=vdc)"
[ ! -e "$OUT/stale" ] || fail "a held-back event ran"
watch_stop
echo ok
