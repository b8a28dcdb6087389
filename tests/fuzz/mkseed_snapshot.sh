#!/bin/sh
# tests/fuzz/mkseed_snapshot.sh DIR [FILE...]: writes snapshot DIR as one
# fuzz_snapshot input on stdout (the container format described at the top
# of tests/fuzz/fuzz_snapshot.c): "=== NAME\n" then the file's bytes, entries
# joined by "\n". FILEs (relative to DIR) limit which files go in; default:
# the header, kpages, meminfo and every PID directory's files.
# Example: truemem sim tests/golden/fork_cow.scn -o /tmp/s &&
#          tests/fuzz/mkseed_snapshot.sh /tmp/s > tests/fuzz/corpus/snapshot/fork_cow
set -eu
dir=${1:?usage: mkseed_snapshot.sh DIR [FILE...]}
shift
if [ $# -eq 0 ]; then
	set -- truemem-snapshot kpages meminfo
	for p in "$dir"/[0-9]*; do
		for f in ident maps smaps smaps_rollup status pagemap; do
			[ -f "$p/$f" ] && set -- "$@" "${p##*/}/$f"
		done
	done
fi
first=1
for f in "$@"; do
	[ $first -eq 1 ] || printf '\n'
	first=0
	printf '=== %s\n' "$f"
	cat "$dir/$f"
done
