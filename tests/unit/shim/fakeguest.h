/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest kernel's memory for GEARS' unit tests (fakeguest.c): a Debian
 * vmlinux (tests/unit/vmlinux.sh extracts it from the vmlinuz: the ELF and
 * the KASLR relocation table behind it) loaded as the kernel's own boot
 * code would, at a chosen slide, and read through struct gears_vread.
 * What the tests compare with comes from the same image (its section
 * headers, its export tables, entry_SYSCALL_64 found by its code) and,
 * when tests/harness/fetch-kernels.sh was run with V3_GEARS_MAPS=1, from
 * the kernel's real System.map.
 */
#ifndef _V3_FAKEGUEST_H
#define _V3_FAKEGUEST_H

#include <linux/types.h>
#include "gears/gmem.h"

/* an allocated ELF section: its run-time address (moved by the slide) */
struct fakeguest_sec {
	char name[48];
	u64 addr, size;
};

struct fakeguest {
	u64 base, size;		/* [base, base + size): the loaded image */
	u8 *mem;
	u8 *mapped;		/* one byte per 4 KiB page */
	u64 slide;
	u32 relocs;		/* relocations applied */
	u64 reads;		/* gears_vread calls */
	struct fakeguest_sec *sec;
	u32 nsec;
	u64 percpu_load;	/* where the per-cpu segment (vaddr 0) is loaded */
};

/* 0, or -errno with a message on stderr */
int fakeguest_load(struct fakeguest *g, const char *vmlinux, u64 slide);
void fakeguest_unload(struct fakeguest *g);
int fakeguest_read(void *ctx, u64 va, void *buf, u32 len);
/* the loaded bytes at va (len of them mapped), or NULL */
void *fakeguest_ptr(struct fakeguest *g, u64 va, u32 len);

/* the section of that name, or NULL (a per-cpu section's addr is 0) */
const struct fakeguest_sec *fakeguest_section(const struct fakeguest *g,
					      const char *name);
/*
 * entry_SYSCALL_64 (what the kernel writes to MSR_LSTAR) found by its
 * code in .text, independently of any symbol table: 0 unless exactly one
 * place matches.
 */
u64 fakeguest_lstar(struct fakeguest *g);

static inline struct gears_vread fakeguest_vread(struct fakeguest *g)
{
	return (struct gears_vread){ .read = fakeguest_read, .ctx = g };
}

struct sysmap_sym {
	u64 addr;
	char type;
	char *name;
};
struct sysmap {
	struct sysmap_sym *sym;
	u32 n;
};
int sysmap_load(struct sysmap *m, const char *path);
void sysmap_free(struct sysmap *m);
/* the first symbol of that name, or NULL */
const struct sysmap_sym *sysmap_find(const struct sysmap *m, const char *name);

/*
 * The kernels the tests can use: vmlinux images under imgdir named
 * vmlinux-KVER.  sysmap is kcache/KVER/usr/lib/debug/boot/System.map-KVER
 * when that file exists (fetch-kernels.sh with V3_GEARS_MAPS=1) and the
 * environment does not set V3_GEARS_NO_MAPS=1; "" otherwise.
 */
struct gears_kernel {
	char kver[64];
	char vmlinux[512];
	char sysmap[512];
};
/* the kernel whose version starts with prefix ("6.1.", "6.12."): 0 or -ENOENT */
int gears_kernel_find(const char *prefix, struct gears_kernel *k);

#endif
