#!/usr/bin/env bash
# Self-repair (issue 12, item 4): a flipped byte in a loose blob of a node's
# own lesson, or in a fetched pack, is named (object, path, branch); knowd
# starts anyway, sets the branch aside and fetches it again from a peer that
# holds it; nothing is published over the damaged branch meanwhile.
. "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Paderborn" --listen 127.0.0.1:0 || fail "init B"
for h in "$A" "$B"; do node_start "$h" || { fail "start $h"; finish; }; pin_port "$h"; done
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null
id=$(kctl "$A" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "B has A's lesson" poll 15 has_record "$B" "$id"
nid=$(node_nid "$A")
ref="refs/namespaces/$nid/refs/heads/main"

# flip FILE OFFSET: overwrites four bytes in the middle of an object.
flip() { chmod u+w "$1"; printf '\xde\xad\xbe\xef' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# lesson_blob HOME: the blob of A's lesson in HOME's copy of A's branch.
lesson_blob() { git -C "$1/repo.git" ls-tree -r "$ref" | awk -v f="$id.md" 'index($4, f) {print $3}'; }

# 1. A's own lesson, a loose blob, damaged while A is down; the index is
# gone too, so the start reads every record from git.
node_stop "$A"
node_stop "$B"		# at first no peer can bring it back
blob=$(lesson_blob "$A")
loose=$A/repo.git/objects/${blob:0:2}/${blob:2}
if [ -f "$loose" ]; then
	flip "$loose" 20
else	# upkeep packed it: damage it in its pack
	idx=$(grep -l . "$A"/repo.git/objects/pack/*.idx | while read -r i; do
		git show-index <"$i" | grep -q "$blob" && echo "$i"; done | head -1)
	off=$(git show-index <"$idx" | awk -v b="$blob" '$2 == b {print $1}')
	flip "${idx%.idx}.pack" $((off + 4))
fi
rm -f "$A"/index.sqlite*
check "A starts with its own branch damaged" node_start "$A"
check "the log names the blob and its path" \
	grep -q "damaged here: blob $blob (projects/.*/lessons/$id.md)" "$A.log"
kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md" >"$T/pub.out" 2>&1 &&
	fail "A published over its damaged branch"
check "the refusal says why" grep -q "damaged on disk" "$T/pub.out"
check "B starts" node_start "$B"
check "A's lesson comes back from B" poll 20 has_record "$A" "$id"
check "A's branch verifies after the repair" kctl "$A" verify
check "git fsck --strict is clean on A" git -C "$A/repo.git" fsck --strict --no-dangling
check "A publishes again" poll 10 bash -c "'$KNOWCTL' --home '$A' publish - <'$ROOT/contrib/examples/krefeld-kommunikation.md'"

# 2. A's branch in B's fetched pack, damaged while B is down; the index is
# intact, so the start does not read it: knowctl verify finds and repairs it.
node_stop "$B"
blob=$(lesson_blob "$B")
idx=""
for i in "$B"/repo.git/objects/pack/*.idx; do
	git show-index <"$i" | grep -q "$blob" && idx=$i
done
if [ -z "$idx" ]; then
	fail "the blob is not in one of B's packs"
else
	off=$(git show-index <"$idx" | awk -v b="$blob" '$2 == b {print $1}')
	flip "${idx%.idx}.pack" $((off + 4))
fi
check "B starts again" node_start "$B"
kctl "$B" verify >"$T/verify.out" 2>&1 && fail "verify did not notice the damage"
check "verify names the blob in B's pack" grep -q "damaged here: blob $blob" "$T/verify.out"
check "B fetches A's branch again" poll 20 has_record "$B" "$id"
check "B's branches all verify" kctl "$B" verify
check "git fsck --strict is clean on B" git -C "$B/repo.git" fsck --strict --no-dangling
check "the damaged pack was set aside" bash -c "ls '$B/repo.git/knowd-damaged/' | grep -q '\.pack$'"
finish
