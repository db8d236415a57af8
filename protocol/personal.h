/*
 * personal.h — personal data in a record's text: e-mail addresses, phone
 * numbers and a form of address with a name ("Frau Müller", "Dr. Weber").
 * A lesson is about what a town did, not who; whom to ask goes elsewhere.
 * Heuristics, line by line, for publishing (refused) and for knowctl verify
 * (reported); exceptions (a function mailbox, a switchboard number) are the
 * operator's, from knowd.conf.
 */
#ifndef KNOWD_PERSONAL_H
#define KNOWD_PERSONAL_H

#include <stddef.h>

enum personal_kind {
	PERSONAL_EMAIL,
	PERSONAL_PHONE,
	PERSONAL_NAME,
};

/* The first finding: its kind, 1-based line, and the text found (cut short). */
struct personal_hit {
	enum personal_kind	 kind;
	size_t			 line;
	char			 what[80];
};

/*
 * Exceptions: "@domain" (every address of that domain and its subdomains),
 * "name@domain" (that address), or a phone number (compared by its digits,
 * a leading +49 read as 0).
 */
struct personal_allow {
	const char *const	*v;
	size_t			 n;
};

/* 1 and *hit when text[0..len) holds personal data not excepted; 0 when none. */
int	 personal_find(const char *text, size_t len,
	     const struct personal_allow *, struct personal_hit *hit);
/* A German sentence naming the finding and what to do instead. Caller frees. */
char	*personal_message(const struct personal_hit *);

#endif
