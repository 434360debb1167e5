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

/* A kernel without NUMA has no node directory. */
bool host_has_numa(void)
{
	char p[PATH_BUF];

	return sysfs_exists(sysfs_path(p, sizeof(p), NODE_DIR));
}

/*
 * The host's NUMA nodes below V3_MAX_NODES: bit n for each nodeN.  A
 * kernel without NUMA has one node: 0.
 */
uint64_t host_nodes(void)
{
	char p[PATH_BUF];
	uint64_t mask = 0;
	unsigned int n;

	if (!host_has_numa())
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

/* A list file ("0-3,8", cpulist): @bits (@nbits of them).  0 or -1. */
int sysfs_read_ids(const char *path, uint64_t *bits, unsigned int nbits)
{
	char line[4096], why[96];

	if (sysfs_read_line(path, line, sizeof(line)))
		return -1;
	if (!*line) {			/* e.g. the cpulist of a CPU-less node */
		memset(bits, 0, nbits / 8);
		return 0;
	}
	return parse_id_list(line, bits, nbits, "CPU", why, sizeof(why));
}

/* A file holding one number: 0 or -1. */
int sysfs_read_ulong(const char *path, unsigned long *v)
{
	char line[64], *end;

	if (sysfs_read_line(path, line, sizeof(line)))
		return -1;
	*v = strtoul(line, &end, 10);
	return end == line || *end ? -1 : 0;
}

/* "KEY:  N kB" anywhere in @line: bytes in *v. */
static void meminfo_field(const char *line, const char *key, int64_t *v)
{
	const char *p = strstr(line, key);

	if (p)
		*v = strtoll(p + strlen(key), NULL, 10) * 1024;
}

/*
 * MemTotal and MemFree of /proc/meminfo or nodeN/meminfo ("Node 0
 * MemTotal: ..."), in bytes: 0, or -1 when unreadable (both -1).
 */
int sysfs_read_meminfo(const char *path, int64_t *total, int64_t *free)
{
	FILE *f = fopen(path, "r");
	char line[256];

	*total = -1;
	*free = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		meminfo_field(line, "MemTotal:", total);
		meminfo_field(line, "MemFree:", free);
	}
	fclose(f);
	return *total < 0 ? -1 : 0;
}
