# Running one action module's step by hand in a scenario (source after
# testbed.sh). Until `evtrigger action` exists this uses build/tools/action-host,
# a stand-in for the job runner with the same module interface.
#
#   run_action NAME VM [-o KEY=VALUE]... : runs the step in the foreground;
#       its exit status is the step's (0 ok, 1 failed, 3 cancelled); stderr in
#       $TESTDIR/action.err, notes in $TESTDIR/action.notes
#   run_action_bg NAME VM [...]          : the same in the background;
#       ACTION_PID is its pid
#   action_note KEY                      : prints a note the step left

ACTION_PID=


run_action() {
	local name=$1 vm=$2
	shift 2
	"$BUILD/tools/action-host" "$BUILD/actions/$name.so" --vm "$vm" \
		--notes "$TESTDIR/action.notes" "$@" 2>"$TESTDIR/action.err"
}

run_action_bg() {
	local name=$1 vm=$2
	shift 2
	"$BUILD/tools/action-host" "$BUILD/actions/$name.so" --vm "$vm" \
		--notes "$TESTDIR/action.notes" "$@" 2>"$TESTDIR/action.err" &
	ACTION_PID=$!
}

action_note() {
	sed -n "s/^$1=//p" "$TESTDIR/action.notes" 2>/dev/null | tail -n 1
}
