// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl version: ABI version, backend and capabilities of the module.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl version\n"
"\n"
"Show the ABI version of the v3vmm module, its backend (svm or vmx), the\n"
"maximum number of vCPUs and its capabilities, one \"key: value\" per line.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char *const cap_names[] = {
	"svm", "vmx", "nested-paging", "large-pages", "nrip-save",
	"decode-assists", "vpid", "unrestricted-guest",
	[8] = "flush-by-asid", [9] = "vmcb-clean", [10] = "pause-filter",
	[12] = "ept-ad", [13] = "preempt-timer", [16] = "emulator-quirks",
};

static const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case V3_ARCH_SVM:
		return "svm";
	case V3_ARCH_VMX:
		return "vmx";
	case V3_ARCH_NONE:
		return "none";
	default:
		return "unknown";
	}
}

int cmd_version(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct v3_version ver;
	unsigned int i;
	int c, fd;

	c = parse_help_only(cmd, argc, argv, help);
	if (c >= 0)
		return c;
	if (optind < argc)
		return usage_err(cmd, "unexpected argument '%s'", argv[optind]);

	fd = v3_open(cmd, false);
	if (fd < 0)
		return EXIT_FAIL;
	memset(&ver, 0, sizeof(ver));
	if (v3_ioctl(fd, V3_IOC_VERSION, &ver) < 0) {
		v3_err_errno(cmd, "version query", errno);
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);

	printf("abi: %u.%u\n", ver.abi_major, ver.abi_minor);
	printf("v3ctl-abi: %u.%u\n", V3_ABI_MAJOR, V3_ABI_MINOR);
	printf("backend: %s\n", arch_name(ver.arch));
	printf("max-vcpus: %u\n", ver.max_vcpus);
	printf("caps:");
	for (i = 0; i < 64; i++) {
		if (!(ver.caps & (1ULL << i)))
			continue;
		if (i < ARRAY_SIZE(cap_names) && cap_names[i])
			printf(" %s", cap_names[i]);
		else
			printf(" cap-%u", i);
	}
	printf("\n");
	if (ver.abi_major != V3_ABI_MAJOR) {
		v3_err(cmd, "module ABI %u.%u is not supported (v3ctl speaks %u.x)",
		       ver.abi_major, ver.abi_minor, V3_ABI_MAJOR);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
