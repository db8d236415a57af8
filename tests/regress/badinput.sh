#!/usr/bin/env bash
# Bad input changes nothing and says why: records, ids, a second daemon, key modes, control frames.
. "$(dirname "$0")/lib.sh"

PB=$T/pb
node_init "$PB" "Stadt Paderborn" --listen 127.0.0.1:0 || { fail "init"; finish; }

# With no daemon running, knowctl says so in one line and exits 1.
kctl "$PB" status >"$T/out" 2>"$T/err"; rc=$?
check "no daemon: exit 1" test "$rc" = 1
check "no daemon: one clear line" test "$(wc -l <"$T/err")" = 1
check "no daemon: says no knowd is running" grep -q "no knowd is running" "$T/err"

node_start "$PB" || { fail "start"; finish; }
kctl "$PB" new | fill_draft >"$T/good.md"
good_id=$(kctl "$PB" publish "$T/good.md" 2>/dev/null)
head0=$(kctl "$PB" status --json | json_get head)

# expect_reject NAME FILE PATTERN: publish fails with exit 1, stderr matches, nothing changes.
expect_reject() {
	local name=$1 file=$2 pat=$3 rc
	kctl "$PB" publish "$file" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" != 1 ]; then fail "$name: exit $rc, expected 1"; return; fi
	if ! grep -Eq "$pat" "$T/err"; then fail "$name: message lacks /$pat/:"; cat "$T/err" >&2; return; fi
	if [ "$(kctl "$PB" status --json | json_get head)" != "$head0" ]; then fail "$name: branch moved"; return; fi
	pass "$name rejected: $(head -2 "$T/err" | tail -1)"
}

grep -v '^title:' "$T/good.md" >"$T/notitle.md"
expect_reject "missing title" "$T/notitle.md" 'title: missing'
sed 's/^fields: .*/fields: [smart-home]/' "$T/good.md" >"$T/field.md"
expect_reject "unknown Handlungsfeld" "$T/field.md" 'fields: .*smart-home'
sed 's/^status: .*/status: fertig/' "$T/good.md" >"$T/status.md"
expect_reject "unknown status" "$T/status.md" 'status: .*fertig'
sed 's/^title: .*/title: [kaputt/' "$T/good.md" >"$T/yaml.md"
expect_reject "broken YAML" "$T/yaml.md" 'line [0-9]+: a list is not closed'
{ cat "$T/good.md"; head -c 10485760 /dev/zero | tr '\0' 'x'; } >"$T/big.md"
expect_reject "10 MB body" "$T/big.md" 'too large'
head -c 4096 /dev/urandom >"$T/garbage.md"
expect_reject "binary garbage" "$T/garbage.md" '.'
grep -v '^title:' "$T/good.md" | sed 's/^fields: .*/fields: [smart-home]/; s/^status: .*/status: fertig/' >"$T/multi.md"
expect_reject "every violation at once (title)" "$T/multi.md" 'title: missing'
check "every violation at once (3 lines)" test "$(grep -cE '^(title|fields|status):' "$T/err")" = 3
sed -e '/^id: /d' -e "s/^kind: .*/kind: lesson\nid: 01JDZ3M7K2V6ABCDEFGHJKMNPQ/" "$T/good.md" >"$T/foreign.md"
expect_reject "an id that is not ours" "$T/foreign.md" 'not a record of this node'
printf -- '---\nkind: node\nid: %s\nname: Fake\nrole: other\n---\n' "$(sed 's/did:key://' "$PB.did")" >"$T/node.md"
expect_reject "publishing a node record" "$T/node.md" 'kind: only lesson and project'
: >"$T/empty.md"
expect_reject "an empty file" "$T/empty.md" '.'

kctl "$PB" show 01JDZ3M7K2V6ABCDEFGHJKMNPQ >"$T/out" 2>"$T/err"; rc=$?
check "show of an unknown id: exit 1" test "$rc" = 1
check "show of an unknown id: says so" grep -q "no such record" "$T/err"
kctl "$PB" retract 01JDZ3M7K2V6ABCDEFGHJKMNPQ 2>"$T/err"; rc=$?
check "retract of an unknown id: exit 1 and says so" test "$rc" = 1 -a -s "$T/err"

# Usage errors exit 2.
kctl "$PB" frobnicate 2>/dev/null; check "unknown command: exit 2" test $? = 2
kctl "$PB" show 2>/dev/null; check "show without id: exit 2" test $? = 2
kctl "$PB" list --bogus 2>/dev/null; check "unknown option: exit 2" test $? = 2
kctl "$PB" log --limit many 2>/dev/null; check "bad --limit: exit 2" test $? = 2
for c in id new publish retract list show log verify status; do
	kctl "$PB" "$c" --help >"$T/help" 2>&1 || fail "$c --help exits non-zero"
	grep -q "usage: knowctl $c" "$T/help" || fail "$c --help lacks usage"
done
pass "every command has --help"
check "knowd --help" "$KNOWD" --help
check "knowd init --help" "$KNOWD" init --help

# Hostile control frames: daemon answers with an error, keeps running.
check "hostile control frames are refused" python3 - "$PB/control.sock" <<'PY'
import socket, struct, sys
path = sys.argv[1]
def send(payload, raw=None):
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(5)
    s.sendall(raw if raw is not None else struct.pack(">I", len(payload)) + payload)
    hdr = s.recv(4)
    s.close()
    return hdr
# oversized frame header (2 GiB), msgpack bomb, garbage, wrong types
for raw in (struct.pack(">I", 0x80000000),
            struct.pack(">I", 6) + b"\xdd\x08\x00\x00\x00\x00",
            struct.pack(">I", 5) + b"\xc1\xc1\xc1\xc1\xc1",
            struct.pack(">I", 9) + b"\x92\xa4show\x81\xa2id\x07"):
    hdr = send(None, raw)
    assert len(hdr) == 4, "no reply"
PY
check "daemon still answers" kctl "$PB" status
check "branch unchanged after all that" test "$(kctl "$PB" status --json | json_get head)" = "$head0"

# A second knowd on the same home is refused: the home is locked.
"$KNOWD" --home "$PB" 2>"$T/second.err"; rc=$?
check "second knowd refused" test "$rc" != 0
check "second knowd says the home is in use" grep -q "in use by another knowd" "$T/second.err"
check "first knowd unaffected" kctl "$PB" status

node_stop "$PB"
# A secret key readable by others is refused.
chmod 0644 "$PB/keys/node.key"
"$KNOWD" --home "$PB" 2>"$T/perm.err"; rc=$?
check "key with mode 0644 refused" test "$rc" != 0
check "refusal names the permissions" grep -q "permissions" "$T/perm.err"
chmod 0600 "$PB/keys/node.key"
# A config error names file and line, and knowd refuses to start.
echo "lissten = 127.0.0.1:1" >>"$PB/knowd.conf"
"$KNOWD" --home "$PB" 2>"$T/conf.err"; rc=$?
check "bad config line refused" test "$rc" != 0
check "config error names file and line" grep -Eq "knowd.conf:[0-9]+: unknown key" "$T/conf.err"
# knowd init refuses a home that is in use.
"$KNOWD" init --home "$PB" --name X 2>"$T/init.err"; rc=$?
check "init over an existing node refused" test "$rc" != 0
check "the existing node is intact" test -s "$PB/keys/node.key"
finish
