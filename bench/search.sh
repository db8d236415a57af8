#!/usr/bin/env bash
# bench/search.sh — the search index with N generated German lessons (default
# 100,000): index build time and size, and p50/p99 of 20 typical German
# queries, beside two baseline peers measured in the same run: plain SQLite
# FTS5 without folding or stemming, and grep -ril over the same texts as files.
# Usage: BUILD=build bench/search.sh [N]
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-${SEARCH_BENCH_N:-100000}}
BIN=$BUILD/bench/search_bench
[ -x "$BIN" ] || { echo "bench/search: build $BIN first (make bench)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-bench-search.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "== bench/search: $N generated lessons, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
"$BIN" "$T" "$N"

# grep baseline: one grep -ril per query (its first word; grep knows no stems
# or umlaut folding, so "Strassen" does not find "Straßen").
queries=("Bürgerbeteiligung" "Straßenbeleuchtung" "Beteiligung" "Datenplattform"
	"Ladeinfrastruktur" "Fördermittel" "Digitalisierung" "Breitbandausbau" "Parkraum"
	"Sensoren" "offene" "Verwaltung" "Quartier" "Klimaschutz" "Mobilität"
	"Arbeitskreise" "Kommunikation" "Pilotprojekt" "Akzeptanz" "Strassen")
: >"$T/grep.ms"
hits=0
for q in "${queries[@]}"; do
	s=$(date +%s%N)
	n=$(grep -rilF -- "$q" "$T/texts" | wc -l)
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) >>"$T/grep.ms"
	hits=$((hits + n))
done
sort -n "$T/grep.ms" | awk -v hits="$hits" '{ a[NR] = $1 } END {
	printf "grep -ril: %d matching files over the 20 queries\n", hits
	printf "%-34s p50 %7.2f ms   p99 %7.2f ms\n", "grep -ril over the files",
	    a[int(NR / 2) + 1] / 1000, a[NR] / 1000 }'
echo "texts on disk: $(du -sm "$T/texts" | cut -f1) MiB in $N files"
