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
#define V3_SVM_FEAT_VMCB_CLEAN	BIT(5)
#define V3_SVM_FEAT_FLUSH_ASID	BIT(6)
#define V3_SVM_FEAT_DECODE	BIT(7)
#define V3_SVM_FEAT_PAUSE	BIT(10)
#define V3_SVM_FEAT_PAUSE_THR	BIT(12)

/* emulator_quirks= module parameter */
enum v3_svm_quirks_mode {
	V3_QUIRKS_AUTO = 0,
	V3_QUIRKS_ON,
	V3_QUIRKS_OFF,
};

/* PAUSE filter (APM 15.14.4): exit after this many PAUSEs ... */
#define V3_PAUSE_FILTER_COUNT	3000
/* ... counting only PAUSEs less than this many TSC-ish cycles apart */
#define V3_PAUSE_FILTER_THRESH	128

struct v3_svm_features {
	u32 nasid;
	bool np;
	bool nrips;
	bool decode_assists;
	bool flush_by_asid;
	bool vmcb_clean;
	bool pause_filter;
	bool pause_thresh;
	/*
	 * Emulated SVM (QEMU TCG): botched entries are retried
	 * (svm_entry_check.c) and ASIDs are not trusted to separate
	 * translations (svm_asid.c).  Never on real hardware.
	 */
	bool emulator_quirks;
};
extern struct v3_svm_features v3_svm_feat;
/* the nested page table entry encoding (svm_npt.c) */
extern const struct v3_tdp_format v3_npt_format;

void v3_svm_features_from_cpuid(struct v3_svm_features *f, u32 edx, u32 ebx,
				bool hypervisor, enum v3_svm_quirks_mode mode);
int v3_svm_parse_quirks(const char *s, enum v3_svm_quirks_mode *mode);
u64 v3_svm_caps_of(const struct v3_svm_features *f);

/* Per physical CPU */
struct v3_svm_cpu {
	void *hsave;		/* VM_HSAVE_PA: VMRUN's host state */
	void *host_vmcb;	/* VMSAVE/VMLOAD image of host FS/GS/TR/... */
	u64 host_vmcb_pa;
	u32 next_asid;
	u64 asid_gen;
	u64 last_vcpu;		/* uid of the vCPU that last ran here */
	bool asid_live;		/* a generation began here (flushed all) */
	bool enabled;		/* EFER.SVME set by us */
};
struct v3_svm_cpu *v3_svm_this_cpu(void);

/* Per VM: I/O and MSR permission maps shared by its vCPUs */
struct v3_svm_vm {
	void *iopm;
	void *msrpm;
};

struct v3_svm_vcpu {
	struct v3_vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	int last_cpu;
	bool flush_pending;	/* INIT/RESET or a botched entry: flush */
	u64 uid;		/* never reused, unlike the VMCB's address */
	/* VMCB clean bits: what the CPU saw, per area (svm_clean.c) */
	int clean_cpu;		/* CPU of the last VMRUN, -1: none yet */
	u8 *clean_shadow;	/* copy of the VMCB's cached fields */
	u64 reinject;		/* EXITINTINFO of an interrupted delivery */
	struct {		/* what VMRUN loads, as of the last entry */
		struct v3_vmcb_save save;
		u64 int_ctl, int_state, event_inj;
	} snap;
	unsigned int lost_in_a_row;
	/*
	 * Shadow paging: the VMCB's CR0/CR3/CR4/EFER are the hardware's,
	 * the guest's own values are vcpu->regs (mmu/mmu_cr.c).
	 */
	bool shadow;
};

int v3_svm_probe(const char **why);
int v3_svm_hw_setup(void);
void v3_svm_hw_teardown(void);
int v3_svm_cpu_enable(void);
void v3_svm_cpu_disable(void);
u64 v3_svm_caps(void);

asmlinkage void __v3_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_vmcb_pa,
			       struct v3_spec_vcpu *spec);

void v3_svm_entry_snapshot(struct v3_svm_vcpu *svm);
bool v3_svm_entry_lost(struct v3_vcpu *vcpu);

void v3_svm_decode_exit(struct v3_vcpu *vcpu);
u64 v3_svm_pf_event(struct v3_vcpu *vcpu, u64 reinject, u32 error);
void v3_svm_set_intercepts(struct v3_vmcb_control *c,
			   const struct v3_svm_features *f);

/* svm_asid.c: ASID and TLB_CONTROL for the next VMRUN on this CPU */
u8 v3_svm_pick_asid(struct v3_svm_cpu *sd, struct v3_svm_vcpu *svm, int cpu,
		    bool flush, const struct v3_svm_features *f);

/* svm_clean.c */
#define V3_CLEAN_SHADOW_SIZE	sizeof(struct v3_vmcb)
u32 v3_svm_clean_bits(struct v3_svm_vcpu *svm, int cpu,
		      const struct v3_svm_features *f);
void v3_svm_clean_after_exit(struct v3_svm_vcpu *svm);
u32 v3_svm_clean_area_of(unsigned int offset);

#endif
