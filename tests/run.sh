#!/bin/sh
# Runs every unit test (build/tests/test_*) and every regression script
# (tests/regress/*.sh), and prints one summary line. Exit 1 if any failed.
# Usage: BUILD=build/san tests/run.sh [name-filter]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export KNOWD_BIN="$PWD/$BUILD/knowd" KNOWCTL_BIN="$PWD/$BUILD/knowctl"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
filter=${1:-}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/knowd-tests.XXXXXX")
pass=0 fail=0 failed=""

run_one() {
	name=$1; shift
	case "$name" in *"$filter"*) ;; *) return ;; esac
	start=$(date +%s)
	log="$logdir/$(echo "$name" | tr / _).log"
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'ok   %-28s %3ss\n' "$name" $(($(date +%s) - start))
	else
		fail=$((fail + 1)); failed="$failed $name"
		printf 'FAIL %-28s %3ss\n' "$name" $(($(date +%s) - start))
		sed 's/^/    | /' "$log" | tail -60
	fi
}

# What the tree looked like before: no test may change a tracked file (a
# `knowctl publish FILE` writes the new id into FILE: tests publish tracked
# examples from stdin).
tree_state() { git status --porcelain --untracked-files=no 2>/dev/null | md5sum; }
tree_before=$(tree_state)

# The floors of the house: calls and includes go down only (doc/DESIGN.md).
run_one "lint/layering" bash tests/layering.sh

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in tests/regress/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in */lib.sh | *_lib.sh) continue ;; esac
	run_one "regress/$(basename "$t" .sh)" bash "$t"
done

if [ "$(tree_state)" != "$tree_before" ]; then
	fail=$((fail + 1)); failed="$failed tree-changed"
	echo "FAIL the tests changed tracked files:"
	git status --porcelain --untracked-files=no | sed 's/^/    | /'
fi
rm -rf "$logdir"
if [ "$fail" -eq 0 ]; then
	echo "SUMMARY: $pass passed, 0 failed"
else
	echo "SUMMARY: $pass passed, $fail failed:$failed"
	exit 1
fi
