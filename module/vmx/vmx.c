// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: VMX operation on every CPU (VMXON, 23.7-23.8; the
 * detection and feature choice are in vmx_probe.c), VMCS migration between CPUs
 * (VMCLEAR/VMPTRLD, 24.11.1) and the host state that differs per CPU.
 */
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "vmx.h"

static DEFINE_PER_CPU(struct v3_vmx_cpu *, v3_vmx_cpus);

/* ---------------------------------------------------- per-CPU VMX operation */

/*
 * Enter VMX operation on this CPU (interrupts off).  CR4.VMXE already set
 * means another hypervisor (kvm_intel) is in VMX operation here.
 */
int v3_vmx_cpu_enable(void)
{
	struct v3_vmx_cpu *vc = this_cpu_read(v3_vmx_cpus);
	struct v3_vmx_features *f = &v3_vmx_feat;
	unsigned long cr0 = read_cr0(), cr4;
	u64 fc, pa;
	bool fail;

	if (!vc)
		return -ENOMEM;
	if (vc->enabled)
		return 0;
	if (__read_cr4() & X86_CR4_VMXE)
		return -EBUSY;
	/* 23.7: an unlocked IA32_FEATURE_CONTROL is ours to set and lock */
	rdmsrl(V3_MSR_FEATURE_CONTROL, fc);
	if (!(fc & V3_FEATCTL_LOCK))
		wrmsrl(V3_MSR_FEATURE_CONTROL,
		       fc | V3_FEATCTL_LOCK | V3_FEATCTL_VMX_OUTSIDE_SMX);
	else if (!(fc & V3_FEATCTL_VMX_OUTSIDE_SMX))
		return -EIO;
	/* 23.8: CR0 and CR4 must respect the fixed bits in VMX operation */
	if ((cr0 & f->cr0_fixed0) != f->cr0_fixed0 || (cr0 & ~f->cr0_fixed1))
		return -EIO;
	cr4_set_bits(X86_CR4_VMXE);
	cr4 = __read_cr4();
	if ((cr4 & f->cr4_fixed0) != f->cr4_fixed0 || (cr4 & ~f->cr4_fixed1))
		goto fail_cr4;
	*(u32 *)vc->vmxon = f->revision;
	pa = virt_to_phys(vc->vmxon);
	asm volatile("vmxon %1\n\tsetna %0" : "=qm"(fail) : "m"(pa)
		     : "memory", "cc");
	if (fail)
		goto fail_cr4;
	vc->enabled = true;
	return 0;
fail_cr4:
	cr4_clear_bits(X86_CR4_VMXE);
	return -EIO;
}

/*
 * Leave VMX operation on this CPU.  VMXOFF does not write cached VMCS
 * data back to memory (24.11.1), so every VMCS still active here is
 * VMCLEARed first: its vCPU then reloads it wherever it runs next.  Also
 * called from the NMI of an emergency reboot: no locks, no printk.
 */
void v3_vmx_cpu_disable(void)
{
	struct v3_vmx_cpu *vc = this_cpu_read(v3_vmx_cpus);
	struct v3_vmx_vcpu *vmx, *tmp;

	if (!vc || !vc->enabled)
		return;
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_node) {
		u64 pa = vmx->vmcs_pa;

		asm volatile("vmclear %0" :: "m"(pa) : "cc", "memory");
		list_del_init(&vmx->loaded_node);
		vmx->launched = false;
		smp_wmb();
		WRITE_ONCE(vmx->cpu, -1);
	}
	vc->current_vmcs = NULL;
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	vc->enabled = false;
}

static void v3_vmx_cpu_free(int cpu)
{
	struct v3_vmx_cpu *vc = per_cpu(v3_vmx_cpus, cpu);

	if (!vc)
		return;
	free_page((unsigned long)vc->vmxon);
	kfree(vc);
	per_cpu(v3_vmx_cpus, cpu) = NULL;
}

static int v3_vmx_cpu_alloc(int cpu)
{
	struct v3_vmx_cpu *vc;
	struct page *pg;

	vc = kzalloc_node(sizeof(*vc), GFP_KERNEL, cpu_to_node(cpu));
	if (!vc)
		return -ENOMEM;
	INIT_LIST_HEAD(&vc->loaded);
	per_cpu(v3_vmx_cpus, cpu) = vc;
	pg = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
	if (!pg)
		return -ENOMEM;
	vc->vmxon = page_address(pg);
	return 0;
}

void v3_vmx_hw_teardown(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		v3_vmx_cpu_free(cpu);
}

/*
 * Per-CPU memory for every possible CPU, so that CPUs coming online later
 * (hw.c enters VMX operation on them) need no allocation.
 */
int v3_vmx_hw_setup(void)
{
	int cpu, ret;

	for_each_possible_cpu(cpu) {
		ret = v3_vmx_cpu_alloc(cpu);
		if (ret)
			goto fail;
	}
	v3_vmx_perf_setup();
	return 0;
fail:
	v3_vmx_hw_teardown();
	return ret;
}

/* ------------------------------------------------- VMCS <-> physical CPU */

static void v3_vmx_clear_local(void *arg)
{
	struct v3_vmx_vcpu *vmx = arg;
	struct v3_vmx_cpu *vc = this_cpu_read(v3_vmx_cpus);
	u64 pa = vmx->vmcs_pa;

	if (READ_ONCE(vmx->cpu) != smp_processor_id())
		return;
	asm volatile("vmclear %0" :: "m"(pa) : "cc", "memory");
	list_del_init(&vmx->loaded_node);
	if (vc->current_vmcs == vmx)
		vc->current_vmcs = NULL;
	vmx->launched = false;
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

/*
 * Make the VMCS inactive wherever it is active (24.11.1: VMCLEAR must run
 * on the CPU that has it cached).  Needs interrupts enabled.
 */
void v3_vmx_clear(struct v3_vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, v3_vmx_clear_local, vmx, 1);
}

/* Host state that differs between CPUs (GDT, TSS, per-CPU data). */
static void v3_vmx_set_host_percpu(struct v3_vmx_vcpu *vmx)
{
	struct desc_ptr gdt, idt;
	u16 tr;
	u8 *d;
	u64 base, val;

	asm volatile("sgdt %0" : "=m"(gdt));
	asm volatile("sidt %0" : "=m"(idt));
	asm volatile("str %0" : "=r"(tr));
	/* 64-bit TSS descriptor: base in bytes 2-4, 7 and 8-11 (3.5.1) */
	d = (u8 *)gdt.address + (tr & ~7);
	base = d[2] | (d[3] << 8) | (d[4] << 16) | ((u64)d[7] << 24) |
	       ((u64)*(u32 *)(d + 8) << 32);
	v3_vmwrite(V3_HOST_TR_SEL, tr);
	v3_vmwrite(V3_HOST_TR_BASE, base);
	v3_vmwrite(V3_HOST_GDTR_BASE, gdt.address);
	v3_vmwrite(V3_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_GS_BASE, val);
	v3_vmwrite(V3_HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	v3_vmwrite(V3_HOST_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	v3_vmwrite(V3_HOST_SYSENTER_ESP, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	v3_vmwrite(V3_HOST_SYSENTER_EIP, val);
	v3_vmwrite(V3_HOST_CR0, read_cr0());
	/* per-entry host state is rewritten on the next entry */
	vmx->host_cr3 = vmx->host_cr4 = vmx->host_fs_base = ~0UL;
}

/*
 * Make the vCPU's VMCS current on this CPU, moving it from the CPU where
 * it was active.  Called with preemption disabled.
 */
void v3_vmx_load(struct v3_vmx_vcpu *vmx)
{
	struct v3_vmx_cpu *vc = this_cpu_read(v3_vmx_cpus);
	int cpu = smp_processor_id();
	u64 pa = vmx->vmcs_pa;
	unsigned long flags;
	bool moved = false;

	if (READ_ONCE(vmx->cpu) != cpu) {
		v3_vmx_clear(vmx);
		/* also the first VMCLEAR of a new VMCS (24.11.3) */
		asm volatile("vmclear %0" :: "m"(pa) : "cc", "memory");
		vmx->launched = false;
		/* v3_vmx_cpu_disable() finds it here (IPIs and NMIs excluded) */
		local_irq_save(flags);
		list_add(&vmx->loaded_node, &vc->loaded);
		WRITE_ONCE(vmx->cpu, cpu);
		local_irq_restore(flags);
		moved = true;
	}
	if (vc->current_vmcs != vmx) {
		asm volatile("vmptrld %0" :: "m"(pa) : "cc", "memory");
		vc->current_vmcs = vmx;
	}
	if (moved) {
		v3_vmx_set_host_percpu(vmx);
		/* this CPU may hold stale translations for our EPTP/VPID */
		vmx->flush = true;
	}
}

/*
 * INVEPT and INVVPID (SDM vol. 3 30.3): descriptors of 128 bits; VMfail
 * (CF or ZF) for a type the CPU lacks or an operand it rejects.
 */
bool v3_vmx_invept(int type, u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %1, %2\n\tsetna %0"
		     : "=qm"(fail) : "m"(desc), "r"((u64)type)
		     : "cc", "memory");
	return !fail;
}

bool v3_vmx_invvpid(int type, u16 vpid, u64 gva)
{
	struct { u64 vpid, gva; } desc = { vpid, gva };
	bool fail;

	asm volatile("invvpid %1, %2\n\tsetna %0"
		     : "=qm"(fail) : "m"(desc), "r"((u64)type)
		     : "cc", "memory");
	return !fail;
}
