/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU placement as a pure function (issue #13): the host's candidate
 * CPUs with their nodes and the load other tasks put on them, the VM's
 * vCPUs with their current CPUs, busy shares and the IPI rates between
 * them, and the policy's knobs in; a target CPU for every vCPU out.  No
 * locks, no clocks: place.c feeds it each sampling period, the unit test
 * (tests/unit/test_place_policy.c) synthetic hosts and VMs.
 *
 * Policies (enum v3_vcpu_policy):
 *   static    leave every vCPU where it is
 *   compact   vCPU i on the i-th CPU in node order: as few nodes as the
 *             vCPUs need (shared caches, memory close together)
 *   spread    round robin over the nodes: each vCPU its node's memory
 *             bandwidth
 *   adaptive  vCPUs that exchange at least ipi_threshold IPIs a second
 *             (both ways together) are grouped, heaviest pair first, a
 *             group never larger than a node; groups go to the node with
 *             the most free CPUs (the one they are on when it ties), the
 *             other busy vCPUs one by one to the node with the fewest of
 *             the VM's vCPUs so far (then the most free CPUs): independent
 *             vCPUs, memory-bound ones above all, get a node's memory
 *             bandwidth each; idle ones last.  With objective
 *             energy the nodes are filled one after the other instead
 *             (fewest nodes busy: whole sockets can idle).
 * CPUs whose other tasks use more than load_pct of them are taken last
 * by every policy but static.  Within a node a vCPU keeps its current CPU
 * when it is free there, so a placement that holds moves nothing.  With
 * more vCPUs than CPUs the CPUs are reused in the same order.
 */
#ifndef V3_ADAPT_PLACE_POLICY_H
#define V3_ADAPT_PLACE_POLICY_H

#include <linux/types.h>
#include "v3vmm.h"

#define V3_PLACE_MAX_CPUS	256	/* candidate host CPUs considered */

enum v3_vcpu_policy {
	V3_VPOL_STATIC = 0,
	V3_VPOL_COMPACT = 1,
	V3_VPOL_SPREAD = 2,
	V3_VPOL_ADAPTIVE = 3,
	V3_NR_VPOLS
};
#define V3_VPOL_NAMES	{ "static", "compact", "spread", "adaptive" }

enum v3_place_objective {
	V3_OBJ_PERFORMANCE = 0,
	V3_OBJ_ENERGY = 1,
	V3_NR_OBJS
};
#define V3_OBJ_NAMES	{ "performance", "energy" }

/* the CPUs a vCPU may go to: online, virtualization on; ascending */
struct v3_place_host {
	unsigned int nr_cpus;
	int cpu[V3_PLACE_MAX_CPUS];
	int node[V3_PLACE_MAX_CPUS];
	u32 load_pct[V3_PLACE_MAX_CPUS];	/* others' share of the CPU */
};

struct v3_place_vcpus {
	unsigned int nr;
	int cur[V3_MAX_VCPUS];		/* CPU it is pinned to, -1: none */
	u32 busy_pct[V3_MAX_VCPUS];	/* share of the period not halted */
	/* IPIs per second from i to j: ipi_rate[i * nr + j] */
	const u32 *ipi_rate;
};

struct v3_place_knobs {
	u32 ipi_threshold;	/* IPIs/s that make two vCPUs a pair */
	u32 load_pct;		/* a CPU others use more than this: last */
	u32 idle_pct;		/* a vCPU busy less than this: placed last */
	/* hysteresis and rate limit (v3_place_filter) */
	u32 confirm;		/* periods in a row a move is proposed */
	u32 max_moves;		/* vCPUs moved per period at most */
	u32 min_dwell_ms;	/* a moved vCPU stays at least this long */
};

/* what v3_place_filter remembers between periods, per VM */
struct v3_place_hyst {
	int pending[V3_MAX_VCPUS];	/* the target proposed last period */
	u32 seen[V3_MAX_VCPUS];		/* periods in a row it was */
	u64 moved_ns[V3_MAX_VCPUS];	/* last move of the vCPU, 0: never */
};

/* working space of v3_place_vcpus (too large for a kernel stack frame) */
struct v3_place_scratch {
	unsigned int nr_nodes;
	int node_id[V3_MAX_NODES];
	unsigned int start[V3_MAX_NODES];	/* of the node's CPUs in order[] */
	unsigned int count[V3_MAX_NODES];
	unsigned int unloaded[V3_MAX_NODES];	/* of them, not loaded */
	unsigned int cand_node[V3_PLACE_MAX_CPUS];	/* node index of a CPU */
	u16 order[V3_PLACE_MAX_CPUS];	/* by node, unloaded first, by CPU */
	u8 used[V3_PLACE_MAX_CPUS];
	u16 seq[V3_PLACE_MAX_CPUS];	/* compact/spread/energy sequence */
	int group[V3_MAX_VCPUS];	/* adaptive: a vCPU's group root */
	unsigned int gsize[V3_MAX_VCPUS];
	u64 gbusy[V3_MAX_VCPUS];
	u8 placed[V3_MAX_VCPUS];
	unsigned int vplaced[V3_MAX_NODES];	/* this VM's vCPUs per node */
};

/*
 * Fills target[0 .. nr - 1] with host CPU numbers; returns the number of
 * vCPUs whose target differs from cur (0 for static), or -EINVAL when
 * there is no candidate CPU or the policy does not exist.
 */
int v3_place_vcpus(u32 policy, u32 objective, const struct v3_place_host *h,
		   const struct v3_place_vcpus *v,
		   const struct v3_place_knobs *k, int *target,
		   struct v3_place_scratch *s);

/*
 * Of the moves the policy proposes (target[i] != cur[i]), those to carry
 * out now: proposed the same for k->confirm periods in a row, the vCPU
 * not moved within k->min_dwell_ms, at most k->max_moves of them, lowest
 * vCPU first.  Sets apply[i]; returns how many.  A vCPU whose proposal
 * changes starts counting again, so a placement that flaps between two
 * answers never moves.
 */
unsigned int v3_place_filter(const struct v3_place_knobs *k,
			     struct v3_place_hyst *hy, unsigned int nr,
			     const int *cur, const int *target, u64 now_ns,
			     u8 *apply);

#endif
