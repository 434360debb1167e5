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
#include <sys/wait.h>
#include <unistd.h>

#include "v3ctl.h"
#include "loader.h"
#include "acpi.h"
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
static uint64_t mem_cap = 64ULL << 20;	/* bytes backed at 0 and at 4G */

static void mem_reset(uint64_t ram)
{
	uint64_t size = ram < mem_cap ? ram : mem_cap;
	uint8_t *buf = fm.buf, *hbuf = fm.hbuf;

	/* keep the buffers (and their faulted-in pages) while the size holds */
	if (size != fm.buf_size) {
		free(buf);
		free(hbuf);
		buf = malloc(size);
		hbuf = malloc(size);
	}
	memset(&fm, 0, sizeof(fm));
	fm.ram = ram;
	fm.buf_size = size;
	fm.buf = buf;
	fm.hbuf = hbuf;
	memset(fm.buf, 0xaa, size);
	if (ram > (3ULL << 30))
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
static unsigned int load_nodes;		/* req.guest_numa for do_load_img() */

static int do_load_img(const uint8_t *kernel, size_t len, uint64_t ram,
		       const char *cmdline, const uint8_t *initrd,
		       size_t initrd_len, unsigned int vcpus)
{
	mem_reset(ram);
	memset(&req, 0, sizeof(req));
	req.kernel = kernel;
	req.kernel_len = len;
	req.cmdline = cmdline;
	req.initrd = initrd;
	req.initrd_len = initrd_len;
	req.vcpus = vcpus;
	req.guest_numa = load_nodes;
	req.mem = &gm;
	return load_kernel(&req);
}

static int do_load(size_t len, uint64_t ram, const char *cmdline,
		   const uint8_t *initrd, size_t initrd_len)
{
	return do_load_img(img, len, ram, cmdline, initrd, initrd_len, 1);
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

/* numa.c: node lists as --numa and sysfs write them */
static void test_node_lists(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t mask;
		const char *fmt;	/* fmt_node_list(mask) */
	} lists[] = {
		{ "0", 0, 1, "0" }, { "1", 0, 2, "1" }, { "0-1", 0, 3, "0-1" },
		{ "0,1", 0, 3, "0-1" }, { "3,1", 0, 0xa, "1,3" },
		{ "0-1,3", 0, 0xb, "0-1,3" }, { "2-2", 0, 4, "2" },
		{ "0-63", 0, UINT64_MAX, "0-63" }, { "63", 0, 1ULL << 63, "63" },
		{ "0,2,4-6,62-63", 0, 0xc000000000000075ULL, "0,2,4-6,62-63" },
		{ "007", 0, 0x80, "7" },
		{ "", -1, 0, NULL }, { "64", -1, 0, NULL }, { "0-64", -1, 0, NULL },
		{ "1-0", -1, 0, NULL }, { "0,", -1, 0, NULL }, { ",0", -1, 0, NULL },
		{ "0--1", -1, 0, NULL }, { "-1", -1, 0, NULL }, { "a", -1, 0, NULL },
		{ "0 1", -1, 0, NULL }, { "0-", -1, 0, NULL },
		{ "1x", -1, 0, NULL }, { "99999999999999999999", -1, 0, NULL },
	};
	char why[96], buf[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		uint64_t m = 0;
		int r = parse_node_list(lists[i].s, &m, why, sizeof(why));

		tap_ok(r == lists[i].ret && (r || m == lists[i].mask) &&
		       (!r || *why),
		       "parse_node_list(\"%s\")%s%s", lists[i].s,
		       r ? ": " : "", r ? why : "");
		if (lists[i].fmt)
			tap_ok(!strcmp(fmt_node_list(lists[i].mask, buf,
						     sizeof(buf)),
				       lists[i].fmt),
			       "fmt_node_list(%#llx) = %s",
			       (unsigned long long)lists[i].mask, buf);
	}
	tap_ok(!strcmp(fmt_node_list(0, buf, sizeof(buf)), "none"),
	       "fmt_node_list(0) = none");
	tap_ok(!strcmp(fmt_node_list(0x5555555555555555ULL, buf, 16),
		       "0,2,4,6,8,10,12") && strlen(buf) == 15,
	       "fmt_node_list truncates safely (%s)", buf);
	{
		uint64_t cpus[4096 / 64];

		tap_ok(!parse_id_list("4095,0-3,64-65", cpus, 4096, "CPU", why,
				      sizeof(why)) &&
		       cpus[0] == 0xf && cpus[1] == 3 && cpus[63] == 1ULL << 63 &&
		       !strcmp(fmt_id_list(cpus, 4096, buf, sizeof(buf)),
			       "0-3,64-65,4095"),
		       "CPU lists past 64: %s", buf);
		tap_ok(parse_id_list("0,4096", cpus, 4096, "CPU", why,
				     sizeof(why)) &&
		       !strcmp(why, "CPU 4096 is out of range (CPUs are 0-4095)"),
		       "CPU list out of range: %s", why);
	}
	tap_ok(!strcmp(mem_policy_name(V3_MEM_BIND, buf, sizeof(buf)), "bind") &&
	       !strcmp(mem_policy_name(7, buf, sizeof(buf)), "policy-7"),
	       "mem_policy_name");
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

/* ------------------------------------------------------- ACPI checking */

static uint16_t rd16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, mem_at(gpa), 2);
	return v;
}

static bool sum_ok(uint64_t gpa, uint64_t len)
{
	uint8_t sum = 0;
	uint64_t i;

	for (i = 0; i < len; i++)
		sum += mem_at(gpa + i)[0];
	return sum == 0;
}

/* What the BIOS-area scan of an OS finds: 0 if nothing. */
static uint64_t rsdp_scan(void)
{
	uint64_t a;

	for (a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(mem_at(a), "RSD PTR ", 8) && sum_ok(a, 20))
			return a;
	return 0;
}

static char acpi_why[160];

static bool acpi_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(acpi_why, sizeof(acpi_why), fmt, ap);
	va_end(ap);
	return false;
}

/* A table header at @gpa with signature @sig, sane length and checksum. */
static bool table_ok(uint64_t gpa, const char *sig, uint32_t *len)
{
	struct acpi_header h;

	memcpy(&h, mem_at(gpa), sizeof(h));
	if (memcmp(h.signature, sig, 4))
		return acpi_fail("%s: signature '%.4s' at 0x%llx", sig,
				 h.signature, (unsigned long long)gpa);
	if (h.length < sizeof(h) || h.length > ACPI_AREA_SIZE)
		return acpi_fail("%s: length %u", sig, h.length);
	if (!sum_ok(gpa, h.length))
		return acpi_fail("%s: bad checksum", sig);
	if (memcmp(h.oem_id, "V3VMM ", 6))
		return acpi_fail("%s: OEM id '%.6s'", sig, h.oem_id);
	if (gpa < 0xe0000 || gpa + h.length > 0x100000)
		return acpi_fail("%s: at 0x%llx, outside the BIOS area", sig,
				 (unsigned long long)gpa);
	*len = h.length;
	return true;
}

static bool gas_is(const struct acpi_gas *g, uint8_t width, uint8_t access,
		   uint64_t port)
{
	return g->space_id == 1 && g->bit_width == width &&
	       g->bit_offset == 0 && g->access_size == access &&
	       g->address == port;
}

static bool fadt_ok(uint64_t gpa)
{
	static const uint8_t s5[] = {
		0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	struct acpi_fadt f;
	uint32_t len;

	if (!table_ok(gpa, "FACP", &len))
		return false;
	memcpy(&f, mem_at(gpa), sizeof(f));
	if (len != 276 || f.header.revision != 6)
		return acpi_fail("FADT: length %u revision %u", len,
				 f.header.revision);
	if (f.sci_int != 9 || f.smi_cmd || f.acpi_enable || f.acpi_disable)
		return acpi_fail("FADT: SCI %u SMI_CMD 0x%x", f.sci_int,
				 f.smi_cmd);
	if (f.pm1a_evt_blk != 0x600 || f.pm1_evt_len != 4 ||
	    f.pm1a_cnt_blk != 0x604 || f.pm1_cnt_len != 2 ||
	    f.pm_tmr_blk != 0x608 || f.pm_tmr_len != 4 ||
	    f.pm1b_evt_blk || f.pm1b_cnt_blk || f.pm2_cnt_blk ||
	    f.gpe0_blk || f.gpe1_blk || f.gpe0_blk_len)
		return acpi_fail("FADT: legacy PM block fields");
	if (!gas_is(&f.x_pm1a_evt_blk, 32, 2, 0x600) ||
	    !gas_is(&f.x_pm1a_cnt_blk, 16, 2, 0x604) ||
	    !gas_is(&f.x_pm_tmr_blk, 32, 3, 0x608) ||
	    f.x_pm1b_evt_blk.address || f.x_gpe0_blk.address)
		return acpi_fail("FADT: X_ PM block fields");
	if (!gas_is(&f.reset_reg, 8, 1, 0xcf9) || f.reset_value != 6)
		return acpi_fail("FADT: reset register");
	if (f.century != 0x32 || f.iapc_boot_arch != 7)
		return acpi_fail("FADT: century 0x%x boot arch 0x%x", f.century,
				 f.iapc_boot_arch);
	if (!(f.flags & (1U << 8)) || !(f.flags & (1U << 10)) ||
	    !(f.flags & 1) || (f.flags & (1U << 20)))
		return acpi_fail("FADT: flags 0x%x", f.flags);
	if (!f.dsdt || f.dsdt != f.x_dsdt)
		return acpi_fail("FADT: DSDT 0x%x X_DSDT 0x%llx", f.dsdt,
				 (unsigned long long)f.x_dsdt);
	/* FACS */
	if (!f.firmware_ctrl || (f.firmware_ctrl & 63) || f.x_firmware_ctrl ||
	    memcmp(mem_at(f.firmware_ctrl), "FACS", 4) ||
	    rd32(f.firmware_ctrl + 4) != 64 || mem_at(f.firmware_ctrl)[32] != 2)
		return acpi_fail("FACS at 0x%x", f.firmware_ctrl);
	/* DSDT: exactly Name (\_S5, Package () { 5, 5, 0, 0 }) */
	if (!table_ok(f.dsdt, "DSDT", &len))
		return false;
	if (mem_at(f.dsdt)[8] != 2 || len != 36 + sizeof(s5) ||
	    memcmp(mem_at(f.dsdt + 36), s5, sizeof(s5)))
		return acpi_fail("DSDT: AML body");
	return true;
}

static bool madt_ok(uint64_t gpa, unsigned int vcpus)
{
	unsigned int lapics = 0, ioapics = 0, iso0 = 0, iso9 = 0, nmis = 0;
	struct acpi_madt m;
	uint32_t len, p;

	if (!table_ok(gpa, "APIC", &len))
		return false;
	memcpy(&m, mem_at(gpa), sizeof(m));
	if (m.lapic_address != 0xfee00000 || m.flags != 1)
		return acpi_fail("MADT: LAPIC address 0x%x flags 0x%x",
				 m.lapic_address, m.flags);
	for (p = sizeof(m); p < len; p += mem_at(gpa + p + 1)[0]) {
		const uint8_t *e = mem_at(gpa + p);

		if (p + 2 > len || e[1] < 2 || p + e[1] > len)
			return acpi_fail("MADT: bad subtable at +%u", p);
		switch (e[0]) {
		case 0:
			if (e[1] != 8 || e[2] != lapics || e[3] != lapics ||
			    rd32(gpa + p + 4) != 1)
				return acpi_fail("MADT: LAPIC entry %u", lapics);
			lapics++;
			break;
		case 1:
			if (e[1] != 12 || e[2] != 0xf ||
			    rd32(gpa + p + 4) != 0xfec00000 ||
			    rd32(gpa + p + 8) != 0)
				return acpi_fail("MADT: IOAPIC entry");
			ioapics++;
			break;
		case 2:
			if (e[1] != 10 || e[2] != 0)
				return acpi_fail("MADT: ISO entry");
			if (e[3] == 0 && rd32(gpa + p + 4) == 2 &&
			    rd16(gpa + p + 8) == 0)
				iso0++;
			else if (e[3] == 9 && rd32(gpa + p + 4) == 9 &&
				 rd16(gpa + p + 8) == 0x000d)
				iso9++;
			else
				return acpi_fail("MADT: unexpected ISO %u", e[3]);
			break;
		case 4:
			if (e[1] != 6 || e[2] != 0xff || rd16(gpa + p + 3) ||
			    e[5] != 1)
				return acpi_fail("MADT: LAPIC NMI entry");
			nmis++;
			break;
		default:
			return acpi_fail("MADT: unexpected subtable type %u",
					 e[0]);
		}
	}
	if (p != len || lapics != vcpus || ioapics != 1 || iso0 != 1 ||
	    iso9 != 1 || nmis != 1)
		return acpi_fail("MADT: %u LAPICs (want %u), %u IOAPICs, ISOs %u/%u, %u NMIs",
				 lapics, vcpus, ioapics, iso0, iso9, nmis);
	return true;
}

/* SRAT memory affinity entries found by srat_ok() */
static struct acpi_srat_mem srat_mem[64];
static unsigned int srat_nmem;

/* The guest node of vCPU @i: by the spec of --guest-numa, i * N / vcpus. */
static unsigned int want_cpu_node(unsigned int i, unsigned int vcpus,
				  unsigned int nodes)
{
	return i * nodes / vcpus;
}

/*
 * ACPI 6.x 5.2.16: header, reserved 1 and 0, one enabled 16-byte LAPIC
 * affinity entry per vCPU (each APIC ID once, on its node, clock domain
 * 0), enabled 40-byte memory affinity entries (kept in srat_mem[]).
 */
static bool srat_ok(uint64_t gpa, unsigned int vcpus, unsigned int nodes)
{
	uint8_t seen[256] = { 0 };
	unsigned int cpus = 0, per_node[8] = { 0 }, i;
	uint32_t len, p;

	srat_nmem = 0;
	if (!table_ok(gpa, "SRAT", &len))
		return false;
	if (mem_at(gpa)[8] != 3 || rd32(gpa + 36) != 1 || rd64(gpa + 40))
		return acpi_fail("SRAT: revision %u, reserved 0x%x 0x%llx",
				 mem_at(gpa)[8], rd32(gpa + 36),
				 (unsigned long long)rd64(gpa + 40));
	for (p = 48; p < len; p += mem_at(gpa + p + 1)[0]) {
		const uint8_t *e = mem_at(gpa + p);
		uint32_t dom;

		if (p + 2 > len || e[1] < 2 || p + e[1] > len)
			return acpi_fail("SRAT: bad subtable at +%u", p);
		if (e[0] == 0) {
			dom = e[2] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
			      (uint32_t)e[11] << 24;
			if (e[1] != 16 || e[3] >= vcpus || seen[e[3]]++ ||
			    rd32(gpa + p + 4) != 1 || e[8] ||
			    rd32(gpa + p + 12) ||
			    dom != want_cpu_node(e[3], vcpus, nodes))
				return acpi_fail("SRAT: LAPIC entry for APIC ID %u (domain %u)",
						 e[3], dom);
			per_node[dom]++;
			cpus++;
		} else if (e[0] == 1) {
			if (e[1] != 40 || srat_nmem == ARRAY_SIZE(srat_mem))
				return acpi_fail("SRAT: memory entry length %u",
						 e[1]);
			memcpy(&srat_mem[srat_nmem], e, 40);
			if (srat_mem[srat_nmem].proximity >= nodes ||
			    srat_mem[srat_nmem].flags != 1 ||
			    rd16(gpa + p + 6) || rd32(gpa + p + 24) ||
			    rd64(gpa + p + 32) || !srat_mem[srat_nmem].size)
				return acpi_fail("SRAT: memory entry %u", srat_nmem);
			srat_nmem++;
		} else {
			return acpi_fail("SRAT: unexpected subtable type %u",
					 e[0]);
		}
	}
	if (p != len || cpus != vcpus)
		return acpi_fail("SRAT: %u LAPIC entries for %u vCPUs", cpus,
				 vcpus);
	/* contiguous blocks of vCPUs, sizes within one of each other */
	for (i = 1; i < nodes; i++)
		if (!per_node[i] || per_node[i] + 1 < per_node[0] ||
		    per_node[0] + 1 < per_node[i])
			return acpi_fail("SRAT: node %u has %u vCPUs, node 0 %u",
					 i, per_node[i], per_node[0]);
	return true;
}

/* ACPI 6.x 5.2.17: N localities, 10 on the diagonal, 20 elsewhere. */
static bool slit_ok(uint64_t gpa, unsigned int nodes)
{
	uint32_t len, i, j;

	if (!table_ok(gpa, "SLIT", &len))
		return false;
	if (mem_at(gpa)[8] != 1 || len != 44 + nodes * nodes ||
	    rd64(gpa + 36) != nodes)
		return acpi_fail("SLIT: revision %u length %u localities %llu",
				 mem_at(gpa)[8], len,
				 (unsigned long long)rd64(gpa + 36));
	for (i = 0; i < nodes; i++)
		for (j = 0; j < nodes; j++)
			if (mem_at(gpa + 44 + i * nodes + j)[0] !=
			    (i == j ? 10 : 20))
				return acpi_fail("SLIT: distance %u -> %u is %u",
						 i, j,
						 mem_at(gpa + 44 + i * nodes + j)[0]);
	return true;
}

/*
 * Walk everything from the RSDP at @rsdp as an OS would; SRAT and SLIT
 * must be there exactly when @nodes is not 0.
 */
static bool acpi_ok_nodes(uint64_t rsdp, unsigned int vcpus,
			  unsigned int nodes)
{
	struct acpi_rsdp r;
	uint32_t xlen, rlen, n, i;
	uint64_t fadt = 0, madt = 0, srat = 0, slit = 0;

	acpi_why[0] = '\0';
	memcpy(&r, mem_at(rsdp), sizeof(r));
	if ((rsdp & 15) || memcmp(r.signature, "RSD PTR ", 8) ||
	    !sum_ok(rsdp, 20))
		return acpi_fail("RSDP signature, alignment or checksum");
	if (r.revision != 2 || r.length != 36 || !sum_ok(rsdp, 36))
		return acpi_fail("RSDP revision %u length %u or extended checksum",
				 r.revision, r.length);
	if (memcmp(r.oem_id, "V3VMM ", 6))
		return acpi_fail("RSDP OEM id");
	if (!table_ok(r.xsdt_address, "XSDT", &xlen) ||
	    !table_ok(r.rsdt_address, "RSDT", &rlen))
		return false;
	n = (xlen - 36) / 8;
	if ((xlen - 36) % 8 || rlen != 36 + 4 * n)
		return acpi_fail("XSDT (%u) / RSDT (%u) lengths", xlen, rlen);
	for (i = 0; i < n; i++) {
		uint64_t t = rd64(r.xsdt_address + 36 + 8 * i);

		if (rd32(r.rsdt_address + 36 + 4 * i) != t)
			return acpi_fail("RSDT and XSDT entry %u differ", i);
		if (!memcmp(mem_at(t), "FACP", 4))
			fadt = t;
		else if (!memcmp(mem_at(t), "APIC", 4))
			madt = t;
		else if (nodes && !srat && !memcmp(mem_at(t), "SRAT", 4))
			srat = t;
		else if (nodes && !slit && !memcmp(mem_at(t), "SLIT", 4))
			slit = t;
		else
			return acpi_fail("unexpected table '%.4s'",
					 (const char *)mem_at(t));
	}
	if (!fadt || !madt)
		return acpi_fail("FADT or MADT missing from the XSDT");
	if (nodes && (!srat || !slit))
		return acpi_fail("SRAT or SLIT missing from the XSDT");
	return fadt_ok(fadt) && madt_ok(madt, vcpus) &&
	       (!nodes || (srat_ok(srat, vcpus, nodes) && slit_ok(slit, nodes)));
}

static bool acpi_ok(uint64_t rsdp, unsigned int vcpus)
{
	return acpi_ok_nodes(rsdp, vcpus, 0);
}

/* Disassemble the tables with ACPICA's iasl and run \_S5 in acpiexec. */
static void test_acpi_tools(uint8_t *buf, struct acpi_layout *lay)
{
	static const struct {
		const char *file;
		uint32_t off;
	} t[] = {
		{ "facp.dat", 0 }, { "dsdt.dat", 1 }, { "apic.dat", 2 },
		{ "facs.dat", 3 }, { "rsdt.dat", 4 }, { "xsdt.dat", 5 },
		{ "srat.dat", 6 }, { "slit.dat", 7 },
	};
	/* 4 vCPUs on 2 nodes, 128 MiB as guest_numa_split() cuts it */
	static const struct acpi_numa numa = {
		.nodes = 2, .nranges = 3,
		.range = {
			{ 0, 0x9fc00, 0 }, { 1 << 20, 63 << 20, 0 },
			{ 64 << 20, 64 << 20, 1 },
		},
	};
	char dir[] = "/tmp/v3ctl-acpi-XXXXXX", path[96], cmd[160];
	unsigned int i;
	int r;

	if (access("tests/acpi_tools.sh", R_OK)) {
		tap_ok(true, "# SKIP acpi: tests/acpi_tools.sh not found (run from tools/v3ctl)");
		return;
	}
	if (acpi_build(buf, ACPI_AREA_SIZE, 0xe0000, 4, &numa, lay) ||
	    !mkdtemp(dir)) {
		tap_ok(false, "acpi: iasl check setup");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t offs[] = { lay->fadt, lay->dsdt, lay->madt, lay->facs,
				    lay->rsdt, lay->xsdt, lay->srat, lay->slit };
		uint32_t off = offs[t[i].off], len;
		FILE *f;

		memcpy(&len, buf + off + 4, 4);
		snprintf(path, sizeof(path), "%s/%s", dir, t[i].file);
		f = fopen(path, "wb");
		if (f) {
			fwrite(buf + off, 1, len, f);
			fclose(f);
		}
	}
	snprintf(cmd, sizeof(cmd), "sh tests/acpi_tools.sh %s > %s/result 2>&1",
		 dir, dir);
	r = system(cmd);
	r = WIFEXITED(r) ? WEXITSTATUS(r) : -1;
	if (r == 77) {
		tap_ok(true, "# SKIP acpi: iasl (acpica-tools) not installed");
	} else {
		if (r) {
			snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s/result", dir);
			if (system(cmd))
				tap_diag("cannot show %s/result", dir);
		}
		tap_ok(r == 0, "acpi: iasl -d decodes every table (SRAT and SLIT of 2 nodes too) cleanly, acpiexec evaluates \\_S5 to {5, 5, 0, 0}");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		tap_diag("cannot remove %s", dir);
}

static void test_acpi(void)
{
	static uint8_t buf[ACPI_AREA_SIZE];
	static const unsigned int counts[] = { 1, 2, 4, 15, 16, 64, 255 };
	struct acpi_layout lay;
	unsigned int i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		mem_reset(2 << 20);
		ok = !acpi_build(buf, sizeof(buf), 0xe0000, counts[i], NULL, &lay);
		memcpy(fm.buf + 0xe0000, buf, lay.size);
		ok = ok && rsdp_scan() == 0xe0000 && acpi_ok(0xe0000, counts[i]);
		tap_ok(ok, "acpi: tables for %u vCPUs (%u bytes) parse back %s",
		       counts[i], lay.size, acpi_why);
	}
	tap_ok(acpi_build(buf, sizeof(buf), 0xe0000, 0, NULL, &lay) &&
	       acpi_build(buf, sizeof(buf), 0xe0000, 256, NULL, &lay) &&
	       acpi_build(buf, 100, 0xe0000, 1, NULL, &lay) &&
	       acpi_build(buf, sizeof(buf), 0xe0008, 1, NULL, &lay),
	       "acpi: bad arguments refused");
	tap_ok(acpi_checksum("\x01\x02\xfd", 3) == 0 &&
	       acpi_checksum("\x10", 1) == 0xf0, "acpi: checksum helper");

	test_acpi_tools(buf, &lay);
}

/* ------------------------------------------------------ bzImage builder */

struct bz_spec {
	uint16_t version;
	uint8_t setup_sects;
	uint8_t hdr_len;	/* byte at 0x201: header ends at 0x202 + it */
	uint16_t boot_flag;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t pm_len;
};

static const struct bz_spec bz_good = {
	.version = 0x020f, .setup_sects = 4, .hdr_len = 0x6a,
	.boot_flag = 0xaa55, .loadflags = 0x01, .xloadflags = 0x7f,
	.relocatable = 1, .kernel_alignment = 0x200000,
	.pref_address = 0x1000000, .init_size = 0x400000,
	.initrd_addr_max = 0x7fffffff, .cmdline_size = 2047,
	.pm_len = 0x10000,
};

static uint8_t bz_byte(uint64_t i)
{
	return (uint8_t)(i * 13 + 5);
}

static size_t build_bz(const struct bz_spec *b)
{
	size_t pm_off = ((b->setup_sects ? b->setup_sects : 4) + 1) * 512;
	uint32_t i;

	memset(img, 0, pm_off);
	img[0] = 'M';
	img[1] = 'Z';
	img[0x1f1] = b->setup_sects;
	memcpy(img + 0x1fa, "\xff\xff", 2);		/* vid_mode */
	memcpy(img + 0x1fe, &b->boot_flag, 2);
	img[0x200] = 0xeb;
	img[0x201] = b->hdr_len;
	memcpy(img + 0x202, "HdrS", 4);
	memcpy(img + 0x206, &b->version, 2);
	memcpy(img + 0x20e, "\x40\x3e", 2);		/* kernel_version */
	img[0x211] = b->loadflags;
	memcpy(img + 0x22c, &b->initrd_addr_max, 4);
	memcpy(img + 0x230, &b->kernel_alignment, 4);
	img[0x234] = b->relocatable;
	img[0x235] = 21;
	memcpy(img + 0x236, &b->xloadflags, 2);
	memcpy(img + 0x238, &b->cmdline_size, 4);
	memcpy(img + 0x258, &b->pref_address, 8);
	memcpy(img + 0x260, &b->init_size, 4);
	for (i = 0; i < b->pm_len; i++)
		img[pm_off + i] = bz_byte(i);
	return pm_off + b->pm_len;
}

/* Zero-page bytes v3ctl sets itself instead of copying them. */
static bool bz_own_field(unsigned int off)
{
	return off == BP_TYPE_OF_LOADER ||
	       (off >= BP_CODE32_START && off < BP_RAMDISK_SIZE + 4) ||
	       (off >= BP_CMD_LINE_PTR && off < BP_CMD_LINE_PTR + 4) ||
	       (off >= BP_SETUP_DATA && off < BP_SETUP_DATA + 8);
}

/*
 * The zero page at BZ_ZERO_PAGE_ADDR for a kernel whose file is @k:
 * setup header copied (up to @hdr_end), our fields set, everything else
 * zero except the e820 table.
 */
static bool zero_page_ok(const uint8_t *k, unsigned int hdr_end,
			 uint64_t initrd, uint64_t initrd_len)
{
	const uint64_t zp = BZ_ZERO_PAGE_ADDR;
	unsigned int off, n = mem_at(zp + BP_E820_ENTRIES)[0];

	for (off = 0; off < BP_SIZE; off++) {
		uint8_t b = mem_at(zp + off)[0];

		if (off >= BP_HDR && off < hdr_end) {
			if (!bz_own_field(off) && b != k[off])
				return acpi_fail("zero page +0x%x: 0x%02x, file has 0x%02x",
						 off, b, k[off]);
			continue;
		}
		if ((off >= BP_ACPI_RSDP_ADDR && off < BP_ACPI_RSDP_ADDR + 8) ||
		    (off >= BP_EXT_RAMDISK_IMAGE && off < BP_EXT_CMD_LINE_PTR) ||
		    off == BP_E820_ENTRIES ||
		    (off >= BP_E820_TABLE && off < BP_E820_TABLE + 20 * n))
			continue;
		if (b)
			return acpi_fail("zero page +0x%x is 0x%02x, not 0", off, b);
	}
	if (mem_at(zp + BP_TYPE_OF_LOADER)[0] != 0xff ||
	    rd32(zp + BP_CMD_LINE_PTR) != BZ_CMDLINE_ADDR ||
	    rd32(zp + BP_EXT_CMD_LINE_PTR) != 0 ||
	    rd64(zp + BP_SETUP_DATA) != 0 ||
	    rd64(zp + BP_ACPI_RSDP_ADDR) != ACPI_BASE)
		return acpi_fail("zero page: loader fields");
	if (rd32(zp + BP_RAMDISK_IMAGE) != (uint32_t)initrd ||
	    rd32(zp + BP_EXT_RAMDISK_IMAGE) != (uint32_t)(initrd >> 32) ||
	    rd32(zp + BP_RAMDISK_SIZE) != (uint32_t)initrd_len ||
	    rd32(zp + BP_EXT_RAMDISK_SIZE) != (uint32_t)(initrd_len >> 32))
		return acpi_fail("zero page: ramdisk fields 0x%x+0x%x",
				 rd32(zp + BP_RAMDISK_IMAGE),
				 rd32(zp + BP_RAMDISK_SIZE));
	return true;
}

/* The e820 table must be exactly this. */
static bool e820_ok(uint64_t ram)
{
	const uint64_t zp = BZ_ZERO_PAGE_ADDR;
	uint64_t low = ram < (3ULL << 30) ? ram : (3ULL << 30);
	const struct e820_entry want[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xe0000, 0x20000, 2 },
		{ 0x100000, low - 0x100000, 1 },
		{ 4ULL << 30, ram - low, 1 },
	};
	unsigned int n = ram > low ? 5 : 4, i;

	if (mem_at(zp + BP_E820_ENTRIES)[0] != n)
		return acpi_fail("e820: %u entries, want %u",
				 mem_at(zp + BP_E820_ENTRIES)[0], n);
	for (i = 0; i < n; i++) {
		uint64_t e = zp + BP_E820_TABLE + 20 * i;

		if (rd64(e) != want[i].addr || rd64(e + 8) != want[i].size ||
		    rd32(e + 16) != want[i].type)
			return acpi_fail("e820[%u] = 0x%llx +0x%llx type %u",
					 i, (unsigned long long)rd64(e),
					 (unsigned long long)rd64(e + 8),
					 rd32(e + 16));
	}
	return true;
}

static bool bz_boot_ok(uint64_t load)
{
	return req.boot.mode == V3_BOOT_LONG64 &&
	       req.boot.entry == load + 0x200 &&
	       req.boot.cr3 == PML4_ADDR &&
	       req.boot.gdt_base == BZ_GDT_ADDR && req.boot.gdt_limit == 31 &&
	       req.boot.cs == 0x10 && req.boot.ds == 0x18 &&
	       req.boot.gpr[V3_RSI] == BZ_ZERO_PAGE_ADDR &&
	       req.boot.gpr[V3_RSP] == BZ_STACK_TOP &&
	       rd64(BZ_GDT_ADDR + 0x10) == 0x00af9b000000ffffULL &&
	       rd64(BZ_GDT_ADDR + 0x18) == 0x00cf93000000ffffULL &&
	       rd64(BZ_GDT_ADDR) == 0 && rd64(BZ_GDT_ADDR + 8) == 0;
}

static bool ident_map_ok(unsigned int gib)
{
	uint64_t i;

	if (rd64(PML4_ADDR) != (PDPT_ADDR | 3) || rd64(PML4_ADDR + 8))
		return false;
	for (i = 0; i < gib; i++)
		if (rd64(PDPT_ADDR + 8 * i) != ((PD_ADDR + 0x1000 * i) | 3))
			return false;
	if (rd64(PDPT_ADDR + 8 * gib))
		return false;
	for (i = 0; i < gib * 512ULL; i++)
		if (rd64(PD_ADDR + i * 8) != ((i << 21) | 0x83))
			return false;
	return true;
}

static void test_bzimage(void)
{
	static const char initrd[] = "INITRD-for-bzImage-0123456789";
	const uint64_t ram = 64 << 20;
	struct bz_spec b;
	size_t len = build_bz(&bz_good);
	uint64_t rd = ((64 << 20) - sizeof(initrd)) & ~4095ULL, i;
	bool ok;

	tap_ok(do_load_img(img, len, ram, "console=ttyS0 quiet",
			   (const uint8_t *)initrd, sizeof(initrd), 4) == 0,
	       "bzimage: loads (%s)", req.err);
	tap_ok(req.format && !strcmp(req.format, "bzimage"),
	       "bzimage: probed as bzimage");
	tap_ok(bz_boot_ok(0x1000000), "bzimage: 64-bit entry state, GDT with __BOOT_CS 0x10 / __BOOT_DS 0x18");
	ok = true;
	for (i = 0; i < bz_good.pm_len; i++)
		if (mem_at(0x1000000 + i)[0] != bz_byte(i))
			ok = false;
	tap_ok(ok && req.kernel_lo == 0x1000000 &&
	       req.kernel_hi == 0x1000000 + bz_good.init_size,
	       "bzimage: protected-mode kernel at pref_address 16 MiB");
	tap_ok(zero_page_ok(img, 0x26c, rd, sizeof(initrd)),
	       "bzimage: zero page %s", acpi_why);
	tap_ok(!strcmp((char *)mem_at(BZ_CMDLINE_ADDR), "console=ttyS0 quiet"),
	       "bzimage: command line");
	tap_ok(req.initrd_addr == rd &&
	       !memcmp(mem_at(rd), initrd, sizeof(initrd)),
	       "bzimage: initrd at the top of RAM, page-aligned (0x%llx)",
	       (unsigned long long)req.initrd_addr);
	tap_ok(e820_ok(ram), "bzimage: e820 map %s", acpi_why);
	tap_ok(rsdp_scan() == ACPI_BASE && acpi_ok(ACPI_BASE, 4),
	       "bzimage: RSDP found by the BIOS-area scan, tables valid for 4 vCPUs %s",
	       acpi_why);
	tap_ok(ident_map_ok(4), "bzimage: identity map of [0, 4 GiB)");
	tap_ok(!fm.oob && fm.max_write <= V3_MEM_XFER_MAX && mem_is(0, 0, 0x1000),
	       "bzimage: writes stay in RAM, IVT/BDA page zeroed");

	/* no initrd, no command line, setup_sects 0 (means 4) */
	b = bz_good;
	b.setup_sects = 0;
	len = build_bz(&b);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       zero_page_ok(img, 0x26c, 0, 0) &&
	       !strcmp((char *)mem_at(BZ_CMDLINE_ADDR), "") &&
	       req.initrd_addr == 0 && mem_at(0x1000000)[0] == bz_byte(0) &&
	       acpi_ok(ACPI_BASE, 1),
	       "bzimage: no initrd, empty command line, setup_sects 0 %s (%s)",
	       acpi_why, req.err);

	/* 6 GiB: e820 with high RAM, initrd below initrd_addr_max */
	len = build_bz(&bz_good);
	tap_ok(do_load_img(img, len, 6ULL << 30, "x", (const uint8_t *)initrd,
			   sizeof(initrd), 2) == 0 && e820_ok(6ULL << 30) &&
	       req.initrd_addr == ((2ULL << 30) - sizeof(initrd)) / 4096 * 4096 &&
	       rd32(BZ_ZERO_PAGE_ADDR + BP_RAMDISK_IMAGE) == req.initrd_addr &&
	       ident_map_ok(7) && !fm.oob,
	       "bzimage: 6 GiB VM: high RAM in e820, initrd below 2 GiB, 7 GiB mapped %s",
	       acpi_why);

	/* initrd_addr_max below the kernel's end: the initrd goes above 4G */
	b = bz_good;
	b.initrd_addr_max = 0x013fffff;	/* = the kernel's end - 1 */
	len = build_bz(&b);
	tap_ok(do_load_img(img, len, 5ULL << 30, NULL, (const uint8_t *)initrd,
			   sizeof(initrd), 1) == 0 &&
	       req.initrd_addr == 4ULL << 30 &&
	       zero_page_ok(img, 0x26c, 4ULL << 30, sizeof(initrd)) &&
	       !memcmp(mem_at(4ULL << 30), initrd, sizeof(initrd)),
	       "bzimage: initrd above 4 GiB through ext_ramdisk_image %s (%s)",
	       acpi_why, req.err);
	b.xloadflags &= ~BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	len = build_bz(&b);
	tap_ok(do_load_img(img, len, 5ULL << 30, NULL, (const uint8_t *)initrd,
			   sizeof(initrd), 1) != 0 &&
	       strstr(req.err, "does not fit"),
	       "bzimage: ... refused without XLF_CAN_BE_LOADED_ABOVE_4G (%s)",
	       req.err);

	/* misaligned pref_address: 16 MiB rounded up to kernel_alignment */
	b = bz_good;
	b.pref_address = 0x1100000;
	b.kernel_alignment = 0x400000;
	len = build_bz(&b);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       bz_boot_ok(0x1000000) && mem_at(0x1000000)[1] == bz_byte(1),
	       "bzimage: misaligned pref_address: loaded at 16 MiB (%s)",
	       req.err);
	/* non-relocatable: exactly at pref_address */
	b = bz_good;
	b.relocatable = 0;
	b.pref_address = 0x1100000;
	len = build_bz(&b);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       bz_boot_ok(0x1100000) && mem_at(0x1100000)[1] == bz_byte(1),
	       "bzimage: non-relocatable kernel at its pref_address (%s)",
	       req.err);
	/* pref_address beyond RAM but relocatable: 16 MiB */
	b = bz_good;
	b.pref_address = 0x80000000;
	len = build_bz(&b);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 && bz_boot_ok(0x1000000),
	       "bzimage: pref_address outside RAM: loaded at 16 MiB (%s)",
	       req.err);
	/* init_size smaller than the file: the file size counts */
	b = bz_good;
	b.init_size = 0x1000;
	len = build_bz(&b);
	tap_ok(do_load(len, ram, NULL, NULL, 0) == 0 &&
	       req.kernel_hi == 0x1000000 + b.pm_len,
	       "bzimage: kernel extent is max(init_size, file)");
}

struct bz_bad {
	const char *what;
	const char *expect;
	void (*mutate)(struct bz_spec *b);
	uint64_t ram;			/* 0: 64 MiB */
	const char *cmdline;
	size_t initrd_len;
	size_t trunc;			/* !0: file length */
};

static void b_old(struct bz_spec *b) { b->version = 0x020b; }
static void b_nohigh(struct bz_spec *b) { b->loadflags = 0; }
static void b_no64(struct bz_spec *b) { b->xloadflags = 0x2; }
static void b_flag(struct bz_spec *b) { b->boot_flag = 0x1234; }
static void b_short(struct bz_spec *b) { b->hdr_len = 0x40; }
static void b_align(struct bz_spec *b) { b->kernel_alignment = 0x300000; }
static void b_align0(struct bz_spec *b) { b->kernel_alignment = 0; }
static void b_huge(struct bz_spec *b) { b->init_size = 0xf0000000; }
static void b_cmd(struct bz_spec *b) { b->cmdline_size = 4; }
static void b_fixed(struct bz_spec *b) { b->relocatable = 0; b->pref_address = 0x8000000; }
static void b_fixedlow(struct bz_spec *b) { b->relocatable = 0; b->pref_address = 0x90000; }
static void b_nopm(struct bz_spec *b) { b->pm_len = 0; }

static void test_bzimage_bad(void)
{
	static const struct bz_bad cases[] = {
		{ "protocol 2.11", "too old", b_old, 0, NULL, 0, 0 },
		{ "zImage", "zImage", b_nohigh, 0, NULL, 0, 0 },
		{ "32-bit only", "64-bit entry", b_no64, 0, NULL, 0, 0 },
		{ "bad boot flag", "boot flag", b_flag, 0, NULL, 0, 0 },
		{ "short setup header", "setup header", b_short, 0, NULL, 0, 0 },
		{ "truncated setup header", "truncated", NULL, 0, NULL, 0, 0x240 },
		{ "no protected-mode kernel", "no protected-mode", b_nopm, 0, NULL, 0, 0 },
		{ "kernel_alignment 3 MiB", "kernel_alignment", b_align, 0, NULL, 0, 0 },
		{ "kernel_alignment 0", "kernel_alignment", b_align0, 0, NULL, 0, 0 },
		{ "RAM too small", "at least 20 MiB", NULL, 16 << 20, NULL, 0, 0 },
		{ "huge init_size", "more guest RAM", b_huge, 0, NULL, 0, 0 },
		{ "command line over cmdline_size", "cmdline_size", b_cmd, 0, "12345", 0, 0 },
		{ "non-relocatable above RAM", "non-relocatable", b_fixed, 0, NULL, 0, 0 },
		{ "non-relocatable below 1 MiB", "non-relocatable", b_fixedlow, 0, NULL, 0, 0 },
		{ "initrd too big", "does not fit", NULL, 0, NULL, (44 << 20) + 1, 0 },
	};
	static uint8_t big_initrd[45 << 20];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bz_bad *c = &cases[i];
		struct bz_spec b = bz_good;
		size_t len;
		int r;

		if (c->mutate)
			c->mutate(&b);
		len = build_bz(&b);
		if (c->trunc)
			len = c->trunc;
		r = do_load(len, c->ram ? c->ram : 64 << 20, c->cmdline,
			    c->initrd_len ? big_initrd : NULL, c->initrd_len);
		tap_ok(r != 0 && strstr(req.err, c->expect) && !fm.writes,
		       "bzimage: %s rejected before any write: \"%s\"", c->what,
		       req.err);
	}
	/* the largest initrd that fits still loads */
	tap_ok(do_load(build_bz(&bz_good), 64 << 20, NULL, big_initrd,
		       (64 << 20) - 0x1400000) == 0 &&
	       req.initrd_addr == 0x1400000,
	       "bzimage: initrd filling RAM from the kernel's end loads (%s)",
	       req.err);
}

/* ------------------------------------------------------------ guest NUMA */

/*
 * The node of guest-physical @gpa by the spec of --guest-numa: RAM byte
 * x (x = gpa below 4 GiB, gpa - 1 GiB above) is on node x / step, step =
 * RAM / N rounded down to 2 MiB, the last node taking the rest.
 */
static unsigned int want_mem_node(uint64_t gpa, uint64_t ram,
				  unsigned int nodes)
{
	uint64_t step = ram / nodes / (2 << 20) * (2 << 20);
	uint64_t x = gpa < (4ULL << 30) ? gpa : gpa - (1ULL << 30);

	return x / step < nodes ? x / step : nodes - 1;
}

/*
 * srat_mem[] against the e820 map in the zero page: ascending, no
 * overlap, each range inside one RAM entry and on the node of its first
 * and last byte, together exactly the RAM; each node about RAM / N.
 */
static bool numa_mem_ok(uint64_t ram, unsigned int nodes)
{
	const uint64_t zp = BZ_ZERO_PAGE_ADDR;
	unsigned int n = mem_at(zp + BP_E820_ENTRIES)[0], i, j;
	uint64_t step = ram / nodes / (2 << 20) * (2 << 20);
	uint64_t e820_ram = 0, covered = 0, per_node[8] = { 0 }, want;

	for (j = 0; j < n; j++)
		if (rd32(zp + BP_E820_TABLE + 20 * j + 16) == E820_RAM)
			e820_ram += rd64(zp + BP_E820_TABLE + 20 * j + 8);
	for (i = 0; i < srat_nmem; i++) {
		const struct acpi_srat_mem *m = &srat_mem[i];
		bool in_ram = false;

		if (i && m->base < srat_mem[i - 1].base + srat_mem[i - 1].size)
			return acpi_fail("SRAT: memory entry %u overlaps or is out of order",
					 i);
		for (j = 0; j < n; j++) {
			uint64_t e = zp + BP_E820_TABLE + 20 * j;

			if (rd32(e + 16) == E820_RAM && m->base >= rd64(e) &&
			    m->base + m->size <= rd64(e) + rd64(e + 8))
				in_ram = true;
		}
		if (!in_ram)
			return acpi_fail("SRAT: [0x%llx, +0x%llx) is not inside an e820 RAM entry",
					 (unsigned long long)m->base,
					 (unsigned long long)m->size);
		if (want_mem_node(m->base, ram, nodes) != m->proximity ||
		    want_mem_node(m->base + m->size - 1, ram, nodes) !=
		    m->proximity)
			return acpi_fail("SRAT: [0x%llx, +0x%llx) on node %u",
					 (unsigned long long)m->base,
					 (unsigned long long)m->size,
					 m->proximity);
		covered += m->size;
		per_node[m->proximity] += m->size;
	}
	if (covered != e820_ram)
		return acpi_fail("SRAT: memory entries cover 0x%llx bytes, e820 RAM is 0x%llx",
				 (unsigned long long)covered,
				 (unsigned long long)e820_ram);
	for (i = 0; i < nodes; i++) {
		want = i + 1 < nodes ? step : ram - (nodes - 1) * step;
		/* at most the 384 KiB below 1 MiB that are not RAM missing */
		if (per_node[i] > want || per_node[i] + (1 << 20) < want)
			return acpi_fail("SRAT: node %u has 0x%llx bytes, want about 0x%llx",
					 i, (unsigned long long)per_node[i],
					 (unsigned long long)want);
	}
	return true;
}

static void test_guest_numa(void)
{
	static const struct {
		unsigned int nodes, vcpus;
		uint64_t ram;
	} cases[] = {
		{ 1, 1, 64 << 20 }, { 1, 4, 6ULL << 30 },
		{ 2, 2, 256 << 20 }, { 2, 3, (99 << 20) + 4096 },
		{ 2, 2, 6ULL << 30 },		/* boundary at the hole */
		{ 2, 64, 5ULL << 30 },		/* node 1 spans the hole */
		{ 4, 4, 64 << 20 }, { 4, 7, 3ULL << 30 },
		{ 4, 5, (3ULL << 30) + (2 << 20) + 4096 },
		{ 4, 64, 6ULL << 30 }, { 8, 8, 64ULL << 30 },
	};
	static const struct {
		const char *what, *expect;
		unsigned int nodes, vcpus;
		uint64_t ram;
	} bad[] = {
		{ "more nodes than vCPUs", "--guest-numa 3 needs at least 3 vCPUs, one per node (--vcpus is 2)",
		  3, 2, 64 << 20 },
		{ "9 nodes", "--guest-numa must be 1 to 8, not 9", 9, 16, 64 << 20 },
		{ "8 nodes in 28 MiB", "--guest-numa 8 needs at least 32 MiB of guest RAM, 4 MiB per node (--mem is 28M)",
		  8, 8, 28 << 20 },
		{ "2 nodes in 7 MiB + 4 KiB", "needs at least 8 MiB of guest RAM, 4 MiB per node (--mem is 7172K)",
		  2, 2, (7 << 20) + 4096 },
	};
	size_t len = build_bz(&bz_good);
	struct acpi_numa numa;
	struct acpi_layout lay;
	static uint8_t buf[ACPI_AREA_SIZE];
	unsigned int i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		load_nodes = cases[i].nodes;
		ok = do_load_img(img, len, cases[i].ram, NULL, NULL, 0,
				 cases[i].vcpus) == 0;
		ok = ok && e820_ok(cases[i].ram) && !fm.oob &&
		     acpi_ok_nodes(ACPI_BASE, cases[i].vcpus, cases[i].nodes) &&
		     numa_mem_ok(cases[i].ram, cases[i].nodes);
		tap_ok(ok, "guest numa: %u nodes, %u vCPUs, %llu KiB: SRAT (%u memory ranges) and SLIT parse back, ranges are the e820 RAM %s (%s)",
		       cases[i].nodes, cases[i].vcpus,
		       (unsigned long long)(cases[i].ram >> 10), srat_nmem,
		       acpi_why, req.err);
	}
	load_nodes = 2;
	ok = do_load_img(img, len, 256 << 20, NULL, NULL, 0, 2) == 0 &&
	     acpi_ok_nodes(ACPI_BASE, 2, 2) && numa_mem_ok(256 << 20, 2) &&
	     srat_nmem == 3 && srat_mem[0].base == 0 &&
	     srat_mem[0].size == 0x9fc00 && srat_mem[0].proximity == 0 &&
	     srat_mem[1].base == 1 << 20 &&
	     srat_mem[1].size == (127 << 20) && srat_mem[1].proximity == 0 &&
	     srat_mem[2].base == 128 << 20 &&
	     srat_mem[2].size == 128 << 20 && srat_mem[2].proximity == 1;
	tap_ok(ok, "guest numa: 2 nodes, 256 MiB: node 0 [0, 0x9fc00) + [1M, 128M), node 1 [128M, 256M) %s",
	       acpi_why);
	load_nodes = 0;
	tap_ok(do_load_img(img, len, 256 << 20, NULL, NULL, 0, 2) == 0 &&
	       acpi_ok_nodes(ACPI_BASE, 2, 0),
	       "guest numa: none requested: no SRAT or SLIT in the RSDT/XSDT %s",
	       acpi_why);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		load_nodes = bad[i].nodes;
		tap_ok(do_load_img(img, len, bad[i].ram, NULL, NULL, 0,
				   bad[i].vcpus) && req.usage &&
		       strstr(req.err, bad[i].expect) && !fm.writes,
		       "guest numa: %s refused before any write: \"%s\"",
		       bad[i].what, req.err);
	}
	load_nodes = 1;
	len = build_elf(&mb_good);
	tap_ok(do_load_img(img, len, 64 << 20, NULL, NULL, 0, 1) && req.usage &&
	       strstr(req.err, "only for a Linux bzImage (this kernel's format is multiboot)") &&
	       !fm.writes,
	       "guest numa: refused for a Multiboot kernel: \"%s\"", req.err);
	load_nodes = 2;
	len = build_elf(&e64_good);
	tap_ok(do_load_img(img, len, 64 << 20, NULL, NULL, 0, 2) && req.usage &&
	       strstr(req.err, "(this kernel's format is elf64)") && !fm.writes,
	       "guest numa: refused for an ELF64 kernel: \"%s\"", req.err);
	load_nodes = 0;
	tap_ok(do_load_img(img, build_bz(&bz_good), 16 << 20, NULL, NULL, 0, 1) &&
	       !req.usage, "guest numa: other load failures are not usage errors");

	/* acpi_build() itself: the largest tables fit, bad topologies refused */
	memset(&numa, 0, sizeof(numa));
	numa.nodes = 8;
	numa.nranges = ACPI_NUMA_MAX_RANGES;
	for (i = 0; i < numa.nranges; i++) {
		numa.range[i].base = (uint64_t)i << 30;
		numa.range[i].size = 1 << 30;
		numa.range[i].node = i / 2;
	}
	mem_reset(2 << 20);
	ok = !acpi_build(buf, sizeof(buf), 0xe0000, 255, &numa, &lay);
	memcpy(fm.buf + 0xe0000, buf, lay.size);
	tap_ok(ok && acpi_ok_nodes(0xe0000, 255, 8) && srat_nmem == 16,
	       "guest numa: 255 vCPUs, 8 nodes, 16 ranges fit (%u bytes) %s",
	       lay.size, acpi_why);
	numa.nodes = 9;
	ok = acpi_build(buf, sizeof(buf), 0xe0000, 16, &numa, &lay);
	numa.nodes = 8;
	ok = ok && acpi_build(buf, sizeof(buf), 0xe0000, 7, &numa, &lay);
	numa.range[3].node = 8;
	ok = ok && acpi_build(buf, sizeof(buf), 0xe0000, 8, &numa, &lay);
	numa.range[3].node = 1;
	numa.range[3].size = 0;
	ok = ok && acpi_build(buf, sizeof(buf), 0xe0000, 8, &numa, &lay);
	numa.range[3].size = 1;
	numa.nranges = 0;
	ok = ok && acpi_build(buf, sizeof(buf), 0xe0000, 8, &numa, &lay);
	numa.nranges = 1;
	numa.nodes = 0;
	ok = ok && acpi_build(buf, sizeof(buf), 0xe0000, 8, &numa, &lay);
	tap_ok(ok, "guest numa: acpi_build refuses 9 nodes, more nodes than vCPUs, a range on no node, empty ranges, no ranges, 0 nodes");
}

static void test_bzimage_fuzz(void)
{
	static uint8_t orig[0x20000];
	struct bz_spec b = bz_good;
	size_t len;
	unsigned int iter, k, bad = 0, loaded = 0;

	/* small kernel at 2 MiB in 4 MiB of RAM: fast */
	b.pref_address = 2 << 20;
	b.init_size = 1 << 20;
	len = build_bz(&b);
	srand(54321);
	memcpy(orig, img, len);
	for (iter = 0; iter < 3000; iter++) {
		size_t l = len;
		unsigned int flips = 1 + rand() % 4;

		memcpy(img, orig, len);
		for (k = 0; k < flips; k++)
			img[0x1f0 + rand() % 0x80] = rand();
		if (iter % 9 == 0)
			l = rand() % len;
		if (do_load(l, 4 << 20, "c", (const uint8_t *)"initrd", 6))
			continue;
		loaded++;
		if (fm.oob || !gmem_range_ok(&gm, req.boot.entry, 1) ||
		    req.kernel_lo < (1 << 20) ||
		    ranges_overlap(req.kernel_lo, req.kernel_hi - req.kernel_lo,
				   req.initrd_addr, 6))
			bad++;
	}
	tap_ok(!bad && loaded > 100,
	       "bzimage fuzz: 3000 corrupted headers, %u loaded, all sane",
	       loaded);
}

#define DEBIAN_KERNEL "../../.cache/kernels/6.1.0-50-amd64/boot/vmlinuz-6.1.0-50-amd64"

static void test_debian_kernel(void)
{
	const uint64_t ram = 128 << 20;
	uint8_t *k, *rd;
	size_t klen, rdlen = 3 << 20, i;
	uint64_t rd_at = ram - rdlen, pm_off;
	uint32_t init_size;
	FILE *f;
	bool ok;

	f = fopen(DEBIAN_KERNEL, "rb");
	if (!f) {
		tap_ok(true, "# SKIP Debian kernel %s not present", DEBIAN_KERNEL);
		return;
	}
	k = malloc(32 << 20);
	klen = fread(k, 1, 32 << 20, f);
	fclose(f);
	rd = malloc(rdlen);
	for (i = 0; i < rdlen; i++)
		rd[i] = (uint8_t)(i * 7 + 1);
	pm_off = (k[0x1f1] + 1) * 512ULL;
	memcpy(&init_size, k + 0x260, 4);

	mem_cap = ram;
	tap_ok(do_load_img(k, klen, ram, "console=ttyS0", rd, rdlen, 4) == 0 &&
	       !strcmp(req.format, "bzimage"),
	       "debian: %s loads as bzimage (%s)", DEBIAN_KERNEL, req.err);
	tap_ok(bz_boot_ok(0x1000000) &&
	       mem_at(req.boot.entry)[0] == 0xfc && mem_at(req.boot.entry)[1] == 0xfa,
	       "debian: entered at 16 MiB + 0x200 (startup_64: cld; cli)");
	tap_ok(!memcmp(mem_at(0x1000000), k + pm_off, klen - pm_off) &&
	       req.kernel_hi == 0x1000000 + init_size,
	       "debian: protected-mode kernel loaded (init_size 0x%x)", init_size);
	tap_ok(zero_page_ok(k, 0x202 + k[0x201], rd_at, rdlen),
	       "debian: zero page %s", acpi_why);
	tap_ok(rd32(BZ_ZERO_PAGE_ADDR + BP_HEADER) == 0x53726448 &&
	       rd32(BZ_ZERO_PAGE_ADDR + BP_VERSION) >> 16 == 0 &&
	       (rd32(BZ_ZERO_PAGE_ADDR + BP_VERSION) & 0xffff) >= 0x20c,
	       "debian: header magic and protocol %x in the zero page",
	       rd32(BZ_ZERO_PAGE_ADDR + BP_VERSION) & 0xffff);
	tap_ok(req.initrd_addr == rd_at && !memcmp(mem_at(rd_at), rd, rdlen) &&
	       rd_at >= 0x1000000 + init_size,
	       "debian: initrd at 0x%llx, above the kernel's init_size area",
	       (unsigned long long)req.initrd_addr);
	tap_ok(!strcmp((char *)mem_at(BZ_CMDLINE_ADDR), "console=ttyS0"),
	       "debian: command line");
	tap_ok(e820_ok(ram), "debian: e820 %s", acpi_why);
	tap_ok(rsdp_scan() == ACPI_BASE && acpi_ok(ACPI_BASE, 4),
	       "debian: RSDP by scan and by acpi_rsdp_addr, all checksums %s",
	       acpi_why);
	tap_ok(ident_map_ok(4) && !fm.oob, "debian: identity map, no stray writes");

	/* the example: 512M, 4 vCPUs (only 128M backed here) */
	ok = do_load_img(k, klen, 512 << 20, "console=ttyS0", rd, rdlen, 4) == 0 &&
	     req.initrd_addr == (512 << 20) - rdlen && e820_ok(512 << 20) &&
	     acpi_ok(ACPI_BASE, 4);
	tap_ok(ok, "debian: 512 MiB VM: initrd at 0x%llx %s (%s)",
	       (unsigned long long)req.initrd_addr, acpi_why, req.err);
	tap_ok(do_load_img(k, klen, 64 << 20, NULL, NULL, 0, 1) != 0 &&
	       strstr(req.err, "more guest RAM"),
	       "debian: 64 MiB is too small: \"%s\"", req.err);
	mem_cap = 64 << 20;
	free(k);
	free(rd);
}

int main(void)
{
	printf("TAP version 13\n");
	test_parsing();
	test_node_lists();
	test_multiboot();
	test_multiboot_bad();
	test_elf64();
	test_elf64_bad();
	test_fuzz();
	test_acpi();
	test_bzimage();
	test_bzimage_bad();
	test_guest_numa();
	test_bzimage_fuzz();
	test_debian_kernel();
	test_gears_fmt();
	test_gears_exec();
	test_commands();
	printf("1..%d\n", tap_n);
	free(fm.buf);
	free(fm.hbuf);
	return tap_failed ? 1 : 0;
}
