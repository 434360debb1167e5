/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the kernels v3vmm builds for (Debian's 5.10, 6.1
 * and 6.12) differ in their transient-execution mitigation interfaces.
 * Feature bits a kernel does not define read as "not selected": that
 * kernel cannot have chosen the mitigation either.
 *
 *                      5.10            6.1             6.12
 * VERW selector        mds_verw_sel    x86_verw_sel    x86_verw_sel
 * CLEAR_CPU_BUF_VM     -               yes             yes
 * BHI (clear_bhb_loop) -               yes             yes
 * VMSCAPE exit-to-user -               yes             yes
 * UNTRAIN_RET_VM       - (UNTRAIN_RET + IBPB_ON_VMEXIT) yes
 */
#ifndef _V3_SPEC_COMPAT_H
#define _V3_SPEC_COMPAT_H

#include <linux/version.h>
#include <asm/cpufeatures.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define V3_VERW_SEL		x86_verw_sel
#else
#define V3_VERW_SEL		mds_verw_sel
#endif

/* The kernel's RET untraining macro for VM exits has its own name (and
 * its own IBPB feature bit) from 6.12 on; before, KVM's SVM exit used
 * UNTRAIN_RET and an IBPB on X86_FEATURE_IBPB_ON_VMEXIT. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define V3_HAVE_UNTRAIN_RET_VM	1
#else
#define V3_HAVE_UNTRAIN_RET_VM	0
#endif

#ifdef __ASSEMBLY__

/* VERW with a memory operand: clears the CPU buffers (MD_CLEAR microcode) */
.macro V3_VERW
	verw	V3_VERW_SEL(%rip)
.endm

.macro V3_CLEAR_BHB_VMEXIT
#ifdef X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
	CLEAR_BRANCH_HISTORY_VMEXIT
#endif
.endm

.macro V3_UNTRAIN_RET_VMEXIT
#if V3_HAVE_UNTRAIN_RET_VM
	UNTRAIN_RET_VM
#else
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
#endif
.endm

#else /* !__ASSEMBLY__ */

#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>

static inline bool v3_compat_clear_cpu_buf_vm(void)
{
#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
	return boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
#else
	return false;
#endif
}

static inline bool v3_compat_clear_bhb_vmexit(void)
{
#ifdef X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
	return boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT);
#else
	return false;
#endif
}

static inline bool v3_compat_bug_bhi(void)
{
#ifdef X86_BUG_BHI
	return boot_cpu_has_bug(X86_BUG_BHI);
#else
	return false;
#endif
}

static inline bool v3_compat_bhi_ctrl(void)
{
#ifdef X86_FEATURE_BHI_CTRL
	return boot_cpu_has(X86_FEATURE_BHI_CTRL);
#else
	return false;
#endif
}

/* What V3_UNTRAIN_RET_VMEXIT does anything for, on this kernel */
static inline bool v3_compat_untrain_ret_vm(void)
{
	if (boot_cpu_has(X86_FEATURE_UNRET) ||
	    boot_cpu_has(X86_FEATURE_SRSO_ALIAS) ||
	    boot_cpu_has(X86_FEATURE_IBPB_ON_VMEXIT))
		return true;
	return !V3_HAVE_UNTRAIN_RET_VM && boot_cpu_has(X86_FEATURE_ENTRY_IBPB);
}

#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
static inline bool v3_compat_ibpb_exit_to_user(void)
{
	return boot_cpu_has(X86_FEATURE_IBPB_EXIT_TO_USER);
}

/* VMSCAPE: the kernel issues IBPB before this CPU next returns to user
 * space (arch_exit_to_user_mode_prepare) */
static inline void v3_compat_set_ibpb_exit_to_user(void)
{
	this_cpu_write(x86_ibpb_exit_to_user, true);
}
#else
static inline bool v3_compat_ibpb_exit_to_user(void)
{
	return false;
}

static inline void v3_compat_set_ibpb_exit_to_user(void)
{
}
#endif

#endif /* __ASSEMBLY__ */
#endif
