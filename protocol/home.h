/* home.h — where a node's home directory is and what lives in it (doc/DESIGN.md §3). */
#ifndef KNOWD_HOME_H
#define KNOWD_HOME_H

#define HOME_KEY	"keys/node.key"
#define HOME_PUB	"keys/node.pub"
#define HOME_REPO	"repo.git"
#define HOME_LOCK	"knowd.lock"

/*
 * The node home: flag if given, else $KNOWD_HOME, else $XDG_DATA_HOME/knowd,
 * else ~/.local/share/knowd. Caller frees.
 */
char	*home_resolve(const char *flag);
/* The system node's home (the systemd unit's StateDirectory). */
#define HOME_SYSTEM	"/var/lib/knowd"

/*
 * knowctl's home: as home_resolve, but when neither a flag nor $KNOWD_HOME
 * names one and the user's default home has no control socket while the
 * system node's has, the system node (for members of the knowd group).
 */
char	*home_resolve_client(const char *flag);
/* home/name. Caller frees. */
char	*home_path(const char *home, const char *name);

#endif
