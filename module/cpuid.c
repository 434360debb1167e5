// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it: the host's answers, with what v3vmm does not
 * virtualize taken out, the hypervisor bit set (Intel SDM vol. 2 CPUID,
 * leaf 1 ECX[31] is reserved for hypervisor use), a signature leaf at
 * 0x40000000 and the paravirtual clock's leaves at 0x40000100 (pvclock.c).
 */
#include <asm/processor.h>
#include <asm/cpufeatures.h>
#include "v3.h"

#define BIT_ECX1_MONITOR	BIT(3)
#define BIT_ECX1_VMX		BIT(5)
#define BIT_ECX1_SMX		BIT(6)
#define BIT_ECX1_EST		BIT(7)
#define BIT_ECX1_TM2		BIT(8)
#define BIT_ECX1_PDCM		BIT(15)
#define BIT_ECX1_DCA		BIT(18)
#define BIT_ECX1_X2APIC		BIT(21)
#define BIT_ECX1_TSC_DEADLINE	BIT(24)
#define BIT_ECX1_OSXSAVE	BIT(27)
#define BIT_ECX1_HYPERVISOR	BIT(31)
#define BIT_EDX1_MCE		BIT(7)
#define BIT_EDX1_APIC		BIT(9)
#define BIT_EDX1_MCA		BIT(14)
#define BIT_EDX1_DS		BIT(21)
#define BIT_EDX1_ACPI		BIT(22)
#define BIT_EDX1_TM		BIT(29)
#define BIT_EDX1_HTT		BIT(28)
#define BIT_EDX1_PBE		BIT(31)
#define BIT_ECX81_TOPOEXT	BIT(22)
#define BIT_ECX81_SVM		BIT(2)
#define BIT_ECX81_SKINIT	BIT(12)
#define BIT_ECX81_WDT		BIT(13)
#define BIT_EDX81_RDTSCP	BIT(27)
#define BIT_EAXD1_XSAVEC	BIT(1)
#define BIT_EBX7_TSC_ADJUST	BIT(1)
#define BIT_EBX7_SGX		BIT(2)
#define BIT_EBX7_PT		BIT(25)
#define BIT_ECX7_OSPKE		BIT(4)
#define BIT_ECX7_LA57		BIT(16)
#define BIT_ECX7_RDPID		BIT(22)
#define BIT_ECX7_WAITPKG	BIT(5)
#define BIT_ECX7_SGX_LC		BIT(30)

static void v3_cpuid_filter(struct v3_vcpu *vcpu, u32 leaf, u32 sub,
			    u32 *a, u32 *b, u32 *c, u32 *d)
{
	switch (leaf) {
	case 1:
		*c &= ~(BIT_ECX1_MONITOR | BIT_ECX1_VMX | BIT_ECX1_SMX |
			BIT_ECX1_EST | BIT_ECX1_TM2 | BIT_ECX1_PDCM |
			BIT_ECX1_DCA | BIT_ECX1_OSXSAVE);
		if (vcpu->regs.cr4 & X86_CR4_OSXSAVE)
			*c |= BIT_ECX1_OSXSAVE;
		/* the local APIC model has x2APIC mode and a TSC-deadline timer */
		*c |= BIT_ECX1_HYPERVISOR | BIT_ECX1_X2APIC |
		      BIT_ECX1_TSC_DEADLINE;
		*d |= BIT_EDX1_APIC;
		/* no machine-check model */
		*d &= ~(BIT_EDX1_MCE | BIT_EDX1_MCA | BIT_EDX1_DS |
			BIT_EDX1_ACPI | BIT_EDX1_TM | BIT_EDX1_PBE);
		if (vcpu->vm->nr_vcpus > 1)
			*d |= BIT_EDX1_HTT;
		/* EBX[31:24] initial APIC ID, [23:16] logical processors */
		*b = (*b & 0xffff) | (vcpu->id << 24) |
		     (vcpu->vm->nr_vcpus << 16);
		break;
	case 4:				/* cores per package: the VM's vCPUs */
		*a = (*a & 0x3ffffff) | ((vcpu->vm->nr_vcpus - 1) << 26);
		break;
	case 5: case 6: case 0xa:	/* MONITOR, power, perfmon */
		*a = *b = *c = *d = 0;
		break;
	case 0xb: case 0x1f:		/* x2APIC topology: one core level */
		*d = vcpu->id;
		*c = sub;
		if (sub == 0) {
			*a = 0;
			*b = 1;
			*c |= 1 << 8;		/* SMT level */
		} else if (sub == 1) {
			*a = fls(vcpu->vm->nr_vcpus - 1);
			*b = vcpu->vm->nr_vcpus;
			*c |= 2 << 8;		/* core level */
		} else {
			*a = *b = 0;
		}
		break;
	case 7:
		if (sub == 0) {
			/* no IA32_TSC_ADJUST MSR model */
			*b &= ~(BIT_EBX7_TSC_ADJUST | BIT_EBX7_SGX |
				BIT_EBX7_PT);
			/* no 5-level paging: the loader's tables are 4-level */
			*c &= ~(BIT_ECX7_WAITPKG | BIT_ECX7_SGX_LC |
				BIT_ECX7_OSPKE | BIT_ECX7_LA57 |
				BIT_ECX7_RDPID);	/* no TSC_AUX, like RDTSCP */
			/* OSPKE mirrors the guest's own CR4.PKE */
			if (vcpu->regs.cr4 & X86_CR4_PKE)
				*c |= BIT_ECX7_OSPKE;
		} else {
			*a = *b = *c = *d = 0;
		}
		break;
	case 0xd:
		if (sub == 0) {
			u64 host = v3_host_xcr0();

			*a = lower_32_bits(host);
			*d = upper_32_bits(host);
			*b = v3_xsave_size(v3_guest_xcr0(vcpu));
			*c = v3_xsave_size(host);
		} else if (sub == 1) {
			*a &= 0x7;	/* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES */
			/*
			 * EBX: the XSAVEC area for XCR0 | IA32_XSS (no XSS
			 * here).  Linux 6.x sizes its compacted buffers
			 * from it when XSAVEC is offered.
			 */
			*b = (*a & BIT_EAXD1_XSAVEC) ?
			     v3_xsavec_size(v3_guest_xcr0(vcpu)) : 0;
			*c = *d = 0;
		} else if (sub < 63 && !(v3_host_xcr0() & BIT_ULL(sub))) {
			*a = *b = *c = *d = 0;
		}
		break;
	case 0x80000001:
		*c &= ~(BIT_ECX81_SVM | BIT_ECX81_SKINIT | BIT_ECX81_WDT |
			BIT_ECX81_TOPOEXT);
		*d &= ~BIT_EDX81_RDTSCP;
		break;
	case 0x80000008:		/* NC: cores per package - 1 */
		*c = (*c & ~0xffU) | (vcpu->vm->nr_vcpus - 1);
		break;
	case 0x8000000a:		/* SVM features */
	case 0x8000001e:		/* AMD topology extensions: hidden */
	case 0x8000001f:		/* SME/SEV: not offered to guests */
		*a = *b = *c = *d = 0;
		break;
	}
}

int v3_handle_cpuid(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u32 leaf = gpr[V3_RAX], sub = gpr[V3_RCX];
	u32 a = 0, b = 0, c = 0, d = 0;
	u32 max_std = cpuid_eax(0), max_ext = cpuid_eax(0x80000000);

	if (leaf == V3_CPUID_SIGNATURE) {
		a = V3_CPUID_SIGNATURE;
		b = V3_CPUID_SIG_EBX;
		c = V3_CPUID_SIG_ECX;
		d = V3_CPUID_SIG_EDX;
	} else if (v3_pvclock_cpuid(vcpu->vm, leaf, &a, &b, &c, &d)) {
		/* the paravirtual clock's leaves */
	} else if (leaf <= max_std ||
		   (leaf >= 0x80000000 && leaf <= max_ext)) {
		cpuid_count(leaf, sub, &a, &b, &c, &d);
		v3_cpuid_filter(vcpu, leaf, sub, &a, &b, &c, &d);
	}
	gpr[V3_RAX] = a;
	gpr[V3_RBX] = b;
	gpr[V3_RCX] = c;
	gpr[V3_RDX] = d;
	v3_skip_insn(vcpu);
	return 0;
}
