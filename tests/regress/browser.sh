#!/usr/bin/env bash
# Browser: headless Chromium loads the start page, searches through the form
# (typed, Enter), opens a lesson, and the DOM of each page is checked over the
# DevTools protocol (tests/regress/browser.py); a screenshot is saved in $T.
# Chromium is a test dependency (contrib/install-deps.sh): missing, this fails.
. "$(dirname "$0")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || { fail "chromium is not installed (contrib/install-deps.sh installs it)"; finish; }

A=$T/a
node_init "$A" "Stadt Münster" --kind municipality --listen 127.0.0.1:0 || { fail "init"; finish; }
echo "http = 127.0.0.1:0" >>"$A/knowd.conf"
node_start "$A" || { fail "start"; finish; }
for f in "$ROOT"/contrib/examples/*.md; do
	case "$f" in */README.md) continue ;; esac
	kctl "$A" publish - <"$f" >/dev/null || fail "publish $(basename "$f")"
done
H=$(kctl "$A" status --json | json_get http)

mkdir -p "$T/out"
chrome_start "$T"
if python3 "$ROOT/tests/regress/browser.py" "$T/chrome" "http://$H" "$T/out" >"$T/browser.out" 2>&1; then
	pass "browser: start page, search through the form, lesson page"
else
	fail "browser checks"
fi
cat "$T/browser.out"
check "screenshot is a PNG in the test's temp dir" bash -c "file '$T/out/shot.png' 2>/dev/null | grep -q PNG || head -c 8 '$T/out/shot.png' | grep -q PNG"
# The plain --dump-dom route too: what the form's GET produces without DevTools.
TMPDIR=$T/tmp "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/chrome2" --dump-dom "http://$H/suche?q=Strassenbeleuchtung&field=energie-umwelt" \
    >"$T/dump.html" 2>>"$T/chrome.log"
check "--dump-dom of the search URL shows the hit" grep -q 'Intelligente <mark>Straßenbeleuchtung</mark>\|<mark>Straßenbeleuchtung</mark>' "$T/dump.html"
# browser.py closed the browser (and its helpers) over DevTools; a signal only if not.
poll 10 bash -c "! ps -o stat= -p $CPID | grep -qv Z" || kill "$CPID" 2>/dev/null
wait "$CPID" 2>/dev/null
check "knowd still answers" kctl "$A" status
finish
