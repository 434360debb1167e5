/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How GEARS' pure layers (ksyms.c, btf.c) read a guest kernel's memory:
 * one callback, by guest-virtual address.  In the module it walks the
 * guest's page tables (guest_va.c); in tests/unit it reads a vmlinux image
 * loaded at a chosen KASLR slide.  The pure layers never touch a vCPU.
 */
#ifndef V3_GEARS_GMEM_H
#define V3_GEARS_GMEM_H

#include <linux/types.h>

struct gears_vread {
	/* read len bytes at guest-virtual va: 0, or -EFAULT (not mapped) */
	int (*read)(void *ctx, u64 va, void *buf, u32 len);
	void *ctx;
};

static inline int gears_vread(const struct gears_vread *r, u64 va,
			      void *buf, u32 len)
{
	return r->read(r->ctx, va, buf, len);
}

#endif
