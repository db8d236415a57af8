#!/usr/bin/env bash
# Invitations (issue 14 item 3, PROTOCOL.md §4.9): the agency invites, a new
# node joins with one command (knowd init --join), the agency vouches for it
# and its lesson reaches a third node that trusts only the agency. A reused,
# tampered (wrong secret, typo), revoked or expired invitation is refused
# with a clear German message, and changes nothing on either side: no home
# on the joiner, the agency's refs, knowd.conf and invitations as they were.
# The secret is in no log and no git object.
. "$(dirname "$0")/lib.sh"

AG=$T/agency TH=$T/kreis NEW=$T/winterberg
node_init "$AG" "Digitalagentur NRW" --kind agency --listen 127.0.0.1:0 || fail "init agency"
node_init "$TH" "Kreis Soest" --kind county --listen 127.0.0.1:0 || fail "init third"
echo "http = 127.0.0.1:0" >>"$AG/knowd.conf"
for h in "$AG" "$TH"; do node_start "$h" || { fail "start $h"; finish; }; done
# The third node trusts only the agency, which vouches for it (so serves it).
kctl "$AG" vouch --name "Kreis Soest" "$(cat "$TH.did")" || fail "the agency vouches for the third"
kctl "$TH" trust add "$(cat "$AG.did")" || fail "third trusts the agency"
kctl "$TH" peer add "$(cat "$AG.did")@$(node_addr "$AG")" || fail "third dials the agency"

line=$(kctl "$AG" invite --name "Gemeinde Winterberg" --ags 05958048 2>"$T/invite.err")
check "invite prints one line" test "$(printf '%s\n' "$line" | grep -c .)" = 1
check "the line is a knowd-invite:v1 line" bash -c "[[ '$line' == knowd-invite:v1:* ]]"
check "invite tells how to use it (stderr)" grep -q "knowd init --join" "$T/invite.err"
check "invite list shows it open" bash -c "'$KNOWCTL' --home '$AG' invite list | grep -q 'open.*Gemeinde Winterberg'"

# join_try NAME HOME LINE: knowd init --join; its stderr in HOME.err.
join_try() { "$KNOWD" init --home "$2" --name "$1" --listen 127.0.0.1:0 --join "$3" >"$2.did" 2>"$2.err"; }
# agency_state: what a refused JOIN must not change on the agency.
agency_state() {
	{ git -C "$AG/repo.git" for-each-ref; cat "$AG/knowd.conf" "$AG/invites"; } | sha256sum
}

check "the new node joins with one command" join_try "Gemeinde Winterberg" "$NEW" "$line"
check "the joiner is told it joined" grep -q "beigetreten" "$NEW.err"
check "the joiner trusts and dials the agency" bash -c "grep -q '^trust = $(node_nid "$AG") ' '$NEW/knowd.conf' && grep -q '^peer = $(node_nid "$AG")@' '$NEW/knowd.conf'"
vouched() { kctl "$AG" trust list | grep "$(cat "$NEW.did")" | grep -q "vouched"; }
check "the agency vouches for the new node" vouched
check "invite list shows it used by the new node" bash -c "'$KNOWCTL' --home '$AG' invite list | grep -q 'used.*$(cat "$NEW.did")'"
check "the agency keeps no secret, only its key (0600)" test "$(stat -c %a "$AG/invites")" = 600

node_start "$NEW" || { fail "start the new node"; finish; }
new_id=$(kctl "$NEW" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md") || fail "publish on the new node"
check "the agency has the new node's lesson" poll 20 has_record "$AG" "$new_id"
check "the third node (trusts only the agency) has it" poll 20 has_record "$TH" "$new_id"

# refused NAME LINE PATTERN: the join fails naming why, nothing is left on
# either side.
refused() {
	local h=$T/$1 before after
	before=$(agency_state)
	if join_try "$1" "$h" "$2"; then fail "$1: joined"; return; fi
	check "$1: refused with \"$3\"" grep -q "$3" "$h.err"
	check "$1: no home left behind" test ! -e "$h"
	check "$1: no temporary directory left" bash -c "! ls -d '$T'/.knowd-init.* 2>/dev/null"
	after=$(agency_state)
	check "$1: the agency's refs, knowd.conf and invitations unchanged" test "$before" = "$after"
	refused_nid=$(grep "JOIN refused" "$AG.log" | tail -1 | sed 's/.*peer \([^ ]*\) .*/\1/')
	check "$1: the refused joiner is not left pending" bash -c "[ -n '$refused_nid' ] && ! '$KNOWCTL' --home '$AG' pending | grep -q '$refused_nid'"
}
refused reused "$line" "bereits verwendet"
# A typo: one character in the middle changed (to A, or to B if it was A);
# the check catches it. (Swapping every A and B once also changed the last
# character's padding bits, which is refused as an invalid line instead.)
c=${line:41:1}; [ "$c" = A ] && c=B || c=A
typo=${line:0:41}$c${line:42}
refused typo "$typo" "Prüfsumme"
# A well-formed line with another secret (the check recomputed).
fresh=$(kctl "$AG" invite --name "Gemeinde Medebach" 2>/dev/null)
forged=$("$PY" - "$fresh" <<'PY'
import base64, hashlib, sys
pre = "knowd-invite:v1:"
s = sys.argv[1][len(pre):]
b = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
b[9] ^= 0x01                           # the secret's first byte
body = bytes(b[:-4])
b[-4:] = hashlib.blake2b(pre.encode() + body, digest_size=32).digest()[:4]
print(pre + base64.urlsafe_b64encode(bytes(b)).decode().rstrip("="))
PY
)
refused forged "$forged" "kennt diese Einladung nicht"
short=$(kctl "$AG" invite --name "Gemeinde Hallenberg" --expires 1s 2>/dev/null)
sleep 2
refused expired "$short" "abgelaufen"
kctl "$AG" invite list | grep Medebach | awk '{print $1}' >"$T/medebach.id"
kctl "$AG" invite revoke "$(cat "$T/medebach.id")" || fail "revoke"
refused revoked "$fresh" "zurückgezogen"
check "invite list shows revoked and expired" bash -c "'$KNOWCTL' --home '$AG' invite list | grep -q 'revoked.*Medebach' && '$KNOWCTL' --home '$AG' invite list | grep -q 'expired.*Hallenberg'"
check "the agency logged the refusals in English" grep -q "JOIN refused: invitation already used" "$AG.log"
check "knowd init --join with no line says what it expects" bash -c "'$KNOWD' init --home '$T/x' --name X --join foo 2>&1 | grep -q 'beginnt mit knowd-invite:v1:' && test ! -e '$T/x'"

# Trust you can see (issue 14 item 4), on the agency's web view and knowctl.
H=$(kctl "$AG" status --json | json_get http)
page() { curl -s "http://$H/kommune/$(node_nid "$1")"; }
curl -s "http://$H/kommune/$(node_nid "$NEW")" >"$T/new.html"
check "the municipality page names who vouched, linked, and since when" grep -Eq "<dt>Vertrauen</dt><dd>verbürgt von <a href=\"[^\"]*/kommune/$(node_nid "$AG")\">Digitalagentur NRW</a> seit <time datetime=\"[0-9]{4}-" "$T/new.html"
# And as a browser renders it (headless Chromium, when installed).
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$CHROME" ]; then
	mkdir -p "$T/chrome" "$T/tmp"
	TMPDIR=$T/tmp timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
	    --disable-dev-shm-usage --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --user-data-dir="$T/chrome" \
	    --dump-dom "http://$H/kommune/$(node_nid "$NEW")" >"$T/dom.html" 2>"$T/chrome.log"
	check "Chromium shows the voucher on the municipality page" grep -q "verbürgt von <a [^>]*>Digitalagentur NRW</a> seit <time" "$T/dom.html"
else
	echo "skip: no chromium for the rendered page" >&2
fi
check "the municipality page shows the kind from node.md (Kommune)" bash -c "curl -s 'http://$H/kommune/$(node_nid "$NEW")' | grep -q '<dt>Art</dt><dd>Kommune</dd>'"
check "the county's page says Kreis" bash -c "curl -s 'http://$H/kommune/$(node_nid "$TH")' | grep -q '<dt>Art</dt><dd>Kreis</dd>'"

# A company joins the same way; it is labelled as what it is, never "Kommune".
CO=$T/stadtwerke
coline=$(kctl "$AG" invite --name "Stadtwerke Winterberg GmbH" 2>/dev/null)
# (the line on stdin this time: it never shows in ps)
printf '%s\n' "$coline" | "$KNOWD" init --home "$CO" --name "Stadtwerke Winterberg GmbH" --kind company --listen 127.0.0.1:0 --join - >"$CO.did" 2>"$CO.err" || fail "the company joins (line on stdin)"
node_start "$CO" || { fail "start the company"; finish; }
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
co_id=$(kctl "$CO" publish "$T/ad.md") || fail "publish on the company"
check "the agency has the company's lesson" poll 20 has_record "$AG" "$co_id"
check "the company's page says Unternehmen" bash -c "curl -s 'http://$H/kommune/$(node_nid "$CO")' | grep -q '<dt>Art</dt><dd>Unternehmen</dd>'"
check "the company's lesson page labels it Unternehmen, not Kommune" bash -c "curl -s 'http://$H/lektion/$co_id' | grep -q '<dt>Unternehmen</dt>' && ! curl -s 'http://$H/lektion/$co_id' | grep -q '<dt>Kommune</dt>'"
check "a municipality's lesson page still says Kommune" bash -c "curl -s 'http://$H/lektion/$new_id' | grep -q '<dt>Kommune</dt>'"
check "trust list shows the kind from node.md" bash -c "'$KNOWCTL' --home '$AG' trust list | grep '$(cat "$CO.did")' | grep -q Unternehmen"
shown() {	# shown ID: on the web page, in the search page, the API and knowctl search
	curl -sf "http://$H/lektion/$1" >/dev/null ||
	curl -s "http://$H/suche?q=Komplettpaket" | grep -q "$1" ||
	curl -s "http://$H/api/v1/lessons?q=Komplettpaket" | grep -q "$1" ||
	kctl "$AG" search Komplettpaket 2>/dev/null | grep -q "$1"
}
check "the company's lesson is shown while it is vouched for" shown "$co_id"

# unvouch says what it drops and asks; without a terminal and --yes it changes nothing.
before=$(agency_state)
if kctl_de "$AG" unvouch "$(cat "$CO.did")" </dev/null >"$T/unvouch.out" 2>"$T/unvouch.err"; then
	fail "unvouch without --yes and without a terminal went ahead"
fi
check "unvouch says how many lessons will be dropped" grep -q "1 Erfahrung(en) von 1 Knoten" "$T/unvouch.err"
check "unvouch without --yes refuses, naming --yes" grep -q "nicht bestätigt.*--yes" "$T/unvouch.err"
kctl "$AG" unvouch "$(cat "$CO.did")" </dev/null 2>"$T/unvouch-en.err"
check "... in English under LANG=C" grep -q "drop 1 lesson(s) of 1 node(s).*" "$T/unvouch-en.err"
check "... refusing there too" grep -q "not confirmed.*--yes" "$T/unvouch-en.err"
check "unvouch without --yes changed nothing" test "$before" = "$(agency_state)"
check "unvouch --yes withdraws the vouch" kctl "$AG" unvouch --yes "$(cat "$CO.did")" 2>/dev/null
# No longer admitted (pending): its lesson is shown nowhere.
check "the pending company's lesson is shown nowhere (web, search, API, knowctl)" poll 20 bash -c "! { $(declare -f shown kctl); KNOWCTL='$KNOWCTL' H='$H' AG='$AG'; shown '$co_id'; }"
check "the company is pending at the agency" poll 20 bash -c "'$KNOWCTL' --home '$AG' pending | grep -q '$(cat "$CO.did")'"
kctl "$AG" deny "$(cat "$CO.did")" || fail "deny the company"
check "the denied company's lesson is shown nowhere" bash -c "! { $(declare -f shown kctl); KNOWCTL='$KNOWCTL' H='$H' AG='$AG'; shown '$co_id'; }"

# A flood of JOINs from one address is cut off (10 at once, then one every
# 30 s), and every refused JOIN counts toward the peer's penalty.
before=$(agency_state)
for i in $(seq 1 12); do
	join_try "Flut $i" "$T/flood" "$forged" && { fail "a forged JOIN joined"; break; }
	grep -q "Zu viele Versuche" "$T/flood.err" && break
done
check "a flood of JOINs is rate-limited per address" grep -q "Zu viele Versuche von dieser Adresse" "$T/flood.err"
check "refused JOINs count toward the penalty" grep -q "JOIN refused (1 time(s))" "$AG.log"
check "the flood changed nothing on the agency" test "$before" = "$(agency_state)"

# The secret: in no log, no git object of any node, in no file of the agency.
secret_forms() {
	"$PY" - "$1" <<'PY'
import base64, sys
pre = "knowd-invite:v1:"
s = sys.argv[1][len(pre):]
b = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
sec = b[9:25]
print(sys.argv[1][len(pre):])
print(sec.hex())
print(base64.b64encode(sec).decode().rstrip("="))
print(base64.urlsafe_b64encode(sec).decode().rstrip("="))
PY
}
secret_forms "$line" >"$T/forms"
for h in "$AG" "$TH" "$NEW"; do git -C "$h/repo.git" cat-file --batch-all-objects --batch; done >"$T/objects"
check "the objects were read" test -s "$T/objects"
check "the secret is in no git object" bash -c "! grep -a -F -f '$T/forms' '$T/objects'"
check "the secret is in no log" bash -c "! cat '$T'/*.log '$T'/*.err | grep -a -F -f '$T/forms'"
check "the secret is in no file of the agency's home" bash -c "! grep -r -a -F -f '$T/forms' '$AG'"
finish
