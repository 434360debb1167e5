/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _V3_VMX_H
#define _V3_VMX_H

#include "../v3.h"
#include "../mmu/mmu.h"
#include "vmcs.h"

/* What the CPU offers, read once by the probe (SDM vol. 3 appendix A). */
struct v3_vmx_features {
	u32 revision;
	u32 vmcs_size;
	u32 pin, proc, proc2, exit, entry;	/* controls we run with */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool vpid;		/* VPID enabled (INVVPID available) */
	bool ept_ad;		/* EPT accessed/dirty flags exist (not enabled) */
	bool insn_info;		/* INS/OUTS exits report the address size */
	u32 preempt_ticks;	/* VMX-preemption timer value, 0: no timer */
	u8 preempt_shift;	/* timer rate: TSC >> IA32_VMX_MISC[4:0] */
	bool debugctl;		/* IA32_DEBUGCTL exists */
	bool emulator;		/* the CPU was recognised as Bochs */
	bool quirk_preempt;	/* Bochs workaround: timer on IF=0 entries */
	int invept_type, invvpid_type;
	/* shadow paging possible: CR3-load/store and INVLPG exiting can be 1 */
	bool shadow;
	u32 proc_forced;	/* primary controls the CPU forces to 1 */
};
extern struct v3_vmx_features v3_vmx_feat;
/* the EPT entry encoding of the nested tables (vmx_ept.c) */
extern const struct v3_tdp_format v3_ept_format;

struct v3_vmx_vcpu;

/* Per physical CPU */
struct v3_vmx_cpu {
	void *vmxon;		/* VMXON region */
	struct v3_vmx_vcpu *current_vmcs;	/* VMPTRLD'ed here */
	struct list_head loaded;	/* VMCSs active here (vmx->loaded_node) */
	bool enabled;		/* VMXON done by us */
};

/* Per VM: the I/O and MSR bitmaps shared by its vCPUs */
struct v3_vmx_vm {
	void *io_bitmap;	/* A and B: 8 KiB */
	void *msr_bitmap;	/* 4 KiB */
};

/*
 * exit_reason after VMLAUNCH/VMRESUME failed (VMfail, 30.2): no VM exit
 * happened.  Not 0, which is the basic exit reason "exception or NMI".
 */
#define V3_VMX_VMFAIL		0xffffffffU

/* MSRs VMX does not switch; they are swapped around every entry. */
#define V3_VMX_NR_SWAP_MSRS	5
#define V3_VMX_SWAP_LSTAR	2	/* its index in v3_vmx_swap_msrs[] */

/*
 * perf's MSRs switched at VM entry and exit (vmx_perf.c): an entry of the
 * VM-entry/VM-exit MSR-load lists (SDM vol. 3 table 24-12), and one page
 * per vCPU holding the guest list, then the host list.
 */
#define V3_VMX_PERF_MSRS	8
struct v3_vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
};
struct v3_vmx_perf_lists {
	struct v3_vmx_msr_entry guest[V3_VMX_PERF_MSRS];
	struct v3_vmx_msr_entry host[V3_VMX_PERF_MSRS];
};

struct v3_vmx_event {
	u32 info;		/* interruption information, 0: none */
	u32 error;
	u32 len;		/* instruction length for software events */
};

struct v3_vmx_vcpu {
	struct v3_vcpu *vcpu;
	void *vmcs;
	u64 vmcs_pa;
	int cpu;		/* CPU the VMCS is active on, -1: clear */
	struct list_head loaded_node;	/* in that CPU's v3_vmx_cpu.loaded */
	bool launched;
	bool flush;		/* INVEPT/INVVPID before the next entry */
	u16 vpid;
	u32 entry_ctls;		/* cached VM-entry controls */
	u32 proc_ctls;		/* primary controls wanted for the next entry */
	u32 proc_ctls_vmcs;	/* ... and as written to the VMCS */
	u32 intr_state;		/* guest interruptibility state (24.4.2) */
	u32 pin_ctls;		/* as written to the VMCS */

	/* host state last written to the VMCS */
	unsigned long host_cr3, host_cr4, host_fs_base;

	/*
	 * Paging (vmx_paging.c).  paging: the mode loaded in the VMCS (enum
	 * v3_paging_mode); eptp: the EPT pointer of nested mode, 0 before
	 * the first; hw_efer: the EFER the CPU runs with in shadow mode;
	 * cr0_mask/cr4_mask and exc_bitmap/proc2_ctls: as written.
	 * Queued for the next entry (v3_vmx_flush_pending): flush_vpid, all
	 * of this vCPU's VPID (a guest CR0/CR4 write); flush_nonglobal, its
	 * non-global translations (a guest CR3 write); flush_gva, one address
	 * (INVLPG).
	 */
	u8 paging;
	/*
	 * Shadow paging refused for the guest's state (real mode...): 2 right
	 * after the refusal, 1 once the MMU loaded nested paging instead.
	 * Meanwhile CR0.PE/PG changes exit and ask the MMU to try again.
	 */
	u8 shadow_wanted;
	bool emulated;		/* the last exit was completed by the backend */
	bool flush_vpid;
	bool flush_nonglobal;
	bool flush_gva_valid;
	u64 flush_gva;
	u64 eptp;
	u64 hw_efer;
	u64 cr0_mask, cr4_mask;
	u32 exc_bitmap;
	u32 proc2_ctls;

	/* guest state the VMCS does not hold */
	u64 cr2;
	u64 cr8;
	u64 swap_msr[V3_VMX_NR_SWAP_MSRS];
	/* perf's switch lists (NULL: no Intel PMU), entries in use */
	struct v3_vmx_perf_lists *perf;
	u32 perf_nr;

	struct v3_vmx_event inject;	/* queued by common code */
	struct v3_vmx_event reinject;	/* interrupted by the last exit */
	struct v3_vmx_event entry_event;	/* written for the last entry */
	u64 exit_rip;

	/* raw exit information of the last exit */
	u32 exit_reason;
	u32 exit_intr_info;
	u32 exit_intr_error;
	u32 idt_info;
	u64 exit_qual;
	u32 insn_error;		/* VMfailValid: VM-instruction error */
};

/* vmx_probe.c */
int v3_vmx_probe(const char **why);
u64 v3_vmx_caps(void);
u64 v3_vmx_eptp(u64 root_hpa);
u32 v3_vmx_entry_pin(u64 rflags);

/* vmx.c */
int v3_vmx_hw_setup(void);
void v3_vmx_hw_teardown(void);
int v3_vmx_cpu_enable(void);
void v3_vmx_cpu_disable(void);
u64 v3_vmx_caps(void);
void v3_vmx_load(struct v3_vmx_vcpu *vmx);
void v3_vmx_clear(struct v3_vmx_vcpu *vmx);

/* vmx_paging.c */
int v3_vmx_set_paging(struct v3_vcpu *vcpu, const struct v3_paging_hw *hw);
void v3_vmx_inject_pf(struct v3_vcpu *vcpu, u32 error, u64 cr2);
int v3_vmx_vpid_type(u64 cap, int want);
void v3_vmx_flush_pending(struct v3_vmx_vcpu *vmx);
void v3_vmx_paging_init(struct v3_vmx_vcpu *vmx);
void v3_vmx_paging_reset(struct v3_vcpu *vcpu);
void v3_vmx_queue_flush_gva(struct v3_vmx_vcpu *vmx, u64 gva);
void v3_vmx_set_guest_efer(struct v3_vmx_vcpu *vmx, u64 efer);
void v3_vmx_efer_write(struct v3_vcpu *vcpu, u64 efer);
void v3_vmx_flush(struct v3_vmx_vcpu *vmx, u64 eptp);
u64 v3_vmx_cr0_fixed_mask(void);
u64 v3_vmx_cr4_fixed_mask(void);
/* vmx.c: the instructions (30.3); false when the CPU reports VMfail */
bool v3_vmx_invvpid(int type, u16 vpid, u64 gva);
bool v3_vmx_invept(int type, u64 eptp);

/* vmx_perf.c */
struct perf_guest_switch_msr;
void v3_vmx_perf_setup(void);
bool v3_vmx_perf_enabled(void);
unsigned int v3_vmx_perf_plan(const struct perf_guest_switch_msr *m, int nr,
			      struct v3_vmx_msr_entry *guest,
			      struct v3_vmx_msr_entry *host,
			      unsigned int max, unsigned int *dropped);
int v3_vmx_perf_vcpu_init(struct v3_vmx_vcpu *vmx, int node);
void v3_vmx_perf_vcpu_destroy(struct v3_vmx_vcpu *vmx);
void v3_vmx_perf_init_vmcs(struct v3_vmx_vcpu *vmx);
void v3_vmx_perf_switch(struct v3_vmx_vcpu *vmx);

/* vmx_exit.c */
void v3_vmx_decode_exit(struct v3_vcpu *vcpu);
bool v3_vmx_exit_is_mce(u32 exit_reason, u32 intr_info);
bool v3_vmx_handle_cr(struct v3_vcpu *vcpu);
u64 v3_vmx_read_cr0(void);
u64 v3_vmx_read_cr4(void);
void v3_vmx_write_cr0(struct v3_vcpu *vcpu, u64 cr0);
void v3_vmx_write_cr4(u64 cr4);
void v3_vmx_load_pdptes(struct v3_vcpu *vcpu, u64 cr3);

/* vmx_entry.S: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed */
asmlinkage int __v3_vmx_run(u64 *gprs, int launched,
			    struct v3_spec_vcpu *spec, u64 *cr2);
asmlinkage void __v3_vmx_exit(void);

#endif
