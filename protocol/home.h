/* home.h — where a node's home directory is and what lives in it (DESIGN §3). */
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
/* home/name. Caller frees. */
char	*home_path(const char *home, const char *name);

#endif
