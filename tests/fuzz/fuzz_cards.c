/*
 * fuzz_cards.c — the contact card decoders on any bytes (protocol/cards.c,
 * cards_yaml.c): a CARDS set, a CARDSUM and a YAML card. A set that
 * decodes must encode to bytes that decode to the same set, and checking
 * its signature and hashes must not read outside it; a card that parses
 * must hold only what its limits allow.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cards.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A decoded set encodes and decodes to the same fields. */
static void
cards_again(const struct cards_set *s)
{
	struct cards_set *d = malloc(sizeof *d);
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	cards_encode(&b, s);
	if (cards_decode(b.data, b.len, d, NULL) != 0 || d->n != s->n ||
	    d->seq != s->seq || d->bodylen != s->bodylen)
		abort();
	for (i = 0; i < s->n; i++)
		if (d->e[i].has != s->e[i].has ||
		    strcmp(d->e[i].target, s->e[i].target) != 0 ||
		    memcmp(&d->e[i].c, &s->e[i].c, sizeof d->e[i].c) != 0)
			abort();
	(void)cards_verify(d);
	buf_free(&b);
	free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cards_set	 s;
	static struct cards_sum	 sum;
	struct cards_card	 c;
	char			*why = NULL;

	if (sodium_init() < 0)
		abort();
	if (cards_decode(data, size, &s, &why) == 0)
		cards_again(&s);
	else if (why == NULL)
		abort();
	free(why);
	why = NULL;
	if (cards_sum_decode(data, size, &sum, &why) == 0 &&
	    sum.n > CARDS_SUM_MAX)
		abort();
	free(why);
	why = NULL;
	if (cards_card_parse((const char *)data, size, &c, &why) == 0) {
		if (strlen(c.role) > CARDS_TEXT_MAX || c.role[0] == '\0' ||
		    strlen(c.phone) > CARDS_PHONE_MAX ||
		    (c.name[0] != '\0') != (c.consent[0] != '\0'))
			abort();
	} else if (why == NULL)
		abort();
	free(why);
	return 0;
}
