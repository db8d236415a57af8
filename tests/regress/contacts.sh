#!/usr/bin/env bash
# Contact cards outside history (issue 15, doc/DESIGN.md §11): A–B–C in a
# line, so C is two hops from A. A card set on A is shown on C (knowctl,
# web page, JSON API) and never searchable; a replaced card's text is in no
# git object and no file of any node's home; a cleared card is gone from
# every node, also from one that was down during the clear; an expired card
# goes without any action; a node that is admitted but not replicated gets
# no card taken. Prints how long a set and a clear take to reach C.
. "$(dirname "$0")/lib.sh"

A=$T/a B=$T/b C=$T/c
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Paderborn" --listen 127.0.0.1:0 || fail "init B"
node_init "$C" "Wissenschaftsstadt Darmstadt" --listen 127.0.0.1:0 || fail "init C"
echo "http = off" >>"$A/knowd.conf"
echo "http = off" >>"$B/knowd.conf"
echo "http = 127.0.0.1:0" >>"$C/knowd.conf"
for h in "$A" "$B" "$C"; do node_start "$h" || { fail "start $h"; finish; }; pin_port "$h"; done
for h in "$A" "$B" "$C"; do
	for o in "$A" "$B" "$C"; do
		[ "$h" = "$o" ] && continue
		kctl "$h" trust add "$(cat "$o.did")" >/dev/null || fail "trust add"
	done
done
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer B→A"
kctl "$C" peer add "$(cat "$B.did")@$(node_addr "$B")" >/dev/null || fail "peer C→B"
HTTP=$(kctl "$C" status --json | json_get http)
ANID=$(node_nid "$A")

kctl "$A" publish - <"$ROOT/contrib/examples/muenster-strassenbeleuchtung.md" >/dev/null || fail "publish project"
LID=$(kctl "$A" publish - <"$ROOT/contrib/examples/muenster-pilotstrasse.md") || fail "publish lesson"
SLUG=intelligente-strassenbeleuchtung
check "the lesson reaches C (two hops)" poll 20 has_record "$C" "$LID"

# ms_until CMD...: milliseconds until CMD succeeds (polled every 10 ms, at most 20 s).
ms_until() {
	local start=$(date +%s%N) i=0
	until "$@" >/dev/null 2>&1; do
		[ $((i += 1)) -gt 2000 ] && { echo timeout; return 1; }
		sleep 0.01
	done
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}
shows() { kctl "$1" contact show "$2" | grep -q -- "$3"; }
lacks() { ! kctl "$1" contact show "$2" 2>/dev/null | grep -q -- "$3"; }
# nowhere TEXT: TEXT is in no git object and no file of any node's home.
nowhere() {
	local h
	for h in "$A" "$B" "$C"; do
		git --git-dir="$h/repo.git" cat-file --batch-all-objects --batch |
			grep -a -q -- "$1" && { echo "in an object of $h" >&2; return 1; }
		grep -r -a -q -- "$1" "$h" && { grep -r -a -l -- "$1" "$h" >&2; return 1; }
	done
	return 0
}

# Bad cards: a German error naming the key or line, nothing changes.
printf 'role: Leitung\nunit: Amt\nmailbox: a@b.de\nname: Erika Muster\n' >"$T/bad1.yml"
printf 'role: Leitung\nunit: Amt\nemail: a@b.de\n' >"$T/bad2.yml"
printf 'role: Leitung\nunit: Amt\nphone: keine\n' >"$T/bad3.yml"
check "a name without consent is refused, in German" bash -c \
	"'$KNOWCTL' --home '$A' contact set $SLUG '$T/bad1.yml' 2>&1 | grep -q 'name braucht eine Zeile \"consent'"
check "an unknown key is named with its line" bash -c \
	"'$KNOWCTL' --home '$A' contact set $SLUG '$T/bad2.yml' 2>&1 | grep -q 'Zeile 3: unbekannter Schlüssel \"email\"'"
check "a bad phone number is named" bash -c \
	"'$KNOWCTL' --home '$A' contact set $SLUG '$T/bad3.yml' 2>&1 | grep -q 'phone \"keine\" ist keine Telefonnummer'"
check "a target that is not ours is refused" bash -c \
	"! '$KNOWCTL' --home '$A' contact set nichtda '$T/bad3.yml' 2>/dev/null"
check "nothing was set" bash -c "! '$KNOWCTL' --home '$A' contact show $SLUG 2>/dev/null"

# Set on A: on C within one relay, on its page and in the API; not searchable.
cat >"$T/card1.yml" <<'EOF'
role: Projektleitung Pilotstraße
unit: Tiefbauamt, Abteilung Beleuchtung
mailbox: quokka@stadt-muenster.example
phone: 0251 492-1111
name: Erika Altkarte
consent: 2026-01-15
EOF
kctl "$A" contact set "$SLUG" "$T/card1.yml" >/dev/null || fail "contact set"
t_set=$(ms_until shows "$C" "$LID" quokka@)
check "the project's card is shown for the lesson on C (two hops): ${t_set} ms" \
	shows "$C" "$LID" quokka@
check "with the name, as consented" shows "$C" "$LID" "Erika Altkarte (consent given on 2026-01-15)"
check "... German labels under LANG=de_DE.UTF-8" bash -c "$(declare -f kctl_de); KNOWCTL='$KNOWCTL'; kctl_de '$C' contact show '$LID' | grep -q '^Funktionspostfach: quokka@' &&
	kctl_de '$C' contact show '$LID' | grep -qx 'Name:              Erika Altkarte (Einwilligung vom 2026-01-15)'"
curl -sf "http://$HTTP/lektion/$LID?node=$ANID" >"$T/page.html" || fail "page"
check "C's lesson page shows Ansprechpartner" grep -q '<h2 id="contact">Ansprechpartner</h2>' "$T/page.html"
check "with the function mailbox as a link" grep -q 'href="mailto:quokka@stadt-muenster.example"' "$T/page.html"
curl -sf "http://$HTTP/projekt/$ANID/$SLUG" >"$T/project.html" || fail "project page"
check "C's project page shows the project's card" grep -q 'href="mailto:quokka@stadt-muenster.example"' "$T/project.html"
check "C's status counts the card sets it holds" bash -c "'$KNOWCTL' --home '$C' status | grep -q '^contacts 1 '"
check "and status --json too" test "$(kctl "$C" status --json | json_get contacts)" = 1
curl -sf "http://$HTTP/api/v1/lessons/$LID?node=$ANID" >"$T/api.json" || fail "api"
check "C's API has the contact object" "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["contact"]; sys.exit(not (c["mailbox"] == "quokka@stadt-muenster.example" and c["for"] == "project" and c["name"] == "Erika Altkarte"))' "$T/api.json"
check "search does not find the card's name" bash -c "! '$KNOWCTL' --home '$C' search Altkarte >/dev/null 2>&1"
check "nor its mailbox" bash -c "! '$KNOWCTL' --home '$C' search quokka >/dev/null 2>&1"

# Replaced: the old text is in no object and no file of any node.
cat >"$T/card2.yml" <<'EOF'
role: Projektleitung Pilotstraße
unit: Tiefbauamt
mailbox: pilot-neu@stadt-muenster.example
EOF
kctl "$A" contact set "$SLUG" "$T/card2.yml" >/dev/null || fail "contact set again"
t_rep=$(ms_until shows "$C" "$LID" pilot-neu@)
check "the replacement reaches C: ${t_rep} ms" shows "$C" "$LID" pilot-neu@
check "B has it too" shows "$B" "$LID" pilot-neu@
check "the old card's text is in no object and no file on any node" nowhere quokka
check "nor the old name" nowhere Altkarte
check "nor the old phone number" nowhere 492-1111

# A home that lost its card file (backups hold no cards) gets its own set
# back from its peers, and its next set still outnumbers it.
node_stop "$A"
rm -f "$A/contacts/"*
node_start "$A" || fail "restart A"
check "A gets its own card back from B" poll 20 shows "$A" "$LID" pilot-neu@

# A lesson's own card comes before its project's; cleared, the project's shows again.
printf 'role: Ansprechstelle Pilotstraße\nunit: Bürgerbüro\nphone: 0251 492-2222\n' |
	kctl "$A" contact set "$LID" - >/dev/null || fail "lesson card from stdin"
check "the lesson's own card reaches C" poll 20 shows "$C" "$LID" 492-2222
kctl "$A" contact clear "$LID" >/dev/null || fail "clear lesson card"
t_clr=$(ms_until lacks "$C" "$LID" 492-2222)
check "cleared, it is gone from C: ${t_clr} ms" lacks "$C" "$LID" 492-2222
check "and C shows the project's card again" shows "$C" "$LID" pilot-neu@
check "the cleared card's text is on no node" poll 5 nowhere 492-2222
check "clearing a card that is not there is an error" bash -c \
	"'$KNOWCTL' --home '$A' contact clear '$LID' 2>&1 | grep -q 'no contact card for'"

# A retracted lesson's card goes with it, on every node.
LID2=$(kctl "$A" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md") || fail "publish lesson 2"
check "lesson 2 reaches C" poll 20 has_record "$C" "$LID2"
printf 'role: Beteiligung\nunit: Presseamt\nphone: 0251 492-3333\n' |
	kctl "$A" contact set "$LID2" - >/dev/null || fail "card for lesson 2"
check "its card reaches C" poll 20 shows "$C" "$LID2" 492-3333
kctl "$A" retract "$LID2" >/dev/null || fail "retract lesson 2"
check "retracted, its card is gone from every node" poll 20 nowhere 492-3333

# C is down during a clear: it drops the card when it is back.
node_stop "$C"
kctl "$A" contact clear "$SLUG" >/dev/null || fail "clear while C is down"
check "B drops it" poll 20 lacks "$B" "$LID" pilot-neu@
check "C still has it on disk while down" grep -r -a -q pilot-neu "$C/contacts"
node_start "$C" || fail "restart C"
t_back=$(ms_until lacks "$C" "$LID" pilot-neu@)
check "back, C drops it: ${t_back} ms after its start" lacks "$C" "$LID" pilot-neu@
check "the cleared card is in no object and no file on any node" poll 10 nowhere pilot-neu
check "C's page has no Ansprechpartner any more" bash -c \
	"! curl -sf 'http://$(kctl "$C" status --json | json_get http)/lektion/$LID?node=$ANID' | grep -q Ansprechpartner"

# A forged and a tampered card set (tests/tools/evilpeer, a node A trusts)
# are refused with an ERROR and change nothing; a good one is taken.
EVIL=${EVILPEER_BIN:-$ROOT/$BUILD/tests/tools/evilpeer}
EV=$T/ev
node_init "$EV" "Gemeinde Böse" || fail "init EV"
kctl "$A" trust add "$(cat "$EV.did")" >/dev/null || fail "trust EV"
"$EVIL" --home "$EV" --connect "$(node_addr "$A")" --network knowd --wait 5 cards \
	>"$T/evil.out" 2>&1 || fail "evilpeer cards"
check "the forged set is refused with an ERROR" \
	grep -q "conn 1: recv: ERROR 1: card set refused: CARDS: bad signature" "$T/evil.out"
check "so is the tampered one" \
	grep -q "conn 2: recv: ERROR 1: card set refused: CARDS: a content does not match" "$T/evil.out"
check "neither left any trace" nowhere forged@evil
check "the good one is taken" grep -a -q "echt@evil.example" "$A/contacts/$(node_nid "$EV")"

# Expiry: with contact_max_age = 6s (knowd.conf, reloaded on SIGHUP) a card
# goes from every node without any action.
for h in "$A" "$B" "$C"; do
	echo "contact_max_age = 6s" >>"$h/knowd.conf"
	kill -HUP "$(cat "$h.pid")"
	check "$(basename "$h") reloads knowd.conf" poll 10 grep -q "configuration reloaded" "$h.log"
done
printf 'role: Kurzzeitkarte\nunit: Testamt\nmailbox: verfall@stadt-muenster.example\n' |
	kctl "$A" contact set "$SLUG" - >/dev/null || fail "set short-lived card"
check "the short-lived card reaches C" poll 20 shows "$C" "$LID" verfall@
t_exp=$(ms_until nowhere verfall@)
check "it expires on every node, no action taken: gone after ${t_exp} ms" nowhere verfall@
check "knowctl shows none on A" bash -c "! '$KNOWCTL' --home '$A' contact show $SLUG 2>/dev/null"

# A node admitted by hand but not replicated: its card is not taken.
E=$T/e
node_init "$E" "Gemeinde Fremd" --listen 127.0.0.1:0 || fail "init E"
echo "http = off" >>"$E/knowd.conf"
node_start "$E" || fail "start E"
kctl "$E" trust add "$(cat "$B.did")" >/dev/null
kctl "$E" publish - <"$ROOT/contrib/examples/muenster-strassenbeleuchtung.md" >/dev/null 2>&1 ||
	fail "publish on E"
printf 'role: Fremd\nunit: Fremdamt\nmailbox: fremd@gemeinde.example\n' |
	kctl "$E" contact set "$SLUG" - >/dev/null || fail "set on E"
kctl "$E" peer add "$(cat "$B.did")@$(node_addr "$B")" >/dev/null
check "E is pending on B" poll 10 bash -c "'$KNOWCTL' --home '$B' pending | grep -q '$(cat "$E.did")'"
sleep 1
check "B did not take the card of a pending node" test ! -e "$B/contacts/$(node_nid "$E")"
kctl "$B" admit "$(cat "$E.did")" >/dev/null || fail "admit E on B"
check "admitted, E is served by B" poll 10 bash -c "'$KNOWCTL' --home '$B' peers | grep -q '$(cat "$E.did").*ready'"
printf 'role: Fremd\nunit: Fremdamt\nmailbox: fremd2@gemeinde.example\n' |
	kctl "$E" contact set "$SLUG" - >/dev/null || fail "set on E again"
check "B hears E's card set and ignores it" \
	poll 10 grep -q "contacts: set [0-9]* of $(node_nid "$E") ignored: not replicated" "$B.log"
check "B did not take E's card (admitted, not replicated)" test ! -e "$B/contacts/$(node_nid "$E")"
check "its text is on no node of the network" nowhere fremd2@

for h in "$A" "$B" "$C"; do check "$(basename "$h"): fsck and stock git verify" git_clean "$h"; done
echo "  set on A → shown on C (two hops): ${t_set} ms; replaced: ${t_rep} ms; cleared: ${t_clr} ms; dropped after restart: ${t_back} ms"
finish
