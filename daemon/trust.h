/*
 * trust.h — which nodes this node replicates (DESIGN §7): itself, the nodes
 * trusted in knowd.conf, the nodes those (and this node) vouch for, to
 * trust_depth levels, and with mirror = all every node.
 */
#ifndef KNOWD_TRUST_H
#define KNOWD_TRUST_H

#include <stddef.h>

#include "keys.h"

struct knowd;

struct trust_entry {
	char	 nid[KEYS_NID_MAX];
	char	 voucher[KEYS_NID_MAX];	/* "" unless replicated through a vouch */
	int	 depth;			/* 0 self or trusted, 1.. through vouches */
};

/* True when nid is replicated here. */
int	 trust_replicates(struct knowd *, const char *nid);
/* The replicated set (without mirror = all's everyone). */
const struct trust_entry *trust_set(struct knowd *, size_t *n);
/* Forgets the cached set (config reloaded). */
void	 trust_invalidate(struct knowd *);
/* When the replicated set changed since the last call: fetch what became replicated, drop the rest. */
void	 trust_settle(struct knowd *);
void	 trust_free(struct knowd *);

#endif
