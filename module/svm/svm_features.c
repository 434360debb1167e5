// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM features v3vmm uses, from CPUID Fn8000_000A (APM vol. 3
 * appendix E.4.10): EBX = number of ASIDs, EDX = feature bits.  A pure
 * function of the CPUID values so that feature sets no emulator offers
 * can be tested in user space (tests/unit/test_svm_features.c).
 *
 * Emulator quirks (emulator_quirks=auto|on|off).  QEMU's TCG emulation
 * of SVM botches about one VMRUN in 10^5 (svm_entry_check.c) and does not
 * tag its TLB with ASIDs (svm_asid.c).  "auto" turns the workarounds on
 * only for a CPU that both says it runs under a hypervisor (CPUID
 * Fn0000_0001 ECX[31]) and lacks all of NRIP save, flush-by-ASID and
 * VMCB clean bits.  Every AMD CPU with SVM since family 15h (2011) has all
 * three, and a hypervisor forwarding real SVM (nested KVM) passes them
 * on; QEMU TCG offers none of them.  Bare metal (no hypervisor bit)
 * never gets the quirks in auto mode.  "on"/"off" force them, for test
 * harnesses and for emulators that auto does not recognise.
 */
#include <linux/string.h>
#include <linux/errno.h>
#include "svm.h"

void v3_svm_features_from_cpuid(struct v3_svm_features *f, u32 edx, u32 ebx,
				bool hypervisor, enum v3_svm_quirks_mode mode)
{
	memset(f, 0, sizeof(*f));
	f->nasid = ebx;
	f->np = edx & V3_SVM_FEAT_NP;
	f->nrips = edx & V3_SVM_FEAT_NRIPS;
	f->decode_assists = edx & V3_SVM_FEAT_DECODE;
	f->flush_by_asid = edx & V3_SVM_FEAT_FLUSH_ASID;
	f->vmcb_clean = edx & V3_SVM_FEAT_VMCB_CLEAN;
	f->pause_filter = edx & V3_SVM_FEAT_PAUSE;
	/* the threshold only means something with the filter count */
	f->pause_thresh = f->pause_filter && (edx & V3_SVM_FEAT_PAUSE_THR);
	switch (mode) {
	case V3_QUIRKS_ON:
		f->emulator_quirks = true;
		break;
	case V3_QUIRKS_OFF:
		f->emulator_quirks = false;
		break;
	default:
		f->emulator_quirks = hypervisor && !f->nrips &&
				     !f->flush_by_asid && !f->vmcb_clean;
	}
}

int v3_svm_parse_quirks(const char *s, enum v3_svm_quirks_mode *mode)
{
	size_t n = s ? strlen(s) : 0;

	if (n && s[n - 1] == '\n')	/* written through sysfs */
		n--;
	if (!n || (n == 4 && !strncmp(s, "auto", 4)))
		*mode = V3_QUIRKS_AUTO;
	else if ((n == 2 && !strncmp(s, "on", 2)) ||
		 (n == 1 && s[0] == '1'))
		*mode = V3_QUIRKS_ON;
	else if ((n == 3 && !strncmp(s, "off", 3)) ||
		 (n == 1 && s[0] == '0'))
		*mode = V3_QUIRKS_OFF;
	else
		return -EINVAL;
	return 0;
}

u64 v3_svm_caps_of(const struct v3_svm_features *f)
{
	return V3_CAP_SVM | V3_CAP_NESTED_PAGING | V3_CAP_LARGE_PAGES |
	       (f->nrips ? V3_CAP_NRIP_SAVE : 0) |
	       (f->decode_assists ? V3_CAP_DECODE_ASSISTS : 0) |
	       (f->flush_by_asid ? V3_CAP_FLUSH_BY_ASID : 0) |
	       (f->vmcb_clean ? V3_CAP_VMCB_CLEAN : 0) |
	       (f->pause_filter ? V3_CAP_PAUSE_FILTER : 0) |
	       (f->emulator_quirks ? V3_CAP_EMULATOR_QUIRKS : 0);
}
