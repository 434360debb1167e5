// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl vcpu move NAME VCPU CPU|any: bind a vCPU to one host CPU, or
 * unbind it (V3_IOC_VCPU_MOVE, ABI 1.4).  Reached through cmd_vcpu(),
 * whose help covers it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "v3ctl.h"

#define CMD	"vcpu move"

/* The VM's number of vCPUs (V3_IOC_VCPUS with an empty buffer), or -1. */
static int64_t vcpu_count(int fd, const char *name)
{
	struct v3_vcpus vs;

	memset(&vs, 0, sizeof(vs));
	set_name(vs.name, name);
	if (v3_ioctl(fd, V3_IOC_VCPUS, &vs) < 0)
		return -1;
	return vs.count;
}

/* EINVAL: the vCPU or the CPU; which one, if the vCPU count tells. */
static void explain_einval(int fd, const struct v3_vcpu_move *mv)
{
	int64_t n = vcpu_count(fd, mv->name);

	if (n >= 0 && mv->vcpu >= n)
		v3_err(CMD, "%s: no vCPU %u: the VM has %lld (0-%lld) (EINVAL)",
		       mv->name, mv->vcpu, (long long)n, (long long)n - 1);
	else if (n >= 0 && mv->cpu >= 0)
		v3_err(CMD, "%s: the module has no CPU %d (EINVAL)", mv->name,
		       mv->cpu);
	else
		v3_err_ioc(CMD, mv->name, V3_IOC_VCPU_MOVE, EINVAL, 0);
}

/* CPU|any: 0 with *cpu set (-1: any), or the exit status. */
static int parse_cpu(const char *arg, int32_t *cpu)
{
	char cpus[256];
	uint32_t v;

	if (!strcmp(arg, "any")) {
		*cpu = -1;
		return 0;
	}
	if (parse_u32(arg, INT32_MAX, &v))
		return usage_err(CMD, "CPU must be a CPU number or 'any', not '%s'",
				 arg);
	if (!host_has_cpu(v)) {
		if (host_cpus(cpus, sizeof(cpus)))
			v3_err(CMD, "no CPU %u on this host (CPUs %s)", v,
			       cpus);
		else
			v3_err(CMD, "no CPU %u on this host", v);
		return EXIT_USAGE;
	}
	*cpu = (int32_t)v;
	return 0;
}

/* argv[0] is "move". */
int vcpu_move(int argc, char **argv, const char *help)
{
	static const char *const missing[] = {
		"missing VM name", "missing vCPU number",
		"missing CPU (a CPU number or 'any')",
	};
	struct v3_vcpu_move mv;
	const char *name;
	int c, fd, err;

	c = parse_help_only(CMD, argc, argv, help);
	if (c >= 0)
		return c;
	if (argc - optind < 3)
		return usage_err(CMD, "%s", missing[argc - optind]);
	if (argc - optind > 3)
		return usage_err(CMD, "unexpected argument '%s'",
				 argv[optind + 3]);
	name = argv[optind];
	if (!v3_name_valid(name))
		return usage_err(CMD, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 name, V3_NAME_MAX - 1);
	memset(&mv, 0, sizeof(mv));
	set_name(mv.name, name);
	if (parse_u32(argv[optind + 1], V3_MAX_VCPUS - 1, &mv.vcpu))
		return usage_err(CMD, "VCPU must be a vCPU number 0-%d, not '%s'",
				 V3_MAX_VCPUS - 1, argv[optind + 1]);
	err = parse_cpu(argv[optind + 2], &mv.cpu);
	if (err)
		return err;

	fd = v3_open_abi(CMD, ABI_MINOR_PLACEMENT, "placement ioctls");
	if (fd < 0)
		return EXIT_FAIL;
	err = v3_ioctl(fd, V3_IOC_VCPU_MOVE, &mv) < 0 ? errno : 0;
	if (err == EINVAL)
		explain_einval(fd, &mv);
	else if (err == ENODEV)
		v3_err(CMD, "%s: CPU %d is offline or has no virtualization (ENODEV)",
		       name, mv.cpu);
	else if (err)
		v3_err_ioc(CMD, name, V3_IOC_VCPU_MOVE, err, 0);
	close(fd);
	return err ? EXIT_FAIL : EXIT_OK;
}
