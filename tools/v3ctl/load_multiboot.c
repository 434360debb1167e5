// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 (specification 0.6.96) loader, and the Multiboot
 * information structure that the ELF64 loader passes as well.
 *
 * The image is an ELF file (ELF32 i386, or ELF64 x86-64 as GRUB accepts)
 * with a Multiboot header in its first 8192 bytes.  Its PT_LOAD segments
 * are loaded at their physical addresses and it is entered in 32-bit
 * protected mode, paging off, at the (physical) ELF entry point with
 * EAX = 0x2BADB002 and EBX = address of the information structure.
 * The a.out kludge (header flag 16) is refused; the video mode request
 * (flag 2) is ignored: v3vmm guests have no display.
 *
 * The command line is passed verbatim (unlike GRUB and QEMU, without the
 * kernel's file name in front).  See loader.h for the memory layout.
 */
#include <elf.h>
#include <string.h>

#include "loader.h"

#define MB_HF_SUPPORTED	(MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO | \
			 MB_HF_VIDEO_MODE)

/*
 * Offset of the first valid Multiboot header in the first 8 KiB of the
 * image, or -1; *bad_checksum tells whether the magic appeared with a
 * checksum that does not match.
 */
long mb_find_header(const uint8_t *img, size_t len, bool *bad_checksum)
{
	size_t lim = len < MB_SEARCH_LEN ? len : MB_SEARCH_LEN;
	uint32_t h[3];
	size_t off;

	*bad_checksum = false;
	for (off = 0; off + sizeof(h) <= lim; off += 4) {
		memcpy(h, img + off, sizeof(h));
		if (h[0] != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(h[0] + h[1] + h[2]) == 0)
			return off;
		*bad_checksum = true;
	}
	return -1;
}

int write_gdt(struct load_req *req, uint64_t addr, bool long_mode,
	      uint32_t *limit)
{
	const uint64_t code64 = 0x00af9b000000ffffULL;
	const uint64_t code32 = 0x00cf9b000000ffffULL;
	const uint64_t data = 0x00cf93000000ffffULL;
	uint64_t gdt[4] = {
		0,
		long_mode ? code64 : code32,	/* 0x08 */
		data,				/* 0x10 */
		long_mode ? code32 : code64,	/* 0x18 */
	};

	*limit = sizeof(gdt) - 1;
	return gmem_write(req, addr, gdt, sizeof(gdt));
}

static void mmap_add(struct mb_mmap_entry *map, unsigned int *n,
		     uint64_t addr, uint64_t end, uint32_t type)
{
	if (end <= addr)
		return;
	map[*n].size = sizeof(map[0]) - sizeof(map[0].size);
	map[*n].addr = addr;
	map[*n].len = end - addr;
	map[*n].type = type;
	(*n)++;
}

/* Place the initrd, if any, as module 0 above kernel_hi. */
static int mb_write_module(struct load_req *req, struct mb_info *mbi,
			   uint64_t kernel_hi)
{
	uint64_t low_end = gmem_low_end(req->mem);
	struct mb_mod mod = { 0 };
	uint64_t start;

	if (!req->initrd)
		return 0;
	start = kernel_hi < 1 * MiB ? 1 * MiB : kernel_hi;
	start = (start + 4095) & ~4095ULL;
	if (start >= low_end || req->initrd_len > low_end - start)
		return load_fail(req, "initrd (%zu bytes) does not fit in guest RAM between the kernel end 0x%llx and 0x%llx",
				 req->initrd_len, (unsigned long long)start,
				 (unsigned long long)low_end);
	if (gmem_write(req, start, req->initrd, req->initrd_len))
		return -1;
	mod.mod_start = start;
	mod.mod_end = start + req->initrd_len;
	mod.string = MOD_STRING_ADDR;
	if (gmem_write(req, MODS_ADDR, &mod, sizeof(mod)) ||
	    gmem_write(req, MOD_STRING_ADDR, MOD_STRING, sizeof(MOD_STRING)))
		return -1;
	mbi->flags |= MB_INFO_MODS;
	mbi->mods_count = 1;
	mbi->mods_addr = MODS_ADDR;
	req->initrd_addr = start;
	return 0;
}

/*
 * Build the Multiboot information structure at MBI_ADDR for a kernel
 * whose segments end at kernel_hi.
 */
int mb_write_info(struct load_req *req, uint64_t kernel_hi)
{
	const char *cmdline = req->cmdline ? req->cmdline : "";
	uint64_t low_end = gmem_low_end(req->mem);
	struct mb_mmap_entry map[MMAP_MAX];
	struct mb_info mbi = { 0 };
	unsigned int n = 0;

	if (!gmem_range_ok(req->mem, BOOTINFO_ADDR, BOOTINFO_END - BOOTINFO_ADDR))
		return load_fail(req, "guest RAM too small for the boot information area");
	if (strlen(cmdline) > CMDLINE_MAX)
		return load_fail(req, "command line too long (at most %llu bytes)",
				 (unsigned long long)CMDLINE_MAX);

	mbi.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP |
		    MB_INFO_LOADER_NAME;
	mbi.mem_lower = 640;
	mbi.mem_upper = low_end > 1 * MiB ? (low_end - 1 * MiB) / KiB : 0;

	mmap_add(map, &n, 0, 640 * KiB, 1);
	mmap_add(map, &n, 0xf0000, 1 * MiB, 2);
	mmap_add(map, &n, 1 * MiB, low_end, 1);
	mmap_add(map, &n, V3_HIGH_RAM_BASE, gmem_high_end(req->mem), 1);
	mbi.mmap_addr = MMAP_ADDR;
	mbi.mmap_length = n * sizeof(map[0]);

	mbi.cmdline = CMDLINE_ADDR;
	mbi.boot_loader_name = LOADER_NAME_ADDR;

	if (mb_write_module(req, &mbi, kernel_hi) ||
	    gmem_write(req, MMAP_ADDR, map, mbi.mmap_length) ||
	    gmem_write(req, CMDLINE_ADDR, cmdline, strlen(cmdline) + 1) ||
	    gmem_write(req, LOADER_NAME_ADDR, LOADER_NAME,
		       sizeof(LOADER_NAME)) ||
	    gmem_write(req, MBI_ADDR, &mbi, sizeof(mbi)))
		return -1;
	return 0;
}

static bool mb_probe(const uint8_t *img, size_t len)
{
	bool bad;

	if (mb_find_header(img, len, &bad) >= 0)
		return true;
	/* a 32-bit ELF with a broken header: say so instead of "no header" */
	return bad && elf_probe_magic(img, len) && img[EI_CLASS] == ELFCLASS32;
}

static int mb_load(struct load_req *req)
{
	struct elf_image ei;
	uint32_t h[3], limit;
	bool bad;
	long off;

	off = mb_find_header(req->kernel, req->kernel_len, &bad);
	if (off < 0)
		return load_fail(req, "bad Multiboot header checksum");
	memcpy(h, req->kernel + off, sizeof(h));
	if (h[1] & MB_HF_AOUT_KLUDGE)
		return load_fail(req, "Multiboot a.out kludge (header flag 16) is not supported; link the kernel as ELF");
	if (h[1] & 0xffff & ~MB_HF_SUPPORTED)
		return load_fail(req, "Multiboot header requires unsupported features (flags 0x%x)",
				 h[1] & 0xffff & ~MB_HF_SUPPORTED);
	if (!elf_probe_magic(req->kernel, req->kernel_len))
		return load_fail(req, "Multiboot image is not an ELF file (the a.out kludge is not supported)");
	if (elf_parse(req, &ei))
		return -1;
	if (ei.entry >= 4 * GiB)
		return load_fail(req, "entry point 0x%llx is above 4 GiB and cannot be entered in 32-bit mode",
				 (unsigned long long)ei.entry);
	if (elf_load(req, &ei, BOOTINFO_ADDR, BOOTINFO_END) ||
	    mb_write_info(req, ei.hi) ||
	    write_gdt(req, GDT32_ADDR, false, &limit))
		return -1;

	req->boot.mode = V3_BOOT_PROT32;
	req->boot.entry = ei.entry;
	req->boot.gdt_base = GDT32_ADDR;
	req->boot.gdt_limit = limit;
	req->boot.cs = 0x08;
	req->boot.ds = 0x10;
	req->boot.gpr[V3_RAX] = MB_BOOT_MAGIC;
	req->boot.gpr[V3_RBX] = MBI_ADDR;
	return 0;
}

const struct loader loader_multiboot = {
	.name = "multiboot",
	.probe = mb_probe,
	.load = mb_load,
};
