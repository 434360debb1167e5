// SPDX-License-Identifier: GPL-2.0
/*
 * ELF parsing shared by the loaders, and the ELF64 (x86-64) loader.
 *
 * An x86-64 ELF64 executable without a Multiboot header is entered in
 * 64-bit long mode at e_entry with paging on: guest-physical memory is
 * identity-mapped with 2 MiB pages over [0, max(4 GiB, top of RAM)), the
 * GDT has a 64-bit code descriptor at 0x08 and a data descriptor at 0x10.
 * v3vmm convention for ELF64 kernels: RAX holds the Multiboot boot magic
 * 0x2BADB002 and RBX the address of a Multiboot information structure
 * (memory size and map, command line, initrd as module 0), exactly as for
 * Multiboot kernels.  RSP is 0: the kernel sets up its own stack.
 * See loader.h for the memory layout.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PAGE_SIZE	4096ULL

bool elf_probe_magic(const uint8_t *img, size_t len)
{
	return len >= EI_NIDENT && !memcmp(img, ELFMAG, SELFMAG);
}

static void elf_read_phdr(const uint8_t *img, uint64_t off, bool is64,
			  uint32_t *type, struct elf_seg *s, uint64_t *align)
{
	if (is64) {
		Elf64_Phdr ph;

		memcpy(&ph, img + off, sizeof(ph));
		*type = ph.p_type;
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->paddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		*align = ph.p_align;
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, img + off, sizeof(ph));
		*type = ph.p_type;
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->paddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		*align = ph.p_align;
	}
}

static int elf_check_seg(struct load_req *req, const struct elf_seg *s,
			 uint64_t align, bool is64)
{
	unsigned int i = s->index;

	if (s->filesz > s->memsz)
		return load_fail(req, "segment %u: file size 0x%llx exceeds memory size 0x%llx",
				 i, (unsigned long long)s->filesz,
				 (unsigned long long)s->memsz);
	if (s->offset > req->kernel_len ||
	    s->filesz > req->kernel_len - s->offset)
		return load_fail(req, "segment %u: file data [0x%llx, +0x%llx) extends past the end of the file (0x%zx bytes)",
				 i, (unsigned long long)s->offset,
				 (unsigned long long)s->filesz, req->kernel_len);
	if (s->paddr + s->memsz < s->paddr || s->vaddr + s->memsz < s->vaddr ||
	    (!is64 && s->paddr + s->memsz > (1ULL << 32)))
		return load_fail(req, "segment %u: address 0x%llx + size 0x%llx overflows",
				 i, (unsigned long long)s->paddr,
				 (unsigned long long)s->memsz);
	if (align > 1) {
		if (align & (align - 1))
			return load_fail(req, "segment %u: alignment 0x%llx is not a power of two",
					 i, (unsigned long long)align);
		if ((s->vaddr - s->offset) & (align - 1))
			return load_fail(req, "segment %u: address 0x%llx and file offset 0x%llx disagree modulo the alignment 0x%llx",
					 i, (unsigned long long)s->vaddr,
					 (unsigned long long)s->offset,
					 (unsigned long long)align);
	}
	return 0;
}

/*
 * Validate the ELF header and program headers of req->kernel and collect
 * its loadable segments and physical entry point.  Nothing is written.
 */
int elf_parse(struct load_req *req, struct elf_image *ei)
{
	const uint8_t *img = req->kernel;
	size_t len = req->kernel_len;
	uint16_t type, phnum, phentsize, want_machine;
	uint32_t version;
	uint64_t phoff, entry;
	unsigned int i, j;
	size_t want_phent;

	memset(ei, 0, sizeof(*ei));
	if (!elf_probe_magic(img, len))
		return load_fail(req, "not an ELF file");
	if (img[EI_DATA] != ELFDATA2LSB)
		return load_fail(req, "ELF file is not little-endian");
	if (img[EI_VERSION] != EV_CURRENT)
		return load_fail(req, "unknown ELF version %u", img[EI_VERSION]);

	if (img[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return load_fail(req, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		ei->is64 = true;
		type = eh.e_type;
		ei->machine = eh.e_machine;
		version = eh.e_version;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		want_phent = sizeof(Elf64_Phdr);
		want_machine = EM_X86_64;
	} else if (img[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return load_fail(req, "truncated ELF header");
		memcpy(&eh, img, sizeof(eh));
		type = eh.e_type;
		ei->machine = eh.e_machine;
		version = eh.e_version;
		entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		want_phent = sizeof(Elf32_Phdr);
		want_machine = EM_386;
	} else {
		return load_fail(req, "unknown ELF class %u", img[EI_CLASS]);
	}

	if (version != EV_CURRENT)
		return load_fail(req, "unknown ELF version %u", version);
	if (type != ET_EXEC)
		return load_fail(req, "ELF file is not an executable (type %u)",
				 type);
	if (ei->machine != want_machine)
		return load_fail(req, "ELF%d file is for machine %u, not %s",
				 ei->is64 ? 64 : 32, ei->machine,
				 ei->is64 ? "x86-64" : "i386");
	if (!phnum)
		return load_fail(req, "ELF file has no program headers");
	if (phnum == PN_XNUM)
		return load_fail(req, "too many ELF program headers");
	if (phentsize != want_phent)
		return load_fail(req, "bad ELF program header size %u", phentsize);
	if (phoff > len || (len - phoff) / phentsize < phnum)
		return load_fail(req, "ELF program headers [0x%llx, +%u * %u) extend past the end of the file",
				 (unsigned long long)phoff, phnum, phentsize);

	for (i = 0; i < phnum; i++) {
		struct elf_seg s = { .index = i };
		uint64_t align;
		uint32_t ptype;

		elf_read_phdr(img, phoff + (uint64_t)i * phentsize, ei->is64,
			      &ptype, &s, &align);
		if (ptype != PT_LOAD || !s.memsz)
			continue;
		if (elf_check_seg(req, &s, align, ei->is64))
			return -1;
		if (ei->nseg == ELF_MAX_SEGS)
			return load_fail(req, "more than %d loadable segments",
					 ELF_MAX_SEGS);
		for (j = 0; j < ei->nseg; j++) {
			const struct elf_seg *o = &ei->seg[j];

			if (ranges_overlap(s.paddr, s.memsz, o->paddr, o->memsz))
				return load_fail(req, "segments %u and %u overlap in physical memory",
						 o->index, i);
		}
		if (!ei->nseg || s.paddr < ei->lo)
			ei->lo = s.paddr;
		if (s.paddr + s.memsz > ei->hi)
			ei->hi = s.paddr + s.memsz;
		ei->seg[ei->nseg++] = s;
	}
	if (!ei->nseg)
		return load_fail(req, "ELF file has no loadable segments");

	/* e_entry is virtual: translate it like GRUB does. */
	ei->entry = entry;
	for (i = 0; i < ei->nseg; i++) {
		const struct elf_seg *s = &ei->seg[i];

		if (entry >= s->vaddr && entry - s->vaddr < s->memsz) {
			ei->entry = s->paddr + (entry - s->vaddr);
			return 0;
		}
	}
	return load_fail(req, "entry point 0x%llx is not inside a loadable segment",
			 (unsigned long long)entry);
}

static void describe_ram(const struct guest_mem *gm, char *buf, size_t len)
{
	uint64_t high_end = gmem_high_end(gm);

	if (high_end)
		snprintf(buf, len, "RAM is [0, 0x%llx) and [0x%llx, 0x%llx)",
			 (unsigned long long)gmem_low_end(gm),
			 (unsigned long long)V3_HIGH_RAM_BASE,
			 (unsigned long long)high_end);
	else
		snprintf(buf, len, "RAM is [0, 0x%llx)",
			 (unsigned long long)gmem_low_end(gm));
}

/*
 * Check every segment against guest RAM and the loader's reserved range
 * [resv_lo, resv_hi), then copy them in and clear their bss.
 */
int elf_load(struct load_req *req, const struct elf_image *ei,
	     uint64_t resv_lo, uint64_t resv_hi)
{
	unsigned int i;
	char ram[96];

	for (i = 0; i < ei->nseg; i++) {
		const struct elf_seg *s = &ei->seg[i];

		if (!gmem_range_ok(req->mem, s->paddr, s->memsz)) {
			describe_ram(req->mem, ram, sizeof(ram));
			return load_fail(req, "segment %u: [0x%llx, 0x%llx) is outside guest RAM (%s)",
					 s->index, (unsigned long long)s->paddr,
					 (unsigned long long)(s->paddr + s->memsz),
					 ram);
		}
		if (ranges_overlap(s->paddr, s->memsz, resv_lo,
				   resv_hi - resv_lo))
			return load_fail(req, "segment %u: [0x%llx, 0x%llx) overlaps the boot area [0x%llx, 0x%llx) used by the loader",
					 s->index, (unsigned long long)s->paddr,
					 (unsigned long long)(s->paddr + s->memsz),
					 (unsigned long long)resv_lo,
					 (unsigned long long)resv_hi);
	}
	for (i = 0; i < ei->nseg; i++) {
		const struct elf_seg *s = &ei->seg[i];

		if (gmem_write(req, s->paddr, req->kernel + s->offset,
			       s->filesz) ||
		    gmem_zero(req, s->paddr + s->filesz, s->memsz - s->filesz))
			return -1;
	}
	req->kernel_lo = ei->lo;
	req->kernel_hi = ei->hi;
	return 0;
}

static bool elf64_probe(const uint8_t *img, size_t len)
{
	uint16_t machine;

	if (!elf_probe_magic(img, len) || len < sizeof(Elf64_Ehdr) ||
	    img[EI_CLASS] != ELFCLASS64)
		return false;
	memcpy(&machine, img + offsetof(Elf64_Ehdr, e_machine),
	       sizeof(machine));
	return machine == EM_X86_64;
}

/* GiB to identity-map: [0, max(4 GiB, top of RAM)) */
unsigned int ident_map_gib(const struct guest_mem *gm)
{
	uint64_t top = gmem_high_end(gm);

	if (top < 4 * GiB)
		top = 4 * GiB;
	return (top + GiB - 1) / GiB;
}

/* Identity map [0, npd GiB) with 2 MiB pages; see loader.h. */
int write_ident_map(struct load_req *req, unsigned int npd)
{
	static uint64_t table[512];
	uint64_t i, j;

	memset(table, 0, sizeof(table));
	table[0] = PDPT_ADDR | PTE_P | PTE_RW;
	if (gmem_write(req, PML4_ADDR, table, sizeof(table)))
		return -1;

	memset(table, 0, sizeof(table));
	for (i = 0; i < npd; i++)
		table[i] = (PD_ADDR + i * PAGE_SIZE) | PTE_P | PTE_RW;
	if (gmem_write(req, PDPT_ADDR, table, sizeof(table)))
		return -1;

	for (i = 0; i < npd; i++) {
		for (j = 0; j < 512; j++)
			table[j] = (i << 30 | j << 21) | PTE_P | PTE_RW | PTE_PS;
		if (gmem_write(req, PD_ADDR + i * PAGE_SIZE, table,
			       sizeof(table)))
			return -1;
	}
	return 0;
}

static int elf64_load(struct load_req *req)
{
	struct elf_image ei;
	uint64_t resv_hi;
	unsigned int npd;
	uint32_t limit;

	if (elf_parse(req, &ei))
		return -1;

	npd = ident_map_gib(req->mem);
	resv_hi = PD_ADDR + npd * PAGE_SIZE;
	if (resv_hi > PD_LIMIT)
		return load_fail(req, "guest RAM too large for the ELF64 identity map");
	if (!gmem_range_ok(req->mem, 0, resv_hi))
		return load_fail(req, "guest RAM too small for the ELF64 boot area (0x%llx bytes)",
				 (unsigned long long)resv_hi);

	if (elf_load(req, &ei, PML4_ADDR, resv_hi) ||
	    write_ident_map(req, npd) ||
	    write_gdt(req, GDT64_ADDR, true, &limit) ||
	    mb_write_info(req, ei.hi))
		return -1;

	req->boot.mode = V3_BOOT_LONG64;
	req->boot.entry = ei.entry;
	req->boot.cr3 = PML4_ADDR;
	req->boot.gdt_base = GDT64_ADDR;
	req->boot.gdt_limit = limit;
	req->boot.cs = 0x08;
	req->boot.ds = 0x10;
	req->boot.gpr[V3_RAX] = MB_BOOT_MAGIC;
	req->boot.gpr[V3_RBX] = MBI_ADDR;
	req->boot.gpr[V3_RSP] = 0;
	return 0;
}

const struct loader loader_elf64 = {
	.name = "elf64",
	.probe = elf64_probe,
	.load = elf64_load,
};
