// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl mem NAME [--json]: on which host NUMA nodes a VM's guest RAM
 * lies, counted from its backing pages, and the policy it was created
 * with (V3_IOC_MEM_NODES, ABI 1.4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl mem NAME [--json]\n"
"       v3ctl mem move NAME --node N [--range START-END] [--all] [--json]\n"
"\n"
"Show where the guest RAM of VM NAME lies on the host's NUMA nodes,\n"
"counted from the pages backing it, one item per line:\n"
"  policy: POLICY\n"
"  node N: M MiB, PAGES pages, LARGE in 2 MiB pages   (each node used)\n"
"  total: M MiB, PAGES pages, LARGE in 2 MiB pages\n"
"POLICY is the VM's --numa policy in the same syntax: local, bind:N,\n"
"interleave (every node with memory) or interleave:LIST.  PAGES counts\n"
"4 KiB pages; LARGE how many of them are part of 2 MiB pages.\n"
"\n"
"  --json   one JSON object instead: {\"name\": NAME, \"policy\": P,\n"
"           \"policy_nodes\": [N, ...], \"nodes\": [{\"node\": N,\n"
"           \"pages\": N, \"pages_in_2m\": N}, ...], \"total\":\n"
"           {\"pages\": N, \"pages_in_2m\": N}}; policy_nodes is empty\n"
"           for local and for interleave over every node\n"
"\n"
"'move' moves the guest RAM of VM NAME to host NUMA node N while the VM\n"
"runs (or not): all of it, or with --range the 2 MiB regions that the\n"
"guest-physical range START-END (END exclusive; decimal or 0x hex) touches.\n"
"Each region is copied while the vCPUs are held outside the guest, then\n"
"mapped at its new place; regions already on N are skipped (--all: copied\n"
"too, e.g. into 2 MiB pages), and 2 MiB pages are used where N has them\n"
"free.  It prints what moved, the time and throughput, and how long the\n"
"vCPUs were held (--json: one object with\n"
"name, node, moved_bytes, skipped_bytes, large_bytes, ns, held_ns_max,\n"
"held_ns_total).  If N runs out of memory the regions moved so far stay\n"
"moved (exit 1).  ('move' is only recognised right after 'mem'.)\n"
"\n"
"Needs a module with ABI 1.4 (see 'v3ctl version').\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

#define PAGES_PER_MIB	(1U << (20 - 12))

/* The policy in --numa syntax: "bind:1", "interleave:0-1", "local" */
static const char *policy_str(const struct v3_mem_nodes *m, char *buf,
			      size_t len)
{
	char unknown[32], list[256];
	const char *pol = mem_policy_name(m->policy, unknown, sizeof(unknown));

	if (m->policy_nodes)
		snprintf(buf, len, "%s:%s", pol,
			 fmt_node_list(m->policy_nodes, list, sizeof(list)));
	else
		snprintf(buf, len, "%s", pol);
	return buf;
}

static void print_text(const struct v3_mem_nodes *m)
{
	unsigned long long pages = 0, large = 0;
	char pol[320];
	unsigned int n;

	printf("policy: %s\n", policy_str(m, pol, sizeof(pol)));
	for (n = 0; n < V3_MAX_NODES; n++) {
		if (!m->pages[n])
			continue;
		printf("node %u: %llu MiB, %llu pages, %llu in 2 MiB pages\n",
		       n, (unsigned long long)(m->pages[n] / PAGES_PER_MIB),
		       (unsigned long long)m->pages[n],
		       (unsigned long long)m->large[n]);
		pages += m->pages[n];
		large += m->large[n];
	}
	printf("total: %llu MiB, %llu pages, %llu in 2 MiB pages\n",
	       pages / PAGES_PER_MIB, pages, large);
}

static void print_json(const char *name, const struct v3_mem_nodes *m)
{
	unsigned long long pages = 0, large = 0;
	const char *sep = "";
	char pol[32];
	unsigned int n;

	/* VM names are [A-Za-z0-9_.-]: nothing to escape */
	printf("{\"name\": \"%s\", \"policy\": \"%s\", \"policy_nodes\": [",
	       name, mem_policy_name(m->policy, pol, sizeof(pol)));
	for (n = 0; n < V3_MAX_NODES; n++)
		if (m->policy_nodes & (1ULL << n)) {
			printf("%s%u", sep, n);
			sep = ", ";
		}
	printf("], \"nodes\": [");
	sep = "";
	for (n = 0; n < V3_MAX_NODES; n++) {
		if (!m->pages[n])
			continue;
		printf("%s{\"node\": %u, \"pages\": %llu, \"pages_in_2m\": %llu}",
		       sep, n, (unsigned long long)m->pages[n],
		       (unsigned long long)m->large[n]);
		sep = ", ";
		pages += m->pages[n];
		large += m->large[n];
	}
	printf("], \"total\": {\"pages\": %llu, \"pages_in_2m\": %llu}}\n",
	       pages, large);
}

int cmd_mem(int argc, char **argv)
{
	const char *cmd = argv[0], *name;
	struct v3_mem_nodes m;
	bool json = false;
	int c, fd, err;

	if (argc > 1 && !strcmp(argv[1], "move"))
		return mem_move(argc - 1, argv + 1, help);
	c = open_vm_query(cmd, argc, argv, help, &json, &name,
			  ABI_MINOR_PLACEMENT, "placement ioctls", &fd);
	if (c >= 0)
		return c;
	memset(&m, 0, sizeof(m));
	set_name(m.name, name);
	err = v3_ioctl(fd, V3_IOC_MEM_NODES, &m) < 0 ? errno : 0;
	close(fd);
	if (err) {
		v3_err_ioc(cmd, name, V3_IOC_MEM_NODES, err, 0);
		return EXIT_FAIL;
	}
	if (json)
		print_json(name, &m);
	else
		print_text(&m);
	return EXIT_OK;
}
