/*
 * main.c: the truemem command line. Parses the common options of SPEC
 * section 1 once (options may stand before or after the subcommand), then
 * hands a struct cli_opts to the subcommand. Exit codes: 0 ok, 1 runtime
 * error, 2 usage error.
 */
#include <getopt.h>
#include <malloc.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "view.h"

enum {
	C_TOP = 1 << 0, C_PS = 1 << 1, C_MAP = 1 << 2, C_LIB = 1 << 3, C_SYS = 1 << 4,
	C_CAPTURE = 1 << 5, C_SIM = 1 << 6, C_VERSION = 1 << 7, C_DIFF = 1 << 8, C_CGROUP = 1 << 9,
	C_REPORTS = C_TOP | C_PS | C_MAP | C_LIB | C_SYS | C_CGROUP,
};

struct command {
	const char *name;
	int (*fn)(const struct cli_opts *o);
	unsigned bit;        /* C_* */
	const char *usage;   /* after "truemem NAME" */
	const char *summary;
	const struct column_table *table;   /* the columns --sort (and -o) name, or NULL */
};

static const struct command commands[] = {
	{ "top", cmd_top, C_TOP, "[OPTIONS]", "interactive view, refreshed (the default on a terminal)", &ps_table },
	{ "ps", cmd_ps, C_PS, "[OPTIONS] [PID|NAME ...]", "one row per process (the default when not on a terminal)", &ps_table },
	{ "map", cmd_map, C_MAP, "PID... [OPTIONS]", "one row per mapping of a process, with totals (pmap -x)", &map_table },
	{ "lib", cmd_lib, C_LIB, "[OPTIONS] [NAME ...]",
	  "one row per mapped file or shared memory object, summed over processes", &lib_table },
	{ "sys", cmd_sys, C_SYS, "[OPTIONS]", "/proc/meminfo reconciled; in exact mode, every frame of RAM classified", NULL },
	{ "cgroup", cmd_cgroup, C_CGROUP, "[OPTIONS] [PATH ...]",
	  "one row per memory cgroup: what the kernel charges it, explained frame by frame", &cgroup_table },
	{ "capture", cmd_capture, C_CAPTURE, "-o PATH [--dir] [OPTIONS]",
	  "save a page-level snapshot of the system, one compressed file (or a directory)", NULL },
	{ "sim", cmd_sim, C_SIM, "SCRIPT -o DIR [--trace]",
	  "run the paging engine on a scenario, write a snapshot and truth.json", NULL },
	{ "diff", cmd_diff, C_DIFF, "A B [OPTIONS]",
	  "what changed between two snapshots: processes, groups, census (B - A)", NULL },
	{ "version", cmd_version, C_VERSION, "[--verbose]",
	  "print the version (verbose: what the running kernel offers truemem)", NULL },
};

enum {
	OPT_JSON = 256, OPT_JSONL, OPT_FROM, OPT_MODE, OPT_GROUP_BY, OPT_SORT, OPT_REVERSE, OPT_FILTER,
	OPT_BYTES, OPT_VERSION, OPT_INTERVAL, OPT_COUNT, OPT_FORMAT, OPT_TREE, OPT_TRACE, OPT_VERBOSE,
	OPT_NO_HEADERS, OPT_NO_TOTALS, OPT_DIR,
};

/*
 * Every option, the commands that take it, and its help line: the parser
 * refuses an option where its command does not take it, and each
 * command's --help lists exactly its own (an option may have one line per
 * meaning, as -n has for top and ps).
 */
struct opt_doc {
	int id;
	unsigned cmds;
	const char *help;
};

static const struct opt_doc opt_docs[] = {
	{ OPT_JSON, C_PS | C_MAP | C_LIB | C_SYS | C_DIFF | C_CGROUP, "      --json            one JSON document (schema truemem/1) on stdout" },
	{ OPT_JSONL, C_PS, "      --jsonl           one JSON document per line, with --interval and --count" },
	{ OPT_INTERVAL, C_PS, "      --interval SECONDS  time between --jsonl documents (default 2)" },
	{ 'n', C_PS, "  -n, --count N         number of --jsonl documents (default: until interrupted)" },
	{ OPT_FORMAT, C_PS, "      --format FORMAT   text, json, jsonl or prometheus" },
	{ 'd', C_TOP, "  -d, --delay SECONDS   refresh interval (default 2)" },
	{ 'n', C_TOP, "  -n, --count N         exit after N refreshes" },
	{ OPT_FROM, C_REPORTS,
	  "      --from PATH       read a snapshot file or directory (capture, sim) instead of /proc" },
	{ OPT_MODE, C_REPORTS | C_CAPTURE | C_DIFF,
	  "      --mode MODE       exact (page walk, needs CAP_SYS_ADMIN), rollup (smaps_rollup) or auto" },
	{ OPT_GROUP_BY, C_TOP | C_PS | C_DIFF, "      --group-by KEY    user, program, tree or cgroup (one row per group)" },
	{ OPT_TREE, C_TOP | C_PS, "      --tree            with --group-by tree: each tree's processes, indented" },
	{ OPT_TREE, C_CGROUP, "      --tree            each cgroup indented under its parent" },
	{ OPT_SORT, C_TOP, "      --sort COLUMN     pid, user, swap, uss, pss, rss, command, or in exact mode frees,\n"
	  "                        reclaimable, stays or frees_swap (shown while sorted by)" },
	{ OPT_SORT, C_PS, "      --sort COLUMN     pid, user, swap, uss, pss, rss, swap_pss, ppid, command, frees,\n"
	  "                        reclaimable, stays or frees_swap (groups: Columns below; -COLUMN descending)" },
	{ OPT_SORT, C_LIB, "      --sort COLUMN     procs, swap, uss, pss, rss or name" },
	{ OPT_SORT, C_CGROUP, "      --sort COLUMN     charged, mapped, used_by_others, cache, shmem, kernel, unexpl,\n"
	  "                        borrowed, procs or cgroup (default charged)" },
	{ OPT_REVERSE, C_TOP | C_PS | C_LIB | C_CGROUP, "      --reverse         reverse the sort order" },
	{ 'p', C_TOP | C_PS | C_LIB, "  -p, --pid PID[,PID]   only these processes" },
	{ 'p', C_CGROUP, "  -p, --pid PID[,PID]   only the cgroups holding these processes" },
	{ 'u', C_TOP | C_PS | C_LIB, "  -u, --user USER[,USER]  only processes of these users (name or uid)" },
	{ OPT_FILTER, C_TOP | C_PS | C_LIB,
	  "      --filter REGEX    only processes whose command, command line or user matches" },
	{ OPT_BYTES, C_REPORTS | C_DIFF, "      --bytes           raw byte counts instead of KiB/MiB/GiB" },
	{ OPT_NO_HEADERS, C_PS | C_MAP | C_LIB | C_DIFF | C_CGROUP, "      --no-headers      no title lines in the text table" },
	{ OPT_NO_TOTALS, C_PS | C_MAP, "      --no-totals       no totals row in the text table" },
	{ 'X', C_MAP, "  -X                    also anon/file/shmem, huge pages, locked and VmFlags, totalled (pmap -X)" },
	{ 'o', C_PS | C_MAP | C_LIB | C_CGROUP,
	  "  -o, --output COLUMNS  the text table's columns, in this order (comma-separated: Columns below)" },
	{ 'o', C_CAPTURE, "  -o, --output PATH     the snapshot file to create (must not exist)" },
	{ OPT_DIR, C_CAPTURE,
	  "      --dir             write a directory instead (PATH must not exist, or be empty)" },
	{ 'o', C_SIM, "  -o, --output DIR      the snapshot directory to create" },
	{ OPT_TRACE, C_SIM, "      --trace           print every fault, copy-on-write, swap-out and swap-in" },
	{ OPT_VERBOSE, C_VERSION,
	  "      --verbose         also what the running kernel offers: one 'key: value' line each" },
};

static const char tail_help[] = "  -h, --help            this help\n";

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The commands (C_* mask) that take option id. */
static unsigned opt_cmds(int id)
{
	unsigned m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(opt_docs); i++)
		if (opt_docs[i].id == id)
			m |= opt_docs[i].cmds;
	return m;
}

/* Prints the help lines of the options any command in mask takes, each once. */
static void print_options(FILE *f, unsigned mask)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_docs); i++) {
		bool dup = false;

		if (!(opt_docs[i].cmds & mask))
			continue;
		for (size_t k = 0; k < i && !dup; k++)
			dup = (opt_docs[k].cmds & mask) && !strcmp(opt_docs[k].help, opt_docs[i].help);
		if (!dup)
			fprintf(f, "%s\n", opt_docs[i].help);
	}
	fputs(tail_help, f);
}

/* The column names -o and --sort take, as --help lists them. */
static void print_columns(FILE *f, const struct command *c)
{
	char names[512];

	column_names(c->table, names, sizeof(names));
	fprintf(f, "\nColumns (-o%s):\n  %s\n", opt_cmds(OPT_SORT) & c->bit ? ", --sort" : "", names);
	if (c->bit == C_PS) {
		column_names(&group_table, names, sizeof(names));
		fprintf(f, "With --group-by:\n  %s\n", names);
	}
}

static void usage(FILE *f, const struct command *c)
{
	if (c) {
		fprintf(f, "Usage: truemem %s %s\n%s.\n\nOptions:\n", c->name, c->usage, c->summary);
		print_options(f, c->bit);
		if (c->table && c->bit != C_TOP)
			print_columns(f, c);
		return;
	}
	fputs("Usage: truemem [COMMAND] [OPTIONS]\n"
	      "How much memory each process, program, user or process tree really uses:\n"
	      "unique (USS), proportional (PSS) and swapped bytes, page by page.\n\nCommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -h, --help            this help; truemem COMMAND --help lists a command's options\n"
	      "  -V, --version         print the version\n"
	      "\nExit status: 0 ok, 1 runtime error, 2 usage error.\nSee truemem(1).\n", f);
}


static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "jsonl", no_argument, NULL, OPT_JSONL },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "group-by", required_argument, NULL, OPT_GROUP_BY },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "pid", required_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'u' },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "count", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "output", required_argument, NULL, 'o' },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "no-headers", no_argument, NULL, OPT_NO_HEADERS },
	{ "no-totals", no_argument, NULL, OPT_NO_TOTALS },
	{ "dir", no_argument, NULL, OPT_DIR },
	{ NULL, 0, NULL, 0 },
};

/* Index of name in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 86400)
		return false;
	*out = v;
	return true;
}

static int parse_pids(struct cli_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		pid_t pid;

		if (!str_to_pid(t, &pid)) {
			cli_error("'%s' is not a process id", t);
			free(copy);
			return -1;
		}
		o->pids = xrealloc(o->pids, (o->npids + 1) * sizeof(*o->pids));
		o->pids[o->npids++] = pid;
	}
	free(copy);
	if (!o->npids) {
		cli_error("-p needs a process id");
		return -1;
	}
	return 0;
}

/*
 * -u USER[,USER]: names or uids, as ps -u takes them. A name is checked
 * against the local accounts only for the live system (a snapshot has its
 * own). Returns 0 or 2.
 */
static int parse_users(struct cli_opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	size_t before = o->nusers;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		o->users = xrealloc(o->users, (o->nusers + 1) * sizeof(*o->users));
		o->users[o->nusers++] = xstrdup(t);
	}
	free(copy);
	if (o->nusers == before) {
		cli_error("-u needs a user name or id");
		return 2;
	}
	return 0;
}

/* Every -u name that is not a number must be an account here, unless a snapshot is read. Returns 0 or 2. */
static int check_users(const struct cli_opts *o)
{
	for (size_t i = 0; i < o->nusers && !o->from; i++) {
		uint64_t v;

		if (!str_to_u64(o->users[i], &v) && !getpwnam(o->users[i])) {
			cli_error("no user named '%s'", o->users[i]);
			return 2;
		}
	}
	return 0;
}

/*
 * Sets the output format; a second option that asks for another one
 * (--json --format prometheus) is a usage error. Returns 0 or 2.
 */
static int set_format(struct cli_opts *o, enum out_format f, const char *opt)
{
	static const char *const names[] = { "text", "JSON", "JSON lines", "Prometheus" };

	if (o->format_opt && o->format != f) {
		cli_error("%s (%s) conflicts with %s (%s): pick one output format", opt, names[f], o->format_opt,
			  names[o->format]);
		return 2;
	}
	o->format = f;
	o->format_opt = opt;
	return 0;
}

/* Applies one option. Returns 0, or 2 for a usage error (already reported). */
static int apply_option(struct cli_opts *o, int c, const char *arg)
{
	uint64_t v;
	int i;

	switch (c) {
	case OPT_JSON: return set_format(o, OUT_JSON, "--json");
	case OPT_JSONL: return set_format(o, OUT_JSONL, "--jsonl");
	case OPT_FROM: o->from = arg; return 0;
	case OPT_REVERSE: o->reverse = true; return 0;
	case OPT_BYTES: o->bytes = true; return 0;
	case OPT_TREE: o->tree = true; return 0;
	case OPT_TRACE: o->trace = true; return 0;
	case OPT_VERBOSE: o->verbose = true; return 0;
	case OPT_NO_HEADERS: o->no_headers = true; return 0;
	case OPT_NO_TOTALS: o->no_totals = true; return 0;
	case OPT_DIR: o->dir = true; return 0;
	case 'X': o->extended = true; return 0;
	case 'o': o->output = arg; return 0;
	case 'p': return parse_pids(o, arg) < 0 ? 2 : 0;
	case 'u': return parse_users(o, arg);
	case OPT_MODE:
		if ((i = name_index(scan_mode_names, 3, arg)) < 0)
			break;
		o->mode = (enum scan_mode)i;
		return 0;
	case OPT_GROUP_BY:
		if ((i = name_index(group_by_names, GROUP_COUNT, arg)) < 0)
			break;
		o->group_by = (enum group_by)i;
		return 0;
	case OPT_SORT:   /* checked once the command is known (resolve_sort): its columns */
		o->sort_arg = arg;
		return 0;
	case OPT_FORMAT: {
		static const char *const formats[] = { "text", "json", "jsonl", "prometheus" };

		if ((i = name_index(formats, 4, arg)) < 0)
			break;
		return set_format(o, (enum out_format)i, "--format");
	}
	case OPT_FILTER: {
		int rc;

		if (o->have_filter) {   /* the last --filter wins */
			regfree(&o->filter);
			o->have_filter = false;
		}
		rc = filter_compile(&o->filter, arg);

		if (rc) {
			char msg[128];

			regerror(rc, &o->filter, msg, sizeof(msg));
			cli_error("bad --filter regular expression '%s': %s", arg, msg);
			return 2;
		}
		o->have_filter = true;
		return 0;
	}
	case OPT_INTERVAL:
	case 'd':
		if (!parse_seconds(arg, &o->interval))
			break;
		return 0;
	case 'n':
		if (!str_to_u64(arg, &v) || v == 0 || v > 1000000000)
			break;
		o->count = (long)v;
		return 0;
	default:
		return 2;
	}
	cli_error("invalid value '%s' for %s", arg, c == 'p' ? "-p" : c == 'd' ? "-d" : c == 'n' ? "--count" :
		  c == OPT_MODE ? "--mode (exact, rollup or auto)" :
		  c == OPT_GROUP_BY ? "--group-by (user, program, tree or cgroup)" :
		  c == OPT_FORMAT ? "--format (text, json, jsonl or prometheus)" : "--interval");
	return 2;
}

/* Says that cmd has no column name (for opt), and which it has. Returns 2. */
static int no_such_column(const struct command *cmd, const struct column_table *t, const char *opt,
			  const char *arg, const char *name)
{
	char names[512];

	column_names(t, names, sizeof(names));
	cli_error("invalid value '%s' for %s: '%s' has no column '%s' (%s)", arg, opt, t->report, name, names);
	fprintf(stderr, "Try 'truemem %s --help'.\n", cmd->name);
	return 2;
}

/*
 * Resolves --sort against the columns of cmd. procps: -COLUMN sorts
 * descending (largest, Z first), +COLUMN ascending. ps --group-by orders
 * its groups by the group column of that name, and by pss for a process
 * column groups do not have (pid, user, ...). Returns 0 or 2.
 */
static int resolve_sort(struct cli_opts *o, const struct command *cmd)
{
	const char *arg = o->sort_arg, *name;
	const struct column_table *t = cmd->table;
	bool asc = false;

	if (!arg)
		return 0;
	name = arg + (arg[0] == '-' || arg[0] == '+');
	if (!t) {
		cli_error("'%s' does not take --sort", cmd->name);
		return 2;
	}
	o->sort_col = column_find(t, name);
	if (o->sort_col >= 0)
		asc = t->cols[o->sort_col].ascending;
	if (cmd->bit == C_PS && o->group_by != GROUP_NONE) {
		o->group_sort_col = column_find(&group_table, name);
		if (o->group_sort_col < 0 && o->sort_col >= 0)
			o->group_sort_col = group_column_of((enum ps_col)o->sort_col);
		else if (o->sort_col < 0 && o->group_sort_col >= 0)
			asc = group_columns[o->group_sort_col].ascending;
		if (o->group_sort_col < 0)
			return no_such_column(cmd, &group_table, "--sort", arg, name);
	} else if (o->sort_col < 0) {
		return no_such_column(cmd, t, "--sort", arg, name);
	}
	o->sort_flip = (arg[0] == '-' && asc) || (arg[0] == '+' && !asc);
	return 0;
}

/*
 * Resolves -o COLUMNS against the columns of cmd (ps --group-by: the group
 * table's) into o->columns. -o shapes the text table only: JSON keeps its
 * schema (procps: -o is a text layout), so -o with another format is a
 * usage error. Returns 0 or 2.
 */
static int resolve_output(struct cli_opts *o, const struct command *cmd)
{
	const struct column_table *t = cmd->bit == C_PS && o->group_by != GROUP_NONE ? &group_table : cmd->table;
	char bad[64];
	int n;

	if (!o->output || !t || cmd->bit == C_TOP)
		return 0;
	if (o->format != OUT_TEXT) {
		cli_error("-o shapes the text table; %s output keeps its schema (leave out -o)", o->format_opt);
		fprintf(stderr, "Try 'truemem %s --help'.\n", cmd->name);
		return 2;
	}
	o->columns = xcalloc((size_t)t->n * 4 + 2, sizeof(*o->columns));
	n = column_list_parse(t, o->output, o->columns, t->n * 4, bad, sizeof(bad));
	if (n == -2) {
		cli_error("-o names more than %d columns", t->n * 4);
		return 2;
	}
	if (n < 0)
		return no_such_column(cmd, t, "-o", o->output, bad);
	o->columns[n] = -1;
	return 0;
}

/* The option's name as a user would write it, for messages. */
static const char *opt_name(int id)
{
	static char s[32];

	for (size_t i = 0; long_options[i].name; i++)
		if (long_options[i].val == id) {
			snprintf(s, sizeof(s), "--%s", long_options[i].name);
			return s;
		}
	snprintf(s, sizeof(s), "-%c", id);
	return s;
}

/* Refuses the options cmd does not take. Returns 0, or 2 after saying which. */
static int check_options(const struct command *cmd, const int *seen, size_t nseen)
{
	for (size_t i = 0; i < nseen; i++) {
		if (opt_cmds(seen[i]) & cmd->bit)
			continue;
		cli_error("'%s' does not take %s", cmd->name, opt_name(seen[i]));
		fprintf(stderr, "Try 'truemem %s --help'.\n", cmd->name);
		return 2;
	}
	return 0;
}

/* After a usage error: points to the help of the command named on the command line (its first word that is one). */
static void usage_hint(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && command_find(argv[i])) {
			fprintf(stderr, "Try 'truemem %s --help'.\n", argv[i]);
			return;
		}
	fputs("Try 'truemem --help'.\n", stderr);
}

/*
 * Parses the command line into o and *cmd (the default command when none
 * is named). Returns -1 to run the command, or the exit status when done
 * already (--help, --version, a usage error, reported).
 */
static int parse_args(int argc, char **argv, struct cli_opts *o, const struct command **cmd)
{
	int *seen = xmalloc(((size_t)argc + 1) * sizeof(*seen));
	size_t nseen = 0;
	bool help = false;
	int c, rc = -1;

	opterr = 0;
	while (rc < 0 && (c = getopt_long(argc, argv, ":hVp:u:o:d:n:X", long_options, NULL)) != -1) {
		if (c == 'h') {
			help = true;
		} else if (c == OPT_VERSION || c == 'V') {
			printf("truemem %s\n", TRUEMEM_VERSION);
			rc = 0;
		} else if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];

			if (c == ':')
				cli_error("option '%s' needs a value", what);
			else
				cli_error("unknown option '%s'", optopt ? (char[]){ '-', (char)optopt, 0 } : what);
			usage_hint(argc, argv);
			rc = 2;
		} else if ((rc = apply_option(o, c, optarg)) != 0) {
			usage_hint(argc, argv);
			break;
		} else {
			rc = -1;
			seen[nseen++] = c;
		}
	}
	if (rc < 0 && optind < argc) {
		if (!(*cmd = command_find(argv[optind]))) {
			cli_error("unknown command '%s'", argv[optind]);
			fputs("Try 'truemem --help'.\n", stderr);
			rc = 2;
		}
		optind++;
	}
	if (rc < 0 && help) {
		usage(stdout, *cmd);
		rc = 0;
	}
	if (rc < 0 && !*cmd)
		*cmd = command_find(isatty(STDOUT_FILENO) && o->format == OUT_TEXT ? "top" : "ps");
	if (rc < 0 && check_options(*cmd, seen, nseen))
		rc = 2;
	if (rc < 0 && check_users(o)) {
		fprintf(stderr, "Try 'truemem %s --help'.\n", (*cmd)->name);
		rc = 2;
	}
	if (rc < 0 && resolve_sort(o, *cmd))
		rc = 2;
	if (rc < 0 && resolve_output(o, *cmd))
		rc = 2;
	o->reverse ^= o->sort_flip;
	free(seen);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli_opts o = { .sort_col = -1, .group_sort_col = -1, .interval = -1, .count = -1, .mode = MODE_AUTO };
	const struct command *cmd = NULL;
	int rc;

	/*
	 * Blocks of 128 KiB and more (the mappings of a process with thousands,
	 * the text they are parsed from) are mapped apart and given back when
	 * freed. Fixing the threshold keeps glibc from raising it, which would
	 * leave them held in each reader thread's arena once freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	o.no_color = getenv("NO_COLOR") || (getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	rc = parse_args(argc, argv, &o, &cmd);
	if (rc < 0) {
		o.cmd = cmd->name;
		o.args = argv + optind;
		o.nargs = argc - optind;
		rc = cmd->fn(&o);
		if (fflush(stdout) != 0 && rc == 0) {
			cli_error("cannot write to standard output");
			rc = 1;
		}
	}
	if (o.have_filter)
		regfree(&o.filter);
	free(o.pids);
	free(o.columns);
	for (size_t i = 0; i < o.nusers; i++)
		free(o.users[i]);
	free(o.users);
	return rc;
}
