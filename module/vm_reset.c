// SPDX-License-Identifier: GPL-2.0
/*
 * Guest reset: what a PC does when its keyboard controller pulses the
 * reset line (i8042 command 0xfe) or the chipset's reset control register
 * (port 0xcf9) is written — the CPUs restart at their reset state, the
 * devices come back as at power-on, and the firmware boots the OS again.
 *
 * v3vmm has no firmware: the "firmware" is v3ctl's loader, which wrote the
 * kernel, initrd, boot parameters and ACPI tables into guest RAM before the
 * first launch.  Those writes are kept (in the order they came) as the
 * reset image; a reset clears RAM, writes the image again, re-creates the
 * devices, resets every vCPU (vCPU 0 to the boot state, the others to
 * wait-for-SIPI) and starts the vCPU threads again.  The VM stays
 * "running" throughout and counts the reset in v3ctl info.
 *
 * A VM created with V3_CREATE_REBOOT_STOPS keeps no image and stops with
 * reason "reset" instead, as does one whose image grew too large.
 *
 * The work runs in a workqueue, not in the vCPU thread that saw the reset
 * request: it has to join every vCPU thread, that one included.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/ratelimit.h>
#include "v3.h"
#include "mmu/mmu.h"
#include "devices/devices.h"

/* the most loader output kept for resets; more and a reset stops the VM */
#define V3_RESET_IMAGE_MAX	(256ULL << 20)

/*
 * A guest in a reset loop (tests/guests/resetloop.c: dozens a second)
 * must not flood the host's log: a few lines, then silence; v3ctl info
 * counts every reset.
 */
static DEFINE_RATELIMIT_STATE(v3_reset_log_rs, 5 * HZ, 5);

struct v3_reset_chunk {
	struct list_head node;
	u64 gpa, len;
	u8 data[];
};

static void v3_reset_work(struct work_struct *work);

void v3_reset_init(struct v3_vm *vm)
{
	INIT_LIST_HEAD(&vm->reset_image);
	INIT_WORK(&vm->reset_work, v3_reset_work);
}

/*
 * gpa..gpa+len was just written by the loader (V3_IOC_MEM_WRITE): keep a
 * copy, if the VM has not been launched yet.
 */
void v3_reset_image_add(struct v3_vm *vm, u64 gpa, u64 len)
{
	struct v3_reset_chunk *c;
	int ret;

	if (!len || (vm->flags & V3_CREATE_REBOOT_STOPS))
		return;
	mutex_lock(&vm->lock);
	if (vm->state != V3_STATE_CREATED || vm->reset_image_lost)
		goto out;
	if (vm->reset_image_bytes + len > V3_RESET_IMAGE_MAX)
		goto lost;
	c = kvmalloc(struct_size(c, data, len), GFP_KERNEL);
	if (!c)
		goto lost;
	c->gpa = gpa;
	c->len = len;
	mutex_lock(&vm->mem_lock);	/* not moved meanwhile (mem_move.c) */
	ret = v3_read_gpa(vm, gpa, c->data, len);
	mutex_unlock(&vm->mem_lock);
	if (ret) {
		kvfree(c);
		goto lost;
	}
	list_add_tail(&c->node, &vm->reset_image);
	vm->reset_image_bytes += len;
	goto out;
lost:
	vm->reset_image_lost = true;
	v3_warn("%s: loader output over %llu MiB: a guest reset will stop the VM\n",
		vm->name, V3_RESET_IMAGE_MAX >> 20);
out:
	mutex_unlock(&vm->lock);
}

void v3_reset_image_free(struct v3_vm *vm)
{
	struct v3_reset_chunk *c, *n;

	list_for_each_entry_safe(c, n, &vm->reset_image, node) {
		list_del(&c->node);
		kvfree(c);
	}
	vm->reset_image_bytes = 0;
}

static void v3_clear_ram(struct v3_vm *vm, u64 start, u64 len)
{
	u64 gpa;

	for (gpa = start; gpa < start + len; gpa += PAGE_SIZE) {
		clear_page(v3_gpa_to_hva(vm, gpa));
		if (!((gpa + PAGE_SIZE) & (V3_REGION_SIZE - 1)))
			cond_resched();
	}
}

/* Clear guest RAM and write the loader's output again. */
static int v3_reset_image_load(struct v3_vm *vm)
{
	struct v3_reset_chunk *c;

	v3_clear_ram(vm, 0, vm->mem.low_size);
	v3_clear_ram(vm, V3_HIGH_RAM_BASE, vm->mem.size - vm->mem.low_size);
	/* every shadow of the old guest's tables goes (mmu/) */
	v3_mmu_gpa_written(vm, 0, ~0ULL);
	list_for_each_entry(c, &vm->reset_image, node)
		if (v3_write_gpa(vm, c->gpa, c->data, c->len))
			return -EFAULT;
	return 0;
}

/*
 * The guest asked for a reset (from a vCPU thread, possibly with
 * preemption off): take every vCPU out of the guest and leave the rest
 * to the work item.
 */
void v3_vm_reset(struct v3_vm *vm, const char *why)
{
	unsigned int i;

	if ((vm->flags & V3_CREATE_REBOOT_STOPS) || vm->reset_image_lost ||
	    list_empty(&vm->reset_image)) {
		v3_vm_stop(vm, V3_STOP_RESET, 0, "%s", why);
		return;
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_kick(vm->vcpus[i], V3_REQ_RESET);
	kref_get(&vm->ref);
	if (!schedule_work(&vm->reset_work))
		v3_vm_put(vm);		/* already queued, with its reference */
	else if (__ratelimit(&v3_reset_log_rs))
		v3_info("%s: %s: resetting\n", vm->name, why);
}

static void v3_reset_work(struct work_struct *work)
{
	struct v3_vm *vm = container_of(work, struct v3_vm, reset_work);
	unsigned int i;
	int ret;

	mutex_lock(&vm->lock);
	/* destroyed or stopped meanwhile: nothing to restart */
	if (vm->dead || vm->state == V3_STATE_STOPPED)
		goto out;
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_stop_thread(vm->vcpus[i]);
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_lapic_quiesce(vm->vcpus[i]);

	/* devices as at power-on: the handler tables are rebuilt with them */
	v3_devices_destroy(vm);
	vm->nr_io = 0;
	vm->nr_mmio = 0;
	ret = v3_lapic_mmio_register(vm);
	if (!ret)
		ret = v3_devices_create(vm);
	if (ret) {
		/*
		 * v3_devices_create() destroyed what it made and cleared
		 * vm->devices[], so the VM's release destroys nothing twice;
		 * the ports and MMIO ranges registered meanwhile point into
		 * freed state: forget them too (no vCPU runs to use them).
		 */
		vm->nr_io = 0;
		vm->nr_mmio = 0;
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "reset: cannot re-create the devices (%d)", ret);
		goto out;
	}
	mutex_lock(&vm->mem_lock);	/* not moved meanwhile (mem_move.c) */
	ret = v3_reset_image_load(vm);
	mutex_unlock(&vm->mem_lock);
	if (ret) {
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "reset: cannot reload guest memory (%d)", ret);
		goto out;
	}
	v3_vm_reset_tsc(vm);
	v3_pvclock_init(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_reset(vm->vcpus[i]);
	ret = v3_vm_load_boot(vm);
	if (ret) {
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "reset: cannot load the boot state (%d)", ret);
		goto out;
	}
	vm->resets++;
	v3_vm_start_vcpus(vm);
out:
	mutex_unlock(&vm->lock);
	v3_vm_put(vm);
}

/* The VM is being torn down (vm->dead set, threads joined): no reset. */
void v3_reset_cancel(struct v3_vm *vm)
{
	if (cancel_work_sync(&vm->reset_work))
		v3_vm_put(vm);
}
