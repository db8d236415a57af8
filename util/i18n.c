/*
 * i18n.c — where the message catalogs are, and messages in a language for
 * one thread (the browser desk answers a German form in German while
 * knowd's log stays English). GNU gettext, domain "knowd" (po/de.po).
 */
#include <sys/stat.h>

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef LOCALEDIR
#define LOCALEDIR	"/usr/local/share/locale"
#endif

/* True when path is a directory. */
static int
is_dir(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Where the catalogs are: $KNOWD_LOCALEDIR; else next to the binary
 * (BUILD/locale in the build tree, PREFIX/share/locale when installed);
 * else the LOCALEDIR it was built with. Caller frees.
 */
static char *
locale_dir(void)
{
	const char	*env = getenv("KNOWD_LOCALEDIR");
	char		 exe[PATH_MAX], *slash, *p;
	ssize_t		 n;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			p = xasprintf("%s/locale", exe);
			if (is_dir(p))
				return p;
			free(p);
			p = xasprintf("%s/../share/locale", exe);
			if (is_dir(p))
				return p;
			free(p);
		}
	}
	return xstrdup(LOCALEDIR);
}

void
i18n_bind(void)
{
	char	*dir = locale_dir();

	bindtextdomain(KNOWD_TEXTDOMAIN, dir);
	bind_textdomain_codeset(KNOWD_TEXTDOMAIN, "UTF-8");
	free(dir);
}

void *
i18n_begin(const char *lang)
{
	static locale_t	 de;
	locale_t	 loc = (locale_t)0;

	if (lang != NULL && strcmp(lang, "de") == 0) {
		if (de == (locale_t)0)
			de = newlocale(LC_MESSAGES_MASK, "de_DE.UTF-8", (locale_t)0);
		loc = de;
	}
	if (loc == (locale_t)0)
		return NULL;
	return uselocale(loc);
}

void
i18n_end(void *old)
{
	if (old != NULL)
		uselocale((locale_t)old);
}
