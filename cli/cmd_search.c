/* cmd_search.c — knowctl search and knowctl reindex: the search index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "util.h"

#define QUERY_MAX	1024	/* bytes; knowd refuses longer queries too */

/* Prints a snippet, its »…« marks as bold on a terminal. */
static void
print_snippet(const char *s, int tty)
{
	for (; *s != '\0'; s++) {
		if (tty && strncmp(s, "»", strlen("»")) == 0) {
			fputs("\033[1m", stdout);
			s += strlen("»") - 1;
		} else if (tty && strncmp(s, "«", strlen("«")) == 0) {
			fputs("\033[0m", stdout);
			s += strlen("«") - 1;
		} else if ((unsigned char)*s >= 0x20 || *s == '\t')
			putchar(*s);
	}
}

/* Prints one result line: id, node, title, then the snippet. */
static void
print_hit(const msgpack_object *e)
{
	int	 tty = isatty(STDOUT_FILENO);
	char	*id = cli_field(e, "id"), *node = cli_field(e, "node_name");
	char	*title = cli_field(e, "title"), *snip = cli_field(e, "snippet");

	printf("%-26s  %-22s  %s  ", id, node, title);
	print_snippet(snip, tty);
	putchar('\n');
	free(id);
	free(node);
	free(title);
	free(snip);
}

/* Prints on stderr what the words found: words found nowhere, a spelling, any-word results. */
static void
print_notes(const msgpack_object *d, size_t nhits)
{
	const msgpack_object *u = ctl_obj_get(d, "unmatched");
	const msgpack_object *any = ctl_obj_get(d, "any");
	char	*w, *sugg = cli_field(d, "suggestion");
	uint32_t i;

	if (u != NULL && u->type == MSGPACK_OBJECT_ARRAY && u->via.array.size > 0) {
		fputs(_("knowctl search: not found:"), stderr);
		for (i = 0; i < u->via.array.size; i++) {
			w = ctl_obj_strdup(&u->via.array.ptr[i]);
			fprintf(stderr, "%s %s", i > 0 ? "," : "", w);
			free(w);
		}
		fputc('\n', stderr);
	} else if (nhits > 0 && any != NULL &&
	    any->type == MSGPACK_OBJECT_BOOLEAN && any->via.boolean)
		fputs(_("knowctl search: no lesson holds all the words; hits "
		    "with one of them\n"), stderr);
	if (*sugg != '\0')
		fprintf(stderr, _("knowctl search: did you mean: %s?\n"), sugg);
	if (nhits == 0)
		fputs(_("knowctl search: no hits\n"), stderr);
	free(sugg);
}

/*
 * Sends a search and prints its hits (or the whole reply with --json);
 * exit 1 when nothing was found, as grep does.
 */
static int
search_reply(struct cli *cli, struct ctl_request *req)
{
	struct ctl_reply	 rep;
	const msgpack_object	*hits;
	size_t			 n = 0;
	uint32_t		 i;
	int			 r;

	if ((r = cli_call(cli, req, &rep)) == 0) {
		hits = ctl_obj_get(rep.data, "hits");
		if (hits != NULL && hits->type == MSGPACK_OBJECT_ARRAY)
			n = hits->via.array.size;
		if (cli->json)
			cli_json(stdout, rep.data);
		else
			for (i = 0; i < n; i++)
				print_hit(&hits->via.array.ptr[i]);
		print_notes(rep.data, n);
		r = n == 0;
	}
	ctl_reply_clear(&rep);
	ctl_request_clear(req);
	return r;
}

/* Sets a filter option of a search or list request; 0 when ch is not one. */
int
cli_filter_opt(struct ctl_request *req, int ch, const char *arg)
{
	const char *key = ch == 'F' ? "field" : ch == 'S' ? "status" :
	    ch == 'U' ? "hurdle" : ch == 'n' ? "node" : ch == 'p' ? "project" :
	    ch == 'T' ? "tag" : ch == 'D' ? "since" : ch == 'k' ? "kind" : NULL;

	const char *word = NULL;
	char	*slug = NULL;

	if (key == NULL)
		return 0;
	/* Filters as a person writes them: --status Umsetzung, --tag Bürgerbeteiligung. */
	if (ch == 'F')
		word = record_word(record_fields, arg);
	else if (ch == 'S')
		word = record_word(record_statuses, arg);
	else if (ch == 'U')
		word = record_word(record_hurdles, arg);
	else if ((ch == 'T' || ch == 'p') && !record_slug_valid(arg) &&
	    (slug = record_slugify(arg)) != NULL && record_slug_valid(slug))
		word = slug;
	if (word != NULL)
		arg = word;
	ctl_set(req, key, arg, strlen(arg), 0);
	free(slug);
	return 1;
}

/* Joins the words of the query. Caller frees. */
static char *
query_join(int argc, char **argv)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		buf_addstr(&b, argv[i]);
	}
	return buf_detach(&b, NULL);
}

int
cmd_search(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS, CLI_FILTER_OPTS,
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	char			*q;
	int			 ch, r;

	cli_request(&req, CTL_SEARCH);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_filter_opt(&req, ch, optarg))
			continue;
		if (ch == 'l')
			ctl_set(&req, "limit", NULL, 0, strtoull(optarg, NULL, 10));
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0) {
			ctl_request_clear(&req);
			return r - 1;
		}
	}
	q = query_join(argc - optind, argv + optind);
	if (strlen(q) > QUERY_MAX) {
		fprintf(stderr, _("knowctl search: query too long (%zu bytes, at "
		    "most %d)\n"), strlen(q), QUERY_MAX);
		free(q);
		ctl_request_clear(&req);
		return 2;
	}
	if (*q != '\0')
		ctl_set(&req, "q", q, strlen(q), 0);
	free(q);
	return search_reply(cli, &req);
}

/* Prints how many records a reindex put in. */
static void
print_reindex(const msgpack_object *d)
{
	uint64_t q = ctl_obj_uint(ctl_obj_get(d, "queued"));

	if (q > 0)
		printf(_("%llu branches are being indexed in the background "
		    "(knowctl status shows how many are left)\n"),
		    (unsigned long long)q);
	else
		printf(_("%llu records indexed\n"), (unsigned long long)
		    ctl_obj_uint(ctl_obj_get(d, "records")));
}

int
cmd_reindex(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_plain(cli, cmd, argc, argv, CTL_REINDEX, NULL, print_reindex);
}
