#!/usr/bin/env bash
# Desk in a browser: headless Chromium logs in to /redaktion of node A, writes
# a lesson with umlauts and a Markdown table, previews and saves it as a
# draft; the author cannot approve it; a second account approves it and it
# arrives on node B; a stale edit shows both versions; a POST without the
# CSRF token is refused; at 390 px nothing scrolls sideways
# (tests/regress/desk_browser.py). The time from opening the form to the
# lesson on node B is printed ("measured: …"). A tag typed as a German word
# (Bürgerbeteiligung) is published as its slug (buergerbeteiligung) and shown
# as written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/desk_lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || { fail "chromium is not installed (contrib/install-deps.sh installs it)"; finish; }

A=$T/a B=$T/b
node_init "$A" "Stadt Münster" --kind municipality --listen 127.0.0.1:0 || { fail "init A"; finish; }
node_init "$B" "Stadt Beckum" --kind municipality --listen 127.0.0.1:0 || { fail "init B"; finish; }
echo "http = 127.0.0.1:0" >>"$A/knowd.conf"
echo "http = 127.0.0.1:0" >>"$B/knowd.conf"
echo "trust = $(cat "$A.did")" >>"$B/knowd.conf"
echo "trust = $(cat "$B.did")" >>"$A/knowd.conf"
node_start "$A" || { fail "start A"; finish; }
echo "peer = $(cat "$A.did")@$(node_addr "$A")" >>"$B/knowd.conf"
node_start "$B" || { fail "start B"; finish; }
check "A and B connect" poll 20 bash -c "'$KNOWCTL' --home '$A' peers | grep -q ready"
check "anna (reviewer) and bernd (reviewer)" bash -c \
    "printf 'Anna-geheim-2026!\n' | '$KNOWCTL' --home '$A' user add anna --role reviewer --unit 'Stabsstelle Digitalisierung' &&
     printf 'Bernd-geheim-2026?\n' | '$KNOWCTL' --home '$A' user add bernd --role reviewer"
HA=http://$(kctl "$A" status --json | json_get http)
HB=http://$(kctl "$B" status --json | json_get http)

mkdir -p "$T/out"
chrome_start "$T"
if python3 "$ROOT/tests/regress/desk_browser.py" "$T/chrome" "$HA" "$HB" "$T/out" "$KNOWCTL" "$A" \
    german >"$T/browser.out" 2>&1; then
	pass "desk in the browser: login, write, preview, draft, four eyes, approve, on node B, stale, CSRF, 390 px"
else
	fail "desk browser checks"
fi
cat "$T/browser.out"
poll 10 bash -c "! ps -o stat= -p $CPID | grep -qv Z" || kill "$CPID" 2>/dev/null
wait "$CPID" 2>/dev/null
check "every commit on B verifies with stock git" git_clean "$B"
finish
