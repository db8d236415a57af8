#!/usr/bin/env bash
# Erasure from history (issue 15, item 3; PROTOCOL.md §3.6). Five real nodes
# in a sparse random topology. The owner publishes a lesson holding a phone
# number (its operator excepted the number in knowd.conf: the honest way past
# the check on publish), it replicates, the number is edited out (a new
# version) and `knowctl erase ID` publishes a signed erasure notice. Then on
# EVERY node: the number is in no object (git cat-file --batch-all-objects),
# stock git verify-commit passes on every commit of every branch, git fsck
# reports nothing (the repository is a partial clone whose promised blobs are
# exactly the erased ones), views are equal, the history page says the text
# was erased, and new lessons still sync both ways. A node restored from a
# backup taken before the erasure does not bring the text back. Hostile:
# a notice naming another node's blob, or signed by a key other than the
# owner's, is refused and changes nothing. Prints the time from `knowctl
# erase` until the blob is gone on the farthest node.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gossip_lib.sh"

# Every FAIL line again at the end: tests/run.sh shows a failing test's
# last 60 lines only.
FAILED=()
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); FAILED+=("$*"); }
eval "lib_$(declare -f finish)"
finish() {
	local f
	if [ "${#FAILED[@]}" -gt 0 ]; then
		echo "== $TESTNAME: ${#FAILED[@]} failed check(s), as above:" >&2
		for f in "${FAILED[@]}"; do echo "FAIL: $f" >&2; done
	fi
	lib_finish
}
# check_poll DESCRIPTION TIMEOUT CMD...: like check with poll; on failure
# CMD runs once more and its output (what it found) joins the FAIL line.
check_poll() {
	local d=$1 limit=$2; shift 2
	if poll "$limit" "$@"; then pass "$d"; return 0; fi
	check_say "$d; after $limit s" "$@"
}
# check_say DESCRIPTION CMD...: like check, with CMD's output in the FAIL line.
check_say() {
	local d=$1; shift
	if "$@" >"$T/why.out" 2>&1; then pass "$d"; return 0; fi
	fail "$d: $(tr '\n' ' ' <"$T/why.out" | cut -c1-900)"
}

EVIL=${EVILPEER_BIN:-$ROOT/$BUILD/tests/tools/evilpeer}
[ -x "$EVIL" ] || { fail "no $EVIL: make BUILD=$BUILD $BUILD/tests/tools/evilpeer"; finish; }
PHONE="05251 88-4711"
N=5

g_net "$N" || { fail "starting $N nodes"; finish; }
ALL=$(g_homes all)
# shellcheck disable=SC2086
g_converge "$N nodes converge" 60 "$N" $ALL || finish
O=${G[0]}
onid=$(node_nid "$O")
# One node serves its web view, to show the history of an erased lesson.
W=${G[2]}
node_stop "$W"
echo "http = 127.0.0.1:0" >>"$W/knowd.conf"
node_start "$W" || fail "restarting $(basename "$W") with its web view"

# holds_text HOME [TEXT]: some object of HOME's repository holds TEXT (the number).
holds_text() {
	git -C "$1/repo.git" cat-file --batch-all-objects --batch 2>/dev/null |
	    grep -aq "${2:-$PHONE}"
}
# nobody_holds HOME…: no object of any of them holds the number.
nobody_holds() { local h; for h in "$@"; do holds_text "$h" && return 1; done; return 0; }
# nobody_holds_text TEXT: no object of any node holds TEXT.
nobody_holds_text() { local h; for h in $ALL; do holds_text "$h" "$1" && return 1; done; return 0; }
# none_hold ID: no node can show record ID.
none_hold() { local h; for h in $ALL; do has_record "$h" "$1" && return 1; done; return 0; }
# fsck_quiet HOME: git fsck exits 0 and reports no error, missing or broken object.
fsck_quiet() {
	git -C "$1/repo.git" fsck --strict --no-dangling >"$T/fsck.out" 2>&1 &&
	    ! grep -Eiq 'missing|broken|error|corrupt' "$T/fsck.out"
}
# fsck_names_erased HOME: without the promisor remote git names exactly the
# erased blobs missing. The whole remote goes: a git command that met an
# erased blob tried to fetch it lazily and wrote partialclonefilter there,
# which alone keeps the remote a promisor (git 2.39), and fsck then quiet.
fsck_names_erased() {
	local got want
	rm -rf "$T/copy.git" && cp -a "$1/repo.git" "$T/copy.git" &&
	    git -C "$T/copy.git" config --remove-section remote.knowd ||
	    { echo "copying $1/repo.git without its promisor remote failed" >&2; return 1; }
	git -C "$T/copy.git" fsck --no-dangling >"$T/copy.fsck" 2>&1
	got=$(sed -n 's/^missing blob //p' "$T/copy.fsck" | sort -u)
	want=$(sort -u "$1/repo.git/knowd-erased")
	[ -n "$want" ] && [ "$got" = "$want" ] && return 0
	echo "fsck_names_erased $1: git names [$got], knowd-erased [$want];" \
	    "git fsck said: [$(grep -v '^Checking' "$T/copy.fsck" | head -8 | tr '\n' '|')];" \
	    "the first is $(git -C "$T/copy.git" cat-file -e "${want%%$'\n'*}" 2>/dev/null && echo still || echo not) in the repository;" \
	    "packs: $(cd "$1/repo.git/objects/pack" && ls | tr '\n' ' ')" >&2
	return 1
}

# index_forgot HOME OFFSET: HOME's log after byte OFFSET says the index
# forgot erased text (search_loop.c: merged fully, WAL emptied); else prints
# what its log says of the index since then.
index_forgot() {
	local lines
	lines=$(tail -c +$(($2 + 1)) "$1.log" | grep 'search index')
	grep -q 'erased text forgotten' <<<"$lines" && return 0
	echo "its log since the erasure: ${lines:-no line on the search index}"
	return 1
}
# forgot_ms HOME OFFSET T0: ms from T0 (epoch ms) to the first "erased text
# forgotten" in HOME's log after byte OFFSET (its stamps are UTC times of day).
forgot_ms() {
	tail -c +$(($2 + 1)) "$1.log" | grep -m1 'erased text forgotten' |
	    awk -F'[:. ]' -v t0="$3" '{ d = (($1 * 60 + $2) * 60 + $3) * 1000 + $4 - t0 % 86400000
		if (d < -43200000) d += 86400000; print d; ok = 1 } END { exit !ok }'
}
# index_clean HOME: no index file of HOME (db, -wal, -shm) holds 4711 as a
# number of its own; else names the file, its size and the bytes around each
# hit, and the index's last log lines. 4711 occurs by chance inside other
# numbers (the lessons' titles carry date +%s%N: their index terms did) and
# ids (hex, ULID, key: runs of 20 or more letters and digits): not counted.
index_clean() {
	local f hits bad=0
	for f in "$1"/index.sqlite "$1"/index.sqlite-wal "$1"/index.sqlite-shm; do
		[ -f "$f" ] || continue
		hits=$(grep -aoE '[0-9A-Za-z]*4711[0-9A-Za-z]*' "$f" |
		    awk 'length($0) < 20' | grep -E '(^|[^0-9])4711([^0-9]|$)' |
		    sort | uniq -c | tr -s ' \n' ' ')
		[ -z "$hits" ] && continue
		echo "$(basename "$f") ($(stat -c %s "$f") bytes) holds 4711 as [$hits]," \
		    "in [$(grep -aoE '.{0,12}4711.{0,12}' "$f" | head -3 | cat -v | tr '\n' '|')]"
		bad=1
	done
	[ "$bad" = 0 ] && return 0
	echo "; its log: $(grep 'search index' "$1.log" | tail -4 | tr '\n' ';')"
	return 1
}

# The owner's operator excepts the number; the lesson replicates.
PHONE2="05251 88-4712"	# in a lesson that is retracted, then erased
PHONE3="05251 88-4713"	# in a lesson whose current version is erased
echo "personal_data_allow = $PHONE $PHONE2 $PHONE3" | sed 's/ 88-/-88-/g' >>"$O/knowd.conf"
kill -HUP "$(cat "$O.pid")"
check "the owner rereads knowd.conf" poll 10 grep -q 'configuration reloaded' "$O.log"
lesson=$(g_lesson)
printf '\nRückfragen beantwortet das Bürgerbüro, Tel. %s.\n' "$PHONE" >>"$lesson"
id=$(kctl "$O" publish "$lesson") || { fail "publishing the lesson with the number"; finish; }
# all_hold ID…: every node can show every ID.
all_hold() {
	local i h
	for i in "$@"; do
		for h in $ALL; do has_record "$h" "$i" || return 1; done
	done
}
check "the lesson reaches all $N nodes" poll 60 all_hold "$id"
for h in $ALL; do holds_text "$h" || fail "$(basename "$h") lacks the number before the erasure"; done
# Over 2 MiB after the number and before the erasure (see the joining node
# below): random text without digits, so that no line looks like a phone
# number and none holds the number by chance.
for i in $(seq 1 16); do
	{ cat "$(g_lesson)"; echo
	  head -c 150000 /dev/urandom | base64 -w 76 | tr -d '0-9+'; } >"$T/big$i.md"
	kctl "$O" publish "$T/big$i.md" >/dev/null || fail "publishing big lesson $i"
done
path=$(git -C "$O/repo.git" ls-tree -r --name-only "refs/namespaces/$onid/refs/heads/main" | grep "$id")
blob=$(git -C "$O/repo.git" rev-parse "refs/namespaces/$onid/refs/heads/main:$path")

# A backup of a node taken now, with the text in it.
B=${G[3]}
check "a backup of $(basename "$B") with the text" kctl "$B" backup --with-key "$T/old.tar"

# Edited out: a new version, then erased.
kctl "$O" show "$id" | grep -v "$PHONE" >"$T/clean.md"
check "the corrected version is published" kctl "$O" publish "$T/clean.md"
# shellcheck disable=SC2086
g_converge "the correction converges" 60 "$N" $ALL
kctl "$O" erase --commit 0000000000000000000000000000000000000000 "$id" >"$T/out" 2>"$T/err" &&
	fail "erase of a commit that did not change the lesson passed"
check "and says so" grep -q 'that commit did not change this record' "$T/err"
kctl_de "$O" erase --commit 0000000000000000000000000000000000000000 "$id" >"$T/out" 2>"$T/err"
check "and in German" grep -q 'dieser Commit hat den Eintrag nicht verändert' "$T/err"
kctl "$O" erase 01ARZ3NDEKTSV4RRFFQ69G5FAV >"$T/out" 2>"$T/err" && fail "erase of an unknown id passed"
check "an unknown id is named" grep -q 'no such record of this node' "$T/err"

declare -A logoff=()
for h in $ALL; do logoff[$h]=$(stat -c %s "$h.log"); done
t0=$(g_now_ms)
check "knowctl erase" kctl "$O" erase "$id"
declare -A gone_ms=()
ngone=0
# shellcheck disable=SC2086
while :; do
	for h in $ALL; do
		[ -n "${gone_ms[$h]:-}" ] && continue
		holds_text "$h" && continue
		gone_ms[$h]=$(( $(g_now_ms) - t0 ))
		ngone=$((ngone + 1))
	done
	[ "$ngone" = "$N" ] && break
	[ $(( $(g_now_ms) - t0 )) -gt 60000 ] && break
	sleep 0.1
done
far=0
for h in $ALL; do
	ms=${gone_ms[$h]:-}
	if [ -z "$ms" ]; then fail "$(basename "$h") still holds the number after 60 s"; continue; fi
	echo "    $(basename "$h"): blob gone after $ms ms"
	[ "$ms" -gt "$far" ] && far=$ms
done
echo "erase: from knowctl erase to the blob gone on the farthest of $N nodes: $far ms"
pass "the number is in no object on any node ($far ms)"

for h in $ALL; do
	n=$(basename "$h")
	check "$n: the blob is listed in knowd-erased" grep -q "$blob" "$h/repo.git/knowd-erased"
	check "$n: stock git verify-commit passes on every commit" git_verify_branch "$h"
	check "$n: git fsck reports nothing" fsck_quiet "$h"
	# A copy taken while upkeep rewrites a pack may be caught half-way: poll.
	check_poll "$n: without the promisor mark git names only the erased blob missing" 10 fsck_names_erased "$h"
	check "$n: knowctl verify passes" kctl "$h" verify
	check "$n: the corrected lesson is still there" has_record "$h" "$id"
	check "$n: search finds the number nowhere" bash -c "! '$KNOWCTL' --home '$h' search 4711 2>/dev/null | grep -q ."
	# The index forgets after the blob is gone: a full merge in steps on
	# its loop, then the WAL truncated; the log says when it is done.
	check_poll "$n: the index's log says it forgot the erased text" 120 index_forgot "$h" "${logoff[$h]}"
	check_say "$n: and then no byte of the index files holds it" index_clean "$h"
	check "$n: knowctl status says the clean-up is over" test \
	    "$(kctl "$h" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["index"]["forgetting"])')" = False
done
far=0
for h in $ALL; do
	ms=$(forgot_ms "$h" "${logoff[$h]}" "$t0") || continue
	[ "$ms" -gt "$far" ] && far=$ms
done
echo "erase: from knowctl erase to the index's clean-up done on the farthest of $N nodes: $far ms"
# shellcheck disable=SC2086
g_converge "views are equal after the erasure" 30 "$N" $ALL
web=$(kctl "$W" status --json | json_get http)
curl -s "http://$web/verlauf/$id?node=$onid" >"$T/hist.html"
check "the history page shows the versions" grep -q 'Fassungen' "$T/hist.html"
check "and says the text of the erased one was erased" grep -q 'aus Datenschutzgründen gelöscht' "$T/hist.html"
check "and does not show it" bash -c "! grep -q '4711' '$T/hist.html'"

# A restart rebuilds the erased set from the notices; nothing counts as damage.
node_stop "$W"
rm -f "$W/repo.git/knowd-erased"
node_start "$W" || fail "restarting $(basename "$W")"
check "after a restart knowd-erased is written again from the notices" poll 10 grep -q "$blob" "$W/repo.git/knowd-erased"
check "and no branch is taken for damaged" bash -c "! grep -q 'is damaged here' '$W.log'"
check "knowctl verify passes after the restart" kctl "$W" verify

# Damage next to an erasure: the corrected version's blob is damaged in W's
# packs. verify names that blob alone (the erased one is no damage), the
# branch is fetched again from peers, whole history but the erased blob.
node_stop "$W"
cur=$(git -C "$W/repo.git" rev-parse "refs/namespaces/$onid/refs/heads/main:$path")
for i in "$W"/repo.git/objects/pack/*.idx; do
	off=$(git show-index <"$i" | awk -v b="$cur" '$2 == b {print $1}')
	[ -n "$off" ] || continue
	chmod u+w "${i%.idx}.pack"
	printf '\xde\xad\xbe\xef' | dd of="${i%.idx}.pack" bs=1 seek=$((off + 4)) conv=notrunc 2>/dev/null
done
node_start "$W" || fail "starting $(basename "$W") with damage"
kctl "$W" verify >"$T/verify.out" 2>&1 && fail "verify did not notice the damage"
check "verify names the damaged blob" grep -q "damaged here: blob $cur" "$T/verify.out"
check "and counts one unreadable object, not the erased one" grep -q "(1 object(s) unreadable)" "$W.log"
check "the owner's branch comes back from the peers" poll 30 has_record "$W" "$id"
check "and verifies" kctl "$W" verify
check "without the erased blob" bash -c "! git -C '$W/repo.git' cat-file -e '$blob' 2>/dev/null"
check "and git fsck reports nothing" fsck_quiet "$W"

# New lessons still sync both ways.
a=$(g_publish 0) && b=$(g_publish 4) || fail "publishing after the erasure"
check "new lessons reach every node both ways" poll 60 all_hold "$a" "$b"
# shellcheck disable=SC2086
g_converge "and views converge" 60 "$N" $ALL

kctl "$O" erase "$b" >"$T/out" 2>"$T/err" && fail "the owner erased another node's lesson"
check "another node's lesson is not ours to erase" grep -q 'no such record of this node' "$T/err"

# A retracted lesson is erased too; erasing the current version retracts it.
l2=$(g_lesson); printf '\nTel. %s\n' "$PHONE2" >>"$l2"
l3=$(g_lesson); printf '\nTel. %s\n' "$PHONE3" >>"$l3"
id2=$(kctl "$O" publish "$l2") && id3=$(kctl "$O" publish "$l3") || fail "publishing lessons 2 and 3"
check "lessons 2 and 3 reach every node" poll 60 all_hold "$id2" "$id3"
check "lesson 2 is retracted" kctl "$O" retract "$id2"
check "the retraction reaches every node" poll 60 none_hold "$id2"
# One node is offline while lesson 2 is erased, and learns of it afterwards.
F=${G[4]}
node_stop "$F"
check "knowctl erase of the retracted lesson" kctl "$O" erase "$id2"
# online_lack TEXT: no online node (all but F) holds TEXT.
online_lack() { local h; for h in $ALL; do [ "$h" = "$F" ] || ! holds_text "$h" "$1" || return 1; done; }
check "its number is in no object on the online nodes" poll 60 online_lack "$PHONE2"
check "the offline node still holds it" holds_text "$F" "$PHONE2"
t0=$(g_now_ms)
node_start "$F" || fail "restarting the offline node"
check "the offline node drops it once it reconnects" poll 60 bash -c "! git -C '$F/repo.git' cat-file --batch-all-objects --batch | grep -aq '$PHONE2'"
echo "erase: a node offline during the erasure dropped the text $(( $(g_now_ms) - t0 )) ms after it was started"
check "its number is in no object on any node" poll 60 nobody_holds_text "$PHONE2"
# erased_title HOME ID: the index keeps no title of retracted record ID (for the feed).
erased_title() {
	[ "$(sqlite3 "file:$1/index.sqlite?mode=ro" \
	    "SELECT title FROM retracted WHERE id='$2'" 2>/dev/null)" = \
	    '(aus Datenschutzgründen gelöscht)' ]
}
for h in $ALL; do
	check "$(basename "$h"): the retracted lesson's title is not kept either" \
	    poll 20 erased_title "$h" "$id2"
done
kctl "$O" erase "$id3" >"$T/out" 2>"$T/err" && fail "erase of a lesson with one version passed"
check "with only the current version, erase says to use --commit" grep -q 'erase the current one with --commit' "$T/err"
kctl_de "$O" erase "$id3" >"$T/out" 2>"$T/err"
check "in German too" grep -q 'die aktuelle löscht --commit' "$T/err"
head3=$(git -C "$O/repo.git" rev-list -1 "refs/namespaces/$onid/refs/heads/main" -- "$(git -C "$O/repo.git" ls-tree -r --name-only "refs/namespaces/$onid/refs/heads/main" | grep "$id3")")
check "knowctl erase --commit of the current version" kctl "$O" erase --commit "$head3" "$id3"
check "the lesson is retracted on every node" poll 60 none_hold "$id3"
check "and its number is in no object on any node" poll 60 nobody_holds_text "$PHONE3"
for h in $ALL; do
	check "$(basename "$h"): git fsck still reports nothing" fsck_quiet "$h"
done
# shellcheck disable=SC2086
g_converge "views converge after three erasures" 60 "$N" $ALL

# A node restored from the old backup does not bring the text back.
node_stop "$B"
rm -rf "$B" && mkdir "$B" && tar -xf "$T/old.tar" -C "$B"
check "the restored home holds the text (before it starts)" holds_text "$B"
t0=$(g_now_ms)
node_start "$B" || fail "starting the restored node"
check "the restored node drops the text once it has the notice" poll 60 nobody_holds "$B"
echo "erase: a node restored from the old backup dropped the text $(( $(g_now_ms) - t0 )) ms after it was started"
# shellcheck disable=SC2086
g_converge "the restored node converges" 60 "$N" $ALL
# shellcheck disable=SC2086
check "the text is in no object on any node" nobody_holds $ALL
check "the restored node's git fsck reports nothing" fsck_quiet "$B"
check "and stock git verifies its commits" git_verify_branch "$B"

# A node that joins now fetches the owner's whole branch without the erased
# blobs. Over 2 MiB lie between the number and the notice: a sender cuts
# such a backlog into steps, oldest first, but never a branch with notices,
# whose first step would lack the blob without the notice that allows it.
check "the owner's branch is over 2 MiB" test "$(git -C "$O/repo.git" rev-list --objects "refs/namespaces/$onid/refs/heads/main" |
	cut -d' ' -f1 | git -C "$O/repo.git" cat-file --batch-check='%(objectsize)' | awk '{s += $1} END {print s}')" -gt 2200000
g_add "Neue Gemeinde" || fail "adding a node"
NW=${G[$G_LAST]}
ALL=$(g_homes all)
N=${#G[@]}
# shellcheck disable=SC2086
g_converge "the new node converges with all $N" 120 "$N" $ALL
check "it holds the corrected lesson" has_record "$NW" "$id"
check "and no object with the numbers" bash -c "! git -C '$NW/repo.git' cat-file --batch-all-objects --batch | grep -aqE '88-471[123]'"
check "its git fsck reports nothing" fsck_quiet "$NW"
check "stock git verifies its commits" git_verify_branch "$NW"
check "it lists the erased blobs" grep -q "$blob" "$NW/repo.git/knowd-erased"

# Hostile: an evil node every member admits serves notices that must fail.
EV=$T/ev
node_init "$EV" "Böser Knoten" --listen 127.0.0.1:0 || fail "init evil"
# Each scenario meets its own target: a refused pack costs the evil node its
# standing there (the penalty), and the next one would not be fetched.
for TG in "${G[1]}" "${G[2]}"; do
	echo "admit = $(cat "$EV.did")" >>"$TG/knowd.conf"
	kill -HUP "$(cat "$TG.pid")"
	check "$(basename "$TG") rereads knowd.conf" poll 10 grep -q 'configuration reloaded' "$TG.log"
done
TG=${G[1]}
other=$(git -C "$TG/repo.git" rev-parse "refs/namespaces/$onid/refs/heads/main:$(git -C "$TG/repo.git" ls-tree -r --name-only "refs/namespaces/$onid/refs/heads/main" | grep lessons/ | grep -v "$id" | head -1)")
evnid=$(node_nid "$EV")
for sc in badnotice keynotice; do
	[ "$sc" = keynotice ] && TG=${G[2]}
	off=$(stat -c %s "$TG.log")
	view0=$(node_view "$TG")
	"$EVIL" --home "$EV" --connect "$(cat "$TG.addr")" --erase-blob "$other" \
	    --wait 5 "$sc" >"$T/$sc.out" 2>&1
	sed "s/^/    $sc | /" "$T/$sc.out"
	case $sc in
	badnotice) why='names blob .* which no earlier lesson or project' ;;
	keynotice) why='bad signature' ;;
	esac
	check "$sc: the target logs the refusal" poll 20 bash -c "tail -c +$((off + 1)) '$TG.log' | grep -Eq '$why'"
	check "$sc: the other node's blob is still held" git -C "$TG/repo.git" cat-file -e "$other"
	check "$sc: the evil branch did not move" bash -c "! git -C '$TG/repo.git' rev-parse -q --verify 'refs/namespaces/$evnid/refs/heads/main^{commit}' >/dev/null || [ \"\$(git -C '$TG/repo.git' rev-list --count 'refs/namespaces/$evnid/refs/heads/main')\" = 1 ]"
	check "$sc: the target's view is unchanged" test "$(node_view "$TG")" = "$view0"
	check "$sc: the target's erased set is unchanged" bash -c "! grep -q '$other' '$TG/repo.git/knowd-erased'"
	check "$sc: the target's git fsck reports nothing" fsck_quiet "$TG"
done
finish
