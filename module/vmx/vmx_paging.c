// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX side of the MMU's paging modes (module/mmu/mmu.h, issue #12):
 * what a vCPU's VMCS holds in nested (EPT) and in shadow paging, the
 * switch between them, and the TLB maintenance both need (SDM vol. 3
 * 24.6 VM-execution controls, 25.3 CR0/CR4 guest/host masks and read
 * shadows, 26.3 guest-state checks, 28.3 cached translations, 29.3 EPT).
 *
 *  nested  EPT and unrestricted guest on; the guest owns CR0/CR3/CR4 but
 *          the bits fixed in VMX operation (23.8); no CR3, INVLPG or #PF
 *          exits unless the CPU forces them (CR3 on CPUs without TRUE
 *          controls: vmx_exit.c emulates those).
 *  shadow  EPT off, and with it unrestricted guest (24.6.2 makes it
 *          require EPT): the CPU runs protected mode with paging on the
 *          VMM's tables, CR3 = hw->root.  The guest's CR0/CR4 paging bits
 *          are owned by the VMM (masks) and read from the read shadows;
 *          MOV to/from CR3, INVLPG and every #PF exit (PFEC mask and match
 *          0: 25.2) and are decoded for common code (vmx_exit.c).
 *
 * Real mode cannot run without unrestricted guest, so set_paging(shadow)
 * refuses (-EOPNOTSUPP) a guest with CR0.PE clear, in virtual-8086 mode,
 * or with segment state that only unrestricted guest accepts (26.3.1.2),
 * and the MMU keeps EPT (mmu.c loads nested paging instead).  Until the
 * next shadow load, CR0.PE/PG changes exit and ask the MMU to retry
 * (shadow_wanted).  Protected mode without paging runs if the MMU hands
 * an identity shadow (hw->cr0 with PG); a hw->cr0 without PE and PG is
 * refused likewise.
 *
 * No VMX instruction is executed here but through v3_vmx_invept and
 * v3_vmx_invvpid (vmx.c), so tests/unit/test_vmx_paging.c runs this file
 * against the fake VMCS.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "vmx.h"

/* CR0/CR4 bits the shadow code must see change (besides the fixed ones) */
#define V3_VMX_SHADOW_CR0	(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | \
				 X86_CR0_CD | X86_CR0_NW)
#define V3_VMX_SHADOW_CR4	(X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | \
				 X86_CR4_PCIDE | X86_CR4_SMEP | \
				 X86_CR4_SMAP | X86_CR4_LA57)
/* EFER bits that shape paging: the MMU's; SCE stays the guest's */
#define V3_VMX_PAGING_EFER	(EFER_LME | EFER_LMA | EFER_NX)
/* primary controls shadow mode turns on (24.6.2, table 24-6) */
#define V3_VMX_SHADOW_PROC	(V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE | \
				 V3_PROC_INVLPG)

/*
 * CR0/CR4 bits the guest may not own: fixed in VMX operation (23.8).
 * Unrestricted guest exempts PE and PG (26.3.1.1): in nested mode.
 */
u64 v3_vmx_cr0_fixed_mask(void)
{
	return (v3_vmx_feat.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
	       ~v3_vmx_feat.cr0_fixed1;
}

u64 v3_vmx_cr4_fixed_mask(void)
{
	return v3_vmx_feat.cr4_fixed0 | ~v3_vmx_feat.cr4_fixed1;
}

/* Keep the IA-32e mode guest entry control equal to EFER.LMA (26.2.4). */
void v3_vmx_set_guest_efer(struct v3_vmx_vcpu *vmx, u64 efer)
{
	u32 ctls = vmx->entry_ctls & ~V3_ENTRYCTL_IA32E;

	if (efer & EFER_LMA)
		ctls |= V3_ENTRYCTL_IA32E;
	v3_vmwrite(V3_GUEST_EFER, efer);
	if (ctls != vmx->entry_ctls) {
		vmx->entry_ctls = ctls;
		v3_vmwrite(V3_VMENTRY_CTLS, ctls);
	}
}

/* A fresh VMCS (vcpu_init): nested mode, as v3_vmx_init_vmcs writes it. */
void v3_vmx_paging_init(struct v3_vmx_vcpu *vmx)
{
	vmx->paging = V3_MMU_NESTED;
	vmx->proc2_ctls = v3_vmx_feat.proc2;
	/* #UD: GEARS' traps (exit.c gives the guest its own back) */
	vmx->exc_bitmap = BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC) |
			  BIT(X86_TRAP_UD);
	vmx->cr0_mask = v3_vmx_cr0_fixed_mask();
	vmx->cr4_mask = v3_vmx_cr4_fixed_mask();
	v3_vmwrite(V3_PROC_CTLS2, vmx->proc2_ctls);
	v3_vmwrite(V3_EXCEPTION_BITMAP, vmx->exc_bitmap);
	v3_vmwrite(V3_PF_EC_MASK, 0);
	v3_vmwrite(V3_PF_EC_MATCH, 0);
	v3_vmwrite(V3_CR0_MASK, vmx->cr0_mask);
	v3_vmwrite(V3_CR4_MASK, vmx->cr4_mask);
}

/* ------------------------------------------------------------- TLB */

/*
 * The INVVPID type to use for want (V3_INV_*), from what IA32_VMX_EPT_
 * VPID_CAP offers (A.10): individual-address and single-context-retaining-
 * globals fall back to single-context, that to all-context (the probe
 * enables VPID only with one of those two).  An address never falls back
 * to retaining globals: INVLPG must drop a global translation too.
 */
int v3_vmx_vpid_type(u64 cap, int want)
{
	if (want == V3_INV_ADDR && (cap & V3_VPID_CAP_ADDR))
		return V3_INV_ADDR;
	if (want == V3_INV_SINGLE_GLOBALS &&
	    (cap & V3_VPID_CAP_SINGLE_GLOBALS))
		return V3_INV_SINGLE_GLOBALS;
	if (want != V3_INV_ALL && (cap & V3_VPID_CAP_SINGLE))
		return V3_INV_SINGLE;
	return V3_INV_ALL;
}

static void v3_vmx_vpid_flush(struct v3_vmx_vcpu *vmx, int want, u64 gva)
{
	int type = v3_vmx_vpid_type(v3_vmx_feat.ept_vpid_cap, want);

	/* VMfail (a type or address the CPU rejects): everything */
	if (!v3_vmx_invvpid(type, vmx->vpid, type == V3_INV_ADDR ? gva : 0))
		v3_vmx_invvpid(V3_INV_ALL, 0, 0);
}

/*
 * Every cached translation of one vCPU (28.3.3.3): guest-physical and
 * combined mappings of its EPTP (nested mode), linear and combined ones
 * of its VPID.  With EPT off (shadow mode) no EPT-derived mapping is
 * used, and the switch back to nested mode flushes the EPTP.  Without
 * VPID every entry and exit flushes VPID 0's linear and combined mappings
 * (28.3.3.1), so only INVEPT remains.
 */
void v3_vmx_flush(struct v3_vmx_vcpu *vmx, u64 eptp)
{
	if (vmx->paging == V3_MMU_NESTED && eptp)
		v3_vmx_invept(v3_vmx_feat.invept_type, eptp);
	if (v3_vmx_feat.vpid)
		v3_vmx_vpid_flush(vmx, V3_INV_SINGLE, 0);
}

/* canonical for the CPU's linear-address width (4.1.1: 48 or 57 bits) */
static bool v3_vmx_canonical(u64 gva, bool la57)
{
	int shift = la57 ? 7 : 16;

	return (u64)((s64)(gva << shift) >> shift) == gva;
}

/*
 * The flushes queued since the last entry, strongest first; called with
 * interrupts disabled just before the entry.  A guest CR3 write drops
 * this vCPU's non-global translations, a CR0/CR4 write all of them, an
 * INVLPG one address (an address INVLPG ignores, non-canonical, 4.10.4.1:
 * nothing); other vCPUs' VPIDs keep theirs.
 */
void v3_vmx_flush_pending(struct v3_vmx_vcpu *vmx)
{
	if (vmx->flush) {
		v3_vmx_flush(vmx, vmx->eptp);
	} else if (v3_vmx_feat.vpid) {
		if (vmx->flush_vpid)
			v3_vmx_vpid_flush(vmx, V3_INV_SINGLE, 0);
		else if (vmx->flush_nonglobal)
			v3_vmx_vpid_flush(vmx, V3_INV_SINGLE_GLOBALS, 0);
		else if (vmx->flush_gva_valid &&
			 v3_vmx_canonical(vmx->flush_gva,
					  v3_vmread(V3_GUEST_CR4) & X86_CR4_LA57))
			v3_vmx_vpid_flush(vmx, V3_INV_ADDR, vmx->flush_gva);
	}
	vmx->flush = false;
	vmx->flush_vpid = false;
	vmx->flush_nonglobal = false;
	vmx->flush_gva_valid = false;
}

/* INVLPG of gva before the next entry; a second address: the context */
void v3_vmx_queue_flush_gva(struct v3_vmx_vcpu *vmx, u64 gva)
{
	if (vmx->flush_gva_valid && vmx->flush_gva != gva)
		vmx->flush_vpid = true;
	vmx->flush_gva = gva;
	vmx->flush_gva_valid = true;
}

/* ------------------------------------------------------------ nested */

/*
 * CR0 bits nested mode owns: the fixed ones; while shadow paging waits for
 * the guest to leave real mode or turn paging on, PE and PG too, so that
 * the change exits (v3_vmx_handle_cr) and the MMU tries shadow mode again.
 */
static u64 v3_vmx_nested_cr0_mask(struct v3_vmx_vcpu *vmx)
{
	return v3_vmx_cr0_fixed_mask() |
	       (vmx->shadow_wanted ? X86_CR0_PE | X86_CR0_PG : 0);
}

/* Controls and masks of nested mode; the caller loads the registers. */
static void v3_vmx_nested_ctls(struct v3_vmx_vcpu *vmx)
{
	/* the CPU forces some exits to 1 on older parts (A.3.2) */
	vmx->proc_ctls &= ~V3_VMX_SHADOW_PROC | v3_vmx_feat.proc_forced;
	vmx->proc2_ctls = v3_vmx_feat.proc2;
	v3_vmwrite(V3_PROC_CTLS2, vmx->proc2_ctls);
	vmx->exc_bitmap &= ~BIT(X86_TRAP_PF);
	v3_vmwrite(V3_EXCEPTION_BITMAP, vmx->exc_bitmap);
	vmx->cr0_mask = v3_vmx_nested_cr0_mask(vmx);
	vmx->cr4_mask = v3_vmx_cr4_fixed_mask();
	v3_vmwrite(V3_CR0_MASK, vmx->cr0_mask);
	v3_vmwrite(V3_CR4_MASK, vmx->cr4_mask);
	vmx->paging = V3_MMU_NESTED;
	vmx->flush = true;	/* 28.3.3.3: both kinds of tags */
}

static void v3_vmx_load_nested(struct v3_vcpu *vcpu, u64 root)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	u64 eptp = v3_vmx_eptp(root);

	/* the MMU's fallback right after a refusal keeps shadow wanted */
	vmx->shadow_wanted = vmx->shadow_wanted == 2;
	if (vmx->cr0_mask != v3_vmx_nested_cr0_mask(vmx) &&
	    vmx->paging == V3_MMU_NESTED) {
		vmx->cr0_mask = v3_vmx_nested_cr0_mask(vmx);
		v3_vmwrite(V3_CR0_MASK, vmx->cr0_mask);
	}
	if (vmx->paging != V3_MMU_NESTED) {
		v3_vmx_nested_ctls(vmx);
		/* the guest's own paging registers back on the CPU */
		v3_vmx_write_cr0(vcpu, r->cr0);
		v3_vmx_write_cr4(r->cr4);
		v3_vmwrite(V3_GUEST_CR3, r->cr3);
		v3_vmx_set_guest_efer(vmx, r->efer);
		/*
		 * PAE paging with EPT takes the PDPTEs from the VMCS
		 * (26.3.2.4); they are read now from the guest's CR3, as
		 * its last MOV CR3 loaded them.
		 */
		if ((r->cr0 & X86_CR0_PG) && (r->cr4 & X86_CR4_PAE) &&
		    !(r->efer & EFER_LMA))
			v3_vmx_load_pdptes(vcpu, r->cr3);
	} else if (v3_vmread(V3_GUEST_EFER) != r->efer) {
		/*
		 * The MMU's nested fallback (shadow refused): a WRMSR EFER
		 * reached only vcpu->regs (mmu.c keeps shadow mode's EFER
		 * off the CPU).
		 */
		v3_vmx_set_guest_efer(vmx, r->efer);
	}
	if (eptp != vmx->eptp) {
		v3_vmwrite(V3_EPT_POINTER, eptp);
		vmx->eptp = eptp;
		vmx->flush = true;
	}
}

/*
 * INIT or RESET (vcpu_set_boot, VMCS loaded): the boot state is real
 * mode or a state set_boot writes as the guest's own, which only nested
 * mode runs; the EPT pointer stays.  The MMU loads its mode again with
 * set_paging before the vCPU's next entry.
 */
void v3_vmx_paging_reset(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	if (vmx->paging != V3_MMU_NESTED)
		v3_vmx_nested_ctls(vmx);
}

/* ------------------------------------------------------------ shadow */

/*
 * Guest state that VM entry accepts only with unrestricted guest
 * (26.3.1.2, the checks "if unrestricted guest is 0"): SS.RPL must equal
 * CS.RPL, SS.DPL its RPL, a usable data or non-conforming code segment in
 * DS/ES/FS/GS a DPL not below its RPL; CS must hold code.  A guest just
 * out of real mode (selectors not yet reloaded) fails them.  VMCS loaded.
 */
static bool v3_vmx_restricted_ok(struct v3_vcpu *vcpu)
{
	static const int data[] = { V3_SEG_DS, V3_SEG_ES, V3_SEG_FS,
				    V3_SEG_GS };
	u32 cs_ar = v3_vmread(V3_GUEST_AR(V3_SEG_CS));
	u32 ss_ar = v3_vmread(V3_GUEST_AR(V3_SEG_SS));
	u16 cs_rpl = v3_vmread(V3_GUEST_SEL(V3_SEG_CS)) & 3;
	u16 ss_rpl = v3_vmread(V3_GUEST_SEL(V3_SEG_SS)) & 3;
	unsigned int i;

	if (!(vcpu->regs.cr0 & X86_CR0_PE) ||
	    (vcpu->regs.rflags & X86_EFLAGS_VM))
		return false;
	if (!(cs_ar & BIT(3)) || cs_rpl != ss_rpl ||
	    V3_AR_DPL(ss_ar) != ss_rpl)
		return false;
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		u32 ar = v3_vmread(V3_GUEST_AR(data[i]));
		u16 rpl = v3_vmread(V3_GUEST_SEL(data[i])) & 3;

		if (!(ar & V3_AR_UNUSABLE) && (ar & 0xf) <= 11 &&
		    V3_AR_DPL(ar) < rpl)
			return false;
	}
	return true;
}

/*
 * What the MMU asks the CPU to run must be a state VM entry takes
 * (26.3.1.1): PE and PG (no unrestricted guest), IA-32e mode only with
 * PAE and LME, LME with paging only as IA-32e mode, and outside IA-32e
 * mode a CR3 the CPU reads as 32 bits.  0, -EOPNOTSUPP or -EINVAL.
 */
static int v3_vmx_shadow_check(struct v3_vcpu *vcpu,
			       const struct v3_paging_hw *hw)
{
	if (!v3_vmx_feat.shadow || !v3_vmx_restricted_ok(vcpu))
		return -EOPNOTSUPP;
	if ((hw->cr0 & (X86_CR0_PE | X86_CR0_PG)) !=
	    (X86_CR0_PE | X86_CR0_PG))
		return -EOPNOTSUPP;
	if (hw->efer & EFER_LMA) {
		if (!(hw->cr4 & X86_CR4_PAE) || !(hw->efer & EFER_LME))
			return -EINVAL;
	} else if ((hw->efer & EFER_LME) || (hw->root >> 32)) {
		return -EINVAL;
	}
	/* a guest in 64-bit code needs IA-32e mode on the CPU too */
	if (vcpu->regs.cs_attr_l && (vcpu->regs.efer & EFER_LMA) &&
	    !(hw->efer & EFER_LMA))
		return -EINVAL;
	return 0;
}

static void v3_vmx_load_shadow(struct v3_vcpu *vcpu,
			       const struct v3_paging_hw *hw)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	const struct v3_vmx_features *f = &v3_vmx_feat;
	u64 cr0_mask = v3_vmx_cr0_fixed_mask() | V3_VMX_SHADOW_CR0;
	u64 cr4_mask = v3_vmx_cr4_fixed_mask() | V3_VMX_SHADOW_CR4;
	u64 cr0, cr4, efer;

	/* the MMU's bits where the mask owns them, the guest's elsewhere */
	cr0 = (((hw->cr0 & cr0_mask) | (r->cr0 & ~cr0_mask)) |
	       f->cr0_fixed0) & f->cr0_fixed1;
	cr4 = (((hw->cr4 & cr4_mask) | (r->cr4 & ~cr4_mask)) |
	       f->cr4_fixed0) & f->cr4_fixed1;
	efer = (hw->efer & V3_VMX_PAGING_EFER) |
	       (r->efer & ~V3_VMX_PAGING_EFER);

	if (vmx->paging != V3_MMU_SHADOW) {
		vmx->proc2_ctls = f->proc2 & ~(V3_PROC2_EPT |
					       V3_PROC2_UNRESTRICTED);
		v3_vmwrite(V3_PROC_CTLS2, vmx->proc2_ctls);
		vmx->proc_ctls |= V3_VMX_SHADOW_PROC;
		/* every #PF exits: mask 0 and match 0 always match (25.2) */
		vmx->exc_bitmap |= BIT(X86_TRAP_PF);
		v3_vmwrite(V3_EXCEPTION_BITMAP, vmx->exc_bitmap);
		v3_vmwrite(V3_PF_EC_MASK, 0);
		v3_vmwrite(V3_PF_EC_MATCH, 0);
		vmx->cr0_mask = cr0_mask;
		vmx->cr4_mask = cr4_mask;
		v3_vmwrite(V3_CR0_MASK, cr0_mask);
		v3_vmwrite(V3_CR4_MASK, cr4_mask);
		vmx->paging = V3_MMU_SHADOW;
		vmx->flush = true;	/* 28.3.3.3: VPID-tagged mappings */
	} else if (hw->root != v3_vmread(V3_GUEST_CR3) ||
		   ((cr0 ^ v3_vmread(V3_GUEST_CR0)) & cr0_mask) ||
		   ((cr4 ^ v3_vmread(V3_GUEST_CR4)) & cr4_mask) ||
		   efer != vmx->hw_efer) {
		/* other tables, or other rules for the same ones */
		vmx->flush_vpid = true;
	}
	/* the guest reads its own values (25.3) */
	v3_vmwrite(V3_CR0_SHADOW, r->cr0);
	v3_vmwrite(V3_CR4_SHADOW, r->cr4);
	v3_vmwrite(V3_GUEST_CR0, cr0);
	v3_vmwrite(V3_GUEST_CR4, cr4);
	/*
	 * The CPU loads PAE PDPTEs from this CR3 itself at entry when EPT
	 * is off (26.3.2.4): no VMCS PDPTE fields to write.
	 */
	v3_vmwrite(V3_GUEST_CR3, hw->root);
	v3_vmx_set_guest_efer(vmx, efer);
	vmx->hw_efer = efer;
}

/*
 * struct v3_arch_ops.set_paging: the vCPU's thread, between an exit and
 * the next entry.  The VMCS is made current here (set_efer does the same).
 */
int v3_vmx_set_paging(struct v3_vcpu *vcpu, const struct v3_paging_hw *hw)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	int ret = 0;

	if (hw->mode >= V3_MMU_NR_MODES)
		return -EINVAL;
	get_cpu();
	v3_vmx_load(vmx);
	if (hw->mode == V3_MMU_NESTED) {
		v3_vmx_load_nested(vcpu, hw->root);
	} else {
		ret = v3_vmx_shadow_check(vcpu, hw);
		if (!ret) {
			vmx->shadow_wanted = 0;
			v3_vmx_load_shadow(vcpu, hw);
		} else if (ret == -EOPNOTSUPP && v3_vmx_feat.shadow) {
			vmx->shadow_wanted = 2;
		}
	}
	put_cpu();
	return ret;
}

/*
 * struct v3_arch_ops.inject_pf.  CR2 is no VMCS field: vmx->cr2 is what
 * the CPU's CR2 holds at the next entry (vmx_entry.S), so the guest sees
 * it when the #PF is delivered (26.6.1.2).  An event whose delivery the
 * exit interrupted (vmx->reinject, from the IDT-vectoring information)
 * combines with the #PF as the CPU would combine them (mmu/pf_event.c):
 * it is never re-injected after the #PF, nor silently dropped.
 */
void v3_vmx_inject_pf(struct v3_vcpu *vcpu, u32 error, u64 cr2)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	int vector = v3_pf_resolve(vcpu, vmx->reinject.info);

	vmx->reinject.info = 0;
	if (vector < 0)
		return;		/* triple fault: the VM stopped */
	if (vector == X86_TRAP_DF) {
		error = 0;
	} else {
		vmx->cr2 = cr2;
		vcpu->regs.cr2 = cr2;
	}
	vmx->inject.info = vector | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_VALID;
	/* no error code is delivered in real mode (26.2.1.3) */
	if (vcpu->regs.cr0 & X86_CR0_PE)
		vmx->inject.info |= V3_INTR_HAS_ERROR;
	vmx->inject.error = error;
	vmx->inject.len = 0;
}

/*
 * WRMSR EFER (msr.c): in nested mode the guest's value runs; in shadow
 * mode the paging bits stay the MMU's until its next set_paging, SCE is
 * the guest's at once.
 */
void v3_vmx_efer_write(struct v3_vcpu *vcpu, u64 efer)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;

	if (vmx->paging == V3_MMU_SHADOW) {
		efer = (vmx->hw_efer & V3_VMX_PAGING_EFER) |
		       (efer & ~V3_VMX_PAGING_EFER);
		vmx->hw_efer = efer;
	}
	v3_vmx_set_guest_efer(vmx, efer);
}
