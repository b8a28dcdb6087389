#!/bin/sh
# tests/golden/columns.sh: the column tables of ps, map, lib and cgroup on
# an engine snapshot with known figures: -o picks and orders the text
# table's columns (unknown names and -o with JSON are usage errors), and
# --sort orders by the fates of SPEC 2.1 (frees, reclaimable, stays,
# frees_swap) in exact mode and is refused in rollup mode.
# Usage: tests/golden/columns.sh [TRUEMEM_BINARY]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${TRUEMEM:-$here/../../build/truemem}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/truemem-columns.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# Processes whose PSS order is not their fates' order: 10 maps a named
# tmpfs file (64 KiB that stays), 30 reads a file (48 KiB reclaimable), 20
# writes 32 KiB of anonymous memory (8 KiB swapped out) and forks 21, which
# shares it copy-on-write and writes 16 KiB of its own. By hand: process
# 21 frees 16 KiB, the others nothing; tree group 20 (20 and 21) frees
# 40 KiB (24 KiB resident heap + 16 KiB) and 8 KiB of swap.
cat >"$tmp/s.scn" <<'SCN'
ram 16M
swap 4M
spawn 10 keeper
mmap 10 seg tmpfs /dev/shm/keep 64K
touch 10 seg write
spawn 20 worker uid=1000
mmap 20 heap anon private 32K
touch 20 heap write
swapout 20 heap 0 8K
spawn 30 reader
mmap 30 data file /data/f private 48K
touch 30 data read
fork 20 21
mmap 21 own anon private 16K
touch 21 own write
SCN
if ! "$bin" sim "$tmp/s.scn" -o "$tmp/snap" >/dev/null 2>"$tmp/err"; then
	echo "FAIL columns_setup: $(cat "$tmp/err")"
	exit 1
fi
F="--from $tmp/snap --bytes"

# check NAME WANT COMMAND...: stdout of the command is WANT exactly, exit 0.
check() {
	name=$1 want=$2
	shift 2
	got=$("$@" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name: exit $rc, got:"
		printf '%s\n' "$got" "$(cat "$tmp/err")" | head -12
		fail=1
	fi
}

# usage NAME GREP COMMAND...: the command exits 2 and says GREP on stderr.
usage() {
	name=$1 pat=$2
	shift 2
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$pat" "$tmp/err"; then
		echo "PASS $name"
	else
		echo "FAIL $name: exit $rc, $(head -c 300 "$tmp/err")"
		fail=1
	fi
}

# One line of the first column of each row.
col1() { tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

check columns_ps_select "$(printf '%s\n' \
	'COMMAND PID    PSS FREES RECLAIMABLE STAYS FREES_SWAP' \
	'keeper   10  65536     0           0 65536          0' \
	'reader   30  49152     0       49152     0          0' \
	'worker   21  28672 16384           0     0          0' \
	'worker   20  12288     0           0     0          0' \
	'            155648     -           -     -          - TOTAL (distinct frames)')" \
	"$bin" ps $F -o command,pid,pss,frees,reclaimable,stays,frees_swap
check columns_ps_default_unchanged "$("$bin" ps $F -o pid,user,swap,uss,pss,rss,command 2>/dev/null)" "$bin" ps $F
# Widths fit the widest cell, the TOTAL row's too (dropped or not, as without -o).
check columns_ps_no_totals "$(printf '%s\n' '   RSS PID' ' 65536  10' ' 49152  30' ' 40960  21' ' 24576  20')" \
	"$bin" ps $F -o rss,pid --no-totals
check columns_group_select "$(printf '%s\n' \
	'     FREES TREE                                     FREES_SWAP' \
	'     40960 20 worker                                      8192' \
	'         0 10 keeper                                         0' \
	'         0 30 reader                                         0')" \
	"$bin" ps $F --group-by tree --sort frees -o frees,key,frees_swap
# Process 20's heap: 32 KiB written, 8 KiB of it swapped out.
check columns_map_select "$(printf '%s\n' '20:   worker' \
	'Mapping                                           RSS         Swap' \
	'[anon]                                          24576         8192' \
	'total                                           24576         8192')" \
	"$bin" map $F -o mapping,rss,swap 20
check columns_map_total_label "$(printf '%s\n' '20:   worker' '         RSS Address          Mode' \
	'       24576 0000000010000000 rw-p' '       24576 total')" \
	"$bin" map $F -o rss,address,mode 20
check columns_lib_select "$(printf '%s\n' 'NAME                                              PSS' \
	'/dev/shm/keep                                   65536' '/data/f                                         49152')" \
	"$bin" lib $F -o name,pss
check columns_cgroup_select "$("$bin" cgroup $F --no-headers 2>/dev/null | awk '{print $1, $9, $NF}')" \
	sh -c "\"$bin\" cgroup $F --no-headers -o charged,procs,cgroup | awk '{print \$1, \$2, \$NF}'"

# --sort by a fate: exact mode only; ties go by pid (processes), key (groups).
check columns_sort_frees "21 10 20 30" sh -c "\"$bin\" ps $F --sort frees --no-headers --no-totals -o pid | tr -s ' \\n' ' ' | sed 's/^ //; s/ \$//'"
check columns_sort_reclaimable "30 10 20 21" sh -c "\"$bin\" ps $F --sort reclaimable --no-headers --no-totals -o pid | tr -s ' \\n' ' ' | sed 's/^ //; s/ \$//'"
check columns_sort_stays "10 20 21 30" sh -c "\"$bin\" ps $F --sort stays --no-headers --no-totals -o pid | tr -s ' \\n' ' ' | sed 's/^ //; s/ \$//'"
check columns_sort_plus_frees "10 20 30 21" sh -c "\"$bin\" ps $F --sort +frees --no-headers --no-totals -o pid | tr -s ' \\n' ' ' | sed 's/^ //; s/ \$//'"
check columns_group_sort_frees "20 10 30" sh -c "\"$bin\" ps $F --group-by tree --sort frees --no-headers -o key | cut -d' ' -f1 | tr '\\n' ' ' | sed 's/ \$//'"
check columns_group_sort_frees_swap "20 10 30" sh -c "\"$bin\" ps $F --group-by tree --sort frees_swap --no-headers -o key | cut -d' ' -f1 | tr '\\n' ' ' | sed 's/ \$//'"
check columns_group_sort_reclaimable "30 10 20" sh -c "\"$bin\" ps $F --group-by tree --sort reclaimable --no-headers -o key | cut -d' ' -f1 | tr '\\n' ' ' | sed 's/ \$//'"
check columns_group_sort_stays "10 20 30" sh -c "\"$bin\" ps $F --group-by tree --sort stays --no-headers -o key | cut -d' ' -f1 | tr '\\n' ' ' | sed 's/ \$//'"
check columns_json_sort_frees "[21,10,20,30]" sh -c "\"$bin\" ps $F --sort frees --json | jq -c '[.processes[].pid]'"

usage columns_unknown "has no column 'bogus'" "$bin" ps $F -o pid,bogus
usage columns_unknown_lists "pid, user" "$bin" ps $F -o nope
usage columns_unknown_group "'ps --group-by' has no column 'pid'" "$bin" ps $F --group-by user -o pid
usage columns_unknown_map "'map' has no column 'user'" "$bin" map $F -o user 20
usage columns_unknown_lib "'lib' has no column 'pid'" "$bin" lib $F -o pid
usage columns_unknown_cgroup "'cgroup' has no column 'pss'" "$bin" cgroup $F -o pss
usage columns_empty_item "has no column ''" "$bin" ps $F -o pid,,pss
usage columns_with_json "keeps its schema" "$bin" ps $F -o pid --json
usage columns_with_prometheus "keeps its schema" "$bin" ps $F -o pid --format prometheus
usage columns_sort_frees_rollup "needs exact mode" "$bin" ps $F --mode rollup --sort frees
usage columns_group_sort_frees_rollup "needs exact mode" "$bin" ps $F --mode rollup --group-by user --sort frees
usage columns_sort_unknown "'ps' has no column 'zzz'" "$bin" ps $F --sort zzz
if "$bin" ps --help | grep -q "^Columns (-o, --sort):" && "$bin" map --help | grep -q "address, size" &&
	"$bin" lib --help | grep -q "procs, swap" && "$bin" cgroup --help | grep -q "charged, mapped"; then
	echo "PASS columns_help_lists"
else
	echo "FAIL columns_help_lists: a --help does not list its columns"
	fail=1
fi
exit $fail
