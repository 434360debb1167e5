/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest page-table walker: one implementation of the translation a
 * CPU does from a linear address to a guest-physical one (Intel SDM vol. 3
 * chapter 4; AMD APM vol. 2 chapter 5), for shadow paging, the instruction
 * emulator and guest introspection.  It reads guest memory only through
 * the accessors of struct v3_walk_env, so the same code runs in the module
 * and in the user-space unit tests (tests/unit/test_mmu_walk.c).
 */
#ifndef V3_MMU_WALK_H
#define V3_MMU_WALK_H

#include <linux/types.h>

/* The access being translated: the #PF error-code bits it would report */
#define V3_PF_PRESENT	(1U << 0)	/* P: the fault was a protection one */
#define V3_PF_WRITE	(1U << 1)	/* W/R */
#define V3_PF_USER	(1U << 2)	/* U/S: CPL 3 (not an implicit supervisor access) */
#define V3_PF_RSVD	(1U << 3)	/* a reserved bit was set in an entry */
#define V3_PF_FETCH	(1U << 4)	/* I/D: instruction fetch */
#define V3_PF_PK	(1U << 5)	/* protection key (not modelled: never set) */

/* What the guest's paging registers say (a snapshot of vcpu->regs) */
struct v3_walk_regs {
	u64 cr0, cr3, cr4, efer;
	u64 rflags;		/* AC, for SMAP */
	u8 cpl;
};

/*
 * Guest-physical memory as the walker sees it.  read: 0 or -EFAULT when
 * gpa is not RAM.  cmpxchg: atomically replace *old by new at gpa (size 4
 * or 8); 0 on success, -EAGAIN when the entry changed (the walk restarts,
 * as a CPU's locked A/D update would see the new value), -EFAULT if not RAM.
 */
struct v3_walk_env {
	void *opaque;
	int (*read)(void *opaque, u64 gpa, void *buf, unsigned int len);
	int (*cmpxchg)(void *opaque, u64 gpa, u64 old, u64 new,
		       unsigned int size);
};

#define V3_WALK_MAX_LEVELS	5

struct v3_walk {
	/* out: the translation */
	u64 gpa;
	int level;		/* leaf level: 1 = 4 KiB, 2 = 2/4 MiB, 3 = 1 GiB, 0 = paging off */
	u64 page_size;		/* of the leaf: the guest's page for gva */
	/* the entries read, root first (levels entries; PAE PDPTE included) */
	int levels;
	u64 pte[V3_WALK_MAX_LEVELS];
	u64 pte_gpa[V3_WALK_MAX_LEVELS];
	u8 pte_size;		/* 4 (32-bit paging) or 8 */
	/* effective rights of the whole walk, as the CPU combines them */
	bool writable, user, exec;
	bool dirty;		/* leaf D bit (after any update the walk made) */
	/* out on fault: the #PF error code the CPU would push (CR2 = gva) */
	u32 error;
};

/* v3_walk flags */
#define V3_WALK_SET_AD	(1U << 0)	/* set A (and D on a write) as the CPU does */
#define V3_WALK_NO_CHECK (1U << 1)	/* translate only: no rights checks (VMM reads) */

/*
 * Translate gva for an access described by access (V3_PF_WRITE, V3_PF_USER,
 * V3_PF_FETCH).  Returns 0 with w filled, -EFAULT when the CPU would raise
 * #PF (w->error set, V3_PF_PRESENT when a present entry denied the access),
 * -EIO when a paging-structure entry lies outside guest RAM (no CPU fault
 * models it: the caller stops the VM).
 */
int v3_walk(const struct v3_walk_env *env, const struct v3_walk_regs *regs,
	    u64 gva, u32 access, unsigned int flags, struct v3_walk *w);

#endif
