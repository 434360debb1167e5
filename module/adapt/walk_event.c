// SPDX-License-Identifier: GPL-2.0
/*
 * Which hardware event measures the guest's page walks, by CPU model.
 * Pure code (tests/unit/test_walk_event.c).
 *
 * AMD (family 17h and later): PMCx045 "L1 DTLB Miss" with unit mask 0xf0,
 * the data-TLB misses that also missed the L2 DTLB, i.e. the table walks
 * (AMD PPR for family 17h/19h, "LsL1DTlbMiss").  AMD has no walk-duration
 * event: paging_perf.c converts walks to cycles with estimates.
 *
 * Intel: DTLB_LOAD_MISSES.WALK_PENDING (WALK_DURATION before Skylake)
 * counts, every cycle, the page walks a demand load has outstanding, EPT
 * walk included: the walks' cycles themselves (Intel's event lists for
 * each core, "perfmon" JSON).  Its event select moved with Golden Cove
 * from 0x08 to 0x12; unit mask 0x10 in both.  Family 6 only.
 */
#include <linux/errno.h>
#include <asm/processor.h>
#include "walk_event.h"

#define AMD_EV_L1_DTLB_MISS	0x45
#define AMD_UM_L2_DTLB_MISS	0xf0

#define INTEL_EV_DTLB_LOAD_MISSES	0x08	/* Haswell to Tiger Lake */
#define INTEL_EV_DTLB_LOAD_MISSES_GLC	0x12	/* Golden Cove and later */
#define INTEL_UM_WALK_PENDING		0x10

/* family 6 models with the 0x08 event: Haswell, Broadwell, Skylake and
 * its server parts (Cascade/Cooper Lake), Kaby/Coffee/Comet Lake, Ice Lake
 * client and server, Tiger Lake, Rocket Lake */
static const u8 v3_intel_pre_glc[] = {
	0x3c, 0x3f, 0x45, 0x46,			/* Haswell */
	0x3d, 0x47, 0x4f, 0x56,			/* Broadwell */
	0x4e, 0x5e, 0x55,			/* Skylake, Skylake-SP */
	0x8e, 0x9e, 0xa5, 0xa6,			/* Kaby/Coffee/Comet Lake */
	0x6a, 0x6c, 0x7d, 0x7e,			/* Ice Lake SP, D, client */
	0x8c, 0x8d, 0xa7,			/* Tiger Lake, Rocket Lake */
};

/* family 6 models with the 0x12 event: Sapphire Rapids, Emerald Rapids,
 * Granite Rapids (the hybrid client parts are left out by the backend) */
static const u8 v3_intel_glc[] = { 0x8f, 0xcf, 0xad, 0xae };

static bool v3_in(const u8 *tab, unsigned int n, unsigned int model)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tab[i] == model)
			return true;
	return false;
}

int v3_walk_event_pick(int vendor, unsigned int family, unsigned int model,
		       bool svm, u64 override, struct v3_walk_event *ev)
{
	if (svm && vendor == X86_VENDOR_AMD) {
		ev->cycles = false;
		ev->config = override ? override :
			AMD_EV_L1_DTLB_MISS | (AMD_UM_L2_DTLB_MISS << 8);
		return family >= 0x17 || override ? 0 : -EOPNOTSUPP;
	}
	if (svm || vendor != X86_VENDOR_INTEL)
		return -EOPNOTSUPP;
	ev->cycles = true;
	if (override) {
		ev->config = override;
		return 0;
	}
	if (family != 6)
		return -EOPNOTSUPP;
	if (v3_in(v3_intel_pre_glc, sizeof(v3_intel_pre_glc), model))
		ev->config = INTEL_EV_DTLB_LOAD_MISSES;
	else if (v3_in(v3_intel_glc, sizeof(v3_intel_glc), model))
		ev->config = INTEL_EV_DTLB_LOAD_MISSES_GLC;
	else
		return -EOPNOTSUPP;
	ev->config |= INTEL_UM_WALK_PENDING << 8;
	return 0;
}
