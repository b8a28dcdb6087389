# fish completion for truemem(1).
# Installed by `make install` as $(PREFIX)/share/fish/vendor_completions.d/truemem.fish.

set -l __truemem_cmds top ps map lib sys cgroup capture sim diff version

# User-space processes: PID and command name (kernel threads have an empty cmdline).
function __truemem_pids
    for d in (string match -r '^/proc/[0-9]+$' /proc/*)
        set -l arg (cat $d/cmdline 2>/dev/null | string split0)[1]
        test -n "$arg"; or continue
        printf '%s\t%s\n' (string replace /proc/ '' $d) (string escape (cat $d/comm 2>/dev/null))
    end
end

# -p/--pid takes a comma-separated list: complete its last element.
function __truemem_pid_list
    set -l tok (commandline -ct | string replace -r '^--pid=' '')
    set -l head (string match -r '^.*,' -- $tok)
    __truemem_pids | string replace -r '^' "$head"
end

function __truemem_names
    for d in (string match -r '^/proc/[0-9]+$' /proc/*)
        set -l arg (cat $d/cmdline 2>/dev/null | string split0)[1]
        test -n "$arg"; or continue
        set -l n (cat $d/comm 2>/dev/null)
        # Names are untrusted: never offer one with control characters.
        string match -qr '[[:cntrl:]]' -- $n; and continue
        echo $n
    end | sort -u
end

# ps takes PIDs and names: PIDs once the word starts with a digit.
function __truemem_ps_targets
    if string match -qr '^[0-9]' -- (commandline -ct)
        __truemem_pids
    else
        __truemem_names
    end
end

# True when the subcommand is one of $argv.
function __truemem_cmd_is
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case --from --mode --group-by --sort -p --pid -u --user --filter --interval --count -n --delay -d --format -o --output
                set skip 1
            case '-*'
            case '*'
                contains -- $w top ps map lib sys cgroup capture sim diff version; and contains -- $w $argv
                return
        end
    end
    return 1
end

complete -c truemem -f

# Subcommands
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a top -d 'interactive view, refreshed'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a ps -d 'one row per process'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a map -d 'one row per mapping of a process (pmap -x)'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a lib -d 'one row per mapped file, summed over processes'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a sys -d '/proc/meminfo reconciled with what processes map'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a cgroup -d 'one row per memory cgroup, explained frame by frame'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a capture -d 'save a page-level snapshot of the system, one compressed file (or a directory)'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a sim -d 'run the paging engine on a scenario'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a diff -d 'what changed between two snapshots'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -a version -d 'print the version (verbose: what the kernel offers)'

# Common options
complete -c truemem -n "not __truemem_cmd_is top capture sim version" -l json -d 'one JSON document (schema truemem/1)'
complete -c truemem -n "not __truemem_cmd_is sim capture diff version" -l from -r -F -d 'read a snapshot file or directory instead of /proc'
complete -c truemem -n "not __truemem_cmd_is sim version" -l mode -x -a 'auto exact rollup' -d 'how pages are counted'
complete -c truemem -n "__truemem_cmd_is lib" -l sort -x -a 'procs swap uss pss rss name' -d 'sort column'
complete -c truemem -n "not __truemem_cmd_is top map lib sys cgroup capture sim diff version" -l sort -x -a 'pid user swap uss pss rss swap_pss ppid command frees reclaimable stays frees_swap key procs swap_uss' -d 'sort column'
complete -c truemem -n "__truemem_cmd_is top" -l sort -x -a 'pid user swap uss pss rss command frees reclaimable stays frees_swap' -d 'sort column'
complete -c truemem -n "__truemem_cmd_is cgroup" -l sort -x -a 'charged mapped used_by_others cache shmem kernel unexpl borrowed procs cgroup' -d 'sort column'
complete -c truemem -n "not __truemem_cmd_is map sys capture sim diff version" -l reverse -d 'reverse the sort order'
complete -c truemem -n "not __truemem_cmd_is map sys capture sim diff version" -s p -l pid -x -a '(__truemem_pid_list)' -d 'only these processes'
complete -c truemem -n "not __truemem_cmd_is map sys cgroup capture sim diff version" -s u -l user -x -a '(__fish_complete_users)' -d 'only processes of these users (name or uid)'
complete -c truemem -n "not __truemem_cmd_is map sys cgroup capture sim diff version" -l filter -x -d 'only processes whose command, command line or user matches (regex)'
complete -c truemem -n "not __truemem_cmd_is capture sim version" -l bytes -d 'raw byte counts instead of KiB/MiB/GiB'
complete -c truemem -n "__truemem_cmd_is ps map lib cgroup diff" -l no-headers -d 'no title lines in the text table'
complete -c truemem -n "__truemem_cmd_is ps map" -l no-totals -d 'no totals row in the text table'
complete -c truemem -s h -l help -d 'show help'
complete -c truemem -n "not __fish_seen_subcommand_from $__truemem_cmds" -s V -l version -d 'print the version'
complete -c truemem -n "not __truemem_cmd_is map lib sys cgroup capture sim version" -l group-by -x -a 'user program tree cgroup none' -d 'one row per group'

# top
complete -c truemem -n "__truemem_cmd_is top" -s d -l delay -x -d 'refresh interval in seconds (default 2)'
complete -c truemem -n "__truemem_cmd_is top ps" -s n -l count -x -d 'number of refreshes (top) or documents (ps --jsonl)'
complete -c truemem -n "__truemem_cmd_is top ps cgroup" -l tree -d 'tree view (ps: with --group-by tree; cgroup: the hierarchy)'

# ps
complete -c truemem -n "__truemem_cmd_is ps" -l jsonl -d 'one JSON document per line, with --interval and --count'
complete -c truemem -n "__truemem_cmd_is ps" -l interval -x -d 'seconds between documents (--jsonl; default 2)'
complete -c truemem -n "__truemem_cmd_is ps" -l format -x -a 'text json jsonl prometheus' -d 'output format (prometheus: text exposition format)'
complete -c truemem -n "__truemem_cmd_is ps" -a '(__truemem_ps_targets)'

# map
complete -c truemem -n "__truemem_cmd_is map" -s X -d 'also anon/file/shmem, huge pages, locked and VmFlags, totalled (pmap -X)'
complete -c truemem -n "__truemem_cmd_is map" -a '(__truemem_pids)'

# capture, sim
# -o COLUMNS: the text table's columns, comma-separated (the last one completed).
function __truemem_columns
    set -l tok (commandline -ct)
    set -l head (string replace -r '[^,]*$' '' -- $tok)
    for c in $argv
        echo $head$c
    end
end
complete -c truemem -n "not __truemem_cmd_is top map lib sys cgroup capture sim diff version" -s o -l output -x -a '(__truemem_columns pid user swap uss pss rss command swap_pss ppid frees reclaimable stays frees_swap key procs swap_uss)' -d 'text table columns, in order'
complete -c truemem -n "__truemem_cmd_is map" -s o -l output -x -a '(__truemem_columns address size rss pss uss swap anon file shmem thp locked guard mode mapping)' -d 'text table columns, in order'
complete -c truemem -n "__truemem_cmd_is lib" -s o -l output -x -a '(__truemem_columns procs swap uss pss rss name)' -d 'text table columns, in order'
complete -c truemem -n "__truemem_cmd_is cgroup" -s o -l output -x -a '(__truemem_columns charged mapped used_by_others cache shmem kernel unexpl borrowed procs cgroup)' -d 'text table columns, in order'
complete -c truemem -n "__truemem_cmd_is sim" -s o -l output -r -f -a '(__fish_complete_directories)' -d 'the snapshot directory to create'
complete -c truemem -n "__truemem_cmd_is capture" -s o -l output -r -F -d 'the snapshot file (or with --dir directory) to create'
complete -c truemem -n "__truemem_cmd_is capture" -l dir -d 'write a directory instead of one file'
complete -c truemem -n "__truemem_cmd_is sim" -l trace -d 'print every fault, copy-on-write, swap-out and swap-in'
complete -c truemem -n "__truemem_cmd_is sim" -F -d 'scenario file'

# version
complete -c truemem -n "__truemem_cmd_is version" -l verbose -d 'also what the running kernel offers truemem'

# diff
complete -c truemem -n "__truemem_cmd_is diff" -F -d 'snapshot file or directory (A, then B)'
