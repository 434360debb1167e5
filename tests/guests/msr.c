// SPDX-License-Identifier: GPL-2.0
/*
 * msr: RDMSR/WRMSR of the MSRs v3vmm handles, and #GP(0) for the ones it
 * does not (SDM Vol. 2B RDMSR/WRMSR: "#GP(0) if ECX specifies a reserved
 * or unimplemented MSR address", and for setting reserved bits).  Every
 * access goes through rdmsr_safe()/wrmsr_safe() so a wrong #GP is reported
 * rather than fatal.  STAR/LSTAR are tested in long mode by hello64 and
 * longmode.
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("msr");

#define MSR_UNKNOWN1	0x12345678
#define MSR_UNKNOWN2	0x4b564d99	/* near KVM's range, not ours */

static int rd(uint32_t msr, uint64_t *v, const char *name)
{
	int vec = rdmsr_safe(msr, v);

	if (vec >= 0)
		tap_diag("rdmsr %s (%#x) raised %s error %#x", name, msr,
			 trap_name(vec), (unsigned int)last_fault.error);
	return vec < 0;
}

static int wr(uint32_t msr, uint64_t v, const char *name)
{
	int vec = wrmsr_safe(msr, v);

	if (vec >= 0)
		tap_diag("wrmsr %s (%#x) <- %#llx raised %s error %#x", name,
			 msr, (unsigned long long)v, trap_name(vec),
			 (unsigned int)last_fault.error);
	return vec < 0;
}

static void round_trip(uint32_t msr, uint64_t val, const char *name)
{
	uint64_t old = 0, got = 0;
	int ok;

	ok = rd(msr, &old, name) && wr(msr, val, name) && rd(msr, &got, name);
	if (ok && got != val)
		tap_diag("%s: wrote %#llx read %#llx", name,
			 (unsigned long long)val, (unsigned long long)got);
	ok = ok && got == val && wr(msr, old, name);
	tap_ok(ok, "%s round trip", name);
}

static void expect_gp(int vec, const char *what)
{
	int ok = vec == X86_TRAP_GP && last_fault.error == 0;

	if (!ok)
		tap_diag("got vector %d error %#x", vec,
			 (unsigned int)last_fault.error);
	tap_ok(ok, "%s raises #GP(0)", what);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t v = 0, t1, t2 = 0, t3, efer = 0;
	int ok;
	uint32_t ext_edx = cpuid(0x80000000).eax >= 0x80000001 ?
			   cpuid(0x80000001).edx : 0;

	/* EFER (SDM Vol. 3A §2.2.1, APM Vol. 2 §3.1.7) */
	ok = rd(MSR_EFER, &efer, "EFER");
	tap_ok(ok, "EFER readable (%#llx)", (unsigned long long)efer);
	tap_ok(!(efer & (EFER_LME | EFER_LMA)),
	       "EFER.LME/LMA clear in 32-bit protected mode");
	if (ext_edx & (1U << 11))	/* SYSCALL/SYSRET */
		round_trip(MSR_EFER, efer | EFER_SCE, "EFER.SCE");
	if (ext_edx & (1U << 20))	/* NX */
		round_trip(MSR_EFER, efer | EFER_NXE, "EFER.NXE");
	expect_gp(wrmsr_safe(MSR_EFER, efer | (1U << 1)),
		  "setting reserved EFER bit 1");
	expect_gp(wrmsr_safe(MSR_EFER, efer | (1ULL << 63)),
		  "setting reserved EFER bit 63");
	tap_ok(rd(MSR_EFER, &v, "EFER") && v == efer,
	       "EFER unchanged by the refused writes");

	/* PAT: every byte one of UC WC WT WP WB UC- (SDM Vol. 3A §13.12.2) */
	ok = rd(MSR_IA32_PAT, &v, "PAT");
	tap_ok(ok, "PAT readable (%#llx)", (unsigned long long)v);
	round_trip(MSR_IA32_PAT, 0x0001050400070106ULL, "IA32_PAT");
	expect_gp(wrmsr_safe(MSR_IA32_PAT, 0x0007040600070402ULL),
		  "PAT with reserved type 2");

	/* TSC: monotonic through RDTSC and RDMSR 0x10 */
	t1 = rdtsc();
	ok = rd(MSR_IA32_TSC, &t2, "TSC");
	t3 = rdtsc();
	tap_ok(ok, "TSC MSR readable");
	tap_ok(t1 <= t2 && t2 <= t3 && t1 < t3,
	       "TSC monotonic (%#llx %#llx %#llx)", (unsigned long long)t1,
	       (unsigned long long)t2, (unsigned long long)t3);

	/* APIC base (SDM Vol. 3A §11.4.4): vCPU 0 is the BSP */
	v = 0;
	ok = rd(MSR_IA32_APIC_BASE, &v, "APIC_BASE");
	tap_ok(ok, "APIC_BASE readable (%#llx)", (unsigned long long)v);
	tap_ok(v & (1U << 8), "APIC_BASE.BSP set");
	tap_ok((v & ~0xfffULL) == 0xfee00000, "APIC base address 0xfee00000");

	ok = rd(MSR_IA32_MISC_ENABLE, &v, "MISC_ENABLE");
	tap_ok(ok, "MISC_ENABLE readable (%#llx)", (unsigned long long)v);

	/* SYSENTER MSRs (SDM Vol. 3A §5.8.7) */
	round_trip(MSR_IA32_SYSENTER_CS, 0x10, "SYSENTER_CS");
	round_trip(MSR_IA32_SYSENTER_ESP, 0x12345670, "SYSENTER_ESP");
	round_trip(MSR_IA32_SYSENTER_EIP, 0x00c0ffee, "SYSENTER_EIP");

	/* Unknown MSRs */
	expect_gp(rdmsr_safe(MSR_UNKNOWN1, &v), "rdmsr 0x12345678");
	expect_gp(wrmsr_safe(MSR_UNKNOWN1, 1), "wrmsr 0x12345678");
	expect_gp(rdmsr_safe(MSR_UNKNOWN2, &v), "rdmsr 0x4b564d99");
	expect_gp(wrmsr_safe(MSR_UNKNOWN2, 0), "wrmsr 0x4b564d99");
	return tap_done();
}
