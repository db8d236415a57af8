/*
 * cards_yaml.c — the contact card a user writes: a small YAML mapping of
 * role, unit, mailbox, phone and, with a consent date, a person's name.
 * Errors are German sentences naming the line and the key (knowctl
 * prints them as they are).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "cards.h"

/* The keys a card may have, where each goes and how long it may be. */
static const struct {
	const char	*key;
	size_t		 off;
	size_t		 max;
} card_keys[] = {
	{ "role", offsetof(struct cards_card, role), CARDS_TEXT_MAX },
	{ "unit", offsetof(struct cards_card, unit), CARDS_TEXT_MAX },
	{ "mailbox", offsetof(struct cards_card, mailbox), CARDS_TEXT_MAX },
	{ "phone", offsetof(struct cards_card, phone), CARDS_PHONE_MAX },
	{ "name", offsetof(struct cards_card, name), CARDS_TEXT_MAX },
	{ "consent", offsetof(struct cards_card, consent), CARDS_DATE_LEN },
};

#define KEYS_ALLOWED	"role, unit, mailbox, phone, name, consent"

/* True when s is one address local@domain.tld without spaces. */
static int
mailbox_ok(const char *s)
{
	const char	*at = strchr(s, '@'), *dot;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    strpbrk(s, " \t<>,;\"") != NULL)
		return 0;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* True for a phone number: digits, spaces and + - / ( ), at least 3 digits. */
static int
phone_ok(const char *s)
{
	size_t	 digits = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (strchr(" +-/()", *s) == NULL)
			return 0;
	}
	return digits >= 3;
}

/* True for a real calendar date YYYY-MM-DD not after today. */
static int
date_ok(const char *s)
{
	struct tm	 tm;
	char		 back[16], today[16];
	int		 y, m, d;
	time_t		 t, now = time(NULL);

	if (strlen(s) != CARDS_DATE_LEN || sscanf(s, "%4d-%2d-%2d", &y, &m,
	    &d) != 3 || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	/* 2026-02-30 normalises to another day: not a date. */
	strftime(back, sizeof back, "%Y-%m-%d", gmtime(&t));
	strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
	return strcmp(back, s) == 0 && strcmp(s, today) <= 0;
}

/* Stores one key's scalar value; line is 1-based. */
static int
card_put(struct cards_card *c, unsigned int *seen, const char *key,
    const char *v, size_t vlen, size_t line, char **cause)
{
	size_t	 i, k;

	for (i = 0; i < nitems(card_keys); i++)
		if (strcmp(key, card_keys[i].key) == 0)
			break;
	if (i == nitems(card_keys))
		return set_cause(cause, "Zeile %zu: unbekannter Schlüssel "
		    "\"%.40s\" (erlaubt: %s)", line, key, KEYS_ALLOWED);
	if (*seen & (1u << i))
		return set_cause(cause, "Zeile %zu: %s steht zweimal da", line,
		    key);
	*seen |= 1u << i;
	if (vlen > card_keys[i].max)
		return set_cause(cause, "Zeile %zu: %s ist %zu Bytes lang, "
		    "höchstens %zu sind erlaubt", line, key, vlen,
		    card_keys[i].max);
	for (k = 0; k < vlen; k++)
		if ((unsigned char)v[k] < 0x20 || v[k] == 0x7f)
			return set_cause(cause, "Zeile %zu: %s enthält ein "
			    "Steuerzeichen", line, key);
	memcpy((char *)c + card_keys[i].off, v, vlen);
	((char *)c + card_keys[i].off)[vlen] = '\0';
	return 0;
}

/* Checks a card whose keys were read: what is required, and each value's form. */
static int
card_check(const struct cards_card *c, char **cause)
{
	if (c->role[0] == '\0')
		return set_cause(cause, "role fehlt: die Rolle, z. B. "
		    "\"role: Projektleitung Digitalisierung\"");
	if (c->unit[0] == '\0')
		return set_cause(cause, "unit fehlt: die Organisationseinheit, "
		    "z. B. \"unit: Amt für Digitalisierung\"");
	if (c->mailbox[0] == '\0' && c->phone[0] == '\0')
		return set_cause(cause, "mailbox oder phone fehlt: wie man die "
		    "Stelle erreicht (ein Funktionspostfach oder eine Nummer)");
	if (c->mailbox[0] != '\0' && !mailbox_ok(c->mailbox))
		return set_cause(cause, "mailbox \"%s\" ist keine E-Mail-Adresse "
		    "(name@domain.de)", c->mailbox);
	if (c->phone[0] != '\0' && !phone_ok(c->phone))
		return set_cause(cause, "phone \"%s\" ist keine Telefonnummer "
		    "(Ziffern, Leerzeichen und + - / ( ))", c->phone);
	if (c->name[0] != '\0' && c->consent[0] == '\0')
		return set_cause(cause, "name braucht eine Zeile \"consent: "
		    "JJJJ-MM-TT\": das Datum, an dem die Person eingewilligt hat");
	if (c->consent[0] != '\0' && c->name[0] == '\0')
		return set_cause(cause, "consent ohne name: die Einwilligung "
		    "gehört zu einem Namen");
	if (c->consent[0] != '\0' && !date_ok(c->consent))
		return set_cause(cause, "consent \"%s\" ist kein Datum JJJJ-MM-TT "
		    "(und nicht in der Zukunft)", c->consent);
	return 0;
}

/* Reads the next event; a YAML error becomes a German cause with its line. */
static int
card_event(yaml_parser_t *y, yaml_event_t *ev, char **cause)
{
	if (yaml_parser_parse(y, ev))
		return 0;
	return set_cause(cause, "Zeile %zu: kein gültiges YAML (%s)",
	    y->problem_mark.line + 1, y->problem != NULL ? y->problem : "?");
}

/* Where a walk over a card's events is. */
struct card_walker {
	struct cards_card	*c;
	char			*key;		/* the key whose value comes next */
	unsigned int		 seen;		/* keys seen, by card_keys index */
	int			 depth;
};

/* Takes one event: 0 to go on, 1 at the end, -1 with *cause on a bad card. */
static int
card_take(struct card_walker *w, const yaml_event_t *ev, char **cause)
{
	size_t		 line = ev->start_mark.line + 1;
	const char	*v = (const char *)ev->data.scalar.value;

	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		if (++w->depth > 1)
			return set_cause(cause, "Zeile %zu: %s darf keine "
			    "Unterschlüssel haben", line, w->key != NULL ?
			    w->key : "der Wert");
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_ALIAS_EVENT:
		return set_cause(cause, "Zeile %zu: %s muss ein einfacher Text "
		    "sein", line, w->key != NULL ? w->key : "die Karte");
	case YAML_SCALAR_EVENT:
		if (w->depth != 1)
			return set_cause(cause, "Zeile %zu: eine Karte ist eine "
			    "Liste \"schlüssel: wert\"", line);
		if (w->key == NULL) {
			w->key = xstrndup(v, ev->data.scalar.length);
			return 0;
		}
		if (card_put(w->c, &w->seen, w->key, v, ev->data.scalar.length,
		    line, cause) != 0)
			return -1;
		free(w->key);
		w->key = NULL;
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

/* Walks the events of one mapping of scalar keys to scalar values. */
static int
card_walk(yaml_parser_t *y, struct cards_card *c, char **cause)
{
	struct card_walker w = { c, NULL, 0, 0 };
	yaml_event_t	 ev;
	int		 r = 0;

	while (r == 0) {
		if (card_event(y, &ev, cause) != 0) {
			r = -1;
			break;
		}
		r = card_take(&w, &ev, cause);
		yaml_event_delete(&ev);
	}
	free(w.key);
	if (r == 1 && w.depth == 0)
		return set_cause(cause, "die Karte ist leer: role, unit und "
		    "mailbox oder phone fehlen");
	return r == 1 ? 0 : -1;
}

int
cards_card_parse(const char *text, size_t len, struct cards_card *c,
    char **cause)
{
	yaml_parser_t	 y;
	int		 rv;

	memset(c, 0, sizeof *c);
	if (len > CARDS_FILE_MAX)
		return set_cause(cause, "die Karte ist %zu Bytes lang, höchstens "
		    "%d sind erlaubt", len, CARDS_FILE_MAX);
	if (!utf8_valid(text, len))
		return set_cause(cause, "die Karte ist kein UTF-8-Text");
	if (!yaml_parser_initialize(&y))
		return set_cause(cause, "YAML-Parser: kein Speicher");
	yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
	rv = card_walk(&y, c, cause);
	yaml_parser_delete(&y);
	if (rv == 0)
		rv = card_check(c, cause);
	if (rv != 0)
		memset(c, 0, sizeof *c);
	return rv;
}
