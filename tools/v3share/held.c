// SPDX-License-Identifier: GPL-2.0
/*
 * --held-elsewhere DIR: each owner sends every node the hashes of its
 * contents that another node holds too (8 bytes each); the node writes
 * DIR/held-elsewhere.<rank>.bin: a dump file (dump.c) of scope
 * V3_CONTENT_SCOPE_HELD_ELSEWHERE whose entries are its own entries (its copies,
 * VMs and flags) for those contents, sorted by hash.  A deduplicated
 * checkpoint of the node may store a reference for them instead of the
 * pages, as long as one node stores each content.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "v3share.h"

/* each node's hashes, grouped by node */
static int owner_lists(const struct v3s_owner *ow, int *counts,
		       uint64_t **out)
{
	uint64_t i, *pos, total = 0;
	const struct v3s_slot *s, *h;
	int pass, r;

	pos = calloc(v3s.nranks, sizeof(*pos));
	if (!pos)
		return EXIT_DATA;
	*out = NULL;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i <= ow->pn.mask; i++) {
			s = &ow->pn.s[i];
			if (!s->val)
				continue;
			h = v3s_map_find(&ow->h, s->hash, 0);
			if (!h || h->val < 2)
				continue;
			if (pass)
				(*out)[pos[s->node]++] = s->hash;
			else
				pos[s->node]++;
		}
		if (pass)
			break;
		for (r = 0; r < v3s.nranks; r++) {
			if (pos[r] > INT_MAX)
				break;
			counts[r] = pos[r];
			pos[r] = total;
			total += counts[r];
		}
		if (r < v3s.nranks)
			break;	/* too many for MPI's int counts */
		*out = malloc((total ? total : 1) * sizeof(**out));
		if (!*out)
			break;
	}
	free(pos);
	return *out ? EXIT_OK : EXIT_DATA;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the node's own entries for the hashes (sorted) */
static int pick(const struct v3s_table *t, const uint64_t *hashes,
		uint64_t n, struct v3s_table *held)
{
	uint64_t i, j = 0;

	held->e = malloc((n ? n : 1) * sizeof(*held->e));
	if (!held->e) {
		v3s_err("out of memory");
		return EXIT_DATA;
	}
	for (i = 0; i < n; i++) {
		while (j < t->n && t->e[j].hash < hashes[i])
			j++;
		if (j == t->n || t->e[j].hash != hashes[i]) {
			v3s_err("internal error: an owner says %#llx is held elsewhere, the node has no such content",
				(unsigned long long)hashes[i]);
			return EXIT_DATA;
		}
		held->e[held->n++] = t->e[j];
	}
	return EXIT_OK;
}

static int write_held(const struct v3s_table *t, const char *dir,
		      uint64_t *hashes, uint64_t n)
{
	struct v3s_table held;
	char path[V3S_PATH_MAX];
	int st;

	memset(&held, 0, sizeof(held));
	held.time_ns = t->time_ns;
	memcpy(held.node, t->node, sizeof(held.node));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		v3s_err("%s: cannot create: %s", dir, strerror(errno));
		return EXIT_DATA;
	}
	if (snprintf(path, sizeof(path), "%s/held-elsewhere.%d.bin", dir,
		     v3s.rank) >= (int)sizeof(path)) {
		v3s_err("%s: path too long", dir);
		return EXIT_DATA;
	}
	qsort(hashes, n, sizeof(*hashes), cmp_u64);
	st = pick(t, hashes, n, &held);
	if (!st)
		st = v3s_dump_write(path, &held, V3_CONTENT_SCOPE_HELD_ELSEWHERE);
	v3s_table_free(&held);
	return st;
}

int v3s_held(const struct v3s_owner *ow, const struct v3s_table *t,
	     const char *dir, struct v3s_node *me)
{
	uint64_t *out = NULL, n;
	int *counts, *in_counts, st, r;
	void *in;

	counts = calloc(v3s.nranks, sizeof(*counts));
	st = counts ? owner_lists(ow, counts, &out) : EXIT_DATA;
	if (st) {
		v3s_err("out of memory, or more than %d hashes for a node",
			INT_MAX);
		if (counts)
			memset(counts, 0, v3s.nranks * sizeof(*counts));
	}
	me->held_bytes = 0;
	for (r = 0; !st && r < v3s.nranks; r++)
		if (r != v3s.rank)
			me->held_bytes += (uint64_t)counts[r] * sizeof(*out);
	st = v3s_agree(st);
	if (!st)
		st = v3s_alltoallv(out, counts, MPI_UINT64_T, sizeof(*out),
				   &in, &in_counts, &n);
	free(out);
	free(counts);
	if (st)
		return st;
	free(in_counts);
	st = write_held(t, dir, in, n);
	free(in);
	return v3s_agree(st);
}
