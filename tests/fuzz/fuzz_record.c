/*
 * fuzz_record.c — record_parse on anything: what parses must write, re-read
 * and re-write the same. And the input as one string, in every place a value
 * can stand, must come back exactly after a write and a read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses data in one mode; a record that parses must have a stable canonical form. */
static void
one_mode(const uint8_t *data, size_t size, enum record_mode mode)
{
	struct record	*r = NULL, *again = NULL;
	char		*cause = NULL, *out = NULL, *out2 = NULL;
	size_t		 len, len2;

	if (record_parse((const char *)data, size, mode, &r, &cause) != 0) {
		if (cause == NULL)
			abort();		/* every failure says why */
		free(cause);
		return;
	}
	if (record_validate(r, mode, NULL) != 0 ||
	    record_write(r, &out, &len) != 0)
		abort();
	if (record_parse(out, len, mode, &again, &cause) != 0) {
		fprintf(stderr, "canonical form does not parse:\n%s\n---\n%s\n",
		    cause, out);
		abort();
	}
	if (record_write(again, &out2, &len2) != 0 || len != len2 ||
	    memcmp(out, out2, len) != 0) {
		fprintf(stderr, "canonical form not stable:\n%s\n---\n%s\n",
		    out, out2 != NULL ? out2 : "(none)");
		abort();
	}
	free(record_path(r));
	record_free(again);
	record_free(r);
	free(out);
	free(out2);
}

/* s as a YAML double-quoted scalar, every character but printable ASCII escaped. */
static void
add_dq(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t	 cp;
	int		 n, i;

	buf_addc(b, '"');
	while (*p != '\0') {
		n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
		cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
		for (i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		p += n;
		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
			buf_addc(b, (int)cp);
		else
			buf_printf(b, "\\U%08X", (unsigned)cp);
	}
	buf_addc(b, '"');
}

/* Checks that the unknown values of r are s, in the places string_mode put it. */
static void
check_values(const struct record *r, const char *s, int askey)
{
	const struct record_value *l, *m;

	if (r->nextra != 3 + (size_t)askey)
		abort();
	l = r->extra[1].value;
	m = r->extra[2].value;
	if (strcmp(r->extra[0].value->s, s) != 0 || l->type != RECORD_SEQ ||
	    l->n != 1 || strcmp(l->v[0]->s, s) != 0 || m->type != RECORD_MAP ||
	    m->n != 2 || (strlen(s) <= 100 && strcmp(m->v[0]->s, s) != 0) ||
	    strcmp(m->v[1]->s, s) != 0 || r->extra[0].value->untyped ||
	    (askey && strcmp(r->extra[3].key, s) != 0))
		abort();
}

/* The input as one string: it must survive the writer's quoting everywhere. */
static void
string_mode(const uint8_t *data, size_t size)
{
	struct record	*r = NULL, *again = NULL;
	struct buf	 b;
	char		*s, *out = NULL, *cause = NULL;
	size_t		 len;
	int		 askey;

	if (size > 2000 || !utf8_valid((const char *)data, size))
		return;
	s = xstrndup((const char *)data, size);
	/* Keys: add_dq writes 10 bytes a character, libyaml reads keys up to 1024. */
	askey = size > 0 && size <= 100 && record_key_lookup(s) == -1 &&
	    strcmp(s, "v") != 0 && strcmp(s, "l") != 0 && strcmp(s, "m") != 0;
	buf_init(&b);
	buf_addstr(&b, "---\nkind: vouch\nname: X\nv: ");
	add_dq(&b, s);
	buf_addstr(&b, "\nl: [");
	add_dq(&b, s);
	buf_addstr(&b, "]\nm: {");
	add_dq(&b, size <= 100 ? s : "k");
	buf_addstr(&b, ": ");
	add_dq(&b, s);
	buf_addstr(&b, "}\n");
	if (askey) {
		add_dq(&b, s);
		buf_addstr(&b, ": k\n");
	}
	buf_addstr(&b, "---\n");
	if (record_parse((char *)b.data, b.len, RECORD_DRAFT, &r, &cause) != 0) {
		fprintf(stderr, "does not parse: %s\n%s\n", cause, b.data);
		abort();
	}
	check_values(r, s, askey);
	if (record_write(r, &out, &len) != 0 ||
	    record_parse(out, len, RECORD_DRAFT, &again, NULL) != 0) {
		fprintf(stderr, "does not read back:\n%s\n", out);
		abort();
	}
	check_values(again, s, askey);
	record_free(again);
	record_free(r);
	buf_free(&b);
	free(out);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_mode(data, size, RECORD_STRICT);
	one_mode(data, size, RECORD_DRAFT);
	string_mode(data, size);
	return 0;
}
