// SPDX-License-Identifier: GPL-2.0
/*
 * v3ctl version: ABI version, backend, capabilities and world-switch
 * mitigations of the module.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "v3ctl.h"

static const char help[] =
"Usage: v3ctl version [--json]\n"
"\n"
"Show the ABI version of the v3vmm module, its backend (svm or vmx), the\n"
"maximum number of vCPUs, its capabilities and the transient-execution\n"
"mitigations it applies at each guest entry and exit (following the host\n"
"kernel's own choices), one \"key: value\" per line.\n"
"\n"
"  --json   one JSON object instead\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char *const cap_names[] = {
	"svm", "vmx", "nested-paging", "large-pages", "nrip-save",
	"decode-assists", "vpid", "unrestricted-guest",
	[8] = "flush-by-asid", [9] = "vmcb-clean", [10] = "pause-filter",
	[12] = "ept-ad", [13] = "preempt-timer", [16] = "emulator-quirks",
	[17] = "paging-switch", [18] = "placement", [19] = "content",
	[20] = "gears", [21] = "gears-inject", [22] = "gears-ret-stub",
	[23] = "gears-ftrace",
};

static const char *const mit_names[] = V3_MIT_NAMES;

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

/*
 * The names of the bits set in mask: " a b" (text) or "\"a\",\"b\"" (JSON);
 * bits without a name print as <unknown>-<bit>.  Returns how many.
 */
static unsigned int print_bits(uint64_t mask, const char *const *names,
			       unsigned int nr, const char *unknown, bool json)
{
	unsigned int i, n = 0;

	for (i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		fputs(json ? (n ? ",\"" : "\"") : " ", stdout);
		if (i < nr && names[i])
			fputs(names[i], stdout);
		else
			printf("%s-%u", unknown, i);
		if (json)
			putchar('"');
		n++;
	}
	return n;
}

static void print_text(const struct v3_version *ver)
{
	printf("abi: %u.%u\n", ver->abi_major, ver->abi_minor);
	printf("v3ctl-abi: %u.%u\n", V3_ABI_MAJOR, V3_ABI_MINOR);
	printf("backend: %s\n", arch_name(ver->arch));
	printf("max-vcpus: %u\n", ver->max_vcpus);
	printf("caps:");
	print_bits(ver->caps, cap_names, ARRAY_SIZE(cap_names), "cap", false);
	printf("\nmitigations:");
	if (!print_bits(ver->mitigations, mit_names, ARRAY_SIZE(mit_names),
			"mit", false))
		printf(" none");
	printf("\n");
}

static void print_json(const struct v3_version *ver)
{
	printf("{\"abi\":\"%u.%u\",\"v3ctl_abi\":\"%u.%u\",\"backend\":\"%s\","
	       "\"max_vcpus\":%u,\"caps\":[", ver->abi_major, ver->abi_minor,
	       V3_ABI_MAJOR, V3_ABI_MINOR, arch_name(ver->arch),
	       ver->max_vcpus);
	print_bits(ver->caps, cap_names, ARRAY_SIZE(cap_names), "cap", true);
	printf("],\"mitigations\":[");
	print_bits(ver->mitigations, mit_names, ARRAY_SIZE(mit_names), "mit",
		   true);
	printf("],\"mitigations_mask\":%llu}\n",
	       (unsigned long long)ver->mitigations);
}

int cmd_version(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct v3_version ver;
	bool json = false;
	int c, fd;

	c = parse_help_json(cmd, argc, argv, help, &json);
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

	if (json)
		print_json(&ver);
	else
		print_text(&ver);
	if (ver.abi_major != V3_ABI_MAJOR) {
		v3_err(cmd, "module ABI %u.%u is not supported (v3ctl speaks %u.x)",
		       ver.abi_major, ver.abi_minor, V3_ABI_MAJOR);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
