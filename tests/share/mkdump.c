// SPDX-License-Identifier: GPL-2.0
/*
 * mkdump: synthetic content dumps (include/v3vmm.h) of N nodes from a
 * seed, for the v3share tests.  Each node's table has
 *   - the zero page (flag V3_CONTENT_ZERO, one hash for every node), on
 *     node 0 always and on nine nodes out of ten after it,
 *   - E/8 contents common to all nodes,
 *   - E/4 contents each on a ring of 2 to N consecutive nodes,
 *   - E/8 contents of the node only, 2 to 6 copies (duplicates in it),
 *   - unique contents (one copy) up to E entries.
 * Round R > 1 changes the round-1 tables: each entry, with probability
 * CHANGE per mille, is removed, gets other copies, or brings a new
 * unique content beside it.  Same seed, same files.
 *
 *   mkdump --nodes N --entries E --seed S --out PATTERN [--round R]
 *          [--change PERMILLE] [--corrupt MODE [--corrupt-node K]]
 *          [--empty-node K]
 *
 * PATTERN takes %r (node) and %n (round), as v3share --dump.  --corrupt
 * spoils node K's file (default the last): magic, version, entry-size,
 * short, truncate, count, trailing, unsorted, duplicate, zero-copies,
 * two-zero.  --empty-node K gives node K an empty table.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpio.h"

enum { ZERO = 1, COMMON, SUBSET, WITHIN, UNIQUE, CHANGE, NEW };

struct gen {
	struct v3_content_entry *e;
	uint64_t n, cap;
};

static uint64_t seed;
static int nodes = 2, round_no = 1, change = 10;
static uint64_t entries = 1000;

static uint64_t mix(uint64_t h)
{
	h += 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* a number from the seed and up to four more */
static uint64_t key(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return mix(mix(mix(mix(seed ^ a) ^ b) ^ c) ^ d);
}

static void add(struct gen *g, uint64_t hash, uint32_t copies, uint16_t flags)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->e = realloc(g->e, g->cap * sizeof(*g->e));
		if (!g->e) {
			perror("mkdump");
			exit(2);
		}
	}
	g->e[g->n].hash = hash;
	g->e[g->n].copies = copies;
	g->e[g->n].vms = 1 + hash % 3;
	g->e[g->n].flags = flags;
	g->n++;
}

static int cmp(const void *a, const void *b)
{
	const struct v3_content_entry *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* sort; equal hashes (a collision of two classes) become one entry */
static void sort_merge(struct gen *g)
{
	uint64_t i, o = 0;

	qsort(g->e, g->n, sizeof(*g->e), cmp);
	for (i = 0; i < g->n; i++) {
		if (o && g->e[o - 1].hash == g->e[i].hash) {
			g->e[o - 1].copies += g->e[i].copies;
			g->e[o - 1].flags |= g->e[i].flags;
		} else {
			g->e[o++] = g->e[i];
		}
	}
	g->n = o;
}

static bool on_ring(uint64_t i, int node)
{
	uint64_t m = key(SUBSET, i, 0, 0);
	int start = m % nodes;
	int count = nodes < 2 ? 1 : 2 + (m >> 16) % (nodes - 1);

	return (node - start + nodes) % nodes < count;
}

static void base(struct gen *g, int node)
{
	uint64_t i;

	if (node == 0 || key(ZERO, node, 0, 0) % 10)
		add(g, key(ZERO, 0, 0, 0), 64 + key(ZERO, node, 1, 0) % 4000,
		    V3_CONTENT_ZERO);
	for (i = 0; i < entries / 8; i++)
		add(g, key(COMMON, i, 0, 0), 1 + key(COMMON, i, node, 1) % 4, 0);
	for (i = 0; i < entries / 4; i++)
		if (on_ring(i, node))
			add(g, key(SUBSET, i, 1, 0),
			    1 + key(SUBSET, i, node, 2) % 3, 0);
	for (i = 0; i < entries / 8; i++)
		add(g, key(WITHIN, i, node, 0), 2 + key(WITHIN, i, node, 1) % 5,
		    0);
	for (i = 0; g->n < entries; i++)
		add(g, key(UNIQUE, i, node, 0), 1, 0);
	sort_merge(g);
}

/* round R: some entries go, change or bring a new one */
static void perturb(struct gen *g, int node)
{
	uint64_t i, n = g->n, o = 0, x;

	for (i = 0; i < n; i++) {
		x = key(CHANGE, g->e[i].hash, node, round_no) % 1000;
		if (x >= (uint64_t)change) {
			g->e[o++] = g->e[i];
			continue;
		}
		if (x % 3 == 1) {
			g->e[i].copies += 1 + x % 5;
			g->e[o++] = g->e[i];
		} else if (x % 3 == 2) {
			g->e[o++] = g->e[i];
			add(g, key(NEW, g->e[i].hash, node, round_no), 1, 0);
		}	/* else removed */
	}
	/* the added ones sit past n: move them down */
	memmove(g->e + o, g->e + n, (g->n - n) * sizeof(*g->e));
	g->n = o + (g->n - n);
	sort_merge(g);
}

static void corrupt(const char *mode, const char *path,
		    struct v3_content_dump_hdr *h, struct gen *g)
{
	FILE *f;

	if (!strcmp(mode, "magic"))
		h->magic[0] = 'X';
	else if (!strcmp(mode, "version"))
		h->version = 9;
	else if (!strcmp(mode, "entry-size"))
		h->entry_size = 24;
	else if (!strcmp(mode, "count"))
		h->count++;
	else if (!strcmp(mode, "unsorted"))
		g->e[1].hash = g->e[2].hash + 1;
	else if (!strcmp(mode, "duplicate"))
		g->e[2].hash = g->e[1].hash;
	else if (!strcmp(mode, "zero-copies"))
		g->e[1].copies = 0;
	else if (!strcmp(mode, "two-zero"))
		g->e[0].flags = g->e[1].flags = V3_CONTENT_ZERO;
	dump_write(path, h, g->e, g->n);
	if (!strcmp(mode, "short") && truncate(path, 100))
		perror(path);
	if (!strcmp(mode, "truncate") &&
	    truncate(path, sizeof(*h) + g->n * sizeof(*g->e) - 5))
		perror(path);
	if (!strcmp(mode, "trailing") && (f = fopen(path, "ab"))) {
		fputs("junk", f);
		fclose(f);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: mkdump --nodes N --entries E --seed S --out PATTERN [--round R]\n"
		"              [--change PERMILLE] [--corrupt MODE [--corrupt-node K]]\n"
		"              [--empty-node K]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "nodes", 1, NULL, 'N' }, { "entries", 1, NULL, 'E' },
		{ "seed", 1, NULL, 'S' }, { "out", 1, NULL, 'o' },
		{ "round", 1, NULL, 'R' }, { "change", 1, NULL, 'c' },
		{ "corrupt", 1, NULL, 'x' }, { "corrupt-node", 1, NULL, 'k' },
		{ "empty-node", 1, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *bad = NULL;
	struct v3_content_dump_hdr h;
	char path[4096], name[64];
	int c, node, bad_node = -1, empty = -1;
	struct gen g;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'N': nodes = atoi(optarg); break;
		case 'E': entries = strtoull(optarg, NULL, 0); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'o': out = optarg; break;
		case 'R': round_no = atoi(optarg); break;
		case 'c': change = atoi(optarg); break;
		case 'x': bad = optarg; break;
		case 'k': bad_node = atoi(optarg); break;
		case 'e': empty = atoi(optarg); break;
		default: usage();
		}
	}
	if (!out || nodes < 1 || nodes > 4096 || round_no < 1 || entries < 4)
		usage();
	if (bad_node < 0)
		bad_node = nodes - 1;
	for (node = 0; node < nodes; node++) {
		memset(&g, 0, sizeof(g));
		base(&g, node);
		if (round_no > 1)
			perturb(&g, node);
		if (node == empty)
			g.n = 0;
		snprintf(name, sizeof(name), "node%d", node);
		dump_hdr(&h, name, 1700000000000000000ULL + round_no, 0, g.n);
		dump_path(path, sizeof(path), out, node, round_no);
		if (bad && node == bad_node)
			corrupt(bad, path, &h, &g);
		else
			dump_write(path, &h, g.e, g.n);
		free(g.e);
	}
	return 0;
}
