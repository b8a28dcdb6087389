#!/bin/bash
# Kernel consistency: memory the kernel treats specially, built by
# tests/live/helpers/special.c in processes this suite owns, and each of
# their mappings compared with the kernel's smaps: rss = Rss, uss =
# Private_Clean + Private_Dirty, swap = Swap to the byte; pss and swap_pss
# within [Pss, Pss + 1 KiB) (smaps truncates to KiB). Each is also read with
# TRUEMEM_READ_ALL=1 and must give the same figures to the byte: what exact
# mode takes from page-table entries equals what reading every frame gives.
#
# Cases: PMD-mapped THP shared after fork with the head page copied, a
# tail page copied, none, and both (issue 16); mTHP of every size the
# kernel offers from 16 KiB to 1 MiB with the same cases; large page-cache
# folios of a file read through a mapping; KSM pages merged across three
# processes; guard-region and userfaultfd markers (not swap), without and
# with swap; a THP region half paged out; a memfd half paged out and
# mapped private read-only and writable (hidden shmem swap); hugetlb.
#
# The suite changes machine-wide settings (mTHP sizes, ksm/run,
# nr_hugepages, a swap file), so it holds /run/truemem-live-global.lock
# throughout, and puts every setting back and swaps off and removes its
# swap file on any exit. An absent kernel feature gives `SKIP name: reason`.
#
#   TRUEMEM=./build/truemem HELPERS=./build/tests/live/helpers sh tests/kernel/run.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
TRUEMEM=${TRUEMEM:-./build/truemem}
HELPERS=${HELPERS:-./build/tests/live/helpers}
SPECIAL=$HELPERS/special
THP=/sys/kernel/mm/transparent_hugepage
WORK=$(mktemp -d)
passed=0
failed=0
skipped=0
HELPER=""          # the running helper's pid
RESTORE=""         # commands putting settings back, newest first
SWAPDIR=""

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
at_end() { RESTORE="$*; $RESTORE"; }

stop_helper() {
	[ -n "$HELPER" ] && kill "$HELPER" 2>/dev/null && wait "$HELPER" 2>/dev/null
	HELPER=""
}

finish_all() {
	stop_helper
	eval "$RESTORE"
	[ -n "$SWAPDIR" ] && { swapoff "$SWAPDIR/swapfile" 2>/dev/null; rm -rf "$SWAPDIR"; }
	rm -rf "$WORK"
}
trap finish_all EXIT
trap 'exit 1' INT TERM

exec 9>/run/truemem-live-global.lock
flock -w 300 9 || { echo "FAIL lock: another run holds /run/truemem-live-global.lock"; exit 1; }

# special ARGS...: starts the helper; sets PIDS (the process first) and
# REGIONS ("NAME START END" lines). Returns 1 with the reason in $WORK/err.
special() {
	stop_helper
	"$SPECIAL" "$@" >"$WORK/out" 2>"$WORK/err" &
	HELPER=$!
	for _ in $(seq 300); do
		grep -q '^ready' "$WORK/out" && break
		kill -0 "$HELPER" 2>/dev/null || break
		sleep 0.05
	done
	PIDS=$(sed -n 's/^ready //p' "$WORK/out")
	REGIONS=$(sed -n 's/^region //p' "$WORK/out")
	[ -n "$PIDS" ] || { [ -s "$WORK/err" ] || echo "no ready line" >"$WORK/err"; return 1; }
}

# region_start NAME: the start of region NAME, as smaps writes it.
region_start() { printf '%s\n' "$REGIONS" | awk -v n="$1" '$1 == n { sub(/^0x/, "", $2); print $2 }'; }

# smaps_field PID START FIELD: the field of the mapping at START in bytes.
smaps_field() {
	awk -v s="$2" -v f="$3:" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); cur = (a[1] == s) }
		cur && $1 == f { print $2 * 1024; exit }' "/proc/$1/smaps"
}

# smaps_table PID: "start rss pss private swap swap_pss" per mapping of PID.
smaps_table() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); s = r[1]; sub(/^0+/, "", s); order[++n] = s; next }
		/^Rss:/ { rss[s] = $2 * 1024 } /^Pss:/ { pss[s] = $2 * 1024 }
		/^Private_(Clean|Dirty):/ { priv[s] += $2 * 1024 }
		/^Swap:/ { swap[s] = $2 * 1024 } /^SwapPss:/ { swpss[s] = $2 * 1024 }
		END { for (i = 1; i <= n; i++) { s = order[i]; print s, rss[s], pss[s], priv[s] + 0, swap[s], swpss[s] } }' \
		"/proc/$1/smaps" 2>/dev/null
}

# differ PID: prints how `truemem map PID` differs from smaps, mapping by
# mapping; "unsettled" when smaps changed while truemem read (the pages of
# shared libraries are mapped and unmapped by processes outside the test).
differ() {
	smaps_table "$1" >"$WORK/smaps.txt"
	"$TRUEMEM" map "$1" --json >"$WORK/map.json" 2>"$WORK/map.err" || { echo "truemem map $1: $(cat "$WORK/map.err")"; return; }
	TRUEMEM_READ_ALL=1 "$TRUEMEM" map "$1" --json >"$WORK/mapall.json" 2>"$WORK/map.err" ||
		{ echo "TRUEMEM_READ_ALL=1 truemem map $1: $(cat "$WORK/map.err")"; return; }
	smaps_table "$1" >"$WORK/smaps2.txt"
	cmp -s "$WORK/smaps.txt" "$WORK/smaps2.txt" || { echo unsettled; return; }
	jq -r '.mappings[] | select(.name != "[vsyscall]") |
		"\(.start | ascii_downcase | ltrimstr("0x") | sub("^0+"; "")) \(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss)"' \
		"$WORK/map.json" >"$WORK/map.txt"
	# What exact mode takes from the page-table entry instead of reading
	# kpagecount and kpageflags must give what the reads give, to the byte.
	# The vDSO's pages are mapped by every process on the machine, so their
	# pss moves as processes come and go between the two reads: left out
	# here (compared with smaps below like every mapping).
	for m in map mapall; do
		jq -r '.mappings[] | select(.name | test("^\\[(vsyscall|vdso|vvar.*)\\]$") | not) |
			"\(.start) \(.name) \(.rss) \(.pss) \(.uss) \(.swap) \(.swap_pss)"' \
			"$WORK/$m.json" >"$WORK/$m.cmp"
	done
	cmp -s "$WORK/map.cmp" "$WORK/mapall.cmp" ||
		diff "$WORK/map.cmp" "$WORK/mapall.cmp" | awk -v pid="$1" '/^[<>]/ { printf "%s inferred vs read-all: %s\n", pid, $0 }' | head -n 4
	awk -v pid="$1" '
		FILENAME == ARGV[1] { k[$1] = $0; next }
		{
			seen[$1] = 1
			if (!($1 in k)) { print pid " 0x" $1 ": not in smaps"; next }
			split(k[$1], s, " ")
			if ($2 != s[2]) print pid " 0x" $1 " rss " $2 " != Rss " s[2]
			if ($4 != s[4]) print pid " 0x" $1 " uss " $4 " != Private " s[4]
			if ($3 < s[3] || $3 >= s[3] + 1024) print pid " 0x" $1 " pss " $3 " != Pss " s[3]
			if ($5 != s[5]) print pid " 0x" $1 " swap " $5 " != Swap " s[5]
			if ($6 < s[6] || $6 >= s[6] + 1024) print pid " 0x" $1 " swap_pss " $6 " != SwapPss " s[6]
		}
		END { for (a in k) if (!(a in seen) && a != "ffffffffff600000") print pid " smaps 0x" a ": not in map" }' \
		"$WORK/smaps.txt" "$WORK/map.txt"
}

# check NAME: every helper process against smaps, read again while smaps
# did not settle (at most 20 times).
check() {
	local pid out all=""
	for pid in $PIDS; do
		for _ in $(seq 20); do
			out=$(differ "$pid")
			[ "$out" != unsettled ] && break
			sleep 0.1
		done
		all="$all${out:+$out; }"
	done
	if [ -z "$all" ]; then pass "$1"; else fail "$1" "$(printf '%s' "$all" | head -c 600)"; fi
}

# setting FILE VALUE: writes VALUE, putting the old bracketed or plain value back at the end.
setting() {
	local old
	old=$(sed 's/.*\[\(.*\)\].*/\1/' "$1") || return 1
	at_end "echo '$old' >'$1' 2>/dev/null"
	echo "$2" >"$1" 2>/dev/null
}

# ---- huge pages after fork ----

pmd_fork() {
	local how
	if [ ! -w "$THP/enabled" ]; then
		skip "thp_fork" "no writable $THP/enabled (THP not built in)"
		return
	fi
	setting "$THP/enabled" madvise
	for how in head tail none mixed; do
		if ! special fork 2048 16 $how; then
			fail "thp_fork_$how" "special: $(cat "$WORK/err")"
			continue
		fi
		if [ "$(smaps_field "${PIDS%% *}" "$(region_start fork)" AnonHugePages)" = 0 ]; then
			skip "thp_fork_$how" "the kernel gave the region no PMD-mapped huge page"
			continue
		fi
		check "thp_fork_$how"
	done
	stop_helper
}

mthp_fork() {
	local d kb how before after tested=0
	for kb in 16 32 64 128 256 512 1024; do
		d=$THP/hugepages-${kb}kB
		if [ ! -w "$d/enabled" ]; then
			skip "mthp_${kb}k" "this kernel offers no ${kb} KiB mTHP ($d)"
			continue
		fi
		# Only this size: every other size, PMD included, off while it runs.
		for o in "$THP"/hugepages-*kB; do [ -w "$o/enabled" ] && setting "$o/enabled" never; done
		echo madvise >"$d/enabled"
		for how in head tail none; do
			before=$(cat "$d/stats/anon_fault_alloc" 2>/dev/null || echo 0)
			if ! special fork "$kb" 4 $how; then
				fail "mthp_${kb}k_$how" "special: $(cat "$WORK/err")"
				continue
			fi
			after=$(cat "$d/stats/anon_fault_alloc" 2>/dev/null || echo 0)
			if [ "$after" -le "$before" ]; then
				skip "mthp_${kb}k_$how" "no ${kb} KiB folio was allocated (anon_fault_alloc unchanged)"
				continue
			fi
			check "mthp_${kb}k_$how"
		done
		stop_helper
		eval "$RESTORE"
		RESTORE=""
	done
}

# ---- page cache, KSM, hugetlb ----

disk_dir() {
	local d t
	for d in /var/tmp /tmp "$PWD"; do
		t=$(stat -f -c %T "$d" 2>/dev/null) || continue
		case $t in tmpfs|ramfs|overlayfs) continue ;; esac
		mktemp -d "$d/truemem-kernel.XXXXXX" 2>/dev/null && return 0
	done
	return 1
}

file_folios() {
	local d
	d=$(disk_dir) || { skip "file_folios" "no disk-backed directory"; return; }
	at_end "rm -rf '$d'"
	if special file "$d/data" 16; then
		check "file_folios"
	else
		fail "file_folios" "special: $(cat "$WORK/err")"
	fi
	stop_helper
}

ksm_three() {
	local k=/sys/kernel/mm/ksm merged=0 pid n
	[ -w "$k/run" ] || { skip "ksm_three" "no writable $k/run (KSM not built in)"; return; }
	at_end "echo $(cat $k/run) >$k/run; echo $(cat $k/pages_to_scan) >$k/pages_to_scan; echo $(cat $k/sleep_millisecs) >$k/sleep_millisecs"
	echo 1000 >"$k/pages_to_scan"
	echo 10 >"$k/sleep_millisecs"
	echo 1 >"$k/run"
	if ! special ksm 64; then
		fail "ksm_three" "special: $(cat "$WORK/err")"
		return
	fi
	for _ in $(seq 200); do
		merged=0
		for pid in $PIDS; do
			n=$(awk '/^ksm_merging_pages/ {print $2}' "/proc/$pid/ksm_stat" 2>/dev/null)
			merged=$((merged + ${n:-0}))
		done
		[ "$merged" -ge 192 ] && break
		sleep 0.1
	done
	if [ "$merged" -lt 192 ]; then
		fail "ksm_three" "ksmd merged $merged of 192 pages in 20 s"
	else
		check "ksm_three"
	fi
	stop_helper
}

hugetlb_fork() {
	local nr=/proc/sys/vm/nr_hugepages old
	[ -w "$nr" ] || { skip "hugetlb" "no writable $nr"; return; }
	old=$(cat "$nr")
	at_end "echo $old >$nr"
	echo $((old + 2)) >"$nr"
	if [ "$(cat "$nr")" -lt $((old + 2)) ]; then
		skip "hugetlb" "could not reserve 2 huge pages"
		return
	fi
	if special hugetlb 2; then
		check "hugetlb"
	else
		fail "hugetlb" "special: $(cat "$WORK/err")"
	fi
	stop_helper
}

# ---- markers and swap ----

markers() {
	local tag=$1
	if special guard; then
		check "guard_markers$tag"
	elif grep -q "MADV_GUARD_INSTALL: Invalid argument" "$WORK/err"; then
		skip "guard_markers$tag" "MADV_GUARD_INSTALL unsupported (Linux 6.13+)"
	else
		fail "guard_markers$tag" "special: $(cat "$WORK/err")"
	fi
	if special poison; then
		check "poison_markers$tag"
	elif grep -q "UFFD_FEATURE_POISON\|userfaultfd\|UFFDIO" "$WORK/err"; then
		skip "poison_markers$tag" "userfaultfd UFFDIO_POISON unavailable: $(cat "$WORK/err")"
	else
		fail "poison_markers$tag" "special: $(cat "$WORK/err")"
	fi
	if special uffd; then
		check "uffd_markers$tag"
	elif grep -q "userfaultfd\|UFFDIO_API" "$WORK/err"; then
		skip "uffd_markers$tag" "userfaultfd WP_UNPOPULATED/POISON unavailable: $(cat "$WORK/err")"
	else
		fail "uffd_markers$tag" "special: $(cat "$WORK/err")"
	fi
	stop_helper
}

swap_on() {
	SWAPDIR=$(disk_dir) || { SWAPDIR=""; return 1; }
	{ fallocate -l 256M "$SWAPDIR/swapfile" 2>/dev/null ||
		dd if=/dev/zero of="$SWAPDIR/swapfile" bs=1M count=256 status=none; } &&
		chmod 600 "$SWAPDIR/swapfile" && mkswap "$SWAPDIR/swapfile" >/dev/null 2>&1 &&
		swapon "$SWAPDIR/swapfile" 2>"$WORK/swapon.err"
}

swapped() {
	local how
	if special thpswap 8; then
		if [ "$(smaps_field "$PIDS" "$(region_start thpswap)" Swap)" = 0 ]; then
			fail "thp_swap" "MADV_PAGEOUT put nothing in swap"
		else
			check "thp_swap"
		fi
	else
		fail "thp_swap" "special: $(cat "$WORK/err")"
	fi
	for how in ro rw; do
		if ! special memfd 1024 $how; then
			fail "memfd_private_$how" "special: $(cat "$WORK/err")"
		elif [ "$(smaps_field "$PIDS" "$(region_start memfd)" Swap)" = 0 ]; then
			fail "memfd_private_$how" "the kernel shows no swap in the private mapping"
		else
			check "memfd_private_$how"
		fi
	done
	stop_helper
}

command -v jq >/dev/null || { echo "FAIL setup: jq is needed"; exit 1; }
[ -x "$SPECIAL" ] || { echo "FAIL setup: no $SPECIAL (make tests)"; exit 1; }
pmd_fork
eval "$RESTORE"; RESTORE=""
mthp_fork
file_folios
ksm_three
eval "$RESTORE"; RESTORE=""
hugetlb_fork
eval "$RESTORE"; RESTORE=""
markers ""
if grep -q '^/' /proc/swaps; then
	skip "swap" "swap already on: the suite makes its own swap file only on a machine without swap"
elif swap_on; then
	markers "_with_swap"
	swapped
else
	skip "swap" "cannot make a swap file here: $(cat "$WORK/swapon.err" 2>/dev/null)"
fi
echo "kernel: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
