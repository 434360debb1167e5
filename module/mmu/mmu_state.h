/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MMU's state inside struct v3_vcpu and struct v3_vm (module/v3.h
 * embeds them).  Kept apart from mmu.h, which is the interface, so that
 * v3.h needs no more than these types.
 */
#ifndef V3_MMU_STATE_H
#define V3_MMU_STATE_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>

struct v3_mmu_mode;
struct v3_spage;
struct v3_shadow_vm;
struct v3_vcpu;

/* Two-dimensional paging tables (NPT/EPT) over guest RAM (nested.c) */
struct v3_tdp_format {
	u64 (*table)(u64 hpa);			/* non-leaf entry */
	u64 (*leaf)(u64 hpa, bool large);	/* 4 KiB or 2 MiB leaf */
	u64 present;		/* the bits that make an entry present */
};

struct v3_tdp {
	u64 root_hpa;
	void *root;
	const struct v3_tdp_format *fmt;
};

/* Pages a shadow fault may need, taken before the shadow lock (shadow.c) */
#define V3_MMU_PAGE_CACHE	6

/* Per vCPU */
struct v3_mmu {
	bool reload;		/* call set_paging before the next entry */
	u32 loaded;		/* enum v3_paging_mode last given to set_paging */
	/* shadow mode: the roots this vCPU runs on */
	struct v3_spage *root;	/* 4-level root, or NULL (PAE: see pae) */
	struct v3_spage *pae[4];	/* PAE hardware: the four PDs */
	u64 *pdpt;		/* PAE hardware: this vCPU's PDPT (below 4 GiB) */
	u64 root_hpa;		/* what the CPU's CR3 gets */
	u64 root_cr3;		/* guest CR3 the roots were built for */
	u32 root_gmode;		/* guest paging mode the roots were built for */
	/*
	 * The last write to a guest table answered by unprotecting it: the
	 * same one again means no progress (shadow.c, v3_shadow_wp_write).
	 */
	u64 wp_rip, wp_gva;
	/*
	 * How many of those in a row were by an instruction the emulator does
	 * not know, with the registers as they were (wp_sig): the guest is
	 * stuck there, and past V3_WP_STUCK_MAX its VM stops with the reason.
	 */
	u32 wp_stuck;
	u64 wp_sig;
	void *cache[V3_MMU_PAGE_CACHE];
	unsigned int nr_cache;
	/* counters, written by the vCPU thread only */
	u64 shadow_faults, guest_faults, wp_emulations;
	u64 shadow_prefetches, wp_noprogress;
	u64 cr3_switches, invlpgs, fault_cycles;
};

/* Per VM */
struct v3_mmu_vm {
	u32 mode;			/* enum v3_paging_mode */
	const struct v3_mmu_mode *ops;
	/*
	 * Read: a vCPU between loading its paging state and the end of the
	 * exit it took.  Write: a mode switch (v3_mmu_set_mode).
	 */
	struct rw_semaphore sem;
	struct mutex switch_lock;	/* one switch at a time */
	struct v3_tdp tdp;		/* nested tables, when common code owns them */
	struct v3_shadow_vm *shadow;	/* shadow page cache, shadow mode only */
	u64 switches, switch_ns_last, switch_ns_max;
	/*
	 * Hinting faults (nested.c): a region whose 2 MiB directory entry was
	 * made not-present reports its next access to hint_fn (the memory
	 * placement service, adapt/mem_follow.c) and is mapped again.
	 */
	bool hinting;			/* a region was ever hinted */
	void (*hint_fn)(struct v3_vcpu *vcpu, u64 gpa);
};

#endif
