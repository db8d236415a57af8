/*
 * web_contact.c — "Ansprechpartner": a lesson's contact card on its page
 * and in the JSON API (doc/DESIGN.md §11). A lesson shows its own card,
 * else its project's; a person's name only with the consent the card
 * carries. Cards are never in the search index: they are read from the
 * node's card sets for each answer, so a cleared or expired card is gone
 * from the next answer (the ETag follows node_contacts_gen).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node.h"
#include "util.h"
#include "web_fmt.h"
#include "web_int.h"

/* The card of hit h into c and date, *of "lesson" or "project"; -1 when none. */
static int
contact_of(struct web_req *r, const struct search_hit *h,
    struct cards_card *c, uint64_t *date, const char **of)
{
	*of = "lesson";
	if (strcmp(h->kind, "lesson") == 0 &&
	    node_contact_find(r->nd, h->nid, h->id, c, date) == 0)
		return 0;
	*of = "project";
	if (*h->project == '\0')
		return -1;
	return node_contact_find(r->nd, h->nid, h->project, c, date);
}

/* One row of the card's description list, when v is set. */
static void
contact_row(struct web_req *r, const char *label, const char *scheme,
    const char *v)
{
	const char	*p;

	if (*v == '\0')
		return;
	evbuffer_add_printf(r->out, "<dt>%s</dt><dd>", label);
	if (scheme != NULL) {
		evbuffer_add_printf(r->out, "<a href=\"%s", scheme);
		if (strcmp(scheme, "tel:") == 0) {
			for (p = v; *p != '\0'; p++)	/* digits and + only */
				if ((*p >= '0' && *p <= '9') || *p == '+')
					evbuffer_add(r->out, p, 1);
		} else
			web_esc(r->out, v);
		evbuffer_add_printf(r->out, "\">");
	}
	web_esc(r->out, v);
	evbuffer_add_printf(r->out, "%s</dd>\n", scheme != NULL ? "</a>" : "");
}

/* The "Ansprechpartner" section of card c, set at date. */
static void
contact_section(struct web_req *r, struct cards_card *c, uint64_t date)
{
	char		 iso[32], de[WEB_DATE_MAX];

	time_iso((time_t)date, iso);
	web_date_de(iso, de);
	evbuffer_add_printf(r->out, "<section class=\"contact\" "
	    "aria-labelledby=\"contact\"><h2 id=\"contact\">Ansprechpartner</h2>\n"
	    "<dl class=\"meta-list\">\n");
	contact_row(r, "Rolle", NULL, c->role);
	contact_row(r, "Einheit", NULL, c->unit);
	contact_row(r, "Funktionspostfach", "mailto:", c->mailbox);
	contact_row(r, "Telefon", "tel:", c->phone);
	if (c->consent[0] != '\0')
		contact_row(r, "Name", NULL, c->name);
	evbuffer_add_printf(r->out, "<dt>Stand</dt><dd>%s</dd>\n</dl>\n"
	    "</section>\n", de);
	memset(c, 0, sizeof *c);
}

void
web_contact_box(struct web_req *r, const struct search_hit *h)
{
	struct cards_card c;
	uint64_t	 date;
	const char	*of;

	if (contact_of(r, h, &c, &date, &of) == 0)
		contact_section(r, &c, date);
}

void
web_contact_project(struct web_req *r, const char *nid, const char *slug)
{
	struct cards_card c;
	uint64_t	 date;

	if (node_contact_find(r->nd, nid, slug, &c, &date) == 0)
		contact_section(r, &c, date);
}

void
web_json_contact(struct web_req *r, const struct search_hit *h)
{
	struct cards_card c;
	uint64_t	 date;
	const char	*of;
	char		 set[32], until[32];

	if (contact_of(r, h, &c, &date, &of) != 0) {
		evbuffer_add_printf(r->out, ",\"contact\":null");
		return;
	}
	time_iso((time_t)date, set);
	time_iso((time_t)(date + (uint64_t)r->nd->conf.contact_max_age), until);
	evbuffer_add_printf(r->out, ",\"contact\":{\"for\":");
	web_json_str(r->out, of);
	web_json_kv(r->out, "role", c.role, 1);
	web_json_kv(r->out, "unit", c.unit, 1);
	web_json_kv(r->out, "mailbox", c.mailbox, 1);
	web_json_kv(r->out, "phone", c.phone, 1);
	if (c.consent[0] != '\0') {
		web_json_kv(r->out, "name", c.name, 1);
		web_json_kv(r->out, "consent", c.consent, 1);
	}
	web_json_kv(r->out, "date", set, 1);
	web_json_kv(r->out, "expires", until, 1);
	evbuffer_add_printf(r->out, "}");
	memset(&c, 0, sizeof c);
}
