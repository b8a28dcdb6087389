# Live tests of the physical census (`truemem sys`, SPEC 2.2), sourced by
# tests/live/run.sh. The machine is shared and busy: figures read at two
# moments (the census, then meminfo or vmstat) move by what others allocate
# in between, so the bounds below are the largest of a few MiB and a small
# share of the figure; the classes adding up is exact.

# sys_json OUT ARGS...: truemem sys --json ARGS > OUT, exit 0 required.
sys_json() {
	local out=$1 rc
	shift
	"$TRUEMEM" sys --json "$@" >"$out" 2>"$out.err"
	rc=$?
	[ "$rc" = 0 ] || fail "truemem sys --json $* exited $rc: $(head -c 300 "$out.err" | tr '\n' ' ')"
	jq -e .census "$out" >/dev/null 2>&1 || fail "truemem sys --json $*: no census"
}

# cmp_of FILE LABEL: "census_bytes kernel_bytes" of one census_vs_kernel row.
cmp_of() {
	jq -r --arg l "$2" '[.census_vs_kernel[] | select(.census == $l)][0] | "\(.census_bytes) \(.kernel_bytes)"' "$1"
}

# within LABEL A B SLACK_BYTES PERCENT: |A - B| <= max(SLACK, PERCENT% of B).
within() {
	local d=$(($2 - $3)) lim=$4
	[ $d -lt 0 ] && d=$((-d))
	[ $(($3 * $5 / 100)) -gt "$lim" ] && lim=$(($3 * $5 / 100))
	[ $d -le "$lim" ] || err "$1: census $2 vs kernel $3 (off by $d, more than $lim)"
}

# Every frame of online RAM is in one class: the classes add up to the
# frames of /proc/iomem's System RAM; free against MemFree and vmstat's
# nr_free_pages, slab against Slab, the mapped classes against the process
# scan's distinct frames, with 64 MiB anonymous and a 32 MiB memfd mapped.
test_census_sys() {
	local j=$WORK/sys.json frames ram sum a b want range lo hi k
	hog a anon 16384
	hog m memfd 8192 1
	sys_json "$j" --mode exact
	frames=$(jq '.census.frames' "$j")
	ram=0
	while read -r range _; do
		lo=$((0x${range%-*})) hi=$((0x${range#*-} + 1))
		ram=$((ram + hi / PAGE - (lo + PAGE - 1) / PAGE))
	done < <(grep -E '^[0-9a-f]+-[0-9a-f]+ : System RAM$' /proc/iomem)
	expect "frames read vs /proc/iomem System RAM" "$frames" "$ram"
	sum=$(jq '.census | [.mapped_anon, .mapped_file, .mapped_shmem, .cache_file, .cache_shmem,
		.anon_unmapped, .slab, .pagetables, .hugetlb, .free, .zero_page, .reserved, .offline,
		.kernel_other] | add' "$j")
	expect "classes add up to the frames" "$sum" "$((frames * PAGE))"
	expect "ram_bytes" "$(jq '.census.ram_bytes' "$j")" "$((frames * PAGE))"
	expect "free = buddy + not yet initialised" "$(jq '.census.free_buddy + .census.free_uninitialized' "$j")" \
		"$(jq '.census.free' "$j")"
	read -r a b <<<"$(cmp_of "$j" free)"
	within "free vs MemFree" "$a" "$b" $((64 << 20)) 2
	read -r a b <<<"$(cmp_of "$j" "free: buddy allocator")"
	within "free buddy pages vs nr_free_pages" "$a" "$b" $((64 << 20)) 2
	read -r a b <<<"$(cmp_of "$j" slab)"
	within "slab vs Slab" "$a" "$b" $((16 << 20)) 10
	read -r a b <<<"$(cmp_of "$j" "mapped_shmem + cache_shmem")"
	within "shmem vs Shmem" "$a" "$b" $((16 << 20)) 5
	# What the scanned processes map, page tables map: the census holds it
	# (less what exited between the scan and the census).
	for k in anon shmem; do
		a=$(jq --arg k "mapped_$k" '.census[$k]' "$j")
		b=$(jq -r --arg l "mapped_$k" '[.census_vs_kernel[] | select(.census == $l and
			(.kernel | startswith("processes")))][0].kernel_bytes' "$j")
		[ "$a" -ge $((b - (16 << 20))) ] || err "census mapped_$k $a < the scan's distinct $k frames $b"
	done
	want=$((16384 * PAGE))
	[ "$(jq '.census.mapped_anon' "$j")" -ge "$want" ] || err "mapped_anon below the memhog's 64 MiB"
	[ "$(jq '.census.mapped_shmem' "$j")" -ge $((8192 * PAGE)) ] || err "mapped_shmem below the memfd's 32 MiB"
	# The text report shows the census and the comparison.
	"$TRUEMEM" sys --mode exact >"$WORK/sys.txt" 2>&1 || fail "truemem sys exited $?"
	grep -q "^CENSUS$" "$WORK/sys.txt" || err "text: no CENSUS section"
	grep -q "^  free  .*MemFree" "$WORK/sys.txt" || err "text: free not beside MemFree"
	finish
}

# Rollup mode: sys stays meminfo-only and says so, in text and JSON.
test_census_rollup() {
	"$TRUEMEM" sys --mode rollup --json >"$WORK/r.json" 2>"$WORK/r.err" || fail "sys --mode rollup exited $?"
	expect "rollup census" "$(jq -c .census "$WORK/r.json")" null
	jq -r .census_note "$WORK/r.json" | grep -q "meminfo only" || err "rollup JSON does not say meminfo only"
	"$TRUEMEM" sys --mode rollup >"$WORK/r.txt" 2>&1
	grep -q "not taken: rollup mode: meminfo only" "$WORK/r.txt" || err "rollup text does not say meminfo only"
	finish
}

# member_bytes FILE KEY: a census member's value in bytes (frames as they are).
member_bytes() {
	local key val
	while read -r key val _; do
		[ "$key" = "$2" ] || continue
		[ "$key" = frames ] && echo "$val" || echo $((val * PAGE))
		return
	done <"$1"
}

# capture records the census; sys --from replays it exactly, text and JSON.
test_census_capture() {
	local d=$WORK/snap
	"$TRUEMEM" capture --dir -o "$d" >"$WORK/cap.out" 2>"$WORK/cap.err" || fail "capture exited $?: $(head -c 300 "$WORK/cap.err")"
	[ -s "$d/census" ] || fail "the snapshot has no census member"
	sys_json "$WORK/a.json" --from "$d"
	sys_json "$WORK/b.json" --from "$d"
	cmp -s "$WORK/a.json" "$WORK/b.json" || err "two replays differ"
	# The one-file form holds the census too.
	"$TRUEMEM" capture -o "$d.tms" >"$WORK/cap.out" 2>"$WORK/cap.err" || fail "capture -o FILE exited $?: $(head -c 300 "$WORK/cap.err")"
	sys_json "$WORK/f.json" --from "$d.tms"
	[ "$(jq '.census.frames' "$WORK/f.json")" = "$(jq '.census.frames' "$WORK/a.json")" ] ||
		err "the file form replays no census, or another frame count: $(jq -c '.census.frames' "$WORK/f.json")"
	for k in frames free slab mapped_anon kernel_other; do
		expect "replayed census $k" "$(jq ".census.$k" "$WORK/a.json")" "$(member_bytes "$d/census" "$k")"
	done
	grep -q '^memcg ' "$d/census" || err "the census member has no memcg split"
	"$TRUEMEM" sys --from "$d" >"$WORK/t.txt" 2>&1 || err "text replay exited $?"
	grep -q "every frame of online RAM: $(jq .census.frames "$WORK/a.json") frames" "$WORK/t.txt" ||
		err "text replay does not show the census"
	finish
}
