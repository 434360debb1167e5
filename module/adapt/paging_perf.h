/* SPDX-License-Identifier: GPL-2.0 */
/* Guest-only page-walk counters of a VM's vCPU threads (paging_perf.c) */
#ifndef V3_ADAPT_PAGING_PERF_H
#define V3_ADAPT_PAGING_PERF_H

#include <linux/types.h>

struct v3_vm;
struct perf_event;

struct v3_walk_counters {
	unsigned int nr;
	bool cycles;		/* the event counts walk cycles, not walks */
	struct perf_event **ev;
};

/* 0, or -EOPNOTSUPP (no usable event here) / perf's error: no counters */
int v3_walk_counters_open(struct v3_vm *vm, struct v3_walk_counters *c);
u64 v3_walk_counters_read(struct v3_walk_counters *c);	/* walks so far */
void v3_walk_counters_close(struct v3_walk_counters *c);
/* what the counters counted in mode (V3_PAGING_*) -> walk cycles */
u64 v3_walk_cycles(const struct v3_walk_counters *c, u64 count, u32 mode);

#endif
