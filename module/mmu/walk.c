// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page-table walker (walk.h): the translation of Intel SDM vol. 3
 * chapter 4 and AMD APM vol. 2 chapter 5, in the four paging modes a guest
 * can select (SDM 4.1.1, Table 4-1):
 *
 *   CR0.PG CR4.PAE EFER.LMA CR4.LA57
 *     0      -       -        -      none: linear = physical
 *     1      0       -        -      32-bit: 2 levels of 4-byte entries
 *     1      1       0        -      PAE: 4 PDPTEs at CR3[31:5], 2 levels
 *     1      1       1        0      4-level
 *     1      1       1        1      5-level
 *
 * Access rights (SDM 4.6, APM 5.6), the reserved bits of each entry (SDM
 * 4.3-4.5 tables, 4.7) and the accessed/dirty updates (SDM 4.8) are those
 * of the CPU; walk.h lists what a caller can rely on.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "walk.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_XD		BIT_ULL(63)

/* The paging mode of the walk, after CR0.PG=1 */
enum v3_walk_mode { WALK_32, WALK_PAE, WALK_4, WALK_5 };

struct v3_walker {
	const struct v3_walk_env *env;
	const struct v3_walk_regs *regs;
	struct v3_walk *w;
	enum v3_walk_mode mode;
	unsigned int m;		/* MAXPHYADDR */
	bool nxe;
	u64 gva;
	u32 error;		/* W, U/S, I/D of the access */
};

static unsigned int v3_walk_maxphyaddr(const struct v3_walk_regs *regs)
{
	unsigned int m = regs->maxphyaddr ? regs->maxphyaddr : 52;

	/* architectural bounds: 32-bit PSE-36 addresses need M >= 32 */
	return m < 32 ? 32 : m > 52 ? 52 : m;
}

/* Physical-address bits 51:12 (M-1:12) of a 64-bit entry */
static u64 v3_walk_addr(const struct v3_walker *wk, u64 e)
{
	return e & GENMASK_ULL(wk->m - 1, 12);
}

/*
 * Reserved bits of an 8-byte entry at level (4 KiB PTE = 1) that is
 * present; leaf tells whether PS made it map a page.
 *  - PAE (SDM Tables 4-9..4-11): bits 62:M; XD (63) unless EFER.NXE.
 *  - 4/5-level (Tables 4-14..4-20): bits 51:M (62:52 are ignored or the
 *    protection key); XD unless EFER.NXE; PS in a PML5E or PML4E.
 *  - a 2 MiB page: bits 20:13 (bit 12 is its PAT); a 1 GiB page: 29:13.
 *  - a 4 KiB PTE's bit 7 is PAT, not PS: never reserved.
 */
static u64 v3_walk_rsvd(const struct v3_walker *wk, int level, u64 e)
{
	u64 r = 0;

	if (wk->mode == WALK_PAE)
		r |= GENMASK_ULL(62, wk->m);
	else if (wk->m < 52)
		r |= GENMASK_ULL(51, wk->m);
	if (!wk->nxe)
		r |= PTE_XD;
	if (level >= 4)
		r |= PTE_PS;
	else if (level == 3 && (e & PTE_PS))
		r |= GENMASK_ULL(29, 13);
	else if (level == 2 && (e & PTE_PS))
		r |= GENMASK_ULL(20, 13);
	return e & r;
}

/*
 * Reserved bits of a 32-bit PDE mapping a 4 MiB page (CR4.PSE, PS=1; SDM
 * Table 4-4): bits 20:13 hold physical bits 39:32 (PSE-36), of which those
 * at and above min(MAXPHYADDR, 40) are reserved, and bit 21 always is.
 * Other 32-bit entries have no reserved bits.
 */
static u64 v3_walk_rsvd_pse(const struct v3_walker *wk, u64 e)
{
	unsigned int m = wk->m < 40 ? wk->m : 40;

	return e & GENMASK_ULL(21, m - 19);
}

static int v3_walk_read(struct v3_walker *wk, u64 gpa, u64 *e)
{
	struct v3_walk *w = wk->w;
	int ret;

	if (w->pte_size == 4) {
		u32 v = 0;

		ret = wk->env->read(wk->env->opaque, gpa, &v, 4);
		*e = v;
	} else {
		*e = 0;
		ret = wk->env->read(wk->env->opaque, gpa, e, 8);
	}
	if (ret)
		return -EIO;
	w->pte[w->levels] = *e;
	w->pte_gpa[w->levels] = gpa;
	w->levels++;
	return 0;
}

static int v3_walk_fault(struct v3_walker *wk, u32 bits)
{
	wk->w->error = wk->error | bits;
	return -EFAULT;
}

/*
 * The rights of SDM 4.6.1 for an access through a translation whose
 * entries combine to w->user/writable/exec.  User-mode accesses need U/S=1
 * everywhere, R/W=1 everywhere to write, no XD to fetch.  Supervisor-mode
 * accesses: writes need R/W=1 everywhere only with CR0.WP; fetches from a
 * user page fault with CR4.SMEP; data accesses to a user page fault with
 * CR4.SMAP unless explicit (CPL < 3, not a system-structure access) with
 * RFLAGS.AC=1.  APM 5.6 says the same.
 */
static bool v3_walk_allowed(const struct v3_walker *wk, u32 access,
			    unsigned int flags)
{
	const struct v3_walk_regs *r = wk->regs;
	const struct v3_walk *w = wk->w;
	bool write = access & V3_PF_WRITE, fetch = access & V3_PF_FETCH;
	bool implicit;

	if (access & V3_PF_USER)
		return w->user && (!write || w->writable) &&
		       (!fetch || w->exec);
	if (fetch)
		return w->exec && !(w->user && (r->cr4 & X86_CR4_SMEP));
	if (write && !w->writable && (r->cr0 & X86_CR0_WP))
		return false;
	implicit = (flags & V3_WALK_IMPLICIT) || r->cpl == 3;
	if (w->user && (r->cr4 & X86_CR4_SMAP) &&
	    (implicit || !(r->rflags & X86_EFLAGS_AC)))
		return false;
	return true;
}

/*
 * SDM 4.8: the CPU sets A in every entry it used and, on a write, D in the
 * entry that mapped the page, with locked updates.  Done here only after
 * the access passed, so a faulting access leaves the tables unchanged.
 * A PAE PDPTE has no A bit (its bit 5 is reserved).  One entry can appear
 * several times in a walk (a table that maps itself): an update is carried
 * to its later copies so their cmpxchg sees the new value.
 */
static int v3_walk_set_ad(struct v3_walker *wk, bool write)
{
	struct v3_walk *w = wk->w;
	int i, j, ret;

	if (!wk->env->cmpxchg)
		return -EIO;
	for (i = wk->mode == WALK_PAE ? 1 : 0; i < w->levels; i++) {
		u64 old = w->pte[i], new = old | PTE_A;

		if (i == w->levels - 1 && write)
			new |= PTE_D;
		if (new == old)
			continue;
		ret = wk->env->cmpxchg(wk->env->opaque, w->pte_gpa[i], old,
				       new, w->pte_size);
		if (ret == -EAGAIN)
			return -EAGAIN;
		if (ret)
			return -EIO;
		for (j = i; j < w->levels; j++)
			if (w->pte_gpa[j] == w->pte_gpa[i])
				w->pte[j] = new;
	}
	return 0;
}

/* Combine the rights bits of a present entry into the walk's */
static void v3_walk_rights(struct v3_walker *wk, u64 e)
{
	struct v3_walk *w = wk->w;

	w->writable &= !!(e & PTE_RW);
	w->user &= !!(e & PTE_US);
	if (wk->nxe && (e & PTE_XD))
		w->exec = false;
}

/* 32-bit paging (SDM 4.3): PD at CR3[31:12], 10/10/12 split, PSE */
static int v3_walk_32(struct v3_walker *wk)
{
	struct v3_walk *w = wk->w;
	u32 gva = wk->gva;
	u64 e;
	int ret;

	w->pte_size = 4;
	w->level = 2;
	ret = v3_walk_read(wk, (wk->regs->cr3 & 0xfffff000) + (gva >> 22) * 4,
			   &e);
	if (ret)
		return ret;
	if (!(e & PTE_P))
		return v3_walk_fault(wk, 0);
	v3_walk_rights(wk, e);
	if ((e & PTE_PS) && (wk->regs->cr4 & X86_CR4_PSE)) {
		if (v3_walk_rsvd_pse(wk, e))
			return v3_walk_fault(wk, V3_PF_PRESENT | V3_PF_RSVD);
		w->page_size = 1ULL << 22;
		w->gpa = (e & 0xffc00000) | (gva & 0x3fffff) |
			 ((e >> 13) & 0xff) << 32;
		return 0;
	}
	w->level = 1;
	ret = v3_walk_read(wk, (e & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4,
			   &e);
	if (ret)
		return ret;
	if (!(e & PTE_P))
		return v3_walk_fault(wk, 0);
	v3_walk_rights(wk, e);
	w->page_size = 1ULL << 12;
	w->gpa = (e & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/*
 * PAE, 4-level and 5-level paging (SDM 4.4, 4.5): 8-byte entries, 9 bits
 * of index a level, 2 MiB pages at level 2 and 1 GiB pages at level 3 (PS).
 */
static int v3_walk_64(struct v3_walker *wk)
{
	const struct v3_walk_regs *r = wk->regs;
	struct v3_walk *w = wk->w;
	u64 table, e;
	int level, ret;

	w->pte_size = 8;
	if (wk->mode == WALK_PAE) {
		/*
		 * SDM 4.4.1, Table 4-8: four PDPTEs at CR3[31:5], indexed by
		 * bits 31:30.  Bits 2:1, 8:5 and 63:M are reserved; they carry
		 * no rights (R/W and U/S are taken as 1).
		 */
		w->level = 3;
		ret = v3_walk_read(wk, (r->cr3 & 0xffffffe0) +
				   ((wk->gva >> 30) & 3) * 8, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return v3_walk_fault(wk, 0);
		if (e & (GENMASK_ULL(63, wk->m) | GENMASK_ULL(8, 5) |
			 GENMASK_ULL(2, 1)))
			return v3_walk_fault(wk, V3_PF_PRESENT | V3_PF_RSVD);
		table = v3_walk_addr(wk, e);
		level = 2;
	} else {
		table = v3_walk_addr(wk, r->cr3);
		level = wk->mode == WALK_5 ? 5 : 4;
	}
	for (;; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 mask = (1ULL << shift) - 1;

		w->level = level;
		ret = v3_walk_read(wk, table + ((wk->gva >> shift) & 511) * 8,
				   &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return v3_walk_fault(wk, 0);
		if (v3_walk_rsvd(wk, level, e))
			return v3_walk_fault(wk, V3_PF_PRESENT | V3_PF_RSVD);
		v3_walk_rights(wk, e);
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			w->page_size = 1ULL << shift;
			w->gpa = (v3_walk_addr(wk, e) & ~mask) |
				 (wk->gva & mask);
			return 0;
		}
		table = v3_walk_addr(wk, e);
	}
}

/* Linear addresses must be canonical (SDM 3.3.7.1; 4.5 for LA57) */
static bool v3_walk_canonical(u64 gva, unsigned int bits)
{
	return (u64)((s64)(gva << (64 - bits)) >> (64 - bits)) == gva;
}

static int v3_walk_once(const struct v3_walk_env *env,
			const struct v3_walk_regs *regs, u64 gva, u32 access,
			unsigned int flags, struct v3_walk *w)
{
	struct v3_walker wk = {
		.env = env, .regs = regs, .w = w, .gva = gva,
		.m = v3_walk_maxphyaddr(regs),
		.nxe = regs->efer & EFER_NX,
	};
	bool lma = regs->efer & EFER_LMA;
	int ret;

	memset(w, 0, sizeof(*w));
	w->writable = w->user = w->exec = true;
	if (!(regs->cr0 & X86_CR0_PG)) {
		w->gpa = lma ? gva : gva & 0xffffffffULL;
		w->page_size = 1ULL << 12;
		return 0;
	}
	if (!(regs->cr4 & X86_CR4_PAE))
		wk.mode = WALK_32;
	else if (!lma)
		wk.mode = WALK_PAE;
	else
		wk.mode = (regs->cr4 & X86_CR4_LA57) ? WALK_5 : WALK_4;
	if (wk.mode == WALK_32 || wk.mode == WALK_PAE)
		wk.gva &= 0xffffffffULL;
	else if (!v3_walk_canonical(gva, wk.mode == WALK_5 ? 57 : 48))
		return -EINVAL;

	/* error code, SDM 4.7: I/D only with SMEP or PAE-style NX */
	wk.error = access & (V3_PF_WRITE | V3_PF_USER);
	if ((access & V3_PF_FETCH) &&
	    ((regs->cr4 & X86_CR4_SMEP) ||
	     ((regs->cr4 & X86_CR4_PAE) && wk.nxe)))
		wk.error |= V3_PF_FETCH;

	ret = wk.mode == WALK_32 ? v3_walk_32(&wk) : v3_walk_64(&wk);
	if (ret)
		return ret;
	if (!(flags & V3_WALK_NO_CHECK) && !v3_walk_allowed(&wk, access, flags))
		return v3_walk_fault(&wk, V3_PF_PRESENT);
	if (flags & V3_WALK_SET_AD) {
		ret = v3_walk_set_ad(&wk, access & V3_PF_WRITE);
		if (ret)
			return ret;
	}
	w->dirty = w->pte[w->levels - 1] & PTE_D;
	return 0;
}

int v3_walk(const struct v3_walk_env *env, const struct v3_walk_regs *regs,
	    u64 gva, u32 access, unsigned int flags, struct v3_walk *w)
{
	int i, ret;

	for (i = 0; i <= V3_WALK_MAX_RESTARTS; i++) {
		ret = v3_walk_once(env, regs, gva, access, flags, w);
		if (ret != -EAGAIN)
			return ret;
	}
	return -EIO;
}
