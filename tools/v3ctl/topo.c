// SPDX-License-Identifier: GPL-2.0
/*
 * The host's topology for 'v3ctl topology' and the --numa check: NUMA
 * nodes (CPUs, memory, distances) and each CPU's node and frequencies.
 *
 * Sources:
 *  - present and online CPUs: always sysfs (cpu/present, cpu/online);
 *  - nodes: libnuma (topo_lib.c) when v3ctl was linked with it, else
 *    sysfs (node/nodeN/{cpulist,meminfo,distance}, node/has_memory);
 *  - frequencies: libcpupower when linked with it, else sysfs
 *    (cpuN/cpufreq/{scaling_cur_freq,cpuinfo_min_freq,cpuinfo_max_freq,
 *    scaling_governor}).  Debian ships no static libcpupower.a, so the
 *    static v3ctl reads cpufreq from sysfs: the same files libcpupower
 *    reads.
 * With V3CTL_SYSFS_ROOT set (the unit tests' fake trees) both use sysfs
 * under it: libnuma and libcpupower only know the real /sys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v3ctl.h"

#define CPU_DIR		"/sys/devices/system/cpu"
#define NODE_DIR	"/sys/devices/system/node"

struct topology *topo_alloc(void)
{
	return calloc(1, sizeof(struct topology));
}

static bool cpu_bit(const uint64_t *bits, unsigned int cpu)
{
	return bits[cpu / 64] & (1ULL << (cpu % 64));
}

/* Present and online CPUs from sysfs: 0 or -ENOENT. */
int topo_read_cpus(struct topology *t)
{
	uint64_t present[TOPO_MAX_CPUS / 64], online[TOPO_MAX_CPUS / 64];
	char p[PATH_BUF];
	unsigned int c;

	if (sysfs_read_ids(sysfs_path(p, sizeof(p), CPU_DIR "/present"),
			   present, TOPO_MAX_CPUS))
		return -ENOENT;
	/* no cpu/online (CPU hotplug off): every present CPU is online */
	if (sysfs_read_ids(sysfs_path(p, sizeof(p), CPU_DIR "/online"),
			   online, TOPO_MAX_CPUS))
		memcpy(online, present, sizeof(online));
	t->nr_cpus = 0;
	for (c = 0; c < TOPO_MAX_CPUS; c++) {
		struct topo_cpu *cpu = &t->cpu[c];

		cpu->present = cpu_bit(present, c);
		cpu->online = cpu->present && cpu_bit(online, c);
		cpu->node = -1;
		cpu->cur_khz = cpu->min_khz = cpu->max_khz = -1;
		cpu->governor[0] = '\0';
		if (cpu->present)
			t->nr_cpus = c + 1;
	}
	return 0;
}

/* No NUMA: node 0 with every CPU and the memory of /proc/meminfo. */
void topo_single_node(struct topology *t)
{
	struct topo_node *n = &t->node[0];
	char p[PATH_BUF];
	unsigned int c;

	t->numa = false;
	t->nodes = t->mem_nodes = 1;
	t->mem_known = true;
	sysfs_read_meminfo(sysfs_path(p, sizeof(p), "/proc/meminfo"),
			   &n->mem_total, &n->mem_free);
	n->distance[0] = 10;
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present)
			t->cpu[c].node = 0;
}

/* nodeN/distance: the distances to each node, in node order. */
static void node_distances(struct topology *t, unsigned int n)
{
	char p[PATH_BUF], line[1024], *s = line, *end;
	unsigned int j;

	if (sysfs_read_line(sysfs_path(p, sizeof(p), NODE_DIR "/node%u/distance",
				       n), line, sizeof(line)))
		return;
	for (j = 0; j < V3_MAX_NODES; j++) {
		if (!(t->nodes & (1ULL << j)))
			continue;
		t->node[n].distance[j] = (int)strtol(s, &end, 10);
		if (end == s)
			return;
		s = end;
	}
}

/* nodeN/cpulist: these CPUs are on node n. */
static void node_cpus(struct topology *t, unsigned int n)
{
	uint64_t cpus[TOPO_MAX_CPUS / 64];
	char p[PATH_BUF];
	unsigned int c;

	if (sysfs_read_ids(sysfs_path(p, sizeof(p), NODE_DIR "/node%u/cpulist",
				      n), cpus, TOPO_MAX_CPUS))
		return;
	for (c = 0; c < t->nr_cpus; c++)
		if (cpu_bit(cpus, c))
			t->cpu[c].node = (int)n;
}

/* The node backend of sysfs: 0. */
int topo_nodes_sysfs(struct topology *t)
{
	char p[PATH_BUF];
	unsigned int n;

	t->node_src = "sysfs";
	if (!host_has_numa()) {
		topo_single_node(t);
		return 0;
	}
	t->numa = true;
	t->nodes = host_nodes();
	t->mem_known = !host_mem_nodes(&t->mem_nodes);
	for (n = 0; n < V3_MAX_NODES; n++) {
		if (!(t->nodes & (1ULL << n)))
			continue;
		sysfs_read_meminfo(sysfs_path(p, sizeof(p),
					      NODE_DIR "/node%u/meminfo", n),
				   &t->node[n].mem_total,
				   &t->node[n].mem_free);
		node_distances(t, n);
		node_cpus(t, n);
	}
	return 0;
}

/* Governor names are plain words: anything else is shown as '?'. */
void topo_set_governor(struct topo_cpu *c, const char *gov)
{
	size_t i;

	snprintf(c->governor, sizeof(c->governor), "%s", gov);
	for (i = 0; c->governor[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
			    c->governor[i]))
			c->governor[i] = '?';
}

/* cpuN/cpufreq/@file in kHz, -1 when there is none. */
static long cpufreq_khz(unsigned int cpu, const char *file)
{
	char p[PATH_BUF];
	unsigned long v;

	if (sysfs_read_ulong(sysfs_path(p, sizeof(p),
					CPU_DIR "/cpu%u/cpufreq/%s", cpu, file),
			     &v) || !v)
		return -1;
	return (long)v;
}

/* The frequency backend of sysfs. */
static void topo_freq_sysfs(struct topology *t)
{
	char p[PATH_BUF], gov[TOPO_GOV_LEN];
	unsigned int c;

	t->freq_src = "sysfs";
	for (c = 0; c < t->nr_cpus; c++) {
		struct topo_cpu *cpu = &t->cpu[c];

		if (!cpu->present)
			continue;
		cpu->cur_khz = cpufreq_khz(c, "scaling_cur_freq");
		cpu->min_khz = cpufreq_khz(c, "cpuinfo_min_freq");
		cpu->max_khz = cpufreq_khz(c, "cpuinfo_max_freq");
		if (!sysfs_read_line(sysfs_path(p, sizeof(p),
				CPU_DIR "/cpu%u/cpufreq/scaling_governor", c),
				gov, sizeof(gov)) && *gov)
			topo_set_governor(cpu, gov);
	}
}

static bool fake_sysfs(void)
{
	return getenv(V3CTL_SYSFS_ROOT_ENV) != NULL;
}

/* The nodes only (the --numa check): libnuma, else sysfs.  0. */
int topo_read_nodes(struct topology *t)
{
	int err = fake_sysfs() ? -ENOSYS : topo_nodes_libnuma(t);

	if (err == -ENOSYS)
		err = topo_nodes_sysfs(t);
	return err;
}

/* CPUs, nodes and with TOPO_FREQ frequencies: 0 or -ENOENT (no CPUs). */
int topo_read(struct topology *t, unsigned int flags)
{
	int err = topo_read_cpus(t);

	if (!err)
		err = topo_read_nodes(t);
	if (err || !(flags & TOPO_FREQ))
		return err;
	if (fake_sysfs() || topo_freq_libcpupower(t) == -ENOSYS)
		topo_freq_sysfs(t);
	return 0;
}
