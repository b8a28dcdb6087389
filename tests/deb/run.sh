#!/bin/sh
# tests/deb/run.sh: the Debian package. `make deb` (dpkg-buildpackage -us
# -uc -b on a clean clone of HEAD) builds truemem_VERSION_ARCH.deb holding
# the binary, both man pages, the completions, the JSON Schema and the
# textfile service and timer; lintian reports no errors; installed, the
# package's `truemem` and `man truemem` work and the timer is not enabled;
# purged, nothing of it is left. The install step runs only as root and
# only when no truemem package is installed already (it is never replaced).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/truemem-deb.XXXXXX")
installed=""
trap '[ -n "$installed" ] && dpkg -P truemem >/dev/null 2>&1; rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

for tool in dpkg-buildpackage dh lintian git; do
	command -v "$tool" >/dev/null || { fail "deb" "$tool is missing (make deps)"; exit 1; }
done
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
arch=$(dpkg --print-architecture)
deb=$tmp/deb/truemem_${version}_$arch.deb
if ! make -s -C "$root" deb B="$tmp" >"$tmp/build.log" 2>&1 || [ ! -f "$deb" ]; then
	fail "make deb builds truemem_${version}_$arch.deb" "$(tail -5 "$tmp/build.log")"
	exit 1
fi
pass "make deb builds truemem_${version}_$arch.deb"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
missing=""
for f in /usr/bin/truemem /usr/share/man/man1/truemem.1.gz /usr/share/man/man5/truemem-scenario.5.gz \
	/usr/share/bash-completion/completions/truemem /usr/share/zsh/vendor-completions/_truemem \
	/usr/share/fish/vendor_completions.d/truemem.fish /usr/share/truemem/truemem-1.schema.json \
	/lib/systemd/system/truemem-textfile.service /lib/systemd/system/truemem-textfile.timer \
	/usr/share/doc/truemem/copyright; do
	grep -qx "$f" "$tmp/files" || missing="$missing $f"
done
[ -z "$missing" ] && pass "the package holds every file" || fail "the package holds every file" "missing:$missing"
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/truemem/truemem-1.schema.json >"$tmp/schema.json"
cmp -s "$tmp/schema.json" "$root/share/truemem-1.schema.json" && pass "the packaged schema is the repository's" ||
	fail "the packaged schema is the repository's" "differs"

lintian --no-tag-display-limit "$deb" >"$tmp/lintian" 2>&1
if grep -q '^E: ' "$tmp/lintian"; then
	fail "lintian reports no errors" "$(grep '^E: ' "$tmp/lintian" | head -5)"
else
	pass "lintian reports no errors ($(grep -c '^W: ' "$tmp/lintian") warnings)"
fi

if [ "$(id -u)" != 0 ]; then
	echo "SKIP package installs: not root"
elif dpkg-query -W -f='${Status}' truemem 2>/dev/null | grep -q "installed"; then
	echo "SKIP package installs: a truemem package is installed already (left alone)"
else
	installed=1
	if dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
		pass "dpkg -i installs it"
		/usr/bin/truemem --version | grep -qx "truemem $version" && pass "installed truemem runs" ||
			fail "installed truemem runs" "$(/usr/bin/truemem --version 2>&1 | head -2)"
		/usr/bin/truemem ps --mode rollup --json -p 1 >"$tmp/ps.json" 2>&1 &&
			grep -q '"schema":.*"truemem/1"' "$tmp/ps.json" && pass "installed truemem reports" ||
			fail "installed truemem reports" "$(head -c 300 "$tmp/ps.json")"
		[ "$(man -w truemem 2>/dev/null)" = /usr/share/man/man1/truemem.1.gz ] &&
			MANWIDTH=200 MANPAGER=cat man truemem 2>/dev/null | grep -q 'how much memory each process' &&
			pass "man truemem shows the installed page" ||
			fail "man truemem shows the installed page" "$(man -w truemem 2>&1)"
		# Enabling links the timer under /etc/systemd/system/*.wants; the package must not.
		state=$(ls /etc/systemd/system/*.wants/truemem-textfile.* 2>/dev/null)
		if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
			state="$state$(systemctl is-enabled truemem-textfile.timer 2>&1 | grep -vx disabled)"
		fi
		[ -z "$state" ] && pass "the timer is installed, not enabled" ||
			fail "the timer is installed, not enabled" "$state"
		dpkg -P truemem >>"$tmp/install.log" 2>&1
		installed=""
		left=$(grep -v '/$' "$tmp/files" | while read -r f; do [ -e "$f" ] && echo "$f"; done)
		[ -z "$left" ] && pass "dpkg -P removes it" || fail "dpkg -P removes it" "left: $left"
	else
		fail "dpkg -i installs it" "$(tail -5 "$tmp/install.log")"
	fi
fi
exit $failed
