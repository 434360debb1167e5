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

	/* guest SPEC_CTRL bits the CPU implements; IA32_PRED_CMD exists */
	bool hw_ibrs, hw_stibp, hw_ssbd, hw_bhi_dis_s, hw_ibpb;
	bool guest_hide;	/* v3vmm.guest_spec_ctrl=0: offer guests none */
};

struct v3_spec_policy {
	__u64 active;		/* V3_MIT_* applied */
	__u64 missing;		/* V3_MIT_* the host asks for, v3vmm cannot do */
	__u64 guest_spec_ctrl_bits; /* SPEC_CTRL bits a guest may set (0: no MSR) */
	bool guest_pred_cmd;	/* the guest may write IA32_PRED_CMD (IBPB) */
	bool l1d_cond;		/* host asked for conditional L1D flush */
	bool spec_ctrl_rewrite;	/* write host SPEC_CTRL after every exit */
};

/* SPEC_CTRL bits (Intel SDM vol. 4 table 2-2; AMD "IA32_SPEC_CTRL") */
#define V3_SPEC_CTRL_IBRS	(1ULL << 0)
#define V3_SPEC_CTRL_STIBP	(1ULL << 1)
#define V3_SPEC_CTRL_SSBD	(1ULL << 2)
#define V3_SPEC_CTRL_BHI_DIS_S	(1ULL << 10)
#define V3_PRED_CMD_IBPB	(1ULL << 0)
#define V3_MSR_SPEC_CTRL	0x48
#define V3_MSR_PRED_CMD		0x49

/* CPUID bits of the family (Intel SDM vol. 2A CPUID leaf 7; AMD
 * "Software Techniques for Managing Speculation", CPUID 0x80000008) */
#define V3_CPUID7_EDX_IBRS_IBPB		(1U << 26)
#define V3_CPUID7_EDX_STIBP		(1U << 27)
#define V3_CPUID7_EDX_L1D_FLUSH		(1U << 28)
#define V3_CPUID7_EDX_ARCH_CAP		(1U << 29)
#define V3_CPUID7_EDX_SSBD		(1U << 31)
#define V3_CPUID88_EBX_IBPB		(1U << 12)
#define V3_CPUID88_EBX_IBRS		(1U << 14)
#define V3_CPUID88_EBX_STIBP		(1U << 15)
#define V3_CPUID88_EBX_IBRS_ALWAYS	(1U << 16)
#define V3_CPUID88_EBX_STIBP_ALWAYS	(1U << 17)
#define V3_CPUID88_EBX_IBRS_PREF	(1U << 18)
#define V3_CPUID88_EBX_IBRS_SAME_MODE	(1U << 19)
#define V3_CPUID88_EBX_SSBD		(1U << 24)
#define V3_CPUID88_EBX_VIRT_SSBD	(1U << 25)
#define V3_CPUID88_EBX_SSB_NO		(1U << 26)

void v3_spec_decide(const struct v3_spec_facts *f, struct v3_spec_policy *p);

/*
 * The speculation-control CPUID bits offered to a guest: of host's value
 * of leaf 7.0 EDX or leaf 0x80000008 EBX (reg: 3 = EDX, 1 = EBX), the
 * bits whose MSR interface p lets the guest use; 0 for any other
 * leaf/register.
 */
__u32 v3_spec_guest_cpuid(const struct v3_spec_policy *p, __u32 leaf,
			  __u32 sub, int reg, __u32 host);

/*
 * The guest's IA32_SPEC_CTRL (0x48) and IA32_PRED_CMD (0x49), against
 * the per-vCPU state: 0 done, -ENOENT not one of these MSRs, -EINVAL the
 * guest gets #GP(0).  A PRED_CMD write with IBPB set asks for a barrier
 * before the vCPU's next entry (*ibpb = true); the caller records it.
 */
/*
 * IBPB at VM entry (spec_ctrl.c:v3_spec_ibpb): what entered last on a CPU
 * (a VM uid and a vCPU predictor epoch, both never reused; 0: nothing).
 */
struct v3_spec_last {
	__u64 vm;
	__u64 key;
};

enum { V3_IBPB_NONE, V3_IBPB_HOST, V3_IBPB_GUEST };

/*
 * The vCPU with predictor epoch key of VM vm enters on the CPU whose
 * record is *last (updated): V3_IBPB_GUEST if the guest asked for
 * barriers (guest_ibpb) and anything else entered there since this
 * epoch began, V3_IBPB_HOST if the host isolates VMs (host_ibpb) and
 * another VM entered last, else V3_IBPB_NONE.
 */
int v3_spec_ibpb_decide(struct v3_spec_last *last, __u64 vm, __u64 key,
			bool guest_ibpb, bool host_ibpb);

int v3_spec_msr_read(const struct v3_spec_policy *p, __u64 guest_spec_ctrl,
		     __u32 msr, __u64 *val);
int v3_spec_msr_write(const struct v3_spec_policy *p, __u64 *guest_spec_ctrl,
		      __u32 msr, __u64 val, bool *ibpb);

/* " "-separated names of the V3_MIT_* bits in mask, or "none" */
int v3_spec_names(__u64 mask, char *buf, unsigned int size);
const char *v3_spec_name(unsigned int bit);

#endif
