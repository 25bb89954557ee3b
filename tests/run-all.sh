#!/bin/bash
# Runs the unit tests (Check suites) and the scenario scripts, each scenario
# in its own mount namespace, and ends with one line 'N passed, N failed'.
# Usage: tests/run-all.sh BUILD [unit|scenario] [NAME-PATTERN]
set -u
BUILD=$(cd "${1:?usage: run-all.sh BUILD [unit|scenario] [pattern]}" && pwd)
WHAT=${2:-all}
PATTERN=${3:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-600}
passed=0 failed=0 failures=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CK_FORK=yes BUILD TOP

result() {
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS: $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "FAIL: $1 (exit $2)"
	fi
}

if [ "$WHAT" = all ] || [ "$WHAT" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		case $name in *"$PATTERN"*) ;; *) continue ;; esac
		"$t"
		result "unit/$name" $?
	done
fi

if [ "$WHAT" = all ] || [ "$WHAT" = scenario ]; then
	for s in "$TOP"/tests/scenario/*.sh; do
		[ -e "$s" ] || continue
		name=$(basename "$s" .sh)
		case $name in *"$PATTERN"*) ;; *) continue ;; esac
		echo "--- scenario $name"
		EVT_TESTBED_NS=1 timeout -k 10 "$SCENARIO_TIMEOUT" \
			unshare -m --propagation private bash "$s"
		result "scenario/$name" $?
	done
fi

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
