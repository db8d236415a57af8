/*
 * catalog.h — an in-memory index of the records in every origin branch:
 * which node holds which id at which path, with the fields listings show.
 * It is derived state, kept up to date from tree diffs as branches move.
 */
#ifndef KNOWD_CATALOG_H
#define KNOWD_CATALOG_H

#include <git2.h>

#include "keys.h"
#include "record.h"

struct catalog_entry {
	char		*id;
	char		 nid[KEYS_NID_MAX];
	char		*path;
	enum record_kind kind;
	char		*title;		/* a node's or vouch's name */
	char		*project;
	char		*created;
	char		*modified;
	git_oid		 blob;
};

struct catalog {
	struct catalog_entry	*v;
	size_t			 n;
	unsigned int		 vouch_gen;	/* bumped when a vouch record comes or goes */
};

/* Applies the difference between two trees of nid's branch (old NULL: empty). */
int	 catalog_apply(struct catalog *, git_repository *, const char *nid,
	     const git_oid *oldtree, const git_oid *newtree, char **cause);
/* The record with id, in nid's branch if nid is non-NULL (preferring prefer_nid otherwise). */
const struct catalog_entry *catalog_find(const struct catalog *, const char *id,
	     const char *nid, const char *prefer_nid);
/* A node's name from its node.md, or NULL. */
const char *catalog_node_name(const struct catalog *, const char *nid);
/* Number of records of kind held for nid. */
size_t	 catalog_count(const struct catalog *, const char *nid, enum record_kind);
/* Forgets every record of nid. */
void	 catalog_drop(struct catalog *, const char *nid);
void	 catalog_clear(struct catalog *);

#endif
