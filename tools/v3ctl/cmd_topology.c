// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl topology [--json]: the host's NUMA nodes (CPUs, memory, distances)
 * and CPUs (node, online, frequencies, governor), from libnuma and
 * libcpupower or sysfs (topo.c).  Needs no module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl topology [--json]\n"
"\n"
"Show the host's NUMA nodes and CPUs, for choosing --numa and --pin.\n"
"First where the facts come from, then a table of nodes:\n"
"  NODE       the node number (what --numa bind:N and interleave:LIST name)\n"
"  CPUS       its CPUs\n"
"  MEM-MIB    its memory, FREE-MIB how much of it is free, in MiB\n"
"  DISTANCES  its distance to each node in the table, in table order\n"
"             (10: local)\n"
"then a table of the present CPUs:\n"
"  CPU, NODE  the CPU and its node\n"
"  ONLINE     yes or no (an offline CPU runs nothing)\n"
"  CUR-MHZ    current frequency, MIN-MHZ and MAX-MHZ the hardware limits,\n"
"             in MHz\n"
"  GOVERNOR   its cpufreq governor\n"
"'-' where there is nothing to show (a CPU without cpufreq, offline).\n"
"On a kernel without NUMA a line says so, and node 0 stands for every\n"
"CPU and all memory.\n"
"\n"
"Nodes come from libnuma, frequencies from libcpupower, when v3ctl was\n"
"linked with them; otherwise from sysfs (/sys/devices/system/node and\n"
"cpuN/cpufreq): the first line names the sources.\n"
"\n"
"  --json   one JSON object instead: {\"numa\": BOOL, \"node_source\": S,\n"
"           \"freq_source\": S, \"nodes\": [{\"node\": N, \"cpus\": [N, ...],\n"
"           \"mem_bytes\": N, \"free_bytes\": N, \"distances\": [N, ...]},\n"
"           ...], \"cpus\": [{\"cpu\": N, \"node\": N, \"online\": BOOL,\n"
"           \"cur_khz\": N, \"min_khz\": N, \"max_khz\": N, \"governor\": S},\n"
"           ...]}; memory in bytes, frequencies in kHz, distances in the\n"
"           order of \"nodes\"; null where the table shows '-'\n"
"\n"
"Exit status: 0 success, 1 the CPUs could not be read\n"
"(/sys/devices/system/cpu/present), 2 usage error.\n";

#define MIB	(1LL << 20)

static long long mhz(long khz)
{
	return khz < 0 ? -1 : (khz + 500) / 1000;
}

static long long mib(int64_t bytes)
{
	return bytes < 0 ? -1 : bytes / MIB;
}

/* The CPUs of node @n as a bitmap. */
static void node_cpus(const struct topology *t, unsigned int n, uint64_t *bits)
{
	unsigned int c;

	memset(bits, 0, TOPO_MAX_CPUS / 8);
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present && t->cpu[c].node == (int)n)
			bits[c / 64] |= 1ULL << (c % 64);
}

static void print_sources(const struct topology *t)
{
	printf("nodes from %s, frequencies from %s\n", t->node_src,
	       !strcmp(t->freq_src, "sysfs") ? "sysfs cpufreq" : t->freq_src);
	if (!t->numa)
		printf("no NUMA on this host: node 0 stands for every CPU and all memory\n");
}

static void print_node_text(const struct topology *t, unsigned int n)
{
	const struct topo_node *nd = &t->node[n];
	uint64_t bits[TOPO_MAX_CPUS / 64];
	char cpus[1024], m[24], f[24];
	unsigned int j;

	node_cpus(t, n, bits);
	printf("%4u %-15s %9s %9s ", n,
	       fmt_id_list(bits, TOPO_MAX_CPUS, cpus, sizeof(cpus)),
	       fmt_opt(mib(nd->mem_total), "-", m, sizeof(m)),
	       fmt_opt(mib(nd->mem_free), "-", f, sizeof(f)));
	for (j = 0; j < V3_MAX_NODES; j++)
		if (t->nodes & (1ULL << j))
			printf(" %s", nd->distance[j] > 0 ?
			       fmt_opt(nd->distance[j], "-", m, sizeof(m)) : "-");
	printf("\n");
}

static void print_cpu_text(const struct topo_cpu *cpu, unsigned int c)
{
	char nd[16], cur[24], lo[24], hi[24];

	printf("%4u %4s %-6s %7s %7s %7s %s\n", c,
	       fmt_opt(cpu->node, "-", nd, sizeof(nd)),
	       cpu->online ? "yes" : "no",
	       fmt_opt(mhz(cpu->cur_khz), "-", cur, sizeof(cur)),
	       fmt_opt(mhz(cpu->min_khz), "-", lo, sizeof(lo)),
	       fmt_opt(mhz(cpu->max_khz), "-", hi, sizeof(hi)),
	       cpu->governor[0] ? cpu->governor : "-");
}

static void print_text(const struct topology *t)
{
	unsigned int n, c;

	print_sources(t);
	printf("%4s %-15s %9s %9s  %s\n", "NODE", "CPUS", "MEM-MIB",
	       "FREE-MIB", "DISTANCES");
	for (n = 0; n < V3_MAX_NODES; n++)
		if (t->nodes & (1ULL << n))
			print_node_text(t, n);
	printf("%4s %4s %-6s %7s %7s %7s %s\n", "CPU", "NODE", "ONLINE",
	       "CUR-MHZ", "MIN-MHZ", "MAX-MHZ", "GOVERNOR");
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present)
			print_cpu_text(&t->cpu[c], c);
}

/* [0, 1, 5]: the ids set in @bits */
static void json_ids(const uint64_t *bits, unsigned int nbits)
{
	const char *sep = "";
	unsigned int i;

	printf("[");
	for (i = 0; i < nbits; i++)
		if (bits[i / 64] & (1ULL << (i % 64))) {
			printf("%s%u", sep, i);
			sep = ", ";
		}
	printf("]");
}

static void print_node_json(const struct topology *t, unsigned int n)
{
	const struct topo_node *nd = &t->node[n];
	uint64_t bits[TOPO_MAX_CPUS / 64];
	const char *sep = "";
	char m[24], f[24];
	unsigned int j;

	node_cpus(t, n, bits);
	printf("{\"node\": %u, \"cpus\": ", n);
	json_ids(bits, TOPO_MAX_CPUS);
	printf(", \"mem_bytes\": %s, \"free_bytes\": %s, \"distances\": [",
	       fmt_opt(nd->mem_total, "null", m, sizeof(m)),
	       fmt_opt(nd->mem_free, "null", f, sizeof(f)));
	for (j = 0; j < V3_MAX_NODES; j++)
		if (t->nodes & (1ULL << j)) {
			printf("%s%s", sep, nd->distance[j] > 0 ?
			       fmt_opt(nd->distance[j], "null", m, sizeof(m)) :
			       "null");
			sep = ", ";
		}
	printf("]}");
}

static void print_cpu_json(const struct topo_cpu *cpu, unsigned int c)
{
	char nd[16], cur[24], lo[24], hi[24];

	/* governor names are plain words (topo_set_governor) */
	printf("{\"cpu\": %u, \"node\": %s, \"online\": %s, \"cur_khz\": %s, \"min_khz\": %s, \"max_khz\": %s, \"governor\": %s%s%s}",
	       c, fmt_opt(cpu->node, "null", nd, sizeof(nd)),
	       cpu->online ? "true" : "false",
	       fmt_opt(cpu->cur_khz, "null", cur, sizeof(cur)),
	       fmt_opt(cpu->min_khz, "null", lo, sizeof(lo)),
	       fmt_opt(cpu->max_khz, "null", hi, sizeof(hi)),
	       cpu->governor[0] ? "\"" : "",
	       cpu->governor[0] ? cpu->governor : "null",
	       cpu->governor[0] ? "\"" : "");
}

static void print_json(const struct topology *t)
{
	const char *sep = "";
	unsigned int n, c;

	printf("{\"numa\": %s, \"node_source\": \"%s\", \"freq_source\": \"%s\", \"nodes\": [",
	       t->numa ? "true" : "false", t->node_src, t->freq_src);
	for (n = 0; n < V3_MAX_NODES; n++)
		if (t->nodes & (1ULL << n)) {
			printf("%s", sep);
			print_node_json(t, n);
			sep = ", ";
		}
	printf("], \"cpus\": [");
	sep = "";
	for (c = 0; c < t->nr_cpus; c++)
		if (t->cpu[c].present) {
			printf("%s", sep);
			print_cpu_json(&t->cpu[c], c);
			sep = ", ";
		}
	printf("]}\n");
}

int cmd_topology(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct topology *t;
	bool json = false;
	int ret;

	ret = parse_help_json(cmd, argc, argv, help, &json);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_err(cmd, "unexpected argument '%s'", argv[optind]);
	t = topo_alloc();
	if (!t) {
		v3_err(cmd, "out of memory");
		return EXIT_FAIL;
	}
	ret = topo_read(t, TOPO_FREQ);
	if (ret)
		v3_err_errno(cmd, "cannot read the host's CPUs (/sys/devices/system/cpu/present)",
			     -ret);
	else if (json)
		print_json(t);
	else
		print_text(t);
	free(t);
	return ret ? EXIT_FAIL : EXIT_OK;
}
