# Running one action module's step by hand in a scenario, as a one-step job
# of `evtrigger action` (source after testbed.sh; call testbed_journald first).
#
#   run_action NAME VM [ARG]...    runs `evtrigger action NAME --vm VM ARG...`
#       in the foreground; its exit status is the job's (0 ok, 1 failed,
#       cancelled or timed out); stderr in $TESTDIR/action.err
#   run_action_bg NAME VM [ARG]... the same in the background; ACTION_PID

ACTION_PID=
export EVTRIGGER_ACTION_DIR=$BUILD/actions
export EVTRIGGER_STATE_DIR=$TESTDIR/state

run_action() {
	local name=$1 vm=$2
	shift 2
	"$EVTRIGGER" action "$name" --vm "$vm" "$@" 2>"$TESTDIR/action.err"
}

run_action_bg() {
	local name=$1 vm=$2
	shift 2
	"$EVTRIGGER" action "$name" --vm "$vm" "$@" 2>"$TESTDIR/action.err" &
	ACTION_PID=$!
}
