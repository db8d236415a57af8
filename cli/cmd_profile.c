/* cmd_profile.c — knowctl profile: this node's name, website, region, AGS and description. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "util.h"

#define PROFILE_MAX_DESCRIPTION	65536

/* Prints one line of the profile when the value is there. */
static void
print_line(const msgpack_object *d, const char *label, const char *key)
{
	char	*v = cli_field(d, key);

	if (*v != '\0')
		printf("%-13s %s\n", label, v);
	free(v);
}

/* Prints the profile: one line a value, then the description. */
static void
print_profile(const msgpack_object *d)
{
	char	*desc = cli_field(d, "description");

	print_line(d, _("name"), "name");
	print_line(d, _("role"), "role");
	print_line(d, _("AGS"), "ags");
	print_line(d, _("region"), "region");
	print_line(d, _("website"), "website");
	print_line(d, _("id"), "id");
	print_line(d, _("modified"), "modified");
	if (*desc != '\0')
		printf("\n%s", desc);
	free(desc);
}

/* Checks the values a person gave; prints what is wrong (German via gettext). */
static int
profile_check(const struct cli_cmd *cmd, const char *name, const char *website,
    const char *ags)
{
	if (name != NULL && *name == '\0')
		return cli_usage(cmd, "%s", _("--name: the name cannot be "
		    "empty"));
	if (website != NULL && *website != '\0' && !record_website_valid(website))
		return cli_usage(cmd, _("--website: \"%s\" is not a web address "
		    "like https://www.example.de"), website);
	if (ags != NULL && *ags != '\0' && (strlen(ags) != 8 ||
	    strspn(ags, "0123456789") != 8))
		return cli_usage(cmd, _("--ags: \"%s\" is not an Amtlicher "
		    "Gemeindeschlüssel (8 digits, e.g. 05774032)"), ags);
	return 0;
}

/* Reads the description from standard input, bounded. Caller frees. */
static char *
read_stdin(void)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 n;

	buf_init(&b);
	while ((n = read(0, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + (size_t)n > PROFILE_MAX_DESCRIPTION) {
			fprintf(stderr, _("knowctl profile: --description: %s\n"),
			    n == -1 ? strerror(errno) : _("too long"));
			buf_free(&b);
			return NULL;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	return buf_detach(&b, NULL);
}

/* Prints the result of a change. */
static void
print_set(const msgpack_object *d)
{
	printf(_("profile changed (seq %llu); peers receive it with the next "
	    "sync\n"), (unsigned long long)ctl_obj_uint(ctl_obj_get(d, "seq")));
}

/* knowctl profile set: the values given, checked here and by knowd. */
static int
profile_set(struct cli *cli, const struct cli_cmd *cmd, const char **v,
    int argc, char **argv)
{
	static const char *const keys[] = { "name", "website", "region", "ags",
	    "description" };
	struct ctl_request	 req;
	char			*desc = NULL;
	size_t			 i;
	int			 r;

	if (argc - optind != 1)
		return cli_usage(cmd, _("unexpected argument \"%s\""),
		    argv[optind + 1]);
	if ((r = profile_check(cmd, v[0], v[1], v[3])) != 0)
		return r;
	if (v[4] != NULL && strcmp(v[4], "-") == 0) {
		if ((desc = read_stdin()) == NULL)
			return 1;
		v[4] = desc;
	}
	cli_request(&req, CTL_PROFILE_SET);
	for (i = 0; i < nitems(keys); i++) {
		if (v[i] != NULL)
			ctl_set(&req, keys[i], v[i], strlen(v[i]), 0);
	}
	free(desc);
	return cli_run(cli, &req, NULL, print_set);
}

int
cmd_profile(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "name", required_argument, NULL, 'n' },
		{ "website", required_argument, NULL, 'w' },
		{ "region", required_argument, NULL, 'r' },
		{ "ags", required_argument, NULL, 'a' },
		{ "description", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	static const char	 letters[] = "nwrad";
	const char		*v[5] = { NULL, NULL, NULL, NULL, NULL }, *l;
	struct ctl_request	 req;
	int			 ch, r, any = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch != 0 && (l = strchr(letters, ch)) != NULL) {
			v[l - letters] = optarg;
			any = 1;
		} else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (optind < argc && strcmp(argv[optind], "set") == 0) {
		if (!any)
			return cli_usage(cmd, "%s", _("set: give at least one of "
			    "--name, --website, --region, --ags, --description"));
		return profile_set(cli, cmd, v, argc, argv);
	}
	if (optind < argc)
		return cli_usage(cmd, _("unexpected argument \"%s\""), argv[optind]);
	if (any)
		return cli_usage(cmd, "%s", _("to change the profile, say "
		    "knowctl profile set …"));
	cli_request(&req, CTL_PROFILE);
	return cli_run(cli, &req, NULL, print_profile);
}
