// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines and their injection.  A device raises ISA IRQ n; it
 * reaches 8259A line n and IOAPIC pin n (IRQ 0 on pin 2: the interrupt
 * source override the MADT declares).  Before each guest entry the vCPU
 * takes the highest deliverable vector from its local APIC (or ExtINT
 * from the PIC) and injects it when the guest can take it; otherwise it
 * asks the backend for an exit as soon as it can (interrupt window).
 */
#include "v3.h"

void v3_irq_set(struct v3_vm *vm, unsigned int irq, bool level)
{
	if (irq < 16 && vm->pic)
		v3_pic_set_irq(vm->pic, irq, level);
	if (irq < V3_NR_GSIS && vm->ioapic)
		v3_ioapic_set_irq(vm->ioapic, irq == 0 ? 2 : irq, level);
}

void v3_irq_pulse(struct v3_vm *vm, unsigned int irq)
{
	v3_irq_set(vm, irq, true);
	v3_irq_set(vm, irq, false);
}

bool v3_vcpu_has_interrupt(struct v3_vcpu *vcpu)
{
	return vcpu->held_irq || v3_lapic_pending(vcpu) >= 0;
}

/*
 * Every way an interrupt can become pending or deliverable sets
 * V3_REQ_EVENT on the vCPU: a device raising a line (PIC, IOAPIC, LAPIC
 * timer, IPIs) and the guest's writes that unmask or lower priority (EOI,
 * TPR, SPIV, LVT0, APIC base, the PIC's IMR/OCW2).  So when the last look
 * found nothing and no event came since, there is still nothing: the
 * common exit skips the LAPIC and PIC entirely.
 */
void v3_inject_pending(struct v3_vcpu *vcpu)
{
	int vector;

	/* a backend without interrupt injection runs guests without IRQs */
	if (!v3_arch->inject_irq)
		return;
	/*
	 * An interrupt already acknowledged whose delivery a #PF for the
	 * guest took the place of (mmu/pf_event.c): it goes first, when the
	 * guest can take it, and no other vector is acknowledged before.
	 */
	if (vcpu->held_irq) {
		if (!v3_arch->irq_allowed(vcpu)) {
			v3_arch->irq_window(vcpu, true);
			return;
		}
		v3_arch->irq_window(vcpu, false);
		v3_arch->inject_irq(vcpu, vcpu->held_irq & 0xff);
		vcpu->held_irq = 0;
		return;
	}
	if (vcpu->irq_idle && !test_bit(V3_REQ_EVENT, &vcpu->requests))
		return;
	clear_bit(V3_REQ_EVENT, &vcpu->requests);
	if (v3_lapic_pending(vcpu) < 0) {
		v3_arch->irq_window(vcpu, false);
		vcpu->irq_idle = true;
		return;
	}
	vcpu->irq_idle = false;
	if (!v3_arch->irq_allowed(vcpu)) {
		v3_arch->irq_window(vcpu, true);
		return;
	}
	v3_arch->irq_window(vcpu, false);
	vector = v3_lapic_ack(vcpu);
	if (vector >= 0)
		v3_arch->inject_irq(vcpu, vector);
}
