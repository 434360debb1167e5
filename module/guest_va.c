// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables, for the few exits that carry only a linear address or need
 * the instruction bytes (no decode assists).  Covers the paging modes of
 * Intel SDM vol. 3 4.1: none, 32-bit (with 4 MiB pages), PAE and 4-level.
 * Access rights are not checked: the VMM reads on the guest's behalf.
 */
#include <asm/processor-flags.h>
#include "v3.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	0x000ffffffffff000ULL

static int v3_pte(struct v3_vcpu *vcpu, u64 table, unsigned int idx,
		  unsigned int size, u64 *pte)
{
	*pte = 0;
	if (v3_read_gpa(vcpu->vm, table + idx * size, pte, size))
		return -EFAULT;
	return (*pte & PTE_P) ? 0 : -EFAULT;
}

/*
 * With trace set, every entry read is printed together with the host page
 * that backs its table (what the two-dimensional walk should reach too):
 * the post-mortem of a guest that lost its page tables.
 */
static int v3_walk(struct v3_vcpu *vcpu, u64 gva, u64 *gpa, bool trace)
{
	struct v3_regs *r = &vcpu->regs;
	u64 e, table;
	int level;

	if (!(r->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffULL;
		return 0;
	}
	if (!(r->cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: 10/10/12 split, PSE 4 MiB pages */
		gva &= 0xffffffffULL;
		if (v3_pte(vcpu, r->cr3 & 0xfffff000, gva >> 22, 4, &e))
			return -EFAULT;
		if ((e & PTE_PS) && (r->cr4 & X86_CR4_PSE)) {
			*gpa = (e & 0xffc00000) | (gva & 0x3fffff) |
			       ((e >> 13) & 0xff) << 32;
			return 0;
		}
		if (v3_pte(vcpu, e & 0xfffff000, (gva >> 12) & 0x3ff, 4, &e))
			return -EFAULT;
		*gpa = (e & 0xfffff000) | (gva & 0xfff);
		return 0;
	}
	if (r->efer & EFER_LMA) {
		table = r->cr3 & PTE_ADDR;
		level = 4;
	} else {
		/* PAE: 4 PDPTEs at CR3[31:5] */
		gva &= 0xffffffffULL;
		if (v3_pte(vcpu, r->cr3 & 0xffffffe0, gva >> 30, 8, &e))
			return -EFAULT;
		table = e & PTE_ADDR;
		level = 2;
	}
	for (; level > 0; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		int ret = v3_pte(vcpu, table, (gva >> shift) & 511, 8, &e);

		if (trace)
			v3_err("  walk %llx L%d: table gpa %llx (hpa %llx) [%llu] = %016llx\n",
			       gva, level, table,
			       v3_gpa_to_hpa(vcpu->vm, table, NULL),
			       (gva >> shift) & 511, e);
		if (ret)
			return ret;
		if (level > 1 && level < 4 && (e & PTE_PS)) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (e & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

int v3_gva_to_gpa(struct v3_vcpu *vcpu, u64 gva, u64 *gpa)
{
	return v3_walk(vcpu, gva, gpa, false);
}

/*
 * Print the guest's own walk of gva as it stands in guest memory, and a
 * summary of its top-level table (how many entries are present).
 */
void v3_dump_walk(struct v3_vcpu *vcpu, u64 gva)
{
	struct v3_regs *r = &vcpu->regs;
	u64 gpa = 0, e, root = r->cr3 & PTE_ADDR;
	unsigned int i, present = 0;

	if ((r->cr0 & X86_CR0_PG) && (r->efer & EFER_LMA)) {
		for (i = 0; i < 512; i++)
			if (!v3_pte(vcpu, root, i, 8, &e))
				present++;
		v3_err("  root table gpa %llx: %u of 512 entries present\n",
		       root, present);
	}
	if (v3_walk(vcpu, gva, &gpa, true))
		v3_err("  walk %llx: not mapped\n", gva);
	else
		v3_err("  walk %llx: gpa %llx\n", gva, gpa);
}

int v3_read_gva(struct v3_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;

		if (v3_gva_to_gpa(vcpu, gva, &gpa) ||
		    v3_read_gpa(vcpu->vm, gpa, buf, n))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int v3_fetch_insn(struct v3_vcpu *vcpu, u8 *buf, size_t len)
{
	u64 la = vcpu->regs.cs_base + vcpu->regs.rip;

	if (!v3_long_mode(vcpu))
		la &= 0xffffffffULL;
	return v3_read_gva(vcpu, la, buf, len);
}
