/* record.c — the record schema (doc/DESIGN.md §4): vocabularies, keys, value shapes, ownership. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

const char *const record_fields[] = {
	"strategie-organisation", "verwaltung", "mobilitaet", "energie-umwelt",
	"bildung", "gesundheit-pflege", "wirtschaft-handel",
	"teilhabe-gesellschaft", "wohnen-quartier", "sicherheit-resilienz",
	"daten-infrastruktur", "kultur-tourismus", NULL
};
const char *const record_statuses[] = {
	"idee", "planung", "umsetzung", "regelbetrieb", "beendet", NULL
};
const char *const record_hurdles[] = {
	"finanziell", "organisatorisch", "technisch", "sozial", "rechtlich", NULL
};
const char *const record_roles[] = {
	"municipality", "county", "region", "agency", "state", "association",
	"company", "research", "other", NULL
};
/* German labels of record_roles, in the same order. */
static const char *const role_labels[] = {
	"Kommune", "Kreis", "Region", "Agentur", "Land", "Verband",
	"Unternehmen", "Forschung", "Sonstige"
};

const char *
record_role_label(const char *role)
{
	size_t	 i;

	for (i = 0; role != NULL && record_roles[i] != NULL; i++)
		if (strcmp(role, record_roles[i]) == 0)
			return role_labels[i];
	return "Teilnehmer";
}

static const char *const kind_names[] = {
	"lesson", "project", "node", "vouch", "erasure", NULL
};

#define S(m)	RECORD_KEY_STRING, offsetof(struct record, m)
#define L(m)	RECORD_KEY_LIST, offsetof(struct record, m)
const struct record_keydef record_keys[RK_COUNT] = {
	[RK_ID] = { "id", S(id) },
	[RK_KIND] = { "kind", RECORD_KEY_KIND, offsetof(struct record, kind) },
	[RK_TITLE] = { "title", S(title) },
	[RK_NAME] = { "name", S(name) },
	[RK_PROJECT] = { "project", S(project) },
	[RK_SUMMARY] = { "summary", S(summary) },
	[RK_FIELDS] = { "fields", L(fields) },
	[RK_STATUS] = { "status", S(status) },
	[RK_HURDLES] = { "hurdles", L(hurdles) },
	[RK_TAGS] = { "tags", L(tags) },
	[RK_TAG_LABELS] = { "tag_labels", L(tag_labels) },
	[RK_ROLE] = { "role", S(role) },
	[RK_AGS] = { "ags", S(ags) },
	[RK_REGION] = { "region", S(region) },
	[RK_WEBSITE] = { "website", S(website) },
	[RK_LANGUAGE] = { "language", S(language) },
	[RK_LICENSE] = { "license", S(license) },
	[RK_CREATED] = { "created", S(created) },
	[RK_MODIFIED] = { "modified", S(modified) },
	[RK_RELATED] = { "related", L(related) },
	[RK_ERASES] = { "erases", S(erases) },
	[RK_BLOBS] = { "blobs", L(blobs) },
};
#undef S
#undef L

static const char base58[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int
record_key_lookup(const char *name)
{
	int	 k;

	for (k = 0; k < RK_COUNT; k++) {
		if (strcmp(record_keys[k].name, name) == 0)
			return k;
	}
	return -1;
}

char **
record_key_str(struct record *r, enum record_key k)
{
	return (char **)((char *)r + record_keys[k].off);
}

struct record_list *
record_key_list(struct record *r, enum record_key k)
{
	return (struct record_list *)((char *)r + record_keys[k].off);
}

int
record_kind_lookup(const char *name, enum record_kind *kind)
{
	int	 i;

	for (i = 0; kind_names[i] != NULL; i++) {
		if (strcmp(kind_names[i], name) == 0) {
			*kind = (enum record_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *
record_kind_name(enum record_kind kind)
{
	if ((unsigned)kind >= nitems(kind_names) - 1)
		return "unknown";
	return kind_names[kind];
}

/* True when every one of the n bytes of s is in the set. */
static int
all_in(const char *s, size_t n, const char *set)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	}
	return 1;
}

int
record_id_valid(const char *s)
{
	return s != NULL && strlen(s) == RECORD_ID_LEN && s[0] >= '0' &&
	    s[0] <= '7' && all_in(s, RECORD_ID_LEN, crockford);
}

int
record_nid_valid(const char *s)
{
	size_t	 n;

	if (s == NULL || s[0] != 'z')
		return 0;
	n = strlen(s + 1);
	return n >= 40 && n <= 60 && all_in(s + 1, n, base58);
}

int
record_slug_valid(const char *s)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0 || n > RECORD_MAX_SLUG)
		return 0;
	if (s[0] == '-' || s[n - 1] == '-')
		return 0;
	return all_in(s, n, "abcdefghijklmnopqrstuvwxyz0123456789-");
}

/* The number at s[0..n), all digits. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int
record_date_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	int	 y, m, d, leap;
	size_t	 i;

	if (s == NULL || strlen(s) != sizeof shape - 1)
		return 0;
	for (i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return 0;
	}
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return 0;
	return digits(s + 11, 2) < 24 && digits(s + 14, 2) < 60 &&
	    digits(s + 17, 2) < 60;
}

void
record_set(char **member, const char *value)
{
	free(*member);
	*member = value != NULL ? xstrdup(value) : NULL;
}

void
record_value_free(struct record_value *v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		record_value_free(v->v[i]);
	free(v->v);
	free(v->s);
	free(v);
}

/* Frees the items of a list. */
static void
list_free(struct record_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void
record_free(struct record *r)
{
	size_t	 i;
	int	 k;

	if (r == NULL)
		return;
	for (k = 0; k < RK_COUNT; k++) {
		if (record_keys[k].type == RECORD_KEY_STRING)
			free(*record_key_str(r, k));
		else if (record_keys[k].type == RECORD_KEY_LIST)
			list_free(record_key_list(r, k));
	}
	for (i = 0; i < r->nextra; i++) {
		free(r->extra[i].key);
		record_value_free(r->extra[i].value);
	}
	free(r->extra);
	free(r->body);
	free(r);
}

int
record_vocab_find(const char *const *list, const char *s)
{
	int	 i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return i;
	}
	return -1;
}

int
record_website_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 i, pre;

	if (strncmp(s, "https://", 8) == 0)
		pre = 8;
	else if (strncmp(s, "http://", 7) == 0)
		pre = 7;
	else
		return 0;
	if (strlen(s) > 300 || s[pre] == '\0' || s[pre] == '/')
		return 0;
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] <= 0x20 || p[i] == 0x7f)
			return 0;
	}
	return 1;
}
