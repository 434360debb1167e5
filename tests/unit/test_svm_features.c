// SPDX-License-Identifier: GPL-2.0
/*
 * SVM feature detection (module/svm/svm_features.c) for CPUs the test
 * hosts are not: CPUID Fn8000_000A of real AMD parts, a nested hypervisor
 * and the emulators, and the emulator_quirks= parameter.
 */
#include "svm/svm.h"
#include "unit.h"

/* CPUID Fn8000_000A EDX bits (APM vol. 3 E.4.10) */
#define NP	BIT(0)
#define LBRV	BIT(1)
#define SVML	BIT(2)
#define NRIPS	BIT(3)
#define TSCRATE	BIT(4)
#define CLEAN	BIT(5)
#define FLUSHID	BIT(6)
#define DECODE	BIT(7)
#define PFILT	BIT(10)
#define PFTHR	BIT(12)
#define AVIC	BIT(13)
#define VGIF	BIT(16)

/* an EPYC 7002-class part */
#define ZEN2_EDX (NP | LBRV | SVML | NRIPS | TSCRATE | CLEAN | FLUSHID | \
		  DECODE | PFILT | PFTHR | AVIC | VGIF)
/* family 10h (2007): nested paging and NRIP save, nothing else */
#define FAM10_EDX (NP | LBRV | SVML | NRIPS)
/* QEMU TCG -cpu EPYC: what TCG emulates of SVM */
#define QEMU_TCG_EDX (NP | VGIF)
/* Bochs "ryzen": NRIP save, flush-by-ASID, pause filter */
#define BOCHS_RYZEN_EDX (NP | NRIPS | FLUSHID | PFILT)

int main(void)
{
	struct v3_svm_features f;
	enum v3_svm_quirks_mode m;
	u64 caps;

	v3_svm_features_from_cpuid(&f, ZEN2_EDX, 32768, false, V3_QUIRKS_AUTO);
	CHECK(f.np && f.nrips && f.decode_assists && f.flush_by_asid &&
	      f.vmcb_clean && f.pause_filter && f.pause_thresh && f.nasid == 32768,
	      "Zen 2: every feature found, 32768 ASIDs");
	CHECK(!f.emulator_quirks, "Zen 2 bare metal: emulator quirks off");
	caps = v3_svm_caps_of(&f);
	CHECK(caps & V3_CAP_NRIP_SAVE && caps & V3_CAP_DECODE_ASSISTS &&
	      caps & V3_CAP_FLUSH_BY_ASID && caps & V3_CAP_VMCB_CLEAN &&
	      caps & V3_CAP_PAUSE_FILTER && !(caps & V3_CAP_EMULATOR_QUIRKS) &&
	      caps & V3_CAP_SVM && caps & V3_CAP_NESTED_PAGING,
	      "Zen 2: caps report nrip-save, decode-assists, flush-by-asid, vmcb-clean, pause-filter (0x%llx)",
	      (unsigned long long)caps);

	v3_svm_features_from_cpuid(&f, ZEN2_EDX, 32768, true, V3_QUIRKS_AUTO);
	CHECK(!f.emulator_quirks, "Zen 2 under a nested hypervisor (hypervisor bit, features passed on): quirks off");

	v3_svm_features_from_cpuid(&f, FAM10_EDX, 64, false, V3_QUIRKS_AUTO);
	CHECK(f.nrips && !f.flush_by_asid && !f.vmcb_clean && !f.decode_assists &&
	      !f.pause_filter && !f.emulator_quirks,
	      "family 10h bare metal: NRIP save only, quirks off");
	v3_svm_features_from_cpuid(&f, NP, 64, false, V3_QUIRKS_AUTO);
	CHECK(!f.emulator_quirks, "no hypervisor bit: quirks never on in auto mode, whatever the features");

	v3_svm_features_from_cpuid(&f, QEMU_TCG_EDX, 16, true, V3_QUIRKS_AUTO);
	CHECK(f.np && !f.nrips && !f.flush_by_asid && !f.vmcb_clean &&
	      !f.pause_filter && f.emulator_quirks,
	      "QEMU TCG EPYC: no NRIP save, flush-by-ASID or clean bits: quirks on");
	caps = v3_svm_caps_of(&f);
	CHECK(caps & V3_CAP_EMULATOR_QUIRKS && !(caps & V3_CAP_NRIP_SAVE) &&
	      !(caps & V3_CAP_FLUSH_BY_ASID),
	      "QEMU TCG: caps report emulator-quirks (0x%llx)", (unsigned long long)caps);
	v3_svm_features_from_cpuid(&f, QEMU_TCG_EDX, 16, true, V3_QUIRKS_OFF);
	CHECK(!f.emulator_quirks, "QEMU TCG, emulator_quirks=off: off");
	v3_svm_features_from_cpuid(&f, ZEN2_EDX, 32768, false, V3_QUIRKS_ON);
	CHECK(f.emulator_quirks, "Zen 2, emulator_quirks=on: on (forced)");

	v3_svm_features_from_cpuid(&f, BOCHS_RYZEN_EDX, 64, true, V3_QUIRKS_AUTO);
	CHECK(f.nrips && f.flush_by_asid && f.pause_filter && !f.pause_thresh &&
	      !f.vmcb_clean && !f.decode_assists && !f.emulator_quirks,
	      "Bochs ryzen: NRIP save, flush-by-ASID, pause filter; auto leaves quirks off");
	v3_svm_features_from_cpuid(&f, NP | PFTHR, 64, false, V3_QUIRKS_AUTO);
	CHECK(!f.pause_filter && !f.pause_thresh, "a pause threshold without the filter count is not used");
	v3_svm_features_from_cpuid(&f, LBRV, 64, false, V3_QUIRKS_AUTO);
	CHECK(!f.np, "no nested paging reported (probe refuses)");

	CHECK(!v3_svm_parse_quirks("auto", &m) && m == V3_QUIRKS_AUTO, "emulator_quirks=auto");
	CHECK(!v3_svm_parse_quirks("on", &m) && m == V3_QUIRKS_ON, "emulator_quirks=on");
	CHECK(!v3_svm_parse_quirks("off", &m) && m == V3_QUIRKS_OFF, "emulator_quirks=off");
	CHECK(!v3_svm_parse_quirks("1", &m) && m == V3_QUIRKS_ON &&
	      !v3_svm_parse_quirks("0", &m) && m == V3_QUIRKS_OFF, "emulator_quirks=1/0");
	CHECK(!v3_svm_parse_quirks("off\n", &m) && m == V3_QUIRKS_OFF, "emulator_quirks with a trailing newline");
	CHECK(v3_svm_parse_quirks("yes", &m) == -EINVAL &&
	      v3_svm_parse_quirks("onn", &m) == -EINVAL &&
	      v3_svm_parse_quirks("o", &m) == -EINVAL,
	      "emulator_quirks=yes/onn/o refused (-EINVAL)");
	return unit_done();
}
