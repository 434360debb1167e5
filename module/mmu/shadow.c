// SPDX-License-Identifier: GPL-2.0
/* placeholder, replaced below */
#include "../v3.h"
#include "mmu.h"

unsigned int v3_shadow_pages_max = 4096;

static int v3_shadow_vm_init(struct v3_vm *vm)
{
	return -EOPNOTSUPP;
}

static void v3_shadow_vm_destroy(struct v3_vm *vm)
{
}

static int v3_shadow_load(struct v3_vcpu *vcpu, struct v3_paging_hw *hw)
{
	return -EOPNOTSUPP;
}

u64 v3_mmu_shadow_pages(struct v3_vm *vm)
{
	return 0;
}

void v3_shadow_vcpu_free(struct v3_vcpu *vcpu)
{
}

const struct v3_mmu_mode v3_mmu_shadow = {
	.name = "shadow",
	.vm_init = v3_shadow_vm_init,
	.vm_destroy = v3_shadow_vm_destroy,
	.load = v3_shadow_load,
};
