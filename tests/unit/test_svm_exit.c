// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit decoding (module/svm/svm_exit.c) on CPUs the emulators do not
 * offer: with and without NRIP save and decode assists (APM vol. 2 15.7.1,
 * 15.33).  Each case writes a VMCB as the CPU would leave it after a
 * #VMEXIT and checks the common struct v3_exit.
 */
#include "svm/svm.h"
#include "unit.h"

/* defined in svm.c, which the test does not build */
struct v3_svm_features v3_svm_feat;

static struct v3_vcpu vcpu;
static struct v3_svm_vcpu svm;
static struct v3_vmcb vmcb;

static void exit_with(u64 code, u64 info1, u64 info2, u64 rip, u64 next_rip)
{
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	vmcb.control.exit_code = code;
	vmcb.control.exit_info_1 = info1;
	vmcb.control.exit_info_2 = info2;
	vmcb.control.next_rip = next_rip;
	vcpu.regs.rip = rip;
	v3_svm_decode_exit(&vcpu);
}

static void features(bool nrips, bool decode)
{
	memset(&v3_svm_feat, 0, sizeof(v3_svm_feat));
	v3_svm_feat.nasid = 16;
	v3_svm_feat.nrips = nrips;
	v3_svm_feat.decode_assists = decode;
}

int main(void)
{
	svm.vmcb = &vmcb;
	vcpu.arch = &svm;

	features(false, false);
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0);
	CHECK_EQ(vcpu.exit.reason, V3_EXIT_CPUID, "no NRIP save: CPUID decodes as cpuid");
	CHECK_EQ(vcpu.exit.insn_len, 2, "no NRIP save: CPUID length from its encoding (0f a2)");
	exit_with(V3_SVM_EXIT_IOIO, (0x80 << 16) | BIT(4) | BIT(8), 0x1002, 0x1000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_IO && vcpu.exit.io.port == 0x80 &&
	      vcpu.exit.io.size == 1 && !vcpu.exit.io.in,
	      "IOIO: port 0x80, 1 byte, OUT");
	CHECK_EQ(vcpu.exit.insn_len, 2, "IOIO: length from EXITINFO2 (next rIP)");

	features(true, false);
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0x1003);
	CHECK_EQ(vcpu.exit.insn_len, 3, "NRIP save: CPUID length from next_rip (prefixed 3-byte form)");
	exit_with(V3_SVM_EXIT_MSR, 1, 0, 0x2000, 0x2002);
	CHECK(vcpu.exit.reason == V3_EXIT_WRMSR && vcpu.exit.insn_len == 2,
	      "NRIP save: WRMSR decodes with length 2");

	return unit_done();
}
