// SPDX-License-Identifier: GPL-2.0
/*
 * Rank 0's output: a table per round, or (--json) one JSON object whose
 * "rounds" array gets an element per round as the round ends.  The keys
 * are listed in v3share.1 (JSON OUTPUT).
 */
#include <string.h>

#include "v3share.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static double mib(uint64_t pages)
{
	return pages * (double)V3S_PAGE_SIZE / (1024 * 1024);
}

static uint64_t sum_of(const struct v3s_round *r, size_t off)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < r->nranks; i++)
		s += *(const uint64_t *)((const char *)&r->nodes[i] + off);
	return s;
}

#define SUM(r, field)	sum_of(r, offsetof(struct v3s_node, field))

/* a name for the table: printable characters, at most 16 */
static void table_name(char *out, const char *name)
{
	int i;

	for (i = 0; i < 16 && name[i]; i++)
		out[i] = name[i] > ' ' && name[i] < 127 ? name[i] : '?';
	out[i] = '\0';
}

static void table_line(FILE *f, const char *what, uint64_t pages,
		       uint64_t all)
{
	fprintf(f, "  %-34s %12llu %6.2f%% %11.1f MiB\n", what,
		(unsigned long long)pages, pct(pages, all), mib(pages));
}

static void table_machine(FILE *f, const struct v3s_machine *m)
{
	fprintf(f, "%-36s %12s %7s %15s\n", "machine-wide", "pages", "%",
		"size");
	table_line(f, "guest pages", m->pages, m->pages);
	table_line(f, "zero pages", m->zero, m->pages);
	table_line(f, "unique (content has one copy)", m->unique, m->pages);
	table_line(f, "shared within one node only", m->within_only,
		   m->pages);
	table_line(f, "shared across nodes", m->across, m->pages);
	table_line(f, "duplicate (pages - distinct)", m->duplicate,
		   m->pages);
	fprintf(f, "  %-34s %12llu\n", "distinct contents",
		(unsigned long long)m->distinct);
	fprintf(f, "  %-34s %12llu\n", "distinct contents on >= 2 nodes",
		(unsigned long long)m->multi_node);
}

static void table_nodes(FILE *f, const struct v3s_round *r)
{
	const struct v3s_node *n;
	char name[17];
	int i;

	fprintf(f, "per node\n  %4s %-16s %12s %12s %10s %12s %12s %7s %12s\n",
		"rank", "node", "pages", "distinct", "zero", "within",
		"elsewhere", "%", "sent bytes");
	for (i = 0; i < r->nranks; i++) {
		n = &r->nodes[i];
		table_name(name, n->name);
		fprintf(f, "  %4d %-16s %12llu %12llu %10llu %12llu %12llu %6.2f%% %12llu\n",
			i, name, (unsigned long long)n->pages,
			(unsigned long long)n->distinct,
			(unsigned long long)n->zero,
			(unsigned long long)n->within,
			(unsigned long long)n->elsewhere,
			pct(n->elsewhere, n->pages),
			(unsigned long long)(n->sent_bytes + n->held_bytes));
	}
}

void v3s_report_table(FILE *f, const struct v3s_round *r)
{
	fprintf(f, "v3share: round %d of %d: %d node%s, %.4f s (exchange %.4f s), %llu records, %llu bytes sent\n",
		r->round, r->rounds, r->nranks, r->nranks == 1 ? "" : "s",
		r->time_s, r->exchange_s,
		(unsigned long long)SUM(r, records),
		(unsigned long long)(SUM(r, sent_bytes) + SUM(r, held_bytes)));
	table_machine(f, &r->m);
	table_nodes(f, r);
	fflush(f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_u64(FILE *f, const char *key, uint64_t v, bool last)
{
	fprintf(f, "\"%s\": %llu%s", key, (unsigned long long)v,
		last ? "" : ", ");
}

void v3s_json_begin(FILE *f, int nranks, int rounds)
{
	fprintf(f, "{\"tool\": \"v3share\", \"version\": 1, \"ranks\": %d, \"rounds_asked\": %d, \"page_size\": %d, \"partition\": \"splitmix64\", \"rounds\": [",
		nranks, rounds, V3S_PAGE_SIZE);
}

static void json_machine(FILE *f, const struct v3s_machine *m)
{
	fprintf(f, "  \"machine\": {");
	json_u64(f, "pages", m->pages, false);
	json_u64(f, "distinct", m->distinct, false);
	json_u64(f, "zero", m->zero, false);
	json_u64(f, "unique", m->unique, false);
	json_u64(f, "shared_within_only", m->within_only, false);
	json_u64(f, "shared_across", m->across, false);
	json_u64(f, "distinct_multi_node", m->multi_node, false);
	json_u64(f, "duplicate", m->duplicate, true);
	fprintf(f, "},\n");
}

static void json_node(FILE *f, int rank, const struct v3s_node *n)
{
	fprintf(f, "   {\"rank\": %d, \"node\": ", rank);
	json_str(f, n->name);
	fprintf(f, ", ");
	json_u64(f, "pages", n->pages, false);
	json_u64(f, "distinct", n->distinct, false);
	json_u64(f, "zero", n->zero, false);
	json_u64(f, "shared_within", n->within, false);
	json_u64(f, "held_elsewhere", n->elsewhere, false);
	json_u64(f, "held_elsewhere_contents", n->elsewhere_contents, false);
	fprintf(f, "\"held_elsewhere_pct\": %.2f, ",
		pct(n->elsewhere, n->pages));
	json_u64(f, "records", n->records, false);
	json_u64(f, "sent_bytes", n->sent_bytes, false);
	json_u64(f, "held_bytes", n->held_bytes, true);
	fprintf(f, "}");
}

void v3s_json_round(FILE *f, const struct v3s_round *r)
{
	int i;

	fprintf(f, "%s\n {\"round\": %d, \"time_s\": %.6f, \"exchange_s\": %.6f, ",
		r->round > 1 ? "," : "", r->round, r->time_s, r->exchange_s);
	json_u64(f, "records", SUM(r, records), false);
	json_u64(f, "sent_bytes", SUM(r, sent_bytes), false);
	json_u64(f, "held_bytes", SUM(r, held_bytes), true);
	fprintf(f, ",\n");
	json_machine(f, &r->m);
	fprintf(f, "  \"nodes\": [\n");
	for (i = 0; i < r->nranks; i++) {
		json_node(f, i, &r->nodes[i]);
		fprintf(f, "%s\n", i + 1 < r->nranks ? "," : "]}");
	}
	fflush(f);
}

void v3s_json_end(FILE *f)
{
	fprintf(f, "]}\n");
	fflush(f);
}
