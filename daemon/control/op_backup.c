/* op_backup.c — knowctl backup: refs read on the loop, the archive built on the slow worker and streamed. */
#include <stdlib.h>
#include <unistd.h>

#include "control_int.h"
#include "store.h"
#include "util.h"

/* knowctl backup as a worker job: packing and archiving run off the event loop. */
struct backup_job {
	struct worker_job	 job;
	struct control_client	*cc;
	struct backup		*b;
	struct backup_out	 out;
	char			*why;
	int			 rv;
};

/* Worker thread: builds the archive. */
static void
backup_run(struct worker_job *job, git_repository *repo)
{
	struct backup_job *bj = (struct backup_job *)job;

	bj->rv = backup_build(bj->b, repo, &bj->out, &bj->why);
}

/*
 * Event loop: answers the waiting knowctl with the archive's size and
 * SHA-256, then the archive's bytes from its file; or with the reason.
 */
static void
backup_done(struct worker_job *job)
{
	struct backup_job *bj = (struct backup_job *)job;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	char		 hex[65];

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (job->cancelled || bj->rv != 0) {
		reply_fail(&pk, CTL_ERROR, job->cancelled ? "knowd is stopping" :
		    bj->why);
		control_answer(bj->cc, &sb);
	} else {
		hex_encode(bj->out.sha256, sizeof bj->out.sha256, hex);
		reply_ok(&pk);
		msgpack_pack_map(&pk, 2);
		ctl_pack_ku(&pk, "size", bj->out.size);
		ctl_pack_kv(&pk, "sha256", hex);
		control_answer_file(bj->cc, &sb, bj->out.fd, bj->out.size);
		bj->out.fd = -1;
	}
	msgpack_sbuffer_destroy(&sb);
	if (bj->out.fd != -1)
		close(bj->out.fd);
	backup_free(bj->b);
	free(bj->why);
	free(bj);
}

/* backup: a tar archive of the home (refs read now, built on the worker). */
void
op_backup(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct backup_job *bj;
	struct backup	*b;
	char		*why = NULL;

	if ((b = backup_begin(env->node->store, env->node->home, ctl_bool(req, "with_key"), &why)) == NULL) {
		reply_fail(pk, CTL_ERROR, why);
		free(why);
		return;
	}
	bj = xcalloc(1, sizeof *bj);
	bj->job.run = backup_run;
	bj->job.done = backup_done;
	bj->b = b;
	bj->out.fd = -1;
	bj->cc = control_defer(cc);
	worker_submit(env->slow, &bj->job);
}
