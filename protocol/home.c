/* home.c — resolving the node home directory. */
#include <stdlib.h>
#include <unistd.h>

#include "home.h"
#include "util.h"

char *
home_resolve(const char *flag)
{
	const char	*e;

	if (flag != NULL && *flag != '\0')
		return xstrdup(flag);
	if ((e = getenv("KNOWD_HOME")) != NULL && *e != '\0')
		return xstrdup(e);
	if ((e = getenv("XDG_DATA_HOME")) != NULL && *e != '\0')
		return xasprintf("%s/knowd", e);
	if ((e = getenv("HOME")) != NULL && *e != '\0')
		return xasprintf("%s/.local/share/knowd", e);
	return xstrdup("/var/lib/knowd");
}

char *
home_path(const char *home, const char *name)
{
	return xasprintf("%s/%s", home, name);
}

char *
home_resolve_client(const char *flag)
{
	const char	*e = getenv("KNOWD_HOME");
	char		*home, *sock;
	int		 mine;

	home = home_resolve(flag);
	if ((flag != NULL && *flag != '\0') || (e != NULL && *e != '\0'))
		return home;
	sock = home_path(home, "control.sock");
	mine = access(sock, F_OK) == 0;
	free(sock);
	if (!mine && access(HOME_SYSTEM "/control.sock", F_OK) == 0) {
		free(home);
		return xstrdup(HOME_SYSTEM);
	}
	return home;
}
