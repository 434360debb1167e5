// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: detection (SDM vol. 3 23.6 and appendix A), VMX
 * operation on every CPU (VMXON, 23.7-23.8), VMCS migration between CPUs
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

struct v3_vmx_features v3_vmx_feat;
static DEFINE_PER_CPU(struct v3_vmx_cpu *, v3_vmx_cpus);

/*
 * Controls: bits in allowed-0 (low half of the capability MSR) must be 1,
 * bits clear in allowed-1 (high half) must be 0 (A.3-A.5).  Returns false
 * when a required control cannot be 1.
 */
static bool v3_vmx_adjust(u32 msr, u32 required, u32 optional, u32 *ctl)
{
	u64 cap;

	rdmsrl(msr, cap);
	*ctl = (required | optional | (u32)cap) & (u32)(cap >> 32);
	return (*ctl & required) == required;
}

static u32 rdmsr_high(u32 msr)
{
	u64 val;

	rdmsrl(msr, val);
	return val >> 32;
}

static const char *v3_vmx_probe_ctls(u64 basic)
{
	struct v3_vmx_features *f = &v3_vmx_feat;
	bool tru = basic & V3_BASIC_TRUE_CTLS;
	u32 proc2_opt = V3_PROC2_VPID;
	u64 cap;

	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_PINBASED : V3_MSR_VMX_PINBASED,
			   V3_PIN_EXT_INTR | V3_PIN_NMI, 0, &f->pin))
		return "VMX lacks external-interrupt or NMI exiting";
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_PROCBASED : V3_MSR_VMX_PROCBASED,
			   V3_PROC_HLT | V3_PROC_IO_BITMAPS |
			   V3_PROC_MSR_BITMAPS | V3_PROC_MOV_DR |
			   V3_PROC_MWAIT | V3_PROC_MONITOR |
			   V3_PROC_TSC_OFFSET, V3_PROC_SECONDARY, &f->proc))
		return "VMX lacks a required processor-based control (HLT, I/O or MSR bitmaps, MOV-DR, MONITOR/MWAIT exiting, TSC offsetting)";
	if (!(f->proc & V3_PROC_SECONDARY))
		return "VMX without secondary controls: no EPT";
	if (!(rdmsr_high(tru ? V3_MSR_VMX_TRUE_PROCBASED :
			       V3_MSR_VMX_PROCBASED) & V3_PROC_INTR_WINDOW))
		return "VMX without interrupt-window exiting";
	if (f->proc & (V3_PROC_RDTSC | V3_PROC_INVLPG | V3_PROC_UNCOND_IO))
		return "VMX forces RDTSC, INVLPG or unconditional I/O exiting";
	/* with EPT, INVPCID faults (#UD) unless enabled (25.3) */
	if (boot_cpu_has(X86_FEATURE_INVPCID))
		proc2_opt |= V3_PROC2_INVPCID;
	if (!v3_vmx_adjust(V3_MSR_VMX_PROCBASED2, V3_PROC2_EPT, proc2_opt |
			   V3_PROC2_UNRESTRICTED, &f->proc2))
		return "VMX without EPT is not supported";
	if (!(f->proc2 & V3_PROC2_UNRESTRICTED))
		return "VMX without unrestricted guest is not supported";
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_EXIT : V3_MSR_VMX_EXIT,
			   V3_EXITCTL_HOST_64 | V3_EXITCTL_SAVE_EFER |
			   V3_EXITCTL_LOAD_EFER | V3_EXITCTL_SAVE_PAT |
			   V3_EXITCTL_LOAD_PAT, V3_EXITCTL_SAVE_DEBUG, &f->exit))
		return "VMX lacks 64-bit host or EFER/PAT switching on exit";
	if (f->exit & V3_EXITCTL_ACK_INTR)
		return "VMX forces acknowledge-interrupt-on-exit";
	if (!v3_vmx_adjust(tru ? V3_MSR_VMX_TRUE_ENTRY : V3_MSR_VMX_ENTRY,
			   V3_ENTRYCTL_LOAD_EFER | V3_ENTRYCTL_LOAD_PAT,
			   V3_ENTRYCTL_LOAD_DEBUG, &f->entry))
		return "VMX lacks EFER/PAT loading on entry";
	f->entry &= ~V3_ENTRYCTL_IA32E;		/* set per guest mode */

	rdmsrl(V3_MSR_VMX_EPT_VPID_CAP, cap);
	f->ept_vpid_cap = cap;
	if (!(cap & V3_EPT_CAP_WALK4) || !(cap & V3_EPT_CAP_WB) ||
	    !(cap & V3_EPT_CAP_2MB))
		return "EPT without 4-level walks, write-back tables or 2 MiB pages";
	if (!(cap & V3_EPT_CAP_INVEPT) ||
	    !(cap & (V3_EPT_CAP_INVEPT_SINGLE | V3_EPT_CAP_INVEPT_ALL)))
		return "EPT without INVEPT";
	f->invept_type = (cap & V3_EPT_CAP_INVEPT_SINGLE) ? V3_INV_SINGLE :
							    V3_INV_ALL;
	f->vpid = (f->proc2 & V3_PROC2_VPID) && (cap & V3_VPID_CAP_INVVPID) &&
		  (cap & (V3_VPID_CAP_SINGLE | V3_VPID_CAP_ALL));
	if (!f->vpid)
		f->proc2 &= ~V3_PROC2_VPID;
	f->invvpid_type = (cap & V3_VPID_CAP_SINGLE) ? V3_INV_SINGLE :
						       V3_INV_ALL;
	return NULL;
}

/*
 * The VMX-preemption timer counts down at the TSC rate divided by
 * 2^IA32_VMX_MISC[4:0] (25.5.1); about 1 ms is used.
 */
static void v3_vmx_probe_preempt(u64 basic)
{
	bool tru = basic & V3_BASIC_TRUE_CTLS;
	u64 misc, khz = tsc_khz ? tsc_khz : 1000000;

	v3_vmx_feat.preempt_ticks = 0;
	if (!(rdmsr_high(tru ? V3_MSR_VMX_TRUE_PINBASED : V3_MSR_VMX_PINBASED) &
	      V3_PIN_PREEMPT_TIMER))
		return;
	rdmsrl(V3_MSR_VMX_MISC, misc);
	v3_vmx_feat.preempt_ticks = max_t(u64, khz >> (misc & 0x1f), 1);
}

int v3_vmx_probe(const char **why)
{
	struct v3_vmx_features *f = &v3_vmx_feat;
	u64 basic, fc = 0;

	*why = NULL;
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return -ENODEV;
	/* raw CPUID: the kernel hides X86_FEATURE_VMX when firmware locked it off */
	if (!(cpuid_ecx(1) & BIT(5))) {
		*why = "Intel CPU without VMX (CPUID.1:ECX[5] clear)";
		return -ENODEV;
	}
	if (rdmsrl_safe(V3_MSR_FEATURE_CONTROL, &fc))
		fc = 0;
	if ((fc & V3_FEATCTL_LOCK) && !(fc & V3_FEATCTL_VMX_OUTSIDE_SMX)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)";
		return -ENODEV;
	}
	rdmsrl(V3_MSR_VMX_BASIC, basic);
	if (V3_BASIC_MEMTYPE(basic) != V3_MEMTYPE_WB ||
	    (basic & V3_BASIC_32BIT_ADDR) || V3_BASIC_SIZE(basic) > PAGE_SIZE) {
		*why = "VMX requires a VMCS that is not a write-back page";
		return -ENODEV;
	}
	f->revision = V3_BASIC_REVISION(basic);
	f->vmcs_size = V3_BASIC_SIZE(basic);
	f->insn_info = basic & V3_BASIC_INOUT_INFO;
	f->debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &fc);
	v3_vmx_probe_preempt(basic);
	*why = v3_vmx_probe_ctls(basic);
	if (*why)
		return -ENODEV;
	rdmsrl(V3_MSR_VMX_CR0_FIXED0, f->cr0_fixed0);
	rdmsrl(V3_MSR_VMX_CR0_FIXED1, f->cr0_fixed1);
	rdmsrl(V3_MSR_VMX_CR4_FIXED0, f->cr4_fixed0);
	rdmsrl(V3_MSR_VMX_CR4_FIXED1, f->cr4_fixed1);
	return 0;
}

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
	return 0;
fail:
	v3_vmx_hw_teardown();
	return ret;
}

u64 v3_vmx_caps(void)
{
	return V3_CAP_VMX | V3_CAP_NESTED_PAGING | V3_CAP_LARGE_PAGES |
	       V3_CAP_UNRESTRICTED | (v3_vmx_feat.vpid ? V3_CAP_VPID : 0);
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

/* INVEPT and INVVPID for one vCPU's contexts (SDM vol. 3 28.3.3). */
void v3_vmx_flush(struct v3_vmx_vcpu *vmx, u64 eptp)
{
	struct { u64 eptp, rsvd; } ept = { eptp, 0 };
	struct { u64 vpid, gva; } vpid = { vmx->vpid, 0 };

	asm volatile("invept %0, %1"
		     :: "m"(ept), "r"((u64)v3_vmx_feat.invept_type)
		     : "cc", "memory");
	if (v3_vmx_feat.vpid)
		asm volatile("invvpid %0, %1"
			     :: "m"(vpid), "r"((u64)v3_vmx_feat.invvpid_type)
			     : "cc", "memory");
}
