/*
 * test_personal.c — the personal-data check (protocol/personal.c): what it
 * finds, on which line, what it lets pass (dates, amounts, postcodes, ids,
 * roles), and the operator's exceptions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "personal.h"
#include "util.h"

/* personal_find on s with the exceptions given (NULL-terminated). */
static int
find(const char *s, struct personal_hit *hit, const char *const *allow)
{
	struct personal_allow	 al = { allow, 0 };

	while (allow != NULL && allow[al.n] != NULL)
		al.n++;
	return personal_find(s, strlen(s), &al, hit);
}

/* Each text holds personal data of the kind given, on line 2. */
static void
test_found(void **state)
{
	static const struct { const char *s; enum personal_kind k; } c[] = {
		{ "Erste Zeile\nFrau Sabine Müller (sabine.mueller@paderborn.de)\n",
		    PERSONAL_NAME },
		{ "x\nSchreiben Sie an sabine.mueller@paderborn.de.\n",
		    PERSONAL_EMAIL },
		{ "x\nTel. 05251 88-1234 (vormittags)\n", PERSONAL_PHONE },
		{ "x\nerreichbar unter +49 5251 881234\n", PERSONAL_PHONE },
		{ "x\nRuf: (05251) 88 12 34\n", PERSONAL_PHONE },
		{ "x\nMobil 0171/1234567\n", PERSONAL_PHONE },
		{ "x\nmit Herrn Schulte aus dem Bauamt\n", PERSONAL_NAME },
		{ "x\nDr. Weber hat das Projekt geleitet\n", PERSONAL_NAME },
	};
	struct personal_hit	 hit;
	size_t			 i;
	char			*msg;

	for (i = 0; i < nitems(c); i++) {
		if (find(c[i].s, &hit, NULL) != 1)
			fail_msg("not found in: %s", c[i].s);
		assert_int_equal(hit.kind, c[i].k);
		assert_int_equal(hit.line, 2);
	}
	msg = personal_message(&hit);
	assert_non_null(strstr(msg, "Zeile 2"));
	assert_non_null(strstr(msg, "Dr. Weber"));
	free(msg);
}

/* Texts a lesson holds that are no personal data. */
static void
test_passes(void **state)
{
	static const char *const c[] = {
		"Start am 2026-12-05, Abschluss 05.12.2027.\n",
		"Kosten: 1.200.000 €, davon 0,25 Mio. Förderung; 0.5 Stellen.\n",
		"Adresse: Am Rathaus 1, 01067 Dresden.\n",
		"Lektion 01M94PPY79QNG7AX4PGPZF3J7H, siehe related.\n",
		"Frau Bürgermeisterin und Herr Landrat eröffneten.\n",
		"Die Frauen und Herren des Arbeitskreises.\n",
		"Mail-Adressen wie info@ gehören nicht hierher.\n",
		"Version 0.9.1, Zeitraum 2019–2023, 120000 Einwohner.\n",
		"Über die Zentrale der Stadt (Anrufe ab 8 Uhr).\n",
	};
	struct personal_hit	 hit;
	size_t			 i;

	for (i = 0; i < nitems(c); i++)
		if (find(c[i], &hit, NULL) != 0)
			fail_msg("found \"%s\" in: %s", hit.what, c[i]);
}

/* The operator's exceptions: a domain (and its subdomains), an address, a number. */
static void
test_allowed(void **state)
{
	static const char *const allow[] = { "@stadt-muenster.de",
	    "digital@paderborn.de", "+49-5251-88-0", NULL };
	struct personal_hit	 hit;

	assert_int_equal(find("an smartcity@stadt-muenster.de\n", &hit, allow), 0);
	assert_int_equal(find("an team@digital.stadt-muenster.de\n", &hit,
	    allow), 0);
	assert_int_equal(find("an x@evilstadt-muenster.de\n", &hit, allow), 1);
	assert_int_equal(find("an digital@paderborn.de\n", &hit, allow), 0);
	assert_int_equal(find("an sabine@paderborn.de\n", &hit, allow), 1);
	assert_int_equal(find("Zentrale 05251 88-0\n", &hit, allow), 0);
	assert_int_equal(find("Zentrale 05251 88-1234\n", &hit, allow), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_passes),
		cmocka_unit_test(test_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
