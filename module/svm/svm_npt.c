// SPDX-License-Identifier: GPL-2.0
/*
 * The nested page table entry encoding the nested tables (mmu/nested.c)
 * are built with: ordinary long-mode PTEs (APM vol. 2 15.25.5).  Guest
 * accesses count as user accesses, so U/S must be set.  An entry with P
 * clear is not present; its other bits are free, so a hinted entry
 * (v3_tdp_hint) keeps its address.
 */
#include <asm/pgtable_types.h>
#include "svm.h"

static u64 v3_npt_table(u64 hpa)
{
	return hpa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static u64 v3_npt_leaf(u64 hpa, bool large)
{
	return hpa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
	       (large ? _PAGE_PSE : 0);
}

const struct v3_tdp_format v3_npt_format = {
	.table = v3_npt_table,
	.leaf = v3_npt_leaf,
	.present = _PAGE_PRESENT,
};
