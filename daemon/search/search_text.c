/*
 * search_text.c — turning German text into search terms: words are split on
 * anything that is not a letter or digit, folded (lowercase, ä→a, ö→o, ü→u,
 * ß→ss, ae/oe/ue→a/o/u, accents dropped) and stemmed with Snowball's German
 * stemmer. Indexing and querying go through the same steps, so "Strassen"
 * finds "Straßen" and "Beteiligung" finds "beteiligen".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "search.h"
#include "util.h"

#define WORD_MAX	64	/* bytes of a folded word; longer ones are cut */

struct search_text {
	struct sb_stemmer	*stem;
};

/* Words a query drops (they are in nearly every German text). */
static const char *const stopwords[] = {
	"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer",
	"eines", "einem", "einen", "und", "oder", "in", "im", "an", "am",
	"auf", "fur", "mit", "von", "vom", "zu", "zur", "zum", "bei", "aus",
	"ist", "sind", "wie", "was", "nicht", "auch", "als", "nach", "uber",
	NULL
};

struct search_text *
search_text_new(void)
{
	struct search_text *st = xcalloc(1, sizeof *st);

	if ((st->stem = sb_stemmer_new("german", "UTF_8")) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
search_text_free(struct search_text *st)
{
	if (st == NULL)
		return;
	sb_stemmer_delete(st->stem);
	free(st);
}

/* Decodes one UTF-8 code point at s (n bytes left); sets *len (1 for bad bytes). */
static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t c = s[0];
	size_t	 need, i;

	if (c < 0x80 || n < 2) {
		*len = 1;
		return c;
	}
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (need == 1 || need > n) {
		*len = 1;
		return 0xfffd;
	}
	c &= 0x3f >> (need - 1);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*len = need;
	return c;
}

/* True for a code point that is part of a word: letters and digits. */
static int
is_word(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z');
	if (c < 0xc0 || c == 0xd7 || c == 0xf7 || c == 0xfffd)
		return 0;		/* Latin-1 punctuation, × ÷ */
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe00 && c <= 0xfe6f))
		return c == 0x1e9e;	/* punctuation, symbols; ẞ is a letter */
	return 1;
}

/* The ASCII folding of a Latin-1 letter (lowercase), or NULL to keep it. */
static const char *
fold_latin1(uint32_t c)
{
	static const char *const tab[64] = {
		"a", "a", "a", "a", "a", "a", "ae", "c",	/* À-Ç */
		"e", "e", "e", "e", "i", "i", "i", "i",		/* È-Ï */
		"d", "n", "o", "o", "o", "o", "o", NULL,	/* Ð-× */
		"o", "u", "u", "u", "u", "y", "th", "ss",	/* Ø-ß */
		"a", "a", "a", "a", "a", "a", "ae", "c",	/* à-ç */
		"e", "e", "e", "e", "i", "i", "i", "i",		/* è-ï */
		"d", "n", "o", "o", "o", "o", "o", NULL,	/* ð-÷ */
		"o", "u", "u", "u", "u", "y", "th", "y",	/* ø-ÿ */
	};

	if (c == 0x1e9e)
		return "ss";
	return c >= 0xc0 && c <= 0xff ? tab[c - 0xc0] : NULL;
}

size_t
search_fold(const char *word, size_t len, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)word;
	const char	*f;
	size_t		 i = 0, n = 0, cl, fl, r, w;
	uint32_t	 c;

	while (i < len && n + 4 < outsz) {
		c = utf8_next(s + i, len - i, &cl);
		if (c < 0x80)
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		else if ((f = fold_latin1(c)) != NULL) {
			fl = strlen(f);
			memcpy(out + n, f, fl);
			n += fl;
		} else {
			memcpy(out + n, s + i, cl);
			n += cl;
		}
		i += cl;
	}
	/* ae, oe, ue (not in "que") stand for ä, ö, ü. */
	for (r = 0, w = 0; r < n; r++, w++) {
		out[w] = out[r];
		if (r + 1 < n && out[r + 1] == 'e' && (out[r] == 'a' ||
		    out[r] == 'o' || (out[r] == 'u' && (w == 0 ||
		    out[w - 1] != 'q'))))
			r++;
	}
	out[w] = '\0';
	return w;
}

/*
 * Called for every word of text with its stem and its byte range; a nonzero
 * return ends the walk.
 */
typedef int word_fn(const char *stem, size_t start, size_t end, void *arg);

/*
 * Words whose stems matter: with need set, a word none of whose n strings
 * occurs in its folded form is passed folded, not stemmed. The German
 * stemmer only cuts endings off a folded word, so such a word's stem could
 * not equal, start or end with any of them either (test_search checks).
 */
struct need {
	char *const	*v;
	size_t		 n;
};

/* True when the folded word could stem to something holding one of need's strings. */
static int
needed(const struct need *need, const char *fold, size_t fl)
{
	size_t	 i;

	if (need == NULL)
		return 1;
	for (i = 0; i < need->n; i++)
		if (memmem(fold, fl, need->v[i], strlen(need->v[i])) != NULL)
			return 1;
	return 0;
}

/* Splits, folds and stems text, calling fn per word until it returns nonzero. */
static void
words(struct search_text *st, const char *text, size_t len,
    const struct need *need, word_fn *fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)text;
	const sb_symbol	*stem;
	char		 fold[WORD_MAX + 8];
	size_t		 i = 0, start, cl, fl;
	uint32_t	 c;

	while (i < len) {
		c = utf8_next(s + i, len - i, &cl);
		if (!is_word(c)) {
			i += cl;
			continue;
		}
		start = i;
		while (i < len && is_word(utf8_next(s + i, len - i, &cl)))
			i += cl;
		fl = search_fold(text + start, i - start, fold, sizeof fold);
		if (fl == 0)
			continue;
		stem = needed(need, fold, fl) ? sb_stemmer_stem(st->stem,
		    (const sb_symbol *)fold, (int)fl) : NULL;
#ifdef SEARCH_CHECK_NEED
		/* fuzz_search: a word left unstemmed could not have matched. */
		if (need != NULL && stem == NULL && (stem = sb_stemmer_stem(
		    st->stem, (const sb_symbol *)fold, (int)fl)) != NULL &&
		    needed(need, (const char *)stem, strlen((const char *)stem)))
			abort();
		stem = NULL;
#endif
		if (fn(stem != NULL ? (const char *)stem : fold, start, i, arg))
			break;
	}
}

static void	add_parts(struct buf *, const char *);

/* Where stems_cb appends the stems, and whether as compound parts. */
struct stems_out {
	struct buf	*b;
	int		 parts;
};

/* word_fn: appends the stem (or its possible last parts), space-separated. */
static int
stems_cb(const char *stem, size_t start, size_t end, void *arg)
{
	struct stems_out *o = arg;

	if (o->b->len > 0)
		buf_addc(o->b, ' ');
	if (o->parts)
		add_parts(o->b, stem);
	else
		buf_addstr(o->b, stem);
	return 0;
}

char *
search_text_stems(struct search_text *st, const char *text, size_t len)
{
	struct buf	 b;
	struct stems_out o = { &b, 0 };

	buf_init(&b);
	if (text != NULL)
		words(st, text, len, NULL, stems_cb, &o);
	return buf_detach(&b, NULL);
}

/* Characters (not bytes) of a UTF-8 string. */
static size_t
chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Appends one marked part: mark and len bytes of p, space-separated. */
static void
add_part(struct buf *b, const char *mark, const char *p, size_t len)
{
	if (b->len > 0 && b->data[b->len - 1] != ' ')
		buf_addc(b, ' ');
	buf_addstr(b, mark);
	buf_add(b, p, len);
}

/*
 * Appends the parts of a stem that could be the last or the first part of a
 * compound, each SEARCH_COMPOUND characters or more with three or more left
 * over: "strassenbeleucht" gives the endings "senbeleucht" … "beleucht" …
 * "leucht" (marked SEARCH_PART_MARK) and the heads "stras" … "strassen" …
 * (marked SEARCH_HEAD_MARK). A word finds the compounds ending or starting
 * with it by one exact term with a doclist of its own.
 */
static void
add_parts(struct buf *b, const char *s)
{
	size_t	 n = chars(s), i, at = 0;

	for (i = 0; s[at] != '\0'; at++) {
		if (((unsigned char)s[at] & 0xc0) == 0x80)
			continue;
		if (i >= 3 && n - i >= SEARCH_COMPOUND)
			add_part(b, SEARCH_PART_MARK, s + at, strlen(s + at));
		if (i >= SEARCH_COMPOUND && n - i >= 3)
			add_part(b, SEARCH_HEAD_MARK, s, at);
		i++;
	}
}

void
search_text_parts(struct search_text *st, const char *text, size_t len,
    struct buf *b)
{
	struct stems_out o = { b, 1 };

	if (text != NULL)
		words(st, text, len, NULL, stems_cb, &o);
}

/* Appends s quoted for FTS5 (a '"' doubled). */
static void
add_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* The query's words as distinct stems (stopwords dropped unless all are). */
struct qstems {
	char	*v[SEARCH_MAX_WORDS];
	size_t	 n;
	int	 all;		/* keep stopwords */
};

/* True for a stopword stem. */
static int
is_stop(const char *stem)
{
	size_t	 i;

	for (i = 0; stopwords[i] != NULL; i++)
		if (strcmp(stem, stopwords[i]) == 0)
			return 1;
	return 0;
}

/* word_fn: collects distinct query stems. */
static int
qstems_cb(const char *stem, size_t start, size_t end, void *arg)
{
	struct qstems *qs = arg;
	size_t	 i;

	if (qs->n == SEARCH_MAX_WORDS)
		return 1;
	if (!qs->all && is_stop(stem))
		return 0;
	for (i = 0; i < qs->n; i++)
		if (strcmp(qs->v[i], stem) == 0)
			return 0;
	qs->v[qs->n++] = xstrdup(stem);
	return 0;
}

/* Fills qs with the stems of q. */
static void
qstems_get(struct search_text *st, const char *q, struct qstems *qs)
{
	size_t	 len = strnlen(q, SEARCH_MAX_QUERY);

	memset(qs, 0, sizeof *qs);
	words(st, q, len, NULL, qstems_cb, qs);
	if (qs->n == 0) {
		qs->all = 1;
		words(st, q, len, NULL, qstems_cb, qs);
	}
}

/* Frees the stems. */
static void
qstems_free(struct qstems *qs)
{
	size_t	 i;

	for (i = 0; i < qs->n; i++)
		free(qs->v[i]);
	qs->n = 0;
}

/*
 * The query's stems quoted and joined by sep. A stem of SEARCH_COMPOUND
 * characters or more also matches as the last or first part of a compound in
 * a title or summary: ("beleucht" OR {parts} : "zqbeleucht" OR {parts} :
 * "zhbeleucht"), the parts column holding their stems' parts (add_parts).
 * Caller frees.
 */
static char *
match_join(struct search_text *st, const char *q, const char *sep)
{
	struct qstems	 qs;
	struct buf	 b;
	char		*part;
	size_t		 i;

	if (q == NULL)
		return NULL;
	qstems_get(st, q, &qs);
	if (qs.n == 0)
		return NULL;
	buf_init(&b);
	/* Every term quoted, so no query is FTS5 syntax. */
	for (i = 0; i < qs.n; i++) {
		if (i > 0)
			buf_addstr(&b, sep);
		if (chars(qs.v[i]) < SEARCH_COMPOUND) {
			add_quoted(&b, qs.v[i]);
			continue;
		}
		buf_addc(&b, '(');
		add_quoted(&b, qs.v[i]);
		buf_addstr(&b, " OR " SEARCH_PARTS);
		part = xasprintf(SEARCH_PART_MARK "%s", qs.v[i]);
		add_quoted(&b, part);
		free(part);
		buf_addstr(&b, " OR " SEARCH_PARTS);
		part = xasprintf(SEARCH_HEAD_MARK "%s", qs.v[i]);
		add_quoted(&b, part);
		free(part);
		buf_addc(&b, ')');
	}
	qstems_free(&qs);
	return buf_detach(&b, NULL);
}

char *
search_text_match(struct search_text *st, const char *q)
{
	return match_join(st, q, " AND ");
}

char *
search_text_match_any(struct search_text *st, const char *q)
{
	return match_join(st, q, " OR ");
}

void
search_facet_token(struct buf *b, char prefix, const char *value)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	buf_addc(b, ' ');
	buf_addc(b, prefix);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		buf_addc(b, hex[*p >> 4]);
		buf_addc(b, hex[*p & 15]);
	}
}

/* One word of a snippet's source text. */
struct sword {
	size_t	 start, end;
	int	 hit;
};
/* The words of a snippet's source up to where the snippet ends. */
struct swords {
	struct sword	*v;
	size_t		 n, cap;
	size_t		 first;		/* index of the first hit, or n */
	size_t		 max;		/* words the snippet shows */
	struct qstems	*qs;
};

/* True when stem is q, or a compound ending or starting with q when q is long enough. */
static int
stem_hit(const char *q, const char *stem)
{
	size_t	 ql = strlen(q), sl = strlen(stem);

	if (strcmp(q, stem) == 0)
		return 1;
	return chars(q) >= SEARCH_COMPOUND && sl > ql &&
	    (strcmp(stem + sl - ql, q) == 0 || strncmp(stem, q, ql) == 0);
}

/*
 * word_fn: records a word and whether its stem is one of the query's; ends
 * the walk one word past the last the snippet can show.
 */
static int
swords_cb(const char *stem, size_t start, size_t end, void *arg)
{
	struct swords *sw = arg;
	size_t	 i;
	int	 hit = 0;

	for (i = 0; i < sw->qs->n && !hit; i++)
		hit = stem_hit(sw->qs->v[i], stem);
	if (sw->n == sw->cap) {
		sw->cap = sw->cap != 0 ? 2 * sw->cap : 64;
		sw->v = xreallocarray(sw->v, sw->cap, sizeof *sw->v);
	}
	if (hit && sw->first == SIZE_MAX)
		sw->first = sw->n;
	sw->v[sw->n].start = start;
	sw->v[sw->n].end = end;
	sw->v[sw->n++].hit = hit;
	return sw->first != SIZE_MAX && sw->n > sw->first + sw->max;
}

/* Appends text[from..to) with whitespace and Markdown marks collapsed to spaces. */
static void
snip_add(struct buf *b, const char *text, size_t from, size_t to)
{
	size_t	 i;
	unsigned char c;

	for (i = from; i < to; i++) {
		c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f || strchr("#*_`>|", c) != NULL)
			c = ' ';
		if (c == ' ' && (b->len == 0 || b->data[b->len - 1] == ' '))
			continue;
		buf_addc(b, c);
	}
}

char *
search_text_snippet(struct search_text *st, const char *q, const char *text,
    size_t maxwords)
{
	struct qstems	 qs;
	struct swords	 sw = { NULL, 0, 0, SIZE_MAX, maxwords, &qs };
	struct need	 need = { qs.v, 0 };
	struct buf	 b;
	size_t		 i, first, from, to;

	memset(&qs, 0, sizeof qs);
	if (q != NULL)
		qstems_get(st, q, &qs);
	need.n = qs.n;
	words(st, text, strlen(text), &need, swords_cb, &sw);
	buf_init(&b);
	first = sw.first != SIZE_MAX ? sw.first : 0;
	from = first > maxwords / 3 ? first - maxwords / 3 : 0;
	to = from + maxwords < sw.n ? from + maxwords : sw.n;
	if (from > 0)
		buf_addstr(&b, "… ");
	for (i = from; i < to; i++) {
		if (i > from)
			snip_add(&b, text, sw.v[i - 1].end, sw.v[i].start);
		if (sw.v[i].hit)
			buf_addc(&b, SEARCH_HL_ON);
		buf_add(&b, text + sw.v[i].start, sw.v[i].end - sw.v[i].start);
		if (sw.v[i].hit)
			buf_addc(&b, SEARCH_HL_OFF);
	}
	if (to < sw.n)
		buf_addstr(&b, " …");
	free(sw.v);
	qstems_free(&qs);
	return buf_detach(&b, NULL);
}

/* Collects a query's distinct terms: the word as typed and its stem. */
struct terms_ctx {
	const char		*q;
	struct qstems		 qs;	/* stems seen */
	struct search_term	*v;
	size_t			 n;
};

/* word_fn: adds one non-stopword word of the query whose stem is new. */
static int
terms_cb(const char *stem, size_t start, size_t end, void *arg)
{
	struct terms_ctx *tc = arg;
	size_t	 i;

	if (tc->qs.n == SEARCH_MAX_WORDS)
		return 1;
	if (is_stop(stem))
		return 0;
	for (i = 0; i < tc->qs.n; i++)
		if (strcmp(tc->qs.v[i], stem) == 0)
			return 0;
	tc->qs.v[tc->qs.n++] = xstrdup(stem);
	tc->v = xreallocarray(tc->v, tc->n + 1, sizeof *tc->v);
	tc->v[tc->n].word = xstrndup(tc->q + start, end - start);
	tc->v[tc->n++].stem = xstrdup(stem);
	return 0;
}

size_t
search_text_terms(struct search_text *st, const char *q,
    struct search_term **out)
{
	struct terms_ctx tc;

	memset(&tc, 0, sizeof tc);
	tc.q = q;
	words(st, q, strnlen(q, SEARCH_MAX_QUERY), NULL, terms_cb, &tc);
	qstems_free(&tc.qs);
	*out = tc.v;
	return tc.n;
}

void
search_terms_free(struct search_term *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(t[i].word);
		free(t[i].stem);
	}
	free(t);
}

/* Where surface_cb looks for a stem and puts the word found. */
struct surface_ctx {
	const char	*stem, *text;
	char		*found;
};

/* word_fn: stops at the first word whose stem is the one wanted. */
static int
surface_cb(const char *stem, size_t start, size_t end, void *arg)
{
	struct surface_ctx *sc = arg;

	if (strcmp(stem, sc->stem) != 0)
		return 0;
	sc->found = xstrndup(sc->text + start, end - start);
	return 1;
}

char *
search_text_surface(struct search_text *st, const char *stem,
    const char *text)
{
	char			*s[1] = { (char *)stem };
	struct need		 need = { s, 1 };
	struct surface_ctx	 sc = { stem, text, NULL };

	words(st, text, strlen(text), &need, surface_cb, &sc);
	return sc.found;
}

/* True for a line that is a guiding question: _…?_ or *…?* alone. */
static int
is_question(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	return n >= 3 && (*p == '_' || *p == '*') && p[n - 1] == *p &&
	    memchr(p, '?', n) != NULL;
}

char *
search_text_answers(const char *body, size_t len)
{
	struct buf	 b;
	const char	*p = body, *end = body + len, *nl, *t;

	buf_init(&b);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (t = p; t < nl && (*t == ' ' || *t == '\t'); t++)
			;
		if ((t < nl && *t == '#') || is_question(p, (size_t)(nl - p)))
			buf_addc(&b, '\n');	/* the words of the answers stay apart */
		else {
			buf_add(&b, p, (size_t)(nl - p));
			buf_addc(&b, '\n');
		}
		p = nl + 1;
	}
	return buf_detach(&b, NULL);
}
