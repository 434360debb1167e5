// SPDX-License-Identifier: GPL-2.0
/*
 * gears_exec.c on its own: a hand-built static PIE laid out as the image
 * of a GEARS exec (segments at their addresses, BSS zero, the initial
 * stack read back after relocating it by a base the way the module
 * does), every refusal, and, when "make test" could link one
 * (tests/gexec, from tests/gears-elf), a real glibc static PIE mapped at
 * a real address in this process and its auxiliary vector checked there.
 * Nothing here jumps into an image.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "v3ctl.h"
#include "test.h"

#define GEXEC_PATH	"tests/gexec"	/* built by "make test" if it can be */

/*
 * The mini PIE: ehdr, 2 program headers (room for a third at 0xb0), code
 * at 0x100 (the entry), data at file 0x200.
 *   LOAD R X  offset 0      vaddr 0       filesz 0x180  memsz 0x1800
 *   LOAD RW   offset 0x200  vaddr 0x2200  filesz 0x100  memsz 0x900
 * Its image: 0x3000 bytes.
 */
size_t test_mini_pie(uint8_t buf[TEST_MINI_PIE_LEN])
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	unsigned int i;

	for (i = 0; i < TEST_MINI_PIE_LEN; i++)
		buf[i] = (uint8_t)(i * 13 + 7) | 1;	/* never 0 */
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x100;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_X;
	ph[0].p_filesz = 0x180;
	ph[0].p_memsz = 0x1800;
	ph[0].p_align = 0x1000;
	ph[1].p_type = PT_LOAD;
	ph[1].p_flags = PF_R | PF_W;
	ph[1].p_offset = 0x200;
	ph[1].p_vaddr = ph[1].p_paddr = 0x2200;
	ph[1].p_filesz = 0x100;
	ph[1].p_memsz = 0x900;
	ph[1].p_align = 0x1000;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	memset(buf + sizeof(eh) + sizeof(ph), 0, 0x100 - sizeof(eh) - sizeof(ph));
	return TEST_MINI_PIE_LEN;
}

static Elf64_Ehdr *ehdr(uint8_t *f)
{
	return (Elf64_Ehdr *)f;
}

static Elf64_Phdr *phdr(uint8_t *f, unsigned int i)
{
	return (Elf64_Phdr *)(f + sizeof(Elf64_Ehdr)) + i;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* what the module does: the listed words + base (also its checks) */
int test_exec_relocate(uint8_t *d, uint64_t len, const uint64_t args[4],
		       uint64_t base)
{
	uint64_t i, off;

	if (!len || args[0] >= len || args[1] > len || (args[1] & 15) ||
	    args[2] > len || (args[2] & 7) || args[3] > (len - args[2]) / 8)
		return -1;
	for (i = 0; i < args[3]; i++) {
		off = rd64(d + args[2] + i * 8);
		if (off > len - 8)
			return -1;
	}
	for (i = 0; i < args[3]; i++) {
		off = rd64(d + args[2] + i * 8);
		memcpy(d + off, &(uint64_t){ rd64(d + off) + base }, 8);
	}
	return 0;
}

/* The initial stack read back from a relocated image at @base. */
struct stack_view {
	uint64_t argc;
	const char *argv[8];
	const char *env0;
	bool argv_null, env_null;
	uint64_t aux[64];	/* by type; ~0: absent */
	unsigned int naux;
	bool aux_order;		/* the types in the expected order */
};

/* @d's byte at address @a (base @base), or NULL outside [lo, hi) */
static const void *at(const uint8_t *d, uint64_t base, uint64_t a,
		      uint64_t lo, uint64_t hi)
{
	if (a < base + lo || a >= base + hi)
		return NULL;
	return d + (a - base);
}

static bool read_stack(const uint8_t *d, const struct gears_exec *x,
		       uint64_t base, struct stack_view *v)
{
	static const unsigned int order[GEARS_EXEC_AUXV] = {
		AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS,
		AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE,
		AT_RANDOM, AT_HWCAP, AT_CLKTCK, AT_EXECFN, AT_NULL,
	};
	uint64_t lo = x->rsp, hi = x->stack_off + x->stack_len, off = x->rsp;
	uint64_t i, t, val;

	memset(v, 0, sizeof(*v));
	memset(v->aux, 0xff, sizeof(v->aux));
	v->argc = rd64(d + off);
	off += 8;
	if (v->argc > 8)
		return false;
	for (i = 0; i < v->argc; i++, off += 8) {
		v->argv[i] = at(d, base, rd64(d + off), lo, hi);
		if (!v->argv[i] || !memchr(v->argv[i], 0, d + hi - (const uint8_t *)v->argv[i]))
			return false;
	}
	v->argv_null = !rd64(d + off);
	off += 8;
	v->env0 = at(d, base, rd64(d + off), lo, hi);
	if (!v->env0)
		return false;
	v->env_null = !rd64(d + off + 8);
	off += 16;
	v->aux_order = true;
	for (i = 0; off + 16 <= hi; i++, off += 16) {
		t = rd64(d + off);
		val = rd64(d + off + 8);
		if (t >= ARRAY_SIZE(v->aux))
			return false;
		v->aux[t] = val;
		if (i >= GEARS_EXEC_AUXV || order[i] != t)
			v->aux_order = false;
		v->naux++;
		if (t == AT_NULL)
			break;
	}
	return true;
}

static const uint8_t rnd[16] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
	0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
};

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void test_layout(void)
{
	char *argv[] = { "mini", "hello", "a b", "" };
	uint8_t f[TEST_MINI_PIE_LEN], *d = NULL;
	const uint64_t base = 0x7f1234560000ULL;
	struct stack_view v;
	struct gears_exec x;
	char why[256] = "";
	uint64_t i, off;
	bool ok, rel_ok = true;
	int r;

	test_mini_pie(f);
	r = gears_exec_image(f, sizeof(f), 4, argv, rnd, &x, why, sizeof(why));
	if (!tap_ok(!r, "gears exec: the mini PIE lays out%s%s", r ? ": " : "",
		    r ? why : ""))
		return;
	tap_ok(x.image_len == 0x3000 && x.stack_off == 0x3000 &&
	       x.stack_len >= GEARS_EXEC_STACK && !(x.stack_len & 4095) &&
	       x.reloc_off == x.stack_off + x.stack_len &&
	       x.args[0] == 0x100 && x.args[1] == x.rsp &&
	       x.args[2] == x.reloc_off && x.args[3] == 4 + 5 &&
	       x.len == x.reloc_off + 9 * 8 && x.len <= V3_GEARS_DATA_MAX,
	       "gears exec: image 0x3000, stack region after it, table after that, args (len 0x%llx, rsp 0x%llx)",
	       (unsigned long long)x.len, (unsigned long long)x.rsp);
	tap_ok(!memcmp(x.data, f, 0x180) && all_zero(x.data + 0x180, 0x2200 - 0x180) &&
	       !memcmp(x.data + 0x2200, f + 0x200, 0x100) &&
	       all_zero(x.data + 0x2300, 0x3000 - 0x2300),
	       "gears exec: segments at p_vaddr, BSS and the rest of the page zero");
	tap_ok(!(x.rsp & 15) && x.rsp - x.stack_off >= GEARS_EXEC_STACK &&
	       all_zero(x.data + x.stack_off, x.rsp - x.stack_off),
	       "gears exec: RSP 16-byte aligned, 64 KiB of zero stack below it");
	for (i = 0; i < x.args[3]; i++) {
		off = rd64(x.data + x.reloc_off + i * 8);
		if ((off & 7) || off < x.rsp || off + 8 > x.reloc_off)
			rel_ok = false;
	}
	tap_ok(rel_ok, "gears exec: every word relocated is an aligned word of the initial stack");

	d = malloc(x.len);
	memcpy(d, x.data, x.len);
	ok = !test_exec_relocate(d, x.len, x.args, base) &&
	     read_stack(d, &x, base, &v);
	tap_ok(ok && v.argc == 4 && !strcmp(v.argv[0], "mini") &&
	       !strcmp(v.argv[1], "hello") && !strcmp(v.argv[2], "a b") &&
	       !strcmp(v.argv[3], "") && v.argv_null,
	       "gears exec: argc 4, argv relocated to its strings, NULL after");
	tap_ok(ok && !strcmp(v.env0, GEARS_EXEC_ENV) && v.env_null,
	       "gears exec: envp { \"V3_GEARS_EXEC=1\", NULL }");
	tap_ok(ok && v.naux == GEARS_EXEC_AUXV && v.aux_order &&
	       v.aux[AT_PHDR] == base + 64 && v.aux[AT_PHENT] == 56 &&
	       v.aux[AT_PHNUM] == 2 && v.aux[AT_PAGESZ] == 4096 &&
	       v.aux[AT_BASE] == 0 && v.aux[AT_FLAGS] == 0 &&
	       v.aux[AT_ENTRY] == base + 0x100 && v.aux[AT_UID] == 0 &&
	       v.aux[AT_EUID] == 0 && v.aux[AT_GID] == 0 && v.aux[AT_EGID] == 0 &&
	       v.aux[AT_SECURE] == 0 && v.aux[AT_HWCAP] == 0 &&
	       v.aux[AT_CLKTCK] == 100 && v.aux[AT_NULL] == 0 &&
	       v.aux[AT_EXECFN] == (uint64_t)((const uint8_t *)v.argv[0] - d) + base,
	       "gears exec: auxv: PHDR, ENTRY at base + offset, PHENT, PHNUM, PAGESZ, ids, CLKTCK, EXECFN = argv[0], AT_NULL last");
	tap_ok(ok && v.aux[AT_RANDOM] >= base + x.rsp &&
	       v.aux[AT_RANDOM] + 16 <= base + x.reloc_off &&
	       !memcmp(d + (v.aux[AT_RANDOM] - base), rnd, 16),
	       "gears exec: AT_RANDOM points at the 16 random bytes, in the stack region");
	tap_ok(ok && !memcmp(d, x.data, x.stack_off),
	       "gears exec: relocating leaves the program's bytes alone");
	free(d);
	gears_exec_free(&x);
	tap_ok(!x.data && !x.len, "gears exec: freed");

	/* PT_PHDR, when there is one, is AT_PHDR */
	test_mini_pie(f);
	ehdr(f)->e_phnum = 3;
	*phdr(f, 2) = (Elf64_Phdr){ .p_type = PT_PHDR, .p_flags = PF_R,
				    .p_offset = 64, .p_vaddr = 64,
				    .p_filesz = 3 * 56, .p_memsz = 3 * 56,
				    .p_align = 8 };
	r = gears_exec_image(f, sizeof(f), 1, argv, rnd, &x, why, sizeof(why));
	d = r ? NULL : malloc(x.len);
	if (d)
		memcpy(d, x.data, x.len);
	ok = d && !test_exec_relocate(d, x.len, x.args, 0x1000) &&
	     read_stack(d, &x, 0x1000, &v);
	tap_ok(ok && v.aux[AT_PHDR] == 0x1000 + 64 && v.aux[AT_PHNUM] == 3 &&
	       v.argc == 1 && x.args[3] == 1 + 5,
	       "gears exec: PT_PHDR gives AT_PHDR; argc 1%s%s", r ? ": " : "",
	       r ? why : "");
	free(d);
	gears_exec_free(&x);

	/* arguments that need more than a page of initial stack */
	{
		static char big[20000];
		char *bargv[] = { "m", big, big };

		memset(big, 'b', sizeof(big) - 1);
		test_mini_pie(f);
		r = gears_exec_image(f, sizeof(f), 3, bargv, rnd, &x, why, sizeof(why));
		d = r ? NULL : malloc(x.len);
		if (d)
			memcpy(d, x.data, x.len);
		ok = d && !test_exec_relocate(d, x.len, x.args, 0) &&
		     read_stack(d, &x, 0, &v);
		tap_ok(ok && x.rsp - x.stack_off >= GEARS_EXEC_STACK &&
		       !(x.rsp & 15) && v.argc == 3 && strlen(v.argv[2]) == sizeof(big) - 1 &&
		       x.stack_len > GEARS_EXEC_STACK + 40000,
		       "gears exec: 40 KB of arguments: the stack region grows, 64 KiB stay free%s%s",
		       r ? ": " : "", r ? why : "");
		free(d);
		gears_exec_free(&x);
	}
}

/* the mini PIE, changed by @fix, refused with @want in the reason */
static void refused(void (*fix)(uint8_t *f, size_t *len), const char *want,
		    const char *what)
{
	uint8_t f[TEST_MINI_PIE_LEN];
	char *argv[] = { "mini" };
	struct gears_exec x;
	char why[256] = "";
	size_t len = test_mini_pie(f);
	int r;

	fix(f, &len);
	r = gears_exec_image(f, len, 1, argv, rnd, &x, why, sizeof(why));
	if (!tap_ok(r && strstr(why, want) && !x.data && !x.len,
		    "gears exec refuses %s: %s", what, why))
		tap_diag("want: %s", want);
	if (!r)
		gears_exec_free(&x);
}

static void f_magic(uint8_t *f, size_t *l) { (void)l; f[1] = 'e'; }
static void f_class(uint8_t *f, size_t *l) { (void)l; f[EI_CLASS] = ELFCLASS32; }
static void f_endian(uint8_t *f, size_t *l) { (void)l; f[EI_DATA] = ELFDATA2MSB; }
static void f_machine(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_machine = EM_386; }
static void f_exec(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_type = ET_EXEC; }
static void f_rel(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_type = ET_REL; }
static void f_core(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_type = ET_CORE; }
static void f_version(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_version = 2; }
static void f_short(uint8_t *f, size_t *l) { (void)f; *l = 40; }
static void f_tiny(uint8_t *f, size_t *l) { (void)f; *l = 3; }
static void f_phtrunc(uint8_t *f, size_t *l) { (void)f; *l = 100; }
static void f_segtrunc(uint8_t *f, size_t *l) { (void)f; *l = 0x2ff; }
static void f_phentsize(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_phentsize = 32; }
static void f_nophdr(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_phnum = 0; }
static void f_phoff(uint8_t *f, size_t *l) { (void)l; ehdr(f)->e_phoff = ~0ULL - 8; }

static void f_interp(uint8_t *f, size_t *l)
{
	(void)l;
	ehdr(f)->e_phnum = 3;
	*phdr(f, 2) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R,
				    .p_offset = 0x2c0, .p_filesz = 28,
				    .p_memsz = 28, .p_align = 1 };
	memcpy(f + 0x2c0, "/lib64/ld-linux-x86-64.so.2", 28);
}

static void f_outside(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_offset = 0x1200;	/* congruent, past the file */
}

static void f_offwrap(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_offset = 0x200 - 0x1000ULL * 0x100000;
	phdr(f, 1)->p_filesz = ~0ULL - 0x10;
	phdr(f, 1)->p_memsz = ~0ULL;
}

static void f_filesz(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_memsz = 0xff;
}

static void f_align(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_align = 0x300;
}

static void f_congruent(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_vaddr = 0x2300;
}

static void f_notzero(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 0)->p_vaddr = 0x1000;
	ehdr(f)->e_entry = 0x1100;
}

static void f_overlap(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 0)->p_memsz = 0x2201;
}

static void f_order(uint8_t *f, size_t *l)
{
	Elf64_Phdr t = *phdr(f, 0);

	(void)l;
	*phdr(f, 0) = *phdr(f, 1);
	*phdr(f, 1) = t;
}

static void f_noload(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 0)->p_type = PT_NOTE;
	phdr(f, 1)->p_type = PT_GNU_STACK;
}

static void f_entry(uint8_t *f, size_t *l)
{
	(void)l;
	ehdr(f)->e_entry = 0x2000;	/* between the segments */
}

static void f_entry_nx(uint8_t *f, size_t *l)
{
	(void)l;
	ehdr(f)->e_entry = 0x2210;	/* the data segment */
}

static void f_phdr_unmapped(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 0)->p_filesz = 0x40;	/* the headers at 64 are not loaded */
}

static void f_huge(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_memsz = 64ULL << 20;
}

static void f_vaddr_huge(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_vaddr = 1ULL << 62;
	phdr(f, 1)->p_offset = 0;
}

/* the segments fit in 64 MiB, with the stack they do not */
static void f_just_over(uint8_t *f, size_t *l)
{
	(void)l;
	phdr(f, 1)->p_memsz = (64ULL << 20) - 0x2200 - 0x1000;
}

static void test_refusals(void)
{
	uint8_t f[TEST_MINI_PIE_LEN];
	char *argv[] = { "mini" };
	struct gears_exec x;
	char why[256] = "";

	refused(f_magic, "not an ELF file", "a file that is no ELF");
	refused(f_tiny, "not an ELF file", "3 bytes");
	refused(f_class, "not a 64-bit ELF file (ELFCLASS32)", "ELFCLASS32");
	refused(f_endian, "not a little-endian ELF file", "big endian");
	refused(f_machine, "not an x86-64 program (e_machine 3)", "EM_386");
	refused(f_version, "unknown ELF version 2", "e_version 2");
	refused(f_exec, "not a static PIE (ET_EXEC: linked at a fixed address; link with gcc -static-pie)",
		"ET_EXEC");
	refused(f_rel, "not a static PIE (ET_REL: an object file; link with gcc -static-pie)", "ET_REL");
	refused(f_core, "not a static PIE (e_type 4; link with gcc -static-pie)", "ET_CORE");
	refused(f_interp, "not a static PIE (it needs the dynamic loader /lib64/ld-linux-x86-64.so.2: link with gcc -static-pie)",
		"PT_INTERP (a dynamic executable)");
	refused(f_short, "truncated: 40 bytes, less than an ELF header", "a truncated ELF header");
	refused(f_phtrunc, "truncated: the program headers end past the file's 100 bytes",
		"truncated program headers");
	refused(f_segtrunc, "truncated: segment 1 (0x100 bytes at 0x200) ends past the file's 767 bytes",
		"a truncated segment");
	refused(f_outside, "segment 1 (0x100 bytes at 0x1200) ends past the file", "a segment outside the file");
	refused(f_offwrap, "ends past the file", "a segment whose end wraps around");
	refused(f_phoff, "the program headers end past the file", "e_phoff near 2^64");
	refused(f_phentsize, "program header entries of 32 bytes, not 56", "e_phentsize 32");
	refused(f_nophdr, "no program headers", "e_phnum 0");
	refused(f_filesz, "segment 1: p_filesz 0x100 larger than p_memsz 0xff", "p_filesz > p_memsz");
	refused(f_align, "segment 1: bad alignment (p_align 0x300", "p_align not a power of 2");
	refused(f_congruent, "segment 1: bad alignment (p_align 0x1000, p_vaddr 0x2300, p_offset 0x200)",
		"p_vaddr not congruent to p_offset");
	refused(f_notzero, "the first loaded segment is at 0x1000, not 0 as a static PIE's (link with gcc -static-pie)",
		"a first PT_LOAD not at 0");
	refused(f_overlap, "segment 1 at 0x2200 overlaps the one before or is out of order", "overlapping segments");
	refused(f_order, "the first loaded segment is at 0x2200", "segments out of order");
	refused(f_noload, "no loadable segment (PT_LOAD)", "no PT_LOAD");
	refused(f_entry, "the entry point 0x2000 is in no executable segment", "an entry outside the segments");
	refused(f_entry_nx, "the entry point 0x2210 is in no executable segment", "an entry in data");
	refused(f_phdr_unmapped, "the program headers are not in a loaded segment (AT_PHDR)",
		"program headers outside the segments");
	refused(f_huge, "segment 1 ends at 0x4002200: the program takes more than the 64 MiB GEARS injects",
		"segments over 64 MiB");
	refused(f_vaddr_huge, "segment 1 ends at 0x4000000000000900: the program takes more than the 64 MiB",
		"a segment at 2^62");
	refused(f_just_over, "the program, its stack and arguments take ", "64 MiB with the stack");
	refused(f_just_over, "bytes, more than the 64 MiB GEARS injects", "64 MiB with the stack (limit named)");

	test_mini_pie(f);
	tap_ok(gears_exec_image(f, sizeof(f), 0, argv, rnd, &x, why, sizeof(why)) &&
	       strstr(why, "no argv[0]") && !x.data,
	       "gears exec refuses argc 0: %s", why);
}

/*
 * A real glibc static PIE (tests/gexec, tests/gears-elf/gexec.c) mapped
 * at a page-aligned address of this process, relocated like the module
 * does it, and its initial stack and auxiliary vector read through real
 * pointers: the headers at AT_PHDR, the code at AT_ENTRY, PT_DYNAMIC and
 * PT_TLS where the program will look for them.  Never run.
 */
static void test_real_pie(void)
{
	char *argv[] = { "gexec", "hello" };
	uint8_t *f = NULL, *m = MAP_FAILED;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph, *aph;
	struct gears_exec x = { 0 };
	const uint64_t *sp;
	const char *const *av;
	uint64_t aux[64], base, i, t;
	unsigned int nseg = 0, ndyn = 0, ntls = 0;
	char why[256] = "";
	struct stat st;
	bool ok = true;
	int fd;

	fd = open(GEXEC_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)sizeof(*eh)) {
		tap_ok(true, "# SKIP gears exec: no %s (make test links it from tests/gears-elf with gcc -static-pie)",
		       GEXEC_PATH);
		if (fd >= 0)
			close(fd);
		return;
	}
	f = malloc(st.st_size);
	ok = f && read(fd, f, st.st_size) == st.st_size;
	close(fd);
	if (!tap_ok(ok && !gears_exec_image(f, st.st_size, 2, argv, rnd, &x, why, sizeof(why)),
		    "gears exec: %s, a glibc static PIE, lays out%s%s", GEXEC_PATH,
		    *why ? ": " : "", why))
		goto out;
	eh = (const Elf64_Ehdr *)f;
	m = mmap(NULL, x.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (!tap_ok(m != MAP_FAILED, "gears exec: %llu bytes mapped",
		    (unsigned long long)x.len))
		goto out;
	base = (uint64_t)(uintptr_t)m;
	memcpy(m, x.data, x.len);
	tap_ok(!test_exec_relocate(m, x.len, x.args, base) && !(base & 4095) &&
	       !(x.args[1] & 15),
	       "gears exec: relocated at 0x%llx, as the module checks it",
	       (unsigned long long)base);

	sp = (const uint64_t *)(m + x.args[1]);
	av = (const char *const *)(sp + 1);
	tap_ok(sp[0] == 2 && !strcmp(av[0], "gexec") && !strcmp(av[1], "hello") &&
	       !av[2] && !strcmp(av[3], GEARS_EXEC_ENV) && !av[4],
	       "gears exec: at RSP argc 2, argv gexec hello, envp, through real pointers");
	memset(aux, 0, sizeof(aux));
	for (i = 5 + 1; (t = sp[i]) != AT_NULL; i += 2)
		if (t < ARRAY_SIZE(aux))
			aux[t] = sp[i + 1];
	aph = (const Elf64_Phdr *)(uintptr_t)aux[AT_PHDR];
	tap_ok(aux[AT_PHENT] == sizeof(*aph) && aux[AT_PHNUM] == eh->e_phnum &&
	       aph && !memcmp(aph, f + eh->e_phoff, eh->e_phnum * sizeof(*aph)),
	       "gears exec: AT_PHDR (0x%llx) points at the program headers in the image",
	       (unsigned long long)aux[AT_PHDR]);
	tap_ok(aux[AT_ENTRY] == base + eh->e_entry && aux[AT_PAGESZ] == 4096 &&
	       aux[AT_EXECFN] == (uint64_t)(uintptr_t)av[0] &&
	       !memcmp((void *)(uintptr_t)aux[AT_RANDOM], rnd, 16) &&
	       aux[AT_RANDOM] > base + x.stack_off &&
	       aux[AT_RANDOM] < base + x.reloc_off,
	       "gears exec: AT_ENTRY = base + e_entry, AT_EXECFN = argv[0], AT_RANDOM in the stack");
	for (i = 0; i < eh->e_phnum; i++) {
		ph = (const Elf64_Phdr *)(f + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD) {
			nseg++;
			if (memcmp(m + ph->p_vaddr, f + ph->p_offset, ph->p_filesz) ||
			    !all_zero(m + ph->p_vaddr + ph->p_filesz,
				      ph->p_memsz - ph->p_filesz))
				ok = false;
			if (eh->e_entry >= ph->p_vaddr &&
			    eh->e_entry < ph->p_vaddr + ph->p_filesz &&
			    memcmp((void *)(uintptr_t)aux[AT_ENTRY],
				   f + ph->p_offset + (eh->e_entry - ph->p_vaddr), 16))
				ok = false;
		}
		if (ph->p_type == PT_DYNAMIC || ph->p_type == PT_TLS) {
			ndyn += ph->p_type == PT_DYNAMIC;
			ntls += ph->p_type == PT_TLS;
			if (memcmp(m + ph->p_vaddr, f + ph->p_offset, ph->p_filesz))
				ok = false;
		}
	}
	tap_ok(ok && nseg >= 2 && ndyn == 1,
	       "gears exec: %u PT_LOAD segments with BSS zero, the entry's code, PT_DYNAMIC%s in place",
	       nseg, ntls ? " and PT_TLS" : "");
out:
	if (m != MAP_FAILED)
		munmap(m, x.len);
	gears_exec_free(&x);
	free(f);
}

void test_gears_exec(void)
{
	test_layout();
	test_refusals();
	test_real_pie();
}
