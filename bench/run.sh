#!/bin/sh
# truemem benchmark (`make bench`; see bench/README.md).
#
# Starts bench/workload in a PID namespace of its own, then, inside that
# namespace, times side by side: truemem ps --mode exact (also with
# --group-by tree), truemem ps --mode
# rollup, a bare read of every smaps_rollup (bench/rollupcat), smem,
# smemstat, truemem sys --mode exact (its census's own time from its JSON
# read_ms) and a bare kpageflags pass over all RAM (bench/kpageflagscat);
# measures exact mode's and sys's peak RSS and the CPU cost of leaving
# `truemem top` running, and counts system calls per process (strace -c);
# then does the same for truemem and the bare read on a workload of many
# small processes; prints the summary tables. The namespace's init is
# this script (re-run with --inside), so when it ends, for any reason, the
# kernel kills the workload and everything else in the namespace.
#
# Environment: TRUEMEM (default ./truemem), B (build dir of the helpers,
# default build), RUNS (7), PROCS (280), GIB (3), TOP_SECONDS (60; 0 skips),
# MANY_PROCS (2028; 0 skips), MANY_GROUPS (64), MANY_GIB (1), MANY_VMAS (256),
# TRUEMEM_BEFORE (another truemem binary, timed beside it in every round),
# TOOL_TIMEOUT (60 s per command), ROUNDS_BUDGET (300 s for all timed rounds), BENCH_NICE (-10: the timed commands run
# at this nice level, to hold up on a shared machine), PERF (1: print a perf
# profile of exact mode), HUGE (1: the workload's prefork regions are
# MADV_HUGEPAGE, `workload -H`).
set -u

die() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- outside
outside() {
	ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
	cd "$ROOT" || exit 1
	[ "$(id -u)" = 0 ] || die "needs root (pagemap frame numbers, PID namespace)"

	need="" # Debian packages for the competitors, timing and the namespace
	for p in smem smemstat time tmux util-linux jq; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			need="$need $p"
	done
	if [ -n "$need" ]; then
		echo "bench: installing missing Debian packages:$need"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq $need >/dev/null ||
			die "apt-get install$need failed"
	fi

	B=${B:-build}
	for h in workload rollupcat timeit kpageflagscat; do
		[ -x "$B/bench/$h" ] || make -s B="$B" "$B/bench/$h" || die "cannot build $B/bench/$h"
	done
	TRUEMEM=${TRUEMEM:-./truemem}
	case $TRUEMEM in /*) ;; *) TRUEMEM=$ROOT/$TRUEMEM ;; esac
	BENCH_BIN=$ROOT/$B/bench
	case $B in /*) BENCH_BIN=$B/bench ;; esac
	BENCH_TMP=$(mktemp -d /tmp/truemem-bench.XXXXXX) || exit 1
	export TRUEMEM BENCH_BIN BENCH_TMP
	trap 'rm -rf "$BENCH_TMP"' EXIT
	trap 'exit 130' INT TERM HUP
	# --kill-child: if this script dies, the namespace's init gets SIGKILL,
	# and with it every process in the namespace.
	unshare --pid --fork --mount-proc --kill-child sh "$ROOT/bench/run.sh" --inside
}

# ---------------------------------------------------------------- inside
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# median/min/max of column $2 (1-based) of file $1, in milliseconds
stats_ms() {
	awk -v c="$2" '$5 == 0 { print $c * 1000 }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "- - -"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}

# median of user+sys (ms) and max of peak RSS (MiB) over successful runs
cpu_rss() {
	awk '$5 == 0 { print ($2 + $3) * 1000, $4 }' "$1" | sort -n |
		awk '{ v[NR] = $1; if ($2 > r) r = $2 } END {
			if (NR == 0) { print "- -"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %.1f\n", m, r / 1024 }'
}

# run_tool NAME: one timed run of tool NAME, appended to $T/NAME.t
run_tool() {
	eval "cmd=\$CMD_$1"
	# shellcheck disable=SC2086
	"$BENCH_BIN/timeit" "$T/$1.t" nice -n "$BENCH_NICE" timeout "$TOOL_TIMEOUT" $cmd \
		>"$T/$1.out" 2>"$T/$1.err"
	# sys: the census's own wall time (its JSON read_ms), as a row of its own
	[ "$1" = sys ] && jq -r '(.census.read_ms // empty) / 1000 | "\(.) 0 0 0 0"' "$T/sys.out" \
		>>"$T/census.t" 2>/dev/null
	rm -f "$T/$1.out"
}

# start_workload WORKLOAD-ARGS...: starts bench/workload and waits for "ready"
start_workload() {
	echo "bench: starting workload ($*) in a new PID namespace"
	"$BENCH_BIN/workload" "$@" >"$T/workload.out" 2>&1 &
	WPID=$!
	t0=$(now_ms)
	until grep -q '^ready$' "$T/workload.out"; do
		kill -0 "$WPID" 2>/dev/null || { cat "$T/workload.out" >&2; die "workload died"; }
		[ $(($(now_ms) - t0)) -lt 240000 ] || die "workload not ready after 240 s"
		sleep 0.2
	done
	grep -v '^ready$' "$T/workload.out"
	echo "bench: workload ready after $(($(now_ms) - t0)) ms"
}

# The workload as the tools see it: every process of the namespace.
measure_shape() {
	# shellcheck disable=SC2016
	awk '/^Rss:/ { rss += $2; n++ } /^Pss:/ { pss += $2 } /^AnonHugePages:/ { thp += $2 } END {
		printf "%d %.2f %.2f %.0f %.0f %.0f\n", n, rss / 4 / 1e6, pss / 1048576, rss, pss, thp / 1024 }' \
		/proc/[0-9]*/smaps_rollup 2>/dev/null >"$T/shape"
	read -r NPROC PTES_M PSS_GIB RSS_KB PSS_KB THP_MIB <"$T/shape"
	DISTINCT_GIB=- SANITY=""
	[ "$HAVE_TRUEMEM" = 1 ] || return
	if ! sh -c 'echo $$ >"$1"; exec "$2" ps --mode exact --json' sh "$T/exact.pid" "$TRUEMEM" \
		>"$T/exact.json" 2>"$T/exact.json.err"; then
		SANITY="truemem ps --mode exact --json failed: $(head -n1 "$T/exact.json.err")"
		return
	fi
	DISTINCT_GIB=$(jq -r '(.totals.rss // empty) / 1073741824 | . * 100 | round / 100' \
		"$T/exact.json" 2>/dev/null) || DISTINCT_GIB=-
	[ -n "$DISTINCT_GIB" ] || DISTINCT_GIB=-
	# The same processes, two ways: truemem's page walk vs the kernel's rollup.
	# (truemem's own process, which the rollup read before it did not see, left out)
	SANITY=$(jq -r --argjson rss "$RSS_KB" --argjson pss "$PSS_KB" --argjson self "$(cat "$T/exact.pid")" '
		[.processes[] | select(.readable != false) | select(.pid != $self)] as $p |
		($p | map(.rss // 0) | add // 0) as $r | ($p | map(.pss // 0) | add // 0) as $s |
		"exact vs smaps_rollup over \($p | length) processes: sum rss \($r / 1048576 | floor) MiB vs \($rss / 1024 | floor) MiB, " +
		"sum pss \($s / 1048576 | floor) MiB vs \($pss / 1024 | floor) MiB"' "$T/exact.json" 2>&1 | head -n1)
}

measure_top() {
	TOP_CPU=- TOP_NOTE=""
	if [ "$HAVE_TRUEMEM" != 1 ]; then
		TOP_NOTE="skipped: no truemem binary"; return
	fi
	if [ "$TOP_SECONDS" -le 0 ]; then
		TOP_NOTE="skipped: TOP_SECONDS=0"; return
	fi
	if ! "$TRUEMEM" top --help >/dev/null 2>&1; then
		why=$("$TRUEMEM" top --help 2>&1 | head -n1)
		TOP_NOTE="skipped: 'truemem top --help' fails, top not built yet${why:+ ($why)}"
		return
	fi
	n=$((TOP_SECONDS / 2))
	echo "bench: running 'truemem top -d 2 -n $n' headless in tmux for ~${TOP_SECONDS}s"
	sock=$T/tmux.sock
	tmux -S "$sock" new-session -d -x 200 -y 50 \
		"/usr/bin/time -o '$T/top.time' -f '%e %U %S %M %x' '$TRUEMEM' top -d 2 -n $n 2>'$T/top.err'" ||
		{ TOP_NOTE="failed: tmux new-session"; return; }
	t0=$(now_ms) shot=0 : >"$T/top.headers"
	while tmux -S "$sock" has-session 2>/dev/null; do
		el=$(($(now_ms) - t0))
		# Every ~5 s keep the header line: it shows the mode and scan cost.
		if [ $((el / 5000)) -ge "$shot" ]; then
			tmux -S "$sock" capture-pane -p >"$T/top.screen" 2>/dev/null &&
				[ "$shot" -gt 0 ] && head -n1 "$T/top.screen" >>"$T/top.headers"
			shot=$((shot + 1))
		fi
		if [ $(($(now_ms) - t0)) -gt $((TOP_SECONDS * 1000 + 30000)) ]; then
			tmux -S "$sock" kill-server 2>/dev/null
			TOP_NOTE="failed: still running $((TOP_SECONDS + 30)) s after start; killed"
			return
		fi
		sleep 0.5
	done
	tmux -S "$sock" kill-server 2>/dev/null
	if [ ! -s "$T/top.time" ]; then
		TOP_NOTE="failed: no timing recorded"; return
	fi
	read -r e u s m x <"$T/top.time"
	[ "$x" = 0 ] || TOP_NOTE="exited $x: $(head -n1 "$T/top.err")"
	TOP_CPU=$(awk -v e="$e" -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", (e > 0) ? (u + s) / e * 100 : 0 }')
	TOP_DETAIL="${u}s user + ${s}s sys over ${e}s wall, peak RSS $((m / 1024)) MiB"
	TOP_HEADERS=$(sed -n '1p;$p' "$T/top.headers" | uniq)
}

# run_rounds: a warm-up, then RUNS interleaved rounds of $TOOLS into $T/TOOL.t; sets r
run_rounds() {
	echo "bench: warm-up round, then $RUNS timed rounds of: $TOOLS"
	for t in $TOOLS; do run_tool "$t"; rm -f "$T/$t.t"; done
	rm -f "$T/census.t"
	r=0 tr0=$(now_ms)
	while [ $r -lt "$RUNS" ]; do
		# Rotate the order each round so no tool always runs first.
		set -- $TOOLS
		i=0; while [ $i -lt $((r % $#)) ]; do x=$1; shift; set -- "$@" "$x"; i=$((i + 1)); done
		# The whole bench stays under 10 minutes: stop early rather than overrun.
		if [ $(($(now_ms) - tr0)) -gt $((ROUNDS_BUDGET * 1000)) ]; then
			ROUNDS_NOTE="stopped after $r of $RUNS rounds: over the ${ROUNDS_BUDGET}s budget"
			break
		fi
		for t in "$@"; do run_tool "$t"; done
		r=$((r + 1))
		printf '.'
	done
	echo

}

# print_table "TOOLS": one row per tool from $T/TOOL.t; sets MED_, MIN_, CPU_ of each
print_table() {
	printf '\n%-28s %9s %9s %9s %11s %9s  %s\n' tool "median ms" "min ms" "max ms" "cpu ms(med)" "peak MiB" note
	for t in $1; do
		case $t in
		exact) label="truemem ps --mode exact" ;; rollup) label="truemem ps --mode rollup" ;;
		bexact) label="before: ps --mode exact" ;; brollup) label="before: ps --mode rollup" ;;
		tree) label="truemem ps exact, by tree" ;; btree) label="before: ps exact, by tree" ;;
		rollupcat) label="rollupcat (bare rollup)" ;; sys) label="truemem sys --mode exact" ;;
		census) label="  its census (read_ms)" ;; kpfcat) label="kpageflagscat (bare pass)" ;;
		*) label=$t ;;
		esac
		note=""
		if [ ! -s "$T/$t.t" ]; then
			if [ "$HAVE_TRUEMEM" = 0 ] && { [ $t = exact ] || [ $t = rollup ] || [ $t = sys ] || [ $t = census ]; }; then
				note="skipped: $TRUEMEM not built"
			else
				note="no runs"
			fi
			printf '%-28s %9s %9s %9s %11s %9s  %s\n' "$label" - - - - - "$note"
			eval "MED_$t=- MIN_$t=- CPU_$t=-"
			continue
		fi
		bad=$(awk '$5 != 0' "$T/$t.t" | wc -l)
		[ "$bad" -gt 0 ] && note="$bad failed runs (exit $(awk '$5 != 0 { print $5; exit }' "$T/$t.t")): $(head -c 100 "$T/$t.err" | head -n1)"
		read -r med min max <<-EOF
		$(stats_ms "$T/$t.t" 1)
		EOF
		read -r cpu rss <<-EOF
		$(cpu_rss "$T/$t.t")
		EOF
		eval "MED_$t=$med MIN_$t=$min CPU_$t=$cpu"
		printf '%-28s %9s %9s %9s %11s %9s  %s\n' "$label" "$med" "$min" "$max" "$cpu" "$rss" "$note"
	done
}

# count_syscalls TOOL...: one strace -c -f run of each tool; per process (of
# the $NPROC in the namespace) openat, read, futex and all system calls.
count_syscalls() {
	command -v strace >/dev/null || { echo "syscalls: skipped: no strace"; return; }
	for t in "$@"; do
		eval "cmd=\$CMD_$t"
		# shellcheck disable=SC2086
		strace -f -c -o "$T/$t.strace" $cmd >/dev/null 2>&1 || { echo "syscalls $t: failed"; continue; }
		awk -v t="$t" -v n="$NPROC" '
			$NF == "openat" { o = $4 } $NF == "read" { r = $4 } $NF == "futex" { f = $4 }
			$NF == "total" { a = $4 }
			END { printf "syscalls per process %-10s openat %5.2f  read %5.2f  futex %5.2f  all %6.2f\n",
				t ":", o / n, r / n, f / n, a / n }' "$T/$t.strace"
	done
}

# many_procs: the same tools on ~MANY_PROCS small processes in MANY_GROUPS
# prefork groups, after the main workload is gone. Sets MANY_* results.
many_procs() {
	[ "$MANY_PROCS" -gt 0 ] && [ "$HAVE_TRUEMEM" = 1 ] || return
	kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
	t0=$(now_ms)
	while [ "$(ls -d /proc/[0-9]* | wc -l)" -gt 3 ] && [ $(($(now_ms) - t0)) -lt 30000 ]; do sleep 0.2; done
	T=$BENCH_TMP/many
	mkdir -p "$T"
	start_workload -n "$MANY_PROCS" -g "$MANY_GIB" -G "$MANY_GROUPS" -v "$MANY_VMAS"
	NPROC=$(ls -d /proc/[0-9]*/ | wc -l)
	TOOLS="exact rollup rollupcat$BEFORE_TOOLS"
	run_rounds
	MANY_PEAK=-
	/usr/bin/time -o "$T/peak" -f '%M %x' "$TRUEMEM" ps --mode exact >/dev/null 2>&1
	read -r kib x <"$T/peak"
	[ "$x" = 0 ] && MANY_PEAK=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
	count_syscalls exact rollup rollupcat$BEFORE_TOOLS >"$T/syscalls"
	MANY_ROUNDS=$r MANY_NPROC=$NPROC
}

many_report() {
	[ -n "${MANY_ROUNDS:-}" ] || { echo; echo "many processes: skipped (MANY_PROCS=$MANY_PROCS)"; return; }
	T=$BENCH_TMP/many
	echo
	echo "== many processes: $MANY_NPROC in the namespace ($MANY_GROUPS prefork groups, -g $MANY_GIB, -v $MANY_VMAS)"
	print_table "exact rollup rollupcat$BEFORE_TOOLS"
	printf '\n%-30s %8s %8s  %-7s %8s  %-7s %8s  %s\n' check "wall med" target verdict \
		"wall min" verdict "cpu med" verdict
	check_ratio "exact / bare rollup" exact rollupcat 1.5
	check_ratio "rollup / bare rollup" rollup rollupcat 1.2
	before_checks
	printf '%-30s %8s %8s  %s\n' "exact peak RSS MiB (time %M)" "$MANY_PEAK" "<= 16" "$(verdict "$MANY_PEAK" '<=' 16)"
	cat "$T/syscalls"
	echo "($MANY_ROUNDS interleaved runs per tool after one warm-up, at nice $BENCH_NICE)"
}

verdict() { # verdict VALUE OP TARGET -> ok/MISS/-
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v == "-" || v == "") { print "-"; exit }
		ok = (op == "<=") ? (v + 0 <= t + 0) : (v + 0 < t + 0)
		print ok ? "ok" : "MISS" }'
}

ratio() { # ratio A B -> A/B or -
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}

check_ratio() { # check_ratio LABEL TOOL_A TOOL_B TARGET
	eval "wa=\$MED_$2 wb=\$MED_$3 ma=\$MIN_$2 mb=\$MIN_$3 ca=\$CPU_$2 cb=\$CPU_$3"
	rw=$(ratio "$wa" "$wb") rm=$(ratio "$ma" "$mb") rc=$(ratio "$ca" "$cb")
	printf '%-30s %8s %8s  %-7s %8s  %-7s %8s  %s\n' "$1" "$rw" "<= $4" "$(verdict "$rw" '<=' "$4")" \
		"$rm" "$(verdict "$rm" '<=' "$4")" "$rc" "$(verdict "$rc" '<=' "$4")"
}

# before_checks [tree]: the ratios of TRUEMEM_BEFORE's build, when it was
# timed; with "tree", also exact --group-by tree against the same in it
before_checks() {
	[ -n "$BEFORE_TOOLS" ] || return 0
	check_ratio "before: exact / bare rollup" bexact rollupcat 1.5
	check_ratio "before: rollup / bare rollup" brollup rollupcat 1.2
	[ "${1:-}" = tree ] && check_ratio "tree: now / before" tree btree 1.05
	return 0
}

inside() {
	T=$BENCH_TMP
	RUNS=${RUNS:-7} PROCS=${PROCS:-280} GIB=${GIB:-3}
	MANY_PROCS=${MANY_PROCS:-2028} MANY_GROUPS=${MANY_GROUPS:-64} MANY_GIB=${MANY_GIB:-1} MANY_VMAS=${MANY_VMAS:-256}
	TOP_SECONDS=${TOP_SECONDS:-60} TOOL_TIMEOUT=${TOOL_TIMEOUT:-60}
	ROUNDS_BUDGET=${ROUNDS_BUDGET:-300} ROUNDS_NOTE=""
	BENCH_NICE=${BENCH_NICE:--10}
	trap 'exit 130' INT TERM HUP
	# Init of the namespace: leaving kills the workload; say so on failure.
	trap '[ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null' EXIT

	HAVE_TRUEMEM=0
	[ -x "$TRUEMEM" ] && HAVE_TRUEMEM=1
	CMD_exact="$TRUEMEM ps --mode exact"
	CMD_rollup="$TRUEMEM ps --mode rollup"
	CMD_rollupcat="$BENCH_BIN/rollupcat"
	CMD_smem="smem"
	CMD_smemstat="smemstat"
	CMD_kpfcat="$BENCH_BIN/kpageflagscat"
	CMD_sys="$TRUEMEM sys --mode exact --json"
	CMD_tree="$TRUEMEM ps --mode exact --group-by tree"
	TOOLS="rollupcat smem smemstat kpfcat"
	[ "$HAVE_TRUEMEM" = 1 ] && TOOLS="exact rollup tree sys $TOOLS"
	# TRUEMEM_BEFORE: another build timed beside this one (before/after a change).
	BEFORE_TOOLS=""
	if [ -n "${TRUEMEM_BEFORE:-}" ] && [ -x "$TRUEMEM_BEFORE" ]; then
		CMD_bexact="$TRUEMEM_BEFORE ps --mode exact" CMD_brollup="$TRUEMEM_BEFORE ps --mode rollup"
		CMD_btree="$TRUEMEM_BEFORE ps --mode exact --group-by tree"
		BEFORE_TOOLS=" bexact brollup"
		TOOLS="$TOOLS$BEFORE_TOOLS btree"
	fi

	start_workload -n "$PROCS" -g "$GIB" ${HUGE:+-H}
	measure_shape
	# Other work on the machine skews timings: measure how busy it is now.
	BUSY=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	sleep 2
	BUSY=$(awk -v before="$BUSY" '/^cpu / {
		split(before, b, " "); busy = $2 + $3 + $4 + $7 + $8 + $9 - b[1]; idle = $5 + $6 - b[2]
		printf "%.0f", (busy + idle > 0) ? busy * 100 / (busy + idle) : 0 }' /proc/stat)

	run_rounds
	PEAK_MIB=- SYS_PEAK_MIB=-
	if [ "$HAVE_TRUEMEM" = 1 ]; then
		/usr/bin/time -o "$T/peak" -f '%M %x' "$TRUEMEM" ps --mode exact >/dev/null 2>&1
		read -r kib x <"$T/peak"
		[ "$x" = 0 ] && PEAK_MIB=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
		/usr/bin/time -o "$T/peak" -f '%M %x' "$TRUEMEM" sys --mode exact >/dev/null 2>&1
		read -r kib x <"$T/peak"
		[ "$x" = 0 ] && SYS_PEAK_MIB=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
	fi
	measure_top

	if [ "${PERF:-0}" = 1 ] && [ "$HAVE_TRUEMEM" = 1 ] && command -v perf >/dev/null; then
		echo "bench: perf profile of one 'truemem ps --mode exact' (PERF=1)"
		perf record -q -g -o "$T/perf.data" -- "$TRUEMEM" ps --mode exact >/dev/null 2>&1
		perf report -i "$T/perf.data" --stdio --no-children --percent-limit 1.5 -g none \
			2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 40
	fi

	MAIN_R=$r
	[ "$HAVE_TRUEMEM" = 1 ] && count_syscalls exact rollup rollupcat$BEFORE_TOOLS >"$T/syscalls"
	MAIN_T=$T MAIN_NPROC=$NPROC
	many_procs
	T=$MAIN_T NPROC=$MAIN_NPROC

	# ------------------------------------------------------------ report
	echo
	echo "== truemem bench: $(uname -r), $(nproc) CPUs, ${BUSY}% busy (all CPUs) just before timing"
	echo "workload: $NPROC processes in the namespace, ${PTES_M}M present PTEs (sum of Rss / 4 KiB)," \
		"${PSS_GIB} GiB distinct (sum of Pss), ${DISTINCT_GIB} GiB (truemem distinct frames)," \
		"${THP_MIB} MiB of Rss in PMD-mapped huge pages (sum of AnonHugePages)"
	[ -n "$SANITY" ] && echo "sanity: $SANITY"
	print_table "exact rollup tree rollupcat smem smemstat sys census kpfcat$BEFORE_TOOLS${BEFORE_TOOLS:+ btree}"

	# Ratios of wall-time medians (the targets), of the fastest runs, and of
	# CPU-time medians: the last two suffer much less from other load.
	printf '\n%-30s %8s %8s  %-7s %8s  %-7s %8s  %s\n' check "wall med" target verdict \
		"wall min" verdict "cpu med" verdict
	check_ratio "exact / bare rollup" exact rollupcat 1.5
	check_ratio "exact / smem" exact smem 0.5
	check_ratio "rollup / bare rollup" rollup rollupcat 1.2
	check_ratio "census / bare kpageflags" census kpfcat 1.5
	before_checks tree
	printf '%-30s %8s %8s  %s\n' "exact peak RSS MiB (time %M)" "$PEAK_MIB" "<= 16" "$(verdict "$PEAK_MIB" '<=' 16)"
	printf '%-30s %8s %8s  %s\n' "sys peak RSS MiB (time %M)" "$SYS_PEAK_MIB" "<= 16" "$(verdict "$SYS_PEAK_MIB" '<=' 16)"
	printf '%-30s %8s %8s  %s\n' "top -d 2: CPU % of one core" "$TOP_CPU" "<= 3" "$(verdict "$TOP_CPU" '<=' 3)"
	[ -n "$TOP_NOTE" ] && echo "top: $TOP_NOTE"
	[ -n "${TOP_DETAIL:-}" ] && echo "top: ${TOP_DETAIL}"
	[ -n "${TOP_HEADERS:-}" ] && echo "top: its header, first and last seen:" &&
		echo "$TOP_HEADERS" | sed 's/^/  | /'
	if [ -n "$TOP_NOTE" ] && [ -s "$T/top.screen" ]; then
		echo "top: screen 5 s in:"; sed -n '1,8p' "$T/top.screen"
	fi
	[ -n "$ROUNDS_NOTE" ] && echo "note: $ROUNDS_NOTE"
	[ -s "$T/syscalls" ] && cat "$T/syscalls"
	echo "($MAIN_R interleaved runs per tool after one warm-up, at nice $BENCH_NICE; medians; cpu = user+sys)"
	many_report
}

case ${1:-} in
--inside) inside ;;
"") outside ;;
*) echo "usage: sh bench/run.sh   (see bench/README.md)" >&2; exit 2 ;;
esac
