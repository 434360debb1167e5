// SPDX-License-Identifier: GPL-2.0
/*
 * v3vmm hypercalls: number in RAX, arguments in RBX, RCX, RDX, result in
 * RAX.  VMMCALL (0f 01 d9, APM Vol. 3) exits to the VMM on SVM, VMCALL
 * (0f 01 c1, SDM Vol. 2B) on VMX; either is #UD on the other vendor, so
 * pick by CPUID.  In 32-bit guests only the low halves are meaningful.
 */
#include "guest.h"

long hypercall(unsigned long nr, unsigned long a0, unsigned long a1,
	       unsigned long a2)
{
	long ret;

	if (cpu_is_amd())
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2)
			     : "memory");
	return ret;
}
