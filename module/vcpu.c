// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one kernel thread each, optionally pinned, running the loop
 * "enter the guest, handle the exit" until the VM stops.  Other contexts
 * talk to a vCPU through request bits and a kick: an IPI that forces a
 * running guest to exit (a host interrupt always causes an exit), plus a
 * wake-up for a vCPU sleeping in HLT or pause.
 */
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sched/task.h>
#include <linux/wait_bit.h>
#include <asm/msr.h>
#include "v3.h"
#include "compat.h"
#include "mmu/mmu.h"

static void v3_kick_ipi(void *unused)
{
	/* The interrupt itself forced the #VMEXIT; nothing to do here. */
}

struct v3_vcpu *v3_vcpu_create(struct v3_vm *vm, unsigned int id)
{
	struct v3_vcpu *vcpu;
	int ret;

	vcpu = kzalloc_node(sizeof(*vcpu), V3_GFP_ACCOUNT, vm->node_id);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->pin_cpu = (vm->flags & V3_CREATE_PIN_VCPUS) ?
			vm->first_cpu + id : -1;
	init_waitqueue_head(&vcpu->wq);
	vcpu->kick_csd.func = v3_kick_ipi;
	vcpu->kick_csd.info = vcpu;

	ret = v3_fpu_alloc(vcpu);
	if (ret)
		goto out_free;
	ret = v3_lapic_create(vcpu);
	if (ret)
		goto out_fpu;
	v3_vcpu_reset(vcpu);
	ret = v3_arch->vcpu_init(vcpu);
	if (ret)
		goto out_lapic;
	return vcpu;

out_lapic:
	v3_lapic_destroy(vcpu);
out_fpu:
	v3_fpu_free(vcpu);
out_free:
	kfree(vcpu);
	return ERR_PTR(ret);
}

void v3_vcpu_free(struct v3_vcpu *vcpu)
{
	if (!vcpu)
		return;
	v3_arch->vcpu_destroy(vcpu);
	v3_mmu_vcpu_destroy(vcpu);
	v3_lapic_destroy(vcpu);
	v3_fpu_free(vcpu);
	kfree(vcpu);
}

/*
 * The power-on state of the common vCPU fields, at creation and at a VM
 * reset (its thread stopped): the caller loads the boot state after.
 */
void v3_vcpu_reset(struct v3_vcpu *vcpu)
{
	vcpu->requests = 0;
	vcpu->started = false;
	vcpu->halted = false;
	vcpu->parked = false;
	vcpu->irq_idle = false;
	vcpu->held_irq = 0;
	vcpu->sipi_vector = 0;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = 0xffff0ff0ULL;
	vcpu->dr7 = 0x400;
	memset(vcpu->mtrr, 0, sizeof(vcpu->mtrr));
	vcpu->pvclock_msr = 0;
	v3_spec_vcpu_reset(vcpu);
	v3_fpu_reset(vcpu);
	v3_lapic_reset_vcpu(vcpu);
	v3_mmu_vcpu_reset(vcpu);
}

/*
 * Guest TSCs start at 0 (as after RESET: SDM vol. 3, "Time-Stamp Counter")
 * with one offset for all vCPUs, so they agree with each other: Linux
 * checks that they do.
 */
void v3_vm_reset_tsc(struct v3_vm *vm)
{
	unsigned int i;

	vm->tsc_base = rdtsc();
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_arch->set_tsc_offset(vm->vcpus[i], -vm->tsc_base);
}

/*
 * Kicks may come from any context, hard interrupts (timers) included, so
 * the IPI is sent asynchronously; a kick already in flight suffices.
 */
void v3_vcpu_kick(struct v3_vcpu *vcpu, int req)
{
	int cpu, target;

	set_bit(req, &vcpu->requests);
	/* pairs with the barrier between setting mode and checking requests */
	smp_mb__after_atomic();
	wake_up(&vcpu->wq);
	cpu = get_cpu();
	target = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == V3_MODE_IN_GUEST && target >= 0 &&
	    target != cpu)
		smp_call_function_single_async(target, &vcpu->kick_csd);
	put_cpu();
}

static bool v3_vcpu_may_run(struct v3_vcpu *vcpu)
{
	/* not V3_REQ_MMU: a switch needs nothing of a halted vCPU */
	return kthread_should_stop() ||
	       (READ_ONCE(vcpu->requests) & ~BIT(V3_REQ_MMU)) ||
	       (vcpu->started && !vcpu->halted) ||
	       (vcpu->started && !vcpu->parked &&
		v3_vcpu_has_interrupt(vcpu));
}

/* INIT and startup IPIs (SDM vol. 3 9.4.4): reset, then start in real mode */
static int v3_vcpu_init_sipi(struct v3_vcpu *vcpu)
{
	struct v3_boot boot = { .mode = V3_BOOT_REAL16 };

	if (test_and_clear_bit(V3_REQ_INIT, &vcpu->requests)) {
		WRITE_ONCE(vcpu->started, false);
		WRITE_ONCE(vcpu->parked, false);
		vcpu->halted = false;
		vcpu->held_irq = 0;	/* INIT drops events in flight */
	}
	if (test_and_clear_bit(V3_REQ_SIPI, &vcpu->requests) &&
	    !vcpu->started) {
		boot.entry = (u64)READ_ONCE(vcpu->sipi_vector) << 12;
		if (v3_arch->vcpu_set_boot(vcpu, &boot))
			return -EINVAL;
		v3_mmu_vcpu_reset(vcpu);
		WRITE_ONCE(vcpu->started, true);
	}
	return 0;
}

/*
 * An exit handled (by common code, or inside the backend): the time from
 * the end of the previous one's handling to the exit was the world switch
 * and the guest, the time since the exit was its handling.
 */
void v3_vcpu_account(struct v3_vcpu *vcpu, u32 reason)
{
	u64 now = rdtsc();

	if (reason >= V3_NR_EXIT_REASONS)
		reason = V3_EXIT_OTHER;
	vcpu->exits[reason]++;
	vcpu->exit_cycles[reason] += now - vcpu->exit.tsc;
	if (vcpu->exit.tsc > vcpu->entry_tsc)
		vcpu->guest_cycles += vcpu->exit.tsc - vcpu->entry_tsc;
	vcpu->entry_tsc = now;
}

/*
 * Preemption.  The thread is preemptible between runs of entries: a run
 * keeps the guest FPU in the registers inside a kernel_fpu_begin()
 * section, which disables preemption, and ends (v3_fpu_put) before any
 * exit handler that may sleep and as soon as the scheduler wants the CPU
 * (need_resched() after every exit; the reschedule IPI itself forces the
 * exit).  The guest FPU cannot stay loaded across a context switch as it
 * does in KVM: the kernel saves the FPU registers of user tasks only, and
 * a softirq's kernel_fpu_begin() on a kernel thread's CPU would clobber
 * them without saving.
 *
 * What a context switch can change is the host state the backend saved
 * for the world switch (the SVM VMSAVE area, per CPU; VMX keeps its VMCS
 * current per CPU and checks that itself at each entry): the preempt
 * notifiers mark it stale when the thread is scheduled out, and the next
 * entry saves it again (v3_vcpu_load) on whatever CPU the thread is then.
 */
static void v3_vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static void v3_vcpu_sched_out(struct preempt_notifier *pn,
			      struct task_struct *next)
{
	struct v3_vcpu *vcpu = container_of(pn, struct v3_vcpu, preempt);

	vcpu->arch_loaded = false;
}

static struct preempt_ops v3_vcpu_preempt_ops = {
	.sched_in = v3_vcpu_sched_in,
	.sched_out = v3_vcpu_sched_out,
};

/* A run of entries on this CPU begins: guest FPU in, preemption off. */
static void v3_vcpu_load(struct v3_vcpu *vcpu)
{
	if (!vcpu->fpu_loaded)
		v3_fpu_load(vcpu);
	if (!vcpu->arch_loaded && v3_hw_cpu_on()) {
		if (v3_arch->vcpu_load)
			v3_arch->vcpu_load(vcpu);
		vcpu->arch_loaded = true;
	}
}

/*
 * The set of CPUs with virtualization changed (hotplug), this CPU has
 * none, or the vCPU was moved (V3_REQ_MOVE): go to where it may run now.
 * Fails when no CPU has virtualization left.
 */
static int v3_vcpu_move(struct v3_vcpu *vcpu)
{
	v3_fpu_put(vcpu);
	if (!v3_hw_place(vcpu)) {
		cond_resched();
		return 0;
	}
	v3_vm_stop(vcpu->vm, V3_STOP_INTERNAL, 0,
		   "vcpu %u: %s is off on every CPU (host going down)",
		   vcpu->id, v3_arch->name);
	return -ENODEV;
}

/* requests that take the vCPU off the fast path (everything but events) */
#define V3_REQ_SLOW_MASK (~(BIT(V3_REQ_EVENT) | BIT(V3_REQ_TLB)))

/* requests that park the thread until whoever set them clears them */
#define V3_REQ_PARK_MASK (BIT(V3_REQ_PAUSE) | BIT(V3_REQ_MMU))

/*
 * One trip through the guest and the handling of its exit: 0 to go on,
 * -EINTR when a request kept the entry from happening, 1 to leave the
 * run loop.
 */
static int v3_vcpu_run_once(struct v3_vcpu *vcpu)
{
	struct v3_vm *vm = vcpu->vm;
	int ret;

	if (unlikely(vcpu->cpus_gen != v3_hw_cpus_gen()) &&
	    v3_vcpu_move(vcpu))
		return 1;
	v3_vcpu_load(vcpu);
	/*
	 * Preemption is off: this CPU cannot lose virtualization before
	 * the world switch (its hotplug thread would have to run).
	 */
	if (unlikely(!v3_hw_cpu_on()))
		return v3_vcpu_move(vcpu) ? 1 : -EINTR;
	v3_inject_pending(vcpu);
	vcpu->entry_tsc = rdtsc();
	ret = v3_arch->vcpu_run(vcpu);
	v3_guest_timing_exit();
	if (ret == -EINTR)
		return -EINTR;	/* a request arrived before entry */
	if (ret) {
		v3_fpu_put(vcpu);
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "vcpu %u: guest entry failed (%d)", vcpu->id, ret);
		return 1;
	}
	ret = v3_handle_exit(vcpu);
	v3_vcpu_account(vcpu, vcpu->exit.reason);
	return ret ? 1 : 0;
}

/*
 * The run loop.  The guest FPU is loaded (and preemption disabled) from
 * the first entry until something needs the thread to sleep, be
 * scheduled out or handle an exit that may sleep: exits handled
 * atomically go straight back into the guest without the FPU switch.
 */
static void v3_vcpu_loop(struct v3_vcpu *vcpu)
{
	struct v3_vm *vm = vcpu->vm;
	int ret;

	while (!kthread_should_stop()) {
		if ((READ_ONCE(vcpu->requests) & V3_REQ_SLOW_MASK) ||
		    !vcpu->started || vcpu->halted) {
			v3_fpu_put(vcpu);
			vcpu->irq_idle = false;
		}
		if (test_bit(V3_REQ_STOP, &vcpu->requests) ||
		    test_bit(V3_REQ_RESET, &vcpu->requests) ||
		    v3_vm_stopped(vm))
			break;
		if (test_bit(V3_REQ_MOVE, &vcpu->requests)) {
			ret = v3_vcpu_move(vcpu);
			clear_bit(V3_REQ_MOVE, &vcpu->requests);
			wake_up_var(&vcpu->moves);
			if (ret)
				break;
		}
		/*
		 * Pause, and a paging-mode switch waiting for every vCPU to be
		 * out of the guest (mmu.c): sleep until they are cleared, not
		 * bounce off the backend's request check, which would keep the
		 * thread that clears them off this CPU.
		 */
		if (READ_ONCE(vcpu->requests) & V3_REQ_PARK_MASK) {
			wait_event_interruptible(vcpu->wq,
				!(READ_ONCE(vcpu->requests) & V3_REQ_PARK_MASK) ||
				test_bit(V3_REQ_STOP, &vcpu->requests) ||
				test_bit(V3_REQ_MOVE, &vcpu->requests) ||
				kthread_should_stop());
			continue;
		}
		if ((READ_ONCE(vcpu->requests) &
		     (BIT(V3_REQ_INIT) | BIT(V3_REQ_SIPI))) &&
		    v3_vcpu_init_sipi(vcpu)) {
			v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
				   "vcpu %u: startup failed", vcpu->id);
			break;
		}
		if (vcpu->halted && !vcpu->parked &&
		    v3_vcpu_has_interrupt(vcpu))
			vcpu->halted = false;
		if (!vcpu->started || vcpu->halted) {
			u64 t0 = ktime_get_ns();

			clear_bit(V3_REQ_EVENT, &vcpu->requests);
			wait_event_interruptible(vcpu->wq,
						 v3_vcpu_may_run(vcpu));
			if (vcpu->started)
				vcpu->halt_ns += ktime_get_ns() - t0;
			continue;
		}

		/* paging state loaded, held until the exit is handled (mmu.c) */
		if (v3_mmu_enter(vcpu))
			break;
		ret = v3_vcpu_run_once(vcpu);
		v3_mmu_leave(vcpu);
		if (ret > 0)
			break;
		/* also after -EINTR: requests may keep coming */
		if (need_resched()) {
			v3_fpu_put(vcpu);
			cond_resched();
		}
	}
	v3_fpu_put(vcpu);
}

static int v3_vcpu_thread(void *arg)
{
	struct v3_vcpu *vcpu = arg;

	vcpu->arch_loaded = false;
	vcpu->cpus_gen = v3_hw_cpus_gen() - 1;	/* v3_hw_place() first */
	preempt_notifier_init(&vcpu->preempt, &v3_vcpu_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&vcpu->preempt);
	preempt_enable();
	v3_vcpu_loop(vcpu);
	/* the VM stopped or resets: its LAPIC timer must not fire on */
	v3_lapic_quiesce(vcpu);
	preempt_disable();
	preempt_notifier_unregister(&vcpu->preempt);
	preempt_enable();
	/* park until the VM is destroyed: kthread_stop() reaps us */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

int v3_vcpu_start(struct v3_vcpu *vcpu)
{
	struct task_struct *t;

	t = kthread_create_on_node(v3_vcpu_thread, vcpu, vcpu->vm->node_id,
				   "v3vmm-%s/%u", vcpu->vm->name, vcpu->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	if (vcpu->pin_cpu >= 0)
		kthread_bind(t, vcpu->pin_cpu);
	get_task_struct(t);
	vcpu->thread = t;
	wake_up_process(t);
	return 0;
}

void v3_vcpu_stop_thread(struct v3_vcpu *vcpu)
{
	if (!vcpu->thread)
		return;
	v3_vcpu_kick(vcpu, V3_REQ_STOP);
	kthread_stop(vcpu->thread);
	put_task_struct(vcpu->thread);
	vcpu->thread = NULL;
}
