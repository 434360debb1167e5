// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the world-switch mitigation policy (module/spec_policy.c):
 * synthetic host facts (what the host kernel's bugs.c selected) in, the
 * V3_MIT_* set v3vmm applies out.  The emulated hosts expose few of these
 * CPU bugs and features, so this is where each rule is exercised.
 */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include "spec_policy.h"
#include "v3vmm.h"

static int n, failed;

#define CHECK(cond, ...) do {						\
	int __ok = !!(cond);	/* evaluated once: it may have effects */ \
	n++;								\
	printf("%sok %d ", __ok ? "" : "not ", n);			\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!__ok) {							\
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
		.hw_ibpb = true,
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
		.hw_ibpb = true,
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

/* CPUID bits, as lists */
#define B(x) (1U << (x))
#define INTEL7_ALL (B(26) | B(27) | B(28) | B(29) | B(31) | B(10))
#define AMD88_ALL (B(12) | B(14) | B(15) | B(16) | B(17) | B(18) | B(19) | \
		   B(24) | B(25) | B(26) | B(0) | B(9))

static __u32 cpuid7(const struct v3_spec_policy *p, __u32 host)
{
	return v3_spec_guest_cpuid(p, 7, 0, 3, host);
}

static __u32 cpuid88(const struct v3_spec_policy *p, __u32 host)
{
	return v3_spec_guest_cpuid(p, 0x80000008, 0, 1, host);
}

/* Which CPUID bits a guest is offered, per host feature combination */
static void test_guest_cpuid(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;

	p = decide(&f);
	CHECK(p.guest_pred_cmd, "Intel, IBPB hardware -> guest may write PRED_CMD");
	CHECK(cpuid7(&p, INTEL7_ALL) == (B(26) | B(27) | B(31)),
	      "Intel: leaf 7 EDX offers IBRS/IBPB, STIBP, SSBD; not L1D_FLUSH, ARCH_CAP (%#x)",
	      cpuid7(&p, INTEL7_ALL));
	CHECK(cpuid7(&p, B(27)) == B(27),
	      "Intel: only what the host reports (host STIBP only -> STIBP only)");
	CHECK(cpuid88(&p, 0) == 0, "Intel: nothing in 0x80000008 EBX when the host has none");
	CHECK(v3_spec_guest_cpuid(&p, 7, 1, 3, ~0U) == 0 &&
	      v3_spec_guest_cpuid(&p, 7, 0, 2, ~0U) == 0 &&
	      v3_spec_guest_cpuid(&p, 1, 0, 3, ~0U) == 0,
	      "other leaves, sub-leaves, registers: nothing added");

	f.hw_ibpb = false;
	p = decide(&f);
	CHECK(!p.guest_pred_cmd && !(cpuid7(&p, INTEL7_ALL) & B(26)) &&
	      (cpuid7(&p, INTEL7_ALL) & B(27)),
	      "Intel without IBPB -> bit 26 (IBRS+IBPB) hidden, STIBP kept");
	f = intel_host();
	f.hw_ibrs = false;
	p = decide(&f);
	CHECK(cpuid7(&p, INTEL7_ALL) == (B(27) | B(31)),
	      "Intel without IBRS -> bit 26 hidden (%#x)", cpuid7(&p, INTEL7_ALL));
	f = intel_host();
	f.hw_stibp = false;
	p = decide(&f);
	CHECK(cpuid7(&p, INTEL7_ALL) == (B(26) | B(31)), "Intel without STIBP -> bit 27 hidden");
	f = intel_host();
	f.hw_ssbd = false;
	p = decide(&f);
	CHECK(cpuid7(&p, INTEL7_ALL) == (B(26) | B(27)), "Intel without SSBD -> bit 31 hidden");
	f = intel_host();
	f.msr_spec_ctrl = false;
	p = decide(&f);
	CHECK(cpuid7(&p, INTEL7_ALL) == 0 && p.guest_pred_cmd,
	      "host kernel does not use SPEC_CTRL -> no SPEC_CTRL bits (PRED_CMD alone stays)");

	f = amd_host();
	p = decide(&f);
	CHECK(cpuid88(&p, AMD88_ALL) ==
	      (B(12) | B(14) | B(15) | B(16) | B(17) | B(18) | B(19) | B(24) | B(26)),
	      "AMD: 0x80000008 EBX offers IBPB IBRS STIBP, their always-on/preferred/same-mode, SSBD, SSB_NO; not VIRT_SSBD (%#x)",
	      cpuid88(&p, AMD88_ALL));
	CHECK(cpuid7(&p, 0) == 0, "AMD: leaf 7 EDX empty when the host's is");
	f.hw_ibrs = false;
	p = decide(&f);
	CHECK(cpuid88(&p, AMD88_ALL) == (B(12) | B(15) | B(17) | B(24) | B(26)),
	      "AMD without IBRS (Zen 2 style) -> IBRS and its qualifiers hidden (%#x)",
	      cpuid88(&p, AMD88_ALL));
	f = amd_host();
	f.hw_stibp = false;
	f.hw_ssbd = false;
	p = decide(&f);
	CHECK(cpuid88(&p, AMD88_ALL) == (B(12) | B(14) | B(16) | B(18) | B(19) | B(26)),
	      "AMD without STIBP, SSBD -> those hidden (%#x)", cpuid88(&p, AMD88_ALL));
	f = amd_host();
	f.hw_ibpb = false;
	p = decide(&f);
	CHECK(!(cpuid88(&p, AMD88_ALL) & B(12)), "AMD without IBPB -> bit 12 hidden");

	f = amd_host();
	f.off = true;
	p = decide(&f);
	CHECK(!p.guest_spec_ctrl_bits && !p.guest_pred_cmd &&
	      cpuid88(&p, AMD88_ALL) == 0 && cpuid7(&p, INTEL7_ALL) == 0,
	      "spec_off=1 -> guests get none of the family");
	f = intel_host();
	f.guest_hide = true;
	p = decide(&f);
	CHECK(!p.guest_spec_ctrl_bits && !p.guest_pred_cmd &&
	      cpuid7(&p, INTEL7_ALL) == 0 && (p.active & V3_MIT_SPEC_CTRL),
	      "guest_spec_ctrl=0 -> guests get none; host switch stays on");
}

/* The guest's SPEC_CTRL and PRED_CMD against the policy */
static void test_guest_msrs(void)
{
	struct v3_spec_facts f = intel_host();
	struct v3_spec_policy p;
	__u64 sc = 0, v = 0;
	bool ibpb = true;
	int bad = 0, bit;

	p = decide(&f);
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_SPEC_CTRL, 7, &ibpb) == 0 &&
	      sc == 7 && !ibpb, "SPEC_CTRL <- IBRS|STIBP|SSBD accepted");
	CHECK(v3_spec_msr_read(&p, sc, V3_MSR_SPEC_CTRL, &v) == 0 && v == 7,
	      "SPEC_CTRL reads back 7");
	for (bit = 3; bit < 64; bit++) {
		sc = 5;
		if (v3_spec_msr_write(&p, &sc, V3_MSR_SPEC_CTRL,
				      1ULL << bit, &ibpb) != -EINVAL || sc != 5)
			bad++;
	}
	CHECK(bad == 0, "SPEC_CTRL: each of bits 3-63 (BHI_DIS_S without hardware too) -> #GP, value kept (%d bad)", bad);
	f.hw_bhi_dis_s = true;
	p = decide(&f);
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_SPEC_CTRL, 1ULL << 10, &ibpb) == 0,
	      "SPEC_CTRL: BHI_DIS_S accepted where the CPU has it");
	f = intel_host();
	f.hw_ssbd = false;
	p = decide(&f);
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_SPEC_CTRL, 4, &ibpb) == -EINVAL,
	      "SPEC_CTRL: SSBD on a CPU without it -> #GP");

	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 1, &ibpb) == 0 && ibpb,
	      "PRED_CMD <- IBPB accepted, barrier requested");
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 0, &ibpb) == 0 && !ibpb,
	      "PRED_CMD <- 0 accepted, no barrier");
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 1ULL << 7, &ibpb) == -EINVAL &&
	      v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 3, &ibpb) == -EINVAL &&
	      v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 1ULL << 32 | 1, &ibpb) == -EINVAL,
	      "PRED_CMD: SBPB (bit 7), bit 1, bit 32 -> #GP");
	CHECK(v3_spec_msr_read(&p, sc, V3_MSR_PRED_CMD, &v) == -EINVAL,
	      "PRED_CMD is write-only: read -> #GP");

	f = intel_host();
	f.guest_hide = true;
	p = decide(&f);
	CHECK(v3_spec_msr_write(&p, &sc, V3_MSR_SPEC_CTRL, 0, &ibpb) == -EINVAL &&
	      v3_spec_msr_read(&p, sc, V3_MSR_SPEC_CTRL, &v) == -EINVAL &&
	      v3_spec_msr_write(&p, &sc, V3_MSR_PRED_CMD, 1, &ibpb) == -EINVAL,
	      "not offered: SPEC_CTRL read/write and PRED_CMD write -> #GP");
	CHECK(v3_spec_msr_write(&p, &sc, 0x10b, 1, &ibpb) == -ENOENT &&
	      v3_spec_msr_read(&p, sc, 0x4a, &v) == -ENOENT,
	      "other MSRs (FLUSH_CMD, 0x4a) are not this code's: -ENOENT");
}

/*
 * The IBPB-at-entry rule against a model: 2 CPUs, 3 vCPUs of VM 1 and
 * 1 of VM 2, random entries and guest PRED_CMD writes.  The model knows
 * which vCPU epochs each CPU's predictors hold since its last barrier;
 * no entry may find predictions of another VM (host policy on) or,
 * after the guest asked for barriers, of another vCPU or of the same
 * vCPU before its last PRED_CMD write.
 */
static void test_ibpb_model(void)
{
	struct v3_spec_last last[2] = { { 0, 0 } };
	__u64 key[4], next = 1, seen[2][64];
	unsigned int nseen[2] = { 0, 0 }, vm_of[4] = { 1, 1, 1, 2 };
	bool gibpb[4] = { false, false, false, false };
	unsigned int i, j, seed = 12345, leaks = 0, barriers = 0;

	for (i = 0; i < 4; i++)
		key[i] = ++next;
	for (i = 0; i < 200000; i++) {
		unsigned int cpu, v, r;
		int d;

		seed = seed * 1103515245 + 12345;
		r = seed >> 8;
		cpu = r & 1;
		v = (r >> 1) & 3;
		if (((r >> 3) & 15) == 0 && v != 3) {	/* VM 1 writes PRED_CMD */
			gibpb[v] = true;
			key[v] = ++next;
			continue;
		}
		d = v3_spec_ibpb_decide(&last[cpu], vm_of[v], key[v],
					gibpb[v], true);
		if (d != V3_IBPB_NONE) {
			nseen[cpu] = 0;
			barriers++;
		}
		for (j = 0; j < nseen[cpu]; j++) {
			__u64 k = seen[cpu][j];
			unsigned int o = k >> 32;

			if (vm_of[o] != vm_of[v] ||
			    (gibpb[v] && (__u32)k != (__u32)key[v]))
				leaks++;
		}
		if (nseen[cpu] < 64)
			seen[cpu][nseen[cpu]++] = ((__u64)v << 32) | (__u32)key[v];
		else
			leaks += 1000;	/* the model overflowed: fail loudly */
	}
	CHECK(leaks == 0, "IBPB model: 200000 entries, %u barriers, %u leaks of predictor state",
	      barriers, leaks);

	memset(last, 0, sizeof(last));
	CHECK(v3_spec_ibpb_decide(&last[0], 1, 10, false, true) == V3_IBPB_HOST &&
	      v3_spec_ibpb_decide(&last[0], 1, 11, false, true) == V3_IBPB_NONE &&
	      v3_spec_ibpb_decide(&last[0], 2, 12, false, true) == V3_IBPB_HOST &&
	      v3_spec_ibpb_decide(&last[0], 2, 12, true, true) == V3_IBPB_NONE &&
	      v3_spec_ibpb_decide(&last[0], 2, 13, true, false) == V3_IBPB_GUEST &&
	      v3_spec_ibpb_decide(&last[0], 1, 10, false, false) == V3_IBPB_NONE,
	      "IBPB: host per VM; guest-requested per vCPU epoch, whatever the host's policy");
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
	test_guest_cpuid();
	test_guest_msrs();
	test_ibpb_model();
	test_names();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
