// SPDX-License-Identifier: GPL-2.0
/*
 * VMX VMs and vCPUs: EPT and bitmaps, VMCS set-up (SDM vol. 3 chapter 24),
 * boot state, guest entry (VMLAUNCH/VMRESUME, chapters 26-27) and event
 * injection.
 *
 * State VMX does not switch and how it is handled here:
 *  - CR2 (27.5.1): guest CR2 is kept in software (vmx->cr2), loaded by
 *    vmx_entry.S just before the entry and saved right after the exit;
 *    the host CR2 is not restored (it only matters inside a page-fault
 *    handler).
 *  - KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK: passed through to the
 *    guest like on SVM, and swapped around every entry with interrupts
 *    disabled: host values read and guest values loaded before entry,
 *    guest values read and host values restored after exit (only where
 *    they differ).  Simple and correct; lazy switching as KVM does would
 *    save a few WRMSRs per exit.
 *  - IA32_DEBUGCTL is cleared and DR7 set to 0x400 by every exit (27.5.1):
 *    both are restored for the host when in use.
 *  - DS/ES/FS/GS selectors are 0 after an exit (host selector fields must
 *    have RPL 0); vCPU threads are kernel threads, which never return to
 *    user mode, so only the FS and GS bases matter, and those are loaded
 *    from the host-state area.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>
#include "vmx.h"
#include "../compat.h"

#define V3_IO_BITMAP_ORDER	1	/* A and B, 4 KiB each (24.6.4) */

static DEFINE_IDA(v3_vpid_ida);

/*
 * MSR bitmap (24.6.9): read bitmaps for 0-0x1fff and 0xc0000000-0xc0001fff
 * at offsets 0 and 1024, write bitmaps at 2048 and 3072; a set bit exits.
 */
static void v3_msr_bitmap_pass(u8 *bm, u32 msr)
{
	u32 base = 0;

	if (msr >= 0xc0000000) {
		base = 1024;
		msr -= 0xc0000000;
	}
	if (msr >= 0x2000)
		return;
	bm[base + msr / 8] &= ~BIT(msr % 8);
	bm[base + 2048 + msr / 8] &= ~BIT(msr % 8);
}

static const u32 v3_vmx_swap_msrs[V3_VMX_NR_SWAP_MSRS] = {
	MSR_KERNEL_GS_BASE, MSR_STAR,
	[V3_VMX_SWAP_LSTAR] = MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK,
};

static int v3_vmx_vm_init(struct v3_vm *vm)
{
	struct v3_vmx_vm *xv;
	unsigned int i;
	int ret = -ENOMEM;

	xv = kzalloc(sizeof(*xv), V3_GFP_ACCOUNT);
	if (!xv)
		return -ENOMEM;
	xv->io_bitmap = (void *)__get_free_pages(V3_GFP_ACCOUNT, V3_IO_BITMAP_ORDER);
	xv->msr_bitmap = (void *)get_zeroed_page(V3_GFP_ACCOUNT);
	if (!xv->io_bitmap || !xv->msr_bitmap)
		goto fail;
	/* intercept every port and every MSR but the pass-through set */
	memset(xv->io_bitmap, 0xff, PAGE_SIZE << V3_IO_BITMAP_ORDER);
	memset(xv->msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < v3_nr_passthrough_msrs; i++)
		v3_msr_bitmap_pass(xv->msr_bitmap, v3_passthrough_msrs[i]);
	/* the EPT tables are the MMU's (mmu/nested.c, v3_ept_format) */
	vm->arch = xv;
	return 0;
fail:
	free_page((unsigned long)xv->msr_bitmap);
	free_pages((unsigned long)xv->io_bitmap, V3_IO_BITMAP_ORDER);
	kfree(xv);
	return ret;
}

static void v3_vmx_vm_destroy(struct v3_vm *vm)
{
	struct v3_vmx_vm *xv = vm->arch;

	if (!xv)
		return;
	free_page((unsigned long)xv->msr_bitmap);
	free_pages((unsigned long)xv->io_bitmap, V3_IO_BITMAP_ORDER);
	kfree(xv);
	vm->arch = NULL;
}

/* Fields that never change for a vCPU.  VMCS loaded. */
static void v3_vmx_init_vmcs(struct v3_vcpu *vcpu, struct v3_vmx_vcpu *vmx)
{
	struct v3_vmx_vm *xv = vcpu->vm->arch;
	struct v3_vmx_features *f = &v3_vmx_feat;
	u64 io = virt_to_phys(xv->io_bitmap), val;

	if (f->vpid)
		v3_vmwrite(V3_VPID, vmx->vpid);
	v3_vmwrite(V3_PIN_CTLS, f->pin);
	vmx->pin_ctls = f->pin;
	v3_vmwrite(V3_PROC_CTLS, f->proc);
	vmx->proc_ctls = vmx->proc_ctls_vmcs = f->proc;
	v3_vmwrite(V3_VMEXIT_CTLS, f->exit);
	vmx->entry_ctls = f->entry;
	v3_vmwrite(V3_VMENTRY_CTLS, vmx->entry_ctls);
	/*
	 * #AC: a guest could make its delivery fault again forever, a loop
	 * inside the CPU that no interrupt breaks (CVE-2015-5307); with the
	 * intercept every delivery exits and is reflected.  #MC belongs to
	 * the host's handler (v3_vmx_machine_check).
	 */
	v3_vmx_paging_init(vmx);	/* EXCEPTION_BITMAP, PROC_CTLS2, masks */
	v3_vmwrite(V3_CR3_TARGET_COUNT, 0);
	v3_vmwrite(V3_VMEXIT_MSR_STORE_COUNT, 0);
	v3_vmwrite(V3_VMEXIT_MSR_LOAD_COUNT, 0);
	v3_vmwrite(V3_VMENTRY_MSR_LOAD_COUNT, 0);
	v3_vmx_perf_init_vmcs(vmx);
	v3_vmwrite(V3_VMENTRY_INTR_INFO, 0);
	v3_vmwrite(V3_TPR_THRESHOLD, 0);
	v3_vmwrite(V3_IO_BITMAP_A, io);
	v3_vmwrite(V3_IO_BITMAP_B, io + PAGE_SIZE);
	v3_vmwrite(V3_MSR_BITMAP, virt_to_phys(xv->msr_bitmap));
	/* EPT_POINTER: set_paging (the MMU loads it before the first entry) */
	v3_vmwrite(V3_EPT_POINTER, 0);
	vmx->eptp = 0;
	v3_vmwrite(V3_TSC_OFFSET, 0);
	v3_vmwrite(V3_VMCS_LINK_PTR, ~0ULL);

	/* host state common to all CPUs (26.2.2-26.2.4, 27.5) */
	v3_vmwrite(V3_HOST_CS_SEL, __KERNEL_CS);
	v3_vmwrite(V3_HOST_SS_SEL, __KERNEL_DS);
	v3_vmwrite(V3_HOST_DS_SEL, 0);
	v3_vmwrite(V3_HOST_ES_SEL, 0);
	v3_vmwrite(V3_HOST_FS_SEL, 0);
	v3_vmwrite(V3_HOST_GS_SEL, 0);
	v3_vmwrite(V3_HOST_RIP, (unsigned long)__v3_vmx_exit);
	rdmsrl(MSR_IA32_CR_PAT, val);
	v3_vmwrite(V3_HOST_PAT, val);
	rdmsrl(MSR_EFER, val);
	v3_vmwrite(V3_HOST_EFER, val);
}

static int v3_vmx_vcpu_init(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx;
	struct page *pg;
	int ret = -ENOMEM;

	vmx = kzalloc(sizeof(*vmx), V3_GFP_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	pg = alloc_pages_node(vcpu->vm->node_id, V3_GFP_ACCOUNT | __GFP_ZERO, 0);
	if (!pg)
		goto free_vmx;
	vmx->vcpu = vcpu;
	vmx->vmcs = page_address(pg);
	vmx->vmcs_pa = page_to_phys(pg);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_node);
	*(u32 *)vmx->vmcs = v3_vmx_feat.revision;	/* 24.2 */
	if (v3_vmx_feat.vpid) {
		ret = ida_alloc_range(&v3_vpid_ida, 1, 0xffff, GFP_KERNEL);
		if (ret < 0)
			goto free_vmcs;
		vmx->vpid = ret;
	}
	ret = v3_vmx_perf_vcpu_init(vmx, vcpu->vm->node_id);
	if (ret)
		goto free_vpid;
	vcpu->arch = vmx;
	get_cpu();
	v3_vmx_load(vmx);
	v3_vmx_init_vmcs(vcpu, vmx);
	put_cpu();
	return 0;

free_vpid:
	if (vmx->vpid)
		ida_free(&v3_vpid_ida, vmx->vpid);
free_vmcs:
	__free_page(pg);
free_vmx:
	kfree(vmx);
	return ret;
}

static void v3_vmx_vcpu_destroy(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	if (!vmx)
		return;
	v3_vmx_clear(vmx);
	if (vmx->vpid)
		ida_free(&v3_vpid_ida, vmx->vpid);
	v3_vmx_perf_vcpu_destroy(vmx);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
	vcpu->arch = NULL;
}

/* Segment attribute in SVM layout: type | S << 4 | DPL << 5 | P << 7 |
 * AVL << 8 | L << 9 | DB << 10 | G << 11, as svm_vcpu.c uses them. */
#define ATTR_CODE32	0xc9b	/* exec/read, accessed, DB, G */
#define ATTR_CODE64	0xa9b	/* exec/read, accessed, L, G */
#define ATTR_DATA	0xc93	/* read/write, accessed, DB, G */
#define ATTR_CODE16	0x09b
#define ATTR_DATA16	0x093
#define ATTR_TSS_BUSY	0x08b	/* VMX requires a busy TSS (26.3.1.2) */
#define ATTR_LDT	0x082

/* VMX access rights keep AVL/L/DB/G at bits 12-15 (24.4.1) */
static void v3_vmx_set_seg(int seg, u16 sel, u64 base, u32 limit, u16 attr)
{
	v3_vmwrite(V3_GUEST_SEL(seg), sel);
	v3_vmwrite(V3_GUEST_BASE(seg), base);
	v3_vmwrite(V3_GUEST_LIMIT(seg), limit);
	v3_vmwrite(V3_GUEST_AR(seg), (attr & 0xff) | ((attr & 0xf00) << 4));
}

/* Guest state into vcpu->regs.  VMCS loaded. */
static void v3_vmx_sync_from_vmcs(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	u32 cs_ar = v3_vmread(V3_GUEST_AR(V3_SEG_CS));

	r->rip = v3_vmread(V3_GUEST_RIP);
	r->gpr[V3_RSP] = v3_vmread(V3_GUEST_RSP);
	r->rflags = v3_vmread(V3_GUEST_RFLAGS);
	/*
	 * CR0/CR4 as the guest sees them: its own bits from the CPU, the
	 * masked ones from the read shadows (both modes).  In shadow mode
	 * the CPU's CR3 and EFER are the MMU's: the guest's stay in regs.
	 */
	r->cr0 = v3_vmx_read_cr0();
	r->cr2 = vmx->cr2;
	r->cr4 = v3_vmx_read_cr4();
	if (vmx->paging == V3_MMU_NESTED) {
		r->cr3 = v3_vmread(V3_GUEST_CR3);
		r->efer = v3_vmread(V3_GUEST_EFER);
	}
	/* SS.DPL is the CPL (24.4.1) */
	r->cpl = V3_AR_DPL(v3_vmread(V3_GUEST_AR(V3_SEG_SS)));
	r->cs_base = v3_vmread(V3_GUEST_BASE(V3_SEG_CS));
	r->cs_attr_l = !!(cs_ar & V3_AR_L);
	r->cs_attr_db = !!(cs_ar & V3_AR_DB);
	vmx->exit_rip = r->rip;
}

/*
 * Architectural state for a boot mode, identical to SVM's (Multiboot
 * 0.6.96 section 3.2 for 32-bit entry; long mode as the Linux x86-64 boot
 * protocol expects) or, with boot == NULL, the INIT state of an AP
 * (SDM vol. 3 9.1.1).
 */
static int v3_vmx_vcpu_set_boot(struct v3_vcpu *vcpu,
				const struct v3_boot *boot)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	u16 cs_sel, ds_sel, code_attr;
	u64 cs_base = 0, cr0, cr3 = 0, cr4 = 0, efer = 0, rip;
	u32 limit = 0xffffffff;
	unsigned int i;

	memset(vcpu->regs.gpr, 0, sizeof(vcpu->regs.gpr));
	get_cpu();
	v3_vmx_load(vmx);
	/* INIT and RESET: real mode, which only nested mode runs here */
	v3_vmx_paging_reset(vcpu);
	v3_vmx_set_seg(V3_SEG_TR, 0, 0, 0xffff, ATTR_TSS_BUSY);
	v3_vmx_set_seg(V3_SEG_LDTR, 0, 0, 0xffff, ATTR_LDT);
	v3_vmwrite(V3_GUEST_IDTR_BASE, 0);
	v3_vmwrite(V3_GUEST_IDTR_LIMIT, 0xffff);

	if (!boot || boot->mode == V3_BOOT_REAL16) {
		u64 entry = boot ? boot->entry : 0xffff0;

		cs_sel = (entry >> 4) & 0xf000;
		cs_base = (u64)cs_sel << 4;
		rip = entry - cs_base;
		cr0 = X86_CR0_ET | (boot ? 0 : X86_CR0_CD | X86_CR0_NW);
		v3_vmx_set_seg(V3_SEG_CS, cs_sel, cs_base, 0xffff, ATTR_CODE16);
		for (i = 0; i < V3_SEG_TR; i++)
			if (i != V3_SEG_CS)
				v3_vmx_set_seg(i, 0, 0, 0xffff, ATTR_DATA16);
		v3_vmwrite(V3_GUEST_GDTR_BASE, 0);
		v3_vmwrite(V3_GUEST_GDTR_LIMIT, 0xffff);
	} else {
		cs_sel = boot->cs ? boot->cs : 0x08;
		ds_sel = boot->ds ? boot->ds : 0x10;
		code_attr = ATTR_CODE32;
		cr0 = X86_CR0_PE | X86_CR0_ET;
		if (boot->mode == V3_BOOT_LONG64) {
			code_attr = ATTR_CODE64;
			cr0 |= X86_CR0_PG | X86_CR0_WP | X86_CR0_NE |
			       X86_CR0_MP;
			cr4 = X86_CR4_PAE;
			cr3 = boot->cr3;
			efer = EFER_LME | EFER_LMA;
		}
		rip = boot->entry;
		v3_vmx_set_seg(V3_SEG_CS, cs_sel, 0, limit, code_attr);
		for (i = 0; i < V3_SEG_TR; i++)
			if (i != V3_SEG_CS)
				v3_vmx_set_seg(i, ds_sel, 0, limit, ATTR_DATA);
		v3_vmwrite(V3_GUEST_GDTR_BASE, boot->gdt_base);
		v3_vmwrite(V3_GUEST_GDTR_LIMIT, boot->gdt_limit);
		memcpy(vcpu->regs.gpr, boot->gpr, sizeof(vcpu->regs.gpr));
	}
	v3_vmx_write_cr0(vcpu, cr0);
	v3_vmx_write_cr4(cr4);
	v3_vmwrite(V3_GUEST_CR3, cr3);
	v3_vmx_set_guest_efer(vmx, efer);
	for (i = 0; i < 4; i++)
		v3_vmwrite(V3_GUEST_PDPTE0 + 2 * i, 0);
	v3_vmwrite(V3_GUEST_RIP, rip);
	v3_vmwrite(V3_GUEST_RSP, vcpu->regs.gpr[V3_RSP]);
	v3_vmwrite(V3_GUEST_RFLAGS, X86_EFLAGS_FIXED);
	v3_vmwrite(V3_GUEST_DR7, 0x400);
	v3_vmwrite(V3_GUEST_DEBUGCTL, 0);
	v3_vmwrite(V3_GUEST_PAT, 0x0007040600070406ULL);	/* power-on PAT */
	v3_vmwrite(V3_GUEST_SYSENTER_CS, 0);
	v3_vmwrite(V3_GUEST_SYSENTER_ESP, 0);
	v3_vmwrite(V3_GUEST_SYSENTER_EIP, 0);
	v3_vmwrite(V3_GUEST_ACTIVITY, 0);		/* active */
	v3_vmwrite(V3_GUEST_INTERRUPTIBILITY, 0);
	vmx->intr_state = 0;
	vmx->proc_ctls &= ~V3_PROC_INTR_WINDOW;
	v3_vmwrite(V3_GUEST_PENDING_DBG, 0);
	v3_vmwrite(V3_VMENTRY_INTR_INFO, 0);
	vmx->cr2 = 0;
	vmx->cr8 = 0;
	vmx->flush = true;	/* INIT and RESET invalidate the TLBs */
	memset(vmx->swap_msr, 0, sizeof(vmx->swap_msr));
	memset(&vmx->inject, 0, sizeof(vmx->inject));
	memset(&vmx->reinject, 0, sizeof(vmx->reinject));
	if (!boot)
		vcpu->regs.gpr[V3_RDX] = cpuid_eax(1);	/* processor signature */
	v3_vmx_sync_from_vmcs(vcpu);
	put_cpu();
	return 0;
}

static void v3_vmx_inject_exception(struct v3_vcpu *vcpu, u8 vector,
				    bool has_error, u32 error)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	u32 type = vector == 2 ? V3_INTR_TYPE_NMI : V3_INTR_TYPE_HW_EXC;

	vmx->inject.info = vector | (type << 8) | V3_INTR_VALID;
	/* no error code is delivered in real mode (26.2.1.3) */
	if (has_error && (vcpu->regs.cr0 & X86_CR0_PE))
		vmx->inject.info |= V3_INTR_HAS_ERROR;
	vmx->inject.error = error;
	vmx->inject.len = 0;
}

/* Event for this entry: one queued by common code wins over one that the
 * last exit interrupted, as on SVM (26.6: VM-entry event injection). */
static void v3_vmx_write_event(struct v3_vmx_vcpu *vmx)
{
	struct v3_vmx_event *ev = vmx->inject.info ? &vmx->inject :
				  vmx->reinject.info ? &vmx->reinject : NULL;
	u32 type;

	/* kept for an entry that a machine check makes fail (exit 41) */
	vmx->entry_event.info = 0;
	if (!ev)
		return;
	vmx->entry_event = *ev;
	type = V3_INTR_TYPE(ev->info);
	v3_vmwrite(V3_VMENTRY_INTR_INFO, ev->info);
	if (ev->info & V3_INTR_HAS_ERROR)
		v3_vmwrite(V3_VMENTRY_EXC_ERROR, ev->error);
	if (type >= V3_INTR_TYPE_SOFT_INT)
		v3_vmwrite(V3_VMENTRY_INSN_LEN, ev->len);
	vmx->inject.info = 0;
	vmx->reinject.info = 0;
}

/* Host state that may change between entries on one CPU. */
static void v3_vmx_update_host(struct v3_vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = __read_cr4(), fs;

	if (cr3 != vmx->host_cr3) {
		v3_vmwrite(V3_HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		v3_vmwrite(V3_HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	rdmsrl(MSR_FS_BASE, fs);
	if (fs != vmx->host_fs_base) {
		v3_vmwrite(V3_HOST_FS_BASE, fs);
		vmx->host_fs_base = fs;
	}
}

/*
 * Architecturally a host interrupt makes the guest exit whatever the
 * guest's RFLAGS.IF (external-interrupt exiting, 25.2).  Bochs 2.7 only
 * re-evaluates its interrupt mask when IF changes during the entry, so a
 * guest entered with IF clear (from a host with IF clear) never exits for
 * host interrupts: the host CPU is lost until the guest exits by itself.
 * Where that defect exists (vmx_probe.c: detected, or emulator_quirks=on)
 * entries with guest IF clear arm the VMX-preemption timer (exit reason
 * 52, counted as a host interrupt); never on real CPUs by default.
 */
static void v3_vmx_preempt_quirk(struct v3_vmx_vcpu *vmx, u64 rflags)
{
	u32 pin = v3_vmx_entry_pin(rflags);

	if (pin & V3_PIN_PREEMPT_TIMER)
		v3_vmwrite(V3_PREEMPT_TIMER_VALUE, v3_vmx_feat.preempt_ticks);
	if (pin != vmx->pin_ctls) {
		v3_vmwrite(V3_PIN_CTLS, pin);
		vmx->pin_ctls = pin;
	}
}

/* Loaded before entry, interrupts disabled; see the header comment. */
static void v3_vmx_msrs_to_guest(struct v3_vmx_vcpu *vmx, u64 *host)
{
	unsigned int i;

	for (i = 0; i < V3_VMX_NR_SWAP_MSRS; i++) {
		rdmsrl(v3_vmx_swap_msrs[i], host[i]);
		if (vmx->swap_msr[i] != host[i])
			wrmsrl(v3_vmx_swap_msrs[i], vmx->swap_msr[i]);
	}
}

static void v3_vmx_msrs_to_host(struct v3_vmx_vcpu *vmx, const u64 *host)
{
	unsigned int i;

	for (i = 0; i < V3_VMX_NR_SWAP_MSRS; i++) {
		rdmsrl(v3_vmx_swap_msrs[i], vmx->swap_msr[i]);
		if (vmx->swap_msr[i] != host[i])
			wrmsrl(v3_vmx_swap_msrs[i], host[i]);
	}
}

/* Exit information, saved before anything can change the VMCS. */
static void v3_vmx_save_exit(struct v3_vmx_vcpu *vmx)
{
	vmx->exit_qual = v3_vmread(V3_VMEXIT_QUAL);
	vmx->exit_intr_info = v3_vmread(V3_VMEXIT_INTR_INFO);
	vmx->exit_intr_error = v3_vmread(V3_VMEXIT_INTR_ERROR);
	vmx->idt_info = v3_vmread(V3_IDT_VEC_INFO);
	vmx->intr_state = v3_vmread(V3_GUEST_INTERRUPTIBILITY);

	/* 27.2.4: an event whose delivery the exit interrupted (SDM 27.2.3
	 * and 26.6) is delivered again on the next entry */
	vmx->reinject.info = 0;
	if (vmx->idt_info & V3_INTR_VALID) {
		/* bits 30:12 are reserved in the entry field */
		vmx->reinject.info = vmx->idt_info & (V3_INTR_VALID | 0xfff);
		vmx->reinject.info &= ~BIT(12);
		vmx->reinject.error = v3_vmread(V3_IDT_VEC_ERROR);
		vmx->reinject.len = v3_vmread(V3_VMEXIT_INSN_LEN);
	}
}

/*
 * A VM exit loads GDTR with limit 0xffff and TR with limit 0x67 (27.5.2).
 * The TSS limit cuts off the I/O permission bitmap that ioperm() users
 * need: once told (invalidate_tss_limit()), Linux reloads TR before such
 * a task next returns to user mode.  The GDT limit is restored at once, so
 * that nothing past the GDT's last descriptor can be loaded.  (The IDTR
 * limit becomes 0xffff too; all 256 vectors lie inside the real one.)
 */
static void v3_vmx_restore_host_desc(void)
{
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
}

/*
 * One entry.  Interrupts are disabled from the request check to after
 * the exit: VMX has no GIF, but with external-interrupt exiting and
 * acknowledge-interrupt-on-exit off, an interrupt that arrives meanwhile
 * stays pending, makes the guest exit at once and is taken by the host
 * when interrupts are enabled again (24.6.1, 25.2).
 */
static int v3_vmx_enter(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	u64 host_msr[V3_VMX_NR_SWAP_MSRS], debugctl = 0;
	int cpu, ret;

	/* called with the guest FPU loaded, so preemption is disabled */
	v3_vmx_load(vmx);
	cpu = smp_processor_id();
	local_irq_disable();

	WRITE_ONCE(vcpu->mode, V3_MODE_IN_GUEST);
	WRITE_ONCE(vcpu->cpu, cpu);
	smp_mb();	/* mode before requests; pairs with v3_vcpu_kick() */
	if (READ_ONCE(vcpu->requests) & V3_REQ_EXIT_MASK) {
		WRITE_ONCE(vcpu->mode, V3_MODE_OUTSIDE);
		local_irq_enable();
		return -EINTR;
	}
	if (test_and_clear_bit(V3_REQ_TLB, &vcpu->requests))
		vmx->flush = true;
	v3_vmx_flush_pending(vmx);
	v3_vmx_update_host(vmx);

	v3_vmwrite(V3_GUEST_RIP, r->rip);
	v3_vmwrite(V3_GUEST_RSP, r->gpr[V3_RSP]);
	v3_vmwrite(V3_GUEST_RFLAGS, r->rflags);
	/* an emulated instruction ends STI/MOV-SS blocking (24.4.2) */
	if (r->rip != vmx->exit_rip &&
	    (vmx->intr_state & (V3_BLOCK_STI | V3_BLOCK_MOV_SS))) {
		vmx->intr_state &= ~(V3_BLOCK_STI | V3_BLOCK_MOV_SS);
		v3_vmwrite(V3_GUEST_INTERRUPTIBILITY, vmx->intr_state);
	}
	v3_vmx_preempt_quirk(vmx, r->rflags);
	if (vmx->proc_ctls != vmx->proc_ctls_vmcs) {
		v3_vmwrite(V3_PROC_CTLS, vmx->proc_ctls);
		vmx->proc_ctls_vmcs = vmx->proc_ctls;
	}
	v3_vmx_write_event(vmx);

	v3_vmx_msrs_to_guest(vmx, host_msr);
	v3_vmx_perf_switch(vmx);
	if (v3_vmx_feat.debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, debugctl);

	v3_spec_enter(vcpu);
	v3_guest_enter_irqoff();
	ret = __v3_vmx_run(r->gpr, vmx->launched, &vcpu->spec, &vmx->cr2);
	v3_guest_exit_irqoff();

	vcpu->exit.tsc = rdtsc();
	v3_spec_exit(vcpu);
	v3_vmx_msrs_to_host(vmx, host_msr);
	if (debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, debugctl);
	if (ret) {
		vmx->exit_reason = V3_VMX_VMFAIL;
		vmx->insn_error = v3_vmread(V3_INSN_ERROR);
	} else {
		vmx->insn_error = 0;
		vmx->exit_reason = v3_vmread(V3_VMEXIT_REASON);
		if (!(vmx->exit_reason & V3_VMX_EXIT_ENTRY_FAIL))
			vmx->launched = true;
		v3_vmx_save_exit(vmx);
		/*
		 * NMI exiting is on so host NMIs never reach the guest; an
		 * NMI that forced this exit is handed to the host's handler
		 * (what KVM did before 5.11).
		 */
		if ((vmx->exit_reason & 0xffff) == V3_VMX_EXIT_EXC_NMI &&
		    (vmx->exit_intr_info & V3_INTR_VALID) &&
		    V3_INTR_TYPE(vmx->exit_intr_info) == V3_INTR_TYPE_NMI)
			asm volatile("int $2");
		else if (v3_vmx_exit_is_mce(vmx->exit_reason,
					    vmx->exit_intr_info))
			v3_host_machine_check();
		v3_vmx_restore_host_desc();
	}
	WRITE_ONCE(vcpu->mode, V3_MODE_OUTSIDE);
	/* a VM exit leaves DR7 at 0x400 (27.5.1) */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	local_irq_enable();

	/* the VMCS stays current on this CPU until preemption is enabled */
	v3_vmx_sync_from_vmcs(vcpu);
	/* a guest that changed CR0.PG itself changed EFER.LMA (nested only) */
	if (!ret && !(vmx->exit_reason & V3_VMX_EXIT_ENTRY_FAIL) &&
	    vmx->paging == V3_MMU_NESTED)
		v3_vmx_set_guest_efer(vmx, r->efer);
	v3_vmx_decode_exit(vcpu);
	return 0;
}

/*
 * CR accesses the guest may not do on its own (the fixed CR0/CR4 bits)
 * are emulated here and the guest re-entered; they are counted as
 * V3_EXIT_CR_ACCESS exits.  In shadow mode CR0, CR3 and CR4 accesses are
 * the MMU's (module/mmu/mmu.c) and go to common code.
 */
static int v3_vmx_vcpu_run(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	int ret;

	for (;;) {
		ret = v3_vmx_enter(vcpu);
		if (!ret && vmx->emulated) {	/* INVPCID (vmx_exit.c) */
			v3_vcpu_account(vcpu, vcpu->exit.reason);
			continue;
		}
		if (ret || vcpu->exit.reason != V3_EXIT_CR_ACCESS)
			return ret;
		if (vmx->paging == V3_MMU_SHADOW && vcpu->exit.crdr.reg != 8)
			return 0;
		if (!v3_vmx_handle_cr(vcpu))
			return 0;	/* common code stops the VM */
		v3_vcpu_account(vcpu, V3_EXIT_CR_ACCESS);
		/* a host interrupt ends this loop with an exit of its own */
	}
}

/*
 * External interrupts for the guest (26.6.2 event injection, 24.4.2
 * interruptibility).  These run in the vCPU thread between exits and use
 * only state cached at the last exit; the VMCS is written at the next
 * entry.
 */
static bool v3_vmx_irq_allowed(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	if (vmx->inject.info || vmx->reinject.info)
		return false;
	/* common code moved RIP past an emulated instruction */
	if (vcpu->regs.rip != vmx->exit_rip)
		return !!(vcpu->regs.rflags & X86_EFLAGS_IF);
	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(vmx->intr_state & (V3_BLOCK_STI | V3_BLOCK_MOV_SS));
}

static void v3_vmx_inject_irq(struct v3_vcpu *vcpu, u8 vector)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	vmx->inject.info = vector | (V3_INTR_TYPE_EXT << 8) | V3_INTR_VALID;
	vmx->inject.error = 0;
	vmx->inject.len = 0;
}

/* Interrupt-window exiting (24.6.2): exit as soon as IF=1 and no shadow */
static void v3_vmx_irq_window(struct v3_vcpu *vcpu, bool enable)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	if (enable)
		vmx->proc_ctls |= V3_PROC_INTR_WINDOW;
	else
		vmx->proc_ctls &= ~V3_PROC_INTR_WINDOW;
}

static void v3_vmx_set_efer(struct v3_vcpu *vcpu, u64 efer)
{
	get_cpu();
	v3_vmx_load(vcpu->arch);
	v3_vmx_efer_write(vcpu, efer);
	put_cpu();
}

static int v3_vmx_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	int ret = 0;

	/* swapped by software around each entry: no VMCS needed */
	if (msr == MSR_LSTAR) {
		*val = vmx->swap_msr[V3_VMX_SWAP_LSTAR];
		return 0;
	}
	get_cpu();
	v3_vmx_load(vmx);
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc() + v3_vmread(V3_TSC_OFFSET);
		break;
	case MSR_IA32_CR_PAT:
		*val = v3_vmread(V3_GUEST_PAT);
		break;
	default:
		ret = -ENOENT;
	}
	put_cpu();
	return ret;
}

static u64 v3_vmx_tsc_offset(struct v3_vcpu *vcpu)
{
	u64 off;

	get_cpu();
	v3_vmx_load(vcpu->arch);
	off = v3_vmread(V3_TSC_OFFSET);
	put_cpu();
	return off;
}

static void v3_vmx_set_tsc_offset(struct v3_vcpu *vcpu, u64 offset)
{
	get_cpu();
	v3_vmx_load(vcpu->arch);
	v3_vmwrite(V3_TSC_OFFSET, offset);
	put_cpu();
}

static int v3_vmx_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	int ret = 0;

	get_cpu();
	v3_vmx_load(vmx);
	switch (msr) {
	case MSR_IA32_TSC:
		v3_vmwrite(V3_TSC_OFFSET, val - rdtsc());
		break;
	case MSR_IA32_CR_PAT:
		v3_vmwrite(V3_GUEST_PAT, val);
		break;
	default:
		ret = -ENOENT;
	}
	put_cpu();
	return ret;
}

static void v3_vmx_dump(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	u64 *g = vcpu->regs.gpr;

	get_cpu();
	v3_vmx_load(vmx);
	v3_err("%s/%u: exit 0x%x qual 0x%llx intr 0x%x/0x%x idt 0x%x insn-err %u\n",
	       vcpu->vm->name, vcpu->id, vmx->exit_reason, vmx->exit_qual,
	       vmx->exit_intr_info, vmx->exit_intr_error, vmx->idt_info,
	       vmx->insn_error);
	v3_err("  rip %016lx rsp %016lx rflags %08lx cpl %u intr-state %lx\n",
	       v3_vmread(V3_GUEST_RIP), v3_vmread(V3_GUEST_RSP),
	       v3_vmread(V3_GUEST_RFLAGS), vcpu->regs.cpl,
	       v3_vmread(V3_GUEST_INTERRUPTIBILITY));
	v3_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       g[V3_RAX], g[V3_RBX], g[V3_RCX], g[V3_RDX]);
	v3_err("  rsi %016llx rdi %016llx rbp %016llx\n",
	       g[V3_RSI], g[V3_RDI], g[V3_RBP]);
	v3_err("  cr0 %lx/%lx cr2 %llx cr3 %lx cr4 %lx/%lx efer %lx\n",
	       v3_vmread(V3_GUEST_CR0), v3_vmread(V3_CR0_SHADOW), vmx->cr2,
	       v3_vmread(V3_GUEST_CR3), v3_vmread(V3_GUEST_CR4),
	       v3_vmread(V3_CR4_SHADOW), v3_vmread(V3_GUEST_EFER));
	v3_err("  cs %04lx/%lx/%lx/%05lx ss %04lx/%05lx tr %04lx/%05lx gdt %lx/%lx idt %lx/%lx\n",
	       v3_vmread(V3_GUEST_SEL(V3_SEG_CS)),
	       v3_vmread(V3_GUEST_BASE(V3_SEG_CS)),
	       v3_vmread(V3_GUEST_LIMIT(V3_SEG_CS)),
	       v3_vmread(V3_GUEST_AR(V3_SEG_CS)),
	       v3_vmread(V3_GUEST_SEL(V3_SEG_SS)),
	       v3_vmread(V3_GUEST_AR(V3_SEG_SS)),
	       v3_vmread(V3_GUEST_SEL(V3_SEG_TR)),
	       v3_vmread(V3_GUEST_AR(V3_SEG_TR)),
	       v3_vmread(V3_GUEST_GDTR_BASE), v3_vmread(V3_GUEST_GDTR_LIMIT),
	       v3_vmread(V3_GUEST_IDTR_BASE), v3_vmread(V3_GUEST_IDTR_LIMIT));
	v3_err("  ctls pin %lx proc %lx/%lx entry %lx exit %lx\n",
	       v3_vmread(V3_PIN_CTLS), v3_vmread(V3_PROC_CTLS),
	       v3_vmread(V3_PROC_CTLS2), v3_vmread(V3_VMENTRY_CTLS),
	       v3_vmread(V3_VMEXIT_CTLS));
	put_cpu();
}

static u64 v3_vmx_seg_base(struct v3_vcpu *vcpu, unsigned int seg)
{
	u64 base;

	if (seg >= V3_NR_SEGS)
		return 0;
	get_cpu();
	v3_vmx_load(vcpu->arch);
	base = v3_vmread(V3_GUEST_BASE(seg));
	put_cpu();
	return base;
}

const struct v3_arch_ops v3_vmx_ops = {
	.name = "vmx",
	.arch = V3_ARCH_VMX,
	.probe = v3_vmx_probe,
	.hw_setup = v3_vmx_hw_setup,
	.hw_teardown = v3_vmx_hw_teardown,
	.cpu_enable = v3_vmx_cpu_enable,
	.cpu_disable = v3_vmx_cpu_disable,
	.caps = v3_vmx_caps,
	.vm_init = v3_vmx_vm_init,
	.vm_destroy = v3_vmx_vm_destroy,
	.vcpu_init = v3_vmx_vcpu_init,
	.vcpu_destroy = v3_vmx_vcpu_destroy,
	.vcpu_set_boot = v3_vmx_vcpu_set_boot,
	.vcpu_run = v3_vmx_vcpu_run,
	.inject_exception = v3_vmx_inject_exception,
	.set_efer = v3_vmx_set_efer,
	.get_msr = v3_vmx_get_msr,
	.set_msr = v3_vmx_set_msr,
	.tsc_offset = v3_vmx_tsc_offset,
	.set_tsc_offset = v3_vmx_set_tsc_offset,
	.dump = v3_vmx_dump,
	.perf_guest_only = v3_vmx_perf_enabled,
	.irq_allowed = v3_vmx_irq_allowed,
	.inject_irq = v3_vmx_inject_irq,
	.irq_window = v3_vmx_irq_window,
	.tdp_format = &v3_ept_format,
	.set_paging = v3_vmx_set_paging,
	.inject_pf = v3_vmx_inject_pf,
	.seg_base = v3_vmx_seg_base,
};
