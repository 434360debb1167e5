// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS, the per-VM service (issue #15): a guest Linux kernel found from
 * outside, without an agent in the guest or a profile of its kernel.
 *
 * Finding it.  The first request on a VM (and the first after a guest
 * reset: vm->resets moved, or the syscall entry did) looks for the kernel:
 * vCPU 0's MSR_LSTAR is entry_SYSCALL_64 (arch/x86/kernel/cpu/common.c,
 * syscall_init()), ksyms.c goes from there to the kernel image, its KASLR
 * slide and its kallsyms tables; the symbol init_top_pgt (the kernel's
 * own top-level page table, arch/x86/kernel/head_64.S) then gives a root
 * for kernel reads that no process exit can free.  The layout of
 * task_struct (gears_layout.c, from the kernel's BTF) is looked for at the
 * first "ps".  What is kept: the symbol tables ksyms.c copied and a few
 * offsets, charged to the caller's memory cgroup, freed when the VM is
 * destroyed or resets.
 *
 * Consistency.  Whatever reads guest memory runs at the MMU's safe point
 * (v3_mmu_exclusive(), mmu/mmu.c): every vCPU out of the guest and out of
 * its exit handling, its register image (CR0/CR3/CR4/EFER) and the
 * swapped or VMSAVEd MSRs (LSTAR) as of its last exit, and on VMX nothing
 * needs the VMCS (get_msr answers LSTAR from memory).  The tables CR3
 * names are live while the vCPUs are held, and the task list cannot
 * change under the walk.  Around it the request holds vm->lock (no guest
 * reset can clear RAM meanwhile, the VM cannot be torn down) and
 * vm->mem_lock (no region moves: mem_move.c), in that order, which is
 * the order reset and mem_move take them.  A symbol lookup on a kernel
 * already found needs no guest memory and holds nothing.
 *
 * One request at a time per VM (gv->lock, taken before everything else).
 * Breakpoints, the trace and injections are in gears_hook.c and
 * gears_inject.c; their exit-path state is under gv->hit_lock.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "../v3.h"
#include "../adapt/adapt.h"
#include "../mmu/mmu.h"
#include "gears.h"
#include "ksyms.h"

static unsigned int v3_gears_slot;

static struct v3_gears_vm *gv_of(struct v3_vm *vm)
{
	return vm->adapt[v3_gears_slot];
}

struct v3_gears_vm *v3_gears_of(struct v3_vm *vm)
{
	return gv_of(vm);
}

/* under gv->lock */
static void v3_gears_forget(struct v3_gears_vm *gv)
{
	if (gv->ksyms)
		gears_ksyms_free(gv->ksyms);
	gv->ksyms = NULL;
	gv->root = 0;
	gv->layout_err = 1;
	v3_gears_hook_forget(gv);
}

struct v3_gears_req {
	struct v3_gears_vm *gv;
	/* at the safe point, the kernel found: may be NULL */
	int (*fn)(struct v3_gears_vm *gv, struct v3_gears_mem *m, void *arg);
	void *arg;
};

/*
 * The paging registers and LSTAR of the first vCPU in 64-bit mode with a
 * syscall entry (vCPU 0 but in the first instants of a boot): -ENOEXEC
 * when none has.
 */
static int v3_gears_snapshot(struct v3_vm *vm, struct v3_walk_regs *regs,
			     u64 *lstar)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct v3_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu->started || !(vcpu->regs.efer & EFER_LMA))
			continue;
		if (v3_arch->get_msr(vcpu, MSR_LSTAR, lstar) ||
		    *lstar < V3_GEARS_KERNEL_HALF)
			continue;
		v3_walk_regs_init(regs, vcpu);
		return 0;
	}
	return -ENOEXEC;
}

/* the kernel behind lstar: its symbols and a root that stays */
static int v3_gears_find(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			 u64 lstar)
{
	struct gears_vread r = v3_gears_vread(m);
	struct gears_ksyms *k;
	u64 t0 = ktime_get_ns(), top, root;
	int ret;

	ret = gears_ksyms_find(&r, lstar, &k);
	if (ret)
		return ret == -ENOMEM ? ret : -ENOEXEC;
	gv->ksyms = k;
	gv->lstar = lstar;
	gv->resets = READ_ONCE(gv->vm->resets);
	gv->layout_err = 1;
	gv->root = 0;
	top = gears_ksyms_lookup(k, "init_top_pgt");
	if (top && !v3_gears_mem_gpa(m, top, &root) &&
	    v3_gears_mem_set_root(m, root, lstar))
		gv->root = root;
	gv->finds++;
	v3_info("%s: gears: Linux kernel at %llx (KASLR slide %+lld), %u symbols, found in %llu us\n",
		gv->vm->name, gears_ksyms_text(k), gears_ksyms_slide(k),
		gears_ksyms_count(k), (ktime_get_ns() - t0) / 1000);
	return 0;
}

/* at the safe point (mmu.c): every vCPU held */
static int v3_gears_held(struct v3_vm *vm, void *arg)
{
	struct v3_gears_req *rq = arg;
	struct v3_gears_vm *gv = rq->gv;
	struct v3_walk_regs regs;
	struct v3_gears_mem m;
	u64 lstar;
	int ret;

	ret = v3_gears_snapshot(vm, &regs, &lstar);
	if (ret)
		return ret;
	ret = v3_gears_mem_init(&m, vm, &regs, lstar);
	if (ret)
		return ret;
	if (gv->ksyms && (gv->lstar != lstar ||
			  gv->resets != READ_ONCE(vm->resets)))
		v3_gears_forget(gv);
	if (!gv->ksyms)
		ret = v3_gears_find(gv, &m, lstar);
	else if (gv->root)
		v3_gears_mem_set_root(&m, gv->root, lstar);
	if (!ret && rq->fn)
		ret = rq->fn(gv, &m, rq->arg);
	return ret;
}

/*
 * A request that reads guest memory: under gv->lock, vm->lock,
 * vm->mem_lock, at the safe point.  -EBUSY for a VM never launched.
 */
int v3_gears_request(struct v3_gears_vm *gv,
			    int (*fn)(struct v3_gears_vm *gv,
				      struct v3_gears_mem *m, void *arg),
			    void *arg)
{
	struct v3_gears_req rq = { .gv = gv, .fn = fn, .arg = arg };
	struct v3_vm *vm = gv->vm;
	u64 held = 0;
	int ret;

	mutex_lock(&vm->lock);
	if (vm->dead) {
		ret = -ENOENT;
	} else if (vm->state == V3_STATE_CREATED) {
		ret = -EBUSY;
	} else {
		mutex_lock(&vm->mem_lock);
		ret = v3_mmu_exclusive(vm, v3_gears_held, &rq, &held);
		mutex_unlock(&vm->mem_lock);
		gv->held_ns_last = held;
		if (held > gv->held_ns_max)
			gv->held_ns_max = held;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* gv->lock held; the kernel is known and current, or found now */
static int v3_gears_kernel(struct v3_gears_vm *gv)
{
	if (gv->ksyms && gv->resets == READ_ONCE(gv->vm->resets))
		return 0;
	return v3_gears_request(gv, NULL, NULL);
}

int v3_gears_begin(struct v3_vm *vm, struct v3_gears_vm **out)
{
	struct v3_gears_vm *gv = gv_of(vm);

	mutex_lock(&gv->lock);
	if (gv->gone) {
		mutex_unlock(&gv->lock);
		return -ENOENT;
	}
	*out = gv;
	return 0;
}

int v3_gears_end(struct v3_gears_vm *gv, int ret)
{
	gv->requests++;
	if (ret) {
		gv->errors++;
		gv->last_err = ret;
	}
	mutex_unlock(&gv->lock);
	return ret;
}

int v3_gears_sym(struct v3_vm *vm, const char *name, u64 *addr, s64 *slide,
		 u64 *text, u32 *nr_syms)
{
	struct v3_gears_vm *gv;
	int ret = v3_gears_begin(vm, &gv);

	if (ret)
		return ret;
	ret = v3_gears_kernel(gv);
	if (!ret) {
		*addr = gears_ksyms_lookup(gv->ksyms, name);
		*slide = gears_ksyms_slide(gv->ksyms);
		*text = gears_ksyms_text(gv->ksyms);
		*nr_syms = gears_ksyms_count(gv->ksyms);
		if (!*addr)
			ret = -ENXIO;
	}
	return v3_gears_end(gv, ret);
}

struct v3_gears_ps_arg {
	struct v3_gears_task *buf;
	u32 max, count;
};

/* at the safe point: task_struct's layout, looked for once */
int v3_gears_need_layout(struct v3_gears_vm *gv, struct v3_gears_mem *m)
{
	if (gv->layout_err == 1)
		gv->layout_err = v3_gears_layout_find(m, gv->ksyms,
						      &gv->layout);
	/* out of memory may pass: look again next time */
	if (gv->layout_err == -ENOMEM) {
		gv->layout_err = 1;
		return -ENOMEM;
	}
	return gv->layout_err;
}

static int v3_gears_ps_held(struct v3_gears_vm *gv, struct v3_gears_mem *m,
			    void *arg)
{
	struct v3_gears_ps_arg *a = arg;
	struct gears_vread r = v3_gears_vread(m);
	int ret = v3_gears_need_layout(gv, m);

	if (ret)
		return ret;
	return v3_gears_ps_walk(&r, &gv->layout, a->buf, a->max, &a->count);
}

int v3_gears_ps(struct v3_vm *vm, struct v3_gears_task *buf, u32 max,
		u32 *count)
{
	struct v3_gears_ps_arg a = { .buf = buf, .max = max };
	struct v3_gears_vm *gv;
	int ret = v3_gears_begin(vm, &gv);

	if (ret)
		return ret;
	ret = v3_gears_request(gv, v3_gears_ps_held, &a);
	*count = a.count;
	if (!ret && a.count > max)
		ret = -ENOSPC;
	return v3_gears_end(gv, ret);
}

/* ------------------------------------------------------------- sysfs */

/*
 * vms/NAME/gears/: kernel (the kernel found: "_text 0x... slide +0x...
 * symbols N", or "none"), layout ("btf", "not looked for" or the errno of
 * the failure), requests, errors, last_error, held_ns_last/max (how long
 * the vCPUs were held by the last and the longest request).
 */
static ssize_t v3_gears_show(struct kobject *k, char *buf,
			     ssize_t (*fn)(struct v3_gears_vm *gv, char *buf))
{
	struct v3_gears_vm *gv = gv_of(v3_sysfs_vm(k));
	ssize_t ret;

	if (mutex_lock_interruptible(&gv->lock))
		return -EINTR;
	ret = fn(gv, buf);
	mutex_unlock(&gv->lock);
	return ret;
}

static ssize_t v3_gears_kernel_fmt(struct v3_gears_vm *gv, char *buf)
{
	if (!gv->ksyms || gv->resets != READ_ONCE(gv->vm->resets))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "_text 0x%llx slide %+lld symbols %u\n",
			  gears_ksyms_text(gv->ksyms),
			  gears_ksyms_slide(gv->ksyms),
			  gears_ksyms_count(gv->ksyms));
}

static ssize_t v3_gears_layout_fmt(struct v3_gears_vm *gv, char *buf)
{
	if (!gv->ksyms || gv->layout_err == 1)
		return sysfs_emit(buf, "not looked for\n");
	if (gv->layout_err)
		return sysfs_emit(buf, "none (%d)\n", gv->layout_err);
	return sysfs_emit(buf, "btf\n");
}

#define V3_GEARS_FMT_U64(f)						\
static ssize_t v3_gears_##f##_fmt(struct v3_gears_vm *gv, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n", (u64)gv->f);			\
}

V3_GEARS_FMT_U64(requests)
V3_GEARS_FMT_U64(errors)
V3_GEARS_FMT_U64(finds)
V3_GEARS_FMT_U64(held_ns_last)
V3_GEARS_FMT_U64(held_ns_max)
V3_GEARS_FMT_U64(trace_entries)
V3_GEARS_FMT_U64(trace_returns)
V3_GEARS_FMT_U64(trace_stub_returns)
V3_GEARS_FMT_U64(trace_events)
V3_GEARS_FMT_U64(bp_foreign)
V3_GEARS_FMT_U64(injections)

static ssize_t v3_gears_trace_lost_fmt(struct v3_gears_vm *gv, char *buf)
{
	return sysfs_emit(buf, "%llu\n", gv->lost);
}

/* handlers the running trace selected, hooked now (a UD2 or ftrace) */
static ssize_t v3_gears_trace_hooked_fmt(struct v3_gears_vm *gv, char *buf)
{
	u32 i, n = 0;

	for (i = 0; i < gv->nr_bps; i++)
		n += gv->bps[i].trace &&
		     (gv->bps[i].placed || READ_ONCE(gv->bps[i].ft));
	return sysfs_emit(buf, "%u\n", n);
}

/* bytes of the guest's kernel text GEARS changed (one byte a site) */
static ssize_t v3_gears_text_dirty_fmt(struct v3_gears_vm *gv, char *buf)
{
	return sysfs_emit(buf, "%u\n", gv->placed);
}

static ssize_t v3_gears_last_error_fmt(struct v3_gears_vm *gv, char *buf)
{
	return sysfs_emit(buf, "%d\n", gv->last_err);
}

#define V3_GEARS_ATTR(f)						\
static ssize_t f##_show(struct kobject *k, struct kobj_attribute *a,	\
			char *buf)					\
{									\
	return v3_gears_show(k, buf, v3_gears_##f##_fmt);		\
}									\
static struct kobj_attribute v3_gears_##f##_attr = __ATTR_RO(f)

V3_GEARS_ATTR(kernel);
V3_GEARS_ATTR(layout);
V3_GEARS_ATTR(requests);
V3_GEARS_ATTR(errors);
V3_GEARS_ATTR(last_error);
V3_GEARS_ATTR(finds);
V3_GEARS_ATTR(held_ns_last);
V3_GEARS_ATTR(held_ns_max);
V3_GEARS_ATTR(trace_hooked);
V3_GEARS_ATTR(trace_entries);
V3_GEARS_ATTR(trace_returns);
V3_GEARS_ATTR(trace_stub_returns);
V3_GEARS_ATTR(ret_stub);
V3_GEARS_ATTR(ftrace_hook);
V3_GEARS_ATTR(trace_events);
V3_GEARS_ATTR(trace_lost);
V3_GEARS_ATTR(bp_foreign);
V3_GEARS_ATTR(injections);
V3_GEARS_ATTR(text_dirty);

static struct attribute *v3_gears_attrs[] = {
	&v3_gears_kernel_attr.attr,
	&v3_gears_layout_attr.attr,
	&v3_gears_requests_attr.attr,
	&v3_gears_errors_attr.attr,
	&v3_gears_last_error_attr.attr,
	&v3_gears_finds_attr.attr,
	&v3_gears_held_ns_last_attr.attr,
	&v3_gears_held_ns_max_attr.attr,
	&v3_gears_trace_hooked_attr.attr,
	&v3_gears_trace_entries_attr.attr,
	&v3_gears_trace_returns_attr.attr,
	&v3_gears_trace_stub_returns_attr.attr,
	&v3_gears_ret_stub_attr.attr,
	&v3_gears_ftrace_hook_attr.attr,
	&v3_gears_trace_events_attr.attr,
	&v3_gears_trace_lost_attr.attr,
	&v3_gears_bp_foreign_attr.attr,
	&v3_gears_injections_attr.attr,
	&v3_gears_text_dirty_attr.attr,
	NULL,
};

const struct attribute_group v3_gears_vm_group = {
	.name = "gears",
	.attrs = v3_gears_attrs,
};

/* ------------------------------------------------------- the service */

static int v3_gears_init(void)
{
	return v3_gears_hook_init();
}

static void v3_gears_exit(void)
{
	v3_gears_hook_exit();
}

static int v3_gears_attach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_gears_vm *gv = kzalloc(sizeof(*gv), V3_GFP_ACCOUNT);

	if (!gv)
		return -ENOMEM;
	mutex_init(&gv->lock);
	gv->vm = vm;
	gv->layout_err = 1;
	if (v3_gears_hook_attach(gv)) {
		kfree(gv);
		return -ENOMEM;
	}
	v3_gears_slot = slot;
	vm->adapt[slot] = gv;
	return 0;
}

/* the VM is being destroyed: no request after this one ends */
static void v3_gears_detach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_gears_vm *gv = vm->adapt[slot];

	mutex_lock(&gv->lock);
	gv->gone = true;
	v3_gears_hook_detach(gv);
	/* the hooks' tables stay until vm_free: vCPUs may still exit */
	if (gv->ksyms)
		gears_ksyms_free(gv->ksyms);
	gv->ksyms = NULL;
	mutex_unlock(&gv->lock);
}

static void v3_gears_free(struct v3_vm *vm, unsigned int slot)
{
	struct v3_gears_vm *gv = vm->adapt[slot];

	v3_gears_forget(gv);
	v3_gears_hook_free(gv);
	mutex_destroy(&gv->lock);
	kfree(gv);
	vm->adapt[slot] = NULL;
}

static u64 v3_gears_caps(void)
{
	return V3_CAP_GEARS | V3_CAP_GEARS_INJECT | V3_CAP_GEARS_RET_STUB |
	       V3_CAP_GEARS_FTRACE;
}

const struct v3_adapt_service v3_gears_service = {
	.name = "gears",
	.init = v3_gears_init,
	.exit = v3_gears_exit,
	.vm_attach = v3_gears_attach,
	.vm_detach = v3_gears_detach,
	.vm_free = v3_gears_free,
	.caps = v3_gears_caps,
};
