// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the vCPU placement policies (module/adapt/place_policy.c):
 * synthetic hosts (nodes, CPUs, loads) and VMs (current CPUs, busy
 * shares, IPI rates) fed to the pure function.  The emulated test host
 * has 4 CPUs in 2 nodes; here also bigger and lopsided hosts, loaded
 * CPUs, more vCPUs than CPUs and a placement that holds.
 */
#include <stdio.h>
#include <string.h>
#include "adapt/place_policy.h"
#include "unit.h"

static struct v3_place_host host;
static struct v3_place_vcpus vm;
static struct v3_place_knobs knobs = { .ipi_threshold = 1000, .load_pct = 50,
				       .idle_pct = 5 };
static struct v3_place_scratch scratch;
static u32 rates[V3_MAX_VCPUS * V3_MAX_VCPUS];
static int target[V3_MAX_VCPUS];

/* nodes x cpus_per_node CPUs, numbered node by node */
static void host_init(unsigned int nodes, unsigned int per)
{
	unsigned int i;

	memset(&host, 0, sizeof(host));
	host.nr_cpus = nodes * per;
	for (i = 0; i < host.nr_cpus; i++) {
		host.cpu[i] = i;
		host.node[i] = i / per;
	}
}

static void vm_init(unsigned int nr)
{
	unsigned int i;

	memset(&vm, 0, sizeof(vm));
	memset(rates, 0, sizeof(rates));
	vm.nr = nr;
	vm.ipi_rate = rates;
	for (i = 0; i < nr; i++) {
		vm.cur[i] = -1;
		vm.busy_pct[i] = 90;
	}
}

static int place(u32 policy, u32 obj)
{
	return v3_place_vcpus(policy, obj, &host, &vm, &knobs, target, &scratch);
}

static int node_of(int cpu)
{
	unsigned int i;

	for (i = 0; i < host.nr_cpus; i++)
		if (host.cpu[i] == cpu)
			return host.node[i];
	return -1;
}

static void pair(unsigned int a, unsigned int b, u32 rate)
{
	rates[a * vm.nr + b] = rate;
	rates[b * vm.nr + a] = rate;
}

/* hysteresis: confirm periods, minimum dwell, moves per period */
static void test_filter(void)
{
	struct v3_place_knobs k = { .confirm = 2, .max_moves = 1,
				    .min_dwell_ms = 1000 };
	static struct v3_place_hyst hy;
	int cur[3] = { 0, 1, 2 }, tgt[3] = { 0, 1, 2 };
	u8 apply[3];
	u64 ms = 1000000;
	unsigned int n;

	memset(&hy, 0, sizeof(hy));
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 100 * ms, apply);
	CHECK(n == 0 && !apply[0] && !apply[1] && !apply[2], "filter: nothing proposed, nothing moves");
	tgt[0] = 3;
	tgt[1] = 2;
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 200 * ms, apply);
	CHECK(n == 0, "filter: a move proposed once waits for confirmation (%u)", n);
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 300 * ms, apply);
	CHECK(n == 1 && apply[0] && !apply[1], "filter: confirmed, one move per period (max_moves 1): vCPU 0 first");
	cur[0] = 3;
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 400 * ms, apply);
	CHECK(n == 1 && apply[1] && !apply[0], "filter: vCPU 1, still proposed, moves the next period");
	cur[1] = 2;
	/* vCPU 0 proposed back at once: within min_dwell it stays */
	tgt[0] = 0;
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 500 * ms, apply);
	n += v3_place_filter(&k, &hy, 3, cur, tgt, 600 * ms, apply);
	CHECK(n == 0 && !apply[0], "filter: a vCPU moved 300 ms ago stays (min_dwell 1000 ms)");
	n = v3_place_filter(&k, &hy, 3, cur, tgt, 1400 * ms, apply);
	CHECK(n == 1 && apply[0], "filter: after the dwell time it moves");
	cur[0] = 0;
	/* a proposal that flaps between two CPUs never moves */
	for (n = 0, k.min_dwell_ms = 0; n < 6; n++) {
		tgt[2] = n & 1 ? 5 : 6;
		CHECK(v3_place_filter(&k, &hy, 3, cur, tgt, (2000 + n * 100) * ms, apply) == 0,
		      "filter: flapping proposal %u not carried out", n);
	}
	/* a negative target (no proposal) resets the count */
	tgt[2] = 5;
	v3_place_filter(&k, &hy, 3, cur, tgt, 3000 * ms, apply);
	tgt[2] = -1;
	v3_place_filter(&k, &hy, 3, cur, tgt, 3100 * ms, apply);
	tgt[2] = 5;
	CHECK(v3_place_filter(&k, &hy, 3, cur, tgt, 3200 * ms, apply) == 0,
	      "filter: an interrupted proposal counts again from one");
	k.confirm = 1;
	k.max_moves = 3;
	tgt[0] = 7;
	tgt[1] = 8;
	CHECK(v3_place_filter(&k, &hy, 3, cur, tgt, 3300 * ms, apply) == 3,
	      "filter: confirm 1, max_moves 3: all three move at once");
}

int main(void)
{
	int r;

	/* --- the test host: 4 CPUs in 2 nodes --- */
	host_init(2, 2);
	vm_init(4);
	r = place(V3_VPOL_COMPACT, V3_OBJ_PERFORMANCE);
	CHECK(r == 4 && target[0] == 0 && target[1] == 1 && target[2] == 2 &&
	      target[3] == 3, "compact: vCPU i on CPU i (%d %d %d %d), 4 moved", target[0], target[1], target[2], target[3]);
	vm_init(2);
	place(V3_VPOL_COMPACT, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == 0 && node_of(target[1]) == 0,
	      "compact: 2 vCPUs on one node (CPUs %d %d)", target[0], target[1]);
	place(V3_VPOL_SPREAD, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == 0 && node_of(target[1]) == 1,
	      "spread: 2 vCPUs on two nodes (CPUs %d %d)", target[0], target[1]);
	vm_init(4);
	place(V3_VPOL_SPREAD, V3_OBJ_PERFORMANCE);
	CHECK(target[0] == 0 && target[1] == 2 && target[2] == 1 && target[3] == 3,
	      "spread: 4 vCPUs round robin over the nodes (%d %d %d %d)", target[0], target[1], target[2], target[3]);

	vm_init(2);
	vm.cur[0] = 3;
	vm.cur[1] = 1;
	r = place(V3_VPOL_STATIC, V3_OBJ_PERFORMANCE);
	CHECK(r == 0 && target[0] == 3 && target[1] == 1, "static: nothing moves");

	/* adaptive: a talking pair stays on one node, independent vCPUs spread */
	vm_init(2);
	pair(0, 1, 50000);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == node_of(target[1]) && target[0] != target[1],
	      "adaptive: an IPI-heavy pair on one node, two CPUs (%d %d)", target[0], target[1]);
	vm_init(2);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) != node_of(target[1]),
	      "adaptive: two independent busy vCPUs on different nodes (%d %d)", target[0], target[1]);
	vm_init(2);
	pair(0, 1, 499);	/* 998 both ways together */
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) != node_of(target[1]),
	      "adaptive: a pair under ipi_threshold (both ways) counts as independent");
	/* the pair already on node 1 stays there: nothing moves */
	vm_init(2);
	pair(0, 1, 50000);
	vm.cur[0] = 3;
	vm.cur[1] = 2;
	r = place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(r == 0 && target[0] == 3 && target[1] == 2,
	      "adaptive: a placement that holds moves nothing (%d: %d %d)", r, target[0], target[1]);
	/* independent ones already on two nodes stay */
	vm_init(2);
	vm.cur[0] = 1;
	vm.cur[1] = 3;
	r = place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(r == 0, "adaptive: spread vCPUs already apart stay (%d: %d %d)", r, target[0], target[1]);
	/* 4 vCPUs: a pair and two independent: the pair takes a node */
	vm_init(4);
	pair(0, 1, 50000);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == node_of(target[1]) &&
	      node_of(target[2]) == node_of(target[3]) &&
	      node_of(target[0]) != node_of(target[2]),
	      "adaptive: pair on one node, the other two on the other (%d %d %d %d)",
	      target[0], target[1], target[2], target[3]);

	/* loaded CPUs are taken last */
	host_init(2, 2);
	host.load_pct[0] = 90;
	vm_init(1);
	place(V3_VPOL_COMPACT, V3_OBJ_PERFORMANCE);
	CHECK(target[0] == 1, "compact: skips the loaded CPU 0 (%d)", target[0]);
	vm_init(2);
	place(V3_VPOL_SPREAD, V3_OBJ_PERFORMANCE);
	CHECK(target[0] == 1 && target[1] == 2, "spread: skips the loaded CPU 0 (%d %d)", target[0], target[1]);
	vm_init(2);
	pair(0, 1, 50000);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == 1 && node_of(target[1]) == 1,
	      "adaptive: the pair goes to the node without load (%d %d)", target[0], target[1]);
	vm_init(4);
	place(V3_VPOL_COMPACT, V3_OBJ_PERFORMANCE);
	CHECK(target[3] == 0, "compact: the loaded CPU is used last, when needed (%d)", target[3]);

	/* energy: the fewest nodes, the emptiest first */
	host_init(2, 4);
	host.load_pct[0] = 90;
	vm_init(3);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_ENERGY);
	CHECK(node_of(target[0]) == 1 && node_of(target[1]) == 1 && node_of(target[2]) == 1,
	      "energy: 3 vCPUs packed on the emptier node (%d %d %d)", target[0], target[1], target[2]);
	host.load_pct[0] = 0;
	vm_init(5);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_ENERGY);
	CHECK(node_of(target[0]) == 0 && node_of(target[3]) == 0 && node_of(target[4]) == 1,
	      "energy: 5 vCPUs fill node 0, then one on node 1");

	/* a group is never larger than a node */
	host_init(2, 2);
	vm_init(4);
	pair(0, 1, 9000);
	pair(1, 2, 8000);
	pair(2, 3, 7000);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == node_of(target[1]) &&
	      node_of(target[2]) == node_of(target[3]) &&
	      node_of(target[0]) != node_of(target[2]),
	      "adaptive: a chain 0-1-2-3 splits into the two heaviest pairs (%d %d %d %d)",
	      target[0], target[1], target[2], target[3]);

	/* idle vCPUs go last */
	host_init(2, 2);
	vm_init(3);
	vm.busy_pct[0] = 1;
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[1]) != node_of(target[2]),
	      "adaptive: the two busy vCPUs get a node each before the idle one (%d %d %d)",
	      target[0], target[1], target[2]);

	/* more vCPUs than CPUs: CPUs reused, every vCPU placed */
	host_init(1, 2);
	vm_init(5);
	r = place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(r == 5 && target[0] >= 0 && target[4] >= 0 && target[4] <= 1,
	      "5 vCPUs on 2 CPUs: each placed (%d %d %d %d %d)", target[0], target[1], target[2], target[3], target[4]);
	r = place(V3_VPOL_SPREAD, V3_OBJ_PERFORMANCE);
	CHECK(target[2] == 0 && target[3] == 1, "spread: 5 vCPUs on 2 CPUs wrap");

	/* refusals */
	host_init(1, 1);
	host.nr_cpus = 0;
	vm_init(1);
	CHECK(place(V3_VPOL_COMPACT, V3_OBJ_PERFORMANCE) == -EINVAL, "no candidate CPU: -EINVAL");
	host_init(1, 1);
	CHECK(place(V3_NR_VPOLS, V3_OBJ_PERFORMANCE) == -EINVAL, "unknown policy: -EINVAL");
	CHECK(place(V3_VPOL_COMPACT, V3_NR_OBJS) == -EINVAL, "unknown objective: -EINVAL");

	/* a big lopsided host: 3 nodes of 8, 4 and 2 CPUs */
	memset(&host, 0, sizeof(host));
	host.nr_cpus = 14;
	for (r = 0; r < 14; r++) {
		host.cpu[r] = 100 + r;
		host.node[r] = r < 8 ? 5 : r < 12 ? 2 : 7;
	}
	vm_init(6);
	pair(0, 1, 5000);
	pair(0, 2, 5000);
	pair(1, 2, 5000);
	place(V3_VPOL_ADAPTIVE, V3_OBJ_PERFORMANCE);
	CHECK(node_of(target[0]) == 5 && node_of(target[1]) == 5 && node_of(target[2]) == 5,
	      "lopsided host: a 3-vCPU group on the largest node (%d %d %d)", target[0], target[1], target[2]);
	/* then each to the node with the fewest of the VM's vCPUs: node 2
	 * (more free CPUs than 7), node 7, node 2 again (node 5 has 3) */
	CHECK(node_of(target[3]) == 2 && node_of(target[4]) == 7 && node_of(target[5]) == 2,
	      "lopsided host: 3 independent vCPUs where the VM has fewest vCPUs (%d %d %d)",
	      target[3], target[4], target[5]);
	test_filter();
	return unit_done();
}
