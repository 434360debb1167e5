// SPDX-License-Identifier: GPL-2.0
/*
 * perf's MSRs switched at VMX entry and exit (module/vmx/vmx_perf.c), the
 * path only an Intel host with a PMU reaches (Bochs has none): when the
 * backend turns the switch on, the lists built from perf's answer, the
 * VMCS fields (fake VMCS, tests/unit/shim/fakevmcs.c), and what happens
 * when perf asks for more than the lists hold.
 */
#include <string.h>
#include "vmx/vmx.h"
#include <asm/msr-index.h>
#include "unit.h"

/* perf, faked: the capability and the list perf_guest_get_msrs() returns */
static struct x86_pmu_capability fake_cap;
static int cap_calls, msrs_calls;
static struct perf_guest_switch_msr fake_msrs[16];
static int fake_nr;
static bool fake_null;

void perf_get_x86_pmu_capability(struct x86_pmu_capability *cap)
{
	cap_calls++;
	*cap = fake_cap;
}

struct perf_guest_switch_msr *perf_guest_get_msrs(int *nr, void *data)
{
	msrs_calls++;
	if (data)
		return NULL;	/* v3vmm has no KVM PMU to pass */
	if (fake_null)
		return NULL;	/* *nr left as it was: KVM's note on it */
	*nr = fake_nr;
	return fake_msrs;
}

static void host(int vendor, bool perfmon, bool hybrid, int version)
{
	shim_cpu_reset();
	shim_cpu.vendor = vendor;
	if (perfmon)
		shim_cpu.caps[X86_FEATURE_ARCH_PERFMON / 64] |=
			1ULL << (X86_FEATURE_ARCH_PERFMON % 64);
	if (hybrid)
		shim_cpu.caps[X86_FEATURE_HYBRID_CPU / 64] |=
			1ULL << (X86_FEATURE_HYBRID_CPU % 64);
	memset(&fake_cap, 0, sizeof(fake_cap));
	fake_cap.version = version;
	cap_calls = 0;
	v3_vmx_perf_setup();
}

static void test_setup(void)
{
	host(X86_VENDOR_INTEL, true, false, 4);
	CHECK(v3_vmx_perf_enabled() && cap_calls == 1,
	      "setup: Intel, arch perfmon v4: switch on");
	host(X86_VENDOR_INTEL, true, false, 2);
	CHECK(v3_vmx_perf_enabled(), "setup: v2 (IA32_PERF_GLOBAL_CTRL exists): on");
	host(X86_VENDOR_INTEL, true, false, 1);
	CHECK(!v3_vmx_perf_enabled(), "setup: v1 (no global control): off");
	host(X86_VENDOR_INTEL, true, false, 0);
	CHECK(!v3_vmx_perf_enabled(),
	      "setup: perf has no PMU driver (emulator, version 0): off");
	host(X86_VENDOR_INTEL, false, false, 4);
	CHECK(!v3_vmx_perf_enabled() && cap_calls == 0,
	      "setup: no arch perfmon: off, perf not asked");
	host(X86_VENDOR_INTEL, true, true, 5);
	CHECK(!v3_vmx_perf_enabled() && cap_calls == 0,
	      "setup: hybrid CPU: off, perf not asked (it WARNs there)");
	host(X86_VENDOR_AMD, true, false, 2);
	CHECK(!v3_vmx_perf_enabled() && cap_calls == 0, "setup: not Intel: off");
	host(X86_VENDOR_INTEL, true, false, 4);
	CHECK(v3_vmx_perf_enabled(), "setup: run again, on again");
}

static void test_plan(void)
{
	struct perf_guest_switch_msr m[] = {
		{ MSR_CORE_PERF_GLOBAL_CTRL, 0x70000000eULL, 0x70000000fULL },
		{ MSR_IA32_DS_AREA, 0xfffe0000, 0xfffe0000 },
		{ MSR_IA32_PEBS_ENABLE, 0x1, 0x0 },
	};
	struct v3_vmx_msr_entry g[4], h[4];
	unsigned int n, dropped;

	memset(g, 0xaa, sizeof(g));
	memset(h, 0xaa, sizeof(h));
	n = v3_vmx_perf_plan(m, 3, g, h, 4, &dropped);
	CHECK_EQ(n, 2, "plan: the two MSRs whose values differ, DS_AREA left out");
	CHECK(g[0].index == MSR_CORE_PERF_GLOBAL_CTRL && g[0].value == 0x70000000fULL &&
	      h[0].index == MSR_CORE_PERF_GLOBAL_CTRL && h[0].value == 0x70000000eULL,
	      "plan: global control, guest value in the entry list, host in the exit list");
	CHECK(g[1].index == MSR_IA32_PEBS_ENABLE && g[1].value == 0 &&
	      h[1].index == MSR_IA32_PEBS_ENABLE && h[1].value == 1,
	      "plan: PEBS off for the guest, back on for the host");
	CHECK(g[0].reserved == 0 && h[1].reserved == 0,
	      "plan: reserved half of each entry is 0 (SDM table 24-12)");
	CHECK(dropped == 0, "plan: nothing dropped");

	n = v3_vmx_perf_plan(m, 3, g, h, 1, &dropped);
	CHECK(n == 1 && dropped == 1 && g[0].index == MSR_CORE_PERF_GLOBAL_CTRL,
	      "plan: full lists keep the first, count the rest as dropped");
	n = v3_vmx_perf_plan(m, 0, g, h, 4, &dropped);
	CHECK(n == 0 && dropped == 0, "plan: perf's empty list: empty lists");
}

static void test_vcpu(void)
{
	struct v3_vmx_vcpu vmx;
	long pages = shim_pages_in_use;

	memset(&vmx, 0, sizeof(vmx));
	host(X86_VENDOR_INTEL, true, false, 0);
	CHECK(v3_vmx_perf_vcpu_init(&vmx, 0) == 0 && !vmx.perf &&
	      shim_pages_in_use == pages, "vcpu: no PMU: no lists, no page");
	shim_vmcs[V3_VMENTRY_MSR_LOAD_ADDR] = 0x1234;
	v3_vmx_perf_init_vmcs(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_ADDR] == 0x1234,
	      "vcpu: no PMU: list addresses not written");
	msrs_calls = 0;
	v3_vmx_perf_switch(&vmx);
	CHECK(msrs_calls == 0, "vcpu: no PMU: perf not asked at entry");

	host(X86_VENDOR_INTEL, true, false, 4);
	shim_fail_pages = 1;
	CHECK(v3_vmx_perf_vcpu_init(&vmx, 0) == -ENOMEM && !vmx.perf,
	      "vcpu: the lists' page cannot be had: -ENOMEM");
	CHECK(v3_vmx_perf_vcpu_init(&vmx, 0) == 0 && vmx.perf &&
	      shim_pages_in_use == pages + 1, "vcpu: PMU: one page of lists");
	v3_vmx_perf_init_vmcs(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_ADDR] == virt_to_phys(vmx.perf->guest) &&
	      shim_vmcs[V3_VMEXIT_MSR_LOAD_ADDR] == virt_to_phys(vmx.perf->host),
	      "vcpu: entry list and exit list addresses in the VMCS");
	CHECK(!(shim_vmcs[V3_VMENTRY_MSR_LOAD_ADDR] & 15) &&
	      !(shim_vmcs[V3_VMEXIT_MSR_LOAD_ADDR] & 15),
	      "vcpu: both lists 16-byte aligned (SDM 26.2.1.2 checks it)");
	v3_vmx_perf_vcpu_destroy(&vmx);
	CHECK(!vmx.perf && shim_pages_in_use == pages, "vcpu: destroy frees the page");
}

static void test_switch(void)
{
	struct v3_vmx_vcpu vmx;
	int i;

	memset(&vmx, 0, sizeof(vmx));
	host(X86_VENDOR_INTEL, true, false, 4);
	v3_vmx_perf_vcpu_init(&vmx, 0);
	shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] = 7;
	shim_vmcs[V3_VMEXIT_MSR_LOAD_COUNT] = 7;
	vmx.perf_nr = 7;
	v3_vmx_perf_init_vmcs(&vmx);
	CHECK(vmx.perf_nr == 0, "switch: a VMCS set up again starts with empty lists");
	shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] = 0;
	shim_vmcs[V3_VMEXIT_MSR_LOAD_COUNT] = 0;

	/* a guest-only event (the walk counter on counter 0) */
	fake_null = false;
	fake_nr = 2;
	fake_msrs[0] = (struct perf_guest_switch_msr){ MSR_CORE_PERF_GLOBAL_CTRL,
						       0x700000000ULL, 0x700000001ULL };
	fake_msrs[1] = (struct perf_guest_switch_msr){ MSR_IA32_PEBS_ENABLE, 0, 0 };
	v3_vmx_perf_switch(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] == 1 &&
	      shim_vmcs[V3_VMEXIT_MSR_LOAD_COUNT] == 1 &&
	      vmx.perf->guest[0].value == 0x700000001ULL &&
	      vmx.perf->host[0].value == 0x700000000ULL,
	      "switch: guest-only counter: enabled in the guest's global control only");

	shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] = 99;	/* a write would show */
	fake_msrs[0].guest = 0x700000003ULL;
	v3_vmx_perf_switch(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] == 99 &&
	      vmx.perf->guest[0].value == 0x700000003ULL,
	      "switch: same count: values refreshed, count not written again");
	shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] = 1;

	/* the event closed: both values equal again */
	fake_msrs[0].guest = fake_msrs[0].host;
	v3_vmx_perf_switch(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] == 0 &&
	      shim_vmcs[V3_VMEXIT_MSR_LOAD_COUNT] == 0 && vmx.perf_nr == 0,
	      "switch: no guest- or host-only event: empty lists, entries cost nothing");

	fake_null = true;
	vmx.perf_nr = 3;
	v3_vmx_perf_switch(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] == 0 && vmx.perf_nr == 0,
	      "switch: perf returns NULL (its nr undefined then): empty lists");
	fake_null = false;

	/* more than the lists hold */
	fake_nr = V3_VMX_PERF_MSRS + 2;
	for (i = 0; i < fake_nr; i++)
		fake_msrs[i] = (struct perf_guest_switch_msr){ 0x300 + i, 1, 2 };
	shim_last_log[0] = 0;
	v3_vmx_perf_switch(&vmx);
	CHECK(shim_vmcs[V3_VMENTRY_MSR_LOAD_COUNT] == V3_VMX_PERF_MSRS &&
	      vmx.perf->guest[V3_VMX_PERF_MSRS - 1].index == 0x300 + V3_VMX_PERF_MSRS - 1,
	      "switch: %d MSRs asked, the lists' %d switched", fake_nr, V3_VMX_PERF_MSRS);
	CHECK(strstr(shim_last_log, "2 more MSRs") != NULL,
	      "switch: the shortfall is logged");
	v3_vmx_perf_vcpu_destroy(&vmx);
}

int main(void)
{
	test_setup();
	test_plan();
	test_vcpu();
	test_switch();
	return unit_done();
}
