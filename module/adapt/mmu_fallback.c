// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY: weak stand-ins for core's MMU calls (module/mmu/mmu.h) so the
 * adaptive paging service builds and runs before core's mmu.c is merged.
 * They describe a VM that has nested paging only: the mode is nested, the
 * statistics are zero, and a switch to shadow is refused with -EOPNOTSUPP
 * (never pretended).  A real definition anywhere in the module replaces
 * each one at link time; paging.c compares v3_mmu_set_mode against the
 * stand-in to know whether switching exists.  Delete this file (and its
 * Kbuild line) once core's mmu.c defines all four.
 */
#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/errno.h>
#include "v3.h"
#include "mmu/mmu.h"

int v3_mmu_fallback_set_mode(struct v3_vm *vm, enum v3_paging_mode mode);

int v3_mmu_fallback_set_mode(struct v3_vm *vm, enum v3_paging_mode mode)
{
	return mode == V3_MMU_NESTED ? 0 : -EOPNOTSUPP;
}

int v3_mmu_set_mode(struct v3_vm *vm, enum v3_paging_mode mode)
	__weak __alias(v3_mmu_fallback_set_mode);

enum v3_paging_mode __weak v3_mmu_mode(struct v3_vm *vm)
{
	return V3_MMU_NESTED;
}

void __weak v3_mmu_get_stats(struct v3_vm *vm, struct v3_mmu_stats *s)
{
	memset(s, 0, sizeof(*s));
}
