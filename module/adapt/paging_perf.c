// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-only page-walk counters for the adaptive paging policy, through
 * the kernel's perf interface: one counter per vCPU thread, counting only
 * while that thread runs the guest (perf's exclude_host).  Which event
 * measures the walks is walk_event.c's choice, by CPU model.
 *
 * How a counter counts only in the guest differs by vendor.  AMD: perf
 * sets the event select's Guest-Only bit (PerfEvtSel[40], AMD APM vol. 2
 * 13.2.1), which counts only with EFER.SVME set: the SVM backend keeps it
 * set.  Intel: perf leaves the counter off in the host's
 * IA32_PERF_GLOBAL_CTRL and on in the guest's value, which the VMX
 * backend loads at VM entry (vmx/vmx_perf.c).
 */
#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <asm/processor.h>
#include "v3.h"
#include "paging_perf.h"
#include "walk_event.h"

/*
 * A raw perf event for CPUs walk_event.c's table does not know (event
 * select | unit mask << 8): on Intel one that counts page-walk cycles
 * including EPT, on AMD one that counts table walks.  0: the table.
 */
static ulong walk_event;
module_param(walk_event, ulong, 0444);
MODULE_PARM_DESC(walk_event, "raw perf event counting guest page walks for adaptive paging (0: by CPU model)");

/*
 * Cycles per table walk where the event counts walks (AMD), estimates: a
 * native 4-level walk makes 4 memory references, a two-dimensional one
 * up to 24 (AMD APM vol. 2 15.25.5), both mostly cut short by the
 * page-walk caches.
 */
#define V3_WALK_CYCLES_NATIVE	30
#define V3_WALK_CYCLES_NESTED	90

u64 v3_walk_cycles(const struct v3_walk_counters *c, u64 count, u32 mode)
{
	if (c->cycles)
		return count;
	return count * (mode == V3_PAGING_SHADOW ? V3_WALK_CYCLES_NATIVE :
			V3_WALK_CYCLES_NESTED);
}

static int v3_walk_event(struct perf_event_attr *attr, bool *cycles)
{
	struct v3_walk_event ev;
	int ret;

	ret = v3_walk_event_pick(boot_cpu_data.x86_vendor, boot_cpu_data.x86,
				 boot_cpu_data.x86_model,
				 v3_arch->arch == V3_ARCH_SVM, walk_event, &ev);
	if (ret)
		return ret;
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_RAW;
	attr->size = sizeof(*attr);
	attr->config = ev.config;
	attr->exclude_host = 1;
	*cycles = ev.cycles;
	return 0;
}

int v3_walk_counters_open(struct v3_vm *vm, struct v3_walk_counters *c)
{
	struct perf_event_attr attr;
	unsigned int i;
	int ret;

	ret = v3_walk_event(&attr, &c->cycles);
	if (ret)
		return ret;
	if (!v3_arch->perf_guest_only())
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
