// SPDX-License-Identifier: GPL-2.0
/* The fake CPU behind kshim.h's CPUID, RDMSR and feature tests. */
#include <stdarg.h>
#include "kshim.h"

struct shim_cpu shim_cpu;
unsigned int tsc_khz = 2600000;
char shim_last_log[512];
int shim_warnings;

void shim_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_last_log, sizeof(shim_last_log), fmt, ap);
	va_end(ap);
	if (getenv("V3_UNIT_VERBOSE"))
		fprintf(stderr, "# log: %s", shim_last_log);
}

void shim_warn(const char *file, int line)
{
	shim_warnings++;
	fprintf(stderr, "# WARN at %s:%d\n", file, line);
}

void shim_cpu_reset(void)
{
	memset(&shim_cpu, 0, sizeof(shim_cpu));
}

void shim_set_cpuid(u32 leaf, u32 sub, u32 a, u32 b, u32 c, u32 d)
{
	unsigned int i;

	for (i = 0; i < shim_cpu.nr_cpuid; i++)
		if (shim_cpu.cpuid[i].leaf == leaf && shim_cpu.cpuid[i].sub == sub)
			break;
	if (i == SHIM_MAX_CPUID)
		abort();
	shim_cpu.cpuid[i] = (struct shim_cpuid){ leaf, sub, a, b, c, d };
	if (i == shim_cpu.nr_cpuid)
		shim_cpu.nr_cpuid++;
}

void shim_cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	unsigned int i;

	*a = *b = *c = *d = 0;
	for (i = 0; i < shim_cpu.nr_cpuid; i++) {
		struct shim_cpuid *e = &shim_cpu.cpuid[i];

		if (e->leaf == leaf && e->sub == sub) {
			*a = e->a, *b = e->b, *c = e->c, *d = e->d;
			return;
		}
	}
}

void shim_set_msr(u32 msr, u64 val)
{
	unsigned int i;

	for (i = 0; i < shim_cpu.nr_msr; i++)
		if (shim_cpu.msr[i].msr == msr)
			break;
	if (i == SHIM_MAX_MSR)
		abort();
	shim_cpu.msr[i].msr = msr;
	shim_cpu.msr[i].val = val;
	if (i == shim_cpu.nr_msr)
		shim_cpu.nr_msr++;
}

int shim_rdmsr(u32 msr, u64 *val)
{
	unsigned int i;

	for (i = 0; i < shim_cpu.nr_msr; i++) {
		if (shim_cpu.msr[i].msr == msr) {
			*val = shim_cpu.msr[i].val;
			return 0;
		}
	}
	*val = 0;
	return -EIO;
}

bool shim_cpu_has(int feature)
{
	if (feature == X86_FEATURE_HYPERVISOR)
		return shim_cpu.hypervisor;
	if (feature < 0 || feature >= 64 * (int)ARRAY_SIZE(shim_cpu.caps))
		return false;
	return shim_cpu.caps[feature / 64] & (1ULL << (feature % 64));
}
