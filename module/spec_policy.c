// SPDX-License-Identifier: GPL-2.0
/*
 * Mitigation policy at the world switch: follow the host kernel.  The
 * kernel's bugs.c has already weighed the CPU's X86_BUG_* bits, microcode
 * and the command line (mitigations=, mds=, l1tf=, spectre_v2=, ...) and
 * recorded its choices as synthetic X86_FEATURE_* bits; KVM keys its
 * world switch on those same bits, and so does v3vmm.  The X86_BUG_* bits
 * alone never turn anything on: a host booted with mds=off gets no VERW.
 *
 * Pure code: built into v3vmm.ko and into tests/unit.
 */
#include "spec_policy.h"
#include "v3vmm.h"
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#endif

static const char *const v3_spec_names_tab[] = V3_MIT_NAMES;

const char *v3_spec_name(unsigned int bit)
{
	if (bit >= sizeof(v3_spec_names_tab) / sizeof(v3_spec_names_tab[0]))
		return NULL;
	return v3_spec_names_tab[bit];
}

/*
 * L1TF (Intel SDM vol. 3 and Intel's "L1 Terminal Fault" guidance): data
 * in the L1D can leak into a guest through a not-present guest PTE, so
 * the L1D is flushed before VM entry.  The host's choice is
 * l1tf_vmx_mitigation once KVM or the administrator set it; before that
 * it is AUTO and follows l1tf_mitigation exactly as KVM's
 * vmx_setup_l1d_flush() does.  COND (flush only after entries that
 * followed "interesting" host work) is treated as ALWAYS: v3vmm does not
 * track which host code ran between entries.
 */
static int v3_spec_l1d_mode(const struct v3_spec_facts *f)
{
	if (!f->vmx || !f->bug_l1tf || f->l1d_skip_vmentry)
		return V3_L1D_VMX_NOT_REQUIRED;
	if (!f->ept)
		return V3_L1D_VMX_EPT_DISABLED;
	if (f->l1d_vmx != V3_L1D_VMX_AUTO)
		return f->l1d_vmx;
	switch (f->l1tf) {
	case V3_L1TF_OFF:
		return V3_L1D_VMX_NEVER;
	case V3_L1TF_FLUSH_NOWARN:
	case V3_L1TF_FLUSH:
	case V3_L1TF_FLUSH_NOSMT:
		return V3_L1D_VMX_COND;
	default:
		return V3_L1D_VMX_ALWAYS;
	}
}

void v3_spec_decide(const struct v3_spec_facts *f, struct v3_spec_policy *p)
{
	__u64 want = 0;
	int l1d;

	memset(p, 0, sizeof(*p));

	/*
	 * SpectreRSB: a guest can leave return predictions the host would
	 * follow.  The kernel sets RSB_VMEXIT for retpoline/IBRS hosts and
	 * RSB_VMEXIT_LITE for eIBRS parts with the PBRSB erratum, which KVM
	 * honours only on VMX; KVM's SVM code fills on RSB_VMEXIT alone.
	 */
	if (f->rsb_vmexit || (f->vmx && f->rsb_vmexit_lite))
		want |= V3_MIT_RSB_FILL;

	/* The host's SPEC_CTRL (IBRS, STIBP, SSBD, BHI_DIS_S) is restored at
	 * once after each exit and the guest's own value loaded for entry. */
	if (f->msr_spec_ctrl) {
		want |= V3_MIT_SPEC_CTRL;
		p->spec_ctrl_rewrite = f->kernel_ibrs;
	}

	/* Branch-target isolation between VMs, as the host isolates
	 * processes (spectre_v2_user=, X86_FEATURE_USE_IBPB). */
	if (f->use_ibpb)
		want |= V3_MIT_IBPB;

	/*
	 * MDS/TAA/MMIO stale data/RFDS: VERW with the MD_CLEAR microcode
	 * overwrites the store, fill and load buffers.  KVM's VMX entry
	 * clears them whenever the kernel clears them on its own exits
	 * (CLEAR_CPU_BUF) or for VMs only (CLEAR_CPU_BUF_VM); its SVM entry
	 * only for CLEAR_CPU_BUF_VM (TSA on AMD).  The MMIO-only static key
	 * mmio_stale_data_clear concerns devices assigned to a guest, which
	 * v3vmm never does.
	 */
	if (f->clear_cpu_buf_vm || (f->vmx && f->clear_cpu_buf))
		want |= V3_MIT_CLEAR_CPU_BUF;

	l1d = v3_spec_l1d_mode(f);
	if (l1d == V3_L1D_VMX_COND || l1d == V3_L1D_VMX_ALWAYS) {
		want |= V3_MIT_L1D_FLUSH;
		p->l1d_cond = l1d == V3_L1D_VMX_COND;
	}

	/* Branch History Injection: the kernel's clear_bhb_loop sequence
	 * after exit where it chose the software BHB clear for VM exits. */
	if (f->clear_bhb_vmexit)
		want |= V3_MIT_BHI;

	/* Retbleed/SRSO untraining (AMD): KVM's SVM exit path only */
	if (!f->vmx && f->untrain_ret_vm)
		want |= V3_MIT_UNTRAIN_RET;

	if (f->ibpb_exit_to_user)
		want |= V3_MIT_IBPB_EXIT_USER;

	/*
	 * What the host asks for but cannot be done: an L1D flush without
	 * the FLUSH_CMD MSR would need KVM's software fill loop, which
	 * v3vmm does not have.
	 */
	if ((want & V3_MIT_L1D_FLUSH) && !f->flush_l1d) {
		p->missing |= V3_MIT_L1D_FLUSH;
		want &= ~V3_MIT_L1D_FLUSH;
	}

	p->active = f->off ? 0 : want;

	/*
	 * What guests may use of the family.  The guest's SPEC_CTRL is
	 * switched by the entry code only when the host has the MSR and
	 * the world-switch work is on (spec_off=0): offering it otherwise
	 * would leave the guest's value unloaded (or the host's in the
	 * guest).  Only bits the hardware has: the others #GP, as on the
	 * CPU itself (Intel SDM vol. 4 table 2-2, IA32_SPEC_CTRL).
	 */
	if (f->off || f->guest_hide)
		return;
	p->guest_pred_cmd = f->hw_ibpb;
	if (f->msr_spec_ctrl) {
		if (f->hw_ibrs)
			p->guest_spec_ctrl_bits |= V3_SPEC_CTRL_IBRS;
		if (f->hw_stibp)
			p->guest_spec_ctrl_bits |= V3_SPEC_CTRL_STIBP;
		if (f->hw_ssbd)
			p->guest_spec_ctrl_bits |= V3_SPEC_CTRL_SSBD;
		if (f->hw_bhi_dis_s)
			p->guest_spec_ctrl_bits |= V3_SPEC_CTRL_BHI_DIS_S;
	}
}

__u32 v3_spec_guest_cpuid(const struct v3_spec_policy *p, __u32 leaf,
			  __u32 sub, int reg, __u32 host)
{
	__u64 bits = p->guest_spec_ctrl_bits;
	__u32 offer = 0;

	if (leaf == 7 && sub == 0 && reg == 3) {
		/* Intel: bit 26 enumerates both IBRS and IBPB */
		if ((bits & V3_SPEC_CTRL_IBRS) && p->guest_pred_cmd)
			offer |= V3_CPUID7_EDX_IBRS_IBPB;
		if (bits & V3_SPEC_CTRL_STIBP)
			offer |= V3_CPUID7_EDX_STIBP;
		if (bits & V3_SPEC_CTRL_SSBD)
			offer |= V3_CPUID7_EDX_SSBD;
		/* L1D_FLUSH and ARCH_CAPABILITIES: their MSRs are not
		 * modelled, so they stay hidden */
	} else if (leaf == 0x80000008 && reg == 1) {
		/*
		 * AMD: one bit per interface; the always-on, preferred and
		 * same-mode bits describe how the CPU's IBRS/STIBP behave,
		 * which is as true for the guest (same hardware) once it
		 * has the bit they qualify.  SSB_NO has no MSR.  VIRT_SSBD
		 * (VIRT_SPEC_CTRL) is not modelled: hidden.
		 */
		if (p->guest_pred_cmd)
			offer |= V3_CPUID88_EBX_IBPB;
		if (bits & V3_SPEC_CTRL_IBRS)
			offer |= V3_CPUID88_EBX_IBRS |
				 V3_CPUID88_EBX_IBRS_ALWAYS |
				 V3_CPUID88_EBX_IBRS_PREF |
				 V3_CPUID88_EBX_IBRS_SAME_MODE;
		if (bits & V3_SPEC_CTRL_STIBP)
			offer |= V3_CPUID88_EBX_STIBP |
				 V3_CPUID88_EBX_STIBP_ALWAYS;
		if (bits & V3_SPEC_CTRL_SSBD)
			offer |= V3_CPUID88_EBX_SSBD;
		if (bits || p->guest_pred_cmd)
			offer |= V3_CPUID88_EBX_SSB_NO;
	}
	return host & offer;
}

int v3_spec_ibpb_decide(struct v3_spec_last *last, __u64 vm, __u64 key,
			bool guest_ibpb, bool host_ibpb)
{
	int ret = V3_IBPB_NONE;

	if (last->key == key)
		return V3_IBPB_NONE;
	if (guest_ibpb)
		ret = V3_IBPB_GUEST;
	else if (host_ibpb && last->vm != vm)
		ret = V3_IBPB_HOST;
	last->vm = vm;
	last->key = key;
	return ret;
}

/*
 * IA32_PRED_CMD is write-only (Intel SDM vol. 4 table 2-2: "WO"): a read
 * #GPs.  Writing 0 is allowed and does nothing; any bit but IBPB is
 * reserved (AMD's SBPB, bit 7, is not offered).
 */
int v3_spec_msr_read(const struct v3_spec_policy *p, __u64 guest_spec_ctrl,
		     __u32 msr, __u64 *val)
{
	switch (msr) {
	case V3_MSR_SPEC_CTRL:
		if (!p->guest_spec_ctrl_bits)
			return -EINVAL;
		*val = guest_spec_ctrl;
		return 0;
	case V3_MSR_PRED_CMD:
		return -EINVAL;
	default:
		return -ENOENT;
	}
}

int v3_spec_msr_write(const struct v3_spec_policy *p, __u64 *guest_spec_ctrl,
		      __u32 msr, __u64 val, bool *ibpb)
{
	*ibpb = false;
	switch (msr) {
	case V3_MSR_SPEC_CTRL:
		if (!p->guest_spec_ctrl_bits ||
		    (val & ~p->guest_spec_ctrl_bits))
			return -EINVAL;
		*guest_spec_ctrl = val;
		return 0;
	case V3_MSR_PRED_CMD:
		if (!p->guest_pred_cmd || (val & ~V3_PRED_CMD_IBPB))
			return -EINVAL;
		*ibpb = !!(val & V3_PRED_CMD_IBPB);
		return 0;
	default:
		return -ENOENT;
	}
}

int v3_spec_names(__u64 mask, char *buf, unsigned int size)
{
	unsigned int bit, len = 0;
	const char *name;

	if (!size)
		return 0;
	buf[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		name = v3_spec_name(bit);
		if (len >= size)
			break;
		if (name)
			len += snprintf(buf + len, size - len, "%s%s",
					len ? " " : "", name);
		else
			len += snprintf(buf + len, size - len, "%smit-%u",
					len ? " " : "", bit);
	}
	if (!len)
		len = snprintf(buf, size, "none");
	return len < size ? (int)len : (int)size - 1;
}
