/*
 * confedit.h — changing knowd.conf on behalf of knowctl: whole lines are
 * added or removed, everything else (comments, order, blank lines) is kept,
 * and the file is replaced atomically.
 */
#ifndef KNOWD_CONFEDIT_H
#define KNOWD_CONFEDIT_H

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
