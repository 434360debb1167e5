// SPDX-License-Identifier: GPL-2.0
/*
 * Every intercept a new VMCB sets (v3_svm_set_intercepts) must decode into
 * a handled exit reason, and every instruction intercept must get a length
 * with NRIP save (APM vol. 2 appendix C: the exit code of intercept bit n
 * of each vector).  Also: what is and is not intercepted (issue #11 2:
 * #AC, #MC, RDPMC, WBINVD, INVD; PAUSE only with a pause filter).
 */
#include "svm/svm.h"
#include "unit.h"

struct v3_svm_features v3_svm_feat;

static struct v3_vcpu vcpu;
static struct v3_svm_vcpu svm;
static struct v3_vmcb vmcb;

static void decode(u64 code, u64 rip, u64 next_rip)
{
	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	vmcb.control.exit_code = code;
	vmcb.control.exit_info_1 = 0;
	vmcb.control.exit_info_2 = rip + 2;	/* IOIO: next rIP */
	vmcb.control.next_rip = next_rip;
	vcpu.regs.rip = rip;
	v3_svm_decode_exit(&vcpu);
}

/* Exit codes of the instruction intercepts (APM table C-1). */
static bool is_insn(u64 code)
{
	if (code >= V3_SVM_EXIT_READ_DR0 && code < V3_SVM_EXIT_EXCP_BASE)
		return true;
	return code == V3_SVM_EXIT_RDPMC || code == V3_SVM_EXIT_CPUID ||
	       code == V3_SVM_EXIT_INVD || code == V3_SVM_EXIT_PAUSE ||
	       code == V3_SVM_EXIT_HLT || code == V3_SVM_EXIT_INVLPGA ||
	       code == V3_SVM_EXIT_IOIO || code == V3_SVM_EXIT_MSR ||
	       (code >= V3_SVM_EXIT_VMRUN && code <= V3_SVM_EXIT_XSETBV);
}

static void check_all(const char *m)
{
	struct v3_vmcb_control c;
	u32 vec[5];
	u64 base[5] = { 0x000, 0x020, 0x040, 0x060, 0x080 };
	unsigned int v, bit, n = 0, bad = 0;

	memset(&c, 0, sizeof(c));
	v3_svm_set_intercepts(&c, &v3_svm_feat);
	vec[0] = c.intercept_cr;
	vec[1] = c.intercept_dr;
	vec[2] = c.intercept_exceptions;
	vec[3] = c.intercept_misc1;
	vec[4] = c.intercept_misc2;
	for (v = 0; v < 5; v++) {
		for (bit = 0; bit < 32; bit++) {
			u64 code = base[v] + bit;

			if (!(vec[v] & BIT(bit)))
				continue;
			/* vectors 0 and 1: reads 0-15, writes 16-31 */
			n++;
			decode(code, 0x9000, 0x9004);
			if (vcpu.exit.reason == V3_EXIT_OTHER ||
			    vcpu.exit.reason >= V3_NR_EXIT_REASONS ||
			    (is_insn(code) && v3_svm_feat.nrips &&
			     code != V3_SVM_EXIT_IOIO &&
			     vcpu.exit.insn_len != 4) ||
			    (!is_insn(code) && vcpu.exit.insn_len)) {
				bad++;
				printf("# exit 0x%llx: reason %u len %u\n",
				       (unsigned long long)code,
				       vcpu.exit.reason, vcpu.exit.insn_len);
			}
		}
	}
	CHECK(n > 40 && !bad,
	      "%s: all %u intercepted exits decode to a handled reason, lengths from nRIP", m, n);
}

int main(void)
{
	struct v3_vmcb_control c;

	svm.vmcb = &vmcb;
	vcpu.arch = &svm;

	memset(&v3_svm_feat, 0, sizeof(v3_svm_feat));
	v3_svm_feat.nrips = true;
	v3_svm_feat.decode_assists = true;
	check_all("nrips+decode, no pause filter");
	v3_svm_feat.pause_filter = true;
	v3_svm_feat.pause_thresh = true;
	check_all("nrips+decode+pause filter");

	memset(&v3_svm_feat, 0, sizeof(v3_svm_feat));
	memset(&c, 0, sizeof(c));
	v3_svm_set_intercepts(&c, &v3_svm_feat);
	CHECK(c.intercept_exceptions & BIT(17), "#AC (vector 17) intercepted");
	CHECK(c.intercept_exceptions & BIT(18), "#MC (vector 18) intercepted");
	CHECK(c.intercept_exceptions & BIT(6),
	      "#UD (vector 6) intercepted: GEARS' traps");
	CHECK(!(c.intercept_exceptions & ~(BIT(6) | BIT(17) | BIT(18))),
	      "no other exception intercepted (#PF, #BP... stay the guest's)");
	CHECK(!(c.intercept_misc1 & BIT(21)), "INTn not intercepted (the guest's INT n run natively)");
	CHECK(c.intercept_misc1 & BIT(15), "RDPMC intercepted (vector 3 bit 15)");
	CHECK(c.intercept_misc1 & BIT(22), "INVD intercepted (vector 3 bit 22)");
	CHECK(c.intercept_misc2 & BIT(9), "WBINVD intercepted (vector 4 bit 9)");
	CHECK(c.intercept_misc2 & BIT(0), "VMRUN intercepted (required, APM 15.5.1)");
	CHECK_EQ(c.intercept_dr, 0x00ff00ff, "DR0-7 reads and writes intercepted");
	CHECK_EQ(c.intercept_cr, 0, "no CR intercepts (nested paging)");
	CHECK(!(c.intercept_misc1 & BIT(25)), "INVLPG not intercepted (nested paging)");
	CHECK(!(c.intercept_misc1 & BIT(23)) && !c.pause_filter_count,
	      "no pause filter: PAUSE not intercepted");

	v3_svm_feat.pause_filter = true;
	memset(&c, 0, sizeof(c));
	v3_svm_set_intercepts(&c, &v3_svm_feat);
	CHECK((c.intercept_misc1 & BIT(23)) &&
	      c.pause_filter_count == V3_PAUSE_FILTER_COUNT &&
	      c.pause_filter_thresh == 0,
	      "pause filter without threshold: PAUSE intercepted, count %u, threshold 0",
	      c.pause_filter_count);
	v3_svm_feat.pause_thresh = true;
	memset(&c, 0, sizeof(c));
	v3_svm_set_intercepts(&c, &v3_svm_feat);
	CHECK(c.pause_filter_count == V3_PAUSE_FILTER_COUNT &&
	      c.pause_filter_thresh == V3_PAUSE_FILTER_THRESH,
	      "pause filter with threshold: count %u threshold %u",
	      c.pause_filter_count, c.pause_filter_thresh);
	return unit_done();
}
