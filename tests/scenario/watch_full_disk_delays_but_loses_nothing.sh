#!/bin/bash
# When a job cannot be recorded (the state directory's file system is full),
# evtrigger does not move past the event: it retries, and once there is room
# the event runs its action, once. The state directory is a small tmpfs
# filled up by the test.
. "$(dirname "$0")/../lib/testbed.sh"
. "$TOP/tests/lib/watch.sh"
testbed_journald
watch_setup
mount -t tmpfs -o size=4m tmpfs "$STATE"
testbed_at_exit "umount -l $STATE"

watch_stamp_rule r 777
watch_start
watch_event 777 before
watch_wait_stamps 1 60

dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null   # until ENOSPC
watch_event 777 while-full
watch_event 777 also-while-full
for i in $(seq 600); do
	grep -q "cannot record a job" "$TESTDIR/evtrigger.log" && break
	sleep 0.1
done
grep -q "cannot record a job for rule 'r'" "$TESTDIR/evtrigger.log" ||
	fail "no error about the job that could not be recorded: $(cat "$TESTDIR/evtrigger.log")"
[ ! -e "$OUT/while-full" ] || fail "the action ran although its job was not recorded"

rm "$STATE/filler"
watch_wait_stamps 3 60
[ -e "$OUT/while-full" ] && [ -e "$OUT/also-while-full" ] ||
	fail "events from while the disk was full were lost"
watch_event 777 after
watch_wait_stamps 4 60
watch_stop
watch_assert_once
assert_eq "$(watch_stamps)" 4 "actions run"
