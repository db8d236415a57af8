/* config.h — knowd.conf: "key = value" lines, "#" comments (DESIGN §3, Sync issue). */
#ifndef KNOWD_CONFIG_H
#define KNOWD_CONFIG_H

#include <stddef.h>

#define CONFIG_FILE		"knowd.conf"
#define CONFIG_DEFAULT_LISTEN	"127.0.0.1:7700"
#define CONFIG_DEFAULT_NETWORK	"knowd"
#define CONFIG_DEFAULT_HTTP	"127.0.0.1:7780"

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
	/* Limits and timers (seconds); see config_defaults for the defaults. */
	int			 idle_timeout;
	int			 keepalive;
	int			 max_peers_in;
	int			 max_peers_out;
	int			 sync_interval;
	int			 trust_depth;
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
/* Splits "HOST:PORT" or "[V6]:PORT" into new strings; checks the port. */
int	 config_split_hostport(const char *, char **host, char **port, char **cause);

#endif
