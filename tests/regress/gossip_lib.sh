# gossip_lib.sh — a network of N real knowd daemons on 127.0.0.1 for the
# gossip test (tests/regress/gossip.sh) and bench (bench/gossip.sh).
# Source it after lib.sh (it uses $T, node_init, node_start, kctl, pin_port…).
#
# Nodes are $T/n0 … $T/n(N-1), in the arrays G (homes). Node i > 0 gets 1–2
# `peer` lines to random earlier nodes, so the graph is connected and sparse.
# The topology comes from bash's generator seeded with $GOSSIP_SEED (printed;
# set it to replay a failure). Every node has `mirror = all` and
# `sync_interval = $G_SYNC` (default 2 s) unless G_MIRROR / G_SYNC say otherwise.
# The nodes are one network of members, not strangers: each admits every
# other (`admit` lines, PROTOCOL.md §4.8), since `mirror = all` keeps only
# admitted nodes and a node serves only the peers it admits.

: "${GOSSIP_SEED:=$RANDOM}"
RANDOM=$GOSSIP_SEED
echo "gossip: GOSSIP_SEED=$GOSSIP_SEED (rerun with GOSSIP_SEED=$GOSSIP_SEED to replay)"
: "${G_SYNC:=2}"
: "${G_MIRROR:=all}"
# python3 on PATH may be a pyenv shim that takes ~1 s to start; the helpers
# here (and lib.sh's json_get) call python3 per node per poll, so use the
# system interpreter when there is one.
if [ -x /usr/bin/python3 ]; then
	python3() { /usr/bin/python3 "$@"; }
	export -f python3
fi
G=()		# node homes
G_PEERS=()	# G_PEERS[i]: indexes of the nodes node i has `peer` lines to

# g_now_ms: wall clock in milliseconds.
g_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# g_conf HOME KEY VALUE: sets (or adds) one knowd.conf line; only while stopped
# or before the first start.
g_conf() {
	if grep -q "^$2 = " "$1/knowd.conf"; then
		sed -i "s|^$2 = .*|$2 = $3|" "$1/knowd.conf"
	else
		echo "$2 = $3" >>"$1/knowd.conf"
	fi
}

# g_admit_others HOME: admit lines in HOME's knowd.conf (before its start) for
# every node of G but HOME itself.
g_admit_others() {
	local o
	for o in "${G[@]}"; do
		[ "$o" = "$1" ] || echo "admit = $(cat "$o.did")" >>"$1/knowd.conf"
	done
}

# g_add NAME [INIT ARGS…]: creates, starts and pins node number ${#G[@]}, with
# 1–2 peer lines to random earlier nodes; prints nothing, sets G_LAST (index).
g_add() {
	local name=$1 i=${#G[@]} h k j picks="" args=(); shift
	h=$T/n$i
	if [ "$i" -gt 0 ]; then
		k=$((1 + RANDOM % 2)); [ "$k" -gt "$i" ] && k=$i
		while [ "$(echo $picks | wc -w)" -lt "$k" ]; do
			j=$((RANDOM % i))
			case " $picks " in *" $j "*) ;; *) picks="$picks $j" ;; esac
		done
		for j in $picks; do args+=(--peer "$(cat "${G[$j]}.did")@$(cat "${G[$j]}.addr")"); done
	fi
	[ "$G_MIRROR" = all ] && args+=(--mirror all)
	node_init "$h" "$name" --listen 127.0.0.1:0 "${args[@]}" "$@" || return 1
	g_conf "$h" sync_interval "$G_SYNC"
	g_admit_others "$h"
	for j in "${G[@]}"; do		# the running members admit the newcomer
		kctl "$j" admit "$(cat "$h.did")" >/dev/null 2>&1 || true
	done
	G+=("$h"); G_PEERS+=("${picks# }"); G_LAST=$i
	node_start "$h" || return 1
	pin_port "$h"
	sed -n 's/^listen = //p' "$h/knowd.conf" >"$h.addr"
}

# g_net N: N nodes "Gemeinde 00" … in the sparse topology; prints it. All are
# created and started in parallel, then each learns its peers by `knowctl peer
# add` (kept in knowd.conf as `peer` lines, like the ones g_add writes).
g_net() {
	local n=$1 i j k h picks base=${#G[@]} pids=() args=()
	[ "$G_MIRROR" = all ] && args+=(--mirror all)
	for ((i = base; i < base + n; i++)); do
		h=$T/n$i
		G+=("$h")
		node_init "$h" "$(printf 'Gemeinde %02d' "$i")" --listen 127.0.0.1:0 "${args[@]}" &
		pids+=($!)
	done
	for j in "${pids[@]}"; do wait "$j" || { echo "node_init failed" >&2; return 1; }; done
	for ((i = base; i < base + n; i++)); do
		g_conf "${G[$i]}" sync_interval "$G_SYNC"
		g_admit_others "${G[$i]}"
		g_start_nowait "$i"
	done
	for ((i = base; i < base + n; i++)); do
		h=${G[$i]}
		poll 30 g_listening "$h" || { echo "knowd on $h did not come up:" >&2; tail -5 "$h.log" >&2; return 1; }
		sed -i "s/^listen = .*/listen = $(g_listening "$h")/" "$h/knowd.conf"
		g_listening "$h" >"$h.addr"
	done
	for ((i = base; i < base + n; i++)); do
		picks=""
		if [ "$i" -gt 0 ]; then
			k=$((1 + RANDOM % 2)); [ "$k" -gt "$i" ] && k=$i
			while [ "$(echo $picks | wc -w)" -lt "$k" ]; do
				j=$((RANDOM % i))
				case " $picks " in *" $j "*) ;; *) picks="$picks $j" ;; esac
			done
			for j in $picks; do
				kctl "${G[$i]}" peer add "$(cat "${G[$j]}.did")@$(cat "${G[$j]}.addr")" >/dev/null ||
				    { echo "peer add n$i→n$j failed" >&2; return 1; }
			done
		fi
		G_PEERS+=("${picks# }")
	done
	g_topology
}

# g_listening HOME: the address the running knowd listens on, from its log.
g_listening() {
	local a
	a=$(sed -n 's/.*listening for peers on \(.*\)$/\1/p' "$1.log" | tail -n 1)
	[ -n "$a" ] && kctl "$1" status >/dev/null 2>&1 && echo "$a"
}

# g_topology: one line, "1→0 2→0,1 …".
g_topology() {
	local i s="" p
	for ((i = 1; i < ${#G[@]}; i++)); do
		p=${G_PEERS[$i]}; s="$s $i→${p// /,}"
	done
	echo "gossip: topology (node→its peer lines):$s"
}

# g_homes I…: the homes of node indexes; "all" for every node.
g_homes() {
	local i
	if [ "$1" = all ]; then echo "${G[@]}"; return; fi
	for i in "$@"; do printf '%s ' "${G[$i]}"; done
}

# g_views [MIN] HOME…: one knowctl status per node; succeeds when every view is
# equal and every node holds at least MIN branches (a number first, optional).
# Prints "view branches" per node, for failure messages.
g_views() {
	local min=0
	case "$1" in [0-9]*) min=$1; shift ;; esac
	python3 - "$KNOWCTL" "$min" "$@" <<'PY'
import json, subprocess, sys
kc, mn, homes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
views, ok = [], True
procs = [subprocess.Popen([kc, "--home", h, "status", "--json"], stdout=subprocess.PIPE,
         stderr=subprocess.DEVNULL) for h in homes]   # all at once: one poll costs one knowctl
for h, p in zip(homes, procs):
    try:
        s = json.loads(p.communicate(timeout=20)[0])
        views.append(s["view"])
        print(h.rsplit("/", 1)[-1], s["view"][:12], s["branches"])
        if s["branches"] < mn:
            ok = False
    except Exception as e:
        print(h, "no status:", e)
        ok = False
sys.exit(0 if ok and len(set(views)) == 1 else 1)
PY
}

# g_converge DESC TIMEOUT [MIN] HOME…: polls g_views until it succeeds; a check
# that prints how long it took, or every node's view on failure.
g_converge() {
	local d=$1 limit=$2 start; shift 2
	start=$(g_now_ms)
	if poll "$limit" g_views "$@"; then
		pass "$d ($(( $(g_now_ms) - start )) ms)"
	else
		fail "$d: views still differ after ${limit}s:"
		g_views "$@" | sed 's/^/    /' >&2
		return 1
	fi
}

# g_lesson: writes a new lesson draft with its own title; prints the file.
g_lesson() {
	local f u
	u=$(date +%s%N)-$BASHPID	# unique also in parallel subshells
	f=$T/lesson-$u.md
	sed "s/^title: .*/title: Gossip-Lektion $u/" \
	    "$ROOT/contrib/examples/muenster-pilotstrasse.md" >"$f"
	echo "$f"
}

# g_publish I: publishes a new lesson on node I; prints its record id.
g_publish() { kctl "${G[$1]}" publish "$(g_lesson)"; }

# g_holders ID HOME…: prints how many of the nodes can show record ID.
g_holders() {
	local id=$1 h n=0; shift
	for h in "$@"; do has_record "$h" "$id" && n=$((n + 1)); done
	echo "$n"
}
# g_all_hold "ID…" HOME…: every one of the nodes lists every one of the ids
# (one `knowctl list --json` per node); names what is missing.
g_all_hold() {
	python3 - "$KNOWCTL" "$@" <<'PY'
import json, subprocess, sys
kc, ids, homes = sys.argv[1], set(sys.argv[2].split()), sys.argv[3:]
bad = 0
procs = [subprocess.Popen([kc, "--home", h, "list", "--json"], stdout=subprocess.PIPE,
         stderr=subprocess.DEVNULL) for h in homes]
for h, p in zip(homes, procs):
    try:
        have = {x["id"] for x in json.loads(p.communicate(timeout=20)[0])}
    except Exception:
        have = set()
    if ids - have:
        bad += 1
        print(h.rsplit("/", 1)[-1], "lacks", " ".join(sorted(ids - have)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# g_forget PID: drops PID from lib.sh's list, so the exit trap never signals a
# PID that may have been reused.
g_forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

# g_stop I…: SIGTERM each node and wait for it.
g_stop() {
	local i p
	for i in "$@"; do
		p=$(cat "${G[$i]}.pid")
		node_stop "${G[$i]}" || fail "n$i: knowd exited with $? on SIGTERM"
		g_forget "$p"
	done
}

# g_kill9 I: kill -9 node I and reap it.
g_kill9() {
	local p
	p=$(cat "${G[$1]}.pid")
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	g_forget "$p"
}

# g_start I…: starts each node again (it listens on its pinned port); a node
# that does not come up is a failure, the others are still started.
g_start() {
	local i rv=0
	for i in "$@"; do node_start "${G[$i]}" || { fail "restart n$i"; rv=1; }; done
	return $rv
}

# g_range A B: the integers A … B.
g_range() { seq "$1" "$2" | tr '\n' ' '; }

# g_start_nowait I: starts node I without waiting for its control socket (for
# killing it early); sets LASTPID.
g_start_nowait() {
	local h=${G[$1]}
	"$KNOWD" --home "$h" -d 2>>"$h.log" &
	LASTPID=$!
	PIDS+=("$LASTPID")
	echo "$LASTPID" >"$h.pid"
}

# g_wait_log TIMEOUT FILE FROMLINE REGEX: waits (10 ms steps) until a line after
# FROMLINE of FILE matches REGEX.
g_wait_log() {
	local limit=$(( $1 * 100 )) n=0
	until tail -n "+$(( $3 + 1 ))" "$2" 2>/dev/null | grep -Eq "$4"; do
		n=$((n + 1)); [ "$n" -gt "$limit" ] && return 1
		sleep 0.01
	done
}

# g_lines FILE: its number of lines (0 when missing).
g_lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# g_forks_watch FILE HOME…: in the background, polls every node's status --json
# and writes "node oid seq" to FILE the first time one shows a fork; sets
# G_WATCH (its PID; stop it with kill). A fork the owner heals is visible only
# until the heal arrives, so this samples instead of waiting for it.
g_forks_watch() {
	local f=$1; shift
	# exec: the background job is python itself, so $! (and lib.sh's
	# cleanup, through PIDS) ends it; a plain "python3 … <<PY &" in a
	# function ran under a subshell whose kill left python orphaned.
	( exec python3 - "$KNOWCTL" "$f" "$@" ) <<'PY' &
import json, subprocess, sys, time
kc, out, homes = sys.argv[1], sys.argv[2], sys.argv[3:]
end = time.time() + 180
while time.time() < end:
    for h in homes:
        r = subprocess.run([kc, "--home", h, "status", "--json"], capture_output=True)
        try:
            forks = json.loads(r.stdout).get("forks") or []
        except Exception:
            continue
        if forks:
            with open(out, "w") as f:
                f.write("%s: %s\n" % (h.rsplit("/", 1)[-1], json.dumps(forks[0])))
            sys.exit(0)
PY
	G_WATCH=$!
	PIDS+=("$G_WATCH")
}
