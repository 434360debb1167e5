// SPDX-License-Identifier: GPL-2.0
/*
 * A node's content table: from a dump file (--dump, with %r and %n in
 * the path) or from the module (V3_IOC_CONTENT_TABLE, the node's table:
 * name "").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "v3share.h"

#define TABLE_FIRST	65536	/* entries asked for at first */
#define TABLE_TRIES	8	/* the table may grow between two calls */

/* %r: the rank, %n: the round, %%: '%'.  -1: another '%' or too long */
int v3s_expand(const char *pattern, int rank, int round, char *out,
	       size_t len)
{
	size_t o = 0;
	int w;

	for (; *pattern; pattern++) {
		if (*pattern != '%') {
			w = snprintf(out + o, len - o, "%c", *pattern);
		} else if (pattern[1] == 'r' || pattern[1] == 'n') {
			w = snprintf(out + o, len - o, "%d",
				     *++pattern == 'r' ? rank : round);
		} else if (pattern[1] == '%') {
			w = snprintf(out + o, len - o, "%%");
			pattern++;
		} else {
			return -1;
		}
		if (w < 0 || (size_t)w >= len - o)
			return -1;
		o += w;
	}
	return 0;
}

static int no_tracking(const char *dev, const char *why)
{
	v3s_err("%s: %s: the v3vmm module has no content tracking here (needs ABI 1.5); or give --dump FILE",
		dev, why);
	return EXIT_USAGE;
}

/* one V3_IOC_CONTENT_TABLE into a buffer of max entries */
static int table_ioctl(int fd, struct v3s_table *t, uint64_t max,
		       uint64_t *count)
{
	struct v3_content_table q;
	void *p;

	p = realloc(t->e, (max ? max : 1) * sizeof(*t->e));
	if (!p)
		return -ENOMEM;
	t->e = p;
	memset(&q, 0, sizeof(q));
	q.entries = (uintptr_t)t->e;
	q.max = max;
	if (ioctl(fd, V3_IOC_CONTENT_TABLE, &q) < 0) {
		*count = q.count;
		return -errno;
	}
	*count = q.count < max ? q.count : max;
	t->time_ns = q.time_ns;
	return 0;
}

static int module_entries(int fd, struct v3s_table *t)
{
	uint64_t max = TABLE_FIRST, count = 0;
	int i, r = -ENOSPC;

	for (i = 0; i < TABLE_TRIES && r == -ENOSPC; i++) {
		r = table_ioctl(fd, t, max, &count);
		if (!r)
			t->n = count;
		else if (r == -ENOSPC)
			max = count + count / 16 + 1024;
	}
	if (r == -ENOTTY)
		return no_tracking(t->src, "V3_IOC_CONTENT_TABLE not known");
	if (r) {
		v3s_err("%s: V3_IOC_CONTENT_TABLE: %s", t->src,
			r == -ENOSPC ? "the table keeps growing" :
			strerror(-r));
		return r == -EPERM || r == -EACCES ? EXIT_USAGE : EXIT_DATA;
	}
	return v3s_check_entries(t->src, t->e, t->n);
}

static int module_read(const char *dev, struct v3s_table *t)
{
	struct utsname u;
	int fd, st;

	memset(t, 0, sizeof(*t));
	snprintf(t->src, sizeof(t->src), "%s", dev);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
		return no_tracking(dev, strerror(errno));
	if (fd < 0) {
		v3s_err("%s: cannot open: %s", dev, strerror(errno));
		return EXIT_USAGE;
	}
	st = module_entries(fd, t);
	close(fd);
	if (st) {
		v3s_table_free(t);
		return st;
	}
	if (!uname(&u)) {
		memcpy(t->node, u.nodename, sizeof(t->node) - 1);
		t->node[sizeof(t->node) - 1] = '\0';
	}
	return EXIT_OK;
}

int v3s_load(const struct v3s_opts *o, int round, struct v3s_table *t)
{
	char path[V3S_PATH_MAX];
	int st;

	if (!o->dump) {
		st = module_read(o->device, t);
	} else if (v3s_expand(o->dump, v3s.rank, round, path, sizeof(path))) {
		v3s_err("%s: bad --dump pattern", o->dump);
		return EXIT_USAGE;
	} else {
		st = v3s_dump_read(path, t);
	}
	if (!st && !t->node[0])
		snprintf(t->node, sizeof(t->node), "rank%d", v3s.rank);
	return st;
}

/* the figures a node knows by itself */
void v3s_local_figures(const struct v3s_table *t, struct v3s_node *n)
{
	uint64_t i;

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", t->node);
	n->distinct = t->n;
	for (i = 0; i < t->n; i++) {
		n->pages += t->e[i].copies;
		if (t->e[i].flags & V3_CONTENT_ZERO)
			n->zero += t->e[i].copies;
		if (t->e[i].copies > 1)
			n->within += t->e[i].copies;
	}
}
