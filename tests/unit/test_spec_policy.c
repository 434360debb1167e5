// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the world-switch mitigation policy (module/spec_policy.c):
 * synthetic host facts (what the host kernel's bugs.c selected) in, the
 * V3_MIT_* set v3vmm applies out.  The emulated hosts expose few of these
 * CPU bugs and features, so this is where each rule is exercised.
 */
#include <stdio.h>
#include <string.h>
#include "spec_policy.h"
#include "v3vmm.h"

static int n, failed;

#define CHECK(cond, ...) do {						\
	n++;								\
	printf("%sok %d ", (cond) ? "" : "not ", n);			\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!(cond)) {							\
		failed++;						\
		printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

static struct v3_spec_policy decide(const struct v3_spec_facts *f)
{
	struct v3_spec_policy p;

	memset(&p, 0xa5, sizeof(p));	/* the policy must set every field */
	v3_spec_decide(f, &p);
	return p;
}

/* An Intel host (Skylake-like) with every bug mitigated the default way */
static struct v3_spec_facts intel_host(void)
{
	struct v3_spec_facts f = {
		.vmx = true, .ept = true,
		.msr_spec_ctrl = true, .use_ibpb = true, .rsb_vmexit = true,
		.clear_cpu_buf = true, .flush_l1d = true,
		.bug_mds = true, .bug_taa = true, .bug_mmio = true,
		.bug_l1tf = true, .l1d_vmx = V3_L1D_VMX_AUTO,
		.l1tf = V3_L1TF_FLUSH,
		.hw_ibrs = true, .hw_stibp = true, .hw_ssbd = true,
	};
	return f;
}

/* An AMD Zen 2 host: retpolines, untrained returns, no MDS/L1TF */
static struct v3_spec_facts amd_host(void)
{
	struct v3_spec_facts f = {
		.vmx = false,
		.msr_spec_ctrl = true, .use_ibpb = true, .rsb_vmexit = true,
		.untrain_ret_vm = true,
		.hw_ibrs = true, .hw_stibp = true, .hw_ssbd = true,
	};
	return f;
}

static void test_clear_cpu_buf(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK(p.active & V3_MIT_CLEAR_CPU_BUF,
	      "X86_BUG_MDS, host clears CPU buffers -> VERW before VMX entry");

	f.clear_cpu_buf = false;	/* mds=off tsx_async_abort=off ... */
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_CLEAR_CPU_BUF),
	      "X86_BUG_MDS but the host chose no clearing -> no VERW");

	f.clear_cpu_buf_vm = true;	/* 6.1+: VM-only clearing */
	p = decide(&f);
	CHECK(p.active & V3_MIT_CLEAR_CPU_BUF,
	      "CLEAR_CPU_BUF_VM alone -> VERW before VMX entry");

	f = amd_host();
	f.clear_cpu_buf = true;		/* TSA: user/kernel only */
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_CLEAR_CPU_BUF),
	      "SVM, TSA mitigated for user/kernel only -> no VERW before VMRUN");
	f.clear_cpu_buf_vm = true;
	p = decide(&f);
	CHECK(p.active & V3_MIT_CLEAR_CPU_BUF,
	      "SVM, TSA mitigated for VMs -> VERW before VMRUN");
}

static void test_ibpb(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK(p.active & V3_MIT_IBPB, "host uses IBPB -> IBPB between VMs");
	f.use_ibpb = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_IBPB), "no IBPB feature -> no IBPB");
	f = amd_host();
	f.use_ibpb = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_IBPB), "SVM host without IBPB -> no IBPB");
}

static void test_l1tf(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK((p.active & V3_MIT_L1D_FLUSH) && p.l1d_cond,
	      "L1TF, l1tf=flush, KVM not loaded (AUTO) -> L1D flush (cond)");

	f.l1tf = V3_L1TF_FULL;
	p = decide(&f);
	CHECK((p.active & V3_MIT_L1D_FLUSH) && !p.l1d_cond,
	      "l1tf=full -> L1D flush on every entry");

	f.l1tf = V3_L1TF_OFF;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH) && !(p.missing & V3_MIT_L1D_FLUSH),
	      "l1tf=off -> no L1D flush");

	f.l1tf = V3_L1TF_FLUSH;
	f.l1d_vmx = V3_L1D_VMX_NEVER;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH),
	      "L1TF with flush mode never (kvm-intel.vmentry_l1d_flush=never) -> no L1D flush");

	f.l1d_vmx = V3_L1D_VMX_ALWAYS;
	f.l1tf = V3_L1TF_OFF;
	p = decide(&f);
	CHECK(p.active & V3_MIT_L1D_FLUSH,
	      "flush mode always set explicitly wins over l1tf=");

	f = intel_host();
	f.l1d_skip_vmentry = true;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH),
	      "ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH -> no L1D flush");

	f = intel_host();
	f.bug_l1tf = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH), "no X86_BUG_L1TF -> no L1D flush");

	f = intel_host();
	f.flush_l1d = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH) && (p.missing & V3_MIT_L1D_FLUSH),
	      "L1TF flush wanted, no IA32_FLUSH_CMD -> reported missing, not claimed");

	f = intel_host();
	f.vmx = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_L1D_FLUSH), "SVM backend -> never an L1D flush");
}

static void test_rsb_spec_ctrl_bhi(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK(p.active & V3_MIT_RSB_FILL, "retpoline host -> RSB fill (VMX)");
	CHECK((p.active & V3_MIT_SPEC_CTRL) && !p.spec_ctrl_rewrite,
	      "SPEC_CTRL MSR -> switched, only when values differ");
	f.kernel_ibrs = true;
	p = decide(&f);
	CHECK(p.spec_ctrl_rewrite,
	      "host kernel on legacy IBRS -> host SPEC_CTRL rewritten after every exit");

	f = intel_host();
	f.rsb_vmexit = false;
	f.rsb_vmexit_lite = true;	/* eIBRS with PBRSB */
	p = decide(&f);
	CHECK(p.active & V3_MIT_RSB_FILL, "eIBRS + PBRSB -> single-CALL RSB fill on VMX");
	f.vmx = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_RSB_FILL),
	      "RSB_VMEXIT_LITE alone on SVM -> no fill (as KVM's SVM)");

	f = amd_host();
	p = decide(&f);
	CHECK(p.active & V3_MIT_RSB_FILL, "SVM retpoline host -> RSB fill");
	CHECK(p.active & V3_MIT_UNTRAIN_RET, "SVM retbleed=unret host -> untrain after exit");
	f.msr_spec_ctrl = false;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_SPEC_CTRL) && !p.guest_spec_ctrl_bits,
	      "no SPEC_CTRL MSR -> not switched, not offered to guests");

	f = intel_host();
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_UNTRAIN_RET), "VMX -> no RET untraining");
	f.bug_bhi = true;
	f.hw_bhi_dis_s = true;
	p = decide(&f);
	CHECK(!(p.active & V3_MIT_BHI) &&
	      (p.guest_spec_ctrl_bits & V3_SPEC_CTRL_BHI_DIS_S),
	      "BHI fixed by BHI_DIS_S in SPEC_CTRL -> no BHB loop, guest may set BHI_DIS_S");
	f.clear_bhb_vmexit = true;
	p = decide(&f);
	CHECK(p.active & V3_MIT_BHI, "host clears the BHB on VM exit -> BHB clear after exit");

	f = intel_host();
	f.ibpb_exit_to_user = true;
	p = decide(&f);
	CHECK(p.active & V3_MIT_IBPB_EXIT_USER, "VMSCAPE mitigation on -> IBPB before exit to user");
}

static void test_guest_bits_and_off(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK(p.guest_spec_ctrl_bits ==
	      (V3_SPEC_CTRL_IBRS | V3_SPEC_CTRL_STIBP | V3_SPEC_CTRL_SSBD),
	      "guest SPEC_CTRL bits = IBRS|STIBP|SSBD");
	f.hw_ssbd = false;
	p = decide(&f);
	CHECK(!(p.guest_spec_ctrl_bits & V3_SPEC_CTRL_SSBD),
	      "no MSR-based SSBD -> guest cannot set SSBD");

	f = intel_host();
	f.flush_l1d = false;
	f.off = true;
	p = decide(&f);
	CHECK(p.active == 0 && (p.missing & V3_MIT_L1D_FLUSH),
	      "spec_off=1 -> nothing applied (what is missing still said)");

	memset(&f, 0, sizeof(f));
	p = decide(&f);
	CHECK(p.active == 0 && p.missing == 0 && p.guest_spec_ctrl_bits == 0,
	      "host with no mitigations (mitigations=off) -> none");
}

static void test_names(void)
{
	char buf[128], small[8];
	int len;

	v3_spec_names(V3_MIT_RSB_FILL | V3_MIT_IBPB | V3_MIT_BHI, buf, sizeof(buf));
	CHECK(!strcmp(buf, "rsb-fill ibpb bhi"), "names: '%s'", buf);
	v3_spec_names(0, buf, sizeof(buf));
	CHECK(!strcmp(buf, "none"), "names of the empty set: '%s'", buf);
	v3_spec_names(1ULL << 40, buf, sizeof(buf));
	CHECK(!strcmp(buf, "mit-40"), "unknown bit named by number: '%s'", buf);
	len = v3_spec_names(~0ULL, small, sizeof(small));
	CHECK(len == 7 && strlen(small) == 7, "names truncated to the buffer");
	v3_spec_names(V3_MIT_SPEC_CTRL | V3_MIT_CLEAR_CPU_BUF | V3_MIT_L1D_FLUSH |
		      V3_MIT_UNTRAIN_RET | V3_MIT_IBPB_EXIT_USER, buf, sizeof(buf));
	CHECK(!strcmp(buf, "spec-ctrl clear-cpu-buf l1d-flush untrain-ret ibpb-exit-to-user"),
	      "names: '%s'", buf);
}

int main(void)
{
	test_clear_cpu_buf();
	test_ibpb();
	test_l1tf();
	test_rsb_spec_ctrl_bhi();
	test_guest_bits_and_off();
	test_names();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
