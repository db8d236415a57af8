/* cli.h — knowctl's shared parts: the command table, talking to knowd, output. */
#ifndef KNOWD_CLI_H
#define KNOWD_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <msgpack.h>

#include "ctl.h"
#include "util.h"

struct cli {
	char	*home;		/* NULL until resolved */
	int	 json;
};

struct cli_cmd {
	const char	*name;
	int		(*fn)(struct cli *, const struct cli_cmd *, int, char **);
	const char	*args;		/* e.g. "[--json] ID" */
	const char	*summary;
	const char	*help;		/* option lines */
};

/* The options every subcommand takes, to put into its getopt_long table. */
#define CLI_COMMON_OPTS \
	{ "home", required_argument, NULL, 'H' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "help", no_argument, NULL, 'h' }

/* Sets knowctl's language from the environment (LANG, LC_MESSAGES) and finds the catalog. */
void	 cli_i18n(void);
/* A reply's message of knowd in the user's language, line by line where known. Caller frees. */
char	*cli_tr_reply(const char *);

/* Handles a common option (or an unknown one); returns 0 to continue, else an exit code + 1. */
int	 cli_common_opt(struct cli *, const struct cli_cmd *, int ch);
/* Prints a subcommand's help to f. */
void	 cli_help(const struct cli_cmd *, FILE *);
/* Prints "knowctl CMD: message" and the usage line; returns 2. */
int	 cli_usage(const struct cli_cmd *, const char *fmt, ...)
	     __attribute__((format(printf, 2, 3)));

/*
 * Sends a request to knowd over HOME/control.sock and reads its reply.
 * Returns 0 with *reply filled when knowd answered OK; otherwise prints the
 * problem and returns the exit code (1 or 2). Caller clears *reply.
 */
int	 cli_call(struct cli *, struct ctl_request *, struct ctl_reply *);
/* The same, once, keeping the connection open in *fd for what follows the reply (-1 when none). */
int	 cli_call_stream(struct cli *, struct ctl_request *, struct ctl_reply *,
	     int *fd);
/*
 * Reads path ("-": stdin) whole, at most max bytes (what names the thing
 * in the message); prints why as "knowctl CMD: …" and returns -1 when it
 * cannot. Caller frees *text.
 */
int	 cli_read_input(const char *cmd, const char *path, size_t max,
	     const char *what, char **text, size_t *len);
/* The printf field width that pads a UTF-8 string to width characters. */
int	 cli_width(const char *, int);
/* Reads exactly n bytes; -1 on error or end of file. */
int	 cli_read_full(int fd, void *p, size_t n);
/* Makes a request for op with no arguments set. */
void	 cli_request(struct ctl_request *, enum ctl_op);

/* Prints a msgpack value as JSON, then a newline. */
void	 cli_json(FILE *, const msgpack_object *);
/* A reply field as a string ("" when absent). Caller frees. */
char	*cli_field(const msgpack_object *, const char *key);

/*
 * Sends a request and prints the reply: JSON with --json, else whole(data),
 * else item() for each element of an array. Clears req. Returns the exit code.
 */
int	 cli_run(struct cli *, struct ctl_request *,
	     void (*item)(const msgpack_object *),
	     void (*whole)(const msgpack_object *));
/* A command with only the common options and no arguments: op, printed as by cli_run. */
/* Parses argv's common options only; nonzero is an exit status + 1 (as cli_common_opt). */
int	 cli_common_only(struct cli *, const struct cli_cmd *, int, char **);
/* A command taking only the common options and one id: op {id}, printed by whole. */
int	 cli_one_id(struct cli *, const struct cli_cmd *, int, char **,
	     enum ctl_op, const char *what, void (*whole)(const msgpack_object *));
int	 cli_plain(struct cli *, const struct cli_cmd *, int, char **,
	     enum ctl_op, void (*item)(const msgpack_object *),
	     void (*whole)(const msgpack_object *));
/* Sends a request whose reply carries only its status (JSON null with --json). */
int	 cli_simple(struct cli *, struct ctl_request *);

/*
 * publish_id.c: writes the new record's id into the file published (not
 * for "-"), or prints how to; -1 when it could not.
 */
int	 cli_publish_write_id(const char *path, const char *text, size_t len,
	     const char *id);

/* The subcommands, one file each. */
int	 cmd_id(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_new(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_publish(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_retract(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_erase(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_list(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_show(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_log(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_verify(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_status(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_peers(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_peer(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_trust(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_vouch(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_unvouch(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_backup(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_search(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_reindex(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_export(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_pending(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_admit(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_deny(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_user(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_audit(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_invite(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_contact(struct cli *, const struct cli_cmd *, int, char **);
int	 cmd_profile(struct cli *, const struct cli_cmd *, int, char **);

/* The search filters search and list take (cmd_search.c). */
#define CLI_FILTER_OPTS \
	{ "field", required_argument, NULL, 'F' }, \
	{ "status", required_argument, NULL, 'S' }, \
	{ "hurdle", required_argument, NULL, 'U' }, \
	{ "node", required_argument, NULL, 'n' }, \
	{ "project", required_argument, NULL, 'p' }, \
	{ "tag", required_argument, NULL, 'T' }, \
	{ "since", required_argument, NULL, 'D' }, \
	{ "kind", required_argument, NULL, 'k' }
/* Sets a filter option on req; 0 when ch is not one. */
int	 cli_filter_opt(struct ctl_request *, int ch, const char *arg);

#endif
