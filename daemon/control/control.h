/*
 * control.h — the door to the control room: the operator's way in. The
 * control socket HOME/control.sock for knowctl (socket.c) and the
 * operations it answers, one handler per enum ctl_op (dispatch.c, op_*.c).
 * The socket knows nothing of the operations: knowd.c opens it with
 * control_dispatch as its dispatch function and a struct control_env
 * naming the rooms the operations reach. See doc/DESIGN.md §8.
 */
#ifndef KNOWD_CONTROL_H
#define KNOWD_CONTROL_H

#include <stdint.h>
#include <msgpack.h>

#include "ctl.h"

struct event_base;
struct control;
struct control_client;
struct node;
struct net;
struct web;
struct worker;
struct search_loop;
struct desk;

/* Answers one decoded request into sb (or defers: control_defer). */
typedef void control_dispatch_fn(struct control_client *,
    const struct ctl_request *, msgpack_sbuffer *, void *arg);

/* socket.c: creates the socket (0660) at path and answers its clients through dispatch. */
int	 control_open(struct control **, struct event_base *, const char *path,
	     control_dispatch_fn *, void *arg, char **cause);
/* Call after the workers stopped: every deferred reply has been answered by then. */
void	 control_close(struct control *);
/*
 * For a handler that answers later (work on a worker thread): packs no
 * reply now and returns the client, to be answered with control_answer.
 * The client sends no further request until then.
 */
struct control_client *control_defer(struct control_client *);
/* Sends a deferred reply (dropped if the client has gone) and reads on. */
void	 control_answer(struct control_client *, const msgpack_sbuffer *);
/*
 * The same, followed by size raw bytes from fd (taken over, closed when
 * sent or when the client goes); the client reads on once all is sent.
 */
void	 control_answer_file(struct control_client *, const msgpack_sbuffer *,
	     int fd, uint64_t size);

/* What the operations reach. */
struct control_env {
	struct node		*node;
	struct net		*net;
	struct web		*web;		/* NULL when the web pages are off */
	struct search_loop	*search_loop;
	struct worker		*slow;		/* knowctl verify and backup */
	struct desk		*desk;		/* staff accounts and audit, or NULL */
};

/* dispatch.c: the dispatch function; arg is a struct control_env. */
void	 control_dispatch(struct control_client *, const struct ctl_request *,
	     msgpack_sbuffer *, void *env);

#endif
