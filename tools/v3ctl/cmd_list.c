// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl list: one line per VM.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl list\n"
"\n"
"List the VMs, one line each, fields separated by spaces:\n"
"  NAME STATE VCPUS MEMORY-MiB\n"
"STATE is created, running, paused or stopped.  No header is printed.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

/* All VM names: a malloc'ed array of *count names, or NULL on error. */
static char *list_names(const char *cmd, int fd, uint32_t *count)
{
	struct v3_list l;
	char *names = NULL;
	uint32_t max = 0;

	for (;;) {
		memset(&l, 0, sizeof(l));
		l.max = max;
		l.names = (uintptr_t)names;
		if (v3_ioctl(fd, V3_IOC_LIST, &l) < 0) {
			v3_err_ioc(cmd, "listing VMs", V3_IOC_LIST, errno, 0);
			free(names);
			return NULL;
		}
		if (l.count <= max && names) {
			*count = l.count;
			return names;
		}
		/* first call, or VMs were created meanwhile */
		free(names);
		max = l.count + 8;
		names = calloc(max, V3_NAME_MAX);
		if (!names) {
			v3_err_errno(cmd, "listing VMs", ENOMEM);
			return NULL;
		}
	}
}

int cmd_list(int argc, char **argv)
{
	const char *cmd = argv[0];
	int c, fd, ret = EXIT_OK, err;
	struct v3_info info;
	uint32_t count, i;
	char *names;

	c = parse_help_only(cmd, argc, argv, help);
	if (c >= 0)
		return c;
	if (optind < argc)
		return usage_err(cmd, "unexpected argument '%s'", argv[optind]);

	fd = v3_open(cmd, true);
	if (fd < 0)
		return EXIT_FAIL;
	names = list_names(cmd, fd, &count);
	if (!names) {
		close(fd);
		return EXIT_FAIL;
	}
	for (i = 0; i < count; i++) {
		char *name = names + (size_t)i * V3_NAME_MAX;

		name[V3_NAME_MAX - 1] = '\0';
		err = vm_info(fd, name, &info);
		if (err == -ENOENT)
			continue;	/* destroyed meanwhile */
		if (err) {
			v3_err_vm(cmd, name, -err);
			ret = EXIT_FAIL;
			continue;
		}
		printf("%-31s %-8s %3u %7llu MiB\n", name,
		       state_name(info.state), info.vcpus,
		       (unsigned long long)(info.mem_bytes >> 20));
	}
	free(names);
	close(fd);
	return ret;
}
