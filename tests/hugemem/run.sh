#!/bin/sh
# Memory that does not come in base pages: transparent huge pages, hugetlb
# pages (reported apart, never in rss) and KSM-merged pages (one frame,
# many page-table entries). Each test switches the kernel setting it needs
# on and restores it afterwards, also on failure; where the kernel lacks
# the feature (tests/probe.sh) it prints `SKIP name: reason`.
set -u
. "$(dirname "$0")/../probe.sh"
TRUEMEM=${TRUEMEM:-./build/truemem}
HELPERS=${HELPERS:-./build/tests/live/helpers}
tmp=$(mktemp -d)
pid=""
restore=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=""
	eval "$restore"
	restore=""
}
trap 'cleanup; rm -rf "$tmp"' EXIT
passed=0
failed=0
# Machine-wide settings change one run at a time (the live suite takes the same lock).
exec 9>/run/truemem-live-global.lock
flock -w 120 9 || { echo "FAIL lock: another run holds /run/truemem-live-global.lock"; exit 1; }
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
skipped=0

# start KIND N: runs bigpages, sets pid, start and end of its region.
start() {
	"$HELPERS/bigpages" "$1" "$2" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for i in $(seq 100); do grep -q ready "$tmp/out" && break; sleep 0.1; done
	set -- $(cat "$tmp/out")
	[ "${1:-}" = ready ] || return 1
	rstart=$3
	rend=$4
}

# mapping FIELD: the field of the region's row in `truemem map PID --json`.
mapping() {
	jq -r --arg s "$rstart" ".mappings[] | select(.start == \$s) | .$1" "$tmp/map.json"
}

# kernel FIELD: the region's smaps field in bytes.
kernel() {
	awk -v s="${rstart#0x}" -v f="$1:" '
		$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ { split($1, a, "-"); cur = (a[1] == s) }
		cur && $1 == f { print $2 * 1024; exit }' "/proc/$pid/smaps"
}

# THP: a MADV_HUGEPAGE region counts all its base pages in rss, once.
thp_mode=/sys/kernel/mm/transparent_hugepage/enabled
if ! probe_thp; then
	skip thp "$PROBE_WHY"
elif [ "$PROBE_VALUE" != 2097152 ]; then
	skip thp "the PMD (THP) size is $PROBE_VALUE bytes, not 2 MiB"
else
	old=$(sed 's/.*\[\(.*\)\].*/\1/' "$thp_mode")
	restore="echo $old >$thp_mode"
	echo madvise >"$thp_mode"
	if start thp 8; then
		"$TRUEMEM" map "$pid" --json >"$tmp/map.json"
		rss=$(mapping rss) pss=$(mapping pss) uss=$(mapping uss) thp=$(kernel AnonHugePages)
		krss=$(kernel Rss)
		if [ "${thp:-0}" -eq 0 ]; then
			fail "thp" "the kernel gave the region no huge pages (AnonHugePages 0)"
		elif [ "$rss" = 8388608 ] && [ "$uss" = 8388608 ] && [ "$pss" = 8388608 ] && [ "$krss" = "$rss" ]; then
			pass "thp"
		else
			fail "thp" "rss=$rss pss=$pss uss=$uss (kernel Rss=$krss AnonHugePages=$thp), want 8388608 each"
		fi
	else
		fail "thp" "bigpages did not start: $(cat "$tmp/err")"
	fi
	cleanup
fi

# hugetlb: reserved huge pages are reported apart, not in rss.
nr=/proc/sys/vm/nr_hugepages
if ! probe_hugetlb 2048; then
	skip "hugetlb apart" "$PROBE_WHY"
else
	old=$(cat "$nr")
	restore="echo $old >$nr"
	echo $((old + 2)) >"$nr"
	if [ "$(cat "$nr")" -ge $((old + 2)) ] && start hugetlb 2; then
		"$TRUEMEM" map "$pid" --json >"$tmp/map.json"
		"$TRUEMEM" ps -p "$pid" --json >"$tmp/ps.json"
		rss=$(mapping rss) huge=$(mapping hugetlb)
		prss=$(jq .processes[0].rss "$tmp/ps.json") phuge=$(jq .processes[0].hugetlb "$tmp/ps.json")
		# The kernel's Rss leaves hugetlb out too: the process's rss must equal it.
		krss=$(awk '/^Rss:/ {print $2 * 1024}' "/proc/$pid/smaps_rollup")
		if [ "$rss" = 0 ] && [ "$huge" = 4194304 ] && [ "$phuge" = 4194304 ] && [ "$prss" = "$krss" ]; then
			pass "hugetlb apart"
		else
			fail "hugetlb apart" "mapping rss=$rss hugetlb=$huge; process rss=$prss (kernel Rss $krss) hugetlb=$phuge"
		fi
	else
		fail "hugetlb apart" "could not reserve 2 huge pages or start: $(cat "$tmp/err")"
	fi
	cleanup
fi

# KSM: 256 identical pages merged into one frame: rss counts each entry,
# pss divides the one frame among them, uss is 0; as the kernel's smaps.
ksm=/sys/kernel/mm/ksm
if ! probe_ksm; then
	skip ksm "$PROBE_WHY"
else
	restore="echo 2 >$ksm/run; echo $(cat $ksm/run) >$ksm/run; echo $(cat $ksm/pages_to_scan) >$ksm/pages_to_scan; echo $(cat $ksm/sleep_millisecs) >$ksm/sleep_millisecs"
	echo 1000 >"$ksm/pages_to_scan"
	echo 10 >"$ksm/sleep_millisecs"
	echo 1 >"$ksm/run"
	if start ksm 256; then
		merged=0
		for i in $(seq 200); do
			merged=$(awk '/^ksm_merging_pages/ {print $2}' "/proc/$pid/ksm_stat" 2>/dev/null)
			[ "${merged:-0}" -ge 256 ] && break
			sleep 0.1
		done
		"$TRUEMEM" map "$pid" --json >"$tmp/map.json"
		rss=$(mapping rss) pss=$(mapping pss) uss=$(mapping uss)
		krss=$(kernel Rss) kpss=$(kernel Pss)
		if [ "${merged:-0}" -lt 256 ]; then
			fail "ksm" "ksmd merged only ${merged:-0} of 256 pages in 20 s"
		elif [ "$rss" = 1048576 ] && [ "$uss" = 0 ] && [ "$pss" = 4096 ] && [ "$krss" = "$rss" ] && [ "$kpss" = 4096 ]; then
			pass "ksm"
		else
			fail "ksm" "rss=$rss pss=$pss uss=$uss (kernel Rss=$krss Pss=$kpss), want 1048576 4096 0"
		fi
	else
		fail "ksm" "bigpages did not start: $(cat "$tmp/err")"
	fi
	cleanup
fi

echo "hugemem: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
