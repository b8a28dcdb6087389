#!/bin/sh
# Runs every test suite: the cmocka unit tests and the live, golden, ui and
# fuzz suites, once with the normal build and once more with the build made
# with ASan+UBSan (build-asan). Each suite prints PASS/FAIL lines (cmocka
# its own summary), and `SKIP name: reason` for a test whose kernel feature
# is absent here (tests/probe.sh); the last line adds them all up, skips
# apart: they are neither passed nor failed. At the end it repeats every
# FAIL line (with its suite) and the seconds each suite took, so the tail of
# a long log says what failed and where the time went.
set -u
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
skipped=0
failures=""
times=""
log=$(mktemp)
fails=$(mktemp)
trap 'rm -f "$log" "$fails"' EXIT

# count FILE: add a finished suite's results to the totals.
count() {
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$1" | awk '{s+=$4} END{print s+0}')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$1" | awk '{s+=$4} END{print s+0}')
	k=$(grep -E '^\[  SKIPPED \] [0-9]+ test' "$1" | awk '{s+=$4} END{print s+0}')
	p=$((p + $(grep -c '^PASS ' "$1")))
	f=$((f + $(grep -c '^FAIL ' "$1")))
	k=$((k + $(grep -c '^SKIP ' "$1")))
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
}

# suite NAME COMMAND...: run one suite, show its output, count its results.
suite() {
	name=$1
	shift
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	cat "$log"
	count "$log"
	times="$times $(printf %s "$name" | tr -d "()" | tr " " _)=$((t1 - t0))s"
	grep -E '^FAIL |^\[  FAILED  \]' "$log" | sed "s/^/[$name] /" >>"$fails"
	if [ $rc -ne 0 ]; then
		failures="$failures $name"
		# A suite that died without reporting a failure still fails.
		grep -qE '^FAIL |^\[  FAILED  \]' "$log" || failed=$((failed + 1))
	fi
}

for build in build build-asan; do
	[ -x "$build/truemem" ] || { echo "missing $build/truemem: run 'make check'" >&2; exit 1; }
	tag=""
	[ "$build" = build-asan ] && tag=" (asan)"
	for t in "$build"/tests/test_*; do
		# The differential test runs 2000 random scenarios on the plain build;
		# under ASan+UBSan, ten times slower, 200 of them cover the same code.
		[ -x "$t" ] && suite "unit $(basename "$t")$tag" env \
			TRUEMEM="$build/truemem" TRUEMEM_DIFF_COUNT="${TRUEMEM_DIFF_COUNT:-$([ -n "$tag" ] && echo 200 || echo 2000)}" "$t"
	done
	for s in live golden snapshot scan hugemem kernel ui churn leaks; do
		[ -f "tests/$s/run.sh" ] && suite "$s$tag" env TRUEMEM="$build/truemem" \
			HELPERS="$build/tests/live/helpers" BUILD="$build" sh "tests/$s/run.sh"
	done
done
# The docs and completions are checked against the CLI once.
[ -f tests/docs/run.sh ] && suite docs env TRUEMEM=build/truemem sh tests/docs/run.sh
[ -f tests/install/run.sh ] && suite install sh tests/install/run.sh
[ -f tests/schema/run.sh ] && suite schema env TRUEMEM=build/truemem sh tests/schema/run.sh
[ -f tests/deb/run.sh ] && suite deb sh tests/deb/run.sh
[ -f tests/fuzz/run.sh ] && suite fuzz sh tests/fuzz/run.sh "${FUZZ_SECONDS:-3}"

echo
echo "seconds per suite:$times" | fold -s -w 100
if [ -s "$fails" ]; then
	echo "failed tests:"
	cut -c 1-2000 "$fails"
fi
[ -n "$failures" ] && echo "failed suites:$failures"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
