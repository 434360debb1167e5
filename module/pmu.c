// SPDX-License-Identifier: GPL-2.0
/*
 * An empty performance-monitoring unit.  CPUID says there are no
 * counters: leaf 0xa (Intel architectural performance monitoring) reads
 * as zero, and AMD's PerfCtrExtCore/NB/LLC (CPUID 0x80000001 ECX[23,24,
 * 28]) and PerfMonV2 (leaf 0x80000022) are not offered (cpuid.c's
 * allowlist leaves them out).  Operating systems and test kernels still
 * program the counter MSRs of the vendor they see with a plain WRMSR
 * (Linux's NMI watchdog probe, perf's reset paths), and real CPUs of that
 * vendor have them, so they read as 0 and writes are accepted and
 * dropped instead of raising #GP.  Each access is counted in the VM's
 * unmodelled-MSR statistics (msr.c) as ignored.  No host counter is ever
 * read for a guest.
 */
#include <asm/processor.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "v3.h"

/*
 * AMD (APM vol. 2 13.2.1): the legacy PerfEvtSel0-3 at 0xc0010000 and
 * PerfCtr0-3 at 0xc0010004, and the six core counters of the extended
 * range, PERF_CTL0/PERF_CTR0 .. PERF_CTL5/PERF_CTR5 interleaved from
 * 0xc0010200.
 */
#define V3_AMD_LEGACY_FIRST	MSR_K7_EVNTSEL0		/* 0xc0010000 */
#define V3_AMD_LEGACY_LAST	(MSR_K7_PERFCTR0 + 3)	/* 0xc0010007 */
#define V3_AMD_CORE_FIRST	MSR_F15H_PERF_CTL	/* 0xc0010200 */
#define V3_AMD_CORE_LAST	(MSR_F15H_PERF_CTL + 11)	/* 0xc001020b */

/*
 * Intel (SDM vol. 4 table 2-2; vol. 3B 20.2): IA32_PMCx from 0xc1 and
 * their full-width aliases IA32_A_PMCx from 0x4c1, IA32_PERFEVTSELx from
 * 0x186 (eight of each as the architecture allows), the fixed counters
 * from 0x309 and their control, and the global status/control/overflow
 * MSRs of architectural performance monitoring version 2 and later.
 */
#define V3_INTEL_NR_GP		8
#define V3_INTEL_NR_FIXED	4

static bool v3_pmu_in(u32 msr, u32 first, unsigned int n)
{
	return msr >= first && msr < first + n;
}

static bool v3_pmu_msr(u32 msr)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		return (msr >= V3_AMD_LEGACY_FIRST &&
			msr <= V3_AMD_LEGACY_LAST) ||
		       (msr >= V3_AMD_CORE_FIRST && msr <= V3_AMD_CORE_LAST);
	default:
		return v3_pmu_in(msr, MSR_IA32_PERFCTR0, V3_INTEL_NR_GP) ||
		       v3_pmu_in(msr, MSR_IA32_PMC0, V3_INTEL_NR_GP) ||
		       v3_pmu_in(msr, MSR_P6_EVNTSEL0, V3_INTEL_NR_GP) ||
		       v3_pmu_in(msr, MSR_CORE_PERF_FIXED_CTR0,
				 V3_INTEL_NR_FIXED) ||
		       msr == MSR_CORE_PERF_FIXED_CTR_CTRL ||
		       msr == MSR_CORE_PERF_GLOBAL_STATUS ||
		       msr == MSR_CORE_PERF_GLOBAL_CTRL ||
		       msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL;
	}
}

/* V3_MSR_IGNORED for a counter MSR (read as 0), -ENOENT otherwise */
int v3_pmu_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	if (!v3_pmu_msr(msr))
		return -ENOENT;
	*val = 0;
	return V3_MSR_IGNORED;
}

int v3_pmu_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	return v3_pmu_msr(msr) ? V3_MSR_IGNORED : -ENOENT;
}

/*
 * RDPMC (SDM vol. 2B RDPMC; APM vol. 3 RDPMC): #GP(0) at CPL > 0 with
 * CR4.PCE clear, and #GP(0) for a counter index the CPU does not have.
 * With no counters every index is invalid, so once the privilege check
 * passes the index check fails: a guest RDPMC always ends in #GP(0), as
 * on a CPU whose PMU has zero counters, and no host counter is read.
 */
int v3_handle_rdpmc(struct v3_vcpu *vcpu)
{
	if (vcpu->regs.cpl && !(vcpu->regs.cr4 & X86_CR4_PCE)) {
		v3_inject_gp(vcpu);
		return 0;
	}
	/* ECX selects counter ECX[30:0] (fixed with ECX[30]): none exists */
	v3_inject_gp(vcpu);
	return 0;
}
