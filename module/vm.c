// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: the global registry, creation and teardown, and the
 * lifecycle (created -> running <-> paused -> stopped).  A VM lives until
 * it is destroyed, independent of any file descriptor, so it outlives
 * the v3ctl process that created it.
 */
#include <linux/slab.h>
#include <linux/ctype.h>
#include <linux/ktime.h>
#include <linux/topology.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/smp.h>
#include <linux/ratelimit.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include "v3.h"
#include "adapt/adapt.h"
#include "mmu/mmu.h"

static LIST_HEAD(v3_vms);
static DEFINE_MUTEX(v3_vms_lock);
static unsigned int v3_nr_vms;

/*
 * The created/stopped/destroyed lines share one rate limit (20 per 5 s):
 * enough for any person, while a script making and destroying VMs in a
 * loop cannot flush the kernel log of everything else.
 */
static DEFINE_RATELIMIT_STATE(v3_vm_log_rs, 5 * HZ, 20);
#define v3_vm_log(fmt, ...) \
	do { if (__ratelimit(&v3_vm_log_rs)) v3_info(fmt, ##__VA_ARGS__); } while (0)

static void v3_vm_ipi_flush(void *unused)
{
}

static void v3_vm_release(struct kref *ref)
{
	struct v3_vm *vm = container_of(ref, struct v3_vm, ref);
	unsigned int i;

	v3_adapt_vm_free(vm);
	v3_devices_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			v3_lapic_quiesce(vm->vcpus[i]);
	/* wait out kick IPIs still queued for this VM's vCPUs */
	on_each_cpu(v3_vm_ipi_flush, NULL, 1);
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_free(vm->vcpus[i]);
	v3_arch->vm_destroy(vm);
	v3_mmu_vm_destroy(vm);
	kfree(vm->vcpus);
	v3_mem_free(&vm->mem);
	v3_reset_image_free(vm);
	v3_console_free(&vm->console);
	mem_cgroup_put(vm->memcg);
	kfree(vm);
}

void v3_vm_put(struct v3_vm *vm)
{
	kref_put(&vm->ref, v3_vm_release);
}

/*
 * Every VM in the registry, also those still being built (!vm->ready):
 * their names are taken, but nobody else can look them up yet.
 */
static struct v3_vm *v3_vm_find(const char *name)
{
	struct v3_vm *vm;

	list_for_each_entry(vm, &v3_vms, node)
		if (!strcmp(vm->name, name))
			return vm;
	return NULL;
}

struct v3_vm *v3_vm_get(const char *name)
{
	struct v3_vm *vm;

	mutex_lock(&v3_vms_lock);
	vm = v3_vm_find(name);
	if (vm && vm->ready)
		kref_get(&vm->ref);
	else
		vm = NULL;
	mutex_unlock(&v3_vms_lock);
	return vm;
}

static int v3_create_check(const struct v3_create *c)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	unsigned int i;

	if (c->vcpus < 1 || c->vcpus > V3_MAX_VCPUS)
		return -EINVAL;
	if (c->mem_bytes < (1ULL << 20) || c->mem_bytes > (64ULL << 30) ||
	    (c->mem_bytes & ~PAGE_MASK))
		return -EINVAL;
	if (c->flags & ~V3_CREATE_FLAGS)
		return -EINVAL;
	if (v3_mem_place_check(c, c->name))
		return -EINVAL;
	if (c->flags & V3_CREATE_PIN_VCPUS) {
		for (i = 0; i < c->vcpus; i++)
			if (c->first_cpu + i >= nr_cpu_ids ||
			    !cpu_online(c->first_cpu + i))
				return -EINVAL;
	}
	/* leave the host a quarter of its memory */
	if (c->mem_bytes > ram - ram / 4) {
		pr_info_ratelimited(V3_PR_PREFIX "%s: VM needs %llu MiB, more than 3/4 of the host's %llu MiB\n",
				    c->name, c->mem_bytes >> 20, ram >> 20);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Take the name: the VM enters the registry unready, so a second create
 * of the same name fails with -EEXIST while this one is still building,
 * and lookups (list, info, destroy) do not see it yet.
 */
static int v3_vm_claim(struct v3_vm *vm)
{
	int ret = 0;

	mutex_lock(&v3_vms_lock);
	if (v3_vm_find(vm->name)) {
		ret = -EEXIST;
	} else if (v3_nr_vms >= V3_MAX_VMS) {
		pr_info_ratelimited(V3_PR_PREFIX "%s: refused, already %u VMs (the most there can be)\n",
				    vm->name, V3_MAX_VMS);
		ret = -ENOSPC;
	} else {
		list_add_tail(&vm->node, &v3_vms);
		v3_nr_vms++;
	}
	mutex_unlock(&v3_vms_lock);
	return ret;
}

static void v3_vm_unclaim(struct v3_vm *vm)
{
	mutex_lock(&v3_vms_lock);
	list_del(&vm->node);
	v3_nr_vms--;
	mutex_unlock(&v3_vms_lock);
}

/*
 * Creation allocates guest RAM, page tables and vCPUs (seconds for a large
 * VM) without v3_vms_lock: only claiming the name and publishing the
 * finished VM take it, so other ioctls go on meanwhile.
 */
int v3_vm_create(const struct v3_create *c)
{
	struct v3_mem_place place;
	struct v3_vm *vm;
	unsigned int i;
	int ret;

	ret = v3_create_check(c);
	if (ret)
		return ret;

	vm = kzalloc(sizeof(*vm), V3_GFP_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	vm->memcg = get_mem_cgroup_from_mm(current->mm);
	mutex_init(&vm->lock);
	mutex_init(&vm->mem_lock);
	spin_lock_init(&vm->stop_lock);
	v3_msr_stats_init(vm);
	strscpy(vm->name, c->name, sizeof(vm->name));
	vm->state = V3_STATE_CREATED;
	vm->flags = c->flags;
	vm->first_cpu = c->first_cpu;
	v3_pvclock_init(vm);
	v3_reset_init(vm);
	vm->node_id = (c->flags & V3_CREATE_PIN_VCPUS) ?
		   cpu_to_node(c->first_cpu) : numa_node_id();
	place.policy = c->mem_policy;
	place.local_node = vm->node_id;
	place.nodes = c->mem_nodes;
	if (c->mem_policy == V3_MEM_BIND)
		vm->node_id = __ffs64(c->mem_nodes);

	ret = v3_vm_claim(vm);
	if (ret)
		goto out_free;
	ret = v3_console_init(&vm->console);
	if (ret)
		goto out_unclaim;
	ret = v3_mem_alloc(&vm->mem, c->mem_bytes, &place, vm->name);
	if (ret)
		goto out_console;
	vm->vcpus = kcalloc(c->vcpus, sizeof(*vm->vcpus), V3_GFP_ACCOUNT);
	if (!vm->vcpus) {
		ret = -ENOMEM;
		goto out_mem;
	}
	/* nested; adapt/paging.c applies the paging= default at attach */
	ret = v3_mmu_vm_init(vm);
	if (ret)
		goto out_vcpus;
	ret = v3_arch->vm_init(vm);
	if (ret)
		goto out_mmu;
	for (i = 0; i < c->vcpus; i++) {
		vm->vcpus[i] = v3_vcpu_create(vm, i);
		if (IS_ERR(vm->vcpus[i])) {
			ret = PTR_ERR(vm->vcpus[i]);
			vm->vcpus[i] = NULL;
			goto out_vcpu;
		}
		vm->nr_vcpus++;
	}
	v3_vm_reset_tsc(vm);
	ret = v3_lapic_mmio_register(vm);
	if (ret)
		goto out_vcpu;
	ret = v3_devices_create(vm);
	if (ret)
		goto out_vcpu;
	ret = v3_adapt_vm_attach(vm);
	if (ret)
		goto out_devices;
	ret = v3_sysfs_add_vm(vm);
	if (ret)
		goto out_adapt;

	mutex_lock(&v3_vms_lock);
	vm->ready = true;
	mutex_unlock(&v3_vms_lock);
	v3_vm_log("%s: created, %llu MiB (%llu MiB in 2 MiB pages), %u vcpus\n",
		vm->name, vm->mem.size >> 20, vm->mem.large_bytes >> 20,
		vm->nr_vcpus);
	return 0;

out_adapt:
	v3_adapt_vm_detach(vm);
	v3_adapt_vm_free(vm);
out_devices:
	v3_devices_destroy(vm);
out_vcpu:
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_free(vm->vcpus[i]);
	v3_arch->vm_destroy(vm);
out_mmu:
	v3_mmu_vm_destroy(vm);
out_vcpus:
	kfree(vm->vcpus);
out_mem:
	v3_mem_free(&vm->mem);
out_console:
	v3_console_free(&vm->console);
out_unclaim:
	v3_vm_unclaim(vm);
out_free:
	mem_cgroup_put(vm->memcg);
	kfree(vm);
	return ret;
}

void v3_vm_stop(struct v3_vm *vm, int reason, int code, const char *fmt, ...)
{
	unsigned long flags;
	unsigned int i;
	va_list ap;

	spin_lock_irqsave(&vm->stop_lock, flags);
	if (vm->state == V3_STATE_STOPPED) {
		spin_unlock_irqrestore(&vm->stop_lock, flags);
		return;
	}
	vm->stop_reason = reason;
	vm->exit_code = code;
	va_start(ap, fmt);
	vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	vm->stop_ns = ktime_get_ns();
	WRITE_ONCE(vm->state, V3_STATE_STOPPED);
	spin_unlock_irqrestore(&vm->stop_lock, flags);

	if (reason != V3_STOP_USER && reason != V3_STOP_EXIT_PORT)
		v3_vm_log("%s: stopped: %s\n", vm->name, vm->reason);
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_kick(vm->vcpus[i], V3_REQ_STOP);
	wake_up_interruptible_all(&vm->console.wq);
}

/*
 * The boot state: vCPU 0 at the loader's entry, the others waiting for a
 * startup IPI.  At launch and at a guest reset, with vm->lock held.
 */
int v3_vm_load_boot(struct v3_vm *vm)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = v3_arch->vcpu_set_boot(vm->vcpus[i],
					     i == 0 ? &vm->boot : NULL);
	if (!ret)
		vm->vcpus[0]->started = true;
	return ret;
}

/* Start the vCPU threads (paused ones if the VM is); a failure stops it. */
int v3_vm_start_vcpus(struct v3_vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->state == V3_STATE_PAUSED)
			set_bit(V3_REQ_PAUSE, &vm->vcpus[i]->requests);
		ret = v3_vcpu_start(vm->vcpus[i]);
		if (ret) {
			v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
				   "cannot start vcpu %u thread (%d)", i, ret);
			return ret;
		}
	}
	return 0;
}

int v3_vm_launch(struct v3_vm *vm)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->dead) {
		ret = -ENOENT;
		goto out;
	}
	if (vm->state != V3_STATE_CREATED) {
		ret = -EBUSY;
		goto out;
	}
	if (!vm->boot_set) {
		ret = -EINVAL;
		goto out;
	}
	ret = v3_vm_load_boot(vm);
	if (ret)
		goto out;
	vm->launch_ns = ktime_get_ns();
	WRITE_ONCE(vm->state, V3_STATE_RUNNING);
	ret = v3_vm_start_vcpus(vm);
out:
	mutex_unlock(&vm->lock);
	return ret;
}

int v3_vm_pause(struct v3_vm *vm, bool pause)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->dead) {
		ret = -ENOENT;
	} else if (pause && vm->state == V3_STATE_RUNNING) {
		WRITE_ONCE(vm->state, V3_STATE_PAUSED);
		for (i = 0; i < vm->nr_vcpus; i++)
			v3_vcpu_kick(vm->vcpus[i], V3_REQ_PAUSE);
	} else if (!pause && vm->state == V3_STATE_PAUSED) {
		WRITE_ONCE(vm->state, V3_STATE_RUNNING);
		for (i = 0; i < vm->nr_vcpus; i++) {
			clear_bit(V3_REQ_PAUSE, &vm->vcpus[i]->requests);
			wake_up(&vm->vcpus[i]->wq);
		}
	} else {
		ret = -EINVAL;	/* not running (pause) / not paused (resume) */
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* Stop the VM, join its threads and drop it from the registry. */
static void v3_vm_teardown(struct v3_vm *vm, int reason)
{
	unsigned int i;

	/* adaptation stops first: it may switch modes, under vm->lock too */
	v3_adapt_vm_detach(vm);
	mutex_lock(&vm->lock);
	vm->dead = true;
	v3_vm_stop(vm, reason, 0, "%s", reason == V3_STOP_USER ?
		   "destroyed" : "module unloaded");
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_stop_thread(vm->vcpus[i]);
	v3_sysfs_del_vm(vm);
	mutex_unlock(&vm->lock);
	/* a reset the guest asked for finds vm->dead and does nothing */
	v3_reset_cancel(vm);
	v3_vm_log("%s: destroyed\n", vm->name);
	v3_vm_put(vm);
}

/*
 * The name stays taken (the VM in the registry, unready) until teardown
 * has removed its sysfs directory: a create of the same name meanwhile
 * gets -EEXIST instead of a clash in sysfs.
 */
int v3_vm_destroy(const char *name)
{
	struct v3_vm *vm;

	mutex_lock(&v3_vms_lock);
	vm = v3_vm_find(name);
	if (vm && vm->ready)
		vm->ready = false;	/* ours: lookups and destroys miss it */
	else
		vm = NULL;	/* one being created or destroyed is not there */
	mutex_unlock(&v3_vms_lock);
	if (!vm)
		return -ENOENT;
	kref_get(&vm->ref);
	v3_vm_teardown(vm, V3_STOP_USER);
	v3_vm_unclaim(vm);
	v3_vm_put(vm);
	return 0;
}

void v3_vm_destroy_all(void)
{
	struct v3_vm *vm, *tmp;
	LIST_HEAD(doomed);

	mutex_lock(&v3_vms_lock);
	list_splice_init(&v3_vms, &doomed);
	v3_nr_vms = 0;
	mutex_unlock(&v3_vms_lock);
	list_for_each_entry_safe(vm, tmp, &doomed, node) {
		list_del(&vm->node);
		v3_vm_teardown(vm, V3_STOP_MODULE_UNLOAD);
	}
}

int v3_vm_list(char *names, u32 max, u32 *count)
{
	struct v3_vm *vm;
	u32 n = 0;

	mutex_lock(&v3_vms_lock);
	list_for_each_entry(vm, &v3_vms, node) {
		if (!vm->ready)
			continue;
		if (n < max)
			memcpy(names + n * V3_NAME_MAX, vm->name, V3_NAME_MAX);
		n++;
	}
	mutex_unlock(&v3_vms_lock);
	*count = n;
	return 0;
}

void v3_vm_fill_info(struct v3_vm *vm, struct v3_info *info)
{
	unsigned long flags;
	unsigned int i, r;
	u64 end;

	spin_lock_irqsave(&vm->stop_lock, flags);
	info->state = vm->state;
	info->stop_reason = vm->stop_reason;
	info->exit_code = vm->exit_code;
	memcpy(info->reason, vm->reason, sizeof(info->reason));
	end = vm->state == V3_STATE_STOPPED ? vm->stop_ns : ktime_get_ns();
	spin_unlock_irqrestore(&vm->stop_lock, flags);

	info->vcpus = vm->nr_vcpus;
	info->mem_bytes = vm->mem.size;
	info->mem_large_bytes = vm->mem.large_bytes;
	info->run_ns = vm->launch_ns && end > vm->launch_ns ?
		       end - vm->launch_ns : 0;
	for (i = 0; i < vm->nr_vcpus; i++) {
		for (r = 0; r < V3_NR_EXIT_REASONS; r++) {
			info->exits[r] += READ_ONCE(vm->vcpus[i]->exits[r]);
			info->exit_cycles[r] +=
				READ_ONCE(vm->vcpus[i]->exit_cycles[r]);
		}
	}
	for (i = 0; i < V3_NR_COUNTERS; i++)
		info->counters[i] = READ_ONCE(vm->counters[i]);
	info->resets = READ_ONCE(vm->resets);
}
