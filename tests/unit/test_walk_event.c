// SPDX-License-Identifier: GPL-2.0
/*
 * The adaptive paging policy's page-walk event by CPU and backend
 * (module/adapt/walk_event.c): the models no emulator here has.
 */
#include <asm/processor.h>
#include "adapt/walk_event.h"
#include "unit.h"

static int pick(int vendor, unsigned int fam, unsigned int model, bool svm,
		u64 override, struct v3_walk_event *ev)
{
	ev->config = 0xdead;
	ev->cycles = false;
	return v3_walk_event_pick(vendor, fam, model, svm, override, ev);
}

int main(void)
{
	static const struct {
		unsigned int model;
		u64 config;
		const char *name;
	} intel[] = {
		{ 0x3f, 0x1008, "Haswell-EP" },
		{ 0x4f, 0x1008, "Broadwell-EP" },
		{ 0x55, 0x1008, "Skylake-SP / Cascade Lake" },
		{ 0x9e, 0x1008, "Coffee Lake" },
		{ 0x6a, 0x1008, "Ice Lake-SP" },
		{ 0x8c, 0x1008, "Tiger Lake" },
		{ 0x8f, 0x1012, "Sapphire Rapids (Golden Cove: event 0x12)" },
		{ 0xcf, 0x1012, "Emerald Rapids" },
		{ 0xad, 0x1012, "Granite Rapids" },
	};
	struct v3_walk_event ev;
	unsigned int i;

	for (i = 0; i < sizeof(intel) / sizeof(intel[0]); i++) {
		int r = pick(X86_VENDOR_INTEL, 6, intel[i].model, false, 0, &ev);

		CHECK(r == 0 && ev.config == intel[i].config && ev.cycles,
		      "Intel %s (model 0x%x): WALK_PENDING 0x%llx, counts cycles",
		      intel[i].name, intel[i].model, (unsigned long long)ev.config);
	}
	CHECK(pick(X86_VENDOR_INTEL, 6, 0x1a, false, 0, &ev) == -EOPNOTSUPP,
	      "Intel Nehalem (not in the table): no event, trials");
	CHECK(pick(X86_VENDOR_INTEL, 6, 0x55, true, 0, &ev) == -EOPNOTSUPP,
	      "Intel CPU under the SVM backend: no event");
	CHECK(pick(X86_VENDOR_INTEL, 0x13, 0x01, false, 0, &ev) == -EOPNOTSUPP,
	      "Intel family 19 (not family 6): no event");
	CHECK(pick(X86_VENDOR_INTEL, 6, 0x1a, false, 0x1234, &ev) == 0 &&
	      ev.config == 0x1234 && ev.cycles,
	      "Intel, walk_event= given: that event, taken as cycles");

	CHECK(pick(X86_VENDOR_AMD, 0x19, 0x01, true, 0, &ev) == 0 &&
	      ev.config == 0xf045 && !ev.cycles,
	      "AMD Zen 3 under SVM: PMCx045 mask 0xf0, counts walks");
	CHECK(pick(X86_VENDOR_AMD, 0x17, 0x31, true, 0, &ev) == 0 && ev.config == 0xf045,
	      "AMD Zen 2 under SVM: the same event");
	CHECK(pick(X86_VENDOR_AMD, 0x15, 0x01, true, 0, &ev) == -EOPNOTSUPP,
	      "AMD family 15h: no event");
	CHECK(pick(X86_VENDOR_AMD, 0x15, 0x01, true, 0x4321, &ev) == 0 &&
	      ev.config == 0x4321 && !ev.cycles,
	      "AMD family 15h, walk_event= given: that event, counting walks");
	CHECK(pick(X86_VENDOR_AMD, 0x19, 0x01, false, 0, &ev) == -EOPNOTSUPP,
	      "AMD CPU under the VMX backend: no event");
	CHECK(pick(X86_VENDOR_HYGON, 0x18, 0x00, true, 0, &ev) == -EOPNOTSUPP,
	      "Hygon: not in the table, no event");
	return unit_done();
}
