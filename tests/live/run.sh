#!/bin/bash
# Live tests: real processes with exactly known memory, checked byte for byte
# against `truemem ps --json`, `truemem map PID --json`, `--group-by` and
# `capture`/`--from` (SPEC sections 1-4), and every quiet process on the
# machine against the kernel's smaps_rollup.
#
# The processes come from memhog (tests/live/helpers/memhog.c): each one maps
# only its test region plus a single private, written, anonymous 4096-byte
# stub page, so its totals are exact: rss = region rss + 4096, and so on.
# Tests that change machine-wide state (a swap file, ksm/run, nr_hugepages)
# take a lock, restore the setting and clean up even when they fail.
#
#   TRUEMEM=./build/truemem HELPERS=./build/tests/live/helpers sh tests/live/run.sh [TEST...]
#
# One line per test (`PASS name` / `FAIL name: reason`, or `SKIP name:
# reason` when the kernel lacks what the test needs: tests/probe.sh), then
# `live: N passed, M failed, K skipped`; exit 1 if any failed. Every test runs in its own
# process under `timeout`; its EXIT trap stops the memhogs it started (and
# they die with it anyway: memhog uses PR_SET_PDEATHSIG), swaps off and
# removes its files. Needs root (CAP_SYS_ADMIN), jq, setpriv, timeout.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # tests/run.sh starts us with sh
set -u

TRUEMEM=${TRUEMEM:-./build/truemem}
HELPERS=${HELPERS:-./build/tests/live/helpers}
case $TRUEMEM in /*) ;; *) TRUEMEM=$PWD/$TRUEMEM ;; esac
case $HELPERS in /*) ;; *) HELPERS=$PWD/$HELPERS ;; esac
export TRUEMEM HELPERS
. "$(dirname "$0")/../probe.sh"
MEMHOG=$HELPERS/memhog
PAGE=$(getconf PAGESIZE)
STUB=$PAGE              # every memhog process maps one stub page
TEST_TIMEOUT=${LIVE_TEST_TIMEOUT:-50}  # seconds per test; twice that for those that capture the whole system

ALL_TESTS="
anon_private
cow_children
cow_power_of_two
shared_file_disk
shared_file_tmpfs
memfd_shared
zero_page
noreserve_64g
sparse_runs
sparse_capture
text_output
selection_self
rollup_mode
sort_filter
group_program
group_user
group_cgroup
kernel_consistency
rollup_as_nobody
usage_errors
missing_pid
select_user
start_time
capture_replay
map_rows
map_zero_noreserve
map_file
map_errors
map_several
map_extended_totals
lib_file
lib_names_sort
group_tree_cow
group_tree_memfd
frees
thp_cow
ksm
hugetlb
swap_private_cow
swap_memfd
shared_mm
shared_mm_swap
version_verbose
census_sys
census_rollup
census_capture
cgroup_live
cgroup_views
cgroup_capture
"

# ---- helpers for the test functions (run inside `run.sh --one NAME`) ----

ERRS=""
SUPERVISORS=""
CLEANUP_CMDS=""

err() { ERRS="$ERRS${ERRS:+; }$*"; }

# Stop now with a reason (on fd 3, the test's stdout, whatever is redirected).
fail() {
	err "$@"
	printf '%s\n' "$ERRS" >&3
	exit 1
}

# Stop now: the kernel lacks what the test needs (exit 77: the driver prints SKIP).
skip() {
	printf '%s\n' "$*" >&3
	exit 77
}

# need PROBE [ARG]: skip unless tests/probe.sh finds the feature.
need() {
	"probe_$1" ${2:+"$2"} || skip "$PROBE_WHY"
}

# End of a test: pass unless something was recorded.
finish() {
	if [ -n "$ERRS" ]; then
		printf '%s\n' "$ERRS" >&3
		exit 1
	fi
	exit 0
}

on_exit() {
	local sup i alive
	for sup in $SUPERVISORS; do
		kill -TERM "$sup" 2>/dev/null
	done
	for i in $(seq 40); do
		alive=""
		for sup in $SUPERVISORS; do
			kill -0 "$sup" 2>/dev/null && alive="$alive $sup"
		done
		[ -z "$alive" ] && break
		sleep 0.05
	done
	for sup in $alive; do
		kill -KILL "$sup" 2>/dev/null   # its scenario dies by PDEATHSIG
	done
	wait 2>/dev/null
	eval "$CLEANUP_CMDS"
	rm -rf "$WORK"
}

# Run a command at exit (after the memhogs are gone).
at_exit() { CLEANUP_CMDS="$*; $CLEANUP_CMDS"; }

# hog NAME SCENARIO ARGS...: start memhog, wait until its processes are
# final. Sets HOG_PIDS (root first, space separated), HOG_CSV, HOG_SUP.
# With HOG_AS set (e.g. "setpriv --reuid=nobody ..."), runs under it.
hog() {
	local name=$1 out err i
	shift
	out=$WORK/$name.out
	err=$WORK/$name.err
	${HOG_AS:-} "$MEMHOG" --timeout 120 "$@" >"$out" 2>"$err" &
	HOG_SUP=$!
	SUPERVISORS="$SUPERVISORS $HOG_SUP"
	for i in $(seq 200); do
		grep -q '^ready' "$out" 2>/dev/null && break
		kill -0 "$HOG_SUP" 2>/dev/null ||
			fail "memhog $* did not start: $(tr '\n' ' ' <"$err")"
		sleep 0.05
	done
	grep -q '^ready' "$out" || fail "memhog $* not ready after 10 s"
	HOG_PIDS=$(sed -n 's/^ready //p' "$out")
	HOG_CSV=$(printf '%s' "$HOG_PIDS" | tr ' ' ',')
}

# region NAME HOGNAME: "START END" (hex) of a memhog region.
region() { awk -v r="$1" '$1 == "region" && $2 == r { print $3, $4 }' "$WORK/$2.out"; }

# ps_json OUT ARGS...: truemem ps --json ARGS > OUT, exit 0 required.
ps_json() {
	local out=$1 rc
	shift
	"$TRUEMEM" ps --json "$@" >"$out" 2>"$out.err"
	rc=$?
	[ "$rc" = 0 ] || fail "truemem ps --json $* exited $rc: $(head -c 300 "$out.err" | tr '\n' ' ')"
	jq -e . "$out" >/dev/null 2>&1 || fail "truemem ps --json $*: output is not JSON"
}

# Flattened scalars of one process: lines "rss=N", "anon.pss=N", ...
proc_flat() {
	jq -r --argjson pid "$2" '.processes[] | select(.pid == $pid)
		| paths(type != "object" and type != "array") as $p
		| "\($p | map(tostring) | join("."))=\(getpath($p))"' "$1"
}

# expect_proc FILE PID KEY=VALUE...: compare fields of one process.
expect_proc() {
	local file=$1 pid=$2 flat kv key want got
	shift 2
	flat=$(proc_flat "$file" "$pid")
	if [ -z "$flat" ]; then
		err "pid $pid missing from the output"
		return
	fi
	for kv; do
		key=${kv%%=*}
		want=${kv#*=}
		got=$(printf '%s\n' "$flat" | awk -F= -v k="$key" '$1 == k { print substr($0, length(k) + 2); exit }')
		[ "$got" = "$want" ] || err "pid $pid $key: expected $want, got ${got:-<missing>}"
	done
}

# expect LABEL GOT WANT
expect() { [ "$2" = "$3" ] || err "$1: expected $3, got ${2:-<empty>}"; }

# A directory on a disk filesystem (not tmpfs), for file-backed pages.
disk_dir() {
	local d t
	for d in /var/tmp /tmp "$PWD"; do
		t=$(stat -f -c %T "$d" 2>/dev/null) || continue
		case $t in tmpfs|ramfs|overlayfs) continue ;; esac
		mktemp -d "$d/truemem-live.XXXXXX" 2>/dev/null && return 0
	done
	return 1
}

# ---- the tests ----
# Sizes: pss of a page mapped by n processes is 4096/n. For n not a power of
# two, page counts are chosen so that the exact sum's fractional part lies
# farther from an integer than the worst error of 12-bit fixed point
# (pages/4096 bytes), so the printed floor is exact for any compliant
# implementation.

# 256 written private anonymous pages: all of it rss, pss and uss, anon.
test_anon_private() {
	local n=256 b
	hog a anon $n
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	b=$((n * PAGE + STUB))
	expect_proc "$WORK/ps.json" "$HOG_PIDS" readable=true rss=$b pss=$b uss=$b \
		swap=0 swap_pss=0 anon.rss=$b anon.pss=$b anon.uss=$b \
		file.rss=0 file.pss=0 shmem.rss=0 shmem.pss=0
	expect mode "$(jq -r .mode "$WORK/ps.json")" exact
	finish
}

# 254 pages written, then 4 children only read them: 5 processes share each
# frame (copy-on-write): pss = 254*4096/5 = 208076.8 each, uss 0 for them.
test_cow_children() {
	local n=254 k=4 pid rss pss
	hog c cow $n $k
	expect "process count" "$(echo $HOG_PIDS | wc -w)" $((k + 1))
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	rss=$((n * PAGE + STUB))
	pss=$((n * PAGE / (k + 1) + STUB))
	for pid in $HOG_PIDS; do
		expect_proc "$WORK/ps.json" "$pid" readable=true rss=$rss pss=$pss uss=$STUB \
			anon.rss=$rss anon.pss=$pss anon.uss=$STUB file.rss=0 shmem.rss=0
	done
	# Totals count each frame once: the region once, five stub pages.
	expect totals.rss "$(jq .totals.rss "$WORK/ps.json")" $((n * PAGE + (k + 1) * STUB))
	finish
}

# 3 children: 4 processes, 1024 bytes of pss per page, no rounding at all.
test_cow_power_of_two() {
	local n=1000 k=3 pid rss pss sum=0
	hog c cow $n $k
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	rss=$((n * PAGE + STUB))
	pss=$((n * PAGE / (k + 1) + STUB))
	for pid in $HOG_PIDS; do
		expect_proc "$WORK/ps.json" "$pid" rss=$rss pss=$pss uss=$STUB anon.pss=$pss
	done
	expect totals.rss "$(jq .totals.rss "$WORK/ps.json")" $((n * PAGE + (k + 1) * STUB))
	expect totals.pss "$(jq .totals.pss "$WORK/ps.json")" $((n * PAGE + (k + 1) * STUB))
	finish
}

# shared_file_check KIND: after `hog f` of 256 pages x 3 processes.
shared_file_check() {
	local kind=$1 n=256 k=3 pid other region_pss
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	expect "process count" "$(echo $HOG_PIDS | wc -w)" $k
	region_pss=$((n * PAGE / k))          # 349525.33 -> 349525
	for pid in $HOG_PIDS; do
		expect_proc "$WORK/ps.json" "$pid" readable=true \
			rss=$((n * PAGE + STUB)) pss=$((region_pss + STUB)) uss=$STUB \
			$kind.rss=$((n * PAGE)) $kind.pss=$region_pss $kind.uss=0 \
			anon.rss=$STUB anon.uss=$STUB
		for other in anon file shmem; do
			[ $other = anon ] || [ $other = $kind ] ||
				expect_proc "$WORK/ps.json" "$pid" $other.rss=0 $other.pss=0
		done
	done
	expect totals.rss "$(jq .totals.rss "$WORK/ps.json")" $((n * PAGE + k * STUB))
}

# A MAP_SHARED file on disk, written by one process, read by 3: file pages.
test_shared_file_disk() {
	local d
	d=$(disk_dir) || fail "no disk-backed directory for the test file"
	at_exit "rm -rf '$d'"
	hog f file "$d/shared.dat" 256 3
	shared_file_check file
	finish
}

# The same on tmpfs (/dev/shm): shmem pages (swap-backed, not anon).
test_shared_file_tmpfs() {
	local f=/dev/shm/truemem-live-$$.dat
	[ "$(stat -f -c %T /dev/shm)" = tmpfs ] || fail "/dev/shm is not tmpfs"
	at_exit "rm -f '$f'"
	hog f file "$f" 256 3
	shared_file_check shmem
	finish
}

# A memfd written by one process, mapped and read by 3: shmem.
test_memfd_shared() {
	hog f memfd 256 3
	shared_file_check shmem
	finish
}

# 256 pages only read: every pte maps the shared zero page, which is not rss.
# On a kernel whose read faults get real pages (tests/probe.sh), they are
# 256 private pages like written ones, and nothing is zero page.
test_zero_page() {
	local pid z=$((256 * PAGE)) r=0
	probe_zero_page || { z=0; r=$((256 * PAGE)); }
	hog z zero 256
	pid=$HOG_PIDS
	ps_json "$WORK/ps.json" --mode exact -p "$pid"
	expect_proc "$WORK/ps.json" "$pid" rss=$((r + STUB)) pss=$((r + STUB)) uss=$((r + STUB)) \
		anon.rss=$((r + STUB))
	expect "kernel Rss of $pid" "$(awk '/^Rss:/ { print $2 * 1024 }' /proc/$pid/smaps_rollup)" $((r + STUB))
	# "reported apart" (SPEC 2): truemem's zero_page key, when present.
	if jq -e --argjson p "$pid" '.processes[] | select(.pid == $p) | has("zero_page")' \
		"$WORK/ps.json" >/dev/null; then
		expect_proc "$WORK/ps.json" "$pid" zero_page=$z
	fi
	grep -q "^region zero " "$WORK/z.out" || err "memhog reported no zero region"
	finish
}

# 64 GiB MAP_NORESERVE, only its last page written: 1 page (+ stub), and the
# scan must not crawl the 16M-page reservation (hang guard: 10 s).
test_noreserve_64g() {
	local t0 t1 ms
	hog r noreserve 64
	t0=$(date +%s%N)
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	[ $ms -lt 10000 ] || err "ps took ${ms} ms (limit 10000)"
	expect_proc "$WORK/ps.json" "$HOG_PIDS" rss=$((PAGE + STUB)) pss=$((PAGE + STUB)) \
		uss=$((PAGE + STUB)) anon.rss=$((PAGE + STUB)) swap=0
	finish
}

# 10000 written pages, each alone between untouched ones: 10000 populated
# runs (more than one PAGEMAP_SCAN call or read batch returns). Each page
# once: rss = 10000 pages + stub, and the stub row holds one page.
test_sparse_runs() {
	local n=10000 b start end row
	hog s sparse $n 2
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	b=$((n * PAGE + STUB))
	expect_proc "$WORK/ps.json" "$HOG_PIDS" rss=$b pss=$b uss=$b anon.rss=$b
	read -r start end <<EOF
$(region sparse s)
EOF
	map_json "$WORK/map.json" $HOG_PIDS
	row=$(map_row "$WORK/map.json" "$start")
	expect "sparse region row" "$row" "$((2 * n * PAGE)) $((n * PAGE)) $((n * PAGE)) $((n * PAGE)) 0 0 [anon]"
	map_vs_smaps "$WORK/map.json" $HOG_PIDS
	finish
}

# The same process through capture and ps --from.
test_sparse_capture() {
	local n=10000 d="$WORK/snap" b
	hog s sparse $n 2
	"$TRUEMEM" capture -o "$d" >"$WORK/cap.out" 2>"$WORK/cap.err" ||
		fail "truemem capture -o exited $? (sparse memhog is pid $HOG_PIDS): $(head -c 300 "$WORK/cap.err")"
	ps_json "$WORK/replay.json" --from "$d" -p "$HOG_CSV"
	b=$((n * PAGE + STUB))
	expect_proc "$WORK/replay.json" "$HOG_PIDS" rss=$b pss=$b uss=$b
	finish
}

# The text table: one row per pid with exact --bytes numbers, a totals line.
test_text_output() {
	local n=100 k=1 out pid b
	hog c cow $n $k
	out=$("$TRUEMEM" ps --bytes --mode exact -p "$HOG_CSV" 2>"$WORK/err") ||
		fail "truemem ps --bytes exited $?: $(head -c 300 "$WORK/err")"
	b=$((n * PAGE + STUB))
	for pid in $HOG_PIDS; do
		# PID USER SWAP USS PSS RSS COMMAND
		printf '%s\n' "$out" | awk -v p=$pid -v u=$STUB -v ps=$((n * PAGE / 2 + STUB)) -v r=$b \
			'$1 == p { found = 1; if ($2 == "root" && $3 == 0 && $4 == u && $5 == ps && $6 == r) ok = 1 }
			 END { exit !(found && ok) }' ||
			err "row of $pid: expected '$pid root 0 $STUB $((n * PAGE / 2 + STUB)) $b ...', got '$(printf '%s\n' "$out" | awk -v p=$pid '$1 == p')'"
	done
	printf '%s\n' "$out" | grep -q "^ *0 *$((n * PAGE + 2 * STUB)) *$((n * PAGE + 2 * STUB)) *$((n * PAGE + 2 * STUB)) .*TOTAL" ||
		err "totals line: expected SWAP 0, USS=PSS=RSS $((n * PAGE + 2 * STUB)); got '$(printf '%s\n' "$out" | tail -1)'"
	head -1 "$WORK/err" | grep -q "^truemem: exact mode, $((k + 1)) processes$" ||
		err "status line on stderr does not show the mode and count: '$(head -1 "$WORK/err")'"
	printf '%s\n' "$out" | head -1 | grep -q '^ *PID USER' || err "stdout does not start with the titles: '$(printf '%s\n' "$out" | head -1)'"
	# --no-headers and --no-totals leave exactly the process rows.
	out=$("$TRUEMEM" ps --bytes --no-headers --no-totals -p "$HOG_CSV" 2>/dev/null)
	expect "rows with --no-headers --no-totals" "$(printf '%s\n' "$out" | awk '{ print $1 }' | sort -n | paste -sd,)" \
		"$(printf '%s\n' $HOG_PIDS | sort -n | paste -sd,)"
	out=$("$TRUEMEM" map --bytes --no-headers --no-totals "${HOG_PIDS%% *}" 2>/dev/null)
	printf '%s\n' "$out" | grep -qv '^[0-9a-f]\{16\} ' && err "map --no-headers --no-totals printed a line that is not a mapping"
	expect "map rows" "$(printf '%s\n' "$out" | wc -l)" "$(wc -l <"/proc/${HOG_PIDS%% *}/maps")"
	finish
}

# A selection (--filter, -p, names) never matches truemem's own process, as
# pgrep; a plain ps shows it, marked. The filter is a regex, any case unless
# it has a capital, in ps and lib alike.
test_selection_self() {
	local tag="selftest$$" out
	out=$("$TRUEMEM" ps --json --filter "$tag" | jq -c '[.processes[].pid]')
	expect "ps --filter matching only truemem's own command line" "$out" "[]"
	out=$("$TRUEMEM" lib --json --filter "$tag" | jq -c '[.libraries[].name]')
	expect "lib --filter matching only truemem's own command line" "$out" "[]"
	"$TRUEMEM" ps --bytes --filter "$tag" --no-headers >"$WORK/out" 2>/dev/null
	expect "--no-headers over an empty selection: the totals line only" "$(wc -l <"$WORK/out") $(grep -c TOTAL "$WORK/out")" "1 1"
	# Without a selection, its own row is there, marked.
	"$TRUEMEM" ps --bytes --sort pid "--reverse" >"$WORK/plain" 2>/dev/null
	grep -q "truemem ps --bytes --sort pid --reverse (truemem itself)\$" "$WORK/plain" ||
		err "plain ps does not mark its own row: $(grep -F -- '--sort pid --reverse' "$WORK/plain" | head -1)"
	# Smart case: lower case matches any case, a capital makes it exact.
	hog a anon 16
	out=$("$TRUEMEM" ps --json --filter 'MEMHOG' -p "$HOG_CSV" | jq '.processes | length')
	expect "--filter MEMHOG (capitals: case-sensitive)" "$out" 0
	out=$("$TRUEMEM" ps --json --filter '/MEMHOG --TIMEOUT' -p "$HOG_CSV" | jq '.processes | length')
	expect "--filter with capitals is exact" "$out" 0
	out=$("$TRUEMEM" ps --json --filter '/memhog --timeout' -p "$HOG_CSV" | jq '.processes | length')
	expect "--filter in lower case" "$out" 1
	finish
}

# --mode rollup as root: numbers straight from smaps_rollup (pss in whole
# KiB as the kernel prints it), the mode said in the JSON.
test_rollup_mode() {
	local n=254 k=4 pid
	hog c cow $n $k
	ps_json "$WORK/ps.json" --mode rollup -p "$HOG_CSV"
	expect mode "$(jq -r .mode "$WORK/ps.json")" rollup
	for pid in $HOG_PIDS; do
		# 254*4096/5 + 4096 = 212172.8 bytes; smaps_rollup says 207 kB.
		expect_proc "$WORK/ps.json" $pid readable=true rss=$((n * PAGE + STUB)) \
			pss=$((207 * 1024)) uss=$STUB swap=0
	done
	finish
}

# Default order is largest PSS first; --reverse, --sort pid and --sort rss
# reorder; --filter keeps the matching command lines.
test_sort_filter() {
	local small big mid order
	hog a anon 100
	small=$HOG_PIDS
	hog b anon 300
	big=$HOG_PIDS
	HOG_SUP_B=$HOG_SUP
	hog c anon 200
	mid=$HOG_PIDS
	ps_json "$WORK/d.json" -p "$small,$big,$mid"
	expect "default order" "$(jq -c '[.processes[].pid]' "$WORK/d.json")" "[$big,$mid,$small]"
	ps_json "$WORK/r.json" -p "$small,$big,$mid" --reverse
	expect "--reverse order" "$(jq -c '[.processes[].pid]' "$WORK/r.json")" "[$small,$mid,$big]"
	ps_json "$WORK/s.json" -p "$small,$big,$mid" --sort rss
	expect "--sort rss order" "$(jq -c '[.processes[].pid]' "$WORK/s.json")" "[$big,$mid,$small]"
	ps_json "$WORK/p.json" -p "$small,$big,$mid" --sort pid
	order=$(printf '%s\n' $small $big $mid | sort -n | paste -sd,)
	expect "--sort pid order" "$(jq -c '[.processes[].pid]' "$WORK/p.json")" "[$order]"
	# procps style: -COLUMN descending, +COLUMN ascending.
	ps_json "$WORK/p.json" -p "$small,$big,$mid" --sort=-pid
	expect "--sort -pid order" "$(jq -c '[.processes[].pid]' "$WORK/p.json")" "[$(printf '%s\n' $small $big $mid | sort -rn | paste -sd,)]"
	ps_json "$WORK/p.json" -p "$small,$big,$mid" --sort=-rss
	expect "--sort -rss order" "$(jq -c '[.processes[].pid]' "$WORK/p.json")" "[$big,$mid,$small]"
	ps_json "$WORK/p.json" -p "$small,$big,$mid" --sort=+rss
	expect "--sort +rss order" "$(jq -c '[.processes[].pid]' "$WORK/p.json")" "[$small,$mid,$big]"
	ps_json "$WORK/p.json" -p "$small,$big,$mid" --sort=+rss --reverse
	expect "--sort +rss --reverse order" "$(jq -c '[.processes[].pid]' "$WORK/p.json")" "[$big,$mid,$small]"
	"$TRUEMEM" ps --bytes -p "$small,$big,$mid" >"$WORK/t" 2>&1
	expect "text order" "$(awk '$1 ~ /^[0-9]+$/ && $2 == "root" { print $1 }' "$WORK/t" | paste -sd,)" "$big,$mid,$small"
	# The supervisor (HOG_SUP) has the same command line as its scenario.
	ps_json "$WORK/f.json" --filter 'memhog .*anon 300$' --sort pid
	expect "--filter" "$(jq -c '[.processes[].pid]' "$WORK/f.json")" "[$(printf '%s\n' $HOG_SUP_B $big | sort -n | paste -sd,)]"
	finish
}

# --group-by program: by executable, never by equal numbers (ps_mem's twins
# bug): a copy of memhog under another name is another program.
test_group_program() {
	local twin=$WORK/memhog-twin one two other b
	cp "$MEMHOG" "$twin" || fail "cannot copy memhog"
	hog a anon 64
	one=$HOG_PIDS
	hog b anon 64
	two=$HOG_PIDS
	MEMHOG=$twin hog c anon 64
	other=$HOG_PIDS
	ps_json "$WORK/g.json" --mode exact --group-by program -p "$one,$two,$other"
	b=$((64 * PAGE + STUB))
	expect "group count" "$(jq '.groups | length' "$WORK/g.json")" 2
	expect "memhog group" "$(group_of "$WORK/g.json" $one)" "$((2 * b)) $((2 * b)) $((2 * b)) 0 0 2"
	expect "twin group" "$(group_of "$WORK/g.json" $other)" "$b $b $b 0 0 1"
	expect "twin group key" "$(jq -r --argjson p $other '.groups[] | select(.pids | index($p)) | .key' "$WORK/g.json")" "$twin"
	finish
}

# --group-by user: root's and nobody's memhogs apart.
test_group_user() {
	local mine theirs b
	hog a anon 32
	mine=$HOG_PIDS
	HOG_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups" hog b anon 96
	theirs=$HOG_PIDS
	ps_json "$WORK/g.json" --mode exact --group-by user -p "$mine,$theirs"
	expect "root group" "$(group_of "$WORK/g.json" $mine)" "$((32 * PAGE + STUB)) $((32 * PAGE + STUB)) $((32 * PAGE + STUB)) 0 0 1"
	expect "nobody group" "$(group_of "$WORK/g.json" $theirs)" "$((96 * PAGE + STUB)) $((96 * PAGE + STUB)) $((96 * PAGE + STUB)) 0 0 1"
	expect "nobody key" "$(jq -r --argjson p $theirs '.groups[] | select(.pids | index($p)) | .key' "$WORK/g.json")" nobody
	finish
}

# --group-by cgroup: memhogs moved into a fresh memory cgroup form a group
# of their own, apart from one left where it was. The cgroup is removed.
test_group_cgroup() {
	local cg pid inside outside key b
	need cgroup_memory
	cg=${PROBE_VALUE#* }/truemem-live-$$     # the v1 memory hierarchy or the v2 tree
	hog a anon 48
	inside=$HOG_PIDS
	hog b anon 80
	outside=$HOG_PIDS
	mkdir "$cg" || fail "cannot create a cgroup"
	# After the memhogs are gone (cleanup runs later commands first).
	at_exit "for i in 1 2 3 4 5 6 7 8 9 10; do rmdir '$cg' 2>/dev/null && break; sleep 0.1; done"
	echo "$inside" >"$cg/cgroup.procs" || fail "cannot move $inside into $cg"
	ps_json "$WORK/g.json" --mode exact --group-by cgroup -p "$inside,$outside"
	b=$((48 * PAGE + STUB))
	expect "group of the moved memhog" "$(group_of "$WORK/g.json" $inside)" "$b $b $b 0 0 1"
	b=$((80 * PAGE + STUB))
	expect "group of the other memhog" "$(group_of "$WORK/g.json" $outside)" "$b $b $b 0 0 1"
	key=$(jq -r --argjson p $inside '.groups[] | select(.pids | index($p)) | .key' "$WORK/g.json")
	case $key in *"/truemem-live-$$"*) ;; *) err "cgroup group key '$key' does not name /truemem-live-$$" ;; esac
	finish
}

# rollup_table OUT [PID...]: "pid rss pss private" (bytes) of every process
# (or of PIDs) whose smaps_rollup is readable. Builtins only: a fork or an
# awk here would map bash, libc and mawk pages and so move other processes'
# Pss while we read it.
rollup_table() {
	local out=$1 f pid key val rest rss pss pc pd
	shift
	if [ $# = 0 ]; then
		set -- /proc/[0-9]*
		set -- "${@#/proc/}"
	fi
	for pid; do
		f=/proc/$pid/smaps_rollup
		rss="" pss="" pc=0 pd=0
		while read -r key val rest; do
			case $key in
			Rss:) rss=$val ;;
			Pss:) pss=$val ;;
			Private_Clean:) pc=$val ;;
			Private_Dirty:) pd=$val ;;
			esac
		done 2>/dev/null <"$f"
		[ -n "$rss" ] && echo "$pid $((rss * 1024)) $((pss * 1024)) $(((pc + pd) * 1024))"
	done >"$out"
}

# shares_with_reader PID: does PID map a file whose inode is in READER_INODES?
shares_with_reader() {
	awk -v set=" $READER_INODES " '$5 != 0 && index(set, " " $5 " ") { found = 1; exit }
		END { exit !found }' "/proc/$1/maps" 2>/dev/null
}

# consistency_round TAG [PID...]: rollup, truemem exact, rollup; compare the
# processes whose rollup did not change. Writes $WORK/TAG.compared (pids),
# $WORK/TAG.bad ("pid: why" lines) and prints "compared indep bad".
# forks_itself PID: true while PID's parent or a child runs the same program: a fork
# that has not exec'ed shares PID's pages copy-on-write, and as either
# writes, PID's private pages change between any two reads.
forks_itself() {
	local exe c
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	c=$(awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$c" ] && [ "$(readlink "/proc/$c/exe" 2>/dev/null)" = "$exe" ] && return 0
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(readlink "/proc/$c/exe" 2>/dev/null)" = "$exe" ] && return 0
	done
	return 1
}

# ancestors: the pids from this shell up to init.
ancestors() {
	local p=$$
	while [ "${p:-0}" -gt 1 ]; do
		printf '%s ' "$p"
		p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
	done
}

consistency_round() {
	local tag=$1 csv pid rest rc
	shift
	csv=$(printf '%s\n' "$@" | paste -sd,)
	rollup_table "$WORK/$tag.before" "$@"
	if [ $# -gt 0 ]; then
		# A re-check of processes that may have exited since: ps names a
		# missing one and exits 1; the process is then simply not compared.
		"$TRUEMEM" ps --json --mode exact -p "$csv" >"$WORK/$tag.json" 2>"$WORK/$tag.json.err"
		rc=$?
		case $rc in
		0) ;;
		1) grep -q 'no process with id' "$WORK/$tag.json.err" ||
			fail "truemem ps --json --mode exact -p $csv exited 1: $(head -c 300 "$WORK/$tag.json.err")"
		   [ -s "$WORK/$tag.json" ] || echo '{"processes": []}' >"$WORK/$tag.json" ;;
		*) fail "truemem ps --json --mode exact -p $csv exited $rc: $(head -c 300 "$WORK/$tag.json.err")" ;;
		esac
	else
		ps_json "$WORK/$tag.json" --mode exact
	fi
	rollup_table "$WORK/$tag.after" "$@"
	jq -r '.processes[] | select(.readable == true) | "\(.pid) \(.rss) \(.pss) \(.uss)"' \
		"$WORK/$tag.json" >"$WORK/$tag.truemem"
	# The shells and make running this suite fork all the time: pages they
	# share copy-on-write with a child change mapcount between any two reads.
	local anc
	anc=" $(ancestors) "
	awk 'FILENAME == ARGV[1] { before[$1] = $0; next } before[$1] == $0 { print }' \
		"$WORK/$tag.before" "$WORK/$tag.after" | while read -r pid rest; do
		case "$anc" in *" $pid "*) continue ;; esac
		case " $OWN_PIDS " in *" $pid "*) ;; *) forks_itself "$pid" && continue ;; esac
		shares_with_reader $pid && echo "$pid $rest 1" || echo "$pid $rest 0"
	done >"$WORK/$tag.stable"
	awk -v compared_file="$WORK/$tag.compared" -v bad_file="$WORK/$tag.bad" '
		BEGIN { printf "" > bad_file; printf "" > compared_file }
		FILENAME == ARGV[1] { stable[$1] = $0; next }
		($1 in stable) {
			pid = $1
			split(stable[pid], k, " ")
			compared++
			why = ""
			if ($2 != k[2]) why = why " rss " $2 " != Rss " k[2]
			# A page of a file the reader maps too, mapped by no one else, is
			# Private in smaps_rollup but shared during the scan: the uss of
			# a process sharing files with the reader may be lower (by at
			# most 1 MiB here).
			if (k[5] == 0 && $4 != k[4]) why = why " uss " $4 " != Private " k[4]
			if (k[5] == 1 && ($4 > k[4] || $4 < k[4] - 1048576))
				why = why " uss " $4 " not in [Private - 1 MiB, Private] (Private " k[4] ")"
			if (k[5] == 0) {
				indep++
				if ($3 < k[3] || $3 >= k[3] + 1024)
					why = why " pss " $3 " not in [" k[3] ", " k[3] + 1024 ")"
			}
			if (why != "") { bad++; print pid ":" why > bad_file }
			print pid > compared_file
		}
		END { print compared + 0, indep + 0, bad + 0 }' \
		"$WORK/$tag.stable" "$WORK/$tag.truemem"
}

# Exact mode against the kernel for every readable process whose
# smaps_rollup is the same before and after truemem ran (its own pid never
# is): rss == Rss and uss == Private_Clean + Private_Dirty exactly (but see below), and
# Pss <= pss < Pss + 1 KiB. The observer effect: while truemem runs, its own
# mappings of libc, libcjson, ... raise those pages' mapcount, so a process
# mapping one of truemem's files (almost all dynamic ones) has a lower pss
# during the scan than smaps_rollup shows before and after, and a lower uss
# where truemem is the only other mapper of a page (a long-lived shell's
# rarely used libc pages). Such processes get the rss check, and uss within
# 1 MiB below Private; the pss check covers the others (static
# binaries, the memhogs started here, which map no file at all).
# A process can change and change back between the two rollup reads; a
# mismatch counts only if it repeats in 3 re-checks of that process alone
# (in each where it was stable, and it must be stable in one).
test_kernel_consistency() {
	local pid compared indep bad round confirmed stable_once
	READER_INODES=$(stat -L -c %i "$TRUEMEM" \
		$(ldd "$TRUEMEM" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') | tr '\n' ' ')
	hog c cow 254 4
	local cow_pids=$HOG_PIDS
	hog m memfd 256 3
	local memfd_pids=$HOG_PIDS
	OWN_PIDS="$cow_pids $memfd_pids"
	consistency_round r0 >"$WORK/r0.counts"
	read -r compared indep bad <"$WORK/r0.counts"
	# At least this test's own memhogs, each of which must be compared (below).
	[ "${compared:-0}" -ge $(echo $OWN_PIDS | wc -w) ] || err "only ${compared:-0} stable processes compared"
	for pid in $cow_pids $memfd_pids; do
		grep -qx "$pid" "$WORK/r0.compared" || err "memhog pid $pid not compared"
	done
	confirmed=""
	for pid in $(cut -d: -f1 "$WORK/r0.bad"); do
		stable_once=0
		for round in 1 2 3; do
			consistency_round "r$pid.$round" $pid >/dev/null
			grep -qx "$pid" "$WORK/r$pid.$round.compared" || continue
			stable_once=1
			grep -q "^$pid:" "$WORK/r$pid.$round.bad" || { stable_once=2; break; }
		done
		[ $stable_once = 1 ] && confirmed="$confirmed$(grep "^$pid:" "$WORK/r0.bad"); "
	done
	[ -z "$confirmed" ] ||
		err "$(printf '%s' "$confirmed" | grep -o ';' | wc -l) of $compared stable processes ($indep with the pss check) differ from smaps_rollup, repeatably: $confirmed"
	finish
}

# Without CAP_SYS_ADMIN, auto mode falls back to rollup, says so on stderr,
# exits 0; a process it cannot read is readable:false with null numbers.
test_rollup_as_nobody() {
	local nb="setpriv --reuid=nobody --regid=nogroup --clear-groups" rc root_pid mine b rss
	hog root anon 64
	root_pid=$HOG_PIDS
	HOG_AS=$nb hog mine anon 256
	mine=$HOG_PIDS
	$nb "$TRUEMEM" ps --json >"$WORK/nb.json" 2>"$WORK/nb.err"
	rc=$?
	expect "exit status" $rc 0
	jq -e . "$WORK/nb.json" >/dev/null 2>&1 || fail "output is not JSON: $(head -c 200 "$WORK/nb.json")"
	expect mode "$(jq -r .mode "$WORK/nb.json")" rollup
	grep -qi rollup "$WORK/nb.err" || err "no note about rollup mode on stderr (got '$(head -c 200 "$WORK/nb.err")')"
	expect "stderr lines" "$(grep -ci rollup "$WORK/nb.err")" 1
	# Every unreadable process: null numbers, never 0, and a reason; only
	# rss may be known (statm, which anyone may read, as top's RES).
	expect "unreadable with a number besides rss" "$(jq '[.processes[] | select(.readable == false)
		| select([.pss, .uss, .swap, .swap_pss, .anon.rss, .anon.pss, .file.rss, .shmem.rss, .frees] | any(. != null))] | length' "$WORK/nb.json")" 0
	expect "unreadable with rss 0" "$(jq '[.processes[] | select(.readable == false and .rss == 0)] | length' "$WORK/nb.json")" 0
	expect "unreadable without a reason" "$(jq '[.processes[] | select(.readable == false) | select((.reason // "") == "")] | length' "$WORK/nb.json")" 0
	expect "readable not boolean" "$(jq '[.processes[] | select(.readable | type != "boolean")] | length' "$WORK/nb.json")" 0
	[ "$(jq '[.processes[] | select(.readable == false)] | length' "$WORK/nb.json")" -ge 1 ] ||
		err "no process is readable:false (PID 1 is root's)"
	# root's memhog: its rss is what statm says and what root's exact scan counts (64 pages + stub).
	rss=$(($(awk '{ print $2 }' /proc/$root_pid/statm) * PAGE))
	expect "statm of root's memhog" $rss $((64 * PAGE + STUB))
	expect_proc "$WORK/nb.json" "$root_pid" readable=false rss=$rss pss=null uss=null swap=null swap_pss=null
	ps_json "$WORK/root.json" -p "$root_pid"
	expect_proc "$WORK/root.json" "$root_pid" readable=true rss=$rss
	# In text, what cannot be read shows "-", never 0; RSS is shown.
	$nb "$TRUEMEM" ps --bytes -p "$root_pid" >"$WORK/nb.txt" 2>/dev/null
	awk -v p=$root_pid -v r=$rss '$1 == p { found = 1; if ($3 == "-" && $4 == "-" && $5 == "-" && $6 == r) ok = 1 }
		END { exit !(found && ok) }' "$WORK/nb.txt" ||
		err "text row of unreadable $root_pid: expected '- - - $rss' for SWAP USS PSS RSS, got '$(grep "^ *$root_pid " "$WORK/nb.txt")'"
	# Sorted by RSS, it is among the known (its 65 pages below the other memhog's 257).
	$nb "$TRUEMEM" ps --bytes --sort rss -p "$root_pid,$mine" --no-headers --no-totals >"$WORK/nb.txt" 2>/dev/null
	expect "ps --sort rss, unreadable rss known" "$(awk '{ print $1 }' "$WORK/nb.txt" | tr '\n' ' ')" "$mine $root_pid "
	# A capture made as nobody replays the rss it could read.
	mkdir "$WORK/nbcap" && chown nobody "$WORK/nbcap" && chmod 755 "$WORK"
	$nb "$TRUEMEM" capture --dir -o "$WORK/nbcap/s" >/dev/null 2>"$WORK/cap.err" ||
		$nb "$TRUEMEM" capture -o "$WORK/nbcap/s" >/dev/null 2>"$WORK/cap.err" ||
		err "capture as nobody failed: $(head -c 200 "$WORK/cap.err")"
	"$TRUEMEM" ps --json --from "$WORK/nbcap/s" -p "$root_pid" >"$WORK/replay.json" 2>/dev/null
	expect_proc "$WORK/replay.json" "$root_pid" readable=false rss=$rss pss=null
	# A TOTAL or group over partly unreadable processes says how many, in text too.
	$nb "$TRUEMEM" ps -p "$root_pid,$mine" >"$WORK/nb.txt" 2>/dev/null
	grep -q 'TOTAL (sum of PSS; 1 of 2 unreadable)$' "$WORK/nb.txt" ||
		err "TOTAL over one unreadable of two: '$(grep TOTAL "$WORK/nb.txt")'"
	$nb "$TRUEMEM" ps --group-by tree -p "$root_pid,$mine" >"$WORK/nb.txt" 2>/dev/null
	grep -q "^$root_pid .*(1 of 1 unreadable)$" "$WORK/nb.txt" ||
		err "group of one unreadable process: '$(grep "^$root_pid " "$WORK/nb.txt")'"
	grep -q "^$mine .*unreadable" "$WORK/nb.txt" && err "readable group marked unreadable"
	# nobody's own memhog: rollup numbers, exact (256 private pages + stub).
	b=$((256 * PAGE + STUB))
	expect_proc "$WORK/nb.json" "$mine" readable=true rss=$b pss=$b uss=$b swap=0
	finish
}

# usage_error LABEL ARGS...: exit 2 and a message on stderr.
usage_error() {
	local label=$1 rc
	shift
	"$TRUEMEM" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "$label: exit status" $rc 2
	[ -s "$WORK/err" ] || err "$label: no message on stderr"
}

# Unknown option, bad --sort column, bad --mode, bad -p: exit 2, a message.
test_usage_errors() {
	usage_error "unknown option" ps --no-such-option
	usage_error "unknown global option" --no-such-option
	usage_error "bad --sort" ps --sort no_such_column
	grep -q no_such_column "$WORK/err" || err "bad --sort: message does not name the column: $(head -c 200 "$WORK/err")"
	usage_error "bad --mode" ps --mode no_such_mode
	grep -q no_such_mode "$WORK/err" || err "bad --mode: message does not name the mode: $(head -c 200 "$WORK/err")"
	usage_error "bad -p" ps -p not_a_pid
	grep -qx "Try 'truemem ps --help'." "$WORK/err" || err "bad -p: no pointer to truemem ps --help"
	usage_error "unknown option of map" map 1 --no-such-option
	grep -qx "Try 'truemem map --help'." "$WORK/err" || err "unknown map option: no pointer to truemem map --help: $(tr '\n' ' ' <"$WORK/err")"
	usage_error "unknown option before the command" --no-such-option lib
	grep -qx "Try 'truemem lib --help'." "$WORK/err" || err "unknown option before lib: no pointer to truemem lib --help"
	usage_error "--json --format prometheus" ps --json --format prometheus
	grep -q "conflicts" "$WORK/err" || err "--json --format prometheus: message does not say they conflict"
	[ -s "$WORK/out" ] && err "--json --format prometheus printed a report"
	usage_error "--jsonl --json" ps --jsonl --json
	"$TRUEMEM" ps --json --format json -p 1 >/dev/null 2>&1
	expect "--json --format json (the same format twice)" $? 0
	expect "-V" "$("$TRUEMEM" -V)" "$("$TRUEMEM" --version)"
	finish
}

# A PID that does not exist: exit 1 and a message naming it.
test_missing_pid() {
	local max pid rc
	max=$(cat /proc/sys/kernel/pid_max)
	pid=$((max - 1))
	while [ -e /proc/$pid ] && [ $pid -gt 300 ]; do pid=$((pid - 1)); done
	"$TRUEMEM" ps --json -p $pid >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "exit status for -p $pid" $rc 1
	grep -q "$pid" "$WORK/err" || err "message does not name $pid: '$(head -c 200 "$WORK/err")'"
	"$TRUEMEM" ps -p 999999999 >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "exit status for -p 999999999" $rc 1
	grep -q 999999999 "$WORK/err" || err "message does not name 999999999: '$(head -c 200 "$WORK/err")'"
	# One that exists and one that does not: the one that exists is shown (procps).
	hog a anon 8
	"$TRUEMEM" ps --json -p "$HOG_PIDS,$pid" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "exit status for -p $HOG_PIDS,$pid" $rc 1
	expect "processes shown for -p $HOG_PIDS,$pid" "$(jq -c '[.processes[].pid]' "$WORK/out")" "[$HOG_PIDS]"
	expect "stderr for -p $HOG_PIDS,$pid" "$(cat "$WORK/err")" "truemem: no process with id $pid"
	"$TRUEMEM" ps --bytes --no-headers --no-totals "$HOG_PIDS" "$pid" >"$WORK/out" 2>/dev/null
	expect "text rows for $HOG_PIDS $pid" "$(awk '{ print $1 }' "$WORK/out")" "$HOG_PIDS"
	finish
}

# -u/--user: only processes of these users (names or uids, as ps -u); with
# -p both must match (pgrep -u); an unknown name is a usage error.
test_select_user() {
	local nb="setpriv --reuid=nobody --regid=nogroup --clear-groups" mine theirs rc
	hog root anon 8
	mine=$HOG_PIDS
	HOG_AS=$nb hog nb memfd 8 1   # a memfd, so lib has a row of its
	theirs=$HOG_PIDS
	ps_json "$WORK/a.json" -u nobody -p "$mine,$theirs"
	expect "-u nobody" "$(jq -c '[.processes[].pid]' "$WORK/a.json")" "[$theirs]"
	ps_json "$WORK/a.json" --user "$(id -u nobody)" -p "$mine,$theirs"
	expect "--user UID" "$(jq -c '[.processes[].pid]' "$WORK/a.json")" "[$theirs]"
	ps_json "$WORK/a.json" -u root,nobody -p "$mine,$theirs"
	expect "-u root,nobody" "$(jq -c '[.processes[].pid] | sort' "$WORK/a.json")" "$(printf '%s\n' "$mine" "$theirs" | sort -n | jq -sc .)"
	ps_json "$WORK/a.json" -u nobody
	expect "-u nobody: other users' processes" "$(jq '[.processes[] | select(.user != "nobody")] | length' "$WORK/a.json")" 0
	jq -e --argjson p "$theirs" '[.processes[].pid] | index($p)' "$WORK/a.json" >/dev/null || err "-u nobody lacks $theirs"
	"$TRUEMEM" lib --json -u nobody -p "$mine,$theirs" >"$WORK/l.json" 2>/dev/null || err "lib -u nobody exited $?"
	expect "lib -u nobody -p: pids" "$(jq -c "[.libraries[].pids[]] | unique" "$WORK/l.json")" "[$theirs]"
	"$TRUEMEM" ps -u no_such_user_here >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "-u no_such_user_here: exit status" $rc 2
	grep -q "no user named 'no_such_user_here'" "$WORK/err" || err "-u no_such_user_here: '$(head -c 200 "$WORK/err")'"
	finish
}

# start_time: /proc/PID/stat field 22 over CLK_TCK, in seconds after boot,
# the same in ps --json, --jsonl and map --json; it tells a reused pid apart
# (capture_replay pins that --from replays it).
test_start_time() {
	local ticks hz want pid
	hog a anon 8
	pid=$HOG_PIDS
	ticks=$(sed 's/.*) //' /proc/$pid/stat | awk '{ print $20 }')
	hz=$(getconf CLK_TCK)
	want=$(jq -n --argjson t "$ticks" --argjson hz "$hz" '$t * 1000 / $hz | floor / 1000')
	ps_json "$WORK/ps.json" -p "$pid"
	expect "ps --json start_time" "$(jq --argjson p "$pid" '.processes[] | select(.pid == $p) | .start_time' "$WORK/ps.json")" "$want"
	"$TRUEMEM" ps --jsonl --count 1 -p "$pid" >"$WORK/ps.jsonl" 2>/dev/null
	expect "ps --jsonl start_time" "$(jq '.processes[0].start_time' "$WORK/ps.jsonl")" "$want"
	"$TRUEMEM" map "$pid" --json >"$WORK/map.json" 2>/dev/null
	expect "map --json start_time" "$(jq .start_time "$WORK/map.json")" "$want"
	# Every process has one, and none starts before boot or after now.
	ps_json "$WORK/all.json"
	expect "processes without a start_time" "$(jq '[.processes[] | select((.start_time | type) != "number")] | length' "$WORK/all.json")" 0
	expect "processes starting after now" "$(jq --argjson up "$(cut -d' ' -f1 /proc/uptime)" '[.processes[] | select(.start_time > $up + 1)] | length' "$WORK/all.json")" 0
	finish
}

# capture, then ps --from prints what ps printed live at capture time
# (times and host aside) for quiescent processes. Meanwhile a process keeps
# changing its mappings (it must not break the capture), and the 64 GiB
# reservation must be stored compactly (SPEC 4: no 8-byte entry for
# unmapped address space; a naive pagemap dump would be 128 MiB).
test_capture_replay() {
	local pids d="$WORK/snap" nr size
	hog c cow 64 3
	pids=$HOG_CSV
	hog m memfd 32 2
	pids=$pids,$HOG_CSV
	hog a anon 16
	pids=$pids,$HOG_CSV
	hog r noreserve 64
	nr=$HOG_PIDS
	pids=$pids,$nr
	hog x churn
	local churner=$HOG_PIDS
	ps_json "$WORK/live1.json" -p "$pids"
	"$TRUEMEM" capture --dir -o "$d" >"$WORK/cap.out" 2>"$WORK/cap.err" ||
		fail "truemem capture --dir -o exited $? (pid $churner was changing its maps): $(head -c 300 "$WORK/cap.err")"
	"$TRUEMEM" capture -o "$d.tms" >"$WORK/cap.out" 2>"$WORK/cap.err" ||
		fail "truemem capture -o FILE exited $? (pid $churner was changing its maps): $(head -c 300 "$WORK/cap.err")"
	ps_json "$WORK/live2.json" -p "$pids"
	ps_json "$WORK/replay.json" --from "$d" -p "$pids"
	ps_json "$WORK/replayf.json" --from "$d.tms" -p "$pids"
	jq -S 'del(.time, .host)' "$WORK/live1.json" >"$WORK/l1"
	jq -S 'del(.time, .host)' "$WORK/live2.json" >"$WORK/l2"
	jq -S 'del(.time, .host)' "$WORK/replay.json" >"$WORK/r"
	cmp -s "$WORK/l1" "$WORK/l2" || fail "memhogs changed during the test: $(diff "$WORK/l1" "$WORK/l2" | head -5 | tr '\n' ' ')"
	expect "replayed process count" "$(jq '.processes | length' "$WORK/r")" 8  # 4 cow + 2 memfd + anon + noreserve
	size=$(find "$d" -path "*/$nr/*" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	[ "$size" -gt 0 ] || err "no files of pid $nr found in the snapshot"
	[ "$size" -lt 1048576 ] || err "pid $nr (64 GiB reserved, 2 pages present) takes $size bytes in the snapshot"
	cmp -s "$WORK/l1" "$WORK/r" ||
		err "ps --from differs from live: $(diff "$WORK/l1" "$WORK/r" | head -8 | tr '\n' ' ')"
	jq -S 'del(.time, .host)' "$WORK/replayf.json" >"$WORK/rf"
	cmp -s "$WORK/l1" "$WORK/rf" ||
		err "ps --from FILE differs from live: $(diff "$WORK/l1" "$WORK/rf" | head -8 | tr '\n' ' ')"
	# The text view too, byte for byte.
	"$TRUEMEM" ps --bytes -p "$pids" >"$WORK/t1" 2>"$WORK/e1"
	"$TRUEMEM" ps --bytes --from "$d" -p "$pids" >"$WORK/t2" 2>"$WORK/e2"
	cmp -s "$WORK/t1" "$WORK/t2" || err "text ps --from differs: $(diff "$WORK/t1" "$WORK/t2" | head -6 | tr '\n' ' ')"
	# The status line says it is a snapshot: whose, and when (the capture's time, UTC).
	local when host
	host=$(jq -r .host "$WORK/replay.json")
	when=$(jq -r .time "$WORK/replay.json" | sed 's/T/ /; s/Z$/ UTC/')
	expect "live status line" "$(cat "$WORK/e1")" "truemem: exact mode, 8 processes"
	expect "--from status line" "$(cat "$WORK/e2")" "truemem: exact mode, 8 processes; snapshot of $host taken $when"
	"$TRUEMEM" ps --bytes --from "$d.tms" -p "$pids" >"$WORK/t3" 2>"$WORK/e3"
	cmp -s "$WORK/t1" "$WORK/t3" || err "text ps --from FILE differs: $(diff "$WORK/t1" "$WORK/t3" | head -6 | tr '\n' ' ')"
	finish
}

# ---- map, groups (issue 4) ----

# map_json OUT PID: truemem map PID --json > OUT, exit 0 required.
map_json() {
	local rc
	"$TRUEMEM" map "$2" --json --mode exact >"$1" 2>"$1.err"
	rc=$?
	[ "$rc" = 0 ] || fail "truemem map $2 --json exited $rc: $(head -c 300 "$1.err" | tr '\n' ' ')"
	jq -e . "$1" >/dev/null 2>&1 || fail "truemem map $2 --json: output is not JSON"
}

# map_row FILE START: "size rss pss uss swap swap_pss name" of the mapping
# starting at START (hex with 0x).
map_row() {
	jq -r --arg s "$2" '.mappings[] | select((.start | ascii_downcase) == ($s | ascii_downcase))
		| "\(.size) \(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss) \(.name)"' "$1"
}

# map_vs_smaps FILE PID: every mapping of a quiescent PID against the
# kernel's smaps: rss == Rss, uss == Private_*, Pss <= pss < Pss + 1 KiB,
# swap == Swap, swap_pss within 1 KiB above SwapPss; same set of mappings.
map_vs_smaps() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); start = r[1]; order[++n] = start; next }
		/^Rss:/ { rss[start] = $2 * 1024 } /^Pss:/ { pss[start] = $2 * 1024 }
		/^Private_(Clean|Dirty):/ { priv[start] += $2 * 1024 }
		/^Swap:/ { swap[start] = $2 * 1024 } /^SwapPss:/ { swpss[start] = $2 * 1024 }
		END { for (i = 1; i <= n; i++) { s = order[i]; sub(/^0+/, "", s)
			print s, rss[order[i]], pss[order[i]], priv[order[i]] + 0, swap[order[i]], swpss[order[i]] } }' \
		"/proc/$2/smaps" >"$WORK/smaps.$2"
	jq -r '.mappings[] | "\(.start | ascii_downcase | ltrimstr("0x") | sub("^0+"; "")) \(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss)"' \
		"$1" >"$WORK/map.$2"
	awk -v pid=$2 '
		FILENAME == ARGV[1] { k[$1] = $0; next }
		{
			seen[$1] = 1
			if (!($1 in k)) { print "pid " pid " mapping 0x" $1 ": not in smaps"; next }
			split(k[$1], s, " ")
			if ($2 != s[2]) print "pid " pid " 0x" $1 " rss " $2 " != Rss " s[2]
			if ($4 != s[4]) print "pid " pid " 0x" $1 " uss " $4 " != Private " s[4]
			if ($3 < s[3] || $3 >= s[3] + 1024) print "pid " pid " 0x" $1 " pss " $3 " not in [" s[3] ", " s[3] + 1024 ")"
			if ($5 != s[5]) print "pid " pid " 0x" $1 " swap " $5 " != Swap " s[5]
			if ($6 < s[6] || $6 >= s[6] + 1024) print "pid " pid " 0x" $1 " swap_pss " $6 " not in [" s[6] ", " s[6] + 1024 ")"
		}
		END { for (a in k) if (!(a in seen)) print "pid " pid " smaps mapping 0x" a ": not in map" }' \
		"$WORK/smaps.$2" "$WORK/map.$2" >"$WORK/mapdiff.$2"
	[ -s "$WORK/mapdiff.$2" ] && err "$(head -4 "$WORK/mapdiff.$2" | paste -sd';')"
}

# map of a COW root and of a memfd process: the region row and the stub row
# exact, every row against smaps, totals equal to ps.
test_map_rows() {
	local n=1000 k=3 pid start end row f
	hog c cow $n $k
	pid=${HOG_PIDS%% *}
	read -r start end <<EOF
$(region cow c)
EOF
	map_json "$WORK/map.json" $pid
	row=$(map_row "$WORK/map.json" "$start")
	expect "cow region row" "$row" "$((n * PAGE)) $((n * PAGE)) $((n * PAGE / (k + 1))) 0 0 0 [anon]"
	expect "mapping count (region, stub, [vsyscall])" "$(jq '[.mappings[] | select(.name != "[vsyscall]")] | length' "$WORK/map.json")" 2
	expect "stub row" "$(jq -r '[.mappings[] | select(.size == 4096 and .name == "[anon]")][0] | "\(.rss) \(.pss) \(.uss)"' "$WORK/map.json")" "$STUB $STUB $STUB"
	map_vs_smaps "$WORK/map.json" $pid
	ps_json "$WORK/ps.json" --mode exact -p $pid
	for f in rss pss uss swap swap_pss; do
		expect "map totals.$f vs ps" "$(jq .totals.$f "$WORK/map.json")" \
			"$(jq --argjson p $pid ".processes[] | select(.pid == \$p) | .$f" "$WORK/ps.json")"
	done
	expect "map pid" "$(jq .pid "$WORK/map.json")" $pid

	hog m memfd 256 2
	pid=${HOG_PIDS%% *}
	read -r start end <<EOF
$(region memfd m)
EOF
	map_json "$WORK/mapm.json" $pid
	row=$(map_row "$WORK/mapm.json" "$start")
	expect "memfd region row" "${row% *}" "$((256 * PAGE)) $((256 * PAGE)) $((128 * PAGE)) 0 0 0"
	case ${row##* } in memfd:memhog*) ;; *) err "memfd row name: expected memfd:memhog, got '${row##* }'" ;; esac
	expect "memfd row shmem.rss" "$(jq --arg s "$start" '.mappings[] | select(.start == $s) | .shmem.rss' "$WORK/mapm.json")" $((256 * PAGE))
	map_vs_smaps "$WORK/mapm.json" $pid
	finish
}

# The zero-page region maps 256 pages and has no rss (256 private pages
# when read faults get real pages: tests/probe.sh); the 64 GiB reservation
# has one page, and map walks it within the hang guard.
test_map_zero_noreserve() {
	local start end row t0 ms r=0
	probe_zero_page || r=$((256 * PAGE))
	hog z zero 256
	read -r start end <<EOF
$(region zero z)
EOF
	map_json "$WORK/z.json" $HOG_PIDS
	row=$(map_row "$WORK/z.json" "$start")
	expect "zero region row" "$row" "$((256 * PAGE)) $r $r $r 0 0 [anon]"
	map_vs_smaps "$WORK/z.json" $HOG_PIDS
	hog r noreserve 64
	read -r start end <<EOF
$(region noreserve r)
EOF
	t0=$(date +%s%N)
	map_json "$WORK/r.json" $HOG_PIDS
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $ms -lt 10000 ] || err "map took ${ms} ms (limit 10000)"
	row=$(map_row "$WORK/r.json" "$start")
	expect "noreserve region row" "$row" "$((64 << 30)) $PAGE $PAGE $PAGE 0 0 [anon]"
	finish
}

# The disk file row is named by its path and holds file pages.
test_map_file() {
	local d start end row
	d=$(disk_dir) || fail "no disk-backed directory for the test file"
	at_exit "rm -rf '$d'"
	hog f file "$d/shared.dat" 64 2
	read -r start end <<EOF
$(region file f)
EOF
	map_json "$WORK/f.json" ${HOG_PIDS%% *}
	row=$(map_row "$WORK/f.json" "$start")
	expect "file region row" "$row" "$((64 * PAGE)) $((64 * PAGE)) $((32 * PAGE)) 0 0 0 $d/shared.dat"
	expect "file row file.rss" "$(jq --arg s "$start" '.mappings[] | select(.start == $s) | .file.rss' "$WORK/f.json")" $((64 * PAGE))
	map_vs_smaps "$WORK/f.json" ${HOG_PIDS%% *}
	finish
}

# map of a missing PID: exit 1 naming it; of a non-number: exit 2.
test_map_errors() {
	local pid max rc
	max=$(cat /proc/sys/kernel/pid_max)
	pid=$((max - 1))
	while [ -e /proc/$pid ] && [ $pid -gt 300 ]; do pid=$((pid - 1)); done
	"$TRUEMEM" map $pid >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect "map $pid: exit status" $rc 1
	grep -q $pid "$WORK/err" || err "map $pid: message does not name it: '$(head -c 200 "$WORK/err")'"
	usage_error "map not-a-number" map not_a_pid
	usage_error "map without a PID" map
	finish
}

# map PID PID ... as pmap: each in turn, in the order given; a missing one is
# named on stderr, the others shown, exit 1; --json: one document per line.
test_map_several() {
	local a b pid max rc
	hog a anon 8
	a=$HOG_PIDS
	hog b anon 16
	b=$HOG_PIDS
	max=$(cat /proc/sys/kernel/pid_max)
	pid=$((max - 1))
	while [ -e /proc/$pid ] && [ $pid -gt 300 ]; do pid=$((pid - 1)); done
	"$TRUEMEM" map --bytes "$b" "$a" >"$WORK/out" 2>"$WORK/err"
	expect "map $b $a: exit status" $? 0
	expect "map $b $a: titles" "$(grep -o '^[0-9]*:' "$WORK/out" | tr '\n' ' ')" "$b: $a: "
	expect "map $b $a: totals" "$(awk '$1 == "total" { print $3 }' "$WORK/out" | tr '\n' ' ')" \
		"$((16 * PAGE + STUB)) $((8 * PAGE + STUB)) "
	"$TRUEMEM" map --json "$a" "$pid" "$b" >"$WORK/out.jsonl" 2>"$WORK/err"
	rc=$?
	expect "map --json $a $pid $b: exit status" $rc 1
	expect "map --json $a $pid $b: documents" "$(jq -c '[.pid, .totals.rss]' "$WORK/out.jsonl" | tr '\n' ' ')" \
		"[$a,$((8 * PAGE + STUB))] [$b,$((16 * PAGE + STUB))] "
	expect "map --json $a $pid $b: lines" "$(wc -l <"$WORK/out.jsonl")" 2
	expect "map --json $a $pid $b: stderr" "$(cat "$WORK/err")" "truemem: no process with id $pid"
	finish
}

# map -X: the totals line sums every column it shows (PSS aside: its total is
# rounded once, not row by row); anon + file + shmem = RSS.
test_map_extended_totals() {
	local pid
	hog f memfd 16 1
	pid=${HOG_PIDS%% *}
	"$TRUEMEM" map -X --bytes --mode exact "$pid" >"$WORK/out" 2>"$WORK/err" || fail "map -X exited $?"
	awk '$1 ~ /^[0-9a-f]+$/ && length($1) == 16 { for (k = 2; k <= 12; k++) s[k] += $k }
		$1 == "total" { n = NF; for (k = 2; k <= 12; k++) t[k] = $k }
		END { for (k = 2; k <= 12; k++) if (k != 4 && s[k] != t[k]) { print "column " k ": rows sum to " s[k] ", total says " t[k]; bad = 1 }
		      if (n != 12) print "total line has " n " fields, not 12"
		      if (t[7] + t[8] + t[9] != t[3]) print "anon + file + shmem = " t[7] + t[8] + t[9] ", RSS " t[3] }' \
		"$WORK/out" >"$WORK/why"
	[ -s "$WORK/why" ] && err "$(tr '\n' ';' <"$WORK/why")"
	expect "shmem total" "$(awk '$1 == "total" { print $9 }' "$WORK/out")" $((16 * PAGE))
	finish
}

# lib NAME...: only the files named (path, file name, or file name up to a
# dot); --sort orders by another column; a name that matches nothing: exit 1.
test_lib_names_sort() {
	local d rc
	d=$(disk_dir) || fail "no disk-backed directory for the test file"
	at_exit "rm -rf '$d'"
	hog f file "$d/tmlib.dat" 16 2
	for name in "$d/tmlib.dat" tmlib.dat tmlib; do
		"$TRUEMEM" lib --json "$name" >"$WORK/l.json" 2>/dev/null || err "lib $name exited $?"
		expect "lib $name: rows" "$(jq -c '[.libraries[].name]' "$WORK/l.json")" "[\"$d/tmlib.dat\"]"
	done
	"$TRUEMEM" lib --json tmli >"$WORK/l.json" 2>"$WORK/err"
	rc=$?
	expect "lib tmli: exit status" $rc 1
	expect "lib tmli: stderr" "$(cat "$WORK/err")" "truemem: no mapped file named 'tmli'"
	"$TRUEMEM" lib --bytes --no-headers --sort rss >"$WORK/t" 2>/dev/null
	sort -s -k5,5nr "$WORK/t" | cmp -s - "$WORK/t" || err "lib --sort rss: not largest RSS first"
	"$TRUEMEM" lib --bytes --no-headers --sort rss --reverse >"$WORK/t" 2>/dev/null
	sort -s -k5,5n "$WORK/t" | cmp -s - "$WORK/t" || err "lib --sort rss --reverse: not smallest RSS first"
	"$TRUEMEM" lib --json --sort name >"$WORK/l.json" 2>/dev/null
	jq -e '[.libraries[].name] | . == sort' "$WORK/l.json" >/dev/null || err "lib --sort name: not in name order"
	"$TRUEMEM" lib --sort pid >/dev/null 2>&1
	expect "lib --sort pid: exit status" $? 2
	finish
}

# lib: one row for the data file mapped by 4 memhogs, summed over them
# (librank-style): rss 4 x 64 pages, pss the file once, no uss.
test_lib_file() {
	local d n=64 k=4 row
	d=$(disk_dir) || fail "no disk-backed directory for the test file"
	at_exit "rm -rf '$d'"
	hog f file "$d/lib.dat" $n $k
	"$TRUEMEM" lib --json --mode exact >"$WORK/lib.json" 2>"$WORK/lib.err" ||
		fail "truemem lib --json exited $?: $(head -c 300 "$WORK/lib.err")"
	row=$(jq -c --arg n "$d/lib.dat" '[.libraries[] | select(.name == $n)
		| {pids: (.pids | sort), rss, pss, uss, swap}]' "$WORK/lib.json")
	expect "lib row of $d/lib.dat" "$row" \
		"[{\"pids\":[$(printf '%s\n' $HOG_PIDS | sort -n | paste -sd,)],\"rss\":$((k * n * PAGE)),\"pss\":$((n * PAGE)),\"uss\":0,\"swap\":0}]"
	finish
}

# group_of FILE PID: "rss pss uss swap swap_uss npids" of the group holding PID.
group_of() {
	jq -r --argjson p "$2" '[.groups[] | select(.pids | index($p))][0]
		| "\(.rss) \(.pss) \(.uss) \(.swap) \(.swap_uss) \(.pids | length)"' "$1"
}

# --group-by tree over a COW parent and 3 children: distinct frames once,
# everything freed by killing the tree; over the parent and one child only,
# the shared region is not theirs alone (uss = the two stubs).
test_group_tree_cow() {
	local n=1000 k=3 root child all
	hog c cow $n $k
	root=${HOG_PIDS%% *}
	child=$(echo $HOG_PIDS | cut -d' ' -f2)
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$HOG_CSV"
	all=$((n * PAGE + (k + 1) * STUB))
	expect "tree group of 4" "$(group_of "$WORK/g.json" $root)" "$all $all $all 0 0 4"
	expect "group count" "$(jq '.groups | length' "$WORK/g.json")" 1
	ps_json "$WORK/g2.json" --mode exact --group-by tree -p "$root,$child"
	expect "tree group of root+1 child" "$(group_of "$WORK/g2.json" $root)" \
		"$((n * PAGE + 2 * STUB)) $((2 * (n * PAGE / (k + 1) + STUB))) $((2 * STUB)) 0 0 2"
	finish
}

# --group-by tree over 4 processes sharing a memfd: the memfd pages once.
test_group_tree_memfd() {
	local n=256 k=4 all
	hog m memfd $n $k
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$HOG_CSV"
	all=$((n * PAGE + k * STUB))
	expect "memfd tree group" "$(group_of "$WORK/g.json" ${HOG_PIDS%% *})" "$all $all $all 0 0 $k"
	finish
}

# What killing frees (SPEC 2.1), from fateshog: 16 anonymous pages, a
# memfd of 8 only it holds and a SysV segment of 4 marked IPC_RMID (frees);
# a /dev/shm file of 2, a SysV segment of 3 not marked and a memfd of 5 its
# child holds open (stays); 6 pages of a disk file only it maps
# (reclaimable). The process has libc, a stack and its binary besides, so
# the anonymous and file parts are checked against its own uss by kind and
# its mappings; the shmem is all fateshog's. Its tree group with the holder
# child frees the held memfd too.
test_frees() {
	local dir shm out pid holder id1 id2 n
	dir=$(disk_dir) || skip "no disk filesystem for the file pages"
	shm=/dev/shm/truemem-live-frees.$$
	at_exit "rm -rf '$dir'; rm -f '$shm'"
	[ -d /dev/shm ] || skip "no /dev/shm"
	head -c $((6 * PAGE)) /dev/urandom >"$dir/data" && sync "$dir/data"
	out=$WORK/f.out
	"$HELPERS/fateshog" "$shm" "$dir/data" >"$out" 2>"$WORK/f.err" &
	SUPERVISORS="$SUPERVISORS $!"
	for n in $(seq 200); do grep -q '^ready' "$out" 2>/dev/null && break; sleep 0.05; done
	read -r _ pid holder id1 id2 < <(grep '^ready' "$out") || fail "fateshog did not start: $(cat "$WORK/f.err")"
	at_exit "ipcrm -m $id2 2>/dev/null; ipcrm -m $id1 2>/dev/null"
	ps_json "$WORK/p.json" --mode exact -p "$pid,$holder"
	local q='.processes[] | select(.pid == $p)'
	local uss anon file frees recl stays
	read -r uss anon file frees recl stays < <(jq -r --argjson p "$pid" \
		"$q | \"\(.uss) \(.anon.uss) \(.file.uss) \(.frees) \(.reclaimable) \(.stays)\"" "$WORK/p.json")
	expect "stays: /dev/shm file + SysV kept + memfd held elsewhere" "$stays" $(((2 + 3 + 5) * PAGE))
	expect "frees: anonymous uss + memfd + SysV IPC_RMID" "$frees" $((anon + (8 + 4) * PAGE))
	expect "reclaimable: the file uss" "$recl" "$file"
	expect "frees + reclaimable + stays = uss" $((frees + recl + stays)) "$uss"
	expect "frees_swap (no swap)" "$(jq --argjson p "$pid" "$q | .frees_swap" "$WORK/p.json")" 0
	"$TRUEMEM" map "$pid" --json --mode exact >"$WORK/m.json" || fail "truemem map $pid failed"
	for r in anon:16 disk:6; do
		read -r s e < <(region "${r%%:*}" f)
		expect "uss of the $r region" "$(jq -r --arg s "$s" '.mappings[] | select(.start == $s) | .uss' \
			"$WORK/m.json")" $((${r#*:} * PAGE))
	done
	expect "holder" "$(jq -r --argjson p "$holder" "$q | \"\(.stays) \(.frees - .anon.uss)\"" "$WORK/p.json")" "0 0"
	# Grouped with the holder, the held memfd frees; alone (-p), the holder is outside.
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$pid,$holder"
	expect "tree group stays" "$(jq --argjson p "$pid" '.groups[] | select(.pids | index($p)) | .stays' \
		"$WORK/g.json")" $(((2 + 3) * PAGE))
	expect "tree group split" "$(jq --argjson p "$pid" '.groups[] | select(.pids | index($p))
		| .frees + .reclaimable + .stays == .uss' "$WORK/g.json")" true
	ps_json "$WORK/g1.json" --mode exact --group-by tree -p "$pid"
	expect "owner alone stays" "$(jq '.groups[0].stays' "$WORK/g1.json")" $(((2 + 3 + 5) * PAGE))
	# A capture gives the same split.
	"$TRUEMEM" capture --dir -o "$WORK/snap" >/dev/null 2>&1 || "$TRUEMEM" capture -o "$WORK/snap" >/dev/null 2>&1 ||
		fail "capture failed"
	ps_json "$WORK/s.json" --from "$WORK/snap" -p "$pid,$holder"
	# What the capture decides from its shmem facts is what live decided. File
	# pages may be shared between the two reads (the capturing truemem maps
	# libraries too), so reclaimable is held to the split's sum instead.
	expect "--from split" "$(jq -c "[.processes[] | {pid, frees, stays}]" "$WORK/s.json")" \
		"$(jq -c "[.processes[] | {pid, frees, stays}]" "$WORK/p.json")"
	expect "--from frees + reclaimable + stays = uss" \
		"$(jq -c '[.processes[] | .frees + .reclaimable + .stays == .uss] | all' "$WORK/s.json")" true
	finish
}

# ---- THP, KSM, hugetlb (issue 4) ----

# 4 transparent huge pages (PMD-mapped, 8 MiB) shared copy-on-write by a
# parent and 3 children: each subpage counts like a base page.
test_thp_cow() {
	local n=4 k=3 pid rss pss all start end
	need thp
	[ "$PROBE_VALUE" = 2097152 ] || skip "the PMD (THP) size is $PROBE_VALUE bytes, not 2 MiB"
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled &&
		skip "transparent huge pages are off (enabled: never)"
	hog t thp $n $k
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	rss=$((n * 512 * PAGE + STUB))
	pss=$((n * 512 * PAGE / (k + 1) + STUB))
	for pid in $HOG_PIDS; do
		expect_proc "$WORK/ps.json" $pid rss=$rss pss=$pss uss=$STUB anon.rss=$rss anon.pss=$pss
	done
	read -r start end <<EOF
$(region thp t)
EOF
	map_json "$WORK/map.json" ${HOG_PIDS%% *}
	expect "thp region row" "$(map_row "$WORK/map.json" "$start")" \
		"$((n * 512 * PAGE)) $((n * 512 * PAGE)) $((n * 512 * PAGE / (k + 1))) 0 0 0 [anon]"
	map_vs_smaps "$WORK/map.json" ${HOG_PIDS%% *}
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$HOG_CSV"
	all=$((n * 512 * PAGE + (k + 1) * STUB))
	expect "tree group" "$(group_of "$WORK/g.json" ${HOG_PIDS%% *})" "$all $all $all 0 0 $((k + 1))"
	finish
}

# 128 identical pages merged by KSM into one page mapped 128 times: rss
# counts every mapping, pss one page, uss none of it. ksm/run is put back.
test_ksm() {
	local n=128 run pid
	need ksm
	global_lock
	run=$(cat /sys/kernel/mm/ksm/run) || fail "no /sys/kernel/mm/ksm"
	at_exit "echo $run >/sys/kernel/mm/ksm/run"
	echo 1 >/sys/kernel/mm/ksm/run || fail "cannot start ksmd"
	hog k ksm $n
	pid=$HOG_PIDS
	ps_json "$WORK/ps.json" --mode exact -p $pid
	expect_proc "$WORK/ps.json" $pid rss=$((n * PAGE + STUB)) pss=$((PAGE + STUB)) uss=$STUB \
		anon.rss=$((n * PAGE + STUB))
	map_json "$WORK/map.json" $pid
	map_vs_smaps "$WORK/map.json" $pid
	finish
}

# 2 hugetlb pages of 2 MiB: reported apart (the "hugetlb" key), not in rss,
# as smaps does. vm.nr_hugepages is put back.
test_hugetlb() {
	local n=2 orig start end pid
	need hugetlb 2048
	global_lock
	orig=$(cat /proc/sys/vm/nr_hugepages)
	at_exit "echo $orig >/proc/sys/vm/nr_hugepages"
	echo $((orig + n)) >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge $((orig + n)) ] || fail "could not reserve $n hugetlb pages"
	hog h hugetlb $n
	pid=$HOG_PIDS
	ps_json "$WORK/ps.json" --mode exact -p $pid
	expect_proc "$WORK/ps.json" $pid rss=$STUB pss=$STUB uss=$STUB hugetlb=$((n * 2097152))
	read -r start end <<EOF
$(region hugetlb h)
EOF
	map_json "$WORK/map.json" $pid
	# (its name is the kernel's, /anon_hugepage (deleted))
	expect "hugetlb region row" "$(map_row "$WORK/map.json" "$start" | cut -d' ' -f1-6)" "$((n * 2097152)) 0 0 0 0 0"
	expect "hugetlb region row hugetlb" "$(jq --arg s "$start" '.mappings[] | select(.start == $s) | .hugetlb' "$WORK/map.json")" $((n * 2097152))
	map_vs_smaps "$WORK/map.json" $pid
	finish
}

# ---- real swap (issue 4) ----

# global_lock: tests that change machine-wide state (swap, ksm/run,
# nr_hugepages) run one at a time across concurrent runs of this suite.
global_lock() {
	exec 9>/run/truemem-live-global.lock
	flock -w 60 9 || fail "another live test run holds /run/truemem-live-global.lock"
}

# swap_on: a swap file for this test only; swapoff and rm at exit. One such
# test on the machine at a time (global_lock).
swap_on() {
	local d
	global_lock
	d=$(disk_dir) || skip "no disk-backed directory for a swap file"
	SWAPFILE=$d/swapfile
	# The driver swaps it off too, should this test be killed outright.
	[ -z "${LIVE_STATE:-}" ] || echo "$SWAPFILE" >>"$LIVE_STATE/swapfiles"
	at_exit "swapoff '$SWAPFILE' 2>/dev/null; rm -rf '$d'"
	need swap "$d"
	fallocate -l 256M "$SWAPFILE" 2>/dev/null ||
		dd if=/dev/zero of="$SWAPFILE" bs=1M count=256 status=none ||
		fail "cannot create a swap file"
	chmod 600 "$SWAPFILE"
	mkswap "$SWAPFILE" >/dev/null 2>&1 || fail "mkswap failed"
	swapon "$SWAPFILE" 2>"$WORK/swapon.err" || fail "swapon failed: $(cat "$WORK/swapon.err")"
}

# kernel_swap PID: "Swap_bytes SwapPss_bytes" from smaps_rollup.
kernel_swap() {
	awk '/^Swap:/ { s = $2 } /^SwapPss:/ { p = $2 } END { print s * 1024, p * 1024 }' /proc/$1/smaps_rollup
}

# 256 private pages paged out, then 3 children: every one of the 4 holds the
# same 256 swap entries: swap 1 MiB each, swap_pss 256 KiB, no rss left.
test_swap_private_cow() {
	local n=256 k=3 pid ks sum=0
	swap_on
	hog s swap $n 0 $k
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	for pid in $HOG_PIDS; do
		ks=$(kernel_swap $pid)
		expect "kernel Swap/SwapPss of $pid" "$ks" "$((n * PAGE)) $((n * PAGE / (k + 1)))"
		expect_proc "$WORK/ps.json" "$pid" rss=$STUB uss=$STUB pss=$STUB \
			swap=$((n * PAGE)) swap_pss=$((n * PAGE / (k + 1))) \
			anon.swap=$((n * PAGE)) shmem.swap=0 file.swap=0
		map_json "$WORK/map.$pid.json" $pid
		map_vs_smaps "$WORK/map.$pid.json" $pid
	done
	# The tree holds each swap entry once, and no one else holds it.
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$HOG_CSV"
	expect "tree group swap swap_uss npids" "$(group_of "$WORK/g.json" ${HOG_PIDS%% *} | cut -d' ' -f4-)" \
		"$((n * PAGE)) $((n * PAGE)) $((k + 1))"
	finish
}

# A memfd of 128 pages paged out and 64 private pages, then 1 child. Per
# process: swap = 64 anon + 128 shmem pages, as smaps Swap counts; swap_pss =
# the anon part shared by 2 (smaps leaves shmem out of SwapPss).
test_swap_memfd() {
	local n=64 m=128 k=1 pid ks
	swap_on
	hog s swap $n $m $k
	ps_json "$WORK/ps.json" --mode exact -p "$HOG_CSV"
	for pid in $HOG_PIDS; do
		ks=$(kernel_swap $pid)
		expect "kernel Swap/SwapPss of $pid" "$ks" "$(((n + m) * PAGE)) $((n * PAGE / (k + 1)))"
		expect_proc "$WORK/ps.json" "$pid" rss=$STUB \
			swap=$(((n + m) * PAGE)) swap_pss=$((n * PAGE / (k + 1))) \
			anon.swap=$((n * PAGE)) shmem.swap=$((m * PAGE))
		map_json "$WORK/map.$pid.json" $pid
		map_vs_smaps "$WORK/map.$pid.json" $pid
	done
	# The group counts the memfd's swapped pages once (one shmem object).
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$HOG_CSV"
	expect "tree group swap swap_uss npids" "$(group_of "$WORK/g.json" ${HOG_PIDS%% *} | cut -d' ' -f4-)" \
		"$(((n + m) * PAGE)) $(((n + m) * PAGE)) $((k + 1))"
	finish
}

# ---- processes sharing one mm (SPEC 2.4, issues 10 and 18) ----

# special NAME ARGS...: starts tests/live/helpers/special ARGS; sets SP_PIDS
# (the process first, then the others).
special() {
	local name=$1 out i
	shift
	out=$WORK/$name.out
	"$HELPERS/special" --timeout 120 "$@" >"$out" 2>"$WORK/$name.err" &
	SUPERVISORS="$SUPERVISORS $!"
	for i in $(seq 200); do
		grep -q '^ready' "$out" 2>/dev/null && break
		kill -0 $! 2>/dev/null || fail "special $* did not start: $(tr '\n' ' ' <"$WORK/$name.err")"
		sleep 0.05
	done
	SP_PIDS=$(sed -n 's/^ready //p' "$out")
	[ -n "$SP_PIDS" ] || fail "special $* not ready after 10 s"
}

# rollup_of PID: "Rss Pss Private Swap SwapPss" of PID's smaps_rollup, in bytes.
rollup_of() {
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 }
		/^Swap:/ { s = $2 } /^SwapPss:/ { sp = $2 }
		END { print r * 1024, p * 1024, u * 1024, s * 1024, sp * 1024 }' "/proc/$1/smaps_rollup"
}

# vs_rollup JSON PID: PID's rss, uss and swap to the byte, pss and swap_pss
# within 1 KiB above, against its smaps_rollup.
vs_rollup() {
	local k got r p u s sp
	k=$(rollup_of "$2")
	got=$(jq -r --argjson p "$2" '.processes[] | select(.pid == $p) | "\(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss)"' "$1")
	read -r r p u s sp <<<"$k"
	set -- $got "$2"
	[ $# = 6 ] || { err "pid ${!#} missing from the output"; return; }
	[ "$1" = "$r" ] || err "pid $6 rss $1 != Rss $r"
	[ "$3" = "$u" ] || err "pid $6 uss $3 != Private $u"
	[ "$4" = "$s" ] || err "pid $6 swap $4 != Swap $s"
	{ [ "$2" -ge "$p" ] && [ "$2" -lt $((p + 1024)) ]; } || err "pid $6 pss $2 not in [$p, $p + 1024)"
	{ [ "$5" -ge "$sp" ] && [ "$5" -lt $((sp + 1024)) ]; } || err "pid $6 swap_pss $5 not in [$sp, $sp + 1024)"
}

# clone_vm OUT_KIB: two processes on one mm with 32 MiB written (OUT_KIB of
# it paged out); sets P (the parent), C (the clone) and PC ("P,C").
clone_vm() {
	[ "$(probe_kprobe kcmp)" = yes ] || skip "kcmp(2) KCMP_VM does not answer here: shared mms cannot be told"
	special cv clonevm 32 "$1"
	set -- $SP_PIDS
	P=$1 C=${2:-} PC=$1,${2:-}
	[ -n "$C" ] || fail "special clonevm gave one pid: $SP_PIDS"
}

# Two processes on one mm (clone(CLONE_VM) without CLONE_THREAD), 32 MiB
# written: each shows the mm's numbers as its smaps does, the totals and
# the tree group count the mm once, the clone names the parent; a capture
# replays it exactly, and a snapshot naming a wrong set is rejected.
test_shared_mm() {
	local d=$WORK/snap pss rss
	clone_vm 0
	ps_json "$WORK/ps.json" --mode exact -p "$PC"
	vs_rollup "$WORK/ps.json" $P
	vs_rollup "$WORK/ps.json" $C
	pss=$(jq --argjson p $P '.processes[] | select(.pid == $p) | .pss' "$WORK/ps.json")
	rss=$(jq --argjson p $P '.processes[] | select(.pid == $p) | .rss' "$WORK/ps.json")
	[ "$rss" -ge $((32 << 20)) ] || err "rss $rss below the 32 MiB written"
	expect_proc "$WORK/ps.json" $C shares_mm_with=$P pss=$pss rss=$rss
	expect "parent's shares_mm_with" "$(jq --argjson p $P '.processes[] | select(.pid == $p) | has("shares_mm_with")' "$WORK/ps.json")" false
	expect "totals rss pss (the mm once)" "$(jq -r '.totals | "\(.rss) \(.pss)"' "$WORK/ps.json")" "$rss $pss"
	# (pss of the helper's file pages moves as other processes map the file: compared within one scan)
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$PC"
	expect "tree group rss pss npids" "$(jq -r '.groups[0] | "\(.rss) \(.pss) \(.pids | length)"' "$WORK/g.json")" \
		"$(jq -r --argjson p $P '.processes[] | select(.pid == $p) | "\(.rss) \(.pss) 2"' "$WORK/g.json")"
	# The clone alone, the parent outside the scan: still the mm's numbers.
	ps_json "$WORK/c.json" --mode exact -p $C
	expect_proc "$WORK/c.json" $C rss=$rss uss=$(jq --argjson p $P '.processes[] | select(.pid == $p) | .uss' "$WORK/ps.json")
	vs_rollup "$WORK/c.json" $C
	ps_json "$WORK/r.json" --mode rollup -p "$PC"
	expect "rollup totals pss (the mm once)" "$(jq .totals.pss "$WORK/r.json")" \
		"$(jq --argjson p $P '.processes[] | select(.pid == $p) | .pss' "$WORK/r.json")"
	map_json "$WORK/map.json" $C
	map_vs_smaps "$WORK/map.json" $C
	"$TRUEMEM" ps --bytes -p "$PC" >"$WORK/t1" 2>/dev/null
	grep -q "^ *$C .*(mm of $P)\$" "$WORK/t1" || err "text ps does not mark $C: $(tr '\n' '|' <"$WORK/t1")"
	# A capture records the set; --from prints what live printed.
	# (the pss of the helper's file pages moves while other processes map
	# the same files: every number but those is compared, and anon pss)
	ps_json "$WORK/l1.json" -p "$PC"
	"$TRUEMEM" capture --dir -o "$d" >/dev/null 2>"$WORK/cap.err" ||
		"$TRUEMEM" capture -o "$d" >/dev/null 2>"$WORK/cap.err" || fail "capture: $(head -c 300 "$WORK/cap.err")"
	ps_json "$WORK/l2.json" -p "$PC"
	ps_json "$WORK/replay.json" --from "$d" -p "$PC"
	for f in l1 l2 replay; do
		jq -S 'del(.time, .host) | (.processes[], .totals) |= del(.pss, .file.pss)' "$WORK/$f.json" >"$WORK/$f.n"
	done
	cmp -s "$WORK/l1.n" "$WORK/l2.n" || fail "the processes changed during the test: $(diff "$WORK/l1.n" "$WORK/l2.n" | head -6 | tr '\n' ' ')"
	cmp -s "$WORK/l1.n" "$WORK/replay.n" || err "ps --from differs: $(diff "$WORK/l1.n" "$WORK/replay.n" | head -6 | tr '\n' ' ')"
	"$TRUEMEM" ps --bytes --from "$d" -p "$PC" >"$WORK/t2" 2>/dev/null
	grep -q "^ *$C .*(mm of $P)\$" "$WORK/t2" || err "text ps --from does not mark $C: $(tr '\n' '|' <"$WORK/t2")"
	if [ -f "$d/$C/ident" ]; then
		expect "recorded set" "$(sed -n 's/^shares_mm_with //p' "$d/$C/ident")" $P
		sed -i "s/^shares_mm_with .*/shares_mm_with $C/" "$d/$C/ident"
		"$TRUEMEM" ps --from "$d" >/dev/null 2>"$WORK/bad.err" && err "a snapshot whose $C shares its own mm was read"
		grep -q "'$d/$C/ident'" "$WORK/bad.err" || err "the error does not name $d/$C/ident: $(cat "$WORK/bad.err")"
	else
		err "the capture is not a directory with $C/ident"
	fi
	finish
}

# The same with 2 MiB paged out: smaps shows Swap and SwapPss 2 MiB for
# both pids (one page table holds each slot once); so does truemem, and
# the totals and the group hold the 2 MiB once.
test_shared_mm_swap() {
	local out=$((2 << 20)) pid
	swap_on
	clone_vm 2048
	for pid in $P $C; do
		expect "kernel Swap SwapPss of $pid" "$(kernel_swap $pid)" "$out $out"
	done
	ps_json "$WORK/ps.json" --mode exact -p "$PC"
	for pid in $P $C; do
		vs_rollup "$WORK/ps.json" $pid
		expect_proc "$WORK/ps.json" $pid swap=$out swap_pss=$out anon.swap=$out
	done
	expect "totals swap swap_pss" "$(jq -r '.totals | "\(.swap) \(.swap_pss)"' "$WORK/ps.json")" "$out $out"
	ps_json "$WORK/g.json" --mode exact --group-by tree -p "$PC"
	expect "tree group swap swap_uss" "$(jq -r '.groups[0] | "\(.swap) \(.swap_uss)"' "$WORK/g.json")" "$out $out"
	# One of them alone: the other's page table is the same one, not another holder.
	ps_json "$WORK/c.json" --mode exact -p $C
	expect_proc "$WORK/c.json" $C swap=$out swap_pss=$out
	finish
}

# ---- what the kernel offers (issue 10) ----

# mode FILE: the [selected] word of a sysfs mode file.
mode() { sed 's/.*\[\(.*\)\].*/\1/' "$1"; }

# sizes_kb DIR: the N of DIR/hugepages-NkB, smallest first.
sizes_kb() { ls -d "$1"/hugepages-*kB 2>/dev/null | sed 's/.*hugepages-\([0-9]*\)kB/\1/' | sort -n; }

# expected_features: what `truemem version --verbose` must print after its
# first line, worked out here from the machine's own files and tests/probe.sh.
expected_features() {
	local t=/sys/kernel/mm/transparent_hugepage h=/sys/kernel/mm/hugepages d kb sep m
	echo "kernel: $(uname -s) $(uname -r) $(uname -m)"
	echo "page_size: $PAGE"
	if probe_exact; then echo "exact_mode: yes"; else echo "exact_mode: no: <reason>"; fi
	echo "pagemap_scan: $(probe_kprobe pagemap_scan)"
	if probe_zero_page; then echo "zero_page: yes"; else echo "zero_page: no: <reason>"; fi
	if probe_kpagecgroup; then echo "kpagecgroup: yes"; else echo "kpagecgroup: no: <reason>"; fi
	if probe_cgroup_memory; then echo "cgroup_memory: v$PROBE_VALUE"; else echo "cgroup_memory: no: <reason>"; fi
	m=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$m" ]; then
		echo "cgroup2: $m (controllers: $(cat "$m/cgroup.controllers" 2>/dev/null | grep . || echo none))"
	else
		echo "cgroup2: not mounted"
	fi
	if [ -f $t/enabled ]; then
		echo "thp: $(mode $t/enabled), pmd $(($(cat $t/hpage_pmd_size) / 1024)) kB, shmem $(mode $t/shmem_enabled)"
	else
		echo "thp: no: <reason>"
	fi
	sep=""
	printf 'mthp: '
	for kb in $(sizes_kb $t); do
		[ -f $t/hugepages-${kb}kB/enabled ] || continue
		printf '%s%skB=%s' "$sep" $kb "$(mode $t/hugepages-${kb}kB/enabled)"
		sep=" "
	done
	[ -n "$sep" ] || printf 'no: <reason>'
	echo
	if [ -f /sys/kernel/mm/ksm/run ]; then
		set -- stopped running unmerging
		shift "$(cat /sys/kernel/mm/ksm/run)"
		echo "ksm: $1, pages_sharing $(cat /sys/kernel/mm/ksm/pages_sharing)"
	else
		echo "ksm: no: <reason>"
	fi
	sep=""
	printf 'hugetlb: '
	for kb in $(sizes_kb $h); do
		printf '%s%skB %s pages (%s free)' "$sep" $kb "$(cat $h/hugepages-${kb}kB/nr_hugepages)" \
			"$(cat $h/hugepages-${kb}kB/free_hugepages)"
		sep=", "
	done
	[ -n "$sep" ] || printf 'no: <reason>'
	echo
	awk 'NR > 1 { printf "%s%s %s %s kB (%s kB used)", n++ ? ", " : "swap: ", $1, $2, $3, $4 }
		END { print n ? "" : "swap: none" }' /proc/swaps
	if [ "$(probe_kprobe kcmp)" = yes ]; then echo "kcmp: yes"; else echo "kcmp: no: <reason>"; fi
}

# `truemem version --verbose`, line by line, against the machine's own files
# (with a swap file on, so the swap line lists a real area); a reason after
# "no: " is truemem's. As nobody, exact mode is not possible and it says why.
test_version_verbose() {
	swap_on
	"$TRUEMEM" version --verbose >"$WORK/v.txt" 2>"$WORK/v.err" || fail "version --verbose exited $?"
	expect "first line" "$(head -1 "$WORK/v.txt")" "$("$TRUEMEM" --version)"
	# A swap area's use moves between two reads (the kernel swaps when it
	# will): the figure is left out of the comparison, the area is not.
	expected_features | sed 's/([0-9]* kB used)/(N kB used)/' >"$WORK/want.txt"
	tail -n +2 "$WORK/v.txt" | sed 's/^\([a-z_0-9]*: no: \).*/\1<reason>/; s/([0-9]* kB used)/(N kB used)/' \
		>"$WORK/got.txt"
	cmp -s "$WORK/want.txt" "$WORK/got.txt" ||
		err "version --verbose differs (-want +got): $(diff "$WORK/want.txt" "$WORK/got.txt" | grep '^[<>]' | tr '\n' '|')"
	grep -q "^swap: .*$SWAPFILE file " "$WORK/v.txt" || err "the swap line does not list $SWAPFILE"
	[ ! -s "$WORK/v.err" ] || err "stderr: $(head -c 200 "$WORK/v.err")"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TRUEMEM" version --verbose >"$WORK/n.txt" 2>&1
	expect "exact_mode as nobody" "$(grep '^exact_mode:' "$WORK/n.txt")" \
		"exact_mode: no: cannot read /proc/kpagecount and /proc/kpageflags (needs CAP_SYS_ADMIN)"
	expect "version takes no arguments: exit" "$("$TRUEMEM" version foo >/dev/null 2>&1; echo $?)" 2
	finish
}

# ---- the physical census (issue 12) ----
. "$(dirname "${BASH_SOURCE[0]}")/census.sh"

# ---- memory cgroups (issue 12) ----
. "$(dirname "${BASH_SOURCE[0]}")/cgroup.sh"

# ---- driver ----

if [ "${1:-}" = --one ]; then
	WORK=$(mktemp -d /tmp/truemem-live-t.XXXXXX) || exit 1
	trap on_exit EXIT
	trap 'exit 1' INT TERM HUP
	exec 3>&1
	"test_$2"
	exit 1
fi

for tool in jq setpriv timeout flock; do
	command -v $tool >/dev/null || { echo "live: $tool is required" >&2; exit 1; }
done
[ -x "$TRUEMEM" ] || { echo "live: no truemem at $TRUEMEM (set TRUEMEM)" >&2; exit 1; }
[ -x "$MEMHOG" ] || { echo "live: no memhog at $MEMHOG (set HELPERS)" >&2; exit 1; }
tests=${*:-$ALL_TESTS}
# Every test starts processes of known memory and reads them in exact mode.
if ! probe_exact; then
	for t in $tests; do echo "SKIP $t: $PROBE_WHY"; done
	echo "live: 0 passed, 0 failed, $(echo $tests | wc -w) skipped"
	exit 0
fi
LIVE_STATE=$(mktemp -d /tmp/truemem-live-state.XXXXXX) || exit 1
export LIVE_STATE
# After each test: a swap file a killed test left on is swapped off, removed.
reap_swapfiles() {
	local f
	[ -f "$LIVE_STATE/swapfiles" ] || return 0
	while read -r f; do
		if grep -q "^$f " /proc/swaps; then
			swapoff "$f"
		fi
		rm -rf "$(dirname "$f")"
	done <"$LIVE_STATE/swapfiles"
	rm -f "$LIVE_STATE/swapfiles"
}
trap 'reap_swapfiles; rm -rf "$LIVE_STATE"' EXIT
passed=0
failed=0
skipped=0
start=$(date +%s)
for t in $tests; do
	limit=$TEST_TIMEOUT
	case $t in kernel_consistency|capture_replay|frees|shared_mm) limit=$((TEST_TIMEOUT * 2)) ;; esac
	reason=$(timeout -k 5 "$limit" bash "$0" --one "$t" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS $t"
		passed=$((passed + 1))
	elif [ $rc = 77 ]; then
		echo "SKIP $t: $(printf '%s' "$reason" | tr '\n' ' ')"
		skipped=$((skipped + 1))
	else
		[ $rc = 124 ] && reason="timed out after ${limit} s${reason:+: $reason}"
		echo "FAIL $t: $(printf '%s' "${reason:-exit $rc}" | tr '\n' ' ')"
		failed=$((failed + 1))
	fi
	reap_swapfiles
done
echo "live: $passed passed, $failed failed, $skipped skipped ($(($(date +%s) - start)) s)"
[ $failed = 0 ]
