// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it.  An allowlist: each leaf, sub-leaf and
 * register passes only the host bits v3vmm knows it virtualizes (the
 * instructions run natively or are emulated, and every MSR the feature
 * brings is modelled), ANDed with what the host reports; then the bits
 * v3vmm synthesizes are added (hypervisor, x2APIC, TSC-deadline, the
 * OSXSAVE/OSPKE mirrors of the guest's CR4, topology).  A leaf not in
 * the table reads as zero, and the highest standard and extended leaves
 * are clamped to what the table knows, so a feature a future CPU adds is
 * hidden until someone adds it here on purpose (KVM's supported-CPUID
 * works the same way).  Besides: the signature leaf 0x40000000 and the
 * paravirtual clock's leaves (pvclock.c).
 *
 * Bit positions: Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E.
 */
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include "v3.h"

#define V3_CPUID_MAX_STD	0x1f	/* extended topology */
#define V3_CPUID_MAX_EXT	0x80000008	/* address sizes */
#define V3_CPUID_ANY_SUB	0xffffffffU	/* the leaf is not indexed */

enum { R_EAX, R_EBX, R_ECX, R_EDX };

/* leaf 1 */
#define ECX1_OSXSAVE		BIT(27)
#define ECX1_X2APIC		BIT(21)
#define ECX1_TSC_DEADLINE	BIT(24)
#define ECX1_HYPERVISOR		BIT(31)
#define ECX1_FMA		BIT(12)
#define ECX1_AVX		BIT(28)
#define ECX1_F16C		BIT(29)
#define EDX1_APIC		BIT(9)
#define EDX1_HTT		BIT(28)
/* leaf 7.0 */
#define EBX7_AVX2		BIT(5)
#define EBX7_AVX512		(BIT(16) | BIT(17) | BIT(21) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define ECX7_PKU		BIT(3)
#define ECX7_OSPKE		BIT(4)
#define ECX7_AVX512		(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define ECX7_VAES_VPCLMUL	(BIT(9) | BIT(10))
#define EDX7_AVX512		(BIT(2) | BIT(3) | BIT(8) | BIT(23))

/*
 * Standard (1) and extended (0x80000001) feature bits v3vmm virtualizes.
 * Left out on purpose, among others: MONITOR/MWAIT, VMX/SVM, SMX, EST,
 * TM/TM2, PDCM and the AMD PerfCtrExt* bits (no PMU: pmu.c), DS, DTES64,
 * DCA, xTPR, SDBG, MCE/MCA (no machine-check bank model), ACPI thermal,
 * PBE, PSN, RDTSCP/RDPID (no TSC_AUX), TOPOEXT, OSVW, IBS, LWP, SKINIT,
 * WDT, MONITORX, ExtApicSpace, AltMovCr8, FFXSR (EFER.FFXSR is refused).
 */
#define ALLOW_ECX1	(BIT(0) | BIT(1) | BIT(9) | ECX1_FMA | BIT(13) |   \
			 BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | \
			 BIT(25) | BIT(26) | ECX1_AVX | ECX1_F16C | BIT(30))
			/* SSE3 PCLMULQDQ SSSE3 FMA CX16 PCID SSE4.1 SSE4.2
			 * MOVBE POPCNT AES XSAVE AVX F16C RDRAND */
#define ALLOW_EDX1	(GENMASK(6, 0) | BIT(8) | GENMASK(13, 11) |	   \
			 GENMASK(17, 15) | BIT(19) | GENMASK(27, 23))
			/* FPU VME DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV
			 * PAT PSE36 CLFSH MMX FXSR SSE SSE2 SS */
#define ALLOW_EBX7	(BIT(0) | BIT(3) | BIT(4) | EBX7_AVX2 | BIT(6) |   \
			 BIT(7) | BIT(8) | BIT(9) | BIT(10) | BIT(11) |	   \
			 BIT(13) | EBX7_AVX512 | BIT(18) | BIT(19) |	   \
			 BIT(20) | BIT(23) | BIT(24) | BIT(29))
			/* FSGSBASE BMI1 HLE AVX2 FDP_EXCPTN_ONLY SMEP BMI2
			 * ERMS INVPCID RTM ZERO_FCS_FDS AVX-512 RDSEED ADX
			 * SMAP CLFLUSHOPT CLWB SHA */
#define ALLOW_ECX7	(BIT(0) | ECX7_AVX512 | BIT(2) | ECX7_PKU | BIT(8) | \
			 ECX7_VAES_VPCLMUL | BIT(25) | BIT(27) | BIT(28))
			/* PREFETCHWT1 AVX-512 UMIP PKU GFNI VAES VPCLMULQDQ
			 * CLDEMOTE MOVDIRI MOVDIR64B */
#define ALLOW_EDX7	(EDX7_AVX512 | BIT(4) | BIT(10) | BIT(14))
			/* AVX-512 4VNNIW 4FMAPS VP2INTERSECT FP16, FSRM,
			 * MD_CLEAR (VERW clears buffers: no MSR), SERIALIZE */
#define ALLOW_ECX81	(BIT(0) | BIT(1) | BIT(5) | BIT(6) | BIT(7) |	   \
			 BIT(8) | BIT(11) | BIT(16) | BIT(21))
			/* LAHF_LM CMP_LEGACY ABM SSE4A MISALIGNSSE
			 * 3DNOWPREFETCH XOP FMA4 TBM */
#define ALLOW_EDX81	(GENMASK(6, 0) | BIT(8) | BIT(9) | BIT(11) |	   \
			 BIT(12) | BIT(13) | GENMASK(17, 15) | BIT(20) |  \
			 GENMASK(24, 22) | BIT(26) | GENMASK(31, 29))
			/* AMD's copies of leaf 1 (FPU..PAE CX8 APIC MTRR PGE
			 * CMOV PAT PSE36 MMX FXSR), SYSCALL NX MMXEXT PDPE1GB
			 * LM 3DNOWEXT 3DNOW */

/*
 * The speculation-control family (leaf 7.0 EDX bits 26-31, 0x80000008
 * EBX bits 12-26) is not in the table: spec_ctrl.c offers what the
 * guest can use of it (IA32_SPEC_CTRL's IBRS/STIBP/SSBD and
 * IA32_PRED_CMD's IBPB, where the host CPU has them and the entry code
 * switches SPEC_CTRL), and keeps ARCH_CAPABILITIES, L1D_FLUSH and
 * VIRT_SSBD hidden (their MSRs are not modelled).
 */

/* XSAVE components v3vmm saves for a guest: see V3_XCR0_GUEST (v3.h). */

struct v3_cpuid_allow {
	u32 leaf, sub;
	u32 reg[4];		/* EAX, EBX, ECX, EDX passed from the host */
};

static const struct v3_cpuid_allow v3_cpuid_allow[] = {
	/* max leaf (clamped below) and vendor string */
	{ 0x0, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	/* signature; brand/CLFLUSH size/APIC ID (rewritten below) */
	{ 0x1, V3_CPUID_ANY_SUB, { ~0U, ~0U, ALLOW_ECX1, ALLOW_EDX1 } },
	{ 0x2, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },	/* TLB/cache */
	{ 0x4, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },	/* caches */
	{ 0x7, 0, { 0, ALLOW_EBX7, ALLOW_ECX7, ALLOW_EDX7 } },
	{ 0xb, V3_CPUID_ANY_SUB, { 0, 0, 0, 0 } },	/* synthesized */
	{ 0xd, 0, { 0, 0, 0, 0 } },			/* synthesized */
	/* XSAVEOPT XSAVEC XGETBV1; no XSAVES (no IA32_XSS), no XFD */
	{ 0xd, 1, { BIT(0) | BIT(1) | BIT(2), 0, 0, 0 } },
	{ 0xd, V3_CPUID_ANY_SUB, { 0, 0, 0, 0 } },	/* offered components */
	/* TSC/crystal ratio and nominal frequencies: the guest TSC ticks
	 * at the host's rate (only offset) */
	{ 0x15, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	{ 0x16, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	{ 0x1f, V3_CPUID_ANY_SUB, { 0, 0, 0, 0 } },	/* synthesized */

	{ 0x80000000, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	{ 0x80000001, V3_CPUID_ANY_SUB, { ~0U, 0, ALLOW_ECX81, ALLOW_EDX81 } },
	{ 0x80000002, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },	/* brand */
	{ 0x80000003, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	{ 0x80000004, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },
	{ 0x80000005, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },	/* L1 */
	{ 0x80000006, V3_CPUID_ANY_SUB, { ~0U, ~0U, ~0U, ~0U } },	/* L2/L3 */
	/* invariant TSC: the guest TSC is the host's plus an offset */
	{ 0x80000007, V3_CPUID_ANY_SUB, { 0, 0, 0, BIT(8) } },
	/* address sizes; CLZERO, XSAVE error pointers; NC rewritten below */
	{ 0x80000008, V3_CPUID_ANY_SUB, { 0xffff, BIT(0) | BIT(2), 0, 0 } },
};

static const struct v3_cpuid_allow *v3_cpuid_lookup(u32 leaf, u32 sub)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v3_cpuid_allow); i++) {
		const struct v3_cpuid_allow *e = &v3_cpuid_allow[i];

		if (e->leaf == leaf &&
		    (e->sub == V3_CPUID_ANY_SUB || e->sub == sub))
			return e;
	}
	return NULL;
}

/* XCR0 components a guest may enable: the host's, within V3_XCR0_GUEST */
static u64 v3_cpuid_xcr0(void)
{
	return v3_host_xcr0() & V3_XCR0_GUEST;
}

/*
 * Features whose state lives in XSAVE components are offered only with
 * the component (SDM vol. 1 13.2): AVX needs YMM_Hi128, AVX-512 the
 * opmask and ZMM components, PKU the PKRU component.
 */
static void v3_cpuid_xsave_deps(u32 leaf, u32 *b, u32 *c, u32 *d)
{
	u64 xcr0 = v3_cpuid_xcr0();
	bool avx = (xcr0 & V3_XFEATURE_YMM) && (xcr0 & V3_XFEATURE_SSE);
	bool avx512 = avx && (xcr0 & V3_XFEATURE_AVX512) == V3_XFEATURE_AVX512;

	if (leaf == 1 && !avx)
		*c &= ~(ECX1_AVX | ECX1_FMA | ECX1_F16C);
	if (leaf != 7)
		return;
	if (!avx) {
		*b &= ~EBX7_AVX2;
		*c &= ~ECX7_VAES_VPCLMUL;
	}
	if (!avx512) {
		*b &= ~EBX7_AVX512;
		*c &= ~ECX7_AVX512;
		*d &= ~EDX7_AVX512;
	}
	if (!(xcr0 & V3_XFEATURE_PKRU))
		*c &= ~ECX7_PKU;
}

/* x2APIC topology (leaves 0xb, 0x1f): SMT level of 1, one core per vCPU */
static void v3_cpuid_topology(struct v3_vcpu *vcpu, u32 sub,
			      u32 *a, u32 *b, u32 *c, u32 *d)
{
	unsigned int n = vcpu->vm->nr_vcpus;

	*d = vcpu->id;
	*c = sub & 0xff;
	if (sub == 0) {
		*a = 0;
		*b = 1;
		*c |= 1 << 8;		/* SMT level */
	} else if (sub == 1) {
		*a = fls(n - 1);
		*b = n;
		*c |= 2 << 8;		/* core level */
	} else {
		*a = *b = 0;
	}
}

static void v3_cpuid_xsave(struct v3_vcpu *vcpu, u32 sub,
			   u32 *a, u32 *b, u32 *c, u32 *d)
{
	u64 xcr0 = v3_cpuid_xcr0();

	if (sub == 0) {
		*a = lower_32_bits(xcr0);
		*d = upper_32_bits(xcr0);
		*b = v3_xsave_size(v3_guest_xcr0(vcpu) & xcr0);
		*c = v3_xsave_size(xcr0);
	} else if (sub == 1) {
		/*
		 * EBX: the XSAVEC area for XCR0 | IA32_XSS (no XSS here).
		 * Linux 6.x sizes its compacted buffers from it when XSAVEC
		 * is offered.
		 */
		*b = (*a & BIT(1)) ? v3_xsavec_size(v3_guest_xcr0(vcpu) &
						    xcr0) : 0;
	} else if (sub < 63 && (xcr0 & BIT_ULL(sub))) {
		/* size, offset, alignment of an offered component */
		cpuid_count(0xd, sub, a, b, c, d);
		*c &= BIT(1);		/* user component, 64-byte aligned? */
		*d = 0;
	}
}

/* The bits v3vmm adds or rewrites over the filtered host values. */
static void v3_cpuid_synth(struct v3_vcpu *vcpu, u32 leaf, u32 sub,
			   u32 *a, u32 *b, u32 *c, u32 *d)
{
	unsigned int n = vcpu->vm->nr_vcpus;

	switch (leaf) {
	case 0:
		*a = min_t(u32, *a, V3_CPUID_MAX_STD);
		break;
	case 1:
		/* OSXSAVE mirrors the guest's own CR4.OSXSAVE */
		if (vcpu->regs.cr4 & X86_CR4_OSXSAVE)
			*c |= ECX1_OSXSAVE;
		/* the local APIC model has x2APIC mode and a TSC-deadline timer */
		*c |= ECX1_HYPERVISOR | ECX1_X2APIC | ECX1_TSC_DEADLINE;
		*d |= EDX1_APIC;
		if (n > 1)
			*d |= EDX1_HTT;
		/* EBX[31:24] initial APIC ID, [23:16] logical processors */
		*b = (*b & 0xffff) | (vcpu->id << 24) | ((n & 0xff) << 16);
		break;
	case 4:			/* EAX[31:26]: cores per package - 1 */
		*a = (*a & 0x3ffffff) | (((n - 1) & 0x3f) << 26);
		break;
	case 7:
		/* OSPKE mirrors the guest's own CR4.PKE */
		if ((*c & ECX7_PKU) && (vcpu->regs.cr4 & X86_CR4_PKE))
			*c |= ECX7_OSPKE;
		break;
	case 0xb:
	case 0x1f:
		v3_cpuid_topology(vcpu, sub, a, b, c, d);
		break;
	case 0xd:
		v3_cpuid_xsave(vcpu, sub, a, b, c, d);
		break;
	case 0x80000000:
		*a = min_t(u32, *a, V3_CPUID_MAX_EXT);
		break;
	case 0x80000008:	/* ECX[7:0] NC: cores per package - 1 */
		*c = (n - 1) & 0xff;
		break;
	}
}

/*
 * The guest's view of one host leaf: the allowlist ANDed with the host,
 * then the synthesized bits.  Exposed for the unit tests.
 */
void v3_cpuid_guest(struct v3_vcpu *vcpu, u32 leaf, u32 sub,
		    u32 *a, u32 *b, u32 *c, u32 *d)
{
	const struct v3_cpuid_allow *e = v3_cpuid_lookup(leaf, sub);
	u32 r[4] = { 0, 0, 0, 0 }, h[4];

	if (e) {
		cpuid_count(leaf, sub, &h[R_EAX], &h[R_EBX], &h[R_ECX],
			    &h[R_EDX]);
		r[R_EAX] = h[R_EAX] & e->reg[R_EAX];
		r[R_EBX] = h[R_EBX] & e->reg[R_EBX];
		r[R_ECX] = h[R_ECX] & e->reg[R_ECX];
		r[R_EDX] = h[R_EDX] & e->reg[R_EDX];
		r[R_EBX] |= v3_spec_cpuid_bits(leaf, sub, R_EBX, h[R_EBX]);
		r[R_EDX] |= v3_spec_cpuid_bits(leaf, sub, R_EDX, h[R_EDX]);
		v3_cpuid_xsave_deps(leaf, &r[R_EBX], &r[R_ECX], &r[R_EDX]);
	}
	*a = r[R_EAX];
	*b = r[R_EBX];
	*c = r[R_ECX];
	*d = r[R_EDX];
	if (e)
		v3_cpuid_synth(vcpu, leaf, sub, a, b, c, d);
}

int v3_handle_cpuid(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u32 leaf = gpr[V3_RAX], sub = gpr[V3_RCX];
	u32 a = 0, b = 0, c = 0, d = 0;
	u32 max_std = min_t(u32, cpuid_eax(0), V3_CPUID_MAX_STD);
	u32 max_ext = min_t(u32, cpuid_eax(0x80000000), V3_CPUID_MAX_EXT);

	if (leaf == V3_CPUID_SIGNATURE) {
		a = V3_CPUID_SIGNATURE;
		b = V3_CPUID_SIG_EBX;
		c = V3_CPUID_SIG_ECX;
		d = V3_CPUID_SIG_EDX;
	} else if (v3_pvclock_cpuid(vcpu->vm, leaf, &a, &b, &c, &d)) {
		/* the paravirtual clock's leaves */
	} else if (leaf <= max_std ||
		   (leaf >= 0x80000000 && leaf <= max_ext)) {
		v3_cpuid_guest(vcpu, leaf, sub, &a, &b, &c, &d);
	}
	gpr[V3_RAX] = a;
	gpr[V3_RBX] = b;
	gpr[V3_RCX] = c;
	gpr[V3_RDX] = d;
	v3_skip_insn(vcpu);
	return 0;
}
