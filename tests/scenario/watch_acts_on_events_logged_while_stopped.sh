#!/bin/bash
# Events logged while evtrigger was stopped are acted on when it starts; those
# older than the maximum age are not (TRIGGER_REJECTED). What was logged before
# evtrigger's very first start is history and runs nothing.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

watch_stamp_rule r 777
watch_event 777 before-first-start
watch_start
watch_stop
[ -s "$STATE/cursor" ] || fail "no cursor stored at the first start"

watch_event 777 while-stopped-1
watch_event 777 while-stopped-2
watch_start
watch_wait_stamps 2 60
[ -e "$OUT/while-stopped-1" ] && [ -e "$OUT/while-stopped-2" ] ||
	fail "events logged while stopped were not acted on"
watch_stop

# Older than --max-age when evtrigger first sees them: rejected.
watch_event 777 too-old
sleep 3         # makes the event 3s old; not a timed assertion
watch_start --max-age 1s
journal_wait 1 60 EVENT_ID=644 RULE=r
reason=$(journal_field REASON EVENT_ID=644 RULE=r)
case $reason in *"maximum age"*) ;; *) fail "REASON: '$reason'" ;; esac
# A fresh one still fires (its age is far below the 1s limit only if
# evtrigger is quick, so this one goes to a daemon with the default age).
watch_stop
watch_start
watch_event 777 fresh
watch_wait_stamps 3 60
[ ! -e "$OUT/too-old" ] || fail "an event older than --max-age ran"
[ ! -e "$OUT/before-first-start" ] || fail "an event from before the first start ran"
watch_stop
watch_assert_once
assert_eq "$(watch_stamps)" 3 "actions run"
