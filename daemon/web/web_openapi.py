#!/usr/bin/env python3
# web_openapi.py — writes daemon/web/web_openapi.c, the OpenAPI 3 description
# of the JSON API as a C string. Edit here, run `python3 daemon/web/web_openapi.py`
# from the source tree and commit both files.
import json
ID="01M8B6C56QZPFN9GJ9NAGGKMT7"
def err(code, field, msg):
    return {"error": {"code": code, "message": msg, "field": field}}
lesson_props = {
  "id": {"type": "string", "pattern": "^[0-7][0-9A-HJKMNP-TV-Z]{25}$", "description": "ULID of the record"},
  "kind": {"type": "string", "enum": ["lesson", "project"]},
  "node": {"type": "string", "pattern": "^did:key:z", "description": "the municipality's node (did:key)"},
  "node_name": {"type": "string"},
  "project": {"type": "string", "description": "project slug"},
  "title": {"type": "string"}, "summary": {"type": "string"},
  "fields": {"type": "array", "items": {"$ref": "#/components/schemas/Field"}},
  "status": {"type": "string"},
  "hurdles": {"type": "array", "items": {"type": "string"}},
  "tags": {"type": "array", "items": {"type": "string"}},
  "created": {"type": "string", "format": "date-time"},
  "modified": {"type": "string", "format": "date-time"},
  "url": {"type": "string", "description": "the lesson's web page, absolute when public_url is set (or the Host is allowed), else relative"},
  "api_url": {"type": "string"},
  "snippet": {"type": "string", "description": "text around the matched words, marked »…«"},
  "score": {"type": "number"},
}
hit_req = ["id","kind","node","node_name","project","title","summary","fields","status","hurdles","tags","created","modified","url","api_url","snippet","score"]
full_props = dict(lesson_props)
full_props.update({
  "project_title": {"type": "string"},
  "related": {"type": "array", "items": {"type": "string"}},
  "language": {"type": "string"}, "license": {"type": "string"},
  "license_name": {"type": "string"}, "license_url": {"type": "string"},
  "history_url": {"type": "string"},
  "body": {"type": "string", "description": "the Markdown text"},
  "html": {"type": "string", "description": "the text rendered (cmark-gfm, raw HTML off)"},
  "signature": {"type": "object", "required": ["verified", "signer"], "properties": {
     "verified": {"type": "boolean"}, "signer": {"type": "string"},
     "commit": {"type": "string"}, "seq": {"type": "integer"}, "time": {"type": "string", "format": "date-time"}}},
  "contact": {"type": "object", "nullable": True, "description": "Ansprechpartner: the lesson's contact card, else its project's; null when none. Signed by the node, kept outside the history, deleted everywhere when cleared or expired; a person's name only with consent. Never in the search index.",
     "required": ["for", "role", "unit", "mailbox", "phone", "date", "expires"], "properties": {
     "for": {"type": "string", "enum": ["lesson", "project"]}, "role": {"type": "string"}, "unit": {"type": "string"},
     "mailbox": {"type": "string", "description": "a function mailbox, or empty"}, "phone": {"type": "string", "description": "or empty"},
     "name": {"type": "string", "description": "a person, only with consent"}, "consent": {"type": "string", "format": "date"},
     "date": {"type": "string", "format": "date-time", "description": "set or renewed"}, "expires": {"type": "string", "format": "date-time"}}},
})
ex_hit = {"id": ID, "kind": "lesson", "node": "did:key:z6MknP6jVbS6LhW9pkYwJ4xp1fRzwXDpXm9W6p9ESZV3gxU7",
  "node_name": "Stadt Münster", "project": "intelligente-strassenbeleuchtung", "title": "Start mit einer Pilotstraße",
  "summary": "Bevor die ganze Stadt umgerüstet wird, zeigt eine einzige Pilotstraße, ob Technik, Betrieb und Akzeptanz zusammenpassen.",
  "fields": ["energie-umwelt", "daten-infrastruktur"], "status": "umsetzung", "hurdles": ["technisch", "organisatorisch"],
  "tags": ["beleuchtung", "pilotprojekt", "sensorik"], "created": "2026-11-26T05:48:38Z", "modified": "2026-11-26T05:48:38Z",
  "url": "https://wissen.example.de/lektion/"+ID+"?node=z6MknP6jVbS6LhW9pkYwJ4xp1fRzwXDpXm9W6p9ESZV3gxU7",
  "api_url": "https://wissen.example.de/api/v1/lessons/"+ID+"?node=z6MknP6jVbS6LhW9pkYwJ4xp1fRzwXDpXm9W6p9ESZV3gxU7",
  "snippet": "… Teil des Projekts Intelligente »Straßenbeleuchtung« der Stabsstelle Smart City …", "score": 0.9275}
ex_full = dict(ex_hit); ex_full.update({"snippet": "", "score": 0, "project_title": "Intelligente Straßenbeleuchtung", "related": [],
  "language": "de", "license": "dl-de/by-2-0", "license_name": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
  "license_url": "https://www.govdata.de/dl-de/by-2-0",
  "history_url": "https://wissen.example.de/verlauf/"+ID+"?node=z6MknP6jVbS6LhW9pkYwJ4xp1fRzwXDpXm9W6p9ESZV3gxU7",
  "body": "## Ausgangslage\n\n…", "html": "<h2>Ausgangslage</h2>\n<p>…</p>\n",
  "signature": {"verified": True, "signer": "did:key:z6MknP6jVbS6LhW9pkYwJ4xp1fRzwXDpXm9W6p9ESZV3gxU7",
     "commit": "3f1c0a5e9b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7a", "seq": 4, "time": "2026-11-26T05:48:38Z"},
  "contact": {"for": "project", "role": "Projektleitung Smart City", "unit": "Stabsstelle Smart City",
     "mailbox": "smartcity@stadt-muenster.example", "phone": "0251 492-0", "date": "2026-11-26T06:00:00Z", "expires": "2027-11-26T06:00:00Z"}})
def p(name, desc, schema, examples=None, where="query"):
    d = {"name": name, "in": where, "description": desc, "schema": schema}
    if where == "path": d["required"] = True
    if examples: d["examples"] = {k: {"value": v} for k, v in examples.items()}
    return d
def jresp(desc, ref, examples):
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": ref},
        "examples": {k: {"value": v} for k, v in examples.items()}}}}
errresp = lambda desc, ex: jresp(desc, "#/components/schemas/Error", ex)
fields = ["strategie-organisation","verwaltung","mobilitaet","energie-umwelt","bildung","gesundheit-pflege","wirtschaft-handel","teilhabe-gesellschaft","wohnen-quartier","sicherheit-resilienz","daten-infrastruktur","kultur-tourismus"]
doc = {
 "openapi": "3.0.3",
 "info": {"title": "knowd – Erfahrungen der Kommunen", "version": "1.0.0",
   "description": "Read-only API of a knowd node: lessons learned that German municipalities share through a network of signed git repositories. Errors are JSON {\"error\": {\"code\", \"message\", \"field\"}}; message is German, or English when Accept-Language puts en first. Every answer carries an ETag and (when the data is older than a second) Last-Modified; If-None-Match / If-Modified-Since give 304. Examples: a request is the parameters' examples of one name, answered as the response example of the same name (the test suite replaces the example record ids by one the node holds and one it saw retracted).",
   "license": {"name": "Datenlizenz Deutschland – Namensnennung – Version 2.0", "url": "https://www.govdata.de/dl-de/by-2-0"}},
 "servers": [{"url": "/", "description": "this node (absolute links follow public_url)"}],
 "paths": {
  "/api/v1/lessons": {"get": {"operationId": "searchLessons", "summary": "Search and list lessons",
    "description": "Ranked by BM25 with words (q), newest first without. Filters combine.",
    "parameters": [
      p("q", "words (German stemming, umlauts folded); at most 1024 bytes", {"type": "string", "maxLength": 1024},
        {"strassenbeleuchtung": "Straßenbeleuchtung", "typo": "Bürgerbeteilgung"}),
      p("field", "Handlungsfeld", {"type": "string", "enum": fields}, {"strassenbeleuchtung": "energie-umwelt"}),
      p("status", "project status", {"type": "string", "enum": ["idee","planung","umsetzung","regelbetrieb","beendet"]}, {"bad_status": "bogus"}),
      p("hurdle", "hurdle", {"type": "string", "enum": ["finanziell","organisatorisch","technisch","sozial","rechtlich"]}),
      p("node", "municipality: did:key, node id or name", {"type": "string", "maxLength": 256}),
      p("project", "project slug", {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"}),
      p("tag", "tag slug", {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"}),
      p("since", "modified on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
      p("kind", "lesson (default) or project", {"type": "string", "enum": ["lesson", "project"]}),
      p("limit", "results per page", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20},
        {"strassenbeleuchtung": 1, "bad_limit": 0}),
      p("offset", "results skipped", {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 0})],
    "responses": {
      "200": jresp("one page of matches", "#/components/schemas/SearchResult", {
        "strassenbeleuchtung": {"total": 1, "total_exact": True, "offset": 0, "count": 1, "unmatched": [], "suggestion": None, "lessons": [ex_hit]},
        "typo": {"total": 0, "total_exact": True, "offset": 0, "count": 0, "unmatched": ["Bürgerbeteilgung"], "suggestion": "Bürgerbeteiligung", "lessons": []}}),
      "304": {"description": "not modified (If-None-Match or If-Modified-Since)"},
      "400": errresp("a parameter is invalid; field names it", {
        "bad_status": err("bad_parameter", "status", "status: einer von idee, planung, umsetzung, regelbetrieb, beendet"),
        "bad_limit": err("bad_parameter", "limit", "limit: eine Zahl von 1 bis 1000")})}}},
  "/api/v1/lessons/{id}": {"get": {"operationId": "getLesson", "summary": "One lesson or project",
    "description": "Front matter, the Markdown body, the rendered HTML, the signature of the commit that last changed it, checked again, and the contact card (Ansprechpartner) if any. A retracted record answers 410.",
    "parameters": [
      p("id", "record id (ULID)", {"type": "string"}, {"lesson": ID, "unknown": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "bad_id": "nonsense", "retracted": "01M8B6C56QZPFN9GJ9NAGGKMT9"}, "path"),
      p("node", "the municipality holding it, when several do", {"type": "string"})],
    "responses": {
      "200": jresp("the record", "#/components/schemas/Lesson", {"lesson": ex_full}),
      "304": {"description": "not modified"},
      "400": errresp("the id is malformed", {"bad_id": err("bad_parameter", "id", "id: keine Kennung einer Erfahrung (26 Zeichen, ULID)")}),
      "404": errresp("no such record here", {"unknown": err("not_found", "id", "Diesen Eintrag gibt es hier nicht.")}),
      "410": errresp("the record was retracted", {"retracted": err("retracted", "id", "Zurückgezogen am 05.12.2026")})}}},
  "/api/v1/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This description",
    "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
  "/api/v1/catalog.jsonld": {"get": {"operationId": "getCatalog", "summary": "DCAT-AP.de catalogue record (JSON-LD)",
    "responses": {"200": {"description": "dcat:Catalog with the node's dataset and its distributions", "content": {"application/ld+json": {"schema": {"type": "object", "required": ["@context", "@type"]}}}}}}},
  "/feed.atom": {"get": {"operationId": "getFeed", "summary": "Atom feed of new and changed lessons",
    "parameters": [p("node", "only this municipality's", {"type": "string"}), p("field", "only this Handlungsfeld", {"type": "string", "enum": fields})],
    "responses": {"200": {"description": "Atom 1.0 (RFC 4287), retractions as RFC 6721 deleted entries", "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
      "304": {"description": "not modified"}}}}},
 "components": {"schemas": {
   "Field": {"type": "string", "enum": fields},
   "Hit": {"type": "object", "required": hit_req, "properties": lesson_props},
   "Lesson": {"type": "object", "required": hit_req + ["project_title","related","language","license","license_name","license_url","history_url","body","html","signature","contact"], "properties": full_props},
   "SearchResult": {"type": "object", "required": ["total","total_exact","offset","count","unmatched","suggestion","lessons"], "properties": {
      "total": {"type": "integer", "description": "matches, counted up to 10,000"},
      "total_exact": {"type": "boolean"}, "offset": {"type": "integer"}, "count": {"type": "integer"},
      "unmatched": {"type": "array", "items": {"type": "string"}, "description": "words of q no record holds"},
      "suggestion": {"type": "string", "nullable": True, "description": "q as the index spells it (Meinten Sie …?)"},
      "lessons": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}},
   "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code","message","field"], "properties": {
      "code": {"type": "string", "enum": ["bad_parameter","bad_request","not_found","retracted","method_not_allowed","uri_too_long","unavailable","internal"]},
      "message": {"type": "string", "description": "German, or English with Accept-Language: en"},
      "field": {"type": "string", "nullable": True, "description": "the parameter at fault"}}}}}}}}
s = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
lines = [s[i:i + 70] for i in range(0, len(s), 70)]
out = ['/*', ' * web_openapi.c — the OpenAPI 3 description of the JSON API, served at', ' * /api/v1/openapi.json (tests/regress/public.sh validates it and asks every', ' * example of it).', ' */', '#include "web_int.h"', '', 'const char web_openapi_json[] =']
for l in lines:
    out.append('"' + l.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"')
out[-1] = out[-1] + ';'
out += ['', '/* GET /api/v1/openapi.json */', 'void', 'web_api_openapi(struct web_req *r, const char *rest)', '{',
  '\tevbuffer_add(r->out, web_openapi_json, sizeof web_openapi_json - 1);', '\tweb_send(r, 200, "application/json; charset=utf-8");', '}', '']
open(__import__('os').path.join(__import__('os').path.dirname(__file__), 'web_openapi.c'), 'w').write("\n".join(out))
print(len(s))
