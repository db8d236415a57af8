#!/usr/bin/env bash
# Foundation: one node publishes, edits, retracts; stock git verifies every commit.
. "$(dirname "$0")/lib.sh"

MS=$T/ms
node_init "$MS" "Stadt Münster" --kind municipality --ags 05515000 --listen 127.0.0.1:0 ||
	{ fail "knowd init"; finish; }
check "init prints the did:key" grep -q '^did:key:z6Mk' "$MS.did"
check "secret key is 0600" test "$(stat -c %a "$MS/keys/node.key")" = 600
check "ssh-keygen reads the key file" bash -c "ssh-keygen -y -f '$MS/keys/node.key' | cut -d' ' -f1,2 | diff - <(cut -d' ' -f1,2 '$MS/keys/node.pub')"
node_start "$MS" || { fail "knowd start"; finish; }
check "control socket is 0660" test "$(stat -c %a "$MS/control.sock")" = 660

id=$(kctl "$MS" id)
check "id equals init's did" test "$id" = "$(cat "$MS.did")"
check "KNOWD_HOME stands in for --home" test "$(KNOWD_HOME=$MS "$KNOWCTL" id)" = "$id"

kctl "$MS" new | fill_draft >"$T/tmpl.md"
check "template has the guiding-question sections" grep -q '^## Nächste Schritte' "$T/tmpl.md"

sed -e 's/^title: .*/title: Start mit einer Pilotstraße/' \
    -e 's/^project: .*/project: intelligente-strassenbeleuchtung/' \
    -e 's/^fields: .*/fields: [energie-umwelt]/' "$T/tmpl.md" >"$T/l1.md"
id1=$(kctl "$MS" publish "$T/l1.md")
check "publish prints a ULID" grep -Eq '^[0-7][0-9A-HJKMNP-TV-Z]{25}$' <<<"$id1"
check "publish wrote the new id into the file" grep -qx "id: $id1" "$T/l1.md"
id2=$(sed -e '/^id: /d' -e 's/^title: .*/title: Thermografiebefliegung auswerten/' "$T/l1.md" | kctl "$MS" publish)
check "publish reads stdin" grep -Eq '^[0-7][0-9A-HJKMNP-TV-Z]{25}$' <<<"$id2"

kctl "$MS" list >"$T/list.txt"
check "list shows both, one line each" test "$(grep -c . "$T/list.txt")" = 2
check "list line has id, node, project and title" \
	grep -q "^$id1 .*Stadt Münster.*intelligente-strassenbeleuchtung.*Start mit einer Pilotstraße" "$T/list.txt"
kctl "$MS" list --json >"$T/list.json"
check "list --json has id, node, project, title, modified" python3 - "$T/list.json" "$id" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 2, a
for o in a:
    for k in ("id", "node", "project", "title", "modified"):
        assert k in o, (k, o)
    assert o["node"] == sys.argv[2]
PY

kctl "$MS" show "$id1" >"$T/show1.md"
check "show prints the record" grep -q "^id: $id1" "$T/show1.md"
created1=$(grep '^created:' "$T/show1.md")

# An edit: same id, new title; created stays, modified moves on.
sleep 1.1	# modified has one-second resolution; the edit must get a later stamp
sed 's/^title: .*/title: Start mit einer Pilotstraße am Hafen/' "$T/show1.md" >"$T/edit.md"
check "edit publishes under the same id" test "$(kctl "$MS" publish "$T/edit.md")" = "$id1"
kctl "$MS" show "$id1" >"$T/show2.md"
check "edit replaced the title" grep -q '^title: Start mit einer Pilotstraße am Hafen' "$T/show2.md"
check "edit kept created" test "$(grep '^created:' "$T/show2.md")" = "$created1"
check "edit moved modified" test "$(grep '^modified:' "$T/show2.md")" != "$(grep '^modified:' "$T/show1.md")"
check "still two records" test "$(kctl "$MS" list | grep -c .)" = 2

check "retract" test "$(kctl "$MS" retract "$id2")" = "$id2"
check "retracted record is gone from list" test "$(kctl "$MS" list | grep -c .)" = 1
check "show of a retracted id fails" sh -c "! '$KNOWCTL' --home '$MS' show '$id2' 2>/dev/null"

kctl "$MS" log >"$T/log.txt"
check "log lists 5 commits, newest first" test "$(head -1 "$T/log.txt" | awk '{print $1}')" = 5
check "log shows the retraction" grep -q "retract lesson $id2" "$T/log.txt"

kctl "$MS" status --branches --json >"$T/status.json"
check "status --json: seq, view, nodes" python3 - "$T/status.json" "$id" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["id"] == sys.argv[2] and s["name"] == "Stadt Münster", s
assert s["seq"] == 5, s["seq"]
assert len(s["view"]) == 40
assert len(s["nodes"]) == 1
n = s["nodes"][0]
assert n["id"] == sys.argv[2] and n["seq"] == 5 and n["name"] == "Stadt Münster" and len(n["head"]) == 40
PY
view=$(kctl "$MS" status --json | json_get view)
check "view is refs/heads/main's tree" test "$view" = "$(git -C "$MS/repo.git" rev-parse 'refs/heads/main^{tree}')"
nid=${id#did:key:}
xx=$(python3 "$ROOT/tests/regress/didkey.py" --bucket "$nid")
check "view holds nodes/<xx>/<nid>/ = the origin tree" test \
	"$(git -C "$MS/repo.git" rev-parse "refs/heads/main:nodes/$xx/$nid")" = \
	"$(git -C "$MS/repo.git" rev-parse "refs/namespaces/$nid/refs/heads/main^{tree}")"
check "node.md at the branch root" git -C "$MS/repo.git" cat-file -e "refs/namespaces/$nid/refs/heads/main:node.md"
check "lesson at projects/<slug>/lessons/<id>.md" git -C "$MS/repo.git" cat-file -e \
	"refs/namespaces/$nid/refs/heads/main:projects/intelligente-strassenbeleuchtung/lessons/$id1.md"
check "every commit carries Knowd-Seq 1..5" test "$(git -C "$MS/repo.git" log --format='%(trailers:key=Knowd-Seq,valueonly)' "refs/namespaces/$nid/refs/heads/main" | grep . | tr '\n' ' ')" = "5 4 3 2 1 "

check "knowctl verify" kctl "$MS" verify
check "stock git verify-commit accepts every commit" git_verify_branch "$MS"
check "git fsck --strict" git -C "$MS/repo.git" fsck --strict --no-dangling

check "knowd stops cleanly on SIGTERM" node_stop "$MS"
check "control socket removed on exit" test ! -e "$MS/control.sock"
finish
