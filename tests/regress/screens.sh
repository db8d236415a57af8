#!/usr/bin/env bash
# Screens: headless Chromium takes whole-page screenshots at 1280 and 390 px
# of the start page, a search, a lesson with a table (Paderborn's, shown by
# Münster's node), its history, a municipality and a retracted lesson; none
# scrolls sideways at 390 px; axe-core (npm, cached under the build
# directory) finds no serious or critical accessibility violation; the
# lesson prints on A4 with its source and licence. Screenshots stay in
# $BUILD/screens. Without Chromium or npm, those parts print SKIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/public_lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium is not installed (contrib/install-deps.sh installs it)"
	finish
fi
public_nodes || { fail "two nodes with lessons"; finish; }
{ echo "imprint_url = https://www.muenster.example/impressum"
  echo "privacy_url = https://www.muenster.example/datenschutz"
  echo "operator = Stadt Münster, Amt für Digitalisierung"; } >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "footer shows the Impressum after the reload" \
    poll 10 bash -c "curl -s 'http://$H/' | grep -q 'Impressum</a>'"
# Paderborn's lesson has a contact card (Ansprechpartner), shown by Münster.
printf 'role: Projektleitung Bürgerportal\nunit: Amt für Digitalisierung\nmailbox: buergerportal@paderborn.example\nphone: 05251 88-0\n' |
	kctl "$B" contact set "$ID_TABLE" - >/dev/null || fail "contact card on B"
check "A holds B's contact card for the lesson" \
    poll 10 bash -c "'$KNOWCTL' --home '$A' contact show '$ID_TABLE' | grep -q buergerportal@"

AXE=-
if NM=$(npm_modules axe-core@4); then
	AXE=$NM/axe-core/axe.min.js
else
	echo "SKIP: npm or its registry is not reachable; the axe-core audit is skipped"
fi
SHOTS=$ROOT/$BUILD/screens
rm -rf "$SHOTS"
mkdir -p "$SHOTS" "$T/chrome" "$T/tmp"
TMPDIR=$T/tmp "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/chrome" --remote-debugging-port=0 --hide-scrollbars \
    about:blank >"$T/chrome.log" 2>&1 &
CPID=$!
PIDS+=("$CPID")
if "$PY" "$ROOT/tests/regress/screens.py" "$T/chrome" "http://$H" "$SHOTS" "$AXE" \
    "start=/" \
    "search=/suche?q=Stra%C3%9Fenbeleuchtung+Quantenkryptographie" \
    "lesson=/lektion/$ID_TABLE?node=$NID_B" \
    "history=/verlauf/$ID_TABLE?node=$NID_B" \
    "municipality=/kommune/$NID_B" \
    "retracted=/lektion/$ID_GONE" >"$T/screens.out" 2>&1; then
	pass "screenshots, no sideways scrolling, accessibility, print"
else
	fail "screens checks"
fi
cat "$T/screens.out"
check "twelve screenshots in $BUILD/screens" test "$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)" = 12
curl -s "http://$H/lektion/$ID_TABLE?node=$NID_B" >"$T/lesson.html"
check "lesson: the header names Paderborn, not the serving node" \
    grep -q '<span class="who"><a href="/kommune/'"$NID_B"'">Stadt Paderborn</a></span></header>' "$T/lesson.html"
check "lesson: German dates" grep -Eq '<dt>Geändert</dt><dd><time datetime="[^"]+">[0-9]{2}\.[0-9]{2}\.20[0-9]{2}</time>' "$T/lesson.html"
check "lesson: tags by their names" grep -q '>Open Data</a>' "$T/lesson.html"
check "lesson: Ansprechpartner with the function mailbox and phone" \
    grep -q '<dt>Funktionspostfach</dt><dd><a href="mailto:buergerportal@paderborn.example">buergerportal@paderborn.example</a></dd>' "$T/lesson.html"
check "lesson: the phone number dials" grep -q '<a href="tel:05251880">05251 88-0</a>' "$T/lesson.html"
check "lesson: licence with its link" grep -q '<a rel="license" href="https://www.govdata.de/dl-de/by-2-0">Datenlizenz Deutschland' "$T/lesson.html"
check "lesson: Signatur geprüft, signed by Paderborn, with the commit" \
    grep -Eq '<p class="proof"><strong>Signatur geprüft</strong> – signiert von <a href="/kommune/'"$NID_B"'">Stadt Paderborn</a> .*Commit <span class="id">[0-9a-f]{40}</span>' "$T/lesson.html"
check "lesson: a Markdown table and an autolink" \
    bash -c "grep -q '<th>Posten</th>' '$T/lesson.html' && grep -q '<a href=\"https://daten.paderborn.example/led-umruestung\">' '$T/lesson.html'"
curl -s "http://$H/lektion/$ID_PILOT" >"$T/pilot.html"
check "lesson: the project by its title, not its slug" \
    grep -q '<dt>Projekt</dt><dd><a href="/projekt/[^"]*/intelligente-strassenbeleuchtung">Intelligente Straßenbeleuchtung</a>' "$T/pilot.html"
curl -s "http://$H/kommune/$NID_B" >"$T/muni.html"
check "municipality: its AGS from node.md, its did:key in a wrapping box" bash -c "
	grep -q '<dt>Amtlicher Gemeindeschlüssel</dt><dd>05774032</dd>' '$T/muni.html' &&
	grep -q '<dd class=\"id\">did:key:$NID_B</dd>' '$T/muni.html'"
curl -s "http://$H/verlauf/$ID_TABLE?node=$NID_B" >"$T/history.html"
check "history: two versions, newest first, with the changed lines" bash -c "
	test \$(grep -c '<section class=\"version\">' '$T/history.html') = 2 &&
	grep -q ': geändert</h2>' '$T/history.html' && grep -q ': erste Fassung</h2>' '$T/history.html' &&
	grep -q '<del><span class=\"sr\">− </span>Die Förderquote lag bei 40 Prozent' '$T/history.html' &&
	grep -q '<ins><span class=\"sr\">+ </span>Die Förderquote lag bei 45 Prozent' '$T/history.html'"
# browser.py closed the browser (and its helpers) over DevTools; a signal only if not.
poll 10 bash -c "! ps -o stat= -p $CPID | grep -qv Z" || kill "$CPID" 2>/dev/null
wait "$CPID" 2>/dev/null
finish
