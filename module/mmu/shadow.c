// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow paging (issue #12).  The CPU runs on tables the VMM builds from
 * the guest's, gva -> hpa, lazily: each #PF exit walks the guest's tables
 * (walk.c, which also sets the A/D bits a CPU would) and fills the path to
 * one 4 KiB shadow leaf, or reflects the fault to the guest.
 *
 * Hardware format.  A 64-bit guest (EFER.LMA) runs on 4-level shadow
 * tables.  Any other guest - not paging, 32-bit or PAE paging - runs on
 * PAE tables (a 32-bit mode guest cannot run in long mode: its IDT would
 * be read as a 64-bit one); the PDPT is per vCPU and below 4 GiB (CR3 is
 * 32 bits in PAE mode, APM vol. 2 5.2.1).  A guest that does not page runs
 * on identity-mapping ("direct") shadows; with CR0.PE clear that is SVM's
 * paged real mode.  Guest large pages are shadowed by 4 KiB leaves.
 *
 * The shadow page cache (one per VM, one spinlock) keys a shadow table by
 * the guest table frame it shadows and its role: level, guest paging mode,
 * quadrant (which part of a 32-bit guest table a PAE-format shadow
 * covers) and the access rights the path above grants (so a table reached
 * through a read-only or supervisor-only parent is not shared with one
 * reached through a writable user parent).  Non-leaf shadow entries grant
 * everything; a leaf gets the rights of its whole guest walk.  A CR3 switch
 * back to a known table finds its shadows still there.
 *
 * Coherence.  A guest table that has shadows is write-protected: every
 * shadow leaf mapping its frame loses R/W (found through a reverse map of
 * writable leaves).  A guest write to it faults; the shadows of that frame
 * are then dropped and the frame unprotected, so the write proceeds
 * natively and later faults rebuild the shadows from the new contents.
 * Dropping (not emulating) was chosen because the guest's page-table
 * writes are often locked read-modify-write instructions (XCHG, CMPXCHG,
 * LOCK AND/BTR) the MMIO decoder (emulate.c) does not cover, and because
 * a table being filled (fork, mmap) is then written at native speed after
 * one fault.  Dropping cannot work when the write's instruction reaches
 * the table again before the write itself, through its own walk (a
 * self-referencing entry) or through another access it makes (its fetch,
 * its stack): the restarted instruction re-protects the table first, for
 * ever.  Such writes are emulated (v3_shadow_wp_why): the first,
 * recognised from the walk, at once; the second, by the same write-protect
 * fault coming back at the same RIP and address.
 * Writes by the VMM (v3_write_gpa, the loader, a reset) come
 * through v3_mmu_gpa_written.  Since the shadows never disagree with the
 * guest's tables, INVLPG and MOV CR3 only need the hardware TLB flushed.
 * Whenever shadow entries lose rights or disappear, every vCPU's TLB is
 * flushed and vCPUs inside the guest are forced out (an IPI, waited for)
 * before the pages are freed or the fault returns.
 *
 * Budget: at most v3_shadow_pages_max shadow pages per VM (module
 * parameter shadow_pages, memcg-charged); beyond it every shadow is
 * dropped (zap-all) and rebuilt on demand.
 *
 * A write to a guest table that must be emulated (above) is emulated for
 * MOV, XCHG, (REP) STOS and the locked read-modify-writes Linux uses on
 * entries (CMPXCHG, XADD, BTS/BTR/BTC, ADD/OR/AND/SUB/XOR: shadow_rmw.c).
 * Not done: any other instruction writing a table through itself stops
 * the VM, and one without progress is unprotected again, until
 * V3_WP_STUCK_MAX such retries in a row with the same registers show it
 * never progresses: then the VM stops with the instruction's bytes in the
 * reason.  5-level guests are refused (LA57 is not offered).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <linux/hash.h>
#include <linux/io.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "../v3.h"
#include "mmu.h"
#include "shadow_rmw.h"

unsigned int v3_shadow_pages_max = 8192;
module_param_named(shadow_pages, v3_shadow_pages_max, uint, 0644);
MODULE_PARM_DESC(shadow_pages,
		 "shadow page tables per VM before all are dropped (default 8192 = 32 MiB)");

#define SPTE_P		BIT_ULL(0)
#define SPTE_W		BIT_ULL(1)
#define SPTE_U		BIT_ULL(2)
#define SPTE_PWT	BIT_ULL(3)
#define SPTE_PCD	BIT_ULL(4)
#define SPTE_A		BIT_ULL(5)
#define SPTE_D		BIT_ULL(6)
#define SPTE_PS		BIT_ULL(7)
#define SPTE_G		BIT_ULL(8)
#define SPTE_PAT	BIT_ULL(7)	/* a 4 KiB leaf's PAT bit (= PS elsewhere) */
#define SPTE_LPAT	BIT_ULL(12)	/* a large page's PAT bit */
#define SPTE_NX		BIT_ULL(63)
#define SPTE_ADDR	0x000ffffffffff000ULL

/* guest paging modes (role) */
enum { GM_NONE = 0, GM_32, GM_PAE, GM_64 };

/* role: level 1-4, guest mode, quadrant, access (W U X), direct */
#define ROLE(level, gm, quad, acc, direct) \
	((level) | (gm) << 3 | (quad) << 5 | (acc) << 7 | (direct) << 10)
#define ROLE_LEVEL(r)	((r) & 7)
#define ROLE_DIRECT(r)	(((r) >> 10) & 1)
#define ACC_W	1
#define ACC_U	2
#define ACC_X	4
#define ACC_ALL	7

#define V3_SHADOW_HASH	1024

struct v3_spage {
	struct hlist_node hash;
	struct list_head link;
	u64 gfn;		/* guest table frame; direct: first frame mapped */
	u32 role;
	u32 id;
	u64 *spt;		/* the table the CPU walks */
	/*
	 * Per entry: bits 31:0 the next entry in the same chain (a parent
	 * chain for non-leaf entries' children, a gfn's reverse map for
	 * writable leaves), bits 63:32 the RAM index the leaf maps.
	 */
	u64 *meta;
	u32 parents;		/* chain of the entries pointing here */
	unsigned int root_count;	/* vCPUs using it as (PAE) root */
	bool obsolete;		/* dropped while a root: freed when unused */
};

struct v3_shadow_vm {
	spinlock_t lock;
	struct hlist_head hash[V3_SHADOW_HASH];
	struct list_head pages;		/* live */
	struct list_head obsolete;	/* dropped, still someone's root */
	struct v3_spage **byid;
	u32 *free_ids;
	unsigned int max, nr, nr_free;
	u32 *rmap;			/* per RAM page: writable leaves */
	u16 *tables;			/* per RAM page: its shadows */
	u64 nr_ram;
	u64 host_pat;			/* the PAT of SVM shadow mode */
	unsigned long seq;		/* bumped at each drop */
	bool flush;			/* a drop or protection to publish */
	struct list_head to_free;
};

/* -------------------------------------------------------------- helpers */

static s64 v3_ram_index(struct v3_vm *vm, u64 gfn)
{
	u64 gpa = gfn << PAGE_SHIFT;
	struct v3_guest_mem *m = &vm->mem;

	if (gpa < m->low_size)
		return gfn;
	if (gpa >= V3_HIGH_RAM_BASE &&
	    gpa - V3_HIGH_RAM_BASE < m->size - m->low_size)
		return (m->low_size + gpa - V3_HIGH_RAM_BASE) >> PAGE_SHIFT;
	return -1;
}

static inline u32 v3_ref(struct v3_spage *sp, unsigned int slot)
{
	return ((sp->id << 9) | slot) + 1;
}

static inline u64 *v3_ref_meta(struct v3_shadow_vm *sv, u32 ref)
{
	ref--;
	return &sv->byid[ref >> 9]->meta[ref & 511];
}

static inline u64 *v3_ref_spte(struct v3_shadow_vm *sv, u32 ref)
{
	ref--;
	return &sv->byid[ref >> 9]->spt[ref & 511];
}

static void v3_chain_add(struct v3_shadow_vm *sv, u32 *head, u32 ref)
{
	u64 *m = v3_ref_meta(sv, ref);

	*m = (*m & ~0xffffffffULL) | *head;
	*head = ref;
}

static void v3_chain_del(struct v3_shadow_vm *sv, u32 *head, u32 ref)
{
	u32 *p = head;

	while (*p && *p != ref)
		p = (u32 *)v3_ref_meta(sv, *p);	/* low half: little-endian */
	if (*p)
		*p = (u32)*v3_ref_meta(sv, ref);
}

static struct v3_spage *v3_spage_of(u64 spte)
{
	return (struct v3_spage *)page_private(pfn_to_page(
		(spte & SPTE_ADDR) >> PAGE_SHIFT));
}

static unsigned int v3_hash(u64 gfn)
{
	return hash_64(gfn, 10);
}

/* ------------------------------------------------------ page allocation */

static struct v3_spage *v3_spage_alloc(void)
{
	struct v3_spage *sp = kzalloc(sizeof(*sp), V3_GFP_ACCOUNT);

	if (!sp)
		return NULL;
	sp->spt = (u64 *)get_zeroed_page(V3_GFP_ACCOUNT);
	sp->meta = (u64 *)get_zeroed_page(V3_GFP_ACCOUNT);
	if (!sp->spt || !sp->meta) {
		free_page((unsigned long)sp->spt);
		free_page((unsigned long)sp->meta);
		kfree(sp);
		return NULL;
	}
	set_page_private(virt_to_page(sp->spt), (unsigned long)sp);
	return sp;
}

static void v3_spage_free(struct v3_spage *sp)
{
	set_page_private(virt_to_page(sp->spt), 0);
	free_page((unsigned long)sp->spt);
	free_page((unsigned long)sp->meta);
	kfree(sp);
}

/* Pages a fault or a root load may take under the lock (may sleep). */
static int v3_shadow_topup(struct v3_vcpu *vcpu)
{
	struct v3_mmu *mu = &vcpu->mmu;

	while (mu->nr_cache < V3_MMU_PAGE_CACHE) {
		struct v3_spage *sp = v3_spage_alloc();

		if (!sp)
			return -ENOMEM;
		mu->cache[mu->nr_cache++] = sp;
	}
	return 0;
}

/* ---------------------------------------------------------------- drops */

static void v3_ipi_nothing(void *unused)
{
}

/*
 * Every vCPU flushes its TLB before its next entry, and those inside the
 * guest now are forced out and waited for: after this no CPU holds a
 * translation or paging-structure pointer the shadows no longer have.
 */
static void v3_shadow_flush_all(struct v3_vm *vm)
{
	unsigned int i;
	int cpu;

	for (i = 0; i < vm->nr_vcpus; i++)
		set_bit(V3_REQ_TLB, &vm->vcpus[i]->requests);
	smp_mb__after_atomic();
	cpu = get_cpu();
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct v3_vcpu *v = vm->vcpus[i];
		int target = READ_ONCE(v->cpu);

		if (READ_ONCE(v->mode) == V3_MODE_IN_GUEST && target >= 0 &&
		    target != cpu)
			smp_call_function_single(target, v3_ipi_nothing, NULL,
						 1);
	}
	put_cpu();
}

/*
 * Before the lock is released: drops and new protections take effect on
 * every CPU (as KVM flushes under its mmu_lock), so no vCPU writes a
 * guest table through a stale writable translation once its shadows
 * exist.  The IPI handler takes no lock and vCPUs spin on this one with
 * interrupts enabled.
 */
static void v3_shadow_publish(struct v3_vm *vm)
{
	struct v3_shadow_vm *sv = vm->mmu.shadow;

	if (sv->flush) {
		sv->flush = false;
		v3_shadow_flush_all(vm);
	}
}

/* After the lock: free what was dropped (published already). */
static void v3_shadow_commit(struct v3_vm *vm)
{
	struct v3_shadow_vm *sv = vm->mmu.shadow;
	struct v3_spage *sp, *tmp;
	LIST_HEAD(list);

	spin_lock(&sv->lock);
	list_splice_init(&sv->to_free, &list);
	spin_unlock(&sv->lock);
	list_for_each_entry_safe(sp, tmp, &list, link)
		v3_spage_free(sp);
}

static void v3_drop_spte(struct v3_shadow_vm *sv, struct v3_spage *sp,
			 unsigned int slot)
{
	u64 e = sp->spt[slot];
	u32 ref = v3_ref(sp, slot);

	if (!(e & SPTE_P))
		return;
	sp->spt[slot] = 0;
	if (ROLE_LEVEL(sp->role) > 1) {
		v3_chain_del(sv, &v3_spage_of(e)->parents, ref);
	} else if (e & SPTE_W) {
		u64 idx = sp->meta[slot] >> 32;

		v3_chain_del(sv, &sv->rmap[idx], ref);
	}
	sp->meta[slot] = 0;
	sv->flush = true;
}

static void v3_zap_page(struct v3_shadow_vm *sv, struct v3_spage *sp)
{
	unsigned int i;

	while (sp->parents) {
		u32 ref = sp->parents;

		*v3_ref_spte(sv, ref) = 0;
		sp->parents = (u32)*v3_ref_meta(sv, ref);
		*v3_ref_meta(sv, ref) = 0;
	}
	for (i = 0; i < 512; i++)
		v3_drop_spte(sv, sp, i);
	hlist_del(&sp->hash);
	list_del(&sp->link);
	if (!ROLE_DIRECT(sp->role))
		sv->tables[sp->gfn]--;	/* gfn holds the RAM index here */
	sv->free_ids[sv->nr_free++] = sp->id;
	sv->byid[sp->id] = NULL;
	sv->nr--;
	sv->seq++;
	sv->flush = true;
	if (sp->root_count) {
		sp->obsolete = true;
		list_add(&sp->link, &sv->obsolete);
	} else {
		list_add(&sp->link, &sv->to_free);
	}
}

static void v3_zap_all(struct v3_shadow_vm *sv)
{
	struct v3_spage *sp, *tmp;

	list_for_each_entry_safe(sp, tmp, &sv->pages, link)
		v3_zap_page(sv, sp);
	sv->seq++;
}

/* Drop the shadows of guest table frame idx (a RAM index): unprotected */
static void v3_zap_gfn(struct v3_shadow_vm *sv, u64 idx)
{
	struct v3_spage *sp;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(sp, tmp, &sv->hash[v3_hash(idx)], hash)
		if (sp->gfn == idx && !ROLE_DIRECT(sp->role))
			v3_zap_page(sv, sp);
}

/* ------------------------------------------------------------- building */

/*
 * The shadow page for (frame, role), made if missing.  Frames are kept as
 * RAM indexes (direct pages: the first guest frame, not RAM-indexed).
 * NULL with *again set when the budget was exceeded and everything
 * dropped (the caller retries), NULL alone on a RAM-less frame.
 */
static struct v3_spage *v3_get_page(struct v3_vcpu *vcpu, u64 gfn, u32 role,
				    bool *again)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	struct v3_mmu *mu = &vcpu->mmu;
	bool direct = ROLE_DIRECT(role);
	struct v3_spage *sp;
	u64 key = gfn;

	if (!direct) {
		s64 idx = v3_ram_index(vcpu->vm, gfn);

		if (idx < 0)
			return NULL;
		key = idx;
	}
	hlist_for_each_entry(sp, &sv->hash[v3_hash(key)], hash)
		if (sp->gfn == key && sp->role == role)
			return sp;
	if (sv->nr >= sv->max || !sv->nr_free) {
		v3_zap_all(sv);
		*again = true;
		return NULL;
	}
	if (WARN_ON_ONCE(!mu->nr_cache))
		return NULL;
	sp = mu->cache[--mu->nr_cache];
	sp->gfn = key;
	sp->role = role;
	sp->parents = 0;
	sp->root_count = 0;
	sp->obsolete = false;
	sp->id = sv->free_ids[--sv->nr_free];
	sv->byid[sp->id] = sp;
	sv->nr++;
	hlist_add_head(&sp->hash, &sv->hash[v3_hash(key)]);
	list_add(&sp->link, &sv->pages);
	if (!direct && sv->tables[key]++ == 0) {
		/* a new guest table: no writable leaf may map it */
		while (sv->rmap[key]) {
			u32 ref = sv->rmap[key];

			*v3_ref_spte(sv, ref) &= ~SPTE_W;
			sv->rmap[key] = (u32)*v3_ref_meta(sv, ref);
			*v3_ref_meta(sv, ref) &= ~0xffffffffULL;
			sv->flush = true;
		}
	}
	return sp;
}

static void v3_link(struct v3_shadow_vm *sv, struct v3_spage *parent,
		    unsigned int slot, struct v3_spage *child)
{
	v3_drop_spte(sv, parent, slot);
	parent->spt[slot] = virt_to_phys(child->spt) | SPTE_P | SPTE_W |
			    SPTE_U | SPTE_A;
	v3_chain_add(sv, &child->parents, v3_ref(parent, slot));
}

static int v3_guest_mode(const struct v3_regs *r)
{
	if (!(r->cr0 & X86_CR0_PG))
		return GM_NONE;
	if (r->efer & EFER_LMA)
		return GM_64;
	return (r->cr4 & X86_CR4_PAE) ? GM_PAE : GM_32;
}

static u32 v3_entry_access(const struct v3_regs *r, u64 e, bool is64)
{
	u32 acc = 0;

	if (e & SPTE_W)
		acc |= ACC_W;
	if (e & SPTE_U)
		acc |= ACC_U;
	if (!is64 || !(r->efer & EFER_NX) || !(e & SPTE_NX))
		acc |= ACC_X;
	return acc;
}

/*
 * The child of shadow page sp at slot for this walk: a guest table with
 * its role, or a direct page for a guest large page or no paging.
 */
static void v3_child_key(struct v3_vcpu *vcpu, struct v3_spage *sp,
			 unsigned int slot, const struct v3_walk *w, int gm,
			 u64 *gfn, u32 *role)
{
	const struct v3_regs *r = &vcpu->regs;
	int level = ROLE_LEVEL(sp->role);	/* of sp; child is level - 1 */
	u32 acc = (sp->role >> 7) & 7;
	u64 e;
	int i;

	if (ROLE_DIRECT(sp->role)) {
		*gfn = sp->gfn + ((u64)slot << (9 * (level - 1)));
		*role = ROLE(level - 1, gm, 0, acc, 1);
		return;
	}
	/* the guest entry at this level (root first in w->pte[]) */
	i = (w->levels - 1) - (level - w->level);
	e = w->pte[i];
	acc &= v3_entry_access(r, e, w->pte_size == 8);
	if (level == w->level) {
		/* a guest large page: the child maps part of it directly */
		u64 base = w->gpa & ~(w->page_size - 1);
		u64 span = 1ULL << (12 + 9 * (level - 1));	/* of slot */

		*gfn = (base + ((w->gpa - base) & ~(span - 1) &
				(w->page_size - 1))) >> PAGE_SHIFT;
		*role = ROLE(level - 1, gm, 0, acc, 1);
		return;
	}
	*gfn = (w->pte_size == 4 ? e & 0xfffff000ULL : e & SPTE_ADDR) >>
	       PAGE_SHIFT;
	/* a 32-bit guest table shadowed in two halves (slot's half) */
	*role = ROLE(level - 1, gm, gm == GM_32 ? (slot & 1) : 0, acc, 0);
}

/*
 * Fill the path for gva from the vCPU's root down to the last-level
 * shadow table (*out, its entry *out_slot).  Called with the lock held.
 * 0, or -EAGAIN when it must be retried.
 */
static int v3_shadow_path(struct v3_vcpu *vcpu, u64 gva,
			  const struct v3_walk *w, int gm,
			  struct v3_spage **out, unsigned int *out_slot)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	struct v3_spage *sp;
	unsigned int slot;
	bool again = false;

	if (gm == GM_64)
		sp = vcpu->mmu.root;
	else
		sp = vcpu->mmu.pae[(gva >> 30) & 3];
	if (!sp || sp->obsolete)
		return -EAGAIN;
	for (;;) {
		int level = ROLE_LEVEL(sp->role);
		struct v3_spage *child;
		u64 gfn;
		u32 role;

		slot = (gva >> (12 + 9 * (level - 1))) & 511;
		if (level == 1)
			break;
		v3_child_key(vcpu, sp, slot, w, gm, &gfn, &role);
		if (sp->spt[slot] & SPTE_P) {
			child = v3_spage_of(sp->spt[slot]);
			if (child->role == role &&
			    (ROLE_DIRECT(role) ? child->gfn == gfn :
			     child->gfn == v3_ram_index(vcpu->vm, gfn))) {
				sp = child;
				continue;
			}
		}
		child = v3_get_page(vcpu, gfn, role, &again);
		if (!child)
			return again ? -EAGAIN : -EIO;
		v3_link(sv, sp, slot, child);
		sp = child;
	}
	*out = sp;
	*out_slot = slot;
	return 0;
}

/*
 * The memory type of a leaf: the guest entry's PAT, PCD and PWT bits
 * select an entry of the guest's PAT (SDM vol. 3 11.12.3; the PAT bit is
 * bit 7 of a 4 KiB PTE, bit 12 of a large page's entry).  The shadow
 * leaf must select the same type in the PAT the CPU uses while the guest
 * runs: on VMX that is the guest's own (the VM-entry control "load
 * IA32_PAT", SDM vol. 3 26.3.2.1), so the bits are copied; SVM without
 * nested paging leaves the host's PAT in force (G_PAT only applies to
 * nested paging, APM vol. 2 15.25.8), so the index is translated.  A type
 * the host's PAT lacks is made UC (strongest: never less strict than the
 * guest asked).  The shadow leaf is 4 KiB: its PAT bit is bit 7.
 */
static u64 v3_shadow_memtype(struct v3_vcpu *vcpu, u64 ge, bool large)
{
	const struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	unsigned int idx, type, i;
	u64 gpat = 0x0007040600070406ULL;	/* power-on PAT */

	idx = (ge & SPTE_PWT ? 1 : 0) | (ge & SPTE_PCD ? 2 : 0) |
	      (ge & (large ? SPTE_LPAT : SPTE_PAT) ? 4 : 0);
	if (v3_arch->get_msr)
		v3_arch->get_msr(vcpu, MSR_IA32_CR_PAT, &gpat);
	if (v3_arch->arch != V3_ARCH_SVM)
		goto bits;
	type = (gpat >> (8 * idx)) & 7;
	for (i = 0; i < 8; i++)
		if (((sv->host_pat >> (8 * i)) & 7) == type)
			break;
	if (i == 8) {
		for (i = 0; i < 8; i++)
			if (((sv->host_pat >> (8 * i)) & 7) == 0)	/* UC */
				break;
	}
	idx = i < 8 ? i : 3;	/* PCD|PWT: UC in the power-on PAT */
bits:
	return (idx & 1 ? SPTE_PWT : 0) | (idx & 2 ? SPTE_PCD : 0) |
	       (idx & 4 ? SPTE_PAT : 0);
}

/* The leaf for the walk w at sp's slot (lock held) */
static int v3_shadow_leaf(struct v3_vcpu *vcpu, struct v3_spage *sp,
			  unsigned int slot, const struct v3_walk *w,
			  u32 access, int gm)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	const struct v3_regs *r = &vcpu->regs;
	u64 gpa = w->gpa & PAGE_MASK, leaf, hpa;
	s64 idx;
	bool wr;

	idx = v3_ram_index(vcpu->vm, gpa >> PAGE_SHIFT);
	hpa = v3_gpa_to_hpa(vcpu->vm, gpa, NULL);
	if (idx < 0 || hpa == ~0ULL)
		return -EIO;
	/*
	 * Writable only when the guest allows it (CR0.WP clear lets the
	 * kernel write a read-only page: then not for CPL 3, as KVM does),
	 * the guest's D bit is set (a write just set it), and the frame is
	 * no guest table.
	 */
	wr = w->writable || (!(r->cr0 & X86_CR0_WP) && !(access & V3_PF_USER) &&
			     (access & V3_PF_WRITE));
	wr = wr && ((access & V3_PF_WRITE) || w->dirty || gm == GM_NONE) &&
	     !sv->tables[idx];
	leaf = (hpa & SPTE_ADDR) | SPTE_P | SPTE_A;
	if (wr)
		leaf |= SPTE_W | SPTE_D;
	if (w->user && (w->writable || !wr))
		leaf |= SPTE_U;
	if (!w->exec)
		leaf |= SPTE_NX;
	if (gm != GM_NONE) {
		u64 ge = w->pte[w->levels - 1];

		leaf |= v3_shadow_memtype(vcpu, ge, w->level > 1);
		if (ge & SPTE_G)
			leaf |= SPTE_G;
	}
	v3_drop_spte(sv, sp, slot);
	sp->spt[slot] = leaf;
	sp->meta[slot] = (u64)idx << 32;
	if (wr)
		v3_chain_add(sv, &sv->rmap[idx], v3_ref(sp, slot));
	return 0;
}

/*
 * Prefetch: a fill fault also fills the empty entries around it in the
 * same last-level shadow table (an aligned group), as KVM's shadow MMU
 * does (PTE_PREFETCH_NUM): a guest touches neighbouring pages, and on an
 * emulated host each avoided fault saves a world switch of tens of
 * microseconds.  A guest entry is only prefetched when its A bit is
 * already set (the guest then sees no access it did not make) and never
 * made writable before its D bit is (access 0: v3_shadow_leaf maps a
 * clean page read-only, so the first write still faults and sets D).
 * Called with the lock held, after the path's tables were protected and
 * found unchanged (v3_guest_changed): the leaf table cannot change under
 * us, a later guest write to it faults and drops these entries too.
 *  - walked (a guest page table): each neighbour is walked again (without
 *    A/D updates) and must go through the same upper entries;
 *  - direct (part of a guest large page, or paging off): the neighbours
 *    are the next frames of the same page, with the same rights.
 */
#define V3_PREFETCH_WALKED	8
#define V3_PREFETCH_DIRECT	64

static void v3_shadow_prefetch(struct v3_vcpu *vcpu, struct v3_spage *sp,
			       unsigned int slot, u64 gva,
			       const struct v3_walk *w, int gm)
{
	bool direct = ROLE_DIRECT(sp->role);
	unsigned int n = direct ? V3_PREFETCH_DIRECT : V3_PREFETCH_WALKED;
	unsigned int j, first = slot & ~(n - 1), last = w->levels - 1;
	struct v3_walk wj;
	int i;

	if (ROLE_LEVEL(sp->role) != 1)
		return;
	for (j = first; j < first + n; j++) {
		if (j == slot || (sp->spt[j] & SPTE_P))
			continue;
		if (direct) {
			wj = *w;
			wj.gpa = (sp->gfn + j) << PAGE_SHIFT;
		} else {
			u64 gj = (gva & ~(511ULL << PAGE_SHIFT)) |
				 ((u64)j << PAGE_SHIFT);

			if (v3_gva_walk(vcpu, gj, 0, V3_WALK_NO_CHECK, &wj) ||
			    wj.level != 1 || wj.levels != w->levels ||
			    (wj.pte_gpa[last] >> PAGE_SHIFT) !=
			    (w->pte_gpa[last] >> PAGE_SHIFT) ||
			    !(wj.pte[last] & SPTE_A))
				continue;
			for (i = 0; i < last; i++)
				if ((wj.pte[i] ^ w->pte[i]) & ~(SPTE_A | SPTE_D))
					break;
			if (i < last)
				continue;
		}
		/* -EIO: not RAM (MMIO faults and is emulated on use) */
		if (!v3_shadow_leaf(vcpu, sp, j, &wj, 0, gm))
			vcpu->mmu.shadow_prefetches++;
	}
}

/* ------------------------------------------------------------- the roots */

static void v3_put_root(struct v3_shadow_vm *sv, struct v3_spage **slot)
{
	struct v3_spage *sp = *slot;

	*slot = NULL;
	if (!sp)
		return;
	if (--sp->root_count == 0 && sp->obsolete) {
		list_del(&sp->link);
		list_add(&sp->link, &sv->to_free);
	}
}

static void v3_put_roots(struct v3_vcpu *vcpu)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	unsigned int i;

	if (!sv)
		return;
	v3_put_root(sv, &vcpu->mmu.root);
	for (i = 0; i < 4; i++)
		v3_put_root(sv, &vcpu->mmu.pae[i]);
}

static int v3_shadow_roots(struct v3_vcpu *vcpu, int gm)
{
	const struct v3_regs *r = &vcpu->regs;
	struct v3_mmu *mu = &vcpu->mmu;
	bool again = false;
	unsigned int q;

	v3_put_roots(vcpu);
	if (gm == GM_64) {
		mu->root = v3_get_page(vcpu, r->cr3 >> PAGE_SHIFT,
				       ROLE(4, GM_64, 0, ACC_ALL, 0), &again);
		if (!mu->root)
			return again ? -EAGAIN : -EIO;
		mu->root->root_count++;
		return 0;
	}
	for (q = 0; q < 4; q++) {
		struct v3_spage *sp = NULL;
		u64 pdpte;

		if (gm == GM_NONE) {
			sp = v3_get_page(vcpu, (u64)q << 18,
					 ROLE(2, GM_NONE, 0, ACC_ALL, 1), &again);
		} else if (gm == GM_32) {
			sp = v3_get_page(vcpu, (r->cr3 & 0xffffffffULL) >> PAGE_SHIFT,
					 ROLE(2, GM_32, q, ACC_ALL, 0), &again);
		} else if (!v3_read_gpa(vcpu->vm, (r->cr3 & 0xffffffe0) + q * 8,
					&pdpte, 8) && (pdpte & SPTE_P)) {
			/* PDPTEs are loaded at MOV CR3 (SDM vol. 3 4.4.1) */
			sp = v3_get_page(vcpu, (pdpte & SPTE_ADDR) >> PAGE_SHIFT,
					 ROLE(2, GM_PAE, 0, ACC_ALL, 0), &again);
		}
		if (again)
			return -EAGAIN;
		mu->pae[q] = sp;
		mu->pdpt[q] = sp ? virt_to_phys(sp->spt) | SPTE_P : 0;
		if (sp)
			sp->root_count++;
	}
	return 0;
}

static int v3_shadow_load(struct v3_vcpu *vcpu, struct v3_paging_hw *hw)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	const struct v3_regs *r = &vcpu->regs;
	struct v3_mmu *mu = &vcpu->mmu;
	int gm = v3_guest_mode(r), tries, ret;

	if (r->cr4 & X86_CR4_LA57)
		return -EOPNOTSUPP;
	if (!mu->pdpt) {
		/* CR3 of PAE paging holds a 32-bit address */
		mu->pdpt = (u64 *)get_zeroed_page(V3_GFP_ACCOUNT | GFP_DMA32);
		if (!mu->pdpt)
			return -ENOMEM;
	}
	for (tries = 0; tries < 3; tries++) {
		ret = v3_shadow_topup(vcpu);
		if (ret)
			return ret;
		spin_lock(&sv->lock);
		ret = v3_shadow_roots(vcpu, gm);
		v3_shadow_publish(vcpu->vm);
		spin_unlock(&sv->lock);
		v3_shadow_commit(vcpu->vm);
		if (ret != -EAGAIN)
			break;
	}
	if (ret)
		return ret;
	mu->root_cr3 = r->cr3;
	mu->root_gmode = gm;
	hw->mode = V3_MMU_SHADOW;
	hw->cr0 = r->cr0 | X86_CR0_PG | X86_CR0_WP;
	hw->efer = r->efer | EFER_NX;
	if (gm == GM_64) {
		hw->root = virt_to_phys(mu->root->spt) |
			   ((r->cr4 & X86_CR4_PCIDE) ? (r->cr3 & 0xfff) : 0);
		hw->cr4 = r->cr4 | X86_CR4_PAE;
	} else {
		hw->root = virt_to_phys(mu->pdpt);
		hw->cr4 = (r->cr4 | X86_CR4_PAE) & ~(X86_CR4_PCIDE | X86_CR4_PKE);
		hw->efer &= ~(EFER_LME | EFER_LMA);
	}
	return 0;
}

/* ------------------------------------------------------------ the exits */

/* Guest RAM as an MMIO device: the emulated write drops the shadows */
static int v3_pt_read(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		      u64 *val)
{
	*val = 0;
	return v3_read_gpa(vcpu->vm, gpa, val, size);
}

static int v3_pt_write(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		       u64 val)
{
	/* v3_write_gpa -> v3_mmu_gpa_written: the table's shadows go */
	return v3_write_gpa(vcpu->vm, gpa, &val, size);
}

/*
 * XCHG on a guest table (Linux clears a PTE with it and keeps the old
 * value's D bit, ptep_get_and_clear): one locked exchange on the host
 * mapping, so an A/D bit another vCPU's walk sets meanwhile (walk.c, with
 * cmpxchg) is either in the old value returned or not set at all.
 */
static int v3_pt_xchg(struct v3_vcpu *vcpu, void *opaque, u64 gpa, u8 size,
		      u64 *val)
{
	void *hva = v3_gpa_to_hva(vcpu->vm, gpa);
	u64 old;

	if (!hva || (size != 4 && size != 8) || (gpa & (size - 1))) {
		/* not one aligned entry: no A/D race to lose */
		if (v3_pt_read(vcpu, opaque, gpa, size, &old))
			return -EFAULT;
		if (v3_pt_write(vcpu, opaque, gpa, size, *val))
			return -EFAULT;
		*val = old;
		return 0;
	}
	if (size == 4)
		old = xchg((u32 *)hva, (u32)*val);
	else
		old = xchg((u64 *)hva, *val);
	v3_mmu_gpa_written(vcpu->vm, gpa, size);
	*val = old;
	return 0;
}

/*
 * A write to a guest table through a mapping that walks that very table
 * (a self-referencing entry; Linux writes a live PGD or a direct-map PUD
 * through the direct map): unprotecting would re-protect it at once, so
 * the instruction is emulated (MOV and XCHG forms, emulate.c; STOS and
 * REP STOS, shadow_emul.c; locked read-modify-writes, shadow_rmw.c) and
 * the table's shadows dropped by the write.
 */
static int v3_shadow_emulate_write(struct v3_vcpu *vcpu, u64 gva, u64 gpa,
				   bool must)
{
	struct v3_mmio_handler h = { .read = v3_pt_read, .write = v3_pt_write,
				      .exchange = v3_pt_xchg };
	struct v3_exit *e = &vcpu->exit;
	struct v3_mmio_insn in;
	u8 b[8] = { 0 };
	int ret;

	ret = v3_shadow_emulate_stos(vcpu);
	if (ret != -ENOENT)
		return ret;
	ret = v3_shadow_emulate_rmw(vcpu, gpa);
	if (ret != -ENOENT)
		return ret;
	if (v3_decode_mmio(vcpu, &in)) {
		if (!must)
			return -ENOENT;
		v3_fetch_insn(vcpu, b, sizeof(b));
		v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
			   "vcpu %u: shadow: insn %*ph at rip 0x%llx writes table gpa 0x%llx through itself: cannot emulate",
			   vcpu->id, (int)sizeof(b), b, vcpu->regs.rip, gpa);
		return 1;
	}

	e->reason = V3_EXIT_MEM_FAULT;
	e->mem.gpa = gpa;
	e->mem.gva = gva;
	e->mem.gva_valid = 1;
	e->mem.write = 1;
	e->mem.fetch = 0;
	e->mem.present = 1;
	e->mem.walk = 0;
	return v3_mmio_emulate(vcpu, &h);
}

/*
 * Between the walk and the protection of its tables another vCPU may have
 * written one of them: compare the entries again (A and D aside, which a
 * CPU may set at any time) and drop the shadows of a table that changed.
 */
static bool v3_guest_changed(struct v3_vm *vm, const struct v3_walk *w)
{
	bool changed = false;
	int i;

	for (i = 0; i < w->levels; i++) {
		u64 e = 0;
		s64 idx;

		if (v3_read_gpa(vm, w->pte_gpa[i], &e, w->pte_size))
			continue;
		if (!((e ^ w->pte[i]) & ~(SPTE_A | SPTE_D)))
			continue;
		changed = true;
		idx = v3_ram_index(vm, w->pte_gpa[i] >> PAGE_SHIFT);
		if (idx >= 0 && vm->mmu.shadow->tables[idx])
			v3_zap_gfn(vm->mmu.shadow, idx);
	}
	return changed;
}

/* Why a write to a write-protected guest table is emulated */
enum { V3_WP_UNPROTECT, V3_WP_SELF, V3_WP_NO_PROGRESS };

/*
 * An instruction the emulator does not know, writing a table that another
 * access of the same instruction re-protects, is unprotected again: a race
 * with another vCPU ends within a few retries, a guest whose own fetch or
 * stack walks the table never does.
 */
#define V3_WP_STUCK_MAX		1024

/* the registers a restarted instruction sees again when nothing moved */
static u64 v3_wp_sig(const struct v3_regs *r)
{
	u64 sig = r->rflags;
	int i;

	for (i = 0; i < ARRAY_SIZE(r->gpr); i++)
		sig = (sig << 7 | sig >> 57) ^ r->gpr[i];
	return sig;
}

/*
 * No progress again, by an instruction no decoder knows: 1 (VM stopped)
 * when it is stuck for good, else 0 (unprotect and retry once more).
 */
static int v3_shadow_wp_stuck(struct v3_vcpu *vcpu, u64 gva, u64 gpa)
{
	u64 sig = v3_wp_sig(&vcpu->regs);
	u8 b[8] = { 0 };

	if (vcpu->mmu.wp_stuck && vcpu->mmu.wp_sig != sig)
		vcpu->mmu.wp_stuck = 0;
	vcpu->mmu.wp_sig = sig;
	if (++vcpu->mmu.wp_stuck < V3_WP_STUCK_MAX)
		return 0;
	vcpu->mmu.wp_stuck = 0;
	v3_fetch_insn(vcpu, b, sizeof(b));
	v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
		   "vcpu %u: shadow: insn %*ph at rip 0x%llx writes table gpa 0x%llx (gva 0x%llx) and makes no progress after %u retries: cannot emulate",
		   vcpu->id, (int)sizeof(b), b, vcpu->regs.rip, gpa, gva,
		   V3_WP_STUCK_MAX);
	return 1;
}

/*
 * A write to a write-protected guest table: V3_WP_UNPROTECT when its
 * shadows may be dropped and the write run natively; else why that cannot
 * work, and the write is emulated instead.
 *  - V3_WP_SELF: the write's own walk goes through the table (a
 *    self-referencing entry): the retried write would rebuild and
 *    re-protect it at once.
 *  - V3_WP_NO_PROGRESS: the last write-protect fault of this vCPU was
 *    this one (same RIP and address) and was answered by unprotecting:
 *    the instruction made no progress.  Some other access of the same
 *    instruction - its fetch, a stack or data read - walks through the
 *    table and re-protected it before the write could happen (Linux
 *    changing the page tables that map the code, stack or data doing
 *    it).  A faulting instruction is restarted from its start (APM vol. 2
 *    8.2, SDM vol. 3 6.5 "faults"), so every retry would repeat that
 *    order.  (RIP and address equal after progress - the same store
 *    executed again later - only cost one emulation, and an instruction
 *    the emulator does not know is then unprotected as before.)
 */
static int v3_shadow_wp_why(struct v3_vcpu *vcpu, u64 gva,
			    const struct v3_walk *w)
{
	int i;

	for (i = 0; i < w->levels; i++)
		if ((w->pte_gpa[i] >> PAGE_SHIFT) == (w->gpa >> PAGE_SHIFT))
			return V3_WP_SELF;
	if (vcpu->mmu.wp_rip == vcpu->regs.rip && vcpu->mmu.wp_gva == gva)
		return V3_WP_NO_PROGRESS;
	return V3_WP_UNPROTECT;
}

static int v3_shadow_page_fault(struct v3_vcpu *vcpu, u64 gva, u32 error)
{
	struct v3_vm *vm = vcpu->vm;
	struct v3_shadow_vm *sv = vm->mmu.shadow;
	const struct v3_regs *r = &vcpu->regs;
	struct v3_spage *sp;
	unsigned int slot;
	u32 access = error & (V3_PF_WRITE | V3_PF_USER | V3_PF_FETCH);
	int gm = v3_guest_mode(r);
	struct v3_walk w;
	unsigned long seq;
	s64 idx;
	int ret;

	if (error & V3_PF_RSVD) {
		v3_arch->dump(vcpu);
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "vcpu %u: reserved bit in a shadow entry for 0x%llx",
			   vcpu->id, gva);
		return 1;
	}
	if (gm != (int)vcpu->mmu.root_gmode || (gm == GM_64 && (!vcpu->mmu.root ||
	    vcpu->mmu.root->obsolete)) ||
	    (gm != GM_64 && vcpu->mmu.pae[(gva >> 30) & 3] &&
	     vcpu->mmu.pae[(gva >> 30) & 3]->obsolete)) {
		vcpu->mmu.reload = true;	/* a root was dropped */
		return 0;
	}
	seq = READ_ONCE(sv->seq);
	smp_rmb();
	if (gm == GM_NONE) {
		memset(&w, 0, sizeof(w));
		w.gpa = gva & 0xffffffffULL;
		w.writable = w.user = w.exec = true;
		w.level = 1;
	} else {
		ret = v3_pf_walk(vcpu, gva, access, &w);
		if (ret == 1)
			return 0;	/* the guest's own fault */
		if (ret) {
			v3_vm_stop(vm, V3_STOP_BAD_MEMORY, 0,
				   "vcpu %u: guest page tables for 0x%llx outside RAM (rip 0x%llx)",
				   vcpu->id, gva, r->rip);
			return 1;
		}
	}
	idx = v3_ram_index(vm, w.gpa >> PAGE_SHIFT);
	if (idx < 0) {
		/* MMIO: each access exits and is emulated against the device */
		struct v3_exit *e = &vcpu->exit;

		e->reason = V3_EXIT_MEM_FAULT;
		e->mem.gpa = w.gpa;
		e->mem.gva = gva;
		e->mem.gva_valid = 1;
		e->mem.write = !!(access & V3_PF_WRITE);
		e->mem.fetch = !!(access & V3_PF_FETCH);
		e->mem.present = 0;
		e->mem.walk = 0;
		return v3_handle_mem_fault(vcpu);
	}
	ret = v3_shadow_topup(vcpu);
	if (ret) {
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "vcpu %u: no memory for shadow page tables", vcpu->id);
		return 1;
	}
	spin_lock(&sv->lock);
	if (sv->seq != seq) {
		ret = 0;		/* tables changed since the walk: again */
		goto out;
	}
	if ((access & V3_PF_WRITE) && sv->tables[idx]) {
		int why = gm == GM_NONE ? V3_WP_UNPROTECT :
			  v3_shadow_wp_why(vcpu, gva, &w);

		vcpu->mmu.wp_emulations++;
		if (why == V3_WP_NO_PROGRESS)
			vcpu->mmu.wp_noprogress++;
		else
			vcpu->mmu.wp_stuck = 0;
		if (why != V3_WP_UNPROTECT) {
			spin_unlock(&sv->lock);
			v3_shadow_commit(vm);
			vcpu->mmu.wp_rip = ~0ULL;
			ret = v3_shadow_emulate_write(vcpu, gva, w.gpa,
						      why == V3_WP_SELF);
			if (ret != -ENOENT) {
				vcpu->mmu.wp_stuck = 0;
				return ret;
			}
			/* no progress, but not an instruction it knows */
			if (v3_shadow_wp_stuck(vcpu, gva, w.gpa))
				return 1;
			spin_lock(&sv->lock);
		}
		/* a guest table written: drop its shadows, unprotect it */
		vcpu->mmu.wp_rip = r->rip;
		vcpu->mmu.wp_gva = gva;
		v3_zap_gfn(sv, idx);
		ret = 0;		/* retried: the roots may be gone too */
		goto out;
	}
	ret = v3_shadow_path(vcpu, gva, &w, gm, &sp, &slot);
	if (ret == -EAGAIN) {
		vcpu->mmu.reload = true;
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	/* the path's tables are protected everywhere now: unchanged? */
	v3_shadow_publish(vm);
	if (gm != GM_NONE && v3_guest_changed(vm, &w)) {
		ret = 0;		/* written meanwhile: dropped, retried */
		goto out;
	}
	ret = v3_shadow_leaf(vcpu, sp, slot, &w, access, gm);
	if (!ret) {
		vcpu->mmu.shadow_faults++;
		v3_shadow_prefetch(vcpu, sp, slot, gva, &w, gm);
	}
out:
	v3_shadow_publish(vm);
	spin_unlock(&sv->lock);
	v3_shadow_commit(vm);
	if (ret) {
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "vcpu %u: cannot shadow 0x%llx -> 0x%llx (%d)",
			   vcpu->id, gva, w.gpa, ret);
		return 1;
	}
	return 0;
}

/*
 * CR0.PG/WP/PE, CR4.PSE/PAE/SMEP/SMAP/PCIDE/PKE or EFER.NXE/LME/LMA
 * changed (mmu_cr.c, v3_mmu_set_efer): what the shadows mean changed,
 * all go.  A CR3 write does not come here: the next load picks the root.
 */
static int v3_shadow_paging_changed(struct v3_vcpu *vcpu, u64 old_cr3)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;

	vcpu->mmu.reload = true;
	if (!sv)
		return 0;
	spin_lock(&sv->lock);
	v3_zap_all(sv);
	v3_shadow_publish(vcpu->vm);
	spin_unlock(&sv->lock);
	v3_shadow_commit(vcpu->vm);
	return 0;
}

static void v3_shadow_invlpg(struct v3_vcpu *vcpu, u64 gva)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	int gm = v3_guest_mode(&vcpu->regs);
	struct v3_spage *sp;

	if (gva == ~0ULL)
		return;		/* operand unknown: the TLB flush does it */
	spin_lock(&sv->lock);
	sp = gm == GM_64 ? vcpu->mmu.root : vcpu->mmu.pae[(gva >> 30) & 3];
	while (sp && !sp->obsolete) {
		int level = ROLE_LEVEL(sp->role);
		unsigned int slot = (gva >> (12 + 9 * (level - 1))) & 511;

		if (level == 1) {
			v3_drop_spte(sv, sp, slot);
			break;
		}
		if (!(sp->spt[slot] & SPTE_P))
			break;
		sp = v3_spage_of(sp->spt[slot]);
	}
	v3_shadow_publish(vcpu->vm);
	spin_unlock(&sv->lock);
	v3_shadow_commit(vcpu->vm);
}

static void v3_shadow_gpa_written(struct v3_vm *vm, u64 gpa, u64 len)
{
	struct v3_shadow_vm *sv = vm->mmu.shadow;
	u64 gfn, end;

	if (!sv)
		return;
	spin_lock(&sv->lock);
	if (len > 64 * PAGE_SIZE || gpa + len < gpa) {
		v3_zap_all(sv);
	} else {
		end = (gpa + len - 1) >> PAGE_SHIFT;
		for (gfn = gpa >> PAGE_SHIFT; gfn <= end; gfn++) {
			s64 idx = v3_ram_index(vm, gfn);

			if (idx >= 0 && sv->tables[idx])
				v3_zap_gfn(sv, idx);
		}
	}
	v3_shadow_publish(vm);
	spin_unlock(&sv->lock);
	v3_shadow_commit(vm);
}

/* --------------------------------------------------------- VM and vCPU */

static int v3_shadow_vm_init(struct v3_vm *vm)
{
	struct v3_shadow_vm *sv;
	unsigned int i;

	sv = kzalloc(sizeof(*sv), V3_GFP_ACCOUNT);
	if (!sv)
		return -ENOMEM;
	spin_lock_init(&sv->lock);
	INIT_LIST_HEAD(&sv->pages);
	INIT_LIST_HEAD(&sv->obsolete);
	INIT_LIST_HEAD(&sv->to_free);
	for (i = 0; i < V3_SHADOW_HASH; i++)
		INIT_HLIST_HEAD(&sv->hash[i]);
	/* the host's PAT: the same on every CPU (Linux programs them alike) */
	rdmsrl(MSR_IA32_CR_PAT, sv->host_pat);
	sv->max = clamp(v3_shadow_pages_max, 64U, 1U << 22);
	sv->nr_ram = vm->mem.size >> PAGE_SHIFT;
	sv->byid = kvcalloc(sv->max, sizeof(*sv->byid), V3_GFP_ACCOUNT);
	sv->free_ids = kvcalloc(sv->max, sizeof(u32), V3_GFP_ACCOUNT);
	sv->rmap = kvcalloc(sv->nr_ram, sizeof(u32), V3_GFP_ACCOUNT);
	sv->tables = kvcalloc(sv->nr_ram, sizeof(u16), V3_GFP_ACCOUNT);
	if (!sv->byid || !sv->free_ids || !sv->rmap || !sv->tables) {
		kvfree(sv->byid);
		kvfree(sv->free_ids);
		kvfree(sv->rmap);
		kvfree(sv->tables);
		kfree(sv);
		return -ENOMEM;
	}
	for (i = 0; i < sv->max; i++)
		sv->free_ids[i] = sv->max - 1 - i;
	sv->nr_free = sv->max;
	WRITE_ONCE(vm->mmu.shadow, sv);
	return 0;
}

/* All vCPUs outside the guest (switch, or VM release): free everything */
static void v3_shadow_vm_destroy(struct v3_vm *vm)
{
	struct v3_shadow_vm *sv = vm->mmu.shadow;
	struct v3_spage *sp, *tmp;

	if (!sv)
		return;
	WRITE_ONCE(vm->mmu.shadow, NULL);
	list_for_each_entry_safe(sp, tmp, &sv->pages, link)
		v3_spage_free(sp);
	list_for_each_entry_safe(sp, tmp, &sv->obsolete, link)
		v3_spage_free(sp);
	list_for_each_entry_safe(sp, tmp, &sv->to_free, link)
		v3_spage_free(sp);
	kvfree(sv->byid);
	kvfree(sv->free_ids);
	kvfree(sv->rmap);
	kvfree(sv->tables);
	kfree(sv);
}

/* The vCPU leaves shadow mode or goes away: its roots and spare pages */
void v3_shadow_vcpu_free(struct v3_vcpu *vcpu)
{
	struct v3_shadow_vm *sv = vcpu->vm->mmu.shadow;
	struct v3_mmu *mu = &vcpu->mmu;

	if (sv) {
		/* no vCPU runs (a switch, or the VM's release): no flush */
		spin_lock(&sv->lock);
		v3_put_roots(vcpu);
		spin_unlock(&sv->lock);
		v3_shadow_commit(vcpu->vm);
	} else {
		memset(mu->pae, 0, sizeof(mu->pae));
		mu->root = NULL;
	}
	while (mu->nr_cache)
		v3_spage_free(mu->cache[--mu->nr_cache]);
	free_page((unsigned long)mu->pdpt);
	mu->pdpt = NULL;
}

u64 v3_mmu_shadow_pages(struct v3_vm *vm)
{
	struct v3_shadow_vm *sv = READ_ONCE(vm->mmu.shadow);

	return sv ? READ_ONCE(sv->nr) : 0;
}

const struct v3_mmu_mode v3_mmu_shadow = {
	.name = "shadow",
	.vm_init = v3_shadow_vm_init,
	.vm_destroy = v3_shadow_vm_destroy,
	.load = v3_shadow_load,
	.page_fault = v3_shadow_page_fault,
	.paging_changed = v3_shadow_paging_changed,
	.invlpg = v3_shadow_invlpg,
	.gpa_written = v3_shadow_gpa_written,
};
