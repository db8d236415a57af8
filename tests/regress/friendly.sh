#!/usr/bin/env bash
# Friendly input (issue 16, items 5 and 6). What staff write is read as they
# mean it (a byte-order mark, "status: Umsetzung", "fields: [Mobilität]", the
# tag "Bürgerbeteiligung"); what cannot be says in German which line and what
# to do (LANG=de_DE.UTF-8), in English under LANG=C; the unchanged template
# is refused; the same file published twice changes one record, and the same
# text without its id is refused naming the record. The node's profile
# changed on A shows on B, in knowctl and on B's municipality page.
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8'; then
	fail "the locale de_DE.UTF-8 is missing (contrib/install-deps.sh generates it)"
	finish
fi

A=$T/a B=$T/b
node_init "$A" "Stadt Paderborn" --ags 05774032 --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Münster" --listen 127.0.0.1:0 || fail "init B"
echo "http = 127.0.0.1:0" >>"$B/knowd.conf"
for h in "$A" "$B"; do node_start "$h" || { fail "start $h"; finish; }; pin_port "$h"; done
kctl "$A" trust add "$(cat "$B.did")" --name "Stadt Münster" >/dev/null || fail "trust A→B"
kctl "$B" trust add "$(cat "$A.did")" --name "Stadt Paderborn" >/dev/null || fail "trust B→A"
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer B→A"
check "A and B see each other" poll 15 views_equal "$A" "$B"

# de ARGS… / en ARGS…: knowctl on A as a German or an English-speaking user.
de() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=de_DE.UTF-8 "$KNOWCTL" --home "$A" "$@"; }
en() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C "$KNOWCTL" --home "$A" "$@"; }
head_a() { kctl "$A" status --json | json_get head; }

# lesson FILE TITLE [FRONT…]: a short lesson; extra front matter lines replace the defaults.
lesson() {
	local f=$1 title=$2; shift 2
	{
		echo '---'
		echo 'kind: lesson'
		echo "title: $title"
		echo 'project: buergerportal'
		echo 'fields: [verwaltung]'
		echo 'status: umsetzung'
		for l in "$@"; do echo "$l"; done
		echo '---'
		echo "Was wir aus „$title“ gelernt haben."
	} >"$f"
}

# refused LANG-FN FILE PATTERN DESCRIPTION: publish exits 1, says PATTERN, the branch stays.
refused() {
	local fn=$1 file=$2 pat=$3 d=$4 rc h0
	h0=$(head_a)
	"$fn" publish "$file" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" != 1 ]; then fail "$d: exit $rc, expected 1"; cat "$T/err" >&2; return; fi
	if ! grep -qF -- "$pat" "$T/err"; then fail "$d: no \"$pat\" in:"; cat "$T/err" >&2; return; fi
	if [ "$(head_a)" != "$h0" ]; then fail "$d: the branch moved"; return; fi
	pass "$d: $(grep -F -- "$pat" "$T/err" | head -1)"
}

# --- a colon in the title ----------------------------------------------------
lesson "$T/colon.md" "Bürgerportal: ein Jahr danach"
refused de "$T/colon.md" 'Zeile 3: Titel mit Doppelpunkt bitte in Anführungszeichen setzen, also title: "…"' \
	"colon in the title (German)"
refused en "$T/colon.md" 'line 3: Title with a colon: please put it in quotes, like title: "…"' \
	"colon in the title (English fallback)"
refused de "$T/colon.md" "knowctl publish: $T/colon.md: nicht veröffentlicht:" "… names the file"
sed -i 's/^title: \(.*\)$/title: "\1"/' "$T/colon.md"
id_colon=$(de publish "$T/colon.md" 2>/dev/null) || fail "the quoted title publishes"
check "… and keeps its colon" bash -c "'$KNOWCTL' --home '$A' show '$id_colon' | grep -qx 'title: \"Bürgerportal: ein Jahr danach\"'"

# --- a byte-order mark, enums with capitals and umlauts, German tags ----------
lesson "$T/words.md" "Quartiersbusse im Probebetrieb" 'tags: [Bürgerbeteiligung, Open Data]' \
	'hurdles: [Rechtlich, Organisatorisch]'
sed -i -e 's/^status: .*/status: Umsetzung/' -e 's/^fields: .*/fields: [Mobilität, Energie und Umwelt]/' \
	-e '1s/^/\xef\xbb\xbf/' "$T/words.md"
check "the file begins with a byte-order mark" bash -c "head -c 3 '$T/words.md' | od -An -tx1 | grep -q 'ef bb bf'"
id_words=$(de publish "$T/words.md" 2>"$T/err") || { fail "BOM, Umsetzung, Mobilität, Bürgerbeteiligung: refused"; cat "$T/err" >&2; }
kctl "$A" show "$id_words" >"$T/words.show"
check "a byte-order mark is ignored" grep -qx 'kind: lesson' "$T/words.show"
check "status: Umsetzung is umsetzung" grep -qx 'status: umsetzung' "$T/words.show"
check "fields: [Mobilität, Energie und Umwelt] are mobilitaet, energie-umwelt" \
	grep -qx 'fields: \[mobilitaet, energie-umwelt\]' "$T/words.show"
check "hurdles: [Rechtlich, Organisatorisch] are rechtlich, organisatorisch" \
	grep -qx 'hurdles: \[rechtlich, organisatorisch\]' "$T/words.show"
check "the tag Bürgerbeteiligung gets the slug buergerbeteiligung" \
	grep -qx 'tags: \[buergerbeteiligung, open-data\]' "$T/words.show"
check "… and keeps its written form" grep -qx 'tag_labels: \[Bürgerbeteiligung, Open Data\]' "$T/words.show"
check "the lesson is found by its tag's slug" bash -c "'$KNOWCTL' --home '$A' list --tag buergerbeteiligung | grep -q '$id_words'"
check "… and by filters as written: --tag Bürgerbeteiligung --status Umsetzung --field Mobilität" bash -c \
	"'$KNOWCTL' --home '$A' list --tag Bürgerbeteiligung --status Umsetzung --field Mobilität | grep -q '$id_words'"
check "the file got the id after its byte-order mark" \
	bash -c "head -2 '$T/words.md' | tail -1 | grep -qx 'id: $id_words' && head -c 6 '$T/words.md' | od -An -tx1 | grep -q 'ef bb bf 2d 2d 2d'"
check "B gets the lesson, tags and labels as published" poll 15 bash -c \
	"'$KNOWCTL' --home '$B' show '$id_words' | grep -qx 'tag_labels: \[Bürgerbeteiligung, Open Data\]'"

# --- the unchanged template ---------------------------------------------------
kctl "$A" new >"$T/template.md"
refused de "$T/template.md" 'title: noch der Platzhalter der Vorlage „Titel der Erfahrung“: bitte einen eigenen Titel geben' \
	"the unchanged template's title (German)"
check "… its project, summary and body too" bash -c "grep -q '^project: noch der Platzhalter der Vorlage „mein-projekt“' '$T/err' &&
	grep -q '^summary: noch der Satz der Vorlage' '$T/err' && grep -q '^body: nur die Fragen der Vorlage' '$T/err'"
refused en "$T/template.md" "title: still the template's \"Titel der Erfahrung\": please give it a title of its own" \
	"the unchanged template's title (English fallback)"
check "the template is left as it was" cmp -s "$T/template.md" <(kctl "$A" new)

# --- the same file twice, the same text without its id ------------------------
lesson "$T/twice.md" "Ein Antrag, zwei Ämter"
cp "$T/twice.md" "$T/twice-copy.md"
id1=$(de publish "$T/twice.md" 2>"$T/err") || fail "first publish"
check "publish says the id is now in the file (German)" grep -qF "knowctl publish: die Kennung steht jetzt in $T/twice.md" "$T/err"
check "the file holds the id after its first line" bash -c "sed -n 2p '$T/twice.md' | grep -qx 'id: $id1'"
check "the rest of the file is as it was" diff <(sed 2d "$T/twice.md") "$T/twice-copy.md"
n=$(kctl "$A" list | grep -c .)
sleep 1.1	# modified has one-second resolution
id2=$(de publish "$T/twice.md" 2>"$T/err") || { fail "second publish"; cat "$T/err" >&2; }
check "the second publish of the same file changes the same record" test "$id2" = "$id1"
check "… and makes no second record" test "$(kctl "$A" list | grep -c .)" = "$n"
refused de "$T/twice-copy.md" "derselbe Text ist schon als $id1 veröffentlicht" \
	"the same text without its id (German, names the record)"
refused en "$T/twice-copy.md" "the same text is already published as $id1" \
	"the same text without its id (English fallback)"
check "the refused copy was not changed" test -z "$(grep '^id:' "$T/twice-copy.md")"
sed 's/^title: .*/title: Ein Antrag, drei Ämter/' "$T/twice-copy.md" | de publish >/dev/null 2>&1 ||
	fail "a changed text is a new record"
check "… that one is new" test "$(kctl "$A" list | grep -c .)" = "$((n + 1))"

# A file that cannot be written: publish still succeeds and says how to add the id.
mkdir "$T/ro"
lesson "$T/ro/l.md" "Schreibgeschützt abgelegt"
unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh "$T/ro" \
	env -u LC_ALL -u LC_MESSAGES LANG=de_DE.UTF-8 "$KNOWCTL" --home "$A" publish "$T/ro/l.md" \
	>"$T/ro.out" 2>"$T/ro.err"; rc=$?
if [ "$rc" = 0 ] && grep -q 'Read-only\|Schreibgeschützt\|nur lesbar' "$T/ro.err"; then
	idro=$(cat "$T/ro.out")
	check "an unwritable file: the command to add the id is printed" \
		grep -qF "sed -i '1a id: $idro' '$T/ro/l.md'" "$T/ro.err"
	check "… and the message is German" grep -qF "die Kennung konnte nicht in $T/ro/l.md geschrieben werden" "$T/ro.err"
elif [ "$rc" = 0 ]; then
	fail "an unwritable file: no error"; cat "$T/ro.err" >&2
else
	echo "SKIP: no read-only bind mount here ($(head -1 "$T/ro.err"))"
fi

# --- the catalog --------------------------------------------------------------
check "po/de.po translates every message of the sources (make po, then translate)" bash -c "
	cd '$ROOT' && make -s --no-print-directory pot POT='$T/knowd.pot' >/dev/null &&
	msgcmp po/de.po '$T/knowd.pot' && msgfmt --check -o /dev/null po/de.po"

# --- German help, English fallback --------------------------------------------
check "knowctl --help in German" bash -c "env -u LC_ALL -u LC_MESSAGES LANG=de_DE.UTF-8 '$KNOWCTL' --help | grep -q '^Befehle:'"
de show 01JDZ3M7K2V6ABCDEFGHJKMNPQ >/dev/null 2>"$T/err"
check "knowd's reply translated by knowctl" grep -qx 'knowctl: 01JDZ3M7K2V6ABCDEFGHJKMNPQ: diesen Eintrag gibt es nicht' "$T/err"
en show 01JDZ3M7K2V6ABCDEFGHJKMNPQ >/dev/null 2>"$T/err"
check "… English as knowd said it under LANG=C" grep -qx 'knowctl: 01JDZ3M7K2V6ABCDEFGHJKMNPQ: no such record' "$T/err"
check "knowctl --help in English under LANG=C" bash -c "env -u LC_ALL -u LC_MESSAGES LANG=C '$KNOWCTL' --help | grep -q '^commands:'"
# help_de CMD: the summary and the first help line differ from the English ones.
help_de() {
	local d e
	d=$(de "$1" --help) && e=$(en "$1" --help) || return 1
	[ "$(sed -n 3p <<<"$d")" != "$(sed -n 3p <<<"$e")" ] &&
		[ "$(sed -n 5p <<<"$d")" != "$(sed -n 5p <<<"$e")" ]
}
for c in invite user audit contact erase profile unvouch backup status trust; do
	check "knowctl $c --help in German" help_de "$c"
done
check "status in German" bash -c "$(declare -f de); KNOWCTL='$KNOWCTL' A='$A'; de status | grep -q '^Nachbarn    1 verbunden'"
check "… and in English under LANG=C" bash -c "$(declare -f en); KNOWCTL='$KNOWCTL' A='$A'; en status | grep -q '^peers    1 connected'"
check "a usage error of audit in German" bash -c "$(declare -f de); KNOWCTL='$KNOWCTL' A='$A'; de audit --limit 0 2>&1 | grep -qx 'knowctl audit: --limit: 1 bis 100000'"

# --- the node's profile -------------------------------------------------------
de profile >"$T/profile"
check "profile shows the name (German labels)" grep -qx 'Name          Stadt Paderborn' "$T/profile"
check "profile shows the AGS" grep -qx 'AGS           05774032' "$T/profile"
de profile set --ags 123 >"$T/out" 2>"$T/err"; rc=$?
check "a bad AGS: usage error (exit 2)" test "$rc" = 2
check "… said in German" grep -qF -- '--ags: „123“ ist kein Amtlicher Gemeindeschlüssel (8 Ziffern, z. B. 05774032)' "$T/err"
de profile set --website ftp://paderborn.de >"$T/out" 2>"$T/err"; rc=$?
check "a bad website: exit 2, in German" bash -c "test $rc = 2 && grep -qF -- '--website: „ftp://paderborn.de“ ist keine Webadresse' '$T/err'"
en profile set --website paderborn.de >"$T/out" 2>"$T/err"
check "… in English under LANG=C" grep -qF -- '--website: "paderborn.de" is not a web address' "$T/err"
h0=$(head_a)
check "nothing changed by bad input" test "$(head_a)" = "$h0"
printf 'Die Stadt **Paderborn** erprobt digitale Bürgerdienste.\n' >"$T/desc.md"
de profile set --name "Stadt Paderborn (Westf.)" --website https://www.paderborn.de \
	--region Ostwestfalen-Lippe --description - <"$T/desc.md" >"$T/out" 2>"$T/err" ||
	{ fail "profile set"; cat "$T/err" >&2; }
check "profile set says it in German" grep -q '^Profil geändert (seq [0-9]*)' "$T/out"
kctl "$A" profile --json >"$T/profile.json"
check "profile --json has the new values" python3 - "$T/profile.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["name"] == "Stadt Paderborn (Westf.)", p
assert p["website"] == "https://www.paderborn.de", p
assert p["region"] == "Ostwestfalen-Lippe", p
assert p["ags"] == "05774032", p
assert "**Paderborn**" in p["description"], p
assert p["modified"] >= p["created"], p
PY
check "the new node.md is signed: stock git verifies A" git_clean "$A"
nid_a=$(node_nid "$A")
check "B gets the new profile (knowctl)" poll 15 bash -c \
	"'$KNOWCTL' --home '$B' list --kind node | grep -q 'Stadt Paderborn (Westf.)'"
check "B holds A's new node.md, signed (stock git)" poll 15 bash -c \
	"git -C '$B/repo.git' show 'refs/namespaces/$nid_a/refs/heads/main:node.md' | grep -qx 'region: Ostwestfalen-Lippe'"
check "stock git verifies B's copy of A's branch" git_verify_branch "$B"
H=$(kctl "$B" status --json | json_get http)
check "B's lesson page shows the tags as written, linked by slug" bash -c \
	"curl -sf 'http://$H/lektion/$id_words' >'$T/lesson.html' &&
	 grep -q 'tag=buergerbeteiligung\">Bürgerbeteiligung</a>' '$T/lesson.html' &&
	 grep -q 'tag=open-data\">Open Data</a>' '$T/lesson.html'"
check "B's municipality page shows the new name, region, website and description" poll 15 bash -c \
	"curl -sf 'http://$H/kommune/$nid_a' >'$T/page.html' && grep -q 'Stadt Paderborn (Westf.)' '$T/page.html' &&
	 grep -q 'Ostwestfalen-Lippe' '$T/page.html' && grep -q 'href=\"https://www.paderborn.de\"' '$T/page.html' &&
	 grep -q '<strong>Paderborn</strong>' '$T/page.html'"
de profile set --region "" >/dev/null 2>&1 || fail "removing the region"
check "an empty value removes one" bash -c "! '$KNOWCTL' --home '$A' profile | grep -q '^region'"
check "the name cannot be removed" bash -c "! '$KNOWCTL' --home '$A' profile set --name '' 2>/dev/null"
check "both nodes verify" bash -c "'$KNOWCTL' --home '$A' verify >/dev/null && '$KNOWCTL' --home '$B' verify >/dev/null"
finish
