/*
 * prometheus.c: the `ps` report as Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), the way
 * fleets collect host metrics through node_exporter's textfile collector.
 * Every number is a gauge in bytes; a number that is not known (rollup
 * mode, an unreadable process) is left out rather than reported as 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

/* Label values escape backslash, double quote and newline; the rest passes as UTF-8. */
static void label_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_add(b, "\\", 1);
		if (*s == '\n')
			buf_addstr(b, "\\n");
		else
			buf_add(b, s, 1);
	}
}

struct prom_metric {
	const char *name;
	const char *help;
	unsigned need;
	uint64_t (*get)(const struct mem_counts *c);
};

static uint64_t get_rss(const struct mem_counts *c) { return c->rss_bytes; }
static uint64_t get_pss(const struct mem_counts *c) { return pss_bytes(c->pss); }
static uint64_t get_uss(const struct mem_counts *c) { return c->uss_bytes; }
static uint64_t get_swap(const struct mem_counts *c) { return c->swap_bytes; }
static uint64_t get_swap_pss(const struct mem_counts *c) { return pss_bytes(c->swap_pss); }
static uint64_t get_swap_uss(const struct mem_counts *c) { return c->swap_uss_bytes; }

static const struct prom_metric metrics[] = {
	{ "rss", "Resident memory: every resident page once, shared or not", CNT_RSS, get_rss },
	{ "pss", "Proportional set size: each resident page divided among the processes mapping it", CNT_PSS, get_pss },
	{ "uss", "Unique set size: resident pages mapped by nothing else (freed on exit)", CNT_USS, get_uss },
	{ "swap", "Swapped-out pages", CNT_SWAP, get_swap },
	{ "swap_pss", "Swapped-out pages, each divided among the page tables holding it", CNT_SWAP_PSS, get_swap_pss },
	{ "swap_uss", "Swapped-out pages held by nothing outside the group", CNT_SWAP_USS, get_swap_uss },
};

static void family_header(struct buf *b, const char *scope, const struct prom_metric *m)
{
	buf_addf(b, "# HELP truemem_%s_%s_bytes %s.\n# TYPE truemem_%s_%s_bytes gauge\n", scope, m->name, m->help,
		 scope, m->name);
}

static void write_procs(struct buf *b, const struct ps_rows *rows)
{
	for (size_t m = 0; m < ARRAY_SIZE(metrics); m++) {
		if (metrics[m].need == CNT_SWAP_USS)
			continue;
		family_header(b, "process", &metrics[m]);
		for (size_t i = 0; i < rows->n; i++) {
			const struct proc *p = rows->p[i];

			if ((p->counts.valid & metrics[m].need) != metrics[m].need)
				continue;
			buf_addf(b, "truemem_process_%s_bytes{pid=\"%d\",comm=\"", metrics[m].name, (int)p->id.pid);
			label_escape(b, p->id.comm);
			buf_addstr(b, "\",user=\"");
			label_escape(b, p->id.user);
			buf_addf(b, "\"} %" PRIu64 "\n", metrics[m].get(&p->counts));
		}
	}
}

static void write_groups(struct buf *b, const struct scan *sc)
{
	buf_addstr(b, "# HELP truemem_group_processes Processes in the group.\n"
		   "# TYPE truemem_group_processes gauge\n");
	for (size_t g = 0; g < sc->ngroups; g++) {
		buf_addf(b, "truemem_group_processes{group_by=\"%s\",key=\"", group_by_names[sc->group_by]);
		label_escape(b, sc->groups[g].key);
		buf_addf(b, "\"} %zu\n", sc->groups[g].npids);
	}
	for (size_t m = 0; m < ARRAY_SIZE(metrics); m++) {
		if (metrics[m].need == CNT_SWAP_PSS)
			continue;
		family_header(b, "group", &metrics[m]);
		for (size_t g = 0; g < sc->ngroups; g++) {
			const struct group *gr = &sc->groups[g];

			if ((gr->counts.valid & metrics[m].need) != metrics[m].need)
				continue;
			buf_addf(b, "truemem_group_%s_bytes{group_by=\"%s\",key=\"", metrics[m].name,
				 group_by_names[sc->group_by]);
			label_escape(b, gr->key);
			buf_addf(b, "\"} %" PRIu64 "\n", metrics[m].get(&gr->counts));
		}
	}
}

int prom_write_ps(FILE *f, const struct scan *sc, const struct ps_rows *rows)
{
	struct buf b = BUF_INIT;
	int rc;

	buf_addf(&b, "# HELP truemem_exact Whether the figures come from the exact page walk (1) or smaps_rollup (0).\n"
		 "# TYPE truemem_exact gauge\ntruemem_exact %d\n", sc->mode == MODE_EXACT);
	buf_addf(&b, "# HELP truemem_scan_seconds Wall time of the scan.\n# TYPE truemem_scan_seconds gauge\n"
		 "truemem_scan_seconds %.6f\n", sc->cost_ms / 1000.0);
	buf_addf(&b, "# HELP truemem_processes Processes in the report.\n# TYPE truemem_processes gauge\n"
		 "truemem_processes %zu\n", rows->n);
	for (size_t m = 0; m < ARRAY_SIZE(metrics); m++) {
		if ((sc->totals.valid & metrics[m].need) != metrics[m].need || metrics[m].need == CNT_SWAP_PSS)
			continue;
		family_header(&b, "total", &metrics[m]);
		buf_addf(&b, "truemem_total_%s_bytes %" PRIu64 "\n", metrics[m].name, metrics[m].get(&sc->totals));
	}
	if (sc->group_by != GROUP_NONE)
		write_groups(&b, sc);
	else
		write_procs(&b, rows);
	rc = fwrite(b.buf, 1, b.len, f) == b.len ? 0 : -1;
	buf_release(&b);
	return rc;
}
