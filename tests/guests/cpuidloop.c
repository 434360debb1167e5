// SPDX-License-Identifier: GPL-2.0
/*
 * cpuidloop: N CPUID instructions back to back, each a full exit and
 * re-entry (CPUID always exits: SDM Vol. 3 26.1.2, APM Vol. 2 15.9), timed
 * with the guest TSC (host TSC plus a constant offset).  Prints
 * "cpuidloop: N exits in C cycles"; the host computes cycles per round
 * trip, which includes the world-switch mitigations.  N comes from the
 * command line ("n=20000"), default 10000.
 */
#include "guest.h"

DEFINE_GUEST("cpuidloop");

static uint32_t arg_n(struct multiboot_info *mbi)
{
	const char *c;
	uint32_t n = 0;

	if (!(mbi->flags & MB_INFO_CMDLINE))
		return 10000;
	for (c = (const char *)mbi->cmdline; *c; c++) {
		if (c[0] != 'n' || c[1] != '=')
			continue;
		for (c += 2; *c >= '0' && *c <= '9'; c++)
			n = n * 10 + (uint32_t)(*c - '0');
		break;
	}
	return n ? n : 10000;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t i, n = arg_n(mbi);
	uint64_t t0, t1;

	cpuid(0);		/* first exit out of the timing */
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		cpuid(0);
	t1 = rdtsc();
	printf("cpuidloop: %u exits in %llu cycles\n", n,
	       (unsigned long long)(t1 - t0));
	return 0;
}
