#!/bin/sh
# The scan's other paths and output formats: the plain pagemap reads that
# kernels without PAGEMAP_SCAN get must give the same numbers; Prometheus
# and JSON-lines output must carry exactly the numbers of the JSON report.
# A test whose kernel feature is absent (tests/probe.sh) prints `SKIP name: reason`.
set -u
. "$(dirname "$0")/../probe.sh"
TRUEMEM=${TRUEMEM:-./build/truemem}
HELPERS=${HELPERS:-./build/tests/live/helpers}
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
skipped=0

# A scenario with sharing, zero pages and swap shared after fork.
cat >"$tmp/s.scn" <<'SCN'
ram 8M
swap 8M
spawn 10 web uid=33
mmap 10 heap anon private 512K
touch 10 heap write
mmap 10 zero anon private 64K
touch 10 zero read
mmap 10 ring shmem cache 128K
touch 10 ring write
fork 10 11
fork 10 12
swapout 10 heap 0 128K
spawn 20 db uid=0
mmap 20 lib file /lib/libdb.so private 256K
touch 20 lib read
SCN
"$TRUEMEM" sim "$tmp/s.scn" -o "$tmp/snap" >/dev/null 2>"$tmp/err" || { echo "FAIL setup: $(cat "$tmp/err")"; exit 1; }

# Prometheus: every per-process gauge equals the JSON report's number.
"$TRUEMEM" ps --from "$tmp/snap" --json >"$tmp/ps.json"
"$TRUEMEM" ps --from "$tmp/snap" --format prometheus >"$tmp/prom.txt"
bad=""
for f in rss pss uss swap swap_pss; do
	for pid in 10 11 12 20; do
		want=$(jq -r ".processes[] | select(.pid == $pid) | .$f" "$tmp/ps.json")
		got=$(grep "^truemem_process_${f}_bytes{pid=\"$pid\"," "$tmp/prom.txt" | awk '{print $2}')
		[ "$want" = "$got" ] || bad="$bad $f/$pid:$got!=$want"
	done
done
want=$(jq -r .totals.rss "$tmp/ps.json")
grep -qx "truemem_total_rss_bytes $want" "$tmp/prom.txt" || bad="$bad total_rss"
grep -q '^# TYPE truemem_process_pss_bytes gauge$' "$tmp/prom.txt" || bad="$bad type-line"
[ -z "$bad" ] && pass "prometheus equals json" || fail "prometheus equals json" "$bad"

# Prometheus groups: the group gauges equal the JSON groups.
"$TRUEMEM" ps --from "$tmp/snap" --group-by user --json >"$tmp/g.json"
"$TRUEMEM" ps --from "$tmp/snap" --group-by user --format prometheus >"$tmp/g.txt"
bad=""
for key in 33 root; do
	for f in rss pss uss swap swap_uss; do
		want=$(jq -r ".groups[] | select(.key == \"$key\") | .$f" "$tmp/g.json")
		got=$(grep "^truemem_group_${f}_bytes{group_by=\"user\",key=\"$key\"" "$tmp/g.txt" | awk '{print $2}')
		[ "$want" = "$got" ] || bad="$bad $f/$key:$got!=$want"
	done
done
[ -z "$bad" ] && pass "prometheus groups equal json" || fail "prometheus groups equal json" "$bad"

# A live process appears in the Prometheus output.
"$TRUEMEM" ps --format prometheus -p $$ >"$tmp/self.txt" 2>/dev/null
grep -q "^truemem_process_rss_bytes{pid=\"$$\"" "$tmp/self.txt" && pass "prometheus live" ||
	fail "prometheus live" "no row for pid $$"

# JSON lines: --count documents, one a line, each a whole document.
"$TRUEMEM" ps --from "$tmp/snap" --jsonl --interval 0.05 --count 3 >"$tmp/l.jsonl"
n=$(wc -l <"$tmp/l.jsonl")
ok=$(jq -c 'select(.schema == "truemem/1") | .processes | length' "$tmp/l.jsonl" | sort -u)
[ "$n" = 3 ] && [ "$ok" = 4 ] && pass "jsonl stream" || fail "jsonl stream" "lines=$n processes=$ok"

# sys: the accounted lines add up to MemTotal exactly, meminfo is in bytes,
# and on the snapshot what processes map is the distinct frames of ps.
"$TRUEMEM" sys --from "$tmp/snap" --json >"$tmp/sys.json"
sum=$(jq '.accounted | .free + .process_anon + .process_file + .process_shmem + .anon_unattributed
	+ .page_cache_unmapped + .kernel + .hugetlb + .unexplained' "$tmp/sys.json")
tot=$(jq .accounted.total "$tmp/sys.json")
mt=$(awk '/^MemTotal:/ {print $2 * 1024}' "$tmp/snap/meminfo")
mapped=$(jq '.accounted | .process_anon + .process_file + .process_shmem' "$tmp/sys.json")
rss=$(jq .totals.rss "$tmp/ps.json")
if [ "$sum" = "$tot" ] && [ "$tot" = "$mt" ] && [ "$mapped" = "$rss" ] && [ "$(jq .meminfo.MemTotal "$tmp/sys.json")" = "$mt" ]; then
	pass "sys reconciles"
else
	fail "sys reconciles" "sum=$sum total=$tot MemTotal=$mt mapped=$mapped ps rss=$rss"
fi
"$TRUEMEM" sys --json >"$tmp/sysl.json" 2>/dev/null
sum=$(jq '.accounted | .free + .process_anon + .process_file + .process_shmem + .anon_unattributed
	+ .page_cache_unmapped + .kernel + .hugetlb + .unexplained' "$tmp/sysl.json")
[ "$sum" = "$(jq .accounted.total "$tmp/sysl.json")" ] && pass "sys live adds up" || fail "sys live adds up" "sum=$sum"

# --interval without --jsonl is a usage error.
"$TRUEMEM" ps --interval 1 >/dev/null 2>&1
[ $? -eq 2 ] && pass "interval needs jsonl" || fail "interval needs jsonl" "exit not 2"

# Plain pagemap reads (no PAGEMAP_SCAN) give the same exact numbers.
if ! probe_exact; then
	skip "plain reads equal PAGEMAP_SCAN" "$PROBE_WHY"
	skip "serial walk equals threaded walk" "$PROBE_WHY"
	skip "entries' facts equal the frames' read" "$PROBE_WHY"
elif [ ! -x "$HELPERS/memhog" ]; then
	fail "plain reads equal PAGEMAP_SCAN" "no memhog in $HELPERS (make tests)"
else
	"$HELPERS/memhog" cow 2048 3 >"$tmp/hog.out" 2>&1 &
	pids="$!"
	for i in $(seq 100); do grep -q ready "$tmp/hog.out" && break; sleep 0.1; done
	hp=$(sed -n 's/^ready //p' "$tmp/hog.out" | tr ' ' ',')
	pids="$pids $(echo "$hp" | tr ',' ' ')"
	if [ -n "$hp" ]; then
		"$TRUEMEM" ps --json --mode exact -p "$hp" | jq -c '[.processes[] | [.pid,.rss,.pss,.uss,.swap]] | sort' >"$tmp/a"
		TRUEMEM_NO_PAGEMAP_SCAN=1 "$TRUEMEM" ps --json --mode exact -p "$hp" |
			jq -c '[.processes[] | [.pid,.rss,.pss,.uss,.swap]] | sort' >"$tmp/b"
		if ! probe_pagemap_scan; then
			skip "plain reads equal PAGEMAP_SCAN" "$PROBE_WHY (both runs read pagemap plainly)"
		elif cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then
			pass "plain reads equal PAGEMAP_SCAN"
		else
			fail "plain reads equal PAGEMAP_SCAN" "$(cat "$tmp/a") vs $(cat "$tmp/b")"
		fi
		# The walk on one thread gives what the threaded walk gives, per process and per group.
		q='[.processes[] | [.pid,.rss,.pss,.uss,.swap]] + [.groups[] | [.key,.rss,.pss,.uss,.swap]] | sort'
		"$TRUEMEM" ps --json --mode exact --group-by tree -p "$hp" | jq -c "$q" >"$tmp/a"
		TRUEMEM_SERIAL=1 "$TRUEMEM" ps --json --mode exact --group-by tree -p "$hp" | jq -c "$q" >"$tmp/b"
		if cmp -s "$tmp/a" "$tmp/b" && [ "$(jq length "$tmp/a")" -ge 4 ]; then
			pass "serial walk equals threaded walk"
		else
			fail "serial walk equals threaded walk" "$(cat "$tmp/a") vs $(cat "$tmp/b")"
		fi
		# Reading every frame's count and flags gives what taking them from
		# the page-table entries gives, per process, group and in totals.
		q='[.processes[] | [.pid,.rss,.pss,.uss,.swap,.frees]] + [.groups[] | [.key,.rss,.pss,.uss,.swap,.frees]] + [[.totals.rss,.totals.pss,.totals.uss]] | sort'
		"$TRUEMEM" ps --json --mode exact --group-by tree -p "$hp" | jq -c "$q" >"$tmp/a"
		TRUEMEM_READ_ALL=1 "$TRUEMEM" ps --json --mode exact --group-by tree -p "$hp" | jq -c "$q" >"$tmp/b"
		if cmp -s "$tmp/a" "$tmp/b" && [ "$(jq length "$tmp/a")" -ge 5 ]; then
			pass "entries' facts equal the frames' read"
		else
			fail "entries' facts equal the frames' read" "$(cat "$tmp/a") vs $(cat "$tmp/b")"
		fi
	else
		fail "plain reads equal PAGEMAP_SCAN" "memhog did not start: $(cat "$tmp/hog.out")"
	fi
fi

echo "scan: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
