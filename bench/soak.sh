#!/usr/bin/env bash
# bench/soak: 6 knowd nodes on 127.0.0.1 in a ring with one chord, every node
# trusting every other, one publish a second at a node chosen in turn, for
# SOAK_MINUTES (default 10). Prints per daemon RSS and open descriptors at
# minute 1 and at the end, packs and loose objects on disk, and the time
# until every node holds every lesson after the last publish.
# Goal (issue 12): descriptors and RSS flat after minute 1 (within 10 %), no
# lesson lost. Not part of make check (it runs for minutes).
#
# Usage: BUILD=build bench/soak.sh   (after make)   SOAK_MINUTES=10 SOAK_N=6
# Every daemon is stopped by its PID on exit and on Ctrl-C (lib.sh's trap).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export KNOWD_BIN="$PWD/$BUILD/knowd" KNOWCTL_BIN="$PWD/$BUILD/knowctl"
MIN=${SOAK_MINUTES:-10}
N=${SOAK_N:-6}
. tests/regress/lib.sh
trap 'exit 130' INT TERM	# → lib.sh's EXIT trap: every daemon by PID, then $T

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
home() { echo "$T/n$1"; }

names=("Stadt Münster" "Stadt Paderborn" "Stadt Beckum" "Stadt Krefeld"
	"Wissenschaftsstadt Darmstadt" "Stadt Winterberg" "Stadt Soest" "Stadt Werl")
for i in $(seq 0 $((N - 1))); do
	node_init "$(home $i)" "${names[$((i % 8))]} $i" --listen 127.0.0.1:0 || exit 1
	node_start "$(home $i)" || exit 1
	pin_port "$(home $i)"
done
for i in $(seq 0 $((N - 1))); do
	for j in $(seq 0 $((N - 1))); do
		[ "$i" = "$j" ] && continue
		kctl "$(home $i)" trust add "$(cat "$(home $j).did")" --name "n$j" >/dev/null
	done
done
# A ring, and one chord across it.
for i in $(seq 0 $((N - 1))); do
	j=$(( (i + 1) % N ))
	kctl "$(home $i)" peer add "$(cat "$(home $j).did")@$(node_addr "$(home $j)")" >/dev/null
done
kctl "$(home 0)" peer add "$(cat "$(home $((N / 2))).did")@$(node_addr "$(home $((N / 2)))")" >/dev/null

# usage I: "RSS_kB fds" of daemon I.
usage() {
	local p
	p=$(cat "$(home "$1").pid")
	echo "$(awk '/^VmRSS/ {print $2}' "/proc/$p/status") $(ls "/proc/$p/fd" | wc -l)"
}
# rss_split I: "anon_kB file_kB" of daemon I (file: mapped packs, libraries).
rss_split() {
	awk '/^RssAnon/ {a = $2} /^RssFile/ {f = $2} END {print a, f}' "/proc/$(cat "$(home "$1").pid")/status"
}
# objects I: "packs loose" on disk of daemon I.
objects() {
	local o
	o=$(home "$1")/repo.git/objects
	echo "$(ls "$o/pack" | grep -c '\.pack$') $(find "$o" -path "$o/pack" -prune -o -type f -print | grep -c '/[0-9a-f][0-9a-f]/')"
}

draft=$T/draft.md
"$KNOWCTL" new | sed -e 's/^summary: Ein Satz, der.*/summary: Was andere aus dem Dauerlauf lernen./' \
    -e '$a Eine Antwort aus dem Dauerlauf.' >"$draft"
echo "bench/soak: $N nodes, one publish a second for $MIN min ($BUILD)"
end=$(( $(date +%s) + MIN * 60 ))
declare -a at1 sp1
n=0 lost=0
: >"$T/ids"
while [ "$(date +%s)" -lt "$end" ]; do
	t=$(now_ms)
	i=$((n % N))
	sed -e "s/^title: .*/title: Erfahrung Nummer $n aus dem Dauerlauf/" \
	    -e "s/^project: .*/project: dauerlauf-$i/" "$draft" >"$T/d.md"
	if id=$(kctl "$(home $i)" publish "$T/d.md" 2>"$T/err"); then
		echo "$id" >>"$T/ids"
	else
		echo "  publish $n on n$i failed: $(cat "$T/err")" >&2
	fi
	n=$((n + 1))
	if [ -z "${at1[0]:-}" ] && [ "$(date +%s)" -ge $((end - MIN * 60 + 60)) ]; then
		for k in $(seq 0 $((N - 1))); do at1[$k]=$(usage "$k"); sp1[$k]=$(rss_split "$k"); done
	fi
	sleep "$(awk -v d=$(( $(now_ms) - t )) 'BEGIN { s = (1000 - d) / 1000; print (s > 0 ? s : 0) }')"
done
last=$(now_ms)
published=$(wc -l <"$T/ids")
# everyone I: daemon I lists every published lesson.
everyone() {
	local k
	for k in $(seq 0 $((N - 1))); do
		[ "$(kctl "$(home $k)" list | grep -cFf "$T/ids")" -ge "$published" ] || return 1
	done
}
if poll 300 everyone; then
	conv=$(( $(now_ms) - last ))
else
	conv=-1
fi
printf '%-6s %12s %12s %8s %8s %7s %7s %18s %18s\n' node "RSS@1min kB" "RSS@end kB" "fds@1" "fds@end" packs loose "anon/file@1 kB" "anon/file@end kB"
for k in $(seq 0 $((N - 1))); do
	read -r r1 f1 <<<"${at1[$k]:-0 0}"
	read -r r2 f2 <<<"$(usage "$k")"
	read -r pk lo <<<"$(objects "$k")"
	read -r a1 m1 <<<"${sp1[$k]:-0 0}"
	read -r a2 m2 <<<"$(rss_split "$k")"
	printf '%-6s %12s %12s %8s %8s %7s %7s %18s %18s\n' "n$k" "$r1" "$r2" "$f1" "$f2" "$pk" "$lo" "$a1/$m1" "$a2/$m2"
	awk -v a="$r1" -v b="$r2" -v f="$f1" -v g="$f2" -v n="n$k" 'BEGIN {
		if (a > 0 && b > a * 1.10) printf "  %s: RSS grew %.0f %% after minute 1\n", n, (b / a - 1) * 100
		if (f > 0 && g > f * 1.10) printf "  %s: fds grew from %d to %d after minute 1\n", n, f, g }'
done
for k in $(seq 0 $((N - 1))); do
	have=$(kctl "$(home $k)" list | grep -cFf "$T/ids")
	[ "$have" -lt "$published" ] && lost=$((lost + published - have))
done
echo "published $published lessons in $MIN min; converged ${conv} ms after the last publish (-1: not within 300 s); missing on some node: $lost"
sanitizer_clean || echo "  sanitizer reports in $T" >&2
[ "$lost" = 0 ] && [ "$conv" -ge 0 ]
