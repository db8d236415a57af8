#!/usr/bin/env bash
# kill -9 of knowd in the middle of a burst of publishes: the repository stays
# whole (git fsck), the branch verifies, and no record is half-written.
. "$(dirname "$0")/lib.sh"

DA=$T/da
node_init "$DA" "Wissenschaftsstadt Darmstadt" --listen 127.0.0.1:0 || { fail "init"; finish; }
kctl_new=$(mktemp "$T/tmpl.XXXX")
"$KNOWCTL" new | fill_draft >"$kctl_new"

for round in 1 2 3; do
	node_start "$DA" || { fail "start"; finish; }
	pid=$LASTPID
	# A burst of publishes in the background.
	( for i in $(seq 1 200); do
		sed "s/^title: .*/title: Datenplattform Runde $round Nummer $i/" "$kctl_new" |
			"$KNOWCTL" --home "$DA" publish >/dev/null 2>&1 || true
	  done ) &
	burst=$!
	# Kill it once some publishes have landed in this round.
	start_seq=$(kctl "$DA" status --json | json_get seq)
	poll 30 bash -c "[ \$('$KNOWCTL' --home '$DA' status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"seq\"])') -gt $((start_seq + 5 * round)) ]" ||
		fail "round $round: publishes did not land"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait "$burst" 2>/dev/null
	# A kill inside a ref update leaves its lock file; make sure one is there.
	nid=$(sed 's/did:key://' "$DA.did")
	: >"$DA/repo.git/refs/namespaces/$nid/refs/heads/main.lock"
	check "round $round: git fsck --strict after kill -9" git -C "$DA/repo.git" fsck --strict --no-dangling
	check "round $round: knowd restarts on the same home" node_start "$DA"
	check "round $round: knowctl verify" kctl "$DA" verify
	check "round $round: publishing works after the crash" kctl "$DA" publish "$kctl_new"
	# Every record in the branch parses (verify re-parses all), and the tree has
	# exactly the records listed: nothing half-written.
	files=$(git -C "$DA/repo.git" ls-tree -r --name-only "refs/namespaces/$nid/refs/heads/main" | grep -c 'lessons/')
	check "round $round: list matches the tree ($files records)" test "$(kctl "$DA" list | grep -c .)" = "$files"
	node_stop "$DA"
done
node_start "$DA" && check "stock git verifies every commit" git_verify_branch "$DA"
finish
