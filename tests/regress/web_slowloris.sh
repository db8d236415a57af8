#!/usr/bin/env bash
# web_slowloris — the web view's connections are bounded (issue 12, item 8):
# clients sending headers a byte a second are closed at the request
# deadline (their bytes do not push it back); 1,000 of them from one
# address hold at most WEB_MAX_PER_ADDR (64) connections, a crowd of idle
# ones from other addresses at most WEB_MAX_CONNS (256) in all, and a
# browser from yet another address is answered every time; under 64 open
# files the caps shrink, so web clients leave room for knowctl.
. "$(dirname "$0")/lib.sh"

H=$T/ms
node_init "$H" "Stadt Münster" --kind municipality --listen off || exit 1
echo "http = 127.0.0.1:0" >>"$H/knowd.conf"
node_start "$H" || exit 1
HTTP=$(kctl "$H" status --json | json_get http)
PORT=${HTTP##*:}
KPID=$(cat "$H.pid")

FLOODS=()
# flood NAME ARGS...: starts flood.py against the web port, status in $T/NAME.
flood() {
	local name=$1; shift
	rm -f "$T/$name"
	"$PY" "$ROOT/tests/regress/flood.py" --tcp "127.0.0.1:$PORT" --proto http \
		--status "$T/$name" "$@" &
	FLOODS+=("$!")
	PIDS+=("$!")
}
# stop_floods: ends every flood started.
stop_floods() {
	local p
	for p in "${FLOODS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	FLOODS=()
}
# field NAME N: the Nth word of a flood's status line (2 open, 4 closed).
field() { [ -f "$T/$1" ] && awk -v n="$2" '{print $n}' "$T/$1"; }
atleast() { local v; v=$(field "$1" "$2") && [ -n "$v" ] && [ "$v" -ge "$3" ]; }
# conns [ADDR]: connections knowd accepted on the web port (from ADDR); the
# accept queue's are established too, but no process holds them yet.
conns() {
	local f="( sport = :$PORT )"
	[ $# -gt 0 ] && f="( sport = :$PORT and dst $1 )"
	ss -Htnp state established "$f" | grep -c "pid=$KPID,"
}

# 1. 40 slow clients, room for all: closed at the deadline though each sends a byte a second.
flood slow40 --slow 40 --src 127.0.0.2
poll 10 atleast slow40 2 40 || fail "40 slow clients could not connect"
s=$(date +%s)
if poll 25 atleast slow40 4 40; then
	pass "40 slow clients closed after $(($(date +%s) - s)) s, though each sent a byte a second"
else
	fail "slow clients stayed: $(cat "$T/slow40")"
fi
grep -q "sent no whole request" "$H.log" && pass "logged" || fail "no log line"
stop_floods

# 2. 1,000 slow clients from one address, 5 × 60 idle ones from five others.
flood slow --slow 1000 --src 127.0.0.2
for i in 1 2 3 4 5; do flood "idle$i" --idle 60 --src "127.0.1.$i"; done
poll 20 atleast slow 4 1000 || fail "the slow crowd was never turned away: $(cat "$T/slow")"
ok=0 bad=0 worst=0 maxall=0 maxone=0 end=$(($(date +%s) + 15))
while [ "$(date +%s)" -lt "$end" ]; do
	s=$(date +%s%N)
	if curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/"; then
		ok=$((ok + 1))
		ms=$((($(date +%s%N) - s) / 1000000))
		[ "$ms" -gt "$worst" ] && worst=$ms
	else
		bad=$((bad + 1))
	fi
	n=$(conns); [ "$n" -gt "$maxall" ] && maxall=$n
	n=$(conns 127.0.0.2); [ "$n" -gt "$maxone" ] && maxone=$n
	sleep 0.2
done
fds=$(ls "/proc/$KPID/fd" | wc -l)
echo "start page with 1,000 slow and 300 idle clients: $ok answered (slowest" \
	"$worst ms), $bad failed; connections at most $maxall in all," \
	"$maxone from the slow address; knowd holds $fds descriptors"
[ "$bad" -eq 0 ] && [ "$ok" -gt 10 ] && pass "start page answered every time" ||
	fail "start page failed $bad of $((ok + bad)) times"
[ "$worst" -lt 3000 ] && pass "slowest answer $worst ms" || fail "slowest answer $worst ms"
[ "$maxone" -le 72 ] && pass "at most 64 from one address, 8 more accepted before the eviction ($maxone)" ||
	fail "$maxone connections from one address"
[ "$maxall" -le 264 ] && pass "at most 256 in all, 8 more accepted before the eviction ($maxall)" ||
	fail "$maxall connections in all"
stop_floods
poll 10 curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/" && pass "answers after the crowd" ||
	fail "no answer after the crowd"

node_stop "$H" || fail "knowd exit status"

# 3. Under 64 open files the caps shrink (16 connections, 4 per address):
# 100 web clients cannot take every descriptor, knowctl still gets in,
# and nothing spins.
L=$T/pb
node_init "$L" "Stadt Paderborn" --kind municipality --listen off || exit 1
echo "http = 127.0.0.1:0" >>"$L/knowd.conf"
NODE_WRAP="prlimit --nofile=64" node_start "$L" || exit 1
LPID=$(cat "$L.pid")
LPORT=$(kctl "$L" status --json | json_get http); LPORT=${LPORT##*:}
lines0=$(grep -c "accept" "$L.log")
cpu0=$(awk '{print $14 + $15}' "/proc/$LPID/stat")
for i in 1 2 3 4 5; do
	"$PY" "$ROOT/tests/regress/flood.py" --tcp "127.0.0.1:$LPORT" --idle 20 \
		--src "127.0.2.$i" --status "$T/few$i" &
	FLOODS+=("$!"); PIDS+=("$!")
done
poll 10 test -s "$T/few5" || fail "no flood"
sleep 5		# the window measured: what knowd burns with every slot taken
cpu1=$(awk '{print $14 + $15}' "/proc/$LPID/stat")
lines1=$(grep -c "accept" "$L.log")
ms=$(((cpu1 - cpu0) * 1000 / $(getconf CLK_TCK)))
held=$(ss -Htnp state established "( sport = :$LPORT )" | grep -c "pid=$LPID,")
echo "64 open files, 100 web clients from 5 addresses for 5 s: $held held," \
	"$ms ms CPU, $((lines1 - lines0)) log lines about accept"
[ "$held" -le 24 ] && pass "at most 16 web connections, 8 more accepted before the eviction ($held)" ||
	fail "$held web connections under 64 open files"
[ "$ms" -lt 1000 ] && pass "no spinning ($ms ms CPU in 5 s)" || fail "$ms ms CPU in 5 s"
[ $((lines1 - lines0)) -le 5 ] && pass "logged at most a few times" ||
	fail "$((lines1 - lines0)) log lines about accept"
timeout 10 "$KNOWCTL" --home "$L" status >/dev/null && pass "knowctl still reaches it" ||
	fail "knowctl status under 64 open files"
stop_floods
node_stop "$L" || fail "knowd exit status (descriptors)"
finish
