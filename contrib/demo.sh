#!/usr/bin/env bash
# make demo: three municipalities run a knowd node each on 127.0.0.1, publish
# lessons learned from the Smart City exchange, and list what they hold.
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

# start_node DIR NAME AGS PORT: init and run one node, wait until it answers.
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
start_node "$DIR/muenster" "Stadt Münster" 05515000 17701
start_node "$DIR/paderborn" "Stadt Paderborn" 05774032 17702
start_node "$DIR/darmstadt" "Wissenschaftsstadt Darmstadt" 06411000 17703
for n in muenster paderborn darmstadt; do
	printf '  %-10s %s\n' "$n" "$("$KNOWCTL" --home "$DIR/$n" id)"
done

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

for n in muenster paderborn darmstadt; do
	say "knowctl list on $n"
	"$KNOWCTL" --home "$DIR/$n" list
done

say "History of Münster's branch (knowctl log)"
"$KNOWCTL" --home "$DIR/muenster" log

say "Every commit signature checked (knowctl verify)"
"$KNOWCTL" --home "$DIR/muenster" verify

say "A lesson as stored (knowctl show)"
id=$("$KNOWCTL" --home "$DIR/paderborn" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$KNOWCTL" --home "$DIR/paderborn" show "$id" | head -20
echo "  …"

if [ "$KEEP" = 1 ]; then
	say "Nodes keep running; try: $KNOWCTL --home $DIR/muenster list   (Ctrl-C stops them)"
	wait
fi
say "Done; the demo nodes are stopped and $DIR is removed."
