/* op_backup.c — knowctl backup: refs read on the loop, the archive built on the slow worker and streamed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_int.h"
#include "desk.h"
#include "home.h"
#include "node.h"
#include "store.h"
#include "util.h"

/* Where the desk's copy waits for the archive; removed when it is sent. */
#define DESK_COPY	".backup-desk.XXXXXX"

/* knowctl backup as a worker job: packing and archiving run off the event loop. */
struct backup_job {
	struct worker_job	 job;
	struct control_client	*cc;
	struct backup		*b;
	struct backup_out	 out;
	char			*desk;		/* the desk's copy, removed when done */
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
	if (bj->desk != NULL)
		unlink(bj->desk);
	free(bj->desk);
	free(bj->why);
	free(bj);
}

/*
 * The home's local state beside the repository: a copy of the desk
 * (accounts, drafts, audit), and with the key the invitations.
 */
static int
backup_local(struct control_env *env, struct backup *b, int with_key,
    char **desk, char **cause)
{
	const char	*home = env->node->home;
	char		*p;
	int		 fd;

	*desk = NULL;
	if (env->desk != NULL) {
		*desk = home_path(home, DESK_COPY);
		if ((fd = mkstemp(*desk)) == -1) {
			set_cause(cause, "backup: %s: %s", *desk,
			    strerror(errno));
			free(*desk);
			*desk = NULL;
			return -1;
		}
		close(fd);
		if (desk_snapshot(env->desk, *desk, cause) != 0) {
			free(*desk);
			*desk = NULL;
			return -1;
		}
		backup_add(b, *desk, DESK_FILE, 0600);
	}
	p = home_path(home, NODE_INVITES_FILE);
	if (with_key && access(p, F_OK) == 0)
		backup_add(b, p, NODE_INVITES_FILE, 0600);
	free(p);
	return 0;
}

/* backup: a tar archive of the home (refs read now, built on the worker). */
void
op_backup(struct control_env *env, struct control_client *cc,
    const struct ctl_request *req, msgpack_packer *pk)
{
	struct backup_job *bj;
	struct backup	*b;
	char		*why = NULL, *desk = NULL;
	int		 with_key = ctl_bool(req, "with_key");

	if ((b = backup_begin(env->node->store, env->node->home, with_key,
	    &why)) == NULL || backup_local(env, b, with_key, &desk, &why) != 0) {
		reply_fail(pk, CTL_ERROR, why);
		backup_free(b);
		free(why);
		return;
	}
	bj = xcalloc(1, sizeof *bj);
	bj->desk = desk;
	bj->job.run = backup_run;
	bj->job.done = backup_done;
	bj->b = b;
	bj->out.fd = -1;
	bj->cc = control_defer(cc);
	worker_submit(env->slow, &bj->job);
}
