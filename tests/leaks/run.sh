#!/bin/sh
# tests/leaks/run.sh: no memory leaked and no memory error across many
# refreshes (issue 6, "Hardening"): `truemem top -n 50 -d 0.1` on a real
# terminal (a detached tmux session), `truemem ps --jsonl --interval 0.05
# --count 50`, and one run each of the other commands (lib, sys, map -X,
# capture, sim, ps --from a snapshot).
#
# With a plain build every run is under valgrind (memcheck, --leak-check=full):
# it must exit 0 with "ERROR SUMMARY: 0 errors", which counts definitely and
# possibly lost blocks as errors. Memory still reachable at exit (ncurses'
# own tables) is not a leak and needs no suppression. With
# an ASan build (TRUEMEM=build-asan/truemem) the same runs go without
# valgrind, and LeakSanitizer checks each at exit.
#
# Valgrind does not know the PAGEMAP_SCAN ioctl (Linux 6.7), so it would
# take the ranges the kernel writes for uninitialised: valgrind runs set
# TRUEMEM_NO_PAGEMAP_SCAN and walk pagemap by plain reads (the ASan runs
# cover the ioctl path). Read that way, a process with a giant address
# space (an ASan process reserves terabytes of shadow) would take hours:
# when one is running, the valgrind scans are narrowed to PID 1 and this
# shell (-p), and say so.
#
#   TRUEMEM=./build/truemem sh tests/leaks/run.sh
#
# One line per run (`PASS name` / `FAIL name: why`), then `leaks: N passed,
# M failed`; exits 1 if any failed. `top` is skipped, with a message, only
# when `truemem top --help` fails. Each run is under `timeout`; the tmux
# server and scratch files go on the way out.
set -u

TRUEMEM=${TRUEMEM:-./build/truemem}
case $TRUEMEM in /*) ;; *) TRUEMEM=$PWD/$TRUEMEM ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
SOCK=truemem-leaks-$$
T=$(mktemp -d "${TMPDIR:-/tmp}/truemem-leaks.XXXXXX") || exit 1
PASSED=0
FAILED=0

cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass() { printf 'PASS %s\n' "$1"; PASSED=$((PASSED + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; FAILED=$((FAILED + 1)); }
finish() {
	echo "leaks: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

[ -x "$TRUEMEM" ] || { fail setup "no truemem binary at $TRUEMEM (set TRUEMEM)"; finish; }
if grep -q __asan_init "$TRUEMEM" 2>/dev/null; then
	CHECKER=asan
else
	CHECKER=valgrind
	command -v valgrind >/dev/null || { fail setup "valgrind is missing (make deps)"; finish; }
fi
NARROW=""
WHOLE=""   # for sys and capture, which take no -p
if [ "$CHECKER" = valgrind ]; then
	export TRUEMEM_NO_PAGEMAP_SCAN=1
	# VmSize is in kB: 1 TiB.
	big=$(cat /proc/[0-9]*/status 2>/dev/null | awk '$1 == "VmSize:" && $2 > 1073741824 { n++ } END { print n + 0 }')
	if [ "$big" -gt 0 ]; then
		NARROW="-p 1,$$"
		WHOLE="--mode rollup"
		echo "NOTE: $big processes map over 1 TiB; valgrind scans are narrowed to $NARROW (sys and capture: $WHOLE)"
	fi
fi

# checked NAME: the command line that runs truemem under the checker, log in $T/NAME.log*.
checked() {
	if [ "$CHECKER" = valgrind ]; then
		printf 'valgrind -q --leak-check=full --error-exitcode=99 --log-file=%s/%s.log' "$T" "$1"
	else
		printf 'env ASAN_OPTIONS=detect_leaks=1:exitcode=99:log_path=%s/%s.log' "$T" "$1"
	fi
}

# verdict NAME RC: passes when the run exited 0 and its checker log is clean.
verdict() {
	name=$1 rc=$2
	# Keep the evidence where a FAIL can point to it.
	keep="${TMPDIR:-/tmp}/truemem-leaks-$name.log"
	if [ "$CHECKER" = valgrind ]; then
		if [ "$rc" -eq 0 ] && ! grep -q . "$T/$name.log" 2>/dev/null; then
			pass "$name"
			return
		fi
		cp "$T/$name.log" "$keep" 2>/dev/null
	else
		if [ "$rc" -eq 0 ] && ! ls "$T/$name.log".* >/dev/null 2>&1; then
			pass "$name"
			return
		fi
		cat "$T/$name.log".* >"$keep" 2>/dev/null
	fi
	why=$(grep -m1 -E 'definitely lost|possibly lost|Invalid|uninitialised|ERROR' "$keep" 2>/dev/null | sed 's/^==[0-9]*== //')
	[ -n "$why" ] || why=$(head -c 200 "$T/$name.err" 2>/dev/null)
	fail "$name" "exit $rc: ${why:-see $keep} ($keep)"
}

# run NAME ARGS...: truemem ARGS under the checker, output kept in $T/NAME.out.
run() {
	name=$1
	shift
	# shellcheck disable=SC2046
	timeout 120 $(checked "$name") "$TRUEMEM" "$@" >"$T/$name.out" 2>"$T/$name.err"
	verdict "$name" $?
}

# where_stuck PATTERN: for a run that takes too long, where it is: the
# screen, and each thread of the process whose command line has PATTERN
# (state, kernel wait channel, the user stack's top frames when gdb can
# attach), on one line.
where_stuck() {
	out="screen: $(tmux -L "$SOCK" capture-pane -p 2>/dev/null | grep -v '^ *$' | head -6 | cut -c 1-100 | tr '\n' '|')"
	for pid in $(pgrep -f -- "$1"); do
		case $(cat "/proc/$pid/comm" 2>/dev/null) in truemem | memcheck*) ;; *) continue ;; esac
		for task in /proc/"$pid"/task/*; do
			out="$out thread $(cat "$task/comm" 2>/dev/null) $(awk '{ print $3 }' "$task/stat" 2>/dev/null) wchan=$(cat "$task/wchan" 2>/dev/null);"
		done
		if [ "$CHECKER" = asan ] && command -v gdb >/dev/null; then
			out="$out gdb: $(timeout 20 gdb -batch -p "$pid" -ex 'thread apply all bt 6' 2>/dev/null | grep -E '^(Thread|#)' | cut -c 1-90 | tr '\n' '|')"
		fi
	done
	printf '%s' "$out"
}

# With -q, valgrind writes its log only when it found something.
# shellcheck disable=SC2086
run ps_jsonl_50 ps --jsonl --interval 0.05 --count 50 $NARROW
n=$(wc -l <"$T/ps_jsonl_50.out")
[ "$n" -eq 50 ] || fail ps_jsonl_50_documents "$n documents, not 50"

if "$TRUEMEM" top --help >/dev/null 2>&1; then
	if command -v tmux >/dev/null; then
		# A terminal of a known size; the exit status lands in top.rc. top must
		# stay in the terminal's foreground process group, hence --foreground.
		tmux -L "$SOCK" new-session -d -x 120 -y 40 \
			"TERM=xterm timeout --foreground 120 $(checked top_50_refreshes) '$TRUEMEM' top -n 50 -d 0.1 $NARROW 2>'$T/top.err'; echo \$? >'$T/top.rc'"
		k=0 stuck=""
		while [ ! -s "$T/top.rc" ] && [ $k -lt 1100 ]; do
			sleep 0.1
			k=$((k + 1))
		done
		# Still running after 110 s (timeout stops it at 120): say where it is.
		[ -s "$T/top.rc" ] || stuck=$(where_stuck "top -n 50 -d 0.1")
		while [ ! -s "$T/top.rc" ] && [ $k -lt 1300 ]; do
			sleep 0.1
			k=$((k + 1))
		done
		if [ -s "$T/top.rc" ] && [ -z "${stuck:-}" ]; then
			verdict top_50_refreshes "$(cat "$T/top.rc")"
		else
			fail top_50_refreshes "not done after 110 s (exit $(cat "$T/top.rc" 2>/dev/null || echo none)): $stuck"
		fi
	else
		fail top_50_refreshes "tmux is missing (make deps)"
	fi
else
	echo "SKIP top_50_refreshes: 'truemem top --help' fails, so there is no top to check"
fi

# One run of every other command; map on this shell, which surely exists.
# shellcheck disable=SC2086
run lib lib --json $NARROW
# shellcheck disable=SC2086
run sys sys --json $WHOLE
run map_extended map $$ -X --json
# shellcheck disable=SC2086
run capture capture -o "$T/capture" $WHOLE
run sim sim "$HERE/../golden/swap_shared.scn" -o "$T/sim"
if [ "$CHECKER" = asan ]; then
	run ps_from_snapshot ps --from "$T/sim" --json --group-by tree
else
	# fuzz_snapshot covers the reader's leaks under LeakSanitizer.
	echo "SKIP ps_from_snapshot: valgrind 3.19 does not implement openat2(2), which the snapshot reader uses"
fi

finish
