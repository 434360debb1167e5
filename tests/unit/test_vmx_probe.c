// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX probe (module/vmx/vmx_probe.c) on feature sets Bochs does not
 * offer: synthetic IA32_VMX_* capability MSRs (SDM vol. 3 appendix A) go
 * into the fake CPU, the real v3_vmx_probe() chooses controls, and the
 * test checks them, the capability bits and the refusal texts.
 */
#include "vmx/vmx.h"
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "unit.h"

/* the emulator_quirks= parameter, defined in main.c */
char *v3_emulator_quirks = "auto";

#define CAP(allowed0, allowed1)	(((u64)(allowed1) << 32) | (u32)(allowed0))

/* A Skylake-SP-like server CPU (values of the kind real parts report). */
#define REAL_BASIC		0x00da040000000004ULL	/* rev 4, WB, INOUT, TRUE_CTLS */
#define REAL_PIN		CAP(0x16, 0xff)		/* incl. preemption timer */
#define REAL_PROC		CAP(0x0401e172, 0xfff9fffe)	/* CR3 exiting forced */
#define REAL_TRUE_PROC		CAP(0x04006172, 0xfff9fffe)
#define REAL_PROC2		CAP(0, 0x001ffcff)	/* EPT, VPID, WBINVD, UG, ... */
#define REAL_EXIT		CAP(0x00036dff, 0x01ffffff)
#define REAL_TRUE_EXIT		CAP(0x00036dfb, 0x01ffffff)
#define REAL_ENTRY		CAP(0x000011ff, 0x0003ffff)
#define REAL_TRUE_ENTRY		CAP(0x000011fb, 0x0003ffff)
#define REAL_MISC		0x7004c1e7ULL		/* timer rate shift 7 */
#define REAL_EPT_VPID		0x00000f0106734141ULL

/* Bochs 2.7 corei7_skylake_x (test-platform.md, measured) */
#define BOCHS_BASIC		0x00d810000000002bULL
#define BOCHS_EPT_VPID		0x00000f0106334141ULL
#define BOCHS_MISC		0x000001c0ULL		/* timer rate shift 0 */

static void cpu_common(void)
{
	shim_cpu_reset();
	shim_cpu.vendor = X86_VENDOR_INTEL;
	shim_set_cpuid(1, 0, 0, 0, BIT(5), 0);
	shim_set_msr(V3_MSR_FEATURE_CONTROL, 0x5);
	shim_set_msr(V3_MSR_VMX_CR0_FIXED0, 0x80000021);
	shim_set_msr(V3_MSR_VMX_CR0_FIXED1, 0xffffffff);
	shim_set_msr(V3_MSR_VMX_CR4_FIXED0, 0x2000);
	shim_set_msr(V3_MSR_VMX_CR4_FIXED1, 0x3767ff);
	tsc_khz = 2600000;
	v3_emulator_quirks = "auto";
}

static void ctls(u64 pin, u64 proc, u64 proc2, u64 exit, u64 entry)
{
	shim_set_msr(V3_MSR_VMX_PINBASED, pin);
	shim_set_msr(V3_MSR_VMX_TRUE_PINBASED, pin);
	shim_set_msr(V3_MSR_VMX_PROCBASED, proc);
	shim_set_msr(V3_MSR_VMX_TRUE_PROCBASED, proc);
	shim_set_msr(V3_MSR_VMX_PROCBASED2, proc2);
	shim_set_msr(V3_MSR_VMX_EXIT, exit);
	shim_set_msr(V3_MSR_VMX_TRUE_EXIT, exit);
	shim_set_msr(V3_MSR_VMX_ENTRY, entry);
	shim_set_msr(V3_MSR_VMX_TRUE_ENTRY, entry);
}

static void cpu_real(void)
{
	cpu_common();
	shim_set_msr(V3_MSR_VMX_BASIC, REAL_BASIC);
	ctls(REAL_PIN, REAL_PROC, REAL_PROC2, REAL_EXIT, REAL_ENTRY);
	shim_set_msr(V3_MSR_VMX_TRUE_PROCBASED, REAL_TRUE_PROC);
	shim_set_msr(V3_MSR_VMX_TRUE_EXIT, REAL_TRUE_EXIT);
	shim_set_msr(V3_MSR_VMX_TRUE_ENTRY, REAL_TRUE_ENTRY);
	shim_set_msr(V3_MSR_VMX_MISC, REAL_MISC);
	shim_set_msr(V3_MSR_VMX_EPT_VPID_CAP, REAL_EPT_VPID);
	shim_set_msr(MSR_IA32_DEBUGCTLMSR, 0);
}

static void cpu_bochs(void)
{
	cpu_common();
	shim_set_msr(V3_MSR_VMX_BASIC, BOCHS_BASIC);
	ctls(REAL_PIN, REAL_TRUE_PROC, REAL_PROC2, REAL_TRUE_EXIT, REAL_TRUE_ENTRY);
	shim_set_msr(V3_MSR_VMX_MISC, BOCHS_MISC);
	shim_set_msr(V3_MSR_VMX_EPT_VPID_CAP, BOCHS_EPT_VPID);
	tsc_khz = 3500000;		/* what Bochs' CPU claims */
	shim_set_msr(MSR_IA32_DEBUGCTLMSR, 0);
}

static const char *why;
static int probe(void)
{
	why = NULL;
	return v3_vmx_probe(&why);
}

static void set_high(u32 msr, u32 clear, u32 set)
{
	u64 v = 0;

	shim_rdmsr(msr, &v);
	v &= ~((u64)clear << 32);
	v |= (u64)set << 32;
	shim_set_msr(msr, v);
}

static void set_low(u32 msr, u32 set)
{
	u64 v = 0;

	shim_rdmsr(msr, &v);
	shim_set_msr(msr, v | set);
}

static void set_ept_vpid(u64 clear, u64 set)
{
	shim_set_msr(V3_MSR_VMX_EPT_VPID_CAP, (REAL_EPT_VPID & ~clear) | set);
}

#define REFUSED(text, what) do {					\
	int __r = probe();						\
	CHECK(__r == -ENODEV && why && strstr(why, text),		\
	      "refused: %s (\"%s\")", what, why ? why : "(no reason)");	\
} while (0)

static void test_real_cpu(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;
	u64 caps;

	cpu_real();
	CHECK_EQ(probe(), 0, "real CPU: probe accepts it");
	CHECK((f->pin & (V3_PIN_EXT_INTR | V3_PIN_NMI)) ==
	      (V3_PIN_EXT_INTR | V3_PIN_NMI) && !(f->pin & V3_PIN_PREEMPT_TIMER),
	      "real CPU: external-interrupt and NMI exiting, no preemption timer by default");
	CHECK((f->proc & (V3_PROC_HLT | V3_PROC_IO_BITMAPS | V3_PROC_MSR_BITMAPS |
			  V3_PROC_RDPMC | V3_PROC_SECONDARY | V3_PROC_TSC_OFFSET)) ==
	      (V3_PROC_HLT | V3_PROC_IO_BITMAPS | V3_PROC_MSR_BITMAPS |
	       V3_PROC_RDPMC | V3_PROC_SECONDARY | V3_PROC_TSC_OFFSET),
	      "real CPU: HLT, bitmaps, RDPMC exiting, TSC offsetting, secondary controls");
	CHECK(!(f->proc & (V3_PROC_RDTSC | V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE)),
	      "real CPU: true controls let CR3-load/store and RDTSC exiting stay off");
	CHECK_EQ(f->proc2 & (V3_PROC2_EPT | V3_PROC2_UNRESTRICTED | V3_PROC2_VPID |
			     V3_PROC2_WBINVD),
		 V3_PROC2_EPT | V3_PROC2_UNRESTRICTED | V3_PROC2_VPID | V3_PROC2_WBINVD,
		 "real CPU: EPT, unrestricted guest, VPID, WBINVD exiting");
	CHECK(!(f->proc2 & V3_PROC2_INVPCID), "real CPU: INVPCID left off when the host lacks it");
	CHECK(f->vpid && f->invvpid_type == V3_INV_SINGLE && f->invept_type == V3_INV_SINGLE,
	      "real CPU: VPID with single-context INVVPID, single-context INVEPT");
	CHECK(f->ept_ad, "real CPU: EPT A/D flags detected");
	CHECK_EQ(v3_vmx_eptp(0x1234000) & 0xfff, 0x1e,
		 "EPTP: WB, 4-level walk, A/D enable (bit 6) clear even with A/D flags");
	CHECK_EQ(f->preempt_ticks, 2600000 >> 7, "real CPU: timer ticks = tsc_khz >> 7 (rate from IA32_VMX_MISC)");
	CHECK(f->exit & V3_EXITCTL_HOST_64 && !(f->exit & V3_EXITCTL_ACK_INTR) &&
	      !(f->entry & V3_ENTRYCTL_IA32E),
	      "real CPU: 64-bit host, no interrupt acknowledge on exit, IA-32e entry left per guest");
	caps = v3_vmx_caps();
	CHECK_EQ(caps & (V3_CAP_VPID | V3_CAP_EPT_AD | V3_CAP_PREEMPT_TIMER |
			 V3_CAP_EMULATOR_QUIRKS | V3_CAP_UNRESTRICTED),
		 V3_CAP_VPID | V3_CAP_EPT_AD | V3_CAP_PREEMPT_TIMER | V3_CAP_UNRESTRICTED,
		 "real CPU: caps VPID, EPT_AD, PREEMPT_TIMER, no EMULATOR_QUIRKS");
	CHECK(!f->emulator && !f->quirk_preempt, "real CPU: not taken for Bochs, no quirks");
	CHECK_EQ(v3_vmx_entry_pin(0), f->pin,
		 "real CPU: an IF=0 entry does not arm the preemption timer");
	CHECK(strstr(shim_last_log, "emulator quirks: none") != NULL,
	      "real CPU: load log says 'emulator quirks: none' (%s)", shim_last_log);

	/* the same CPU, quirks forced by a test harness */
	cpu_real();
	v3_emulator_quirks = "on";
	CHECK(probe() == 0 && v3_vmx_feat.quirk_preempt &&
	      (v3_vmx_caps() & V3_CAP_EMULATOR_QUIRKS),
	      "emulator_quirks=on: the workaround applies on any CPU with a timer");
	CHECK(v3_vmx_entry_pin(0) & V3_PIN_PREEMPT_TIMER, "emulator_quirks=on: IF=0 entry arms the timer");
	CHECK(!(v3_vmx_entry_pin(X86_EFLAGS_IF) & V3_PIN_PREEMPT_TIMER),
	      "emulator_quirks=on: IF=1 entry does not");
	cpu_real();
	v3_emulator_quirks = "off";
	CHECK(probe() == 0 && !v3_vmx_feat.quirk_preempt, "emulator_quirks=off on a real CPU: none");
	cpu_real();
	v3_emulator_quirks = "sometimes";
	REFUSED("emulator_quirks= takes auto, on or off", "emulator_quirks=sometimes");

	/* INVPCID enabled when the host has it (else it would #UD in the guest) */
	cpu_real();
	shim_cpu.caps[X86_FEATURE_INVPCID / 64] |= 1ULL << (X86_FEATURE_INVPCID % 64);
	CHECK(probe() == 0 && (v3_vmx_feat.proc2 & V3_PROC2_INVPCID),
	      "host with INVPCID: enable-INVPCID set");
}

static void test_bochs(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;

	cpu_bochs();
	CHECK_EQ(probe(), 0, "Bochs: probe accepts it");
	CHECK(f->emulator && f->quirk_preempt, "Bochs (IA32_VMX_BASIC 0xd810000000002b): recognised, workaround on");
	CHECK_EQ(v3_vmx_caps() & (V3_CAP_EMULATOR_QUIRKS | V3_CAP_PREEMPT_TIMER | V3_CAP_EPT_AD | V3_CAP_VPID),
		 V3_CAP_EMULATOR_QUIRKS | V3_CAP_PREEMPT_TIMER | V3_CAP_EPT_AD | V3_CAP_VPID,
		 "Bochs: caps EMULATOR_QUIRKS, PREEMPT_TIMER, EPT_AD, VPID");
	CHECK_EQ(f->preempt_ticks, 3500000, "Bochs: rate shift 0, ticks = tsc_khz");
	CHECK(v3_vmx_entry_pin(0) & V3_PIN_PREEMPT_TIMER, "Bochs: IF=0 entry arms the timer");
	CHECK(!(v3_vmx_entry_pin(X86_EFLAGS_IF) & V3_PIN_PREEMPT_TIMER), "Bochs: IF=1 entry does not");
	CHECK(strstr(shim_last_log, "Bochs preemption-timer workaround") != NULL,
	      "Bochs: load log names the workaround (%s)", shim_last_log);

	cpu_bochs();
	v3_emulator_quirks = "off";
	CHECK(probe() == 0 && f->emulator && !f->quirk_preempt &&
	      !(v3_vmx_caps() & V3_CAP_EMULATOR_QUIRKS) && !(v3_vmx_entry_pin(0) & V3_PIN_PREEMPT_TIMER),
	      "Bochs with emulator_quirks=off: no workaround");

	/* the fingerprint is the whole IA32_VMX_BASIC value */
	cpu_bochs();
	shim_set_msr(V3_MSR_VMX_BASIC, BOCHS_BASIC | BIT_ULL(49));
	CHECK(probe() == 0 && !f->emulator && !f->quirk_preempt,
	      "revision 0x2b with dual-monitor treatment: not Bochs, no workaround");
	cpu_bochs();
	shim_set_msr(V3_MSR_VMX_BASIC, (BOCHS_BASIC & ~0x1fff00000000ULL) | (0x400ULL << 32));
	CHECK(probe() == 0 && !f->emulator && !f->quirk_preempt,
	      "revision 0x2b with a 1 KiB VMCS: not Bochs, no workaround");
	cpu_bochs();
	shim_set_msr(V3_MSR_VMX_BASIC, REAL_BASIC);
	CHECK(probe() == 0 && !f->emulator && !f->quirk_preempt,
	      "Bochs' other MSRs with a real IA32_VMX_BASIC: not Bochs, no workaround");
}

static void test_preempt_timer(void)
{
	static const unsigned int shifts[] = { 0, 5, 7, 10, 31 };
	unsigned int i;

	/* absent: allowed-1 of the pin-based controls lacks bit 6 */
	cpu_bochs();
	set_high(V3_MSR_VMX_TRUE_PINBASED, V3_PIN_PREEMPT_TIMER, 0);
	CHECK(probe() == 0 && !v3_vmx_feat.preempt_ticks &&
	      !(v3_vmx_caps() & (V3_CAP_PREEMPT_TIMER | V3_CAP_EMULATOR_QUIRKS)),
	      "no preemption timer: no PREEMPT_TIMER cap, Bochs workaround cannot apply");
	CHECK(!(v3_vmx_entry_pin(0) & V3_PIN_PREEMPT_TIMER), "no preemption timer: never armed");
	cpu_real();
	v3_emulator_quirks = "on";
	set_high(V3_MSR_VMX_TRUE_PINBASED, V3_PIN_PREEMPT_TIMER, 0);
	CHECK(probe() == 0 && !v3_vmx_feat.quirk_preempt,
	      "no preemption timer, emulator_quirks=on: still no workaround");

	/* only the true MSR counts when IA32_VMX_BASIC[55] is set */
	cpu_real();
	set_high(V3_MSR_VMX_PINBASED, V3_PIN_PREEMPT_TIMER, 0);
	CHECK(probe() == 0 && v3_vmx_feat.preempt_ticks,
	      "timer read from IA32_VMX_TRUE_PINBASED_CTLS when true controls exist");

	for (i = 0; i < ARRAY_SIZE(shifts); i++) {
		u64 want = max_t(u64, 2600000ULL >> shifts[i], 1);

		cpu_real();
		shim_set_msr(V3_MSR_VMX_MISC, (REAL_MISC & ~0x1fULL) | shifts[i]);
		CHECK(probe() == 0 && v3_vmx_feat.preempt_shift == shifts[i] &&
		      v3_vmx_feat.preempt_ticks == want,
		      "IA32_VMX_MISC rate shift %u: %llu ticks (~1 ms at 2.6 GHz)", shifts[i],
		      (unsigned long long)want);
	}
	cpu_real();
	tsc_khz = 0;
	CHECK(probe() == 0 && v3_vmx_feat.preempt_ticks == 1000000 >> 7,
	      "unknown TSC rate: 1 GHz assumed");
}

static void test_vpid(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;

	cpu_real();
	set_high(V3_MSR_VMX_PROCBASED2, V3_PROC2_VPID, 0);
	CHECK(probe() == 0 && !f->vpid && !(f->proc2 & V3_PROC2_VPID) &&
	      !(v3_vmx_caps() & V3_CAP_VPID),
	      "VPID absent: not enabled, no VPID cap");
	cpu_real();
	set_ept_vpid(V3_VPID_CAP_INVVPID, 0);
	CHECK(probe() == 0 && !f->vpid && !(f->proc2 & V3_PROC2_VPID),
	      "VPID control without INVVPID: VPID left off");
	cpu_real();
	set_ept_vpid(V3_VPID_CAP_SINGLE, 0);
	CHECK(probe() == 0 && f->vpid && f->invvpid_type == V3_INV_ALL,
	      "INVVPID all-context only: VPID on, flushes all contexts");
	cpu_real();
	set_ept_vpid(V3_VPID_CAP_ALL, 0);
	CHECK(probe() == 0 && f->vpid && f->invvpid_type == V3_INV_SINGLE,
	      "INVVPID single-context only: VPID on, single-context flushes");
	cpu_real();
	set_ept_vpid(V3_VPID_CAP_SINGLE | V3_VPID_CAP_ALL | BIT_ULL(43), V3_VPID_CAP_ADDR);
	CHECK(probe() == 0 && !f->vpid && !(f->proc2 & V3_PROC2_VPID),
	      "INVVPID individual-address only: VPID left off (no whole-context flush)");
}

static void test_ept(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;

	cpu_real();
	set_ept_vpid(V3_EPT_CAP_INVEPT_SINGLE, 0);
	CHECK(probe() == 0 && f->invept_type == V3_INV_ALL, "INVEPT global only: all-context flushes");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_INVEPT_ALL, 0);
	CHECK(probe() == 0 && f->invept_type == V3_INV_SINGLE, "INVEPT single-context only: used");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_INVEPT_SINGLE | V3_EPT_CAP_INVEPT_ALL, 0);
	REFUSED("EPT without INVEPT", "INVEPT with neither type");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_INVEPT, 0);
	REFUSED("EPT without INVEPT", "no INVEPT");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_AD, 0);
	CHECK(probe() == 0 && !f->ept_ad && !(v3_vmx_caps() & V3_CAP_EPT_AD),
	      "EPT without A/D flags: no EPT_AD cap");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_2MB, 0);
	REFUSED("2 MiB pages", "EPT without 2 MiB pages");
	cpu_real();
	set_ept_vpid(V3_EPT_CAP_WALK4, 0);
	REFUSED("4-level walks", "EPT without 4-level walks");
	cpu_real();
	set_high(V3_MSR_VMX_PROCBASED2, V3_PROC2_EPT, 0);
	REFUSED("VMX without EPT is not supported", "no EPT control");
}

static void test_refusals(void)
{
	cpu_real();
	set_high(V3_MSR_VMX_PROCBASED2, V3_PROC2_UNRESTRICTED, 0);
	REFUSED("VMX without unrestricted guest is not supported", "no unrestricted guest");
	cpu_real();
	set_high(V3_MSR_VMX_TRUE_PROCBASED, V3_PROC_SECONDARY, 0);
	REFUSED("VMX without secondary controls", "no secondary controls");
	cpu_real();
	set_high(V3_MSR_VMX_TRUE_PROCBASED, V3_PROC_RDPMC, 0);
	REFUSED("RDPMC exiting", "no RDPMC exiting");
	cpu_real();
	set_high(V3_MSR_VMX_TRUE_PROCBASED, V3_PROC_INTR_WINDOW, 0);
	REFUSED("interrupt-window exiting", "no interrupt-window exiting");
	cpu_real();
	set_low(V3_MSR_VMX_TRUE_PROCBASED, V3_PROC_RDTSC);
	REFUSED("forces RDTSC", "RDTSC exiting forced");
	cpu_real();
	set_high(V3_MSR_VMX_TRUE_PINBASED, V3_PIN_NMI, 0);
	REFUSED("NMI exiting", "no NMI exiting");
	cpu_real();
	set_low(V3_MSR_VMX_TRUE_EXIT, V3_EXITCTL_ACK_INTR);
	REFUSED("acknowledge-interrupt-on-exit", "interrupt acknowledge forced");
	cpu_real();
	set_high(V3_MSR_VMX_TRUE_ENTRY, V3_ENTRYCTL_LOAD_EFER, 0);
	REFUSED("EFER/PAT loading on entry", "no EFER loading on entry");
	cpu_real();
	shim_set_msr(V3_MSR_VMX_BASIC, REAL_BASIC & ~(0xfULL << 50));
	REFUSED("without a write-back, 64-bit addressable VMCS", "VMCS memory type UC");
	cpu_real();
	shim_set_cpuid(1, 0, 0, 0, 0, 0);
	REFUSED("CPUID.1:ECX[5] clear", "no VMX in CPUID");
	cpu_real();
	shim_set_msr(V3_MSR_FEATURE_CONTROL, 0x1);
	REFUSED("VMX disabled by firmware", "IA32_FEATURE_CONTROL locked off");
	cpu_real();
	shim_cpu.vendor = X86_VENDOR_AMD;
	CHECK(probe() == -ENODEV && !why, "AMD CPU: not ours, no reason given");

	/* WBINVD exiting is optional (older CPUs): WBINVD then runs natively */
	cpu_real();
	set_high(V3_MSR_VMX_PROCBASED2, V3_PROC2_WBINVD, 0);
	CHECK(probe() == 0 && !(v3_vmx_feat.proc2 & V3_PROC2_WBINVD),
	      "no WBINVD exiting: accepted without it");
}

static void test_true_controls(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;

	/* IA32_VMX_BASIC[55] clear: the plain MSRs, whose default1 bits stay 1 */
	cpu_real();
	shim_set_msr(V3_MSR_VMX_BASIC, REAL_BASIC & ~V3_BASIC_TRUE_CTLS);
	shim_set_msr(V3_MSR_VMX_TRUE_PINBASED, CAP(0x16, 0x16));	/* must be ignored */
	CHECK(probe() == 0 && (f->proc & (V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE)) ==
	      (V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE) && (f->pin & V3_PIN_NMI) &&
	      (f->exit & V3_EXITCTL_SAVE_DEBUG),
	      "no true controls: plain MSRs used, CR3-load/store exiting forced on");
	cpu_real();
	CHECK(probe() == 0 && !(f->proc & (V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE)),
	      "true controls: CR3-load/store exiting off");
	cpu_real();
	shim_set_msr(V3_MSR_VMX_TRUE_PINBASED, CAP(0x16, 0x16));
	REFUSED("NMI exiting", "true controls: the true pin-based MSR is the one read");
}

int main(void)
{
	test_real_cpu();
	test_bochs();
	test_preempt_timer();
	test_vpid();
	test_ept();
	test_refusals();
	test_true_controls();
	return unit_done();
}
