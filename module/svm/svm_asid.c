// SPDX-License-Identifier: GPL-2.0
/*
 * ASIDs and TLB control for the next VMRUN (APM vol. 2 15.16).
 *
 * Guest translations in the TLB are tagged with the VMCB's ASID, so a
 * vCPU whose ASID no other guest used since the last flush needs no flush
 * to enter.  ASIDs are handed out per physical CPU, 1 .. nasid-1
 * (CPUID Fn8000_000A EBX; ASID 0 is the host's).  When they run out a new
 * generation starts and the whole TLB is flushed once: every vCPU that
 * held an ASID of the old generation takes a fresh one at its next entry
 * on that CPU.  A vCPU arriving from another CPU also takes a fresh ASID:
 * what it left behind here may be stale (it may have changed and flushed
 * its page tables elsewhere meanwhile).  The first generation on a CPU
 * starts with a flush too: a hypervisor that had SVM before may have left
 * entries under the same ASIDs.
 *
 * A flush the guest asked for (V3_REQ_TLB, INIT) flushes only this ASID
 * where the CPU can (TLB_CONTROL 3, FlushByAsid, APM 15.16.2); otherwise
 * the vCPU takes a fresh ASID, which is as good and costs no flush.
 *
 * Emulator quirk: QEMU's TCG emulation of SVM does not tag its TLB with
 * ASIDs.  A fresh ASID then does not hide other guests' translations, and
 * a vCPU would see translations another vCPU (of another VM, maybe one
 * destroyed whose pages the host reused) left behind.  With the quirk
 * the whole TLB is flushed whenever another vCPU ran on the CPU since
 * this one last did, at every fresh ASID and at every requested flush.
 */
#include "svm.h"

static void v3_svm_new_asid(struct v3_svm_cpu *sd, struct v3_svm_vcpu *svm,
			    const struct v3_svm_features *f, u8 *tlb_ctl)
{
	if (!sd->asid_live || sd->next_asid >= f->nasid ||
	    sd->next_asid == 0) {
		sd->asid_gen++;
		sd->next_asid = 1;
		sd->asid_live = true;
		*tlb_ctl = V3_TLB_CTL_FLUSH_ALL;
	}
	svm->vmcb->control.asid = sd->next_asid++;
	svm->asid_gen = sd->asid_gen;
}

/*
 * Called with preemption and interrupts off just before VMRUN on @cpu;
 * @flush: a flush of this vCPU's guest translations is due.  Sets the
 * VMCB's ASID and returns the TLB_CONTROL value for this entry.
 */
u8 v3_svm_pick_asid(struct v3_svm_cpu *sd, struct v3_svm_vcpu *svm, int cpu,
		    bool flush, const struct v3_svm_features *f)
{
	bool other_ran = sd->last_vcpu != svm->uid;
	u8 tlb_ctl = V3_TLB_CTL_NONE;
	bool fresh = svm->last_cpu != cpu || svm->asid_gen != sd->asid_gen ||
		     !sd->asid_live;

	sd->last_vcpu = svm->uid;
	svm->last_cpu = cpu;
	if (f->emulator_quirks) {
		if (fresh)
			v3_svm_new_asid(sd, svm, f, &tlb_ctl);
		if (fresh || flush || other_ran)
			tlb_ctl = V3_TLB_CTL_FLUSH_ALL;
		return tlb_ctl;
	}
	if (flush && !fresh && !f->flush_by_asid)
		fresh = true;
	if (fresh)
		v3_svm_new_asid(sd, svm, f, &tlb_ctl);
	else if (flush)
		tlb_ctl = V3_TLB_CTL_FLUSH_ASID;
	return tlb_ctl;
}
