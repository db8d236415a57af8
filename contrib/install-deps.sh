#!/bin/sh
# Install the Debian packages knowd needs to build and test, but only those missing.
# Non-interactive; uses sudo when not run as root. Safe to run repeatedly.
set -eu

# pkg-config name -> Debian -dev package
LIBS="libgit2:libgit2-dev libsodium:libsodium-dev libevent:libevent-dev
msgpack:libmsgpack-dev yaml-0.1:libyaml-dev sqlite3:libsqlite3-dev cmocka:libcmocka-dev
libcmark-gfm:libcmark-gfm-dev nettle:nettle-dev zlib:zlib1g-dev"
# command -> Debian package (tools the build and the tests call)
TOOLS="pkg-config:pkg-config cc:gcc make:make git:git ssh-keygen:openssh-client
clang:clang xmllint:libxml2-utils python3:python3 sqlite3:sqlite3
man:man-db groff:groff-base faketime:faketime msgfmt:gettext xgettext:gettext"

missing=""
for pair in $LIBS; do
	pc=${pair%%:*}; pkg=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$pc"; then
		missing="$missing $pkg"
	fi
done
for pair in $TOOLS; do
	cmd=${pair%%:*}; pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
# Headless Chromium for tests/regress/browser.sh (a test tool: the build does not need it).
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
	missing="$missing chromium"
# The public face's tests (tests/regress/public.sh, screens.sh): nginx as the
# reverse proxy (started by the test on 127.0.0.1 only), a feed library, and
# npm for axe-core and an OpenAPI validator (cached under the build directory).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
# Debian's python3 (a pyenv python3 on PATH does not see Debian's modules).
py3=/usr/bin/python3; [ -x $py3 ] || py3=python3
$py3 -c 'import feedparser' 2>/dev/null || missing="$missing python3-feedparser"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# The locales package generates de_DE.UTF-8 (german_locale below).
[ -x /usr/sbin/locale-gen ] || missing="$missing locales"
# libstemmer ships no .pc file: look for its header instead.
[ -f /usr/include/libstemmer.h ] || missing="$missing libstemmer-dev"
# cmark-gfm's table and autolink extensions come in a package of their own.
[ -f /usr/include/cmark-gfm-core-extensions.h ] || missing="$missing libcmark-gfm-extensions-dev"
# libFuzzer and the sanitizer runtimes for clang
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
	missing="$missing libclang-rt-dev"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
	command -v sudo >/dev/null 2>&1 || SUDO="need_root"
fi
need_root() { echo "install-deps: need root or sudo for: $*" >&2; exit 1; }

# knowctl's German messages (po/de.po) are tested under de_DE.UTF-8
# (tests/regress/friendly.sh): generate that locale when it is missing.
german_locale() {
	locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8' && return 0
	PATH="$PATH:/usr/sbin:/sbin"
	command -v locale-gen >/dev/null 2>&1 || return 0
	echo "install-deps: generating the locale de_DE.UTF-8" >&2
	$SUDO sed -i 's/^# *de_DE\.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
	grep -q '^de_DE\.UTF-8 UTF-8' /etc/locale.gen ||
		echo 'de_DE.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
	$SUDO locale-gen >&2
}

if [ -z "$missing" ]; then
	german_locale
	exit 0
fi

echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
german_locale
