// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page-table walker (module/mmu/walk.c) against a fake guest RAM
 * (a byte array) in which each case builds its own page tables.  The
 * expected outcomes are written from the manuals, not from the walker:
 * Intel SDM vol. 3 4.3-4.5 (the entry formats and their reserved bits),
 * 4.6 (access rights), 4.7 (the #PF error code), 4.8 (A/D), 3.3.7.1 and
 * 4.5 (canonical addresses); AMD APM vol. 2 5.3-5.6.
 *
 * An outcome is one number: OK, or the #PF error code (a not-present
 * fault of a supervisor read is 0), or ERR(errno) for -EIO/-EINVAL.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "mmu/walk.h"
#include "unit.h"

/* ---------------------------------------------------------- fake RAM --- */

#define RAM_SIZE	(4u << 20)
static u8 ram[RAM_SIZE];
static u8 snap[RAM_SIZE];
static u64 next_page;

/* the cmpxchg side: calls, and "another CPU" writing first */
static int xchg_calls, xchg_bad;
static int race_left;		/* races still to run */
static void (*race_fn)(u64 gpa, unsigned int size);

static int fake_read(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

/* A real compare-and-exchange on the fake RAM */
static int fake_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new,
			unsigned int size)
{
	u64 cur = 0;

	xchg_calls++;
	if ((size != 4 && size != 8) || (gpa & (size - 1)))
		xchg_bad++;
	if (gpa >= RAM_SIZE || size > RAM_SIZE - gpa)
		return -EFAULT;
	if (race_left && race_fn) {
		race_left--;
		race_fn(gpa, size);
	}
	memcpy(&cur, ram + gpa, size);
	if (size == 4)
		old &= 0xffffffff;
	if (cur != old)
		return -EAGAIN;
	memcpy(ram + gpa, &new, size);
	return 0;
}

static struct v3_walk_env env = {
	.read = fake_read, .cmpxchg = fake_cmpxchg,
};

static void reset(void)
{
	memset(ram, 0, sizeof(ram));
	next_page = 0x10000;
	xchg_calls = 0;
	race_left = 0;
	race_fn = NULL;
	env.cmpxchg = fake_cmpxchg;
}

static u64 alloc_page(void)
{
	u64 p = next_page;

	next_page += 0x1000;
	if (next_page > RAM_SIZE)
		abort();
	return p;
}

static void put(u64 gpa, u64 v, int size)
{
	memcpy(ram + gpa, &v, size);
}

static u64 get(u64 gpa, int size)
{
	u64 v = 0;

	memcpy(&v, ram + gpa, size);
	return v;
}

static void take_snapshot(void)
{
	memcpy(snap, ram, sizeof(ram));
}

static bool ram_unchanged(void)
{
	return !memcmp(snap, ram, sizeof(ram));
}

/* ------------------------------------------------------ page tables --- */

#define P	0x001ULL
#define RW	0x002ULL
#define US	0x004ULL
#define PWT	0x008ULL
#define PCD	0x010ULL
#define A	0x020ULL
#define D	0x040ULL
#define PS	0x080ULL
#define G	0x100ULL
#define XD	(1ULL << 63)
#define BIT64(n) (1ULL << (n))

#define KB4	0x1000ULL
#define MB2	0x200000ULL
#define MB4	0x400000ULL
#define GB1	0x40000000ULL

enum { M32, MPAE, M4, M5 };
static const char *const mode_name[] = { "32-bit", "PAE", "4-level", "5-level" };
static const int top_of[] = { 2, 3, 4, 5 };

struct space {
	int mode;
	u64 cr3;
	u64 ent[6];	/* gpa of the entry at each level of the last map() */
};

static int esize(int mode)
{
	return mode == M32 ? 4 : 8;
}

static unsigned int index_of(int mode, int level, u64 gva)
{
	if (mode == M32)
		return (gva >> (level == 2 ? 22 : 12)) & 1023;
	if (mode == MPAE && level == 3)
		return (gva >> 30) & 3;
	return (gva >> (12 + 9 * (level - 1))) & 511;
}

/* PAE's PDPT sits 32-byte aligned inside a page; CR3 carries PWT/PCD */
static struct space new_space(int mode)
{
	struct space s = { .mode = mode };

	s.cr3 = alloc_page() | PWT | PCD;
	if (mode == MPAE)
		s.cr3 += 0x40;
	return s;
}

static u64 root_table(const struct space *s)
{
	if (s->mode == M32)
		return s->cr3 & 0xfffff000;
	if (s->mode == MPAE)
		return s->cr3 & 0xffffffe0;
	return s->cr3 & 0x000ffffffffff000ULL;
}

/*
 * Map gva to pa with its leaf at level leaf; fl[L] = the flag bits of the
 * entry at level L (a PAE PDPTE keeps only P, PWT and PCD of its flags:
 * its other bits are reserved).  Present tables on the way are reused.
 */
static void map(struct space *s, u64 gva, int leaf, u64 pa, const u64 *fl)
{
	int mode = s->mode, sz = esize(mode), L;
	u64 table = root_table(s);

	for (L = top_of[mode];; L--) {
		u64 at = table + index_of(mode, L, gva) * sz, e = get(at, sz);

		s->ent[L] = at;
		if (L == leaf) {
			if (L == 1)
				e = (pa & (mode == M32 ? 0xfffff000 : ~0xfffULL)) | fl[1];
			else if (mode == M32)	/* 4 MiB, PSE-36: bits 39:32 at 20:13 */
				e = (pa & 0xffc00000) | ((pa >> 32) & 0xff) << 13 |
				    PS | fl[2];
			else
				e = (pa & ~((1ULL << (12 + 9 * (L - 1))) - 1)) |
				    PS | fl[L];
			put(at, e, sz);
			return;
		}
		if (!(e & P)) {
			u64 f = fl[L];

			if (mode == MPAE && L == 3)
				f &= P | PWT | PCD;
			e = alloc_page() | f;
			put(at, e, sz);
		}
		table = e & (mode == M32 ? 0xfffff000 : 0x000ffffffffff000ULL);
	}
}

/* every level user, writable, present */
static const u64 URW[6] = { 0, P | RW | US, P | RW | US, P | RW | US,
			    P | RW | US, P | RW | US };

static struct v3_walk_regs regs_of(int mode)
{
	struct v3_walk_regs r = {
		.cr0 = X86_CR0_PE | X86_CR0_PG,
	};

	switch (mode) {
	case M32:
		r.cr4 = X86_CR4_PSE;
		break;
	case MPAE:
		r.cr4 = X86_CR4_PAE;
		r.efer = EFER_NX;
		break;
	case M4:
		r.cr4 = X86_CR4_PAE;
		r.efer = EFER_LME | EFER_LMA | EFER_NX;
		break;
	case M5:
		r.cr4 = X86_CR4_PAE | X86_CR4_LA57;
		r.efer = EFER_LME | EFER_LMA | EFER_NX;
		break;
	}
	return r;
}

/* A user-half address each mode can translate: every index non-zero */
static u64 gva_of(int mode)
{
	switch (mode) {
	case M32:
	case MPAE:
		return 0x80a0b123ULL;	/* PDPTE 2, PDE 5 (PAE) / 514 (32) */
	case M4:
		return 0x00001234567ab123ULL;
	default:
		return 0x00ab34567ab9c123ULL;
	}
}

/* ---------------------------------------------------------- outcome --- */

#define OK		0x10000u
#define ERR(e)		(0x20000u | (e))
#define PF(bits)	(bits)
#define PF_P		V3_PF_PRESENT
#define PF_W		V3_PF_WRITE
#define PF_U		V3_PF_USER
#define PF_R		V3_PF_RSVD
#define PF_I		V3_PF_FETCH

static struct v3_walk w;

static u32 walk(const struct v3_walk_regs *r, u64 gva, u32 access,
		unsigned int flags)
{
	int ret;

	memset(&w, 0xa5, sizeof(w));	/* catch fields left unset */
	ret = v3_walk(&env, r, gva, access, flags, &w);
	if (!ret)
		return OK;
	if (ret == -EFAULT)
		return w.error;
	return ERR(-ret);
}

static const char *acc_name(u32 access)
{
	static const char *const n[] = {
		"sup read", "?", "sup write", "?", "user read", "?",
		"user write", "?",
	};

	if (access & V3_PF_FETCH)
		return access & V3_PF_USER ? "user fetch" : "sup fetch";
	return n[access & 7];
}

/* --------------------------------------------------------- the cases --- */

static void test_paging_off(void)
{
	struct v3_walk_regs r = { .cr0 = X86_CR0_PE };

	reset();
	take_snapshot();
	CHECK_EQ(walk(&r, 0x123456789ULL, V3_PF_WRITE | V3_PF_USER,
		      V3_WALK_SET_AD), OK, "paging off: user write allowed");
	CHECK_EQ(w.gpa, 0x23456789ULL, "paging off: gpa = gva[31:0]");
	CHECK(w.level == 0 && w.levels == 0 && w.page_size == KB4,
	      "paging off: level 0, no entries, 4 KiB");
	CHECK(w.writable && w.user && w.exec, "paging off: all rights");
	CHECK(ram_unchanged() && xchg_calls == 0, "paging off: no A/D writes");
	CHECK_EQ(walk(&r, 0xfffff000ULL, V3_PF_FETCH, 0), OK,
		 "paging off: fetch allowed");
	CHECK_EQ(w.gpa, 0xfffff000ULL, "paging off: gpa below 4 GiB kept");
	/* not long mode: the reserved/garbage upper half never matters */
	r.cr4 = X86_CR4_PAE | X86_CR4_SMEP | X86_CR4_SMAP;
	CHECK_EQ(walk(&r, 0xffff800000001000ULL, 0, 0), OK,
		 "paging off: CR4 paging bits ignored, no canonical check");
	CHECK_EQ(w.gpa, 0x1000ULL, "paging off: truncated to 32 bits");
}

static void test_32bit(void)
{
	struct v3_walk_regs r = regs_of(M32);
	struct space s;
	u64 pd, pt, gva = 0x80a0b123ULL;

	reset();
	s = new_space(M32);
	pd = root_table(&s);
	map(&s, gva, 1, 0x00345000ULL, URW);
	pt = get(s.ent[2], 4) & 0xfffff000;
	r.cr3 = s.cr3;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "32-bit: 4 KiB read");
	CHECK_EQ(w.gpa, 0x00345123ULL, "32-bit: 4 KiB gpa");
	CHECK(w.levels == 2 && w.level == 1 && w.page_size == KB4 &&
	      w.pte_size == 4, "32-bit: 2 entries of 4 bytes, 4 KiB leaf");
	CHECK_EQ(w.pte_gpa[0], pd + 0x202 * 4, "32-bit: PDE gpa (index 514)");
	CHECK_EQ(w.pte_gpa[1], pt + 0x20b * 4, "32-bit: PTE gpa (index 523)");
	CHECK_EQ(w.pte[1], 0x00345000ULL | P | RW | US, "32-bit: PTE value");
	CHECK(w.writable && w.user && w.exec, "32-bit: rights all");
	/* upper half of a 64-bit gva is dropped outside long mode */
	CHECK_EQ(walk(&r, 0xdead000080a0b123ULL, 0, 0), OK,
		 "32-bit: gva truncated to 32 bits");
	CHECK_EQ(w.gpa, 0x00345123ULL, "32-bit: truncated gva's gpa");
	/* CR3 bits 63:32 and 11:0 are not part of the PD address */
	r.cr3 = s.cr3 | 0xabc0000000000000ULL | 0xe7;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "32-bit: CR3 low/high bits ignored");
	r.cr3 = s.cr3;

	/* bit 7 of a 4 KiB PTE is PAT: no effect on the translation */
	put(s.ent[1], 0x00345000ULL | P | RW | US | 0x80, 4);
	CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), OK, "32-bit: PTE PAT bit ok");
	CHECK_EQ(w.gpa, 0x00345123ULL, "32-bit: PAT not an address bit");

	/* 4 MiB page: PSE, PSE-36 bits 39:32 from PDE bits 20:13 */
	put(pd + 3 * 4, 0x004b4000ULL | P | RW | PS, 4);   /* 0x5a << 13 */
	CHECK_EQ(walk(&r, 0x00c12345ULL, V3_PF_WRITE, 0), OK,
		 "32-bit: 4 MiB write");
	CHECK_EQ(w.gpa, 0x5a00412345ULL, "32-bit: PSE-36 gpa");
	CHECK(w.levels == 1 && w.level == 2 && w.page_size == MB4,
	      "32-bit: 4 MiB leaf at level 2");
	put(pd + 3 * 4, 0x004b5000ULL | P | RW | PS, 4);   /* + PAT (12) */
	CHECK_EQ(walk(&r, 0x00c12345ULL, 0, 0), OK, "32-bit: 4 MiB PAT ok");
	CHECK_EQ(w.gpa, 0x5a00412345ULL, "32-bit: 4 MiB PAT not address");
	put(pd + 3 * 4, 0x006b4000ULL | P | RW | PS, 4);   /* + bit 21 */
	CHECK_EQ(walk(&r, 0x00c12345ULL, 0, 0), PF(PF_P | PF_R),
		 "32-bit: 4 MiB bit 21 reserved");
	CHECK_EQ(walk(&r, 0x00c12345ULL, 0, V3_WALK_NO_CHECK), PF(PF_P | PF_R),
		 "32-bit: reserved bits fault with NO_CHECK too");
	/* MAXPHYADDR 36: PDE bits 20:17 (physical 39:36) reserved */
	r.maxphyaddr = 36;
	put(pd + 3 * 4, 0x004b4000ULL | P | RW | PS, 4);   /* 0x5a: bits 17, 19 */
	CHECK_EQ(walk(&r, 0x00c12345ULL, V3_PF_WRITE, 0),
		 PF(PF_P | PF_R | PF_W), "32-bit: PSE-36 bits above M=36 reserved");
	put(pd + 3 * 4, 0x00414000ULL | P | RW | PS, 4);   /* 0x0a: bits 14, 16 */
	CHECK_EQ(walk(&r, 0x00c12345ULL, 0, 0), OK, "32-bit: PSE-36 below M=36");
	CHECK_EQ(w.gpa, 0xa00412345ULL, "32-bit: PSE-36 gpa with M=36");
	r.maxphyaddr = 0;
	/* without CR4.PSE the PS bit is ignored: the PDE points at a table */
	map(&s, 0x01001000ULL, 1, 0x00777000ULL, URW);
	put(s.ent[2], get(s.ent[2], 4) | PS, 4);
	CHECK_EQ(walk(&r, 0x01001abcULL, 0, 0), OK, "32-bit: PSE on, PS=1");
	CHECK_EQ(w.page_size, MB4, "32-bit: PSE on: a 4 MiB page");
	r.cr4 &= ~X86_CR4_PSE;
	CHECK_EQ(walk(&r, 0x01001abcULL, 0, 0), OK, "32-bit: PSE off, PS=1");
	CHECK(w.page_size == KB4 && w.gpa == 0x00777abcULL,
	      "32-bit: PSE off: PS ignored, 4 KiB via the table");
	r.cr4 |= X86_CR4_PSE;

	/* no XD in 32-bit paging: bit 31... of nothing; fetch always ok */
	r.efer = EFER_NX;
	CHECK_EQ(walk(&r, gva, V3_PF_FETCH | V3_PF_USER, 0), OK,
		 "32-bit: user fetch with EFER.NXE (no XD in 32-bit)");
	CHECK(w.exec, "32-bit: exec");
	/* I/D in the error code: only with SMEP in 32-bit paging */
	CHECK_EQ(walk(&r, 0x40000000ULL, V3_PF_FETCH, 0), PF(0),
		 "32-bit: not-present fetch, NXE: no I/D (CR4.PAE=0)");
	r.cr4 |= X86_CR4_SMEP;
	CHECK_EQ(walk(&r, 0x40000000ULL, V3_PF_FETCH, 0), PF(PF_I),
		 "32-bit: not-present fetch, SMEP: I/D");
	CHECK_EQ(walk(&r, 0x40000000ULL, V3_PF_WRITE | V3_PF_USER, 0),
		 PF(PF_W | PF_U), "32-bit: not-present user write: W|U, no P");

	/* a PTE not present */
	reset();
	s = new_space(M32);
	map(&s, gva, 1, 0x00345000ULL, URW);
	put(s.ent[1], 0x00345000ULL | RW | US, 4);
	r = regs_of(M32);
	r.cr3 = s.cr3;
	CHECK_EQ(walk(&r, gva, V3_PF_USER, 0), PF(PF_U),
		 "32-bit: PTE not present: U only");
	CHECK(w.levels == 2 && w.level == 1, "32-bit: fault at level 1 recorded");
}

static void test_pae(void)
{
	struct v3_walk_regs r = regs_of(MPAE);
	struct space s;
	u64 pdpt, gva = 0xc0123456ULL, pdpte;
	static const struct { u64 bits; const char *name; } rsvd[] = {
		{ RW, "1 (R/W)" }, { US, "2 (U/S)" }, { A, "5" }, { D, "6" },
		{ PS, "7" }, { G, "8" }, { XD, "63" }, { BIT64(52), "52" },
		{ BIT64(36), "36 (M=36)" },
	};
	unsigned int i;

	reset();
	s = new_space(MPAE);
	pdpt = root_table(&s);
	map(&s, gva, 1, 0x12345000ULL, URW);
	r.cr3 = s.cr3;
	CHECK_EQ(walk(&r, gva, V3_PF_WRITE | V3_PF_USER, 0), OK,
		 "PAE: 4 KiB user write");
	CHECK_EQ(w.gpa, 0x12345456ULL, "PAE: gpa");
	CHECK(w.levels == 3 && w.level == 1 && w.pte_size == 8 &&
	      w.page_size == KB4, "PAE: 3 entries (PDPTE first), 4 KiB");
	CHECK_EQ(w.pte_gpa[0], pdpt + 3 * 8, "PAE: PDPTE 3 at CR3[31:5]");
	CHECK_EQ(w.pte_gpa[0] & 0xfff, 0x58ULL, "PAE: PDPT not page aligned");
	CHECK_EQ(walk(&r, 0xffffffff00000000ULL | gva, 0, 0), OK,
		 "PAE: gva truncated to 32 bits");
	CHECK_EQ(w.gpa, 0x12345456ULL, "PAE: truncated gpa");
	/* LA57 means nothing outside long mode */
	r.cr4 |= X86_CR4_LA57;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "PAE: CR4.LA57 ignored w/o LMA");
	CHECK_EQ(w.levels, 3, "PAE: still 3 entries with LA57");
	r.cr4 &= ~X86_CR4_LA57;
	/* the PDPTE carries no rights: the page's decide */
	map(&s, 0xc0400000ULL, 1, 0x1000ULL, (const u64[]){ 0, P | US, P | RW | US, P });
	CHECK_EQ(walk(&r, 0xc0400000ULL, V3_PF_USER | V3_PF_WRITE, 0),
		 PF(PF_P | PF_W | PF_U), "PAE: PTE R/W=0 denies a user write");
	CHECK_EQ(walk(&r, 0xc0400000ULL, V3_PF_USER, 0), OK,
		 "PAE: PDPTE without R/W/U/S bits: user read ok");

	/* 2 MiB page */
	map(&s, 0xc0600000ULL, 2, 0x7fe00000ULL, URW);
	CHECK_EQ(walk(&r, 0xc06abcdeULL, 0, 0), OK, "PAE: 2 MiB read");
	CHECK(w.gpa == 0x7feabcdeULL && w.level == 2 && w.levels == 2 &&
	      w.page_size == MB2, "PAE: 2 MiB gpa, leaf at level 2");
	pdpte = get(s.ent[2], 8);
	for (i = 13; i <= 20; i++) {
		put(s.ent[2], pdpte | BIT64(i), 8);
		CHECK_EQ(walk(&r, 0xc06abcdeULL, 0, 0), PF(PF_P | PF_R),
			 "PAE: 2 MiB PDE bit %u reserved", i);
	}
	put(s.ent[2], pdpte | BIT64(12), 8);
	CHECK_EQ(walk(&r, 0xc06abcdeULL, 0, 0), OK, "PAE: 2 MiB PAT (12) ok");
	CHECK_EQ(w.gpa, 0x7feabcdeULL, "PAE: 2 MiB PAT not an address bit");
	put(s.ent[2], pdpte | BIT64(62), 8);
	CHECK_EQ(walk(&r, 0xc06abcdeULL, 0, 0), PF(PF_P | PF_R),
		 "PAE: PDE bit 62 reserved (62:M in PAE)");
	put(s.ent[2], pdpte, 8);

	/* PTE bits 62:M reserved, M=52 by default */
	map(&s, gva, 1, 0x12345000ULL, URW);
	for (i = 52; i <= 62; i += 5) {
		put(s.ent[1], 0x12345000ULL | P | RW | US | BIT64(i), 8);
		CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), PF(PF_P | PF_R | PF_W),
			 "PAE: PTE bit %u reserved", i);
	}
	r.efer &= ~EFER_NX;
	put(s.ent[1], 0x12345000ULL | P | RW | US | XD, 8);
	CHECK_EQ(walk(&r, gva, 0, 0), PF(PF_P | PF_R),
		 "PAE: PTE XD reserved without EFER.NXE");
	r.efer |= EFER_NX;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "PAE: PTE XD ok with EFER.NXE");
	CHECK(!w.exec, "PAE: XD: not executable");
	put(s.ent[1], 0x12345000ULL | P | RW | US, 8);

	/* PDPTE reserved bits: 2:1, 8:5, 63:M */
	pdpte = get(pdpt + 3 * 8, 8);
	r.maxphyaddr = 36;
	for (i = 0; i < ARRAY_SIZE(rsvd); i++) {
		put(pdpt + 3 * 8, pdpte | rsvd[i].bits, 8);
		CHECK_EQ(walk(&r, gva, V3_PF_USER, 0), PF(PF_P | PF_R | PF_U),
			 "PAE: PDPTE bit %s reserved", rsvd[i].name);
		CHECK(w.levels == 1 && w.level == 3,
		      "PAE: PDPTE fault at level 3 (%s)", rsvd[i].name);
	}
	put(pdpt + 3 * 8, pdpte | PWT | PCD | 0xe00, 8);
	CHECK_EQ(walk(&r, gva, V3_PF_USER, 0), OK,
		 "PAE: PDPTE PWT, PCD, bits 11:9 allowed");
	put(pdpt + 3 * 8, (pdpte & ~P) | RW | BIT64(40), 8);
	CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), PF(PF_W),
		 "PAE: PDPTE not present: W only, reserved bits not checked");
	r.maxphyaddr = 0;
	put(pdpt + 3 * 8, 0, 8);
	CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_I),
		 "PAE: not-present fetch with NXE: I/D");
	r.efer &= ~EFER_NX;
	CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(0),
		 "PAE: not-present fetch without NXE or SMEP: no I/D");
}

static void test_4level(void)
{
	struct v3_walk_regs r = regs_of(M4);
	struct space s;
	u64 gva = gva_of(M4), pml4, e;
	int L;

	reset();
	s = new_space(M4);
	pml4 = root_table(&s);
	map(&s, gva, 1, 0x000abcdef0123000ULL, URW);
	r.cr3 = s.cr3;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "4-level: 4 KiB read");
	CHECK_EQ(w.gpa, 0x000abcdef0123123ULL, "4-level: gpa (M=52: bit 51 ok)");
	CHECK(w.levels == 4 && w.level == 1 && w.page_size == KB4 &&
	      w.pte_size == 8, "4-level: 4 entries, 4 KiB");
	for (L = 4; L >= 1; L--) {
		CHECK_EQ(w.pte_gpa[4 - L], s.ent[L], "4-level: pte_gpa of level %d", L);
		CHECK_EQ(w.pte[4 - L], get(s.ent[L], 8), "4-level: pte of level %d", L);
	}
	CHECK_EQ(w.pte_gpa[0], pml4 + ((gva >> 39) & 511) * 8,
		 "4-level: PML4E at CR3 + 8 * gva[47:39]");
	/* MAXPHYADDR 40: bit 51 of the PTE now reserved */
	r.maxphyaddr = 40;
	CHECK_EQ(walk(&r, gva, 0, 0), PF(PF_P | PF_R), "4-level: bit 51 with M=40");
	r.maxphyaddr = 0;

	/* 1 GiB and 2 MiB pages */
	map(&s, 0x0000008040000000ULL, 3, 0x00000fc0000000ULL, URW);
	CHECK_EQ(walk(&r, 0x000000807ffff00fULL, V3_PF_WRITE, 0), OK,
		 "4-level: 1 GiB write");
	CHECK_EQ(w.gpa, 0xffffff00fULL, "4-level: 1 GiB gpa");
	CHECK(w.level == 3 && w.levels == 2 && w.page_size == GB1,
	      "4-level: 1 GiB leaf at level 3, 2 entries");
	e = get(s.ent[3], 8);
	put(s.ent[3], e | BIT64(12), 8);
	CHECK_EQ(walk(&r, 0x0000008040000000ULL, 0, 0), OK, "4-level: 1 GiB PAT ok");
	CHECK_EQ(w.gpa, 0x00000fc0000000ULL, "4-level: 1 GiB PAT not address");
	put(s.ent[3], e | BIT64(13), 8);
	CHECK_EQ(walk(&r, 0x0000008040000000ULL, 0, 0), PF(PF_P | PF_R),
		 "4-level: 1 GiB bit 13 reserved");
	put(s.ent[3], e | BIT64(29), 8);
	CHECK_EQ(walk(&r, 0x0000008040000000ULL, V3_PF_USER, 0),
		 PF(PF_P | PF_R | PF_U), "4-level: 1 GiB bit 29 reserved");
	put(s.ent[3], e, 8);
	map(&s, 0x0000010000200000ULL, 2, 0x40600000ULL, URW);
	CHECK_EQ(walk(&r, 0x00000100003fffffULL, 0, 0), OK, "4-level: 2 MiB read");
	CHECK(w.gpa == 0x407fffffULL && w.level == 2 && w.levels == 3 &&
	      w.page_size == MB2, "4-level: 2 MiB gpa, level 2");
	e = get(s.ent[2], 8);
	put(s.ent[2], e | BIT64(20), 8);
	CHECK_EQ(walk(&r, 0x0000010000200000ULL, 0, 0), PF(PF_P | PF_R),
		 "4-level: 2 MiB bit 20 reserved");
	put(s.ent[2], e | BIT64(12), 8);
	CHECK_EQ(walk(&r, 0x0000010000200000ULL, 0, 0), OK, "4-level: 2 MiB PAT ok");
	put(s.ent[2], e, 8);

	/* PS in a PML4E is reserved */
	e = get(s.ent[4], 8);
	put(s.ent[4], e | PS, 8);
	CHECK_EQ(walk(&r, 0x0000010000200000ULL, 0, 0), PF(PF_P | PF_R),
		 "4-level: PML4E PS reserved");
	CHECK(w.levels == 1 && w.level == 4, "4-level: fault at level 4");
	put(s.ent[4], e, 8);

	/* per-level reserved and ignored bits on the 4 KiB walk */
	map(&s, gva, 1, 0x00345000ULL, URW);
	r.maxphyaddr = 40;
	for (L = 4; L >= 1; L--) {
		e = get(s.ent[L], 8);
		put(s.ent[L], e | BIT64(40), 8);
		CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), PF(PF_P | PF_R | PF_W),
			 "4-level: level %d bit 40 reserved (M=40)", L);
		CHECK_EQ(w.level, L, "4-level: RSVD reported at level %d", L);
		put(s.ent[L], e | BIT64(51), 8);
		CHECK_EQ(walk(&r, gva, 0, V3_WALK_NO_CHECK), PF(PF_P | PF_R),
			 "4-level: level %d bit 51 reserved (M=40), NO_CHECK", L);
		put(s.ent[L], e | GENMASK_ULL(62, 52) | 0xe00, 8);
		CHECK_EQ(walk(&r, gva, 0, 0), OK,
			 "4-level: level %d bits 62:52, 11:9 ignored", L);
		put(s.ent[L], (e & ~P) | BIT64(40) | PS, 8);
		CHECK_EQ(walk(&r, gva, 0, 0), PF(0),
			 "4-level: level %d not present: reserved bits unchecked", L);
		if (L > 1) {
			put(s.ent[L], e | D | G, 8);
			CHECK_EQ(walk(&r, gva, 0, 0), OK,
				 "4-level: level %d non-leaf D and G ignored", L);
		}
		put(s.ent[L], e, 8);
	}
	e = get(s.ent[1], 8);
	put(s.ent[1], e | 0x80 | G | D | A, 8);
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "4-level: PTE PAT (7), G, D, A ok");
	CHECK_EQ(w.gpa, 0x00345123ULL, "4-level: PTE PAT not an address bit");
	put(s.ent[1], e, 8);
	r.maxphyaddr = 0;

	/* CR3 with PCID bits and bit 63 */
	r.cr3 = root_table(&s) | 0x5a5;
	CHECK_EQ(walk(&r, gva, 0, 0), OK, "4-level: CR3 PCID bits ignored");
	r.cr3 = s.cr3;
}

static void test_5level(void)
{
	struct v3_walk_regs r = regs_of(M5), r4 = regs_of(M4);
	struct space s;
	u64 gva = 0x00ab34567ab9c123ULL, e;

	reset();
	s = new_space(M5);
	map(&s, gva, 1, 0x00666000ULL, URW);
	r.cr3 = s.cr3;
	CHECK_EQ(walk(&r, gva, V3_PF_USER | V3_PF_WRITE, 0), OK,
		 "5-level: 4 KiB user write");
	CHECK_EQ(w.gpa, 0x00666123ULL, "5-level: gpa");
	CHECK(w.levels == 5 && w.level == 1, "5-level: 5 entries");
	CHECK_EQ(w.pte_gpa[0], root_table(&s) + 0xab * 8,
		 "5-level: PML5E indexed by gva[56:48]");
	/* the same CR3 without LA57: gva[55:48] != 0 is not canonical */
	r4.cr3 = s.cr3;
	CHECK_EQ(walk(&r4, gva, 0, 0), ERR(EINVAL),
		 "4-level: 5-level address not canonical");
	CHECK_EQ(w.error, 0, "non-canonical: no #PF error code");
	/* top of the address space: bits 63:57 = bit 56 = 1 */
	map(&s, 0xff23456789abc000ULL, 1, 0x00777000ULL, URW);
	CHECK_EQ(walk(&r, 0xff23456789abcfffULL, 0, 0), OK,
		 "5-level: 0xff23... canonical");
	CHECK_EQ(w.gpa, 0x00777fffULL, "5-level: high-half gpa");
	CHECK_EQ(w.pte_gpa[0] & 0xfff, 0x123ULL * 8 & 0xfff,
		 "5-level: PML5 index 0x123");
	CHECK_EQ(walk(&r, 0x0100000000000000ULL, 0, 0), ERR(EINVAL),
		 "5-level: bit 56 set, 63:57 clear: not canonical");
	CHECK_EQ(walk(&r, 0xfe00000000000000ULL, 0, V3_WALK_NO_CHECK), ERR(EINVAL),
		 "5-level: bit 56 clear, 63:57 set: not canonical (NO_CHECK too)");
	CHECK_EQ(walk(&r, 0x00ffffffffffffffULL, 0, 0), PF(0),
		 "5-level: 0x00ff.. canonical (not mapped: #PF)");
	/* large pages under a PML5 */
	map(&s, 0x0001000080000000ULL, 3, 0x0000000180000000ULL, URW);
	CHECK_EQ(walk(&r, 0x00010000abcdef01ULL, 0, 0), OK, "5-level: 1 GiB");
	CHECK(w.gpa == 0x1abcdef01ULL && w.levels == 3 && w.level == 3,
	      "5-level: 1 GiB gpa, level 3");
	map(&s, 0x0001000100000000ULL, 2, 0x00a00000ULL, URW);
	CHECK_EQ(walk(&r, 0x00010001001fffffULL, 0, 0), OK, "5-level: 2 MiB");
	CHECK(w.gpa == 0x00bfffffULL && w.levels == 4 && w.level == 2,
	      "5-level: 2 MiB gpa, level 2");
	e = get(s.ent[5], 8);
	put(s.ent[5], e | PS, 8);
	CHECK_EQ(walk(&r, 0x00010001001fffffULL, 0, 0), PF(PF_P | PF_R),
		 "5-level: PML5E PS reserved");
	CHECK(w.levels == 1 && w.level == 5, "5-level: fault at level 5");
	put(s.ent[5], e, 8);
}

static void test_canonical(void)
{
	struct v3_walk_regs r = regs_of(M4);
	struct space s;
	static const struct { u64 gva; u32 want; } c[] = {
		{ 0x00007ffffffff000ULL, OK },
		{ 0x0000800000000000ULL, ERR(EINVAL) },
		{ 0xffff800000000000ULL, OK },
		{ 0xffff7ffffffff000ULL, ERR(EINVAL) },
		{ 0x8000000000000000ULL, ERR(EINVAL) },
		{ 0x7fff800000000000ULL, ERR(EINVAL) },
		{ 0xfffffffffffff000ULL, OK },
	};
	unsigned int i;

	reset();
	s = new_space(M4);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (c[i].want == OK)
			map(&s, c[i].gva, 1, 0x1000ULL, URW);
	r.cr3 = s.cr3;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		CHECK_EQ(walk(&r, c[i].gva, V3_PF_USER, 0), c[i].want,
			 "4-level canonical: %016llx", c[i].gva);
		CHECK_EQ(walk(&r, c[i].gva, 0, V3_WALK_NO_CHECK), c[i].want,
			 "4-level canonical, NO_CHECK: %016llx", c[i].gva);
	}
}

/*
 * SDM 4.6.1, data accesses without SMAP: a user access needs U/S=1 at
 * every level, and R/W=1 at every level to write; a supervisor read is
 * always allowed; a supervisor write needs R/W=1 everywhere only when
 * CR0.WP=1.  Written out case by case.
 */
static const struct {
	bool us, rw, wp, user, write, allowed;
} data_rights[] = {
	/* us rw wp user write */
	{ 0, 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 1, 1 },
	{ 0, 0, 0, 1, 0, 0 }, { 0, 0, 0, 1, 1, 0 },
	{ 0, 0, 1, 0, 0, 1 }, { 0, 0, 1, 0, 1, 0 },
	{ 0, 0, 1, 1, 0, 0 }, { 0, 0, 1, 1, 1, 0 },
	{ 0, 1, 0, 0, 0, 1 }, { 0, 1, 0, 0, 1, 1 },
	{ 0, 1, 0, 1, 0, 0 }, { 0, 1, 0, 1, 1, 0 },
	{ 0, 1, 1, 0, 0, 1 }, { 0, 1, 1, 0, 1, 1 },
	{ 0, 1, 1, 1, 0, 0 }, { 0, 1, 1, 1, 1, 0 },
	{ 1, 0, 0, 0, 0, 1 }, { 1, 0, 0, 0, 1, 1 },
	{ 1, 0, 0, 1, 0, 1 }, { 1, 0, 0, 1, 1, 0 },
	{ 1, 0, 1, 0, 0, 1 }, { 1, 0, 1, 0, 1, 0 },
	{ 1, 0, 1, 1, 0, 1 }, { 1, 0, 1, 1, 1, 0 },
	{ 1, 1, 0, 0, 0, 1 }, { 1, 1, 0, 0, 1, 1 },
	{ 1, 1, 0, 1, 0, 1 }, { 1, 1, 0, 1, 1, 1 },
	{ 1, 1, 1, 0, 0, 1 }, { 1, 1, 1, 0, 1, 1 },
	{ 1, 1, 1, 1, 0, 1 }, { 1, 1, 1, 1, 1, 1 },
};

/*
 * Build one 4 KiB mapping whose entries are all P|RW|US except the one at
 * level rlevel (0: none), which gets bits; leaf at level leaf.
 */
static struct space one_mapping(int mode, u64 gva, int leaf, int rlevel,
				u64 bits, u64 extra_all)
{
	struct space s;
	u64 fl[6];
	int L;

	reset();
	s = new_space(mode);
	for (L = 0; L < 6; L++)
		fl[L] = P | RW | US | extra_all;
	if (rlevel)
		fl[rlevel] = P | bits | extra_all;
	map(&s, gva, leaf, 0x00200000ULL, fl);
	return s;
}

static void test_data_rights(void)
{
	int mode, rlevel, leaf;
	unsigned int i;

	for (mode = M32; mode <= M5; mode++) {
		for (leaf = 1; leaf <= (mode >= M4 ? 3 : 2); leaf++) {
			for (rlevel = leaf; rlevel <= top_of[mode]; rlevel++) {
				if (mode == MPAE && rlevel == 3)
					continue;	/* a PDPTE carries no rights */
				for (i = 0; i < ARRAY_SIZE(data_rights); i++) {
					typeof(data_rights[0]) *c = &data_rights[i];
					u64 gva = gva_of(mode);
					struct space s = one_mapping(mode, gva, leaf, rlevel,
								     (c->us ? US : 0) | (c->rw ? RW : 0), 0);
					struct v3_walk_regs r = regs_of(mode);
					u32 acc = (c->user ? V3_PF_USER : 0) |
						  (c->write ? V3_PF_WRITE : 0);
					u32 want = c->allowed ? OK : PF(PF_P | acc);

					/* the large-page and upper-level rows: a sample */
					if ((leaf > 1 || rlevel > leaf + 1) && i % 3)
						continue;
					r.cr3 = s.cr3;
					if (c->wp)
						r.cr0 |= X86_CR0_WP;
					r.cpl = c->user ? 3 : 0;
					CHECK_EQ(walk(&r, gva, acc, 0), want,
						 "%s leaf L%d, L%d us=%d rw=%d, WP=%d: %s",
						 mode_name[mode], leaf, rlevel, c->us,
						 c->rw, c->wp, acc_name(acc));
					if (!c->allowed)
						continue;
					CHECK(w.user == c->us && w.writable == c->rw,
					      "%s leaf L%d, L%d us=%d rw=%d: combined rights",
					      mode_name[mode], leaf, rlevel, c->us, c->rw);
				}
			}
		}
	}
}

/* NO_CHECK: a translation for the VMM, whatever the rights */
static void test_no_check(void)
{
	int mode;

	for (mode = M32; mode <= M5; mode++) {
		u64 gva = gva_of(mode);
		struct space s = one_mapping(mode, gva, 1, 1, 0, 0);
		struct v3_walk_regs r = regs_of(mode);

		r.cr3 = s.cr3;
		r.cr0 |= X86_CR0_WP;
		r.cr4 |= X86_CR4_SMEP | X86_CR4_SMAP;
		CHECK_EQ(walk(&r, gva, V3_PF_USER | V3_PF_WRITE, 0),
			 PF(PF_P | PF_U | PF_W), "%s: read-only supervisor page, user write",
			 mode_name[mode]);
		CHECK_EQ(walk(&r, gva, V3_PF_USER | V3_PF_WRITE, V3_WALK_NO_CHECK),
			 OK, "%s: NO_CHECK translates it", mode_name[mode]);
		CHECK(w.gpa == 0x00200000ULL + (gva & 0xfff) && !w.user &&
		      !w.writable, "%s: NO_CHECK gpa and rights",
		      mode_name[mode]);
	}
}

/*
 * Fetches (SDM 4.6.1, 4.6.2): with EFER.NXE an XD bit at any level
 * forbids fetches (user and supervisor) but not data accesses; without
 * NXE bit 63 is reserved (every access: RSVD).  I/D is in the error code
 * when PAE-style paging has NXE on, or SMEP is on.
 */
static void test_nx(void)
{
	int mode, L;

	for (mode = MPAE; mode <= M5; mode++) {
		for (L = 1; L <= top_of[mode]; L++) {
			u64 gva = gva_of(mode);
			struct space s;
			struct v3_walk_regs r = regs_of(mode);

			if (mode == MPAE && L == 3)
				continue;	/* PDPTE bit 63: reserved, tested above */
			s = one_mapping(mode, gva, 1, L, RW | US | XD, 0);
			r.cr3 = s.cr3;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_P | PF_I),
				 "%s XD at L%d, NXE: sup fetch denied", mode_name[mode], L);
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH | V3_PF_USER, 0),
				 PF(PF_P | PF_I | PF_U),
				 "%s XD at L%d, NXE: user fetch denied", mode_name[mode], L);
			CHECK_EQ(walk(&r, gva, V3_PF_USER, 0), OK,
				 "%s XD at L%d, NXE: user read ok", mode_name[mode], L);
			CHECK(!w.exec, "%s XD at L%d: exec false", mode_name[mode], L);
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), OK,
				 "%s XD at L%d, NXE: sup write ok", mode_name[mode], L);
			r.efer &= ~EFER_NX;
			CHECK_EQ(walk(&r, gva, V3_PF_USER, 0), PF(PF_P | PF_R | PF_U),
				 "%s XD at L%d, no NXE: reserved (user read)", mode_name[mode], L);
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_P | PF_R),
				 "%s XD at L%d, no NXE: reserved, no I/D (no SMEP)",
				 mode_name[mode], L);
			r.cr4 |= X86_CR4_SMEP;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_P | PF_R | PF_I),
				 "%s XD at L%d, no NXE, SMEP: reserved with I/D",
				 mode_name[mode], L);
		}
		{
			u64 gva = gva_of(mode);
			struct space s = one_mapping(mode, gva, 1, 0, 0, 0);
			struct v3_walk_regs r = regs_of(mode);

			r.cr3 = s.cr3;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH | V3_PF_USER, 0), OK,
				 "%s no XD, NXE: user fetch ok", mode_name[mode]);
			CHECK(w.exec, "%s no XD: exec", mode_name[mode]);
			r.efer &= ~EFER_NX;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), OK,
				 "%s no XD, no NXE: fetch ok", mode_name[mode]);
		}
	}
}

/*
 * SMEP (SDM 4.6.1): a supervisor fetch from a user-mode address (U/S=1
 * at every level) faults; U/S=0 anywhere makes it a supervisor address.
 * User fetches are not affected.  In every paging mode, 32-bit included.
 */
static void test_smep(void)
{
	int mode, L;

	for (mode = M32; mode <= M5; mode++) {
		u64 gva = gva_of(mode);
		struct space s = one_mapping(mode, gva, 1, 0, 0, 0);
		struct v3_walk_regs r = regs_of(mode);

		r.cr3 = s.cr3;
		CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), OK,
			 "%s: sup fetch from user page, SMEP off", mode_name[mode]);
		r.cr4 |= X86_CR4_SMEP;
		CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_P | PF_I),
			 "%s: sup fetch from user page, SMEP on", mode_name[mode]);
		r.rflags = X86_EFLAGS_AC;
		CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), PF(PF_P | PF_I),
			 "%s: SMEP ignores RFLAGS.AC", mode_name[mode]);
		r.rflags = 0;
		CHECK_EQ(walk(&r, gva, V3_PF_FETCH | V3_PF_USER, 0), OK,
			 "%s: user fetch, SMEP on", mode_name[mode]);
		CHECK_EQ(walk(&r, gva, 0, 0), OK,
			 "%s: sup read of user page, SMEP on", mode_name[mode]);
		for (L = 1; L <= top_of[mode]; L++) {
			if (mode == MPAE && L == 3)
				continue;
			s = one_mapping(mode, gva, 1, L, RW, 0);
			r.cr3 = s.cr3;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), OK,
				 "%s: U/S=0 at L%d: sup fetch with SMEP ok",
				 mode_name[mode], L);
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH | V3_PF_USER, 0),
				 PF(PF_P | PF_I | PF_U),
				 "%s: U/S=0 at L%d: user fetch denied (I/D: SMEP)",
				 mode_name[mode], L);
		}
	}
}

/*
 * SMAP (SDM 4.6.1): supervisor data accesses to a user-mode address fault
 * unless explicit (CPL < 3 and not a system-structure access) with
 * RFLAGS.AC=1; writes still need R/W=1 when CR0.WP=1 (and a WP=0 write to
 * a read-only user page is allowed by the AC rule).  Fetches not affected.
 */
static const struct {
	bool us, rw, wp, ac, write;
	int implicit;		/* 0 explicit, 1 V3_WALK_IMPLICIT, 2 CPL 3 */
	bool allowed;
} smap_rights[] = {
	/* us rw wp ac write implicit */
	{ 1, 1, 1, 0, 0, 0, 0 }, { 1, 1, 1, 1, 0, 0, 1 },
	{ 1, 1, 1, 1, 0, 1, 0 }, { 1, 1, 1, 1, 0, 2, 0 },
	{ 1, 1, 1, 0, 1, 0, 0 }, { 1, 1, 1, 1, 1, 0, 1 },
	{ 1, 1, 1, 1, 1, 1, 0 }, { 1, 1, 1, 1, 1, 2, 0 },
	{ 1, 0, 1, 1, 1, 0, 0 }, { 1, 0, 1, 1, 0, 0, 1 },
	{ 1, 0, 0, 1, 1, 0, 1 }, { 1, 0, 0, 0, 1, 0, 0 },
	{ 1, 0, 0, 1, 1, 1, 0 }, { 1, 1, 0, 0, 0, 0, 0 },
	{ 1, 1, 0, 1, 0, 0, 1 }, { 1, 1, 0, 1, 0, 2, 0 },
	{ 0, 1, 1, 0, 0, 0, 1 }, { 0, 1, 1, 0, 1, 0, 1 },
	{ 0, 1, 1, 0, 0, 1, 1 }, { 0, 1, 1, 0, 1, 2, 1 },
	{ 0, 0, 1, 1, 1, 0, 0 }, { 0, 0, 0, 0, 1, 1, 1 },
};

static void test_smap(void)
{
	int mode;
	unsigned int i;

	for (mode = M32; mode <= M5; mode++) {
		for (i = 0; i < ARRAY_SIZE(smap_rights); i++) {
			typeof(smap_rights[0]) *c = &smap_rights[i];
			u64 gva = gva_of(mode);
			/* rlevel the leaf: the rights of every row */
			struct space s = one_mapping(mode, gva, 1, 1,
						     (c->us ? US : 0) | (c->rw ? RW : 0), 0);
			struct v3_walk_regs r = regs_of(mode);
			u32 acc = c->write ? V3_PF_WRITE : 0;

			r.cr3 = s.cr3;
			r.cr4 |= X86_CR4_SMAP;
			if (c->wp)
				r.cr0 |= X86_CR0_WP;
			if (c->ac)
				r.rflags = X86_EFLAGS_AC;
			if (c->implicit == 2)
				r.cpl = 3;
			CHECK_EQ(walk(&r, gva, acc, c->implicit == 1 ? V3_WALK_IMPLICIT : 0),
				 c->allowed ? OK : PF(PF_P | acc),
				 "%s SMAP us=%d rw=%d WP=%d AC=%d %s %s", mode_name[mode],
				 c->us, c->rw, c->wp, c->ac, c->write ? "write" : "read",
				 c->implicit == 0 ? "explicit" : c->implicit == 1 ?
				 "implicit" : "implicit at CPL 3");
		}
		{
			u64 gva = gva_of(mode);
			struct space s = one_mapping(mode, gva, 1, 0, 0, 0);
			struct v3_walk_regs r = regs_of(mode);

			r.cr3 = s.cr3;
			r.cr4 |= X86_CR4_SMAP;
			CHECK_EQ(walk(&r, gva, V3_PF_FETCH, 0), OK,
				 "%s SMAP: sup fetch from user page ok (SMEP off)",
				 mode_name[mode]);
			r.cpl = 3;
			CHECK_EQ(walk(&r, gva, V3_PF_USER | V3_PF_WRITE, 0), OK,
				 "%s SMAP: user write to user page ok", mode_name[mode]);
		}
	}
}

/*
 * A/D (SDM 4.8): A in every entry the translation used, D in the entry
 * that maps the page on a write; nothing on a faulting access here (the
 * walker's contract, walk.h); PAE PDPTEs have no A bit.
 */
static void test_ad(void)
{
	int mode, L, top;

	for (mode = M32; mode <= M5; mode++) {
		int leaf;

		top = top_of[mode];
		for (leaf = 1; leaf <= (mode >= M4 ? 3 : 2); leaf++) {
			u64 gva = gva_of(mode);
			struct space s = one_mapping(mode, gva, leaf, 0, 0, 0);
			struct v3_walk_regs r = regs_of(mode);
			int sz = esize(mode);
			u64 before[6];
			bool ok = true;

			r.cr3 = s.cr3;
			for (L = leaf; L <= top; L++)
				before[L] = get(s.ent[L], sz);
			/* without SET_AD nothing is written */
			take_snapshot();
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, 0), OK,
				 "%s leaf L%d: write without SET_AD", mode_name[mode], leaf);
			CHECK(ram_unchanged() && !w.dirty,
			      "%s leaf L%d: no SET_AD: tables unchanged, not dirty",
			      mode_name[mode], leaf);
			/* a read sets A everywhere, D nowhere */
			CHECK_EQ(walk(&r, gva, V3_PF_USER, V3_WALK_SET_AD), OK,
				 "%s leaf L%d: read with SET_AD", mode_name[mode], leaf);
			for (L = leaf; L <= top; L++) {
				u64 want = before[L];

				if (!(mode == MPAE && L == 3))
					want |= A;
				if (get(s.ent[L], sz) != want)
					ok = false;
			}
			CHECK(ok, "%s leaf L%d: read: A on every level (not the PDPTE), no D",
			      mode_name[mode], leaf);
			CHECK(!w.dirty, "%s leaf L%d: read: not dirty", mode_name[mode], leaf);
			CHECK_EQ(w.pte[w.levels - 1], before[leaf] | A,
				 "%s leaf L%d: w.pte holds the updated leaf",
				 mode_name[mode], leaf);
			/* a write adds D in the leaf only */
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, V3_WALK_SET_AD), OK,
				 "%s leaf L%d: write with SET_AD", mode_name[mode], leaf);
			ok = true;
			for (L = leaf; L <= top; L++) {
				u64 want = before[L];

				if (!(mode == MPAE && L == 3))
					want |= A;
				if (L == leaf)
					want |= D;
				if (get(s.ent[L], sz) != want)
					ok = false;
			}
			CHECK(ok, "%s leaf L%d: write: D in the leaf only",
			      mode_name[mode], leaf);
			CHECK(w.dirty, "%s leaf L%d: write: dirty", mode_name[mode], leaf);
			/* all set: no more updates */
			xchg_calls = 0;
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, V3_WALK_SET_AD), OK,
				 "%s leaf L%d: write again", mode_name[mode], leaf);
			CHECK_EQ(xchg_calls, 0, "%s leaf L%d: no cmpxchg once A/D set",
				 mode_name[mode], leaf);
			CHECK_EQ(xchg_bad, 0, "%s leaf L%d: cmpxchg sizes and alignment",
				 mode_name[mode], leaf);
		}
		/* faults set nothing: protection, not present, reserved */
		{
			u64 gva = gva_of(mode);
			struct space s = one_mapping(mode, gva, 1, 1, RW, 0);
			struct v3_walk_regs r = regs_of(mode);

			r.cr3 = s.cr3;
			take_snapshot();
			CHECK_EQ(walk(&r, gva, V3_PF_USER | V3_PF_WRITE, V3_WALK_SET_AD),
				 PF(PF_P | PF_U | PF_W), "%s: protection fault with SET_AD",
				 mode_name[mode]);
			CHECK(ram_unchanged(), "%s: protection fault: no A/D written",
			      mode_name[mode]);
			put(s.ent[1], get(s.ent[1], esize(mode)) & ~P, esize(mode));
			take_snapshot();
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, V3_WALK_SET_AD), PF(PF_W),
				 "%s: not-present fault with SET_AD", mode_name[mode]);
			CHECK(ram_unchanged(), "%s: not-present fault: no A written above",
			      mode_name[mode]);
			if (mode == M32)
				continue;
			put(s.ent[1], get(s.ent[1], 8) | P | XD, 8);
			r.efer &= ~EFER_NX;
			take_snapshot();
			CHECK_EQ(walk(&r, gva, V3_PF_WRITE, V3_WALK_SET_AD),
				 PF(PF_P | PF_R | PF_W), "%s: RSVD fault with SET_AD",
				 mode_name[mode]);
			CHECK(ram_unchanged(), "%s: RSVD fault: no A written",
			      mode_name[mode]);
		}
	}
	/* the VMM's translation (guest_va.c) writes nothing */
	{
		struct space s = one_mapping(M4, gva_of(M4), 1, 0, 0, 0);
		struct v3_walk_regs r = regs_of(M4);

		r.cr3 = s.cr3;
		take_snapshot();
		CHECK_EQ(walk(&r, gva_of(M4), 0, V3_WALK_NO_CHECK), OK, "NO_CHECK read");
		CHECK(ram_unchanged() && xchg_calls == 0, "NO_CHECK: no A/D");
		env.cmpxchg = NULL;
		CHECK_EQ(walk(&r, gva_of(M4), 0, V3_WALK_SET_AD), ERR(EIO),
			 "SET_AD without a cmpxchg: -EIO");
		CHECK_EQ(walk(&r, gva_of(M4), 0, 0), OK, "no cmpxchg needed without SET_AD");
		env.cmpxchg = fake_cmpxchg;
	}
}

/* "another CPU" changes the entry between the walk's read and its update */
static void race_set_avail(u64 gpa, unsigned int size)
{
	put(gpa, get(gpa, size) ^ 0x200, size);	/* bit 9: software's */
}

static u64 race_leaf_gpa;
static void race_unmap_leaf(u64 gpa, unsigned int size)
{
	put(race_leaf_gpa, get(race_leaf_gpa, size) & ~P, size);
	race_set_avail(gpa, size);	/* and touches the entry being updated */
}

static void test_restart(void)
{
	u64 gva = gva_of(M4);
	struct space s;
	struct v3_walk_regs r = regs_of(M4);
	u64 pml4e;
	int L;
	bool ok = true;

	/* one lost cmpxchg: the walk restarts and keeps the other CPU's bit */
	s = one_mapping(M4, gva, 1, 0, 0, 0);
	r.cr3 = s.cr3;
	pml4e = get(s.ent[4], 8);
	race_fn = race_set_avail;
	race_left = 1;
	CHECK_EQ(walk(&r, gva, V3_PF_WRITE, V3_WALK_SET_AD), OK,
		 "cmpxchg fails once: walk restarts, succeeds");
	CHECK_EQ(get(s.ent[4], 8), pml4e | 0x200 | A,
		 "restart: PML4E has A and the other CPU's bit 9");
	for (L = 1; L <= 3; L++)
		if (!(get(s.ent[L], 8) & A))
			ok = false;
	CHECK(ok && (get(s.ent[1], 8) & D), "restart: A everywhere, D in the PTE");
	CHECK_EQ(xchg_calls, 5, "restart: 1 lost + 4 updates (A, A, A, A|D)");

	/* the other CPU unmaps the page: the restarted walk faults */
	s = one_mapping(M4, gva, 1, 0, 0, 0);
	r.cr3 = s.cr3;
	race_leaf_gpa = s.ent[1];
	race_fn = race_unmap_leaf;
	race_left = 1;
	CHECK_EQ(walk(&r, gva, V3_PF_WRITE | V3_PF_USER, V3_WALK_SET_AD),
		 PF(PF_W | PF_U), "race unmaps the page: restart gives a #PF");
	CHECK(!(get(s.ent[4], 8) & A) && !(get(s.ent[3], 8) & A),
	      "race unmaps the page: no A written");

	/* always losing: bounded, -EIO */
	s = one_mapping(M4, gva, 1, 0, 0, 0);
	r.cr3 = s.cr3;
	race_fn = race_set_avail;
	race_left = 1000;
	CHECK_EQ(walk(&r, gva, 0, V3_WALK_SET_AD), ERR(EIO),
		 "cmpxchg always loses: -EIO");
	CHECK(xchg_calls >= 2 && xchg_calls <= 64,
	      "cmpxchg always loses: bounded (%d tries)", xchg_calls);
	CHECK_EQ(xchg_calls, V3_WALK_MAX_RESTARTS + 1,
		 "cmpxchg always loses: 1 + V3_WALK_MAX_RESTARTS tries");

	/* 32-bit entries: 4-byte cmpxchg */
	s = one_mapping(M32, gva_of(M32), 1, 0, 0, 0);
	r = regs_of(M32);
	r.cr3 = s.cr3;
	race_fn = race_set_avail;
	race_left = 1;
	CHECK_EQ(walk(&r, gva_of(M32), V3_PF_WRITE, V3_WALK_SET_AD), OK,
		 "32-bit: cmpxchg fails once, restart");
	CHECK_EQ(get(s.ent[1], 4) & (A | D | 0x200), A | D,
		 "32-bit restart: PTE A|D");
	CHECK_EQ(xchg_bad, 0, "cmpxchg sizes and alignment");
}

static void test_outside_ram(void)
{
	struct v3_walk_regs r;
	struct space s;
	int mode;

	for (mode = M32; mode <= M5; mode++) {
		u64 gva = gva_of(mode);

		r = regs_of(mode);
		r.cr3 = 0x40000000ULL;		/* 1 GiB: past the 4 MiB of RAM */
		CHECK_EQ(walk(&r, gva, 0, 0), ERR(EIO), "%s: root table outside RAM",
			 mode_name[mode]);
		CHECK_EQ(walk(&r, gva, 0, V3_WALK_NO_CHECK), ERR(EIO),
			 "%s: root outside RAM, NO_CHECK", mode_name[mode]);
		/* the last table outside RAM: point the level-2 entry away */
		s = one_mapping(mode, gva, 1, 0, 0, 0);
		r.cr3 = s.cr3;
		put(s.ent[2], 0x7ff00000ULL | P | RW | US, esize(mode));
		CHECK_EQ(walk(&r, gva, 0, 0), ERR(EIO), "%s: page table outside RAM",
			 mode_name[mode]);
		CHECK_EQ(w.levels, top_of[mode] - 1,
			 "%s: the entries read before it are reported", mode_name[mode]);
		/* the page itself outside RAM is the caller's business */
		s = one_mapping(mode, gva, 1, 0, 0, 0);
		r.cr3 = s.cr3;
		put(s.ent[1], 0x7ff00000ULL | P | RW | US, esize(mode));
		CHECK_EQ(walk(&r, gva, 0, 0), OK, "%s: page outside RAM translates",
			 mode_name[mode]);
		CHECK_EQ(w.gpa, 0x7ff00000ULL | (gva & 0xfff), "%s: its gpa",
			 mode_name[mode]);
	}
}

/*
 * A table that maps itself (SDM 4.10.1 calls it recursive): PML4[R]
 * pointing at the PML4 makes the tables visible at fixed addresses, as
 * Windows and older Linux do.  Linear (R, R, R, R, off) is the PML4 page,
 * (R, R, R, i) the PDPT of slot i, (R, i, j, k) the page table of
 * (i, j, k).
 */
static u64 sext48(u64 va)
{
	return va & BIT64(47) ? va | 0xffff000000000000ULL : va;
}

static void test_self_map(void)
{
	const u64 R = 510;
	u64 gva = 0x00001234567ab123ULL, pml4, pt, va;
	unsigned int i4 = (gva >> 39) & 511, i3 = (gva >> 30) & 511,
		     i2 = (gva >> 21) & 511, i1 = (gva >> 12) & 511;
	struct space s;
	struct v3_walk_regs r = regs_of(M4);
	int i;
	bool same = true;

	reset();
	s = new_space(M4);
	pml4 = root_table(&s);
	map(&s, gva, 1, 0x00500000ULL, URW);
	pt = get(s.ent[2], 8) & 0x000ffffffffff000ULL;
	put(pml4 + R * 8, pml4 | P | RW, 8);	/* supervisor only */
	r.cr3 = s.cr3;

	va = sext48(R << 39 | R << 30 | R << 21 | R << 12 | R * 8);
	CHECK_EQ(walk(&r, va, 0, 0), OK, "self map: the PML4 through itself");
	CHECK_EQ(w.gpa, pml4 + R * 8, "self map: (R,R,R,R) = the PML4 page");
	for (i = 0; i < 4; i++)
		if (w.pte_gpa[i] != pml4 + R * 8)
			same = false;
	CHECK(same && w.levels == 4, "self map: one entry used at all 4 levels");
	va = sext48(R << 39 | (u64)i4 << 30 | (u64)i3 << 21 | (u64)i2 << 12 | i1 * 8);
	CHECK_EQ(walk(&r, va, 0, 0), OK, "self map: the PTE of gva");
	CHECK_EQ(w.gpa, pt + i1 * 8, "self map: (R,i4,i3,i2) = gva's page table");
	CHECK_EQ(w.gpa, s.ent[1], "self map: = the PTE's gpa");
	va = sext48(R << 39 | R << 30 | R << 21 | (u64)i4 << 12);
	CHECK_EQ(walk(&r, va, 0, 0), OK, "self map: the PDPT of gva");
	CHECK_EQ(w.gpa, get(pml4 + i4 * 8, 8) & 0x000ffffffffff000ULL,
		 "self map: (R,R,R,i4) = gva's PDPT");
	/* the self entry is supervisor: users cannot see the tables */
	CHECK_EQ(walk(&r, va, V3_PF_USER, 0), PF(PF_P | PF_U),
		 "self map: user read of the tables denied");
	/* a write through the self map: A and D land in that one entry */
	va = sext48(R << 39 | R << 30 | R << 21 | R << 12 | R * 8);
	xchg_calls = 0;
	CHECK_EQ(walk(&r, va, V3_PF_WRITE, V3_WALK_SET_AD), OK,
		 "self map: write with SET_AD");
	CHECK_EQ(get(pml4 + R * 8, 8), pml4 | P | RW | A | D,
		 "self map: the self entry gets A and D");
	CHECK(xchg_calls <= 2, "self map: no lost cmpxchg against itself (%d)",
	      xchg_calls);
	CHECK(w.dirty, "self map: dirty");
	CHECK_EQ(walk(&r, va, 0, 0), OK, "self map: still translates with A/D");
	CHECK_EQ(w.gpa, pml4 + R * 8, "self map: same gpa");

	/* 32-bit: PD[1023] = PD; 0xfffff000 is the PD, 0xffc00000 + 4 KiB * i the tables */
	{
		struct v3_walk_regs r32 = regs_of(M32);
		u64 g32 = 0x80a0b123ULL, pd;

		reset();
		s = new_space(M32);
		pd = root_table(&s);
		map(&s, g32, 1, 0x00345000ULL, URW);
		put(pd + 1023 * 4, pd | P | RW | US, 4);
		r32.cr3 = s.cr3;
		CHECK_EQ(walk(&r32, 0xfffff000ULL + 0x202 * 4, V3_PF_USER, 0), OK,
			 "32-bit self map: the PD at 0xfffff000");
		CHECK_EQ(w.gpa, pd + 0x202 * 4, "32-bit self map: PDE 514's gpa");
		CHECK_EQ(walk(&r32, 0xffc00000ULL + (0x202 << 12) + 0x20b * 4,
			      V3_PF_WRITE, V3_WALK_SET_AD), OK,
			 "32-bit self map: the PTE of gva, write");
		CHECK_EQ(w.gpa, s.ent[1], "32-bit self map: = the PTE's gpa");
		CHECK_EQ(get(pd + 1023 * 4, 4), pd | P | RW | US | A,
			 "32-bit self map: self PDE used as PDE: A only");
		CHECK_EQ(get(s.ent[2], 4) & (A | D), A | D,
			 "32-bit self map: PDE 514 used as PTE: A and D");
		CHECK_EQ(walk(&r32, 0xfffff000ULL + 1023 * 4, V3_PF_WRITE,
			      V3_WALK_SET_AD), OK, "32-bit self map: write the self PDE");
		CHECK_EQ(get(pd + 1023 * 4, 4), pd | P | RW | US | A | D,
			 "32-bit self map: self PDE as PDE and PTE: A and D");
	}
}

int main(void)
{
	test_paging_off();
	test_32bit();
	test_pae();
	test_4level();
	test_5level();
	test_canonical();
	test_data_rights();
	test_no_check();
	test_nx();
	test_smep();
	test_smap();
	test_ad();
	test_restart();
	test_outside_ram();
	test_self_map();
	return unit_done();
}
