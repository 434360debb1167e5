/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel image loaders.  They only know guest memory through a
 * struct guest_mem (an ioctl in v3ctl, a plain buffer in the unit tests),
 * validate everything they read from the file and never write outside
 * guest RAM.  A new format is one more file with a struct loader that is
 * added to the table in loader.c.
 *
 * Guest-physical layout (mirrors module/v3.h; not yet in the ABI header):
 * RAM occupies [0, min(mem, 3 GiB)) and, for VMs larger than 3 GiB, the
 * rest at [4 GiB, 4 GiB + mem - 3 GiB).  [3 GiB, 4 GiB) is the MMIO hole.
 *
 * Low memory used by the loaders:
 *
 *   0x1000  PML4                                  (ELF64 only)
 *   0x2000  PDPT                                  (ELF64 only)
 *   0x3000  GDT: 0x08 64-bit code, 0x10 data       (ELF64 only)
 *   0x9000  boot information area, up to 0xffff   (both)
 *     0x9000  struct multiboot_info
 *     0x9080  GDT: 0x08 32-bit code, 0x10 data     (Multiboot only)
 *     0x90a0  memory map (up to 4 entries)
 *     0x9100  module list (one entry: the initrd)
 *     0x9110  boot loader name "v3vmm"
 *     0x9120  module string "initrd"
 *     0x9200  command line, NUL-terminated
 *   0x10000 page directories, one per GiB of the identity map  (ELF64 only)
 *
 * Kernel segments may not overlap the part of this a loader uses.
 *
 * Linux bzImage (load_bzimage.c) uses instead:
 *
 *   0x1000  PML4, 0x2000 PDPT, 0x10000 page directories: as for ELF64
 *   0x3000  GDT: 0x10 64-bit code (__BOOT_CS), 0x18 data (__BOOT_DS)
 *   0x4000  boot stack, up to 0x7000 (RSP = 0x7000)
 *   0x7000  zero page (struct boot_params), RSI at entry
 *   0x8000  command line, NUL-terminated (at most 4 KiB)
 *   0xe0000 ACPI tables (RSDP first), in the e820-reserved 0xe0000-0xfffff
 *   pref_address (16 MiB for x86-64): the protected-mode kernel, followed
 *           by init_size bytes the kernel decompresses into
 *   initrd: page-aligned, as high as possible below
 *           min(initrd_addr_max + 1, end of low RAM) and above the kernel's
 *           load address + init_size (else above 4 GiB if the kernel allows)
 */
#ifndef V3CTL_LOADER_H
#define V3CTL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "v3vmm.h"
#include "acpi.h"

#ifndef V3_LOW_RAM_LIMIT
#define V3_LOW_RAM_LIMIT	(3ULL << 30)
#endif
#ifndef V3_HIGH_RAM_BASE
#define V3_HIGH_RAM_BASE	(4ULL << 30)
#endif

#define KiB			1024ULL
#define MiB			(1024ULL * KiB)
#define GiB			(1024ULL * MiB)

#define PML4_ADDR		0x1000ULL
#define PDPT_ADDR		0x2000ULL
#define GDT64_ADDR		0x3000ULL
#define BOOTINFO_ADDR		0x9000ULL
#define MBI_ADDR		0x9000ULL
#define GDT32_ADDR		0x9080ULL
#define MMAP_ADDR		0x90a0ULL
#define MMAP_MAX		4
#define MODS_ADDR		0x9100ULL
#define LOADER_NAME_ADDR	0x9110ULL
#define MOD_STRING_ADDR		0x9120ULL
#define CMDLINE_ADDR		0x9200ULL
#define BOOTINFO_END		0x10000ULL
#define PD_ADDR			0x10000ULL
#define PD_LIMIT		0xa0000ULL	/* page directories end below */
#define CMDLINE_MAX		(BOOTINFO_END - CMDLINE_ADDR - 1)

/* Linux bzImage */
#define BZ_GDT_ADDR		0x3000ULL
#define BZ_STACK_TOP		0x7000ULL
#define BZ_ZERO_PAGE_ADDR	0x7000ULL
#define BZ_CMDLINE_ADDR		0x8000ULL
#define BZ_CMDLINE_AREA		0x1000ULL
#define ACPI_BASE		0xe0000ULL
#define BZ_BOOT_CS		0x10
#define BZ_BOOT_DS		0x18

/* x86 boot protocol (Documentation/arch/x86/boot.rst, zero-page.rst) */
#define BP_ACPI_RSDP_ADDR	0x070	/* u64, protocol 2.14+ */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_SETUP_SECTS		0x1f1
#define BP_SYSSIZE		0x1f4
#define BP_BOOT_FLAG		0x1fe	/* 0xaa55 */
#define BP_JUMP			0x200
#define BP_HEADER		0x202	/* "HdrS" */
#define BP_VERSION		0x206
#define BP_TYPE_OF_LOADER	0x210
#define BP_LOADFLAGS		0x211
#define BP_CODE32_START		0x214
#define BP_RAMDISK_IMAGE	0x218
#define BP_RAMDISK_SIZE		0x21c
#define BP_HEAP_END_PTR		0x224
#define BP_CMD_LINE_PTR		0x228
#define BP_INITRD_ADDR_MAX	0x22c
#define BP_KERNEL_ALIGNMENT	0x230
#define BP_RELOCATABLE		0x234
#define BP_XLOADFLAGS		0x236
#define BP_CMDLINE_SIZE		0x238
#define BP_SETUP_DATA		0x250
#define BP_PREF_ADDRESS		0x258
#define BP_INIT_SIZE		0x260
#define BP_HDR_MAX_END		0x290	/* setup_header ends before this */
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

#define BZ_LOADED_HIGH		(1U << 0)	/* loadflags */
#define BZ_XLF_KERNEL_64	(1U << 0)	/* xloadflags */
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G	(1U << 1)
#define BZ_MIN_VERSION		0x020c	/* 2.12: xloadflags, 64-bit entry */
#define BZ_LOADER_TYPE		0xff	/* undefined boot loader */
#define BZ_DEFAULT_LOAD		(16 * MiB)	/* LOAD_PHYSICAL_ADDR */

#define E820_RAM		1
#define E820_RESERVED		2
#define E820_ACPI		3

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define LOADER_NAME		"v3vmm"
#define MOD_STRING		"initrd"

/* Multiboot v1 (spec 0.6.96) */
#define MB_HEADER_MAGIC		0x1BADB002U
#define MB_BOOT_MAGIC		0x2BADB002U
#define MB_SEARCH_LEN		8192
#define MB_HF_PAGE_ALIGN	(1U << 0)
#define MB_HF_MEMORY_INFO	(1U << 1)
#define MB_HF_VIDEO_MODE	(1U << 2)
#define MB_HF_AOUT_KLUDGE	(1U << 16)

#define MB_INFO_MEMORY		(1U << 0)
#define MB_INFO_CMDLINE		(1U << 2)
#define MB_INFO_MODS		(1U << 3)
#define MB_INFO_MMAP		(1U << 6)
#define MB_INFO_LOADER_NAME	(1U << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
} __attribute__((packed));

struct mb_mod {
	uint32_t mod_start;
	uint32_t mod_end;	/* exclusive */
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size;		/* 20: bytes that follow this field */
	uint64_t addr;
	uint64_t len;
	uint32_t type;		/* 1: available RAM, 2: reserved */
} __attribute__((packed));

/* Where the loaders write: ops->write returns 0 or -errno. */
struct guest_mem_ops {
	int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
};

struct guest_mem {
	const struct guest_mem_ops *ops;
	void *ctx;
	uint64_t ram_bytes;	/* as given to V3_IOC_CREATE */
};

#define LOAD_ERR_MAX	256

struct load_req {
	/* in */
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* NULL: empty */
	unsigned int vcpus;		/* for the ACPI tables; 0 means 1 */
	unsigned int guest_numa;	/* guest NUMA nodes (SRAT, SLIT); 0: none */
	struct guest_mem *mem;
	/* out */
	struct v3_boot boot;		/* everything but the name */
	const char *format;		/* name of the loader used */
	uint64_t kernel_lo, kernel_hi;	/* loaded range */
	uint64_t initrd_addr;		/* 0: none */
	char err[LOAD_ERR_MAX];		/* why load_kernel() failed */
	bool usage;			/* ... because of the request's options */
};

struct loader {
	const char *name;
	/* true if this loader is responsible for the image */
	bool (*probe)(const uint8_t *img, size_t len);
	int (*load)(struct load_req *req);	/* 0 or -1 with req->err */
	bool acpi;	/* builds ACPI tables, so can do req->guest_numa */
};

extern const struct loader loader_bzimage;
extern const struct loader loader_multiboot;
extern const struct loader loader_elf64;

/* loader.c */
int load_kernel(struct load_req *req);
int load_fail(struct load_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t gmem_low_end(const struct guest_mem *gm);
uint64_t gmem_high_end(const struct guest_mem *gm);
bool gmem_range_ok(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
int gmem_write(struct load_req *req, uint64_t gpa, const void *buf,
	       uint64_t len);
int gmem_zero(struct load_req *req, uint64_t gpa, uint64_t len);
bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

/* guest_numa.c: --guest-numa (see there and acpi.h) */
#define GUEST_NUMA_MAX_NODES	ACPI_NUMA_MAX_NODES
#define GUEST_NUMA_MIN_NODE_MEM	(4 * MiB)

int guest_numa_check(unsigned int nodes, unsigned int vcpus, uint64_t mem,
		     char *why, size_t len);
int guest_numa_split(const struct e820_entry *map, unsigned int n,
		     uint64_t ram, unsigned int nodes, struct acpi_numa *numa);

/* load_elf.c: ELF parsing shared by the ELF64 and Multiboot loaders */
#define ELF_MAX_SEGS	32

struct elf_seg {
	unsigned int index;	/* program header number, for messages */
	uint64_t paddr, vaddr, offset, filesz, memsz;
};

struct elf_image {
	bool is64;
	uint16_t machine;
	uint64_t entry;		/* physical entry point */
	unsigned int nseg;
	struct elf_seg seg[ELF_MAX_SEGS];
	uint64_t lo, hi;	/* lowest paddr, highest paddr + memsz */
};

bool elf_probe_magic(const uint8_t *img, size_t len);
int elf_parse(struct load_req *req, struct elf_image *ei);
int elf_load(struct load_req *req, const struct elf_image *ei,
	     uint64_t resv_lo, uint64_t resv_hi);
unsigned int ident_map_gib(const struct guest_mem *gm);
int write_ident_map(struct load_req *req, unsigned int npd);

/* load_multiboot.c: boot information, also used by the ELF64 loader */
long mb_find_header(const uint8_t *img, size_t len, bool *bad_checksum);
int mb_write_info(struct load_req *req, uint64_t kernel_hi);
int write_gdt(struct load_req *req, uint64_t addr, bool long_mode,
	      uint32_t *limit);

#endif /* V3CTL_LOADER_H */
