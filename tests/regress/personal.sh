#!/usr/bin/env bash
# Personal data on publish (issue 15, item 2): a lesson naming "Frau Sabine
# Müller" with her e-mail address and phone number is refused with a German
# message naming the line, and nothing is published; the same lesson with a
# function mailbox the operator excepted in knowd.conf is published.
. "$(dirname "$0")/lib.sh"

A=$T/a
node_init "$A" "Stadt Paderborn" --listen 127.0.0.1:0 || fail "init"
node_start "$A" || { fail "start"; finish; }
base=$ROOT/contrib/examples/paderborn-buergerportal.md
# lesson LINE: the example with LINE appended to its text.
lesson() { cat "$base"; printf '\n%s\n' "$1"; }
line=$(( $(wc -l <"$base") + 2 ))
n0=$(kctl "$A" list | wc -l)

lesson "Ansprechpartnerin war Frau Sabine Müller (sabine.mueller@paderborn.de, Tel. 05251 88-1234)." >"$T/l1.md"
kctl "$A" publish "$T/l1.md" >"$T/out" 2>"$T/err" && fail "a lesson with a name, an address and a number was published"
check "the refusal names the line" grep -q "Zeile $line enthält eine Anrede mit Namen („Frau Sabine“)" "$T/err"
check "and says what to do instead, in German" grep -q 'Personenbezogene Daten gehören nicht in eine Erfahrung' "$T/err"
check "nothing was published" test "$(kctl "$A" list | wc -l)" = "$n0"

lesson "Fragen an sabine.mueller@paderborn.de" >"$T/l2.md"
kctl "$A" publish "$T/l2.md" >"$T/out" 2>"$T/err" && fail "a personal address was published"
check "a personal address is named" grep -q "Zeile $line enthält eine E-Mail-Adresse („sabine.mueller@paderborn.de“)" "$T/err"

lesson "Fragen an digitalisierung@paderborn.de oder die Zentrale 05251 88-0." >"$T/l3.md"
kctl "$A" publish "$T/l3.md" >"$T/out" 2>"$T/err" && fail "a function mailbox not excepted was published"
echo "personal_data_allow = digitalisierung@paderborn.de +49-5251-88-0" >>"$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "knowd rereads knowd.conf" poll 10 grep -q 'configuration reloaded' "$A.log"
check "the excepted function mailbox and switchboard pass" kctl "$A" publish "$T/l3.md"
check "one lesson more is listed" test "$(kctl "$A" list | wc -l)" = $((n0 + 1))
# Held records are not refused again, but knowctl verify reports them: with
# the exception gone, the published lesson is named.
check "verify is quiet while the exception holds" bash -c "! '$KNOWCTL' --home '$A' verify | grep -q Hinweis"
sed -i '/^personal_data_allow/d' "$A/knowd.conf"
kill -HUP "$(cat "$A.pid")"
check "knowd rereads knowd.conf again" poll 10 bash -c "[ \$(grep -c 'configuration reloaded' '$A.log') -ge 2 ]"
kctl "$A" verify >"$T/verify.out" 2>&1
check "verify still passes (a finding is no failure)" grep -q '^ok ' "$T/verify.out"
check "verify names the record and the line" grep -q "Hinweis: projects/.*\.md: Zeile [0-9]* enthält eine E-Mail-Adresse („digitalisierung@paderborn.de“)" "$T/verify.out"
echo "personal_data_allow = kein-gueltiger-eintrag" >>"$A/knowd.conf"
check "a bad exception is a clear config error" bash -c \
	"'$KNOWD' -n --home '$A' 2>&1 | grep -q 'personal_data_allow: \"kein-gueltiger-eintrag\" is not'"
finish
