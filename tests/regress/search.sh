#!/usr/bin/env bash
# Search: the example lessons found by stem, umlaut folding and filters; reindex
# equals the incremental index; a record from a peer becomes searchable;
# hostile queries are refused cleanly; the web view and feeds (when built).
. "$(dirname "$0")/lib.sh"

A=$T/a
B=$T/b
node_init "$A" "Stadt Münster" --kind municipality --listen 127.0.0.1:0 || { fail "init A"; finish; }
node_init "$B" "Stadt Paderborn" --kind municipality --listen 127.0.0.1:0 || { fail "init B"; finish; }
for h in "$A" "$B"; do echo "http = 127.0.0.1:0" >>"$h/knowd.conf"; done
for h in "$A" "$B"; do node_start "$h" || { fail "start $h"; finish; }; pin_port "$h"; done

for f in "$ROOT"/contrib/examples/*.md; do
	case "$f" in */README.md) continue ;; esac
	kctl "$A" publish - <"$f" >>"$T/ids" || fail "publish $(basename "$f")"
done
check "all eight examples published" test "$(wc -l <"$T/ids")" = 8
kctl "$A" list >/dev/null
check "index file exists" test -s "$A/index.sqlite"

# search_ids ARGS…: the ids search prints, one per line.
search_ids() { kctl "$A" search "$@" | awk '{print $1}'; }

kctl "$A" search Beteiligung >"$T/s1"
check "Beteiligung finds lessons" test "$(grep -c . "$T/s1")" -ge 2
check "every result line starts with an id" bash -c "! grep -Ev '^[0-7][0-9A-HJKMNP-TV-Z]{25} ' '$T/s1'"
check "beteiligen finds what Beteiligung finds" test "$(search_ids beteiligen)" = "$(search_ids Beteiligung)"
check "snippet highlights the match" grep -q '»Beteiligung«' "$T/s1"
check "Strassenbeleuchtung finds Straßenbeleuchtung" bash -c "'$KNOWCTL' --home '$A' search Strassenbeleuchtung | grep -q 'Intelligente Straßenbeleuchtung'"
check "Straßenbeleuchtung and Strassenbeleuchtung agree" test "$(search_ids Straßenbeleuchtung)" = "$(search_ids Strassenbeleuchtung)"
check "Pilotstrasse: the title match comes first" bash -c "'$KNOWCTL' --home '$A' search Pilotstrasse | head -1 | grep -q 'Start mit einer Pilotstraße'"
check "Beleuchtung finds Straßenbeleuchtung (a compound's last part)" bash -c "'$KNOWCTL' --home '$A' search Beleuchtung | grep -q 'Intelligente Straßenbeleuchtung'"
check "Strassen Beleuchtung (two words) finds Straßenbeleuchtung" bash -c "'$KNOWCTL' --home '$A' search Strassen Beleuchtung | head -3 | grep -q 'Intelligente Straßenbeleuchtung'"
check "Portal finds Bürgerportal" bash -c "'$KNOWCTL' --home '$A' search Portal | grep -q 'Bürgerportal'"
check "Buergerportal folds ue" bash -c "'$KNOWCTL' --home '$A' search Buergerportal | head -1 | grep -q 'Bürgerportal'"

n_all=$(search_ids Beteiligung | wc -l)
n_f=$(search_ids Beteiligung --field verwaltung | wc -l)
check "field filter narrows" test "$n_f" -ge 1 -a "$n_f" -le "$n_all"
check "field filter keeps only that field" bash -c "'$KNOWCTL' --home '$A' search --json --field energie-umwelt '' | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"hits\"]; assert a and all(\"energie-umwelt\" in o[\"fields\"] for o in a), a'"
check "status filter" bash -c "'$KNOWCTL' --home '$A' search --json --status umsetzung | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"hits\"]; assert a and all(o[\"status\"]==\"umsetzung\" for o in a)'"
check "hurdle filter" bash -c "'$KNOWCTL' --home '$A' search --json --hurdle technisch | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"hits\"]; assert a and all(\"technisch\" in o[\"hurdles\"] for o in a)'"
check "tag filter" bash -c "'$KNOWCTL' --home '$A' search --json --tag beleuchtung | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"hits\"]; assert len(a)>=1 and all(\"beleuchtung\" in o[\"tags\"] for o in a)'"
check "project filter" test "$(search_ids --project intelligente-strassenbeleuchtung | wc -l)" = 2
check "node filter by name" test "$(search_ids --node 'Stadt Münster' | wc -l)" = 8
check "words and node name together" test "$(search_ids Beteiligung --node 'stadt münster')" = "$(search_ids Beteiligung)"
check "words and node did:key together" test "$(search_ids Beteiligung --node "$(cat "$A.did")")" = "$(search_ids Beteiligung)"
check "words and another node's name find nothing" test -z "$(search_ids Beteiligung --node 'Stadt Paderborn')"
check "words with status, hurdle and project" bash -c "'$KNOWCTL' --home '$A' search --json --project intelligente-strassenbeleuchtung --hurdle technisch Straßenbeleuchtung | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"hits\"]; assert a and all(o[\"project\"]==\"intelligente-strassenbeleuchtung\" and \"technisch\" in o[\"hurdles\"] for o in a), a'"
check "since in the future finds nothing" test -z "$(search_ids --since 2099-01-01)"
check "list gains the filters" test "$(kctl "$A" list --field energie-umwelt | wc -l)" = 2
check "bad field is a usage error (2)" bash -c "'$KNOWCTL' --home '$A' search --field nirgendwo x 2>/dev/null; test \$? = 2"
check "bad since is a usage error (2)" bash -c "'$KNOWCTL' --home '$A' search --since gestern x 2>/dev/null; test \$? = 2"

# FTS5 syntax is just words.
for q in '"' 'NEAR(a b)' 'title:Start' 'Start*' 'a OR b' '(' '-x' '^Start' 'AND' "'; DROP TABLE records; --"; do
	kctl "$A" search -- "$q" >/dev/null 2>"$T/err"; rc=$?
	# 1 is "no hits" (as grep); never a usage error or a crash.
	[ $rc = 0 ] || { [ $rc = 1 ] && grep -q 'no hits' "$T/err"; } ||
		{ fail "query '$q' gave $rc: $(cat "$T/err")"; }
done
pass "FTS5 syntax in queries is taken as words (hits, or no hits)"
check "\"Pilotstraße*\" finds the Pilotstraße lesson" bash -c "'$KNOWCTL' --home '$A' search '\"Pilotstraße*' | grep -q 'Start mit einer Pilotstraße'"
big=$(head -c 100000 /dev/zero | tr '\0' a)
kctl "$A" search "$big" >/dev/null 2>"$T/err"; rc=$?
check "a 100 kB query is refused as usage (2)" test "$rc" = 2
check "the refusal says why" grep -q 'too long' "$T/err"
check "knowd still answers" kctl "$A" status

# Edits and retractions follow incrementally; reindex gives the same answers.
id1=$(sed -n 1p "$T/ids")
kctl "$A" show "$id1" | sed 's/^title: .*/title: Zebrastreifen als Versuch/' >"$T/edit.md"
kctl "$A" publish "$T/edit.md" >/dev/null || fail "edit"
check "an edit is searchable at once" test "$(search_ids Zebrastreifen)" = "$id1"
id8=$(sed -n 8p "$T/ids")
kctl "$A" retract "$id8" >/dev/null || fail "retract"
check "a retracted record is gone from search" bash -c "! '$KNOWCTL' --home '$A' search --json '' | grep -q '$id8'"
for q in Beteiligung Strassenbeleuchtung Zebrastreifen Digitalkompetenz "Daten Plattform"; do
	search_ids "$q" >"$T/before.$q"
done
sqlite3 "$A/index.sqlite" "SELECT nid, path, id, title, fields, status FROM records ORDER BY nid, path" >"$T/rows.before" 2>/dev/null
check "reindex" kctl "$A" reindex
for q in Beteiligung Strassenbeleuchtung Zebrastreifen Digitalkompetenz "Daten Plattform"; do
	search_ids "$q" >"$T/after.$q"
	cmp -s "$T/before.$q" "$T/after.$q" || fail "reindex changed results of '$q'"
done
sqlite3 "$A/index.sqlite" "SELECT nid, path, id, title, fields, status FROM records ORDER BY nid, path" >"$T/rows.after" 2>/dev/null
check "reindex gives the same rows" cmp "$T/rows.before" "$T/rows.after"

# index_get FIELD: a field of status's "index" object.
index_get() { kctl "$A" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["index"][sys.argv[1]])' "$1"; }
check "status reports the index's records" test "$(index_get records)" = 7
check "status prints the index line" bash -c "'$KNOWCTL' --home '$A' status | grep -Eq '^index +7 records, [0-9]+ segments'"
# After the rebuild knowd merges the FTS5 segments, one per table, in steps.
check "after reindex knowd merges the index into one segment per table" \
    poll 20 bash -c "test \"\$('$KNOWCTL' --home '$A' status --json | '$PY' -c 'import json,sys; i=json.load(sys.stdin)[\"index\"]; print(i[\"segments\"], i[\"merging\"])')\" = '2 False'"
# The merge after the rebuild, not the one after the start: log lines after "rebuilt".
check "a merge of the rebuilt index is logged" bash -c "sed -n '/search index rebuilt/,\$p' '$A.log' | grep -Eq 'search index: [0-9]+ segments merged into 2'"
for q in Beteiligung Strassenbeleuchtung Zebrastreifen Digitalkompetenz "Daten Plattform"; do
	search_ids "$q" >"$T/merged.$q"
	cmp -s "$T/before.$q" "$T/merged.$q" || fail "merging changed results of '$q'"
done

# A restart reads the catalog from the index (it holds every branch at its
# head): list, show and status say the same as when the catalog came from git.
catalog_dump() { kctl "$A" list --kind lesson --json; kctl "$A" list --kind project --json;
	kctl "$A" list --kind node --json; kctl "$A" list --kind vouch --json; kctl "$A" show --json "$id1"; }
catalog_dump >"$T/catalog.before"
node_stop "$A"
node_start "$A" || { fail "restart A"; finish; }
catalog_dump >"$T/catalog.after"
check "a restart's catalog (from the index) equals the one built from git" cmp "$T/catalog.before" "$T/catalog.after"
node_stop "$A"
rm -f "$A/index.sqlite" "$A/index.sqlite-wal" "$A/index.sqlite-shm"
node_start "$A" || { fail "restart A without an index"; finish; }
catalog_dump >"$T/catalog.git"
check "and equals the one read from git without an index" cmp "$T/catalog.before" "$T/catalog.git"

# A damaged index is rebuilt at start.
node_stop "$A"
head -c 4096 /dev/urandom >"$A/index.sqlite"
rm -f "$A/index.sqlite-wal" "$A/index.sqlite-shm"
node_start "$A" || { fail "restart A with a damaged index"; finish; }
check "after a damaged index, search works again" test "$(search_ids Zebrastreifen)" = "$id1"
# An index an older knowd wrote (another format) is rebuilt at start too.
node_stop "$A"
sqlite3 "$A/index.sqlite" "PRAGMA user_version=2" || fail "set an old index version"
node_start "$A" || { fail "restart A with an old index"; finish; }
check "an old index format is recreated (logged)" grep -q 'index version 2): recreating it' "$A.log"
check "after an old index, search works again" test "$(search_ids Zebrastreifen)" = "$id1"

# A record from a peer becomes searchable.
kctl "$A" trust add "$(cat "$B.did")" >/dev/null || fail "trust add B"
kctl "$B" trust add "$(cat "$A.did")" >/dev/null || fail "trust add A"
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer add"
sed -e 's/^title: .*/title: Quartiersgarage mit Ladepunkten/' -e 's/^project: .*/project: quartiersgarage/' \
    "$ROOT/contrib/examples/muenster-pilotstrasse.md" >"$T/b1.md"
idb=$(kctl "$B" publish "$T/b1.md")
check "B's lesson arrives at A and is searchable" poll 20 bash -c "'$KNOWCTL' --home '$A' search Quartiersgaragen | grep -q '^$idb .*Stadt Paderborn'"
check "node filter finds B's lesson at A" bash -c "'$KNOWCTL' --home '$A' search --node 'Stadt Paderborn' | grep -q '^$idb'"

# The web view: pages, API, feeds, hostile input.
H=$(kctl "$A" status --json | json_get http)
check "status --json reports the web address" grep -Eq '^127\.0\.0\.1:[0-9]+$' <<<"$H"
# code URL: the HTTP status of a GET (path sent as is).
code() { curl -s --path-as-is -o /dev/null -w '%{http_code}' "http://$H$1"; }
check "start page 200" test "$(code /)" = 200
curl -s "http://$H/" >"$T/start.html"
check "start page is German HTML with facet counts" grep -q '<html lang="de">' "$T/start.html"
check "start page lists Handlungsfeld counts" grep -q 'Energie und Umwelt</a> (' "$T/start.html"
check "start page has a labelled search form" grep -q '<label for="q">Suchbegriffe</label>' "$T/start.html"
check "start page has no script" bash -c "! grep -qi '<script' '$T/start.html'"
curl -s "http://$H/suche?q=Beteiligung&field=verwaltung" >"$T/search.html"
check "search page shows hits with <mark>" grep -q '<mark>Beteiligung</mark>' "$T/search.html"
sed -e 's/^title: .*/title: Böse <script>alert(1)<\/script> Probe/' \
    -e 's/^## Ausgangslage/## Ausgangslage\n\n<script>alert("x")<\/script> [klick](javascript:alert(1)) <img src=x onerror=alert(1)>/' \
    "$ROOT/contrib/examples/muenster-pilotstrasse.md" >"$T/evil.md"
ide=$(kctl "$A" publish "$T/evil.md")
curl -s "http://$H/lektion/$ide" >"$T/evil.html"
check "lesson page of a hostile record is 200" test "$(code "/lektion/$ide")" = 200
check "<script> in a title is escaped" grep -q 'Böse &lt;script&gt;alert(1)&lt;/script&gt; Probe' "$T/evil.html"
check "no <script>, javascript: or onerror in the page" bash -c "! grep -Eqi '<script|javascript:|onerror' '$T/evil.html'"
check "lesson page renders Markdown headings" grep -q '<h2>Ausgangslage</h2>' "$T/evil.html"
nid=$(node_nid "$A")
check "municipality page" test "$(code "/kommune/$nid")" = 200
check "project page" test "$(code "/projekt/$nid/intelligente-strassenbeleuchtung")" = 200
check "unknown page 404" test "$(code /nirgendwo)" = 404
check "/../ is 404" test "$(code /../etc/passwd)" = 404
check "%2e%2e is 404" test "$(code /%2e%2e/%2e%2e/etc/passwd)" = 404
check "lesson path traversal is 404" test "$(code /lektion/..%2f..%2fknowd.conf)" = 404
check "bad field is 400" test "$(code '/suche?field=bogus')" = 400
check "invalid UTF-8 is 400" test "$(code '/suche?q=%ff')" = 400
check "FTS5 syntax in a web query is 200" test "$(code '/suche?q=NEAR(a%20b)%20OR%20%22%2A')" = 200
c=$(python3 - "$H" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=10)
try:
    s.sendall(b"GET /suche?q=" + b"a" * (1024 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
except OSError:
    pass
print(s.recv(64).split(b" ")[1].decode())
PY
)
check "a 1 MB query string is refused with 4xx ($c)" bash -c "[[ '$c' =~ ^4[0-9][0-9]$ ]]"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://$H/suche")
check "POST is refused with 4xx ($c)" bash -c "[[ '$c' =~ ^4[0-9][0-9]$ ]]"
check "the web view still answers" test "$(code /)" = 200
check "knowd still answers after hostile requests" kctl "$A" status
curl -s "http://$H/api/v1/lessons?q=Strassenbeleuchtung&field=energie-umwelt" >"$T/api.json"
check "API: JSON with ranked lessons" python3 - "$T/api.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] >= 1 and d["lessons"], d
l = d["lessons"][0]
for k in ("id", "node", "node_name", "title", "summary", "fields", "status", "url", "snippet"):
    assert k in l, k
assert all("energie-umwelt" in x["fields"] for x in d["lessons"])
assert d["total_exact"] is True, d
PY
check "API: bad status is 400" test "$(code '/api/v1/lessons?status=bogus')" = 400
id7=$(sed -n 7p "$T/ids")
kctl "$A" retract "$id7" >/dev/null || fail "retract $id7"
curl -s "http://$H/feed.atom" >"$T/feed.xml"
check "Atom feed is well-formed XML" xmllint --noout "$T/feed.xml"
check "Atom feed has entries" grep -q '<entry>' "$T/feed.xml"
check "Atom feed escapes the hostile title" grep -q 'Böse &lt;script&gt;' "$T/feed.xml"
check "Atom feed lists a retraction as deleted-entry" grep -q "<at:deleted-entry ref=\"urn:knowd:$nid:$id7\"" "$T/feed.xml"
curl -s "http://$H/feed.atom?node=$(node_nid "$B")" >"$T/feedb.xml"
check "per-municipality feed is XML with only B's lesson" bash -c "xmllint --noout '$T/feedb.xml' && grep -q Quartiersgarage '$T/feedb.xml' && test \$(grep -c '<entry>' '$T/feedb.xml') = 1"
curl -s "http://$H/feed.atom?field=teilhabe-gesellschaft" >"$T/feedf.xml"
check "per-Handlungsfeld feed is XML with only that field" bash -c "xmllint --noout '$T/feedf.xml' && ! grep -q 'term=\"energie-umwelt\"' '$T/feedf.xml' && grep -q 'term=\"teilhabe-gesellschaft\"' '$T/feedf.xml'"

finish
