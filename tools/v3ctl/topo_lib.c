// SPDX-License-Identifier: GPL-2.0
/*
 * The library backends of topo.c: libnuma for the nodes and libcpupower
 * for the frequencies, each compiled in only when the Makefile found the
 * library (HAVE_LIBNUMA, HAVE_LIBCPUPOWER); without it its function
 * returns -ENOSYS and topo.c reads sysfs instead.
 */
#include <errno.h>
#include <stdlib.h>

#include "v3ctl.h"

#ifdef HAVE_LIBNUMA
#include <numa.h>

static void libnuma_node(struct topology *t, unsigned int n)
{
	long long free = -1, total = numa_node_size64((int)n, &free);
	unsigned int j;

	t->node[n].mem_total = total;
	t->node[n].mem_free = total < 0 ? -1 : free;
	if (total > 0)
		t->mem_nodes |= 1ULL << n;
	for (j = 0; j < V3_MAX_NODES; j++)
		if (t->nodes & (1ULL << j))
			t->node[n].distance[j] = numa_distance((int)n, (int)j);
}

/*
 * Nodes, their memory and distances, and the node of each CPU: 0.
 * libnuma unavailable (get_mempolicy() fails): no NUMA, one node; but
 * when sysfs has nodes (get_mempolicy() filtered by seccomp, say)
 * -ENOSYS, so that topo.c reads them there rather than refuse --numa
 * nodes that exist.
 */
int topo_nodes_libnuma(struct topology *t)
{
	int max, n;
	unsigned int c;

	if (numa_available() < 0) {
		if (host_has_numa())
			return -ENOSYS;
		t->node_src = "libnuma";
		topo_single_node(t);
		return 0;
	}
	t->node_src = "libnuma";
	t->numa = true;
	t->mem_known = true;
	max = numa_max_node();
	for (n = 0; n <= max && n < V3_MAX_NODES; n++)
		if (numa_bitmask_isbitset(numa_nodes_ptr, n))
			t->nodes |= 1ULL << n;
	for (n = 0; n < V3_MAX_NODES; n++)
		if (t->nodes & (1ULL << n))
			libnuma_node(t, n);
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present)
			t->cpu[c].node = numa_node_of_cpu((int)c);
	return 0;
}
#else
int topo_nodes_libnuma(struct topology *t)
{
	(void)t;
	return -ENOSYS;
}
#endif

#ifdef HAVE_LIBCPUPOWER
#include <cpufreq.h>

static void libcpupower_cpu(struct topo_cpu *cpu, unsigned int c)
{
	unsigned long cur = cpufreq_get_freq_kernel(c), min, max;
	struct cpufreq_policy *pol;

	cpu->cur_khz = cur ? (long)cur : -1;
	if (!cpufreq_get_hardware_limits(c, &min, &max)) {
		cpu->min_khz = (long)min;
		cpu->max_khz = (long)max;
	}
	pol = cpufreq_get_policy(c);
	if (pol) {
		if (pol->governor)
			topo_set_governor(cpu, pol->governor);
		cpufreq_put_policy(pol);
	}
}

/* Current, hardware minimum and maximum frequency, governor: 0. */
int topo_freq_libcpupower(struct topology *t)
{
	unsigned int c;

	t->freq_src = "libcpupower";
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present)
			libcpupower_cpu(&t->cpu[c], c);
	return 0;
}
#else
int topo_freq_libcpupower(struct topology *t)
{
	(void)t;
	return -ENOSYS;
}
#endif
