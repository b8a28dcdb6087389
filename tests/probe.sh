# tests/probe.sh: what the running kernel offers, for the test suites
# (sourced, POSIX sh). A test that needs a kernel feature asks here first
# and, where the feature is absent, prints `SKIP name: reason` (counted as
# skipped by tests/run.sh, never as passed); a test whose expectation
# depends on a kernel behaviour (the zero page) computes it from here.
#
# Each probe_* function returns 0 when the feature is there; otherwise 1,
# with the reason in PROBE_WHY. Values come back in PROBE_VALUE.
#   probe_exact          exact mode: root, /proc/kpageflags and kpagecount readable
#   probe_zero_page      read faults on private anonymous memory map the zero page
#   probe_pagemap_scan   the PAGEMAP_SCAN ioctl (Linux 6.7+)
#   probe_kpagecgroup    /proc/kpagecgroup readable
#   probe_cgroup_memory  a memory cgroup controller: PROBE_VALUE "1 MOUNT" or "2 MOUNT"
#   probe_thp            transparent huge pages, mode settable (PROBE_VALUE: PMD size)
#   probe_mthp           mTHP sizes (PROBE_VALUE: the sizes in kB, space separated)
#   probe_ksm            KSM, ksm/run writable
#   probe_hugetlb KB     hugetlb pages of KB kB, pool writable
#   probe_swap DIR       a swap file can be made in DIR and swapped on (call it
#                        under the global lock: it swaps on a small file, off again)
# The two that need a process (zero page, PAGEMAP_SCAN) come from the kprobe
# helper (tests/live/helpers/kprobe.c) in $HELPERS, built there by
# `make tests`, or compiled into a scratch directory when missing.

PROBE_WHY=""
PROBE_VALUE=""
PROBE_KPROBE_OUT=""

# probe_kprobe KEY: the helper's answer for KEY (yes, no or unknown).
probe_kprobe() {
	if [ -z "$PROBE_KPROBE_OUT" ]; then
		_pk=${HELPERS:-$(dirname "${TRUEMEM:-./build/truemem}")/tests/live/helpers}/kprobe
		if [ ! -x "$_pk" ]; then
			_pd=$(mktemp -d "${TMPDIR:-/tmp}/truemem-kprobe.XXXXXX") || return 1
			_src=$(dirname "$0")/../live/helpers/kprobe.c
			[ -f "$_src" ] || _src=tests/live/helpers/kprobe.c
			${CC:-cc} -O2 -I"$(dirname "$_src")/../../../include" -o "$_pd/kprobe" "$_src" 2>/dev/null &&
				PROBE_KPROBE_OUT=$("$_pd/kprobe")
			rm -rf "$_pd"
		else
			PROBE_KPROBE_OUT=$("$_pk")
		fi
	fi
	printf '%s\n' "$PROBE_KPROBE_OUT" | sed -n "s/^$1: //p"
}

probe_exact() {
	PROBE_WHY=""
	if [ "$(id -u)" != 0 ]; then
		PROBE_WHY="exact mode needs root (CAP_SYS_ADMIN)"
	elif ! head -c 8 /proc/kpageflags >/dev/null 2>&1 || ! head -c 8 /proc/kpagecount >/dev/null 2>&1; then
		PROBE_WHY="/proc/kpageflags or /proc/kpagecount is not readable"
	fi
	[ -z "$PROBE_WHY" ]
}

probe_zero_page() {
	case $(probe_kprobe zero_page) in
	yes) PROBE_WHY="" ; return 0 ;;
	no) PROBE_WHY="read faults on anonymous memory get real pages, not the zero page (pvm_no_zero_page=1?)" ;;
	*) PROBE_WHY="the zero-page probe (kprobe) failed" ;;
	esac
	return 1
}

probe_pagemap_scan() {
	case $(probe_kprobe pagemap_scan) in
	yes) PROBE_WHY="" ; return 0 ;;
	no) PROBE_WHY="the kernel has no PAGEMAP_SCAN ioctl (Linux 6.7+)" ;;
	*) PROBE_WHY="the PAGEMAP_SCAN probe (kprobe) failed" ;;
	esac
	return 1
}

probe_kpagecgroup() {
	PROBE_WHY=""
	head -c 8 /proc/kpagecgroup >/dev/null 2>&1 ||
		PROBE_WHY="/proc/kpagecgroup is missing or not readable (CONFIG_MEMCG, root)"
	[ -z "$PROBE_WHY" ]
}

probe_cgroup_memory() {
	PROBE_WHY="" PROBE_VALUE=""
	_m=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
	if [ -n "$_m" ] && [ -d "$_m" ]; then
		PROBE_VALUE="1 $_m"
		return 0
	fi
	_m=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$_m" ] && grep -qw memory "$_m/cgroup.controllers" 2>/dev/null; then
		PROBE_VALUE="2 $_m"
		return 0
	fi
	PROBE_WHY="no memory cgroup controller (neither a v1 memory hierarchy nor memory in a v2 cgroup.controllers)"
	return 1
}

probe_thp() {
	PROBE_WHY="" PROBE_VALUE=""
	_t=/sys/kernel/mm/transparent_hugepage
	if [ ! -f $_t/enabled ]; then
		PROBE_WHY="no transparent huge pages ($_t/enabled missing)"
	elif [ ! -w $_t/enabled ]; then
		PROBE_WHY="$_t/enabled is not writable"
	else
		PROBE_VALUE=$(cat $_t/hpage_pmd_size 2>/dev/null)
	fi
	[ -z "$PROBE_WHY" ]
}

probe_mthp() {
	PROBE_WHY="" PROBE_VALUE=""
	for _d in /sys/kernel/mm/transparent_hugepage/hugepages-*kB; do
		[ -d "$_d" ] || continue
		_k=${_d##*hugepages-}
		PROBE_VALUE="$PROBE_VALUE${PROBE_VALUE:+ }${_k%kB}"
	done
	PROBE_VALUE=$(printf '%s\n' $PROBE_VALUE | sort -n | tr '\n' ' ')
	PROBE_VALUE=${PROBE_VALUE% }
	[ -n "$PROBE_VALUE" ] || PROBE_WHY="no mTHP sizes (/sys/kernel/mm/transparent_hugepage/hugepages-*kB, Linux 6.8+)"
	[ -z "$PROBE_WHY" ]
}

probe_ksm() {
	PROBE_WHY=""
	if [ ! -f /sys/kernel/mm/ksm/run ]; then
		PROBE_WHY="no KSM (/sys/kernel/mm/ksm missing, CONFIG_KSM)"
	elif [ ! -w /sys/kernel/mm/ksm/run ]; then
		PROBE_WHY="/sys/kernel/mm/ksm/run is not writable"
	fi
	[ -z "$PROBE_WHY" ]
}

probe_hugetlb() {
	PROBE_WHY=""
	_h=/sys/kernel/mm/hugepages/hugepages-${1}kB
	if [ ! -d "$_h" ]; then
		PROBE_WHY="no hugetlb pages of ${1} kB ($_h missing)"
	elif [ ! -w "$_h/nr_hugepages" ]; then
		PROBE_WHY="$_h/nr_hugepages is not writable"
	elif [ "$1" != "$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)" ]; then
		PROBE_WHY="the default hugetlb page size is not ${1} kB"
	fi
	[ -z "$PROBE_WHY" ]
}

probe_swap() {
	PROBE_WHY=""
	_s=$1/truemem-probe-swap
	if [ ! -r /proc/swaps ]; then
		PROBE_WHY="no /proc/swaps (CONFIG_SWAP)"
	elif ! command -v mkswap >/dev/null || ! command -v swapon >/dev/null; then
		PROBE_WHY="mkswap or swapon is not installed"
	elif ! dd if=/dev/zero of="$_s" bs=64k count=16 status=none 2>/dev/null; then
		PROBE_WHY="cannot write a file in $1"
	elif ! chmod 600 "$_s" || ! mkswap "$_s" >/dev/null 2>&1; then
		PROBE_WHY="mkswap fails on a file in $1"
	elif ! _e=$(swapon "$_s" 2>&1); then
		PROBE_WHY="swapon of a file in $1 fails: $_e"
	else
		swapoff "$_s"
	fi
	rm -f "$_s"
	[ -z "$PROBE_WHY" ]
}
