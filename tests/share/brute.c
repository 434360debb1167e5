// SPDX-License-Identifier: GPL-2.0
/*
 * brute: the figures v3share prints, by the simplest code there is: every
 * entry of every node in one array, sorted by hash, walked content by
 * content.  Prints a JSON object with v3share's round keys (less the
 * times and bytes); tests/share/run.sh compares the two.
 *
 *   brute --nodes N --dump PATTERN [--round R] [--prev-round P] [--held DIR]
 *
 * --prev-round P: "records" counts the entries that differ from round P's
 * files (else every entry: a first round).  --held DIR writes what
 * v3share --held-elsewhere DIR should write.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dumpio.h"

struct item {
	uint64_t hash;
	int node;
	int which;	/* 0: this round, 1: the previous one */
	struct v3_content_entry e;
};

struct fig {
	uint64_t pages, distinct, zero, within, elsewhere, contents, records;
};

static int cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->node != y->node)
		return x->node - y->node;
	return x->which - y->which;
}

static struct item *items;
static uint64_t nitems;

static void load(const char *pattern, int nodes, int round, int which,
		 struct dump *d)
{
	char path[4096];
	uint64_t i;
	int n;

	for (n = 0; n < nodes; n++) {
		dump_path(path, sizeof(path), pattern, n, round);
		dump_read(path, &d[n]);
		items = realloc(items, (nitems + d[n].h.count + 1) *
				sizeof(*items));
		for (i = 0; i < d[n].h.count; i++) {
			items[nitems].hash = d[n].e[i].hash;
			items[nitems].node = n;
			items[nitems].which = which;
			items[nitems].e = d[n].e[i];
			nitems++;
		}
	}
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * a / b : 0.0;
}

int main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "nodes", 1, NULL, 'N' }, { "dump", 1, NULL, 'd' },
		{ "round", 1, NULL, 'R' }, { "prev-round", 1, NULL, 'P' },
		{ "held", 1, NULL, 'H' }, { NULL, 0, NULL, 0 }
	};
	const char *pattern = NULL, *held = NULL;
	uint64_t pages = 0, distinct = 0, zero = 0, unique = 0, within_only = 0;
	uint64_t across = 0, multi = 0, records = 0, i, j, k, total, cur;
	int nodes = 0, round = 1, prev = 0, c, n;
	struct v3_content_entry **hl;
	struct dump *d, *pd;
	struct fig *f;
	uint64_t *hn;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'N': nodes = atoi(optarg); break;
		case 'd': pattern = optarg; break;
		case 'R': round = atoi(optarg); break;
		case 'P': prev = atoi(optarg); break;
		case 'H': held = optarg; break;
		default: return 2;
		}
	}
	if (!pattern || nodes < 1)
		return 2;
	d = calloc(nodes, sizeof(*d));
	pd = calloc(nodes, sizeof(*pd));
	f = calloc(nodes, sizeof(*f));
	hl = calloc(nodes, sizeof(*hl));
	hn = calloc(nodes, sizeof(*hn));
	load(pattern, nodes, round, 0, d);
	if (prev)
		load(pattern, nodes, prev, 1, pd);
	qsort(items, nitems, sizeof(*items), cmp);

	for (i = 0; i < nitems; i = j) {
		/* the entries of one content: this round's and the previous */
		for (j = i; j < nitems && items[j].hash == items[i].hash; j++)
			;
		/* records: a node's entry that is new, gone or changed */
		for (k = i; k < j; k++) {
			if (k + 1 < j && items[k + 1].node == items[k].node) {
				if (items[k].e.copies != items[k + 1].e.copies)
					f[items[k].node].records++;
				k++;
			} else {
				f[items[k].node].records++;
			}
		}
		total = cur = 0;
		for (k = i; k < j; k++) {
			if (items[k].which)
				continue;
			cur++;
			total += items[k].e.copies;
		}
		if (!cur)
			continue;
		pages += total;
		distinct++;
		if (cur >= 2) {
			across += total;
			multi++;
		} else if (total == 1) {
			unique++;
		} else {
			within_only += total;
		}
		for (k = i; k < j; k++) {
			struct v3_content_entry *e = &items[k].e;
			struct fig *x = &f[items[k].node];

			if (items[k].which)
				continue;
			x->pages += e->copies;
			x->distinct++;
			if (e->flags & V3_CONTENT_ZERO) {
				x->zero += e->copies;
				zero += e->copies;
			}
			if (e->copies >= 2)
				x->within += e->copies;
			if (cur < 2)
				continue;
			x->elsewhere += e->copies;
			x->contents++;
			n = items[k].node;
			hl[n] = realloc(hl[n], (hn[n] + 1) * sizeof(**hl));
			hl[n][hn[n]++] = *e;
		}
	}
	for (n = 0; n < nodes; n++)
		records += f[n].records;

	printf("{\"records\": %llu, \"machine\": {\"pages\": %llu, \"distinct\": %llu, \"zero\": %llu, \"unique\": %llu, \"shared_within_only\": %llu, \"shared_across\": %llu, \"distinct_multi_node\": %llu, \"duplicate\": %llu},\n \"nodes\": [",
	       (unsigned long long)records, (unsigned long long)pages,
	       (unsigned long long)distinct, (unsigned long long)zero,
	       (unsigned long long)unique, (unsigned long long)within_only,
	       (unsigned long long)across, (unsigned long long)multi,
	       (unsigned long long)(pages - distinct));
	for (n = 0; n < nodes; n++) {
		printf("%s\n  {\"rank\": %d, \"node\": \"%s\", \"pages\": %llu, \"distinct\": %llu, \"zero\": %llu, \"shared_within\": %llu, \"held_elsewhere\": %llu, \"held_elsewhere_contents\": %llu, \"held_elsewhere_pct\": %.2f, \"records\": %llu}",
		       n ? "," : "", n, d[n].h.node,
		       (unsigned long long)f[n].pages,
		       (unsigned long long)f[n].distinct,
		       (unsigned long long)f[n].zero,
		       (unsigned long long)f[n].within,
		       (unsigned long long)f[n].elsewhere,
		       (unsigned long long)f[n].contents,
		       pct(f[n].elsewhere, f[n].pages),
		       (unsigned long long)f[n].records);
	}
	printf("]}\n");

	for (n = 0; held && n < nodes; n++) {
		struct v3_content_dump_hdr h;
		char path[4096];

		dump_hdr(&h, d[n].h.node, d[n].h.time_ns, 2, hn[n]);
		snprintf(path, sizeof(path), "%s/held-elsewhere.%d.bin", held, n);
		dump_write(path, &h, hl[n], hn[n]);
	}
	return 0;
}
