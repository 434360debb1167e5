// SPDX-License-Identifier: GPL-2.0
/* Services of the rest of the module that the unit tests record instead. */
#include <stdarg.h>
#include "v3.h"
#include "mmu/walk.h"

int shim_stops, shim_stop_reason;
char shim_stop_why[256];

/* vm.c: remember that (and why) the VM was stopped */
void v3_vm_stop(struct v3_vm *vm, int reason, int code, const char *fmt, ...)
{
	va_list ap;

	shim_stops++;
	shim_stop_reason = reason;
	va_start(ap, fmt);
	vsnprintf(shim_stop_why, sizeof(shim_stop_why), fmt, ap);
	va_end(ap);
}

/*
 * What mmu/pf_event.c's v3_pf_walk calls, for the tests that link
 * pf_event.c for v3_pf_resolve only (the backends'): weak, so a test that
 * walks guest tables (test_mmu_cr, test_mmu_shadow) gives its own.
 */
__attribute__((weak)) const struct v3_arch_ops *v3_arch;
__attribute__((weak)) int v3_gva_walk(struct v3_vcpu *v, u64 gva, u32 access,
				      unsigned int flags, struct v3_walk *w)
{
	return -EIO;
}
__attribute__((weak)) void v3_inject_gp(struct v3_vcpu *v)
{
}
