// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: what the CPU offers and what v3vmm runs with.
 * Detection (SDM vol. 3 23.6), the VMX capability MSRs (appendix A), the
 * controls chosen from them, the optional features (VPID, EPT A/D flags,
 * WBINVD exiting, the VMX-preemption timer) and the workaround for the
 * one emulated CPU v3vmm is tested on (Bochs).  No VMX instruction is
 * executed here, so the user-space unit tests (tests/unit/test_vmx_probe.c)
 * run this file against synthetic capability MSRs.
 */
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>
#include "vmx.h"

struct v3_vmx_features v3_vmx_feat;

/*
 * Workarounds for defects of an emulated CPU (today one: Bochs' VMX,
 * below).  auto: only where the emulator is recognised; on: always (a
 * test harness forcing them); off: never.
 */

/*
 * Bochs 2.7 (model corei7_skylake_x, measured): IA32_VMX_BASIC reads
 * 0xd810000000002b: VMCS revision 0x2b, a 4 KiB VMCS region and no
 * dual-monitor SMM treatment (bit 49).  Intel CPUs report small revision
 * numbers, 1 KiB regions and bit 49 set; other hypervisors' nested VMX
 * use revisions of their own.  The whole value is the fingerprint.
 */
#define V3_BOCHS_VMX_BASIC	0x00d810000000002bULL

/*
 * Controls: bits in allowed-0 (low half of the capability MSR) must be 1,
 * bits clear in allowed-1 (high half) must be 0 (A.3-A.5).  Returns false
 * when a required control cannot be 1.
 */
static bool v3_vmx_adjust(u32 msr, u32 required, u32 optional, u32 *ctl)
{
	u64 cap;

	rdmsrl(msr, cap);
	*ctl = (required | optional | (u32)cap) & (u32)(cap >> 32);
	return (*ctl & required) == required;
}

static u32 rdmsr_high(u32 msr)
{
	u64 val;

	rdmsrl(msr, val);
	return val >> 32;
}

/*
 * INVEPT and INVVPID flavours (A.10, 30.3).  v3vmm flushes whole
 * contexts: single-context where the CPU has it, else all contexts.
 * VPID is used only with one of those two INVVPID types: with
 * individual-address INVVPID alone a vCPU's stale translations (after
 * VPID reuse, CR3/CR4 emulation) could not be flushed at all.
 */
static const char *v3_vmx_probe_ept_vpid(struct v3_vmx_features *f)
{
	u64 cap;

	rdmsrl(V3_MSR_VMX_EPT_VPID_CAP, cap);
	f->ept_vpid_cap = cap;
	if (!(cap & V3_EPT_CAP_WALK4) || !(cap & V3_EPT_CAP_WB) ||
	    !(cap & V3_EPT_CAP_2MB))
		return "EPT without 4-level walks, write-back tables or 2 MiB pages";
	if (!(cap & V3_EPT_CAP_INVEPT) ||
	    !(cap & (V3_EPT_CAP_INVEPT_SINGLE | V3_EPT_CAP_INVEPT_ALL)))
		return "EPT without INVEPT (single-context or all-context)";
	f->invept_type = (cap & V3_EPT_CAP_INVEPT_SINGLE) ? V3_INV_SINGLE :
							    V3_INV_ALL;
	/* detected and reported; not enabled in the EPTP (see v3_vmx_eptp) */
	f->ept_ad = !!(cap & V3_EPT_CAP_AD);
	f->vpid = (f->proc2 & V3_PROC2_VPID) && (cap & V3_VPID_CAP_INVVPID) &&
		  (cap & (V3_VPID_CAP_SINGLE | V3_VPID_CAP_ALL));
	if (!f->vpid)
		f->proc2 &= ~V3_PROC2_VPID;
	f->invvpid_type = (cap & V3_VPID_CAP_SINGLE) ? V3_INV_SINGLE :
						       V3_INV_ALL;
	return NULL;
}

/*
 * Shadow paging (vmx_paging.c) turns EPT and unrestricted guest off and
 * needs CR3-load, CR3-store and INVLPG exiting (25.1.3); the CPUs that
 * lack TRUE controls force the CR3 ones to 1 (A.3.2), which nested mode
 * then keeps (the CR exits are emulated in vmx_exit.c).
 */
static void v3_vmx_probe_shadow(struct v3_vmx_features *f, bool tru)
{
	u64 cap;
	u32 want = V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE | V3_PROC_INVLPG;

	rdmsrl(tru ? V3_MSR_VMX_TRUE_PROCBASED : V3_MSR_VMX_PROCBASED, cap);
	f->proc_forced = (u32)cap;
	f->shadow = ((cap >> 32) & want) == want;
}

static const char *v3_vmx_probe_ctls(struct v3_vmx_features *f, u64 basic)
{
	bool tru = basic & V3_BASIC_TRUE_CTLS;
	u32 proc2_opt = V3_PROC2_VPID | V3_PROC2_WBINVD;

	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_PINBASED : V3_MSR_VMX_PINBASED,
			   V3_PIN_EXT_INTR | V3_PIN_NMI, 0, &f->pin))
		return "VMX lacks external-interrupt or NMI exiting";
	/* RDPMC exiting: a guest never reads the host's counters (25.1.3) */
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_PROCBASED : V3_MSR_VMX_PROCBASED,
			   V3_PROC_HLT | V3_PROC_IO_BITMAPS |
			   V3_PROC_MSR_BITMAPS | V3_PROC_MOV_DR |
			   V3_PROC_MWAIT | V3_PROC_MONITOR | V3_PROC_RDPMC |
			   V3_PROC_TSC_OFFSET, V3_PROC_SECONDARY, &f->proc))
		return "VMX lacks a required processor-based control (HLT, I/O or MSR bitmaps, MOV-DR, MONITOR/MWAIT or RDPMC exiting, TSC offsetting)";
	if (!(f->proc & V3_PROC_SECONDARY))
		return "VMX without secondary controls: no EPT";
	if (!(rdmsr_high(tru ? V3_MSR_VMX_TRUE_PROCBASED :
			       V3_MSR_VMX_PROCBASED) & V3_PROC_INTR_WINDOW))
		return "VMX without interrupt-window exiting";
	if (f->proc & (V3_PROC_RDTSC | V3_PROC_INVLPG | V3_PROC_UNCOND_IO))
		return "VMX forces RDTSC, INVLPG or unconditional I/O exiting";
	v3_vmx_probe_shadow(f, tru);
	/* with EPT, INVPCID faults (#UD) unless enabled (25.3) */
	if (boot_cpu_has(X86_FEATURE_INVPCID))
		proc2_opt |= V3_PROC2_INVPCID;
	if (!v3_vmx_adjust(V3_MSR_VMX_PROCBASED2, V3_PROC2_EPT, proc2_opt |
			   V3_PROC2_UNRESTRICTED, &f->proc2))
		return "VMX without EPT is not supported";
	/* guests start in real mode and v3vmm does not emulate it (26.3.1.1) */
	if (!(f->proc2 & V3_PROC2_UNRESTRICTED))
		return "VMX without unrestricted guest is not supported (guests start in real mode)";
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_EXIT : V3_MSR_VMX_EXIT,
			   V3_EXITCTL_HOST_64 | V3_EXITCTL_SAVE_EFER |
			   V3_EXITCTL_LOAD_EFER | V3_EXITCTL_SAVE_PAT |
			   V3_EXITCTL_LOAD_PAT, V3_EXITCTL_SAVE_DEBUG, &f->exit))
		return "VMX lacks 64-bit host or EFER/PAT switching on exit";
	if (f->exit & V3_EXITCTL_ACK_INTR)
		return "VMX forces acknowledge-interrupt-on-exit";
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_ENTRY : V3_MSR_VMX_ENTRY,
			   V3_ENTRYCTL_LOAD_EFER | V3_ENTRYCTL_LOAD_PAT,
			   V3_ENTRYCTL_LOAD_DEBUG, &f->entry))
		return "VMX lacks EFER/PAT loading on entry";
	f->entry &= ~V3_ENTRYCTL_IA32E;		/* set per guest mode */
	return v3_vmx_probe_ept_vpid(f);
}

/*
 * The VMX-preemption timer counts down at the TSC rate divided by
 * 2^IA32_VMX_MISC[4:0] (25.5.1).  The pin-based control may be set when
 * its allowed-1 bit is; v3vmm uses it only for the Bochs workaround,
 * armed with about 1 ms worth of TSC ticks (Bochs claims a 3.5 GHz TSC
 * but advances it at its instruction rate, so there it lasts longer).
 */
static void v3_vmx_probe_preempt(struct v3_vmx_features *f, u64 basic)
{
	bool tru = basic & V3_BASIC_TRUE_CTLS;
	u64 misc, khz = tsc_khz ? tsc_khz : 1000000;

	if (!(rdmsr_high(tru ? V3_MSR_VMX_TRUE_PINBASED : V3_MSR_VMX_PINBASED) &
	      V3_PIN_PREEMPT_TIMER))
		return;
	rdmsrl(V3_MSR_VMX_MISC, misc);
	f->preempt_shift = misc & 0x1f;
	f->preempt_ticks = min_t(u64, max_t(u64, khz >> f->preempt_shift, 1),
				 0xffffffffULL);
}

/*
 * Bochs 2.7 re-evaluates its interrupt mask only when RFLAGS.IF changes
 * during a VM entry, so a guest entered with IF clear never exits for a
 * host interrupt (architecturally it must: external-interrupt exiting,
 * 25.2) and the host CPU is lost until the guest exits by itself.  The
 * workaround arms the VMX-preemption timer on such entries
 * (v3_vmx_entry_pin).  Real CPUs never get it unless forced.
 */
static const char *v3_vmx_probe_quirks(struct v3_vmx_features *f, u64 basic)
{
	bool bochs = basic == V3_BOCHS_VMX_BASIC;
	bool want;

	if (!strcmp(v3_emulator_quirks, "auto"))
		want = bochs;
	else if (!strcmp(v3_emulator_quirks, "on"))
		want = true;
	else if (!strcmp(v3_emulator_quirks, "off"))
		want = false;
	else
		return "emulator_quirks= takes auto, on or off";
	f->emulator = bochs;
	f->quirk_preempt = want && f->preempt_ticks;
	return NULL;
}

int v3_vmx_probe(const char **why)
{
	struct v3_vmx_features *f = &v3_vmx_feat;
	u64 basic, fc = 0;

	*why = NULL;
	memset(f, 0, sizeof(*f));
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return -ENODEV;
	/* raw CPUID: the kernel hides X86_FEATURE_VMX when firmware locked it off */
	if (!(cpuid_ecx(1) & BIT(5))) {
		*why = "Intel CPU without VMX (CPUID.1:ECX[5] clear)";
		return -ENODEV;
	}
	if (rdmsrl_safe(V3_MSR_FEATURE_CONTROL, &fc))
		fc = 0;
	if ((fc & V3_FEATCTL_LOCK) && !(fc & V3_FEATCTL_VMX_OUTSIDE_SMX)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)";
		return -ENODEV;
	}
	rdmsrl(V3_MSR_VMX_BASIC, basic);
	if (V3_BASIC_MEMTYPE(basic) != V3_MEMTYPE_WB ||
	    (basic & V3_BASIC_32BIT_ADDR) || V3_BASIC_SIZE(basic) > PAGE_SIZE) {
		*why = "VMX without a write-back, 64-bit addressable VMCS of at most one page";
		return -ENODEV;
	}
	f->revision = V3_BASIC_REVISION(basic);
	f->vmcs_size = V3_BASIC_SIZE(basic);
	f->insn_info = basic & V3_BASIC_INOUT_INFO;
	f->debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &fc);
	v3_vmx_probe_preempt(f, basic);
	*why = v3_vmx_probe_ctls(f, basic);
	if (!*why)
		*why = v3_vmx_probe_quirks(f, basic);
	if (*why)
		return -ENODEV;
	rdmsrl(V3_MSR_VMX_CR0_FIXED0, f->cr0_fixed0);
	rdmsrl(V3_MSR_VMX_CR0_FIXED1, f->cr0_fixed1);
	rdmsrl(V3_MSR_VMX_CR4_FIXED0, f->cr4_fixed0);
	rdmsrl(V3_MSR_VMX_CR4_FIXED1, f->cr4_fixed1);
	v3_info("VMX: VPID %s, INVEPT %s, EPT A/D %s, WBINVD exiting %s, preemption timer %s, shadow paging %s, emulator quirks: %s%s\n",
		f->vpid ? (f->invvpid_type == V3_INV_SINGLE ? "on (single-context INVVPID)" :
				"on (all-context INVVPID)") : "off",
		f->invept_type == V3_INV_SINGLE ? "single-context" : "all-context",
		f->ept_ad ? "present (unused)" : "absent",
		(f->proc2 & V3_PROC2_WBINVD) ? "on" : "absent",
		f->preempt_ticks ? "present" : "absent",
		f->shadow ? "possible" : "impossible (CR3/INVLPG exiting)",
		f->quirk_preempt ? "Bochs preemption-timer workaround" : "none",
		f->emulator ? " (Bochs recognised)" : "");
	return 0;
}

u64 v3_vmx_caps(void)
{
	const struct v3_vmx_features *f = &v3_vmx_feat;

	return V3_CAP_VMX | V3_CAP_NESTED_PAGING | V3_CAP_LARGE_PAGES |
	       V3_CAP_UNRESTRICTED | (f->vpid ? V3_CAP_VPID : 0) |
	       (f->ept_ad ? V3_CAP_EPT_AD : 0) |
	       (f->preempt_ticks ? V3_CAP_PREEMPT_TIMER : 0) |
	       (f->quirk_preempt ? V3_CAP_EMULATOR_QUIRKS : 0);
}

/*
 * EPT pointer (24.6.11): write-back paging structures, 4-level walk.
 * Bit 6 (A/D flags) stays clear even where the CPU has them: v3vmm never
 * reads them (no dirty logging, guest RAM is never reclaimed), and with
 * them on every guest paging-structure access counts as an EPT write
 * (28.3.5) and the CPU writes EPT entries it would otherwise only read.
 */
u64 v3_vmx_eptp(u64 root_hpa)
{
	return root_hpa | V3_EPTP_WB_4LEVEL;
}

/*
 * Pin-based controls for an entry with the given guest RFLAGS: the
 * VMX-preemption timer is armed only by the Bochs workaround and only
 * when the guest runs with IF clear (the caller writes the timer value,
 * v3_vmx_feat.preempt_ticks, when the bit is set).
 */
u32 v3_vmx_entry_pin(u64 rflags)
{
	u32 pin = v3_vmx_feat.pin;

	if (v3_vmx_feat.quirk_preempt && !(rflags & X86_EFLAGS_IF))
		pin |= V3_PIN_PREEMPT_TIMER;
	return pin;
}
