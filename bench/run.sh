#!/bin/bash
# Runs every benchmark of bench/ against the build in $1 (normal build, not
# the sanitizer one), one after another. Each prints its figures and the
# commands behind them; BENCHMARKS.md records the ones we published.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
rc=0
for b in bench/evcreate.sh bench/watch.sh bench/disk.sh; do
	echo "=== $b"
	"$b" "$BUILD" || { echo "$b: failed (exit $?)" >&2; rc=1; }
done
exit $rc
