// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging: the nested page tables (AMD NPT, APM vol. 2
 * 15.25) or extended page tables (Intel EPT, SDM vol. 3 29.3) that map
 * guest-physical to host-physical addresses.  Both are 4-level radix trees
 * of 512 8-byte entries with 2 MiB leaves at level 2; only the entry
 * encoding differs and is supplied by the backend.  All of guest RAM is
 * mapped when the VM is created; addresses left unmapped are MMIO and
 * fault to the VMM.
 *
 * The tables are VM-wide MMU state: built once at VM creation with the
 * backend's entry encoding (v3_arch->tdp_format) and kept while the VM
 * runs in shadow mode too, so a switch back to nested paging costs no
 * rebuild.  The nested mode itself has nothing else: the guest's CR
 * accesses, INVLPG and #PF stay private to it.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include "../v3.h"
#include "mmu.h"

#define V3_PT_ENTRIES	512
#define V3_PT_ADDR	0x000ffffffffff000ULL
#define V3_PT_LARGE	(1ULL << 7)

static u64 *v3_tdp_next(struct v3_tdp *tdp, u64 *table, unsigned int idx)
{
	u64 *next;

	if (table[idx])
		return phys_to_virt(table[idx] & V3_PT_ADDR);
	next = (u64 *)get_zeroed_page(V3_GFP_ACCOUNT);
	if (!next)
		return NULL;
	table[idx] = tdp->fmt->table(virt_to_phys(next));
	return next;
}

static int v3_tdp_map(struct v3_vm *vm, struct v3_tdp *tdp, u64 gpa)
{
	u64 *pdpt, *pd, *pt;
	bool large;
	u64 hpa = v3_gpa_to_hpa(vm, gpa, &large);
	unsigned int i;

	pdpt = v3_tdp_next(tdp, tdp->root, (gpa >> 39) & 511);
	if (!pdpt)
		return -ENOMEM;
	pd = v3_tdp_next(tdp, pdpt, (gpa >> 30) & 511);
	if (!pd)
		return -ENOMEM;
	if (large) {
		pd[(gpa >> 21) & 511] = tdp->fmt->leaf(hpa, true);
		return 0;
	}
	pt = v3_tdp_next(tdp, pd, (gpa >> 21) & 511);
	if (!pt)
		return -ENOMEM;
	for (i = 0; i < V3_PT_ENTRIES; i++, gpa += PAGE_SIZE) {
		if (!v3_gpa_is_ram(vm, gpa))
			break;
		pt[i] = tdp->fmt->leaf(v3_gpa_to_hpa(vm, gpa, NULL), false);
	}
	return 0;
}

static int v3_tdp_map_range(struct v3_vm *vm, struct v3_tdp *tdp,
			    u64 start, u64 size)
{
	u64 gpa;
	int ret;

	for (gpa = start; gpa < start + size; gpa += V3_REGION_SIZE) {
		ret = v3_tdp_map(vm, tdp, gpa);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * Guest RAM region at gpa (2 MiB aligned) got new backing (mem_move.c):
 * point its leaves at it.  Called at the safe point (no vCPU in the
 * guest); every vCPU flushes its guest-physical translations before its
 * next entry (V3_REQ_TLB: INVEPT, SDM vol. 3 29.4.3.1; a TLB_CONTROL
 * flush of the ASID, APM vol. 2 15.16), and one arriving on another CPU
 * flushes there (vmx.c, svm_asid.c).  A page table the region no longer
 * needs (small -> large) is freed only after that, by the caller, as
 * *old_pt: until then a CPU may still cache a pointer to it.
 */
int v3_tdp_remap(struct v3_vm *vm, struct v3_tdp *tdp, u64 gpa, u64 **old_pt)
{
	u64 *pd, e;
	unsigned int idx = (gpa >> 21) & 511;
	bool large;

	*old_pt = NULL;
	if (!tdp->root)
		return 0;	/* a backend with tables of its own */
	v3_gpa_to_hpa(vm, gpa, &large);
	pd = v3_tdp_next(tdp, tdp->root, (gpa >> 39) & 511);
	pd = pd ? v3_tdp_next(tdp, pd, (gpa >> 30) & 511) : NULL;
	if (!pd)
		return -ENOMEM;
	e = pd[idx];
	if (e && (e & V3_PT_LARGE)) {
		pd[idx] = 0;		/* v3_tdp_next would take it for a table */
	} else if (e && large) {
		*old_pt = phys_to_virt(e & V3_PT_ADDR);
		pd[idx] = 0;
	}
	return v3_tdp_map(vm, tdp, gpa);
}

/* the directory entry of the 2 MiB region at gpa, or NULL; allocates nothing */
static u64 *v3_tdp_pde(struct v3_tdp *tdp, u64 gpa)
{
	u64 *t = tdp->root;
	int shift;

	for (shift = 39; t && shift > 21; shift -= 9) {
		u64 e = t[(gpa >> shift) & 511];

		t = e ? phys_to_virt(e & V3_PT_ADDR) : NULL;
	}
	return t ? &t[(gpa >> 21) & 511] : NULL;
}

/*
 * Hinting faults.  At the safe point (v3_mmu_exclusive) the region's
 * directory entry loses its present bits but keeps its address (and for a
 * 4 KiB region its page table), so v3_tdp_free() and v3_tdp_remap() work
 * on it as before; the caller then asks every vCPU to flush (V3_REQ_TLB:
 * the paging-structure caches may hold the entry).  Returns 1 when the
 * region was hinted, 0 when it already was, -ENOENT without nested tables.
 */
int v3_tdp_hint(struct v3_vm *vm, u64 gpa)
{
	struct v3_tdp *tdp = &vm->mmu.tdp;
	u64 *pde = tdp->root ? v3_tdp_pde(tdp, gpa) : NULL;

	if (!pde || !*pde)
		return -ENOENT;
	if (!(*pde & tdp->fmt->present))
		return 0;
	WRITE_ONCE(vm->mmu.hinting, true);
	WRITE_ONCE(*pde, *pde & ~tdp->fmt->present);
	return 1;
}

/*
 * A nested page fault on guest RAM (io.c), on the vCPU thread: if the
 * region is hinted, map it again (not-present to present needs no flush:
 * neither NPT nor EPT caches a not-present entry, APM vol. 2 15.25.8, SDM
 * vol. 3 29.4.2) and report the access to hint_fn, once: of vCPUs racing
 * here one sets the bits.  The fault is consumed (the access is retried)
 * also when another vCPU mapped the region first.
 */
bool v3_tdp_hint_fault(struct v3_vcpu *vcpu, u64 gpa)
{
	struct v3_vm *vm = vcpu->vm;
	struct v3_tdp *tdp = &vm->mmu.tdp;
	void (*fn)(struct v3_vcpu *vcpu, u64 gpa);
	u64 *pde, old;

	if (!READ_ONCE(vm->mmu.hinting) || !tdp->root ||
	    !v3_gpa_is_ram(vm, gpa))
		return false;
	pde = v3_tdp_pde(tdp, gpa);
	if (!pde || !READ_ONCE(*pde))
		return false;
	old = atomic64_fetch_or(tdp->fmt->present, (atomic64_t *)pde);
	if (old & tdp->fmt->present)
		return true;
	fn = READ_ONCE(vm->mmu.hint_fn);
	if (fn)
		fn(vcpu, gpa);
	return true;
}

int v3_tdp_build(struct v3_vm *vm, struct v3_tdp *tdp,
		 const struct v3_tdp_format *fmt)
{
	struct v3_guest_mem *mem = &vm->mem;
	int ret;

	tdp->fmt = fmt;
	tdp->root = (void *)get_zeroed_page(V3_GFP_ACCOUNT);
	if (!tdp->root)
		return -ENOMEM;
	tdp->root_hpa = virt_to_phys(tdp->root);

	ret = v3_tdp_map_range(vm, tdp, 0, mem->low_size);
	if (!ret && mem->size > mem->low_size)
		ret = v3_tdp_map_range(vm, tdp, V3_HIGH_RAM_BASE,
				       mem->size - mem->low_size);
	if (ret)
		v3_tdp_free(tdp);
	return ret;
}

static void v3_tdp_free_level(u64 *table, int level)
{
	unsigned int i;

	for (i = 0; level > 1 && i < V3_PT_ENTRIES; i++) {
		if (!table[i] || (level == 2 && (table[i] & V3_PT_LARGE)))
			continue;
		v3_tdp_free_level(phys_to_virt(table[i] & V3_PT_ADDR),
				  level - 1);
	}
	free_page((unsigned long)table);
}

void v3_tdp_free(struct v3_tdp *tdp)
{
	if (tdp->root)
		v3_tdp_free_level(tdp->root, 4);
	tdp->root = NULL;
	tdp->root_hpa = 0;
}

/*
 * Post-mortem: print the nested entries for gpa and whether the leaf still
 * maps the host page that backs it.
 */
void v3_tdp_dump(struct v3_vm *vm, const struct v3_tdp *tdp, u64 gpa)
{
	u64 *table = tdp->root, e = 0, hpa = ~0ULL;
	u64 backing = v3_gpa_to_hpa(vm, gpa, NULL);
	int level;

	for (level = 4; level > 0 && table; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		e = table[(gpa >> shift) & 511];
		if (!e) {
			table = NULL;
			break;
		}
		if (level == 1 || (level == 2 && (e & V3_PT_LARGE))) {
			hpa = (e & V3_PT_ADDR & ~((1ULL << shift) - 1)) |
			      (gpa & ((1ULL << shift) - 1));
			break;
		}
		table = phys_to_virt(e & V3_PT_ADDR);
	}
	v3_err("  tdp %llx: leaf L%d %016llx -> hpa %llx, backing hpa %llx%s\n",
	       gpa, level, e, hpa, backing,
	       (hpa & PAGE_MASK) == (backing & PAGE_MASK) ? "" : " MISMATCH");
}

static int v3_nested_load(struct v3_vcpu *vcpu, struct v3_paging_hw *hw)
{
	hw->root = vcpu->vm->mmu.tdp.root_hpa;
	return 0;
}

const struct v3_mmu_mode v3_mmu_nested = {
	.name = "nested",
	.load = v3_nested_load,
};
