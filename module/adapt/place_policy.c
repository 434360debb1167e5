// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU placement policies (issue #13): a pure function, see
 * place_policy.h.
 */
#ifndef V3_UNIT_TEST
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#endif
#include "place_policy.h"

static bool v3_loaded(const struct v3_place_host *h,
		      const struct v3_place_knobs *k, unsigned int c)
{
	return h->load_pct[c] > k->load_pct;
}

/* order[]: the candidates by node, unloaded first, then by CPU number */
static int v3_place_index(const struct v3_place_host *h,
			  const struct v3_place_knobs *k,
			  struct v3_place_scratch *s)
{
	unsigned int i, j, n = 0;

	memset(s, 0, sizeof(*s));
	if (!h->nr_cpus || h->nr_cpus > V3_PLACE_MAX_CPUS)
		return -EINVAL;
	for (i = 0; i < h->nr_cpus; i++) {
		for (j = 0; j < s->nr_nodes; j++)
			if (s->node_id[j] == h->node[i])
				break;
		if (j == s->nr_nodes) {
			if (s->nr_nodes == V3_MAX_NODES)
				return -EINVAL;
			/* nodes ascending: insert in place */
			for (j = s->nr_nodes; j > 0 && s->node_id[j - 1] > h->node[i]; j--)
				s->node_id[j] = s->node_id[j - 1];
			s->node_id[j] = h->node[i];
			s->nr_nodes++;
		}
	}
	for (j = 0; j < s->nr_nodes; j++) {
		s->start[j] = n;
		for (i = 0; i < h->nr_cpus; i++)
			if (h->node[i] == s->node_id[j] && !v3_loaded(h, k, i)) {
				s->order[n++] = i;
				s->cand_node[i] = j;
				s->unloaded[j]++;
			}
		for (i = 0; i < h->nr_cpus; i++)
			if (h->node[i] == s->node_id[j] && v3_loaded(h, k, i)) {
				s->order[n++] = i;
				s->cand_node[i] = j;
			}
		s->count[j] = n - s->start[j];
	}
	return 0;
}

/* compact: unloaded CPUs node by node (nodes in the order given), then loaded */
static unsigned int v3_seq_fill(const struct v3_place_host *h,
				const struct v3_place_knobs *k,
				struct v3_place_scratch *s,
				const unsigned int *nodes)
{
	unsigned int pass, a, i, n = 0;

	for (pass = 0; pass < 2; pass++)
		for (a = 0; a < s->nr_nodes; a++) {
			unsigned int j = nodes[a];

			for (i = 0; i < s->count[j]; i++) {
				unsigned int c = s->order[s->start[j] + i];

				if (v3_loaded(h, k, c) == !!pass)
					s->seq[n++] = c;
			}
		}
	return n;
}

/* spread: round robin over the nodes, unloaded CPUs first */
static unsigned int v3_seq_spread(const struct v3_place_host *h,
				  const struct v3_place_knobs *k,
				  struct v3_place_scratch *s)
{
	unsigned int pass, r, j, n = 0;
	bool more;

	for (pass = 0; pass < 2; pass++) {
		unsigned int taken[V3_MAX_NODES] = { 0 };

		do {
			more = false;
			for (j = 0; j < s->nr_nodes; j++) {
				/* the node's next CPU of this pass */
				for (r = taken[j]; r < s->count[j]; r++) {
					unsigned int c = s->order[s->start[j] + r];

					if (v3_loaded(h, k, c) == !!pass) {
						s->seq[n++] = c;
						taken[j] = r + 1;
						more = true;
						break;
					}
				}
				if (r == s->count[j])
					taken[j] = r;
			}
		} while (more);
	}
	return n;
}

static unsigned int v3_node_free(const struct v3_place_host *h,
				 const struct v3_place_knobs *k,
				 const struct v3_place_scratch *s, unsigned int j,
				 bool unloaded_only)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->count[j]; i++) {
		unsigned int c = s->order[s->start[j] + i];

		if (!s->used[c] && (!unloaded_only || !v3_loaded(h, k, c)))
			n++;
	}
	return n;
}

/* a free CPU in node j: the preferred one if it is free there, else the first */
static int v3_take(const struct v3_place_host *h, const struct v3_place_knobs *k,
		   struct v3_place_scratch *s, unsigned int j, int prefer)
{
	unsigned int i, c;
	bool any_unloaded = v3_node_free(h, k, s, j, true) > 0;

	for (i = 0; prefer >= 0 && i < s->count[j]; i++) {
		c = s->order[s->start[j] + i];
		if (h->cpu[c] == prefer && !s->used[c] &&
		    (!any_unloaded || !v3_loaded(h, k, c))) {
			s->used[c] = 1;
			return h->cpu[c];
		}
	}
	for (i = 0; i < s->count[j]; i++) {
		c = s->order[s->start[j] + i];
		if (!s->used[c]) {
			s->used[c] = 1;
			return h->cpu[c];
		}
	}
	return -1;
}

/* node index of host CPU cpu among the candidates, or -1 */
static int v3_node_of(const struct v3_place_host *h,
		      const struct v3_place_scratch *s, int cpu)
{
	unsigned int i;

	for (i = 0; cpu >= 0 && i < h->nr_cpus; i++)
		if (h->cpu[i] == cpu)
			return s->cand_node[i];
	return -1;
}

/*
 * The node for `want` vCPUs: the most free CPUs (unloaded ones if any
 * node has some), one that holds all of them before one that does not,
 * then the node `home` (where they are now), then the lowest.
 */
static bool v3_any_unloaded(const struct v3_place_host *h,
			    const struct v3_place_knobs *k,
			    const struct v3_place_scratch *s)
{
	unsigned int j;

	for (j = 0; j < s->nr_nodes; j++)
		if (v3_node_free(h, k, s, j, true))
			return true;
	return false;
}

static int v3_pick_node(const struct v3_place_host *h,
			const struct v3_place_knobs *k,
			struct v3_place_scratch *s, unsigned int want, int home)
{
	bool unl = v3_any_unloaded(h, k, s), better;
	unsigned int j, f, best_f = 0;
	int best = -1;

	for (j = 0; j < s->nr_nodes; j++) {
		f = v3_node_free(h, k, s, j, unl);
		if (!f)
			continue;
		if (best < 0)
			better = true;
		else if ((f >= want) != (best_f >= want))
			better = f >= want;
		/* one vCPU alone: the node with fewest of this VM's vCPUs */
		else if (want == 1 && s->vplaced[j] != s->vplaced[best])
			better = s->vplaced[j] < s->vplaced[best];
		else if (f != best_f)
			better = f > best_f;
		else
			better = (int)j == home;
		if (better) {
			best = j;
			best_f = f;
		}
	}
	return best;
}

static int v3_root(struct v3_place_scratch *s, int i)
{
	while (s->group[i] != i)
		i = s->group[i];
	return i;
}

/* the pairs of vCPUs that talk, heaviest first, into groups of at most cap */
static void v3_group(const struct v3_place_vcpus *v,
		     const struct v3_place_knobs *k,
		     struct v3_place_scratch *s, unsigned int cap)
{
	unsigned int i, j;

	for (i = 0; i < v->nr; i++) {
		s->group[i] = i;
		s->gsize[i] = 1;
		s->gbusy[i] = v->busy_pct[i];
	}
	for (;;) {
		u64 best_w = 0, w;
		int bi = -1, bj = -1, ri, rj;

		for (i = 0; i < v->nr; i++)
			for (j = i + 1; j < v->nr; j++) {
				w = (u64)v->ipi_rate[i * v->nr + j] +
				    v->ipi_rate[j * v->nr + i];
				ri = v3_root(s, i);
				rj = v3_root(s, j);
				if (w < k->ipi_threshold || !w || ri == rj ||
				    s->gsize[ri] + s->gsize[rj] > cap)
					continue;
				if (w > best_w) {
					best_w = w;
					bi = ri;
					bj = rj;
				}
			}
		if (bi < 0)
			return;
		s->group[bj] = bi;
		s->gsize[bi] += s->gsize[bj];
		s->gbusy[bi] += s->gbusy[bj];
	}
}

/* the next group to place: the largest, then the busiest; -1: none left */
static int v3_next_group(const struct v3_place_vcpus *v,
			 const struct v3_place_knobs *k,
			 struct v3_place_scratch *s)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < v->nr; i++) {
		if (s->group[i] != (int)i || s->placed[i])
			continue;
		if (best < 0 || s->gsize[i] > s->gsize[best] ||
		    (s->gsize[i] == s->gsize[best] &&
		     s->gbusy[i] > s->gbusy[best]))
			best = i;
	}
	return best;
}

/* where most of group g's vCPUs are now, or -1 */
static int v3_group_home(const struct v3_place_host *h,
			 const struct v3_place_vcpus *v,
			 struct v3_place_scratch *s, int g)
{
	unsigned int votes[V3_MAX_NODES] = { 0 }, i, best = 0;
	int n, home = -1;

	for (i = 0; i < v->nr; i++) {
		if (v3_root(s, i) != g)
			continue;
		n = v3_node_of(h, s, v->cur[i]);
		if (n >= 0 && ++votes[n] > best) {
			best = votes[n];
			home = n;
		}
	}
	return home;
}

static void v3_place_adaptive(const struct v3_place_host *h,
			      const struct v3_place_vcpus *v,
			      const struct v3_place_knobs *k,
			      struct v3_place_scratch *s, int *target)
{
	unsigned int i, j, cap = 0, left = v->nr;
	int g, node;

	for (j = 0; j < s->nr_nodes; j++)
		cap = max(cap, s->unloaded[j] ? s->unloaded[j] : s->count[j]);
	v3_group(v, k, s, cap ? cap : 1);
	/* idle vCPUs are placed after every busy group */
	for (i = 0; i < v->nr; i++)
		if (s->group[i] == (int)i && s->gsize[i] == 1 &&
		    v->busy_pct[i] < k->idle_pct)
			s->gbusy[i] = 0;
	while (left && (g = v3_next_group(v, k, s)) >= 0) {
		unsigned int want = s->gsize[g];

		s->placed[g] = 1;
		node = -1;
		for (i = 0; i < v->nr; i++) {
			if (v3_root(s, i) != g)
				continue;
			/* one node for the group while it has room there */
			if (node < 0 || !v3_node_free(h, k, s, node,
						       v3_any_unloaded(h, k, s)))
				node = v3_pick_node(h, k, s, want,
						    v3_group_home(h, v, s, g));
			if (node < 0) {		/* more vCPUs than CPUs */
				memset(s->used, 0, sizeof(s->used));
				node = v3_pick_node(h, k, s, want, -1);
			}
			target[i] = v3_take(h, k, s, node, v->cur[i]);
			s->vplaced[node]++;
			want--;
			left--;
		}
	}
}

int v3_place_vcpus(u32 policy, u32 objective, const struct v3_place_host *h,
		   const struct v3_place_vcpus *v,
		   const struct v3_place_knobs *k, int *target,
		   struct v3_place_scratch *s)
{
	unsigned int nodes[V3_MAX_NODES], i, j, a, n = 0;
	int changed = 0, ret;

	if (policy >= V3_NR_VPOLS || objective >= V3_NR_OBJS ||
	    !v->nr || v->nr > V3_MAX_VCPUS)
		return -EINVAL;
	ret = v3_place_index(h, k, s);
	if (ret)
		return ret;
	for (j = 0; j < s->nr_nodes; j++)
		nodes[j] = j;
	switch (policy) {
	case V3_VPOL_STATIC:
		for (i = 0; i < v->nr; i++)
			target[i] = v->cur[i];
		return 0;
	case V3_VPOL_COMPACT:
		n = v3_seq_fill(h, k, s, nodes);
		break;
	case V3_VPOL_SPREAD:
		n = v3_seq_spread(h, k, s);
		break;
	case V3_VPOL_ADAPTIVE:
		if (objective == V3_OBJ_PERFORMANCE) {
			v3_place_adaptive(h, v, k, s, target);
			break;
		}
		/* energy: fill the nodes with the most unloaded CPUs first */
		for (a = 1; a < s->nr_nodes; a++)
			for (j = a; j > 0 && s->unloaded[nodes[j - 1]] <
					     s->unloaded[nodes[j]]; j--) {
				unsigned int t = nodes[j];

				nodes[j] = nodes[j - 1];
				nodes[j - 1] = t;
			}
		n = v3_seq_fill(h, k, s, nodes);
		break;
	}
	for (i = 0; n && i < v->nr; i++)
		target[i] = h->cpu[s->seq[i % n]];
	for (i = 0; i < v->nr; i++)
		if (target[i] != v->cur[i])
			changed++;
	return changed;
}

unsigned int v3_place_filter(const struct v3_place_knobs *k,
			     struct v3_place_hyst *hy, unsigned int nr,
			     const int *cur, const int *target, u64 now_ns,
			     u8 *apply)
{
	u64 dwell = (u64)k->min_dwell_ms * 1000000;
	unsigned int i, n = 0;

	for (i = 0; i < nr && i < V3_MAX_VCPUS; i++) {
		apply[i] = 0;
		if (target[i] == cur[i] || target[i] < 0) {
			hy->pending[i] = cur[i];
			hy->seen[i] = 0;
			continue;
		}
		if (hy->seen[i] && hy->pending[i] == target[i]) {
			hy->seen[i]++;
		} else {
			hy->pending[i] = target[i];
			hy->seen[i] = 1;
		}
		if (hy->seen[i] < k->confirm || n >= k->max_moves)
			continue;
		if (hy->moved_ns[i] && now_ns - hy->moved_ns[i] < dwell)
			continue;
		apply[i] = 1;
		hy->seen[i] = 0;
		hy->moved_ns[i] = now_ns;
		n++;
	}
	return n;
}
