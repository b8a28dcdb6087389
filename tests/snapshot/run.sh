#!/bin/sh
# Damaged snapshots: every way a snapshot directory can be broken must end
# in exit 1 with a message naming the file at fault, never a crash and
# never a number. Each case breaks a fresh copy of a good snapshot that the
# paging engine writes.
set -u
TRUEMEM=${TRUEMEM:-./build/truemem}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

cat >"$tmp/s.scn" <<'SCN'
ram 16M
swap 16M
spawn 10 app uid=1000
mmap 10 heap anon private 256K
touch 10 heap write
mmap 10 lib file /lib/libx.so private 128K
touch 10 lib read
fork 10 11
swapout 10 heap 0 64K
SCN
if ! "$TRUEMEM" sim "$tmp/s.scn" -o "$tmp/good" >/dev/null 2>"$tmp/err"; then
	echo "FAIL setup: sim failed: $(cat "$tmp/err")"
	echo "snapshot: 0 passed, 1 failed"
	exit 1
fi

# expect NAME FILE-IN-MESSAGE COMMAND...: the command must exit 1 and name the file.
expect() {
	name=$1 file=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, want 1 ($(head -c 200 "$tmp/err"))"
	elif ! grep -qF "$file" "$tmp/err"; then
		fail "$name" "message does not name '$file': $(head -c 200 "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "printed output despite the error"
	else
		pass "$name"
	fi
}

# fresh: a new copy of the good snapshot at $tmp/d.
fresh() { rm -rf "$tmp/d" && cp -r "$tmp/good" "$tmp/d"; }
d=$tmp/d

fresh
"$TRUEMEM" ps --from "$d" --json >/dev/null 2>"$tmp/err" && pass "intact snapshot reads" ||
	fail "intact snapshot reads" "$(cat "$tmp/err")"

expect "no such directory" "$tmp/nope" "$TRUEMEM" ps --from "$tmp/nope"
fresh; rm "$d/truemem-snapshot"
expect "header missing" "truemem-snapshot" "$TRUEMEM" ps --from "$d"
fresh; printf 'truemem-snapshot 9\n' >"$d/truemem-snapshot"
expect "header of another version" "truemem-snapshot" "$TRUEMEM" ps --from "$d"
fresh; printf 'garbage\0\377\n' >"$d/truemem-snapshot"
expect "header garbled" "truemem-snapshot" "$TRUEMEM" ps --from "$d"
fresh; sed -i 's/^processes .*/processes 999999999999/' "$d/truemem-snapshot"
expect "absurd process count" "truemem-snapshot" "$TRUEMEM" ps --from "$d"
fresh; sed -i 's/^page_size .*/page_size 3/' "$d/truemem-snapshot"
expect "absurd page size" "truemem-snapshot" "$TRUEMEM" ps --from "$d"
fresh; head -c 20 "$tmp/good/kpages" >"$d/kpages"
expect "kpages truncated" "kpages" "$TRUEMEM" ps --from "$d"
fresh; printf 'XXXXXXXX' | dd of="$d/kpages" conv=notrunc 2>/dev/null
expect "kpages bad magic" "kpages" "$TRUEMEM" ps --from "$d"
fresh; rm "$d/kpages"
expect "kpages missing" "kpages" "$TRUEMEM" ps --from "$d"
fresh; sz=$(stat -c %s "$d/10/pagemap"); head -c $((sz - 5)) "$tmp/good/10/pagemap" >"$d/10/pagemap"
expect "pagemap truncated" "10/pagemap" "$TRUEMEM" ps --from "$d"
fresh; printf '\377\377\377\377\377\377\377\177' | dd of="$d/10/pagemap" bs=1 seek=16 conv=notrunc 2>/dev/null
expect "pagemap absurd run length" "10/pagemap" "$TRUEMEM" ps --from "$d"
fresh; rm "$d/10/maps"
expect "maps missing" "10/maps" "$TRUEMEM" ps --from "$d"
fresh; printf 'not a maps line\n' >"$d/10/maps"
expect "maps garbled" "10/maps" "$TRUEMEM" ps --from "$d"
fresh; printf 'pid 10\nppid\n' >"$d/10/ident"
expect "ident garbled" "10/ident" "$TRUEMEM" ps --from "$d"
fresh; printf 'pid 12\nppid 1\nuid 0\n' >"$d/10/ident"
expect "ident of another pid" "10/ident" "$TRUEMEM" ps --from "$d"
fresh; rm "$d/10/maps"; ln -s /proc/self/maps "$d/10/maps"
expect "maps is a link outside" "10/maps" "$TRUEMEM" ps --from "$d"
fresh; rm -r "$d/11"; ln -s "$tmp/good/11" "$d/11"
expect "process directory is a link" "11" "$TRUEMEM" ps --from "$d"
fresh; truncate -s 300M "$d/10/smaps_rollup"
expect "text file absurdly large" "10/smaps_rollup" "$TRUEMEM" ps --from "$d" --mode rollup
fresh; printf 'Rss: lots\n' >"$d/10/smaps_rollup"
expect "smaps_rollup garbled" "10/smaps_rollup" "$TRUEMEM" ps --from "$d" --mode rollup
# A kpages table without the frames the page tables reference.
fresh; printf 'TMKPAGE1' >"$d/kpages"; sed -i 's/^kpages .*/kpages 0/' "$d/truemem-snapshot"
expect "kpages lacks referenced frames" "kpages" "$TRUEMEM" ps --from "$d"
fresh; rm "$d/meminfo"
expect "meminfo missing" "meminfo" "$TRUEMEM" sys --from "$d"
fresh; printf 'truemem-census 1\npage_size 4096\nframes 9\n' >"$d/census"
expect "census member garbled" "census" "$TRUEMEM" sys --from "$d"
fresh; rm "$d/10/smaps"
expect "map -X without smaps" "10/smaps" "$TRUEMEM" map 10 -X --from "$d"
fresh; head -c 10 "$tmp/good/10/pagemap" >"$d/10/pagemap"
expect "lib on a truncated pagemap" "10/pagemap" "$TRUEMEM" lib --from "$d"

# Every kind of file, its content replaced by binary garbage (an ELF
# header), with a command that reads it: the message names that file.
for fc in truemem-snapshot:ps kpages:ps meminfo:sys 10/ident:ps 10/maps:ps 10/pagemap:ps \
	10/smaps:"map 10 -X" 10/smaps_rollup:"ps --mode rollup"; do
	f=${fc%%:*}
	fresh; head -c 300 "$TRUEMEM" >"$d/$f"
	# shellcheck disable=SC2086
	expect "$f garbled (${fc#*:})" "$f" "$TRUEMEM" ${fc#*:} --from "$d"
done

# expect_order NAME FIRST SECOND COMMAND...: the command exits 1 and its
# message names FIRST, then SECOND (one file's content contradicts another's:
# the referencing one first).
expect_order() {
	name=$1 first=$2 second=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	msg=$(cat "$tmp/err")
	rest=${msg#*"$d/$first'"}
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, want 1 ($(head -c 200 "$tmp/err"))"
	elif [ "$rest" = "$msg" ] || [ "${rest#*"$d/$second'"}" = "$rest" ]; then
		fail "$name" "message does not name '$first', then '$second': $(head -c 200 "$tmp/err")"
	else
		pass "$name"
	fi
}

# A pagemap entry garbled into a frame kpages does not hold (present, frame
# 0xfffff): the page table that references it is named, then kpages.
fresh; printf '\377\377\017\000\000\000\000\200' | dd of="$d/10/pagemap" bs=1 seek=24 conv=notrunc 2>/dev/null
expect_order "pagemap references a frame kpages lacks" 10/pagemap kpages "$TRUEMEM" ps --from "$d"
fresh; printf '\377\377\017\000\000\000\000\200' | dd of="$d/11/pagemap" bs=1 seek=24 conv=notrunc 2>/dev/null
expect_order "lib: pagemap references a frame kpages lacks" 11/pagemap kpages "$TRUEMEM" lib --from "$d"
# Mappings lost from maps (or smaps, for map -X) that the pagemap has pages in.
fresh; : >"$d/10/maps"
expect_order "pagemap outside every mapping of maps" 10/pagemap 10/maps "$TRUEMEM" ps --from "$d"
fresh; : >"$d/11/maps"
expect_order "another process's pagemap outside its maps (map)" 11/pagemap 11/maps "$TRUEMEM" map 10 --from "$d"
fresh; : >"$d/10/smaps"
expect_order "pagemap outside every mapping of smaps" 10/pagemap 10/smaps "$TRUEMEM" map 10 -X --from "$d"

# sys shows MemAvailable beside MemFree, from the snapshot's meminfo.
want=$(awk '$1 == "MemAvailable:" { print $2 * 1024 }' "$tmp/good/meminfo")
got=$("$TRUEMEM" sys --from "$tmp/good" --bytes 2>/dev/null | awk '/available \(MemAvailable\)/ { print $NF }')
if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "sys shows MemAvailable"
else fail "sys shows MemAvailable" "got '$got', meminfo says '$want'"; fi
# Group titles in one case, as the process table's.
got=$("$TRUEMEM" ps --from "$tmp/good" --group-by user 2>/dev/null | head -1 | awk '{ print $1, $2 }')
if [ "$got" = "USER PROCS" ]; then pass "group title case"; else fail "group title case" "'$got'"; fi

# Messages that quote input escape it: no escape sequence reaches the terminal.
printf 'ram 16M\n\033[31mRED now\n' >"$tmp/hostile.scn"
expect "scenario error quoting an escape sequence" '\e[31mRED' "$TRUEMEM" sim "$tmp/hostile.scn" -o "$tmp/h"
if grep -q "$(printf '\033')" "$tmp/err"; then fail "scenario error is escaped" "a raw ESC byte on stderr"
else pass "scenario error is escaped"; fi
expect "--from path with a newline" '\nx' "$TRUEMEM" ps --from "$tmp/no
x"
if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then fail "path error on one line" "$(cat "$tmp/err")"
else pass "path error on one line"; fi

# ---- the one-file form (capture -o FILE; include/snapfile.h) ----
sf() { /usr/bin/python3 "$(dirname "$0")/snapfile.py" "$@"; }

# An engine snapshot packed into a file by an independent writer reads exactly as the directory.
for scn in "$(dirname "$0")"/../golden/*.scn; do
	name=$(basename "$scn" .scn)
	rm -rf "$tmp/e" "$tmp/e.tms"
	"$TRUEMEM" sim "$scn" -o "$tmp/e" >/dev/null 2>&1 && sf pack "$tmp/e" "$tmp/e.tms" || {
		fail "file form of $name" "sim or pack failed"
		continue
	}
	same=1
	for cmd in "ps --json" "ps --bytes --group-by tree" "lib --json" "sys --json" "ps --mode rollup --json"; do
		# shellcheck disable=SC2086
		"$TRUEMEM" $cmd --from "$tmp/e" >"$tmp/o1" 2>&1
		# shellcheck disable=SC2086
		"$TRUEMEM" $cmd --from "$tmp/e.tms" >"$tmp/o2" 2>&1
		cmp -s "$tmp/o1" "$tmp/o2" || { same=0; fail "file form of $name" "'$cmd' differs from the directory"; break; }
	done
	[ $same = 1 ] && pass "file form of $name reads as its directory"
done

# A live capture to a file, and the same machine read back.
f=$tmp/live.tms
if "$TRUEMEM" capture -o "$f" >/dev/null 2>"$tmp/err"; then
	magic=$(head -c 8 "$f" | tr '\n' '|')
	[ "$magic" = "TMSNAPF|" ] && pass "capture -o writes one snapshot file" ||
		fail "capture -o writes one snapshot file" "magic '$magic'"
	sf list "$f" >"$tmp/members"
	grep -q '^truemem-snapshot ' "$tmp/members" && grep -q '^kpages ' "$tmp/members" &&
		grep -q '^meminfo ' "$tmp/members" && grep -qE '^[0-9]+/pagemap ' "$tmp/members" &&
		pass "the file holds the header, meminfo, kpages and pagemaps" ||
		fail "the file holds the header, meminfo, kpages and pagemaps" "$(head -5 "$tmp/members" | tr '\n' ' ')"
	"$TRUEMEM" ps --from "$f" --json >"$tmp/out" 2>"$tmp/err" && [ "$(jq '.processes | length' "$tmp/out")" -gt 1 ] &&
		pass "ps --from FILE reads the capture" || fail "ps --from FILE reads the capture" "$(head -c 200 "$tmp/err")"
	"$TRUEMEM" capture -o "$f" >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && grep -q "exists" "$tmp/err" && pass "capture -o refuses an existing file" ||
		fail "capture -o refuses an existing file" "$(head -c 200 "$tmp/err")"
	"$TRUEMEM" capture --dir -o "$tmp/livedir" >/dev/null 2>&1 && [ -f "$tmp/livedir/truemem-snapshot" ] &&
		"$TRUEMEM" ps --from "$tmp/livedir" >/dev/null 2>&1 && pass "capture --dir writes the directory form" ||
		fail "capture --dir writes the directory form" "no directory snapshot"
	ls "$tmp"/*.tmp >/dev/null 2>&1 && fail "no temporary file left" "$(ls "$tmp"/*.tmp)" || pass "no temporary file left"
else
	fail "capture -o FILE" "$(head -c 300 "$tmp/err")"
fi

# Damaged files: each names the member at fault, exit 1, nothing printed.
g=$tmp/e.tms   # the last packed engine snapshot (zero_page): processes 10 and 11
sf list "$g" >"$tmp/members"
member() { awk -v n="$1" '$1 == n { print $2, $3, $4 }' "$tmp/members"; }
set -- $(member 10/pagemap)
pm_off=$1 pm_csize=$2
cp "$g" "$tmp/d.tms"; printf '\125\252\125\252\125\252' | dd of="$tmp/d.tms" bs=1 seek=$((pm_off + pm_csize / 2)) conv=notrunc 2>/dev/null
expect "file: garbled bytes in a member" "10/pagemap" "$TRUEMEM" ps --from "$tmp/d.tms"
cp "$g" "$tmp/d.tms"; printf '\377' | dd of="$tmp/d.tms" bs=1 seek=$((pm_off + pm_csize - 2)) conv=notrunc 2>/dev/null
expect "file: bad checksum" "10/pagemap" "$TRUEMEM" ps --from "$tmp/d.tms"
head -c $((pm_off + pm_csize / 2)) "$g" >"$tmp/d.tms"
expect "file: truncated in a member" "10/pagemap" "$TRUEMEM" ps --from "$tmp/d.tms"
head -c $((pm_off + pm_csize)) "$g" >"$tmp/d.tms"
expect "file: truncated after a member" "10/pagemap" "$TRUEMEM" ps --from "$tmp/d.tms"
sf usize "$g" 10/maps 1099511627776 "$tmp/d.tms"
expect "file: a member too large" "10/maps" "$TRUEMEM" ps --from "$tmp/d.tms"
sf usize "$g" 10/maps 3 "$tmp/d.tms"
expect "file: a member of the wrong size" "10/maps" "$TRUEMEM" ps --from "$tmp/d.tms"
set -- $(member 10/maps)
cp "$g" "$tmp/d.tms"; printf 'X' | dd of="$tmp/d.tms" bs=1 seek=$(($1 - 3)) conv=notrunc 2>/dev/null
expect "file: a record header garbled" "10/ident" "$TRUEMEM" ps --from "$tmp/d.tms"
sf drop "$g" 10/maps "$tmp/d.tms"
expect "file: a member missing" "10/maps" "$TRUEMEM" ps --from "$tmp/d.tms"
sf drop "$g" meminfo "$tmp/d.tms"
expect "file: meminfo missing" "meminfo" "$TRUEMEM" sys --from "$tmp/d.tms"
head -c 12 "$g" >"$tmp/d.tms"
expect "file: only a magic" "$tmp/d.tms" "$TRUEMEM" ps --from "$tmp/d.tms"
{ head -c 8 "$g"; printf '\003\0\0\0\0\0\0\0'; tail -c +17 "$g"; } >"$tmp/d.tms"
expect "file: another version" "$tmp/d.tms" "$TRUEMEM" ps --from "$tmp/d.tms"
# Version 2 (what capture writes): a garbled pagemap member of the live capture is named too.
if [ -f "$f" ]; then
	sf list "$f" >"$tmp/lmembers"
	set -- $(awk '$1 ~ /^[0-9]+\/pagemap$/ && $3 > 64 { print $1, $2, $3; exit }' "$tmp/lmembers")
	cp "$f" "$tmp/d.tms"; printf '\125\252\125\252\125\252' | dd of="$tmp/d.tms" bs=1 seek=$(($2 + $3 / 2)) conv=notrunc 2>/dev/null
	expect "file: garbled bytes in a version 2 member" "$1" "$TRUEMEM" ps --from "$tmp/d.tms"
fi
printf 'not a snapshot\n' >"$tmp/d.tms"
expect "file: not a snapshot at all" "$tmp/d.tms" "$TRUEMEM" ps --from "$tmp/d.tms"

echo "snapshot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
