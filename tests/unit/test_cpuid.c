// SPDX-License-Identifier: GPL-2.0
/*
 * The guest CPUID allowlist (module/cpuid.c) through the real
 * v3_handle_cpuid:
 *  - a synthetic "future" host with every bit of every leaf set up to
 *    0x30 and 0x80000030 (sub-leaves 0-3, XSAVE components 0-31): nothing
 *    outside this test's own list of what v3vmm virtualizes may come out,
 *    in particular not the speculation-control family, AMX, CET, MPX,
 *    WAITPKG, LA57, the PMU bits, nor any leaf past the clamp;
 *  - an AMD EPYC (Zen 2) and an Intel Skylake-SP host: what a Linux guest
 *    needs (SSE..AVX2/AVX-512, XSAVE, NX, LM, ...) is still offered.
 * The list below is written independently of the module's table: a bit
 * added there without a thought fails here.
 */
#include "v3.h"
#include <asm/processor-flags.h>
#include "spec_policy.h"
#include "unit.h"

/* --- what cpuid.c uses from fpu.c, pvclock.c, exit.c ---------------------- */
static u64 host_xcr0;
u64 v3_host_xcr0(void) { return host_xcr0; }	/* fpu.c would also mask */
u64 v3_guest_xcr0(struct v3_vcpu *vcpu) { return vcpu->xcr0; }
u32 v3_xsave_size(u64 xcr0) { return 576 + 256 * __builtin_popcountll(xcr0 >> 2); }
u32 v3_xsavec_size(u64 xcr0) { return 576 + 128 * __builtin_popcountll(xcr0 >> 2); }
bool v3_pvclock_cpuid(struct v3_vm *vm, u32 leaf, u32 *a, u32 *b, u32 *c,
		      u32 *d) { return false; }
void v3_skip_insn(struct v3_vcpu *vcpu) { vcpu->regs.rip += vcpu->exit.insn_len; }
/* spec_ctrl.c's wrapper over the real policy code (spec_policy.c) */
static struct v3_spec_policy spec;	/* zero: nothing offered */
u32 v3_spec_cpuid_bits(u32 leaf, u32 sub, int reg, u32 host)
{
	return v3_spec_guest_cpuid(&spec, leaf, sub, reg, host);
}

static void spec_policy(bool amd, bool ibrs, bool stibp, bool ssbd, bool ibpb)
{
	struct v3_spec_facts f = {
		.vmx = !amd, .msr_spec_ctrl = ibrs || stibp || ssbd,
		.hw_ibrs = ibrs, .hw_stibp = stibp, .hw_ssbd = ssbd,
		.hw_ibpb = ibpb,
	};

	v3_spec_decide(&f, &spec);
}

static struct v3_vm vm;
static struct v3_vcpu vcpu;
static u32 ra, rb, rc, rd;

static void guest_cpuid(u32 leaf, u32 sub)
{
	vcpu.regs.gpr[V3_RAX] = leaf | 0xdead000000000000ULL;
	vcpu.regs.gpr[V3_RCX] = sub;
	vcpu.regs.rip = 0x1000;
	vcpu.exit.insn_len = 2;
	v3_handle_cpuid(&vcpu);
	ra = vcpu.regs.gpr[V3_RAX];
	rb = vcpu.regs.gpr[V3_RBX];
	rc = vcpu.regs.gpr[V3_RCX];
	rd = vcpu.regs.gpr[V3_RDX];
}

static u32 bits(const int *list)
{
	u32 m = 0;

	for (; *list >= 0; list++)
		m |= 1U << *list;
	return m;
}
#define B(...) bits((const int[]){ __VA_ARGS__, -1 })

/* leaf 1 ECX: SSE3 PCLMUL SSSE3 FMA CX16 PCID SSE4.1 SSE4.2 x2APIC MOVBE
 * POPCNT TSC-DL AES XSAVE OSXSAVE AVX F16C RDRAND HV */
#define OK_ECX1 B(0, 1, 9, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)
/* leaf 1 EDX: all but MCE(7) MCA(14) PSN(18) DS(21) ACPI(22) TM(29) PBE(31)
 * and the reserved 10, 20, 30 */
#define OK_EDX1 B(0, 1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 15, 16, 17, 19, 23, 24, 25, 26, 27, 28)
#define OK_EBX7 B(0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 17, 18, 19, 20, 21, 23, 24, 26, 27, 28, 29, 30, 31)
#define OK_ECX7 B(0, 1, 2, 3, 4, 6, 8, 9, 10, 11, 12, 14, 25, 27, 28)
#define OK_EDX7 B(2, 3, 4, 8, 10, 14, 23)
#define OK_ECX81 B(0, 1, 5, 6, 7, 8, 11, 16, 21)
#define OK_EDX81 B(0, 1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 15, 16, 17, 20, 22, 23, 24, 26, 29, 30, 31)
#define OK_XCR0 0x2e7ULL	/* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM PKRU */

static void future_host(void)
{
	u32 l, s;

	shim_cpu_reset();
	for (l = 0; l <= 0x30; l++)
		for (s = 0; s < (l == 0xd ? 32 : 4); s++)
			shim_set_cpuid(l, s, ~0U, ~0U, ~0U, ~0U);
	for (l = 0x80000000; l <= 0x80000030; l++)
		for (s = 0; s < 4; s++)
			shim_set_cpuid(l, s, ~0U, ~0U, ~0U, ~0U);
	shim_set_cpuid(0, 0, 0x30, 0x756e6547, 0x6c65746e, 0x49656e69);
	shim_set_cpuid(0x80000000, 0, 0x80000030, 0, 0, 0);
	for (s = 2; s < 32; s++)	/* component sizes/offsets */
		shim_set_cpuid(0xd, s, 0x100 * s, 0x200 + 0x40 * s, ~0U, ~0U);
	host_xcr0 = ~0ULL;
}

/* may this (leaf, sub, reg) carry bits at all, and which */
static void allowed(u32 l, u32 s, u32 m[4])
{
	m[0] = m[1] = m[2] = m[3] = 0;
	switch (l) {
	case 0: case 2: case 4: case 0x15: case 0x16:
	case 0x80000002: case 0x80000003: case 0x80000004:
	case 0x80000005: case 0x80000006:
		m[0] = m[1] = m[2] = m[3] = ~0U;
		break;
	case 1:
		m[0] = m[1] = ~0U;
		m[2] = OK_ECX1;
		m[3] = OK_EDX1;
		break;
	case 7:
		if (s == 0) {
			m[1] = OK_EBX7;
			m[2] = OK_ECX7;
			m[3] = OK_EDX7;
		}
		break;
	case 0xb: case 0x1f:
		m[0] = 0x1f;
		m[1] = 0xffff;
		m[2] = 0xffff;
		m[3] = ~0U;
		break;
	case 0xd:
		if (s == 0) {
			m[0] = (u32)OK_XCR0;
			m[1] = m[2] = ~0U;
		} else if (s == 1) {
			m[0] = 0x7;	/* XSAVEOPT XSAVEC XGETBV1 */
			m[1] = ~0U;
		} else if (s < 32 && (OK_XCR0 & (1ULL << s))) {
			m[0] = m[1] = ~0U;
			m[2] = 2;
		}
		break;
	case 0x80000000:
		m[0] = m[1] = m[2] = m[3] = ~0U;
		break;
	case 0x80000001:
		m[0] = ~0U;
		m[2] = OK_ECX81;
		m[3] = OK_EDX81;
		break;
	case 0x80000007:
		m[3] = B(8);
		break;
	case 0x80000008:
		m[0] = 0xffff;
		m[1] = B(0, 2);
		m[2] = 0xff;
		break;
	}
}

static void test_future(void)
{
	static const u32 ranges[][2] = { { 0, 0x30 }, { 0x80000000, 0x80000030 } };
	unsigned int i, bad = 0;
	u32 l, s, m[4];

	future_host();
	vm.nr_vcpus = 4;
	vcpu.id = 2;
	vcpu.regs.cr4 = 0;
	vcpu.xcr0 = 1;
	for (i = 0; i < 2; i++) {
		for (l = ranges[i][0]; l <= ranges[i][1]; l++) {
			for (s = 0; s < (l == 0xd ? 32 : 4); s++) {
				u32 got[4];
				unsigned int r;

				guest_cpuid(l, s);
				got[0] = ra, got[1] = rb, got[2] = rc, got[3] = rd;
				allowed(l, s, m);
				for (r = 0; r < 4; r++) {
					if (!(got[r] & ~m[r]))
						continue;
					if (bad++ < 8)
						printf("# leaf %#x.%u reg %c: %#x outside the allowlist (%#x)\n",
						       l, s, "abcd"[r], got[r] & ~m[r], m[r]);
				}
			}
		}
	}
	CHECK_EQ(bad, 0, "future host: no bit outside the allowlist in leaves 0-0x30, 0x80000000-0x80000030");

	guest_cpuid(0, 0);
	CHECK_EQ(ra, 0x1f, "future host: max standard leaf clamped to 0x1f");
	CHECK_EQ(rb, 0x756e6547, "future host: vendor string passed");
	guest_cpuid(0x80000000, 0);
	CHECK_EQ(ra, 0x80000008, "future host: max extended leaf clamped to 0x80000008");
	guest_cpuid(7, 0);
	CHECK_EQ(ra, 0, "leaf 7: no sub-leaf beyond 0 (EAX 0)");
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), 0, "leaf 7 EDX: IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD hidden");
	CHECK_EQ(rd & B(22, 24, 25), 0, "leaf 7 EDX: AMX-BF16/TILE/INT8 hidden");
	CHECK_EQ(rd & B(20), 0, "leaf 7 EDX: CET_IBT hidden");
	CHECK_EQ(rc & B(7), 0, "leaf 7 ECX: CET_SS hidden");
	CHECK_EQ(rc & B(5, 16, 22, 30, 31), 0, "leaf 7 ECX: WAITPKG, LA57, RDPID, SGX_LC, PKS hidden");
	CHECK_EQ(rc & B(4), 0, "leaf 7 ECX: OSPKE clear while guest CR4.PKE is clear");
	CHECK_EQ(rb & B(1, 2, 12, 14, 15, 25), 0, "leaf 7 EBX: TSC_ADJUST, SGX, RDT, MPX, PT hidden");
	for (s = 1; s < 4; s++) {
		guest_cpuid(7, s);
		CHECK(!ra && !rb && !rc && !rd, "leaf 7.%u (AVX-VNNI, spec-ctrl extras...) all zero", s);
	}
	guest_cpuid(0xa, 0);
	CHECK(!ra && !rb && !rc && !rd, "leaf 0xa (architectural PMU) all zero");
	guest_cpuid(1, 0);
	CHECK_EQ(rc & B(3, 5, 15), 0, "leaf 1 ECX: MONITOR, VMX, PDCM hidden");
	CHECK_EQ(rd & B(7, 14), 0, "leaf 1 EDX: MCE, MCA hidden");
	CHECK_EQ(rc & B(31, 21, 24), B(31, 21, 24), "leaf 1 ECX: hypervisor, x2APIC, TSC-deadline synthesized");
	CHECK_EQ(rc & B(27), 0, "leaf 1 ECX: OSXSAVE clear while guest CR4.OSXSAVE is clear");
	CHECK_EQ(rb >> 24, 2, "leaf 1 EBX: initial APIC ID is the vCPU id");
	CHECK_EQ((rb >> 16) & 0xff, 4, "leaf 1 EBX: logical processor count is the VM's vCPUs");
	guest_cpuid(0xd, 0);
	CHECK_EQ(ra, (u32)OK_XCR0, "leaf 0xd.0 EAX: x87 SSE AVX AVX-512 PKRU only (no MPX, AMX, APX...)");
	CHECK_EQ(rd, 0, "leaf 0xd.0 EDX: no component above 31");
	guest_cpuid(0xd, 1);
	CHECK_EQ(ra & B(3, 4), 0, "leaf 0xd.1 EAX: XSAVES and XFD hidden");
	for (s = 17; s <= 19; s++) {
		guest_cpuid(0xd, s);
		CHECK(!ra && !rb && !rc && !rd, "leaf 0xd.%u (AMX/future component) all zero", s);
	}
	guest_cpuid(0x80000001, 0);
	CHECK_EQ(rc & B(23, 24, 28), 0, "0x80000001 ECX: PerfCtrExtCore/NB/LLC hidden");
	CHECK_EQ(rc & B(2, 3, 4, 9, 10, 15, 22, 29), 0, "0x80000001 ECX: SVM, ExtApic, AltMovCr8, OSVW, IBS, LWP, TOPOEXT, MONITORX hidden");
	CHECK_EQ(rd & B(27, 25), 0, "0x80000001 EDX: RDTSCP, FFXSR hidden");
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb & B(12, 14, 15, 24, 25), 0, "0x80000008 EBX: IBPB, IBRS, STIBP, SSBD, VIRT_SSBD hidden");
	CHECK_EQ(rc, 3, "0x80000008 ECX: NC = vCPUs - 1");
	guest_cpuid(0x20, 0);
	CHECK(!ra && !rb && !rc && !rd, "leaf 0x20 (past the clamp) all zero");
	guest_cpuid(0x8000001f, 0);
	CHECK(!ra && !rb && !rc && !rd, "leaf 0x8000001f (SEV) all zero");
	guest_cpuid(V3_CPUID_SIGNATURE, 0);
	CHECK(ra == V3_CPUID_SIGNATURE && rb == V3_CPUID_SIG_EBX, "0x40000000: v3vmm signature");
	CHECK_EQ(vcpu.regs.rip, 0x1002, "CPUID skips the instruction");

	/* the mirrors follow the guest's CR4 */
	vcpu.regs.cr4 = X86_CR4_OSXSAVE | X86_CR4_PKE;
	guest_cpuid(1, 0);
	CHECK(rc & B(27), "leaf 1 ECX: OSXSAVE set with guest CR4.OSXSAVE");
	guest_cpuid(7, 0);
	CHECK(rc & B(4), "leaf 7 ECX: OSPKE set with guest CR4.PKE");
	vcpu.regs.cr4 = 0;

	/* no AVX-512 state in XCR0: no AVX-512 instructions either */
	host_xcr0 = 0x7;
	guest_cpuid(7, 0);
	CHECK_EQ(rb & B(16, 17, 30, 31), 0, "XCR0 without ZMM: AVX-512 F/DQ/BW/VL hidden");
	CHECK_EQ(rc & B(3), 0, "XCR0 without PKRU: PKU hidden");
	CHECK(rb & B(5), "XCR0 with YMM: AVX2 offered");
	host_xcr0 = 0x3;
	guest_cpuid(1, 0);
	CHECK_EQ(rc & B(28, 12, 29), 0, "XCR0 without YMM: AVX, FMA, F16C hidden");
}

/* An AMD EPYC 7002 (Zen 2) host, values as such a CPU reports them. */
static void epyc_host(void)
{
	shim_cpu_reset();
	shim_cpu.vendor = X86_VENDOR_AMD;
	shim_set_cpuid(0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	shim_set_cpuid(1, 0, 0x00830f10, 0x00400800, 0x7ed8320b, 0x178bfbff);
	shim_set_cpuid(7, 0, 0, 0x219c91a9, 0x00400004, 0);
	shim_set_cpuid(0xd, 0, 0x7, 0x340, 0x340, 0);
	shim_set_cpuid(0xd, 1, 0xf, 0x340, 0, 0);
	shim_set_cpuid(0xd, 2, 0x100, 0x240, 0, 0);
	shim_set_cpuid(0x80000000, 0, 0x80000020, 0x68747541, 0x444d4163, 0x69746e65);
	shim_set_cpuid(0x80000001, 0, 0x00830f10, 0x40000000, 0x75c237ff, 0x2fd3fbff);
	shim_set_cpuid(0x80000007, 0, 0, 0x3b, 0, 0x6799);
	shim_set_cpuid(0x80000008, 0, 0x3030, 0x010eb757, 0x703f, 0x10000);
	shim_set_cpuid(0x8000000a, 0, 1, 0x8000, 0, 0x0013bcff);
	host_xcr0 = 0x7;
}

/* An Intel Xeon Gold 6148 (Skylake-SP) host. */
static void skylake_host(void)
{
	shim_cpu_reset();
	shim_cpu.vendor = X86_VENDOR_INTEL;
	shim_set_cpuid(0, 0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69);
	shim_set_cpuid(1, 0, 0x00050654, 0x00200800, 0x7ffefbff, 0xbfebfbff);
	shim_set_cpuid(7, 0, 0, 0xd39ffffb, 0x0000000c, 0xbc000400);
	shim_set_cpuid(0xa, 0, 0x07300404, 0, 0, 0x603);
	shim_set_cpuid(0xd, 0, 0x2ff, 0xa88, 0xa88, 0);
	shim_set_cpuid(0xd, 1, 0xf, 0xa08, 0x100, 0);
	shim_set_cpuid(0xd, 2, 0x100, 0x240, 0, 0);
	shim_set_cpuid(0xd, 3, 0x40, 0x3c0, 0, 0);
	shim_set_cpuid(0xd, 5, 0x40, 0x440, 0, 0);
	shim_set_cpuid(0xd, 6, 0x200, 0x480, 0, 0);
	shim_set_cpuid(0xd, 7, 0x400, 0x680, 0, 0);
	shim_set_cpuid(0xd, 9, 0x8, 0xa80, 0, 0);
	shim_set_cpuid(0x80000000, 0, 0x80000008, 0, 0, 0);
	shim_set_cpuid(0x80000001, 0, 0, 0, 0x00000121, 0x2c100800);
	shim_set_cpuid(0x80000007, 0, 0, 0, 0, 0x100);
	shim_set_cpuid(0x80000008, 0, 0x302e, 0, 0, 0);
	host_xcr0 = 0x2ff;	/* with MPX, as an old host kernel set it */
}

static void test_linux_needs(const char *cpu)
{
	u32 edx1 = B(0, 3, 4, 5, 6, 8, 9, 11, 12, 13, 15, 16, 19, 23, 24, 25, 26);
	u32 ecx1 = B(0, 9, 13, 19, 20, 23, 26, 28, 21, 24, 31);
	u32 ebx7 = B(0, 3, 5, 7, 8);

	vm.nr_vcpus = 1;
	vcpu.id = 0;
	vcpu.regs.cr4 = X86_CR4_OSXSAVE;
	vcpu.xcr0 = 0x7;
	guest_cpuid(1, 0);
	CHECK_EQ(rd & edx1, edx1, "%s: leaf 1 EDX keeps FPU PSE TSC MSR PAE CX8 APIC SEP MTRR PGE CMOV PAT CLFSH MMX FXSR SSE SSE2", cpu);
	CHECK_EQ(rc & ecx1, ecx1, "%s: leaf 1 ECX keeps SSE3 SSSE3 CX16 SSE4.1/4.2 POPCNT XSAVE AVX + x2APIC TSC-DL HV", cpu);
	CHECK(rc & B(27), "%s: OSXSAVE mirrors guest CR4", cpu);
	guest_cpuid(7, 0);
	CHECK_EQ(rb & ebx7, ebx7, "%s: leaf 7 EBX keeps FSGSBASE BMI1 AVX2 SMEP BMI2", cpu);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), 0, "%s: leaf 7 EDX speculation-control bits hidden", cpu);
	guest_cpuid(0x80000001, 0);
	CHECK_EQ(rd & B(11, 20, 29), B(11, 20, 29), "%s: 0x80000001 EDX keeps SYSCALL NX LM", cpu);
	CHECK(rc & B(0), "%s: 0x80000001 ECX keeps LAHF_LM", cpu);
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb & B(12, 14, 15, 24, 25), 0, "%s: 0x80000008 EBX speculation-control bits hidden", cpu);
	CHECK(ra & 0xff, "%s: 0x80000008 EAX physical address bits passed", cpu);
	guest_cpuid(0x80000007, 0);
	CHECK_EQ(rd, B(8), "%s: 0x80000007 EDX: invariant TSC only", cpu);
	guest_cpuid(0xa, 0);
	CHECK(!ra && !rb && !rc && !rd, "%s: leaf 0xa empty (no PMU)", cpu);
	guest_cpuid(0xd, 2);
	CHECK(ra == 0x100 && rb == 0x240, "%s: leaf 0xd.2 (AVX state) size/offset passed", cpu);
}

/*
 * Guest speculation controls through the real v3_handle_cpuid: the bits
 * follow both the host's CPUID and what the policy lets the guest use.
 */
static void test_spec_family(void)
{
	/* the future host has every bit: only the offered ones come out */
	future_host();
	vm.nr_vcpus = 1;
	vcpu.id = 0;
	spec_policy(false, true, true, true, true);
	guest_cpuid(7, 0);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), B(26, 27, 31),
		 "future host, all offered: leaf 7 EDX IBRS/IBPB STIBP SSBD; L1D_FLUSH, ARCH_CAP hidden");
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb & B(12, 14, 15, 16, 17, 18, 19, 24, 25, 26),
		 B(12, 14, 15, 16, 17, 18, 19, 24, 26),
		 "future host, all offered: 0x80000008 EBX IBPB IBRS STIBP +qualifiers SSBD SSB_NO; VIRT_SSBD hidden");
	CHECK_EQ(rb & ~B(0, 2, 12, 14, 15, 16, 17, 18, 19, 24, 26), 0,
		 "0x80000008 EBX: nothing else added");
	spec_policy(false, false, true, false, true);
	guest_cpuid(7, 0);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), B(27), "host without IBRS/SSBD: STIBP only");
	spec_policy(false, true, true, true, false);
	guest_cpuid(7, 0);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), B(27, 31), "host without IBPB: bit 26 (IBRS+IBPB) hidden");
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb & B(12), 0, "host without IBPB: 0x80000008 IBPB hidden");

	/* Skylake-SP: leaf 7 EDX 0xbc000400 (26 27 28 29 31 MD_CLEAR) */
	skylake_host();
	vcpu.regs.cr4 = 0;
	spec_policy(false, true, true, true, true);
	guest_cpuid(7, 0);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), B(26, 27, 31), "Skylake-SP: IBRS/IBPB, STIBP, SSBD offered");
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb, 0, "Skylake-SP: 0x80000008 EBX stays empty (host has none)");
	memset(&spec, 0, sizeof(spec));
	guest_cpuid(7, 0);
	CHECK_EQ(rd & B(26, 27, 28, 29, 31), 0, "Skylake-SP, nothing offered (spec_off or guest_spec_ctrl=0): hidden");

	/* EPYC 7002: 0x80000008 EBX 0x010eb757 (IBPB STIBP 17 18 19 SSBD) */
	epyc_host();
	spec_policy(true, false, true, true, true);
	guest_cpuid(0x80000008, 0);
	CHECK_EQ(rb & B(12, 14, 15, 16, 17, 18, 19, 24, 25, 26), B(12, 15, 17, 24),
		 "EPYC (no IBRS bit): IBPB STIBP STIBP_ALWAYS SSBD; IBRS qualifiers 18/19 hidden");
	guest_cpuid(7, 0);
	CHECK_EQ(rd, 0, "EPYC: leaf 7 EDX empty");
	memset(&spec, 0, sizeof(spec));
}

int main(void)
{
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.vm = &vm;

	test_future();

	epyc_host();
	test_linux_needs("EPYC");
	guest_cpuid(0x80000001, 0);
	CHECK(rc & B(5, 6, 8), "EPYC: 0x80000001 ECX keeps ABM SSE4A 3DNowPrefetch");
	CHECK_EQ(rc & B(2, 22, 23), 0, "EPYC: SVM, TOPOEXT, PerfCtrExtCore hidden");
	guest_cpuid(0xd, 0);
	CHECK_EQ(ra, 0x7, "EPYC: leaf 0xd.0 EAX x87 SSE AVX");
	guest_cpuid(0x80000000, 0);
	CHECK_EQ(ra, 0x80000008, "EPYC: extended leaves clamped to 0x80000008");
	guest_cpuid(0x8000000a, 0);
	CHECK(!ra && !rb && !rc && !rd, "EPYC: SVM leaf 0x8000000a hidden");

	skylake_host();
	test_linux_needs("Skylake-SP");
	guest_cpuid(7, 0);
	CHECK_EQ(rb & B(16, 17, 30, 31), B(16, 17, 30, 31), "Skylake-SP: AVX-512 F/DQ/BW/VL offered");
	CHECK_EQ(rb & B(14, 25), 0, "Skylake-SP: MPX, PT hidden");
	CHECK(rc & B(3), "Skylake-SP: PKU offered");
	CHECK(rd & B(10), "Skylake-SP: MD_CLEAR offered");
	guest_cpuid(0xd, 0);
	CHECK_EQ(ra, 0x2e7, "Skylake-SP: leaf 0xd.0 EAX without the MPX components");
	guest_cpuid(0xd, 3);
	CHECK(!ra && !rb, "Skylake-SP: leaf 0xd.3 (MPX BNDREGS) zero");
	guest_cpuid(0, 0);
	CHECK_EQ(ra, 0x16, "Skylake-SP: max leaf 0x16 kept (below the clamp)");
	guest_cpuid(0xb, 1);
	CHECK(ra == 0 && rb == 1 && ((rc >> 8) & 0xff) == 2, "Skylake-SP: leaf 0xb.1 core level, 1 vCPU");

	test_spec_family();
	return unit_done();
}
