#!/usr/bin/env bash
# Admission and read access (issue 14, PROTOCOL.md §4.8): "Irgendwer", a
# company nobody trusts, dials an agency with mirror = all and a
# municipality. It gets HELLO and an ERROR from each and nothing else, is
# listed by knowctl pending on both, and its lesson is on no node. After
# knowctl admit on the agency its lesson is replicated there (not on the
# municipality, which trusts only the agency, who does not vouch for it);
# after knowctl deny it is refused at the next handshake.
. "$(dirname "$0")/lib.sh"

AG=$T/agency MU=$T/muenster ST=$T/stranger
node_init "$AG" "Digitalagentur NRW" --kind agency --mirror all --listen 127.0.0.1:0 || fail "init agency"
node_init "$MU" "Stadt Münster" --listen 127.0.0.1:0 || fail "init Münster"
node_init "$ST" "Irgendwer" --kind company --mirror all --listen 127.0.0.1:0 || fail "init stranger"
for h in "$AG" "$MU" "$ST"; do node_start "$h" || { fail "start $h"; finish; }; done

# The agency vouches for Münster, Münster trusts the agency and dials it.
kctl "$AG" vouch --name "Stadt Münster" "$(cat "$MU.did")" || fail "vouch"
kctl "$MU" trust add "$(cat "$AG.did")" || fail "trust add"
kctl "$MU" peer add "$(cat "$AG.did")@$(node_addr "$AG")" || fail "peer add"
mu_id=$(kctl "$MU" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md")
check "the agency has Münster's lesson" poll 15 has_record "$AG" "$mu_id"

# The stranger trusts both (it would take all they offer) and dials both.
cat >"$T/ad.md" <<'MD'
---
kind: lesson
title: "Jetzt kaufen: Smart-City-Komplettpaket"
project: smart-city-paket
summary: Alles aus einer Hand.
fields: [daten-infrastruktur]
status: idee
language: de
license: CC-BY-4.0
---
## Was war das Ziel?
Verkaufen.
MD
st_id=$(kctl "$ST" publish "$T/ad.md") || fail "publish on the stranger"
kctl "$ST" trust add "$(cat "$AG.did")" || fail "stranger trusts agency"
kctl "$ST" trust add "$(cat "$MU.did")" || fail "stranger trusts Münster"
kctl "$ST" peer add "$(node_addr "$AG")" || fail "stranger dials agency"
kctl "$ST" peer add "$(node_addr "$MU")" || fail "stranger dials Münster"

pending_has() { kctl "$1" pending | grep -q "$(cat "$ST.did").*Irgendwer.*127.0.0.1"; }
check "the agency lists the stranger as pending (id, claimed name, address)" poll 15 pending_has "$AG"
check "Münster lists the stranger as pending" poll 15 pending_has "$MU"
check "status counts the pending node" bash -c "'$KNOWCTL' --home '$AG' status | grep -q '^pending  1 nodes not admitted'"
check "the stranger was told why by the agency" poll 10 grep -q "error 5: not admitted here: ask the operator to run knowctl admit $(cat "$ST.did")" "$ST.log"
check "pending names no introducer for a node that came by itself" bash -c "'$KNOWCTL' --home '$AG' pending | grep Irgendwer | grep -q 'via -$'"
check "pending --json has first and last seen" bash -c "'$KNOWCTL' --home '$AG' --json pending | grep -q last_seen"

# A new lesson of each is relayed between the admitted; the stranger gets none of it.
ag_id=$(kctl "$AG" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md")
mu2_id=$(kctl "$MU" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md")
check "Münster gets the agency's lesson" poll 15 has_record "$MU" "$ag_id"
check "the agency gets Münster's new lesson" poll 15 has_record "$AG" "$mu2_id"
branches() { git -C "$1/repo.git" for-each-ref --format='%(refname)' refs/namespaces | grep -c .; }
check "the stranger holds only its own branch" test "$(branches "$ST")" = 1
check "the stranger lacks the agency's lesson" lacks_record "$ST" "$ag_id"
check "the stranger's lesson is not on the agency (mirror = all)" lacks_record "$AG" "$st_id"
check "the stranger's lesson is not on Münster" lacks_record "$MU" "$st_id"
# Peer exchange: Kreis Warendorf, vouched for by the agency, dials only the
# agency and learns Münster from it, never the stranger.
join_agency() {
	node_init "$1" "$2" --listen 127.0.0.1:0 || fail "init $2"
	node_start "$1" || fail "start $2"
	kctl "$AG" vouch --name "$2" "$(cat "$1.did")" || fail "vouch $2"
	kctl "$1" trust add "$(cat "$AG.did")" || fail "$2 trusts agency"
	kctl "$1" peer add "$(cat "$AG.did")@$(node_addr "$AG")" || fail "$2 dials agency"
}
knows() { kctl "$1" status --branches --json | grep -q "$(cat "$2.did")"; }
KR=$T/kreis
join_agency "$KR" "Kreis Warendorf"
check "Warendorf learns Münster from the agency" poll 15 knows "$KR" "$MU"
check "peer exchange did not pass the pending stranger on" bash -c "$(declare -f kctl knows); KNOWCTL='$KNOWCTL'; ! knows '$KR' '$ST'"

# The agency's operator admits it: replicated there, not on Münster.
kctl "$AG" admit "$(cat "$ST.did")" || fail "admit"
check "admit is kept in knowd.conf" grep -q "^admit = $(cat "$ST.did")" "$AG/knowd.conf"
check "the agency now holds the stranger's lesson" poll 20 has_record "$AG" "$st_id"
check "the stranger now gets the agency's lesson" poll 20 has_record "$ST" "$ag_id"
check "the stranger is no longer pending on the agency" bash -c "! '$KNOWCTL' --home '$AG' pending | grep -q Irgendwer"
check "Münster still lacks the stranger's lesson (no vouch)" lacks_record "$MU" "$st_id"

# Deny: the connection closes, the branch goes, the next handshake is refused.
kctl "$AG" deny "$(cat "$ST.did")" || fail "deny"
check "deny replaces admit in knowd.conf" bash -c "grep -q '^deny = $(cat "$ST.did")' '$AG/knowd.conf' && ! grep -q '^admit' '$AG/knowd.conf'"
check "the agency drops the stranger's lesson" poll 15 lacks_record "$AG" "$st_id"
denied() { [ "$(grep -c "error 5: denied here" "$ST.log")" -ge 2 ]; }
check "the stranger's next handshake is refused with the reason" poll 20 denied
check "a denied node is not pending" bash -c "! '$KNOWCTL' --home '$AG' pending | grep -q Irgendwer"
PB=$T/paderborn
join_agency "$PB" "Stadt Paderborn"
check "Paderborn, joining after the deny, learns Münster from the agency" poll 15 knows "$PB" "$MU"
check "peer exchange does not pass the denied stranger on" bash -c "$(declare -f kctl knows); KNOWCTL='$KNOWCTL'; ! knows '$PB' '$ST'"
check "knowctl deny of this node is refused" bash -c "! '$KNOWCTL' --home '$AG' deny '$(cat "$AG.did")' 2>/dev/null"
finish
