/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 structures (Multiboot Specification 0.6.96, §3.1 "OS image
 * format" for the header and §3.3 "Boot information format" for the info
 * block the boot loader hands over in EBX).
 */
#ifndef _GUEST_MULTIBOOT_H
#define _GUEST_MULTIBOOT_H

#define MB_HEADER_MAGIC		0x1BADB002
#define MB_BOOT_MAGIC		0x2BADB002

/* Header flags (§3.1.2) */
#define MB_HDR_PAGE_ALIGN	(1U << 0)	/* modules on 4 KiB boundaries */
#define MB_HDR_MEMORY_INFO	(1U << 1)	/* mem_* and mmap_* wanted */
#define MB_HDR_FLAGS		(MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO)

/* Info flags (§3.3) */
#define MB_INFO_MEMORY		(1U << 0)
#define MB_INFO_BOOTDEV		(1U << 1)
#define MB_INFO_CMDLINE		(1U << 2)
#define MB_INFO_MODS		(1U << 3)
#define MB_INFO_MMAP		(1U << 6)
#define MB_INFO_LOADER_NAME	(1U << 9)

#define MB_MMAP_RAM		1

#ifndef __ASSEMBLER__
#include <stdint.h>

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0 */
	uint32_t mem_upper;		/* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;		/* physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;		/* array of struct multiboot_module */
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;	/* physical address of a C string */
	uint32_t apm_table;
} __attribute__((packed));

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;		/* one past the last byte */
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));

/*
 * A memory map entry; "size" does not count itself, so the next entry is
 * at (char *)entry + size + 4 (§3.3).
 */
struct multiboot_mmap {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));

#endif
#endif
