/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the kernels v3vmm builds for (Debian's 5.10, 6.1
 * and 6.12) differ in perf's interface for hypervisors (vmx_perf.c).
 *
 *                           5.10            6.1, 6.12
 * perf_guest_get_msrs()     (nr)            (nr, KVM's PMU or NULL)
 * X86_FEATURE_HYBRID_CPU    -               yes
 */
#ifndef _V3_PERF_COMPAT_H
#define _V3_PERF_COMPAT_H

#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/perf_event.h>

/* perf's MSRs to switch around the guest's run; NULL: none */
static inline struct perf_guest_switch_msr *v3_perf_guest_get_msrs(int *nr)
{
	*nr = 0;
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
	return perf_guest_get_msrs(nr);
#else
	/* the second argument is KVM's guest PMU; v3vmm's guests have none */
	return perf_guest_get_msrs(nr, NULL);
#endif
}

/* P- and E-cores with different counters (a kernel without the bit
 * predates perf's support for them) */
static inline bool v3_cpu_is_hybrid(void)
{
#ifdef X86_FEATURE_HYBRID_CPU
	return boot_cpu_has(X86_FEATURE_HYBRID_CPU);
#else
	return false;
#endif
}

#endif
