#!/usr/bin/env bash
# bench/publish: publish N records (default 1000) into one node through
# knowctl, and print records/s and knowd's peak RSS — side by side with stock
# git making the same number of SSH-signed commits of the same files.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-1000}
KNOWD=$PWD/$BUILD/knowd
KNOWCTL=$PWD/$BUILD/knowctl
T=$(mktemp -d "${TMPDIR:-/tmp}/knowd-bench.XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

"$KNOWD" init --home "$T/node" --name "Bench-Stadt" --listen 127.0.0.1:0 >/dev/null
"$KNOWD" --home "$T/node" 2>"$T/knowd.log" &
PID=$!
until "$KNOWCTL" --home "$T/node" status >/dev/null 2>&1; do sleep 0.05; done

# N lesson drafts from the example, each with its own title.
mkdir "$T/in"
for i in $(seq 1 "$N"); do
	sed "s/^title: .*/title: Pilotstraße Abschnitt $i/" contrib/examples/muenster-pilotstrasse.md >"$T/in/$i.md"
done

now() { date +%s.%N; }
t0=$(now)
for i in $(seq 1 "$N"); do
	"$KNOWCTL" --home "$T/node" publish "$T/in/$i.md" >/dev/null || { echo "publish $i failed" >&2; exit 1; }
done
t1=$(now)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
"$KNOWCTL" --home "$T/node" verify >/dev/null || { echo "verify failed" >&2; exit 1; }

# The peer: stock git committing the same files, each commit signed with the
# same kind of key (ssh-keygen ed25519, gpg.format=ssh), one process per commit.
ssh-keygen -q -t ed25519 -N '' -f "$T/gitkey"
git init -q "$T/git"
git -C "$T/git" config user.name Bench; git -C "$T/git" config user.email bench@example.org
git -C "$T/git" config gpg.format ssh; git -C "$T/git" config user.signingkey "$T/gitkey"
t2=$(now)
for i in $(seq 1 "$N"); do
	cp "$T/in/$i.md" "$T/git/$i.md"
	git -C "$T/git" add "$i.md" && git -C "$T/git" commit -q -S -m "publish $i" || exit 1
done
t3=$(now)

python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$rss" <<'PY'
import sys
n, t0, t1, t2, t3, rss = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
k, g = t1 - t0, t3 - t2
print(f"bench/publish: {n} records, one knowctl/git process per record")
print(f"  {'':28} {'seconds':>8} {'records/s':>10}")
print(f"  {'knowd (knowctl publish)':28} {k:8.2f} {n / k:10.1f}   knowd peak RSS {rss / 1024:.1f} MiB")
print(f"  {'stock git (add + commit -S)':28} {g:8.2f} {n / g:10.1f}")
PY
