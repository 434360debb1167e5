// SPDX-License-Identifier: GPL-2.0
/*
 * A #PF for the guest (shadow paging) raised while the exit interrupted
 * the delivery of another event.  In shadow mode #PF is intercepted, so
 * an event whose delivery touched an unmapped or protected page (the IDT,
 * the GDT, the handler's stack) exits as a #PF with the event in flight
 * (SVM EXITINTINFO, APM vol. 2 15.7.2; VMX IDT-vectoring information, SDM
 * vol. 3 27.2.4).  When the shadow code fixes the fault the backend
 * re-injects that event; when the fault is the guest's own, the two
 * events combine as the CPU would have combined them (SDM vol. 3 6.15,
 * table 6-5; APM vol. 2 8.2.9, table 8-7):
 *
 *   first \ second      #PF
 *   benign              serially: #PF, then the first is redone
 *   contributory        serially
 *   #PF                 #DF (error code 0)
 *   #DF                 shutdown (triple fault)
 *
 * "Serially" means the #PF is delivered now.  An exception or software
 * interrupt recurs by itself: the exit left RIP at the instruction that
 * raised it, which runs again after the guest's #PF handler returns.  An
 * external interrupt does not recur: the virtual LAPIC or PIC already
 * moved it in service, so it is held (vcpu->held_irq) and injected as
 * soon as the guest can take an interrupt again (irq.c), never dropped.
 * v3vmm injects no NMIs; one in flight cannot be held and stops the VM.
 *
 * The interruption-information layout is the same on both backends for
 * the bits used here: vector 7:0, type 10:8, valid 31.
 */
#include <asm/trapnr.h>
#include "../v3.h"
#include "mmu.h"

enum v3_pf_merge v3_pf_merge(u32 first)
{
	u8 vector = first & 0xff;

	if (!(first & V3_EVENT_VALID))
		return V3_PF_ALONE;
	switch (V3_EVENT_TYPE(first)) {
	case V3_EVENT_EXT_INT:
		return V3_PF_HOLD;
	case V3_EVENT_HW_EXC:
		if (vector == X86_TRAP_DF)
			return V3_PF_SHUTDOWN;
		if (vector == X86_TRAP_PF)
			return V3_PF_DOUBLE;
		/* benign and contributory (#DE, #TS, #NP, #SS, #GP) alike */
		return vector < 32 ? V3_PF_SERIAL : V3_PF_STOP;
	case V3_EVENT_SOFT_INT:
	case V3_EVENT_PRIV_SOFT_EXC:
	case V3_EVENT_SOFT_EXC:
		return V3_PF_SERIAL;
	}
	return V3_PF_STOP;	/* NMI, reserved types */
}

/*
 * The fault goes to the guest as the CPU raises it: #PF with CR2 = la and
 * the walk's error code (SDM vol. 3 4.7, APM vol. 2 8.4.2), or #GP(0) for
 * a non-canonical la (SDM vol. 3 6.15 "#GP", APM vol. 2 5.3.1).  None of
 * the callers makes a stack access, which would take #SS instead.
 */
int v3_pf_walk(struct v3_vcpu *vcpu, u64 la, u32 access, struct v3_walk *w)
{
	int ret = v3_gva_walk(vcpu, la, access, V3_WALK_SET_AD, w);

	if (ret == -EFAULT) {
		vcpu->mmu.guest_faults++;
		v3_arch->inject_pf(vcpu, w->error, la);
		return 1;
	}
	if (ret == -EINVAL) {
		v3_inject_gp(vcpu);
		return 1;
	}
	return ret ? -EIO : 0;
}

int v3_pf_resolve(struct v3_vcpu *vcpu, u32 first)
{
	switch (v3_pf_merge(first)) {
	case V3_PF_ALONE:
	case V3_PF_SERIAL:
		return X86_TRAP_PF;
	case V3_PF_HOLD:
		vcpu->held_irq = V3_EVENT_VALID | (first & 0xff);
		vcpu->irq_idle = false;
		set_bit(V3_REQ_EVENT, &vcpu->requests);
		return X86_TRAP_PF;
	case V3_PF_DOUBLE:
		return X86_TRAP_DF;
	case V3_PF_SHUTDOWN:
		v3_vm_stop(vcpu->vm, V3_STOP_SHUTDOWN, 0,
			   "vcpu %u: triple fault (#PF while delivering #DF) at rip 0x%llx",
			   vcpu->id, vcpu->regs.rip);
		return -1;
	case V3_PF_STOP:
		break;
	}
	v3_vm_stop(vcpu->vm, V3_STOP_INTERNAL, 0,
		   "vcpu %u: #PF while delivering event 0x%x, which cannot be held (rip 0x%llx)",
		   vcpu->id, first, vcpu->regs.rip);
	return -1;
}
