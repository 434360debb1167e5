// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

/* CPUID leaf 0: vendor string in EBX, EDX, ECX order (SDM Vol. 2A CPUID). */
void cpu_vendor(char *buf)
{
	struct cpuid_regs r = cpuid(0);

	memcpy(buf, &r.ebx, 4);
	memcpy(buf + 4, &r.edx, 4);
	memcpy(buf + 8, &r.ecx, 4);
	buf[12] = 0;
}

int cpu_is_amd(void)
{
	char v[13];

	cpu_vendor(v);
	return !strcmp(v, "AuthenticAMD") || !strcmp(v, "HygonGenuine");
}
