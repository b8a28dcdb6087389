# bash completion for truemem(1)                       -*- shell-script -*-
#
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/truemem.
# Self-contained: works with or without the bash-completion package.
# Completes the subcommand, each command's options, sort columns, group
# keys, modes and formats, PIDs (from /proc) for `map` and -p/--pid,
# process names for `ps`, files and directories for --from and capture -o,
# directories for sim -o, files for `sim`, snapshots for `diff`.

# User-space processes (a kernel thread has an empty command line; truemem skips those).
_truemem_pids()
{
	local d arg
	for d in /proc/[0-9]*; do
		arg=
		read -r -d '' arg 2>/dev/null <"$d/cmdline"
		[[ -n $arg ]] && printf '%s\n' "${d#/proc/}"
	done
}

_truemem_names()
{
	local d n arg
	for d in /proc/[0-9]*; do
		arg=
		read -r -d '' arg 2>/dev/null <"$d/cmdline"
		# Names are untrusted: never offer one with control characters (escape sequences).
		[[ -n $arg ]] && read -r n 2>/dev/null <"$d/comm" && [[ $n != *[[:cntrl:]]* ]] &&
			printf '%s\n' "$n"
	done | sort -u
}

# _truemem_add WORDS CUR: append the words of WORDS that start with CUR to COMPREPLY.
_truemem_add()
{
	local w
	while IFS= read -r w; do
		[[ -n $w ]] && COMPREPLY+=("$w")
	done < <(compgen -W "$1" -- "$2")
}

# _truemem_lines CUR: append the lines of stdin that start with CUR (lines may hold blanks).
_truemem_lines()
{
	local w
	while IFS= read -r w; do
		[[ -n $w && $w == "$1"* ]] && COMPREPLY+=("$w")
	done
}

_truemem()
{
	local cur prev cword cmd i w
	local commands="top ps map lib sys cgroup capture sim diff version"
	# Options that take a value, in every spelling the parser accepts.
	local with_arg="--from --mode --group-by --sort -p --pid -u --user --filter --interval --count -n --delay -d --format -o --output"

	COMPREPLY=()
	cword=$COMP_CWORD
	cur=${COMP_WORDS[cword]}
	prev=${COMP_WORDS[cword-1]}
	# --opt=value: bash splits at '=' (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		prev=${COMP_WORDS[cword-1]}
		cur=
	elif [[ $prev == = && $cword -ge 2 ]]; then
		prev=${COMP_WORDS[cword-2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi

	# The subcommand: the first word that is not an option or an option's value
	# (options may stand before or after it).
	cmd=
	for ((i = 1; i < cword; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == = ]] && continue
		if [[ " $with_arg " == *" $w "* ]]; then
			[[ ${COMP_WORDS[i+1]} == = ]] && ((i++))
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		if [[ " $commands " == *" $w "* ]]; then
			cmd=$w
			break
		fi
	done

	# The columns of each report (--sort, and -o for ps, map, lib, cgroup).
	local ps_cols="pid user swap uss pss rss command swap_pss ppid frees reclaimable stays frees_swap"
	local group_cols="key procs swap swap_uss frees uss pss rss reclaimable stays frees_swap"
	local map_cols="address size rss pss uss swap anon file shmem thp locked guard mode mapping"
	local lib_cols="procs swap uss pss rss name"
	local cgroup_cols="charged mapped used_by_others cache shmem kernel unexpl borrowed procs cgroup"
	case $prev in
	--sort)
		if [[ $cmd == lib ]]; then
			_truemem_add "$lib_cols" "$cur"
		elif [[ $cmd == top ]]; then
			_truemem_add "pid user swap uss pss rss command frees reclaimable stays frees_swap" "$cur"
		elif [[ $cmd == cgroup ]]; then
			_truemem_add "$cgroup_cols" "$cur"
		else
			_truemem_add "$ps_cols" "$cur"
			[[ " ${COMP_WORDS[*]} " == *" --group-by"* ]] && _truemem_add "key procs swap_uss" "$cur"
		fi
		return 0
		;;
	--mode)
		_truemem_add "auto exact rollup" "$cur"
		return 0
		;;
	--group-by)
		_truemem_add "user program tree cgroup none" "$cur"
		return 0
		;;
	--format)
		_truemem_add "text json jsonl prometheus" "$cur"
		return 0
		;;
	-o | --output)
		if [[ $cmd == ps || $cmd == map || $cmd == lib || $cmd == cgroup ]]; then
			# A comma-separated column list: complete the last element.
			local head= cols=$ps_cols c
			[[ $cmd == ps && " ${COMP_WORDS[*]} " == *" --group-by"* ]] && cols=$group_cols
			[[ $cmd == map ]] && cols=$map_cols
			[[ $cmd == lib ]] && cols=$lib_cols
			[[ $cmd == cgroup ]] && cols=$cgroup_cols
			[[ $cur == *,* ]] && head=${cur%,*},
			for c in $cols; do
				[[ $head$c == "$cur"* ]] && COMPREPLY+=("$head$c")
			done
			return 0
		fi
		;&
	--from)
		# A snapshot is a file or a directory; sim writes only directories.
		compopt -o filenames 2>/dev/null
		if [[ $cmd == sim ]]; then
			_truemem_lines "$cur" < <(compgen -d -- "$cur")
		else
			_truemem_lines "$cur" < <(compgen -f -- "$cur")
		fi
		return 0
		;;
	-p | --pid)
		# A comma-separated list: complete the last element.
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		local pid
		while IFS= read -r pid; do
			[[ $pid == "${cur##*,}"* ]] && COMPREPLY+=("$head$pid")
		done < <(_truemem_pids)
		return 0
		;;
	-u | --user)
		# A comma-separated list of user names: complete the last element.
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		local u
		while IFS= read -r u; do
			COMPREPLY+=("$head$u")
		done < <(compgen -u -- "${cur##*,}")
		return 0
		;;
	--filter | --interval | --count | -n | --delay | -d)
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		local common="--json --from --mode --sort --reverse -p --pid -u --user --filter --bytes -h --help"
		local opts
		case $cmd in
		'') opts="$common --group-by -V --version" ;;
		top) opts="-d --delay -n --count --group-by --tree --from --mode --sort --reverse -p --pid -u --user --filter --bytes -h --help" ;;
		ps) opts="$common --group-by --tree --jsonl --interval --count -n --format --no-headers --no-totals -o --output" ;;
		map) opts="-X --json --from --mode --bytes --no-headers --no-totals -o --output -h --help" ;;
		lib) opts="--json --from --mode --sort --reverse -p --pid -u --user --filter --bytes --no-headers -o --output -h --help" ;;
		sys) opts="--json --from --mode --bytes -h --help" ;;
		cgroup) opts="--tree --json --from --mode --sort --reverse -p --pid --bytes --no-headers -o --output -h --help" ;;
		capture) opts="-o --output --dir --mode -h --help" ;;
		sim) opts="-o --output --trace -h --help" ;;
		diff) opts="--json --mode --group-by --bytes --no-headers -h --help" ;;
		version) opts="--verbose -h --help" ;;
		esac
		_truemem_add "$opts" "$cur"
		return 0
	fi

	case $cmd in
	'')
		_truemem_add "$commands" "$cur"
		;;
	map)
		# One PID or several, as pmap takes them.
		_truemem_add "$(_truemem_pids)" "$cur"
		;;
	ps)
		if [[ $cur == [0-9]* ]]; then
			_truemem_add "$(_truemem_pids)" "$cur"
		else
			_truemem_lines "$cur" < <(_truemem_names)
			# A name may hold blanks ("tmux: server"): quote it as one word.
			for i in "${!COMPREPLY[@]}"; do
				printf -v w '%q' "${COMPREPLY[i]}"
				COMPREPLY[i]=$w
			done
		fi
		;;
	sim | diff)
		# sim: the scenario; diff: snapshots A and B (files or directories).
		compopt -o filenames 2>/dev/null
		_truemem_lines "$cur" < <(compgen -f -- "$cur")
		;;
	esac
	return 0
}

complete -F _truemem truemem
