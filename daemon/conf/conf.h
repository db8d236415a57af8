/*
 * conf.h — knowd.conf: "key = value" lines and "#" comments, parsed,
 * checked and printed back (config.c), and edited in place on behalf of
 * knowctl (confedit.c). The lowest room of the daemon: it knows only util/
 * and keys/.
 */
#ifndef KNOWD_CONF_H
#define KNOWD_CONF_H

#include <stddef.h>

#define CONFIG_FILE		"knowd.conf"
#define CONFIG_DEFAULT_LISTEN	"127.0.0.1:7700"
#define CONFIG_DEFAULT_NETWORK	"knowd"
#define CONFIG_DEFAULT_HTTP	"127.0.0.1:7780"
#define CONFIG_DEFAULT_CONTACT_AGE	(365L * 86400)	/* 12 months */
#define CONFIG_MAX_CONTACT_AGE	(3650L * 86400)

enum { CONFIG_REVIEW_AUTO, CONFIG_REVIEW_REQUIRED, CONFIG_REVIEW_OPTIONAL };

struct config_peer {
	char	*nid;		/* expected node id, or NULL */
	char	*host;
	char	*port;
};

struct config_trust {
	char	*nid;
	char	*name;		/* may be NULL */
};

struct config {
	char			*listen;	/* host:port, or NULL for none */
	char			*network;
	char			*http;		/* web view host:port, or NULL for off */
	struct config_peer	*peers;
	size_t			 npeers;
	struct config_trust	*trust;
	size_t			 ntrust;
	int			 mirror_all;
	/* Admission by hand (doc/DESIGN.md §7): node ids admitted or denied. */
	char			**admit;
	size_t			 nadmit;
	char			**deny;
	size_t			 ndeny;
	/* Limits and timers (seconds); see config_defaults for the defaults. */
	int			 idle_timeout;
	int			 keepalive;
	int			 max_peers_in;
	int			 max_peers_out;
	int			 sync_interval;
	int			 trust_depth;
	/* The public face of the web view (doc/DESIGN.md §8); NULL when unset. */
	char			*public_url;	/* "https://host[/path]", no trailing slash */
	char			**allowed_hosts; /* Host values links may be built from */
	size_t			 nallowed_hosts;
	char			*imprint_url;	/* Impressum */
	char			*privacy_url;	/* Datenschutzerklärung */
	char			*operator;	/* who runs the site, for the footer */
	/*
	 * The desk (doc/DESIGN.md §8): whether a second account must approve
	 * (CONFIG_REVIEW_AUTO: when more than one account exists), and the
	 * header a reverse proxy on loopback names the user in (NULL: off).
	 */
	int			 review;
	char			*web_auth_header;
	/* Seconds a contact card lives unless renewed (contact_max_age). */
	long			 contact_max_age;
	/* Exceptions to the personal-data check on publish (protocol/personal.h). */
	char			**personal_allow;
	size_t			 npersonal_allow;
};

/* Loads path; on failure *cause names the file, line and problem. */
int	 config_load(const char *path, struct config *, char **cause);
void	 config_defaults(struct config *);
void	 config_free(struct config *);
/* The canonical text of a configuration. Caller frees. */
char	*config_print(const struct config *);
/* Applies one line ("key = value", blank or comment) to c. */
int	 config_apply_line(struct config *, char *line, char **cause);
/* Parses "[NID@]HOST:PORT". */
int	 config_parse_peer(const char *, struct config_peer *, char **cause);
/* Checks an http(s) URL of the public site: scheme, host, path; no query, no fragment. */
int	 config_url_check(const char *key, const char *v, char **cause);
/* True when host (a Host header value) is in c's allowed_hosts (case-insensitive). */
int	 config_host_allowed(const struct config *, const char *host);
/* Splits "HOST:PORT" or "[V6]:PORT" into new strings; checks the port. */
int	 config_split_hostport(const char *, char **host, char **port, char **cause);

/*
 * confedit.c: changing knowd.conf for knowctl. Whole lines are added or
 * removed, everything else (comments, order, blank lines) is kept, and the
 * file is replaced atomically.
 */
/* Appends "key = value". */
int	 confedit_add(const char *path, const char *key, const char *value,
	     char **cause);
/*
 * Removes every "key = …" line for which match(value, arg) is true; *removed
 * gets their number (the file is not rewritten when it is 0).
 */
int	 confedit_remove(const char *path, const char *key,
	     int (*match)(const char *value, const void *arg), const void *arg,
	     int *removed, char **cause);

#endif
