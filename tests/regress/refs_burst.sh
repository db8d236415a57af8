#!/usr/bin/env bash
# Refs after a burst of fetched branches (issue 11): a fresh mirror = all
# node syncs 300 generated origin branches (bench/mirror_gen, real keys and
# signatures) from one source. Once the burst has ended every fetched ref is
# in packed-refs: the old tree packed them every 256 moves and left the
# rest loose (45 here, four inodes each) until more came. The burst's packs
# are merged once it ends. Stock git reads every ref; knowctl verify passes.
. "$(dirname "$0")/lib.sh"
GEN=$ROOT/$BUILD/bench/mirror_gen
N=300
[ -x "$GEN" ] || { fail "$GEN missing (make bench binaries)"; finish; }

S=$T/src M=$T/mir
node_init "$S" "Quelle" --listen 127.0.0.1:0 || fail "init source"
"$GEN" "$S/repo.git" "$N" 1 2>"$T/gen.log" || { cat "$T/gen.log" >&2; fail "mirror_gen"; finish; }
git -C "$S/repo.git" for-each-ref --format='%(refname)' refs/namespaces |
    sed -n 's|^refs/namespaces/\([^/]*\)/refs/heads/main$|admit = \1|p' >"$T/admit.conf"
check "generated $N branches" test "$(grep -c . "$T/admit.conf")" -ge "$N"
printf 'mirror = all\nhttp = off\n' >>"$S/knowd.conf"
cat "$T/admit.conf" >>"$S/knowd.conf"
node_start "$S" || { fail "start source"; finish; }

node_init "$M" "Landesagentur" --listen 127.0.0.1:0 --mirror all \
    --peer "$(cat "$S.did")@$(node_addr "$S")" || fail "init mirror"
# Anti-entropy every second: heads offered again while their WANT is out.
printf 'http = off\nsync_interval = 1\nadmit = %s\n' "$(cat "$S.did")" >>"$M/knowd.conf"
cat "$T/admit.conf" >>"$M/knowd.conf"
kctl "$S" admit "$(cat "$M.did")" >/dev/null || fail "the source admits the mirror"
node_start "$M" || { fail "start mirror"; finish; }

held() { [ "$(kctl "$M" status --json | json_get branches)" -ge $((N + 2)) ]; }
check "the mirror holds all $N branches" poll 120 held
# Loose refs of fetched branches left in the mirror's repository.
loose() { find "$M/repo.git/refs/namespaces" -type f 2>/dev/null | grep -vc "/$(node_nid "$M")/"; }
no_loose() { [ "$(loose)" -eq 0 ]; }
check "after the burst every fetched ref is packed (loose: $(loose) at first)" poll 30 no_loose
# The packs the burst brought (written whole by the source) and the loose
# view objects are merged once it ends, not only at 16 packs.
packs() { find "$M/repo.git/objects/pack" -name '*.pack' | wc -l; }
loose_objects() { find "$M/repo.git/objects" -type f ! -path '*/pack/*' ! -path '*/info/*' | wc -l; }
merged() { [ "$(packs)" -eq 1 ] && [ "$(loose_objects)" -eq 0 ]; }
check "after the burst its packs and loose objects are merged into one pack (packs: $(packs), loose: $(loose_objects) at first)" poll 60 merged
# A head offered again while its WANT is out is not asked of the same
# peer twice (it was: a whole pack fetched again, every move refused).
twice=$(grep -c "moved meanwhile" "$M.log")
check "no branch was fetched twice ($twice refused moves)" test "$twice" -eq 0
# After the burst, a new lesson on the source still comes over: the
# branches asked of the source in the burst are asked again (a WANT's
# mark of the peer asked once stayed behind, and no later head came).
id=$(kctl "$S" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "a lesson published after the burst reaches the mirror" poll 30 has_record "$M" "$id"
check "stock git reads every branch" test "$(git -C "$M/repo.git" for-each-ref refs/namespaces | grep -c '/refs/heads/main')" -ge $((N + 2))
check "knowctl verify on the mirror" kctl "$M" verify
finish
