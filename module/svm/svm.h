/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _V3_SVM_H
#define _V3_SVM_H

#include "../v3.h"
#include "vmcb.h"

#define V3_MSR_VM_CR		0xc0010114
#define V3_MSR_VM_HSAVE_PA	0xc0010117
#define V3_VM_CR_SVMDIS		BIT(4)

/* CPUID Fn8000_000A EDX (APM vol. 3 appendix E.4.10) */
#define V3_SVM_FEAT_NP		BIT(0)
#define V3_SVM_FEAT_NRIPS	BIT(3)
#define V3_SVM_FEAT_DECODE	BIT(7)

struct v3_svm_features {
	u32 nasid;
	bool nrips;
	bool decode_assists;
	bool entry_checks;	/* under a hypervisor: svm_entry_check.c */
};
extern struct v3_svm_features v3_svm_feat;

/* Per physical CPU */
struct v3_svm_cpu {
	void *hsave;		/* VM_HSAVE_PA: VMRUN's host state */
	void *host_vmcb;	/* VMSAVE/VMLOAD image of host FS/GS/TR/... */
	u64 host_vmcb_pa;
	u32 next_asid;
	u64 asid_gen;
	u64 last_vcpu;		/* uid of the vCPU that last ran here */
	bool enabled;		/* EFER.SVME set by us */
};
struct v3_svm_cpu *v3_svm_this_cpu(void);

/* Per VM: I/O and MSR permission maps shared by its vCPUs */
struct v3_svm_vm {
	struct v3_tdp npt;
	void *iopm;
	void *msrpm;
};

struct v3_svm_vcpu {
	struct v3_vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	int last_cpu;
	u64 uid;		/* never reused, unlike the VMCB's address */
	u64 reinject;		/* EXITINTINFO of an interrupted delivery */
	struct {		/* what VMRUN loads, as of the last entry */
		struct v3_vmcb_save save;
		u64 int_ctl, int_state, event_inj;
	} snap;
	unsigned int lost_in_a_row;
};

int v3_svm_probe(const char **why);
int v3_svm_hw_setup(void);
void v3_svm_hw_teardown(void);
int v3_svm_cpu_enable(void);
void v3_svm_cpu_disable(void);
u64 v3_svm_caps(void);

asmlinkage void __v3_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_vmcb_pa);

void v3_svm_entry_snapshot(struct v3_svm_vcpu *svm);
bool v3_svm_entry_lost(struct v3_vcpu *vcpu);

void v3_svm_decode_exit(struct v3_vcpu *vcpu);

#endif
