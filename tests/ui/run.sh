#!/bin/sh
# tests/ui/run.sh: drives the real `truemem top` in tmux (issue 5, "Tests").
#
# Each test starts top in a detached tmux session of a known size on a
# private server (tmux -L truemem-ui-PID), sends keys, and reads the screen
# with capture-pane. The processes it looks at are uihog helpers of known
# memory (tests/live/helpers/uihog.c), one of them named with an escape
# sequence. Prints "PASS name" or "FAIL name: why" per test, then
# "ui: N passed, M failed"; exits 1 when any failed. An expected figure that
# depends on the kernel (the zero page) comes from tests/probe.sh. Everything it starts
# (tmux server, helpers) is killed on the way out, whatever happens.
#
# Environment: TRUEMEM (default ./build/truemem), HELPERS (the helpers'
# build dir, default: next to TRUEMEM under tests/live/helpers) or UIHOG;
# when the helper is not built it is compiled into a temporary dir.
set -u

TRUEMEM=${TRUEMEM:-./build/truemem}
SOCK=truemem-ui-$$
T=$(mktemp -d "${TMPDIR:-/tmp}/truemem-ui.XXXXXX") || exit 1
HOGS=""
PASSED=0
FAILED=0

tm() { tmux -L "$SOCK" "$@"; }

UI_CG=""
cleanup() {
	tm kill-server 2>/dev/null
	for p in $HOGS; do kill "$p" 2>/dev/null; done
	for p in $HOGS; do wait "$p" 2>/dev/null; done
	cg_remove
	rm -rf "$T"
}

# cg_remove: removes the test's memory cgroup (its process just died: it may need a moment).
cg_remove() {
	[ -n "$UI_CG" ] || return 0
	i=0
	while [ -d "$UI_CG" ] && ! rmdir "$UI_CG" 2>/dev/null && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	UI_CG=""
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
. "$(dirname "$0")/../probe.sh"

# printf, not echo: dash's echo would turn a "\e" in a message into a real escape.
pass() { printf 'PASS %s\n' "$1"; PASSED=$((PASSED + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; FAILED=$((FAILED + 1)); }

if [ ! -x "$TRUEMEM" ]; then
	echo "ui: no truemem binary at $TRUEMEM (set TRUEMEM)" >&2
	exit 1
fi
case $TRUEMEM in /*) ;; *) TRUEMEM=$(pwd)/$TRUEMEM ;; esac
command -v tmux >/dev/null || { echo "ui: tmux is not installed" >&2; exit 1; }

UIHOG=${UIHOG:-${HELPERS:-$(dirname "$TRUEMEM")/tests/live/helpers}/uihog}
if [ ! -x "$UIHOG" ]; then
	src=$(dirname "$0")/../live/helpers/uihog.c
	UIHOG=$T/uihog
	${CC:-cc} -O2 -o "$UIHOG" "$src" || { echo "ui: cannot build $src" >&2; exit 1; }
fi

# start_hog MIB NAME [PADDING...]: starts a helper (it lives 600 s, longer
# than the suite; PADDING lengthens its command line), sets HOG_PID once it is ready.
NHOG=0
start_hog() {
	NHOG=$((NHOG + 1))
	out=$T/hog.$NHOG
	mib=$1 name=$2
	shift 2
	"$UIHOG" "$mib" "$name" 600 "$@" >"$out" &
	HOG_PID=$!
	HOGS="$HOGS $HOG_PID"
	i=0
	while ! grep -q '^ready' "$out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "ui: helper $2 did not start" >&2; exit 1; }
		sleep 0.05
	done
}

# start_top SESSION W H ARGS...: top in a fresh session; its exit code is printed after it.
start_top() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 $TRUEMEM top $*; echo TOP_EXIT=\$?; sleep 60"
}

screen() { tm capture-pane -p -t "$1" 2>/dev/null; }

# wait_for SESSION SECONDS PATTERN: true once the screen shows the fixed string.
wait_for() {
	n=$(($2 * 10))
	while [ $n -gt 0 ]; do
		screen "$1" | grep -qF -- "$3" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_cmd SESSION SECONDS COMMAND...: true once COMMAND (given the screen on stdin) succeeds.
wait_cmd() {
	s=$1 n=$(($2 * 10))
	shift 2
	while [ $n -gt 0 ]; do
		screen "$s" | "$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# The table rows: lines after the column titles, up to the key line.
table_rows() { awk '/^ *(PID|PROCS).*COMMAND/ { on = 1; next } /^\? help/ { on = 0 } on && NF'; }
# The column titles line of the table.
titles() { awk '/^ *(PID|PROCS).*COMMAND/ { print; exit }'; }
# The row number (1-based) of pid $1 in the table, 0 when absent.
row_of() { table_rows | awk -v p="$1" '$1 == p { print NR; found = 1; exit } END { if (!found) print 0 }'; }

MIB=1048576
start_hog 64 "uiA$$"; A=$HOG_PID
start_hog 16 "uiB$$"; B=$HOG_PID
start_hog 1 "$(printf '\033[31mevil')"; EVIL=$HOG_PID
start_hog 8 "uiC$$"; C=$HOG_PID

# ---- a process of known memory appears with the right figures
start_top fig 160 30 --bytes -d 0.5 -p "$A,$B"
if ! wait_cmd fig 10 awk -v p="$A" '$1 == p { f = 1 } END { exit !f }'; then
	fail known_figures "pid $A never appeared: $(screen fig | head -3 | tr '\n' '|')"
else
	sleep 1.2   # let the exact walk replace the first rollup screen
	line=$(screen fig | awk -v p="$A" '$1 == p')
	set -- $line
	uss=$4 pss=$5 rss=$6
	# 64 MiB written and a little more. An ASan-built helper reads the
	# shadow of what it writes (1 byte per 8): the zero page, unless read
	# faults get real pages (tests/probe.sh), and then it is 8 MiB of uss.
	most=$((68 * MIB))
	if ! probe_zero_page && grep -q libasan "/proc/$A/maps"; then
		most=$((most + 64 * MIB / 8))
	fi
	if [ "$uss" -ge $((64 * MIB)) ] && [ "$uss" -le "$most" ] &&
	   [ "$pss" -ge "$uss" ] && [ "$rss" -ge "$pss" ]; then
		pass known_figures
	else
		fail known_figures "uihog of 64 MiB shows uss=$uss pss=$pss rss=$rss (at most $most expected)"
	fi
fi

# ---- sorting changes the order (reverse, then another column)
ra=$(screen fig | row_of "$A") rb=$(screen fig | row_of "$B")
if [ "$ra" = 1 ] && [ "$rb" = 2 ]; then
	tm send-keys -t fig r
	if wait_cmd fig 5 sh -c "t=\$(cat); echo \"\$t\" | grep -qF 'PSS▲' &&
	   [ \"\$(echo \"\$t\" | awk -v p=$B '\$1 == p { print NR }')\" -lt \"\$(echo \"\$t\" | awk -v p=$A '\$1 == p { print NR }')\" ]"; then
		tm send-keys -t fig '<'
		if wait_for fig 5 'USS▲'; then
			pass sort_changes_order
		else
			fail sort_changes_order "'<' did not move the sort mark to USS"
		fi
	else
		fail sort_changes_order "'r' did not put the smaller process first"
	fi
else
	fail sort_changes_order "by PSS the 64 MiB process should lead: rows A=$ra B=$rb"
fi

# ---- q exits 0 and restores the terminal
tm send-keys -t fig q
if wait_for fig 5 "TOP_EXIT=0"; then
	if [ "$(tm display-message -p -t fig '#{alternate_on}')" = 0 ] && ! screen fig | grep -q 'COMMAND'; then
		pass q_restores_terminal
	else
		fail q_restores_terminal "exited 0 but the screen still shows the table or the alternate screen"
	fi
else
	fail q_restores_terminal "no exit after q: $(screen fig | tail -2 | tr '\n' '|')"
fi

# ---- filtering narrows the list to the process
# Step by step, so a failure says which step: the first figures, the
# prompt, the typed filter in the header, then the rows. The turn log says
# whether the loop was turning (ms busy per turn, scan running, key answered).
start_top_logged() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TRUEMEM_TOP_TURNLOG=$T/$s.turns $TRUEMEM top $*; echo TOP_EXIT=\$?; sleep 60"
}
# why_top SESSION: the screen's non-blank lines and the last turns, on one line.
why_top() {
	printf 'screen: %s turns(ms busy, scanning, key): %s' \
		"$(screen "$1" | grep -v '^ *$' | head -12 | cut -c 1-100 | tr '\n' '|')" \
		"$(tail -4 "$T/$1.turns" 2>/dev/null | tr '\n' '|')"
}
start_top_logged filt 160 40 -d 0.5
if ! wait_for filt 15 "COMMAND"; then
	fail filter_narrows "top did not draw its table: $(why_top filt)"
elif ! wait_cmd filt 30 sh -c "! grep -q 'first exact scan running'"; then
	fail filter_narrows "the first scan did not finish in 30 s: $(why_top filt)"
else
	tm send-keys -t filt /
	if ! wait_for filt 5 "filter regex"; then
		fail filter_narrows "'/' did not open the filter prompt: $(why_top filt)"
	else
		tm send-keys -t filt "uiB$$"
		if ! wait_for filt 5 "filter: uiB$$"; then
			fail filter_narrows "the typed filter is not in the header: $(why_top filt)"
		else
			tm send-keys -t filt Enter
			if wait_cmd filt 10 sh -c "t=\$(cat); echo \"\$t\" | grep -q '^ *$B ' && ! echo \"\$t\" | grep -q '^ *$A '"; then
				# Only the helpers count: the tmux client that typed the filter carries it in its argv too.
				n=$(screen filt | table_rows | grep -c uihog)
				tm send-keys -t filt Escape
				if [ "$n" -ne 1 ]; then
					fail filter_narrows "$n rows after filtering on uiB$$"
				elif wait_for filt 10 "uiA$$"; then
					pass filter_narrows
				else
					fail filter_narrows "Esc did not clear the filter: $(why_top filt)"
				fi
			else
				fail filter_narrows "the filter did not narrow to pid $B: $(why_top filt)"
			fi
		fi
	fi
fi
tm kill-session -t filt 2>/dev/null

# ---- drill-down shows the process's mappings, Esc goes back
start_top map 160 40 -d 0.5 -p "$A"
if wait_for map 10 "uiA$$"; then
	tm send-keys -t map Enter
	found=0
	if wait_for map 10 "mappings of pid $A"; then
		# Mappings are in address order: page down until the 64 MiB one shows.
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
			if wait_cmd map 1 awk '/\[anon\]/ && / 64\.[0-9] MiB/ { f = 1 } END { exit !f }'; then
				found=1
				break
			fi
			tm send-keys -t map NPage
		done
	fi
	if [ $found = 1 ]; then
		tm send-keys -t map Escape
		if wait_cmd map 5 sh -c "t=\$(cat); echo \"\$t\" | grep -q 'COMMAND' && ! echo \"\$t\" | grep -q 'mappings of pid'"; then
			pass drill_down
		else
			fail drill_down "Esc did not return to the list"
		fi
	else
		fail drill_down "no 64 MiB [anon] mapping shown: $(screen map | sed -n 2,8p | tr '\n' '|')"
	fi
else
	fail drill_down "pid $A not shown"
fi
tm kill-session -t map 2>/dev/null

# ---- a process that vanishes while drilled into is handled quietly
start_top gone 160 30 -d 0.3 -p "$C"
if wait_for gone 10 "uiC$$"; then
	tm send-keys -t gone Enter
	wait_for gone 10 "mappings of pid $C"
	kill "$C" 2>/dev/null
	if wait_for gone 10 "has exited"; then
		tm send-keys -t gone Escape
		sleep 1
		if screen gone | grep -q 'COMMAND' && ! screen gone | grep -q 'TOP_EXIT'; then
			pass vanished_quietly
		else
			fail vanished_quietly "top did not carry on: $(screen gone | tail -3 | tr '\n' '|')"
		fi
	else
		fail vanished_quietly "no note that the process exited: $(screen gone | sed -n 1,5p | tr '\n' '|')"
	fi
else
	fail vanished_quietly "pid $C not shown"
fi
tm kill-session -t gone 2>/dev/null

# ---- a command line of 128 KiB keeps its tail and costs a turn nothing
# (cutting it to the column once took a pass per character: seconds a turn,
# and top answered no key)
long=$(awk 'BEGIN { while (n++ < 1024) printf "%s", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"; }')
start_hog 1 "uiL$$" "$long" "$long"
L=$HOG_PID
start_top_logged lng 120 24 -d 0.5 -p "$L"
if ! wait_for lng 15 "uiL$$"; then
	fail long_command_line "pid $L (128 KiB command line) not shown with its tail: $(why_top lng)"
else
	tm send-keys -t lng '<'
	if wait_for lng 2 "USS▼"; then
		pass long_command_line
	else
		fail long_command_line "a key was not answered within 2 s: $(why_top lng)"
	fi
fi
tm kill-session -t lng 2>/dev/null
kill "$L" 2>/dev/null

# ---- an escape sequence in a name is shown escaped, never sent raw
# (NO_COLOR: top itself then sends no colour, so any red in the pane came from the name.
# The name is also uihog's argument, so it shows in the command line as well.)
tm new-session -d -s evil -x 250 -y 30 "env NO_COLOR=1 LANG=C.UTF-8 $TRUEMEM top -d 0.5 -p $EVIL; sleep 60"
if wait_for evil 10 '\e[31mevil'; then
	if tm capture-pane -p -e -t evil | grep -q "$(printf '\033')\\[31m" ||
	   screen evil | grep 'evil' | grep -v -qF '\e[31mevil'; then
		fail escaped_name "the terminal received the name's raw escape"
	else
		pass escaped_name
	fi
else
	fail escaped_name "name not shown as \\e[31mevil: $(screen evil | grep evil | head -1)"
fi
tm kill-session -t evil 2>/dev/null

# ---- resize redraws; narrow terminals drop columns instead of wrapping
start_top rsz 180 30 -d 0.5 -p "$A,$B"
if wait_for rsz 10 "SWAP"; then
	tm resize-window -t rsz -x 60 -y 15
	if wait_cmd rsz 5 sh -c "t=\$(cat); h=\$(echo \"\$t\" | awk '/^ *PID.*COMMAND/ { print; exit }');
	   echo \"\$h\" | grep -q 'PSS' && ! echo \"\$h\" | grep -qE 'SWAP| RSS' &&
	   echo \"\$t\" | grep -q '^ *$A ' && [ \$(echo \"\$t\" | LC_ALL=C.UTF-8 wc -L) -le 60 ]"; then
		tm resize-window -t rsz -x 200 -y 40
		if wait_cmd rsz 5 sh -c "titles() { awk '/^ *PID.*COMMAND/ { print; exit }'; }; titles | grep -q 'SWAP.*RSS'"; then
			pass resize_redraws
		else
			fail resize_redraws "growing back did not bring the columns back"
		fi
	else
		fail resize_redraws "at 60 columns: $(screen rsz | sed -n 5,6p | tr '\n' '|')"
	fi
else
	fail resize_redraws "no table at 180 columns"
fi
tm kill-session -t rsz 2>/dev/null

# ---- g cycles the grouping; Enter on a group lists its processes, Esc goes back
start_top grp 160 30 -d 0.5 -p "$A,$B" --group-by user
if wait_for grp 10 "PROCS" && wait_for grp 2 "group user"; then
	tm send-keys -t grp g
	if wait_for grp 10 "group program"; then
		tm send-keys -t grp Enter
		if wait_for grp 10 "processes of program" &&
		   wait_cmd grp 5 sh -c "grep -q '^ *[0-9][0-9]* root'"; then
			tm send-keys -t grp Escape
			if wait_for grp 10 "group program" && wait_for grp 2 "PROCS"; then
				pass group_by
			else
				fail group_by "Esc did not go back to the groups"
			fi
		else
			fail group_by "Enter on a group did not list its processes: $(screen grp | sed -n 4,6p | tr '\n' '|')"
		fi
	else
		fail group_by "g did not move on to program"
	fi
else
	fail group_by "--group-by user did not show groups: $(screen grp | sed -n 4,6p | tr '\n' '|')"
fi
tm kill-session -t grp 2>/dev/null

# ---- htop's function keys: F3 search, F4 filter, F5 tree, F10 quit
start_top fk 160 30 -d 0.5 -p "$A,$B"
if wait_for fk 10 "uiB$$"; then
	# The smaller B is on the second row: the search moves the selection to it.
	tm send-keys -t fk F3 "uiB$$" Enter Enter
	if wait_for fk 10 "mappings of pid $B"; then
		tm send-keys -t fk Escape
		wait_for fk 5 COMMAND
		tm send-keys -t fk F5
		if wait_cmd fk 5 grep -q "group none  tree"; then
			tm send-keys -t fk F5 F4 "uiB$$" Enter
			if wait_cmd fk 10 sh -c "t=\$(cat); echo \"\$t\" | grep -q '^ *$B ' && ! echo \"\$t\" | grep -q '^ *$A '"; then
				tm send-keys -t fk F10
				if wait_for fk 5 "TOP_EXIT=0"; then pass htop_function_keys
				else fail htop_function_keys "F10 did not quit"; fi
			else
				fail htop_function_keys "F4 did not filter: $(screen fk | table_rows | head -3 | tr '\n' '|')"
			fi
		else
			fail htop_function_keys "F5 did not turn the tree view on: $(screen fk | sed -n 1,4p | tr '\n' '|')"
		fi
	else
		fail htop_function_keys "F3 uiB$$ did not select pid $B: $(screen fk | tail -3 | tr '\n' '|')"
	fi
else
	fail htop_function_keys "no table"
fi
tm kill-session -t fk 2>/dev/null

# ---- tree groups are labelled as in ps: the leader's pid and command
start_top tg 160 30 -d 0.5 -p "$A" --group-by tree
if wait_cmd tg 10 grep -q "^ *1 .* $A .*uiA$$"; then
	pass tree_group_label
else
	fail tree_group_label "no row '$A ... uiA$$': $(screen tg | table_rows | head -2 | tr '\n' '|')"
fi
tm kill-session -t tg 2>/dev/null

# ---- --sort by a fate (SPEC 2.1): the column shows, sorted, in exact mode; refused in rollup mode
start_top fate 160 30 --bytes -d 0.5 -p "$A,$B" --sort reclaimable
if wait_cmd fate 10 grep -q 'RECLAIMABLE▼.*USS' && wait_cmd fate 10 awk -v p="$A" '$1 == p { f = 1 } END { exit !f }'; then
	err=$(TERM=xterm "$TRUEMEM" top --sort frees_swap --mode rollup </dev/null 2>&1)
	rc=$?
	if [ $rc = 2 ] && [ "$err" = "truemem: --sort frees_swap needs exact mode: in rollup mode what killing frees is not known" ]; then
		pass sort_by_fate
	else
		fail sort_by_fate "rollup mode: exit $rc, '$err'"
	fi
else
	fail sort_by_fate "no RECLAIMABLE column sorted by: $(screen fate | sed -n 1p;  screen fate | titles)"
fi
tm kill-session -t fate 2>/dev/null

# ---- the help screen lists the keys
start_top help 120 40 -d 0.5 -p "$A"
if wait_for help 10 "COMMAND"; then
	tm send-keys -t help '?'
	if wait_for help 5 "reverse the sort order" && wait_for help 1 "no key sends a signal"; then
		tm send-keys -t help x
		if wait_for help 5 "COMMAND"; then pass help_screen; else fail help_screen "a key did not leave the help"; fi
	else
		fail help_screen "no help screen"
	fi
else
	fail help_screen "no table"
fi
tm kill-session -t help 2>/dev/null

# ---- the cgroup view: the rows of `truemem cgroup`, from a snapshot and live
# cg_rows: the cgroup view's rows (after the column titles, up to the key line).
cg_rows() { awk '/^ *CHARGED.*CGROUP/ { on = 1; next } /^\? help/ { on = 0 } on && NF'; }
# cg_text ARGS...: `truemem cgroup --bytes ARGS` without its titles, words single-spaced.
cg_text() { "$TRUEMEM" cgroup --bytes "$@" 2>/dev/null | awk 'NR > 1 { $1 = $1; print }'; }
# cg_same SESSION FILE: the view's rows, words single-spaced, equal FILE's lines.
cg_same() { screen "$1" | cg_rows | awk '{ $1 = $1; print }' | cmp -s - "$2"; }

# An engine snapshot has cgroup v2's shape: every row as `cgroup --from`, in
# exact mode, in rollup mode (frame columns "-", with the note), sorted by another column.
for scn in cgroup_tmpfs cgroup_exit_cache; do
	name=cgroup_view_snapshot_$scn
	if ! "$TRUEMEM" sim "$(dirname "$0")/../golden/$scn.scn" -o "$T/$scn" >/dev/null 2>&1; then
		fail "$name" "truemem sim $scn failed"
		continue
	fi
	cg_text --from "$T/$scn" >"$T/$scn.exact"
	cg_text --from "$T/$scn" --mode rollup >"$T/$scn.rollup"
	cg_text --from "$T/$scn" --sort mapped >"$T/$scn.mapped"
	start_top cgs 250 40 --bytes --from "$T/$scn"
	if ! wait_for cgs 10 COMMAND; then
		fail "$name" "top --from did not draw its table"
	else
		tm send-keys -t cgs c
		if ! wait_cmd cgs 10 cg_same cgs "$T/$scn.exact"; then
			fail "$name" "exact rows differ from truemem cgroup: $(screen cgs | cg_rows | tr '\n' '|')"
		else
			tm send-keys -t cgs '>'
			if ! wait_for cgs 5 'MAPPED▼' || ! wait_cmd cgs 5 cg_same cgs "$T/$scn.mapped"; then
				fail "$name" "'>' did not sort by MAPPED as cgroup --sort mapped: $(screen cgs | cg_rows | tr '\n' '|')"
			else
				tm send-keys -t cgs '<' m
				if wait_cmd cgs 10 cg_same cgs "$T/$scn.rollup" &&
				   wait_for cgs 2 "frame columns not available: rollup mode"; then
					pass "$name"
				else
					fail "$name" "rollup rows or note differ: $(screen cgs | sed -n 4p) $(screen cgs | cg_rows | tr '\n' '|')"
				fi
			fi
		fi
	fi
	tm kill-session -t cgs 2>/dev/null
done

# Live, on the machine's memory controller: a cgroup of the test's own
# holding one process of 32 MiB written anonymous memory. Its row in the
# view equals `truemem cgroup`'s for it (taken again while they differ:
# the two are not the same moment). The global lock is held while the
# cgroup exists, as tests/live does.
cg_live() {
	name=cgroup_view_live
	if ! probe_cgroup_memory; then
		echo "SKIP $name: $PROBE_WHY"
		return
	fi
	set -- $PROBE_VALUE
	if [ "$1" = 2 ] && ! grep -qw memory "$2/cgroup.subtree_control" 2>/dev/null; then
		echo "SKIP $name: cgroup v2 root does not delegate the memory controller"
		return
	fi
	exec 8>/run/truemem-live-global.lock
	if ! flock -w 60 8; then
		fail "$name" "another test run holds /run/truemem-live-global.lock"
		return
	fi
	UI_CG=$2/truemem-ui-$$
	rel=/truemem-ui-$$
	if ! mkdir "$UI_CG"; then
		UI_CG=""
		fail "$name" "cannot create a memory cgroup under $2"
		return
	fi
	out=$T/cghog
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" 32 "$3" 600' cg "$UI_CG" "$UIHOG" "uiG$$" >"$out" 2>&1 &
	cghog=$!
	HOGS="$HOGS $cghog"
	i=0
	while ! grep -q '^ready' "$out" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
	start_top cgl 250 40 --bytes -d 1
	tm send-keys -t cgl c
	if ! wait_cmd cgl 60 sh -c "cg_rows() { awk '/^ *CHARGED.*CGROUP/ { on = 1; next } /^\\? help/ { on = 0 } on && NF'; }; cg_rows | grep -q ' $rel\$'"; then
		fail "$name" "no row for $rel: $(screen cgl | head -5 | tr '\n' '|')"
	else
		# The kernel's charge moves by a few pages now and then (per-CPU
		# charge caches): leaving the view and coming back (c c) takes the
		# report afresh, and `truemem cgroup` runs as soon as it is shown.
		ok=0
		for try in 1 2 3 4 5; do
			wait_cmd cgl 60 sh -c "! grep -q 'report running'"
			mine=$(screen cgl | cg_rows | awk -v p="$rel" '$NF == p { $1 = $1; print }')
			theirs=$(cg_text "$rel")
			[ -n "$mine" ] && [ "$mine" = "$theirs" ] && { ok=1; break; }
			tm send-keys -t cgl c c
			wait_for cgl 5 "report running"
		done
		set -- $mine
		# CHARGED, MAPPED (the 32 MiB written, mapped inside), PROCS
		if [ $ok = 1 ] && [ "$2" -ge $((32 * MIB)) ] && [ "$1" -ge "$2" ] && [ "$9" = 1 ]; then
			pass "$name"
		else
			fail "$name" "view: '$mine', truemem cgroup: '$theirs' (32 MiB anon, 1 process expected)"
		fi
	fi
	tm kill-session -t cgl 2>/dev/null
	kill "$cghog" 2>/dev/null
	wait "$cghog" 2>/dev/null
	cg_remove
	exec 8>&-
}
cg_live

# ---- 80x24: column priority, tails of paths, whole words in the header, mappings sorted
# An engine snapshot: its screens do not change while the terminal is resized.
cat >"$T/narrow.scn" <<'EOF'
ram 16M
spawn 100 server
mmap 100 heap anon private 64K
touch 100 heap write
mmap 100 lib file /usr/lib/x86_64-linux-gnu/truemem-ui-a-rather-long-directory-name/libc.so.6 private 32K
touch 100 lib read 0 8K
mmap 100 buf anon private 16K
touch 100 buf write
EOF
if ! "$TRUEMEM" sim "$T/narrow.scn" -o "$T/narrow" >/dev/null 2>&1; then
	fail column_priority "truemem sim failed"
else
	start_top nar 220 50 --bytes --from "$T/narrow"
	if ! wait_for nar 10 COMMAND; then
		fail column_priority "no table at 220x50"
	else
		h=$(screen nar | titles)
		case $h in
		*PID*USER*SWAP*FREES*USS*PSS*RSS*ΔUSS/s*ΔPSS/s*COMMAND*) wide=ok ;;
		*) wide="at 220 columns: $h" ;;
		esac
		# The header lines at full width: narrower, each must be a prefix of
		# these ending where a word ends (the bar, line 2, scales instead).
		screen nar | sed -n '1p;3p;4p;$p' | sed 's/ *$//' >"$T/head.wide"
		tm resize-window -t nar -x 80 -y 24
		if wait_cmd nar 5 sh -c "awk '/^ *PID.*COMMAND/ { print; exit }' | grep -q 'PID *USER *USS *PSS.* RSS COMMAND'" &&
		   ! screen nar | titles | grep -qE 'SWAP|FREES|USS/s'; then
			[ "$wide" = ok ] && pass column_priority || fail column_priority "$wide"
		else
			fail column_priority "at 80x24: $(screen nar | titles)"
		fi
		bad=""
		for w in 80 64 50 41 33 26 19; do
			tm resize-window -t nar -x $w -y 24
			sleep 0.3
			screen nar | sed -n '1p;3p;4p;$p' | sed 's/ *$//' >"$T/head.$w"
			# whole: the narrow line is a prefix of the wide one, cut before a space or at its end
			if ! awk -v w=$w 'NR == FNR { wide[FNR] = $0; next }
			     { n = length($0); full = wide[FNR]
			       if (substr(full, 1, n) != $0 || (n < length(full) && n > 0 && substr(full, n + 1, 1) != " ")) {
				       printf "at %d columns line %d is \"%s\"\n", w, FNR, $0; bad = 1 } }
			     END { exit bad }' "$T/head.wide" "$T/head.$w" >>"$T/head.bad"; then
				bad=$w
			fi
		done
		if [ -z "$bad" ]; then
			pass header_whole_words
		else
			fail header_whole_words "$(head -3 "$T/head.bad" | tr '\n' '|')"
		fi
		# The mappings at 80x24: the long path keeps its tail; < > sort, r reverses.
		tm resize-window -t nar -x 80 -y 24
		tm send-keys -t nar Enter
		if ! wait_for nar 5 "mappings of pid 100"; then
			fail map_path_tail "no mappings screen"
		else
			if screen nar | grep -q '…[^ ]*/libc\.so\.6$' && [ "$(screen nar | LC_ALL=C.UTF-8 wc -L)" -le 80 ]; then
				pass map_path_tail
			else
				fail map_path_tail "no row ending …/libc.so.6: $(screen nar | grep libc | head -2 | tr '\n' '|')"
			fi
			# ADDRESS, SIZE, RSS: two steps right sort by RSS, largest first
			rss_col() { awk '/ADDRESS.*NAME/ { for (i = 1; i <= NF; i++) if ($i ~ /^RSS/) c = i; on = 1; next } /^Esc/ { on = 0 } on && NF > 3 { print $c }'; }
			tm send-keys -t nar '>' '>'
			if wait_for nar 5 "RSS▼" && [ "$(screen nar | rss_col | tr '\n' ' ')" = "65536 16384 8192 " ]; then
				tm send-keys -t nar r
				if wait_for nar 5 "RSS▲" && [ "$(screen nar | rss_col | tr '\n' ' ')" = "8192 16384 65536 " ]; then
					pass map_sort
				else
					fail map_sort "r did not reverse: $(screen nar | rss_col | tr '\n' ' ')"
				fi
			else
				fail map_sort "> > did not sort by RSS: $(screen nar | sed -n 5p) $(screen nar | rss_col | tr '\n' ' ')"
			fi
		fi
	fi
	tm kill-session -t nar 2>/dev/null
fi

# ---- the mappings' ADDRESS column holds a 64-bit address whole (the vsyscall page)
if ! grep -q '^ffffffffff600000-' "/proc/$A/maps" 2>/dev/null; then
	echo "SKIP map_address_width: no [vsyscall] mapping at ffffffffff600000 on this kernel"
else
	start_top adr 80 24 -d 0.5 -p "$A"
	if wait_for adr 10 "uiA$$"; then
		tm send-keys -t adr Enter
		wait_for adr 10 "mappings of pid $A"
		tm send-keys -t adr End
		if wait_cmd adr 5 grep -q '^ffffffffff600000 --xp .*\[vsyscall\]'; then
			pass map_address_width
		else
			fail map_address_width "$(screen adr | grep -i vsyscall | head -1)"
		fi
	else
		fail map_address_width "pid $A not shown"
	fi
	tm kill-session -t adr 2>/dev/null
fi

# ---- the help screen says what the CPU budget is
start_top hb 80 60 -d 0.5 -p "$A"
if wait_for hb 10 COMMAND; then
	tm send-keys -t hb '?'
	if wait_for hb 5 "CPU budget: top spends at most 3% of one core" && wait_for hb 1 "how old its figures are"; then
		pass help_cpu_budget
	else
		fail help_cpu_budget "$(screen hb | grep -A2 -i budget | tr '\n' '|')"
	fi
else
	fail help_cpu_budget "no table"
fi
tm kill-session -t hb 2>/dev/null

# ---- top's memory bar and `sys` reconcile meminfo with one function: on one
# snapshot of this machine they show the same cache, kernel and free.
if ! "$TRUEMEM" capture -o "$T/cap.tm" >/dev/null 2>"$T/cap.err"; then
	echo "SKIP meter_agrees_with_sys: cannot capture this machine: $(head -1 "$T/cap.err")"
else
	want=$("$TRUEMEM" sys --from "$T/cap.tm" --bytes 2>/dev/null | awk '
		/^  page cache no process maps/ { c = $NF } /^  kernel \(/ { k = $NF } /^  free \(MemFree\)/ { f = $NF }
		END { printf "cache %s kernel %s free %s", c, k, f }')
	start_top mtr 250 30 --bytes --from "$T/cap.tm"
	if wait_for mtr 30 COMMAND; then
		got=$(screen mtr | sed -n 3p | awk '{ for (i = 1; i < NF; i++) if ($i == "cache" || $i == "kernel" || $i == "free")
			printf "%s%s %s", n++ ? " " : "", $i, $(i + 1) }')
		if [ "$got" = "$want" ]; then
			pass meter_agrees_with_sys
		else
			fail meter_agrees_with_sys "top: '$got', sys: '$want'"
		fi
	else
		fail meter_agrees_with_sys "top --from the capture drew no table"
	fi
	tm kill-session -t mtr 2>/dev/null
fi

# ---- -n N exits by itself, with NO_COLOR and with TERM=dumb too
tm new-session -d -s cnt -x 120 -y 30 \
	"$TRUEMEM top -n 3 -d 0.2 -p $A; echo TOP_EXIT=\$?; NO_COLOR=1 $TRUEMEM top -n 2 -d 0.2 -p $A; echo NOCOLOR_EXIT=\$?; TERM=dumb $TRUEMEM top -n 2 -d 0.2 -p $A >/dev/null; echo DUMB_EXIT=\$?; sleep 60"
if wait_for cnt 10 "TOP_EXIT=0"; then pass count_exits; else fail count_exits "-n 3 did not exit 0: $(screen cnt | tail -2 | tr '\n' '|')"; fi
if wait_for cnt 10 "NOCOLOR_EXIT=0" && wait_for cnt 10 "DUMB_EXIT=0"; then
	pass no_color_and_dumb
else
	fail no_color_and_dumb "$(screen cnt | grep -E 'EXIT|truemem' | tr '\n' '|')"
fi

# ---- the first screen of figures is exact; keys are answered while a scan runs
# TRUEMEM_TOP_SCAN_DELAY_MS holds every full scan back 20 s (a test hook), so
# a scan is surely under way when the keys are sent. The screen shows each
# key answered while the header still says the scan runs; how fast comes
# from top's own turn log (TRUEMEM_TOP_TURNLOG: the busy time of each turn
# of its loop, which bounds how long a key waits and is answered in), since
# polling tmux from here takes longer than the 100 ms allowed.
# turns_ok FILE: every turn while a scan ran was busy <= 100 ms, and keys were answered in one
turns_ok() {
	awk '$2 == 1 { n++; if ($1 > max) max = $1; if ($3 == 1) k++ }
	     END { printf "%d turns during scans, %d answering keys, longest %.1f ms", n, k, max
		   exit !(n > 0 && k > 0 && max <= 100) }' "$1"
}
tm new-session -d -s slow -x 160 -y 30 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TRUEMEM_TOP_SCAN_DELAY_MS=20000 TRUEMEM_TOP_TURNLOG=$T/turns $TRUEMEM top --bytes -d 0.5 -p $A,$B; echo TOP_EXIT=\$?; sleep 60"
if ! wait_for slow 5 "first exact scan running"; then
	fail keys_during_scan "no 'first exact scan running' header: $(screen slow | head -1)"
else
	tm send-keys -t slow '?'
	wait_for slow 3 "truemem top: keys" && help=yes || help=no
	tm send-keys -t slow x
	if [ $help = yes ] && wait_for slow 3 "first exact scan running" &&
	   ! screen slow | grep -qF "processes  mode"; then
		pass keys_during_scan
	else
		fail keys_during_scan "help shown: $help; header now: $(screen slow | head -1)"
	fi
	if ! wait_cmd slow 30 awk -v p="$A" '$1 == p { f = 1 } END { exit !f }'; then
		fail first_screen_exact "pid $A never appeared: $(screen slow | head -1)"
	else
		head=$(screen slow | head -1)
		case $head in
		*"mode exact, "*" s old"*) pass first_screen_exact ;;
		*) fail first_screen_exact "first screen with figures says: $head" ;;
		esac
		# The next full scan (held 20 s again, long enough for a slow
		# ASan build and tmux polling): a key while it runs.
		if wait_for slow 30 "exact scan running"; then
			tm send-keys -t slow '?'
			wait_for slow 3 "truemem top: keys" && help=yes || help=no
			tm send-keys -t slow x
			if [ $help = yes ] && wait_for slow 3 "exact scan running"; then
				pass keys_during_rescan
			else
				fail keys_during_rescan "help shown: $help; header: $(screen slow | head -1)"
			fi
		else
			fail keys_during_rescan "no rescan started: $(screen slow | head -1)"
		fi
	fi
	tm send-keys -t slow q
	if wait_for slow 5 "TOP_EXIT=0"; then
		if why=$(turns_ok "$T/turns"); then
			pass keys_within_100ms
		else
			fail keys_within_100ms "$why"
		fi
	else
		fail quit_during_scan "q while a scan ran did not end top: $(screen slow | tail -3 | tr '\n' '|')"
	fi
fi

# ---- with no keyboard (stdin not a terminal) it waits, it does not spin
if [ -x /usr/bin/time ]; then
	tm new-session -d -s nokb -x 120 -y 30 \
		"/usr/bin/time -f 'CPU %U %S' $TRUEMEM top -n 4 -d 0.5 -p $A </dev/null 2>$T/nokb.err; cat $T/nokb.err; sleep 60"
	if wait_for nokb 15 "CPU "; then
		cpu=$(screen nokb | awk '/^CPU / { print $2 + $3 }')
		if awk -v c="$cpu" 'BEGIN { exit !(c < 0.5) }'; then
			pass no_keyboard
		else
			fail no_keyboard "$cpu s of CPU for 2 s of waiting"
		fi
	else
		fail no_keyboard "did not finish: $(screen nokb | tail -2 | tr '\n' '|')"
	fi
fi

echo "ui: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
