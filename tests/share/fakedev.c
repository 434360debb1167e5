// SPDX-License-Identifier: GPL-2.0
/*
 * fakedev.so (LD_PRELOAD): answers V3_IOC_CONTENT_TABLE, on any file, from
 * the dump file $FAKEDEV_DUMP (%r: the MPI rank, OMPI_COMM_WORLD_RANK) as
 * the module would: -ENOSPC with the count when max is too small, else the
 * entries.  Other ioctls go to libc.  Tests v3share's module path
 * (v3share --device /dev/null) without a module.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dumpio.h"

static struct dump d;
static int loaded;

static void load(const char *pattern)
{
	const char *r = getenv("OMPI_COMM_WORLD_RANK");
	char path[4096];

	dump_path(path, sizeof(path), pattern, r ? atoi(r) : 0, 1);
	dump_read(path, &d);
	loaded = 1;
}

static int table(struct v3_content_table *q)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (q->reserved[i])
			return -EINVAL;
	if (q->name[0])
		return -ENOENT;
	q->count = d.h.count;
	q->time_ns = d.h.time_ns;
	if (q->max < d.h.count)
		return -ENOSPC;
	memcpy((void *)(uintptr_t)q->entries, d.e, d.h.count * sizeof(*d.e));
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	const char *pattern = getenv("FAKEDEV_DUMP");
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req != V3_IOC_CONTENT_TABLE || !pattern) {
		if (!next)
			next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return next(fd, req, arg);
	}
	if (!loaded)
		load(pattern);
	r = table(arg);
	if (r) {
		errno = -r;
		return -1;
	}
	return 0;
}
