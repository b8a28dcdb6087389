#!/bin/sh
# tests/golden/run.sh: for each scenario tests/golden/*.scn, run
# `truemem sim` and check that `truemem ps --from DIR --json` (plain,
# --group-by user, tree, program, cgroup) reports what the engine's
# truth.json says. Prints PASS/FAIL per scenario; exits non-zero on any
# failure. Usage: tests/golden/run.sh [TRUEMEM_BINARY]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${TRUEMEM:-$here/../../build/truemem}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/truemem-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# The SPEC section 2 fields of every process and the totals.
procs='{processes: [.processes[] | {pid, rss, pss, uss, swap, swap_pss,
	anon: (.anon | {rss, pss, uss, swap}), file: (.file | {rss, pss, uss, swap}),
	shmem: (.shmem | {rss, pss, uss, swap})}] | sort_by(.pid),
	totals: (.totals | {rss, pss, uss, swap})}'
# Groups, matched by their members (tree keys are spelled differently).
groups='[.[] | {pids: (.pids | sort), rss, pss, uss, swap, swap_uss}] | sort_by(.pids)'

check() {   # name dir
	name=$1 dir=$2
	"$bin" ps --from "$dir" --json > "$tmp/ps.json" || return 1
	jq -S "$procs" "$tmp/ps.json" > "$tmp/got" || return 1
	jq -S "$procs" "$dir/truth.json" > "$tmp/want" || return 1
	if ! cmp -s "$tmp/got" "$tmp/want"; then
		diff "$tmp/want" "$tmp/got" | head -20 >&2
		return 1
	fi
	for by in user tree program cgroup; do
		"$bin" ps --from "$dir" --json --group-by "$by" > "$tmp/g.json" || return 1
		jq -S ".groups | $groups" "$tmp/g.json" > "$tmp/got" || return 1
		jq -S ".groups.$by | $groups" "$dir/truth.json" > "$tmp/want" || return 1
		if ! cmp -s "$tmp/got" "$tmp/want"; then
			echo "$name: --group-by $by differs (-truth +ps):" >&2
			diff "$tmp/want" "$tmp/got" | head -20 >&2
			return 1
		fi
	done
	return 0
}

for scn in "$here"/*.scn; do
	name=$(basename "$scn" .scn)
	dir="$tmp/$name"
	if "$bin" sim "$scn" -o "$dir" > /dev/null && check "$name" "$dir"; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		fail=1
	fi
done
exit $fail
