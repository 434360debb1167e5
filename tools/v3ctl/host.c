// SPDX-License-Identifier: GPL-2.0
/*
 * The host's CPUs and NUMA nodes as sysfs shows them, so that numbers the
 * user gives can be checked (and the ones there are named) before the
 * module sees them.  V3CTL_SYSFS_ROOT names a directory standing for "/"
 * in these paths: the unit tests point it at a fake tree.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "v3ctl.h"

#define CPU_DIR		"/sys/devices/system/cpu"
#define NODE_DIR	"/sys/devices/system/node"

/* @fmt (a path from "/sys/...") under V3CTL_SYSFS_ROOT, in @buf. */
const char *sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	const char *root = getenv(V3CTL_SYSFS_ROOT_ENV);
	size_t n;
	va_list ap;

	if (!root)
		root = "";
	n = snprintf(buf, len, "%s", root);
	if (n >= len)
		n = len - 1;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return buf;
}

static bool sysfs_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* First line of a sysfs file, without its newline: 0 or -1. */
int sysfs_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return -1;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

bool host_has_cpu(uint32_t cpu)
{
	char p[PATH_BUF];

	return sysfs_exists(sysfs_path(p, sizeof(p), CPU_DIR "/cpu%u", cpu));
}

/* The host's CPUs as the kernel lists them ("0-7"), or NULL. */
const char *host_cpus(char *buf, size_t len)
{
	char p[PATH_BUF];

	if (sysfs_read_line(sysfs_path(p, sizeof(p), CPU_DIR "/present"),
			    buf, len) || !*buf)
		return NULL;
	return buf;
}

/*
 * The host's NUMA nodes below V3_MAX_NODES: bit n for each nodeN.  A
 * kernel without NUMA has no node directory, and one node: 0.
 */
uint64_t host_nodes(void)
{
	char p[PATH_BUF];
	uint64_t mask = 0;
	unsigned int n;

	if (!sysfs_exists(sysfs_path(p, sizeof(p), NODE_DIR)))
		return 1;
	for (n = 0; n < V3_MAX_NODES; n++)
		if (sysfs_exists(sysfs_path(p, sizeof(p), NODE_DIR "/node%u",
					    n)))
			mask |= 1ULL << n;
	return mask;
}

/* The nodes with memory (has_memory): 0, or -1 when sysfs does not say. */
int host_mem_nodes(uint64_t *mask)
{
	char p[PATH_BUF], line[256], why[96];

	if (sysfs_read_line(sysfs_path(p, sizeof(p), NODE_DIR "/has_memory"),
			    line, sizeof(line)))
		return -1;
	return parse_node_list(line, mask, why, sizeof(why)) ? -1 : 0;
}
