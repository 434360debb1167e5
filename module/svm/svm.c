// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: detection, per-CPU enable (EFER.SVME and the host save
 * area, APM vol. 2 15.4 and 15.30.4) and the struct v3_arch_ops instance.
 */
#include <linux/cpu.h>
#include <linux/moduleparam.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "svm.h"

struct v3_svm_features v3_svm_feat;

static DEFINE_PER_CPU(struct v3_svm_cpu *, v3_svm_cpus);

struct v3_svm_cpu *v3_svm_this_cpu(void)
{
	return this_cpu_read(v3_svm_cpus);
}

int v3_svm_probe(const char **why)
{
	enum v3_svm_quirks_mode mode;
	u64 vm_cr;

	*why = NULL;
	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON)
		return -ENODEV;
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		*why = "AMD CPU without SVM (CPUID Fn8000_0001 ECX[2] clear)";
		return -ENODEV;
	}
	rdmsrl(V3_MSR_VM_CR, vm_cr);
	if (vm_cr & V3_VM_CR_SVMDIS) {
		*why = "SVM disabled by firmware (VM_CR.SVMDIS set)";
		return -ENODEV;
	}
	if (v3_svm_parse_quirks(v3_emulator_quirks, &mode)) {
		*why = "emulator_quirks= must be auto, on or off";
		return -EINVAL;
	}
	v3_svm_features_from_cpuid(&v3_svm_feat, cpuid_edx(0x8000000a),
				   cpuid_ebx(0x8000000a),
				   boot_cpu_has(X86_FEATURE_HYPERVISOR), mode);
	if (!v3_svm_feat.np) {
		*why = "SVM without nested paging is not supported";
		return -ENODEV;
	}
	if (v3_svm_feat.emulator_quirks)
		v3_info("SVM emulator workarounds on (emulator_quirks=%s)\n",
			v3_emulator_quirks);
	if (v3_svm_feat.nasid < 2) {
		*why = "SVM reports fewer than 2 ASIDs";
		return -ENODEV;
	}
	return 0;
}

static void v3_svm_cpu_free(int cpu)
{
	struct v3_svm_cpu *sd = per_cpu(v3_svm_cpus, cpu);

	if (!sd)
		return;
	free_page((unsigned long)sd->hsave);
	free_page((unsigned long)sd->host_vmcb);
	kfree(sd);
	per_cpu(v3_svm_cpus, cpu) = NULL;
}

static int v3_svm_cpu_alloc(int cpu)
{
	struct v3_svm_cpu *sd;

	sd = kzalloc_node(sizeof(*sd), GFP_KERNEL, cpu_to_node(cpu));
	if (!sd)
		return -ENOMEM;
	per_cpu(v3_svm_cpus, cpu) = sd;
	sd->hsave = (void *)get_zeroed_page(GFP_KERNEL);
	sd->host_vmcb = (void *)get_zeroed_page(GFP_KERNEL);
	if (!sd->hsave || !sd->host_vmcb)
		return -ENOMEM;
	sd->host_vmcb_pa = virt_to_phys(sd->host_vmcb);
	sd->next_asid = 1;
	sd->asid_gen = 1;
	return 0;
}

/*
 * Enable SVM on this CPU (interrupts off): EFER.SVME and the host save
 * area VMRUN writes to (APM vol. 2 15.4, 15.30.4).  EFER.SVME already set
 * means another hypervisor (kvm_amd) holds this CPU.
 */
int v3_svm_cpu_enable(void)
{
	struct v3_svm_cpu *sd = this_cpu_read(v3_svm_cpus);
	u64 efer;

	if (!sd)
		return -ENOMEM;
	if (sd->enabled)
		return 0;
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(V3_MSR_VM_HSAVE_PA, virt_to_phys(sd->hsave));
	/*
	 * The CPU may have been offline or asleep: nothing here is known to
	 * be in its TLB, so every vCPU takes a fresh ASID with a flush.
	 */
	sd->asid_gen++;
	sd->next_asid = 1;
	sd->last_vcpu = 0;
	sd->enabled = true;
	return 0;
}

/*
 * Disable SVM on this CPU.  Also called from the NMI of an emergency
 * reboot: no locks, no printk.  With GIF set (we are not between CLGI and
 * STGI) clearing EFER.SVME is all it takes; VMRUN then raises #UD.
 */
void v3_svm_cpu_disable(void)
{
	struct v3_svm_cpu *sd = this_cpu_read(v3_svm_cpus);
	u64 efer;

	if (!sd || !sd->enabled)
		return;
	sd->enabled = false;
	wrmsrl(V3_MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

void v3_svm_hw_teardown(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		v3_svm_cpu_free(cpu);
}

/*
 * Per-CPU memory for every possible CPU, so that CPUs coming online later
 * (hw.c enables SVM on them) need no allocation.
 */
int v3_svm_hw_setup(void)
{
	int cpu, ret;

	for_each_possible_cpu(cpu) {
		ret = v3_svm_cpu_alloc(cpu);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	v3_svm_hw_teardown();
	return ret;
}

u64 v3_svm_caps(void)
{
	return v3_svm_caps_of(&v3_svm_feat);
}
