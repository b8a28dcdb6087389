#!/bin/sh
# Installs the Debian packages truemem builds and tests with, when missing.
# As root it installs them (and says so); otherwise it prints the command.
set -u
# Build: gcc make pkg-config and the five -dev libraries. Tests: tmux (the
# ncurses view), jq (JSON checks), clang + libclang-rt (fuzzing), valgrind
# (leak checks), util-linux (setpriv, mkswap, swapon, fallocate, script),
# man-db/groff-base, zsh and fish (the man pages and completions),
# python3-jsonschema (the JSON Schema check), debhelper and lintian (the
# Debian package; dpkg-buildpackage is in dpkg-dev).
PKGS="gcc make pkg-config libcjson-dev libncurses-dev libzstd-dev libcmocka-dev
      tmux jq clang libclang-rt-14-dev valgrind procps util-linux man-db groff-base zsh fish
      python3-jsonschema dpkg-dev debhelper lintian git"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "truemem: missing packages:$missing" >&2
	echo "truemem: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "truemem: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null || { echo "truemem: apt-get install failed" >&2; exit 1; }
