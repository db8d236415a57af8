/* node_int.h — what the node room's files share (inside node/ only). */
#ifndef KNOWD_NODE_INT_H
#define KNOWD_NODE_INT_H

#include "node.h"

/* moved.c: subscribes catalog, search, view, forks and recovery to NODE_MOVED. */
void	 node_listen_own(struct node *);
/* moved.c: the replicated set changed: drop what left it, tell NODE_REPLICATION. */
void	 node_replication_changed(struct node *);
/* moved.c: tells NODE_RELOADED. */
void	 node_reloaded(struct node *);
/* index.c: the search index follows the branches (now, or from a backlog). */
void	 node_index_init(struct node *);
void	 node_index_free(struct node *);
/* A batch of moves: indexed at once when small and nothing waits, else later. */
void	 node_index_moved(struct node *, const struct node_move *, size_t n);
/* At start: indexes the branches not in fresh (those the index holds at their heads). */
void	 node_index_check(struct node *, const struct hmap *fresh);
/*
 * texts.c: the lesson or project of ours whose text (all but id, created
 * and modified) equals r's, or NULL; the id is valid until the next
 * change of our branch. node_texts_add notes a record just published.
 */
const char *node_texts_find(struct node *, const struct record *);
void	 node_texts_add(struct node *, const struct record *, uint64_t seq);
void	 node_texts_free(struct node *);
/* publish.c: commits changes to our branch and sends the move down the pipeline. */
int	 node_commit(struct node *, const struct store_change *, size_t n,
	     const char *subject, struct node_result *, char **cause);
/* The same, the commit's author naming unit after the organisation (NULL: none). */
int	 node_commit_as(struct node *, const struct store_change *, size_t n,
	     const char *subject, const char *unit, struct node_result *,
	     char **cause);

#endif
