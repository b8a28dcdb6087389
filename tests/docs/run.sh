#!/bin/sh
# Docs suite: keeps the man pages and the shell completions in step with
# the CLI, so they cannot silently fall behind it.
#  - the bash completion offers the expected words (subcommands, options,
#    sort columns, group keys, modes, formats, PIDs, directories, files);
#    the zsh and fish ones too where zsh/fish are installed;
#  - both man pages render without a warning (man --warnings);
#  - every command and every option that `truemem --help` and each
#    `truemem CMD --help` print is documented in man/truemem.1 and known to
#    all three completions, and each command's own options are offered
#    when completing `truemem CMD --`.
# Prints PASS/FAIL lines and "docs: N passed, M failed"; exits 1 on failure.
# TRUEMEM names the binary (default ./truemem, else build/truemem).
set -u
cd "$(dirname "$0")/../.." || exit 1
T=${TRUEMEM:-./truemem}
[ -x "$T" ] || T=build/truemem
[ -x "$T" ] || { echo "FAIL setup: no truemem binary (set TRUEMEM)"; echo "docs: 0 passed, 1 failed"; exit 1; }
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; }

# comp_bash WORD...: what the bash completion offers for the command line
# WORD... (the last word is the one being completed), one a line.
comp_bash() {
	bash -c '. completions/truemem.bash || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_truemem; printf "%s\n" "${COMPREPLY[@]}"' truemem-comp "$@" 2>&1
}

comp_fish() {
	fish -c 'source completions/truemem.fish; complete -C "$argv[1]"' "$1" 2>&1 | cut -f1
}

comp_zsh() {
	timeout 20 zsh -f tests/docs/zcomplete.zsh completions "$1" 2>&1
}

# offered SHELL 'LINE': what completing LINE offers in SHELL (bash, zsh or
# fish). LINE is split at blanks for bash; a trailing blank means an empty
# word is being completed.
offered() {
	case $1 in
	bash)
		set -f
		# shellcheck disable=SC2086
		case $2 in
		*" ") comp_bash $2 "" ;;
		*) comp_bash $2 ;;
		esac
		set +f ;;
	zsh) comp_zsh "$2" ;;
	fish) comp_fish "$2" ;;
	esac
}

# expect NAME SHELL 'LINE' WORD...: completing LINE offers every WORD.
expect() {
	name=$1 line=$3
	out=$(offered "$2" "$3")
	shift 3
	missing=""
	for w in "$@"; do
		printf '%s\n' "$out" | grep -qxF -- "$w" || missing="$missing $w"
	done
	if [ -n "$missing" ]; then
		fail "$name" "'$line' does not offer:$missing (got: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-200))"
	else
		pass "$name"
	fi
}

# reject NAME SHELL 'LINE' WORD...: completing LINE offers none of WORD.
reject() {
	name=$1 line=$3
	out=$(offered "$2" "$3")
	shift 3
	extra=""
	for w in "$@"; do
		printf '%s\n' "$out" | grep -qxF -- "$w" && extra="$extra $w"
	done
	if [ -n "$extra" ]; then fail "$name" "'$line' offers:$extra"; else pass "$name"; fi
}

# A process of ours, for PID completion, and a scratch tree for files.
sleep 300 &
kid=$!
trap 'kill $kid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/snapdir"
: >"$tmp/scenario.scn"

shells="bash"
command -v zsh >/dev/null 2>&1 && shells="$shells zsh" || skip "zsh completion" "zsh is not installed"
command -v fish >/dev/null 2>&1 && shells="$shells fish" || skip "fish completion" "fish is not installed"

for sh in $shells; do
	# How each shell shows a match inside a directory, and a list element of -p.
	case $sh in
	bash) snap="$tmp/snapdir" scn="$tmp/scenario.scn" plist="1,$kid" ;;
	zsh) snap=snapdir scn=scenario.scn plist="$kid" ;;
	fish) snap="$tmp/snapdir/" scn="$tmp/scenario.scn" plist="1,$kid" ;;
	esac
	expect "$sh: subcommands" $sh "truemem " top ps map lib sys cgroup capture sim
	expect "$sh: subcommand after an option" $sh "truemem --json p" ps
	expect "$sh: ps sort columns" $sh "truemem ps --sort " pid user swap uss pss rss swap_pss ppid command
	expect "$sh: lib sort columns" $sh "truemem lib --sort " swap uss pss rss name
	expect "$sh: top sort columns" $sh "truemem top --sort " pid user swap uss pss rss command frees reclaimable stays \
		frees_swap
	reject "$sh: top offers no column it cannot sort by" $sh "truemem top --sort " swap_pss ppid
	expect "$sh: cgroup sort columns" $sh "truemem cgroup --sort " charged mapped used_by_others cache shmem \
		kernel unexpl borrowed procs cgroup
	reject "$sh: cgroup offers no process column" $sh "truemem cgroup --sort " pss pid
	expect "$sh: group keys" $sh "truemem ps --group-by " user program tree cgroup
	expect "$sh: modes" $sh "truemem --mode " auto exact rollup
	expect "$sh: formats" $sh "truemem ps --format " text json jsonl prometheus
	expect "$sh: map PIDs" $sh "truemem map $kid" "$kid"
	expect "$sh: map a second PID" $sh "truemem map 1 $kid" "$kid"
	expect "$sh: -u users" $sh "truemem ps -u nobo" nobody
	expect "$sh: -p PIDs" $sh "truemem ps -p $kid" "$kid"
	expect "$sh: --pid list" $sh "truemem ps --pid 1,$kid" "$plist"
	expect "$sh: ps process names" $sh "truemem ps slee" sleep
	expect "$sh: --from directories" $sh "truemem ps --from $tmp/snap" "$snap"
	expect "$sh: -o directories" $sh "truemem capture -o $tmp/snap" "$snap"
	expect "$sh: sim SCRIPT files" $sh "truemem sim $tmp/scen" "$scn"
	expect "$sh: map options" $sh "truemem map -" -X --json --from --mode --bytes
	expect "$sh: sim options" $sh "truemem sim --" --output --trace
	reject "$sh: top offers no --json" $sh "truemem top --" --json
done

# Every command and long option the CLI prints, per help screen.
"$T" --help >"$tmp/help" 2>&1 || fail "truemem --help" "exit status $?"
cmds=$(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NF && !/^Commands:/ {print $1}')
[ -n "$cmds" ] || fail "help lists commands" "no 'Commands:' section in truemem --help"
# The page as a reader sees it (overstrikes removed); without man or groff, the roff source.
unbold() { sed 's/.\x08//g'; }
LC_ALL=C MANWIDTH=200 man -l man/truemem.1 2>/dev/null | unbold >"$tmp/man.txt"
[ -s "$tmp/man.txt" ] || groff -man -Tascii -rLL=200n man/truemem.1 2>/dev/null | unbold >"$tmp/man.txt"
[ -s "$tmp/man.txt" ] || sed 's/\\-/-/g; s/\\f[BIRP]//g; s/^\.[A-Z][A-Z]* //' man/truemem.1 >"$tmp/man.txt"

missing=""
for c in $cmds; do
	grep -qE "^ *truemem $c( |$)" "$tmp/man.txt" || missing="$missing $c"
done
if [ -n "$missing" ]; then fail "man: every command of truemem --help" "no 'truemem CMD' entry for:$missing"
else pass "man: every command of truemem --help"; fi

# Long options of one help screen: the words that start with -- in its option lines.
longopts() { grep -oE '(^|[ ,])--[a-z][a-z-]*' "$1" | sed 's/^[ ,]//' | sort -u; }
shortopts() { grep -oE '^  -[a-zA-Z]' "$1" | sed 's/^ *//' | sort -u; }

"$T" --help | longopts /dev/stdin >"$tmp/opts.all"
shortopts "$tmp/help" >"$tmp/short.all"
for c in $cmds; do
	"$T" "$c" --help >"$tmp/help.$c" 2>&1 || fail "truemem $c --help" "exit status $?"
	longopts "$tmp/help.$c" >>"$tmp/opts.all"
	shortopts "$tmp/help.$c" >>"$tmp/short.all"
	# The command's own options (above "Common options:").
	sed '/^Common options:/,$d' "$tmp/help.$c" | longopts /dev/stdin >"$tmp/own.$c"
done
sort -u "$tmp/opts.all" -o "$tmp/opts.all"
sort -u "$tmp/short.all" -o "$tmp/short.all"

for file in man/truemem.1 completions/truemem.bash completions/_truemem completions/truemem.fish; do
	missing=""
	for o in $(cat "$tmp/opts.all"); do
		if [ "$file" = man/truemem.1 ]; then
			grep -qF -- "$o" "$tmp/man.txt" || missing="$missing $o"
		elif [ "$file" = completions/truemem.fish ]; then
			grep -qE -- "-l ${o#--}( |$)" "$file" || missing="$missing $o"
		else
			grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$file" || missing="$missing $o"
		fi
	done
	for o in $(cat "$tmp/short.all"); do
		if [ "$file" = man/truemem.1 ]; then
			grep -qE -- "(^|[ ,])$o([ ,]|$)" "$tmp/man.txt" || missing="$missing $o"
		elif [ "$file" = completions/truemem.fish ]; then
			grep -qE -- "-s ${o#-}( |$)" "$file" || missing="$missing $o"
		else
			grep -qE -- "(^|[^a-zA-Z-])$o([^a-zA-Z-]|$)" "$file" || missing="$missing $o"
		fi
	done
	if [ -n "$missing" ]; then
		fail "$file knows every option of --help" "missing:$missing"
	else
		pass "$file knows every option of --help"
	fi
done

# Completing `truemem CMD --` offers the command's own options; `truemem --` the common ones.
for c in $cmds; do
	out=$(comp_bash truemem "$c" --)
	missing=""
	for o in $(cat "$tmp/own.$c"); do
		printf '%s\n' "$out" | grep -qxF -- "$o" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then fail "bash: $c options" "'truemem $c --' does not offer:$missing"
	else pass "bash: $c options"; fi
done
out=$(comp_bash truemem --)
missing=""
for o in $(longopts "$tmp/help"); do
	printf '%s\n' "$out" | grep -qxF -- "$o" || missing="$missing $o"
done
if [ -n "$missing" ]; then fail "bash: common options" "'truemem --' does not offer:$missing"
else pass "bash: common options"; fi

# Value lists: what --help names is what the completion offers.
# words_after OPT FILE: the values listed after OPT on its help line ("a, b or c").
words_after() {
	grep -E "^ +(-., )?$1 " "$2" | head -1 |
		sed -E "s/^ +(-., )?$1 +[A-Z]+ +//; s/^.*: //; s/\(.*//; s/,/ /g; s/ or / /g"
}
check_values() {   # name opt help-file completion-line [word...]: extra words are also expected
	name=$1 opt=$2 file=$3 line=$4
	shift 4
	want="$(words_after "$opt" "$file") $*"
	out=$(comp_bash $line "")
	missing=""
	for w in $want; do
		printf '%s\n' "$out" | grep -qxF -- "$w" || missing="$missing $w"
	done
	if [ -z "$(words_after "$opt" "$file")" ]; then fail "$name" "no value list for $opt in --help"
	elif [ -n "$missing" ]; then fail "$name" "'$line' does not offer:$missing"
	else pass "$name"; fi
}
check_values "bash: every sort column of --help" --sort "$tmp/help.ps" "truemem ps --sort"
check_values "bash: every group key of --help" --group-by "$tmp/help.ps" "truemem ps --group-by"
# Formats: those the binary accepts (one that says "not available" exits 2;
# jsonl streams until stopped, so a timeout counts as accepted).
fmts=""
for f in $(words_after --format "$tmp/help.ps"); do
	timeout 3 "$T" ps --format "$f" -p $$ >/dev/null 2>&1
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 124 ] && fmts="$fmts $f"
done
out=$(comp_bash truemem ps --format "")
missing=""
for f in $fmts; do printf '%s\n' "$out" | grep -qxF -- "$f" || missing="$missing $f"; done
if [ -z "$fmts" ]; then fail "bash: formats that work" "no --format value works"
elif [ -n "$missing" ]; then fail "bash: formats that work" "'truemem ps --format' does not offer:$missing"
else pass "bash: formats that work"; fi

# README: the two commands come first.
if awk '/^```/{n++; next} n==1{print} n>1{exit}' README.md | tr -d ' ' | tr '\n' ';' | grep -qx 'makecheck;makerun;'; then
	pass "README: the first code block is make check, make run"
else
	fail "README: the first code block is make check, make run" "it is not"
fi

# Both pages render with no warning.
for page in man/truemem.1 man/truemem-scenario.5; do
	if [ ! -f "$page" ]; then
		fail "man: $page" "missing"
	elif command -v man >/dev/null 2>&1; then
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -n "$w" ]; then fail "man: $page renders cleanly" "$w"; else pass "man: $page renders cleanly"; fi
	elif command -v groff >/dev/null 2>&1; then
		w=$(groff -man -ww -z "$page" 2>&1)
		if [ -n "$w" ]; then fail "man: $page renders cleanly" "$w"; else pass "man: $page renders cleanly"; fi
	else
		skip "man: $page renders cleanly" "neither man nor groff is installed"
	fi
done

# Syntax of the zsh and fish files.
if command -v zsh >/dev/null 2>&1; then
	if zsh -n completions/_truemem 2>"$tmp/err"; then pass "zsh: syntax"; else fail "zsh: syntax" "$(cat "$tmp/err")"; fi
fi
if command -v fish >/dev/null 2>&1; then
	if fish -n completions/truemem.fish 2>"$tmp/err"; then pass "fish: syntax"; else fail "fish: syntax" "$(cat "$tmp/err")"; fi
fi
if bash -n completions/truemem.bash 2>"$tmp/err"; then pass "bash: syntax"; else fail "bash: syntax" "$(cat "$tmp/err")"; fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
