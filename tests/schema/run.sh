#!/bin/sh
# tests/schema/run.sh: every command's --json output (and every --jsonl
# line) validates against share/truemem-1.schema.json, checked by a real
# JSON Schema validator (python3-jsonschema): live in exact and rollup
# mode, and on a snapshot of each engine scenario in tests/golden. Commands
# that this build lacks (truemem --help does not list them) are skipped
# with a SKIP line. Also checks that the validator rejects documents that
# break the schema, so a schema that accepts anything fails here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
TRUEMEM=${TRUEMEM:-$root/build/truemem}
schema=$root/share/truemem-1.schema.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/truemem-schema.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

validate() { /usr/bin/python3 "$here/validate.py" "$@"; }

if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	echo "FAIL schema: python3-jsonschema is not installed (make deps)"
	exit 1
fi

# has COMMAND: whether this build has the command.
has() { "$TRUEMEM" --help 2>/dev/null | grep -q "^  $1 "; }

# Outputs are collected first and validated in one run of the validator
# (its start-up is slow): docs/N.json with its label in docs/N.name.
mkdir "$tmp/docs"
ndocs=0

# check LABEL [--lines] COMMAND...: run it and keep what it printed for validation.
check() {
	label=$1
	shift
	ext=json
	if [ "$1" = --lines ]; then
		ext=jsonl
		shift
	fi
	ndocs=$((ndocs + 1))
	if "$@" >"$tmp/docs/$ndocs.$ext" 2>"$tmp/err"; then
		echo "$label" >"$tmp/docs/$ndocs.name"
	else
		echo "FAIL $label: exit $? ($(head -c 300 "$tmp/err"))"
		rm -f "$tmp/docs/$ndocs.$ext"
		failed=1
	fi
}

# validate_all: validates every kept output, PASS or FAIL by label.
validate_all() {
	set -- "$tmp"/docs/*.json
	[ -e "$1" ] && validate "$schema" "$@" >"$tmp/why.json"
	set -- "$tmp"/docs/*.jsonl
	[ -e "$1" ] && validate --lines "$schema" "$@" >"$tmp/why.jsonl"
	for f in "$tmp"/docs/*.json "$tmp"/docs/*.jsonl; do
		[ -e "$f" ] || continue
		label=$(cat "${f%.*}.name")
		if grep -qF "$f:" "$tmp"/why.*; then
			echo "FAIL $label: $(grep -F "$f:" "$tmp"/why.* | head -3 | cut -c1-400)"
			failed=1
		else
			echo "PASS $label"
		fi
	done
}

# every_command LABEL SOURCE-OPTIONS...: each report command's JSON from one source.
every_command() {
	src=$1
	shift
	check "$src ps" "$TRUEMEM" ps --json "$@"
	for by in user program tree cgroup; do
		check "$src ps --group-by $by" "$TRUEMEM" ps --json --group-by "$by" "$@"
	done
	check "$src lib" "$TRUEMEM" lib --json "$@"
	check "$src sys" "$TRUEMEM" sys --json "$@"
	if has cgroup; then
		# A snapshot without cgroup files (an engine run before cgroups, a
		# capture where no memory controller was) has no cgroup report.
		if [ "$1" = --from ] && [ ! -e "$2/cgroups" ]; then
			echo "SKIP $src cgroup: the snapshot holds no cgroup files"
		else
			check "$src cgroup" "$TRUEMEM" cgroup --json "$@"
		fi
	else
		echo "SKIP $src cgroup: this build has no 'cgroup' command"
	fi
}

# The schema itself is valid draft 2020-12 (check_schema runs in validate.py).
echo '{"schema":"truemem/1","mode":"exact","page_size":4096,"time":"2026-01-01T00:00:00Z","host":"h","libraries":[]}' \
	>"$tmp/min.json"
check "schema accepts a minimal document" cat "$tmp/min.json"

# Live, both modes, and the JSON-lines stream.
for mode in exact rollup; do
	every_command "live $mode" --mode "$mode"
	check "live $mode map" "$TRUEMEM" map $$ --json --mode "$mode"
done
check "live ps --jsonl" --lines "$TRUEMEM" ps --jsonl --interval 0.2 --count 3
# As nobody: other users' processes are unreadable, with the rss statm gives.
nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
check "live ps as nobody" $nobody "$TRUEMEM" ps --json
check "live ps --group-by user as nobody" $nobody "$TRUEMEM" ps --json --group-by user

# Engine snapshots: every golden scenario, every command, map of every process.
for scn in "$root"/tests/golden/*.scn; do
	name=$(basename "$scn" .scn)
	dir=$tmp/$name
	if ! "$TRUEMEM" sim "$scn" -o "$dir" >/dev/null 2>"$tmp/err"; then
		echo "FAIL sim $name: $(head -c 300 "$tmp/err")"
		failed=1
		continue
	fi
	every_command "sim $name" --from "$dir"
	for pid in $(ls "$dir" | grep -E '^[0-9]+$'); do
		check "sim $name map $pid" "$TRUEMEM" map "$pid" --json --from "$dir"
	done
done

# diff: two snapshots of one scenario, before and after more work.
if has diff; then
	cat >"$tmp/a.scn" <<'SCN'
ram 16M
swap 16M
cgroup /app
spawn 10 app uid=1000 cgroup=/app
mmap 10 heap anon private 256K
touch 10 heap write
spawn 20 gone
mmap 20 heap anon private 64K
touch 20 heap write
SCN
	{ cat "$tmp/a.scn"; printf 'cgroup /new\nfork 10 11\nmove 11 /new\ntouch 11 heap write 0 64K\nexit 20\nswapout 10 heap 128K 64K\n'; } >"$tmp/b.scn"
	if "$TRUEMEM" sim "$tmp/a.scn" -o "$tmp/da" >/dev/null && "$TRUEMEM" sim "$tmp/b.scn" -o "$tmp/db" >/dev/null; then
		check "diff" "$TRUEMEM" diff "$tmp/da" "$tmp/db" --json
		check "diff --group-by user" "$TRUEMEM" diff "$tmp/da" "$tmp/db" --json --group-by user
		check "diff (B to A)" "$TRUEMEM" diff "$tmp/db" "$tmp/da" --json
		check "diff --mode rollup" "$TRUEMEM" diff "$tmp/da" "$tmp/db" --json --mode rollup
	else
		echo "FAIL diff: sim failed"
		failed=1
	fi
else
	echo "SKIP diff: this build has no 'diff' command"
fi

# The validator rejects what breaks the schema: each mutation of a valid ps document must fail.
"$TRUEMEM" ps --json --from "$tmp/fork_cow" >"$tmp/good.json" 2>/dev/null
n=0
for mut in '.processes[0].pss = "1"' '.processes[0].rss = -4096' 'del(.totals)' '.schema = "truemem/2"' \
	'.processes[0].anon.uss = 1.5' '.time = "yesterday"' '.processes[0].readable = false' \
	'.mode = "fast"' 'del(.processes[0].pid)' '.groups = []' \
	'.processes[0].readable = false | .processes[0].reason = "Permission denied"' \
	'.processes[0].start_time = "0.02"'; do
	n=$((n + 1))
	jq "$mut" "$tmp/good.json" >"$tmp/bad$n.json"
	echo "$mut" >"$tmp/bad$n.name"
done
validate "$schema" "$tmp"/bad*.json >"$tmp/why.bad"
for f in "$tmp"/bad*.json; do
	if grep -qF "$f:" "$tmp/why.bad"; then
		echo "PASS schema rejects: $(cat "${f%.json}.name")"
	else
		echo "FAIL schema rejects: $(cat "${f%.json}.name")"
		failed=1
	fi
done
validate_all
exit $failed
