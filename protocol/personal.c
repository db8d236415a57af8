/*
 * personal.c — finds e-mail addresses, phone numbers and a form of address
 * with a name in a record's text (personal.h). Bytes are scanned once per
 * line with fixed-size state; nothing is allocated but the message.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "personal.h"
#include "util.h"

#define PHONE_MIN_DIGITS	8	/* fewer: a postcode, a file number, a switchboard */

/* Characters of an e-mail address's local part and domain. */
static int
mail_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	    c == '-';
}

/* Case-insensitive: does s[0..n) end with the suffix? */
static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t	 l = strlen(suffix);

	return n >= l && strncasecmp(s + n - l, suffix, l) == 0;
}

/* An address at s[0..n) that the exceptions allow. */
static int
mail_allowed(const char *s, size_t n, const struct personal_allow *al)
{
	const char	*at = memchr(s, '@', n), *a;
	size_t		 i, dl = n - (size_t)(at - s);

	for (i = 0; al != NULL && i < al->n; i++) {
		a = al->v[i];
		if (a[0] == '@' && (ends_with(at, dl, a) ||
		    (dl > strlen(a) && at[dl - strlen(a)] == '.' &&
		    strncasecmp(at + dl - strlen(a) + 1, a + 1,
		    strlen(a) - 1) == 0)))
			return 1;	/* the domain, or a subdomain */
		if (a[0] != '@' && strlen(a) == n && strncasecmp(a, s, n) == 0)
			return 1;
	}
	return 0;
}

/* An e-mail address around the '@' at line[at]: its bounds, 1 when it is one. */
static int
mail_at(const char *line, size_t len, size_t at, size_t *b, size_t *e)
{
	size_t	 s = at, f = at + 1, dot = 0;

	while (s > 0 && mail_char((unsigned char)line[s - 1]))
		s--;
	while (f < len && mail_char((unsigned char)line[f])) {
		if (line[f] == '.' && f + 1 < len &&
		    isalpha((unsigned char)line[f + 1]))
			dot = f;
		f++;
	}
	while (f > at + 1 && line[f - 1] == '.')
		f--;			/* the sentence's full stop */
	if (s == at || dot == 0 || dot >= f)
		return 0;
	*b = s;
	*e = f;
	return 1;
}

/* The digits of s[0..n) into out (a leading +49 as 0); their count. */
static size_t
digits_of(const char *s, size_t n, char *out, size_t cap)
{
	size_t	 i = 0, k = 0;

	if (n >= 3 && strncmp(s, "+49", 3) == 0) {
		out[k++] = '0';
		i = 3;
	}
	for (; i < n && k + 1 < cap; i++)
		if (isdigit((unsigned char)s[i]))
			out[k++] = s[i];
	out[k] = '\0';
	return k;
}

/* A phone number at s[0..n) that the exceptions allow. */
static int
phone_allowed(const char *s, size_t n, const struct personal_allow *al)
{
	char	 d[64], a[64];
	size_t	 i;

	digits_of(s, n, d, sizeof d);
	for (i = 0; al != NULL && i < al->n; i++)
		if (strchr(al->v[i], '@') == NULL &&
		    digits_of(al->v[i], strlen(al->v[i]), a, sizeof a) > 0 &&
		    strcmp(a, d) == 0)
			return 1;
	return 0;
}

/*
 * A phone number starting at line[i]: "+" or "0" (or "(0") standing alone,
 * then digits, spaces, '-', '/', '(' and ')' holding at least
 * PHONE_MIN_DIGITS digits. Dates, amounts (with '.' or ','), postcodes and
 * ids do not qualify. Its end in *e.
 */
static int
phone_at(const char *line, size_t len, size_t i, size_t *e)
{
	size_t	 f = i, digits = 0;
	char	 c = line[i];

	/* A number stands alone: at the start, after a space or an opening mark. */
	if (i > 0 && line[i - 1] != ' ' && line[i - 1] != '\t' &&
	    strchr("(:;[\"'", line[i - 1]) == NULL)
		return 0;
	if (c == '(' && i + 1 < len && line[i + 1] == '0')
		f++;
	else if (c != '+' && c != '0')
		return 0;
	if (c == '+' && (i + 1 >= len || !isdigit((unsigned char)line[i + 1])))
		return 0;
	for (; f < len; f++) {
		c = line[f];
		if (isdigit((unsigned char)c))
			digits++;
		else if (!(c == ' ' || c == '-' || c == '/' || c == '(' ||
		    c == ')' || (c == '+' && f == i)))
			break;
		if (c == ' ' && (f + 1 >= len ||
		    !isdigit((unsigned char)line[f + 1]) ))
			break;		/* a number ends at a space before a word */
	}
	if (f < len && (isalpha((unsigned char)line[f]) || line[f] == '.' ||
	    line[f] == ',') && f + 1 < len && isdigit((unsigned char)line[f + 1]))
		return 0;		/* 0.5, 0,25: a number, not a phone */
	while (f > i && !isdigit((unsigned char)line[f - 1]))
		f--;
	*e = f;
	return digits >= PHONE_MIN_DIGITS && digits <= 16;
}

/* Roles that follow "Herr"/"Frau" without being a name. */
static const char *const roles[] = {
	"Bürgermeister", "Bürgermeisterin", "Oberbürgermeister",
	"Oberbürgermeisterin", "Landrat", "Landrätin", "Dezernent",
	"Dezernentin", "Beigeordneter", "Beigeordnete", "Kollege", "Kollegin",
	"Minister", "Ministerin", "Präsident", "Präsidentin", "Direktor",
	"Direktorin", "Vorsitzende", "Vorsitzender", "Kämmerer", "Kämmerin",
};

/* A form of address ("Herr", "Frau", "Dr.", "Prof.") and a capitalised name at line[i]. */
static int
name_at(const char *line, size_t len, size_t i, size_t *e)
{
	static const char *const titles[] = { "Herr ", "Herrn ", "Frau ",
	    "Dr. ", "Prof. " };
	size_t	 t, l, w, r;

	if (i > 0 && isalpha((unsigned char)line[i - 1]))
		return 0;
	for (t = 0; t < nitems(titles); t++) {
		l = strlen(titles[t]);
		if (i + l >= len || strncmp(line + i, titles[t], l) != 0 ||
		    !isupper((unsigned char)line[i + l]))
			continue;
		for (w = i + l; w < len && line[w] != ' ' && line[w] != ',' &&
		    line[w] != '.' && line[w] != ')'; w++)
			;
		for (r = 0; r < nitems(roles); r++)
			if (strlen(roles[r]) == w - i - l &&
			    strncmp(line + i + l, roles[r], w - i - l) == 0)
				break;
		if (r < nitems(roles) || w - i - l < 2)
			continue;
		*e = w;
		return 1;
	}
	return 0;
}

/* Notes a finding: kind, line, and the text (cut to fit). */
static void
hit_set(struct personal_hit *hit, enum personal_kind k, size_t lineno,
    const char *s, size_t n)
{
	hit->kind = k;
	hit->line = lineno;
	snprintf(hit->what, sizeof hit->what, "%.*s", (int)(n < 79 ? n : 79), s);
}

/* Scans one line; 1 and *hit at its first finding. */
static int
scan_line(const char *line, size_t len, size_t lineno,
    const struct personal_allow *al, struct personal_hit *hit)
{
	size_t	 i, b, e;

	for (i = 0; i < len; i++) {
		if (line[i] == '@' && mail_at(line, len, i, &b, &e)) {
			if (!mail_allowed(line + b, e - b, al)) {
				hit_set(hit, PERSONAL_EMAIL, lineno, line + b, e - b);
				return 1;
			}
			i = e;
		} else if (phone_at(line, len, i, &e)) {
			if (!phone_allowed(line + i, e - i, al)) {
				hit_set(hit, PERSONAL_PHONE, lineno, line + i, e - i);
				return 1;
			}
			i = e;
		} else if (name_at(line, len, i, &e)) {
			hit_set(hit, PERSONAL_NAME, lineno, line + i, e - i);
			return 1;
		}
	}
	return 0;
}

int
personal_find(const char *text, size_t len, const struct personal_allow *al,
    struct personal_hit *hit)
{
	const char	*p = text, *nl;
	size_t		 lineno = 1, n;

	memset(hit, 0, sizeof *hit);
	while (p < text + len) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(text + len - p);
		if (scan_line(p, n, lineno, al, hit))
			return 1;
		p += n + 1;
		lineno++;
	}
	return 0;
}

char *
personal_message(const struct personal_hit *hit)
{
	static const char *const what[] = {
		"eine E-Mail-Adresse", "eine Telefonnummer",
		"eine Anrede mit Namen" };

	return xasprintf("Zeile %zu enthält %s („%s“). Personenbezogene Daten "
	    "gehören nicht in eine Erfahrung, die an alle Knoten geht und in "
	    "der Versionsgeschichte bleibt: bitte eine Funktion oder "
	    "Organisationseinheit nennen (z. B. „Stabsstelle "
	    "Digitalisierung“). Eine Funktionsadresse oder Zentralnummer kann "
	    "der Betreiber in knowd.conf freigeben (personal_data_allow).",
	    hit->line, what[hit->kind], hit->what);
}
