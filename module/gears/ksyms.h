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
 * Bounds of gears_ksyms_find (ksyms.c explains the search):
 * SCAN_MAX    bytes searched for the token table, from LSTAR upwards
 *             (Debian's tables are 6-8 MiB above it);
 * MAX_SYMS    symbols (Debian 6.12: 162000) and MAX_NAMES bytes of
 *             compressed names (6.12: 2.2 MiB): tables found beyond them
 *             give -E2BIG (in the 6.1-6.6 layout, with seqs_of_names
 *             before the token table, they are not found: -ENOENT).
 *             What is kept is about 36 bytes a symbol.
 */
#define GEARS_KSYMS_SCAN_MAX	(256ULL << 20)
#ifndef GEARS_KSYMS_MAX_SYMS	/* tests/unit/test_gears_bounds.c lowers it */
#define GEARS_KSYMS_MAX_SYMS	(1U << 20)
#endif
#define GEARS_KSYMS_MAX_NAMES	(32U << 20)
/* token tables tried before giving up: a guest's decoys cost at most these */
#define GEARS_KSYMS_MAX_TABLES	16

/*
 * Find the kernel whose syscall entry (entry_SYSCALL_64) is at lstar.
 * 0 and *out set; -ENOENT when no kernel image or no kallsyms tables are
 * found; -E2BIG when the tables exceed the bounds above; -ENOMEM.
 * The result holds a copy of what it needs (no further guest reads):
 * free it with gears_ksyms_free().  Sleeps: process context only.
 */
int gears_ksyms_find(const struct gears_vread *r, u64 lstar,
		     struct gears_ksyms **out);
void gears_ksyms_free(struct gears_ksyms *k);

/* _text's run-time address, and its offset from GEARS_KERNEL_TEXT_DEFAULT */
u64 gears_ksyms_text(const struct gears_ksyms *k);
s64 gears_ksyms_slide(const struct gears_ksyms *k);
u32 gears_ksyms_count(const struct gears_ksyms *k);

/*
 * A symbol's run-time address, 0 when there is none of that name (the
 * first, lowest, of several; a per-cpu symbol's is its offset in the
 * per-cpu area, and may be 0 itself).  A hash lookup: about 1 us.
 */
u64 gears_ksyms_lookup(const struct gears_ksyms *k, const char *name);

/*
 * The symbol at or below addr: copies its name (NUL-terminated, cut to
 * len) and returns 0 with *offset = addr - symbol; -ENOENT below the first.
 * Of several symbols at one address, the first (as kernel/kallsyms.c).
 * A binary search.
 */
int gears_ksyms_name(const struct gears_ksyms *k, u64 addr, char *name,
		     u32 len, u64 *offset);

/*
 * Symbol i (0 <= i < count, in address order): its name (cut to len, as
 * above), type character ('T', 'd', ... as in /proc/kallsyms) and address.
 * 0, or -ENOENT past the last.
 */
int gears_ksyms_get(const struct gears_ksyms *k, u32 i, char *name, u32 len,
		    char *type, u64 *addr);

#endif
