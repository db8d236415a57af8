/*
 * web_export.c — everything a node holds, for knowctl export: JSON (every
 * record's front matter and Markdown), CSV (RFC 4180, one row a record),
 * Atom (every lesson with its text), and the node's DCAT-AP.de catalogue
 * record (JSON-LD) for a Land's open-data portal, also served at
 * /api/v1/catalog.jsonld. Links are built from public_url (relative
 * without it). Exports stop at WEB_EXPORT_MAX bytes with a clear error.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "node.h"
#include "store.h"
#include "record.h"
#include "util.h"
#include "web.h"
#include "web_int.h"

#define EXPORT_PAGE	500

/* Called for every lesson and project the node holds, with its record. */
typedef int export_fn(struct node *, const char *base,
    const struct search_hit *, const struct record *, struct evbuffer *,
    size_t i);

/* Walks every lesson and project (of nid when given), newest first. */
static int
export_walk(struct node *nd, const char *base, const char *nid,
    export_fn *fn, struct evbuffer *out, char **cause)
{
	struct search_query	 q;
	struct search_result	 res;
	struct record		*rec;
	size_t			 i, n = 0;

	memset(&q, 0, sizeof q);
	q.node = nid;
	q.limit = EXPORT_PAGE;
	do {
		if (search_run(nd->search, &q, &res, cause) != 0)
			return -1;
		for (i = 0; i < res.n; i++) {
			if ((rec = web_record_load(nd, res.v[i].blob)) == NULL)
				continue;
			fn(nd, base, &res.v[i], rec, out, n++);
			record_free(rec);
		}
		q.offset += res.n;
		if (res.n == 0)
			q.offset = 1;	/* nothing more: end the walk */
		search_result_free(&res);
		if (evbuffer_get_length(out) > WEB_EXPORT_MAX)
			return set_cause(cause, "export: more than %u MiB; too "
			    "large for one answer", WEB_EXPORT_MAX >> 20);
	} while (q.offset < 1000000 && q.offset % EXPORT_PAGE == 0 &&
	    q.offset > 0);
	return 0;
}

/* export_fn: one record as a JSON object. */
static int
json_one(struct node *nd, const char *base, const struct search_hit *h,
    const struct record *rec, struct evbuffer *out, size_t i)
{
	struct evbuffer	*hit = evbuffer_new();
	size_t		 k;

	if (i > 0)
		evbuffer_add(out, ",\n", 2);
	web_json_hit(hit, base, h);
	evbuffer_remove_buffer(hit, out, evbuffer_get_length(hit) - 1);
	evbuffer_free(hit);
	evbuffer_add_printf(out, ",\"related\":[");
	for (k = 0; k < rec->related.n; k++) {
		evbuffer_add_printf(out, "%s", k > 0 ? "," : "");
		web_json_str(out, rec->related.v[k]);
	}
	evbuffer_add_printf(out, "]");
	web_json_kv(out, "language", rec->language, 1);
	web_json_kv(out, "license", rec->license, 1);
	evbuffer_add_printf(out, ",\"body\":");
	web_json_str(out, rec->body);
	evbuffer_add_printf(out, "}");
	return 0;
}

/* Appends s as a CSV field: quoted, quotes doubled. */
static void
csv_field(struct evbuffer *out, const char *s, int comma)
{
	if (comma)
		evbuffer_add(out, ",", 1);
	evbuffer_add(out, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			evbuffer_add(out, "\"", 1);
		evbuffer_add(out, s, 1);
	}
	evbuffer_add(out, "\"", 1);
}

/* A space-separated list joined with "; " for a CSV cell. Caller frees. */
static char *
csv_list(const char *list)
{
	struct buf	 b;
	const char	*p = list, *w;
	size_t		 n;

	buf_init(&b);
	while ((w = web_word(&p, &n)) != NULL) {
		if (b.len > 0)
			buf_addstr(&b, "; ");
		buf_add(&b, w, n);
	}
	return buf_detach(&b, NULL);
}

/* export_fn: one record as a CSV row (after the header row). */
static int
csv_one(struct node *nd, const char *base, const struct search_hit *h,
    const struct record *rec, struct evbuffer *out, size_t i)
{
	const char	*lists[] = { h->fields, h->hurdles, h->tags };
	char		*l, *url, *did;
	size_t		 k;

	if (i == 0)
		evbuffer_add_printf(out, "id,kind,node,node_name,project,title,"
		    "summary,fields,status,hurdles,tags,language,license,created,"
		    "modified,url\r\n");
	did = xasprintf("did:key:%s", h->nid);
	csv_field(out, h->id, 0);
	csv_field(out, h->kind, 1);
	csv_field(out, did, 1);
	csv_field(out, h->node, 1);
	csv_field(out, h->project, 1);
	csv_field(out, h->title, 1);
	csv_field(out, h->summary, 1);
	for (k = 0; k < 3; k++) {
		l = csv_list(lists[k]);
		csv_field(out, l, 1);
		free(l);
		if (k == 0)
			csv_field(out, h->status, 1);
	}
	csv_field(out, rec->language != NULL ? rec->language : "", 1);
	csv_field(out, rec->license != NULL ? rec->license : "", 1);
	csv_field(out, h->created, 1);
	csv_field(out, h->modified, 1);
	url = xasprintf("%s/lektion/%s?node=%s", base, h->id, h->nid);
	csv_field(out, url, 1);
	evbuffer_add(out, "\r\n", 2);
	free(url);
	free(did);
	return 0;
}

/* The DCAT-AP.de licence URI of a record licence (dl-by-de/2.0 when unknown). */
static const char *
dcat_license(const char *id)
{
	static const struct { const char *id, *uri; } map[] = {
		{ "dl-de/by-2-0", "http://dcat-ap.de/def/licenses/dl-by-de/2.0" },
		{ "dl-de/zero-2-0", "http://dcat-ap.de/def/licenses/dl-zero-de/2.0" },
		{ "cc-by-4.0", "http://dcat-ap.de/def/licenses/cc-by/4.0" },
		{ "cc-by-sa-4.0", "http://dcat-ap.de/def/licenses/cc-by-sa/4.0" },
		{ "cc0-1.0", "http://dcat-ap.de/def/licenses/cc-zero" },
	};
	size_t	 i;

	for (i = 0; id != NULL && i < nitems(map); i++)
		if (strcmp(map[i].id, id) == 0)
			return map[i].uri;
	return map[0].uri;
}

/* Appends "key":{"@id":"uri"}. */
static void
ld_id(struct evbuffer *out, const char *key, const char *base,
    const char *uri, int comma)
{
	char	*u = xasprintf("%s%s", base, uri);

	evbuffer_add_printf(out, "%s\"%s\":{\"@id\":", comma ? "," : "", key);
	web_json_str(out, u);
	evbuffer_add_printf(out, "}");
	free(u);
}

/* Appends "key":{"@value":…,"@language":"de"}. */
static void
ld_de(struct evbuffer *out, const char *key, const char *v)
{
	evbuffer_add_printf(out, ",\"%s\":{\"@value\":", key);
	web_json_str(out, v);
	evbuffer_add_printf(out, ",\"@language\":\"de\"}");
}

/* Appends the keywords: distinct tags of the lessons, at most 20. */
static void
dcat_keywords(struct evbuffer *out, const struct search_result *res)
{
	char		*seen[20], *t;
	size_t		 i, k, n = 0, len;
	const char	*p, *w;

	evbuffer_add_printf(out, ",\"dcat:keyword\":[");
	for (i = 0; i < res->n && n < 20; i++)
		for (p = res->v[i].tags; n < 20 &&
		    (w = web_word(&p, &len)) != NULL;) {
			t = xstrndup(w, len);
			for (k = 0; k < n && strcmp(seen[k], t) != 0; k++)
				;
			if (k < n) {
				free(t);
				continue;
			}
			evbuffer_add_printf(out, "%s", n > 0 ? "," : "");
			web_json_str(out, t);
			seen[n++] = t;
		}
	evbuffer_add_printf(out, "]");
	for (k = 0; k < n; k++)
		free(seen[k]);
}

/* Appends one distribution: title, access URL, format, media type, licence. */
static void
dcat_dist(struct evbuffer *out, const char *base, const char *title,
    const char *path, const char *format, const char *media,
    const char *license, const char *attribution)
{
	evbuffer_add_printf(out, "{\"@type\":\"dcat:Distribution\"");
	ld_de(out, "dct:title", title);
	ld_id(out, "dcat:accessURL", base, path, 1);
	ld_id(out, "dct:format", "http://publications.europa.eu/resource/"
	    "authority/file-type/", format, 1);
	web_json_kv(out, "dcat:mediaType", media, 1);
	ld_id(out, "dct:license", "", license, 1);
	web_json_kv(out, "dcatde:licenseAttributionByText", attribution, 1);
	evbuffer_add_printf(out, "}");
}

/* Appends the political geocoding of a municipality from its node.md's AGS. */
static void
dcat_geocoding(struct node *nd, struct evbuffer *out)
{
	const struct catalog_entry *e;
	struct record	*rec = NULL;
	char		 hex[GIT_OID_HEXSZ + 1];

	if ((e = catalog_at(&nd->cat, nd->nid, "node.md")) == NULL)
		return;
	git_oid_tostr(hex, sizeof hex, &e->blob);
	if ((rec = web_record_load(nd, hex)) != NULL && rec->ags != NULL &&
	    strlen(rec->ags) == 8 && strspn(rec->ags, "0123456789") == 8) {
		ld_id(out, "dcatde:politicalGeocodingLevelURI", "",
		    "http://dcat-ap.de/def/politicalGeocoding/Level/municipality", 1);
		ld_id(out, "dcatde:politicalGeocodingURI", "http://dcat-ap.de/def/"
		    "politicalGeocoding/municipalityKey/", rec->ags, 1);
	}
	record_free(rec);
}

/* Appends the dataset of the node's own lessons. */
static void
dcat_dataset(struct node *nd, const char *base, const struct search_result *res,
    const char *license, struct evbuffer *out)
{
	const char	*name = node_name(nd), *op = nd->conf.operator;
	char		*title = xasprintf("Erfahrungen der Kommunen – %s", name);
	char		*desc = xasprintf("Lessons learned von %s zu Smart-City-"
	    "Projekten (%zu Erfahrungen): wie Projekte begannen, welche Hürden "
	    "es gab, wer beteiligt war und was die Kommune wieder so machen "
	    "würde. Jede Fassung ist mit dem Schlüssel des Knotens signiert.",
	    name, res->total);
	char		*id = xasprintf("urn:knowd:%s", nd->nid), *t;

	evbuffer_add_printf(out, "{\"@type\":\"dcat:Dataset\"");
	ld_id(out, "@id", base, "/#erfahrungen", 1);
	ld_de(out, "dct:title", title);
	ld_de(out, "dct:description", desc);
	web_json_kv(out, "dct:identifier", id, 1);
	evbuffer_add_printf(out, ",\"dct:publisher\":{\"@type\":\"foaf:Agent\"");
	web_json_kv(out, "foaf:name", op != NULL ? op : name, 1);
	evbuffer_add_printf(out, "}");
	ld_id(out, "dcat:theme", "http://publications.europa.eu/resource/"
	    "authority/data-theme/", "GOVE", 1);
	ld_id(out, "dct:language", "http://publications.europa.eu/resource/"
	    "authority/language/", "DEU", 1);
	ld_id(out, "dct:accessRights", "http://publications.europa.eu/resource/"
	    "authority/access-right/", "PUBLIC", 1);
	if (res->n > 0) {
		web_json_kv(out, "dct:issued", res->v[res->n - 1].created, 1);
		web_json_kv(out, "dct:modified", res->v[0].modified, 1);
	}
	dcat_keywords(out, res);
	dcat_geocoding(nd, out);
	t = xasprintf("/kommune/%s", nd->nid);
	ld_id(out, "dcat:landingPage", base, t, 1);
	free(t);
	evbuffer_add_printf(out, ",\"dcat:distribution\":[");
	dcat_dist(out, base, "JSON-API (OpenAPI 3)", "/api/v1/lessons", "JSON",
	    "application/json", license, op != NULL ? op : name);
	evbuffer_add(out, ",", 1);
	dcat_dist(out, base, "Atom-Feed neuer und geänderter Erfahrungen",
	    "/feed.atom", "ATOM", "application/atom+xml", license,
	    op != NULL ? op : name);
	evbuffer_add(out, ",", 1);
	dcat_dist(out, base, "Webseiten (HTML)", "/", "HTML", "text/html",
	    license, op != NULL ? op : name);
	evbuffer_add_printf(out, "]}");
	free(title);
	free(desc);
	free(id);
}

/* The DCAT-AP.de catalogue record of the node's own lessons, as JSON-LD. */
static int
web_dcat(struct node *nd, const char *base, struct evbuffer *out,
    char **cause)
{
	struct search_query	 q;
	struct search_result	 res;
	struct record		*rec = NULL;
	char			*t;

	memset(&q, 0, sizeof q);
	q.node = nd->nid;
	q.kind = "lesson";
	q.limit = SEARCH_MAX_LIMIT;
	if (nd->search == NULL || search_run(nd->search, &q, &res, cause) != 0)
		return set_cause(cause, "export: the search index is not "
		    "available");
	if (res.n > 0)
		rec = web_record_load(nd, res.v[0].blob);
	evbuffer_add_printf(out, "{\"@context\":{\"dcat\":\"http://www.w3.org/"
	    "ns/dcat#\",\"dct\":\"http://purl.org/dc/terms/\",\"foaf\":"
	    "\"http://xmlns.com/foaf/0.1/\",\"dcatde\":\"http://dcat-ap.de/def/"
	    "dcatde/\"},\"@type\":\"dcat:Catalog\"");
	ld_id(out, "@id", base, "/api/v1/catalog.jsonld", 1);
	t = xasprintf("Erfahrungen der Kommunen – %s", node_name(nd));
	ld_de(out, "dct:title", t);
	free(t);
	ld_de(out, "dct:description", "Katalog eines knowd-Knotens: Lessons "
	    "learned der Kommunen zu Smart-City-Projekten.");
	evbuffer_add_printf(out, ",\"dct:publisher\":{\"@type\":\"foaf:Agent\"");
	web_json_kv(out, "foaf:name", nd->conf.operator != NULL ?
	    nd->conf.operator : node_name(nd), 1);
	evbuffer_add_printf(out, "}");
	ld_id(out, "foaf:homepage", base, "/", 1);
	ld_id(out, "dct:language", "http://publications.europa.eu/resource/"
	    "authority/language/", "DEU", 1);
	if (res.n > 0)
		web_json_kv(out, "dct:modified", res.v[0].modified, 1);
	evbuffer_add_printf(out, ",\"dcat:dataset\":[");
	dcat_dataset(nd, base, &res, dcat_license(rec != NULL ? rec->license :
	    NULL), out);
	evbuffer_add_printf(out, "]}\n");
	record_free(rec);
	search_result_free(&res);
	return 0;
}

int
web_export(struct node *nd, const char *format, struct evbuffer *out,
    char **cause)
{
	const char	*base = nd->conf.public_url != NULL ? nd->conf.public_url : "";

	if (nd->search == NULL)
		return set_cause(cause, "export: the search index is not "
		    "available");
	if (strcmp(format, "json") == 0) {
		evbuffer_add_printf(out, "[\n");
		if (export_walk(nd, base, NULL, json_one, out, cause) != 0)
			return -1;
		evbuffer_add_printf(out, "\n]\n");
		return 0;
	}
	if (strcmp(format, "csv") == 0)
		return export_walk(nd, base, NULL, csv_one, out, cause);
	if (strcmp(format, "atom") == 0)
		return web_atom(nd, base, NULL, NULL, 0, 1, out) == 0 ? 0 :
		    evbuffer_get_length(out) > WEB_EXPORT_MAX ? set_cause(cause,
		    "export: more than %u MiB; too large for one answer",
		    WEB_EXPORT_MAX >> 20) : set_cause(cause, "export: the feed "
		    "cannot be built");
	if (strcmp(format, "dcat") == 0)
		return web_dcat(nd, base, out, cause);
	return set_cause(cause, "export: unknown format \"%.32s\" (json, csv, "
	    "atom or dcat)", format);
}

/* GET /api/v1/catalog.jsonld: the DCAT-AP.de record, links from the request's base. */
void
web_api_dcat(struct web_req *r, const char *rest)
{
	char	*why = NULL;

	if (web_dcat(r->nd, r->base, r->out, &why) != 0) {
		web_fail(r, 503, "unavailable", NULL, "Der Katalog ist nicht "
		    "verfügbar.", why);
		free(why);
		return;
	}
	web_send(r, 200, "application/ld+json; charset=utf-8");
}
