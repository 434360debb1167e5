// SPDX-License-Identifier: GPL-2.0
/*
 * The owners' state and the figures.
 *
 * An owner keeps, for the contents it owns, each node's copies (map pn,
 * keyed by (hash, node)) and how many nodes hold the content (map h,
 * keyed by (hash, 0)); both live from round to round and take the deltas
 * the nodes send.  From them each owner counts its share of the
 * machine-wide figures and, per node, the pages whose content another
 * node holds; MPI_Reduce adds the shares up at rank 0, MPI_Gather brings
 * it the figures each node counts by itself (load.c).
 */
#include <stdlib.h>
#include <string.h>

#include "v3share.h"

/* the owner's share, added up over the ranks */
enum {
	F_PAGES,	/* pages seen by the owners (a check) */
	F_DISTINCT,
	F_UNIQUE,
	F_WITHIN_ONLY,
	F_ACROSS,
	F_MULTI_NODE,
	F_NODES		/* then elsewhere[nranks], elsewhere_contents[nranks] */
};

int v3s_owner_init(struct v3s_owner *ow)
{
	memset(ow, 0, sizeof(*ow));
	if (v3s_map_init(&ow->pn, 0) || v3s_map_init(&ow->h, 0)) {
		v3s_owner_free(ow);
		v3s_err("out of memory");
		return EXIT_DATA;
	}
	return EXIT_OK;
}

void v3s_owner_free(struct v3s_owner *ow)
{
	v3s_map_free(&ow->pn);
	v3s_map_free(&ow->h);
}

static int apply_one(struct v3s_owner *ow, const struct v3s_rec *rec,
		     int src)
{
	uint32_t old, new, o, n;

	if (v3s_map_add(&ow->pn, rec->hash, src, rec->delta, &old, &new))
		return -1;
	if (!old && new)
		return v3s_map_add(&ow->h, rec->hash, 0, 1, &o, &n);
	if (old && !new)
		return v3s_map_add(&ow->h, rec->hash, 0, -1, &o, &n);
	return 0;
}

/* the records received from each node, in_counts[s] from node s */
int v3s_owner_apply(struct v3s_owner *ow, const struct v3s_rec *in,
		    const int *in_counts)
{
	uint64_t k = 0;
	int src, i;

	for (src = 0; src < v3s.nranks; src++) {
		for (i = 0; i < in_counts[src]; i++, k++) {
			if (!apply_one(ow, &in[k], src))
				continue;
			v3s_err("hash %#llx from node %d: change %d leaves its copies out of range, or out of memory",
				(unsigned long long)in[k].hash, src,
				(int)in[k].delta);
			return EXIT_DATA;
		}
	}
	return EXIT_OK;
}

static void owner_share(const struct v3s_owner *ow, uint64_t *v)
{
	uint64_t *elsewhere = v + F_NODES;
	uint64_t *contents = elsewhere + v3s.nranks;
	const struct v3s_slot *s, *h;
	uint64_t i;

	for (i = 0; i <= ow->pn.mask; i++) {
		s = &ow->pn.s[i];
		if (!s->val)
			continue;
		h = v3s_map_find(&ow->h, s->hash, 0);
		v[F_PAGES] += s->val;
		if (h && h->val >= 2) {
			v[F_ACROSS] += s->val;
			elsewhere[s->node] += s->val;
			contents[s->node]++;
		} else if (s->val == 1) {
			v[F_UNIQUE]++;
		} else {
			v[F_WITHIN_ONLY] += s->val;
		}
	}
	for (i = 0; i <= ow->h.mask; i++) {
		if (!ow->h.s[i].val)
			continue;
		v[F_DISTINCT]++;
		if (ow->h.s[i].val >= 2)
			v[F_MULTI_NODE]++;
	}
}

/* rank 0: the machine's figures from the owners' and the nodes' */
static int machine(const uint64_t *sum, struct v3s_round *r)
{
	struct v3s_machine *m = &r->m;
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < r->nranks; i++) {
		r->nodes[i].elsewhere = sum[F_NODES + i];
		r->nodes[i].elsewhere_contents = sum[F_NODES + r->nranks + i];
		m->pages += r->nodes[i].pages;
		m->zero += r->nodes[i].zero;
	}
	m->distinct = sum[F_DISTINCT];
	m->unique = sum[F_UNIQUE];
	m->within_only = sum[F_WITHIN_ONLY];
	m->across = sum[F_ACROSS];
	m->multi_node = sum[F_MULTI_NODE];
	m->duplicate = m->pages - m->distinct;
	if (sum[F_PAGES] != m->pages) {
		v3s_err("internal error: the owners count %llu pages, the nodes %llu",
			(unsigned long long)sum[F_PAGES],
			(unsigned long long)m->pages);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

/*
 * Every rank: its owner's share and its own figures (me) go to rank 0,
 * which fills r (r->nodes has room for every node).
 */
int v3s_figures(const struct v3s_owner *ow, const struct v3s_node *me,
		struct v3s_round *r)
{
	size_t nv = F_NODES + 2 * (size_t)v3s.nranks;
	uint64_t *v = calloc(nv, sizeof(*v));
	uint64_t *sum = v3s.rank ? NULL : calloc(nv, sizeof(*v));
	int st = v && (v3s.rank || sum) ? EXIT_OK : EXIT_DATA;

	if (st)
		v3s_err("out of memory");
	st = v3s_agree(st);
	if (!st) {
		owner_share(ow, v);
		MPI_Reduce(v, sum, nv, MPI_UINT64_T, MPI_SUM, 0,
			   MPI_COMM_WORLD);
		MPI_Gather(me, sizeof(*me), MPI_BYTE, r->nodes, sizeof(*me),
			   MPI_BYTE, 0, MPI_COMM_WORLD);
		if (!v3s.rank)
			st = machine(sum, r);
		st = v3s_agree(st);
	}
	free(v);
	free(sum);
	return st;
}
