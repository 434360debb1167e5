// SPDX-License-Identifier: GPL-2.0
/*
 * Transient-execution mitigations at the world switch, following the host
 * kernel's own choices (spec_policy.c decides; this file gathers the
 * kernel's state at load and does the C-side work around each entry).
 *
 * Per entry (backends' run functions, interrupts off):
 *  - v3_spec_enter: the host's current IA32_SPEC_CTRL for the entry code
 *    to put back, IBPB when another VM's vCPU ran last on this CPU
 *    (Intel "Speculative Execution Side Channel Mitigations", IBPB; AMD
 *    "Software Techniques for Managing Speculation"), the L1D flush for
 *    L1TF (IA32_FLUSH_CMD, Intel SDM vol. 4 table 2-2);
 *  - the entry code (svm_entry.S, vmx_entry.S via spec_entry.h): guest
 *    SPEC_CTRL in, VERW just before VMRUN/VMLAUNCH, and after exit, before
 *    any RET: RSB fill, host SPEC_CTRL back, RET untraining (SVM), BHB
 *    clearing;
 *  - v3_spec_exit: VMSCAPE's IBPB before the CPU next returns to user
 *    space.
 */
#include <linux/module.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/vmx.h>
#include "v3.h"
#include "spec_policy.h"
#include "spec_compat.h"

static bool spec_off;
module_param(spec_off, bool, 0444);
MODULE_PARM_DESC(spec_off,
	"for measurement only: no world-switch mitigations (default 0: follow the host kernel)");

static struct v3_spec_policy v3_spec __read_mostly;
static u32 v3_spec_flags __read_mostly;
static bool v3_spec_ibpb_hw __read_mostly;
static bool v3_spec_flush_hw __read_mostly;

/* uid of the VM whose vCPU entered last on this CPU (0: none yet) */
static DEFINE_PER_CPU(u64, v3_spec_last_vm);
static atomic64_t v3_spec_vm_uids = ATOMIC64_INIT(0);

static void v3_spec_gather(struct v3_spec_facts *f, bool vmx)
{
	u64 arch_cap = 0;

	memset(f, 0, sizeof(*f));
	f->vmx = vmx;
	f->off = spec_off;
	f->ept = true;		/* the VMX backend always uses EPT */

	f->msr_spec_ctrl = boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL);
	f->kernel_ibrs = boot_cpu_has(X86_FEATURE_KERNEL_IBRS);
	f->use_ibpb = boot_cpu_has(X86_FEATURE_USE_IBPB);
	f->rsb_vmexit = boot_cpu_has(X86_FEATURE_RSB_VMEXIT);
	f->rsb_vmexit_lite = boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE);
	f->clear_cpu_buf = boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF);
	f->clear_cpu_buf_vm = v3_compat_clear_cpu_buf_vm();
	f->clear_bhb_vmexit = v3_compat_clear_bhb_vmexit();
	f->untrain_ret_vm = v3_compat_untrain_ret_vm();
	f->ibpb_exit_to_user = v3_compat_ibpb_exit_to_user();
	f->flush_l1d = boot_cpu_has(X86_FEATURE_FLUSH_L1D);

	f->bug_mds = boot_cpu_has_bug(X86_BUG_MDS);
	f->bug_taa = boot_cpu_has_bug(X86_BUG_TAA);
	f->bug_mmio = boot_cpu_has_bug(X86_BUG_MMIO_STALE_DATA);
	f->bug_rfds = boot_cpu_has_bug(X86_BUG_RFDS);
	f->bug_l1tf = boot_cpu_has_bug(X86_BUG_L1TF);
	f->bug_bhi = v3_compat_bug_bhi();

	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &arch_cap);
	f->l1d_skip_vmentry = !!(arch_cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH);
	f->l1d_vmx = l1tf_vmx_mitigation;
	f->l1tf = l1tf_mitigation;

	f->hw_ibrs = boot_cpu_has(X86_FEATURE_IBRS);
	f->hw_stibp = boot_cpu_has(X86_FEATURE_STIBP);
	f->hw_ssbd = boot_cpu_has(X86_FEATURE_SPEC_CTRL_SSBD) ||
		     boot_cpu_has(X86_FEATURE_AMD_SSBD);
	f->hw_bhi_dis_s = v3_compat_bhi_ctrl();
}

void v3_spec_init(bool vmx)
{
	struct v3_spec_facts f;
	char names[128];

	/* spec_policy.h repeats the kernel's enums and the ABI bits */
	BUILD_BUG_ON((int)VMENTER_L1D_FLUSH_AUTO != V3_L1D_VMX_AUTO);
	BUILD_BUG_ON((int)VMENTER_L1D_FLUSH_COND != V3_L1D_VMX_COND);
	BUILD_BUG_ON((int)VMENTER_L1D_FLUSH_NOT_REQUIRED !=
		     V3_L1D_VMX_NOT_REQUIRED);
	BUILD_BUG_ON((int)L1TF_MITIGATION_OFF != V3_L1TF_OFF);
	BUILD_BUG_ON((int)L1TF_MITIGATION_FLUSH_NOSMT != V3_L1TF_FLUSH_NOSMT);
	BUILD_BUG_ON((int)L1TF_MITIGATION_FULL_FORCE != V3_L1TF_FULL_FORCE);
	BUILD_BUG_ON(V3_SPEC_F_RSB_FILL != V3_MIT_RSB_FILL);
	BUILD_BUG_ON(V3_SPEC_F_SPEC_CTRL != V3_MIT_SPEC_CTRL);
	BUILD_BUG_ON(V3_SPEC_F_CLEAR_CPU_BUF != V3_MIT_CLEAR_CPU_BUF);
	BUILD_BUG_ON(V3_SPEC_F_BHI != V3_MIT_BHI);
	BUILD_BUG_ON(V3_SPEC_F_UNTRAIN_RET != V3_MIT_UNTRAIN_RET);
	BUILD_BUG_ON(offsetof(struct v3_spec_vcpu, guest_spec_ctrl) !=
		     V3_SPEC_GUEST);
	BUILD_BUG_ON(offsetof(struct v3_spec_vcpu, host_spec_ctrl) !=
		     V3_SPEC_HOST);
	BUILD_BUG_ON(offsetof(struct v3_spec_vcpu, flags) != V3_SPEC_FLAGS);

	v3_spec_gather(&f, vmx);
	v3_spec_decide(&f, &v3_spec);
	v3_spec_flags = (u32)v3_spec.active &
			(V3_SPEC_F_RSB_FILL | V3_SPEC_F_SPEC_CTRL |
			 V3_SPEC_F_CLEAR_CPU_BUF | V3_SPEC_F_BHI |
			 V3_SPEC_F_UNTRAIN_RET);
	if ((v3_spec.active & V3_MIT_SPEC_CTRL) && v3_spec.spec_ctrl_rewrite)
		v3_spec_flags |= V3_SPEC_F_HOST_IBRS;
	v3_spec_ibpb_hw = boot_cpu_has(X86_FEATURE_IBPB);
	v3_spec_flush_hw = f.flush_l1d;

	v3_spec_names(v3_spec.active, names, sizeof(names));
	if (spec_off)
		v3_warn("world-switch mitigations off (spec_off=1): for measurement only\n");
	else
		v3_info("world-switch mitigations: %s%s\n", names,
			v3_spec.l1d_cond ? " (l1d-flush: every entry)" : "");
	if (v3_spec.missing & V3_MIT_L1D_FLUSH)
		v3_warn("L1TF: the host wants the L1D flushed before VM entry, but the CPU has no IA32_FLUSH_CMD (microcode update needed) and v3vmm has no software flush: guests may read host L1D data\n");
}

u64 v3_spec_active(void)
{
	return v3_spec.active;
}

int v3_spec_show(char *buf, unsigned int size)
{
	return v3_spec_names(v3_spec.active, buf, size);
}

/* A VM's uid, handed out at its first entry and never reused (a VM's
 * address may be): IBPB decisions must not confuse two VMs. */
static u64 v3_spec_vm_uid(struct v3_vm *vm)
{
	u64 uid = READ_ONCE(vm->spec_uid), old;

	if (likely(uid))
		return uid;
	uid = atomic64_inc_return(&v3_spec_vm_uids);
	old = cmpxchg64(&vm->spec_uid, 0, uid);
	return old ? old : uid;
}

void v3_spec_enter(struct v3_vcpu *vcpu)
{
	struct v3_spec_vcpu *s = &vcpu->spec;
	u64 active = v3_spec.active;
	u64 uid;

	s->flags = v3_spec_flags;
	if (!active)
		return;
	if (active & V3_MIT_SPEC_CTRL)
		s->host_spec_ctrl = this_cpu_read(x86_spec_ctrl_current);
	if (active & V3_MIT_IBPB) {
		uid = v3_spec_vm_uid(vcpu->vm);
		if (this_cpu_read(v3_spec_last_vm) != uid) {
			this_cpu_write(v3_spec_last_vm, uid);
			indirect_branch_prediction_barrier();
		}
	}
	/* writeback and invalidate of the L1D (Intel SDM vol. 4, 0x10b) */
	if (active & V3_MIT_L1D_FLUSH)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

void v3_spec_exit(struct v3_vcpu *vcpu)
{
	if (v3_spec.active & V3_MIT_IBPB_EXIT_USER)
		v3_compat_set_ibpb_exit_to_user();
}

u64 v3_spec_guest_spec_ctrl_bits(void)
{
	return (v3_spec.active & V3_MIT_SPEC_CTRL) ?
	       v3_spec.guest_spec_ctrl_bits : 0;
}

bool v3_spec_guest_has_pred_cmd(void)
{
	return v3_spec_ibpb_hw;
}

bool v3_spec_guest_has_flush_cmd(void)
{
	return v3_spec_flush_hw;
}

void v3_spec_vcpu_reset(struct v3_vcpu *vcpu)
{
	vcpu->spec.guest_spec_ctrl = 0;
}

int v3_spec_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_IA32_SPEC_CTRL:
		if (!v3_spec_guest_spec_ctrl_bits())
			return -EINVAL;
		*val = vcpu->spec.guest_spec_ctrl;
		return 0;
	case MSR_IA32_PRED_CMD:
	case MSR_IA32_FLUSH_CMD:
		return -EINVAL;		/* write-only */
	default:
		return -ENOENT;
	}
}

/*
 * The guest's SPEC_CTRL takes effect at the next entry (the entry code
 * loads it); its barriers act at once on this CPU, where the vCPU
 * re-enters: MSR exits are handled with preemption off.
 */
int v3_spec_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	u64 bits;

	switch (msr) {
	case MSR_IA32_SPEC_CTRL:
		bits = v3_spec_guest_spec_ctrl_bits();
		if (!bits || (val & ~bits))
			return -EINVAL;
		vcpu->spec.guest_spec_ctrl = val;
		return 0;
	case MSR_IA32_PRED_CMD:
		if (!v3_spec_ibpb_hw || (val & ~(u64)PRED_CMD_IBPB))
			return -EINVAL;
		if (val)
			wrmsrl(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		return 0;
	case MSR_IA32_FLUSH_CMD:
		if (!v3_spec_flush_hw || (val & ~(u64)L1D_FLUSH))
			return -EINVAL;
		if (val)
			wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return 0;
	default:
		return -ENOENT;
	}
}
