// SPDX-License-Identifier: GPL-2.0
/*
 * Entries the CPU botched.  QEMU's TCG emulation of SVM (seen with QEMU
 * 7.2 and 10.0, about one VMRUN in 10^5 under heavy port I/O) sometimes
 * carries out only half of VMRUN's world switch (APM vol. 2 15.5.1):
 *
 *  - guest state loaded, nested paging not enabled: the guest's first
 *    fetch walks its CR3 as a host-physical address, finds garbage and
 *    the guest triple-faults (#PF, not present or reserved bit, then the
 *    same reading its own IDT) at the very RIP it was entered at;
 *  - nested paging enabled, host state kept: the host's next instruction
 *    (the one after VMRUN) is fetched through the NPT with the host's
 *    CR3, and the exit is an NPF with the host's RIP and CR3 in the
 *    guest save area.
 *
 * Neither can happen on hardware, and in neither did the guest run an
 * instruction.  So the state VMRUN loads is snapshotted before each entry;
 * an exit that matches one of these signatures exactly puts the snapshot
 * back and enters again (exit reason "entry-lost").  A few in a row at the
 * same place mean something else: the exit is then handled as usual.  Only
 * with the emulator quirks on (svm_features.c): on real SVM none of this
 * runs.
 */
#include "svm.h"
#include <asm/special_insns.h>
#include <asm/trapnr.h>
#include <asm/trap_pf.h>

#define V3_ENTRY_RETRIES	4

void v3_svm_entry_snapshot(struct v3_svm_vcpu *svm)
{
	struct v3_vmcb *vmcb = svm->vmcb;

	svm->snap.save = vmcb->save;
	svm->snap.int_ctl = vmcb->control.int_ctl;
	svm->snap.int_state = vmcb->control.int_state;
	svm->snap.event_inj = vmcb->control.event_inj;
}

/* The guest's page tables map gva to RAM (the walk a correct CPU did). */
static bool v3_mapped(struct v3_vcpu *vcpu, u64 gva)
{
	u64 gpa;

	return !v3_gva_to_gpa(vcpu, gva, &gpa) && v3_gpa_is_ram(vcpu->vm, gpa);
}

/*
 * Triple fault on the first fetch although the guest's page tables, as
 * they are in memory (vcpu->regs still holds the entry state), map both
 * that RIP and the IDT gates for #PF and #DF.
 */
static bool v3_lost_nested_paging(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb *vmcb = svm->vmcb;
	u64 info = vmcb->control.exit_int_info;
	u32 err = info >> 32;
	u64 idt = svm->snap.save.idtr.base;

	if (vmcb->control.exit_code != V3_SVM_EXIT_SHUTDOWN ||
	    (info & (V3_EVT_VALID | 0x7ff)) !=
	    (V3_EVT_VALID | V3_EVT_TYPE_EXCEPTION | X86_TRAP_PF) ||
	    ((err & X86_PF_PROT) && !(err & X86_PF_RSVD)) ||
	    vmcb->save.rip != svm->snap.save.rip ||
	    vmcb->save.rsp != svm->snap.save.rsp ||
	    !(vcpu->regs.cr0 & X86_CR0_PG) || !v3_long_mode(vcpu))
		return false;
	return v3_mapped(vcpu, vcpu->regs.cs_base + vcpu->regs.rip) &&
	       v3_mapped(vcpu, idt + X86_TRAP_PF * 16) &&
	       v3_mapped(vcpu, idt + X86_TRAP_DF * 16);
}

/*
 * NPF taken at the host's own resume point (inside __v3_svm_vmrun, just
 * after VMRUN), with the host's CR3.
 */
static bool v3_kept_host_state(struct v3_svm_vcpu *svm)
{
	struct v3_vmcb *vmcb = svm->vmcb;
	unsigned long entry = (unsigned long)__v3_svm_vmrun;

	return vmcb->control.exit_code == V3_SVM_EXIT_NPF &&
	       vmcb->save.rip - entry - 1 < 255 &&
	       vmcb->save.cr3 == __read_cr3();
}

/*
 * After #VMEXIT: true when the entry was botched and the VMCB has been
 * put back as it was before VMRUN (the caller enters again).
 */
bool v3_svm_entry_lost(struct v3_vcpu *vcpu)
{
	struct v3_svm_vcpu *svm = vcpu->arch;
	struct v3_vmcb *vmcb = svm->vmcb;
	const char *what;

	if (v3_kept_host_state(svm))
		what = "kept the host state";
	else if (v3_lost_nested_paging(vcpu))
		what = "left nested paging off";
	else {
		svm->lost_in_a_row = 0;
		return false;
	}
	if (++svm->lost_in_a_row > V3_ENTRY_RETRIES)
		return false;
	pr_warn_ratelimited("v3vmm: %s/%u: VMRUN %s at rip 0x%llx (emulated CPU); entering again\n",
			    vcpu->vm->name, vcpu->id, what, svm->snap.save.rip);
	vmcb->save = svm->snap.save;
	vmcb->control.int_ctl = svm->snap.int_ctl;
	vmcb->control.int_state = svm->snap.int_state;
	/* an event injected at the botched entry was not delivered */
	vmcb->control.event_inj = svm->snap.event_inj;
	vmcb->control.exit_int_info = 0;
	svm->flush_pending = true;
	return true;
}
