/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MMU room's one door (issue #12).  Every vCPU has one MMU object whose
 * paging mode sits behind struct v3_mmu_mode:
 *
 *   nested  the CPU walks the guest's tables and the NPT/EPT tables that map
 *           guest-physical to host-physical (AMD APM vol. 2 15.25, Intel SDM
 *           vol. 3 29.3); the guest's CR accesses and #PF stay private.
 *   shadow  nested paging is off; the CPU walks shadow tables the VMM builds
 *           from the guest's (gva -> hpa), lazily, on #PF exits; guest writes
 *           to CR0/CR3/CR4/EFER, CR3 reads, INVLPG and #PF exit.
 *
 * A running VM switches between them at a safe point (all vCPUs outside the
 * guest); module/adapt/ decides when.  Files: walk.c (the guest page-table
 * walker), mmu.c (this object, the switch, the exits below), nested.c (the
 * NPT/EPT tables over guest RAM), shadow.c (the shadow page cache).
 */
#ifndef V3_MMU_H
#define V3_MMU_H

#include <linux/bits.h>
#include <linux/types.h>
#include "walk.h"

struct v3_vm;
struct v3_vcpu;

/* also the ABI's V3_PAGING_* (include/v3vmm.h): nested 0, shadow 1 */
enum v3_paging_mode {
	V3_MMU_NESTED = 0,
	V3_MMU_SHADOW = 1,
	V3_MMU_NR_MODES
};

/*
 * What the backend loads for the next entries (arch op set_paging, called on
 * the vCPU's thread between an exit and the next entry, VMCB/VMCS current).
 *   nested: root = NPT/EPT root (hpa); cr0/cr4/efer unused: the guest's own
 *           values from vcpu->regs run on the CPU.
 *   shadow: root = the CR3 the CPU runs with (shadow root hpa); cr0, cr4 and
 *           efer = the hardware values (PG, WP, PAE... as the shadow tables
 *           need); the guest's view stays in vcpu->regs, which the backend no
 *           longer refreshes from hardware for CR0/CR3/CR4/EFER, shows the
 *           guest on reads (CR0/CR4 read shadows, CR3 read exits) and decodes
 *           CR writes, CR3 reads, INVLPG and #PF into common exits.
 * set_paging returns -EOPNOTSUPP when the CPU cannot run the guest's current
 * state in this mode (VMX without unrestricted guest cannot run real mode:
 * the MMU keeps nested paging until the guest turns paging on).
 */
struct v3_paging_hw {
	u32 mode;		/* enum v3_paging_mode */
	u64 root;
	u64 cr0, cr4, efer;
};

/* One paging mode: its VM-wide structures and its exits */
struct v3_mmu_mode {
	const char *name;
	/* VM-wide structures (all vCPUs outside the guest) */
	int (*vm_init)(struct v3_vm *vm);
	void (*vm_destroy)(struct v3_vm *vm);
	/* fill hw for this vCPU's next entry */
	int (*load)(struct v3_vcpu *vcpu, struct v3_paging_hw *hw);
	/* #PF exit (shadow): 0 handled or injected into the guest, 1 VM stopped */
	int (*page_fault)(struct v3_vcpu *vcpu, u64 gva, u32 error);
	/* the guest changed CR0/CR3/CR4/EFER: vcpu->regs holds the new values */
	int (*paging_changed)(struct v3_vcpu *vcpu, u64 old_cr3);
	void (*invlpg)(struct v3_vcpu *vcpu, u64 gva);
	/* the VMM or a device wrote guest RAM [gpa, gpa + len) */
	void (*gpa_written)(struct v3_vm *vm, u64 gpa, u64 len);
};

/* Counters (per VM; summed over vCPUs where a vCPU counts) */
struct v3_mmu_stats {
	u64 shadow_faults;	/* #PF exits the shadow code fixed */
	u64 guest_faults;	/* #PF exits that went back to the guest */
	u64 wp_emulations;	/* writes to write-protected guest tables */
	u64 cr3_switches;
	u64 invlpgs;
	u64 shadow_pages;	/* in use now */
	u64 switches;		/* mode changes of a running VM */
	u64 switch_ns_last, switch_ns_max;
	u64 fault_cycles;	/* TSC cycles in the shadow fault path */
	u64 shadow_prefetches;	/* leaves filled beside a fault (shadow.c) */
	u64 wp_noprogress;	/* table writes emulated for want of progress */
};

/*
 * Added by the core helper (issue #12, p12-core): the calls common code
 * makes into the MMU beside the ones above.
 */
extern const struct v3_mmu_mode v3_mmu_nested;
extern const struct v3_mmu_mode v3_mmu_shadow;

/* vcpu.c: around one entry and the handling of its exit */
int v3_mmu_enter(struct v3_vcpu *vcpu);
void v3_mmu_leave(struct v3_vcpu *vcpu);
/* the vCPU's paging state was loaded anew (boot, INIT/SIPI, reset) */
void v3_mmu_vcpu_reset(struct v3_vcpu *vcpu);
void v3_mmu_vcpu_destroy(struct v3_vcpu *vcpu);
/* exit.c: the exits shadow paging takes (nested: as before) */
int v3_mmu_handle_cr(struct v3_vcpu *vcpu);
int v3_mmu_handle_invlpg(struct v3_vcpu *vcpu);
int v3_mmu_handle_pf(struct v3_vcpu *vcpu);
/* msr.c: WRMSR EFER, already checked; 0 */
void v3_mmu_set_efer(struct v3_vcpu *vcpu, u64 efer);
/* guest_mem.c, dev.c, vm_reset.c: the VMM wrote guest RAM */
void v3_mmu_gpa_written(struct v3_vm *vm, u64 gpa, u64 len);
/* mmu_cr.c: the guest wrote CR0/CR3/CR4 (shadow mode) */
int v3_mmu_emulate_cr(struct v3_vcpu *vcpu);
/* shadow.c beside its mode ops */
u64 v3_mmu_shadow_pages(struct v3_vm *vm);
void v3_shadow_vcpu_free(struct v3_vcpu *vcpu);
/* shadow_emul.c: STOS into a table through itself; -ENOENT if not STOS */
int v3_shadow_emulate_stos(struct v3_vcpu *vcpu);
/* mmu_cr.c: INVLPG's operand from the instruction (no decode assists) */
int v3_mmu_decode_invlpg(struct v3_vcpu *vcpu);
/* the shadow mode's budget (pages per VM), module parameter shadow_pages */
extern unsigned int v3_shadow_pages_max;

/*
 * pf_event.c: a #PF for the guest while the exit interrupted the delivery
 * of the event first (SVM EXITINTINFO / VMX IDT-vectoring information,
 * 0 if none): what the CPU would have done (SDM vol. 3 6.15 table 6-5).
 * v3_pf_resolve returns the vector the backend injects instead of #PF
 * (X86_TRAP_PF or X86_TRAP_DF, error code 0 with #DF), holding an
 * interrupted external interrupt for later; -1: the VM was stopped.
 * The backend drops its re-injection of first in every case.
 */
#define V3_EVENT_VALID		BIT(31)
#define V3_EVENT_TYPE(info)	(((info) >> 8) & 7)
#define V3_EVENT_EXT_INT	0
#define V3_EVENT_NMI		2
#define V3_EVENT_HW_EXC		3
#define V3_EVENT_SOFT_INT	4	/* INT n */
#define V3_EVENT_PRIV_SOFT_EXC	5	/* INT1 (VMX only) */
#define V3_EVENT_SOFT_EXC	6	/* INT3, INTO (VMX only) */

enum v3_pf_merge {
	V3_PF_ALONE,		/* nothing in flight */
	V3_PF_SERIAL,		/* #PF now; first recurs when its instruction reruns */
	V3_PF_HOLD,		/* #PF now; first (an interrupt) held for later */
	V3_PF_DOUBLE,		/* #DF instead */
	V3_PF_SHUTDOWN,		/* triple fault */
	V3_PF_STOP,		/* first cannot be kept (NMI, unknown type) */
};
enum v3_pf_merge v3_pf_merge(u32 first);
int v3_pf_resolve(struct v3_vcpu *vcpu, u32 first);
/*
 * pf_event.c: the translation of la for an access v3vmm makes for the
 * guest (a shadow fill, an emulated store or LMSW/SMSW operand), A/D set
 * as the CPU sets them.  0: w filled; 1: the CPU would have faulted and
 * the guest got that fault; -EIO: a paging-structure entry lies outside
 * RAM (no CPU fault models it: the caller stops the VM).
 */
int v3_pf_walk(struct v3_vcpu *vcpu, u64 la, u32 access, struct v3_walk *w);

/* a new VM starts nested; v3_mmu_set_mode moves it (adapt/paging.c) */
int v3_mmu_vm_init(struct v3_vm *vm);
void v3_mmu_vm_destroy(struct v3_vm *vm);
/* Switch a VM (any state) to mode; sleeps; 0 or -errno */
int v3_mmu_set_mode(struct v3_vm *vm, enum v3_paging_mode mode);
int v3_mmu_exclusive(struct v3_vm *vm, int (*fn)(struct v3_vm *vm, void *arg),
		     void *arg, u64 *held_ns);
enum v3_paging_mode v3_mmu_mode(struct v3_vm *vm);
void v3_mmu_get_stats(struct v3_vm *vm, struct v3_mmu_stats *s);

#endif
