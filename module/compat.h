/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces that differ between the kernels v3vmm builds for
 * (Debian's 5.10, 6.1 and 6.12), in one place.
 *
 * Guest time and RCU.  The world switch tells the kernel that the CPU
 * runs a guest, as KVM does: the thread's time is accounted as guest time
 * (PF_VCPU for tick-based accounting, vtime on nohz_full CPUs) and RCU
 * sees a quiescent state (a guest holds no RCU references, like user
 * space).  5.17 split the old guest_enter_irqoff()/guest_exit_irqoff()
 * into a timing half and a context half so that the host interrupts that
 * forced the exit are still taken with PF_VCPU set: a tick that
 * interrupted the guest counts as guest time.
 *
 *   v3_guest_enter_irqoff()   just before VMRUN/VMLAUNCH, interrupts off
 *   v3_guest_exit_irqoff()    just after it, interrupts still off
 *   v3_guest_timing_exit()    after the host took its pending interrupts
 *
 * Nothing traceable may run between the first two (with context tracking
 * on, RCU is not watching there): no printk, no tracepoint-carrying MSR
 * accessors, no traced local_irq_enable()/disable().
 */
#ifndef _V3_COMPAT_H
#define _V3_COMPAT_H

#include <linux/version.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/memcontrol.h>
#include <linux/irqflags.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
#include <linux/kvm_host.h>

static __always_inline void v3_guest_enter_irqoff(void)
{
	guest_timing_enter_irqoff();
	guest_context_enter_irqoff();
}

static __always_inline void v3_guest_exit_irqoff(void)
{
	guest_context_exit_irqoff();
}

static __always_inline void v3_guest_timing_exit_irqoff(void)
{
	guest_timing_exit_irqoff();
}
#else
#include <linux/context_tracking.h>

static __always_inline void v3_guest_enter_irqoff(void)
{
	guest_enter_irqoff();
}

static __always_inline void v3_guest_exit_irqoff(void)
{
	context_tracking_guest_exit();
}

static __always_inline void v3_guest_timing_exit_irqoff(void)
{
	vtime_account_guest_exit();
}
#endif

/* Once per return from the backend's vcpu_run (interrupts enabled). */
static inline void v3_guest_timing_exit(void)
{
	unsigned long flags;

	if (!(current->flags & PF_VCPU))
		return;
	local_irq_save(flags);
	v3_guest_timing_exit_irqoff();
	local_irq_restore(flags);
}

/*
 * Emergency reboot and kdump.  Up to 6.5 the kernel itself leaves VMX and
 * SVM on every CPU (cpu_emergency_vmxoff(), cpu_emergency_svm_disable()
 * from the NMI shootdown); Debian's 6.1 has the callback below too, but
 * only as a hook for KVM's VMCLEAR (kvm_intel registers it at load).
 * From 6.6 the kernel only calls the one registered callback, so v3vmm
 * registers its own while it holds VMX/SVM.  The slot is single: KVM
 * (6.12: while KVM has virtualization on) owns it otherwise.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#include <asm/reboot.h>
#define V3_HAVE_EMERGENCY_CALLBACK 1

static inline void v3_emergency_register(cpu_emergency_virt_cb *cb)
{
	cpu_emergency_register_virt_callback(cb);
}

static inline void v3_emergency_unregister(cpu_emergency_virt_cb *cb)
{
	cpu_emergency_unregister_virt_callback(cb);
}
#else
#define V3_HAVE_EMERGENCY_CALLBACK 0
typedef void (v3_emergency_cb)(void);

static inline void v3_emergency_register(v3_emergency_cb *cb) { }
static inline void v3_emergency_unregister(v3_emergency_cb *cb) { }
#endif

/*
 * Charge this task's kernel allocations to memcg until the next call
 * (returns the previous one).  5.10's set_active_memcg() also handles
 * interrupt context through int_active_memcg, which 5.10 does not export;
 * v3vmm charges from task context only.
 */
#if defined(CONFIG_MEMCG) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
static inline struct mem_cgroup *v3_set_active_memcg(struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = current->active_memcg;

	current->active_memcg = memcg;
	return old;
}
#else
#define v3_set_active_memcg set_active_memcg
#endif

#endif
