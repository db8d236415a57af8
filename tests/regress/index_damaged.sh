#!/usr/bin/env bash
# index_damaged — a damaged search index is moved aside and rebuilt from
# the branches (issue 12, item 5): pages overwritten in the middle of
# index.sqlite while knowd was stopped; meanwhile knowctl search says so in
# one line (exit 1), the web search and the API answer 503 with a German
# message, status says "rebuilding"; afterwards search finds everything,
# status counts every record, new lessons are indexed, and the damaged
# file is kept for the operator. knowctl reindex works on a damaged file.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Münster" --kind municipality --listen off || exit 1
echo "http = 127.0.0.1:0" >>"$A/knowd.conf"
node_start "$A" || exit 1
for f in "$ROOT"/contrib/examples/*.md; do
	case "$f" in */README.md) continue ;; esac
	kctl "$A" publish - <"$f" >>"$T/ids" || fail "publish $(basename "$f")"
done
ix() { kctl "$A" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["index"].get(sys.argv[1]))' "$1"; }
n0=$(ix records)
kctl "$A" search Beteiligung | awk '{print $1}' | sort >"$T/before"
node_stop "$A" || fail "stop"

# damage: overwrites the records' and bodies' pages of the stopped index.
damage() { echo "damaged $("$PY" "$ROOT/tests/regress/index_damage.py" "$A/index.sqlite") pages"; }
damage
# The repair waits 3 s (a test knob), so what is answered meanwhile can be seen.
KNOWD_TEST_REPAIR_DELAY=3 node_start "$A" || exit 1
URL=http://$(kctl "$A" status --json | json_get http)

if kctl "$A" search Beteiligung >"$T/s.out" 2>"$T/s.err"; then
	fail "search answered from a damaged index: $(head -3 "$T/s.out")"
else
	[ "$(wc -l <"$T/s.err")" -eq 1 ] && grep -q "Der Suchindex wird neu aufgebaut" "$T/s.err" &&
		pass "knowctl search: $(cat "$T/s.err")" || fail "knowctl search said: $(cat "$T/s.err")"
fi
code=$(curl -s -o "$T/page" -w '%{http_code}' "$URL/suche?q=Beteiligung")
[ "$code" = 503 ] && grep -q "Der Suchindex wird neu aufgebaut" "$T/page" &&
	pass "web search: 503, being rebuilt" || fail "web search: $code $(grep -o 'malformed' "$T/page")"
code=$(curl -s -o "$T/api" -w '%{http_code}' "$URL/api/v1/lessons?q=Beteiligung")
[ "$code" = 503 ] && grep -q '"code":"rebuilding"' "$T/api" &&
	pass "API: 503 $(cat "$T/api")" || fail "API: $code $(cat "$T/api")"
[ "$(ix rebuilding)" = True ] && pass "status: rebuilding" || fail "status: rebuilding=$(ix rebuilding)"
kctl "$A" status | grep "^index" >&2

# rebuilt: search answers again, and status counts every record.
rebuilt() { [ "$(ix rebuilding)" = False ] && [ "$(ix records)" = "$n0" ]; }
poll 20 rebuilt && pass "rebuilt: $n0 records" ||
	fail "not rebuilt: records $(ix records) of $n0, rebuilding $(ix rebuilding)"
kctl "$A" search Beteiligung | awk '{print $1}' | sort >"$T/after"
cmp -s "$T/before" "$T/after" && [ -s "$T/after" ] &&
	pass "search finds what it found before ($(wc -l <"$T/after") records)" || fail "search after the rebuild"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/lessons?q=Beteiligung")
[ "$code" = 200 ] && pass "API answers 200 again" || fail "API: $code"
ls "$A"/index.sqlite.damaged-* >/dev/null 2>&1 && pass "damaged file kept: $(cd "$A" && ls index.sqlite.damaged-*)" ||
	fail "the damaged file was not kept"
grep -q "was damaged: kept as" "$A.log" && pass "logged" || fail "no log line"
sed "s/^title: .*/title: Zauberwortprobe nach der Reparatur/" \
	"$ROOT/contrib/examples/$(ls "$ROOT/contrib/examples" | grep -v README | head -1)" |
	grep -v '^id:' >"$T/new.md"
kctl "$A" publish "$T/new.md" >/dev/null || fail "publish after the rebuild"
kctl "$A" search Zauberwortprobe | grep -q Zauberwortprobe &&
	pass "a new lesson is indexed" || fail "the new lesson is not found"
n1=$(ix records)
node_stop "$A" || fail "stop"

# knowctl reindex on a damaged file (the automatic repair held back 60 s).
damage
KNOWD_TEST_REPAIR_DELAY=60 node_start "$A" || exit 1
if kctl "$A" reindex >"$T/r.out" 2>"$T/r.err"; then
	pass "knowctl reindex on a damaged file: $(cat "$T/r.out")"
else
	fail "knowctl reindex: $(cat "$T/r.err")"
fi
[ "$(ix rebuilding)" = False ] && [ "$(ix records)" = "$n1" ] &&
	pass "status after reindex: $n1 records" || fail "status after reindex: $(ix records) of $n1"
kctl "$A" search Zauberwortprobe | grep -q Zauberwortprobe &&
	pass "search after reindex" || fail "search after reindex"
node_stop "$A" || fail "stop"
finish
