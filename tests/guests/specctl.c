// SPDX-License-Identifier: GPL-2.0
/*
 * specctl: the speculation controls v3vmm offers a guest.  CPUID says
 * which (Intel leaf 7 EDX: 26 IBRS+IBPB, 27 STIBP, 31 SSBD; AMD
 * 0x80000008 EBX: 12 IBPB, 14 IBRS, 15 STIBP, 24 SSBD), and what it says
 * must hold:
 *   - IA32_SPEC_CTRL (0x48), when any of IBRS/STIBP/SSBD is offered:
 *     each offered bit round-trips, a reserved bit (3) and each bit not
 *     offered raise #GP(0) and leave the value alone (Intel SDM vol. 4
 *     table 2-2; AMD "Software Techniques for Managing Speculation");
 *     when none is offered, RDMSR and WRMSR raise #GP(0);
 *   - IA32_PRED_CMD (0x49), when IBPB is offered: WRMSR 1 (IBPB) and 0
 *     complete, bit 1 raises #GP(0), RDMSR raises #GP(0) (write-only);
 *     1000 barriers in a row complete; when not offered, WRMSR #GP(0).
 * The line "# offered: spec_ctrl=0x.. pred_cmd=N" is read by the L1 test
 * (tests/l1/spec-tests.sh), which knows what the host CPU has.
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("specctl");

#define MSR_SPEC_CTRL	0x48
#define MSR_PRED_CMD	0x49
#define SC_IBRS		(1U << 0)
#define SC_STIBP	(1U << 1)
#define SC_SSBD		(1U << 2)

static int gp0(int vec)
{
	return vec == X86_TRAP_GP && last_fault.error == 0;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t max = cpuid(0).eax, max_ext = cpuid(0x80000000).eax;
	uint32_t edx7 = max >= 7 ? cpuid_count(7, 0).edx : 0;
	uint32_t ebx88 = max_ext >= 0x80000008 ? cpuid(0x80000008).ebx : 0;
	uint32_t sc = 0, bit;
	int pred, vec, i, ok;
	uint64_t v = 0;

	if ((edx7 & (1U << 26)) || (ebx88 & (1U << 14)))
		sc |= SC_IBRS;
	if ((edx7 & (1U << 27)) || (ebx88 & (1U << 15)))
		sc |= SC_STIBP;
	if ((edx7 & (1U << 31)) || (ebx88 & (1U << 24)))
		sc |= SC_SSBD;
	pred = (edx7 & (1U << 26)) || (ebx88 & (1U << 12));
	tap_diag("cpuid 7 edx %#x, 0x80000008 ebx %#x", edx7, ebx88);
	tap_diag("offered: spec_ctrl=%#x pred_cmd=%d", sc, pred);
	tap_ok(!(edx7 & ((1U << 28) | (1U << 29))) && !(ebx88 & (1U << 25)),
	       "L1D_FLUSH, ARCH_CAPABILITIES, VIRT_SSBD never offered");

	if (sc) {
		ok = 1;
		for (bit = 0; bit < 3; bit++) {
			if (!(sc & (1U << bit)))
				continue;
			vec = wrmsr_safe(MSR_SPEC_CTRL, 1U << bit);
			if (vec < 0)
				vec = rdmsr_safe(MSR_SPEC_CTRL, &v);
			if (vec >= 0 || v != (1U << bit)) {
				tap_diag("SPEC_CTRL bit %u: vector %d, read %#llx",
					 bit, vec, (unsigned long long)v);
				ok = 0;
			}
		}
		tap_ok(ok, "SPEC_CTRL: each offered bit (%#x) round-trips", sc);
		vec = wrmsr_safe(MSR_SPEC_CTRL, sc);
		tap_ok(vec < 0 && rdmsr_safe(MSR_SPEC_CTRL, &v) < 0 && v == sc,
		       "SPEC_CTRL <- all offered bits (%#x), read %#llx", sc,
		       (unsigned long long)v);
		ok = gp0(wrmsr_safe(MSR_SPEC_CTRL, sc | (1U << 3)));
		for (bit = 0; bit < 3; bit++)
			if (!(sc & (1U << bit)))
				ok = ok && gp0(wrmsr_safe(MSR_SPEC_CTRL, 1U << bit));
		tap_ok(ok && rdmsr_safe(MSR_SPEC_CTRL, &v) < 0 && v == sc,
		       "SPEC_CTRL: reserved bit 3 and bits not offered raise #GP(0), value kept");
		tap_ok(wrmsr_safe(MSR_SPEC_CTRL, 0) < 0 &&
		       rdmsr_safe(MSR_SPEC_CTRL, &v) < 0 && v == 0,
		       "SPEC_CTRL back to 0");
	} else {
		tap_ok(gp0(rdmsr_safe(MSR_SPEC_CTRL, &v)) &&
		       gp0(wrmsr_safe(MSR_SPEC_CTRL, 0)),
		       "SPEC_CTRL not offered: RDMSR and WRMSR raise #GP(0)");
	}

	if (pred) {
		tap_ok(wrmsr_safe(MSR_PRED_CMD, 1) < 0 &&
		       wrmsr_safe(MSR_PRED_CMD, 0) < 0,
		       "PRED_CMD <- 1 (IBPB) and 0 complete");
		tap_ok(gp0(wrmsr_safe(MSR_PRED_CMD, 2)),
		       "PRED_CMD <- 2 (reserved) raises #GP(0)");
		tap_ok(gp0(rdmsr_safe(MSR_PRED_CMD, &v)),
		       "PRED_CMD read raises #GP(0) (write-only)");
		for (i = 0, ok = 1; i < 1000 && ok; i++)
			ok = wrmsr_safe(MSR_PRED_CMD, 1) < 0;
		tap_ok(ok, "1000 IBPBs in a row complete");
	} else {
		tap_ok(gp0(wrmsr_safe(MSR_PRED_CMD, 1)),
		       "PRED_CMD not offered: WRMSR raises #GP(0)");
	}
	return tap_done();
}
