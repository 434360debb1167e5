// SPDX-License-Identifier: GPL-2.0
/*
 * pmu: v3vmm's empty performance-monitoring unit and the CPUID features it
 * must not advertise.
 *   - CPUID leaf 0xa (Intel architectural performance monitoring) is all
 *     zero: no counters (SDM vol. 3B 20.2.1); AMD PerfCtrExtCore
 *     (0x80000001 ECX[23]) is clear and PDCM (leaf 1 ECX[15]) too.
 *   - The counter MSRs of the vendor the guest sees take a plain WRMSR and
 *     read back 0, without #GP: AMD PerfEvtSel0-3/PerfCtr0-3 at
 *     0xc0010000-7 and PERF_CTL/PERF_CTR0-5 at 0xc0010200-b (APM vol. 2
 *     13.2); Intel IA32_PERFEVTSEL0/1, IA32_PMC0/1, IA32_FIXED_CTR0,
 *     IA32_FIXED_CTR_CTRL, IA32_PERF_GLOBAL_CTRL/OVF_CTRL (SDM vol. 4).
 *   - RDPMC at CPL 0 raises #GP(0): counter 0 does not exist (SDM vol. 2B
 *     RDPMC), and no host counter is read.
 *   - Not advertised: the speculation controls whose MSRs v3vmm does not
 *     model (leaf 7 EDX L1D_FLUSH, ARCH_CAPABILITIES; 0x80000008 EBX
 *     VIRT_SSBD), AMX, CET.  IBRS/IBPB/STIBP/SSBD are offered where the
 *     host has them: the specctl guest tests those.
 *   - WBINVD completes (v3vmm skips it without flushing the host's
 *     caches when the backend intercepts it; SDM vol. 2B WBINVD).
 *   - One unknown MSR (0x12345678) is read once, for the host's check of
 *     the per-MSR statistics (tests/l1/svm-suite.sh).
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("pmu");

static const uint32_t amd_msrs[] = {
	0xc0010000, 0xc0010001, 0xc0010002, 0xc0010003,
	0xc0010004, 0xc0010005, 0xc0010006, 0xc0010007,
	0xc0010200, 0xc0010201, 0xc0010202, 0xc0010203, 0xc0010204, 0xc0010205,
	0xc0010206, 0xc0010207, 0xc0010208, 0xc0010209, 0xc001020a, 0xc001020b,
};

static const uint32_t intel_msrs[] = {
	0x186, 0x187,		/* IA32_PERFEVTSEL0/1 */
	0xc1, 0xc2,		/* IA32_PMC0/1 */
	0x309,			/* IA32_FIXED_CTR0 */
	0x38d,			/* IA32_FIXED_CTR_CTRL */
	0x38f,			/* IA32_PERF_GLOBAL_CTRL */
	0x390,			/* IA32_PERF_GLOBAL_OVF_CTRL */
};

/* event select: enable, OS+USR, event 0x76 (AMD cycles) / 0x3c (Intel) */
#define EVTSEL_VAL	0x430076ULL

static void pmu_msrs(const char *vendor, const uint32_t *msrs, unsigned int n)
{
	unsigned int i, bad = 0;

	for (i = 0; i < n; i++) {
		uint64_t v = ~0ULL;
		int w = wrmsr_safe(msrs[i], EVTSEL_VAL);
		int r = rdmsr_safe(msrs[i], &v);

		if (w >= 0 || r >= 0 || v != 0) {
			bad++;
			tap_diag("msr %#x: wrmsr %s, rdmsr %s, value %#llx", msrs[i],
				 w >= 0 ? trap_name(w) : "ok",
				 r >= 0 ? trap_name(r) : "ok",
				 (unsigned long long)v);
		}
	}
	tap_ok(!bad, "%s counter MSRs (%u): WRMSR accepted, RDMSR 0, no #GP",
	       vendor, n);
}

static int rdpmc_fault(uint32_t counter)
{
	uint32_t lo = 0, hi = 0, before = fault_count;

	fault_reset();
	asm volatile("1: rdpmc\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(counter) : "memory");
	return fault_count != before ? (int)last_fault.vector : -1;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	struct cpuid_regs r;
	uint32_t max = cpuid(0).eax, max_ext = cpuid(0x80000000).eax;
	int amd = cpu_is_amd(), vec;
	uint64_t v;

	tap_diag("vendor %s, max leaf %#x, max extended leaf %#x",
		 amd ? "AMD" : "Intel", max, max_ext);

	r = max >= 0xa ? cpuid(0xa) : (struct cpuid_regs){ 0, 0, 0, 0 };
	tap_ok(!r.eax && !r.ebx && !r.ecx && !r.edx,
	       "CPUID 0xa all zero (%#x %#x %#x %#x)", r.eax, r.ebx, r.ecx, r.edx);
	r = cpuid(1);
	tap_ok(!(r.ecx & (1U << 15)), "CPUID 1 ECX: PDCM clear");
	r = max_ext >= 0x80000001 ? cpuid(0x80000001) : (struct cpuid_regs){ 0, 0, 0, 0 };
	tap_ok(!(r.ecx & ((1U << 23) | (1U << 24) | (1U << 28))),
	       "CPUID 0x80000001 ECX: PerfCtrExtCore/NB/LLC clear (%#x)", r.ecx);

	r = max >= 7 ? cpuid_count(7, 0) : (struct cpuid_regs){ 0, 0, 0, 0 };
	tap_ok(!(r.edx & ((1U << 28) | (1U << 29))),
	       "CPUID 7 EDX: L1D_FLUSH, ARCH_CAPABILITIES clear (%#x)", r.edx);
	tap_ok(!(r.edx & ((1U << 22) | (1U << 24) | (1U << 25))) &&
	       !(r.edx & (1U << 20)) && !(r.ecx & (1U << 7)),
	       "CPUID 7: AMX and CET (IBT, SS) clear (ecx %#x edx %#x)", r.ecx, r.edx);
	r = max_ext >= 0x80000008 ? cpuid(0x80000008) : (struct cpuid_regs){ 0, 0, 0, 0 };
	tap_ok(!(r.ebx & (1U << 25)),
	       "CPUID 0x80000008 EBX: VIRT_SSBD clear (%#x)", r.ebx);
	r = max >= 0xd ? cpuid_count(0xd, 0) : (struct cpuid_regs){ 0, 0, 0, 0 };
	tap_ok(!(r.eax & ((1U << 17) | (1U << 18))), "CPUID 0xd.0: no AMX tile state (%#x)",
	       r.eax);

	if (amd)
		pmu_msrs("AMD", amd_msrs, ARRAY_SIZE(amd_msrs));
	else
		pmu_msrs("Intel", intel_msrs, ARRAY_SIZE(intel_msrs));

	vec = rdpmc_fault(0);
	tap_ok(vec == X86_TRAP_GP && last_fault.error == 0,
	       "RDPMC counter 0 at CPL 0: #GP(0) (got %s error %#x)",
	       vec >= 0 ? trap_name(vec) : "no fault",
	       (unsigned int)last_fault.error);

	fault_reset();
	asm volatile("wbinvd" ::: "memory");
	tap_ok(last_fault.vector == ~0U, "WBINVD completes without a fault");

	vec = rdmsr_safe(0x12345678, &v);
	tap_ok(vec == X86_TRAP_GP, "unknown MSR 0x12345678: #GP");
	return tap_done();
}
