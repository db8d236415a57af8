#!/usr/bin/env bash
# bench/forget.sh — an erasure's clean-up of the search index at N generated
# lessons (default 20,000): bench/search_bench builds and merges the index,
# bench/forget_bench then times the clean-up as it was (one FTS5 optimize
# and WAL checkpoint on the event loop) and as it is (steps on the search
# loop: the longest turn of the loop, and the time until it is done).
# Usage: BUILD=build bench/forget.sh [N]
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-${FORGET_BENCH_N:-20000}}
for b in search_bench forget_bench; do
	[ -x "$BUILD/bench/$b" ] || { echo "bench/forget: build $BUILD/bench/$b first (make bench)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-bench-forget.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "== bench/forget: $N generated lessons, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
"$BUILD/bench/search_bench" "$T" "$N" >"$T/search.out"
grep -E '^(lessons indexed|knowd index .*(build|merge))' "$T/search.out"
"$BUILD/bench/forget_bench" "$T"
