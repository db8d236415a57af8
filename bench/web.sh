#!/usr/bin/env bash
# bench/web: the web view's answers, timed: N lessons (default 500) in one
# node, one of them edited 20 times (its history), then R requests (default
# 200) of each page and API answer, one connection per request as a crawler
# makes them: p50 / p99 milliseconds and bytes, beside the same requests
# answered 304 with If-None-Match. Prints one table.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-500}
R=${2:-200}
KNOWD=$PWD/$BUILD/knowd
KNOWCTL=$PWD/$BUILD/knowctl
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-bench.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

"$KNOWD" init --home "$T/node" --name "Stadt Münster" --listen 127.0.0.1:0 >/dev/null
echo "http = 127.0.0.1:0" >>"$T/node/knowd.conf"
"$KNOWD" --home "$T/node" 2>"$T/knowd.log" &
PID=$!
until "$KNOWCTL" --home "$T/node" status >/dev/null 2>&1; do sleep 0.05; done
for f in contrib/examples/*.md; do
	case "$f" in */README.md) continue ;; esac
	"$KNOWCTL" --home "$T/node" publish - <"$f" >/dev/null
done
id=$("$KNOWCTL" --home "$T/node" publish tests/regress/data/paderborn-kosten.md)
for i in $(seq 1 20); do
	"$KNOWCTL" --home "$T/node" show "$id" |
	    sed "s/Förderquote lag bei [0-9]* Prozent/Förderquote lag bei $((20 + i)) Prozent/" >"$T/e.md"
	"$KNOWCTL" --home "$T/node" publish "$T/e.md" >/dev/null
done
for i in $(seq 1 "$N"); do
	sed "s/^title: .*/title: Pilotstraße Abschnitt $i/" contrib/examples/muenster-pilotstrasse.md >"$T/l.md"
	"$KNOWCTL" --home "$T/node" publish "$T/l.md" >/dev/null
done
H=$("$KNOWCTL" --home "$T/node" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["http"])')
"$PY" - "$H" "$id" "$R" "$N" <<'PY'
import http.client, statistics, sys, time
host, port = sys.argv[1].rsplit(":", 1)
lid, R, N = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
paths = [("start page", "/"), ("search page", "/suche?q=Stra%C3%9Fenbeleuchtung"),
         ("lesson page (table)", "/lektion/" + lid), ("history (21 versions)", "/verlauf/" + lid),
         ("API search", "/api/v1/lessons?q=Stra%C3%9Fenbeleuchtung&limit=20"), ("API lesson", "/api/v1/lessons/" + lid),
         ("Atom feed (50)", "/feed.atom"), ("DCAT record", "/api/v1/catalog.jsonld")]
def get(path, hdr=None):
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    t = time.perf_counter()
    c.request("GET", path, headers=hdr or {})
    r = c.getresponse(); b = r.read(); dt = (time.perf_counter() - t) * 1000
    c.close()
    return r.status, r.getheader("ETag"), len(b), dt
def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p / 100 * len(v)))]
print("bench/web: %d + 10 lessons, %d requests each, one connection per request" % (N, R))
print("| answer | 200: p50 / p99 ms | bytes | 304: p50 / p99 ms |")
print("|---|---:|---:|---:|")
for name, p in paths:
    st, etag, n, _ = get(p)
    full = [get(p)[3] for _ in range(R)]
    cond = [get(p, {"If-None-Match": etag}) for _ in range(R)]
    assert st == 200 and all(c[0] == 304 for c in cond), (p, st, cond[0])
    cond = [c[3] for c in cond]
    print("| %s | %.2f / %.2f | %d | %.2f / %.2f |" % (name, pct(full, 50), pct(full, 99), n, pct(cond, 50), pct(cond, 99)))
PY
