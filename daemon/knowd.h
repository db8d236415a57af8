/* knowd.h — the daemon's state and the operations on its own branch. */
#ifndef KNOWD_KNOWD_H
#define KNOWD_KNOWD_H

#include <stdint.h>
#include <time.h>
#include <git2.h>

#include "catalog.h"
#include "config.h"
#include "ctl.h"
#include "keys.h"
#include "store.h"

struct event_base;
struct control;
struct control_client;
struct peers;
struct worker;
struct sync;
struct search;
struct compact;
struct web;
struct gossip;
struct trust;

struct knowd {
	char			*home;
	struct config		 conf;
	struct keys_pair	 kp;
	char			 nid[KEYS_NID_MAX];
	char			 did[KEYS_DID_MAX];
	struct store		*store;
	struct catalog		 cat;
	int			 lockfd;
	struct event_base	*base;
	struct control		*control;
	uint8_t			 netid[32];	/* from conf.network */
	struct peers		*peers;
	struct worker		*worker;	/* packs from and for peers */
	struct worker		*slow;		/* knowctl verify and backup */
	struct sync		*sync;
	struct search		*search;	/* search.c; NULL when off */
	struct compact		*compact;	/* search_node.c: merging it */
	struct web		*web;		/* web.c; NULL when off */
	struct gossip		*gossip;
	struct trust		*trust;		/* the replicated set, cached */
	time_t			 recover_until;	/* no publishing before: catching up */
};

#define NODE_RECOVER_WAIT	15	/* seconds to wait for peers' heads at start */

/* Locks the home, loads config and key, opens the repository, builds the catalog and view. */
int	 node_open(struct knowd *, const char *home, char **cause);
void	 node_close(struct knowd *);
/* Takes the home's lock file; refuses when another knowd holds it. */
int	 node_lock(const char *home, int *fd, char **cause);
/* This node's name, from its node.md. */
const char *node_name(const struct knowd *);

/* What a publish did. */
struct node_result {
	int		 again;		/* failed only because it is too early */
	char		 id[64];
	char		*path;
	int		 created;	/* 1 new record, 0 an edit */
	uint64_t	 seq;
	git_oid		 commit;
};
/* Publishes a record (new, or an edit of one of ours); fills *res. */
int	 node_publish(struct knowd *, const char *buf, size_t len,
	     struct node_result *, char **cause);
/* Removes one of our records. */
int	 node_retract(struct knowd *, const char *id, struct node_result *,
	     char **cause);
void	 node_result_clear(struct node_result *);
/* Writes (or replaces) our signed vouches/<nid>.md for another node. */
int	 node_vouch(struct knowd *, const char *id, const char *name,
	     const char *ags, struct node_result *, char **cause);
/* Removes our vouch for a node. */
int	 node_unvouch(struct knowd *, const char *id, struct node_result *,
	     char **cause);
/* Brings the catalog and the view up to date after nid's branch moved from old (NULL: new). */
int	 node_branch_moved(struct knowd *, const char *nid, const git_oid *old,
	     const git_oid *new, char **cause);
/*
 * 0 when publishing may go ahead; -1 and why when not: 1 in *again when
 * it is only too early (catching up after a start).
 */
int	 node_may_publish(struct knowd *, int *again, char **cause);
/* Recovery is over: our own branch is as new as our peers know it. */
void	 node_recovered(struct knowd *);
/* The replicated set changed: drop branches no longer replicated, ask peers for the new ones. */
void	 node_replication_changed(struct knowd *);
/* fork.c: a validly signed head of nid that forks from ours: keep it; heal our own. */
int	 node_fork_seen(struct knowd *, const char *nid, const git_oid *fork,
	     char **cause);
/* "YYYY-MM-DDTHH:MM:SSZ" of t into out (21 bytes). */
void	 node_time(time_t t, char *out);
/* A new ULID into out (27 bytes). */
void	 node_new_id(char *out);

/* init.c: knowd init. */
int	 knowd_init_main(int argc, char **argv);
/* control.c: the control socket. */
int	 control_open(struct knowd *, char **cause);
/* Call after worker_stop: every deferred reply has been answered by then. */
void	 control_close(struct knowd *);
/*
 * For a handler that answers later (work on the worker thread): packs no
 * reply now and returns the client, to be answered with control_answer.
 * The client sends no further request until then.
 */
struct control_client *control_defer(struct knowd *);
/* Sends a deferred reply (dropped if the client has gone) and reads on. */
void	 control_answer(struct control_client *, const msgpack_sbuffer *);
/*
 * The same, followed by size raw bytes from fd (taken over, closed when
 * sent or when the client goes); the client reads on once all is sent.
 */
void	 control_answer_file(struct control_client *, const msgpack_sbuffer *,
	     int fd, uint64_t size);
/* handlers.c: answers one decoded request into sb. */
void	 handle_request(struct knowd *, const struct ctl_request *,
	     msgpack_sbuffer *);

#endif
