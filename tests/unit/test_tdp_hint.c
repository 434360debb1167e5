// SPDX-License-Identifier: GPL-2.0
/*
 * Hinting faults on the nested tables (module/mmu/nested.c), built with
 * the backends' real entry encodings: EPT (vmx_ept.c, SDM vol. 3 29.3.2:
 * not present when R, W and X are all clear) and NPT (svm_npt.c, APM
 * vol. 2 15.25.5: P).  The emulated hosts run memory follow on SVM only,
 * so the EPT masks are reached here and nowhere else.
 *
 * A hinted directory entry must lose exactly the format's present bits
 * and keep its address, its page size bit and (for a 4 KiB region) its
 * page table: v3_tdp_free() and v3_tdp_remap() read it as before, and the
 * fault puts back exactly the entry that was there.
 */
#include "../../module/v3.h"
#include "../../module/mmu/mmu.h"
#include "../../module/vmx/vmcs.h"
#include "unit.h"

extern const struct v3_tdp_format v3_ept_format, v3_npt_format;

#define MIB		(1ULL << 20)
#define RAM_SIZE	(8 * MIB)
#define HPA_BASE	0x40000000ULL	/* 1 GiB: where the fake RAM "is" */
#define ADDR_MASK	0x000ffffffffff000ULL

/*
 * Guest RAM: regions 0 and 3 backed by 4 KiB pages (a page table each),
 * 1 and 2 by 2 MiB pages; 8 MiB and up is a hole (MMIO).
 */
static u64 moved_to;		/* region 3's new backing after a "move" */

u64 v3_gpa_to_hpa(struct v3_vm *m, u64 gpa, bool *large)
{
	unsigned int r = gpa >> 21;

	if (large)
		*large = r == 1 || r == 2;
	if (r == 3 && moved_to)
		return moved_to + (gpa & (2 * MIB - 1));
	return HPA_BASE + gpa;
}

bool v3_gpa_is_ram(struct v3_vm *m, u64 gpa)
{
	return gpa < RAM_SIZE;
}

static struct v3_vm vm;
static struct v3_vcpu vcpu0;
static int hint_calls;
static u64 hint_gpa;
static struct v3_vcpu *hint_vcpu;

static void hint_fn(struct v3_vcpu *v, u64 gpa)
{
	hint_calls++;
	hint_gpa = gpa;
	hint_vcpu = v;
}

/* the 2 MiB directory entry of gpa, found by walking with the masks */
static u64 *pde_of(u64 gpa)
{
	u64 *t = vm.mmu.tdp.root;
	int shift;

	for (shift = 39; shift > 21; shift -= 9)
		t = (u64 *)(unsigned long)(t[(gpa >> shift) & 511] & ADDR_MASK);
	return &t[(gpa >> 21) & 511];
}

static void test_format(const char *name, const struct v3_tdp_format *fmt,
			u64 present_bits, u64 large_bit)
{
	u64 small0, large1, large2, small3, *pt3;
	long pages0 = shim_pages_in_use;

	memset(&vm, 0, sizeof(vm));
	vm.mem.size = vm.mem.low_size = RAM_SIZE;
	vcpu0.vm = &vm;
	hint_calls = 0;
	moved_to = 0;

	CHECK_EQ(fmt->present, present_bits, "%s: the present mask is the hardware's", name);
	CHECK_EQ(v3_tdp_build(&vm, &vm.mmu.tdp, fmt), 0, "%s: tables built", name);
	vm.mmu.hint_fn = hint_fn;
	small0 = *pde_of(0);
	large1 = *pde_of(2 * MIB);
	large2 = *pde_of(4 * MIB);
	small3 = *pde_of(6 * MIB);
	CHECK((large1 & large_bit) && (large1 & ADDR_MASK) == HPA_BASE + 2 * MIB &&
	      (large1 & present_bits) == present_bits,
	      "%s: region 1 is a present 2 MiB leaf at its backing", name);
	CHECK(!(small3 & large_bit) && (small3 & present_bits) == present_bits,
	      "%s: region 3 is a present table entry", name);

	/* nothing hinted yet: a fault on RAM is not ours */
	CHECK(!v3_tdp_hint_fault(&vcpu0, 2 * MIB + 0x123), "%s: no hint, fault not consumed", name);
	CHECK_EQ(hint_calls, 0, "%s: no hint, hint_fn not called", name);

	/* hint a 2 MiB leaf: present bits clear, the rest kept */
	CHECK_EQ(v3_tdp_hint(&vm, 2 * MIB + 0x5000), 1, "%s: hint region 1", name);
	CHECK(vm.mmu.hinting, "%s: the VM is marked as hinting", name);
	CHECK_EQ(*pde_of(2 * MIB), large1 & ~present_bits,
		 "%s: region 1's entry lost exactly the present bits", name);
	CHECK_EQ(v3_tdp_hint(&vm, 2 * MIB), 0, "%s: hinting it again: already hinted", name);
	CHECK_EQ(*pde_of(4 * MIB), large2, "%s: the neighbour region untouched", name);

	/* hint a 4 KiB region: the directory entry, not the page table */
	pt3 = (u64 *)(unsigned long)(small3 & ADDR_MASK);
	CHECK_EQ(v3_tdp_hint(&vm, 6 * MIB), 1, "%s: hint region 3 (4 KiB pages)", name);
	CHECK_EQ(*pde_of(6 * MIB), small3 & ~present_bits,
		 "%s: region 3's entry keeps its page table address", name);
	CHECK_EQ(pt3[5], fmt->leaf(HPA_BASE + 6 * MIB + 5 * 4096, false),
		 "%s: region 3's page table untouched", name);

	/* the hole is not ours to hint, nor its faults */
	CHECK_EQ(v3_tdp_hint(&vm, 10 * MIB), -ENOENT, "%s: a hole cannot be hinted", name);
	CHECK(!v3_tdp_hint_fault(&vcpu0, 10 * MIB), "%s: an MMIO fault is not consumed", name);

	/* the first access maps the region again and is reported once */
	CHECK(v3_tdp_hint_fault(&vcpu0, 2 * MIB + 0x1234), "%s: fault on region 1 consumed", name);
	CHECK_EQ(*pde_of(2 * MIB), large1, "%s: region 1's entry is the original again", name);
	CHECK(hint_calls == 1 && hint_gpa == 2 * MIB + 0x1234 && hint_vcpu == &vcpu0,
	      "%s: hint_fn told the vCPU and address, once", name);
	/* a second vCPU faulted on the same entry before the first fixed it */
	CHECK(v3_tdp_hint_fault(&vcpu0, 2 * MIB + 0x2000), "%s: a racing fault is consumed", name);
	CHECK_EQ(hint_calls, 1, "%s: and not reported twice", name);

	/* a move of a hinted 4 KiB region (mem_move.c): new leaves, entry
	 * still hinted, the fault restores it onto the new page table */
	moved_to = 0x80000000ULL;
	{
		u64 *old_pt = (u64 *)1;

		CHECK_EQ(v3_tdp_remap(&vm, &vm.mmu.tdp, 6 * MIB, &old_pt), 0,
			 "%s: remap a hinted 4 KiB region", name);
		CHECK(old_pt == NULL, "%s: its page table is kept", name);
	}
	CHECK_EQ(pt3[5], fmt->leaf(moved_to + 5 * 4096, false),
		 "%s: the leaves point at the new backing", name);
	CHECK(v3_tdp_hint_fault(&vcpu0, 6 * MIB + 0x10), "%s: fault on region 3 consumed", name);
	CHECK_EQ(*pde_of(6 * MIB), small3, "%s: region 3's entry is the original again", name);
	CHECK_EQ(hint_calls, 2, "%s: region 3's access reported", name);

	/* a hinted 2 MiB leaf freed with the tables: read as a leaf still */
	CHECK_EQ(v3_tdp_hint(&vm, 4 * MIB), 1, "%s: hint region 2", name);
	CHECK_EQ(v3_tdp_hint(&vm, 0), 1, "%s: hint region 0", name);
	CHECK_EQ(*pde_of(0), small0 & ~present_bits, "%s: region 0 hinted", name);
	v3_tdp_free(&vm.mmu.tdp);
	CHECK_EQ(shim_pages_in_use, pages0,
		 "%s: freeing the tables with hinted entries frees every page", name);
}

int main(void)
{
	test_format("ept", &v3_ept_format, V3_EPT_R | V3_EPT_W | V3_EPT_X,
		    V3_EPT_LARGE);
	test_format("npt", &v3_npt_format, _PAGE_PRESENT, _PAGE_PSE);
	return unit_done();
}
