/* home.c — resolving the node home directory. */
#include <stdlib.h>

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
