/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest kernel's memory for GEARS' unit tests (fakeguest.c): a Debian
 * vmlinux (tests/unit/vmlinux.sh extracts it from the vmlinuz: the ELF and
 * the KASLR relocation table behind it) loaded as the kernel's own boot
 * code would, at a chosen slide, and read through struct gears_vread.
 * Plus the kernel's System.map, the truth the tests compare with.
 */
#ifndef _V3_FAKEGUEST_H
#define _V3_FAKEGUEST_H

#include <linux/types.h>
#include "gears/gmem.h"

struct fakeguest {
	u64 base, size;		/* [base, base + size): the loaded image */
	u8 *mem;
	u8 *mapped;		/* one byte per 4 KiB page */
	u64 slide;
	u32 relocs;		/* relocations applied */
	u64 reads;		/* gears_vread calls */
};

/* 0, or -errno with a message on stderr */
int fakeguest_load(struct fakeguest *g, const char *vmlinux, u64 slide);
void fakeguest_unload(struct fakeguest *g);
int fakeguest_read(void *ctx, u64 va, void *buf, u32 len);
/* the loaded bytes at va (len of them mapped), or NULL */
void *fakeguest_ptr(struct fakeguest *g, u64 va, u32 len);

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
 * vmlinux-KVER whose System.map is in kcache/KVER/usr/lib/debug/boot.
 */
struct gears_kernel {
	char kver[64];
	char vmlinux[512];
	char sysmap[512];
};
/* the kernel whose version starts with prefix ("6.1.", "6.12."): 0 or -ENOENT */
int gears_kernel_find(const char *prefix, struct gears_kernel *k);

#endif
