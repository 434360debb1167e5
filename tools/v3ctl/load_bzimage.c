// SPDX-License-Identifier: GPL-2.0
/*
 * Linux bzImage loader: the x86 boot protocol's 64-bit entry
 * (Documentation/arch/x86/boot.rst), without firmware.
 *
 * The protected-mode kernel (the file after the (setup_sects + 1) * 512
 * bytes of real-mode setup code, which is not used) is loaded at
 * pref_address; a zero page (struct boot_params) holds the setup header
 * from the file with the loader's fields filled in, the e820 memory map
 * and the ACPI RSDP address; ACPI tables describing the platform (see
 * acpi.h; with req->guest_numa also its NUMA topology, guest_numa.c) are
 * built in the BIOS area 0xe0000.  The kernel is entered at
 * its 64-bit entry point (load address + 0x200) in long mode with paging
 * on (identity map of [0, max(4 GiB, top of RAM))), CS = __BOOT_CS (0x10),
 * DS = ES = SS = __BOOT_DS (0x18) from a GDT in guest memory,
 * RSI = zero page, interrupts off.  Protocol 2.12 or later with
 * XLF_KERNEL_64 is required.  See loader.h for the memory layout.
 */
#include <string.h>

#include "acpi.h"
#include "loader.h"

#define PAGE_SIZE	4096ULL

struct bz_image {
	uint16_t version;
	unsigned int setup_sects;
	uint64_t pm_off, pm_len;	/* protected-mode kernel in the file */
	uint32_t hdr_end;		/* end of the setup header in the file */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	/* placement */
	uint64_t load, footprint;	/* kernel at [load, load + footprint) */
	uint64_t initrd;		/* 0: none */
};

static uint16_t get16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void put8(uint8_t *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static bool bz_probe(const uint8_t *img, size_t len)
{
	return len >= BP_HEADER + 4 && !memcmp(img + BP_HEADER, "HdrS", 4);
}

static int bz_parse(struct load_req *req, struct bz_image *bz)
{
	const uint8_t *img = req->kernel;
	size_t len = req->kernel_len;

	memset(bz, 0, sizeof(*bz));
	if (len < BP_VERSION + 2)
		return load_fail(req, "truncated bzImage header");
	bz->version = get16(img, BP_VERSION);
	if (bz->version < BZ_MIN_VERSION)
		return load_fail(req, "bzImage boot protocol %u.%02u is too old: 64-bit entry needs 2.12 or later",
				 bz->version >> 8, bz->version & 0xff);
	bz->hdr_end = BP_JUMP + 2 + img[BP_JUMP + 1];
	if (bz->hdr_end < BP_INIT_SIZE + 4 || bz->hdr_end > len)
		return load_fail(req, "bzImage setup header (ending at 0x%x) is %s",
				 bz->hdr_end,
				 bz->hdr_end > len ? "truncated" : "too short for its protocol version");
	if (bz->hdr_end > BP_HDR_MAX_END)
		bz->hdr_end = BP_HDR_MAX_END;
	if (get16(img, BP_BOOT_FLAG) != 0xaa55)
		return load_fail(req, "bzImage boot flag is 0x%04x, not 0xaa55",
				 get16(img, BP_BOOT_FLAG));

	bz->setup_sects = img[BP_SETUP_SECTS] ? img[BP_SETUP_SECTS] : 4;
	bz->pm_off = (bz->setup_sects + 1) * 512ULL;
	if (bz->pm_off >= len)
		return load_fail(req, "bzImage has no protected-mode kernel after its %u setup sectors",
				 bz->setup_sects);
	bz->pm_len = len - bz->pm_off;

	bz->loadflags = img[BP_LOADFLAGS];
	bz->xloadflags = get16(img, BP_XLOADFLAGS);
	bz->relocatable = img[BP_RELOCATABLE] != 0;
	bz->kernel_alignment = get32(img, BP_KERNEL_ALIGNMENT);
	bz->pref_address = get64(img, BP_PREF_ADDRESS);
	bz->init_size = get32(img, BP_INIT_SIZE);
	bz->initrd_addr_max = get32(img, BP_INITRD_ADDR_MAX);
	bz->cmdline_size = get32(img, BP_CMDLINE_SIZE);

	if (!(bz->loadflags & BZ_LOADED_HIGH))
		return load_fail(req, "zImage (not loaded high) kernels are not supported; use a bzImage");
	if (!(bz->xloadflags & BZ_XLF_KERNEL_64))
		return load_fail(req, "bzImage has no 64-bit entry point (xloadflags 0x%x): only x86-64 kernels are supported",
				 bz->xloadflags);
	if (bz->relocatable &&
	    (bz->kernel_alignment < PAGE_SIZE || bz->kernel_alignment > GiB ||
	     (bz->kernel_alignment & (bz->kernel_alignment - 1))))
		return load_fail(req, "bzImage kernel_alignment 0x%x is not a power of two between 4 KiB and 1 GiB",
				 bz->kernel_alignment);
	bz->footprint = bz->init_size > bz->pm_len ? bz->init_size : bz->pm_len;
	bz->footprint = (bz->footprint + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (req->cmdline && strlen(req->cmdline) > bz->cmdline_size)
		return load_fail(req, "command line too long for this kernel (%zu bytes, its cmdline_size is %u)",
				 strlen(req->cmdline), bz->cmdline_size);
	return 0;
}

/* Does the kernel fit at @addr, in low RAM above the boot area? */
static bool bz_fits(const struct guest_mem *gm, const struct bz_image *bz,
		    uint64_t addr)
{
	uint64_t low_end = gmem_low_end(gm);

	return addr >= 1 * MiB && addr < low_end &&
	       bz->footprint <= low_end - addr;
}

static int bz_place_kernel(struct load_req *req, struct bz_image *bz)
{
	uint64_t pref = bz->pref_address, alt;
	uint64_t align = bz->kernel_alignment;

	if (!bz->relocatable) {
		if (!bz_fits(req->mem, bz, pref))
			return load_fail(req, "non-relocatable bzImage must be loaded at 0x%llx, but [0x%llx, 0x%llx) is not in low guest RAM (0x%llx bytes)",
					 (unsigned long long)pref,
					 (unsigned long long)pref,
					 (unsigned long long)(pref + bz->footprint),
					 (unsigned long long)gmem_low_end(req->mem));
		bz->load = pref;
		return 0;
	}
	if (!(pref & (align - 1)) && bz_fits(req->mem, bz, pref)) {
		bz->load = pref;
		return 0;
	}
	alt = (BZ_DEFAULT_LOAD + align - 1) & ~(align - 1);
	if (bz_fits(req->mem, bz, alt)) {
		bz->load = alt;
		return 0;
	}
	alt = pref >= 1 * MiB && !(pref & (align - 1)) ? pref : alt;
	return load_fail(req, "bzImage needs more guest RAM: it is loaded at 0x%llx and uses 0x%llx bytes from there (init_size), so at least %llu MiB",
			 (unsigned long long)alt,
			 (unsigned long long)bz->footprint,
			 (unsigned long long)((alt + bz->footprint + MiB - 1) / MiB));
}

/*
 * The initrd goes page-aligned as high as possible below the kernel's
 * initrd_addr_max and the end of low RAM, above the kernel's init_size
 * area; failing that (a huge initrd), at 4 GiB if the kernel accepts an
 * initrd there and the VM has RAM above 4 GiB.
 */
static int bz_place_initrd(struct load_req *req, struct bz_image *bz)
{
	uint64_t low_end = gmem_low_end(req->mem);
	uint64_t len = req->initrd_len, limit, floor, start;

	if (!req->initrd || !len)
		return 0;
	limit = (uint64_t)bz->initrd_addr_max + 1;
	if (limit > low_end)
		limit = low_end;
	floor = bz->load + bz->footprint;
	if (len <= limit) {
		start = (limit - len) & ~(PAGE_SIZE - 1);
		if (start >= floor) {
			bz->initrd = start;
			return 0;
		}
	}
	if ((bz->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G) &&
	    gmem_range_ok(req->mem, V3_HIGH_RAM_BASE, len)) {
		bz->initrd = V3_HIGH_RAM_BASE;
		return 0;
	}
	return load_fail(req, "initrd (%zu bytes) does not fit in guest RAM between the kernel's end 0x%llx and 0x%llx",
			 req->initrd_len, (unsigned long long)floor,
			 (unsigned long long)limit);
}

static void e820_add(struct e820_entry *t, unsigned int *n, uint64_t addr,
		     uint64_t end, uint32_t type)
{
	if (end <= addr || *n >= BP_E820_MAX)
		return;
	t[*n].addr = addr;
	t[*n].size = end - addr;
	t[*n].type = type;
	(*n)++;
}

/*
 * The guest's memory map: conventional memory up to 0x9fc00, a 1 KiB
 * "EBDA" and the BIOS area 0xe0000-0xfffff (which holds the ACPI tables)
 * reserved, the rest of low RAM and the RAM above 4 GiB.  The legacy VGA
 * window and the MMIO hole are simply absent.
 */
static unsigned int bz_e820(const struct guest_mem *gm, struct e820_entry *t)
{
	unsigned int n = 0;

	e820_add(t, &n, 0, 0x9fc00, E820_RAM);
	e820_add(t, &n, 0x9fc00, 0xa0000, E820_RESERVED);
	e820_add(t, &n, 0xe0000, 1 * MiB, E820_RESERVED);
	e820_add(t, &n, 1 * MiB, gmem_low_end(gm), E820_RAM);
	e820_add(t, &n, V3_HIGH_RAM_BASE, gmem_high_end(gm), E820_RAM);
	return n;
}

/*
 * The ACPI tables, with SRAT and SLIT for req->guest_numa nodes whose RAM
 * is the RAM of the memory map @e820 (@n entries).
 */
static int bz_acpi(struct load_req *req, const struct e820_entry *e820,
		   unsigned int n, uint8_t *acpi, struct acpi_layout *lay)
{
	unsigned int vcpus = req->vcpus ? req->vcpus : 1;
	struct acpi_numa numa;

	/* load_kernel() checked req->guest_numa against vcpus and RAM */
	if (req->guest_numa &&
	    guest_numa_split(e820, n, req->mem->ram_bytes, req->guest_numa,
			     &numa))
		return load_fail(req, "internal error: cannot split guest RAM into %u NUMA nodes",
				 req->guest_numa);
	if (acpi_build(acpi, ACPI_AREA_SIZE, ACPI_BASE, vcpus,
		       req->guest_numa ? &numa : NULL, lay))
		return load_fail(req, "cannot build ACPI tables for %u vCPUs",
				 vcpus);
	return 0;
}

/* null, null, 0x10: flat 64-bit code, 0x18: flat data */
static int bz_write_gdt(struct load_req *req, uint32_t *limit)
{
	const uint64_t gdt[4] = {
		0,
		0,
		0x00af9b000000ffffULL,		/* __BOOT_CS */
		0x00cf93000000ffffULL,		/* __BOOT_DS */
	};

	*limit = sizeof(gdt) - 1;
	return gmem_write(req, BZ_GDT_ADDR, gdt, sizeof(gdt));
}

static int bz_load(struct load_req *req)
{
	static uint8_t zp[BP_SIZE];
	static uint8_t acpi[ACPI_AREA_SIZE];
	struct e820_entry e820[BP_E820_MAX];
	const char *cmdline = req->cmdline ? req->cmdline : "";
	struct acpi_layout lay;
	struct bz_image bz;
	unsigned int npd, n, i;
	uint64_t resv_hi;
	uint32_t limit;

	if (bz_parse(req, &bz) || bz_place_kernel(req, &bz) ||
	    bz_place_initrd(req, &bz))
		return -1;

	npd = ident_map_gib(req->mem);
	resv_hi = PD_ADDR + npd * PAGE_SIZE;
	if (resv_hi > PD_LIMIT)
		return load_fail(req, "guest RAM too large for the identity map");
	if (strlen(cmdline) >= BZ_CMDLINE_AREA)
		return load_fail(req, "command line too long (at most %llu bytes)",
				 (unsigned long long)BZ_CMDLINE_AREA - 1);
	n = bz_e820(req->mem, e820);
	if (bz_acpi(req, e820, n, acpi, &lay))
		return -1;

	/* zero page: the setup header from the file, then our fields */
	memset(zp, 0, sizeof(zp));
	memcpy(zp + BP_HDR, req->kernel + BP_HDR, bz.hdr_end - BP_HDR);
	put8(zp, BP_TYPE_OF_LOADER, BZ_LOADER_TYPE);
	put32(zp, BP_CODE32_START, (uint32_t)bz.load);
	put32(zp, BP_CMD_LINE_PTR, (uint32_t)BZ_CMDLINE_ADDR);
	put32(zp, BP_EXT_CMD_LINE_PTR, 0);
	put64(zp, BP_SETUP_DATA, 0);
	put32(zp, BP_RAMDISK_IMAGE, (uint32_t)bz.initrd);
	put32(zp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(bz.initrd >> 32));
	put32(zp, BP_RAMDISK_SIZE, bz.initrd ? (uint32_t)req->initrd_len : 0);
	put32(zp, BP_EXT_RAMDISK_SIZE,
	      bz.initrd ? (uint32_t)((uint64_t)req->initrd_len >> 32) : 0);
	put64(zp, BP_ACPI_RSDP_ADDR, ACPI_BASE + lay.rsdp);
	put8(zp, BP_E820_ENTRIES, n);
	for (i = 0; i < n; i++)
		memcpy(zp + BP_E820_TABLE + i * sizeof(e820[0]), &e820[i],
		       sizeof(e820[0]));

	if (gmem_write(req, bz.load, req->kernel + bz.pm_off, bz.pm_len) ||
	    (bz.initrd && gmem_write(req, bz.initrd, req->initrd,
				     req->initrd_len)) ||
	    /* real-mode IVT and BIOS data area: no EBDA, no base memory size */
	    gmem_zero(req, 0, PAGE_SIZE) ||
	    write_ident_map(req, npd) ||
	    bz_write_gdt(req, &limit) ||
	    gmem_zero(req, BZ_STACK_TOP - PAGE_SIZE, PAGE_SIZE) ||
	    gmem_write(req, BZ_ZERO_PAGE_ADDR, zp, sizeof(zp)) ||
	    gmem_write(req, BZ_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1) ||
	    gmem_write(req, ACPI_BASE, acpi, lay.size))
		return -1;

	req->kernel_lo = bz.load;
	req->kernel_hi = bz.load + bz.footprint;
	req->initrd_addr = bz.initrd;
	req->boot.mode = V3_BOOT_LONG64;
	req->boot.entry = bz.load + 0x200;
	req->boot.cr3 = PML4_ADDR;
	req->boot.gdt_base = BZ_GDT_ADDR;
	req->boot.gdt_limit = limit;
	req->boot.cs = BZ_BOOT_CS;
	req->boot.ds = BZ_BOOT_DS;
	req->boot.gpr[V3_RSI] = BZ_ZERO_PAGE_ADDR;
	req->boot.gpr[V3_RSP] = BZ_STACK_TOP;
	return 0;
}

const struct loader loader_bzimage = {
	.name = "bzimage",
	.probe = bz_probe,
	.load = bz_load,
	.acpi = true,
};
