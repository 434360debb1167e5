// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests for v3ctl: option and size parsing, the kernel
 * loaders against a fake guest-memory buffer, and (test_cmds.c) the
 * subcommands against a fake /dev/v3vmm.  Prints TAP.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v3ctl.h"
#include "loader.h"
#include "test.h"

/* ------------------------------------------------------------------ TAP */

static int tap_n, tap_failed;

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---------------------------------------------------------- fake memory */

struct fake_mem {
	uint8_t *buf;		/* backs [0, buf_size) */
	uint8_t *hbuf;		/* backs [4G, 4G + buf_size) */
	uint64_t buf_size;
	uint64_t ram;
	uint64_t max_write;
	unsigned long writes;
	bool oob;		/* a write outside guest RAM was attempted */
};

/* Independent of loader.c: RAM is [0, 3G) and [4G, 4G + ram - 3G). */
static int64_t fake_ram_off(const struct fake_mem *fm, uint64_t gpa,
			    uint64_t len)
{
	uint64_t low = fm->ram < (3ULL << 30) ? fm->ram : (3ULL << 30);

	if (gpa + len < gpa)
		return -1;
	if (gpa + len <= low)
		return gpa;
	if (gpa >= (4ULL << 30) && gpa + len - (4ULL << 30) <= fm->ram - low)
		return gpa - (4ULL << 30) + low;
	return -1;
}

static int fake_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct fake_mem *fm = ctx;
	int64_t off = fake_ram_off(fm, gpa, len);

	fm->writes++;
	if (len > fm->max_write)
		fm->max_write = len;
	if (off < 0) {
		fm->oob = true;
		return -EFAULT;
	}
	if (gpa < fm->buf_size) {
		uint64_t n = fm->buf_size - gpa < len ? fm->buf_size - gpa : len;

		memcpy(fm->buf + gpa, buf, n);
	} else if (gpa >= (4ULL << 30) && gpa - (4ULL << 30) < fm->buf_size) {
		uint64_t o = gpa - (4ULL << 30);
		uint64_t n = fm->buf_size - o < len ? fm->buf_size - o : len;

		memcpy(fm->hbuf + o, buf, n);
	}
	return 0;
}

static const struct guest_mem_ops fake_ops = { .write = fake_write };

static struct fake_mem fm;
static struct guest_mem gm;

static void mem_reset(uint64_t ram)
{
	uint64_t size = ram < (64ULL << 20) ? ram : (64ULL << 20);

	free(fm.buf);
	free(fm.hbuf);
	memset(&fm, 0, sizeof(fm));
	fm.ram = ram;
	fm.buf_size = size;
	fm.buf = malloc(size);
	fm.hbuf = malloc(size);
	memset(fm.buf, 0xaa, size);
	memset(fm.hbuf, 0xaa, size);
	gm.ops = &fake_ops;
	gm.ctx = &fm;
	gm.ram_bytes = ram;
}

static uint8_t *mem_at(uint64_t gpa)
{
	static uint8_t dummy[4096];

	if (fake_ram_off(&fm, gpa, 1) < 0)
		return dummy;
	if (gpa < fm.buf_size)
		return fm.buf + gpa;
	if (gpa >= (4ULL << 30) && gpa - (4ULL << 30) < fm.buf_size)
		return fm.hbuf + (gpa - (4ULL << 30));
	return dummy;
}

static uint32_t rd32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, mem_at(gpa), 4);
	return v;
}

static uint64_t rd64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem_at(gpa), 8);
	return v;
}

static bool mem_is(uint64_t gpa, uint8_t byte, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (mem_at(gpa + i)[0] != byte)
			return false;
	return true;
}

/* --------------------------------------------------------- ELF builder */

struct seg_spec {
	uint64_t paddr, vaddr;
	uint64_t filesz, memsz;
	uint8_t fill;		/* file bytes are fill + i % 7 */
	uint64_t align;		/* 0: 0x1000 */
	uint32_t type;		/* 0: PT_LOAD */
};

struct img_spec {
	bool is64;
	uint16_t machine;	/* 0: EM_386 / EM_X86_64 */
	uint16_t type;		/* 0: ET_EXEC */
	uint64_t entry;
	int nseg;
	struct seg_spec seg[4];
	bool mb;		/* Multiboot header at 0x200 */
	uint32_t mb_flags;
	bool mb_bad_sum;
};

#define IMG_MAX		(24 << 20)
static uint8_t img[IMG_MAX];

static uint8_t seg_byte(const struct seg_spec *s, uint64_t i)
{
	return s->fill + i % 7;
}

static size_t build_elf(const struct img_spec *is)
{
	size_t off = 0x1000, ph = is->is64 ? sizeof(Elf64_Ehdr) :
					     sizeof(Elf32_Ehdr);
	int i;

	memset(img, 0, 0x1000);
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = is->is64 ? ELFCLASS64 : ELFCLASS32;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;

	for (i = 0; i < is->nseg; i++) {
		const struct seg_spec *s = &is->seg[i];
		uint64_t align = s->align ? s->align : 0x1000, j;

		off = (off + 0xfff) & ~(size_t)0xfff;
		off += s->vaddr & 0xfff;
		if (is->is64) {
			Elf64_Phdr p = {
				.p_type = s->type ? s->type : PT_LOAD,
				.p_offset = off, .p_vaddr = s->vaddr,
				.p_paddr = s->paddr, .p_filesz = s->filesz,
				.p_memsz = s->memsz, .p_align = align,
				.p_flags = PF_R | PF_W | PF_X,
			};
			memcpy(img + ph + i * sizeof(p), &p, sizeof(p));
		} else {
			Elf32_Phdr p = {
				.p_type = s->type ? s->type : PT_LOAD,
				.p_offset = off, .p_vaddr = s->vaddr,
				.p_paddr = s->paddr, .p_filesz = s->filesz,
				.p_memsz = s->memsz, .p_align = align,
				.p_flags = PF_R | PF_W | PF_X,
			};
			memcpy(img + ph + i * sizeof(p), &p, sizeof(p));
		}
		for (j = 0; j < s->filesz; j++)
			img[off + j] = seg_byte(s, j);
		off += s->filesz;
	}
	if (is->is64) {
		Elf64_Ehdr e = {
			.e_type = is->type ? is->type : ET_EXEC,
			.e_machine = is->machine ? is->machine : EM_X86_64,
			.e_version = EV_CURRENT, .e_entry = is->entry,
			.e_phoff = ph, .e_ehsize = sizeof(e),
			.e_phentsize = sizeof(Elf64_Phdr),
			.e_phnum = is->nseg,
		};
		memcpy(e.e_ident, img, EI_NIDENT);
		memcpy(img, &e, sizeof(e));
	} else {
		Elf32_Ehdr e = {
			.e_type = is->type ? is->type : ET_EXEC,
			.e_machine = is->machine ? is->machine : EM_386,
			.e_version = EV_CURRENT, .e_entry = is->entry,
			.e_phoff = ph, .e_ehsize = sizeof(e),
			.e_phentsize = sizeof(Elf32_Phdr),
			.e_phnum = is->nseg,
		};
		memcpy(e.e_ident, img, EI_NIDENT);
		memcpy(img, &e, sizeof(e));
	}
	if (is->mb) {
		uint32_t h[3] = { MB_HEADER_MAGIC, is->mb_flags,
				  -(MB_HEADER_MAGIC + is->mb_flags) };

		if (is->mb_bad_sum)
			h[2]++;
		memcpy(img + 0x200, h, sizeof(h));
	}
	return off;
}

static bool seg_loaded(const struct seg_spec *s)
{
	uint64_t j;

	for (j = 0; j < s->filesz; j++)
		if (mem_at(s->paddr + j)[0] != seg_byte(s, j))
			return false;
	return mem_is(s->paddr + s->filesz, 0, s->memsz - s->filesz);
}

static struct load_req req;

static int do_load(size_t len, uint64_t ram, const char *cmdline,
		   const uint8_t *initrd, size_t initrd_len)
{
	mem_reset(ram);
	memset(&req, 0, sizeof(req));
	req.kernel = img;
	req.kernel_len = len;
	req.cmdline = cmdline;
	req.initrd = initrd;
	req.initrd_len = initrd_len;
	req.mem = &gm;
	return load_kernel(&req);
}

/* A valid Multiboot ELF32: text at 1 MiB, data + bss after it. */
static const struct img_spec mb_good = {
	.entry = 0x100010, .nseg = 2, .mb = true,
	.mb_flags = MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO,
	.seg = {
		{ .paddr = 0x100000, .vaddr = 0x100000, .filesz = 0x3000,
		  .memsz = 0x3000, .fill = 1 },
		{ .paddr = 0x104000, .vaddr = 0x104000, .filesz = 0x1000,
		  .memsz = 0x5000, .fill = 50 },
	},
};

/* A valid ELF64: text at 2 MiB, data + bss after it. */
static const struct img_spec e64_good = {
	.is64 = true, .entry = 0x200100, .nseg = 2,
	.seg = {
		{ .paddr = 0x200000, .vaddr = 0x200000, .filesz = 0x2000,
		  .memsz = 0x2000, .fill = 3 },
		{ .paddr = 0x203000, .vaddr = 0x203000, .filesz = 0x800,
		  .memsz = 0x10000, .fill = 90 },
	},
};

/* ---------------------------------------------------------------- tests */

static void test_parsing(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} sizes[] = {
		{ "4096", 0, 4096 }, { "64K", 0, 64 << 10 },
		{ "64k", 0, 64 << 10 }, { "64M", 0, 64 << 20 },
		{ "1G", 0, 1ULL << 30 }, { "2GiB", 0, 2ULL << 30 },
		{ "16m", 0, 16 << 20 }, { "0", 0, 0 },
		{ "", -1, 0 }, { "M", -1, 0 }, { "-1M", -1, 0 },
		{ "12X", -1, 0 }, { "1.5G", -1, 0 }, { "64MB", -1, 0 },
		{ " 64M", -1, 0 }, { "64M ", -1, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 },
		{ "17179869184G", -1, 0 },
	};
	static const struct {
		const char *s;
		bool ok;
	} names[] = {
		{ "hello", true }, { "a", true }, { "A-Z_a.z-09", true },
		{ "0123456789012345678901234567890", true },	/* 31 */
		{ "01234567890123456789012345678901", false },	/* 32 */
		{ "", false }, { "a b", false }, { "a/b", false },
		{ "caf\xc3\xa9", false }, { "x\n", false }, { "a:b", false },
	};
	unsigned int i;
	uint32_t u;
	double d;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t v = 0;
		int r = parse_size(sizes[i].s, &v);

		tap_ok(r == sizes[i].ret && (r || v == sizes[i].v),
		       "parse_size(\"%s\")", sizes[i].s);
	}
	for (i = 0; i < ARRAY_SIZE(names); i++)
		tap_ok(v3_name_valid(names[i].s) == names[i].ok,
		       "name #%u \"%s\" %s", i,
		       strchr(names[i].s, '\n') ? "x\\n" : names[i].s,
		       names[i].ok ? "valid" : "invalid");
	tap_ok(!parse_u32("64", 64, &u) && u == 64, "parse_u32 at max");
	tap_ok(parse_u32("65", 64, &u), "parse_u32 above max");
	tap_ok(parse_u32("99999999999999999999", UINT32_MAX, &u),
	       "parse_u32 overflow");
	tap_ok(parse_u32("", 64, &u) && parse_u32("1x", 64, &u),
	       "parse_u32 malformed");
	tap_ok(!parse_seconds("0.5", &d) && d == 0.5, "parse_seconds 0.5");
	tap_ok(parse_seconds("0", &d) && parse_seconds("-1", &d) &&
	       parse_seconds("1s", &d) && parse_seconds("nan", &d) &&
	       parse_seconds("inf", &d), "parse_seconds rejects bad values");
	tap_ok(!strcmp(stop_name(V3_STOP_EXIT_PORT), "exit-port") &&
	       !strcmp(stop_name(999), "unknown") &&
	       !strcmp(state_name(V3_STATE_STOPPED), "stopped"),
	       "name tables");
}

static void test_multiboot(void)
{
	static const char initrd[] = "INITRD-CONTENTS-0123456789";
	const uint64_t ram = 64 << 20;
	struct mb_info mbi;
	struct mb_mod mod;
	size_t len = build_elf(&mb_good);
	bool mmap_ok;

	tap_ok(do_load(len, ram, "console=ttyS0 foo=bar", (const uint8_t *)initrd,
		       sizeof(initrd)) == 0, "multiboot: loads (%s)", req.err);
	tap_ok(req.format && !strcmp(req.format, "multiboot"),
	       "multiboot: probed as multiboot");
	tap_ok(req.boot.mode == V3_BOOT_PROT32 && req.boot.entry == 0x100010 &&
	       req.boot.gpr[V3_RAX] == MB_BOOT_MAGIC &&
	       req.boot.gpr[V3_RBX] == MBI_ADDR &&
	       req.boot.cs == 0x08 && req.boot.ds == 0x10,
	       "multiboot: boot state");
	tap_ok(req.boot.gdt_base == GDT32_ADDR && req.boot.gdt_limit == 31 &&
	       rd64(GDT32_ADDR + 8) == 0x00cf9b000000ffffULL &&
	       rd64(GDT32_ADDR + 16) == 0x00cf93000000ffffULL,
	       "multiboot: flat 32-bit GDT");
	tap_ok(seg_loaded(&mb_good.seg[0]) && seg_loaded(&mb_good.seg[1]),
	       "multiboot: segments loaded, bss zeroed");
	tap_ok(mem_is(0x103000, 0xaa, 0x1000) && mem_is(0x109000 + 4096, 0xaa, 16),
	       "multiboot: nothing written between segments");
	memcpy(&mbi, mem_at(MBI_ADDR), sizeof(mbi));
	tap_ok(mbi.flags == (MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
			     MB_INFO_MMAP | MB_INFO_LOADER_NAME),
	       "multiboot: info flags 0x%x", mbi.flags);
	tap_ok(mbi.mem_lower == 640 && mbi.mem_upper == (64 - 1) * 1024,
	       "multiboot: mem_lower %u mem_upper %u", mbi.mem_lower,
	       mbi.mem_upper);
	tap_ok(mbi.cmdline < 0xa0000 &&
	       !strcmp((char *)mem_at(mbi.cmdline), "console=ttyS0 foo=bar"),
	       "multiboot: command line");
	tap_ok(!strcmp((char *)mem_at(mbi.boot_loader_name), "v3vmm"),
	       "multiboot: boot loader name");
	memcpy(&mod, mem_at(mbi.mods_addr), sizeof(mod));
	tap_ok(mbi.mods_count == 1 && mod.mod_start == 0x109000 &&
	       mod.mod_end == 0x109000 + sizeof(initrd) &&
	       !memcmp(mem_at(mod.mod_start), initrd, sizeof(initrd)) &&
	       !strcmp((char *)mem_at(mod.string), "initrd"),
	       "multiboot: initrd as module 0 at 0x%x", mod.mod_start);
	mmap_ok = mbi.mmap_length == 3 * 24 &&
		rd32(mbi.mmap_addr) == 20 &&
		rd64(mbi.mmap_addr + 4) == 0 &&
		rd64(mbi.mmap_addr + 12) == 0xa0000 &&
		rd32(mbi.mmap_addr + 20) == 1 &&
		rd64(mbi.mmap_addr + 24 + 4) == 0xf0000 &&
		rd64(mbi.mmap_addr + 24 + 12) == 0x10000 &&
		rd32(mbi.mmap_addr + 24 + 20) == 2 &&
		rd64(mbi.mmap_addr + 48 + 4) == 0x100000 &&
		rd64(mbi.mmap_addr + 48 + 12) == ram - 0x100000 &&
		rd32(mbi.mmap_addr + 48 + 20) == 1;
	tap_ok(mmap_ok, "multiboot: memory map");
	tap_ok(!fm.oob && fm.max_write <= V3_MEM_XFER_MAX,
	       "multiboot: writes stay in RAM and in V3_MEM_XFER_MAX chunks");

	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       (memcpy(&mbi, mem_at(MBI_ADDR), sizeof(mbi)), 1) &&
	       !(mbi.flags & MB_INFO_MODS) && (mbi.flags & MB_INFO_CMDLINE) &&
	       !strcmp((char *)mem_at(mbi.cmdline), ""),
	       "multiboot: no initrd, empty command line");

	/* 6 GiB: memory map gains the RAM above 4 GiB, mem_upper stops at 3G */
	tap_ok(do_load(len, 6ULL << 30, "x", NULL, 0) == 0 &&
	       (memcpy(&mbi, mem_at(MBI_ADDR), sizeof(mbi)), 1) &&
	       mbi.mem_upper == ((3ULL << 30) - (1 << 20)) / 1024 &&
	       mbi.mmap_length == 4 * 24 &&
	       rd64(mbi.mmap_addr + 48 + 12) == (3ULL << 30) - 0x100000 &&
	       rd64(mbi.mmap_addr + 72 + 4) == 4ULL << 30 &&
	       rd64(mbi.mmap_addr + 72 + 12) == 3ULL << 30,
	       "multiboot: 6 GiB memory map with the 3-4 GiB hole");

	tap_ok(do_load(len, 1 << 20, NULL, NULL, 0) != 0 &&
	       strstr(req.err, "outside guest RAM"),
	       "multiboot: kernel above RAM rejected (%s)", req.err);
	tap_ok(do_load(len, 0x109000, NULL, (const uint8_t *)initrd,
		       sizeof(initrd)) != 0 && strstr(req.err, "does not fit"),
	       "multiboot: initrd that does not fit rejected (%s)", req.err);
}

struct bad_case {
	const char *what;
	const char *expect;	/* substring of the error */
	void (*mutate)(struct img_spec *is);
	size_t (*patch)(size_t len);	/* after building */
};

static void m_aout(struct img_spec *is) { is->mb_flags |= MB_HF_AOUT_KLUDGE; }
static void m_badsum(struct img_spec *is) { is->mb_bad_sum = true; }
static void m_flag3(struct img_spec *is) { is->mb_flags |= 1 << 3; }
static void m_nomb(struct img_spec *is) { is->mb = false; }
static void m_high(struct img_spec *is) { is->seg[1].paddr = 0x3fff000; is->seg[1].vaddr = 0x3fff000; }
static void m_bootarea(struct img_spec *is) { is->seg[0].paddr = 0x8000; is->seg[0].vaddr = 0x8000; is->entry = 0x8010; }
static void m_filesz(struct img_spec *is) { is->seg[0].memsz = 0x1000; }
static void m_machine(struct img_spec *is) { is->machine = EM_ARM; }
static void m_wrap(struct img_spec *is) { is->seg[1].paddr = 0xfffff000; }
static void m_entry(struct img_spec *is) { is->entry = 0x500000; }
static void m_overlap(struct img_spec *is) { is->seg[1].paddr = 0x102000; }
static void m_noload(struct img_spec *is) { is->seg[0].type = PT_NOTE; is->seg[1].type = PT_NOTE; }
static void m_align(struct img_spec *is) { is->seg[0].align = 3; }
static void m_congr(struct img_spec *is) { is->seg[0].align = 0x200000; }
static void m_dyn(struct img_spec *is) { is->type = ET_DYN; }
static void m_hole(struct img_spec *is) { is->seg[1].paddr = 0xc0000000; is->seg[1].vaddr = 0xc0000000; }
static void m_e64machine(struct img_spec *is) { is->machine = EM_AARCH64; }
static void m_pdarea(struct img_spec *is) { is->seg[0].paddr = 0x13000; is->seg[0].vaddr = 0x13000; is->entry = 0x13000; }

static size_t p_truncate_seg(size_t len) { return len - 0x100; }
static size_t p_truncate_hdr(size_t len) { (void)len; return 40; }
static size_t p_phoff(size_t len)
{
	uint32_t off = 0x7ffffff0;

	memcpy(img + offsetof(Elf32_Ehdr, e_phoff), &off, 4);
	return len;
}
static size_t p_phentsize(size_t len)
{
	uint16_t v = 12;

	memcpy(img + offsetof(Elf32_Ehdr, e_phentsize), &v, 2);
	return len;
}
static size_t p_phnum(size_t len)
{
	uint16_t v = 0xffff;

	memcpy(img + offsetof(Elf32_Ehdr, e_phnum), &v, 2);
	return len;
}
static size_t p_bigend(size_t len) { img[EI_DATA] = ELFDATA2MSB; return len; }
static size_t p_random(size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 37 + 11);
	return len;
}
static size_t p_bzimage(size_t len)
{
	memset(img, 0, 0x300);
	memcpy(img + 0x202, "HdrS", 4);
	return len;
}
static size_t p_raw_mb(size_t len)
{
	memset(img, 0, 0x200);	/* Multiboot header kept, ELF header gone */
	return len;
}
static size_t p_seg_offset(size_t len)
{
	/* second phdr's p_offset far beyond the file */
	uint32_t off = 0xfffff000;

	memcpy(img + sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) +
	       offsetof(Elf32_Phdr, p_offset), &off, 4);
	return len;
}
static size_t p_e64_memsz(size_t len)
{
	uint64_t v = 0xfffffffffffff000ULL;

	memcpy(img + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_memsz), &v, 8);
	return len;
}

static void run_bad(const struct img_spec *base, const struct bad_case *c,
		    const char *prefix)
{
	struct img_spec is = *base;
	size_t len;
	int r;

	if (c->mutate)
		c->mutate(&is);
	len = build_elf(&is);
	if (c->patch)
		len = c->patch(len);
	r = do_load(len, 64 << 20, NULL, NULL, 0);
	tap_ok(r != 0 && strstr(req.err, c->expect) && !fm.oob,
	       "%s: %s rejected: \"%s\"", prefix, c->what, req.err);
}

static void test_multiboot_bad(void)
{
	static const struct bad_case cases[] = {
		{ "a.out kludge", "a.out", m_aout, NULL },
		{ "bad checksum", "checksum", m_badsum, NULL },
		{ "unknown required flag", "unsupported", m_flag3, NULL },
		{ "ELF32 without Multiboot header", "Multiboot header", m_nomb, NULL },
		{ "segment beyond RAM", "outside guest RAM", m_high, NULL },
		{ "segment over the boot info area", "boot area", m_bootarea, NULL },
		{ "filesz > memsz", "exceeds memory size", m_filesz, NULL },
		{ "wrong machine", "machine", m_machine, NULL },
		{ "segment wrapping 4 GiB", "overflows", m_wrap, NULL },
		{ "entry outside segments", "entry point", m_entry, NULL },
		{ "overlapping segments", "overlap", m_overlap, NULL },
		{ "no PT_LOAD", "no loadable", m_noload, NULL },
		{ "p_align not a power of two", "power of two", m_align, NULL },
		{ "p_vaddr/p_offset incongruent", "modulo", m_congr, NULL },
		{ "ET_DYN", "not an executable", m_dyn, NULL },
		{ "segment data past EOF", "past the end", NULL, p_truncate_seg },
		{ "segment offset past EOF", "past the end", NULL, p_seg_offset },
		{ "truncated ELF header", "truncated ELF header", NULL, p_truncate_hdr },
		{ "program headers past EOF", "program headers", NULL, p_phoff },
		{ "bad e_phentsize", "program header size", NULL, p_phentsize },
		{ "e_phnum PN_XNUM", "too many", NULL, p_phnum },
		{ "big-endian", "little-endian", NULL, p_bigend },
		{ "garbage", "unrecognised", NULL, p_random },
		{ "bzImage", "bzImage", NULL, p_bzimage },
		{ "non-ELF Multiboot image", "not an ELF", NULL, p_raw_mb },
	};
	unsigned int i;
	size_t len;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_bad(&mb_good, &cases[i], "multiboot");

	len = build_elf(&mb_good);
	tap_ok(do_load(len, 64 << 20, NULL, NULL, 0) == 0 && fm.writes,
	       "multiboot: baseline still loads");
	{
		char *big = malloc(CMDLINE_MAX + 2);

		memset(big, 'x', CMDLINE_MAX + 1);
		big[CMDLINE_MAX + 1] = '\0';
		tap_ok(do_load(len, 64 << 20, big, NULL, 0) && !fm.writes &&
		       strstr(req.err, "too long"),
		       "multiboot: overlong command line rejected");
		big[CMDLINE_MAX] = '\0';
		tap_ok(!do_load(len, 64 << 20, big, NULL, 0) &&
		       strlen((char *)mem_at(CMDLINE_ADDR)) == CMDLINE_MAX &&
		       rd64(MMAP_ADDR + 4) == 0,
		       "multiboot: longest command line fits");
		free(big);
	}
	/* parse errors are found before anything is written */
	{
		struct bad_case c = { "no-write check", "", m_overlap, NULL };
		struct img_spec is = mb_good;

		c.mutate(&is);
		len = build_elf(&is);
		tap_ok(do_load(len, 64 << 20, NULL, NULL, 0) && !fm.writes,
		       "multiboot: nothing written for an invalid file");
	}
}

static void test_elf64(void)
{
	static const char initrd[] = "rd";
	const uint64_t ram = 64 << 20;
	struct img_spec is;
	struct mb_info mbi;
	size_t len = build_elf(&e64_good);
	uint64_t i;
	bool ok;

	tap_ok(do_load(len, ram, "root=/dev/x", (const uint8_t *)initrd,
		       sizeof(initrd)) == 0, "elf64: loads (%s)", req.err);
	tap_ok(req.format && !strcmp(req.format, "elf64"), "elf64: probed as elf64");
	tap_ok(req.boot.mode == V3_BOOT_LONG64 && req.boot.entry == 0x200100 &&
	       req.boot.cr3 == PML4_ADDR && req.boot.cs == 0x08 &&
	       req.boot.ds == 0x10 && req.boot.gpr[V3_RSP] == 0 &&
	       req.boot.gpr[V3_RAX] == MB_BOOT_MAGIC &&
	       req.boot.gpr[V3_RBX] == MBI_ADDR,
	       "elf64: boot state");
	tap_ok(req.boot.gdt_base == GDT64_ADDR && req.boot.gdt_limit == 31 &&
	       rd64(GDT64_ADDR) == 0 &&
	       rd64(GDT64_ADDR + 8) == 0x00af9b000000ffffULL &&
	       rd64(GDT64_ADDR + 16) == 0x00cf93000000ffffULL,
	       "elf64: GDT with 64-bit code at 0x08, data at 0x10");
	tap_ok(seg_loaded(&e64_good.seg[0]) && seg_loaded(&e64_good.seg[1]),
	       "elf64: segments loaded, bss zeroed");
	tap_ok(rd64(PML4_ADDR) == (PDPT_ADDR | 3) && rd64(PML4_ADDR + 8) == 0 &&
	       rd64(PDPT_ADDR) == (PD_ADDR | 3) &&
	       rd64(PDPT_ADDR + 3 * 8) == ((PD_ADDR + 0x3000) | 3) &&
	       rd64(PDPT_ADDR + 4 * 8) == 0,
	       "elf64: PML4 and PDPT cover 4 GiB");
	ok = true;
	for (i = 0; i < 4 * 512; i++)
		if (rd64(PD_ADDR + i * 8) != ((i << 21) | 0x83))
			ok = false;
	tap_ok(ok, "elf64: 2 MiB identity map of [0, 4 GiB)");
	memcpy(&mbi, mem_at(MBI_ADDR), sizeof(mbi));
	tap_ok((mbi.flags & MB_INFO_CMDLINE) && (mbi.flags & MB_INFO_MODS) &&
	       !strcmp((char *)mem_at(mbi.cmdline), "root=/dev/x") &&
	       mbi.mem_upper == 63 * 1024 && rd32(mbi.mods_addr) == 0x213000,
	       "elf64: Multiboot info with command line and initrd");
	tap_ok(!fm.oob, "elf64: writes stay in RAM");

	/* 6 GiB: the map grows to 7 GiB */
	tap_ok(do_load(len, 6ULL << 30, NULL, NULL, 0) == 0 &&
	       rd64(PDPT_ADDR + 6 * 8) == ((PD_ADDR + 0x6000) | 3) &&
	       rd64(PDPT_ADDR + 7 * 8) == 0 &&
	       rd64(PD_ADDR + 0x6000 + 511 * 8) == (((7ULL << 30) - (2 << 20)) | 0x83),
	       "elf64: 6 GiB RAM identity-mapped up to 7 GiB");
	tap_ok(do_load(len, 64ULL << 30, NULL, NULL, 0) == 0 &&
	       rd64(PDPT_ADDR + 64 * 8) == ((PD_ADDR + 64 * 0x1000) | 3) &&
	       !fm.oob, "elf64: 64 GiB RAM (65 page directories)");

	/* higher-half link address: entry translated through p_paddr */
	is = e64_good;
	is.seg[0].vaddr = 0xffffffff80200000ULL;
	is.seg[1].vaddr = 0xffffffff80203000ULL;
	is.entry = 0xffffffff80200100ULL;
	len = build_elf(&is);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       req.boot.entry == 0x200100,
	       "elf64: virtual entry translated to physical (%s)", req.err);

	/* segment in the RAM above 4 GiB */
	is = e64_good;
	is.seg[1].paddr = 0x100000000ULL;
	len = build_elf(&is);
	tap_ok(do_load(len, 4ULL << 30, NULL, NULL, 0) == 0 &&
	       seg_loaded(&is.seg[1]),
	       "elf64: segment loaded above 4 GiB (%s)", req.err);

	/* ELF64 with a Multiboot header is a Multiboot kernel (as in GRUB) */
	is = e64_good;
	is.mb = true;
	is.mb_flags = MB_HF_MEMORY_INFO;
	len = build_elf(&is);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       !strcmp(req.format, "multiboot") &&
	       req.boot.mode == V3_BOOT_PROT32,
	       "elf64 with Multiboot header boots as Multiboot");

	/* a segment larger than V3_MEM_XFER_MAX is written in chunks */
	is = e64_good;
	is.nseg = 1;
	is.seg[0].filesz = 20 << 20;
	is.seg[0].memsz = 30 << 20;
	len = build_elf(&is);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       fm.max_write == V3_MEM_XFER_MAX && seg_loaded(&is.seg[0]),
	       "elf64: 20 MiB segment + 10 MiB bss in 16 MiB chunks");
}

static void test_elf64_bad(void)
{
	static const struct bad_case cases[] = {
		{ "segment in the MMIO hole", "outside guest RAM", m_hole, NULL },
		{ "segment over the page tables", "boot area", m_bootarea, NULL },
		{ "segment over the page directories", "boot area", m_pdarea, NULL },
		{ "aarch64", "garbage-never-matches", m_e64machine, NULL },
		{ "filesz > memsz", "exceeds memory size", m_filesz, NULL },
		{ "memsz overflow", "overflows", NULL, p_e64_memsz },
		{ "entry outside segments", "entry point", m_entry, NULL },
		{ "segment data past EOF", "past the end", NULL, p_truncate_seg },
	};
	struct bad_case c = cases[3];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (i == 3)
			continue;
		run_bad(&e64_good, &cases[i], "elf64");
	}
	c.expect = "not x86-64";
	run_bad(&e64_good, &c, "elf64");
}

/* Random corruption must give an error or a sane load, never a bad write. */
static void test_fuzz(void)
{
	const struct img_spec *bases[] = { &mb_good, &e64_good };
	unsigned int b, iter, k, bad = 0, loaded = 0;

	srand(12345);
	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		size_t len = build_elf(bases[b]);
		static uint8_t orig[0x8000];

		memcpy(orig, img, len);
		for (iter = 0; iter < 4000; iter++) {
			size_t l = len;
			unsigned int flips = 1 + rand() % 6;

			memcpy(img, orig, len);
			for (k = 0; k < flips; k++) {
				size_t at = rand() % (iter & 1 ? len : 0x240);

				img[at] = rand();
			}
			if (iter % 7 == 0)
				l = rand() % len;
			if (do_load(l, 8 << 20, "c", (const uint8_t *)"i", 1))
				continue;
			loaded++;
			if (fm.oob || !gmem_range_ok(&gm, req.boot.entry, 1))
				bad++;
		}
	}
	tap_ok(!bad, "fuzz: 8000 corrupted images, %u loaded, no write outside RAM",
	       loaded);
}

int main(void)
{
	printf("TAP version 13\n");
	test_parsing();
	test_multiboot();
	test_multiboot_bad();
	test_elf64();
	test_elf64_bad();
	test_fuzz();
	test_commands();
	printf("1..%d\n", tap_n);
	free(fm.buf);
	free(fm.hbuf);
	return tap_failed ? 1 : 0;
}
