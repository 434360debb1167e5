// SPDX-License-Identifier: GPL-2.0
/*
 * paging (32-bit build: --cmdline mode=32|pae) and paging64 (64-bit build:
 * 4-level paging): page-table edge cases a VMM's shadow paging must get
 * right, checked against the architecture (SDM Vol. 3A ch. 4, APM Vol. 2
 * ch. 5).  Each check names the rule it relies on; where the SDM leaves a
 * result open (a stale TLB entry may or may not be used) the guest prints
 * what it saw and asserts nothing.
 *
 *   A/D     the CPU sets A in every paging-structure entry it uses and D in
 *           the entry that maps the page on a write, never D on a read
 *           (§4.8); after the guest clears them and invalidates, again.
 *   NX      EFER.NXE=1: a fetch from an XD page faults with I/D set (§4.6,
 *           §4.7); NXE=0: bit 63 is reserved (RSVD fault, §4.4.2, §4.5.4).
 *   WP      CR0.WP=1: a supervisor write to a read-only page faults; WP=0:
 *           it succeeds (§4.6.1).
 *   SMEP/SMAP  supervisor fetch from / data access to a user page (§4.6.1),
 *           when CPUID.7.0:EBX offers them.
 *   large   4 MiB (32-bit, CR4.PSE), 2 MiB (PAE, 4-level), 1 GiB (4-level,
 *           CPUID.80000001H:EDX[26]) pages aliasing 4 KiB-mapped memory.
 *   selfref a top-level slot pointing at its own table (PD in 32-bit, the
 *           PD of the first GiB in PAE, the PML4 in 4-level): entries read
 *           and one changed through the recursive mapping; the table's own
 *           entries changed through it with LOCK CMPXCHG8B (PAE: a PAE
 *           kernel's cmpxchg64) or CMPXCHG16B (4-level: two at once),
 *           failing then succeeding.
 *   stale   a PTE changed without INVLPG: old or new value (§4.10.4.3),
 *           then a CR3 write flushes it (§4.10.4.1: non-global entries).
 *   invlpg  INVLPG of one page makes its new PTE seen.
 *   global  CR4.PGE: a global page may outlive a CR3 write; INVLPG and a
 *           CR4.PGE toggle flush it.
 *   cr3     two address spaces mapping the same address differently,
 *           switched back and forth.
 *   #PF     vector 14, error code (§4.7, Figure 4-12) and CR2 for
 *           not-present, protection, reserved-bit and user-mode faults.
 *
 * Identity map: 0..12 MiB with 4 KiB pages (the image, its tables, the
 * test frames, and LARGE_PA below), supervisor, writable.
 */
#include "guest.h"
#include "trap.h"

#ifdef __x86_64__
DEFINE_GUEST("paging64");
#define SP	"%%rsp"
#define MOVP	"movq"
#define F_AX(f)	((f)->rax)
#else
DEFINE_GUEST("paging");
#define SP	"%%esp"
#define MOVP	"movl"
#define F_AX(f)	((f)->eax)
#endif

/* Paging-structure entry bits (SDM Vol. 3A Tables 4-4..4-20) */
#define PTE_P		0x001ULL
#define PTE_W		0x002ULL
#define PTE_U		0x004ULL
#define PTE_A		0x020ULL
#define PTE_D		0x040ULL
#define PTE_PS		0x080ULL
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL

#define CR4_PGE		(1U << 7)
#define CR4_SMEP	(1U << 20)
#define CR4_SMAP	(1U << 21)
#define EFLAGS_AC	(1U << 18)

#define MiB		0x100000UL
#define IDENT_END	(12 * MiB)
#define LARGE_PA	(8 * MiB)	/* 4 MiB aligned: a 2 or 4 MiB page */

enum pmode { M32, MPAE, M64 };

static struct {
	enum pmode mode;
	const char *name;
	int levels;		/* 2, 3 or 4 */
	unsigned int esize;	/* entry size, 4 or 8 bytes */
	unsigned int bits;	/* index bits per level (the PAE PDPT: 2) */
} F;

static struct {
	int pse, nx, smep, smap, gb;
} cpu;

/* ---------------------------------------------------------------- tables */

#define POOL_PAGES	72
static uint8_t pool[POOL_PAGES][4096] __aligned(4096);
static unsigned int pool_used;

#define NFRAMES		12
static uint8_t frames[NFRAMES][4096] __aligned(4096);

static unsigned long frame_pa(int i)
{
	return (unsigned long)frames[i];
}

static unsigned long page_alloc(void)
{
	if (pool_used == POOL_PAGES)
		tap_bail("page-table pool exhausted");
	memset(pool[pool_used], 0, 4096);
	return (unsigned long)pool[pool_used++];
}

static unsigned int level_shift(int level)
{
	return 12 + F.bits * (level - 1);
}

static unsigned int level_index(unsigned long va, int level)
{
	unsigned int mask = (1U << F.bits) - 1;

	if (F.mode == MPAE && level == 3)
		mask = 3;
	if (F.mode == M64 && level == 4)
		va &= 0xffffffffffffUL;		/* bits 63:48 are a sign copy */
	return (va >> level_shift(level)) & mask;
}

static uint64_t ent_rd(unsigned long ea)
{
	volatile uint32_t *p = (volatile uint32_t *)ea;

	if (F.esize == 4)
		return p[0];
#ifdef __x86_64__
	return *(volatile uint64_t *)ea;
#else
	return p[0] | (uint64_t)p[1] << 32;
#endif
}

/* A 64-bit entry from 32-bit code: not present while its halves change. */
static void ent_wr(unsigned long ea, uint64_t v)
{
	volatile uint32_t *p = (volatile uint32_t *)ea;

	if (F.esize == 4) {
		p[0] = (uint32_t)v;
		return;
	}
#ifdef __x86_64__
	*(volatile uint64_t *)ea = v;
#else
	p[0] = 0;
	p[1] = v >> 32;
	p[0] = (uint32_t)v;
#endif
}

/* PAE PDPTEs take only P (bits 2:1 and 63:MAXPHYADDR are reserved, §4.4.1) */
static uint64_t nonleaf_flags(int level)
{
	if (F.mode == MPAE && level == 3)
		return PTE_P;
	return PTE_P | PTE_W | PTE_U;
}

/* a PDPTE was created: it counts only after the next CR3 load (below) */
static int pdpte_new;

/*
 * Address of the entry at LEVEL (1: PTE ... 4: PML4E) that maps VA in the
 * tables under ROOT; missing tables are allocated when ALLOC, else 0.
 */
static unsigned long entry_addr(unsigned long root, unsigned long va, int level,
				int alloc)
{
	unsigned long table = root;
	int l;

	for (l = F.levels; l > level; l--) {
		unsigned long ea = table + level_index(va, l) * F.esize;
		uint64_t e = ent_rd(ea);

		if (!(e & PTE_P)) {
			if (!alloc)
				return 0;
			e = page_alloc() | nonleaf_flags(l);
			ent_wr(ea, e);
			if (F.mode == MPAE && l == 3)
				pdpte_new = 1;
		} else if ((e & PTE_PS) &&
			   (l == 2 || (F.mode == M64 && l == 3))) {
			return 0;	/* a large page is in the way */
		}
		table = (unsigned long)(e & PTE_ADDR);
	}
	return table + level_index(va, level) * F.esize;
}

static unsigned long ea_of(unsigned long root, unsigned long va, int level)
{
	unsigned long ea = entry_addr(root, va, level, 1);

	if (!ea)
		tap_bail("no table for %#lx level %d", va, level);
	return ea;
}

/* leaf at LEVEL (1: 4 KiB, 2: 2/4 MiB, 3: 1 GiB) */
static void map(unsigned long root, unsigned long va, uint64_t pa, int level,
		uint64_t flags)
{
	ent_wr(ea_of(root, va, level), pa | flags | (level > 1 ? PTE_PS : 0));
	/*
	 * PAE paging reads the four PDPTEs into registers when CR3 is loaded
	 * and not on a TLB miss (SDM Vol. 3A §4.4.1; Intel CPUs, Bochs, VMX
	 * with EPT through the VMCS PDPTE fields): a new one needs a CR3 load.
	 */
	if (pdpte_new && (read_cr0() & CR0_PG) && read_cr3() == root) {
		pdpte_new = 0;
		write_cr3(root);
	}
}

static unsigned long as_new(void)
{
	unsigned long root = page_alloc(), a;

	for (a = 0; a < IDENT_END; a += 4096)
		map(root, a, a, 1, PTE_P | PTE_W);
	return root;
}

static void invlpg(unsigned long va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static void flush_all(void)
{
	write_cr3(read_cr3());
}

/* ---------------------------------------------------------------- probes */

static uint32_t fault_mark;

static int faulted(void)
{
	return fault_count != fault_mark;
}

/* 32-bit read/write of VA; nonzero when it faulted (last_fault tells) */
static int probe_read(unsigned long va, uint32_t *val)
{
	uint32_t v = 0;

	fault_reset();
	fault_mark = fault_count;
	asm volatile("1: movl (%1), %0\n2:\n" EXTABLE(1b, 2b)
		     : "+r"(v) : "r"(va) : "memory");
	*val = v;
	return faulted();
}

static int probe_write(unsigned long va, uint32_t v)
{
	fault_reset();
	fault_mark = fault_count;
	asm volatile("1: movl %0, (%1)\n2:\n" EXTABLE(1b, 2b)
		     : : "r"(v), "r"(va) : "memory");
	return faulted();
}

/*
 * Call VA (a page holding RET).  A fault on the fetch saves EIP = VA with
 * the return address pushed: the #PF handler resumes at exec_fixup, which
 * drops it.
 */
static volatile unsigned long exec_va, exec_fixup;

static int pf_handler(struct trap_frame *f)
{
	if (exec_va && f->eip == exec_va) {
		f->eip = exec_fixup;
		return 1;
	}
	return 0;
}

static int probe_exec(unsigned long va)
{
	fault_reset();
	fault_mark = fault_count;
	exec_va = va;
	asm volatile(MOVP " $3f, %0\n\t"
		     "call *%1\n\t"
		     "jmp 4f\n"
		     "3:\tadd %2, " SP "\n"
		     "4:\n"
		     : "=m"(exec_fixup) : "r"(va), "i"(sizeof(long))
		     : "memory", "cc");
	exec_va = 0;
	return faulted();
}

/* a #PF with this error code at this address */
static int pf_is(uint32_t err, unsigned long cr2)
{
	if (last_fault.vector == X86_TRAP_PF && last_fault.error == err &&
	    last_fault.cr2 == cr2)
		return 1;
	tap_diag("got vector %d error %#x cr2 %#lx; want #PF error %#x cr2 %#lx",
		 (int)last_fault.vector, (unsigned int)last_fault.error,
		 last_fault.cr2, (unsigned int)err, cr2);
	return 0;
}

/*
 * A reserved-bit fault: "bit 3 of the error code can be set only if bit 0
 * is also set" (§4.7).  QEMU's TCG clears P; with rsvdp=any on the command
 * line (the L1 suite passes it in nested paging, where the CPU and not the
 * VMM walks the guest's tables) that is accepted and reported.
 */
static int rsvd_p_any;

static int pf_is_rsvd(uint32_t err, unsigned long cr2)
{
	if (rsvd_p_any && last_fault.vector == X86_TRAP_PF &&
	    last_fault.error == (err & ~PF_P) && last_fault.cr2 == cr2) {
		tap_diag("RSVD fault with P clear (error %#x): the CPU's; rsvdp=any",
			 (unsigned int)last_fault.error);
		return 1;
	}
	return pf_is(err, cr2);
}

static int no_fault(int f, const char *what)
{
	if (f)
		tap_diag("%s: unexpected vector %d error %#x cr2 %#lx", what,
			 (int)last_fault.vector, (unsigned int)last_fault.error,
			 last_fault.cr2);
	return !f;
}

static void fill(unsigned long pa, uint32_t seed)
{
	volatile uint32_t *p = (volatile uint32_t *)pa;

	for (int i = 0; i < 1024; i++)
		p[i] = seed ^ (i * 0x9e3779b9U);
}

static uint32_t pat(uint32_t seed, unsigned long off)
{
	return seed ^ ((off >> 2) * 0x9e3779b9U);
}

/* ---------------------------------------------------------------- setup */

static unsigned long root1;	/* the main address space */
/* test addresses outside the identity map, paths private to each test */
static unsigned long TV;		/* A/D, #PF codes, WP, NX, SMEP/SMAP */
static unsigned long TLARGE;		/* large pages */
static unsigned long TSWITCH;		/* CR3 switch, stale TLB, INVLPG */
#define TSELF	0x30000000UL		/* self-reference (first GiB, for PAE) */

static void enable_paging(unsigned long root)
{
#ifdef __x86_64__
	write_cr3(root);
#else
	unsigned long cr4 = read_cr4() & ~(CR4_PAE | CR4_PSE);

	if (F.mode == MPAE)
		cr4 |= CR4_PAE;
	else if (cpu.pse)
		cr4 |= CR4_PSE;
	write_cr4(cr4);
	write_cr3(root);
	write_cr0(read_cr0() | CR0_PG);
#endif
}

static void set_nxe(int on)
{
	uint64_t efer = rdmsr(MSR_EFER);

	wrmsr(MSR_EFER, on ? efer | EFER_NXE : efer & ~(uint64_t)EFER_NXE);
}

/* the text after KEY in the command line, or "" */
static const char *cmdline_arg(struct multiboot_info *mbi, const char *key)
{
	size_t n = strlen(key);
	const char *s;

	if (!mbi || !(mbi->flags & MB_INFO_CMDLINE))
		return "";
	for (s = (const char *)(unsigned long)mbi->cmdline; *s; s++)
		if (!memcmp(s, key, n))
			return s + n;
	return "";
}

static void detect(struct multiboot_info *mbi)
{
	uint32_t maxext = cpuid(0x80000000).eax;
	uint32_t ext_d = maxext >= 0x80000001 ? cpuid(0x80000001).edx : 0;
	uint32_t leaf7_b = cpuid(0).eax >= 7 ? cpuid_count(7, 0).ebx : 0;
	const char *m = cmdline_arg(mbi, "mode=");

#ifdef __x86_64__
	(void)m;
	F.mode = M64;
#else
	F.mode = !memcmp(m, "pae", 3) ? MPAE : M32;
#endif
	F.levels = F.mode == M32 ? 2 : F.mode == MPAE ? 3 : 4;
	F.esize = F.mode == M32 ? 4 : 8;
	F.bits = F.mode == M32 ? 10 : 9;
	F.name = F.mode == M32 ? "32-bit" : F.mode == MPAE ? "PAE" : "4-level";
	rsvd_p_any = !memcmp(cmdline_arg(mbi, "rsvdp="), "any", 3);
	cpu.pse = !!(cpuid(1).edx & (1U << 3));
	cpu.nx = !!(ext_d & (1U << 20));
	cpu.gb = !!(ext_d & (1U << 26));
	cpu.smep = !!(leaf7_b & (1U << 7));
	cpu.smap = !!(leaf7_b & (1U << 20));
	tap_diag("mode %s; CPUID: PSE %d NX %d 1GB-pages %d SMEP %d SMAP %d",
		 F.name, cpu.pse, cpu.nx, cpu.gb, cpu.smep, cpu.smap);

#ifdef __x86_64__
	TV = 1UL << 39;			/* PML4 slot 1 */
	TSWITCH = 2UL << 39;		/* PML4 slot 2 */
#else
	TV = 0x40000000UL;		/* PDE 256 / PDPTE 1 */
	TSWITCH = 0xc0000000UL;		/* PDE 768 / PDPTE 3 */
#endif
	TLARGE = 0x80000000UL;
}

/* ---------------------------------------------------------------- tests */

/* A (and D) of the entries on VA's path, bit i-1 for level i */
static unsigned int ad_bits(unsigned long va, int leaf, uint64_t bit)
{
	unsigned int got = 0;

	for (int l = F.levels; l >= leaf; l--) {
		if (F.mode == MPAE && l == 3)
			continue;	/* PAE PDPTEs have no A bit (§4.4.1) */
		if (ent_rd(ea_of(root1, va, l)) & bit)
			got |= 1U << (l - 1);
	}
	return got;
}

static unsigned int ad_levels(int leaf)
{
	unsigned int all = 0;

	for (int l = F.levels; l >= leaf; l--)
		if (!(F.mode == MPAE && l == 3))
			all |= 1U << (l - 1);
	return all;
}

static void ad_clear(unsigned long va, int leaf)
{
	for (int l = F.levels; l >= leaf; l--) {
		unsigned long ea;

		if (F.mode == MPAE && l == 3)
			continue;
		ea = ea_of(root1, va, l);
		ent_wr(ea, ent_rd(ea) & ~(PTE_A | PTE_D));
	}
}

static void test_ad(void)
{
	unsigned long va = TV;
	unsigned int all = ad_levels(1), a, d;
	uint32_t v;
	int f;

	fill(frame_pa(0), 0xad000000);
	map(root1, va, frame_pa(0), 1, PTE_P | PTE_W);
	ad_clear(va, 1);
	flush_all();

	f = probe_read(va + 8, &v);
	a = ad_bits(va, 1, PTE_A);
	d = ad_bits(va, 1, PTE_D) & 1;
	tap_ok(no_fault(f, "read") && v == pat(0xad000000, 8),
	       "A/D: read through a fresh mapping");
	tap_ok(a == all, "A/D: a read sets A at every level (levels %#x of %#x)",
	       a, all);
	tap_ok(!d, "A/D: a read leaves D clear in the PTE");

	f = probe_write(va + 8, 0x5a5a0001);
	d = ad_bits(va, 1, PTE_D) & 1;
	tap_ok(no_fault(f, "write") && d, "A/D: a write sets D in the PTE");

	/* cleared by the guest + INVLPG: the next walk sets them again */
	ad_clear(va, 1);
	invlpg(va);
	f = probe_read(va + 8, &v);
	a = ad_bits(va, 1, PTE_A);
	d = ad_bits(va, 1, PTE_D) & 1;
	tap_ok(!f && v == 0x5a5a0001 && a == all && !d,
	       "A/D: cleared + INVLPG, a read sets A again at every level (%#x), not D",
	       a);
	f = probe_write(va + 12, 0x5a5a0002);
	tap_ok(!f && (ad_bits(va, 1, PTE_D) & 1),
	       "A/D: then a write sets D again");

	/* a write first, after a CR3 flush: A and D together */
	ad_clear(va, 1);
	flush_all();
	f = probe_write(va + 16, 0x5a5a0003);
	a = ad_bits(va, 1, PTE_A);
	d = ad_bits(va, 1, PTE_D) & 1;
	tap_ok(!f && a == all && d,
	       "A/D: cleared + CR3 write, a first write sets A (%#x) and D", a);
	tap_ok(*(volatile uint32_t *)(frame_pa(0) + 16) == 0x5a5a0003,
	       "A/D: the write reached the frame");
}

static void test_pf_codes(void)
{
	unsigned long va = TV + 0x1000, ro = TV + 0x2000, rsv = TV + 0x800000;
	uint32_t v;
	int f;

	/* not present: P=0; W is the access (§4.7) */
	ent_wr(ea_of(root1, va, 1), 0);
	invlpg(va);
	f = probe_read(va + 0x10, &v);
	tap_ok(f && pf_is(0, va + 0x10), "#PF: read of a not-present page: error 0, CR2");
	f = probe_write(va + 0x14, 1);
	tap_ok(f && pf_is(PF_W, va + 0x14),
	       "#PF: write to a not-present page: error W, CR2");

	/* a not-present entry above the PTE (the PDE; in 4-level the PML4E) */
	f = probe_read(TV + 0x3ff000 + 0x400000, &v);
	tap_ok(f && pf_is(0, TV + 0x7ff000),
	       "#PF: read where the PDE is not present: error 0, CR2");
#ifdef __x86_64__
	{
		unsigned long hi = 0xffff800000001234UL;

		f = probe_write(hi, 2);
		tap_ok(f && pf_is(PF_W, hi),
		       "#PF: write at a high canonical address: all 64 bits of CR2");
	}
#endif

	/* protection: read-only page, CR0.WP=1 */
	fill(frame_pa(1), 0x0f000000);
	map(root1, ro, frame_pa(1), 1, PTE_P);
	invlpg(ro);
	write_cr0(read_cr0() | CR0_WP);
	f = probe_read(ro + 4, &v);
	tap_ok(no_fault(f, "read-only read") && v == pat(0x0f000000, 4),
	       "#PF: read of a read-only page succeeds");
	f = probe_write(ro + 4, 3);
	tap_ok(f && pf_is(PF_P | PF_W, ro + 4),
	       "#PF: write to a read-only page (WP=1): error P|W, CR2");

	/*
	 * Reserved bit: 32-bit paging, a 4 MiB PDE's bit 21 (Table 4-4);
	 * PAE and 4-level, a 2 MiB PDE's bits 20:13 (Tables 4-9, 4-18).
	 * Error P|RSVD (+W), whatever the access (§4.7).
	 */
	if (F.mode != M32 || cpu.pse) {
		uint64_t bad = F.mode == M32 ? 1ULL << 21 : 1ULL << 13;

		map(root1, rsv, LARGE_PA, 2, PTE_P | PTE_W | bad);
		invlpg(rsv);
		f = probe_read(rsv + 0x1000, &v);
		tap_ok(f && pf_is_rsvd(PF_P | PF_RSVD, rsv + 0x1000),
		       "#PF: read through a large-page PDE with reserved bit %d: error P|RSVD, CR2",
		       F.mode == M32 ? 21 : 13);
		f = probe_write(rsv + 0x2000, 4);
		tap_ok(f && pf_is_rsvd(PF_P | PF_W | PF_RSVD, rsv + 0x2000),
		       "#PF: write through it: error P|W|RSVD, CR2");
		ent_wr(ea_of(root1, rsv, 2), 0);
		invlpg(rsv);
	} else {
		tap_ok(1, "#PF: reserved bit # SKIP no PSE: no large PDE to test");
		tap_ok(1, "#PF: reserved bit write # SKIP no PSE");
	}
}

static void test_wp(void)
{
	unsigned long va = TV + 0x3000;
	uint32_t v;
	int f;

	fill(frame_pa(2), 0x3b000000);
	map(root1, va, frame_pa(2), 1, PTE_P);
	invlpg(va);

	write_cr0(read_cr0() | CR0_WP);
	f = probe_write(va + 0x40, 0x11);
	tap_ok(f && pf_is(PF_P | PF_W, va + 0x40),
	       "WP=1: supervisor write to a read-only page faults (P|W)");
	tap_ok(*(volatile uint32_t *)(frame_pa(2) + 0x40) == pat(0x3b000000, 0x40),
	       "WP=1: the frame is unchanged");

	write_cr0(read_cr0() & ~CR0_WP);
	f = probe_write(va + 0x40, 0x22);
	tap_ok(no_fault(f, "WP=0 write") &&
	       *(volatile uint32_t *)(frame_pa(2) + 0x40) == 0x22,
	       "WP=0: supervisor write to a read-only page succeeds");
	tap_ok(ent_rd(ea_of(root1, va, 1)) & PTE_D,
	       "WP=0: and sets D in the read-only PTE");
	f = probe_read(va + 0x40, &v);
	tap_ok(!f && v == 0x22, "WP=0: read back through the page");

	/* back to WP=1: the TLB entry may say writable, so invalidate (§4.10.4.3) */
	write_cr0(read_cr0() | CR0_WP);
	invlpg(va);
	f = probe_write(va + 0x44, 0x33);
	tap_ok(f && pf_is(PF_P | PF_W, va + 0x44),
	       "WP=1 again: the write faults again");
}

static void test_nx(void)
{
	unsigned long code = TV + 0x4000, rsv = TV + 0x5000;
	uint32_t v;
	int f;

	if (F.mode == M32) {
		tap_diag("NX: 32-bit paging has no XD bit (§4.3)");
		return;
	}
	if (!cpu.nx) {
		tap_ok(1, "NX # SKIP CPUID.80000001H:EDX[20] (NX) not offered");
		return;
	}
	memset((void *)frame_pa(3), 0xc3, 4096);	/* RET */
	map(root1, code, frame_pa(3), 1, PTE_P);
	invlpg(code);

	set_nxe(1);
	f = probe_exec(code);
	tap_ok(no_fault(f, "exec"), "NX: NXE=1, a fetch from an executable page runs");
	ent_wr(ea_of(root1, code, 1), frame_pa(3) | PTE_P | PTE_NX);
	invlpg(code);
	f = probe_exec(code);
	tap_ok(f && pf_is(PF_P | PF_I, code),
	       "NX: NXE=1, a fetch from an XD page faults: error P|I/D, CR2");
	f = probe_read(code, &v);
	tap_ok(no_fault(f, "read XD") && v == 0xc3c3c3c3,
	       "NX: reading the XD page succeeds");
	/* XD in a non-leaf entry covers everything below it (§4.6) */
	ent_wr(ea_of(root1, code, 1), frame_pa(3) | PTE_P);
	{
		unsigned long pde = ea_of(root1, code, 2);

		ent_wr(pde, ent_rd(pde) | PTE_NX);
		flush_all();
		f = probe_exec(code);
		tap_ok(f && pf_is(PF_P | PF_I, code),
		       "NX: XD in the PDE alone: the fetch faults (P|I/D)");
		ent_wr(pde, ent_rd(pde) & ~PTE_NX);
		flush_all();
	}

	/* NXE=0: bit 63 is reserved (Tables 4-7..4-11, 4-14..4-19) */
	set_nxe(0);
	fill(frame_pa(4), 0x4e000000);
	map(root1, rsv, frame_pa(4), 1, PTE_P | PTE_W | PTE_NX);
	invlpg(rsv);
	f = probe_read(rsv + 8, &v);
	tap_ok(f && pf_is_rsvd(PF_P | PF_RSVD, rsv + 8),
	       "NX: NXE=0, bit 63 set: a read faults with P|RSVD, CR2");
	f = probe_exec(code);
	tap_ok(no_fault(f, "NXE=0 exec"),
	       "NX: NXE=0, a fetch (no XD) runs, no I/D semantics");
	ent_wr(ea_of(root1, rsv, 1), 0);
	invlpg(rsv);
	set_nxe(1);
}

static void test_smep_smap(void)
{
	unsigned long ucode = TV + 0x6000, udata = TV + 0x7000;
	uint32_t v;
	int f;

	if (!cpu.smep) {
		tap_ok(1, "SMEP # SKIP CPUID.7.0:EBX[7] (SMEP) not offered");
	} else {
		memset((void *)frame_pa(5), 0xc3, 4096);
		map(root1, ucode, frame_pa(5), 1, PTE_P | PTE_U);
		invlpg(ucode);
		f = probe_exec(ucode);
		tap_ok(no_fault(f, "exec user page, SMEP=0"),
		       "SMEP=0: supervisor fetch from a user page runs");
		write_cr4(read_cr4() | CR4_SMEP);
		f = probe_exec(ucode);
		/* I/D is set when CR4.SMEP=1, in every paging mode (§4.7) */
		tap_ok(f && pf_is(PF_P | PF_I, ucode),
		       "SMEP=1: supervisor fetch from a user page faults: P|I/D, CR2");
		write_cr4(read_cr4() & ~CR4_SMEP);
		f = probe_exec(ucode);
		tap_ok(no_fault(f, "SMEP off again"), "SMEP=0 again: it runs");
	}
	if (!cpu.smap) {
		tap_ok(1, "SMAP # SKIP CPUID.7.0:EBX[20] (SMAP) not offered");
		return;
	}
	fill(frame_pa(6), 0x5a000000);
	map(root1, udata, frame_pa(6), 1, PTE_P | PTE_W | PTE_U);
	invlpg(udata);
	write_cr4(read_cr4() | CR4_SMAP);
	asm volatile("clac" : : : "memory");
	f = probe_read(udata + 4, &v);
	tap_ok(f && pf_is(PF_P, udata + 4),
	       "SMAP=1, AC=0: supervisor read of a user page faults: P, CR2");
	f = probe_write(udata + 8, 1);
	tap_ok(f && pf_is(PF_P | PF_W, udata + 8),
	       "SMAP=1, AC=0: supervisor write to a user page faults: P|W, CR2");
	asm volatile("stac" : : : "memory");
	f = probe_read(udata + 4, &v);
	tap_ok(no_fault(f, "SMAP AC=1 read") && v == pat(0x5a000000, 4),
	       "SMAP=1, AC=1: the read succeeds");
	asm volatile("clac" : : : "memory");
	write_cr4(read_cr4() & ~CR4_SMAP);
	f = probe_read(udata + 4, &v);
	tap_ok(no_fault(f, "SMAP=0 read"), "SMAP=0: the read succeeds");
}

/* VA maps through a large page onto LARGE_PA..: alias checks both ways */
static void large_alias(unsigned long va, unsigned long pa, unsigned long size,
			int level, const char *what, const unsigned long *offs,
			unsigned int n)
{
	unsigned long pd;
	int ok = 1, f;
	uint32_t v;

	for (unsigned int i = 0; i < n; i++) {
		if (offs[i] >= size || pa + offs[i] >= IDENT_END)
			continue;
		*(volatile uint32_t *)(pa + offs[i]) = 0x1a000000 + i;
		f = probe_read(va + offs[i], &v);
		if (f || v != 0x1a000000 + i) {
			tap_diag("%s: +%#lx read %#x (fault %d)", what, offs[i],
				 (unsigned int)v, f);
			ok = 0;
		}
		f = probe_write(va + offs[i] + 0x10, 0x1b000000 + i);
		if (f || *(volatile uint32_t *)(pa + offs[i] + 0x10) != 0x1b000000 + i) {
			tap_diag("%s: +%#lx write lost (fault %d)", what,
				 offs[i] + 0x10, f);
			ok = 0;
		}
	}
	tap_ok(ok, "%s: reads and writes through it alias the 4 KiB-mapped frames",
	       what);
	pd = ea_of(root1, va, level);
	tap_ok((ent_rd(pd) & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
	       "%s: A and D set in the large-page entry", what);
}

static void test_large(void)
{
	static const unsigned long offs[] = { 0, 0x1000, 0x1ff004, 0x3ff008 };
	unsigned long size;
	uint32_t v;
	int f;

	if (F.mode == M32 && !cpu.pse) {
		tap_ok(1, "large pages # SKIP CPUID.1:EDX[3] (PSE) not offered");
	} else {
		size = F.mode == M32 ? 4 * MiB : 2 * MiB;
		map(root1, TLARGE, LARGE_PA, 2, PTE_P | PTE_W);
		invlpg(TLARGE);
		large_alias(TLARGE, LARGE_PA, size, 2,
			    F.mode == M32 ? "4 MiB page" : "2 MiB page",
			    offs, ARRAY_SIZE(offs));
		/* the last 4 KiB of the page, and the address just past it */
		f = probe_read(TLARGE + size - 4, &v);
		tap_ok(no_fault(f, "end of large page"),
		       "large page: its last dword is mapped");
		f = probe_read(TLARGE + size, &v);
		tap_ok(f && pf_is(0, TLARGE + size),
		       "large page: the address just past it is not mapped (error 0)");
		/* one INVLPG removes the whole large translation (§4.10.4.1) */
		ent_wr(ea_of(root1, TLARGE, 2), 0);
		invlpg(TLARGE + 0x1000);
		f = probe_read(TLARGE + 0x1000, &v);
		tap_ok(f && pf_is(0, TLARGE + 0x1000),
		       "large page: cleared + INVLPG: not present");
		invlpg(TLARGE);
	}
#ifdef __x86_64__
	if (!cpu.gb) {
		tap_ok(1, "1 GiB page # SKIP CPUID.80000001H:EDX[26] not offered");
		return;
	}
	/* VA 1 TiB + 0 .. 1 GiB -> PA 0 .. 1 GiB (only RAM is touched) */
	{
		unsigned long va = 2UL << 39 | 0x40000000UL;	/* PML4 2, PDPT 1 */
		/* offsets = physical addresses: our own frames, not loader data */
		unsigned long gb_offs[] = { frame_pa(7), frame_pa(7) + 0x804,
					    LARGE_PA + 0x2000, LARGE_PA + 0x3ff00c };

		map(root1, va, 0, 3, PTE_P | PTE_W);
		invlpg(va);
		large_alias(va, 0, 1UL << 30, 3, "1 GiB page", gb_offs,
			    ARRAY_SIZE(gb_offs));
		/* far into the page, beyond 4 MiB */
		*(volatile uint32_t *)(LARGE_PA + 0x100) = 0x1c0ffee;
		f = probe_read(va + LARGE_PA + 0x100, &v);
		tap_ok(!f && v == 0x1c0ffee, "1 GiB page: PA 8 MiB through it");
		ent_wr(ea_of(root1, va, 3), 0);
		invlpg(va);
	}
#endif
}

/*
 * Self-reference.  32-bit: PDE R = the PD: the PTE of va is at
 * (R << 22) | (va >> 10 & ~3).  PAE: PD0 (first GiB) entry R = PD0: the PTE
 * of va (< 1 GiB) at (R << 21) | (va >> 9 & ~7).  4-level: PML4E R = PML4:
 * (R << 39) | (va >> 9 & ~7), bits 38:3.
 */
static unsigned long rec_slot_span(void)
{
	return F.mode == M32 ? 22 : F.mode == MPAE ? 21 : 39;
}

static unsigned long rec_pte(unsigned long va, unsigned int r)
{
	unsigned int span = rec_slot_span();
	unsigned long mask = ((1UL << span) - 1) & ~(unsigned long)(F.esize - 1);

	return ((unsigned long)r << span) |
	       ((va >> (F.esize == 4 ? 10 : 9)) & mask);
}

static uint64_t rec_read(unsigned long ea)
{
	uint32_t lo, hi = 0;
	int f = probe_read(ea, &lo);

	if (!f && F.esize == 8)
		f = probe_read(ea + 4, &hi);
	if (f)
		tap_diag("fault reading %#lx through the recursive slot", ea);
	return lo | (uint64_t)hi << 32;
}

/*
 * LOCK CMPXCHG8B (PAE) or CMPXCHG16B (4-level) at ea, a table entry seen
 * through the recursive slot: exp = EDX:EAX / RDX:RAX (given back as the
 * CPU leaves it), nw = ECX:EBX / RCX:RBX; *zf the result's ZF (SDM vol. 2A
 * CMPXCHG8B/CMPXCHG16B).  Nonzero when it faulted.
 */
static int probe_cmpxchg_wide(unsigned long ea, uint64_t *exp,
			      const uint64_t *nw, int *zf)
{
	int z;

	fault_reset();
	fault_mark = fault_count;
#ifdef __x86_64__
	asm volatile("1: lock cmpxchg16b (%[p])\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(exp[0]), "+d"(exp[1]), "=@ccz"(z)
		     : [p] "r"(ea), "b"(nw[0]), "c"(nw[1]) : "memory", "cc");
#else
	uint32_t lo = exp[0], hi = exp[0] >> 32;

	asm volatile("1: lock cmpxchg8b (%[p])\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi), "=@ccz"(z)
		     : [p] "r"(ea), "b"((uint32_t)nw[0]), "c"((uint32_t)(nw[0] >> 32))
		     : "memory", "cc");
	exp[0] = lo | (uint64_t)hi << 32;
#endif
	*zf = z;
	return faulted();
}

/*
 * Two unused entries of the self-referencing table itself (PAE: PD0's
 * 508; 4-level: the PML4's 234 and 235), written through the slot with
 * one locked compare-and-exchange: the address's own walk goes through
 * the table it writes, so shadow paging cannot let the write run natively
 * and emulates it (shadow_rmw.c).  First with a stale expectation
 * (nothing stored, the CPU hands back what is there), then with the right
 * one.  The values are not present: nothing maps through them.
 */
static void test_selfref_locked(unsigned int r, unsigned long self_table)
{
	const char *insn = F.mode == M64 ? "CMPXCHG16B" : "CMPXCHG8B";
	unsigned int i = F.mode == M64 ? 234 : 508;
	unsigned int n = F.mode == M64 ? 2 : 1;
	unsigned long top, ea;
	uint64_t cur[2], exp[2], nw[2] = { 0x5a5a5000, 0x6b6b6000 };
	int f, zf, ok;

#ifdef __x86_64__
	if (!(cpuid(1).ecx & (1U << 13))) {
		tap_ok(1, "self-ref: LOCK CMPXCHG16B # SKIP CPUID.1:ECX[13] (CX16) not offered");
		return;
	}
	top = (unsigned long)r << 39 | (unsigned long)r << 30 |
	      (unsigned long)r << 21 | (unsigned long)r << 12;
#else
	top = (unsigned long)r << 21 | (unsigned long)r << 12;
#endif
	ea = top + i * 8;
	cur[0] = ent_rd(self_table + i * 8);
	cur[1] = ent_rd(self_table + (i + 1) * 8);
	exp[0] = cur[0] ^ 0x1000;		/* stale */
	exp[1] = cur[1];
	f = probe_cmpxchg_wide(ea, exp, nw, &zf);
	tap_ok(no_fault(f, insn) && !zf && exp[0] == cur[0] &&
	       (n == 1 || exp[1] == cur[1]) &&
	       ent_rd(self_table + i * 8) == cur[0],
	       "self-ref: LOCK %s on the table through itself, stale expectation: ZF clear, nothing stored, the entries handed back",
	       insn);
	f = probe_cmpxchg_wide(ea, exp, nw, &zf);
	ok = no_fault(f, insn) && zf && ent_rd(self_table + i * 8) == nw[0] &&
	     (n == 1 ? ent_rd(self_table + (i + 1) * 8) == cur[1] :
		       ent_rd(self_table + (i + 1) * 8) == nw[1]);
	tap_ok(ok, "self-ref: LOCK %s on the table through itself, right expectation: ZF, %s stored",
	       insn, n == 1 ? "the entry" : "both entries");
	ent_wr(self_table + i * 8, cur[0]);
	ent_wr(self_table + (i + 1) * 8, cur[1]);
	flush_all();
}

static void test_selfref(void)
{
	unsigned long va = TSELF, self_table, slot_ea, e1, e2;
	unsigned int r;
	uint64_t want, got;
	uint32_t v;
	int f, ok;

	fill(frame_pa(0), 0x5e000000);
	fill(frame_pa(1), 0x5f000000);
	map(root1, va, frame_pa(0), 1, PTE_P | PTE_W);
	if (F.mode == MPAE) {
		r = 511;
		self_table = (unsigned long)(ent_rd(ea_of(root1, 0, 3)) & PTE_ADDR);
	} else {
		r = F.mode == M32 ? 1023 : 237;
		self_table = root1;
	}
	slot_ea = self_table + r * F.esize;
	ent_wr(slot_ea, self_table | PTE_P | PTE_W);
	flush_all();

	e1 = rec_pte(va, r);
	want = ent_rd(ea_of(root1, va, 1));
	got = rec_read(e1);
	tap_ok(got == want, "self-ref: the PTE read through slot %u (%#lx) = %#llx, direct %#llx",
	       r, e1, (unsigned long long)got, (unsigned long long)want);
	e2 = rec_pte(e1, r);
	want = ent_rd(ea_of(root1, va, 2));
	got = rec_read(e2);
	tap_ok(got == want, "self-ref: the PDE read through it twice (%#lx)", e2);
	if (F.mode == M64) {
		unsigned long e4 = rec_pte(rec_pte(e2, r), r);

		got = rec_read(e4);
		want = ent_rd(ea_of(root1, va, 4));
		tap_ok(got == want, "self-ref: the PML4E read through it four times (%#lx)",
		       e4);
	}

	/* change the PTE through the recursive mapping, then INVLPG */
	f = probe_read(va, &v);
	ok = !f && v == pat(0x5e000000, 0);
	if (F.esize == 8)
		f = probe_write(e1 + 4, 0);
	if (!f)
		f = probe_write(e1, (uint32_t)(frame_pa(1) | PTE_P | PTE_W));
	invlpg(va);
	ok = ok && no_fault(f, "write through the slot");
	f = probe_read(va + 0x20, &v);
	tap_ok(ok && !f && v == pat(0x5f000000, 0x20),
	       "self-ref: a PTE written through the slot maps the new frame after INVLPG");
	tap_ok((ent_rd(ea_of(root1, va, 1)) & PTE_ADDR) == frame_pa(1),
	       "self-ref: the direct view of the table shows the change");
	tap_ok(ent_rd(slot_ea) & PTE_A, "self-ref: the recursive entry has A set");
	if (F.esize == 8)
		test_selfref_locked(r, self_table);

	ent_wr(slot_ea, 0);
	flush_all();
	f = probe_read(e1, &v);
	tap_ok(f && pf_is(0, e1), "self-ref: slot removed, its addresses fault again");
}

static void test_stale_and_invlpg(void)
{
	unsigned long a = TSWITCH, b = TSWITCH + 0x1000;
	uint32_t v1, v2;
	int f;

	fill(frame_pa(0), 0xa0000000);
	fill(frame_pa(1), 0xa1000000);
	fill(frame_pa(2), 0xa2000000);
	fill(frame_pa(3), 0xa3000000);
	map(root1, a, frame_pa(0), 1, PTE_P | PTE_W);
	map(root1, b, frame_pa(2), 1, PTE_P | PTE_W);
	flush_all();
	f = probe_read(a, &v1) | probe_read(b, &v2);
	tap_ok(!f && v1 == pat(0xa0000000, 0) && v2 == pat(0xa2000000, 0),
	       "stale: two pages mapped and read (TLB filled)");

	/* the PTE changes, no INVLPG: old or new (§4.10.4.3); CR3 write: new */
	ent_wr(ea_of(root1, a, 1), frame_pa(1) | PTE_P | PTE_W);
	ent_wr(ea_of(root1, b, 1), frame_pa(3) | PTE_P | PTE_W);
	f = probe_read(a, &v1);
	tap_diag("stale: before any flush %#lx reads the %s frame", a,
		 f ? "(faulted!)" : v1 == pat(0xa0000000, 0) ? "old" :
		 v1 == pat(0xa1000000, 0) ? "new" : "(neither!)");
	tap_ok(!f && (v1 == pat(0xa0000000, 0) || v1 == pat(0xa1000000, 0)),
	       "stale: before a flush the old or the new frame is seen");

	invlpg(b);
	f = probe_read(b + 4, &v2);
	tap_ok(!f && v2 == pat(0xa3000000, 4),
	       "INVLPG: the invalidated page shows its new frame");

	flush_all();
	f = probe_read(a + 4, &v1);
	tap_ok(!f && v1 == pat(0xa1000000, 4),
	       "stale: after a CR3 write (no INVLPG) the new frame is seen");

	/* the same through a not-present -> present change needs no flush */
	ent_wr(ea_of(root1, a, 1), 0);
	invlpg(a);
	f = probe_read(a, &v1);
	tap_ok(f && pf_is(0, a), "INVLPG: a page made not present faults");
	ent_wr(ea_of(root1, a, 1), frame_pa(0) | PTE_P | PTE_W);
	f = probe_read(a + 8, &v1);
	tap_ok(!f && v1 == pat(0xa0000000, 8),
	       "not present -> present without INVLPG: the new entry is used (§4.10.4.3)");
}

/*
 * Global pages (CR4.PGE, PTE.G): a CR3 write may keep them (§4.10.2.4: it
 * need not flush them, so either value is allowed); INVLPG of the page and
 * a CR4.PGE toggle must flush them (§4.10.4.1).
 */
#define PTE_G		0x100ULL

static void test_global(void)
{
	unsigned long va = TSWITCH + 0x5000, ea;
	uint32_t v;
	int f;

	if (!(cpuid(1).edx & (1U << 13))) {
		tap_ok(1, "global pages # SKIP CPUID.1:EDX[13] (PGE) not offered");
		return;
	}
	fill(frame_pa(0), 0x91000000);
	fill(frame_pa(1), 0x92000000);
	fill(frame_pa(2), 0x93000000);
	write_cr4(read_cr4() | CR4_PGE);
	ea = ea_of(root1, va, 1);
	ent_wr(ea, frame_pa(0) | PTE_P | PTE_W | PTE_G);
	invlpg(va);
	f = probe_read(va, &v);
	tap_ok(!f && v == pat(0x91000000, 0), "global: a global page is mapped");
	ent_wr(ea, frame_pa(1) | PTE_P | PTE_W | PTE_G);
	flush_all();
	f = probe_read(va, &v);
	tap_diag("global: after a CR3 write the page reads the %s frame",
		 f ? "(faulted!)" : v == pat(0x91000000, 0) ? "old (kept)" :
		 v == pat(0x92000000, 0) ? "new" : "(neither!)");
	tap_ok(!f && (v == pat(0x91000000, 0) || v == pat(0x92000000, 0)),
	       "global: after a CR3 write the old or the new frame is seen");
	invlpg(va);
	f = probe_read(va + 4, &v);
	tap_ok(!f && v == pat(0x92000000, 4), "global: INVLPG flushes the global page");
	ent_wr(ea, frame_pa(2) | PTE_P | PTE_W | PTE_G);
	write_cr4(read_cr4() & ~CR4_PGE);
	write_cr4(read_cr4() | CR4_PGE);
	f = probe_read(va + 8, &v);
	tap_ok(!f && v == pat(0x93000000, 8), "global: a CR4.PGE toggle flushes it");
	ent_wr(ea, 0);
	write_cr4(read_cr4() & ~CR4_PGE);
}

static void test_cr3_switch(void)
{
	unsigned long root2 = as_new(), va = TSWITCH + 0x2000;
	int ok = 1, f;
	uint32_t v;

	fill(frame_pa(4), 0xc1000000);
	fill(frame_pa(5), 0xc2000000);
	map(root1, va, frame_pa(4), 1, PTE_P | PTE_W);
	map(root2, va, frame_pa(5), 1, PTE_P | PTE_W);
	for (int round = 0; round < 8; round++) {
		unsigned long off = round * 0x40;

		write_cr3(root2);
		f = probe_read(va + off, &v);
		if (f || v != pat(0xc2000000, off)) {
			tap_diag("round %d: space 2 read %#x", round, (unsigned int)v);
			ok = 0;
		}
		probe_write(va + off + 4, 0x20000 + round);
		write_cr3(root1);
		f = probe_read(va + off, &v);
		if (f || v != pat(0xc1000000, off)) {
			tap_diag("round %d: space 1 read %#x", round, (unsigned int)v);
			ok = 0;
		}
		probe_write(va + off + 8, 0x10000 + round);
	}
	tap_ok(ok, "CR3: two address spaces, the same address, switched 8 times both ways");
	ok = 1;
	for (int round = 0; round < 8; round++) {
		unsigned long off = round * 0x40;

		if (*(volatile uint32_t *)(frame_pa(5) + off + 4) != 0x20000 + round ||
		    *(volatile uint32_t *)(frame_pa(4) + off + 8) != 0x10000 + round ||
		    *(volatile uint32_t *)(frame_pa(4) + off + 4) != pat(0xc1000000, off + 4) ||
		    *(volatile uint32_t *)(frame_pa(5) + off + 8) != pat(0xc2000000, off + 8))
			ok = 0;
	}
	tap_ok(ok, "CR3: each space's writes reached its own frame only");
	/* a page only space 2 maps faults in space 1 */
	map(root2, va + 0x1000, frame_pa(5), 1, PTE_P);
	write_cr3(root2);
	f = probe_read(va + 0x1000, &v);
	write_cr3(root1);
	ok = !f && v == pat(0xc2000000, 0);
	f = probe_read(va + 0x1000, &v);
	tap_ok(ok && f && pf_is(0, va + 0x1000),
	       "CR3: a page mapped only in space 2 faults in space 1");
}

/*
 * CPL 3.  Our own GDT: kernel code 0x08 and data 0x10 as the start code
 * had them, user code 0x1b and data 0x23 (DPL 3), a TSS at 0x28 whose
 * ESP0/RSP0 is the stack the CPU switches to on a fault from CPL 3 (SDM
 * Vol. 3A §6.12.1, §7.7).  user_enter() IRETs to a stub in a user page
 * that does one access and INT 0x81 (a DPL-3 gate) back; the 0x81 handler
 * calls user_return(), which restores user_enter()'s caller.  A #PF at
 * CPL 3 in the stub skips the 2-byte instruction.
 *
 * Stub (the same bytes in 32- and 64-bit code): +0 mov (%ebx/%rbx),%eax;
 * +2 int $0x81; +4 mov %ecx,(%ebx/%rbx); +6 int $0x81.
 */
static const uint8_t user_stub[] = { 0x8b, 0x03, 0xcd, 0x81,
				     0x89, 0x0b, 0xcd, 0x81 };
#define USER_VEC	0x81

static uint64_t gdt[8] __aligned(16);
static uint32_t tss[32] __aligned(16);	/* 104 bytes + room */
static uint8_t trap_stack[8192] __aligned(16);
unsigned long user_ksp;			/* user_enter()'s stack, for user_return */

unsigned long user_enter(unsigned long eip, unsigned long esp,
			 unsigned long ebx, unsigned long ecx);
void __noreturn user_return(unsigned long value);

#ifdef __x86_64__
asm(".text\n"
    ".globl user_enter\n"
    "user_enter:\n\t"
    "pushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\t"
    "pushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
    "movq %rsp, user_ksp(%rip)\n\t"
    "movq %rdx, %rbx\n\t"
    "pushq $0x23\n\tpushq %rsi\n\tpushq $0x2\n\t"
    "pushq $0x1b\n\tpushq %rdi\n\t"
    "iretq\n"
    ".globl user_return\n"
    "user_return:\n\t"
    "movw $0x10, %ax\n\tmovw %ax, %ss\n\t"
    "movq user_ksp(%rip), %rsp\n\t"
    "movq %rdi, %rax\n\t"
    "popq %r15\n\tpopq %r14\n\tpopq %r13\n\t"
    "popq %r12\n\tpopq %rbx\n\tpopq %rbp\n\t"
    "ret\n");
#else
asm(".text\n"
    ".globl user_enter\n"
    "user_enter:\n\t"
    "pushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n\t"
    "movl %esp, user_ksp\n\t"
    "movl 20(%esp), %eax\n\t"		/* eip */
    "movl 24(%esp), %edx\n\t"		/* esp */
    "movl 28(%esp), %ebx\n\t"
    "movl 32(%esp), %ecx\n\t"
    "pushl $0x23\n\tpushl %edx\n\tpushl $0x2\n\t"
    "pushl $0x1b\n\tpushl %eax\n\t"
    "movw $0x23, %dx\n\tmovw %dx, %ds\n\tmovw %dx, %es\n\t"
    "iretl\n"
    ".globl user_return\n"
    "user_return:\n\t"
    "movl 4(%esp), %eax\n\t"
    "movw $0x10, %dx\n\tmovw %dx, %ds\n\tmovw %dx, %es\n\t"
    "movl user_ksp, %esp\n\t"
    "popl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\t"
    "ret\n");
#endif

static unsigned long user_code;
static struct fault_record user_fault;	/* the stub's #PF (INT 0x81 follows) */
static unsigned int user_faults;

static int user_vec_handler(struct trap_frame *f)
{
	user_return(F_AX(f));
}

static int user_pf(struct trap_frame *f)
{
	if ((f->cs & 3) == 3 && f->eip >= user_code && f->eip < user_code + 8) {
		user_fault.vector = last_fault.vector;
		user_fault.error = last_fault.error;
		user_fault.eip = last_fault.eip;
		user_fault.cr2 = last_fault.cr2;
		user_faults++;
		f->eip += 2;
		return 1;
	}
	return pf_handler(f);
}

static void user_init(void)
{
	struct {
		uint16_t limit;
		unsigned long base;
	} __attribute__((packed)) gp = { sizeof(gdt) - 1, (unsigned long)gdt };
	unsigned long t = (unsigned long)tss;
	unsigned long top = (unsigned long)trap_stack + sizeof(trap_stack);

	memset(tss, 0, sizeof(tss));
#ifdef __x86_64__
	gdt[1] = 0x00af9a000000ffffULL;		/* kernel code, L=1 */
	gdt[3] = 0x00affa000000ffffULL;		/* user code, L=1, DPL 3 */
	*(uint64_t *)((uint8_t *)tss + 4) = top;	/* RSP0 */
	((uint16_t *)tss)[51] = 104;		/* I/O map base: none */
	gdt[6] = t >> 32;			/* TSS descriptor, upper half */
#else
	gdt[1] = 0x00cf9a000000ffffULL;		/* kernel code, 32-bit */
	gdt[3] = 0x00cffa000000ffffULL;		/* user code, DPL 3 */
	tss[1] = top;				/* ESP0 */
	tss[2] = 0x10;				/* SS0 */
	((uint16_t *)tss)[51] = 104;
#endif
	gdt[2] = 0x00cf92000000ffffULL;		/* kernel data */
	gdt[4] = 0x00cff2000000ffffULL;		/* user data, DPL 3 */
	/* available TSS (type 9), present, limit 103 */
	gdt[5] = 103 | (uint64_t)(t & 0xffffff) << 16 | 0x89ULL << 40 |
		 (uint64_t)((t >> 24) & 0xff) << 56;
	asm volatile("lgdt %0\n\t"
		     "mov $0x10, %%ax\n\t"
		     "mov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss\n\t"
		     "mov $0x28, %%ax\n\tltr %%ax"
		     : : "m"(gp) : "eax", "memory");
	trap_allow_user(USER_VEC);
	trap_set_handler(USER_VEC, user_vec_handler);
	trap_set_handler(X86_TRAP_PF, user_pf);
}

/* one user-mode access: 0 read, 1 write; nonzero when it faulted */
static int user_access(unsigned long va, int write, uint32_t *val)
{
	unsigned long r;

	user_faults = 0;
	r = user_enter(user_code + (write ? 4 : 0), TV + 0xb000, va, *val);
	if (!write)
		*val = (uint32_t)r;
	/* what the caller checks: the stub's fault, not the INT 0x81 */
	fault_reset();
	if (user_faults) {
		last_fault.vector = user_fault.vector;
		last_fault.error = user_fault.error;
		last_fault.eip = user_fault.eip;
		last_fault.cr2 = user_fault.cr2;
	}
	return user_faults != 0;
}

static void test_user(void)
{
	unsigned long sup = TV + 0x8000, uro = TV + 0x9000, urw = TV + 0xa000;
	unsigned long np = TV + 0xc000;
	uint32_t v = 0;
	int f;

	user_code = TV + 0xd000;
	memcpy((void *)frame_pa(8), user_stub, sizeof(user_stub));
	map(root1, user_code, frame_pa(8), 1, PTE_P | PTE_U);
	map(root1, TV + 0xa000, frame_pa(9), 1, PTE_P | PTE_W | PTE_U);
	fill(frame_pa(10), 0x75000000);
	fill(frame_pa(11), 0x73000000);
	map(root1, sup, frame_pa(11), 1, PTE_P | PTE_W);
	map(root1, uro, frame_pa(10), 1, PTE_P | PTE_U);
	ent_wr(ea_of(root1, np, 1), 0);
	flush_all();

	f = user_access(uro + 0x10, 0, &v);
	tap_ok(no_fault(f, "user read") && v == pat(0x75000000, 0x10),
	       "user: CPL 3 read of a user page");
	v = 0x600d;
	f = user_access(urw + 0x20, 1, &v);
	tap_ok(no_fault(f, "user write") &&
	       *(volatile uint32_t *)(frame_pa(9) + 0x20) == 0x600d,
	       "user: CPL 3 write to a writable user page");
	f = user_access(sup + 0x30, 0, &v);
	tap_ok(f && pf_is(PF_P | PF_U, sup + 0x30),
	       "#PF: CPL 3 read of a supervisor page: error P|U, CR2");
	f = user_access(uro + 0x34, 1, &v);
	tap_ok(f && pf_is(PF_P | PF_W | PF_U, uro + 0x34),
	       "#PF: CPL 3 write to a read-only user page: error P|W|U, CR2");
	write_cr0(read_cr0() & ~CR0_WP);
	f = user_access(uro + 0x38, 1, &v);
	write_cr0(read_cr0() | CR0_WP);
	tap_ok(f && pf_is(PF_P | PF_W | PF_U, uro + 0x38),
	       "#PF: the same with CR0.WP=0 (WP is for supervisor writes only)");
	f = user_access(np + 0x3c, 0, &v);
	tap_ok(f && pf_is(PF_U, np + 0x3c),
	       "#PF: CPL 3 read of a not-present page: error U, CR2");
	f = user_access(np + 0x40, 1, &v);
	tap_ok(f && pf_is(PF_W | PF_U, np + 0x40),
	       "#PF: CPL 3 write to a not-present page: error W|U, CR2");
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
#ifdef __x86_64__
	idt_init();
#endif
	detect(mbi);
	user_init();
	if ((unsigned long)_end > IDENT_END - 4 * MiB)
		tap_bail("image ends at %p, beyond the identity map's room", _end);
	root1 = as_new();
	enable_paging(root1);
	tap_ok(read_cr3() == root1 && (read_cr0() & CR0_PG),
	       "%s paging on (CR3 %#lx)", F.name, read_cr3());
	if (cpu.nx && F.mode != M32)
		set_nxe(1);

	test_ad();
	test_pf_codes();
	test_wp();
	test_nx();
	test_smep_smap();
	test_user();
	test_large();
	test_selfref();
	test_stale_and_invlpg();
	test_global();
	test_cr3_switch();
	tap_diag("%u page-table pages used", pool_used);
	return tap_done();
}
