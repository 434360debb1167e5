// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' symbol bound: module/gears/ksyms.c built (by the Makefile) with
 * GEARS_KSYMS_MAX_SYMS = 65536, below the Debian kernels' 94000-163000
 * symbols, must refuse their tables with -E2BIG (-ENOENT for the 6.1
 * layout, whose markers it finds only within the bound), never a result.
 */
#include "gears/ksyms.h"
#include "fakeguest.h"
#include "unit.h"

static void check_kernel(const char *prefix, int want)
{
	struct gears_kernel kern;
	struct fakeguest g;
	struct gears_vread r;
	struct gears_ksyms *k = NULL;
	u64 lstar;

	if (gears_kernel_find(prefix, &kern)) {
		CHECK(1, "# SKIP no %s* kernel image", prefix);
		return;
	}
	if (fakeguest_load(&g, kern.vmlinux, 0x2000000)) {
		CHECK(0, "%s loads", kern.vmlinux);
		return;
	}
	r = fakeguest_vread(&g);
	lstar = fakeguest_lstar(&g);
	CHECK(lstar, "%s: entry_SYSCALL_64 found by its code", kern.kver);
	CHECK_EQ(gears_ksyms_find(&r, lstar, &k), want,
		 "%s: more than %u symbols: %s", kern.kver, GEARS_KSYMS_MAX_SYMS,
		 want == -E2BIG ? "-E2BIG" : "-ENOENT");
	CHECK(!k, "%s: no result", kern.kver);
	fakeguest_unload(&g);
}

int main(void)
{
	check_kernel("5.10.", -E2BIG);
	check_kernel("6.1.", -ENOENT);
	check_kernel("6.12.", -E2BIG);
	return unit_done();
}
