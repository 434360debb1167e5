// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols of the guest's loaded modules (module/gears/gears_modsym.c) on
 * a synthetic guest: the list head "modules", two struct modules linked
 * through their list member as the kernel links them, each with a
 * struct mod_kallsyms pointing at an Elf64_Sym array and its strings.
 * Checked: a symbol of the first and of the second module, a name in
 * neither, a module still loading (no kallsyms yet), a prefix that is not
 * the name, and the refusals: no module layout, a list that never comes
 * back (-EIO), a pointer into the user half (-EIO).
 */
#include <stdio.h>
#include <string.h>
#include "v3.h"
#include "gears/gears_ps.h"
#include "unit.h"

#define BASE	0xffffffffc0000000ULL
#define HEAD	(BASE + 0x0)		/* LIST_HEAD(modules) */
#define MOD(i)	(BASE + 0x1000 + (i) * 0x400)
#define KS(i)	(BASE + 0x3000 + (i) * 0x100)
#define SYM(i)	(BASE + 0x4000 + (i) * 0x400)
#define STR(i)	(BASE + 0x6000 + (i) * 0x400)

/* a layout unlike any real one */
static struct v3_gears_layout lay = {
	.modules = HEAD, .mod_list = 0x08, .mod_kallsyms = 0x1c0,
	.mks_symtab = 0x00, .mks_num = 0x08, .mks_strtab = 0x10,
};

static u8 mem[0x8000];

static int fake_read(void *ctx, u64 va, void *buf, u32 len)
{
	if (va < BASE || va + len > BASE + sizeof(mem) || va + len < va)
		return -EFAULT;
	memcpy(buf, mem + (va - BASE), len);
	return 0;
}

static const struct gears_vread rd = { .read = fake_read };

static void put(u64 va, const void *v, u32 n)
{
	memcpy(mem + (va - BASE), v, n);
}

static void put64(u64 va, u64 v) { put(va, &v, 8); }
static void put32(u64 va, u32 v) { put(va, &v, 4); }

/* module i: its symbols names[] at values base + 0x10 * k */
static void mk(int i, const char *const *names, int n, u64 base)
{
	u32 so = 1, k;

	put64(MOD(i) + lay.mod_kallsyms, KS(i));
	put64(KS(i) + lay.mks_symtab, SYM(i));
	put32(KS(i) + lay.mks_num, n + 1);
	put64(KS(i) + lay.mks_strtab, STR(i));
	/* entry 0: the null symbol, as in every ELF symbol table */
	for (k = 0; k < (u32)n; k++) {
		u8 s[24] = {};
		u64 v = base + 0x10 * k;

		memcpy(s, &so, 4);
		memcpy(s + 8, &v, 8);
		put(SYM(i) + 24 * (k + 1), s, 24);
		put(STR(i) + so, names[k], strlen(names[k]) + 1);
		so += strlen(names[k]) + 1;
	}
}

int main(void)
{
	static const char *const a[] = { "v3gtest_add", "init_module", "v3gtest_addx" };
	static const char *const b[] = { "other_fn", "v3gtest_ad" };
	u64 addr = 0;

	/* modules -> mod 0 -> mod 1 -> modules */
	put64(HEAD, MOD(0) + lay.mod_list);
	put64(MOD(0) + lay.mod_list, MOD(1) + lay.mod_list);
	put64(MOD(1) + lay.mod_list, HEAD);
	mk(0, a, 3, 0xffffffffc1000000ULL);
	mk(1, b, 2, 0xffffffffc2000000ULL);

	CHECK(!v3_gears_modsym(&rd, &lay, "v3gtest_add", &addr) &&
	      addr == 0xffffffffc1000000ULL, "first module's symbol: %#llx", addr);
	CHECK(!v3_gears_modsym(&rd, &lay, "v3gtest_addx", &addr) &&
	      addr == 0xffffffffc1000020ULL, "a longer name with the same prefix");
	CHECK(!v3_gears_modsym(&rd, &lay, "other_fn", &addr) &&
	      addr == 0xffffffffc2000000ULL, "second module's symbol");
	CHECK(!v3_gears_modsym(&rd, &lay, "v3gtest_ad", &addr) &&
	      addr == 0xffffffffc2000010ULL, "a prefix of another name is its own name");
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "nowhere", &addr), -ENOENT,
		 "a name in no module: -ENOENT");
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "", &addr), -ENOENT,
		 "the empty name (the null symbol's) is nobody's: -ENOENT");

	put64(MOD(0) + lay.mod_kallsyms, 0);
	CHECK(!v3_gears_modsym(&rd, &lay, "other_fn", &addr),
	      "a module still loading (no kallsyms yet) is passed");
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "v3gtest_add", &addr), -ENOENT,
		 "...and its symbols are not found");
	put64(MOD(0) + lay.mod_kallsyms, KS(0));

	lay.mod_kallsyms = 0;
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "other_fn", &addr), -EOPNOTSUPP,
		 "no module layout in the BTF: -EOPNOTSUPP");
	lay.mod_kallsyms = 0x1c0;

	put64(MOD(1) + lay.mod_list, MOD(0) + lay.mod_list);	/* a loop */
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "nowhere", &addr), -EIO,
		 "a list that never comes back: -EIO after %u modules", V3_GEARS_MODS_MAX);
	put64(MOD(1) + lay.mod_list, 0x00007f0000001000ULL);
	CHECK_EQ(v3_gears_modsym(&rd, &lay, "nowhere", &addr), -EIO,
		 "a pointer into the user half: -EIO");
	return unit_done();
}
