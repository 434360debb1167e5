// SPDX-License-Identifier: GPL-2.0
/*
 * Transient-execution mitigations at the world switch, following the host
 * kernel's own choices (spec_policy.c decides; this file gathers the
 * kernel's state at load and does the C-side work around each entry).
 *
 * Per entry (backends' run functions, interrupts off):
 *  - v3_spec_enter: the host's current IA32_SPEC_CTRL for the entry code
 *    to put back, IBPB when another VM's vCPU ran last on this CPU or the
 *    guest asked for one (v3_spec_ibpb)
 *    (Intel "Speculative Execution Side Channel Mitigations", IBPB; AMD
 *    "Software Techniques for Managing Speculation"), the L1D flush for
 *    L1TF (IA32_FLUSH_CMD, Intel SDM vol. 4 table 2-2);
 *  - the entry code (svm_entry.S, vmx_entry.S via spec_entry.h): guest
 *    SPEC_CTRL in, VERW just before VMRUN/VMLAUNCH, and after exit, before
 *    any RET: RSB fill, host SPEC_CTRL back, RET untraining (SVM), BHB
 *    clearing;
 *  - v3_spec_exit: VMSCAPE's IBPB before the CPU next returns to user
 *    space.
 * And the guest's own controls: IA32_SPEC_CTRL and IA32_PRED_CMD where
 * the host CPU has them (v3_spec_get_msr/v3_spec_set_msr, CPUID through
 * v3_spec_cpuid_bits; spec_policy.c decides what is offered).
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

static bool guest_spec_ctrl = true;
module_param(guest_spec_ctrl, bool, 0444);
MODULE_PARM_DESC(guest_spec_ctrl,
	"offer guests IA32_SPEC_CTRL (IBRS, STIBP, SSBD) and IA32_PRED_CMD (IBPB) where the host CPU has them (default 1; spec_off=1 hides them too)");

static struct v3_spec_policy v3_spec __read_mostly;
static u32 v3_spec_flags __read_mostly;

/*
 * What entered last on this CPU: the VM's uid and the vCPU's predictor
 * epoch (0: none yet).  Uids and epochs come from one counter and are
 * never reused (a VM's or vCPU's address may be).
 */
static DEFINE_PER_CPU(struct v3_spec_last, v3_spec_last);
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
	f->hw_ibpb = boot_cpu_has(X86_FEATURE_IBPB);
	f->guest_hide = !guest_spec_ctrl;
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
	BUILD_BUG_ON(V3_MSR_SPEC_CTRL != MSR_IA32_SPEC_CTRL);
	BUILD_BUG_ON(V3_MSR_PRED_CMD != MSR_IA32_PRED_CMD);
	BUILD_BUG_ON(V3_PRED_CMD_IBPB != PRED_CMD_IBPB);
	BUILD_BUG_ON(V3_SPEC_CTRL_IBRS != SPEC_CTRL_IBRS);
	BUILD_BUG_ON(V3_SPEC_CTRL_STIBP != SPEC_CTRL_STIBP);
	BUILD_BUG_ON(V3_SPEC_CTRL_SSBD != SPEC_CTRL_SSBD);

	v3_spec_gather(&f, vmx);
	v3_spec_decide(&f, &v3_spec);
	v3_spec_flags = (u32)v3_spec.active &
			(V3_SPEC_F_RSB_FILL | V3_SPEC_F_SPEC_CTRL |
			 V3_SPEC_F_CLEAR_CPU_BUF | V3_SPEC_F_BHI |
			 V3_SPEC_F_UNTRAIN_RET);
	if ((v3_spec.active & V3_MIT_SPEC_CTRL) && v3_spec.spec_ctrl_rewrite)
		v3_spec_flags |= V3_SPEC_F_HOST_IBRS;

	v3_spec_names(v3_spec.active, names, sizeof(names));
	if (spec_off)
		v3_warn("world-switch mitigations off (spec_off=1): for measurement only; guests get no speculation controls\n");
	else
		v3_info("world-switch mitigations: %s%s; guests get spec-ctrl %#llx%s\n",
			names,
			v3_spec.l1d_cond ? " (l1d-flush: every entry)" : "",
			(unsigned long long)v3_spec.guest_spec_ctrl_bits,
			v3_spec.guest_pred_cmd ? ", ibpb" : "");
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

/*
 * IBPB at entry (Intel "Speculative Execution Side Channel Mitigations",
 * IBPB: software before the barrier cannot control indirect-branch
 * predictions after it, on the same logical processor; AMD "Software
 * Techniques for Managing Speculation" likewise).  Two reasons:
 *  - the host's: another VM's vCPU entered last on this CPU and the host
 *    kernel isolates address spaces with IBPB (V3_MIT_IBPB);
 *  - the guest's: it wrote PRED_CMD.IBPB, and the barrier must separate
 *    what ran before the write from what runs after it, on whatever CPU
 *    the vCPU continues.  The write draws a new epoch for the vCPU, so
 *    every CPU's record of it is stale: its next entry anywhere passes a
 *    barrier first.  A guest that uses IBPB also expects its vCPUs not
 *    to share predictor state (to the guest each is its own processor):
 *    from then on, any other vCPU entered last on the CPU means IBPB.
 * The record is kept whenever either reason can arise, so it never
 * misses a vCPU that entered in between.
 */
static void v3_spec_ibpb(struct v3_vcpu *vcpu, u64 active)
{
	struct v3_spec_vcpu *s = &vcpu->spec;
	u64 uid = v3_spec_vm_uid(vcpu->vm);

	if (!s->ibpb_key)
		s->ibpb_key = atomic64_inc_return(&v3_spec_vm_uids);
	switch (v3_spec_ibpb_decide(this_cpu_ptr(&v3_spec_last), uid,
				    s->ibpb_key, s->guest_ibpb,
				    active & V3_MIT_IBPB)) {
	case V3_IBPB_GUEST:
		/* whatever the host's policy: the kernel's helper is a
		 * no-op without X86_FEATURE_USE_IBPB */
		wrmsrl(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		break;
	case V3_IBPB_HOST:
		indirect_branch_prediction_barrier();
		break;
	}
}

void v3_spec_enter(struct v3_vcpu *vcpu)
{
	struct v3_spec_vcpu *s = &vcpu->spec;
	u64 active = v3_spec.active;

	s->flags = v3_spec_flags;
	/*
	 * The entry code restores this value right after exit, before any
	 * unbalanced RET and before host interrupts: SVM keeps GIF clear
	 * until after it (APM vol. 2 15.17), VMX exits with RFLAGS.IF clear
	 * (SDM vol. 3 28.5.3); a host NMI in VMX's window enters through
	 * the kernel's paranoid entry, which sets the kernel's own
	 * SPEC_CTRL where the host relies on IBRS.
	 */
	if (active & V3_MIT_SPEC_CTRL)
		s->host_spec_ctrl = this_cpu_read(x86_spec_ctrl_current);
	if ((active & V3_MIT_IBPB) || v3_spec.guest_pred_cmd)
		v3_spec_ibpb(vcpu, active);
	/* writeback and invalidate of the L1D (Intel SDM vol. 4, 0x10b) */
	if (active & V3_MIT_L1D_FLUSH)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

void v3_spec_exit(struct v3_vcpu *vcpu)
{
	if (v3_spec.active & V3_MIT_IBPB_EXIT_USER)
		v3_compat_set_ibpb_exit_to_user();
}

u32 v3_spec_cpuid_bits(u32 leaf, u32 sub, int reg, u32 host)
{
	return v3_spec_guest_cpuid(&v3_spec, leaf, sub, reg, host);
}

void v3_spec_vcpu_reset(struct v3_vcpu *vcpu)
{
	/* IA32_SPEC_CTRL is 0 after RESET and INIT (SDM vol. 4 table 2-2) */
	vcpu->spec.guest_spec_ctrl = 0;
	vcpu->spec.guest_ibpb = false;
	vcpu->spec.ibpb_key = 0;
}

int v3_spec_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	return v3_spec_msr_read(&v3_spec, vcpu->spec.guest_spec_ctrl, msr, val);
}

/*
 * The guest's SPEC_CTRL takes effect at the next entry (the entry code
 * loads it, and the MSR is always intercepted: vcpu->spec holds its only
 * copy).  Its IBPB is issued right before that entry, on the CPU that
 * runs it (v3_spec_ibpb).
 */
int v3_spec_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	bool ibpb;
	int ret = v3_spec_msr_write(&v3_spec, &vcpu->spec.guest_spec_ctrl,
				    msr, val, &ibpb);

	if (!ret && ibpb) {
		vcpu->spec.guest_ibpb = true;
		vcpu->spec.ibpb_key = 0;
	}
	return ret;
}
