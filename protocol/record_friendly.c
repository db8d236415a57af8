/*
 * record_friendly.c — what a person may write that the stored form spells
 * otherwise: slugs derived from German words, enum values in any case or
 * with umlauts, tags with their display form (doc/DESIGN.md §4). Only a
 * draft is made friendly; a stored record must already be canonical.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* ASCII spellings of U+00C0..U+00FF (Latin-1 letters); NULL: not a letter. */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "ae", "a", "ae", "c",	/* À Á Â Ã Ä Å Æ Ç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* È É Ê Ë Ì Í Î Ï */
	"d", "n", "o", "o", "o", "o", "oe", NULL,	/* Ð Ñ Ò Ó Ô Õ Ö × */
	"o", "u", "u", "u", "ue", "y", "th", "ss",	/* Ø Ù Ú Û Ü Ý Þ ß */
	"a", "a", "a", "a", "ae", "a", "ae", "c",	/* à á â ã ä å æ ç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* è é ê ë ì í î ï */
	"d", "n", "o", "o", "o", "o", "oe", NULL,	/* ð ñ ò ó ô õ ö ÷ */
	"o", "u", "u", "u", "ue", "y", "th", "y",	/* ø ù ú û ü ý þ ÿ */
};

/* Decodes the UTF-8 character at p (valid input) into *cp; returns its length. */
static size_t
utf8_next(const unsigned char *p, unsigned *cp)
{
	size_t	 n, i;

	n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	*cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (i = 1; i < n && p[i] != '\0'; i++)
		*cp = *cp << 6 | (p[i] & 0x3f);
	return i;
}

char *
record_slugify(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const char	*a;
	struct buf	 b;
	unsigned	 cp;
	int		 dash = 0;

	if (s == NULL || !utf8_valid(s, strlen(s)))
		return NULL;
	buf_init(&b);
	while (*p != '\0') {
		p += utf8_next(p, &cp);
		a = NULL;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			a = (const char *)p - 1;
		else if (cp >= 'A' && cp <= 'Z')
			a = &"abcdefghijklmnopqrstuvwxyz"[cp - 'A'];
		else if (cp >= 0xc0 && cp <= 0xff)
			a = latin1[cp - 0xc0];
		else if (cp == 0x1e9e)			/* ẞ */
			a = "ss";
		if (a == NULL) {
			dash = b.len > 0;
			continue;
		}
		if (dash)
			buf_addc(&b, '-');
		dash = 0;
		if (cp < 0x80)
			buf_addc(&b, *a);
		else
			buf_addstr(&b, a);
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * The vocabulary word a person meant by s ("Mobilität", "Energie und
 * Umwelt", "UMSETZUNG"), or -1: its slug, then the slug without "und".
 */
static int
vocab_guess(const char *const *list, const char *s)
{
	char	*slug, *und;
	int	 i;

	if ((i = record_vocab_find(list, s)) != -1)
		return i;
	if ((slug = record_slugify(s)) == NULL)
		return -1;
	if ((i = record_vocab_find(list, slug)) == -1 &&
	    (und = strstr(slug, "-und-")) != NULL) {
		memmove(und + 1, und + 5, strlen(und + 5) + 1);
		i = record_vocab_find(list, slug);
	}
	free(slug);
	return i;
}

const char *
record_word(const char *const *list, const char *s)
{
	int	 i = vocab_guess(list, s);

	return i != -1 ? list[i] : NULL;
}

/* Replaces *s by the vocabulary word it means, when it means one. */
static void
friendly_word(char **s, const char *const *list)
{
	int	 i;

	if (*s != NULL && (i = vocab_guess(list, *s)) != -1 &&
	    strcmp(*s, list[i]) != 0) {
		free(*s);
		*s = xstrdup(list[i]);
	}
}

/* The same for every item of a list, dropping an item that repeats one before it. */
static void
friendly_words(struct record_list *l, const char *const *list)
{
	size_t	 i, j, n = 0;

	if (l->n > RECORD_MAX_LIST)
		return;			/* refused anyway; no quadratic work */
	for (i = 0; i < l->n; i++) {
		friendly_word(&l->v[i], list);
		for (j = 0; j < n; j++) {
			if (strcmp(l->v[j], l->v[i]) == 0)
				break;
		}
		if (j < n)
			free(l->v[i]);
		else
			l->v[n++] = l->v[i];
	}
	l->n = n;
}

/* The label in labels whose slug is slug, or NULL. */
static const char *
label_of(const struct record_list *labels, const char *slug)
{
	char	*s;
	size_t	 i;
	int	 same;

	for (i = 0; i < labels->n; i++) {
		if ((s = record_slugify(labels->v[i])) == NULL)
			continue;
		same = strcmp(s, slug) == 0;
		free(s);
		if (same)
			return labels->v[i];
	}
	return NULL;
}

/* True when s is one of the n strings of v. */
static int
strv_has(char **v, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0)
			return 1;
	}
	return 0;
}

/*
 * Tags as written ("Bürgerbeteiligung") become slugs (buergerbeteiligung)
 * with the written form kept in tag_labels, in the order of the tags; a
 * form written as a tag wins over an older label, a label whose tag is
 * gone is dropped, and a tag that repeats one is dropped.
 */
static void
friendly_tags(struct record *r)
{
	struct record_list	 tags = { NULL, 0 }, labels = { NULL, 0 };
	struct record_list	 written = { NULL, 0 };
	const char		*label;
	char			*slug;
	size_t			 i;

	if (r->tags.n > RECORD_MAX_LIST || r->tag_labels.n > RECORD_MAX_LIST)
		return;			/* refused anyway; no quadratic work */
	for (i = 0; i < r->tags.n; i++) {
		slug = record_slug_valid(r->tags.v[i]) ? NULL :
		    record_slugify(r->tags.v[i]);
		if (slug != NULL && record_slug_valid(slug))
			strv_push(&written.v, &written.n, r->tags.v[i]);
		else {
			free(slug);
			slug = xstrdup(r->tags.v[i]);
		}
		if (!strv_has(tags.v, tags.n, slug))
			strv_push(&tags.v, &tags.n, slug);
		free(slug);
	}
	for (i = 0; i < tags.n; i++) {
		if ((label = label_of(&written, tags.v[i])) == NULL)
			label = label_of(&r->tag_labels, tags.v[i]);
		if (label != NULL && strcmp(label, tags.v[i]) != 0)
			strv_push(&labels.v, &labels.n, label);
	}
	strv_free(written.v, written.n);
	strv_free(r->tags.v, r->tags.n);
	strv_free(r->tag_labels.v, r->tag_labels.n);
	r->tags = tags;
	r->tag_labels = labels;
}

void
record_friendly(struct record *r)
{
	char	*slug;

	friendly_words(&r->fields, record_fields);
	friendly_words(&r->hurdles, record_hurdles);
	friendly_word(&r->status, record_statuses);
	friendly_word(&r->role, record_roles);
	if (r->project != NULL && !record_slug_valid(r->project) &&
	    (slug = record_slugify(r->project)) != NULL) {
		if (record_slug_valid(slug)) {
			free(r->project);
			r->project = slug;
		} else
			free(slug);
	}
	friendly_tags(r);
}

const char *
record_tag_label(const struct record *r, const char *tag)
{
	const char	*label = label_of(&r->tag_labels, tag);

	return label != NULL ? label : tag;
}
