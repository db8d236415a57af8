#!/usr/bin/env bash
# tests/layering.sh — checks the floors of the house (doc/DESIGN.md §2).
#
# Every folder of the source is a room on a floor. A room may call and
# include only rooms on lower floors (and itself); rooms on the same floor
# are siblings and do not touch each other. From another room, only a
# room's door headers may be included (for the daemon's rooms: one header,
# named after the room). Calls are read from the objects' symbols (nm: who
# defines each function, who uses it), includes from the sources.
#
# Usage: BUILD=build tests/layering.sh   (after make; make check runs it)
# Exit 0 when the house is in order; 1 with one line per violation.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

# room floor doors…  (bottom up)
ROOMS='
util            0 util.h log.h
keys            1 keys.h
protocol        2 chan.h wire.h ctl.h record.h home.h personal.h invite.h cards.h
daemon/conf     3 conf.h
cli             3 cli.h
daemon/store    4 store.h
daemon/search   4 search.h
daemon/peer     4 peer.h
daemon/desk     4 desk.h
daemon/node     5 node.h
daemon/net      6 net.h
daemon/web      6 web.h
daemon/control  7 control.h
daemon          8 -
'
# Exceptions: "caller-room callee-room" pairs allowed across siblings or up.
# Keep this empty; a line here needs a reason in doc/DESIGN.md.
ALLOWED=''

declare -A floor doors
rooms=()
while read -r room fl rest; do
	[ -n "$room" ] || continue
	rooms+=("$room")
	floor[$room]=$fl
	doors[$room]=" $rest "
done <<<"$ROOMS"

echo "layering: the floors, bottom up (a room may use only rooms below it):"
for fl in 0 1 2 3 4 5 6 7 8; do
	line=""
	for r in "${rooms[@]}"; do
		[ "${floor[$r]}" = "$fl" ] && line="$line $r/"
	done
	[ -n "$line" ] && printf '  %d:%s\n' "$fl" "$line"
done

allowed() {	# caller callee
	local a=$1 b=$2
	[ "$a" = "$b" ] && return 0
	[ -n "${floor[$a]:-}" ] && [ -n "${floor[$b]:-}" ] || return 0
	[ "${floor[$b]}" -lt "${floor[$a]}" ] && return 0
	printf '%s\n' "$ALLOWED" | grep -qx "$a $b" && return 0
	return 1
}

bad=0
objs=()
for r in "${rooms[@]}"; do
	for o in "$BUILD/$r"/*.o; do
		# Only objects of sources that exist (a build dir may hold old ones).
		[ -f "$o" ] && [ -f "$r/$(basename "$o" .o).c" ] && objs+=("$o")
	done
done
if [ ${#objs[@]} -lt 20 ]; then
	echo "layering: no objects under $BUILD (run make first)" >&2
	exit 1
fi

# Calls: which room defines each symbol, then each object's undefined ones
# (one awk over nm -A of every object: file:[addr] type symbol).
floors=$(for r in "${rooms[@]}"; do printf '%s=%s ' "$r" "${floor[$r]}"; done)
calls=$({ nm -A --defined-only "${objs[@]}" | sed 's/^/D /'; nm -A -u "${objs[@]}" | sed 's/^/U /'; } |
    awk -v build="$BUILD/" -v floors="$floors" -v allowed="$ALLOWED" '
	BEGIN {
		n = split(floors, f, " ")
		for (i = 1; i <= n; i++) { split(f[i], kv, "="); fl[kv[1]] = kv[2] }
		m = split(allowed, a, "\n")
		for (i = 1; i <= m; i++) ok[a[i]] = 1
	}
	function room(file,   d) {
		sub(/:.*/, "", file); sub("^" build, "", file)
		d = file; sub(/\/[^\/]*$/, "", d); return d
	}
	$1 == "D" && $(NF-1) ~ /^[TDBR]$/ { def[$NF] = room($2) }
	$1 == "U" { use[++nu] = room($2) " " $NF " " $2 }
	END {
		for (i = 1; i <= nu; i++) {
			split(use[i], u, " "); r = u[1]; s = u[2]; d = def[s]
			if (d == "" || d == r || (r " " d) in ok) continue
			if (fl[d] < fl[r]) continue
			o = u[3]; sub(/:.*/, "", o)
			printf "layering: %s (floor %d, %s/) calls %s of %s/ (floor %d)\n", o, fl[r], r, s, d, fl[d]
		}
	}')
if [ -n "$calls" ]; then
	echo "$calls"
	bad=1
fi

# Includes: a header from another room must be one of its doors, on a lower floor.
declare -A home_of
for r in "${rooms[@]}"; do
	for h in "$r"/*.h; do
		[ -f "$h" ] && home_of[$(basename "$h")]=$r
	done
done
for r in "${rooms[@]}"; do
	for f in "$r"/*.c "$r"/*.h; do
		[ -f "$f" ] || continue
		while read -r inc; do
			hr=${home_of[$inc]:-}
			[ -n "$hr" ] && [ "$hr" != "$r" ] || continue
			if ! allowed "$r" "$hr"; then
				echo "layering: $f ($r/, floor ${floor[$r]}) includes $inc of $hr/ (floor ${floor[$hr]})"
				bad=1
			elif [[ "${doors[$hr]}" != *" $inc "* ]]; then
				echo "layering: $f includes $inc, which is not a door of $hr/ (doors:${doors[$hr]})"
				bad=1
			fi
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
done

if [ "$bad" -ne 0 ]; then
	echo "layering: FAILED — see doc/DESIGN.md §2 for what may call what"
	exit 1
fi
echo "layering: ok — ${#objs[@]} objects, every call and include goes down a floor or stays in its room"
