// SPDX-License-Identifier: GPL-2.0
/*
 * Host perf counters around the guest's run on Intel.
 *
 * perf counts an event only in the guest (exclude_host) or only in the
 * host (exclude_guest, what the perf tool asks for by default) by keeping
 * two values of IA32_PERF_GLOBAL_CTRL, one for each side, and leaves it
 * to the hypervisor to switch between them at VM entry and exit
 * (perf_guest_get_msrs(): a list of MSRs with their host and guest
 * values; PEBS is switched off for the guest the same way).  Without the
 * switch a guest-only counter never counts and a host-only one counts the
 * guest too.  The adaptive paging policy's page-walk counter on VMX is
 * such a guest-only counter (module/adapt/walk_event.c).
 *
 * The switch is atomic with the transition: the guest values go in the
 * VM-entry MSR-load list, the host values in the VM-exit MSR-load list
 * (Intel SDM vol. 3 24.7.2, 24.8.2, 26.4 and 27.6; entry format in table
 * 24-12, the lists 16-byte aligned).  An MSR whose two values are equal is left out,
 * so with no such perf event active both lists are empty.  The lists are
 * rebuilt before each entry with interrupts disabled, because perf's
 * values are this CPU's and change when events are scheduled.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/perf_event.h>
#include "../perf_compat.h"
#include "vmx.h"

static bool v3_vmx_perf_on;	/* the host has perf on an Intel PMU */

/*
 * Called once by the backend's setup.  perf_guest_get_msrs() may only be
 * called once perf has set up a PMU driver: before that its static call
 * has no target.  A hybrid CPU (P- and E-cores with different counters)
 * is left out, as KVM leaves it out: perf there has no single answer.
 */
void v3_vmx_perf_setup(void)
{
	struct x86_pmu_capability cap;

	v3_vmx_perf_on = false;
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL ||
	    !boot_cpu_has(X86_FEATURE_ARCH_PERFMON) || v3_cpu_is_hybrid())
		return;
	memset(&cap, 0, sizeof(cap));
	perf_get_x86_pmu_capability(&cap);
	/* IA32_PERF_GLOBAL_CTRL exists from version 2 (SDM vol. 3 18.2.2) */
	v3_vmx_perf_on = cap.version >= 2;
}

bool v3_vmx_perf_enabled(void)
{
	return v3_vmx_perf_on;
}

/*
 * The lists for perf's MSRs m[0..nr): the MSRs whose guest and host
 * values differ, at most max of them.  Returns how many; *dropped counts
 * those left out for want of room.
 */
unsigned int v3_vmx_perf_plan(const struct perf_guest_switch_msr *m, int nr,
			      struct v3_vmx_msr_entry *guest,
			      struct v3_vmx_msr_entry *host,
			      unsigned int max, unsigned int *dropped)
{
	unsigned int n = 0;
	int i;

	*dropped = 0;
	for (i = 0; i < nr; i++) {
		if (m[i].host == m[i].guest)
			continue;
		if (n == max) {
			(*dropped)++;
			continue;
		}
		guest[n] = (struct v3_vmx_msr_entry){ .index = m[i].msr,
						      .value = m[i].guest };
		host[n] = (struct v3_vmx_msr_entry){ .index = m[i].msr,
						     .value = m[i].host };
		n++;
	}
	return n;
}

int v3_vmx_perf_vcpu_init(struct v3_vmx_vcpu *vmx, int node)
{
	struct page *pg;

	vmx->perf = NULL;
	vmx->perf_nr = 0;
	if (!v3_vmx_perf_on)
		return 0;
	BUILD_BUG_ON(sizeof(struct v3_vmx_perf_lists) > PAGE_SIZE);
	pg = alloc_pages_node(node, V3_GFP_ACCOUNT | __GFP_ZERO, 0);
	if (!pg)
		return -ENOMEM;
	vmx->perf = page_address(pg);
	return 0;
}

void v3_vmx_perf_vcpu_destroy(struct v3_vmx_vcpu *vmx)
{
	if (vmx->perf)
		free_page((unsigned long)vmx->perf);
	vmx->perf = NULL;
}

/* The lists' addresses; the VMCS is current, the counts are 0 until used. */
void v3_vmx_perf_init_vmcs(struct v3_vmx_vcpu *vmx)
{
	vmx->perf_nr = 0;
	if (!vmx->perf)
		return;
	v3_vmwrite(V3_VMENTRY_MSR_LOAD_ADDR, virt_to_phys(vmx->perf->guest));
	v3_vmwrite(V3_VMEXIT_MSR_LOAD_ADDR, virt_to_phys(vmx->perf->host));
}

/* Before an entry, interrupts disabled, the vCPU's VMCS current. */
void v3_vmx_perf_switch(struct v3_vmx_vcpu *vmx)
{
	struct perf_guest_switch_msr *m;
	unsigned int n = 0, dropped = 0;
	int nr = 0;

	if (!vmx->perf)
		return;
	m = v3_perf_guest_get_msrs(&nr);
	if (m)
		n = v3_vmx_perf_plan(m, nr, vmx->perf->guest, vmx->perf->host,
				     V3_VMX_PERF_MSRS, &dropped);
	if (unlikely(dropped))
		pr_warn_once("v3vmm: perf wants %u more MSRs switched at VM entry than the %u v3vmm keeps; host perf counts may include guest time\n",
			     dropped, V3_VMX_PERF_MSRS);
	if (n != vmx->perf_nr) {
		v3_vmwrite(V3_VMENTRY_MSR_LOAD_COUNT, n);
		v3_vmwrite(V3_VMEXIT_MSR_LOAD_COUNT, n);
		vmx->perf_nr = n;
	}
}
