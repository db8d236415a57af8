/*
 * cmd_user.c — knowctl user add|list|remove|passwd: the staff accounts of
 * the desk (/redaktion). The password is read from the terminal without
 * echo (twice), or as one line from stdin when that is not a terminal, and
 * hashed here with Argon2id: only the hash reaches knowd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "util.h"

#define PW_MIN		10	/* characters at least */
#define PW_MAX		1024	/* bytes at most */
#define PW_OPSLIMIT	3	/* as the desk's (daemon/desk/desk_int.h) */
#define PW_MEMLIMIT	(64u * 1024 * 1024)

/* Reads one line of at most PW_MAX bytes from f into pw (without its newline). */
static int
read_line(FILE *f, char *pw, size_t size)
{
	size_t	 n;

	if (fgets(pw, (int)size, f) == NULL)
		return -1;
	n = strlen(pw);
	if (n > 0 && pw[n - 1] == '\n')
		pw[--n] = '\0';
	else if (!feof(f))
		return -1;		/* longer than the buffer */
	if (n > 0 && pw[n - 1] == '\r')
		pw[--n] = '\0';
	return 0;
}

/* Prompts on the terminal with echo off and reads a line. */
static int
read_hidden(const char *prompt, char *pw, size_t size)
{
	struct termios	 old, quiet;
	int		 rv;

	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	/* Echo off before the prompt: what is typed after it stays unseen. */
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fputs(prompt, stderr);
	fflush(stderr);
	rv = read_line(stdin, pw, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rv;
}

/* Reads a new password (twice on a terminal) and hashes it into hash. */
static int
password_hash(char *hash)
{
	char	 pw[PW_MAX + 2], again[PW_MAX + 2];
	int	 rv = -1;

	if (isatty(STDIN_FILENO)) {
		if (read_hidden(_("New password: "), pw, sizeof pw) != 0 ||
		    read_hidden(_("Again: "), again, sizeof again) != 0)
			fprintf(stderr, "%s", _("knowctl user: no password "
			    "read\n"));
		else if (strcmp(pw, again) != 0)
			fprintf(stderr, "%s", _("knowctl user: the passwords "
			    "differ\n"));
		else
			rv = 0;
	} else if (read_line(stdin, pw, sizeof pw) != 0)
		fprintf(stderr, _("knowctl user: no password on stdin (one "
		    "line, at most %d bytes)\n"), PW_MAX);
	else
		rv = 0;
	if (rv == 0 && utf8_valid(pw, strlen(pw)) && strlen(pw) >= PW_MIN &&
	    crypto_pwhash_str(hash, pw, strlen(pw), PW_OPSLIMIT,
	    PW_MEMLIMIT) == 0)
		rv = 0;
	else if (rv == 0) {
		fprintf(stderr, _("knowctl user: the password needs at least "
		    "%d characters\n"), PW_MIN);
		rv = -1;
	}
	sodium_memzero(pw, sizeof pw);
	sodium_memzero(again, sizeof again);
	return rv;
}

/* Prints one account. */
static void
print_user(const msgpack_object *e)
{
	char	*name = cli_field(e, "name"), *role = cli_field(e, "role");
	char	*unit = cli_field(e, "unit");

	printf("%-24s  %-8s  %s\n", name, role, *unit != '\0' ? unit : "-");
	free(name);
	free(role);
	free(unit);
}

/* user add NAME --role ROLE [--unit UNIT], and user passwd NAME. */
static int
user_set(struct cli *cli, const struct cli_cmd *cmd, const char *verb,
    const char *name, const char *role, const char *unit)
{
	struct ctl_request	 req;
	char			 hash[crypto_pwhash_STRBYTES];
	int			 add = strcmp(verb, "add") == 0;

	if (add && role == NULL)
		return cli_usage(cmd, "%s", _("add needs --role author, reviewer "
		    "or admin"));
	if (!add && (role != NULL || unit != NULL))
		return cli_usage(cmd, "%s", _("--role and --unit go with add"));
	if (password_hash(hash) != 0)
		return 1;
	cli_request(&req, add ? CTL_USER_ADD : CTL_USER_PASSWD);
	ctl_set(&req, "name", name, strlen(name), 0);
	ctl_set(&req, "hash", hash, strlen(hash), 0);
	if (role != NULL)
		ctl_set(&req, "role", role, strlen(role), 0);
	if (unit != NULL)
		ctl_set(&req, "unit", unit, strlen(unit), 0);
	sodium_memzero(hash, sizeof hash);
	return cli_simple(cli, &req);
}

int
cmd_user(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ "role", required_argument, NULL, 'r' },
		{ "unit", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_request	 req;
	const char		*role = NULL, *unit = NULL, *verb;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'r')
			role = optarg;
		else if (ch == 'u')
			unit = optarg;
		else if ((r = cli_common_opt(cli, cmd, ch)) != 0)
			return r - 1;
	}
	if (optind == argc)
		return cli_usage(cmd, "%s", _("expected add, list, remove or "
		    "passwd"));
	verb = argv[optind];
	if (strcmp(verb, "list") == 0 && argc - optind == 1) {
		cli_request(&req, CTL_USER_LIST);
		return cli_run(cli, &req, print_user, NULL);
	}
	if (argc - optind != 2)
		return cli_usage(cmd, _("expected %s NAME"), verb);
	if (strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0)
		return user_set(cli, cmd, verb, argv[optind + 1], role, unit);
	if (strcmp(verb, "remove") != 0)
		return cli_usage(cmd, "%s", _("expected add, list, remove or "
		    "passwd"));
	cli_request(&req, CTL_USER_REMOVE);
	ctl_set(&req, "name", argv[optind + 1], strlen(argv[optind + 1]), 0);
	return cli_simple(cli, &req);
}
