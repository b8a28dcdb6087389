# Live tests of `truemem cgroup` (SPEC 2.3), sourced by tests/live/run.sh.
# Two child memory cgroups of known content, made under a cgroup of the
# test's own (cgroup v1's memory hierarchy, or cgroup v2 where the root
# delegates the memory controller):
#   a: 8192 written anonymous pages, a 16 MiB disk file it reads first
#      (mapped, so its page cache is charged to a), and an 8 MiB tmpfs file
#      a process of a wrote and closed (charged to a, mapped by none);
#   b: 1024 anonymous pages and the same disk file mapped and read (its
#      frames are a's: mapped from elsewhere).
# Processes, files and cgroups go at exit, even on failure.

CG_FILE_PAGES=4096   # 16 MiB
CG_SHM_MB=8

# cg_setup: makes $CG (the test's cgroup) with children a and b; sets CG_VER and CG_USAGE.
cg_setup() {
	local root
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
			skip "cgroup v2 root does not delegate the memory controller (cgroup.subtree_control)"
		root=/sys/fs/cgroup CG_VER=2 CG_USAGE=memory.current
	elif [ -r /sys/fs/cgroup/memory/memory.usage_in_bytes ]; then
		root=/sys/fs/cgroup/memory CG_VER=1 CG_USAGE=memory.usage_in_bytes
	else
		skip "no memory cgroup controller (neither cgroup v2 with memory nor /sys/fs/cgroup/memory)"
	fi
	global_lock
	CG=$root/truemem-live-$$
	CG_REL=/truemem-live-$$
	CG_DIR=$(disk_dir) || skip "no disk-backed directory for the shared file"
	CG_SHM=/dev/shm/truemem-live-cg-$$
	# Last registered runs first: files go before the cgroups they are charged to.
	at_exit "cg_rmdir"
	at_exit "rm -rf '$CG_DIR' '$CG_SHM'"
	at_exit "cg_kill"
	mkdir "$CG" || fail "cannot create $CG"
	[ "$CG_VER" = 2 ] && { echo +memory >"$CG/cgroup.subtree_control" || fail "cannot delegate memory in $CG"; }
	mkdir "$CG/a" "$CG/b" || fail "cannot create $CG/a and $CG/b"
}

# cg_rmdir: removes the test's cgroups (a cgroup whose last process just died may need a moment).
cg_rmdir() {
	local d i
	for d in "$CG/a" "$CG/b" "$CG"; do
		for i in $(seq 50); do
			[ -d "$d" ] || break
			rmdir "$d" 2>/dev/null && break
			sleep 0.1
		done
	done
}

CG_PIDS=""
cg_kill() {
	local p
	for p in $CG_PIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $CG_PIDS; do wait "$p" 2>/dev/null; done
	CG_PIDS=""
}

# cg_run CGROUP OUT ARGS...: cgmapper ARGS in CGROUP (a or b) until it says ready; sets CG_LAST.
cg_run() {
	local cg=$1 out=$2 i
	shift 2
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' cg "$CG/$cg" "$HELPERS/cgmapper" "$@" >"$out" 2>&1 &
	CG_LAST=$!
	CG_PIDS="$CG_PIDS $CG_LAST"
	SUPERVISORS="$SUPERVISORS $CG_LAST"   # on_exit stops it before it waits
	for i in $(seq 200); do
		grep -q '^ready' "$out" 2>/dev/null && return 0
		kill -0 "$CG_LAST" 2>/dev/null || fail "cgmapper $* in $cg did not start: $(tr '\n' ' ' <"$out")"
		sleep 0.05
	done
	fail "cgmapper $* in $cg: not ready"
}

# cg_content: the two cgroups' processes and files.
cg_content() {
	local f=$CG_DIR/shared
	dd if=/dev/urandom of="$f" bs=4096 count=$CG_FILE_PAGES conv=fsync status=none || fail "cannot write $f"
	# Out of the page cache, so the first reader (in a) is charged for it.
	dd if="$f" iflag=nocache count=0 status=none
	sh -c 'echo $$ >"$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=1M count="$3" status=none' \
		cg "$CG/a" "$CG_SHM" $CG_SHM_MB || fail "cannot write $CG_SHM in a"
	cg_run a "$WORK/a.out" --anon 8192 --file "$f"
	CG_A=$CG_LAST
	cg_run b "$WORK/b.out" --anon 1024 --file "$f"
	CG_B=$CG_LAST
}

# cg_row FILE PATH KEY: KEY of the row of PATH in a cgroup --json document.
cg_row() {
	jq -r --arg p "$2" --arg k "$3" '[.cgroups[] | select(.path == $p)][0][$k]' "$1"
}

# near LABEL A B SLACK: |A - B| <= SLACK.
near() {
	local d=$(($2 - $3))
	[ $d -lt 0 ] && d=$((-d))
	[ $d -le "$4" ] || err "$1: $2 vs $3 (off by $d, more than $4)"
}

test_cgroup_live() {
	local j=$WORK/cg.json u0 u1 c k v mib=$((1 << 20)) file=$((CG_FILE_PAGES * PAGE))
	local prog=$(($(stat -c %s "$HELPERS/cgmapper") + PAGE))
	cg_setup
	cg_content
	for k in a b; do
		u0=$(cat "$CG/$k/$CG_USAGE")
		"$TRUEMEM" cgroup --json --mode exact >"$j" 2>"$WORK/cg.err" || fail "truemem cgroup exited $?: $(head -c 300 "$WORK/cg.err")"
		u1=$(cat "$CG/$k/$CG_USAGE")
		expect "cgroup_version" "$(jq .cgroup_version "$j")" "$CG_VER"
		c=$(cg_row "$j" "$CG_REL/$k" charged)
		# What the kernel charges, read by truemem between the two reads here.
		if [ "$c" -lt "$((u0 < u1 ? u0 : u1))" ] || [ "$c" -gt "$((u0 > u1 ? u0 : u1))" ]; then
			err "$k: charged $c is not the kernel's usage ($u0, then $u1)"
		fi
		v=$(cg_row "$j" "$CG_REL/$k" unexplained)
		near "$k: unexplained" "$v" 0 $((4 * mib))
	done
	# a: the tmpfs file unmapped shmem; the anon and the file mapped inside.
	v=$(cg_row "$j" "$CG_REL/a" unmapped_shmem)
	near "a: unmapped_shmem vs the ${CG_SHM_MB} MiB tmpfs file" "$v" $((CG_SHM_MB * mib)) $((mib / 2))
	v=$(cg_row "$j" "$CG_REL/a" mapped_inside)
	[ "$v" -ge $((8192 * PAGE + file)) ] || err "a: mapped_inside $v < anon + the file ($((8192 * PAGE + file)))"
	# cgmapper is static: the program file's pages are all it may borrow (cached before the test).
	v=$(cg_row "$j" "$CG_REL/a" mapped_from_elsewhere)
	[ "$v" -le "$prog" ] || err "a: mapped_from_elsewhere $v: more than the program file ($prog)"
	# b: the file's frames are a's: mapped from elsewhere; its anon inside.
	v=$(cg_row "$j" "$CG_REL/b" mapped_from_elsewhere)
	[ "$v" -ge "$file" ] && [ "$v" -le $((file + prog)) ] ||
		err "b: mapped_from_elsewhere $v is not the file ($file) and at most the program file ($prog)"
	v=$(cg_row "$j" "$CG_REL/b" mapped_inside)
	near "b: mapped_inside vs its anon" "$v" $((1024 * PAGE)) $((mib / 2))
	# The parent holds both: the file is inside it, borrowed by neither.
	v=$(cg_row "$j" "$CG_REL" mapped_from_elsewhere)
	[ "$v" -le "$prog" ] || err "parent: mapped_from_elsewhere $v holds the file"
	expect "a: pids" "$(jq -c --arg p "$CG_REL/a" '[.cgroups[] | select(.path == $p)][0].pids' "$j")" "[$CG_A]"
	expect "parent: pids" "$(jq -c --arg p "$CG_REL" '[.cgroups[] | select(.path == $p)][0].pids' "$j")" \
		"[$(printf '%s\n' "$CG_A" "$CG_B" | sort -n | paste -sd,)]"
	v=$(cg_row "$j" "$CG_REL/a" uss)
	[ "$v" -ge $((8192 * PAGE)) ] || err "a: uss $v < its anon"
	near "root: charged vs MemTotal - MemFree" "$(cg_row "$j" / charged)" \
		$(awk '/^MemTotal:/ {t = $2} /^MemFree:/ {f = $2} END {printf "%.0f", (t - f) * 1024}' /proc/meminfo) $((256 * mib))
	finish
}

# Narrowing (-p, PATH), --tree, --sort, rollup and the (removed) row.
cg_rmdir_a() {
	local i
	for i in $(seq 50); do
		rmdir "$CG/a" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "cannot remove $CG/a"
}

test_cgroup_views() {
	local j=$WORK/cg.json out v
	cg_setup
	cg_content
	"$TRUEMEM" cgroup --json -p "$CG_B" >"$j" || fail "cgroup -p exited $?"
	expect "-p: the cgroups holding it" "$(jq -r '[.cgroups[].path] | sort | join(" ")' "$j")" \
		"$(printf '%s\n' / "$CG_REL" "$CG_REL/b" | sort | paste -sd' ')"
	"$TRUEMEM" cgroup --json "$CG_REL" >"$j" || fail "cgroup PATH exited $?"
	expect "PATH: it and its children" "$(jq -r '[.cgroups[].path] | sort | join(" ")' "$j")" \
		"$CG_REL $CG_REL/a $CG_REL/b"
	expect "PATH: largest charge first" "$(jq -r '.cgroups[1].path' "$j")" "$CG_REL/a"
	"$TRUEMEM" cgroup --json --sort +charged "$CG_REL" >"$j" || fail "cgroup --sort exited $?"
	expect "--sort +charged: smallest first" "$(jq -r '.cgroups[0].path' "$j")" "$CG_REL/b"
	out=$("$TRUEMEM" cgroup --tree "$CG_REL" 2>/dev/null) || fail "cgroup --tree exited $?"
	printf '%s\n' "$out" | grep -qE "[0-9]   truemem-live-$$\$" || err "--tree: no row for the test's cgroup"
	printf '%s\n' "$out" | grep -qE "[0-9]     a\$" || err "--tree: a not indented under it ($out)"
	"$TRUEMEM" cgroup --json --mode rollup "$CG_REL" >"$j" || fail "cgroup --mode rollup exited $?"
	expect "rollup: mapped_inside null" "$(cg_row "$j" "$CG_REL/a" mapped_inside)" null
	expect "rollup: unexplained null" "$(cg_row "$j" "$CG_REL/a" unexplained)" null
	[ "$(cg_row "$j" "$CG_REL/a" charged)" -gt 0 ] || err "rollup: no charge"
	out=$("$TRUEMEM" cgroup --mode rollup "$CG_REL" 2>&1 >/dev/null)
	printf '%s\n' "$out" | grep -q "frame columns not available: rollup mode" || err "rollup text does not say why"
	"$TRUEMEM" cgroup /no/such/cgroup >/dev/null 2>"$WORK/e" && err "an unknown PATH exits 0"
	grep -q "no memory cgroup '/no/such/cgroup'" "$WORK/e" || err "unknown PATH: $(cat "$WORK/e")"
	expect "--sort bogus: usage error" "$("$TRUEMEM" cgroup --sort bogus >/dev/null 2>&1; echo $?)" 2
	# a's page cache outlives a. /proc/kpagecgroup names the nearest cgroup
	# still online for the frames of a removed one, so they count in the
	# parent, whose charge holds them too: still explained.
	cg_kill
	rm -f "$CG_SHM"
	cg_rmdir_a
	"$TRUEMEM" cgroup --json --mode exact "$CG_REL" >"$j" || fail "cgroup exited $?"
	v=$(cg_row "$j" "$CG_REL" unmapped_file)
	# (less what reclaim took from the cache meanwhile: at most 1 MiB allowed)
	[ "$v" -ge $((CG_FILE_PAGES * PAGE - (1 << 20))) ] ||
		err "parent after rmdir a: unmapped_file $v lacks a's page cache"
	near "parent after rmdir a: unexplained" "$(cg_row "$j" "$CG_REL" unexplained)" 0 $((4 << 20))
	finish
}

# capture records the cgroup files and kpagecgroup; cgroup --from replays
# them, from the directory form and from the one-file form alike.
test_cgroup_capture() {
	local d=$WORK/snap f=$WORK/snap.tm v
	cg_setup
	cg_content
	"$TRUEMEM" capture --dir -o "$d" >/dev/null 2>"$WORK/cap.err" || fail "capture exited $?: $(head -c 300 "$WORK/cap.err")"
	[ -s "$d/cgroups" ] || fail "the snapshot has no cgroups member"
	[ -e "$d/kpagecgroup" ] || fail "the snapshot has no kpagecgroup member"
	"$TRUEMEM" cgroup --json --from "$d" >"$WORK/a.json" || fail "cgroup --from exited $?"
	"$TRUEMEM" cgroup --json --from "$d" >"$WORK/b.json" || fail "cgroup --from exited $? (twice)"
	cmp -s "$WORK/a.json" "$WORK/b.json" || err "two replays differ"
	expect "replayed a: charged" "$(cg_row "$WORK/a.json" "$CG_REL/a" charged)" \
		"$(sed -n "/^cgroup ${CG_REL//\//\\/}\/a\$/,/^cgroup /s/^memory.current //p" "$d/cgroups")"
	v=$(cg_row "$WORK/a.json" "$CG_REL/b" mapped_from_elsewhere)
	[ "$v" -ge $((CG_FILE_PAGES * PAGE)) ] &&
		[ "$v" -le $((CG_FILE_PAGES * PAGE + $(stat -c %s "$HELPERS/cgmapper") + PAGE)) ] ||
		err "replayed b: mapped_from_elsewhere $v is not the file and at most the program file"
	near "replayed a: unexplained" "$(cg_row "$WORK/a.json" "$CG_REL/a" unexplained)" 0 $((4 << 20))
	"$TRUEMEM" cgroup --from "$d" >"$WORK/t.txt" 2>&1 || err "text replay exited $?"
	grep -q "truemem-live-$$/a\$" "$WORK/t.txt" || err "text replay has no row for a"
	# The one-file form holds the same members.
	"$TRUEMEM" capture -o "$f" >/dev/null 2>"$WORK/cap.err" || fail "capture -o FILE exited $?: $(head -c 300 "$WORK/cap.err")"
	"$TRUEMEM" cgroup --json --from "$f" >"$WORK/f.json" || fail "cgroup --from FILE exited $?"
	"$TRUEMEM" cgroup --json --from "$f" >"$WORK/g.json" || fail "cgroup --from FILE exited $? (twice)"
	cmp -s "$WORK/f.json" "$WORK/g.json" || err "two replays of the file differ"
	v=$(cg_row "$WORK/f.json" "$CG_REL/b" mapped_from_elsewhere)
	[ "$v" -ge $((CG_FILE_PAGES * PAGE)) ] || err "file replay: b's borrowed file is missing ($v)"
	finish
}
