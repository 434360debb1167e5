// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA node lists ("0-1,3") and the guest RAM policy of --numa (ABI 1.4):
 * local, bind:N, interleave or interleave:LIST, checked against the
 * host's nodes (host.c).
 */
#include <stdio.h>
#include <string.h>

#include "v3ctl.h"

static const char *const policy_names[] = {
	[V3_MEM_LOCAL] = "local",
	[V3_MEM_BIND] = "bind",
	[V3_MEM_INTERLEAVE] = "interleave",
};

const char *mem_policy_name(uint32_t policy, char *buf, size_t len)
{
	if (policy < ARRAY_SIZE(policy_names))
		return policy_names[policy];
	snprintf(buf, len, "policy-%u", policy);
	return buf;
}

/* A node number below V3_MAX_NODES at *s: 0 (s moved past it) or -1. */
static int parse_node(const char **s, uint32_t *node, char *why, size_t len)
{
	const char *p = *s;
	uint32_t v = 0;

	if (*p < '0' || *p > '9') {
		if (*p)
			snprintf(why, len, "expected a node number at '%s'",
				 p);
		else
			snprintf(why, len, "expected a node number at the end");
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint32_t)(*p - '0');
		if (v >= V3_MAX_NODES) {
			int digits = (int)strspn(*s, "0123456789");

			snprintf(why, len, "node %.*s is out of range (nodes are 0-%d)",
				 digits, *s, V3_MAX_NODES - 1);
			return -1;
		}
	}
	*node = v;
	*s = p;
	return 0;
}

/*
 * "N", "N-M" and commas between them: *mask gets bit n for each node.
 * 0, or -1 with why in @why.
 */
int parse_node_list(const char *s, uint64_t *mask, char *why, size_t len)
{
	uint32_t a, b, n;

	*mask = 0;
	if (!*s) {
		snprintf(why, len, "empty node list");
		return -1;
	}
	for (;;) {
		if (parse_node(&s, &a, why, len))
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (parse_node(&s, &b, why, len))
				return -1;
			if (b < a) {
				snprintf(why, len, "range %u-%u is backwards",
					 a, b);
				return -1;
			}
		}
		for (n = a; n <= b; n++)
			*mask |= 1ULL << n;
		if (!*s)
			return 0;
		if (*s != ',') {
			snprintf(why, len, "unexpected '%c' in the node list",
				 *s);
			return -1;
		}
		s++;
	}
}

/* "0-1,3" ("none" for no node): @buf. */
const char *fmt_node_list(uint64_t mask, char *buf, size_t len)
{
	unsigned int a, b;
	size_t n = 0;

	buf[0] = '\0';
	for (a = 0; a < V3_MAX_NODES && n < len; a++) {
		if (!(mask & (1ULL << a)))
			continue;
		for (b = a; b + 1 < V3_MAX_NODES && (mask & (1ULL << (b + 1)));
		     b++)
			;
		if (b == a)
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "",
				      a);
		else
			n += snprintf(buf + n, len - n, "%s%u-%u",
				      n ? "," : "", a, b);
		a = b;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

/* Every node in @mask exists on the host and has memory: 0 or EXIT_USAGE. */
static int check_host_nodes(const char *cmd, const char *arg, uint64_t mask)
{
	uint64_t host = host_nodes(), mem, bad;
	char list[256];
	unsigned int n;

	bad = mask & ~host;
	if (bad) {
		n = __builtin_ctzll(bad);
		v3_err(cmd, "--numa '%s': no NUMA node %u on this host (nodes: %s)",
		       arg, n, fmt_node_list(host, list, sizeof(list)));
		return EXIT_USAGE;
	}
	if (host_mem_nodes(&mem))
		return 0;	/* sysfs does not say: the module will */
	bad = mask & ~mem;
	if (bad) {
		n = __builtin_ctzll(bad);
		v3_err(cmd, "--numa '%s': NUMA node %u has no memory (nodes with memory: %s)",
		       arg, n, fmt_node_list(mem, list, sizeof(list)));
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * --numa ARG: *policy and *nodes for struct v3_create.  0, or EXIT_USAGE
 * with the message printed.
 */
int parse_numa(const char *cmd, const char *arg, uint32_t *policy,
	       uint64_t *nodes)
{
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	char why[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(policy_names); i++)
		if (strlen(policy_names[i]) == len &&
		    !strncmp(arg, policy_names[i], len))
			break;
	if (i == ARRAY_SIZE(policy_names))
		return usage_err(cmd, "--numa must be local, bind:N, interleave or interleave:LIST, not '%s'",
				 arg);
	*policy = i;
	*nodes = 0;
	if (i == V3_MEM_LOCAL) {
		if (colon)
			return usage_err(cmd, "--numa local takes no node list, not '%s'",
					 arg);
		return 0;
	}
	if (!colon) {
		if (i == V3_MEM_BIND)
			return usage_err(cmd, "--numa bind needs its node: bind:N");
		return 0;	/* interleave: every node with memory */
	}
	if (parse_node_list(colon + 1, nodes, why, sizeof(why)))
		return usage_err(cmd, "--numa '%s': %s", arg, why);
	if (i == V3_MEM_BIND && __builtin_popcountll(*nodes) != 1)
		return usage_err(cmd, "--numa '%s': bind takes exactly one node (for several: interleave:LIST)",
				 arg);
	return check_host_nodes(cmd, arg, *nodes);
}
