// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall: the v3vmm hypercall ABI (include/v3vmm.h): VMMCALL on AMD,
 * VMCALL on Intel, number in EAX, arguments in EBX/ECX/EDX, result in EAX
 * (negative errno on failure).  Executed without a VMM that intercepts
 * them both instructions raise #UD (APM Vol. 3 VMMCALL, SDM Vol. 2B VMCALL);
 * we catch that and report it instead of dying.
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("hypercall");

static int vmmcall;

static long hc(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, int *vec)
{
	uint32_t before = fault_count;
	long ret;

	if (vmmcall)
		asm volatile("1: vmmcall\n2:\n" EXTABLE(1b, 2b)
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	else
		asm volatile("1: vmcall\n2:\n" EXTABLE(1b, 2b)
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	*vec = fault_count != before ? (int)last_fault.vector : -1;
	if (*vec >= 0)
		tap_diag("hypercall %u raised %s", nr, trap_name(*vec));
	return ret;
}

static const char msg[] = "# hello through V3_HC_PUTS\n";

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	char vendor[13];
	long ret;
	int vec;

	cpu_vendor(vendor);
	vmmcall = cpu_is_amd();
	tap_diag("vendor %s: using %s", vendor, vmmcall ? "VMMCALL" : "VMCALL");

	ret = hc(V3_HC_VERSION, 0, 0, 0, &vec);
	tap_ok(vec < 0 && ret == ((V3_ABI_MAJOR << 16) | V3_ABI_MINOR),
	       "V3_HC_VERSION returns %#lx (want %#x)", ret,
	       (V3_ABI_MAJOR << 16) | V3_ABI_MINOR);

	/* The same call with junk in the argument registers */
	ret = hc(V3_HC_VERSION, 0xdeadbeef, 0xcafef00d, 0x12345678, &vec);
	tap_ok(vec < 0 && ret == ((V3_ABI_MAJOR << 16) | V3_ABI_MINOR),
	       "V3_HC_VERSION ignores its arguments");

	ret = hc(V3_HC_PUTS, (uint32_t)msg, sizeof(msg) - 1, 0, &vec);
	tap_ok(vec < 0 && ret == (long)sizeof(msg) - 1,
	       "V3_HC_PUTS returns the length written (%ld)", ret);

	ret = hc(0xffff, 0, 0, 0, &vec);
	tap_ok(vec < 0 && ret < 0 && ret >= -4095,
	       "unknown hypercall returns a negative errno (%ld)", ret);
	return tap_done();
}
