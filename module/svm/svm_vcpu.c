// SPDX-License-Identifier: GPL-2.0
/*
 * SVM VMs and vCPUs: VMCB set-up, boot state, guest entry (VMRUN) and
 * event injection.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include "svm.h"
#include "../mmu/mmu.h"
#include "../compat.h"

#define V3_IOPM_ORDER	2	/* 12 KiB used (APM 15.10.1) */
#define V3_MSRPM_ORDER	1	/* 8 KiB (APM 15.11) */

static atomic64_t v3_svm_vcpu_uids = ATOMIC64_INIT(0);

/*
 * MSR permission map: two bits (read, write) per MSR for the ranges
 * 0-0x1fff, 0xc0000000-0xc0001fff and 0xc0010000-0xc0011fff (APM 15.11).
 */
static void v3_msrpm_pass(u8 *msrpm, u32 msr)
{
	u32 base, bit;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xc0000000 < 0x2000)
		base = 0x800 * 8, msr -= 0xc0000000;
	else
		base = 0x1000 * 8, msr -= 0xc0010000;
	bit = base + msr * 2;
	msrpm[bit / 8] &= ~(3 << (bit % 8));
}

static int v3_svm_vm_init(struct v3_vm *vm)
{
	struct v3_svm_vm *sv;
	unsigned int i;
	int ret = -ENOMEM;

	sv = kzalloc(sizeof(*sv), V3_GFP_ACCOUNT);
	if (!sv)
		return -ENOMEM;
	sv->iopm = (void *)__get_free_pages(V3_GFP_ACCOUNT, V3_IOPM_ORDER);
	sv->msrpm = (void *)__get_free_pages(V3_GFP_ACCOUNT, V3_MSRPM_ORDER);
	if (!sv->iopm || !sv->msrpm)
		goto fail;
	/* intercept every port and every MSR but the pass-through set */
	memset(sv->iopm, 0xff, PAGE_SIZE << V3_IOPM_ORDER);
	memset(sv->msrpm, 0xff, PAGE_SIZE << V3_MSRPM_ORDER);
	/* VMLOAD/VMSAVE switch these (APM 15.5.2) */
	for (i = 0; i < v3_nr_passthrough_msrs; i++)
		v3_msrpm_pass(sv->msrpm, v3_passthrough_msrs[i]);
	vm->arch = sv;
	return 0;
fail:
	free_pages((unsigned long)sv->msrpm, V3_MSRPM_ORDER);
	free_pages((unsigned long)sv->iopm, V3_IOPM_ORDER);
	kfree(sv);
	return ret;
}

static void v3_svm_vm_destroy(struct v3_vm *vm)
{
	struct v3_svm_vm *sv = vm->arch;

	if (!sv)
		return;
	free_pages((unsigned long)sv->msrpm, V3_MSRPM_ORDER);
	free_pages((unsigned long)sv->iopm, V3_IOPM_ORDER);
	kfree(sv);
	vm->arch = NULL;
}

static void v3_svm_init_control(struct v3_vcpu *vcpu, struct v3_vmcb *vmcb)
{
	struct v3_vmcb_control *c = &vmcb->control;
	struct v3_svm_vm *sv = vcpu->vm->arch;

	v3_svm_set_intercepts(c, &v3_svm_feat);
	c->iopm_base_pa = virt_to_phys(sv->iopm);
	c->msrpm_base_pa = virt_to_phys(sv->msrpm);
	/* physical interrupts exit; RFLAGS.IF masks only virtual ones */
	c->int_ctl = V3_INT_CTL_V_INTR_MASKING;
	/* paging: set_paging before the first entry (mmu/mmu.c) */
	/* the first entry takes a fresh ASID (svm_asid.c) */
}

static int v3_svm_vcpu_init(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm;

	svm = kzalloc(sizeof(*svm), V3_GFP_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	svm->vmcb = (void *)get_zeroed_page(V3_GFP_ACCOUNT);
	if (!svm->vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	if (v3_svm_feat.vmcb_clean) {
		svm->clean_shadow = kzalloc(V3_CLEAN_SHADOW_SIZE, V3_GFP_ACCOUNT);
		if (!svm->clean_shadow) {
			free_page((unsigned long)svm->vmcb);
			kfree(svm);
			return -ENOMEM;
		}
	}
	svm->vmcb_pa = virt_to_phys(svm->vmcb);
	svm->last_cpu = -1;
	svm->clean_cpu = -1;
	svm->uid = atomic64_inc_return(&v3_svm_vcpu_uids);
	vcpu->arch = svm;
	v3_svm_init_control(vcpu, svm->vmcb);
	return 0;
}

static void v3_svm_vcpu_destroy(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm = vcpu->arch;

	if (!svm)
		return;
	kfree(svm->clean_shadow);
	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->arch = NULL;
}

/* Segment attribute: type | S << 4 | DPL << 5 | P << 7 | ... | G << 11 */
#define ATTR_CODE32	0xc9b	/* exec/read, accessed, DB, G */
#define ATTR_CODE64	0xa9b	/* exec/read, accessed, L, G */
#define ATTR_DATA	0xc93	/* read/write, accessed, DB, G */
#define ATTR_CODE16	0x09b
#define ATTR_DATA16	0x093
#define ATTR_TSS_BUSY	0x08b
#define ATTR_LDT	0x082

static void v3_set_seg(struct v3_vmcb_seg *s, u16 sel, u64 base, u32 limit,
		       u16 attr)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attrib = attr;
}

static void v3_svm_sync_from_vmcb(struct v3_vcpu *vcpu, bool paging)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb_save *s = &svm->vmcb->save;
	struct v3_regs *r = &vcpu->regs;

	r->rip = s->rip;
	r->gpr[V3_RSP] = s->rsp;
	r->gpr[V3_RAX] = s->rax;
	r->rflags = s->rflags;
	r->cr2 = s->cr2;
	if (paging || !svm->shadow) {
		r->cr0 = s->cr0;
		r->cr3 = s->cr3;
		r->cr4 = s->cr4;
		r->efer = s->efer & ~EFER_SVME;
	}
	r->cpl = s->cpl;
	r->cs_base = s->cs.base;
	r->cs_attr_l = !!(s->cs.attrib & V3_SEG_ATTR_L);
	r->cs_attr_db = !!(s->cs.attrib & V3_SEG_ATTR_DB);
}

/*
 * Architectural state for a boot mode (Multiboot 0.6.96 section 3.2 for
 * 32-bit entry; long mode as the Linux x86-64 boot protocol expects) or,
 * with boot == NULL, the INIT state of an AP (APM vol. 2 14.1.3).
 */
static void v3_svm_irq_window(struct v3_vcpu *vcpu, bool enable);

static int v3_svm_vcpu_set_boot(struct v3_vcpu *vcpu,
				const struct v3_boot *boot)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb_save *s = &svm->vmcb->save;
	u16 cs_sel, ds_sel, code_attr;
	u64 cs_base = 0;
	u32 limit = 0xffffffff;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	memset(vcpu->regs.gpr, 0, sizeof(vcpu->regs.gpr));
	s->efer = EFER_SVME;
	s->rflags = X86_EFLAGS_FIXED;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ULL;	/* power-on PAT */
	s->idtr.limit = 0xffff;
	v3_set_seg(&s->tr, 0, 0, 0xffff, ATTR_TSS_BUSY);
	v3_set_seg(&s->ldtr, 0, 0, 0xffff, ATTR_LDT);

	if (!boot || boot->mode == V3_BOOT_REAL16) {
		u64 entry = boot ? boot->entry : 0xffff0;

		cs_sel = (entry >> 4) & 0xf000;
		cs_base = (u64)cs_sel << 4;
		s->rip = entry - cs_base;
		s->cr0 = X86_CR0_ET | (boot ? 0 : X86_CR0_CD | X86_CR0_NW);
		v3_set_seg(&s->cs, cs_sel, cs_base, 0xffff, ATTR_CODE16);
		for (i = 0; i < 4; i++) {
			struct v3_vmcb_seg *d[] = { &s->ds, &s->es, &s->ss,
						    &s->fs };

			v3_set_seg(d[i], 0, 0, 0xffff, ATTR_DATA16);
		}
		v3_set_seg(&s->gs, 0, 0, 0xffff, ATTR_DATA16);
		s->gdtr.limit = 0xffff;
	} else {
		cs_sel = boot->cs ? boot->cs : 0x08;
		ds_sel = boot->ds ? boot->ds : 0x10;
		code_attr = ATTR_CODE32;
		s->cr0 = X86_CR0_PE | X86_CR0_ET;
		if (boot->mode == V3_BOOT_LONG64) {
			code_attr = ATTR_CODE64;
			s->cr0 |= X86_CR0_PG | X86_CR0_WP | X86_CR0_NE |
				  X86_CR0_MP;
			s->cr4 = X86_CR4_PAE;
			s->cr3 = boot->cr3;
			s->efer |= EFER_LME | EFER_LMA;
		}
		s->rip = boot->entry;
		v3_set_seg(&s->cs, cs_sel, 0, limit, code_attr);
		v3_set_seg(&s->ds, ds_sel, 0, limit, ATTR_DATA);
		v3_set_seg(&s->es, ds_sel, 0, limit, ATTR_DATA);
		v3_set_seg(&s->ss, ds_sel, 0, limit, ATTR_DATA);
		v3_set_seg(&s->fs, ds_sel, 0, limit, ATTR_DATA);
		v3_set_seg(&s->gs, ds_sel, 0, limit, ATTR_DATA);
		s->gdtr.base = boot->gdt_base;
		s->gdtr.limit = boot->gdt_limit;
		memcpy(vcpu->regs.gpr, boot->gpr, sizeof(vcpu->regs.gpr));
	}
	s->rsp = vcpu->regs.gpr[V3_RSP];
	s->rax = vcpu->regs.gpr[V3_RAX];
	if (!boot)
		vcpu->regs.gpr[V3_RDX] = cpuid_eax(1);	/* processor signature */
	svm->reinject = 0;
	svm->vmcb->control.event_inj = 0;
	/* INIT and RESET end an interrupt shadow; no window is pending */
	svm->vmcb->control.int_state = 0;
	v3_svm_irq_window(vcpu, false);
	/* they also invalidate the TLBs, global entries included */
	svm->flush_pending = true;
	/* the guest's view; shadow mode loads hardware values (mmu/) */
	v3_svm_sync_from_vmcb(vcpu, true);
	return 0;
}

static void v3_svm_inject_exception(struct v3_vcpu *vcpu, u8 vector,
				    bool has_error, u32 error)
{
	struct v3_svm_vcpu *svm = vcpu->arch;

	svm->vmcb->control.event_inj = vector | V3_EVT_TYPE_EXCEPTION |
		V3_EVT_VALID | (has_error ? V3_EVT_ERR_VALID : 0) |
		((u64)error << 32);
}

/*
 * The host's VMSAVE state (FS, GS, TR, LDTR, KernelGsBase, SYSCALL and
 * SYSENTER MSRs) stays the same while this thread keeps the CPU, so it
 * is saved once per run of entries rather than at every VMRUN.
 */
static void v3_svm_vcpu_load(struct v3_vcpu *vcpu)
{
	asm volatile("vmsave %%rax" :: "a"(v3_svm_this_cpu()->host_vmcb_pa)
		     : "memory");
}

static int v3_svm_vcpu_run(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb *vmcb = svm->vmcb;
	struct v3_regs *r = &vcpu->regs;
	struct v3_svm_cpu *sd;
	bool flush;
	int cpu;

	/* called with the guest FPU loaded, so preemption is disabled */
	cpu = smp_processor_id();
	sd = v3_svm_this_cpu();
	local_irq_disable();
	asm volatile("clgi" ::: "memory");

	WRITE_ONCE(vcpu->mode, V3_MODE_IN_GUEST);
	WRITE_ONCE(vcpu->cpu, cpu);
	smp_mb();	/* mode before requests; pairs with v3_vcpu_kick() */
	if (READ_ONCE(vcpu->requests) & V3_REQ_EXIT_MASK) {
		WRITE_ONCE(vcpu->mode, V3_MODE_OUTSIDE);
		asm volatile("stgi" ::: "memory");
		local_irq_enable();
		return -EINTR;
	}
	flush = test_and_clear_bit(V3_REQ_TLB, &vcpu->requests) ||
		svm->flush_pending;
	svm->flush_pending = false;
	vmcb->control.tlb_ctl = v3_svm_pick_asid(sd, svm, cpu, flush,
						 &v3_svm_feat);

	/* an emulated instruction completed: its interrupt shadow is over */
	if (vmcb->save.rip != r->rip)
		vmcb->control.int_state &= ~V3_INT_STATE_SHADOW;
	vmcb->save.rip = r->rip;
	vmcb->save.rsp = r->gpr[V3_RSP];
	vmcb->save.rax = r->gpr[V3_RAX];
	vmcb->save.rflags = r->rflags;
	if (!(vmcb->control.event_inj & V3_EVT_VALID) &&
	    (svm->reinject & V3_EVT_VALID))
		vmcb->control.event_inj = svm->reinject;
	svm->reinject = 0;
	if (v3_svm_feat.emulator_quirks)
		v3_svm_entry_snapshot(svm);
	/* last: every write to the VMCB above is seen */
	vmcb->control.clean = v3_svm_clean_bits(svm, cpu, &v3_svm_feat);

	/*
	 * With GIF clear, host interrupts stay pending until the guest runs;
	 * host RFLAGS.IF must be set so they then cause #VMEXIT(INTR)
	 * (APM 15.17 and 15.21.1).  Untraced, in guest context (compat.h).
	 */
	v3_spec_enter(vcpu);
	v3_guest_enter_irqoff();
	raw_local_irq_enable();
	__v3_svm_vmrun(svm->vmcb_pa, r->gpr, sd->host_vmcb_pa, &vcpu->spec);
	vcpu->exit.tsc = rdtsc();
	raw_local_irq_disable();
	v3_guest_exit_irqoff();
	v3_spec_exit(vcpu);
	WRITE_ONCE(vcpu->mode, V3_MODE_OUTSIDE);
	/* #VMEXIT leaves DR7 at its reset value (APM 15.5.2) */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	asm volatile("stgi" ::: "memory");
	/*
	 * A machine check while the guest ran (intercepted #MC, APM 15.12)
	 * belongs to the host: its handler runs now, on this CPU, before
	 * host interrupts are taken (mce.c).
	 */
	if (unlikely(vmcb->control.exit_code ==
		     V3_SVM_EXIT_EXCP_BASE + X86_TRAP_MC))
		v3_host_machine_check();
	local_irq_enable();

	vmcb->control.tlb_ctl = V3_TLB_CTL_NONE;
	v3_svm_clean_after_exit(svm);
	if (unlikely(v3_svm_feat.emulator_quirks &&
		     v3_svm_entry_lost(vcpu))) {
		v3_svm_sync_from_vmcb(vcpu, false);
		vcpu->exit.reason = V3_EXIT_ENTRY_LOST;
		vcpu->exit.insn_len = 0;
		return 0;
	}
	if (vmcb->control.exit_int_info & V3_EVT_VALID)
		svm->reinject = vmcb->control.exit_int_info;
	vmcb->control.event_inj = 0;
	v3_svm_sync_from_vmcb(vcpu, false);
	v3_svm_decode_exit(vcpu);
	return 0;
}

static bool v3_svm_irq_allowed(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb_control *c = &svm->vmcb->control;

	if ((c->event_inj | svm->reinject) & V3_EVT_VALID)
		return false;
	if (vcpu->regs.rip != svm->vmcb->save.rip)
		c->int_state &= ~V3_INT_STATE_SHADOW;
	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(c->int_state & V3_INT_STATE_SHADOW);
}

static void v3_svm_inject_irq(struct v3_vcpu *vcpu, u8 vector)
{
	struct v3_svm_vcpu *svm = vcpu->arch;

	svm->vmcb->control.event_inj = vector | V3_EVT_TYPE_INTR |
				       V3_EVT_VALID;
}

/*
 * Interrupt window: a virtual interrupt (V_IRQ) that ignores the TPR is
 * made pending and its delivery intercepted (VINTR): the #VMEXIT comes
 * exactly when the guest could take an interrupt (APM 15.21.4).
 */
static void v3_svm_irq_window(struct v3_vcpu *vcpu, bool enable)
{
	struct v3_vmcb_control *c =
		&((struct v3_svm_vcpu *)vcpu->arch)->vmcb->control;

	if (enable) {
		c->int_ctl |= V3_INT_CTL_V_IRQ | V3_INT_CTL_V_IGN_TPR |
			      V3_INT_CTL_V_INTR_PRIO_MASK;
		c->intercept_misc1 |= V3_INT_VINTR;
	} else {
		c->int_ctl &= ~(V3_INT_CTL_V_IRQ | V3_INT_CTL_V_IGN_TPR |
				V3_INT_CTL_V_INTR_PRIO_MASK);
		c->intercept_misc1 &= ~V3_INT_VINTR;
	}
}

static void v3_svm_set_efer(struct v3_vcpu *vcpu, u64 efer)
{
	struct v3_svm_vcpu *svm = vcpu->arch;

	if (svm->shadow)
		return;		/* the hardware EFER comes with set_paging */
	svm->vmcb->save.efer = efer | EFER_SVME;
}

static int v3_svm_get_msr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	struct v3_vmcb *vmcb = ((struct v3_svm_vcpu *)vcpu->arch)->vmcb;

	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcb->control.tsc_offset;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcb->save.g_pat;
		return 0;
	case MSR_LSTAR:
		/* VMSAVE after every #VMEXIT stores it (APM vol. 2 15.5.2) */
		*val = vmcb->save.lstar;
		return 0;
	}
	return -ENOENT;
}

static u64 v3_svm_tsc_offset(struct v3_vcpu *vcpu)
{
	return ((struct v3_svm_vcpu *)vcpu->arch)->vmcb->control.tsc_offset;
}

static void v3_svm_set_tsc_offset(struct v3_vcpu *vcpu, u64 offset)
{
	((struct v3_svm_vcpu *)vcpu->arch)->vmcb->control.tsc_offset = offset;
}

static int v3_svm_set_msr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	struct v3_vmcb *vmcb = ((struct v3_svm_vcpu *)vcpu->arch)->vmcb;

	switch (msr) {
	case MSR_IA32_TSC:
		vmcb->control.tsc_offset = val - rdtsc();
		return 0;
	case MSR_IA32_CR_PAT:
		vmcb->save.g_pat = val;
		return 0;
	}
	return -ENOENT;
}

/*
 * #PF for the guest (shadow paging): CR2 is written before delivery, as a
 * CPU does (APM vol. 2 8.4.2); the error code goes with the event
 * (APM 15.20).  An event the exit interrupted turns it into #DF or a
 * triple fault, or is held (v3_svm_pf_event, mmu/pf_event.c).
 */
static void v3_svm_inject_pf(struct v3_vcpu *vcpu, u32 error, u64 cr2)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	u64 ev = v3_svm_pf_event(vcpu, svm->reinject, error);

	svm->reinject = 0;
	if (!ev)
		return;
	if ((ev & 0xff) == X86_TRAP_PF) {
		svm->vmcb->save.cr2 = cr2;
		vcpu->regs.cr2 = cr2;
	}
	svm->vmcb->control.event_inj = ev;
}

/* CR0, CR3 and CR4 reads and writes (CLTS and LMSW are CR0 writes) */
#define V3_SHADOW_CR_INTERCEPTS						\
	(V3_INT_CR_READ(0) | V3_INT_CR_READ(3) | V3_INT_CR_READ(4) |	\
	 V3_INT_CR_WRITE(0) | V3_INT_CR_WRITE(3) | V3_INT_CR_WRITE(4))

/*
 * Paging mode for the next VMRUNs.  Nested: NP_ENABLE with the VM's NPT
 * root in N_CR3 (APM 15.25.3); the guest's CR0/CR3/CR4/EFER run as they
 * are and nothing of paging is intercepted.  Shadow: nested paging off,
 * the CPU runs the hardware CR0/CR4/EFER and the shadow root in CR3;
 * CR0/CR3/CR4 accesses, INVLPG and #PF are intercepted (APM 15.9, 15.12)
 * so the guest sees only its own values (vcpu->regs).  A guest that is
 * not paging runs on an identity shadow with PG set: with PE clear that
 * is SVM's paged real mode (APM 15.19).  The VMCB clean bits follow by
 * themselves (svm_clean.c compares the fields).
 */
static int v3_svm_set_paging(struct v3_vcpu *vcpu,
			     const struct v3_paging_hw *hw)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb_control *c = &svm->vmcb->control;
	struct v3_vmcb_save *s = &svm->vmcb->save;
	struct v3_regs *r = &vcpu->regs;

	if (hw->mode == V3_MMU_NESTED) {
		c->nested_ctl = V3_NESTED_CTL_NP_ENABLE;
		c->nested_cr3 = hw->root;
		c->intercept_cr &= ~V3_SHADOW_CR_INTERCEPTS;
		c->intercept_exceptions &= ~BIT(X86_TRAP_PF);
		c->intercept_misc1 &= ~V3_INT_INVLPG;
		s->cr0 = r->cr0;
		s->cr3 = r->cr3;
		s->cr4 = r->cr4;
		s->efer = r->efer | EFER_SVME;
		svm->shadow = false;
		return 0;
	}
	if (hw->mode != V3_MMU_SHADOW)
		return -EINVAL;
	c->nested_ctl = 0;
	c->nested_cr3 = 0;
	c->intercept_cr |= V3_SHADOW_CR_INTERCEPTS;
	c->intercept_exceptions |= BIT(X86_TRAP_PF);
	c->intercept_misc1 |= V3_INT_INVLPG;
	s->cr0 = hw->cr0;
	s->cr3 = hw->root;
	s->cr4 = hw->cr4;
	s->efer = hw->efer | EFER_SVME;
	svm->shadow = true;
	return 0;
}

static u64 v3_svm_seg_base(struct v3_vcpu *vcpu, unsigned int seg)
{
	struct v3_vmcb_save *s = &((struct v3_svm_vcpu *)vcpu->arch)->vmcb->save;
	const struct v3_vmcb_seg *segs[] = {
		[V3_SEG_ES] = &s->es, [V3_SEG_CS] = &s->cs, [V3_SEG_SS] = &s->ss,
		[V3_SEG_DS] = &s->ds, [V3_SEG_FS] = &s->fs, [V3_SEG_GS] = &s->gs,
		[V3_SEG_TR] = &s->tr, [V3_SEG_LDTR] = &s->ldtr,
	};

	return seg < V3_NR_SEGS ? segs[seg]->base : 0;
}

static void v3_svm_dump(struct v3_vcpu *vcpu)
{
	struct v3_vmcb *v = ((struct v3_svm_vcpu *)vcpu->arch)->vmcb;
	struct v3_vmcb_save *s = &v->save;
	u64 *g = vcpu->regs.gpr;

	v3_err("%s/%u: exit 0x%llx info 0x%llx 0x%llx intinfo 0x%llx\n",
	       vcpu->vm->name, vcpu->id, v->control.exit_code,
	       v->control.exit_info_1, v->control.exit_info_2,
	       v->control.exit_int_info);
	v3_err("  next_rip %llx insn_len %u asid %u clean 0x%x nrips %d decode %d quirks %d\n",
	       v->control.next_rip, vcpu->exit.insn_len, v->control.asid,
	       v->control.clean, v3_svm_feat.nrips, v3_svm_feat.decode_assists,
	       v3_svm_feat.emulator_quirks);
	v3_err("  rip %016llx rsp %016llx rflags %08llx cpl %u\n",
	       s->rip, s->rsp, s->rflags, s->cpl);
	v3_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       s->rax, g[V3_RBX], g[V3_RCX], g[V3_RDX]);
	v3_err("  rsi %016llx rdi %016llx rbp %016llx\n",
	       g[V3_RSI], g[V3_RDI], g[V3_RBP]);
	v3_err("  cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx\n",
	       s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
	v3_err("  cs %04x/%llx/%x/%03x ss %04x/%03x gdt %llx/%x idt %llx/%x\n",
	       s->cs.selector, s->cs.base, s->cs.limit, s->cs.attrib,
	       s->ss.selector, s->ss.attrib, s->gdtr.base, s->gdtr.limit,
	       s->idtr.base, s->idtr.limit);
	if (v->control.exit_code != V3_SVM_EXIT_SHUTDOWN)
		return;
	/* what the guest's page tables and the NPT hold now */
	if (v->control.nested_ctl & V3_NESTED_CTL_NP_ENABLE)
		v3_tdp_dump(vcpu->vm, &vcpu->vm->mmu.tdp, s->cr3 & PAGE_MASK);
	v3_dump_walk(vcpu, s->cs.base + s->rip);
	v3_dump_walk(vcpu, s->idtr.base + 0x80);
}

/* AMD's Guest-Only counters count with EFER.SVME set, which v3vmm keeps
 * set on every CPU it runs guests on (APM vol. 2 13.2.1) */
static bool v3_svm_perf_guest_only(void)
{
	return true;
}

const struct v3_arch_ops v3_svm_ops = {
	.name = "svm",
	.arch = V3_ARCH_SVM,
	.probe = v3_svm_probe,
	.hw_setup = v3_svm_hw_setup,
	.hw_teardown = v3_svm_hw_teardown,
	.cpu_enable = v3_svm_cpu_enable,
	.cpu_disable = v3_svm_cpu_disable,
	.caps = v3_svm_caps,
	.vm_init = v3_svm_vm_init,
	.vm_destroy = v3_svm_vm_destroy,
	.vcpu_init = v3_svm_vcpu_init,
	.vcpu_destroy = v3_svm_vcpu_destroy,
	.vcpu_set_boot = v3_svm_vcpu_set_boot,
	.vcpu_load = v3_svm_vcpu_load,
	.vcpu_run = v3_svm_vcpu_run,
	.inject_exception = v3_svm_inject_exception,
	.set_efer = v3_svm_set_efer,
	.get_msr = v3_svm_get_msr,
	.set_msr = v3_svm_set_msr,
	.tsc_offset = v3_svm_tsc_offset,
	.set_tsc_offset = v3_svm_set_tsc_offset,
	.dump = v3_svm_dump,
	.perf_guest_only = v3_svm_perf_guest_only,
	.irq_allowed = v3_svm_irq_allowed,
	.inject_irq = v3_svm_inject_irq,
	.irq_window = v3_svm_irq_window,
	.tdp_format = &v3_npt_format,
	.set_paging = v3_svm_set_paging,
	.inject_pf = v3_svm_inject_pf,
	.seg_base = v3_svm_seg_base,
};
