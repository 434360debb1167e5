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
	struct sysmap m;

	if (gears_kernel_find(prefix, &kern) || sysmap_load(&m, kern.sysmap)) {
		CHECK(1, "# SKIP no %s* kernel image and System.map", prefix);
		return;
	}
	if (fakeguest_load(&g, kern.vmlinux, 0x2000000)) {
		CHECK(0, "%s loads", kern.vmlinux);
		sysmap_free(&m);
		return;
	}
	r = fakeguest_vread(&g);
	CHECK_EQ(gears_ksyms_find(&r, sysmap_find(&m, "entry_SYSCALL_64")->addr + 0x2000000, &k),
		 want,
		 "%s: more than %u symbols: %s", kern.kver, GEARS_KSYMS_MAX_SYMS,
		 want == -E2BIG ? "-E2BIG" : "-ENOENT");
	CHECK(!k, "%s: no result", kern.kver);
	fakeguest_unload(&g);
	sysmap_free(&m);
}

int main(void)
{
	check_kernel("5.10.", -E2BIG);
	check_kernel("6.1.", -ENOENT);
	check_kernel("6.12.", -E2BIG);
	return unit_done();
}
