/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which transient-execution mitigations v3vmm applies at the world switch:
 * a pure function of what the host kernel decided for itself.  spec_ctrl.c
 * fills struct v3_spec_facts from the kernel's own state (boot_cpu_has()
 * of the X86_FEATURE_* bits its bugs.c selects, the X86_BUG_* bits,
 * l1tf_mitigation/l1tf_vmx_mitigation); the unit test in tests/unit feeds
 * synthetic facts.  Nothing here touches hardware, so it builds in user
 * space as well.
 */
#ifndef _V3_SPEC_POLICY_H
#define _V3_SPEC_POLICY_H

#include <linux/types.h>
#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* The kernel's enum vmx_l1d_flush_state (asm/vmx.h), same order */
enum v3_l1d_vmx {
	V3_L1D_VMX_AUTO,
	V3_L1D_VMX_NEVER,
	V3_L1D_VMX_COND,
	V3_L1D_VMX_ALWAYS,
	V3_L1D_VMX_EPT_DISABLED,
	V3_L1D_VMX_NOT_REQUIRED,
};

/* The kernel's enum l1tf_mitigations (asm/processor.h), same order */
enum v3_l1tf {
	V3_L1TF_OFF,
	V3_L1TF_FLUSH_NOWARN,
	V3_L1TF_FLUSH,
	V3_L1TF_FLUSH_NOSMT,
	V3_L1TF_FULL,
	V3_L1TF_FULL_FORCE,
};

struct v3_spec_facts {
	bool vmx;		/* VMX backend (else SVM) */
	bool off;		/* v3vmm.spec_off=1: measurement only */

	/* X86_FEATURE_* the host kernel set (its choices, bugs.c) */
	bool msr_spec_ctrl;	/* MSR_IA32_SPEC_CTRL exists and is used */
	bool kernel_ibrs;	/* host runs with legacy IBRS in the kernel */
	bool use_ibpb;		/* host issues IBPB between address spaces */
	bool rsb_vmexit;	/* fill the whole RSB after VM exit */
	bool rsb_vmexit_lite;	/* retire one CALL after exit (PBRSB, eIBRS) */
	bool clear_cpu_buf;	/* VERW on kernel exit (MDS/TAA/MMIO/RFDS) */
	bool clear_cpu_buf_vm;	/* VERW before VM entry (6.1+: TSA, ...) */
	bool clear_bhb_vmexit;	/* clear_bhb_loop after VM exit (6.1+) */
	bool untrain_ret_vm;	/* UNRET/SRSO untraining or IBPB on VM exit */
	bool ibpb_exit_to_user;	/* VMSCAPE: IBPB before the next exit to user */
	bool flush_l1d;		/* MSR_IA32_FLUSH_CMD exists */

	/* X86_BUG_* */
	bool bug_mds, bug_taa, bug_mmio, bug_rfds, bug_l1tf, bug_bhi;

	bool l1d_skip_vmentry;	/* ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH */
	int l1d_vmx;		/* enum v3_l1d_vmx: l1tf_vmx_mitigation */
	int l1tf;		/* enum v3_l1tf: l1tf_mitigation */
	bool ept;		/* VMX: guest runs on EPT */

	/* guest SPEC_CTRL bits the CPU implements */
	bool hw_ibrs, hw_stibp, hw_ssbd, hw_bhi_dis_s;
};

struct v3_spec_policy {
	__u64 active;		/* V3_MIT_* applied */
	__u64 missing;		/* V3_MIT_* the host asks for, v3vmm cannot do */
	__u64 guest_spec_ctrl_bits; /* SPEC_CTRL bits a guest may set */
	bool l1d_cond;		/* host asked for conditional L1D flush */
	bool spec_ctrl_rewrite;	/* write host SPEC_CTRL after every exit */
};

/* SPEC_CTRL bits (Intel SDM vol. 4 table 2-2; AMD "IA32_SPEC_CTRL") */
#define V3_SPEC_CTRL_IBRS	(1ULL << 0)
#define V3_SPEC_CTRL_STIBP	(1ULL << 1)
#define V3_SPEC_CTRL_SSBD	(1ULL << 2)
#define V3_SPEC_CTRL_BHI_DIS_S	(1ULL << 10)

void v3_spec_decide(const struct v3_spec_facts *f, struct v3_spec_policy *p);

/* " "-separated names of the V3_MIT_* bits in mask, or "none" */
int v3_spec_names(__u64 mask, char *buf, unsigned int size);
const char *v3_spec_name(unsigned int bit);

#endif
