// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR emulation.  MSRs whose state the hardware switches itself
 * (FS/GS base, SYSCALL and SYSENTER MSRs) are passed through by the
 * backend's MSR bitmap and never reach this file.  Everything here is
 * emulated, accepted and ignored (MSRs real CPUs of the vendor have and
 * operating systems program blindly: the empty PMU's counters, AMD
 * configuration MSRs), or answered with #GP(0), as a CPU does for an MSR
 * it does not implement (Intel SDM vol. 2 RDMSR/WRMSR).  The guest's
 * speculation controls (IA32_SPEC_CTRL, IA32_PRED_CMD) are spec_ctrl.c's,
 * and exist only where CPUID offers them.  The ignored and
 * the #GP ones are counted per MSR number in the VM's statistics
 * (V3_IOC_MSR_STATS, sysfs msrs_unhandled), so a guest that needs an MSR
 * v3vmm lacks shows up there.
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "v3.h"
#include "mmu/mmu.h"

/*
 * MSRs the guest owns directly: the backends switch them on entry and exit
 * (SVM with VMLOAD/VMSAVE, VMX through the VMCS and a swap around entry).
 */
const u32 v3_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};
const unsigned int v3_nr_passthrough_msrs = ARRAY_SIZE(v3_passthrough_msrs);

/* AMD-specific MSRs (AMD APM vol. 2 appendix A) */
#define V3_MSR_HWCR		0xc0010015
#define V3_MSR_SYSCFG		0xc0010010
#define V3_MSR_VM_CR		0xc0010114
#define V3_MSR_VM_CR_LOCK	BIT(3)
#define V3_MSR_VM_CR_SVMDIS	BIT(4)
#define V3_MSR_DE_CFG		0xc0011029
#define V3_MSR_NB_CFG		0xc001001f

#define V3_EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* 8 variable MTRRs, fixed ranges, write-combining (SDM vol. 3 12.11.1) */
#define V3_MTRRCAP	(0x8 | BIT(8) | BIT(10))

static int v3_mtrr_index(u32 msr)
{
	if (msr >= MSR_MTRRfix64K_00000 && msr <= MSR_MTRRfix4K_F8000)
		return msr - MSR_MTRRfix64K_00000;
	if (msr >= 0x200 && msr < 0x210)	/* PHYSBASE0..PHYSMASK7 */
		return 0x20 + msr - 0x200;
	if (msr == MSR_MTRRdefType)
		return 0x30;
	return -1;
}

static bool v3_is_apic_msr(u32 msr)
{
	return msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= 0x800 && msr <= 0x8ff);
}

static bool v3_pat_valid(u64 pat)
{
	int i;

	/* each byte: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7 */
	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static int v3_msr_read(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	int idx, ret;

	ret = v3_spec_get_msr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;
	if (!v3_arch->get_msr(vcpu, msr, val))
		return 0;
	if (v3_is_apic_msr(msr))
		return v3_lapic_rdmsr(vcpu, msr, val);
	ret = v3_pvclock_rdmsr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;
	ret = v3_pmu_rdmsr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;

	switch (msr) {
	case MSR_EFER:
		*val = vcpu->regs.efer;
		return 0;
	case MSR_MTRRcap:
		*val = V3_MTRRCAP;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MSR_IA32_MISC_ENABLE_FAST_STRING |
		       MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
		       MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL;
		return 0;
	case MSR_IA32_FEAT_CTL:
		*val = FEAT_CTL_LOCKED;		/* locked, VMX off */
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_MCG_CAP:		/* no banks */
	case MSR_IA32_MCG_STATUS:
		*val = 0;
		return 0;
	case V3_MSR_HWCR:
	case V3_MSR_SYSCFG:
	case V3_MSR_DE_CFG:
	case V3_MSR_NB_CFG:
		*val = 0;
		return V3_MSR_IGNORED;
	case V3_MSR_VM_CR:
		*val = V3_MSR_VM_CR_LOCK | V3_MSR_VM_CR_SVMDIS;
		return 0;
	}
	idx = v3_mtrr_index(msr);
	if (idx >= 0) {
		*val = vcpu->mtrr[idx];
		return 0;
	}
	return -ENOENT;
}

static int v3_msr_write(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	int idx, ret;

	ret = v3_spec_set_msr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;
	if (v3_is_apic_msr(msr))
		return v3_lapic_wrmsr(vcpu, msr, val);
	ret = v3_pvclock_wrmsr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;
	ret = v3_pmu_wrmsr(vcpu, msr, val);
	if (ret != -ENOENT)
		return ret;
	switch (msr) {
	case MSR_EFER:
		/* reserved bits, or LME changed while paging is on: #GP */
		if (val & ~V3_EFER_ALLOWED)
			return -EINVAL;
		if ((vcpu->regs.cr0 & X86_CR0_PG) &&
		    ((val ^ vcpu->regs.efer) & EFER_LME))
			return -EINVAL;
		/* LMA is read-only: the CPU sets it when paging turns on */
		val = (val & ~EFER_LMA) | (vcpu->regs.efer & EFER_LMA);
		/* nested: the backend's set_efer; shadow: hardware EFER differs */
		v3_mmu_set_efer(vcpu, val);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!v3_pat_valid(val))
			return -EINVAL;
		break;
	case MSR_IA32_UCODE_REV:	/* before CPUID 1: the revision reads 0 */
	case MSR_IA32_MCG_STATUS:
		return 0;
	case MSR_IA32_MISC_ENABLE:
	case V3_MSR_HWCR:
	case V3_MSR_DE_CFG:
	case V3_MSR_NB_CFG:
		return V3_MSR_IGNORED;
	}
	if (!v3_arch->set_msr(vcpu, msr, val))
		return 0;
	idx = v3_mtrr_index(msr);
	if (idx >= 0) {
		vcpu->mtrr[idx] = val;
		return 0;
	}
	return -ENOENT;
}

void v3_msr_stats_init(struct v3_vm *vm)
{
	spin_lock_init(&vm->msr_stats.lock);
}

/*
 * Count an access to an MSR v3vmm does not model.  The table is bounded:
 * a guest probing thousands of MSR numbers fills it once, and the rest
 * land in the "other" sums.
 */
static void v3_msr_account(struct v3_vm *vm, u32 msr, bool write, bool gp)
{
	struct v3_msr_stat_tbl *t = &vm->msr_stats;
	struct v3_msr_stat *e = NULL;
	unsigned int i;

	v3_count(vm, gp ? V3_CNT_MSR_GP : V3_CNT_MSR_IGNORED);
	spin_lock(&t->lock);
	for (i = 0; i < t->nr; i++) {
		if (t->ent[i].msr == msr) {
			e = &t->ent[i];
			break;
		}
	}
	if (!e && t->nr < V3_MSR_STATS_MAX) {
		e = &t->ent[t->nr++];
		e->msr = msr;
	}
	if (e) {
		if (write)
			e->writes++;
		else
			e->reads++;
		e->gp += gp;
	} else {
		if (write)
			t->other_writes++;
		else
			t->other_reads++;
		t->other_gp += gp;
	}
	spin_unlock(&t->lock);
}

void v3_msr_stats_fill(struct v3_vm *vm, struct v3_msr_stats *out)
{
	struct v3_msr_stat_tbl *t = &vm->msr_stats;

	spin_lock(&t->lock);
	out->count = t->nr;
	memcpy(out->msrs, t->ent, t->nr * sizeof(t->ent[0]));
	out->other_reads = t->other_reads;
	out->other_writes = t->other_writes;
	out->other_gp = t->other_gp;
	spin_unlock(&t->lock);
}

int v3_handle_rdmsr(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u32 msr = gpr[V3_RCX];
	u64 val = 0;
	int ret = v3_msr_read(vcpu, msr, &val);

	if (ret == -ENOENT || ret == V3_MSR_IGNORED)
		v3_msr_account(vcpu->vm, msr, false, ret == -ENOENT);
	else if (ret)
		v3_count(vcpu->vm, V3_CNT_MSR_GP);
	if (ret < 0) {
		v3_inject_gp(vcpu);
		return 0;
	}
	gpr[V3_RAX] = lower_32_bits(val);
	gpr[V3_RDX] = upper_32_bits(val);
	v3_skip_insn(vcpu);
	return 0;
}

int v3_handle_wrmsr(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u32 msr = gpr[V3_RCX];
	u64 val = (gpr[V3_RDX] << 32) | (u32)gpr[V3_RAX];
	int ret = v3_msr_write(vcpu, msr, val);

	if (ret == -ENOENT || ret == V3_MSR_IGNORED)
		v3_msr_account(vcpu->vm, msr, true, ret == -ENOENT);
	else if (ret)
		v3_count(vcpu->vm, V3_CNT_MSR_GP);
	if (ret < 0) {
		v3_inject_gp(vcpu);
		return 0;
	}
	v3_skip_insn(vcpu);
	return 0;
}
