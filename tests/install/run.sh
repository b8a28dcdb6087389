#!/bin/sh
# make install / uninstall with PREFIX and DESTDIR: the binary, both man
# pages and the three completions where Debian looks for them, and nothing
# left behind by uninstall.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

d=$tmp/root
if make -s install DESTDIR="$d" PREFIX=/usr >"$tmp/log" 2>&1; then
	missing=""
	for f in usr/bin/truemem usr/share/man/man1/truemem.1 usr/share/man/man5/truemem-scenario.5 \
		usr/share/bash-completion/completions/truemem usr/share/zsh/vendor-completions/_truemem \
		usr/share/fish/vendor_completions.d/truemem.fish usr/share/truemem/truemem-1.schema.json; do
		[ -f "$d/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] && pass "install puts every file in place" || fail "install puts every file in place" "missing:$missing"
	"$d/usr/bin/truemem" --version | grep -q '^truemem [0-9]' && pass "installed binary runs" ||
		fail "installed binary runs" "no version line"
	make -s uninstall DESTDIR="$d" PREFIX=/usr >>"$tmp/log" 2>&1
	left=$(find "$d" -type f -o -type d -name truemem | sed "s|^$d/||")
	[ -z "$left" ] && pass "uninstall removes them" || fail "uninstall removes them" "left: $left"
else
	fail "install" "$(tail -3 "$tmp/log")"
fi

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
