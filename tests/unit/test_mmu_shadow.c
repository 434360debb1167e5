// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow paging (module/mmu/shadow.c, #included here for its internals)
 * on a fake guest RAM with the real walker (walk.c): #PF exits build the
 * shadow entries the guest's tables call for, guest tables are
 * write-protected and unprotected on a write, INVLPG drops an entry, a
 * CR3 switch back reuses the cached shadows, the budget zaps everything.
 * Expected values come from the entry formats (SDM vol. 3 4.4-4.5).
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "../../module/mmu/shadow.c"
#include "unit.h"

/* -------------------------------------------------------- fake guest --- */

#define RAM_SIZE	(8u << 20)
static u8 *ram;			/* page-aligned: its address is the "hpa" */
static struct v3_vm vm;
static struct v3_vcpu vcpu0, *vcpus[1] = { &vcpu0 };
static int pf_injected, pf_error, mmio;
static u64 pf_cr2;

static int env_read(void *o, u64 gpa, void *buf, unsigned int len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static int env_cmpxchg(void *o, u64 gpa, u64 old, u64 new, unsigned int size)
{
	u64 cur = 0;

	if (gpa >= RAM_SIZE)
		return -EFAULT;
	memcpy(&cur, ram + gpa, size);
	if (size == 4)
		old &= 0xffffffff;
	if (cur != old)
		return -EAGAIN;
	memcpy(ram + gpa, &new, size);
	return 0;
}

int v3_gpa_cmpxchg(struct v3_vm *m, u64 gpa, u64 old, u64 new, unsigned int size)
{
	u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1, cur = 0;

	if (gpa >= RAM_SIZE || (gpa & (size - 1)))
		return -EFAULT;
	memcpy(&cur, ram + gpa, size);
	if (cur != (old & mask))
		return -EAGAIN;
	memcpy(ram + gpa, &new, size);
	return 0;
}

/* cx16_race: the next call finds the high half changed by another vCPU */
static u64 cx16_race;
static unsigned int cx16_calls;
int v3_gpa_cmpxchg16(struct v3_vm *m, u64 gpa, const u64 *old, const u64 *new)
{
	if (gpa >= RAM_SIZE || (gpa & 15))
		return -EFAULT;
	cx16_calls++;
	if (cx16_race) {
		memcpy(ram + gpa + 8, &cx16_race, 8);
		cx16_race = 0;
	}
	if (memcmp(ram + gpa, old, 16))
		return -EAGAIN;
	memcpy(ram + gpa, new, 16);
	return 0;
}

int v3_gva_walk(struct v3_vcpu *v, u64 gva, u32 access, unsigned int flags,
		struct v3_walk *w)
{
	struct v3_walk_env env = { NULL, env_read, env_cmpxchg };
	struct v3_walk_regs regs = {
		.cr0 = v->regs.cr0, .cr3 = v->regs.cr3, .cr4 = v->regs.cr4,
		.efer = v->regs.efer, .cpl = v->regs.cpl, .maxphyaddr = 40,
	};

	return v3_walk(&env, &regs, gva, access, flags, w);
}

int v3_read_gpa(struct v3_vm *m, u64 gpa, void *buf, size_t len)
{
	return env_read(NULL, gpa, buf, len);
}

u64 v3_gpa_to_hpa(struct v3_vm *m, u64 gpa, bool *large)
{
	return gpa < RAM_SIZE ? (u64)(unsigned long)ram + gpa : ~0ULL;
}

int v3_handle_mem_fault(struct v3_vcpu *v) { mmio++; return 0; }
/* the MMIO decoder: knows the instruction unless decode_fails */
static int decode_fails;
int v3_decode_mmio(struct v3_vcpu *v, struct v3_mmio_insn *in) { return decode_fails ? -EINVAL : 0; }
/* the instruction at RIP (test_stos); none: unreadable */
static u8 insn[15];
static size_t insn_n;
int v3_fetch_insn(struct v3_vcpu *v, u8 *buf, size_t len)
{
	if (!insn_n)
		return -EFAULT;
	memset(buf, 0x90, len);
	memcpy(buf, insn, min(len, insn_n));
	return 0;
}
void v3_skip_insn(struct v3_vcpu *v) { v->regs.rip += v->exit.insn_len; }
void *v3_gpa_to_hva(struct v3_vm *m, u64 gpa)
{
	return gpa < RAM_SIZE ? ram + gpa : NULL;
}
/*
 * the emulated write of a table through itself: a MOV of 8 bytes of 0, or
 * with emulate_xchg an XCHG of 8 bytes (io.c takes h->exchange for it)
 */
static int emulated, emulate_xchg;
static u64 xchg_val;
int v3_mmio_emulate(struct v3_vcpu *v, struct v3_mmio_handler *h)
{
	emulated++;
	if (emulate_xchg)
		return h->exchange ? h->exchange(v, h->opaque, v->exit.mem.gpa, 8, &xchg_val) : -ENOSYS;
	h->write(v, h->opaque, v->exit.mem.gpa, 8, 0);
	return 0;
}
static void v3_shadow_gpa_written(struct v3_vm *m, u64 gpa, u64 len);
void v3_mmu_gpa_written(struct v3_vm *m, u64 gpa, u64 len)
{
	v3_shadow_gpa_written(m, gpa, len);
}
int v3_write_gpa(struct v3_vm *m, u64 gpa, const void *buf, size_t len)
{
	memcpy(ram + gpa, buf, len);
	v3_shadow_gpa_written(m, gpa, len);
	return 0;
}
void v3_inject_gp(struct v3_vcpu *v) { }
static void fake_inject_pf(struct v3_vcpu *v, u32 error, u64 cr2)
{
	pf_injected++;
	pf_error = error;
	pf_cr2 = cr2;
}
static void fake_dump(struct v3_vcpu *v) { }
static const struct v3_arch_ops fake_ops = {
	.name = "fake", .inject_pf = fake_inject_pf, .dump = fake_dump,
};
const struct v3_arch_ops *v3_arch = &fake_ops;

static void put64(u64 gpa, u64 v) { memcpy(ram + gpa, &v, 8); }
static u64 get64(u64 gpa) { u64 v; memcpy(&v, ram + gpa, 8); return v; }
static void put32(u64 gpa, u32 v) { memcpy(ram + gpa, &v, 4); }

#define P	1ULL
#define W	2ULL
#define U	4ULL
#define A	0x20ULL
#define D	0x40ULL
#define PS	0x80ULL

/* the shadow leaf the CPU would use for gva, 0 if none (hw root) */
static u64 shadow_leaf(u64 root, u64 gva, bool pae)
{
	u64 *t, e;
	int level = pae ? 2 : 4;

	if (pae) {
		e = ((u64 *)(unsigned long)root)[(gva >> 30) & 3];
		if (!(e & P))
			return 0;
		t = (u64 *)(unsigned long)(e & SPTE_ADDR);
	} else {
		t = (u64 *)(unsigned long)(root & SPTE_ADDR);
	}
	for (;; level--) {
		e = t[(gva >> (12 + 9 * (level - 1))) & 511];
		if (!(e & P) || level == 1)
			return e;
		t = (u64 *)(unsigned long)(e & SPTE_ADDR);
	}
}

static u64 hpa(u64 gpa) { return (u64)(unsigned long)ram + gpa; }

static struct v3_paging_hw hw;

static int load(void)
{
	memset(&hw, 0, sizeof(hw));
	vcpu0.mmu.reload = false;
	return v3_shadow_load(&vcpu0, &hw);
}

/* #PF exit for gva with the hardware error code err: load again if asked */
static int fault(u64 gva, u32 err)
{
	int ret = v3_shadow_page_fault(&vcpu0, gva, err);

	if (vcpu0.mmu.reload && load())
		return -1;
	return ret;
}

static void setup(u64 mem)
{
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu0, 0, sizeof(vcpu0));
	memset(ram, 0, RAM_SIZE);
	vm.mem.size = vm.mem.low_size = mem;
	vm.nr_vcpus = 1;
	vm.vcpus = vcpus;
	vcpu0.vm = &vm;
	pf_injected = shim_stops = mmio = 0;
}

static void teardown(void)
{
	v3_shadow_vcpu_free(&vcpu0);
	v3_shadow_vm_destroy(&vm);
}

/* 4-level: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000 */
static void build64(u64 pml4, u64 pdpt, u64 pd, u64 pt)
{
	put64(pml4, pdpt | P | W | U);
	put64(pdpt, pd | P | W | U);
	put64(pd, pt | P | W | U);
	/* gva 0x0000 -> 0x100000 rw user, gva 0x1000 -> 0x101000 read-only */
	put64(pt + 0 * 8, 0x100000 | P | W | U);
	put64(pt + 1 * 8, 0x101000 | P | U);
	/* gva 0x2000 -> 0x9000, the PT of gva 0x400000 (a table, mapped rw) */
	put64(pt + 2 * 8, 0x9000 | P | W);
	put64(pd + 2 * 8, 0x9000 | P | W | U);
	put64(0x9000, 0x102000 | P | W | U);
	/* gva 0x4000 -> the PT itself (self-reference) */
	put64(pt + 4 * 8, pt | P | W);
	/* gva 0x200000 (PD slot 1): a 2 MiB page at 0x400000 */
	put64(pd + 8, 0x400000 | P | W | U | PS);
	vcpu0.regs.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_ET;
	vcpu0.regs.cr4 = X86_CR4_PAE;
	vcpu0.regs.efer = EFER_LME | EFER_LMA | EFER_NX;
	vcpu0.regs.cr3 = pml4;
}

static void test_64(void)
{
	struct v3_shadow_vm *sv;
	u64 e, root_a;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "64: shadow VM state made");
	sv = vm.mmu.shadow;
	CHECK_EQ(load(), 0, "64: roots load");
	CHECK(hw.mode == V3_MMU_SHADOW && (hw.cr0 & X86_CR0_PG) &&
	      (hw.cr0 & X86_CR0_WP) && (hw.cr4 & X86_CR4_PAE) &&
	      (hw.efer & EFER_LMA) && (hw.efer & EFER_NX),
	      "64: hardware CR0.PG/WP, CR4.PAE, EFER.LMA/NXE");
	CHECK_EQ(hw.root, virt_to_phys(vcpu0.mmu.root->spt),
		 "64: CR3 is the shadow of the guest's PML4");
	CHECK_EQ(shadow_leaf(hw.root, 0, false), 0, "64: nothing mapped before a fault");

	/* read fault: leaf present, read-only (guest D clear), A set in the guest */
	CHECK_EQ(fault(0, V3_PF_USER), 0, "64: read fault handled");
	e = shadow_leaf(hw.root, 0, false);
	CHECK_EQ(e & (SPTE_ADDR | P | W | U), hpa(0x100000) | P | U,
		 "64: read fault maps the page read-only for a clean guest PTE");
	CHECK((get64(0x4000) & A) && !(get64(0x4000) & D), "64: guest PTE got A, not D");
	CHECK_EQ(fault(0, V3_PF_USER | V3_PF_WRITE | V3_PF_PRESENT), 0, "64: write fault handled");
	e = shadow_leaf(hw.root, 0, false);
	CHECK_EQ(e & (P | W | U), P | W | U, "64: write fault makes the leaf writable");
	CHECK(get64(0x4000) & D, "64: guest PTE got D");
	CHECK_EQ(vcpu0.mmu.shadow_faults, 2, "64: two shadow faults counted");

	/* a write to a read-only guest page is the guest's #PF */
	CHECK_EQ(fault(0x1000, V3_PF_USER | V3_PF_WRITE), 0, "64: guest write fault");
	CHECK(pf_injected == 1 && pf_cr2 == 0x1000 &&
	      pf_error == (V3_PF_PRESENT | V3_PF_WRITE | V3_PF_USER),
	      "64: #PF injected with CR2 and error P|W|U (got %d 0x%llx 0x%x)",
	      pf_injected, (unsigned long long)pf_cr2, pf_error);

	/* a 2 MiB guest page: 4 KiB shadow leaves */
	CHECK_EQ(fault(0x200000 + 0x5123, V3_PF_USER), 0, "64: fault in a 2 MiB page");
	CHECK_EQ(shadow_leaf(hw.root, 0x205000, false) & SPTE_ADDR, hpa(0x405000),
		 "64: large guest page shadowed by the right 4 KiB leaf");

	/* write protection: 0x9000 becomes a table when gva 0x400000 faults */
	CHECK_EQ(fault(0x400000, V3_PF_USER), 0, "64: fault through the PT at 0x9000");
	CHECK(sv->tables[9] > 0 && sv->tables[4] > 0, "64: guest PT frames counted as shadowed");
	CHECK_EQ(fault(0x2000, 0), 0, "64: read through a mapping of that PT");
	CHECK_EQ(shadow_leaf(hw.root, 0x2000, false) & (P | W), P,
		 "64: a guest table is mapped read-only");
	CHECK_EQ(fault(0x2000, V3_PF_WRITE | V3_PF_PRESENT), 0, "64: write to the PT");
	CHECK_EQ(vcpu0.mmu.wp_emulations, 1, "64: write-protect fault counted");
	CHECK_EQ(sv->tables[9], 0, "64: the PT's shadows dropped (unprotected)");
	CHECK_EQ(shadow_leaf(hw.root, 0x400000, false), 0, "64: leaves of the dropped shadow PT gone");
	CHECK(fault(0x2000, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      (shadow_leaf(hw.root, 0x2000, false) & W),
	      "64: the retried write maps the unprotected PT writable");
	/* the guest uses the PT again: the writable leaf must lose R/W */
	CHECK_EQ(fault(0x400000, V3_PF_USER), 0, "64: fault through the PT again");
	CHECK_EQ(shadow_leaf(hw.root, 0x2000, false) & (P | W), P,
		 "64: re-shadowing the PT write-protects its writable mapping (rmap)");
	CHECK(shim_ipis == 0 && test_bit(V3_REQ_TLB, &vcpu0.requests),
	      "64: protection flushes the TLB (no other vCPU in the guest: no IPI)");
	/* a write to a table through a mapping that uses it: emulated */
	CHECK(fault(0x4000, 0) == 0 && fault(0x4000 + 0x10, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      emulated == 1 && get64(0x4010) == 0 && shim_stops == 0,
	      "64: write to a page table through itself is emulated");
	CHECK_EQ(shadow_leaf(hw.root, 0x4000, false), 0,
		 "64: the emulated write dropped the table's shadows");
	put64(0x4000 + 2 * 8, 0x9000 | P | W);
	put64(0x4000 + 0 * 8, 0x100000 | P | W | U | A | D);
	CHECK_EQ(fault(0, V3_PF_USER), 0, "64: gva 0 mapped again after the emulated write");
	/* the same write as XCHG (ptep_get_and_clear): one exchange in memory */
	emulate_xchg = 1;
	xchg_val = 0;
	put64(0x4000 + 5 * 8, 0x7000 | P | W | A | D);
	CHECK(fault(0x4000 + 5 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      emulated == 2 && get64(0x4000 + 5 * 8) == 0 &&
	      xchg_val == (0x7000 | P | W | A | D) && shim_stops == 0,
	      "64: XCHG on a table through itself returns the old entry (D kept) and stores the new");
	CHECK_EQ(shadow_leaf(hw.root, 0, false), 0,
		 "64: the emulated XCHG dropped the table's shadows");
	emulate_xchg = 0;
	CHECK_EQ(fault(0, V3_PF_USER), 0, "64: gva 0 mapped again after the XCHG");

	/* INVLPG drops the leaf */
	CHECK(shadow_leaf(hw.root, 0, false) & P, "64: gva 0 mapped before INVLPG");
	v3_shadow_invlpg(&vcpu0, 0);
	CHECK_EQ(shadow_leaf(hw.root, 0, false), 0, "64: INVLPG dropped the leaf");
	CHECK_EQ(fault(0, V3_PF_USER), 0, "64: refault after INVLPG");

	/* CR3 switch to another PML4 and back: the cached shadows are reused */
	root_a = hw.root;
	build64(0x5000, 0x6000, 0x7000, 0x8000);
	CHECK_EQ(load(), 0, "64: CR3 switch to a second address space");
	CHECK(hw.root != root_a, "64: a different shadow root");
	vcpu0.regs.cr3 = 0x1000;
	CHECK_EQ(load(), 0, "64: CR3 switch back");
	CHECK_EQ(hw.root, root_a, "64: the first shadow root found in the cache");
	CHECK(shadow_leaf(hw.root, 0, false) & P, "64: its entries kept");

	/* a VMM write to a guest table drops its shadows */
	v3_shadow_gpa_written(&vm, 0x4000, 8);
	CHECK_EQ(shadow_leaf(hw.root, 0, false), 0, "64: v3_write_gpa on the PT drops it");

	/* MMIO: gva 0x3000 -> gpa beyond RAM */
	put64(0x4000 + 3 * 8, 0xfee00000ULL | P | W);
	CHECK(fault(0x3000, 0) == 0 && mmio == 1, "64: an access to non-RAM goes to MMIO emulation");
	CHECK_EQ(shim_stops, 0, "64: the VM never stopped");
	teardown();
}

static void test_budget(void)
{
	u64 i, before;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	v3_shadow_pages_max = 64;		/* the least the clamp allows */
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "budget: shadow VM state");
	CHECK_EQ(load(), 0, "budget: roots");
	/* 2 MiB pages across PD slots 2..: each needs its own shadow PT */
	for (i = 2; i < 100; i++)
		put64(0x3000 + i * 8, (0x400000 + ((i & 1) << 21)) | P | W | PS);
	before = shim_pages_in_use;
	for (i = 2; i < 100; i++)
		if (fault(i << 21, 0))
			break;
	CHECK_EQ(i, 100, "budget: every fault handled (%llu)", (unsigned long long)i);
	CHECK(vm.mmu.shadow->nr <= 64, "budget: never more than 64 shadow pages (%u)",
	      vm.mmu.shadow->nr);
	CHECK(shim_pages_in_use <= before + 2 * 64, "budget: zap-all freed the pages (%ld, %lld before)",
	      shim_pages_in_use, (long long)before);
	CHECK(shadow_leaf(hw.root, 99ULL << 21, false) & P, "budget: the last fault is mapped");
	teardown();
	v3_shadow_pages_max = 8192;
	CHECK_EQ(shim_pages_in_use, 0, "budget: destroy frees every page");
}

static void test_32(void)
{
	setup(RAM_SIZE);
	/* 32-bit paging: PD 0x1000, PT 0x2000; gva 0x400000 (PDE 1) -> 0x300000 */
	put32(0x1000 + 1 * 4, 0x2000 | P | W | U);
	put32(0x2000 + 0 * 4, 0x300000 | P | W | U | D);
	/* PDE 2: a 4 MiB page at 0x400000 (PSE) */
	put32(0x1000 + 2 * 4, 0x400000 | P | W | PS);
	vcpu0.regs.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
	vcpu0.regs.cr4 = X86_CR4_PSE;
	vcpu0.regs.cr3 = 0x1000;
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "32: shadow VM state");
	CHECK_EQ(load(), 0, "32: roots");
	CHECK((hw.cr4 & X86_CR4_PAE) && !(hw.efer & EFER_LMA) &&
	      hw.root == virt_to_phys(vcpu0.mmu.pdpt),
	      "32: PAE hardware tables under a per-vCPU PDPT");
	CHECK_EQ(fault(0x400000, V3_PF_WRITE), 0, "32: write fault");
	CHECK_EQ(shadow_leaf(hw.root, 0x400000, true) & (SPTE_ADDR | P | W | U),
		 hpa(0x300000) | P | W | U, "32: leaf from a 32-bit PTE");
	CHECK_EQ(fault(0x800000 + 0x201000, 0), 0, "32: fault in the upper half of a 4 MiB page");
	CHECK_EQ(shadow_leaf(hw.root, 0xa01000, true) & SPTE_ADDR, hpa(0x601000),
		 "32: 4 MiB page split into the right 4 KiB leaf");
	CHECK_EQ(shim_stops, 0, "32: the VM never stopped");
	teardown();
}

static void test_unpaged(void)
{
	setup(RAM_SIZE);
	vcpu0.regs.cr0 = X86_CR0_ET;		/* real mode */
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "unpaged: shadow VM state");
	CHECK_EQ(load(), 0, "unpaged: roots");
	CHECK((hw.cr0 & X86_CR0_PG) && !(hw.cr0 & X86_CR0_PE),
	      "unpaged: paged real mode (PG set, PE clear)");
	CHECK_EQ(fault(0x7c00, V3_PF_WRITE), 0, "unpaged: fault");
	CHECK_EQ(shadow_leaf(hw.root, 0x7c00, true) & (SPTE_ADDR | P | W),
		 hpa(0x7000) | P | W, "unpaged: identity leaf, writable");
	teardown();
}

/*
 * Prefetch (shadow.c, v3_shadow_prefetch): a fill fault also fills the
 * empty entries of its aligned group (8 walked, 64 direct) whose guest
 * entry is present, accessed and free of reserved bits; clean pages
 * read-only; RAM only; nothing outside the group.
 */
static void test_prefetch(void)
{
	const u64 pt = 0x4000, NXB = 1ULL << 63;
	u64 before;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, pt);
	put64(pt + 7 * 8, 0x107000 | P | W | U | A | D);	/* other group */
	put64(pt + 8 * 8, 0x108000 | P | W | U | A);		/* clean */
	put64(pt + 9 * 8, 0x109000 | P | W | U | A | D);	/* dirty */
	put64(pt + 10 * 8, 0x10a000 | P | W | U);		/* never accessed */
	put64(pt + 12 * 8, 0xfee00000ULL | P | W | A | D);	/* not RAM */
	put64(pt + 13 * 8, 0x10d000 | P | U | A | NXB);		/* read-only, NX */
	put64(pt + 14 * 8, 0x10e000 | P | W | U | A | D | (1ULL << 45)); /* reserved */
	put64(pt + 15 * 8, 0x10f000 | P | W | U);
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "prefetch: shadow VM state");
	CHECK_EQ(load(), 0, "prefetch: roots");
	CHECK_EQ(fault(0xf000, V3_PF_USER), 0, "prefetch: fault on slot 15");
	CHECK_EQ(shadow_leaf(hw.root, 0x8000, false) & (SPTE_ADDR | P | W | U),
		 hpa(0x108000) | P | U, "prefetch: clean neighbour mapped read-only");
	CHECK_EQ(shadow_leaf(hw.root, 0x9000, false) & (SPTE_ADDR | P | W | U),
		 hpa(0x109000) | P | W | U, "prefetch: dirty neighbour mapped writable");
	CHECK_EQ(shadow_leaf(hw.root, 0xa000, false), 0,
		 "prefetch: a never-accessed entry is left to its own fault");
	CHECK_EQ(get64(pt + 10 * 8) & A, 0, "prefetch: and its A bit stays clear");
	CHECK_EQ(shadow_leaf(hw.root, 0xb000, false), 0, "prefetch: not-present entry left");
	CHECK_EQ(shadow_leaf(hw.root, 0xc000, false), 0, "prefetch: MMIO left to fault");
	CHECK_EQ(shadow_leaf(hw.root, 0xd000, false) & (P | W | SPTE_NX), P | SPTE_NX,
		 "prefetch: read-only NX neighbour keeps both");
	CHECK_EQ(shadow_leaf(hw.root, 0xe000, false), 0,
		 "prefetch: an entry with a reserved bit is left (its access faults RSVD)");
	CHECK_EQ(shadow_leaf(hw.root, 0x7000, false), 0, "prefetch: outside the group: nothing");
	CHECK_EQ(vcpu0.mmu.shadow_prefetches, 3, "prefetch: three leaves counted");
	CHECK(fault(0x8000, V3_PF_USER | V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      (shadow_leaf(hw.root, 0x8000, false) & W) && (get64(pt + 8 * 8) & D),
	      "prefetch: the first write to a clean prefetched page faults and sets D");
	/* a guest write to the PT drops the prefetched leaves with the rest */
	CHECK_EQ(fault(0x4000 + 9 * 8, V3_PF_WRITE | V3_PF_PRESENT), 0, "prefetch: write to the PT");
	CHECK_EQ(shadow_leaf(hw.root, 0x9000, false), 0, "prefetch: its prefetched leaves went too");
	/* a 2 MiB guest page: 64 frames from the fault's aligned group */
	before = vcpu0.mmu.shadow_prefetches;
	CHECK_EQ(fault(0x200000 + 70 * 4096, V3_PF_USER), 0, "prefetch: fault in the 2 MiB page");
	CHECK_EQ(vcpu0.mmu.shadow_prefetches - before, 63, "prefetch: 63 more frames of the large page");
	CHECK_EQ(shadow_leaf(hw.root, 0x200000 + 64 * 4096, false) & (SPTE_ADDR | P | W),
		 hpa(0x400000 + 64 * 4096) | P, "prefetch: first frame of the group, read-only (D clear)");
	CHECK_EQ(shadow_leaf(hw.root, 0x200000 + 127 * 4096, false) & (SPTE_ADDR | P),
		 hpa(0x400000 + 127 * 4096) | P, "prefetch: last frame of the group");
	CHECK_EQ(shadow_leaf(hw.root, 0x200000 + 128 * 4096, false), 0,
		 "prefetch: the next group is left to its faults");
	teardown();
}

/*
 * STOS / REP STOS into a guest table through a mapping that walks it (the
 * PT at 0x4000 maps itself at gva 0x4000, build64): shadow_emul.c, SDM
 * vol. 2B "STOS", "REP".  Expected registers follow the SDM: rDI moves by
 * the element size (down with DF), rCX counts the elements left, RIP moves
 * past the instruction only when the count is 0.
 */
static void set_insn(const u8 *b, size_t n)
{
	memcpy(insn, b, n);
	insn_n = n;
}

static void stos_regs(u64 rdi, u64 rcx, bool df)
{
	vcpu0.regs.rip = 0x1000;
	vcpu0.regs.gpr[V3_RDI] = rdi;
	vcpu0.regs.gpr[V3_RCX] = rcx;
	vcpu0.regs.rflags = 2 | (df ? X86_EFLAGS_DF : 0);
	pf_injected = 0;
}

static void test_stos(void)
{
	static const u8 rep_stosq[] = { 0xf3, 0x48, 0xab };
	static const u8 rep_stosd[] = { 0xf3, 0xab };
	static const u8 stosq[] = { 0x48, 0xab };
	static const u8 stosb[] = { 0xaa };
	static const u8 rep_stosw[] = { 0x66, 0xf3, 0xab };
	static const u8 a32_rep_stosq[] = { 0x67, 0xf3, 0x48, 0xab };
	static const u8 mov[] = { 0x48, 0x89, 0x07 };
	const u64 q = 0x1122334455667788ULL;
	bool ok;
	int i;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	/* gva 0x5000 -> RAM 0x105000: the page after the self-mapped PT */
	put64(0x4000 + 5 * 8, 0x105000 | P | W);
	vcpu0.regs.cs_attr_l = 1;
	vcpu0.regs.gpr[V3_RAX] = q;
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "stos: shadow VM state");
	CHECK_EQ(load(), 0, "stos: roots");
	CHECK_EQ(fault(0x4000, 0), 0, "stos: read through the self-map shadows the PT");
	CHECK(vm.mmu.shadow->tables[4] > 0, "stos: the PT is a shadowed (protected) table");

	/* REP STOSQ, DF=0, from the #PF exit of its first store */
	set_insn(rep_stosq, sizeof(rep_stosq));
	stos_regs(0x4800, 16, false);
	emulated = 0;
	CHECK_EQ(fault(0x4800, V3_PF_WRITE | V3_PF_PRESENT), 0, "stos: REP STOSQ exit handled");
	for (ok = true, i = 0; i < 16; i++)
		ok &= get64(0x4800 + 8 * i) == q;
	CHECK(ok && get64(0x4880) == 0 && get64(0x47f8) == 0,
	      "stos: REP STOSQ stored RAX in the 16 qwords and nothing else");
	CHECK(vcpu0.regs.gpr[V3_RCX] == 0 && vcpu0.regs.gpr[V3_RDI] == 0x4880 &&
	      vcpu0.regs.rip == 0x1003,
	      "stos: REP STOSQ: RCX 0, RDI +128, RIP past f3 48 ab (rcx %llx rdi %llx rip %llx)",
	      (unsigned long long)vcpu0.regs.gpr[V3_RCX],
	      (unsigned long long)vcpu0.regs.gpr[V3_RDI],
	      (unsigned long long)vcpu0.regs.rip);
	CHECK(emulated == 0 && pf_injected == 0 && shim_stops == 0,
	      "stos: not the MOV path, no fault, VM running");
	CHECK_EQ(shadow_leaf(hw.root, 0x4000, false), 0,
		 "stos: the stores dropped the PT's shadows");

	/* REP STOSD, DF=1: EAX stored downwards */
	CHECK_EQ(fault(0x4000, 0), 0, "stos: PT shadowed again");
	set_insn(rep_stosd, sizeof(rep_stosd));
	stos_regs(0x4ffc, 8, true);
	CHECK_EQ(fault(0x4ffc, V3_PF_WRITE | V3_PF_PRESENT), 0, "stos: REP STOSD DF=1 exit handled");
	for (ok = true, i = 0; i < 8; i++)
		ok &= get64(0x4fe0 + 8 * (i / 2)) == (q & 0xffffffff) * 0x100000001ULL;
	CHECK(ok && get64(0x4fd8) == 0, "stos: REP STOSD DF=1 filled 0x4fe0-0x4fff with EAX only");
	CHECK(vcpu0.regs.gpr[V3_RCX] == 0 && vcpu0.regs.gpr[V3_RDI] == 0x4fdc &&
	      vcpu0.regs.rip == 0x1002,
	      "stos: REP STOSD DF=1: RCX 0, RDI -32, RIP +2");

	/* a count crossing a page: this page's elements, then the guest re-executes */
	set_insn(rep_stosq, sizeof(rep_stosq));
	stos_regs(0x4ff0, 4, false);
	CHECK_EQ(v3_shadow_emulate_stos(&vcpu0), 0, "stos: crossing count, first exit");
	CHECK(vcpu0.regs.gpr[V3_RCX] == 2 && vcpu0.regs.gpr[V3_RDI] == 0x5000 &&
	      vcpu0.regs.rip == 0x1000 && get64(0x4ff8) == q && get64(0x105000) == 0,
	      "stos: page end: RCX 2, RDI at the next page, RIP unchanged");
	CHECK_EQ(v3_shadow_emulate_stos(&vcpu0), 0, "stos: crossing count, re-executed");
	CHECK(vcpu0.regs.gpr[V3_RCX] == 0 && vcpu0.regs.gpr[V3_RDI] == 0x5010 &&
	      vcpu0.regs.rip == 0x1003 && get64(0x105000) == q && get64(0x105008) == q &&
	      get64(0x105010) == 0,
	      "stos: the rest stored in the next page, then RIP advanced");
	/* the same downwards */
	memset(ram + 0x105000, 0, 16);
	stos_regs(0x5008, 4, true);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && vcpu0.regs.gpr[V3_RCX] == 2 &&
	      vcpu0.regs.gpr[V3_RDI] == 0x4ff8 && vcpu0.regs.rip == 0x1000 &&
	      get64(0x105000) == q && get64(0x105008) == q,
	      "stos: DF=1 crossing: the upper page first, RDI at the lower page");

	/* a count of 0 stores nothing and completes */
	put64(0x4900, 0x5a5a);
	stos_regs(0x4900, 0, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && get64(0x4900) == 0x5a5a &&
	      vcpu0.regs.gpr[V3_RDI] == 0x4900 && vcpu0.regs.rip == 0x1003,
	      "stos: RCX 0: nothing stored, RDI kept, RIP advanced");

	/* a fault in the middle: the 3rd qword crosses into an unmapped page */
	put64(0x4000 + 5 * 8, 0);
	put64(0x4ff8, 0x77);
	stos_regs(0x4fec, 3, false);
	CHECK_EQ(v3_shadow_emulate_stos(&vcpu0), 0, "stos: fault mid-count handled");
	CHECK(pf_injected == 1 && pf_cr2 == 0x5000 && pf_error == V3_PF_WRITE,
	      "stos: #PF injected, CR2 the unmapped page, error W (got %d 0x%llx 0x%x)",
	      pf_injected, (unsigned long long)pf_cr2, pf_error);
	CHECK(vcpu0.regs.gpr[V3_RCX] == 1 && vcpu0.regs.gpr[V3_RDI] == 0x4ffc &&
	      vcpu0.regs.rip == 0x1000,
	      "stos: at the fault RCX 1, RDI at the faulting element, RIP unchanged");
	CHECK(get64(0x4fec) == q && get64(0x4ff4) == q, "stos: the two stores before the fault done");
	CHECK_EQ(get64(0x4ff8), q >> 32, "stos: the faulting element wrote nothing");
	/* re-executed at the page end: faults again at once, no progress lost */
	stos_regs(0x5000, 2, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && pf_injected == 1 && pf_cr2 == 0x5000 &&
	      vcpu0.regs.gpr[V3_RCX] == 2 && vcpu0.regs.gpr[V3_RDI] == 0x5000,
	      "stos: fault on the first element: #PF, registers unchanged");

	/* plain STOSQ: one element, RCX untouched even with a REP-less count */
	set_insn(stosq, sizeof(stosq));
	stos_regs(0x4a00, 5, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && get64(0x4a00) == q &&
	      get64(0x4a08) == 0 && vcpu0.regs.gpr[V3_RCX] == 5 &&
	      vcpu0.regs.gpr[V3_RDI] == 0x4a08 && vcpu0.regs.rip == 0x1002,
	      "stos: STOSQ stores one qword, RCX kept");
	set_insn(stosb, sizeof(stosb));
	stos_regs(0x4b00, 5, true);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && get64(0x4b00) == 0x88 &&
	      vcpu0.regs.gpr[V3_RDI] == 0x4aff && vcpu0.regs.rip == 0x1001,
	      "stos: STOSB DF=1 stores AL, RDI - 1");
	set_insn(rep_stosw, sizeof(rep_stosw));
	stos_regs(0x4c00, 3, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 &&
	      get64(0x4c00) == 0x778877887788ULL && vcpu0.regs.gpr[V3_RDI] == 0x4c06 &&
	      vcpu0.regs.rip == 0x1003, "stos: 66 REP STOSW stores AX three times");
	/* 67: EDI and ECX, their upper halves kept */
	set_insn(a32_rep_stosq, sizeof(a32_rep_stosq));
	stos_regs(0xffffffff00004d00ULL, 0xabcd000000000002ULL, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == 0 && get64(0x4d00) == q &&
	      get64(0x4d08) == q && get64(0x4d10) == 0 &&
	      vcpu0.regs.gpr[V3_RDI] == 0xffffffff00004d10ULL &&
	      vcpu0.regs.gpr[V3_RCX] == 0xabcd000000000000ULL && vcpu0.regs.rip == 0x1004,
	      "stos: 67 REP STOSQ uses EDI/ECX");
	/* not a STOS: left to the MOV decoder */
	set_insn(mov, sizeof(mov));
	stos_regs(0x4e00, 1, false);
	CHECK(v3_shadow_emulate_stos(&vcpu0) == -ENOENT && vcpu0.regs.rip == 0x1000,
	      "stos: a MOV is not taken");
	CHECK_EQ(shim_stops, 0, "stos: the VM never stopped");
	insn_n = 0;
	vcpu0.regs.cs_attr_l = 0;
	teardown();
}

/*
 * Locked read-modify-writes on a guest table through a mapping that walks
 * it (shadow_rmw.c): LOCK BTR clears an entry's A bit
 * (ptep_test_and_clear_young), LOCK CMPXCHG replaces an entry or hands
 * back the one there, LOCK AND clears a bit of one byte (clear_bit),
 * LOCK CMPXCHG8B replaces one (a PAE kernel's cmpxchg64), LOCK CMPXCHG16B
 * two at once.
 */
/* entry i of the PT at 0x4000 made val, insn at RIP 0x1000 writing it (RDI) */
static u64 rmw_entry(unsigned int i, u64 val, const u8 *insn, size_t len)
{
	u64 gva = 0x4000 + i * 8;

	put64(gva, val);
	set_insn(insn, len);
	vcpu0.regs.rip = 0x1000;
	vcpu0.regs.gpr[V3_RDI] = gva;
	return gva;
}

static void test_rmw(void)
{
	static const u8 btr[] = { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 };
	static const u8 cmpxchg[] = { 0xf0, 0x48, 0x0f, 0xb1, 0x0f };
	static const u8 andb[] = { 0xf0, 0x80, 0x27, 0xfd };
	static const u8 cx8[] = { 0xf0, 0x0f, 0xc7, 0x0f };
	static const u8 cx16[] = { 0xf0, 0x48, 0x0f, 0xc7, 0x0f };
	static const u8 adc[] = { 0xf0, 0x48, 0x11, 0x07 };
	const u64 e = 0x7000 | P | W | A | D, e2 = 0x8000 | P | W;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	vcpu0.regs.cs_attr_l = 1;
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "rmw: shadow VM state");
	CHECK_EQ(load(), 0, "rmw: roots");
	CHECK_EQ(fault(0x4000, 0), 0, "rmw: read through the self-map shadows the PT");

	rmw_entry(5, e, btr, sizeof(btr));
	vcpu0.regs.rflags = 2;
	emulated = 0;
	CHECK(fault(0x4000 + 5 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 5 * 8) == (e & ~A) && (vcpu0.regs.rflags & X86_EFLAGS_CF) &&
	      vcpu0.regs.rip == 0x1006 && emulated == 0 && shim_stops == 0,
	      "rmw: LOCK BTR on a table through itself clears A, CF = the old bit, RIP past it");
	CHECK_EQ(shadow_leaf(hw.root, 0x4000, false), 0,
		 "rmw: the emulated write dropped the table's shadows");

	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	rmw_entry(6, e, cmpxchg, sizeof(cmpxchg));
	vcpu0.regs.gpr[V3_RAX] = e;
	vcpu0.regs.gpr[V3_RCX] = e2;
	CHECK(fault(0x4000 + 6 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 6 * 8) == e2 && vcpu0.regs.gpr[V3_RAX] == e &&
	      (vcpu0.regs.rflags & X86_EFLAGS_ZF) && vcpu0.regs.rip == 0x1005,
	      "rmw: LOCK CMPXCHG, entry as expected: replaced, ZF");
	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	vcpu0.regs.rip = 0x1000;
	vcpu0.regs.gpr[V3_RCX] = 0;
	CHECK(fault(0x4000 + 6 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 6 * 8) == e2 && vcpu0.regs.gpr[V3_RAX] == e2 &&
	      !(vcpu0.regs.rflags & X86_EFLAGS_ZF) && vcpu0.regs.rip == 0x1005,
	      "rmw: LOCK CMPXCHG, entry changed meanwhile: kept, RAX gets it, ZF clear");

	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	rmw_entry(7, e, andb, sizeof(andb));
	CHECK(fault(0x4000 + 7 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 7 * 8) == (e & ~W) && vcpu0.regs.rip == 0x1004 &&
	      shim_stops == 0, "rmw: LOCK AND byte clears W (clear_bit)");

	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	rmw_entry(8, e, cx8, sizeof(cx8));
	vcpu0.regs.rflags = 2;
	vcpu0.regs.gpr[V3_RAX] = (u32)e;
	vcpu0.regs.gpr[V3_RDX] = e >> 32;
	vcpu0.regs.gpr[V3_RBX] = (u32)e2;
	vcpu0.regs.gpr[V3_RCX] = e2 >> 32;
	CHECK(fault(0x4000 + 8 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 8 * 8) == e2 && (vcpu0.regs.rflags & X86_EFLAGS_ZF) &&
	      vcpu0.regs.rip == 0x1004 && shim_stops == 0,
	      "rmw: LOCK CMPXCHG8B (a PAE kernel's cmpxchg64), entry as expected: ECX:EBX stored, ZF");
	CHECK_EQ(shadow_leaf(hw.root, 0x4000, false), 0,
		 "rmw: ... and the table's shadows dropped");

	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	rmw_entry(10, e, cx16, sizeof(cx16));
	put64(0x4000 + 11 * 8, e2);
	vcpu0.regs.rflags = 2;
	vcpu0.regs.gpr[V3_RAX] = e;
	vcpu0.regs.gpr[V3_RDX] = e;		/* entry 11 is e2: no match */
	vcpu0.regs.gpr[V3_RBX] = 0;
	vcpu0.regs.gpr[V3_RCX] = 0;
	CHECK(fault(0x4000 + 10 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 10 * 8) == e && get64(0x4000 + 11 * 8) == e2 &&
	      vcpu0.regs.gpr[V3_RAX] == e && vcpu0.regs.gpr[V3_RDX] == e2 &&
	      !(vcpu0.regs.rflags & X86_EFLAGS_ZF) && vcpu0.regs.rip == 0x1005 &&
	      shim_stops == 0,
	      "rmw: LOCK CMPXCHG16B, high entry changed: both kept, RDX:RAX gets them, ZF clear");
	/* the high entry changes between the emulator's two loads and its lock */
	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	vcpu0.regs.rip = 0x1000;
	vcpu0.regs.gpr[V3_RAX] = 0;
	vcpu0.regs.gpr[V3_RDX] = 0;
	cx16_race = e2 | A;
	cx16_calls = 0;
	CHECK(fault(0x4000 + 10 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      vcpu0.regs.gpr[V3_RAX] == e && vcpu0.regs.gpr[V3_RDX] == (e2 | A) &&
	      get64(0x4000 + 11 * 8) == (e2 | A) && cx16_calls == 2 &&
	      !(vcpu0.regs.rflags & X86_EFLAGS_ZF) && shim_stops == 0,
	      "rmw: LOCK CMPXCHG16B, failed compare, the entries changed meanwhile: loaded again, RDX:RAX the value locked (%u locked tries)",
	      cx16_calls);
	put64(0x4000 + 11 * 8, e2);
	vcpu0.regs.gpr[V3_RDX] = e2;
	vcpu0.regs.rip = 0x1000;
	vcpu0.regs.gpr[V3_RBX] = e2;
	vcpu0.regs.gpr[V3_RCX] = e;
	CHECK(fault(0x4000 + 10 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      get64(0x4000 + 10 * 8) == e2 && get64(0x4000 + 11 * 8) == e &&
	      (vcpu0.regs.rflags & X86_EFLAGS_ZF) && vcpu0.regs.rip == 0x1005 &&
	      shim_stops == 0,
	      "rmw: LOCK CMPXCHG16B, both entries as expected: RCX:RBX stored, ZF");
	CHECK_EQ(shadow_leaf(hw.root, 0x4000, false), 0,
		 "rmw: ... and the table's shadows dropped");

	/* a form it does not emulate: through itself, the VM stops as before */
	CHECK_EQ(fault(0x4000, 0), 0, "rmw: the PT shadowed again");
	set_insn(adc, sizeof(adc));
	decode_fails = 1;
	vcpu0.regs.rip = 0x1000;
	CHECK(fault(0x4000 + 7 * 8, V3_PF_WRITE | V3_PF_PRESENT) == 1 && shim_stops == 1,
	      "rmw: LOCK ADC through itself: not emulated, the VM stops with a reason");
	decode_fails = 0;
	insn_n = 0;
	vcpu0.regs.cs_attr_l = 0;
	teardown();
}

/*
 * A write to a guest table that some other access of the same instruction
 * walks through (its fetch, stack): unprotecting lets that access
 * re-protect the table before the restarted write (APM vol. 2 8.2: a #PF
 * is a fault, the instruction restarts), so the second write-protect
 * fault at the same RIP and address is emulated, not unprotected again.
 * Here gva 0x2000 maps the PT at 0x9000, and the "fetch" is gva 0x400000,
 * which that PT maps.
 */
static void test_no_progress(void)
{
	struct v3_shadow_vm *sv;
	u64 wp;
	int i;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "noprog: shadow VM state");
	sv = vm.mmu.shadow;
	CHECK_EQ(load(), 0, "noprog: roots");
	vcpu0.regs.rip = 0x400010;
	emulated = 0;
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: fetch through the PT at 0x9000");
	CHECK(sv->tables[9] > 0, "noprog: that PT is protected");
	/* first write: unprotected, retried natively */
	CHECK_EQ(fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT), 0, "noprog: first write fault");
	CHECK(sv->tables[9] == 0 && emulated == 0,
	      "noprog: first write-protect fault unprotects (no emulation)");
	/* the restarted instruction's fetch re-protects it */
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: the fetch faults again");
	CHECK(sv->tables[9] > 0, "noprog: the fetch re-protected the PT");
	wp = vcpu0.mmu.wp_emulations;
	put64(0x9008, 0x1234);
	CHECK_EQ(fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT), 0, "noprog: second write fault");
	CHECK(emulated == 1 && get64(0x9008) == 0 && shim_stops == 0,
	      "noprog: the same write again (same RIP, address) is emulated (emulated %d)", emulated);
	CHECK_EQ(vcpu0.mmu.wp_emulations, wp + 1, "noprog: counted as a write-protect emulation");
	/* after that progress a new write at the same RIP unprotects first */
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: fetch once more");
	CHECK_EQ(fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT), 0, "noprog: a later write fault");
	CHECK(emulated == 1 && sv->tables[9] == 0,
	      "noprog: after progress the next write unprotects again");
	/* another RIP: no emulation either */
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: fetch");
	vcpu0.regs.rip = 0x400020;
	CHECK(fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT) == 0 && emulated == 1 &&
	      sv->tables[9] == 0, "noprog: another instruction's write unprotects");
	/*
	 * No progress again, but an instruction the emulator does not know
	 * (a locked read-modify-write): unprotected again, the VM runs on
	 */
	decode_fails = 1;
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: fetch re-protects");
	CHECK(sv->tables[9] > 0 && fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT) == 0 &&
	      sv->tables[9] == 0 && emulated == 1,
	      "noprog: undecodable: same RIP and address again: emulation refused, unprotected");
	/*
	 * ... but not for ever: the retries in a row with the same registers
	 * are counted (that was the first), a register that changed starts
	 * the count again, and the V3_WP_STUCK_MAX-th stops the VM
	 */
	for (i = 2; i < 600; i++) {
		fault(0x400000, V3_PF_USER | V3_PF_FETCH);
		fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT);
	}
	vcpu0.regs.gpr[V3_RCX]++;
	for (i = 1; i < 1024; i++) {
		fault(0x400000, V3_PF_USER | V3_PF_FETCH);
		fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT);
	}
	CHECK(shim_stops == 0 && sv->tables[9] == 0,
	      "noprog: undecodable: 1023 retries in a row (599 before RCX changed): still unprotected, running");
	CHECK_EQ(fault(0x400000, V3_PF_USER | V3_PF_FETCH), 0, "noprog: fetch re-protects once more");
	CHECK(fault(0x2008, V3_PF_WRITE | V3_PF_PRESENT) == 1 && shim_stops == 1 &&
	      strstr(shim_stop_why, "no progress after 1024 retries"),
	      "noprog: undecodable: the 1024th retry stops the VM with a reason (%s)", shim_stop_why);
	decode_fails = 0;
	shim_stops = 0;
	vcpu0.regs.gpr[V3_RCX] = 0;
	vcpu0.regs.rip = 0;
	teardown();
}

/*
 * Memory types (SDM vol. 3 11.12.3): the shadow leaf selects, in the PAT
 * the CPU uses while the guest runs, the type the guest's entry selects in
 * the guest's PAT.  SVM shadow mode runs on the host's PAT (translated),
 * VMX loads the guest's (copied).
 */
static u64 test_gpat;
static int pat_get_msr(struct v3_vcpu *v, u32 msr, u64 *val)
{
	if (msr != MSR_IA32_CR_PAT)
		return -ENOENT;
	*val = test_gpat;
	return 0;
}

static void test_pat(void)
{
	static struct v3_arch_ops svm_ops = {
		.name = "fake-svm", .arch = V3_ARCH_SVM, .inject_pf = fake_inject_pf,
		.dump = fake_dump, .get_msr = pat_get_msr,
	};
	static struct v3_arch_ops vmx_ops = {
		.name = "fake-vmx", .arch = V3_ARCH_VMX, .inject_pf = fake_inject_pf,
		.dump = fake_dump, .get_msr = pat_get_msr,
	};
	/* Linux's PAT: WB WC UC- UC WB WP UC- WT (entries 0-7) */
	const u64 linux_pat = 0x0407050600070106ULL;
	const u64 MT = SPTE_PAT | SPTE_PCD | SPTE_PWT;

	setup(RAM_SIZE);
	build64(0x1000, 0x2000, 0x3000, 0x4000);
	/* gva 0x6000: PAT bit (entry 4 of the guest PAT); gva 0x7000: PCD|PWT (3) */
	put64(0x4000 + 6 * 8, 0x106000 | P | W | U | 0x80);
	put64(0x4000 + 7 * 8, 0x107000 | P | W | U | 0x18);
	/* gva 0x200000: 2 MiB page, PAT (bit 12) and PCD: entry 6 */
	put64(0x3000 + 8, 0x400000 | P | W | U | PS | 0x1000 | 0x10);
	CHECK_EQ(v3_shadow_vm_init(&vm), 0, "pat: shadow VM state");
	vm.mmu.shadow->host_pat = linux_pat;
	v3_arch = &svm_ops;
	/* guest entry 4 = WC (1), entry 3 = UC (0), entry 6 = WT (4) */
	test_gpat = 0x0004040100070406ULL;
	CHECK_EQ(load(), 0, "pat: roots");
	CHECK(fault(0x6000, 0) == 0 && (shadow_leaf(hw.root, 0x6000, false) & MT) == SPTE_PWT,
	      "pat: svm: guest WC (PAT entry 4) -> host entry 1 (PWT) (leaf 0x%llx)",
	      (unsigned long long)shadow_leaf(hw.root, 0x6000, false));
	CHECK(fault(0x7000, 0) == 0 &&
	      (shadow_leaf(hw.root, 0x7000, false) & MT) == (SPTE_PCD | SPTE_PWT),
	      "pat: svm: guest UC (entry 3) -> host entry 3 (PCD|PWT)");
	CHECK(fault(0x205000, 0) == 0 && (shadow_leaf(hw.root, 0x205000, false) & MT) == MT,
	      "pat: svm: large page's bit-12 PAT, guest WT (entry 6) -> host entry 7 (PAT|PCD|PWT)");
	CHECK(fault(0, 0) == 0 && (shadow_leaf(hw.root, 0, false) & MT) == 0,
	      "pat: svm: guest WB (entry 0) -> host entry 0");
	/* a host PAT without WC: the guest's WC becomes UC */
	v3_shadow_invlpg(&vcpu0, 0x6000);
	vm.mmu.shadow->host_pat = 0x0007040600070406ULL;
	CHECK(fault(0x6000, 0) == 0 &&
	      (shadow_leaf(hw.root, 0x6000, false) & MT) == (SPTE_PCD | SPTE_PWT),
	      "pat: svm: a type the host PAT lacks is UC");
	/* VMX runs the guest on its own PAT: the bits are the guest's */
	v3_arch = &vmx_ops;
	v3_shadow_invlpg(&vcpu0, 0x6000);
	v3_shadow_invlpg(&vcpu0, 0x205000);
	CHECK(fault(0x6000, 0) == 0 && (shadow_leaf(hw.root, 0x6000, false) & MT) == SPTE_PAT,
	      "pat: vmx: the guest's PAT bit copied");
	CHECK(fault(0x205000, 0) == 0 &&
	      (shadow_leaf(hw.root, 0x205000, false) & MT) == (SPTE_PAT | SPTE_PCD),
	      "pat: vmx: a large page's PAT bit moves to bit 7 of the 4 KiB leaf");
	v3_arch = &fake_ops;
	CHECK_EQ(shim_stops, 0, "pat: the VM never stopped");
	teardown();
}

int main(void)
{
	ram = aligned_alloc(4096, RAM_SIZE);
	if (!ram)
		return 1;
	test_64();
	test_budget();
	test_32();
	test_unpaged();
	test_prefetch();
	test_stos();
	test_rmw();
	test_no_progress();
	test_pat();
	free(ram);
	return unit_done();
}
