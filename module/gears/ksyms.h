/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest kernel's symbols without a profile (ksyms.c): from the syscall
 * entry point in the guest's MSR_LSTAR, find the kernel image, its KASLR
 * slide and its kallsyms tables in guest memory, and answer name -> address
 * and address -> name.  Pure code over struct gears_vread, unit-tested in
 * tests/unit/test_gears_ksyms.c against the Debian kernels' own images.
 */
#ifndef V3_GEARS_KSYMS_H
#define V3_GEARS_KSYMS_H

#include <linux/types.h>
#include "gmem.h"

/* the unrandomized x86-64 kernel text address (__START_KERNEL_map + 16 MiB) */
#define GEARS_KERNEL_TEXT_DEFAULT 0xffffffff81000000ULL

struct gears_ksyms;

/*
 * Find the kernel whose syscall entry (entry_SYSCALL_64) is at lstar.
 * 0 and *out set; -ENOENT when no kernel image or no kallsyms tables are
 * found; -ENOMEM.  The result holds a copy of what it needs (no further
 * guest reads): free it with gears_ksyms_free().
 */
int gears_ksyms_find(const struct gears_vread *r, u64 lstar,
		     struct gears_ksyms **out);
void gears_ksyms_free(struct gears_ksyms *k);

/* _text's run-time address, and its offset from GEARS_KERNEL_TEXT_DEFAULT */
u64 gears_ksyms_text(const struct gears_ksyms *k);
s64 gears_ksyms_slide(const struct gears_ksyms *k);
u32 gears_ksyms_count(const struct gears_ksyms *k);

/* a symbol's run-time address, 0 when there is none of that name */
u64 gears_ksyms_lookup(const struct gears_ksyms *k, const char *name);

/*
 * The symbol at or below addr: copies its name (NUL-terminated, cut to
 * len) and returns 0 with *offset = addr - symbol; -ENOENT below the first.
 */
int gears_ksyms_name(const struct gears_ksyms *k, u64 addr, char *name,
		     u32 len, u64 *offset);

#endif
