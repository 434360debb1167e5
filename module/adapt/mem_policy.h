/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest memory placement decision (mem_policy.c): pure functions of
 * the samples, the knobs and the time, so that the unit tests
 * (tests/unit/test_mem_policy.c) run the real code.  mem_follow.c does the
 * sampling, the moves and the sysfs side.
 */
#ifndef V3_ADAPT_MEM_POLICY_H
#define V3_ADAPT_MEM_POLICY_H

#include <linux/types.h>

enum v3_mem_run_policy {
	V3_MPOL_NONE = 0,
	V3_MPOL_FOLLOW = 1,
	V3_MPOL_INTERLEAVE = 2,
	V3_NR_MPOLS
};
#define V3_MPOL_NAMES	{ "none", "follow", "interleave" }

/* written by sysfs with WRITE_ONCE, read by the work with READ_ONCE */
struct v3_mf_knobs {
	u32 policy;
	u32 period_ms;		/* between samplings and decisions */
	u32 regions;		/* regions hinted per period */
	u32 window;		/* samples a decision looks at (1-32) */
	u32 share_pct;		/* of them from one other node to move */
	u32 mbps;		/* moves at most this many MiB/s */
	u32 dwell_ms;		/* a moved region stays this long */
};

#define V3_MF_WINDOW_MAX	32

/* one 2 MiB region: the nodes of the vCPUs whose accesses were sampled */
struct v3_mf_samples {
	u16 node[V3_MF_WINDOW_MAX];	/* a ring, newest at pos - 1 */
	u8 n, pos;
	u64 moved_ns;			/* its last move, 0 for never */
};

void v3_mf_samples_add(struct v3_mf_samples *s, int node);
void v3_mf_samples_moved(struct v3_mf_samples *s, u64 now);
int v3_mf_vote(const struct v3_mf_samples *s, unsigned int window,
	       unsigned int *votes);
int v3_mf_follow_target(const struct v3_mf_samples *s,
			const struct v3_mf_knobs *k, int from, u64 now,
			unsigned int *votes, unsigned int *window);
u64 v3_mf_refill(u64 tokens, u64 elapsed_ns, u32 mbps, u64 region);

#endif
