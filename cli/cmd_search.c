/* cmd_search.c — knowctl search and knowctl reindex: the search index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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

/* Sets a filter option of a search or list request; 0 when ch is not one. */
int
cli_filter_opt(struct ctl_request *req, int ch, const char *arg)
{
	const char *key = ch == 'F' ? "field" : ch == 'S' ? "status" :
	    ch == 'U' ? "hurdle" : ch == 'n' ? "node" : ch == 'p' ? "project" :
	    ch == 'T' ? "tag" : ch == 'D' ? "since" : ch == 'k' ? "kind" : NULL;

	if (key == NULL)
		return 0;
	ctl_set(req, key, arg, strlen(arg), 0);
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
		fprintf(stderr, "knowctl search: query too long (%zu bytes, at "
		    "most %d)\n", strlen(q), QUERY_MAX);
		free(q);
		ctl_request_clear(&req);
		return 2;
	}
	if (*q != '\0')
		ctl_set(&req, "q", q, strlen(q), 0);
	free(q);
	return cli_run(cli, &req, print_hit, NULL);
}

/* Prints how many records a reindex put in. */
static void
print_reindex(const msgpack_object *d)
{
	uint64_t q = ctl_obj_uint(ctl_obj_get(d, "queued"));

	if (q > 0)
		printf("%llu branches are being indexed in the background "
		    "(knowctl status shows how many are left)\n",
		    (unsigned long long)q);
	else
		printf("%llu records indexed\n", (unsigned long long)
		    ctl_obj_uint(ctl_obj_get(d, "records")));
}

int
cmd_reindex(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return cli_plain(cli, cmd, argc, argv, CTL_REINDEX, NULL, print_reindex);
}
