// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid: what v3vmm shows of itself through CPUID.
 *   leaf 1 ECX[31]      hypervisor present (reserved for this use by both
 *                       vendors; SDM Vol. 2A Table 3-10, APM Vol. 3 E.3.2)
 *   leaf 1 ECX[5]       VMX, hidden (no nested virtualization)
 *   0x80000001 ECX[2]   SVM, hidden
 *   0x40000000          max hypervisor leaf, signature "V3VMMV3VMM  "
 */
#include "guest.h"

DEFINE_GUEST("cpuid");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	struct cpuid_regs r;
	char vendor[13], sig[13];
	uint32_t max_ext;

	cpu_vendor(vendor);
	printf("vendor: %s\n", vendor);
	r = cpuid(0);
	tap_ok(r.eax >= 1, "basic leaves reach leaf 1 (max %#x)", r.eax);

	r = cpuid(1);
	tap_diag("leaf 1: eax %#x ebx %#x ecx %#x edx %#x",
		 r.eax, r.ebx, r.ecx, r.edx);
	tap_ok(r.ecx & (1U << 31), "hypervisor bit set");
	tap_ok(!(r.ecx & (1U << 5)), "VMX hidden");

	max_ext = cpuid(0x80000000).eax;
	tap_ok(max_ext >= 0x80000001, "extended leaves reach 0x80000001 (max %#x)",
	       max_ext);
	r = cpuid(0x80000001);
	tap_ok(!(r.ecx & (1U << 2)), "SVM hidden");

	r = cpuid(V3_CPUID_SIGNATURE);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '?';
	tap_diag("leaf %#x: eax %#x signature \"%s\"", V3_CPUID_SIGNATURE,
		 r.eax, sig);
	tap_ok(r.eax >= V3_CPUID_SIGNATURE, "max hypervisor leaf >= %#x",
	       V3_CPUID_SIGNATURE);
	tap_ok(r.ebx == V3_CPUID_SIG_EBX && r.ecx == V3_CPUID_SIG_ECX &&
	       r.edx == V3_CPUID_SIG_EDX, "signature is \"V3VMMV3VMM  \"");
	return tap_done();
}
