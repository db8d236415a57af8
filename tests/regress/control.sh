#!/usr/bin/env bash
# Slow control requests run on the worker thread: while `knowctl verify` and
# `knowctl backup` wait for it (slowed down here by KNOWD_TEST_WORKER_DELAY_MS),
# the event loop keeps answering other clients; a client that gives up does
# no harm; a stop cancels what is queued with a clear reply; and verify still
# finds a broken branch.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Krefeld" --listen 127.0.0.1:0 || fail "init"
KNOWD_TEST_WORKER_DELAY_MS=3000 node_start "$A" || { fail "start"; finish; }
id=$(kctl "$A" publish - <"$ROOT/contrib/examples/krefeld-kommunikation.md") || fail "publish"

# verify waits for the worker; status does not wait for verify.
kctl "$A" verify >"$T/verify.out" 2>&1 &
vpid=$!
PIDS+=("$vpid")
start=$(date +%s%N)
check "status answers while verify runs" kctl "$A" status
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "verify is still running then (status took $ms ms)" kill -0 "$vpid"
check "search answers while verify runs" bash -c "'$KNOWCTL' --home '$A' search Kommunikation | grep -q '^$id'"
wait "$vpid"; rc=$?
check "verify then succeeds" test "$rc" = 0
check "verify reports the branch" grep -q 'ok' "$T/verify.out"

# A client that hangs up while its reply is owed.
timeout 1 "$KNOWCTL" --home "$A" verify >/dev/null 2>&1
check "knowd answers after a client gave up waiting" kctl "$A" status
check "the next verify works" kctl "$A" verify

# backup on the worker; the archive is complete.
kctl "$A" backup "$T/b.tar" 2>"$T/backup.err" &
bpid=$!
PIDS+=("$bpid")
check "status answers while backup runs" kctl "$A" status
wait "$bpid"; rc=$?
check "backup succeeds" test "$rc" = 0
check "the archive holds the refs and a pack" bash -c \
	"tar -tf '$T/b.tar' | grep -q 'repo.git/packed-refs' && tar -tf '$T/b.tar' | grep -q 'pack/pack-.*\.pack'"

# Stopping with work queued: the running job finishes, the queued one is told.
# jobs_are N: A has N worker jobs queued or running (knowctl status --json).
jobs_are() { test "$(kctl "$A" status --json | json_get jobs)" = "$1"; }
kctl "$A" verify >/dev/null 2>&1 &
v2=$!
PIDS+=("$v2")
check "status counts the verify job" poll 5 jobs_are 1
kctl "$A" backup "$T/c.tar" >/dev/null 2>"$T/stop.err" &
b2=$!
PIDS+=("$b2")
check "and the backup queued behind it" poll 5 jobs_are 2
node_stop "$A"; rc=$?
check "knowd stops cleanly with work queued" test "$rc" = 0
wait "$b2"; rc=$?
check "the queued backup fails (exit 1)" test "$rc" = 1
check "and says knowd is stopping" grep -q 'stopping' "$T/stop.err"
check "no half archive is left" test ! -s "$T/c.tar"
wait "$v2"

# verify finds a branch that is not what its node signed.
git -C "$A/repo.git" for-each-ref --format='%(refname)' refs/namespaces >"$T/refs"
ref=$(head -1 "$T/refs")
tree=$(git -C "$A/repo.git" rev-parse "$ref^{tree}")
bad=$(git -C "$A/repo.git" -c user.name=x -c user.email=x@example.org \
	commit-tree "$tree" -p "$ref" -m "unsigned")
git -C "$A/repo.git" update-ref "$ref" "$bad"
node_start "$A" || { fail "restart"; finish; }
kctl "$A" verify >"$T/bad.out" 2>&1; rc=$?
check "verify of a tampered branch fails (exit 1)" test "$rc" = 1
check "and names the failure" grep -qi 'fail' "$T/bad.out"
finish
