// SPDX-License-Identifier: GPL-2.0
/*
 * Decode a VM exit (basic exit reason, exit qualification and the
 * VM-exit information fields, SDM vol. 3 27.2 and appendix C) into a
 * common struct v3_exit, and emulate the control-register accesses VMX
 * forces to exit: the CR0 and CR4 bits fixed in VMX operation (23.8) are
 * owned by the VMM through the guest/host masks and read shadows (24.6.6),
 * so a guest write that changes one of them (in practice CR0.NE, or an
 * attempt to set CR4.VMXE) exits and is emulated here.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "vmx.h"

struct v3_vmx_exit_map {
	u8 known;
	u8 reason;	/* enum v3_exit_reason */
	u8 has_len;	/* VM_EXIT_INSTRUCTION_LEN is valid (27.2.5) */
};

static const struct v3_vmx_exit_map v3_vmx_exits[V3_VMX_NR_EXITS] = {
	[V3_VMX_EXIT_EXT_INTR]		= { 1, V3_EXIT_INTR, 0 },
	[V3_VMX_EXIT_TRIPLE_FAULT]	= { 1, V3_EXIT_SHUTDOWN, 0 },
	[V3_VMX_EXIT_IO_SMI]		= { 1, V3_EXIT_INTR, 0 },
	[V3_VMX_EXIT_OTHER_SMI]		= { 1, V3_EXIT_INTR, 0 },
	[V3_VMX_EXIT_INTR_WINDOW]	= { 1, V3_EXIT_INTR_WINDOW, 0 },
	[V3_VMX_EXIT_CPUID]		= { 1, V3_EXIT_CPUID, 1 },
	[V3_VMX_EXIT_GETSEC]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_HLT]		= { 1, V3_EXIT_HLT, 1 },
	[V3_VMX_EXIT_INVD]		= { 1, V3_EXIT_INVD, 1 },
	[V3_VMX_EXIT_INVLPG]		= { 1, V3_EXIT_INVLPG, 1 },
	[V3_VMX_EXIT_RDPMC]		= { 1, V3_EXIT_RDPMC, 1 },
	[V3_VMX_EXIT_RDTSC]		= { 1, V3_EXIT_RDTSC, 1 },
	[V3_VMX_EXIT_VMCALL]		= { 1, V3_EXIT_HYPERCALL, 1 },
	[19 ... 27]			= { 1, V3_EXIT_VMX_INSN, 1 },
	[V3_VMX_EXIT_CR]		= { 1, V3_EXIT_CR_ACCESS, 1 },
	[V3_VMX_EXIT_DR]		= { 1, V3_EXIT_DR_ACCESS, 1 },
	[V3_VMX_EXIT_IO]		= { 1, V3_EXIT_IO, 1 },
	[V3_VMX_EXIT_RDMSR]		= { 1, V3_EXIT_RDMSR, 1 },
	[V3_VMX_EXIT_WRMSR]		= { 1, V3_EXIT_WRMSR, 1 },
	[V3_VMX_EXIT_BAD_GUEST]		= { 1, V3_EXIT_INVALID_STATE, 0 },
	[V3_VMX_EXIT_BAD_MSR_LOAD]	= { 1, V3_EXIT_INVALID_STATE, 0 },
	[V3_VMX_EXIT_MWAIT]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_MONITOR]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_PAUSE]		= { 1, V3_EXIT_PAUSE, 1 },
	[V3_VMX_EXIT_EPT_VIOLATION]	= { 1, V3_EXIT_MEM_FAULT, 0 },
	[V3_VMX_EXIT_INVEPT]		= { 1, V3_EXIT_VMX_INSN, 1 },
	[V3_VMX_EXIT_RDTSCP]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_PREEMPT_TIMER]	= { 1, V3_EXIT_INTR, 0 },
	[V3_VMX_EXIT_INVVPID]		= { 1, V3_EXIT_VMX_INSN, 1 },
	[V3_VMX_EXIT_WBINVD]		= { 1, V3_EXIT_WBINVD, 1 },
	[V3_VMX_EXIT_XSETBV]		= { 1, V3_EXIT_XSETBV, 1 },
	[V3_VMX_EXIT_INVPCID]		= { 1, V3_EXIT_INVLPG, 1 },
	[V3_VMX_EXIT_VMFUNC]		= { 1, V3_EXIT_VMX_INSN, 1 },
	[V3_VMX_EXIT_ENCLS]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_XSAVES]		= { 1, V3_EXIT_UD_INSN, 1 },
	[V3_VMX_EXIT_XRSTORS]		= { 1, V3_EXIT_UD_INSN, 1 },
};

/* VM-instruction error numbers (30.4) that VMLAUNCH/VMRESUME report */
static const char *v3_vmx_insn_error(u32 err)
{
	switch (err) {
	case 4: return "VMLAUNCH with non-clear VMCS";
	case 5: return "VMRESUME with non-launched VMCS";
	case 7: return "invalid control field(s)";
	case 8: return "invalid host-state field(s)";
	case 26: return "events blocked by MOV SS";
	default: return "VMfail";
	}
}

/* Exit qualifications of a failed VM entry (27.2.1, table 27-?) */
static const char *v3_vmx_entry_qual(u64 qual)
{
	switch (qual) {
	case 2: return ": loading PDPTEs";
	case 3: return ": NMI injection";
	case 4: return ": invalid VMCS link pointer";
	default: return "";
	}
}

/* Say precisely why the entry failed; common code then dumps and stops. */
static void v3_vmx_entry_failed(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_exit *e = &vcpu->exit;
	u32 basic = vmx->exit_reason & 0xffff;

	e->reason = V3_EXIT_INVALID_STATE;
	if (vmx->exit_reason == V3_VMX_VMFAIL) {
		e->raw[0] = 0;
		e->raw[1] = vmx->insn_error;
		v3_vm_stop(vcpu->vm, V3_STOP_ENTRY_FAILED, 0,
			   "vcpu %u: VM-entry failed: VM-instruction error %u (%s)",
			   vcpu->id, vmx->insn_error,
			   v3_vmx_insn_error(vmx->insn_error));
	} else if (basic == V3_VMX_EXIT_BAD_GUEST) {
		v3_vm_stop(vcpu->vm, V3_STOP_ENTRY_FAILED, 0,
			   "vcpu %u: VM-entry failed: invalid guest state (exit reason 33, qualification %llu%s)",
			   vcpu->id, vmx->exit_qual,
			   v3_vmx_entry_qual(vmx->exit_qual));
	} else if (basic == V3_VMX_EXIT_BAD_MSR_LOAD) {
		v3_vm_stop(vcpu->vm, V3_STOP_ENTRY_FAILED, 0,
			   "vcpu %u: VM-entry failed: MSR loading (exit reason 34, entry %llu)",
			   vcpu->id, vmx->exit_qual);
	} else {
		v3_vm_stop(vcpu->vm, V3_STOP_ENTRY_FAILED, 0,
			   "vcpu %u: VM-entry failed: exit reason %u, qualification %llu",
			   vcpu->id, basic, vmx->exit_qual);
	}
}

/* I/O exit qualification (27.2.1, table 27-5) */
static void v3_vmx_decode_io(struct v3_vcpu *vcpu, u64 qual)
{
	struct v3_exit *e = &vcpu->exit;
	struct v3_regs *r = &vcpu->regs;

	e->io.size = (qual & 7) + 1;
	e->io.in = !!(qual & BIT(3));
	e->io.string = !!(qual & BIT(4));
	e->io.rep = !!(qual & BIT(5));
	e->io.port = qual >> 16;
	if (!e->io.string)
		return;
	if (v3_vmx_feat.insn_info) {
		/* VM-exit instruction information, bits 9:7 (27.2.5) */
		u32 asz = (v3_vmread(V3_VMEXIT_INSN_INFO) >> 7) & 7;

		e->io.addr_size = asz == 0 ? 2 : asz == 1 ? 4 : 8;
	} else if ((r->efer & EFER_LMA) && r->cs_attr_l) {
		e->io.addr_size = 8;	/* address-size prefixes not seen */
	} else {
		e->io.addr_size = r->cs_attr_db ? 4 : 2;
	}
}

/*
 * A machine check that belongs to the host: a #MC in the guest (exception
 * bitmap bit 18, 25.2) or one during VM entry (exit reason 41, 26.8).
 * The caller hands it to the host's handler right after the exit, with
 * interrupts still disabled.
 */
bool v3_vmx_exit_is_mce(u32 exit_reason, u32 intr_info)
{
	u32 basic = exit_reason & 0xffff;

	if (basic == V3_VMX_EXIT_MCE_ENTRY)
		return true;
	return basic == V3_VMX_EXIT_EXC_NMI && (intr_info & V3_INTR_VALID) &&
	       V3_INTR_TYPE(intr_info) == V3_INTR_TYPE_HW_EXC &&
	       (intr_info & 0xff) == X86_TRAP_MC;
}

/*
 * An exception exit (exception bitmap, 25.2).  #PF: the exit qualification
 * holds the linear address the CPU would have put in CR2, which the exit
 * leaves unchanged (27.1).  If the faulting instruction was an IRET that
 * unblocked NMIs (27.2.2 bit 12) and no event delivery was interrupted,
 * NMI blocking is restored before the guest resumes (31.7.1.2).
 */
static void v3_vmx_decode_exception(struct v3_vcpu *vcpu, u32 info)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_exit *e = &vcpu->exit;

	e->reason = V3_EXIT_EXCEPTION;
	e->exc.vector = info & 0xff;
	e->exc.error = (info & V3_INTR_HAS_ERROR) ? vmx->exit_intr_error : 0;
	e->exc.addr = e->exc.vector == X86_TRAP_PF ? vmx->exit_qual : 0;
	if ((info & V3_INTR_NMI_UNBLOCK) && !(vmx->idt_info & V3_INTR_VALID) &&
	    !(vmx->intr_state & V3_BLOCK_NMI)) {
		vmx->intr_state |= V3_BLOCK_NMI;
		v3_vmwrite(V3_GUEST_INTERRUPTIBILITY, vmx->intr_state);
	}
}

/*
 * Control-register access (27.2.1, table 27-3): CR in 3:0, access type in
 * 5:4 (MOV to, MOV from, CLTS, LMSW), GPR in 11:8, LMSW source in 31:16.
 * In shadow mode a guest MOV to CR3 drops its non-global translations,
 * to CR0/CR4 all of them (what the instruction does on a CPU, 4.10.4.1),
 * at the next entry, after common code emulated it.
 */
static void v3_vmx_decode_cr(struct v3_vcpu *vcpu, u64 qual)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_exit *e = &vcpu->exit;
	unsigned int type = (qual >> 4) & 3;

	e->crdr.reg = qual & 0xf;
	e->crdr.gpr = (qual >> 8) & 0xf;
	e->crdr.write = type != 1;
	e->crdr.op = V3_CR_MOV;
	e->crdr.lmsw = 0;
	if (type == 2) {
		e->crdr.op = V3_CR_CLTS;
		e->crdr.reg = 0;
	} else if (type == 3) {
		e->crdr.op = V3_CR_LMSW;
		e->crdr.reg = 0;
		e->crdr.gpr = 0;	/* the value is in lmsw */
		e->crdr.lmsw = (qual >> 16) & 0xffff;
	}
	if (vmx->paging != V3_MMU_SHADOW || type != 0)
		return;
	/*
	 * With CR4.PCIDE the MMU runs the guest's PCIDs on the CPU: bit 63
	 * of the source asks for no flush (4.10.4.1), and the guest gets none.
	 */
	if (e->crdr.reg == 3 && !((vcpu->regs.cr4 & X86_CR4_PCIDE) &&
				  (vcpu->regs.gpr[e->crdr.gpr] & BIT_ULL(63))))
		vmx->flush_nonglobal = true;
	else if (e->crdr.reg == 0 || e->crdr.reg == 4)
		vmx->flush_vpid = true;
}

/*
 * The memory operand of INVEPT/INVPCID/INVVPID (27.2.5, VM-exit
 * instruction information: scaling 1:0, address size 9:7, segment 17:15,
 * index 21:18 (invalid: 22), base 26:23 (invalid: 27); the displacement,
 * sign-extended, is the exit qualification).
 */
static u64 v3_vmx_mem_operand(struct v3_vcpu *vcpu, u32 info, u64 disp)
{
	struct v3_regs *r = &vcpu->regs;
	unsigned int asz = (info >> 7) & 7, seg = (info >> 15) & 7;
	u64 off = disp, base = 0;

	if (!(info & BIT(27)))
		off += r->gpr[(info >> 23) & 0xf];
	if (!(info & BIT(22)))
		off += r->gpr[(info >> 18) & 0xf] << (info & 3);
	if (asz == 0)
		off &= 0xffff;
	else if (asz == 1)
		off &= 0xffffffff;
	/* in 64-bit mode only FS and GS have a base (3.4.4) */
	if (!v3_long_mode(vcpu) || seg == V3_SEG_FS || seg == V3_SEG_GS)
		base = seg < V3_SEG_TR ? v3_vmread(V3_GUEST_BASE(seg)) : 0;
	off += base;
	return v3_long_mode(vcpu) ? off : (u32)off;
}

/*
 * INVPCID exits in shadow mode: INVLPG exiting with enable INVPCID makes
 * it exit (25.1.3, exit reason 58).  The shadow tables follow the guest's
 * through write protection, so what remains is the TLB of this vCPU's
 * VPID, where all guest PCIDs share one tag: type 0 (one address) becomes
 * an INVLPG exit for common code; types 1 and 3 (non-global translations)
 * and 2 (all) are done here, as are the #GP cases of the instruction
 * (SDM vol. 2, INVPCID: type above 3, reserved descriptor bits, a PCID
 * other than 0 without CR4.PCIDE, a non-canonical address); those set
 * vmx->emulated: the exit is complete and the guest re-entered.
 */
static void v3_vmx_decode_invpcid(struct v3_vcpu *vcpu, u64 qual)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_exit *e = &vcpu->exit;
	u32 info = v3_vmread(V3_VMEXIT_INSN_INFO);
	u64 type = vcpu->regs.gpr[(info >> 28) & 0xf];
	u64 desc[2], gva;
	bool pcide = vcpu->regs.cr4 & X86_CR4_PCIDE;
	int shift = (vcpu->regs.cr4 & X86_CR4_LA57) ? 7 : 16;

	if (!v3_long_mode(vcpu))
		type = (u32)type;
	vmx->emulated = true;
	e->invlpg.valid = 0;
	gva = v3_vmx_mem_operand(vcpu, info, qual);
	if (v3_read_gva(vcpu, gva, desc, sizeof(desc))) {
		/* the descriptor is unreadable: over-flush rather than fault */
		vmx->flush_vpid = true;
		v3_skip_insn(vcpu);
		return;
	}
	if (type > 3 || (desc[0] >> 12) ||
	    (type <= 1 && !pcide && (desc[0] & 0xfff)) ||
	    (type == 0 && (u64)((s64)(desc[1] << shift) >> shift) != desc[1])) {
		v3_inject_gp(vcpu);
		return;
	}
	if (type == 0) {
		/* common code completes it as INVLPG of that address */
		vmx->emulated = false;
		e->invlpg.gva = desc[1];
		e->invlpg.valid = 1;
		v3_vmx_queue_flush_gva(vmx, desc[1]);
		return;
	}
	if (type == 2)
		vmx->flush_vpid = true;
	else
		vmx->flush_nonglobal = true;
	v3_skip_insn(vcpu);
}

void v3_vmx_decode_exit(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_exit *e = &vcpu->exit;
	u32 basic = vmx->exit_reason & 0xffff;
	u64 qual = vmx->exit_qual;

	e->raw[0] = vmx->exit_reason;
	e->raw[1] = qual;
	e->raw[2] = vmx->exit_intr_info;
	e->raw[3] = vmx->idt_info;
	e->insn_len = 0;
	vmx->emulated = false;

	/*
	 * Machine check during VM entry (26.8, exit reason 41 with the
	 * entry-failure bit): the host's handler has run; the guest state
	 * is intact, so the entry is made again, with the event it was to
	 * deliver (the exit interrupted no delivery of its own).
	 */
	if (basic == V3_VMX_EXIT_MCE_ENTRY) {
		e->reason = V3_EXIT_EXCEPTION;
		e->exc.vector = X86_TRAP_MC;
		e->exc.error = 0;
		vmx->reinject = vmx->entry_event;
		return;
	}
	if (vmx->exit_reason & V3_VMX_EXIT_ENTRY_FAIL) {	/* VMfail too */
		v3_vmx_entry_failed(vcpu);
		return;
	}
	if (basic < V3_VMX_NR_EXITS && v3_vmx_exits[basic].known) {
		e->reason = v3_vmx_exits[basic].reason;
		if (v3_vmx_exits[basic].has_len)
			e->insn_len = v3_vmread(V3_VMEXIT_INSN_LEN);
	} else if (basic == V3_VMX_EXIT_EXC_NMI) {
		u32 info = vmx->exit_intr_info;

		if (V3_INTR_TYPE(info) == V3_INTR_TYPE_NMI) {
			e->reason = V3_EXIT_NMI;	/* host NMI, handled */
		} else {
			v3_vmx_decode_exception(vcpu, info);
		}
		return;
	} else {
		if (basic == V3_VMX_EXIT_EPT_MISCONFIG)
			v3_vm_stop(vcpu->vm, V3_STOP_INTERNAL, 0,
				   "vcpu %u: EPT misconfiguration at gpa 0x%lx",
				   vcpu->id, v3_vmread(V3_GUEST_PHYS_ADDR));
		e->reason = V3_EXIT_OTHER;
		return;
	}

	switch (basic) {
	case V3_VMX_EXIT_IO:
		v3_vmx_decode_io(vcpu, qual);
		break;
	case V3_VMX_EXIT_DR:
		/* table 27-4: DR in 2:0, bit 4 set for MOV from DR, GPR 11:8 */
		e->crdr.reg = qual & 7;
		e->crdr.write = !(qual & BIT(4));
		e->crdr.gpr = (qual >> 8) & 0xf;
		break;
	case V3_VMX_EXIT_CR:
		v3_vmx_decode_cr(vcpu, qual);
		break;
	case V3_VMX_EXIT_INVLPG:
		/* 27.2.1: the linear-address operand (bits 63:32 clear
		 * outside 64-bit mode) */
		e->invlpg.gva = qual;
		e->invlpg.valid = 1;
		if (vmx->paging == V3_MMU_SHADOW)
			v3_vmx_queue_flush_gva(vmx, qual);
		break;
	case V3_VMX_EXIT_INVPCID:
		v3_vmx_decode_invpcid(vcpu, qual);
		break;
	case V3_VMX_EXIT_EPT_VIOLATION:
		/* table 27-7: access in bits 2:0, what the EPT allowed in 5:3 */
		e->mem.gpa = v3_vmread(V3_GUEST_PHYS_ADDR);
		e->mem.write = !!(qual & BIT(1));
		e->mem.fetch = !!(qual & BIT(2));
		e->mem.present = !!(qual & (BIT(3) | BIT(4) | BIT(5)));
		e->mem.gva_valid = !!(qual & BIT(7));
		/* SDM vol. 3 table 28-7: bit 8 clear = a paging-structure access */
		e->mem.walk = (qual & BIT(7)) && !(qual & BIT(8));
		e->mem.gva = e->mem.gva_valid ?
			     v3_vmread(V3_GUEST_LINEAR_ADDR) : 0;
		e->raw[2] = e->mem.gpa;
		break;
	}
}

/* ------------------------------------------------- CR0/CR4 as the guest sees them */

u64 v3_vmx_read_cr0(void)
{
	u64 mask = v3_vmread(V3_CR0_MASK);

	return (v3_vmread(V3_GUEST_CR0) & ~mask) |
	       (v3_vmread(V3_CR0_SHADOW) & mask);
}

u64 v3_vmx_read_cr4(void)
{
	u64 mask = v3_vmread(V3_CR4_MASK);

	return (v3_vmread(V3_GUEST_CR4) & ~mask) |
	       (v3_vmread(V3_CR4_SHADOW) & mask);
}

/* The guest's view goes to the shadow, the CPU gets the fixed bits too;
 * unrestricted guest exempts PE and PG (26.3.1.1). */
void v3_vmx_write_cr0(struct v3_vcpu *vcpu, u64 cr0)
{
	u64 fixed = v3_vmx_feat.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	v3_vmwrite(V3_CR0_SHADOW, cr0);
	v3_vmwrite(V3_GUEST_CR0, cr0 | fixed);
}

void v3_vmx_write_cr4(u64 cr4)
{
	v3_vmwrite(V3_CR4_SHADOW, cr4);
	v3_vmwrite(V3_GUEST_CR4, cr4 | v3_vmx_feat.cr4_fixed0);
}

/* PAE paging outside long mode takes its PDPTEs from the VMCS (26.3.2.4) */
void v3_vmx_load_pdptes(struct v3_vcpu *vcpu, u64 cr3)
{
	u64 pdpte[4] = { 0 };
	unsigned int i;

	v3_read_gpa(vcpu->vm, cr3 & 0xffffffe0ULL, pdpte, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		v3_vmwrite(V3_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static bool v3_vmx_pae_legacy(struct v3_vcpu *vcpu)
{
	struct v3_regs *r = &vcpu->regs;

	return (r->cr0 & X86_CR0_PG) && (r->cr4 & X86_CR4_PAE) &&
	       !(r->efer & EFER_LMA);
}

/* MOV to CR0 (SDM vol. 2 MOV-Move to/from Control Registers); false: #GP */
static bool v3_vmx_set_cr0(struct v3_vcpu *vcpu, u64 val)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	u64 old = r->cr0, efer = r->efer, ctls;

	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		return false;
	/* turning paging on or off switches IA-32e mode (SDM vol. 3 9.8.5) */
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(r->cr4 & X86_CR4_PAE))
			return false;
		efer |= EFER_LMA;
	} else if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) &&
		   (efer & EFER_LMA)) {
		if (r->cs_attr_l)
			return false;
		efer &= ~EFER_LMA;
	}
	v3_vmx_write_cr0(vcpu, val);
	ctls = vmx->entry_ctls & ~V3_ENTRYCTL_IA32E;
	if (efer & EFER_LMA)
		ctls |= V3_ENTRYCTL_IA32E;
	if (ctls != vmx->entry_ctls) {
		vmx->entry_ctls = ctls;
		v3_vmwrite(V3_VMENTRY_CTLS, ctls);
	}
	v3_vmwrite(V3_GUEST_EFER, efer);
	r->cr0 = val;
	r->efer = efer;
	if (v3_vmx_pae_legacy(vcpu))
		v3_vmx_load_pdptes(vcpu, r->cr3);
	if ((val ^ old) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_CD))
		vmx->flush = true;	/* what the real MOV would flush */
	/* shadow paging waits for this (vmx_paging.c): the MMU retries it */
	if (vmx->shadow_wanted && ((val ^ old) & (X86_CR0_PE | X86_CR0_PG)))
		vcpu->mmu.reload = true;
	return true;
}

/*
 * Emulate the exiting CR access (27.2.1, table 27-3).  Returns false when
 * it is not one this backend expects; the exit then reaches common code
 * as V3_EXIT_CR_ACCESS and stops the VM with a dump.
 */
bool v3_vmx_handle_cr(struct v3_vcpu *vcpu)
{
	struct v3_vmx_vcpu *vmx = vcpu->arch;
	struct v3_regs *r = &vcpu->regs;
	u64 qual = vmx->exit_qual, val;
	unsigned int cr = qual & 0xf, type = (qual >> 4) & 3;
	u64 *reg = &r->gpr[(qual >> 8) & 0xf];
	bool long64 = (r->efer & EFER_LMA) && r->cs_attr_l;
	bool ok = true;

	get_cpu();
	v3_vmx_load(vmx);
	switch (type) {
	case 0:		/* MOV to CR */
		val = long64 ? *reg : (u32)*reg;
		if (cr == 0) {
			ok = v3_vmx_set_cr0(vcpu, val);
		} else if (cr == 4) {
			/* only a fixed bit (CR4.VMXE) can make this exit */
			ok = !(val & v3_vmread(V3_CR4_MASK));
			if (ok) {
				v3_vmx_write_cr4(val);
				r->cr4 = val;
				vmx->flush = true;
			}
		} else if (cr == 3) {
			v3_vmwrite(V3_GUEST_CR3, val);
			r->cr3 = val;
			if (v3_vmx_pae_legacy(vcpu))
				v3_vmx_load_pdptes(vcpu, val);
			vmx->flush = true;
		} else if (cr == 8) {
			vmx->cr8 = val & 0xf;
		} else {
			goto unexpected;
		}
		break;
	case 1:		/* MOV from CR */
		if (cr == 3)
			val = v3_vmread(V3_GUEST_CR3);
		else if (cr == 8)
			val = vmx->cr8;
		else
			goto unexpected;
		*reg = long64 ? val : (u32)val;
		break;
	case 2:		/* CLTS */
		ok = v3_vmx_set_cr0(vcpu, r->cr0 & ~X86_CR0_TS);
		break;
	default:	/* LMSW: MP, EM, TS; PE can be set, not cleared */
		val = (qual >> 16) & 0xf;
		ok = v3_vmx_set_cr0(vcpu, (r->cr0 & ~0xeULL) | val |
					  (r->cr0 & X86_CR0_PE));
	}
	put_cpu();
	if (ok)
		v3_skip_insn(vcpu);
	else
		v3_inject_gp(vcpu);
	return true;
unexpected:
	put_cpu();
	return false;
}
