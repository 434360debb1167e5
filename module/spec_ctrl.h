/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transient-execution mitigations at the world switch (spec_ctrl.c):
 * the per-vCPU state the backends' entry code reads, its assembly
 * offsets, and the hooks both backends call around VMRUN and
 * VMLAUNCH/VMRESUME.
 */
#ifndef _V3_SPEC_CTRL_H
#define _V3_SPEC_CTRL_H

/* Flag bits in v3_spec_vcpu.flags: the V3_MIT_* bit values (v3vmm.h) */
#define V3_SPEC_F_RSB_FILL	0x01
#define V3_SPEC_F_SPEC_CTRL	0x02
#define V3_SPEC_F_CLEAR_CPU_BUF	0x08
#define V3_SPEC_F_BHI		0x20
#define V3_SPEC_F_UNTRAIN_RET	0x40
/* not an ABI bit: host uses legacy IBRS, rewrite SPEC_CTRL after every exit */
#define V3_SPEC_F_HOST_IBRS	0x100

/* struct v3_spec_vcpu, for the entry code */
#define V3_SPEC_GUEST		0
#define V3_SPEC_HOST		8
#define V3_SPEC_FLAGS		16

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct v3_vcpu;
struct v3_vm;

/*
 * Read by __v3_svm_vmrun/__v3_vmx_run: the guest's IA32_SPEC_CTRL (the
 * MSR is always intercepted, so this is its only copy), the host's value
 * to put back after exit, and the V3_SPEC_F_* work of this entry.
 */
struct v3_spec_vcpu {
	u64 guest_spec_ctrl;
	u64 host_spec_ctrl;
	u32 flags;
	u32 pad;
	/* C only (spec_ctrl.c): */
	u64 ibpb_key;		/* this vCPU's predictor epoch; 0: draw anew */
	bool guest_ibpb;	/* the guest has written PRED_CMD.IBPB */
};

void v3_spec_init(bool vmx);
u64 v3_spec_active(void);
int v3_spec_show(char *buf, unsigned int size);

/* Both backends, interrupts off: right before and right after the asm */
void v3_spec_enter(struct v3_vcpu *vcpu);
void v3_spec_exit(struct v3_vcpu *vcpu);

/*
 * Guest MSRs IA32_SPEC_CTRL (0x48) and IA32_PRED_CMD (0x49), for msr.c:
 * 0 handled, -ENOENT not one of these, -EINVAL the guest gets #GP(0).
 * Offered (CPUID and MSRs) only where the host CPU has them, unless
 * spec_off=1 or guest_spec_ctrl=0.
 */
int v3_spec_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val);
int v3_spec_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val);
/* cpuid.c: the family's bits offered of host register reg (0-3) */
u32 v3_spec_cpuid_bits(u32 leaf, u32 sub, int reg, u32 host);
void v3_spec_vcpu_reset(struct v3_vcpu *vcpu);
#endif

#endif
