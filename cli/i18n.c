/*
 * i18n.c — knowctl in the user's language: GNU gettext, domain "knowd"
 * (po/de.po). LANG=de_DE.UTF-8 gives German; English is the fallback.
 * knowd itself never sets a locale, so its replies and logs are English
 * and knowctl translates the replies it knows through the same catalog.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/*
 * knowd's replies that knowctl translates: fixed sentences, and sentences
 * with one %s (a record id, a name) whose text around it must match.
 */
static const char *const replies[] = {
	N_("the record was not published:"),
	N_("the record could not be written"),
	N_("the same text is already published as %s (to change that record, "
	    "add its id to the file)"),
	N_("%s: no such record of this node"),
	N_("%s: no such record"),
	N_("%s: no such node"),
	N_("%s: not a node id"),
	N_("a node does not vouch for itself"),
	N_("this node does not vouch for that node"),
	N_("this node does not vouch for %s"),
	N_("the vouch was not written:"),
	N_("this node's own branch has not arrived from the network yet (knowd "
	    "init --recover); nothing was published — check knowctl peers"),
	N_("id: %s is not a record of this node (leave id out to publish a new "
	    "record)"),
	N_("kind: only lesson and project records can be published (node.md is "
	    "written by knowd init)"),
	N_("profile: nothing to change (give --name, --website, --region, --ags "
	    "or --description)"),
	N_("the profile was not changed:"),
	/* knowctl erase and contact (daemon/node/erase.c, contact.c). */
	N_("--commit: %s is not a commit id (40 hex digits)"),
	N_("%s: that commit did not change this record (or its version is "
	    "erased already)"),
	N_("%s: no earlier version to erase (erase the current one with "
	    "--commit and its commit)"),
	N_("%s: only lessons and projects can be erased"),
	N_("\"%s\" cannot carry a contact card"),
	N_("this node has 64 cards already: remove one first with knowctl "
	    "contact clear"),
	N_("no contact card for \"%s\""),
	N_("no contact card for this lesson or project"),
};

void
cli_i18n(void)
{
	/* Messages and their characters; numbers and sorting stay as in C. */
	setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "");
	i18n_bind();
}

/* The formats are the entries of replies[], checked by xgettext as c-format. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* One line of a reply translated, when the catalog knows it. Caller frees. */
static char *
tr_line(const char *line, size_t len)
{
	const char	*pct, *fmt, *t;
	char		*s, *arg;
	size_t		 i, pre, post;

	s = xstrndup(line, len);
	if ((t = _(s)) != s) {
		t = xstrdup(t);
		free(s);
		return (char *)t;
	}
	for (i = 0; i < nitems(replies); i++) {
		fmt = replies[i];
		if ((pct = strstr(fmt, "%s")) == NULL)
			continue;
		pre = pct - fmt;
		post = strlen(pct + 2);
		if (len <= pre + post || strncmp(s, fmt, pre) != 0)
			continue;
		if (strcmp(s + len - post, pct + 2) != 0)
			continue;
		arg = xstrndup(s + pre, len - pre - post);
		t = xasprintf(_(fmt), arg);
		free(arg);
		free(s);
		return (char *)t;
	}
	return s;
}
#pragma GCC diagnostic pop

char *
cli_tr_reply(const char *msg)
{
	struct buf	 b;
	const char	*nl;
	char		*t;

	buf_init(&b);
	for (;;) {
		nl = strchr(msg, '\n');
		t = tr_line(msg, nl != NULL ? (size_t)(nl - msg) : strlen(msg));
		buf_addstr(&b, t);
		free(t);
		if (nl == NULL)
			break;
		buf_addc(&b, '\n');
		msg = nl + 1;
	}
	return buf_detach(&b, NULL);
}
