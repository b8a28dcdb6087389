#!/bin/sh
# tests/fuzz/run.sh [SECONDS [TARGET...]]: build and run the libFuzzer
# targets, each for SECONDS (default 5), and print "PASS fuzz_X" or
# "FAIL fuzz_X" per target. Exits 1 if any target fails to build or finds
# a crash, leak, sanitizer error or timeout.
#
# A target is a file tests/fuzz/fuzz_X.c defining LLVMFuzzerTestOneInput,
# with one line in its top comment naming the sources it links, e.g.
#    * sources: src/collect/maps.c src/util/util.c
# (shell globs are expanded: src/engine/[a-z]*.c, since "/*" would end
# the comment) and, optionally, one
# naming the pkg-config packages it needs, e.g.
#    * pkgs: libcjson ncursesw
# Its seed corpus is tests/fuzz/corpus/X/ (optional). The run works on a
# scratch copy, so the committed corpus does not grow. Adding a target is
# adding those files; this script needs no change.
#
# Environment: FUZZ_CC (default clang), FUZZ_OUT (default build-fuzz: the
# binaries, logs, and crash artifacts that a FAIL names), FUZZ_JOBS (builds
# at a time; default one per core).
set -u
cd "$(dirname "$0")/../.." || exit 1

secs=${1:-5}
[ $# -gt 0 ] && shift
cc=${FUZZ_CC:-clang}
out=${FUZZ_OUT:-build-fuzz}
flags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Iinclude -D_GNU_SOURCE"

case $secs in
''|*[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS [TARGET...]]" >&2; exit 2 ;;
esac

if [ $# -gt 0 ]; then
	targets=""
	for t in "$@"; do
		t=${t%.c}; t=${t#tests/fuzz/}; t=fuzz_${t#fuzz_}
		targets="$targets tests/fuzz/$t.c"
	done
else
	targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null)
fi
[ -n "$targets" ] || { echo "tests/fuzz/run.sh: no fuzz targets" >&2; exit 1; }

mkdir -p "$out" || exit 1

# build SRC: builds one target; writes $out/NAME.built ("ok" or why not).
build() {
	src=$1 name=$(basename "$1" .c)
	rm -f "$out/$name.built"
	if [ ! -f "$src" ]; then
		echo "no such file: $src" >"$out/$name.built"
		return
	fi
	sources=$(sed -n 's/^[ /]*\*[ ]*sources:[ ]*//p' "$src" | head -n 1)
	if [ -z "$sources" ]; then
		echo "no ' * sources:' line in $src" >"$out/$name.built"
		return
	fi
	pkgs=$(sed -n 's/^[ /]*\*[ ]*pkgs:[ ]*//p' "$src" | head -n 1)
	libs=""
	# shellcheck disable=SC2086
	if [ -n "$pkgs" ] && ! libs=$(pkg-config --cflags --libs $pkgs 2>"$out/$name.build.log"); then
		echo "pkg-config $pkgs: $out/$name.build.log" >"$out/$name.built"
		return
	fi
	# shellcheck disable=SC2086
	if ! $cc $flags -o "$out/$name" "$src" $sources $libs >"$out/$name.build.log" 2>&1; then
		echo "build: $out/$name.build.log" >"$out/$name.built"
		return
	fi
	echo ok >"$out/$name.built"
}

# The builds first, one per core at a time (FUZZ_JOBS), then the runs one by one.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
n=0
for src in $targets; do
	build "$src" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait

failed=0
for src in $targets; do
	name=$(basename "$src" .c)
	built=$(cat "$out/$name.built" 2>/dev/null || echo "not built")
	if [ "$built" != ok ]; then
		echo "FAIL $name ($built)"
		failed=1
		continue
	fi
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/truemem-fuzz.XXXXXX") || exit 1
	seeds=tests/fuzz/corpus/${name#fuzz_}
	[ -d "$seeds" ] && cp -R "$seeds/." "$scratch/"
	if "$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$scratch" >"$out/$name.log" 2>&1; then
		echo "PASS $name"
	else
		echo "FAIL $name (log: $out/$name.log; reproduce: $out/$name $out/$name-crash-*)"
		failed=1
	fi
	rm -rf "$scratch"
done
exit $failed
