#!/usr/bin/env bash
# make demo: the story of the Smart City exchange on one machine. Three
# municipalities (Münster, Paderborn, Darmstadt) and the regional agency
# "Südwestfalen Agentur" each run a knowd node on 127.0.0.1. The agency
# mirrors the network and vouches for the municipalities; the municipalities
# trust the agency, and so each other. A lesson published in Paderborn
# arrives everywhere, signature checked; search finds it; every node's local
# web address is printed.
#   contrib/demo.sh           on a terminal: keeps running until Ctrl-C
#   contrib/demo.sh --once    stops at the end (what scripts and CI use)
# Everything lives in a temp dir that is removed at the end; every daemon the
# demo started is stopped (by PID) on exit or Ctrl-C.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KNOWD=$PWD/$BUILD/knowd
KNOWCTL=$PWD/$BUILD/knowctl
EX=$PWD/contrib/examples
KEEP=0
[ -t 0 ] && [ "${1:-}" != "--once" ] && KEEP=1

DIR=$(mktemp -d "${TMPDIR:-/tmp}/knowd-demo.XXXXXX")
PIDS=()
stop_all() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap stop_all EXIT
trap 'echo; echo "demo: stopping the nodes"; exit 0' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
kc() { local n=$1; shift; "$KNOWCTL" --home "$DIR/$n" "$@"; }
field() { kc "$1" status --json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$2') or '')"; }

# start_node NAME DISPLAY KIND AGS [init options…]: init and run one node, wait until it answers.
start_node() {
	local n=$1 name=$2 kind=$3 ags=$4 i; shift 4
	"$KNOWD" init --home "$DIR/$n" --name "$name" --kind "$kind" --ags "$ags" \
	    --listen 127.0.0.1:0 "$@" >/dev/null || exit 1
	grep -q '^http' "$DIR/$n/knowd.conf" || echo "http = 127.0.0.1:0" >>"$DIR/$n/knowd.conf"
	"$KNOWD" --home "$DIR/$n" 2>"$DIR/$n.log" &
	PIDS+=($!)
	for i in $(seq 1 100); do
		kc "$n" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "demo: knowd for $name did not start; see $DIR/$n.log" >&2
	exit 1
}

say "The regional agency and three municipalities start a node each"
start_node agentur "Südwestfalen Agentur" agency 05970000 --mirror all
start_node muenster "Stadt Münster" municipality 05515000
start_node paderborn "Stadt Paderborn" municipality 05774032
start_node darmstadt "Wissenschaftsstadt Darmstadt" municipality 06411000
for n in agentur muenster paderborn darmstadt; do
	printf '  %-10s %s\n' "$n" "$(kc "$n" id)"
done

say "The agency vouches for the municipalities; they trust the agency and connect to it"
ag_id=$(kc agentur id)
ag_addr=$(field agentur listen)
for n in muenster paderborn darmstadt; do
	kc agentur vouch "$(kc "$n" id)" --name "$(field "$n" name)" >/dev/null || exit 1
	kc "$n" trust add "$ag_id" --name "Südwestfalen Agentur" >/dev/null || exit 1
	kc "$n" peer add "$ag_id@$ag_addr" >/dev/null || exit 1
done
for i in $(seq 1 200); do
	[ "$(kc agentur peers | grep -c ready)" -ge 3 ] && break
	sleep 0.05
done
kc agentur peers
echo
kc muenster trust list

say "Each municipality publishes its lessons learned (signed commits)"
publish() {
	local n=$1 file=$2 id
	id=$(kc "$n" publish - <"$EX/$file") || exit 1
	printf '  %-10s %s  %s\n' "$n" "$id" "$(sed -n 's/^title: //p' "$EX/$file")"
}
publish muenster muenster-strassenbeleuchtung.md
publish muenster muenster-pilotstrasse.md
publish darmstadt darmstadt-datenplattform.md
publish paderborn paderborn-buergerportal.md
pb_id=$(kc paderborn list --node "Stadt Paderborn" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

say "Paderborn's lesson travels: agency → Münster and Darmstadt"
views() { for n in agentur muenster paderborn darmstadt; do field "$n" view; done | sort -u | wc -l; }
for i in $(seq 1 200); do
	ok=1
	for n in muenster darmstadt agentur; do kc "$n" show "$pb_id" >/dev/null 2>&1 || ok=0; done
	[ "$ok" = 1 ] && [ "$(views)" = 1 ] && break
	sleep 0.05
done
for n in agentur muenster darmstadt; do
	kc "$n" show "$pb_id" >/dev/null 2>&1 && printf '  %-10s holds %s\n' "$n" "$pb_id" ||
		{ echo "demo: $n did not get the lesson" >&2; exit 1; }
done
echo "  all four nodes report view $(field paderborn view)"

say "knowctl list in Darmstadt"
kc darmstadt list

say "Every commit signature of every branch checked, in Münster (knowctl verify)"
kc muenster verify

if kc darmstadt search --help >/dev/null 2>&1; then
	say "Search in Darmstadt: \"Bürgerportal Anliegen\""
	kc darmstadt search "Bürgerportal Anliegen"
fi

say "Paderborn's lesson, as Darmstadt holds it (knowctl show)"
kc darmstadt show "$pb_id" | head -16
echo "  …"

say "Local web view of each node"
for n in agentur muenster paderborn darmstadt; do
	web=$(field "$n" http)
	printf '  %-10s %s\n' "$n" "${web:+http://$web/}"
done

if [ "$KEEP" = 1 ]; then
	say "The nodes keep running — browse the addresses above, or try:"
	echo "  $KNOWCTL --home $DIR/muenster list"
	echo "  Ctrl-C stops every node and removes $DIR."
	wait
fi
say "Done; the demo nodes are stopped and $DIR is removed."
