// SPDX-License-Identifier: GPL-2.0
/*
 * Placement mechanisms (ABI 1.4): where each vCPU runs and where guest
 * RAM is, as the adaptation policies (adapt/) and v3ctl see and change
 * them.
 *
 * A vCPU is moved by its own thread: the ioctl records the new CPU in
 * pin_cpu and raises V3_REQ_MOVE, which takes the vCPU out of the guest
 * (or wakes it from HLT); the thread then rebinds itself (hw.c,
 * v3_hw_place()), so that only one thread ever sets its affinity and a
 * CPU-hotplug rebind cannot race with the move.  The backend notices the
 * new CPU at its next entry (VMX: VMCLEAR on the old CPU's behalf and
 * VMPTRLD here, SDM vol. 3 24.11.1; SVM: a new ASID, APM vol. 2 15.16).
 */
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include "v3.h"

/* a move the vCPU thread has not carried out in this time is an error */
#define V3_MOVE_TIMEOUT		(2 * HZ)

static u64 v3_cycles_to_ns(u64 cycles)
{
	return tsc_khz ? mul_u64_u32_div(cycles, 1000000, tsc_khz) : 0;
}

static u32 v3_vcpu_state(struct v3_vm *vm, struct v3_vcpu *vcpu)
{
	switch (READ_ONCE(vm->state)) {
	case V3_STATE_CREATED:
		return V3_VCPU_CREATED;
	case V3_STATE_PAUSED:
		return V3_VCPU_PAUSED;
	case V3_STATE_STOPPED:
		return V3_VCPU_STOPPED;
	}
	if (!READ_ONCE(vcpu->started))
		return V3_VCPU_CREATED;
	return READ_ONCE(vcpu->halted) ? V3_VCPU_HALTED : V3_VCPU_RUNNING;
}

static void v3_vcpu_fill(struct v3_vm *vm, struct v3_vcpu *vcpu,
			 struct v3_vcpu_info *in)
{
	u64 exit_cycles = 0, exits = 0;
	int cpu = READ_ONCE(vcpu->cpu);
	unsigned int r;

	for (r = 0; r < V3_NR_EXIT_REASONS; r++) {
		exits += READ_ONCE(vcpu->exits[r]);
		exit_cycles += READ_ONCE(vcpu->exit_cycles[r]);
	}
	in->id = vcpu->id;
	in->cpu = cpu;
	in->pin_cpu = READ_ONCE(vcpu->pin_cpu);
	in->node = cpu >= 0 ? cpu_to_node(cpu) : -1;
	in->state = v3_vcpu_state(vm, vcpu);
	in->guest_ns = v3_cycles_to_ns(READ_ONCE(vcpu->guest_cycles));
	in->halt_ns = READ_ONCE(vcpu->halt_ns);
	in->exit_ns = v3_cycles_to_ns(exit_cycles);
	in->exits = exits;
	in->moves = READ_ONCE(vcpu->moves);
}

int v3_ioc_vcpus(void __user *arg)
{
	struct v3_vcpu_info *info = NULL;
	struct v3_vcpus v;
	struct v3_vm *vm;
	unsigned int i, n;
	int ret = 0;

	if (copy_from_user(&v, arg, sizeof(v)))
		return -EFAULT;
	if (v3_check_name(v.name) || !v3_zero(v.reserved, sizeof(v.reserved)))
		return -EINVAL;
	vm = v3_vm_get(v.name);
	if (!vm)
		return -ENOENT;
	n = min_t(u32, v.max, vm->nr_vcpus);
	if (n) {
		info = kcalloc(n, sizeof(*info), GFP_KERNEL);
		if (!info) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		v3_vcpu_fill(vm, vm->vcpus[i], &info[i]);
	v.count = vm->nr_vcpus;
	if (n && copy_to_user(u64_to_user_ptr(v.info), info,
			      (size_t)n * sizeof(*info)))
		ret = -EFAULT;
	if (!ret && copy_to_user(arg, &v, sizeof(v)))
		ret = -EFAULT;
out:
	kfree(info);
	v3_vm_put(vm);
	return ret;
}

/*
 * Rebind one vCPU.  Serialized with launch, stop and destroy by vm->lock;
 * a VM that has no thread running takes the CPU at its launch.
 */
static int v3_vcpu_move_to(struct v3_vm *vm, struct v3_vcpu *vcpu, int cpu)
{
	long left;

	WRITE_ONCE(vcpu->pin_cpu, cpu);
	if (!vcpu->thread || v3_vm_stopped(vm)) {
		vcpu->moves++;
		return 0;
	}
	v3_vcpu_kick(vcpu, V3_REQ_MOVE);
	left = wait_var_event_timeout(&vcpu->moves,
			!test_bit(V3_REQ_MOVE, &vcpu->requests) ||
			v3_vm_stopped(vm), V3_MOVE_TIMEOUT);
	if (!left) {
		pr_info_ratelimited(V3_PR_PREFIX "%s: vcpu %u did not reach a safe point to move within %u ms (the move stays pending)\n",
				    vm->name, vcpu->id,
				    jiffies_to_msecs(V3_MOVE_TIMEOUT));
		return -ETIMEDOUT;
	}
	vcpu->moves++;
	return 0;
}

/*
 * Bind vCPU id of vm to host CPU cpu (-1: any); v3ctl and the placement
 * policies (adapt/place.c) come here.
 */
int v3_vcpu_place(struct v3_vm *vm, unsigned int id, int cpu)
{
	int ret = -EINVAL;

	if (cpu < -1 || cpu >= (int)nr_cpu_ids)
		return -EINVAL;
	if (cpu >= 0 && (!cpu_online(cpu) || !v3_hw_cpu_has_virt(cpu)))
		return -ENODEV;
	mutex_lock(&vm->lock);
	if (!vm->dead && id < vm->nr_vcpus)
		ret = v3_vcpu_move_to(vm, vm->vcpus[id], cpu);
	mutex_unlock(&vm->lock);
	return ret;
}

int v3_ioc_vcpu_move(void __user *arg)
{
	struct v3_vcpu_move m;
	struct v3_vm *vm;
	int ret;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (v3_check_name(m.name) || !v3_zero(m.reserved, sizeof(m.reserved)))
		return -EINVAL;
	if (m.cpu < -1 || m.cpu >= (int)nr_cpu_ids)
		return -EINVAL;
	if (m.cpu >= 0 && (!cpu_online(m.cpu) || !v3_hw_cpu_has_virt(m.cpu)))
		return -ENODEV;
	vm = v3_vm_get(m.name);
	if (!vm)
		return -ENOENT;
	ret = v3_vcpu_place(vm, m.vcpu, m.cpu);
	v3_vm_put(vm);
	return ret;
}

int v3_ioc_mem_nodes(void __user *arg)
{
	struct v3_mem_nodes *mn;
	struct v3_vm *vm;
	int ret;

	mn = kzalloc(sizeof(*mn), GFP_KERNEL);
	if (!mn)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(mn, arg, sizeof(*mn)))
		goto out;
	ret = -EINVAL;
	if (v3_check_name(mn->name) ||
	    !v3_zero(mn->reserved, sizeof(mn->reserved)))
		goto out;
	vm = v3_vm_get(mn->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	memset(mn->pages, 0, sizeof(mn->pages));
	memset(mn->large, 0, sizeof(mn->large));
	mutex_lock(&vm->lock);
	v3_mem_count_nodes(&vm->mem, mn->pages, mn->large, V3_MAX_NODES,
			   &mn->nr_nodes);
	mn->policy = vm->mem.place.policy;
	mn->policy_nodes = vm->mem.place.nodes;
	mutex_unlock(&vm->lock);
	v3_vm_put(vm);
	ret = copy_to_user(arg, mn, sizeof(*mn)) ? -EFAULT : 0;
out:
	kfree(mn);
	return ret;
}

/*
 * sysfs vms/NAME/placement/ipis: one line per vCPU, "N: c0 c1 ...", the
 * IPIs it sent to each vCPU (the interrupt matrix the placement policy
 * reads); irqs: "N: count", the interrupts devices sent each vCPU.
 */
ssize_t v3_placement_ipis_show(struct v3_vm *vm, char *buf)
{
	unsigned int i, j, n = vm->nr_vcpus;
	ssize_t len = 0;

	for (i = 0; i < n; i++) {
		len += sysfs_emit_at(buf, len, "%u:", i);
		for (j = 0; j < n; j++)
			len += sysfs_emit_at(buf, len, " %llu",
					     READ_ONCE(vm->vcpus[i]->ipis_sent[j]));
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}

ssize_t v3_placement_irqs_show(struct v3_vm *vm, char *buf)
{
	unsigned int i;
	ssize_t len = 0;

	for (i = 0; i < vm->nr_vcpus; i++)
		len += sysfs_emit_at(buf, len, "%u: %lld\n", i,
				     (s64)atomic64_read(&vm->vcpus[i]->dev_irqs));
	return len;
}
