/*
 * penalty.c — a peer whose pack was refused (it failed verification, not
 * our own disk) is asked for nothing for a while: 30 s after the first
 * refusal, doubling with each further one up to a day; from the third on
 * its connections are refused for that long too (a ban). A pack that
 * verifies after the wait forgives it. The table is bounded; expired
 * entries go first when it is full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "net_int.h"
#include "util.h"

#define PENALTY_FIRST	30		/* seconds after the first refusal */
#define PENALTY_MAX	86400		/* at most a day */
#define PENALTY_BAN	3		/* refusals from which connections are refused */
#define PENALTY_TABLE	4096		/* nodes remembered */

struct penalty {
	char	 nid[KEYS_NID_MAX];
	int	 strikes;
	time_t	 until;
};

/* The first wait: PENALTY_FIRST, or $KNOWD_TEST_PENALTY_SECS (0: off) in tests. */
static long
penalty_first(void)
{
	const char	*e = getenv("KNOWD_TEST_PENALTY_SECS");

	return e != NULL ? atol(e) : PENALTY_FIRST;
}

/* Drops the entries whose wait is over (only when the table is full). */
static void
penalty_expire(struct hmap *m, time_t now)
{
	struct penalty	*pe;
	char		**gone = NULL;
	size_t		  it = 0, n = 0, i;

	while ((pe = hmap_next(m, &it)) != NULL)
		if (pe->until <= now)
			strv_push(&gone, &n, pe->nid);
	for (i = 0; i < n; i++)
		free(hmap_del(m, gone[i], strlen(gone[i])));
	strv_free(gone, n);
}

void
penalty_refused(struct net *net, const char *nid)
{
	penalty_strike(net, nid, "pack refused");
}

void
penalty_strike(struct net *net, const char *nid, const char *what)
{
	struct hmap	*m = net->sync->penalties;
	struct penalty	*pe = hmap_gets(m, nid);
	time_t		 now = time(NULL);
	long		 wait, first = penalty_first();

	if (first <= 0)
		return;
	if (pe == NULL) {
		if (hmap_count(m) >= PENALTY_TABLE)
			penalty_expire(m, now);
		if (hmap_count(m) >= PENALTY_TABLE)
			return;		/* full of live penalties: bounded */
		pe = xcalloc(1, sizeof *pe);
		snprintf(pe->nid, sizeof pe->nid, "%s", nid);
		hmap_put(m, pe->nid, strlen(pe->nid), pe);
	}
	pe->strikes++;
	wait = first << (pe->strikes < 12 ? pe->strikes - 1 : 11);
	if (wait > PENALTY_MAX)
		wait = PENALTY_MAX;
	pe->until = now + wait;
	log_warnx("peer %s: %s (%d time(s)): asked for nothing for "
	    "%ld s%s", nid, what, pe->strikes, wait, pe->strikes >= PENALTY_BAN ?
	    ", and its connections refused as long" : "");
}

void
penalty_verified(struct net *net, const char *nid)
{
	struct penalty	*pe = hmap_gets(net->sync->penalties, nid);

	if (pe != NULL && pe->until <= time(NULL))
		free(hmap_del(net->sync->penalties, pe->nid, strlen(pe->nid)));
}

long
penalty_wait(struct net *net, const char *nid, int *banned)
{
	struct penalty	*pe = hmap_gets(net->sync->penalties, nid);
	time_t		 now = time(NULL);

	*banned = 0;
	if (pe == NULL || pe->until <= now)
		return 0;
	*banned = pe->strikes >= PENALTY_BAN;
	return (long)(pe->until - now);
}

void
penalty_free(struct net *net)
{
	struct penalty	*pe;
	size_t		 it = 0;

	while ((pe = hmap_next(net->sync->penalties, &it)) != NULL)
		free(pe);
	hmap_free(net->sync->penalties);
	net->sync->penalties = NULL;
}
