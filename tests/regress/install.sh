#!/usr/bin/env bash
# Packaging: make install / uninstall into a DESTDIR, the man pages render
# without warnings, the systemd unit verifies, the example configurations
# round-trip through `knowd -n`, and --help, the man pages, knowd.conf's keys
# and the bash completion agree with each other.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

R=$T/root
# mk ARGS...: make from the source tree with the binaries already built in $BUILD.
mk() { make --no-print-directory -s BUILD="$BUILD" "$@"; }

# --- make install / uninstall ------------------------------------------------

if ! mk install DESTDIR="$R" PREFIX=/usr >"$T/install.log" 2>&1; then
	cat "$T/install.log" >&2
	fail "make install DESTDIR PREFIX=/usr"
	finish
fi
pass "make install DESTDIR PREFIX=/usr"

expected="755 usr/bin/knowctl
755 usr/sbin/knowd
644 usr/lib/systemd/system/knowd.service
644 usr/share/bash-completion/completions/knowctl
644 usr/share/doc/knowd/knowd.conf.example
644 usr/share/locale/de/LC_MESSAGES/knowd.mo
644 usr/share/man/man1/knowctl.1
644 usr/share/man/man5/knowd.conf.5
644 usr/share/man/man8/knowd.8"
(cd "$R" && find . -type f -printf '%m %P\n' | LC_ALL=C sort) >"$T/tree"
check "installed tree: every file, nothing else, binaries 0755, others 0644" \
	diff <(LC_ALL=C sort <<<"$expected") "$T/tree"
check "installed knowd is the built one" cmp "$KNOWD" "$R/usr/sbin/knowd"
check "installed knowctl is the built one" cmp "$KNOWCTL" "$R/usr/bin/knowctl"
check "installed knowctl runs" "$R/usr/bin/knowctl" --help
check "man pages and completion are the sources" bash -c "
	cmp man/knowctl.1 '$R/usr/share/man/man1/knowctl.1' &&
	cmp man/knowd.conf.5 '$R/usr/share/man/man5/knowd.conf.5' &&
	cmp man/knowd.8 '$R/usr/share/man/man8/knowd.8' &&
	cmp contrib/completion/knowctl.bash '$R/usr/share/bash-completion/completions/knowctl' &&
	cmp contrib/knowd.conf.example '$R/usr/share/doc/knowd/knowd.conf.example'"
UNIT=$R/usr/lib/systemd/system/knowd.service
check "unit runs the installed knowd on /var/lib/knowd" \
	grep -qx 'ExecStart=/usr/sbin/knowd --home /var/lib/knowd' "$UNIT"
for k in 'User=knowd' 'Group=knowd' 'StateDirectory=knowd' 'StateDirectoryMode=0750' \
    'Restart=on-failure' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
    'PrivateTmp=yes' 'PrivateDevices=yes' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'RestrictNamespaces=yes' \
    'LockPersonality=yes' 'MemoryDenyWriteExecute=yes' 'RestrictRealtime=yes' \
    'SystemCallArchitectures=native' 'SystemCallFilter=@system-service' \
    'CapabilityBoundingSet=' 'UMask=0027' 'ExecReload=/bin/kill -HUP $MAINPID'; do
	grep -qxF "$k" "$UNIT" || fail "unit lacks $k"
done
pass "unit has the expected settings and hardening"

# The default prefix, with the unit directory overridden.
if mk install DESTDIR="$T/root2" SYSTEMDDIR=/etc/systemd/system >"$T/install2.log" 2>&1; then
	check "PREFIX=/usr/local: knowd in /usr/local/sbin" test -x "$T/root2/usr/local/sbin/knowd"
	check "PREFIX=/usr/local: the unit's ExecStart follows SBINDIR" \
		grep -qx 'ExecStart=/usr/local/sbin/knowd --home /var/lib/knowd' \
		"$T/root2/etc/systemd/system/knowd.service"
	check "PREFIX=/usr/local: man pages under /usr/local/share/man" \
		test -f "$T/root2/usr/local/share/man/man8/knowd.8"
	mk uninstall DESTDIR="$T/root2" SYSTEMDDIR=/etc/systemd/system >/dev/null 2>&1
	check "uninstall with the same variables leaves no files" \
		test -z "$(find "$T/root2" -type f)"
else
	cat "$T/install2.log" >&2
	fail "make install with the default prefix and SYSTEMDDIR"
fi

# --- man pages ---------------------------------------------------------------

for f in man1/knowctl.1 man5/knowd.conf.5 man8/knowd.8; do
	for loc in C C.UTF-8; do
		LC_ALL=$loc MANWIDTH=80 man --warnings -l "$R/usr/share/man/$f" \
			>"$T/man.out" 2>"$T/man.err"
		if [ -s "$T/man.err" ] || [ ! -s "$T/man.out" ]; then
			fail "man -l $f ($loc) renders without warnings"
			cat "$T/man.err" >&2
		else
			pass "man -l $f ($loc) renders without warnings"
		fi
	done
done

# --- systemd-analyze verify ----------------------------------------------------

if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit names /usr/sbin/knowd; verify needs an ExecStart that exists, so
	# a copy points at the DESTDIR's knowd. MANPATH lets it find Documentation=.
	mkdir -p "$T/unit"
	sed "s|^ExecStart=/usr/sbin/knowd|ExecStart=$R/usr/sbin/knowd|" "$UNIT" \
		>"$T/unit/knowd.service"
	if [ ! -x /bin/kill ]; then
		# ExecReload's /bin/kill comes with procps, which a server has.
		echo "note: no /bin/kill (procps) here; ExecReload verified against a stub"
		printf '#!/bin/sh\n' >"$T/kill" && chmod 0755 "$T/kill"
		sed -i "s|^ExecReload=/bin/kill |ExecReload=$T/kill |" "$T/unit/knowd.service"
	fi
	if MANPATH=$R/usr/share/man systemd-analyze verify "$T/unit/knowd.service" \
	    >"$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]; then
		pass "systemd-analyze verify knowd.service"
	else
		fail "systemd-analyze verify knowd.service"
		cat "$T/verify.out" >&2
	fi
else
	echo "skipped: no systemd-analyze"
fi

# --- knowd -n round-trips every example configuration ---------------------------

# roundtrip NAME FILE: knowd -n accepts FILE; its output fed back prints the same.
roundtrip() {
	local name=$1 file=$2 h1=$T/rt.$1.a h2=$T/rt.$1.b
	mkdir -p "$h1" "$h2"
	cp "$file" "$h1/knowd.conf"
	if ! "$KNOWD" -n --home "$h1" >"$h2/knowd.conf" 2>"$T/rt.err"; then
		fail "knowd -n accepts $name"
		cat "$T/rt.err" >&2
		return
	fi
	if "$KNOWD" -n --home "$h2" >"$T/rt.out" 2>"$T/rt.err" &&
	    cmp -s "$h2/knowd.conf" "$T/rt.out"; then
		pass "knowd -n round-trips $name"
	else
		fail "knowd -n round-trips $name"
		cat "$T/rt.err" >&2
		diff "$h2/knowd.conf" "$T/rt.out" >&2
	fi
}
roundtrip example contrib/knowd.conf.example
# The commented peer and trust lines of the example are valid too.
sed -E 's/^#(peer|trust) = /\1 = /' contrib/knowd.conf.example >"$T/example-all.conf"
check "the example has commented peer and trust lines" \
	test "$(grep -cE '^(peer|trust) = ' "$T/example-all.conf")" -ge 2
roundtrip example-uncommented "$T/example-all.conf"
check "the installed example equals the canonical defaults but for listen" bash -c "
	mkdir -p '$T/def' && : >'$T/def/knowd.conf' &&
	diff <('$KNOWD' -n --home '$T/def' | grep -v '^listen') \
	     <('$KNOWD' -n --home '$T/rt.example.a' | grep -v '^listen')"
# The configurations in knowd.conf(5)'s EXAMPLES section.
awk -v out="$T/man-example" -v n=1 '
	/^\.SH EXAMPLES/ { e = 1; next }
	/^\.SH / { e = 0 }
	e && /^\.EE/ { f = 0; n++ }
	e && f { gsub(/\\-/, "-"); gsub(/\\\(em/, "\xe2\x80\x94"); print > (out "." n) }
	e && /^\.EX/ { f = 1 }' man/knowd.conf.5
n=0
for f in "$T"/man-example.*; do
	[ -f "$f" ] || continue
	roundtrip "knowd.conf.5-example-${f##*.}" "$f"
	n=$((n + 1))
done
check "knowd.conf(5) has example configurations" test "$n" -ge 3

# --- --help, man pages, knowd.conf keys and completion agree ---------------------

# longopts: the long options in a text (stdin), one per line, sorted.
longopts() { grep -oE -- '--[a-z][a-z0-9-]*' | LC_ALL=C sort -u; }
# man_text FILE [SECTIONS]: the roff source with \- unescaped and font escapes
# dropped; with SECTIONS (A|B) only those .SH sections.
man_text() {
	awk -v s="${2:-}" '
		/^\.SH / { in_s = (s == "" || $0 ~ ("^\\.SH \"?(" s ")")) }
		s == "" || in_s' "$1" |
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g'
}
# same_opts WHAT HELPFILE MANFILE: every option of the help is in the man
# text and every option of the man text is in the help.
same_opts() {
	local what=$1 o bad=0
	for o in $(longopts <"$2"); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$3" ||
			{ fail "$what: $o is in --help but not in the man page"; bad=1; }
	done
	for o in $(longopts <"$3"); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$2" ||
			{ fail "$what: $o is in the man page but not in --help"; bad=1; }
	done
	[ "$bad" -eq 0 ] && pass "$what: --help and the man page name the same options"
}

"$KNOWD" --help >"$T/h.knowd"
"$KNOWD" init --help >"$T/h.init"
man_text man/knowd.8 'OPTIONS|INIT' >"$T/m.knowd"
man_text man/knowd.8 INIT >"$T/m.init"
same_opts "knowd init" "$T/h.init" "$T/m.init"
cat "$T/h.knowd" "$T/h.init" >"$T/h.knowd-all"
same_opts "knowd" "$T/h.knowd-all" "$T/m.knowd"

"$KNOWCTL" --help >"$T/h.knowctl"
man_text man/knowctl.1 'OPTIONS|COMMANDS' >"$T/m.knowctl"
cmds=$(awk '/^commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }' "$T/h.knowctl")
check "knowctl --help lists commands" test -n "$cmds"
: >"$T/h.knowctl-all"
cp "$T/h.knowctl" "$T/h.knowctl-all"
for c in $cmds; do
	"$KNOWCTL" "$c" --help >"$T/h.cmd" 2>&1 || fail "knowctl $c --help"
	cat "$T/h.cmd" >>"$T/h.knowctl-all"
	grep -qE "^(\.[BI]R? )?knowctl $c( |\$)" "$T/m.knowctl" ||
		fail "knowctl.1 does not document the command $c"
	for o in $(longopts <"$T/h.cmd"); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$T/m.knowctl" ||
			fail "knowctl $c: $o is in --help but not in knowctl.1"
	done
done
# Commands the man page documents exist.
for c in $(grep -oE '^(\.[BI]R? )?knowctl [a-z]+' "$T/m.knowctl" | awk '{ print $NF }' | sort -u); do
	[ "$c" = help ] && continue
	grep -qw "$c" <<<"$cmds" || fail "knowctl.1 documents $c, which knowctl --help lacks"
done
same_opts "knowctl (all commands)" "$T/h.knowctl-all" "$T/m.knowctl"

# Every key knowd.conf accepts is documented, and every documented key is accepted.
keys=$({ grep -oE '\{ "[a-z_]+", offsetof\(struct config' daemon/conf/config.c |
	grep -oE '"[a-z_]+"'
	grep -oE 'strcmp\(key, "[a-z_]+"\)' daemon/conf/config.c | grep -oE '"[a-z_]+"'
	} | tr -d '"' | LC_ALL=C sort -u)
check "config.c has the keys" test "$(wc -w <<<"$keys")" -ge 11
for k in $keys; do
	grep -qE "^\.BI $k \" = " man/knowd.conf.5 ||
		fail "knowd.conf key $k is not documented in knowd.conf.5"
	grep -qE "^#?$k = " contrib/knowd.conf.example ||
		fail "knowd.conf key $k is missing from contrib/knowd.conf.example"
done
for k in $(grep -oE '^\.BI [a-z_0-9]+ " = ' man/knowd.conf.5 | awk '{ print $2 }'); do
	grep -qxF "$k" <<<"$keys" || fail "knowd.conf.5 documents $k, which config.c does not accept"
done
pass "knowd.conf keys: config.c, knowd.conf.5 and the example checked"

# The bash completion offers every command and each command's options.
# comp WORDS...: the completions for the last word.
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMPREPLY=(); _knowctl; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$R/usr/share/bash-completion/completions/knowctl" "$@"
}
comp knowctl "" >"$T/c.cmds"
for c in $cmds; do
	grep -qxF "$c" "$T/c.cmds" || fail "completion lacks the command $c"
	"$KNOWCTL" "$c" --help >"$T/h.cmd" 2>&1
	comp knowctl "$c" -- >"$T/c.opts"
	for o in $(longopts <"$T/h.cmd"); do
		grep -qxF -- "$o" "$T/c.opts" || fail "completion of knowctl $c lacks $o"
	done
done
comp knowctl list --field ener >"$T/c.field"
check "completion completes --field values" grep -qx energie-umwelt "$T/c.field"
comp knowctl trust "" >"$T/c.trust"
check "completion completes trust's subcommands" \
	test "$(tr '\n' ' ' <"$T/c.trust")" = "add remove list "

# --- uninstall ----------------------------------------------------------------

if mk uninstall DESTDIR="$R" PREFIX=/usr >"$T/uninstall.log" 2>&1; then
	check "make uninstall leaves no files" test -z "$(find "$R" -type f)"
else
	cat "$T/uninstall.log" >&2
	fail "make uninstall"
fi

finish
