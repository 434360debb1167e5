/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structure layouts from the guest kernel's own BTF (btf.c): the .BTF
 * section between __start_BTF and __stop_BTF, read from guest memory.
 * Pure code, unit-tested in tests/unit/test_gears_btf.c against the
 * Debian kernels' images.
 */
#ifndef V3_GEARS_BTF_H
#define V3_GEARS_BTF_H

#include <linux/types.h>

struct gears_btf;

/* the largest blob parsed (Debian 6.12's vmlinux BTF: 5 MiB) */
#define GEARS_BTF_MAX		(64U << 20)

/*
 * Parse a copy of a raw BTF blob: 0, -EINVAL (not BTF, malformed, or
 * longer than GEARS_BTF_MAX), -ENOMEM.  Keeps the copy and 4 bytes a type.
 */
int gears_btf_parse(const void *data, u32 len, struct gears_btf **out);
void gears_btf_free(struct gears_btf *b);

/* sizeof(struct NAME): 0, or -ENOENT */
int gears_btf_struct_size(const struct gears_btf *b, const char *name,
			  u32 *size);

/*
 * The byte offset and size of a member of struct NAME, looking through
 * anonymous structs and unions; member may be a dotted path ("thread.sp").
 * 0, -ENOENT (no such struct or member), -EINVAL (a bitfield, or a
 * search past 2^20 members: anonymous members that contain themselves).
 * The struct is the first STRUCT of that name (a UNION if there is none);
 * a linear search over the types (~1 ms for 130000).  A pointer's size
 * is 8 (x86-64).
 */
int gears_btf_member(const struct gears_btf *b, const char *name,
		     const char *member, u32 *offset, u32 *size);

/*
 * The value of the enumerator NAME (of any enum, named or not, as pahole
 * keeps the kernel's anonymous enums of flags): 0, or -ENOENT.
 */
int gears_btf_enum(const struct gears_btf *b, const char *name, s64 *val);

#endif
