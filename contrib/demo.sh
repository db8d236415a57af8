#!/usr/bin/env bash
# make demo: three municipalities run a knowd node each on 127.0.0.1, trust
# each other, connect, publish lessons learned from the Smart City exchange,
# and every node ends up holding (and verifying) all of them.
#   contrib/demo.sh [--keep]   --keep: leave the nodes running until Ctrl-C
# Everything lives in a temp dir that is removed at the end; every daemon the
# demo started is stopped (by PID) on exit or Ctrl-C.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KNOWD=$PWD/$BUILD/knowd
KNOWCTL=$PWD/$BUILD/knowctl
EX=$PWD/contrib/examples
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

DIR=$(mktemp -d "${TMPDIR:-/tmp}/knowd-demo.XXXXXX")
PIDS=()
stop_all() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap stop_all EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# start_node DIR NAME AGS PORT: init and run one node (port 0: any free one), wait until it answers.
start_node() {
	local home=$1 name=$2 ags=$3 port=$4 i
	"$KNOWD" init --home "$home" --name "$name" --ags "$ags" \
	    --listen "127.0.0.1:$port" >/dev/null || exit 1
	"$KNOWD" --home "$home" 2>"$home.log" &
	PIDS+=($!)
	for i in $(seq 1 100); do
		"$KNOWCTL" --home "$home" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "demo: knowd for $name did not start; see $home.log" >&2
	exit 1
}

say "Three municipalities start a node each"
start_node "$DIR/muenster" "Stadt Münster" 05515000 0
start_node "$DIR/paderborn" "Stadt Paderborn" 05774032 0
start_node "$DIR/darmstadt" "Wissenschaftsstadt Darmstadt" 06411000 0
for n in muenster paderborn darmstadt; do
	printf '  %-10s %s\n' "$n" "$("$KNOWCTL" --home "$DIR/$n" id)"
done

say "They trust each other and connect: Paderborn – Münster – Darmstadt"
for a in muenster paderborn darmstadt; do
	for b in muenster paderborn darmstadt; do
		[ "$a" = "$b" ] && continue
		"$KNOWCTL" --home "$DIR/$a" trust add "$("$KNOWCTL" --home "$DIR/$b" id)" >/dev/null || exit 1
	done
done
ms_addr=$("$KNOWCTL" --home "$DIR/muenster" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')
"$KNOWCTL" --home "$DIR/paderborn" peer add "$("$KNOWCTL" --home "$DIR/muenster" id)@$ms_addr" || exit 1
"$KNOWCTL" --home "$DIR/darmstadt" peer add "$("$KNOWCTL" --home "$DIR/muenster" id)@$ms_addr" || exit 1
for i in $(seq 1 100); do
	[ "$("$KNOWCTL" --home "$DIR/muenster" peers | grep -c ready)" = 2 ] && break
	sleep 0.05
done
"$KNOWCTL" --home "$DIR/muenster" peers

say "Each publishes its lessons learned (signed commits)"
publish() {
	local home=$1 file=$2 id
	id=$("$KNOWCTL" --home "$DIR/$home" publish "$EX/$file") || exit 1
	printf '  %-10s %s  %s\n' "$home" "$id" "$(sed -n 's/^title: //p' "$EX/$file")"
}
publish muenster muenster-strassenbeleuchtung.md
publish muenster muenster-pilotstrasse.md
publish paderborn paderborn-buergerportal.md
publish darmstadt darmstadt-datenplattform.md

# wait_view: until the three nodes report the same view of the network.
wait_view() {
	local i v1 v2 v3
	for i in $(seq 1 200); do
		v1=$("$KNOWCTL" --home "$DIR/muenster" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["view"])')
		v2=$("$KNOWCTL" --home "$DIR/paderborn" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["view"])')
		v3=$("$KNOWCTL" --home "$DIR/darmstadt" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["view"])')
		[ "$v1" = "$v2" ] && [ "$v2" = "$v3" ] && { echo "  all three report view $v1"; return 0; }
		sleep 0.05
	done
	echo "demo: the nodes did not converge" >&2
	exit 1
}
say "The lessons travel; the nodes converge on one view"
wait_view

for n in muenster paderborn darmstadt; do
	say "knowctl list on $n"
	"$KNOWCTL" --home "$DIR/$n" list
done

say "History of Münster's branch (knowctl log)"
"$KNOWCTL" --home "$DIR/muenster" log

say "Every commit signature of every branch checked, in Darmstadt (knowctl verify)"
"$KNOWCTL" --home "$DIR/darmstadt" verify

say "Paderborn's lesson, as Darmstadt holds it (knowctl show)"
id=$("$KNOWCTL" --home "$DIR/paderborn" list --node "Stadt Paderborn" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$KNOWCTL" --home "$DIR/darmstadt" show "$id" | head -20
echo "  …"

if [ "$KEEP" = 1 ]; then
	say "Nodes keep running; try: $KNOWCTL --home $DIR/muenster list   (Ctrl-C stops them)"
	wait
fi
say "Done; the demo nodes are stopped and $DIR is removed."
