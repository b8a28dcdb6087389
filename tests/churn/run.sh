#!/bin/bash
# Churn: truemem scanning while processes are born and die as fast as
# churner (tests/live/helpers/churner.c) can fork them, so every scan meets
# processes that vanish between being listed and being read (issue 6,
# "Hardening"). What must hold, scan after scan:
#   - every run exits 0 with nothing on stderr, and prints one document
#     that jq parses, with the schema and the mode asked for;
#   - a process with readable:false has a reason and null for every
#     number (unknown is never 0); in exact mode a readable one has them all;
#   - a long --jsonl stream prints every document and holds no more file
#     descriptors at its end than at its start (no fd leaked per scan).
#
#   TRUEMEM=./build/truemem HELPERS=./build/tests/live/helpers sh tests/churn/run.sh
#
# One line per test (`PASS name` / `FAIL name: reason`, `SKIP name: why`
# when exact mode is not possible here), then `churn: N passed, M failed`;
# exits 1 if any failed. Bounded: churner stops by itself after
# CHURN_SECONDS (default 80), each truemem run is under `timeout`, and the
# EXIT trap stops churner. Needs jq and timeout; exact mode needs root.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # tests/run.sh starts us with sh
set -u

TRUEMEM=${TRUEMEM:-./build/truemem}
HELPERS=${HELPERS:-./build/tests/live/helpers}
case $TRUEMEM in /*) ;; *) TRUEMEM=$PWD/$TRUEMEM ;; esac
case $HELPERS in /*) ;; *) HELPERS=$PWD/$HELPERS ;; esac
CHURNER=$HELPERS/churner
CHURN_SECONDS=${CHURN_SECONDS:-80}
SCANS=${CHURN_SCANS:-100}

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/truemem-churn.XXXXXX") || exit 1
CHURNER_PID=""
STREAM_PID=""
cleanup() {
	[ -n "$STREAM_PID" ] && kill "$STREAM_PID" 2>/dev/null
	[ -n "$CHURNER_PID" ] && kill "$CHURNER_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for tool in jq timeout; do
	command -v "$tool" >/dev/null || { echo "FAIL setup: $tool is missing"; echo "churn: 0 passed, 1 failed"; exit 1; }
done
for f in "$TRUEMEM" "$CHURNER"; do
	[ -x "$f" ] || { echo "FAIL setup: $f is missing (make tests)"; echo "churn: 0 passed, 1 failed"; exit 1; }
done

# check_doc FILE MODE: "ok N" (N processes unreadable) for a sound ps document
# of a scan in MODE, else its first problems, one a line.
check_doc() {
	jq -r --arg mode "$2" '
		# An unreadable process may show its RSS (from statm), nothing else.
		def nums: [.pss, .uss, .swap, .swap_pss, (.anon, .file, .shmem | .[]?),
			   .zero_page, .nopage, .hugetlb];
		[(if .schema != "truemem/1" then "schema is \(.schema)" else empty end),
		 (if .mode != $mode then "mode is \(.mode), not \($mode)" else empty end),
		 (if (.processes | type) != "array" then "no process list" else empty end),
		 (.processes[]? | select(.readable | type != "boolean") | "pid \(.pid): readable is \(.readable)"),
		 (.processes[]? | select(.readable == false) | select([nums[] | select(. != null)] | length > 0)
			| "pid \(.pid): readable:false with numbers beyond rss"),
		 (.processes[]? | select(.readable == false) | select((.reason // "") == "")
			| "pid \(.pid): readable:false without a reason"),
		 (if $mode == "exact" then .processes[]? | select(.readable == true)
			| select([.rss, .pss, .uss, .swap, .swap_pss] | any(. == null))
			| "pid \(.pid): readable in exact mode with a null number" else empty end)] as $bad
		| if $bad == [] then "ok \([.processes[] | select(.readable == false)] | length)"
		  else $bad[:3][] end
	' "$1" 2>&1 | head -3
}

# scans NAME MODE COUNT ARGS...: COUNT runs of `truemem ARGS`, each checked (ps documents in detail).
scans() {
	local name=$1 mode=$2 count=$3 i rc why="" unreadable=0
	shift 3
	for ((i = 1; i <= count; i++)); do
		timeout 30 "$TRUEMEM" "$@" >"$WORK/doc.json" 2>"$WORK/doc.err"
		rc=$?
		if [ $rc -ne 0 ]; then
			why="run $i exited $rc: $(head -c 200 "$WORK/doc.err")"
			break
		fi
		if [ -s "$WORK/doc.err" ]; then
			why="run $i wrote to stderr: $(head -c 200 "$WORK/doc.err")"
			break
		fi
		if [ "$1" != ps ]; then
			jq -e . "$WORK/doc.json" >/dev/null 2>&1 || { why="run $i: output is not JSON"; break; }
			continue
		fi
		why=$(check_doc "$WORK/doc.json" "$mode")
		case $why in
		"ok "*)
			unreadable=$((unreadable + ${why#ok }))
			why=""
			;;
		*)
			why="run $i: ${why:-no output}"
			cp "$WORK/doc.json" "${TMPDIR:-/tmp}/truemem-churn-$name.json"
			break
			;;
		esac
	done
	if [ -n "$why" ]; then
		fail "$name" "$why"
	else
		pass "$name"
		[ "$1" = ps ] && echo "  ($count runs, $unreadable processes reported unreadable in all)"
	fi
}

# fd_count PID: the fewest descriptors PID held over 20 samples 10 ms apart
# (a scan in progress holds a few more for a moment), or nothing when PID is gone.
fd_count() {
	local min="" n k
	for ((k = 0; k < 20; k++)); do
		n=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
		[ -d "/proc/$1/fd" ] || break
		if [ -z "$min" ] || [ "$n" -lt "$min" ]; then min=$n; fi
		sleep 0.01
	done
	echo "$min"
}

# wait_lines FILE N: waits (up to 60 s) until FILE has N lines.
wait_lines() {
	local k
	for ((k = 0; k < 6000; k++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		[ -n "$STREAM_PID" ] && ! kill -0 "$STREAM_PID" 2>/dev/null && return 1
		sleep 0.01
	done
	return 1
}

# A --jsonl stream of SCANS documents: all there, all JSON, no fd leaked.
stream_fds() {
	local name=stream_no_fd_leak first last rc lines bad
	timeout 80 "$TRUEMEM" ps --jsonl --interval 0.05 --count "$SCANS" --mode "$1" \
		>"$WORK/stream.jsonl" 2>"$WORK/stream.err" &
	STREAM_PID=$!
	wait_lines "$WORK/stream.jsonl" 3
	first=$(fd_count "$STREAM_PID")
	wait_lines "$WORK/stream.jsonl" $((SCANS - 5))
	last=$(fd_count "$STREAM_PID")
	wait "$STREAM_PID"
	rc=$?
	STREAM_PID=""
	lines=$(wc -l <"$WORK/stream.jsonl")
	bad=$(jq -c 'select(.schema != "truemem/1")' "$WORK/stream.jsonl" 2>&1 | head -c 200)
	if [ $rc -ne 0 ]; then
		fail "$name" "exited $rc: $(head -c 200 "$WORK/stream.err")"
	elif [ -s "$WORK/stream.err" ]; then
		fail "$name" "wrote to stderr: $(head -c 200 "$WORK/stream.err")"
	elif [ "$lines" -ne "$SCANS" ]; then
		fail "$name" "$lines documents, not $SCANS"
	elif [ -n "$bad" ]; then
		fail "$name" "a document does not parse: $bad"
	elif [ -z "$first" ] || [ -z "$last" ]; then
		fail "$name" "could not sample its descriptors (first '$first', last '$last')"
	elif [ "$first" -ne "$last" ]; then
		fail "$name" "$first descriptors after 3 scans, $last after $((SCANS - 5))"
	else
		pass "$name"
		echo "  ($SCANS documents in mode $1, $first descriptors at the start and at the end)"
	fi
}

# At nice 19 churner takes every idle cycle but does not starve the scans.
: >"$WORK/churner.out"
nice -n 19 "$CHURNER" --seconds "$CHURN_SECONDS" >"$WORK/churner.out" &
CHURNER_PID=$!
for ((k = 0; k < 500; k++)); do
	grep -q '^ready ' "$WORK/churner.out" && break
	sleep 0.01
done
grep -q '^ready ' "$WORK/churner.out" || { fail churner "did not start"; CHURNER_PID=""; }

if "$TRUEMEM" ps --mode exact --json -p $$ >/dev/null 2>&1; then
	scans ps_exact exact "$SCANS" ps --json --mode exact
	scans ps_exact_tree exact 5 ps --json --mode exact --group-by tree
	scans lib_exact exact 5 lib --json --mode exact
	scans sys_exact exact 5 sys --json --mode exact
	mode=exact
else
	skip ps_exact "exact mode is not possible here (needs root)"
	mode=rollup
fi
scans ps_rollup rollup 10 ps --json --mode rollup
scans ps_rollup_user rollup 3 ps --json --mode rollup --group-by user
stream_fds "$mode"

if [ -n "$CHURNER_PID" ]; then
	if ! kill -0 "$CHURNER_PID" 2>/dev/null; then
		fail churner "stopped before the scans were done (raise CHURN_SECONDS)"
		wait "$CHURNER_PID"
	else
		kill "$CHURNER_PID"
		wait "$CHURNER_PID"
	fi
	CHURNER_PID=""
	forks=$(sed -n 's/^forks //p' "$WORK/churner.out")
	if [ "${forks:-0}" -ge 1000 ]; then
		pass churner
		echo "  ($forks processes forked and gone during the scans)"
	else
		fail churner "only ${forks:-0} forks: no real churn"
	fi
fi

echo "churn: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
