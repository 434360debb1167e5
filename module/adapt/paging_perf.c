// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-only page-walk counters for the adaptive paging policy, through
 * the kernel's perf interface: one counter per vCPU thread, counting only
 * while that thread runs the guest.
 *
 * AMD (family 17h and later, SVM backend): PMCx045 "L1 DTLB Miss" with
 * unit mask 0xf0 counts the data-TLB misses that also missed the L2 DTLB
 * (4K, 32K/coalesced, 2M and 1G reloads), i.e. the table walks (AMD
 * PPR for family 17h/19h, "LsL1DTlbMiss").  perf's exclude_host sets the
 * event select's Guest-Only bit (PerfEvtSel[40], AMD APM vol. 2 13.2.1,
 * which counts only with EFER.SVME set: the backend keeps it set).  AMD
 * has no walk-duration event, so walks are converted to cycles with the
 * per-walk estimates below.
 *
 * Intel: DTLB_LOAD_MISSES.WALK_DURATION / WALK_PENDING would give cycles
 * directly, but perf's guest-only counting on Intel is not a bit in the
 * event select: the counter is left disabled in the host's
 * IA32_PERF_GLOBAL_CTRL and enabled only by the hypervisor loading the
 * guest value at VM entry (perf_guest_get_msrs(), the VM-entry MSR-load
 * list, Intel SDM vol. 3 25.8.2).  The VMX backend does not do that
 * switch, so on VMX there is no counter and the policy uses trials.
 */
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <asm/processor.h>
#include "v3.h"
#include "paging_perf.h"

#define AMD_EV_L1_DTLB_MISS	0x45
#define AMD_UM_L2_DTLB_MISS	0xf0

/*
 * Cycles per table walk, estimates: a native 4-level walk makes 4 memory
 * references, a two-dimensional one up to 24 (AMD APM vol. 2 15.25.5),
 * both mostly cut short by the page-walk caches.
 */
#define V3_WALK_CYCLES_NATIVE	30
#define V3_WALK_CYCLES_NESTED	90

u64 v3_walk_cycles(u64 walks, u32 mode)
{
	return walks * (mode == V3_PAGING_SHADOW ? V3_WALK_CYCLES_NATIVE :
			V3_WALK_CYCLES_NESTED);
}

static bool v3_walk_event(struct perf_event_attr *attr)
{
	if (v3_arch->arch != V3_ARCH_SVM ||
	    boot_cpu_data.x86_vendor != X86_VENDOR_AMD ||
	    boot_cpu_data.x86 < 0x17)
		return false;
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_RAW;
	attr->size = sizeof(*attr);
	attr->config = AMD_EV_L1_DTLB_MISS | (AMD_UM_L2_DTLB_MISS << 8);
	attr->exclude_host = 1;
	return true;
}

int v3_walk_counters_open(struct v3_vm *vm, struct v3_walk_counters *c)
{
	struct perf_event_attr attr;
	unsigned int i;
	int ret;

	if (!v3_walk_event(&attr))
		return -EOPNOTSUPP;
	c->ev = kcalloc(vm->nr_vcpus, sizeof(*c->ev), GFP_KERNEL);
	if (!c->ev)
		return -ENOMEM;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct task_struct *t = vm->vcpus[i]->thread;
		struct perf_event *ev;

		ret = -ESRCH;
		if (!t)
			goto fail;
		ev = perf_event_create_kernel_counter(&attr, -1, t, NULL, NULL);
		if (IS_ERR(ev)) {
			ret = PTR_ERR(ev);
			goto fail;
		}
		c->ev[i] = ev;
		c->nr = i + 1;
	}
	return 0;
fail:
	v3_walk_counters_close(c);
	return ret;
}

u64 v3_walk_counters_read(struct v3_walk_counters *c)
{
	u64 sum = 0, enabled, running;
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		sum += perf_event_read_value(c->ev[i], &enabled, &running);
	return sum;
}

void v3_walk_counters_close(struct v3_walk_counters *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		perf_event_release_kernel(c->ev[i]);
	kfree(c->ev);
	c->ev = NULL;
	c->nr = 0;
}
