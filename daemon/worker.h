/*
 * worker.h — a background thread for slow git work (building and indexing
 * packs), so the event loop keeps serving other peers.
 *
 * A job's run() executes on the worker thread with the worker's own
 * git_repository; its done() then executes on the event-loop thread. Jobs
 * run one at a time, in order. done() is called even after a failed run();
 * it owns the job and frees it. A job cancelled at shutdown gets done()
 * without run(), with cancelled set.
 */
#ifndef KNOWD_WORKER_H
#define KNOWD_WORKER_H

#include <git2.h>

struct event_base;
struct worker;

struct worker_job {
	void	(*run)(struct worker_job *, git_repository *);
	void	(*done)(struct worker_job *);
	int	  cancelled;	/* set when the worker stopped before run() */
	struct worker_job *next;
};

/* Starts the thread; it opens repo_path for itself. */
int	 worker_start(struct worker **, struct event_base *, const char *repo_path,
	     char **cause);
/* Queues a job; never blocks for long. */
void	 worker_submit(struct worker *, struct worker_job *);
/* Number of jobs queued or running. */
int	 worker_pending(struct worker *);
/* Finishes the running job, cancels the queued ones (their done() still runs), joins. */
void	 worker_stop(struct worker *);

#endif
