// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR policy (module/msr.c) and the empty PMU (module/pmu.c):
 * the performance-monitoring MSRs of the host's vendor read 0 and take
 * writes without #GP (AMD PERF_CTL/PERF_CTR 0xc0010000-7 and 0xc0010200-b;
 * Intel IA32_PERFEVTSELx, IA32_PMCx/IA32_A_PMCx, fixed counters and the
 * global control MSRs), the other vendor's do #GP; unknown MSRs #GP(0);
 * every unmodelled access is counted per MSR number, in a bounded table.
 */
#include "v3.h"
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "spec_policy.h"
#include "unit.h"

/* --- a fake backend and the services msr.c calls ------------------------- */
static int injected, inj_vector, inj_error;
static void fake_inject(struct v3_vcpu *vcpu, u8 vector, bool has_error, u32 error)
{
	injected++;
	inj_vector = vector;
	inj_error = has_error ? (int)error : -1;
}
static int fake_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val) { return -ENOENT; }
static int fake_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val) { return -ENOENT; }
static void fake_set_efer(struct v3_vcpu *vcpu, u64 efer) { }
static const struct v3_arch_ops fake_ops = {
	.name = "fake",
	.inject_exception = fake_inject,
	.get_msr = fake_get_msr,
	.set_msr = fake_set_msr,
	.set_efer = fake_set_efer,
};
const struct v3_arch_ops *v3_arch = &fake_ops;

/* nested paging: the backend's set_efer (mmu/mmu.c) */
void v3_mmu_set_efer(struct v3_vcpu *vcpu, u64 efer)
{
	vcpu->regs.efer = efer;
	v3_arch->set_efer(vcpu, efer);
}
void v3_inject_gp(struct v3_vcpu *vcpu) { fake_inject(vcpu, X86_TRAP_GP, true, 0); }
void v3_skip_insn(struct v3_vcpu *vcpu) { vcpu->regs.rip += vcpu->exit.insn_len; }
int v3_lapic_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val) { *val = 0; return 0; }
int v3_lapic_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val) { return 0; }
int v3_pvclock_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val) { return -ENOENT; }
int v3_pvclock_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val) { return -ENOENT; }

static struct v3_vm vm;
static struct v3_vcpu vcpu;

/* spec_ctrl.c's wrappers over the real policy code (spec_policy.c) */
static struct v3_spec_policy spec;	/* zero: nothing offered */
static int ibpb_requests;
int v3_spec_get_msr(struct v3_vcpu *v, u32 msr, u64 *val)
{
	return v3_spec_msr_read(&spec, v->spec.guest_spec_ctrl, msr, val);
}
int v3_spec_set_msr(struct v3_vcpu *v, u32 msr, u64 val)
{
	bool ibpb;
	int ret = v3_spec_msr_write(&spec, &v->spec.guest_spec_ctrl, msr, val, &ibpb);

	ibpb_requests += !ret && ibpb;
	return ret;
}

/* 1: the instruction completed (RIP moved), 0: #GP(0) was injected */
static int rdmsr(u32 msr, u64 *val)
{
	injected = 0;
	vcpu.regs.rip = 0x1000;
	vcpu.exit.insn_len = 2;
	vcpu.regs.gpr[V3_RCX] = msr;
	vcpu.regs.gpr[V3_RAX] = vcpu.regs.gpr[V3_RDX] = 0x5a5a5a5a;
	v3_handle_rdmsr(&vcpu);
	*val = (vcpu.regs.gpr[V3_RDX] << 32) | (u32)vcpu.regs.gpr[V3_RAX];
	if (injected)
		return inj_vector == X86_TRAP_GP && inj_error == 0 &&
		       vcpu.regs.rip == 0x1000 ? 0 : -1;
	return vcpu.regs.rip == 0x1002 ? 1 : -1;
}

static int wrmsr(u32 msr, u64 val)
{
	injected = 0;
	vcpu.regs.rip = 0x1000;
	vcpu.exit.insn_len = 2;
	vcpu.regs.gpr[V3_RCX] = msr;
	vcpu.regs.gpr[V3_RAX] = (u32)val;
	vcpu.regs.gpr[V3_RDX] = val >> 32;
	v3_handle_wrmsr(&vcpu);
	if (injected)
		return inj_vector == X86_TRAP_GP && inj_error == 0 &&
		       vcpu.regs.rip == 0x1000 ? 0 : -1;
	return vcpu.regs.rip == 0x1002 ? 1 : -1;
}

static const struct v3_msr_stat *stat_of(u32 msr)
{
	unsigned int i;

	for (i = 0; i < vm.msr_stats.nr; i++)
		if (vm.msr_stats.ent[i].msr == msr)
			return &vm.msr_stats.ent[i];
	return NULL;
}

static void reset_vm(void)
{
	memset(&vm, 0, sizeof(vm));
	v3_msr_stats_init(&vm);
}

/* every MSR in the list reads 0 after a write, without #GP */
static void pmu_msrs_accept(const char *cpu, const u32 *msrs, unsigned int n)
{
	unsigned int i, bad = 0;
	u64 v;

	for (i = 0; i < n; i++) {
		int w = wrmsr(msrs[i], 0x430076), r = rdmsr(msrs[i], &v);

		if (w != 1 || r != 1 || v != 0) {
			if (bad++ < 4)
				printf("# %s: msr %#x: write %d read %d value %#llx\n",
				       cpu, msrs[i], w, r, (unsigned long long)v);
		}
	}
	CHECK_EQ(bad, 0, "%s: %u PMU MSRs take writes and read 0, no #GP", cpu, n);
}

static void pmu_msrs_gp(const char *cpu, const u32 *msrs, unsigned int n)
{
	unsigned int i, bad = 0;
	u64 v;

	for (i = 0; i < n; i++)
		if (wrmsr(msrs[i], 0) != 0 || rdmsr(msrs[i], &v) != 0)
			bad++;
	CHECK_EQ(bad, 0, "%s: the other vendor's %u PMU MSRs #GP(0)", cpu, n);
}

static const u32 amd_pmu[] = {
	0xc0010000, 0xc0010001, 0xc0010002, 0xc0010003,
	0xc0010004, 0xc0010005, 0xc0010006, 0xc0010007,
	0xc0010200, 0xc0010201, 0xc0010202, 0xc0010203, 0xc0010204, 0xc0010205,
	0xc0010206, 0xc0010207, 0xc0010208, 0xc0010209, 0xc001020a, 0xc001020b,
};
static const u32 intel_pmu[] = {
	0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,		/* IA32_PMCx */
	0x186, 0x187, 0x188, 0x189, 0x18a, 0x18b, 0x18c, 0x18d,	/* PERFEVTSELx */
	0x4c1, 0x4c2, 0x4c3, 0x4c4,				/* IA32_A_PMCx */
	0x309, 0x30a, 0x30b,					/* FIXED_CTRx */
	0x38d, 0x38e, 0x38f, 0x390,		/* fixed ctrl, global status/ctrl/ovf */
};

/* IA32_SPEC_CTRL / IA32_PRED_CMD through v3_handle_rdmsr/wrmsr */
static void test_spec_msrs(void)
{
	struct v3_spec_facts intel = {
		.vmx = true, .msr_spec_ctrl = true, .hw_ibrs = true,
		.hw_stibp = true, .hw_ssbd = true, .hw_ibpb = true,
	};
	struct v3_spec_facts zen2 = {	/* STIBP, SSBD, IBPB; no IBRS bit */
		.msr_spec_ctrl = true, .hw_stibp = true, .hw_ssbd = true,
		.hw_ibpb = true,
	};
	u64 v = 0;

	reset_vm();
	memset(&spec, 0, sizeof(spec));
	CHECK(rdmsr(MSR_IA32_SPEC_CTRL, &v) == 0 && wrmsr(MSR_IA32_SPEC_CTRL, 0) == 0 &&
	      wrmsr(MSR_IA32_PRED_CMD, 1) == 0,
	      "not offered (host without them, spec_off, guest_spec_ctrl=0): SPEC_CTRL, PRED_CMD #GP(0)");

	v3_spec_decide(&intel, &spec);
	vcpu.spec.guest_spec_ctrl = 0;
	CHECK(wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS | SPEC_CTRL_STIBP | SPEC_CTRL_SSBD) == 1 &&
	      rdmsr(MSR_IA32_SPEC_CTRL, &v) == 1 && v == 7,
	      "Intel: SPEC_CTRL <- IBRS|STIBP|SSBD, reads back 7 (%#llx)", (unsigned long long)v);
	CHECK_EQ(vcpu.spec.guest_spec_ctrl, 7, "Intel: the value the entry code loads is the guest's");
	CHECK(wrmsr(MSR_IA32_SPEC_CTRL, 1ULL << 3) == 0 && wrmsr(MSR_IA32_SPEC_CTRL, 1ULL << 10) == 0 &&
	      wrmsr(MSR_IA32_SPEC_CTRL, 1ULL << 32) == 0 && vcpu.spec.guest_spec_ctrl == 7,
	      "Intel: reserved SPEC_CTRL bits 3, 10 (no BHI_DIS_S), 32 -> #GP(0), value kept");
	ibpb_requests = 0;
	CHECK(wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB) == 1 && ibpb_requests == 1,
	      "Intel: PRED_CMD <- IBPB completes and asks for the barrier");
	CHECK(wrmsr(MSR_IA32_PRED_CMD, 0) == 1 && ibpb_requests == 1,
	      "Intel: PRED_CMD <- 0 completes, no barrier");
	CHECK(wrmsr(MSR_IA32_PRED_CMD, 0x80) == 0 && wrmsr(MSR_IA32_PRED_CMD, 2) == 0 &&
	      ibpb_requests == 1, "Intel: PRED_CMD reserved bits (SBPB 7, 1) -> #GP(0)");
	CHECK_EQ(rdmsr(MSR_IA32_PRED_CMD, &v), 0, "PRED_CMD read -> #GP(0) (write-only)");
	CHECK(stat_of(MSR_IA32_SPEC_CTRL) == NULL && stat_of(MSR_IA32_PRED_CMD) == NULL,
	      "modelled: SPEC_CTRL and PRED_CMD stay out of the unhandled-MSR table");
	CHECK_EQ(wrmsr(MSR_IA32_FLUSH_CMD, 1), 0, "FLUSH_CMD (not offered) -> #GP(0)");

	reset_vm();
	v3_spec_decide(&zen2, &spec);
	vcpu.spec.guest_spec_ctrl = 0;
	CHECK(wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS) == 0 &&
	      wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_STIBP | SPEC_CTRL_SSBD) == 1 &&
	      rdmsr(MSR_IA32_SPEC_CTRL, &v) == 1 && v == 6,
	      "AMD without IBRS: IBRS -> #GP(0), STIBP|SSBD accepted and read back");
	ibpb_requests = 0;
	CHECK(wrmsr(MSR_IA32_PRED_CMD, 1) == 1 && ibpb_requests == 1, "AMD: PRED_CMD <- IBPB");
	zen2.off = true;		/* spec_off=1 */
	v3_spec_decide(&zen2, &spec);
	CHECK(wrmsr(MSR_IA32_SPEC_CTRL, 0) == 0 && wrmsr(MSR_IA32_PRED_CMD, 1) == 0,
	      "spec_off=1: SPEC_CTRL and PRED_CMD -> #GP(0)");
	memset(&spec, 0, sizeof(spec));
}

int main(void)
{
	const struct v3_msr_stat *e;
	unsigned int i;
	u64 v;

	vcpu.vm = &vm;
	v3_arch = &fake_ops;

	/* AMD host: the guest sees AMD and its counters */
	shim_cpu_reset();
	shim_cpu.vendor = X86_VENDOR_AMD;
	reset_vm();
	pmu_msrs_accept("AMD", amd_pmu, ARRAY_SIZE(amd_pmu));
	pmu_msrs_gp("AMD", intel_pmu, ARRAY_SIZE(intel_pmu));
	CHECK_EQ(wrmsr(0xc0010208, 0xffffffffffffULL), 1, "AMD: PERF_CTR4 takes a 48-bit value");
	CHECK(rdmsr(0xc0010008, &v) == 0 && rdmsr(0xc00101ff, &v) == 0 &&
	      rdmsr(0xc001020c, &v) == 0,
	      "AMD: the neighbours 0xc0010008, 0xc00101ff, 0xc001020c still #GP");
	e = stat_of(0xc0010000);
	CHECK(e && e->reads == 1 && e->writes == 1 && e->gp == 0,
	      "AMD: PERF_CTL0 counted as ignored: rd 1 wr 1 gp 0");
	e = stat_of(0x186);
	CHECK(e && e->reads == 1 && e->writes == 1 && e->gp == 2,
	      "AMD: Intel PERFEVTSEL0 counted as #GP: rd 1 wr 1 gp 2");
	CHECK(vm.counters[V3_CNT_MSR_IGNORED] >= 40 && vm.counters[V3_CNT_MSR_GP] >= 56,
	      "AMD: msr-ignored %llu and msr-gp %llu counters",
	      (unsigned long long)vm.counters[V3_CNT_MSR_IGNORED],
	      (unsigned long long)vm.counters[V3_CNT_MSR_GP]);

	shim_cpu.vendor = X86_VENDOR_HYGON;
	reset_vm();
	pmu_msrs_accept("Hygon", amd_pmu, ARRAY_SIZE(amd_pmu));

	/* Intel host */
	shim_cpu.vendor = X86_VENDOR_INTEL;
	reset_vm();
	pmu_msrs_accept("Intel", intel_pmu, ARRAY_SIZE(intel_pmu));
	pmu_msrs_gp("Intel", amd_pmu, ARRAY_SIZE(amd_pmu));
	CHECK(rdmsr(0xc9, &v) == 0 && rdmsr(0x18e, &v) == 0 && rdmsr(0x391 + 0x10, &v) == 0,
	      "Intel: past the counters (0xc9, 0x18e, 0x3a1) #GP");

	/* modelled MSRs are not counted; unknown ones #GP(0) and are */
	reset_vm();
	CHECK_EQ(rdmsr(MSR_EFER, &v), 1, "EFER readable");
	CHECK_EQ(wrmsr(MSR_EFER, 1ULL << 1), 0, "EFER reserved bit 1: #GP(0)");
	CHECK_EQ(vm.msr_stats.nr, 0, "modelled MSRs (EFER, also when refused) stay out of the table");
	CHECK_EQ(vm.counters[V3_CNT_MSR_GP], 1, "the refused EFER write counts in msr-gp");
	CHECK_EQ(rdmsr(0xc0011020, &v), 0, "unknown MSR 0xc0011020: #GP(0) on read");
	CHECK_EQ(rdmsr(0xc0011020, &v), 0, "... and again");
	CHECK_EQ(wrmsr(0xc0011020, 5), 0, "... and on write");
	e = stat_of(0xc0011020);
	CHECK(e && e->reads == 2 && e->writes == 1 && e->gp == 3,
	      "0xc0011020: rd 2 wr 1 gp 3");
	CHECK_EQ(wrmsr(MSR_IA32_MISC_ENABLE, 0), 1, "MISC_ENABLE write accepted");
	e = stat_of(MSR_IA32_MISC_ENABLE);
	CHECK(e && e->writes == 1 && e->gp == 0, "MISC_ENABLE write counted as ignored");

	/* the table is bounded: 64 MSRs, the rest in "other" */
	reset_vm();
	for (i = 0; i < 200; i++)
		rdmsr(0x40000000 + i * 3, &v);
	wrmsr(0x40000000 + 199 * 3, 1);
	CHECK_EQ(vm.msr_stats.nr, V3_MSR_STATS_MAX, "200 distinct MSRs: the table holds %d", V3_MSR_STATS_MAX);
	CHECK(vm.msr_stats.other_reads == 136 && vm.msr_stats.other_writes == 1 &&
	      vm.msr_stats.other_gp == 137, "the other 136 reads and 1 write are in the other sums");
	{
		static struct v3_msr_stats out;

		v3_msr_stats_fill(&vm, &out);
		CHECK(out.count == V3_MSR_STATS_MAX && out.msrs[0].msr == 0x40000000 &&
		      out.msrs[63].msr == 0x40000000 + 63 * 3 && out.other_reads == 136,
		      "v3_msr_stats_fill copies the table in first-touch order");
		CHECK_EQ(vm.msr_stats.lock.locked, 0, "stats lock released");
	}
	test_spec_msrs();
	return unit_done();
}
