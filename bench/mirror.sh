#!/usr/bin/env bash
# bench/mirror.sh — a regional mirror of many nodes (issue: "A regional mirror
# of all Germany"). For each N: generates N origin branches with real keys and
# signatures (bench/mirror_gen: node.md, a project, LESSONS lessons, one signed
# commit each), serves them from one knowd (mirror = all), and measures beside
# stock git moving the same repository in the same run:
#   - full mirror: a fresh mirror = all node syncs every branch, every commit
#     verified, until its view equals the source's; beside
#     `git clone --mirror` over git:// (git daemon) of the source's repo.git
#   - start: knowd on the mirror restarted with N branches held, until it
#     answers knowctl
#   - one hop: a lesson published on the source until the mirror holds it
#   - knowctl status on the mirror; mirror RSS; an in-sync anti-entropy
#     round's bytes; the mirror's repository size beside the clone's
#
# Usage: BUILD=build bench/mirror.sh [LESSONS [N ...]]   (default: 10  100 1000 11000)
#   MIRROR_VERIFY=0 skips knowctl verify on the source (it takes ~1 s per 1,000 nodes).
# Not part of make check. Needs git (git daemon) and python3.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KNOWD=$PWD/$BUILD/knowd
KNOWCTL=$PWD/$BUILD/knowctl
GEN=$PWD/$BUILD/bench/mirror_gen
LESSONS=${1:-10}
shift || true
SIZES=${*:-100 1000 11000}
for b in "$KNOWD" "$KNOWCTL" "$GEN"; do
	[ -x "$b" ] || { echo "bench/mirror: $b missing (make bench)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-mirror.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
kc() { "$KNOWCTL" --home "$@"; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# Waits until cmd succeeds (up to $1 s, polling every 20 ms); 1 on timeout.
poll() {
	local limit=$(( $(now_ms) + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt "$limit" ] || return 1
		sleep 0.02
	done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
# RSS split into anonymous memory and mapped files (pack windows, SQLite), MiB.
rss_split() { awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "anon %d + files %d", a/1024, f/1024}' "/proc/$1/status"; }
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# True when process $1 used under 0.1 CPU-seconds in 2 s (its background work is done).
quiet() { local c0; c0=$(cpu_s "$1"); sleep 2; [ "$(echo "$(cpu_s "$1") - $c0 < 0.1" | bc)" = 1 ]; }
# True when repository $1 has at most 16 packs (no repack is due) and knowd $2 is quiet.
settled() { [ "$(find "$1/objects/pack" -name '*.pack' | wc -l)" -le 16 ] && quiet "$2"; }
# Starts knowd on home $1 (log $1.log) in the background; its PID in $STARTED.
start() {
	"$KNOWD" --home "$1" 2>>"$1.log" &
	STARTED=$!
	PIDS+=("$STARTED")
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
mb() { du -sm "$1" | cut -f1; }

row() { printf '%-44s %12s %12s\n' "$@"; }

for N in $SIZES; do
	D=$T/n$N
	mkdir -p "$D"
	echo "== bench/mirror: N = $N branches x $LESSONS lessons ($((N * (LESSONS + 2))) signed commits), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
	"$KNOWD" init --home "$D/src" --name "Quelle" --listen 127.0.0.1:0 >/dev/null
	printf 'mirror = all\nhttp = off\n' >>"$D/src/knowd.conf"
	t0=$(now_ms)
	"$GEN" "$D/src/repo.git" "$N" "$LESSONS" 2>"$D/gen.log" || { tail "$D/gen.log"; exit 1; }
	echo "generated in $(( ($(now_ms) - t0) / 1000 )) s; source repo $(mb "$D/src/repo.git") MiB"
	# mirror = all keeps admitted nodes only (PROTOCOL.md §4.8): the
	# generated nodes are members of the network, admitted by source and mirror.
	git -C "$D/src/repo.git" for-each-ref --format='%(refname)' refs/namespaces |
	    sed -n 's|^refs/namespaces/\([^/]*\)/refs/heads/main$|admit = \1|p' >"$D/admit.conf"
	cat "$D/admit.conf" >>"$D/src/knowd.conf"

	t0=$(now_ms)
	start "$D/src"; SRC=$STARTED
	poll 3600 kc "$D/src" status || { echo "source did not start" >&2; tail "$D/src.log"; exit 1; }
	src_start=$(( $(now_ms) - t0 ))
	src_addr=$(kc "$D/src" status --json | json 'd["listen"]')
	src_id=$(kc "$D/src" id --json | json 'd["id"]')
	if [ "${MIRROR_VERIFY:-1}" = 1 ]; then
		t0=$(now_ms)
		kc "$D/src" verify >/dev/null || { echo "knowctl verify failed on the source" >&2; exit 1; }
		echo "knowctl verify on the source: every branch good in $(( $(now_ms) - t0 )) ms"
	fi

	# A source in its steady state: its search index has caught up with
	# the generated branches before either side fetches from it.
	indexed() { [ "$(kc "$1" status --json | json 'd["index"]["lagging"]')" = 0 ]; }
	t0=$(now_ms)
	poll 3600 indexed "$D/src"
	echo "source search index caught up $(( $(now_ms) - t0 )) ms after it answered"

	# Stock git: git daemon over the source's repository, git clone --mirror.
	port=$(free_port)
	git daemon --reuseaddr --export-all --base-path="$D/src" --listen=127.0.0.1 \
	    --port="$port" "$D/src" 2>"$D/gitd.log" &
	PIDS+=("$!"); GITD=$!
	poll 10 git ls-remote "git://127.0.0.1:$port/repo.git" HEAD
	t0=$(now_ms)
	git clone -q --mirror "git://127.0.0.1:$port/repo.git" "$D/clone.git" || exit 1
	git_ms=$(( $(now_ms) - t0 ))
	stop "$GITD"

	# The mirror: a fresh mirror = all node with the source as its one peer.
	"$KNOWD" init --home "$D/mir" --name "Landesagentur" --listen 127.0.0.1:0 \
	    --peer "$src_id@$src_addr" --mirror all >"$D/mir.did"
	printf 'http = off\nsync_interval = 5\nadmit = %s\n' "$src_id" >>"$D/mir/knowd.conf"
	cat "$D/admit.conf" >>"$D/mir/knowd.conf"
	kc "$D/src" admit "$(sed -n 1p "$D/mir.did")" >/dev/null ||
	    { echo "the source could not admit the mirror" >&2; exit 1; }
	want=$((N + 2))		# the generated branches, the source's own, its own
	src_view=$(kc "$D/src" status --json | json 'd["view"]')
	held() { [ "$(kc "$D/mir" status --json | json 'd["branches"]')" -ge "$want" ]; }
	synced() { [ "$(kc "$D/mir" status --json | json 'd["view"]')" = "$1" ]; }
	src_cpu0=$(cpu_s "$SRC")
	t0=$(now_ms)
	start "$D/mir"; MIR=$STARTED
	poll 7200 held || { echo "mirror did not get every branch" >&2; tail "$D/mir.log"; exit 1; }
	mirror_ms=$(( $(now_ms) - t0 ))
	mir_rss=$(rss_kib "$MIR"); mir_hwm=$(hwm_kib "$MIR"); mir_split=$(rss_split "$MIR")
	mir_cpu=$(cpu_s "$MIR"); src_cpu=$(echo "$(cpu_s "$SRC") - $src_cpu0" | bc)
	# The search index catches up in the background: until it has, the
	# node is not in its steady state (one hop and RSS are measured after).
	poll 3600 indexed "$D/mir"; poll 3600 indexed "$D/src"
	index_ms=$(( $(now_ms) - t0 ))
	mir_rss_idx=$(rss_kib "$MIR"); mir_split_idx=$(rss_split "$MIR")

	# One new lesson, one hop.
	sed "s/^title: .*/title: Neu auf der Quelle/" contrib/examples/muenster-pilotstrasse.md >"$D/new.md"
	t0=$(now_ms)
	id=$(kc "$D/src" publish "$D/new.md" --json | json 'd["id"]')
	poll 60 kc "$D/mir" show "$id"
	hop_ms=$(( $(now_ms) - t0 ))
	# The same hop inside the daemons, from their logs (one clock): the
	# source's "published" line to the mirror's "branch …: +1 commit(s)".
	hop_log=$(python3 - "$D/src.log" "$D/mir.log" "$id" <<'PY'
import re, sys
def ms(line):
    h, m, s = line[:12].split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000 + round(float(s) * 1000)
pub = [l for l in open(sys.argv[1]) if "published lesson " + sys.argv[3] in l]
src_nid = re.search(r"node did:key:(\S+)", open(sys.argv[1]).read())
got = [l for l in open(sys.argv[2]) if src_nid and "branch " + src_nid.group(1) + ": +" in l]
print(ms(got[-1]) - ms(pub[-1]) if pub and got else "?")
PY
)

	# knowctl status on the mirror: the best of five.
	status_ms=999999
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N); kc "$D/mir" status >/dev/null
		t=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ "$t" -lt "$status_ms" ] && status_ms=$t
	done

	# An in-sync anti-entropy round: bytes both ways over one 5 s interval.
	b0=$(kc "$D/mir" peers --json | json 'sum(p["bytes_in"] + p["bytes_out"] for p in d)')
	sleep 10
	b1=$(kc "$D/mir" peers --json | json 'sum(p["bytes_in"] + p["bytes_out"] for p in d)')
	ae_bytes=$(( (b1 - b0) / 2 ))
	# In sync, one hop and 10 s of anti-entropy later: the steady state.
	mir_rss_st=$(rss_kib "$MIR"); mir_split_st=$(rss_split "$MIR")
	# The upkeep merges the sync's packs, 48 MiB at a time, a minute apart:
	# the steady state is when it is done and the daemon is idle.
	t1=$(now_ms)
	poll 1200 settled "$D/mir/repo.git" "$MIR" || echo "the mirror's upkeep did not settle in 20 min" >&2
	settle_s=$(( ($(now_ms) - t1) / 1000 ))
	mir_rss_up=$(rss_kib "$MIR"); mir_split_up=$(rss_split "$MIR"); mir_hwm_up=$(hwm_kib "$MIR")
	# Flat over time: a minute later, anti-entropy rounds and one more
	# lesson (one hop) in between.
	sed "s/^title: .*/title: Noch eine Lektion/" contrib/examples/muenster-pilotstrasse.md >"$D/new2.md"
	id2=$(kc "$D/src" publish "$D/new2.md" --json | json 'd["id"]')
	poll 60 kc "$D/mir" show "$id2" || echo "the second lesson did not reach the mirror" >&2
	sleep 60
	mir_rss_later=$(rss_kib "$MIR")

	# Restart the mirror with N held.
	stop "$MIR"
	t0=$(now_ms)
	start "$D/mir"; MIR=$STARTED
	poll 3600 kc "$D/mir" status
	restart_ms=$(( $(now_ms) - t0 ))
	mir_rss2=$(rss_kib "$MIR"); mir_split2=$(rss_split "$MIR")
	stop "$MIR"; stop "$SRC"
	# The disk beside a clone of the same lessons: the two published for
	# the hop and the minute came after the timed clone (a clone over the
	# pack protocol, as over git://).
	git clone -q --mirror --no-local "$D/src/repo.git" "$D/clone-end.git" || exit 1

	row "" "knowd" "stock git"
	row "full mirror (s)" "$(echo "scale=2; $mirror_ms / 1000" | bc)" "$(echo "scale=2; $git_ms / 1000" | bc)"
	echo "  ratio knowd / git clone --mirror: $(echo "scale=1; $mirror_ms / $git_ms" | bc)x   [target <= 1.5x]"
	echo "  CPU during the full mirror: source $src_cpu s, mirror $mir_cpu s ($(nproc) CPUs)"
	row "repository on disk (MiB)" "$(mb "$D/mir/repo.git")" "$(mb "$D/clone-end.git")"
	echo "  ratio: $(echo "scale=2; $(du -sk "$D/mir/repo.git" | cut -f1) / $(du -sk "$D/clone-end.git" | cut -f1)" | bc)x, beside a clone of the same lessons at the end   [target <= 1.2x]"
	echo "  source start with $N held: $src_start ms; mirror restart with $N held: $restart_ms ms   [target <= 2000 ms]"
	echo "  one new lesson, one hop: $hop_ms ms (knowctl publish to knowctl show); in the daemons' logs: $hop_log ms   [target <= 50 ms]"
	echo "  knowctl status on the mirror: $status_ms ms   [target <= 20 ms]"
	echo "  search index caught up on both: $((index_ms / 1000)) s after the mirror started"
	echo "  mirror RSS when every branch was held: $((mir_rss / 1024)) MiB (peak $((mir_hwm / 1024)) MiB), index caught up: $((mir_rss_idx / 1024)) MiB, in sync 10 s later: $((mir_rss_st / 1024)) MiB, upkeep done ${settle_s} s later: $((mir_rss_up / 1024)) MiB, a minute later: $((mir_rss_later / 1024)) MiB, after restart: $((mir_rss2 / 1024)) MiB   [target <= 128 MB]"
	echo "    of which: all held $mir_split; index caught up $mir_split_idx; in sync $mir_split_st; upkeep done $mir_split_up; after restart $mir_split2; peak $((mir_hwm_up / 1024)) MiB"
	echo "  in-sync traffic, 10 s at sync_interval 5 (2 rounds, keepalives included): $ae_bytes B per round   [target <= 1 KB]"
	rm -rf "$D"
done
