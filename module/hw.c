// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization on each CPU over the host's life cycle.
 *
 * A dynamic CPU-hotplug state (CPUHP_AP_ONLINE_DYN) enables SVM or VMX on
 * every CPU as it comes online and disables it as it goes down.  Its
 * callbacks run on the CPU concerned, in that CPU's hotplug thread: while
 * a vCPU thread has preemption disabled on a CPU (from its check of
 * v3_hw_cpu_on() to the end of the world switch), the CPU cannot lose
 * virtualization under it.  The state sits below CPUHP_AP_ACTIVE, so the
 * scheduler places tasks on a CPU only after it is enabled and stops
 * placing them there before it is disabled; kernel threads already on the
 * CPU may still run there briefly, hence the check in the run loop.
 *
 * Suspend and hibernation take every CPU but the boot CPU down through
 * the same callbacks; the boot CPU is handled by syscore ops.  Reboot and
 * kexec run the reboot notifier, which tears the state down for good
 * (VMX blocks INIT, and the next kernel must find EFER.SVME clear).  The
 * emergency paths (panic, kdump, emergency restart) use the kernel's
 * callback where it has one (see compat.h).
 *
 * vCPU threads follow the set of enabled CPUs (v3_hw_place): a vCPU
 * pinned to a CPU that went down runs on the enabled CPUs until its CPU
 * is back, then returns to it.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/syscore_ops.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include "v3.h"
#include "compat.h"

static DEFINE_PER_CPU(bool, v3_cpu_on);
static struct cpumask v3_cpus_on;
static atomic_t v3_cpus_gen_ctr;
static int v3_cpuhp_state = -1;	/* -1: not set up or removed */
static bool v3_hw_gone;		/* removed for good (reboot) */
static bool v3_hw_suspended;
static DEFINE_MUTEX(v3_hw_lock);	/* v3_cpuhp_state vs. reboot */
static bool v3_hw_setting_up;
static int v3_hw_busy_cpu;

static void v3_cpu_mark(unsigned int cpu, bool on)
{
	per_cpu(v3_cpu_on, cpu) = on;
	if (on)
		cpumask_set_cpu(cpu, &v3_cpus_on);
	else
		cpumask_clear_cpu(cpu, &v3_cpus_on);
	smp_mb__before_atomic();	/* pairs with smp_rmb() in v3_hw_place */
	atomic_inc(&v3_cpus_gen_ctr);
}

static int v3_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = v3_arch->cpu_enable();
	if (!ret)
		v3_cpu_mark(cpu, true);
	local_irq_restore(flags);
	if (ret && v3_hw_setting_up)
		v3_hw_busy_cpu = cpu;	/* v3_hw_init() says why */
	else if (ret)
		v3_err("CPU %u: cannot enable %s (%d): the CPU stays offline\n",
		       cpu, v3_arch->name, ret);
	return ret;
}

static int v3_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	if (per_cpu(v3_cpu_on, cpu)) {
		v3_cpu_mark(cpu, false);
		v3_arch->cpu_disable();
	}
	local_irq_restore(flags);
	return 0;
}

/* Suspend: the other CPUs are already down; interrupts are off. */
static int v3_hw_suspend(void)
{
	unsigned int cpu = smp_processor_id();

	v3_hw_suspended = per_cpu(v3_cpu_on, cpu);
	if (v3_hw_suspended) {
		v3_cpu_mark(cpu, false);
		v3_arch->cpu_disable();
	}
	return 0;
}

static void v3_hw_resume(void)
{
	unsigned int cpu = smp_processor_id();
	int ret;

	if (!v3_hw_suspended)
		return;
	v3_hw_suspended = false;
	ret = v3_arch->cpu_enable();
	if (!ret)
		v3_cpu_mark(cpu, true);
	else
		v3_err("CPU %u: cannot enable %s after resume (%d)\n", cpu,
		       v3_arch->name, ret);
}

static struct syscore_ops v3_syscore_ops = {
	.suspend = v3_hw_suspend,
	.resume = v3_hw_resume,
};

/*
 * Reboot, power-off, halt and kexec: disable virtualization on every CPU
 * through the hotplug state's teardown, on each CPU in its own hotplug
 * thread.  vCPU threads find their CPU disabled at the next entry and
 * stop their VMs.
 */
/* Count the CPUs where the hardware still says virtualization is on. */
static void v3_hw_count_on(void *count)
{
	u64 efer;

	if (v3_arch->arch == V3_ARCH_SVM) {
		rdmsrl(MSR_EFER, efer);
		if (efer & EFER_SVME)
			atomic_inc(count);
	} else if (__read_cr4() & X86_CR4_VMXE) {
		atomic_inc(count);
	}
}

static int v3_hw_reboot(struct notifier_block *nb, unsigned long code,
			void *unused)
{
	atomic_t still_on = ATOMIC_INIT(0);

	mutex_lock(&v3_hw_lock);
	if (v3_cpuhp_state >= 0) {
		WRITE_ONCE(v3_hw_gone, true);
		cpuhp_remove_state(v3_cpuhp_state);
		v3_cpuhp_state = -1;
		on_each_cpu(v3_hw_count_on, &still_on, 1);
		v3_info("%s disabled for %s: %s still set on %d of %u CPUs\n",
			v3_arch->name,
			code == SYS_POWER_OFF ? "power off" :
			code == SYS_HALT ? "halt" : "reboot",
			v3_arch->arch == V3_ARCH_SVM ? "EFER.SVME" : "CR4.VMXE",
			atomic_read(&still_on), num_online_cpus());
	}
	mutex_unlock(&v3_hw_lock);
	return NOTIFY_OK;
}

static struct notifier_block v3_reboot_nb = {
	.notifier_call = v3_hw_reboot,
};

/* In the NMI of an emergency reboot or crash, on every CPU. */
static void __maybe_unused v3_hw_emergency_off(void)
{
	if (!this_cpu_read(v3_cpu_on))
		return;
	this_cpu_write(v3_cpu_on, false);
	v3_arch->cpu_disable();
}

bool v3_hw_cpu_on(void)
{
	return this_cpu_read(v3_cpu_on);
}

bool v3_hw_dead(void)
{
	return READ_ONCE(v3_hw_gone);
}

int v3_hw_cpus_gen(void)
{
	return atomic_read(&v3_cpus_gen_ctr);
}

/*
 * Bind the calling vCPU thread to where it may run now: its pinned CPU if
 * that has virtualization on, else every CPU that has.  Returns -ENODEV
 * when no CPU has it (reboot).  set_cpus_allowed_ptr() moves the thread
 * at once when its current CPU is not in the new set; it also works on a
 * thread bound with kthread_bind(), which the kernel itself would only
 * push to an arbitrary CPU, never bring back.
 */
int v3_hw_place(struct v3_vcpu *vcpu)
{
	int gen = v3_hw_cpus_gen(), pin = vcpu->pin_cpu, ret;

	/* v3_cpus_on is read after gen: a change meanwhile bumps gen again */
	smp_rmb();
	if (pin >= 0 && pin < nr_cpu_ids && cpumask_test_cpu(pin, &v3_cpus_on))
		ret = set_cpus_allowed_ptr(current, cpumask_of(pin));
	else if (cpumask_empty(&v3_cpus_on))
		return -ENODEV;
	else
		ret = set_cpus_allowed_ptr(current, &v3_cpus_on);
	/* retried at the next entry if the set changed under us */
	vcpu->cpus_gen = ret ? gen - 1 : gen;
	return 0;
}

bool v3_hw_cpu_has_virt(int cpu)
{
	return cpu >= 0 && cpu < nr_cpu_ids && cpumask_test_cpu(cpu, &v3_cpus_on);
}

static void v3_hw_explain_busy(void)
{
	bool svm = v3_arch->arch == V3_ARCH_SVM;

	v3_err("not loading: %s is in use by another hypervisor (%s already set on CPU %d), most likely KVM: stop its VMs or unload it (rmmod %s); on Linux 6.12+ KVM holds %s from its load unless kvm.enable_virt_at_load=0\n",
	       svm ? "SVM" : "VMX", svm ? "EFER.SVME" : "CR4.VMXE",
	       v3_hw_busy_cpu, svm ? "kvm_amd" : "kvm_intel",
	       svm ? "SVM" : "VMX");
}

int v3_hw_init(void)
{
	int ret;

	ret = v3_arch->hw_setup();
	if (ret)
		return ret;
	v3_hw_busy_cpu = -1;
	v3_hw_setting_up = true;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "v3vmm:online",
				v3_cpu_online, v3_cpu_offline);
	v3_hw_setting_up = false;
	if (ret < 0) {
		if (ret == -EBUSY)
			v3_hw_explain_busy();
		else
			v3_err("not loading: cannot enable %s on CPU %d (%d%s)\n",
			       v3_arch->name, v3_hw_busy_cpu, ret,
			       ret == -EIO ? ": VMXON refused, see IA32_FEATURE_CONTROL and the CR0/CR4 fixed bits" : "");
		goto out_free;
	}
	v3_cpuhp_state = ret;
	v3_hw_gone = false;
	register_syscore_ops(&v3_syscore_ops);
	register_reboot_notifier(&v3_reboot_nb);
	v3_emergency_register(v3_hw_emergency_off);
	preempt_notifier_inc();
	return 0;

out_free:
	v3_arch->hw_teardown();
	return ret;
}

/* Module unload: every VM is gone, so no vCPU thread is left. */
void v3_hw_exit(void)
{
	preempt_notifier_dec();
	v3_emergency_unregister(v3_hw_emergency_off);
	unregister_reboot_notifier(&v3_reboot_nb);
	unregister_syscore_ops(&v3_syscore_ops);
	mutex_lock(&v3_hw_lock);
	if (v3_cpuhp_state >= 0)
		cpuhp_remove_state(v3_cpuhp_state);
	v3_cpuhp_state = -1;
	mutex_unlock(&v3_hw_lock);
	v3_arch->hw_teardown();
}
