#!/usr/bin/env bash
# Claims (issue 13, item 1): a stranger's SUMMARY lists B's branch at seq
# 2^64-1 and never answers the WANT for it. A head without proof (neither
# from its origin nor covered by the origin's signed ANNOUNCE) must not keep
# A from fetching B's real new head from B: B's publish reaches A within 2 s.
# (A admits the claimant: a stranger's SUMMARY is not acted on at all.)
. "$(dirname "$0")/lib.sh"

EVIL=${EVILPEER_BIN:-$ROOT/$BUILD/tests/tools/evilpeer}
[ -x "$EVIL" ] || { fail "no $EVIL: make BUILD=$BUILD $BUILD/tests/tools/evilpeer"; finish; }
NET=claim-test
A=$T/a B=$T/b E=$T/e
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 --network "$NET" || fail "init A"
node_init "$B" "Stadt Paderborn" --listen 127.0.0.1:0 --network "$NET" || fail "init B"
node_init "$E" "Irgendwer" --listen 127.0.0.1:0 --network "$NET" || fail "init E"
node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
node_start "$B" || { fail "start B"; finish; }
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null
# A stranger's SUMMARY is not acted on at all any more (PROTOCOL.md §4.8);
# the claim must be harmless from an admitted node too, so A admits E.
kctl "$A" admit "$(cat "$E.did")" >/dev/null || fail "A admits E"
check "A holds B's branch" poll 10 bash -c "'$KNOWCTL' --home '$A' status --json --branches | grep -q '$(node_nid "$B")'"

# Its HELLO also claims a clock at 2^63 s: the offset must not overflow.
EVIL_HELLO_TIME=9223372036854775808 EVIL_CLAIM=$(cat "$B.did") "$EVIL" --home "$E" --connect "$(node_addr "$A")" \
	--network "$NET" --wait 30 claim >"$T/claim.out" 2>&1 &
evpid=$!
PIDS+=("$evpid")
check "A asks the stranger for the claimed head" poll 10 grep -q 'got the WANT' "$T/claim.out"
start=$(date +%s%N)
id=$(kctl "$B" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "B's publish reaches A within 2 s, the claim notwithstanding" poll 2 has_record "$A" "$id"
echo "  B's lesson on A after $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "A's copy of B's branch verifies" kctl "$A" verify
check "A warns about the claimant's clock" grep -q "its clock is [0-9]* s ahead of ours" "$A.log"
kill "$evpid" 2>/dev/null; wait "$evpid" 2>/dev/null
sed 's/^/    evil | /' "$T/claim.out"
finish
