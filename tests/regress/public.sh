#!/usr/bin/env bash
# The public face behind a real reverse proxy (Debian's nginx on 127.0.0.1,
# started here): links follow public_url, an allowed Host, or stay relative
# (a forged Host never gets in); the Atom feed reads cleanly in a feed
# library and xmllint; the OpenAPI document validates (an npm validator) and
# every example in it is answered as documented; conditional GETs answer
# 304; API errors are JSON in German and English; a retracted lesson
# answers 410; knowctl search says what it did not find; knowctl export and
# the DCAT-AP.de record. Without nginx or npm, those parts print SKIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/public_lib.sh"

public_nodes || { fail "two nodes with lessons"; finish; }
pass "Münster and Paderborn up, lessons synced (web view on $H)"
P="$PY $ROOT/tests/regress/public.py"

# --- links without a proxy: relative; a Host not allowed changes nothing ------
check "no public_url, no allowed Host: links are relative" $P links "http://$H" ""
c=$(curl -s -H 'Host: evil.example' "http://$H/api/v1/lessons?limit=1")
check "a forged Host does not reach the API's url" bash -c "! grep -q evil <<<'$c'"

# --- behind nginx -------------------------------------------------------------
if proxy_start "$H"; then
	PX=http://127.0.0.1:$PPORT
	pass "nginx proxies 127.0.0.1:$PPORT → $H"
	check "through the proxy, without settings: relative links" $P links "$PX" ""
	echo "allowed_hosts = 127.0.0.1:$PPORT" >>"$A/knowd.conf"
	kill -HUP "$(cat "$A.pid")"
	check "allowed_hosts (reloaded): links built from the proxy's Host" \
	    poll 10 $P links "$PX" "$PX"
	c=$(curl -s -H 'Host: evil.example' "http://$H/api/v1/lessons?limit=1")
	check "a Host not in allowed_hosts still gets relative links" bash -c "! grep -q evil <<<'$c' && grep -q '\"url\":\"/lektion/' <<<'$c'"
	PUB=https://wissen.muenster.example/wissen
	{ echo "public_url = $PUB/"
	  echo "imprint_url = https://www.muenster.example/impressum"
	  echo "privacy_url = https://www.muenster.example/datenschutz"
	  echo "operator = Stadt Münster, Amt für Digitalisierung"; } >>"$A/knowd.conf"
	kill -HUP "$(cat "$A.pid")"
	check "public_url: API url fields, feed and page links begin with it (through /wissen/)" \
	    poll 10 $P links "$PX/wissen" "$PUB"
	check "the API's url, followed through the proxy, is the lesson" $P follow "$PX/wissen" "$PUB"
	curl -s "$PX/wissen/" >"$T/start.html"
	check "footer names the operator and links Impressum and Datenschutzerklärung" \
	    grep -q 'Betrieben von Stadt Münster, Amt für Digitalisierung. <a href="https://www.muenster.example/impressum">Impressum</a> · <a href="https://www.muenster.example/datenschutz">Datenschutzerklärung</a>' "$T/start.html"
	curl -s "$PX/wissen/feed.atom" >"$T/feed.xml"
	check "Atom feed is well-formed XML (xmllint)" xmllint --noout "$T/feed.xml"
	if "$PY" -c 'import feedparser' 2>/dev/null; then
		check "Atom feed through the proxy (feedparser)" $P feed "$T/feed.xml" "$PUB"
	else
		echo "SKIP: python3-feedparser is not installed (contrib/install-deps.sh installs it)"
	fi
	check "conditional GET through the proxy: 304" $P cond "$PX/wissen"
else
	echo "SKIP: nginx is not installed (contrib/install-deps.sh installs nginx-light); proxy checks skipped"
	printf 'public_url = https://wissen.muenster.example/wissen/\n' >>"$A/knowd.conf"
	kill -HUP "$(cat "$A.pid")"
fi
check "conditional GET directly: 304" $P cond "http://$H"
check "knowd -n prints the public site's keys back" bash -c "'$KNOWD' -n --home '$A' | grep -qx 'public_url = https://wissen.muenster.example/wissen/'"
mkdir -p "$T/badhome"; printf 'public_url = ftp://x\n' >"$T/badhome/knowd.conf"
"$KNOWD" -n --home "$T/badhome" >/dev/null 2>"$T/bad.err"; rc=$?
check "a bad public_url is refused with the line and the reason" bash -c "test $rc != 0 && grep -q 'knowd.conf:1: public_url: \"ftp://x\" does not start with https:// or http://' '$T/bad.err'"

# --- the API: one lesson, errors in two languages, retractions -----------------
curl -s "http://$H/api/v1/lessons/$ID_TABLE" >"$T/one.json"
check "GET /api/v1/lessons/ID: front matter, Markdown, HTML with the table, signature" "$PY" - "$T/one.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] == "Kosten offen legen – LED-Umrüstung in Zahlen", d["title"]
assert d["node_name"] == "Stadt Paderborn" and d["license"] == "dl-de/by-2-0", d
assert d["license_url"] == "https://www.govdata.de/dl-de/by-2-0"
assert "| Posten | Kosten (€) |" in d["body"]
assert '<div class="tabelle" tabindex="0" role="region" aria-label="Tabelle"><table>' in d["html"] and "<th>Posten</th>" in d["html"], d["html"][:300]
assert '<a href="https://daten.paderborn.example/led-umruestung">' in d["html"]
assert d["signature"]["verified"] is True and len(d["signature"]["commit"]) == 40
assert d["signature"]["signer"] == d["node"]
PY
# The signature box follows the record: another lesson leaves it, an edit moves it.
sigcommit() { curl -s "http://$H/api/v1/lessons/$ID_TABLE" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["signature"]["commit"])'; }
headb() { git -C "$A/repo.git" rev-parse "refs/namespaces/$NID_B/refs/heads/main"; }
s1=$(sigcommit)
check "the signature names the commit that last changed the lesson (B's head)" test "$s1" = "$(headb)"
sed 's/^title: .*/title: Noch eine Erfahrung aus Paderborn/' "$ROOT/contrib/examples/paderborn-buergerportal.md" >"$T/other.md"
kctl "$B" publish "$T/other.md" >/dev/null || fail "publish another lesson on B"
check "B's new lesson arrives at A" poll 20 bash -c "'$KNOWCTL' --home '$A' search --node 'Stadt Paderborn' 'Noch eine Erfahrung' | grep -q Paderborn"
check "another lesson of B leaves the signature's commit as it was" test "$(sigcommit)" = "$s1"
kctl "$B" show "$ID_TABLE" | sed 's/45 Prozent/50 Prozent/' >"$T/edit2.md"
kctl "$B" publish "$T/edit2.md" >/dev/null || fail "edit the table lesson again"
check "the edit arrives at A" poll 20 bash -c "curl -s 'http://$H/api/v1/lessons/$ID_TABLE' | grep -q '50 Prozent'"
check "after an edit the signature names the edit's commit" test "$(sigcommit)" = "$(headb)"

c=$(curl -s -w ' %{http_code}' "http://$H/api/v1/lessons?status=bogus" | tr -d '\n')
check "API error: 400, JSON, German, names the field" grep -q '{"error":{"code":"bad_parameter","message":"status: einer von idee, planung, umsetzung, regelbetrieb, beendet","field":"status"}} 400' <<<"$c"
c=$(curl -s -w ' %{http_code}' -H 'Accept-Language: en-GB,en;q=0.8' "http://$H/api/v1/lessons?limit=5000" | tr -d '\n')
check "API error in English with Accept-Language: en" grep -q '"message":"limit: a number from 1 to 1000","field":"limit"}} 400' <<<"$c"
for bad in 'since=gestern:since' 'tag=Gro%C3%9F:tag' 'project=a%20b:project' 'kind=node:kind' 'offset=-1:offset' 'field=x:field'; do
	c=$(curl -s -w ' %{http_code}' "http://$H/api/v1/lessons?${bad%%:*}" | tr -d '\n')
	grep -q "\"field\":\"${bad##*:}\"}} 400\$" <<<"$c" || fail "API error for ${bad%%:*} names ${bad##*:}: $c"
done
pass "API errors name the parameter at fault (since, tag, project, kind, offset, field)"
c=$(curl -s -w ' %{http_code}' "http://$H/api/v1/nirgends" | tr -d '\n')
check "unknown API path: JSON 404" grep -q '{"error":{"code":"not_found",.*"field":null}} 404' <<<"$c"
c=$(curl -s -w ' %{http_code}' "http://$H/api/v1/lessons/$ID_GONE" | tr -d '\n')
check "a retracted lesson's API answers 410 retracted" grep -q '"code":"retracted".* 410$' <<<"$c"
c=$(curl -s -o "$T/gone.html" -w '%{http_code}' "http://$H/lektion/$ID_GONE")
check "a retracted lesson's page answers 410" test "$c" = 410
check "… styled, saying zurückgezogen am <date>" grep -Eq '<strong>Zurückgezogen</strong> am <time datetime="[0-9T:Z-]+">[0-9]{2}\.[0-9]{2}\.[0-9]{4}</time>' "$T/gone.html"
check "… with the site's stylesheet and footer" bash -c "grep -q '<style>' '$T/gone.html' && grep -q '<footer>' '$T/gone.html'"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://$H/api/v1/lessons")
check "POST to the API: 405" test "$c" = 405

# --- OpenAPI -----------------------------------------------------------------
curl -s "http://$H/api/v1/openapi.json" >"$T/openapi.json"
check "openapi.json is JSON of OpenAPI 3" "$PY" -c "import json,sys; d=json.load(open('$T/openapi.json')); assert d['openapi'].startswith('3.')"
if NM=$(npm_modules @seriousme/openapi-schema-validator@2); then
	cat >"$T/validate.mjs" <<'JS'
import { Validator } from "@seriousme/openapi-schema-validator";
const v = new Validator();
const r = await v.validate(process.argv[2]);
if (!r.valid) { console.log(JSON.stringify(r.errors, null, 1)); process.exit(1); }
console.log("valid OpenAPI " + v.version);
JS
	cp "$T/validate.mjs" "$NM/../validate.mjs"
	check "the OpenAPI document validates (@seriousme/openapi-schema-validator)" node "$NM/../validate.mjs" "$T/openapi.json"
	rm -f "$NM/../validate.mjs"
else
	echo "SKIP: npm or its registry is not reachable; OpenAPI schema validation skipped"
fi
check "every example of the OpenAPI document is answered as documented" \
    $P examples "http://$H" "$T/openapi.json" "$ID_TABLE" "$ID_GONE"

# --- search: what was not found --------------------------------------------------
kctl "$A" search Bürgerbeteilgung >"$T/s.out" 2>"$T/s.err"
check "… in English without a German locale" grep -qx 'knowctl search: no hits' "$T/s.err"
kctl_de "$A" search Bürgerbeteilgung >"$T/s.out" 2>"$T/s.err"; rc=$?
check "knowctl search with no result exits 1" test "$rc" = 1
check "… says keine Treffer" grep -qx 'knowctl search: keine Treffer' "$T/s.err"
check "… names the word found nowhere" grep -qx 'knowctl search: nicht gefunden: Bürgerbeteilgung' "$T/s.err"
check "… and offers the index's spelling (Meinten Sie …?)" grep -qx 'knowctl search: Meinten Sie: Bürgerbeteiligung?' "$T/s.err"
kctl_de "$A" search Straßenbeleuchtung Quantenkryptographie >"$T/s.out" 2>"$T/s.err"; rc=$?
check "a word found nowhere beside one found: hits, exit 0, the word named" \
    bash -c "test $rc = 0 && grep -q 'Intelligente Straßenbeleuchtung' '$T/s.out' && grep -qx 'knowctl search: nicht gefunden: Quantenkryptographie' '$T/s.err'"
kctl "$A" search --json Bürgerbeteilgung >"$T/s.json" 2>/dev/null
check "search --json carries unmatched and suggestion" "$PY" -c "import json; d=json.load(open('$T/s.json')); assert d['hits']==[] and d['unmatched']==['Bürgerbeteilgung'] and d['suggestion']=='Bürgerbeteiligung', d"
curl -s "http://$H/suche?q=Stra%C3%9Fenbeleuchtung+Quantenkryptographie" >"$T/s.html"
check "search page names the word found nowhere" grep -q 'Nicht gefunden: <strong>Quantenkryptographie</strong>' "$T/s.html"
curl -s "http://$H/suche?q=B%C3%BCrgerbeteilgung" >"$T/s2.html"
check "search page: Keine Treffer and Meinten Sie …?" bash -c "grep -q '<h2 id=\"treffer\">Keine Treffer</h2>' '$T/s2.html' && grep -q 'Meinten Sie <a href=\"[^\"]*/suche?q=B%C3%BCrgerbeteiligung\">Bürgerbeteiligung</a>?' '$T/s2.html'"
kctl "$A" search --json Ziele >"$T/z.json"
check "snippets quote answers, not the guiding questions" "$PY" -c "import json; d=json.load(open('$T/z.json')); s=[h['snippet'] for h in d['hits']]; assert s and not any('Welche Ziele wurden formuliert' in x for x in s), s"

# --- exports -----------------------------------------------------------------
mkdir -p "$T/exp"
check "knowctl export --format json" kctl "$A" export --format json --output "$T/exp/export.json"
check "knowctl export --format csv" kctl "$A" export --format csv --output "$T/exp/export.csv"
check "knowctl export --format atom" kctl "$A" export --format atom --output "$T/exp/export.atom"
kctl "$A" export --format dcat >"$T/exp/export.jsonld" || fail "knowctl export --format dcat (stdout)"
kctl "$A" export --format xml >/dev/null 2>"$T/exp/err"; rc=$?
check "an unknown export format is a usage error (2) naming the formats" bash -c "test $rc = 2 && grep -q 'json, csv, atom or dcat' '$T/exp/err'"
check "export atom is well-formed XML" xmllint --noout "$T/exp/export.atom"
if "$PY" -c 'import feedparser' 2>/dev/null; then
	check "exports: json, csv, atom and the DCAT-AP.de record hold what they should" $P export "$T/exp"
fi
check "export links follow public_url" grep -q '"url":"https://wissen.muenster.example/wissen/lektion/' "$T/exp/export.json"
c=$(curl -s -w ' %{http_code}' "http://$H/api/v1/catalog.jsonld" | tr -d '\n')
check "the DCAT-AP.de record is served at /api/v1/catalog.jsonld" grep -q '"@type":"dcat:Catalog".* 200$' <<<"$c"

check "knowd still answers" kctl "$A" status
finish
