// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT entry encoding the nested tables (mmu/nested.c) are built with
 * (SDM vol. 3 29.3.2): read/write/execute on every level, write-back
 * leaves.  An entry with R, W and X clear is not present; its other bits
 * are ignored, so a hinted entry (v3_tdp_hint) keeps its address.
 */
#include "vmx.h"

static u64 v3_ept_table(u64 hpa)
{
	return hpa | V3_EPT_R | V3_EPT_W | V3_EPT_X;
}

static u64 v3_ept_leaf(u64 hpa, bool large)
{
	return hpa | V3_EPT_R | V3_EPT_W | V3_EPT_X | V3_EPT_MT_WB |
	       (large ? V3_EPT_LARGE : 0);
}

const struct v3_tdp_format v3_ept_format = {
	.table = v3_ept_table,
	.leaf = v3_ept_leaf,
	.present = V3_EPT_R | V3_EPT_W | V3_EPT_X,
};
