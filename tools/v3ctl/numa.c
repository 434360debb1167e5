// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA node lists ("0-1,3") and the guest RAM policy of --numa (ABI 1.4):
 * local, bind:N, interleave or interleave:LIST, checked against the
 * host's nodes (topo.c: libnuma, or sysfs).
 */
#include <stdio.h>
#include <stdlib.h>
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

static bool test_id(const uint64_t *bits, unsigned int id)
{
	return bits[id / 64] & (1ULL << (id % 64));
}

/* A @what number below @max at *s: 0 (s moved past it) or -1. */
static int parse_id(const char **s, unsigned int max, const char *what,
		    unsigned int *id, char *why, size_t len)
{
	const char *p = *s;
	unsigned int v = 0;

	if (*p < '0' || *p > '9') {
		if (*p)
			snprintf(why, len, "expected a %s number at '%s'",
				 what, p);
		else
			snprintf(why, len, "expected a %s number at the end",
				 what);
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v >= max) {
			int digits = (int)strspn(*s, "0123456789");

			snprintf(why, len, "%s %.*s is out of range (%ss are 0-%u)",
				 what, digits, *s, what, max - 1);
			return -1;
		}
	}
	*id = v;
	*s = p;
	return 0;
}

/*
 * "N", "N-M" and commas between them, each below @nbits (a multiple of
 * 64): @bits gets bit n for each.  0, or -1 with why in @why.
 */
int parse_id_list(const char *s, uint64_t *bits, unsigned int nbits,
		  const char *what, char *why, size_t len)
{
	unsigned int a, b, n;

	memset(bits, 0, nbits / 8);
	if (!*s) {
		snprintf(why, len, "empty %s list", what);
		return -1;
	}
	for (;;) {
		if (parse_id(&s, nbits, what, &a, why, len))
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (parse_id(&s, nbits, what, &b, why, len))
				return -1;
			if (b < a) {
				snprintf(why, len, "range %u-%u is backwards",
					 a, b);
				return -1;
			}
		}
		for (n = a; n <= b; n++)
			bits[n / 64] |= 1ULL << (n % 64);
		if (!*s)
			return 0;
		if (*s != ',') {
			snprintf(why, len, "unexpected '%c' in the %s list",
				 *s, what);
			return -1;
		}
		s++;
	}
}

int parse_node_list(const char *s, uint64_t *mask, char *why, size_t len)
{
	return parse_id_list(s, mask, V3_MAX_NODES, "node", why, len);
}

/* "0-1,3" ("none" for none) from @bits (@nbits of them): @buf. */
const char *fmt_id_list(const uint64_t *bits, unsigned int nbits, char *buf,
			size_t len)
{
	unsigned int a, b;
	size_t n = 0;

	buf[0] = '\0';
	for (a = 0; a < nbits && n < len; a++) {
		if (!test_id(bits, a))
			continue;
		for (b = a; b + 1 < nbits && test_id(bits, b + 1); b++)
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

const char *fmt_node_list(uint64_t mask, char *buf, size_t len)
{
	return fmt_id_list(&mask, V3_MAX_NODES, buf, len);
}

/*
 * Every node in @mask exists on the host and has memory, as libnuma (or
 * sysfs: see topo.c) says: 0 or EXIT_USAGE.
 */
static int check_nodes(const char *cmd, const char *arg, uint64_t mask,
		       const struct topology *t)
{
	uint64_t bad = mask & ~t->nodes;
	char list[256];

	if (bad) {
		v3_err(cmd, "--numa '%s': no NUMA node %u on this host (nodes: %s)",
		       arg, (unsigned int)__builtin_ctzll(bad),
		       fmt_node_list(t->nodes, list, sizeof(list)));
		return EXIT_USAGE;
	}
	if (!t->mem_known)
		return 0;	/* nothing says: the module will */
	bad = mask & ~t->mem_nodes;
	if (bad) {
		v3_err(cmd, "--numa '%s': NUMA node %u has no memory (nodes with memory: %s)",
		       arg, (unsigned int)__builtin_ctzll(bad),
		       fmt_node_list(t->mem_nodes, list, sizeof(list)));
		return EXIT_USAGE;
	}
	return 0;
}

static int check_host_nodes(const char *cmd, const char *arg, uint64_t mask)
{
	struct topology *t = topo_alloc();
	int ret = 0;

	if (t && !topo_read_nodes(t))
		ret = check_nodes(cmd, arg, mask, t);
	free(t);
	return ret;
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
