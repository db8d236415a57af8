#!/usr/bin/env bash
# Years of uptime, descriptors (issue 12, items 1 and 2): a node under
# `prlimit --nofile=64` receives 70 updates one at a time (one pack each)
# and stays within its limit — packs merged, pack files closed — and can
# still publish; its peer listener, out of descriptors because 100
# strangers hold connections, neither spins nor floods the log, and serves
# again once they leave.
. "$(dirname "$0")/lib.sh"
command -v prlimit >/dev/null || { echo "SKIP: prlimit (util-linux) not installed"; exit 0; }

A=$T/a B=$T/b N=70
node_init "$A" "Stadt Münster" --listen 127.0.0.1:0 || fail "init A"
node_init "$B" "Stadt Beckum" --listen 127.0.0.1:0 || fail "init B"
node_start "$A" || { fail "start A"; finish; }
pin_port "$A"
NODE_WRAP="prlimit --nofile=64" KNOWD_TEST_UPKEEP_SECS=2 node_start "$B" ||
	{ fail "start B under prlimit --nofile=64"; finish; }
BPID=$LASTPID
pin_port "$B"
kctl "$A" trust add "$(cat "$B.did")" --name b >/dev/null || fail "trust B"
kctl "$B" trust add "$(cat "$A.did")" --name a >/dev/null || fail "trust A"
kctl "$B" peer add "$(cat "$A.did")@$(node_addr "$A")" >/dev/null || fail "peer add"
check "B connects to A" poll 15 bash -c "'$KNOWCTL' --home '$B' peers | grep -q ready"

# fds PID: open descriptors of a process.
fds() { ls "/proc/$1/fd" | wc -l; }
lesson() {
	sed "s/^title: .*/title: Lektion Nummer $1 aus Münster/" \
	    "$ROOT/contrib/examples/muenster-pilotstrasse.md" >"$T/l$1.md"
	echo "$T/l$1.md"
}

got=0 maxfd=0
for i in $(seq 1 $N); do
	id=$(kctl "$A" publish "$(lesson "$i")") || { fail "publish $i on A"; break; }
	if ! poll 20 has_record "$B" "$id"; then
		fail "update $i of $N did not reach B (under 64 descriptors)"
		tail -5 "$B.log" >&2
		break
	fi
	got=$i
	f=$(fds "$BPID"); [ "$f" -gt "$maxfd" ] && maxfd=$f
done
echo "  B received $got of $N updates; at most $maxfd descriptors open"
check "all $N updates reached B" test "$got" = "$N"
check "B never needed more than 60 descriptors" test "$maxfd" -le 60
check "B publishes its own lesson" kctl "$B" publish - <"$ROOT/contrib/examples/beckum-bestandsaufnahme.md"
# few_packs: B holds at most 17 packs (status, like git count-objects).
few_packs() {
	[ "$(kctl "$B" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["repository"]["packs"])')" -le 17 ]
}
check "B's packs were merged (at most 17 left)" poll 30 few_packs
check "status names packs and open files" bash -c "'$KNOWCTL' --home '$B' status | grep -q 'open files'"
check "B: fsck --strict and git verify-commit on every branch" git_clean "$B"

# 100 strangers hold connections to B's peer port: accept hits EMFILE.
addr=$(node_addr "$B")
cat >"$T/hold.py" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
conns = []
for _ in range(100):
    try:
        conns.append(socket.create_connection((host, int(port)), timeout=2))
    except OSError:
        pass
print(len(conns), flush=True)
time.sleep(float(sys.argv[2]))
PY
lines0=$(grep -c "accept" "$B.log")
cpu0=$(awk '{print $14 + $15}' "/proc/$BPID/stat")
"$PY" "$T/hold.py" "$addr" 6 >"$T/hold.out" &
HOLD=$!
PIDS+=("$HOLD")
poll 10 test -s "$T/hold.out"
sleep 5		# the window measured: what B burns while out of descriptors
cpu1=$(awk '{print $14 + $15}' "/proc/$BPID/stat")
lines1=$(grep -c "accept" "$B.log")
ticks=$(getconf CLK_TCK)
echo "  while out of descriptors for 5 s: $(( (cpu1 - cpu0) * 1000 / ticks )) ms CPU, $((lines1 - lines0)) log lines about accept"
check "B does not spin on EMFILE (under 1 s CPU in 5 s)" test $(( (cpu1 - cpu0) * 1000 / ticks )) -lt 1000
check "B logs it at most a few times" test $((lines1 - lines0)) -le 5
check "knowctl still reaches B" kctl "$B" status
wait "$HOLD"
id=$(kctl "$A" publish "$(lesson 999)")
check "after the strangers left, A's next update reaches B" poll 30 has_record "$B" "$id"
finish
