// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl mem move NAME --node N [--range START-END] [--all] [--json]: move a VM's
 * guest RAM to one host NUMA node while it runs (V3_IOC_MEM_MOVE, ABI
 * 1.4).  Reached through cmd_mem(), whose help covers it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

#define CMD	"mem move"

/* "START-END", each decimal or 0x hex, END exclusive and above START */
static int parse_range(const char *s, __u64 *start, __u64 *end)
{
	char *e;

	errno = 0;
	*start = strtoull(s, &e, 0);
	if (errno || e == s || *e != '-' || s[0] == '-')
		return -1;
	s = e + 1;
	*end = strtoull(s, &e, 0);
	if (errno || e == s || *e || s[0] == '-' || *end <= *start)
		return -1;
	return 0;
}

static void print_result(const struct v3_mem_move *m, bool json)
{
	double secs = m->ns / 1e9;
	double gibs = secs > 0 ? m->moved_bytes / secs / (1 << 30) : 0;

	if (json) {
		printf("{\"name\": \"%s\", \"node\": %d, \"moved_bytes\": %llu, \"skipped_bytes\": %llu, \"large_bytes\": %llu, \"ns\": %llu, \"held_ns_max\": %llu, \"held_ns_total\": %llu}\n",
		       m->name, m->node, (unsigned long long)m->moved_bytes,
		       (unsigned long long)m->skipped_bytes,
		       (unsigned long long)m->large_bytes,
		       (unsigned long long)m->ns,
		       (unsigned long long)m->held_ns_max,
		       (unsigned long long)m->held_ns_total);
		return;
	}
	printf("moved: %llu MiB to node %d (%llu MiB in 2 MiB pages), %llu MiB already there\n",
	       (unsigned long long)(m->moved_bytes >> 20), m->node,
	       (unsigned long long)(m->large_bytes >> 20),
	       (unsigned long long)(m->skipped_bytes >> 20));
	printf("time: %.3f s, %.2f GiB/s\n", secs, gibs);
	printf("vcpus held: %.3f ms at most for a region, %.3f ms in all\n",
	       m->held_ns_max / 1e6, m->held_ns_total / 1e6);
}

/* argv[0] is "move". */
int mem_move(int argc, char **argv, const char *help)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "range", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct v3_mem_move m;
	char nodes[256];
	bool json = false, have_node = false;
	uint32_t node;
	int c, fd, err;

	memset(&m, 0, sizeof(m));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		case 'j':
			json = true;
			break;
		case 'a':
			m.flags |= V3_MEM_MOVE_ALL;
			break;
		case 'n':
			if (parse_u32(optarg, V3_MAX_NODES - 1, &node))
				return usage_err(CMD, "--node needs a NUMA node 0-%d, not '%s'",
						 V3_MAX_NODES - 1, optarg);
			have_node = true;
			break;
		case 'r':
			if (parse_range(optarg, &m.gpa_start, &m.gpa_end))
				return usage_err(CMD, "--range needs START-END guest-physical addresses (END past START), not '%s'",
						 optarg);
			break;
		default:
			return usage_err(CMD, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_err(CMD, argc - optind ? "one VM name, please" :
				 "missing VM name");
	if (!have_node)
		return usage_err(CMD, "missing --node N");
	if (!v3_name_valid(argv[optind]))
		return usage_err(CMD, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 argv[optind], V3_NAME_MAX - 1);
	if (!(host_nodes() & (1ULL << node))) {
		v3_err(CMD, "no NUMA node %u on this host (nodes: %s)", node,
		       fmt_node_list(host_nodes(), nodes, sizeof(nodes)));
		return EXIT_USAGE;
	}
	set_name(m.name, argv[optind]);
	m.node = (int32_t)node;

	fd = v3_open_abi(CMD, ABI_MINOR_PLACEMENT, "placement ioctls");
	if (fd < 0)
		return EXIT_FAIL;
	err = v3_ioctl(fd, V3_IOC_MEM_MOVE, &m) < 0 ? errno : 0;
	close(fd);
	if (err == ENOMEM)
		v3_err(CMD, "%s: node %u ran out of memory: the regions moved before it stay moved ('v3ctl mem %s' shows where it all is) (ENOMEM)",
		       m.name, node, m.name);
	else if (err == EINVAL && m.gpa_end)
		v3_err(CMD, "%s: no guest RAM in %#llx-%#llx, or node %u has no memory (EINVAL)",
		       m.name, (unsigned long long)m.gpa_start,
		       (unsigned long long)m.gpa_end, node);
	else if (err)
		v3_err_ioc(CMD, m.name, V3_IOC_MEM_MOVE, err, 0);
	if (err)
		return EXIT_FAIL;
	print_result(&m, json);
	return EXIT_OK;
}
