// SPDX-License-Identifier: GPL-2.0
/*
 * VM configuration options and VM creation + kernel loading, shared by
 * "create" and "run".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "v3ctl.h"
#include "loader.h"

#define MEM_MIN		(1ULL << 20)
#define MEM_MAX		(64ULL << 30)

enum {
	OPT_MEM = 256,
	OPT_VCPUS,
	OPT_PIN,
	OPT_NO_PVCLOCK,
	OPT_ON_REBOOT,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_TIMEOUT,
	OPT_NAME,
	OPT_PAGING,
	OPT_NUMA,
	OPT_GUEST_NUMA,
};

static int parse_mem(const char *cmd, const char *arg, uint64_t *mem)
{
	if (parse_size(arg, mem))
		return usage_err(cmd, "invalid size '%s' for --mem (examples: 64M, 1G)",
				 arg);
	if (*mem < MEM_MIN)
		return usage_err(cmd, "--mem %s is too small: at least 1M", arg);
	if (*mem > MEM_MAX)
		return usage_err(cmd, "--mem %s is too large: at most 64G", arg);
	if (*mem & 4095)
		return usage_err(cmd, "--mem %s is not a multiple of 4K", arg);
	return 0;
}

int parse_vm_opts(const char *cmd, int argc, char **argv, unsigned int mode,
		  struct vm_config *cfg, const char *help)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "pin", required_argument, NULL, OPT_PIN },
		{ "no-pvclock", no_argument, NULL, OPT_NO_PVCLOCK },
		{ "on-reboot", required_argument, NULL, OPT_ON_REBOOT },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "paging", required_argument, NULL, OPT_PAGING },
		{ "numa", required_argument, NULL, OPT_NUMA },
		{ "guest-numa", required_argument, NULL, OPT_GUEST_NUMA },
		{ NULL, 0, NULL, 0 }
	};
	char why[LOAD_ERR_MAX];
	int c, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
	cfg->paging = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return PARSE_HELP;
		case OPT_MEM:
			ret = parse_mem(cmd, optarg, &cfg->mem_bytes);
			if (ret)
				return ret;
			break;
		case OPT_VCPUS:
			if (parse_u32(optarg, V3_MAX_VCPUS, &cfg->vcpus) ||
			    !cfg->vcpus)
				return usage_err(cmd, "--vcpus must be 1 to %d, not '%s'",
						 V3_MAX_VCPUS, optarg);
			break;
		case OPT_PIN:
			if (parse_u32(optarg, UINT32_MAX, &cfg->first_cpu))
				return usage_err(cmd, "--pin needs a CPU number, not '%s'",
						 optarg);
			cfg->pin = true;
			break;
		case OPT_NO_PVCLOCK:
			cfg->no_pvclock = true;
			break;
		case OPT_ON_REBOOT:
			if (strcmp(optarg, "reset") && strcmp(optarg, "stop"))
				return usage_err(cmd, "--on-reboot must be 'reset' or 'stop', not '%s'",
						 optarg);
			cfg->reboot_stops = !strcmp(optarg, "stop");
			break;
		case OPT_PAGING: {
			static const char *const names[] = V3_PAGING_NAMES;
			unsigned int i;

			for (i = 0; i < ARRAY_SIZE(names); i++)
				if (!strcmp(optarg, names[i]))
					cfg->paging = i;
			if (cfg->paging < 0)
				return usage_err(cmd, "--paging must be nested, shadow or adaptive, not '%s'",
						 optarg);
			break;
		}
		case OPT_NUMA:
			ret = parse_numa(cmd, optarg, &cfg->mem_policy,
					 &cfg->mem_nodes);
			if (ret)
				return ret;
			cfg->numa = optarg;
			break;
		case OPT_GUEST_NUMA:
			if (parse_u32(optarg, GUEST_NUMA_MAX_NODES,
				      &cfg->guest_numa) || !cfg->guest_numa)
				return usage_err(cmd, "--guest-numa must be 1 to %d, not '%s'",
						 GUEST_NUMA_MAX_NODES, optarg);
			break;
		case OPT_KERNEL:
			cfg->kernel = optarg;
			break;
		case OPT_INITRD:
			cfg->initrd = optarg;
			break;
		case OPT_CMDLINE:
			cfg->cmdline = optarg;
			break;
		case OPT_TIMEOUT:
			if (!(mode & VMOPT_RUN))
				return usage_err(cmd, "unknown option '--timeout'");
			if (parse_seconds(optarg, &cfg->timeout))
				return usage_err(cmd, "--timeout needs a positive number of seconds, not '%s'",
						 optarg);
			break;
		case OPT_NAME:
			if (!(mode & VMOPT_RUN))
				return usage_err(cmd, "unknown option '--name'");
			cfg->name = optarg;
			break;
		default:
			return opt_error(cmd, c, argv);
		}
	}

	if (mode & VMOPT_NAME_ARG) {
		ret = need_one_name(cmd, argc, argv, &cfg->name);
		if (ret)
			return ret;
	} else if (optind < argc) {
		return usage_err(cmd, "unexpected argument '%s'", argv[optind]);
	} else if (cfg->name && !v3_name_valid(cfg->name)) {
		return usage_err(cmd, "invalid VM name '%s' (1-%d characters from A-Z a-z 0-9 _ . -)",
				 cfg->name, V3_NAME_MAX - 1);
	}
	if (!cfg->mem_bytes)
		return usage_err(cmd, "missing --mem SIZE");
	if (!cfg->kernel)
		return usage_err(cmd, "missing --kernel FILE");
	if (cfg->cmdline && strlen(cfg->cmdline) > CMDLINE_MAX)
		return usage_err(cmd, "--cmdline is too long (at most %llu bytes)",
				 (unsigned long long)CMDLINE_MAX);
	if (cfg->guest_numa &&
	    guest_numa_check(cfg->guest_numa, cfg->vcpus, cfg->mem_bytes, why,
			     sizeof(why)))
		return usage_err(cmd, "%s", why);
	return 0;
}

/*
 * The device for create and run: a --numa policy other than local needs a
 * module with ABI 1.4 (an older one would refuse the VM with EINVAL).
 */
int vm_open(const char *cmd, const struct vm_config *cfg)
{
	if (cfg->mem_policy == V3_MEM_LOCAL && !cfg->mem_nodes)
		return v3_open(cmd, true);
	return v3_open_abi(cmd, ABI_MINOR_PLACEMENT,
			   "NUMA policy for guest RAM (--numa)");
}

/* ENOMEM on create with a --numa policy: which nodes ran short. */
static void create_nomem_numa(const char *cmd, const struct vm_config *cfg)
{
	char why[256], list[256];

	v3_explain(V3_IOC_CREATE, ENOMEM, cfg->mem_bytes, why, sizeof(why));
	if (cfg->mem_nodes)
		fmt_node_list(cfg->mem_nodes, list, sizeof(list));
	else
		snprintf(list, sizeof(list), "with memory");
	v3_err(cmd, "%s: %s; with --numa '%s' all of it must come from node%s %s (ENOMEM)",
	       cfg->name, why, cfg->numa,
	       __builtin_popcountll(cfg->mem_nodes) == 1 ? "" : "s", list);
}

static int null_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	(void)ctx;
	(void)gpa;
	(void)buf;
	(void)len;
	return 0;
}

static const struct guest_mem_ops null_mem_ops = { .write = null_write };

struct ioctl_mem {
	int fd;
	const char *name;
};

static int ioctl_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct ioctl_mem *im = ctx;
	struct v3_mem_xfer x;

	memset(&x, 0, sizeof(x));
	set_name(x.name, im->name);
	x.gpa = gpa;
	x.uaddr = (uintptr_t)buf;
	x.len = len;
	return v3_ioctl(im->fd, V3_IOC_MEM_WRITE, &x) < 0 ? -errno : 0;
}

static const struct guest_mem_ops ioctl_mem_ops = { .write = ioctl_write };

/*
 * Create VM cfg->name, load its kernel (and initrd) and set its boot
 * state.  The files are checked by a dry run before the VM is created;
 * if anything fails after creation the VM is destroyed again.
 * Returns EXIT_OK, EXIT_FAIL or EXIT_USAGE (an option this kernel cannot
 * have, say --guest-numa for a Multiboot kernel), message printed.
 */
int vm_create_and_load(int fd, const char *cmd, const struct vm_config *cfg)
{
	struct ioctl_mem im = { .fd = fd, .name = cfg->name };
	struct guest_mem mem = { .ram_bytes = cfg->mem_bytes };
	struct load_req req;
	struct v3_create cr;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_len = 0, initrd_len = 0;
	int ret = EXIT_FAIL, err;
	char why[256];

	if (v3_read_file(cmd, cfg->kernel, cfg->mem_bytes, "of guest RAM", NULL,
			 &kernel, &kernel_len))
		return EXIT_FAIL;
	if (cfg->initrd && v3_read_file(cmd, cfg->initrd, cfg->mem_bytes,
					"of guest RAM", NULL, &initrd,
					&initrd_len))
		goto out;

	memset(&req, 0, sizeof(req));
	req.kernel = kernel;
	req.kernel_len = kernel_len;
	req.initrd = initrd;
	req.initrd_len = initrd_len;
	req.cmdline = cfg->cmdline;
	req.vcpus = cfg->vcpus;
	req.guest_numa = cfg->guest_numa;
	req.mem = &mem;

	mem.ops = &null_mem_ops;
	if (load_kernel(&req)) {
		if (req.usage)
			ret = usage_err(cmd, "%s: %s", cfg->kernel, req.err);
		else
			v3_err(cmd, "%s: %s", cfg->kernel, req.err);
		goto out;
	}

	memset(&cr, 0, sizeof(cr));
	set_name(cr.name, cfg->name);
	cr.mem_bytes = cfg->mem_bytes;
	cr.vcpus = cfg->vcpus;
	if (cfg->pin) {
		cr.flags |= V3_CREATE_PIN_VCPUS;
		cr.first_cpu = cfg->first_cpu;
	}
	if (cfg->no_pvclock)
		cr.flags |= V3_CREATE_NO_PVCLOCK;
	if (cfg->reboot_stops)
		cr.flags |= V3_CREATE_REBOOT_STOPS;
	cr.mem_policy = cfg->mem_policy;
	cr.mem_nodes = cfg->mem_nodes;
	if (v3_ioctl(fd, V3_IOC_CREATE, &cr) < 0) {
		if (errno == ENOMEM && cfg->mem_policy != V3_MEM_LOCAL)
			create_nomem_numa(cmd, cfg);
		else
			v3_err_ioc(cmd, cfg->name, V3_IOC_CREATE, errno,
				   cr.mem_bytes);
		goto out;
	}

	mem.ops = &ioctl_mem_ops;
	mem.ctx = &im;
	if (load_kernel(&req)) {
		v3_err(cmd, "%s: %s: %s", cfg->name, cfg->kernel, req.err);
		goto destroy;
	}
	set_name(req.boot.name, cfg->name);
	if (v3_ioctl(fd, V3_IOC_SET_BOOT, &req.boot) < 0) {
		err = errno;
		v3_err(cmd, "%s: setting the boot state: %s (%s)", cfg->name,
		       v3_explain(V3_IOC_SET_BOOT, err, 0, why, sizeof(why)),
		       errno_name(err));
		goto destroy;
	}
	if (cfg->paging >= 0) {
		struct v3_paging pg;

		memset(&pg, 0, sizeof(pg));
		set_name(pg.name, cfg->name);
		pg.op = V3_PAGING_SET;
		pg.mode = cfg->paging;
		if (v3_ioctl(fd, V3_IOC_PAGING, &pg) < 0) {
			err = errno;
			v3_err(cmd, "%s: --paging: %s (%s)", cfg->name,
			       v3_explain(V3_IOC_PAGING, err, 0, why, sizeof(why)),
			       errno_name(err));
			goto destroy;
		}
	}
	ret = EXIT_OK;
	goto out;

destroy:
	err = vm_ref_ioctl(fd, V3_IOC_DESTROY, cfg->name);
	if (err)
		v3_err(cmd, "%s: destroying the half-created VM: %s (%s)",
		       cfg->name, strerror(-err), errno_name(-err));
out:
	free(kernel);
	free(initrd);
	return ret;
}
