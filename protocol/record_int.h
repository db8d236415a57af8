/* record_int.h — what the record_*.c files share; not for other modules. */
#ifndef KNOWD_RECORD_INT_H
#define KNOWD_RECORD_INT_H

#include <stddef.h>

#include "record.h"
#include "util.h"

#define RECORD_MAX_DEPTH	8	/* nesting of one unknown key's value */
#define RECORD_MAX_NODES	1000	/* YAML nodes in the whole front matter */
#define RECORD_MAX_KEY		200	/* bytes of a key: escaped, it still fits libyaml's 1024 */

/*
 * An unknown key's value. A scalar is "untyped" when it was written plain
 * and YAML would read it as null, a boolean or a number (1, yes, ~): it is
 * written back plain so it keeps that meaning. Every other scalar is a string.
 * A mapping keeps its keys and values alternating in v: key, value, key, ….
 */
enum record_value_type {
	RECORD_SCALAR,
	RECORD_SEQ,
	RECORD_MAP,
};
struct record_value {
	enum record_value_type	  type;
	int			  untyped;
	char			 *s;
	struct record_value	**v;
	size_t			  n;
};

/* The front matter keys the schema knows, in the canonical order. */
enum record_key {
	RK_ID, RK_KIND, RK_TITLE, RK_NAME, RK_PROJECT, RK_SUMMARY, RK_FIELDS,
	RK_STATUS, RK_HURDLES, RK_TAGS, RK_TAG_LABELS, RK_ROLE, RK_AGS, RK_REGION,
	RK_WEBSITE, RK_LANGUAGE, RK_LICENSE, RK_CREATED, RK_MODIFIED, RK_RELATED,
	RK_ERASES, RK_BLOBS,
	RK_COUNT
};
#define RK_BIT(k)	(1u << (k))

enum record_key_type {
	RECORD_KEY_STRING,	/* a char * member */
	RECORD_KEY_LIST,	/* a struct record_list member */
	RECORD_KEY_KIND,	/* the enum */
};
struct record_keydef {
	const char		*name;
	enum record_key_type	 type;
	size_t			 off;	/* of the member in struct record */
};
extern const struct record_keydef record_keys[RK_COUNT];

/* The known key called name, or -1. */
int	 record_key_lookup(const char *);
/* The member of r a string or list key is stored in. */
char	**record_key_str(struct record *, enum record_key);
struct record_list *record_key_list(struct record *, enum record_key);
/* True for a node id: 'z' and 40..60 base58 characters (did:key without "did:key:"). */
int	 record_nid_valid(const char *);
/* The index of s in a NULL-terminated vocabulary, or -1. */
int	 record_vocab_find(const char *const *, const char *);
/* Looks a kind up by name; -1 when it is none. */
int	 record_kind_lookup(const char *, enum record_kind *);

/*
 * Appends one line per violation to errs. kind_known is false when the kind
 * itself was missing or wrong (then only the values present are checked);
 * keys whose bit is set in skip already have an error from the parser.
 */
void	 record_check(const struct record *, enum record_mode, int kind_known,
	     unsigned skip, struct buf *errs);
/* 0 when errs is empty; else -1 with its lines in *cause (caller frees). Frees errs. */
int	 record_errs_done(struct buf *errs, char **cause);
/* Appends s to b in double quotes, escaped and shortened, for a message. */
void	 record_msg_quote(struct buf *, const char *);
/* A key as messages show it: as is when it is plain text, else quoted. Caller frees. */
char	*record_msg_key(const char *);

/* True when YAML would read the plain scalar s as null, bool or number. */
int	 record_scalar_typed(const char *);
/* True when s written plain (in a flow collection when flow) reads back as s. */
int	 record_plain_ok(const char *, int flow);
/* The canonical bytes of r; -1 when a string is not valid UTF-8. */
int	 record_write_buf(const struct record *, struct buf *);

void	 record_value_free(struct record_value *);

/* Makes a draft's words canonical: vocabulary spellings, tag and project slugs. */
void	 record_friendly(struct record *);
/* Appends an error for each placeholder of the template a draft still holds. */
void	 record_template_check(const struct record *, struct buf *errs);
/* A libyaml error: file lines (the front matter starts on line 2). */
struct record_yaml_error {
	size_t		 line;		/* of the problem */
	size_t		 column;	/* its character in that line, or -1 */
	size_t		 ctxline;	/* where the construct began */
	const char	*problem;	/* libyaml's words, or NULL */
	const char	*context;
};
/* What to do about a libyaml error in the front matter fm, naming the line (gettext). Caller frees. */
char	*record_yaml_hint(const char *fm, size_t fmlen,
	     const struct record_yaml_error *);

#endif
