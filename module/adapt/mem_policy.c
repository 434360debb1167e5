// SPDX-License-Identifier: GPL-2.0
/*
 * The follow policy's decision for one region of guest RAM and the move
 * rate limit (see mem_follow.c for the policies and the sampling).
 *
 * A sample is the node of the vCPU whose access ended a hint.  One
 * sample never moves a region: the last "window" samples must have been
 * taken (a region's samples are dropped when it moves: they were of the
 * old placement), share_pct of them must name one node, that node must
 * not be where the region is, and the region must not have moved in the
 * last dwell_ms.  A region two nodes share splits its votes and stays.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include "mem_policy.h"

void v3_mf_samples_add(struct v3_mf_samples *s, int node)
{
	s->node[s->pos] = node;
	s->pos = (s->pos + 1) % V3_MF_WINDOW_MAX;
	if (s->n < V3_MF_WINDOW_MAX)
		s->n++;
}

void v3_mf_samples_moved(struct v3_mf_samples *s, u64 now)
{
	s->moved_ns = now;
	s->n = 0;
}

/* the i-th newest sample */
static u16 v3_mf_sample_at(const struct v3_mf_samples *s, unsigned int i)
{
	return s->node[(s->pos + V3_MF_WINDOW_MAX - 1 - i) % V3_MF_WINDOW_MAX];
}

/* the node most of the last "window" samples name (the newest on a tie) */
int v3_mf_vote(const struct v3_mf_samples *s, unsigned int window,
	       unsigned int *votes)
{
	unsigned int a, b, c, best = 0;
	int node = -1;

	window = min_t(unsigned int, window, s->n);
	for (a = 0; a < window; a++) {
		u16 x = v3_mf_sample_at(s, a);

		for (c = 0, b = 0; b < window; b++)
			c += v3_mf_sample_at(s, b) == x;
		if (c > best) {
			best = c;
			node = x;
		}
	}
	*votes = best;
	return node;
}

/*
 * Where the region on node "from" should go, or -1 to stay; *votes of
 * *window samples name the node voted for (0/W when too few samples).
 */
int v3_mf_follow_target(const struct v3_mf_samples *s,
			const struct v3_mf_knobs *k, int from, u64 now,
			unsigned int *votes, unsigned int *window)
{
	unsigned int w = clamp_t(u32, k->window, 1, V3_MF_WINDOW_MAX);
	u64 dwell = (u64)k->dwell_ms * NSEC_PER_MSEC;
	int to;

	*window = w;
	*votes = 0;
	if (s->n < w)
		return -1;
	to = v3_mf_vote(s, w, votes);
	if (to < 0 || to == from || *votes * 100 < k->share_pct * w)
		return -1;
	if (s->moved_ns && now - s->moved_ns < dwell)
		return -1;
	return to;
}

/*
 * The rate limit, a token bucket of bytes: elapsed_ns at mbps MiB/s,
 * holding at most one second's worth, and never less than one region
 * (else a rate below a region per second could never move one).
 */
u64 v3_mf_refill(u64 tokens, u64 elapsed_ns, u32 mbps, u64 region)
{
	/* ns * MiB/s -> us * MiB/s -> bytes */
	u64 us_mib = mul_u64_u32_div(elapsed_ns, mbps, 1000);
	u64 cap = max_t(u64, (u64)mbps << 20, region);

	return min_t(u64, tokens + mul_u64_u32_div(us_mib, 1u << 20,
						   USEC_PER_SEC), cap);
}
