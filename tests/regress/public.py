#!/usr/bin/env python3
"""public.py MODE ARGS…: checks of the web view's public face for public.sh,
standard library plus feedparser (Debian python3-feedparser). Prints one
"ok:"/"FAIL:" line per check; exit 1 when any failed.

  links URL EXPECT      the API's url fields, the feed's links and the start
                        page's links, fetched from URL, all begin with EXPECT
                        ("" means relative: they begin with "/")
  follow URL PUBLIC     the API url of a lesson, with PUBLIC replaced by URL,
                        answers the lesson page
  feed FILE BASE        an Atom feed parses cleanly (feedparser), has entries
                        with links under BASE, a self link and a tombstone
  examples URL DOC ID GONE  every example of the OpenAPI document DOC is
                        answered as documented (the example record ids
                        replaced by ID, held, and GONE, retracted)
  cond URL              ETag/If-None-Match and Last-Modified/If-Modified-Since
                        give 304 for the API, the feed and a page
  export DIR            knowctl export's json, csv, atom and dcat files
"""
import csv, io, json, re, sys, time, urllib.error, urllib.parse, urllib.request

fails = 0


def check(what, ok, detail=""):
    global fails
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok or not detail else " — " + str(detail)[:400]))
    fails += 0 if ok else 1


def get(url, headers=None):
    """GET url: (status, headers, body bytes); errors are answers too."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def hrefs(html):
    return re.findall(r'(?:href|action)="([^"]*)"', html)


def mode_links(url, expect):
    st, _, body = get(url + "/api/v1/lessons?limit=5")
    d = json.loads(body)
    urls = [l["url"] for l in d["lessons"]] + [l["api_url"] for l in d["lessons"]]
    want = expect if expect else "/"
    check("API: %d url fields begin with %r" % (len(urls), want), st == 200 and urls and
          all(u.startswith(want) and (expect or not u.startswith("//")) for u in urls), urls[:2])
    st, _, body = get(url + "/feed.atom")
    feed = body.decode()
    links = re.findall(r'<link [^>]*href="([^"]*)"', feed)
    check("feed: %d links begin with %r" % (len(links), want), st == 200 and len(links) > 2 and
          all(l.startswith(want) for l in links), links[:3])
    st, _, body = get(url + "/")
    own = [h for h in hrefs(body.decode()) if not h.startswith("#") and
           not re.match(r"https://(www\.govdata\.de|creativecommons\.org)", h) and
           "impressum" not in h and "datenschutz" not in h]
    check("start page: %d links begin with %r" % (len(own), want), st == 200 and len(own) > 10 and
          all(h.startswith(want) for h in own), [h for h in own if not h.startswith(want)][:3])


def mode_follow(url, public):
    st, _, body = get(url + "/api/v1/lessons?limit=1")
    u = json.loads(body)["lessons"][0]["url"]
    st, _, page = get(u.replace(public, url, 1))
    check("following the API's url through the proxy gives the lesson page (%s)" % u,
          st == 200 and b"<article>" in page)
    st, _, body = get(url + "/api/v1/lessons?limit=1")
    a = json.loads(body)["lessons"][0]["api_url"]
    st, _, one = get(a.replace(public, url, 1))
    check("following api_url gives the lesson as JSON", st == 200 and "body" in json.loads(one))


def mode_feed(path, base):
    import feedparser
    raw = open(path, "rb").read()
    f = feedparser.parse(raw)
    check("feedparser reads the feed without complaint", not f.bozo, f.get("bozo_exception"))
    check("feed version is Atom 1.0", f.version == "atom10", f.version)
    check("feed has entries with title, id, updated, author",
          len(f.entries) >= 3 and all(e.get("title") and e.get("id", "").startswith("urn:knowd:") and
                                      e.get("updated") and e.get("author") for e in f.entries))
    check("entry links are under %r" % base, all(e.link.startswith(base + "/lektion/") for e in f.entries),
          [e.link for e in f.entries][:2])
    self = [l.href for l in f.feed.get("links", []) if l.rel == "self"]
    check("feed has a self link under the base", self and self[0].startswith(base + "/feed.atom"), self)
    check("feed lists a retraction as at:deleted-entry", b"<at:deleted-entry ref=\"urn:knowd:" in raw)


def example_request(doc, path, op, name, real_id, gone_id):
    """The request of example name of an operation: (url path with query, params)."""
    q, p = {}, path
    for prm in op.get("parameters", []):
        ex = prm.get("examples", {}).get(name)
        if ex is None:
            continue
        v = ex["value"]
        if prm["in"] == "path":
            v = {"01M8B6C56QZPFN9GJ9NAGGKMT7": real_id, "01M8B6C56QZPFN9GJ9NAGGKMT9": gone_id}.get(v, v)
            p = p.replace("{%s}" % prm["name"], urllib.parse.quote(str(v)))
        else:
            q[prm["name"]] = v
    return p + ("?" + urllib.parse.urlencode(q) if q else ""), q


def schema_of(doc, ref):
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]


def conforms(doc, schema, v, where="$"):
    """A small JSON Schema check of the subset the document uses: problems as a list."""
    if "$ref" in schema:
        return conforms(doc, schema_of(doc, schema["$ref"]), v, where)
    if v is None:
        return [] if schema.get("nullable") else ["%s: null" % where]
    t = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}
    if t and not isinstance(v, types[t]) or (t in ("integer", "number") and isinstance(v, bool)):
        return ["%s: not %s" % (where, t)]
    errs = []
    if "enum" in schema and v not in schema["enum"]:
        errs.append("%s: %r not in enum" % (where, v))
    if t == "string" and "pattern" in schema and not re.search(schema["pattern"], v):
        errs.append("%s: %r does not match %s" % (where, v, schema["pattern"]))
    if t == "object":
        for k in schema.get("required", []):
            if k not in v:
                errs.append("%s.%s: missing" % (where, k))
        for k, s in schema.get("properties", {}).items():
            if k in v:
                errs += conforms(doc, s, v[k], where + "." + k)
    if t == "array":
        for i, x in enumerate(v):
            errs += conforms(doc, schema.get("items", {}), x, "%s[%d]" % (where, i))
    return errs


def mode_examples(url, docpath, real_id, gone_id):
    doc = json.load(open(docpath))
    n = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            names = {k for prm in op.get("parameters", []) for k in prm.get("examples", {})}
            for name in sorted(names):
                target, _ = example_request(doc, path, op, name, real_id, gone_id)
                codes = [c for c, r in op["responses"].items()
                         if name in r.get("content", {}).get("application/json", {}).get("examples", {})]
                if len(codes) != 1:
                    check("example %s of %s names one response" % (name, path), False, codes)
                    continue
                resp = op["responses"][codes[0]]["content"]["application/json"]
                want = resp["examples"][name]["value"]
                st, hd, body = get(url + target)
                try:
                    got = json.loads(body)
                except ValueError:
                    got = None
                errs = conforms(doc, resp["schema"], got) if got is not None else ["not JSON"]
                same = got is not None and set(got) == set(want)
                if "error" in want:
                    same = same and got["error"]["code"] == want["error"]["code"] and \
                        got["error"]["field"] == want["error"]["field"]
                if name == "typo":
                    same = same and got["suggestion"] == want["suggestion"] and got["unmatched"] == want["unmatched"]
                check("example %r: GET %s answers %s as documented" % (name, target, codes[0]),
                      str(st) == codes[0] and not errs and same, (st, errs[:3], got if not same else ""))
                n += 1
    check("the document has examples (%d asked)" % n, n >= 6)


def mode_cond(url):
    for path in ("/api/v1/lessons?q=Beteiligung", "/feed.atom", "/", "/suche?q=Beleuchtung"):
        st, hd, body = get(url + path)
        etag = hd.get("ETag")
        st2, hd2, body2 = get(url + path, {"If-None-Match": etag or '"none"'})
        check("%s: ETag %s, If-None-Match gives 304 without a body" % (path, etag),
              st == 200 and etag and st2 == 304 and body2 == b"" and hd2.get("ETag") == etag)
        st3, _, _ = get(url + path, {"If-None-Match": 'W/"other", ' + etag})
        check("%s: a list with the tag among others gives 304" % path, st3 == 304)
        st4, _, _ = get(url + path, {"If-None-Match": '"other"'})
        check("%s: another tag gives 200" % path, st4 == 200)
    # Last-Modified appears once the data is a second old.
    end = time.time() + 5
    lm = None
    while time.time() < end and not lm:
        st, hd, _ = get(url + "/feed.atom")
        lm = hd.get("Last-Modified")
        if not lm:
            time.sleep(0.2)
    st, hd, _ = get(url + "/feed.atom", {"If-Modified-Since": lm or "x"})
    check("feed: Last-Modified %s, If-Modified-Since gives 304" % lm, lm and st == 304)
    st, _, _ = get(url + "/feed.atom", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    check("feed: an older If-Modified-Since gives 200", st == 200)
    st, _, _ = get(url + "/feed.atom", {"If-Modified-Since": "gestern"})
    check("feed: a malformed If-Modified-Since is ignored (200)", st == 200)


def mode_export(d):
    j = json.load(open(d + "/export.json"))
    kinds = {o["kind"] for o in j}
    check("export json: %d records, lessons and projects, each with body, license and url" % len(j),
          len(j) >= 8 and kinds == {"lesson", "project"} and all("body" in o and "license" in o and o["url"] for o in j))
    rows = list(csv.DictReader(io.open(d + "/export.csv", newline="", encoding="utf-8")))
    check("export csv: one row a record, same ids as json", sorted(r["id"] for r in rows) == sorted(o["id"] for o in j))
    check("export csv: a title with a dash and a summary with commas survive",
          any("–" in r["title"] for r in rows) and any("," in r["summary"] for r in rows))
    import feedparser
    f = feedparser.parse(open(d + "/export.atom", "rb").read())
    n_lessons = sum(1 for o in j if o["kind"] == "lesson")
    check("export atom: every lesson (%d) with its text as content" % n_lessons,
          not f.bozo and len(f.entries) == n_lessons and all(e.get("content") for e in f.entries))
    c = json.load(open(d + "/export.jsonld"))
    ds = c.get("dcat:dataset", [{}])[0]
    dist = ds.get("dcat:distribution", [])
    check("dcat: a dcat:Catalog with context, title, publisher and a dcat:Dataset",
          c.get("@type") == "dcat:Catalog" and "dcat" in c.get("@context", {}) and
          c.get("dct:title") and c.get("dct:publisher") and ds.get("@type") == "dcat:Dataset")
    check("dcat: dataset with title, description, publisher, theme, keywords, modified",
          all(ds.get(k) for k in ("dct:title", "dct:description", "dct:publisher", "dcat:theme",
                                  "dcat:keyword", "dct:modified")))
    check("dcat: the municipality's AGS as political geocoding",
          ds.get("dcatde:politicalGeocodingURI", {}).get("@id") ==
          "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05515000", ds.get("dcatde:politicalGeocodingURI"))
    check("dcat: distributions with access URL, format and a DCAT-AP.de licence",
          len(dist) >= 2 and all(x.get("dcat:accessURL", {}).get("@id") and x.get("dct:format") and
                                 x.get("dct:license", {}).get("@id", "").startswith("http://dcat-ap.de/def/licenses/")
                                 for x in dist))


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    globals()["mode_" + mode](*args)
    sys.exit(1 if fails else 0)


main()
