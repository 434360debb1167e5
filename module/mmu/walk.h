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
	/*
	 * MAXPHYADDR (CPUID 0x80000008 EAX[7:0]): entry bits 51:M (PAE 62:M)
	 * are reserved.  0 means 52 (no reserved address bits).
	 */
	u8 maxphyaddr;
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
 * An implicit supervisor-mode access (GDT/LDT/IDT/TSS, SDM vol. 3 4.6):
 * supervisor even at CPL 3, and SMAP denies it user pages whatever
 * RFLAGS.AC says.  A supervisor access (no V3_PF_USER) while regs->cpl is
 * 3 is taken as implicit too.
 */
#define V3_WALK_IMPLICIT (1U << 2)

/* A/D updates that lose their cmpxchg again after this many restarts: -EIO */
#define V3_WALK_MAX_RESTARTS	16

/*
 * Translate gva for an access described by access (V3_PF_WRITE, V3_PF_USER,
 * V3_PF_FETCH).  Returns 0 with w filled, -EFAULT when the CPU would raise
 * #PF (w->error set, V3_PF_PRESENT when a present entry denied the access),
 * -EIO when a paging-structure entry lies outside guest RAM (no CPU fault
 * models it: the caller stops the VM).
 *
 * Also:
 *  -EINVAL  gva is not canonical (4-level: bits 63:47 not all equal;
 *           5-level: bits 63:56): the CPU raises #GP(0) (#SS for a stack
 *           access), not #PF; w->error is 0.  With V3_WALK_NO_CHECK too.
 *  -EIO     as above, and when V3_WALK_SET_AD lost its cmpxchg
 *           V3_WALK_MAX_RESTARTS times in a row, or env->cmpxchg is NULL.
 *
 * Details (what a caller may rely on):
 *  - error: W and U/S are the access's (U/S clear for an implicit access);
 *    I/D only for a fetch when CR4.SMEP, or CR4.PAE and EFER.NXE (SDM
 *    4.7); a reserved-bit fault sets P and RSVD (reserved bits are only
 *    checked in present entries, so P is set with RSVD, SDM 4.7).
 *  - Reserved bits fault with V3_WALK_NO_CHECK too: no CPU would use such
 *    an entry.  Only the rights checks are skipped.
 *  - On a fault, pte[]/pte_gpa[] hold the entries read up to and including
 *    the one that faulted, levels their count, level the faulting one's.
 *  - writable/user/exec are the entries' combined bits: R/W and U/S ANDed
 *    over all levels, exec false when EFER.NXE and any XD bit (always true
 *    in 32-bit paging).  They do not fold in CR0.WP, SMEP or SMAP, which
 *    apply to the access; with paging off all three are true.
 *  - PAE PDPTEs are read at walk time; their reserved bits give a RSVD
 *    #PF.  (A CPU loads them at MOV CR3 and raises #GP there, SDM 4.4.1:
 *    a caller that models that checks on the CR3 write.)  They have no A
 *    bit: V3_WALK_SET_AD leaves them alone.
 *  - A/D (V3_WALK_SET_AD) are written only when the whole walk and its
 *    checks passed: a faulting access changes no entry.
 *  - CPUID.Page1GB and PSE-36 are taken as present (every 64-bit CPU).
 */
int v3_walk(const struct v3_walk_env *env, const struct v3_walk_regs *regs,
	    u64 gva, u32 access, unsigned int flags, struct v3_walk *w);

/*
 * Module glue (module/guest_va.c): an env over a VM's RAM (cmpxchg on the
 * host mapping; no write hook is called) and the regs of a vCPU, its
 * MAXPHYADDR the host's.
 */
struct v3_vm;
struct v3_vcpu;
void v3_walk_env_init(struct v3_walk_env *env, struct v3_vm *vm);
void v3_walk_regs_init(struct v3_walk_regs *regs, const struct v3_vcpu *vcpu);
/* v3_walk() with both of the above */
int v3_gva_walk(struct v3_vcpu *vcpu, u64 gva, u32 access, unsigned int flags,
		struct v3_walk *w);

#endif
