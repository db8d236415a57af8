#!/usr/bin/env bash
# bench/gossip: 50 knowd nodes on 127.0.0.1 in the sparse random topology of
# tests/regress/gossip_lib.sh (each node bootstraps from 1–2 `peer` lines to
# earlier nodes; peer exchange does the rest), every node `mirror = all`.
# Publishes 20 lessons at random nodes, a few hundred ms apart, and prints
# p50/p99/max of the time until every node holds each, the bytes sent per
# publish beside a baseline (stock git's pack of the lesson's commit plus one
# ANNOUNCE, per receiving node), and every daemon's RSS.
# Targets (issue 4): p99 < 2 s, no node over 20 MB RSS, bytes per publish per
# node within 2× of the pack plus the announcement.
#
# Usage: BUILD=build bench/gossip.sh   (after make)
#   GOSSIP_N=50 GOSSIP_LESSONS=20 GOSSIP_GAP_MS=300 G_SYNC=30 GOSSIP_SEED=…
# Every daemon is stopped by its PID on exit and on Ctrl-C (lib.sh's trap).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export KNOWD_BIN="$PWD/$BUILD/knowd" KNOWCTL_BIN="$PWD/$BUILD/knowctl"
N=${GOSSIP_N:-50}
LESSONS=${GOSSIP_LESSONS:-20}
GAP_MS=${GOSSIP_GAP_MS:-300}
# sync_interval at its default (30 s): propagation is measured by relaying,
# not by the periodic anti-entropy round.
: "${G_SYNC:=30}"
. tests/regress/lib.sh
. tests/regress/gossip_lib.sh
trap 'exit 130' INT TERM	# → lib.sh's EXIT trap: every daemon by PID, then $T

for b in "$KNOWD" "$KNOWCTL"; do
	[ -x "$b" ] || { echo "bench/gossip: $b missing (run make)" >&2; exit 1; }
done
echo "bench/gossip: starting $N nodes ($BUILD) …"
t0=$(g_now_ms)
g_net "$N" || { echo "bench/gossip: could not start the network" >&2; exit 1; }
# shellcheck disable=SC2046
if ! poll 180 g_views "$N" $(g_homes all); then
	echo "bench/gossip: the $N nodes did not converge within 180 s:" >&2
	# shellcheck disable=SC2046
	g_views "$N" $(g_homes all) >&2
	exit 1
fi
echo "bench/gossip: $N nodes up and converged in $(( ($(g_now_ms) - t0) / 1000 )) s"

# shellcheck disable=SC2046
python3 bench/gossip_measure.py --knowctl "$KNOWCTL" --lessons "$LESSONS" \
	--gap-ms "$GAP_MS" --seed "$GOSSIP_SEED" --sync-interval "$G_SYNC" \
	--draft contrib/examples/muenster-pilotstrasse.md --tmp "$T" $(g_homes all)
rv=$?

# Every lesson is on every node, and the views are equal.
# shellcheck disable=SC2046
if poll 30 g_views "$N" $(g_homes all); then
	echo "  check: all $N views equal after the bench"
else
	echo "  check: views differ after the bench" >&2; rv=1
fi
if ! sanitizer_clean; then echo "  sanitizer reports in $T" >&2; fi
exit $rv
