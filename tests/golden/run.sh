#!/bin/sh
# tests/golden/run.sh: for each scenario tests/golden/*.scn, run
# `truemem sim` and check that `truemem ps --from DIR --json` (plain,
# --group-by user, tree, program, cgroup) reports what the engine's
# truth.json says, and that truth.json agrees with the figures worked by
# hand in NAME.expect.json (processes) and NAME.cgroups.json (cgroups). Prints PASS/FAIL per scenario; exits non-zero on any
# failure. Usage: tests/golden/run.sh [TRUEMEM_BINARY]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${TRUEMEM:-$here/../../build/truemem}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/truemem-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# The SPEC section 2 and 2.1 fields of every process and the totals.
procs='{processes: [.processes[] | {pid, rss, pss, uss, swap, swap_pss, frees, reclaimable, stays, frees_swap,
	anon: (.anon | {rss, pss, uss, swap}), file: (.file | {rss, pss, uss, swap}),
	shmem: (.shmem | {rss, pss, uss, swap})}] | sort_by(.pid),
	totals: (.totals | {rss, pss, uss, swap})}'
# Groups, matched by their members (tree keys are spelled differently).
groups='[.[] | {pids: (.pids | sort), rss, pss, uss, swap, swap_uss, frees, reclaimable, stays,
	frees_swap}] | sort_by(.pids)'
# The split worked by hand in NAME.expect.json, where a scenario has one.
split='{processes: [.processes[] | {pid, uss, frees, reclaimable, stays, frees_swap}] | sort_by(.pid)}'
gsplit='[.[] | {pids: (.pids | sort), uss, frees, reclaimable, stays, frees_swap}] | sort_by(.pids)'

# The SPEC section 2.3 fields of every cgroup.
cgkeys='[.[] | {path, charged, swap_charged, kernel, mapped_inside, mapped_outside_only, unmapped_file,
	unmapped_shmem, unmapped_anon, unexplained, mapped_from_elsewhere, pids, rss, pss, uss, frees}] | sort_by(.path)'

# $tmp/got equals $tmp/want, or the difference is shown under the title.
same() {   # title
	cmp -s "$tmp/got" "$tmp/want" && return 0
	echo "$1:" >&2
	diff "$tmp/want" "$tmp/got" | head -20 >&2
	return 1
}

# truth.json's cgroups agree with the hand-worked NAME.cgroups.json, and
# so does `truemem cgroup --from DIR --json` in exact mode, row for row.
check_cgroups() {   # name dir expect
	jq -S "$cgkeys" "$3" > "$tmp/want" && jq -S ".cgroups | $cgkeys" "$2/truth.json" > "$tmp/got" &&
		same "$1: truth's cgroups differ from $3 (-expected +truth)" &&
		"$bin" cgroup --from "$2" --json --mode exact > "$tmp/cg.json" &&
		jq -S ".cgroups | $cgkeys" "$tmp/cg.json" > "$tmp/got" &&
		same "$1: truemem cgroup differs from $3 (-expected +truemem cgroup)"
}

# Both truth.json and ps agree with the hand-worked NAME.expect.json (processes; tree and user groups).
check_expect() {   # name dir expect
	name=$1 dir=$2 expect=$3
	jq -S "$split" "$expect" > "$tmp/want" || return 1
	for src in truth ps; do
		if [ $src = truth ]; then jq -S "$split" "$dir/truth.json"; else
			"$bin" ps --from "$dir" --json | jq -S "$split"; fi > "$tmp/got" || return 1
		if ! cmp -s "$tmp/got" "$tmp/want"; then
			echo "$name: $src differs from $expect (-expected +$src):" >&2
			diff "$tmp/want" "$tmp/got" | head -20 >&2
			return 1
		fi
	done
	for by in tree user; do
		jq -S ".groups.$by | $gsplit" "$expect" > "$tmp/want" || return 1
		for src in truth ps; do
			if [ $src = truth ]; then jq -S ".groups.$by | $gsplit" "$dir/truth.json"; else
				"$bin" ps --from "$dir" --json --group-by $by | jq -S ".groups | $gsplit"; fi > "$tmp/got" || return 1
			if ! cmp -s "$tmp/got" "$tmp/want"; then
				echo "$name: --group-by $by of $src differs from $expect (-expected +$src):" >&2
				diff "$tmp/want" "$tmp/got" | head -20 >&2
				return 1
			fi
		done
	done
}

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
	expect="$here/$name.expect.json"
	cgx="$here/$name.cgroups.json"
	if "$bin" sim "$scn" -o "$dir" > /dev/null && check "$name" "$dir" &&
	   { [ ! -f "$expect" ] || check_expect "$name" "$dir" "$expect"; } &&
	   { [ ! -f "$cgx" ] || check_cgroups "$name" "$dir" "$cgx"; }; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		fail=1
	fi
done
# Hand-worked numbers (in the scenarios' comments): pid's only mapping, and a tree group.
hand() {   # scenario pid "rss pss uss swap swap_pss"
	rm -rf "$tmp/hand"
	"$bin" sim "$here/$1.scn" -o "$tmp/hand" > /dev/null || return 1
	got=$("$bin" map "$2" --from "$tmp/hand" --json | jq -r '.mappings[0] | "\(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss)"')
	[ "$got" = "$3" ] || { echo "$1: pid $2 gives $got, by hand $3" >&2; return 1; }
}
if hand huge_fork 100 "16777216 8404992 32768 0 0" && hand huge_fork 101 "16777216 8404992 32768 0 0" &&
   [ "$("$bin" ps --from "$tmp/hand" --json --group-by tree | jq -c '.groups[0] | [.rss, .pss, .uss]')" = \
	"[16809984,16809984,16809984]" ] &&
   hand guard 100 "172032 86016 0 24576 12288" && hand guard 101 "172032 86016 0 24576 12288" &&
   [ "$("$bin" map 101 --from "$tmp/hand" --json | jq -c '[.mappings[0].guard, .totals.guard]')" = "[65536,65536]" ] &&
   "$bin" map 101 --from "$tmp/hand" -X --bytes | grep -q ' Guard Mode ' &&
   "$bin" map 101 --from "$tmp/hand" -X --bytes | grep -q '^0*10000000 .* 65536 rw-p '; then
	echo "PASS by_hand"
else
	echo "FAIL by_hand"
	fail=1
fi
# start_time: deterministic, by creation order (the Nth process made starts N
# centiseconds after boot), so a reused pid is told apart; map says it too.
printf 'ram 1M\nspawn 5 a\nexit 5\nspawn 6 b\nspawn 5 c\nmmap 5 m anon private 4K\n' > "$tmp/reuse.scn"
rm -rf "$tmp/reuse"
if "$bin" sim "$tmp/reuse.scn" -o "$tmp/reuse" > /dev/null &&
   [ "$("$bin" ps --from "$tmp/reuse" --json | jq -c '[.processes[] | [.pid, .start_time]]')" = "[[5,0.03],[6,0.02]]" ] &&
   [ "$("$bin" map 5 --from "$tmp/reuse" --json | jq -c .start_time)" = "0.03" ]; then
	echo "PASS start_time"
else
	echo "FAIL start_time"
	fail=1
fi
# --trace: each fault with its kind, copy-on-write, swap-out and swap-in, a line each.
trace_has() {   # scenario pattern...
	scn=$1
	shift
	rm -rf "$tmp/trace"
	"$bin" sim "$here/$scn.scn" -o "$tmp/trace" --trace > "$tmp/trace.txt" || return 1
	for pat in "$@"; do
		grep -q "$pat" "$tmp/trace.txt" || { echo "trace of $scn lacks /$pat/" >&2; return 1; }
	done
}
if trace_has fork_cow '^fault pid=100 addr=0x10000000 write demand-zero pfn=' \
	'^fault pid=100 addr=0x10011000 read cache-miss pfn=' '^fork 100 -> 101 ' \
	'^cow pid=101 addr=0x10000000 pfn=' '^cow pid=103 addr=0x10011000 pfn=[0-9]* -> pfn=[0-9]*$' &&
   trace_has reclaim '^swapout pfn=[0-9]* -> slot=[0-9]* ptes=[0-9]* (anon)$' \
	'^swapin pid=50 addr=0x10009000 slot=' &&
   trace_has zero_page '^fault pid=10 addr=0x10000000 read zero-page$' \
	'^fault pid=10 addr=0x10000000 write zero-page -> demand-zero pfn=' &&
   trace_has huge_fork '^fault pid=100 addr=0x10000000 write huge-page pfn=' '^split-pmd addr=0x10000000$' \
	'^cow pid=101 addr=0x10801000 pfn=' &&
   trace_has guard '^guard pid=100 addr=0x10010000-0x10020000$' &&
   trace_has cgroup_move '^move pid=10 /old -> /new$'; then
	echo "PASS trace"
else
	echo "FAIL trace"
	fail=1
fi
# diff: snapshot A (diff/before.scn) and B (before.scn then diff/after.scn), the
# deltas worked by hand in diff/expect.json (10 and 11 each see 64 KiB of
# copy-on-write broken; 20 exited and its pid came back as a new process);
# the census: 16 frames swapped out, 16 copied, 16 freed and 8 taken by the
# new 20, so mapped_anon falls by 8 pages and free rises by as many.
cat "$here/diff/before.scn" "$here/diff/after.scn" >"$tmp/after.scn"
if "$bin" sim "$here/diff/before.scn" -o "$tmp/da" >/dev/null && "$bin" sim "$tmp/after.scn" -o "$tmp/db" >/dev/null &&
	"$bin" diff "$tmp/da" "$tmp/db" --json --group-by user >"$tmp/diff.json" &&
	jq -S '{processes: [.processes[] | {pid, status, rss, pss, uss, swap, cow_broken}] | sort_by(.pid, .status),
		totals: (.totals | {rss, pss, uss, swap, cow_broken}),
		groups: [.groups[] | {key, status, pids, rss, pss, uss, swap}] | sort_by(.key)}' \
		"$tmp/diff.json" >"$tmp/diff.got" && jq -S . "$here/diff/expect.json" >"$tmp/diff.want" &&
	cmp -s "$tmp/diff.got" "$tmp/diff.want" &&
	[ "$(jq -r '[.processes[].pid] | map(tostring) | join(" ")' "$tmp/diff.json")" = "20 20 10 11" ] &&
	[ "$(jq -c '[.census.mapped_anon, .census.free, .census.slab]' "$tmp/diff.json")" = "[-32768,32768,0]" ]; then
	echo "PASS diff"
else
	echo "FAIL diff: $(diff "$tmp/diff.want" "$tmp/diff.got" 2>&1 | head -20 | tr '\n' ' ')"
	fail=1
fi
# The reverse diff: every change negated, new and gone swapped, nothing broken copy-on-write.
if "$bin" diff "$tmp/db" "$tmp/da" --json --group-by user >"$tmp/rdiff.json" &&
	[ "$(jq -c '[.processes[] | [.pid, .status, .rss, .pss, .uss, .swap, .cow_broken]] | sort' "$tmp/rdiff.json")" = \
	  '[[10,"changed",65536,0,-65536,-65536,0],[11,"changed",65536,0,-65536,-65536,0],[20,"gone",-32768,-32768,-32768,0,null],[20,"new",65536,65536,65536,0,null]]' ]; then
	echo "PASS diff_reverse"
else
	echo "FAIL diff_reverse: $(jq -c '[.processes[] | [.pid, .status, .rss, .pss, .uss, .swap, .cow_broken]]' "$tmp/rdiff.json" 2>&1)"
	fail=1
fi
# The cgroups, matched by path, worked by hand in diff/expect.cgroups.json
# (B - A, in the order of the charged change, then the path):
#   /app   64 frames in A (10 and 11 share them); in B 16 of them swapped out
#          (charged -64K, swap_charged +64K), 11 gone to /new (procs -1);
#          10 alone maps 48: rss 192K, pss 16 own * 4K + 32 shared * 2K =
#          128K, uss and frees its 16 own (64K), against 256K each in A.
#   /new   new: 11's 16 copy-on-write copies (64K, mapped inside); the 32
#          frames it shares with 10 are /app's (borrowed 128K); rss 192K,
#          pss 64K + 32 * 2K = 128K, uss and frees 64K.
#   /      the 16 swapped and 16 of the old 20 freed, 16 copies and 8 of
#          the new 20 charged: -8 frames (-32K) everywhere, swap +64K.
#   /batch 16 frames of the old 20, 8 of the new: -32K.
if jq -S '.cgroups' "$tmp/diff.json" >"$tmp/cg.got" && jq -S . "$here/diff/expect.cgroups.json" >"$tmp/cg.want" &&
	cmp -s "$tmp/cg.got" "$tmp/cg.want" &&
	[ "$(jq -c '[.cgroups[] | [.path, .status, .charged, .swap_charged, .procs, .pss, .mapped_from_elsewhere]]' \
		"$tmp/rdiff.json")" = '[["/app","changed",65536,-65536,1,131072,0],["/new","gone",-65536,0,-1,-131072,-131072],["/","changed",32768,-65536,0,32768,0],["/batch","changed",32768,0,0,32768,0]]' ] &&
	"$bin" diff "$tmp/da" "$tmp/db" >"$tmp/diff.txt" 2>/dev/null &&
	grep -Eq '^new +\+64\.0 KiB +\+64\.0 KiB +0 .* \+128\.0 KiB +\+128\.0 KiB +\+1  /new$' "$tmp/diff.txt" &&
	"$bin" diff "$tmp/da" "$tmp/db" --json --mode rollup 2>/dev/null |
		jq -e '.cgroups[0] | .path == "/app" and .charged == -65536 and .mapped_inside == null and .procs == -1' >/dev/null &&
	cp -r "$tmp/da" "$tmp/da-nocg" && rm "$tmp/da-nocg/cgroups" &&
	"$bin" diff "$tmp/da-nocg" "$tmp/db" --json 2>/dev/null | jq -e 'has("cgroups") | not' >/dev/null; then
	echo "PASS diff_cgroups"
else
	echo "FAIL diff_cgroups: $(diff "$tmp/cg.want" "$tmp/cg.got" 2>&1 | head -20 | tr '\n' ' ')"
	fail=1
fi
# Errors: an unreadable snapshot, and snapshots of different page sizes, exit 1 naming what is wrong.
printf 'not a snapshot\n' >"$tmp/bad"
"$bin" diff "$tmp/da" "$tmp/bad" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "$tmp/bad" "$tmp/err"; then echo "PASS diff_unreadable"
else echo "FAIL diff_unreadable: exit $rc, $(head -c 200 "$tmp/err")"; fail=1; fi
cp -r "$tmp/db" "$tmp/db16k"
sed -i 's/^page_size 4096$/page_size 16384/' "$tmp/db16k/truemem-snapshot"
"$bin" diff "$tmp/da" "$tmp/db16k" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "different page sizes" "$tmp/err"; then echo "PASS diff_page_size"
else echo "FAIL diff_page_size: exit $rc, $(head -c 200 "$tmp/err")"; fail=1; fi
"$bin" diff "$tmp/da" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 2 ]; then echo "PASS diff_usage"; else echo "FAIL diff_usage: exit $rc"; fail=1; fi
# -o and the fates' --sort on an engine snapshot (columns.sh).
sh "$here/columns.sh" "$bin" || fail=1
exit $fail
