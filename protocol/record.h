/* record.h — the record format (doc/DESIGN.md §4): Markdown with YAML front matter, fixed schema. */
#ifndef KNOWD_RECORD_H
#define KNOWD_RECORD_H

#include <stddef.h>

#define RECORD_MAX_BYTES	(256 * 1024)	/* a whole record file */
#define RECORD_MAX_TITLE	200		/* characters */
#define RECORD_MAX_SUMMARY	500		/* characters */
#define RECORD_MAX_LIST		32		/* items in fields/hurdles/tags/related */
#define RECORD_MAX_SLUG		64		/* project slugs and tags: [a-z0-9-] */
#define RECORD_ID_LEN		26		/* ULID, Crockford base32 */
#define RECORD_KINDS		(RECORD_ERASURE + 1)

enum record_kind {
	RECORD_LESSON,		/* projects/<project>/lessons/<id>.md */
	RECORD_PROJECT,		/* projects/<project>/project.md */
	RECORD_NODE,		/* node.md */
	RECORD_VOUCH,		/* vouches/<nid>.md */
	RECORD_ERASURE,		/* erasures/<id>.md: an erasure notice */
};

enum record_mode {
	RECORD_STRICT,		/* as stored: every required field present */
	RECORD_DRAFT,		/* as a user submits it: id, created, modified may be absent */
};

struct record_list {
	char	**v;
	size_t	  n;
};

struct record_value;		/* an unknown key's YAML value, kept for round trips */
struct record_extra {
	char			*key;
	struct record_value	*value;
};

/*
 * One record. Strings are NUL-terminated UTF-8 or NULL when absent.
 * lesson:  id, title, project, summary, fields, status, hurdles, tags,
 *          tag_labels, related
 * project: id, title, project (its own slug), summary, fields, status, tags,
 *          tag_labels
 * node:    id (the nid, z6Mk…), name, role, ags, region, website
 * vouch:   id (the vouched nid), name, ags
 * erasure: id, erases (a lesson's or project's id), blobs (git blob ids)
 * all:     kind, language, license, created, modified, body
 */
struct record {
	enum record_kind	 kind;
	char			*id;
	char			*title;
	char			*name;
	char			*project;
	char			*summary;
	struct record_list	 fields;
	char			*status;
	struct record_list	 hurdles;
	struct record_list	 tags;
	struct record_list	 tag_labels;	/* display forms of tags (record_slugify) */
	struct record_list	 related;
	char			*language;
	char			*license;
	char			*created;
	char			*modified;
	char			*role;
	char			*ags;
	char			*region;
	char			*website;
	char			*erases;	/* erasure: the record whose versions go */
	struct record_list	 blobs;		/* erasure: their blob ids (40 hex) */
	struct record_extra	*extra;		/* unknown keys, in file order */
	size_t			 nextra;
	char			*body;		/* Markdown after the front matter, never NULL */
	size_t			 bodylen;
};

/*
 * Parses and validates a record. A draft is read as a person writes it: a
 * byte-order mark is skipped, vocabulary words may be spelled with capitals
 * and umlauts ("Mobilität"), tags and the project may be German words (their
 * slug is derived, a tag's written form kept in tag_labels), and the
 * template's placeholders are refused. Messages go through gettext. On failure *cause lists every violation,
 * one per line, each naming the field ("title: missing"). Caller frees *out
 * with record_free and *cause with free.
 */
int	 record_parse(const char *buf, size_t len, enum record_mode,
	     struct record **out, char **cause);
/* Validates a record built or changed in memory, as record_parse would. */
int	 record_validate(const struct record *, enum record_mode, char **cause);
/* Writes the canonical form: same record, same bytes. Caller frees *out. */
int	 record_write(const struct record *, char **out, size_t *len);
void	 record_free(struct record *);
/* Sets a string member to a copy of value (NULL clears it). */
void	 record_set(char **member, const char *value);

/* "lesson", "project", "node", "vouch", "erasure". */
const char *record_kind_name(enum record_kind);
/* The record's path inside an origin branch tree. Caller frees. */
char	*record_path(const struct record *);
/* True when path is one doc/DESIGN.md §3 allows in an origin branch (with the right name shape). */
int	 record_path_allowed(const char *path);
/* True for an erasure notice's path (erasures/…): kept apart from catalog and search. */
int	 record_path_erasure(const char *path);

/* Controlled vocabularies (NULL-terminated). */
extern const char *const record_fields[];	/* Handlungsfelder */
extern const char *const record_statuses[];
extern const char *const record_hurdles[];
extern const char *const record_roles[];
/* The German label of a node.md role ("Kommune", "Unternehmen", …); "Teilnehmer" for none or another. */
const char *record_role_label(const char *role);

/* True for a ULID: 26 characters of Crockford base32, first one 0-7. */
int	 record_id_valid(const char *);
/* True for "YYYY-MM-DDTHH:MM:SSZ" naming a real date and time. */
int	 record_date_valid(const char *);
/* True for a web address: http(s)://, a host, no blanks, at most 300 bytes. */
int	 record_website_valid(const char *);
/* True for a slug: 1..RECORD_MAX_SLUG of [a-z0-9-], not starting or ending with '-'. */
int	 record_slug_valid(const char *);

/*
 * The slug of a German word or phrase: lowercase, ä ö ü ß as ae oe ue ss,
 * other Latin-1 letters without accents, every run of other characters one
 * '-' ("Bürgerbeteiligung" → "buergerbeteiligung"; PROTOCOL.md §6). NULL
 * when nothing is left or s is not UTF-8. It may still be too long for a
 * slug (record_slug_valid). Caller frees.
 */
char	*record_slugify(const char *);
/* The word of a vocabulary (record_fields, …) that s means ("Mobilität" → mobilitaet), or NULL. */
const char *record_word(const char *const *list, const char *s);
/* How a tag of r is shown: its label from tag_labels, else the tag itself. */
const char *record_tag_label(const struct record *, const char *tag);

/* The lesson template `knowctl new` prints (static text). */
const char *record_template(void);

#endif
