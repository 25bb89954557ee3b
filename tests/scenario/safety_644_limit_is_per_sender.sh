#!/bin/bash
# The TRIGGER_REJECTED (644) rate limit is per writer, and for the
# listener's entries a writer is the listener's uid AND the sender it
# proved: a guest that floods refused events uses up its own 10 reports a
# minute, not those of every other sender behind the same listener. Each
# report names the sender (TRIGGER_SENDER); reports plus SUPPRESSED add up
# to every refused event of that sender.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup

listener=daemon         # stands in for the listener's system user
watch_stamp_rule onlyc 779 'sender = gc'
watch_start --listener-user "$listener"

as_listener() {
	setpriv --reuid="$listener" --regid="$(id -g "$listener")" --clear-groups "$@"
}

# 25 refused events from guest ga (a flood), then 3 from guest gb.
as_listener bash -c "$(declare -f watch_event)
	for i in \$(seq 25); do watch_event 779 ga-\$i EVENT_SENDER=ga EVENT_AUTH=channel; done
	for i in 1 2 3; do watch_event 779 gb-\$i EVENT_SENDER=gb EVENT_AUTH=channel; done"
# gb's three come after ga's 25: all three are reported one by one.
journal_wait 3 60 EVENT_ID=644 RULE=onlyc TRIGGER_SENDER=gb
assert_eq "$(journal_count EVENT_ID=644 RULE=onlyc TRIGGER_SENDER=ga)" 10 "reports about ga before the watcher stops"
watch_stop
# On stop, ga's suppressed count is reported.
ga_sup=$(journalctl -q -o export EVENT_ID=644 TRIGGER_SENDER=ga |
	sed -n 's/^SUPPRESSED=//p' | awk '{s += $1} END {print s + 0}')
ga_rep=$(journal_count EVENT_ID=644 RULE=onlyc TRIGGER_SENDER=ga)
assert_eq "$((ga_rep + ga_sup))" 25 "ga: reported + SUPPRESSED"
assert_eq "$(journal_count EVENT_ID=644 TRIGGER_SENDER=gb)" 3 "reports about gb"
assert_eq "$(journal_field TRIGGER_UID EVENT_ID=644 TRIGGER_SENDER=gb)" "$(id -u "$listener")" "TRIGGER_UID of gb's reports"
assert_eq "$(journal_count EVENT_ID=600 RULE=onlyc)" 0 "jobs of refused events"
