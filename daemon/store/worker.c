/* worker.c — one background thread running git jobs, results handed back to the event loop. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "store.h"

#define WORKER_IDLE_SECS	5	/* an idle thread looks for a repack this often */

struct worker {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct worker_job	*todo, *todo_tail;	/* guarded by lock */
	struct worker_job	*done, *done_tail;	/* guarded by lock */
	int			 pending;		/* guarded by lock */
	int			 stopping;		/* guarded by lock */
	struct event		*wake;			/* activated when done has jobs */
	git_repository		*repo;			/* the worker thread's own */
	char			*path;			/* of the repository */
	unsigned int		 objects_gen;		/* store_objects_generation at open */
	unsigned int		 idle_tried;		/* the generation an idle reopen was tried for */
	long			 delay_ms;		/* test hook: pause before each job */
};

/* Appends a job to a singly linked queue. */
static void
queue_push(struct worker_job **head, struct worker_job **tail,
    struct worker_job *j)
{
	j->next = NULL;
	if (*tail != NULL)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

/* Removes the first job of a queue, or returns NULL. */
static struct worker_job *
queue_pop(struct worker_job **head, struct worker_job **tail)
{
	struct worker_job *j = *head;

	if (j != NULL && (*head = j->next) == NULL)
		*tail = NULL;
	return j;
}

/* After a repack, the thread's repository is opened again: the packs it knew are gone. */
static void
worker_reopen(struct worker *w)
{
	git_repository	*repo;
	unsigned int	 gen = store_objects_generation();

	if (gen == w->objects_gen)
		return;
	if (git_repository_open_bare(&repo, w->path) != 0) {
		log_warnx("worker: %s: %s", w->path, store_git_error());
		return;			/* the old handle it is, this time */
	}
	git_repository_free(w->repo);
	w->repo = repo;
	w->objects_gen = gen;
}

/*
 * Waits (lock held) for a job or the stop. An idle thread looks every
 * WORKER_IDLE_SECS whether a repack happened: its handle would otherwise
 * keep the merged packs mapped, and their caches, until its next job.
 */
static void
worker_wait(struct worker *w)
{
	struct timespec	 ts;

	unsigned int	 gen;

	while (w->todo == NULL && !w->stopping) {
		/* Once a generation: a failed reopen is tried again at the next job, not every few seconds. */
		if ((gen = store_objects_generation()) != w->objects_gen &&
		    gen != w->idle_tried) {
			w->idle_tried = gen;
			pthread_mutex_unlock(&w->lock);
			worker_reopen(w);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += WORKER_IDLE_SECS;
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
}

/* The thread: takes jobs one at a time and hands each back when run. */
static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_job	*j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		worker_wait(w);
		if ((j = queue_pop(&w->todo, &w->todo_tail)) == NULL)
			break;
		pthread_mutex_unlock(&w->lock);
		if (w->delay_ms > 0) {
			struct timespec ts = { w->delay_ms / 1000,
			    (w->delay_ms % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
		worker_reopen(w);
		j->run(j, w->repo);
		pthread_mutex_lock(&w->lock);
		queue_push(&w->done, &w->done_tail, j);
		event_active(w->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Event-loop callback: runs done() of every finished job. */
static void
worker_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker		*w = arg;
	struct worker_job	*j;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if ((j = queue_pop(&w->done, &w->done_tail)) != NULL)
			w->pending--;
		pthread_mutex_unlock(&w->lock);
		if (j == NULL)
			break;
		j->done(j);
	}
}

int
worker_start(struct worker **out, struct event_base *base,
    const char *repo_path, char **cause)
{
	struct worker	*w;

	w = xcalloc(1, sizeof *w);
	w->objects_gen = store_objects_generation();
	if (git_repository_open_bare(&w->repo, repo_path) != 0) {
		free(w);
		return set_cause(cause, "worker: %s", repo_path);
	}
	w->path = xstrdup(repo_path);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->wake = event_new(base, -1, 0, worker_wake_cb, w);
	/* Tests slow the worker down to see the event loop keep answering. */
	if (getenv("KNOWD_TEST_WORKER_DELAY_MS") != NULL)
		w->delay_ms = strtol(getenv("KNOWD_TEST_WORKER_DELAY_MS"),
		    NULL, 10);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		event_free(w->wake);
		git_repository_free(w->repo);
		free(w->path);
		free(w);
		return set_cause(cause, "worker: cannot start thread");
	}
	*out = w;
	return 0;
}

void
worker_submit(struct worker *w, struct worker_job *j)
{
	j->cancelled = 0;
	pthread_mutex_lock(&w->lock);
	queue_push(&w->todo, &w->todo_tail, j);
	w->pending++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int
worker_pending(struct worker *w)
{
	int	 n;

	pthread_mutex_lock(&w->lock);
	n = w->pending;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
worker_stop(struct worker *w)
{
	struct worker_job *j;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	/* Queued jobs are not run; they still get done() below. */
	while ((j = queue_pop(&w->todo, &w->todo_tail)) != NULL) {
		j->cancelled = 1;
		queue_push(&w->done, &w->done_tail, j);
	}
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	worker_wake_cb(-1, 0, w);
	event_free(w->wake);
	git_repository_free(w->repo);
	free(w->path);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
