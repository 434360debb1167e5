// SPDX-License-Identifier: GPL-2.0
/*
 * The PC/AT pair of Intel 8259A programmable interrupt controllers
 * (Intel 8259A data sheet, order no. 231468): master at 0x20/0x21, slave
 * at 0xa0/0xa1 cascaded on master IR2, plus the PIIX/ICH edge/level
 * control registers (ELCR) at 0x4d0/0x4d1 that choose the trigger mode of
 * each line (the chip-wide LTIM bit of ICW1 is ignored, as on the PIIX).
 *
 * Modelled: ICW1-ICW4, OCW1 (IMR), OCW2 (non-specific / specific EOI,
 * rotate on EOI, rotate in auto-EOI mode, set priority), OCW3 (read
 * IRR/ISR, poll, special mask mode), auto-EOI, special fully nested
 * mode, spurious IR7 on an INTA with nothing to deliver.
 *
 * Edge lines set their IRR bit on a rising edge of the input; level lines
 * follow the input.  The master's IR2 input follows the slave's INT output
 * as a level, so a second slave request is never lost to the cascade.
 * The master's INT output goes to LINT0 of vCPU 0 (virtual wire); a
 * rising output kicks that vCPU, whose LAPIC decides whether ExtINT is
 * accepted and then runs the INTA cycle through v3_pic_ack().
 */
#include <linux/slab.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

/* ICW1 (A0 = 0, D4 = 1) */
#define ICW1_IC4	0x01	/* ICW4 needed */
#define ICW1_SNGL	0x02	/* single, no ICW3 */
#define ICW1_INIT	0x10
/* ICW4 */
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
/* OCW3 (A0 = 0, D4 = 0, D3 = 1) */
#define OCW3_SEL	0x08
#define OCW3_RIS	0x01	/* read ISR instead of IRR */
#define OCW3_RR		0x02	/* RIS is valid */
#define OCW3_P		0x04	/* poll command */
#define OCW3_SMM	0x20	/* special mask mode value */
#define OCW3_ESMM	0x40	/* SMM is valid */

/* ELCR bits that must stay edge: IRQ 0, 1, 2 and 8, 13 (PIIX3 data sheet) */
#define ELCR_MASK_MASTER	0xf8
#define ELCR_MASK_SLAVE		0xde

struct v3_pic_chip {
	u8 irr;			/* interrupt request register */
	u8 isr;			/* in-service register */
	u8 imr;			/* interrupt mask register (OCW1) */
	u8 lines;		/* current input levels */
	u8 elcr;		/* 1: level triggered */
	u8 elcr_mask;
	u8 base;		/* vector of IR0 (ICW2) */
	u8 lowest;		/* IR with the lowest priority: rotation */
	u8 init_step;		/* 0: ready, 2..4: expecting ICWn */
	bool ic4, single;
	bool aeoi, rotate_aeoi, sfnm;
	bool read_isr, poll, smm;
	bool master;
};

struct v3_pic {
	spinlock_t lock;
	struct v3_vm *vm;
	struct v3_pic_chip chip[2];	/* 0: master, 1: slave */
	bool intr;			/* master INT output */
};

/* Priority 0 (highest) .. 7 of IR irq: IR lowest+1 has priority 0. */
static int pic_prio(const struct v3_pic_chip *c, int irq)
{
	return (irq - c->lowest - 1) & 7;
}

/* The IR with the highest priority among the bits of mask, or -1. */
static int pic_highest(const struct v3_pic_chip *c, u8 mask)
{
	int p;

	for (p = 0; p < 8; p++) {
		int irq = (c->lowest + 1 + p) & 7;

		if (mask & BIT(irq))
			return irq;
	}
	return -1;
}

/*
 * The request this chip would signal on INT: the highest unmasked IRR
 * bit with a higher priority than every IR in service.  In special mask
 * mode masked ISR bits do not block; in special fully nested mode the
 * master lets the cascade IR interrupt itself again.
 */
static int pic_get_irq(const struct v3_pic_chip *c)
{
	int irq = pic_highest(c, c->irr & ~c->imr);
	u8 inserv = c->isr;
	int cur;

	if (irq < 0)
		return -1;
	if (c->smm)
		inserv &= ~c->imr;
	if (c->sfnm && c->master)
		inserv &= ~BIT(V3_PC_IRQ_CASCADE);
	cur = pic_highest(c, inserv);
	if (cur >= 0 && pic_prio(c, irq) >= pic_prio(c, cur))
		return -1;
	return irq;
}

static void pic_set_line(struct v3_pic_chip *c, int irq, bool level)
{
	u8 bit = BIT(irq);

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;		/* rising edge */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/*
 * Propagate the slave's INT to master IR2 and recompute the master's INT.
 * Returns true when the INT output rose, so the caller kicks vCPU 0.
 */
static bool pic_update(struct v3_pic *pic)
{
	struct v3_pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	bool old = pic->intr;

	/* cascade: IR2 follows the slave's INT as a level */
	if (pic_get_irq(s) >= 0) {
		m->irr |= BIT(V3_PC_IRQ_CASCADE);
		m->lines |= BIT(V3_PC_IRQ_CASCADE);
	} else {
		m->irr &= ~BIT(V3_PC_IRQ_CASCADE);
		m->lines &= ~BIT(V3_PC_IRQ_CASCADE);
	}
	pic->intr = pic_get_irq(m) >= 0;
	return pic->intr && !old;
}

static void pic_kick(struct v3_pic *pic)
{
	struct v3_vm *vm = pic->vm;

	if (vm->nr_vcpus && vm->vcpus[0])
		v3_vcpu_kick(vm->vcpus[0], V3_REQ_EVENT);
}

void v3_pic_set_irq(struct v3_pic *pic, unsigned int irq, bool level)
{
	unsigned long flags;
	bool rose;

	if (!pic || irq >= 16 || irq == V3_PC_IRQ_CASCADE)
		return;
	spin_lock_irqsave(&pic->lock, flags);
	pic_set_line(&pic->chip[irq >> 3], irq & 7, level);
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	if (rose)
		pic_kick(pic);
}

/* Vector of a request the INTA cycle would deliver; slave spurious: IR7. */
static int pic_vector(struct v3_pic *pic, int irq)
{
	struct v3_pic_chip *s = &pic->chip[1];
	int sirq;

	if (irq != V3_PC_IRQ_CASCADE || pic->chip[0].single)
		return pic->chip[0].base + irq;
	sirq = pic_get_irq(s);
	return s->base + (sirq < 0 ? 7 : sirq);
}

int v3_pic_pending(struct v3_pic *pic)
{
	unsigned long flags;
	int irq, vec = -1;

	if (!pic)
		return -1;
	spin_lock_irqsave(&pic->lock, flags);
	irq = pic_get_irq(&pic->chip[0]);
	if (irq >= 0)
		vec = pic_vector(pic, irq);
	spin_unlock_irqrestore(&pic->lock, flags);
	return vec;
}

/*
 * First INTA pulse: the highest request goes in service (unless in
 * auto-EOI mode, which ends it at the second pulse), edge requests leave
 * IRR.  Level requests stay in IRR while their input stays high.
 */
static void pic_intack(struct v3_pic_chip *c, int irq)
{
	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->lowest = irq;
	} else {
		c->isr |= BIT(irq);
	}
	if (!(c->elcr & BIT(irq)))
		c->irr &= ~BIT(irq);
}

/*
 * The INTA cycle.  With no request (it went away since INTR rose) the
 * 8259A answers IR7 without setting ISR: the spurious IRQ 7.  A request
 * through the cascade that vanished on the slave gives the slave's IR7,
 * IRQ 15, with master ISR2 set (8259A data sheet, "Interrupt Sequence").
 */
int v3_pic_ack(struct v3_pic *pic)
{
	struct v3_pic_chip *m, *s;
	unsigned long flags;
	int irq, sirq, vec;
	bool rose;

	if (!pic)
		return -1;
	m = &pic->chip[0];
	s = &pic->chip[1];
	spin_lock_irqsave(&pic->lock, flags);
	irq = pic_get_irq(m);
	if (irq < 0) {
		vec = m->base + 7;
	} else if (irq == V3_PC_IRQ_CASCADE && !m->single) {
		sirq = pic_get_irq(s);
		if (sirq >= 0) {
			pic_intack(s, sirq);
			vec = s->base + sirq;
		} else {
			vec = s->base + 7;
		}
		pic_intack(m, irq);
	} else {
		pic_intack(m, irq);
		vec = m->base + irq;
	}
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	if (rose)
		pic_kick(pic);
	return vec;
}

/* ICW1: everything but the ELCR and the input levels starts over. */
static void pic_icw1(struct v3_pic_chip *c, u8 val)
{
	/* "the edge sense circuit is reset": edge requests are dropped */
	c->irr &= c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;		/* IR7 has priority 7 */
	c->read_isr = false;
	c->poll = false;
	c->smm = false;
	c->aeoi = false;
	c->rotate_aeoi = false;
	c->sfnm = false;
	c->ic4 = val & ICW1_IC4;
	c->single = val & ICW1_SNGL;
	c->init_step = 2;
}

static void pic_ocw2(struct v3_pic_chip *c, u8 val)
{
	int irq;

	switch (val >> 5) {
	case 0:		/* rotate in automatic EOI mode: clear */
	case 4:		/* ... set */
		c->rotate_aeoi = val & 0x80;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* rotate on non-specific EOI */
		irq = pic_highest(c, c->isr);
		if (irq < 0)
			break;
		c->isr &= ~BIT(irq);
		if (val & 0x80)
			c->lowest = irq;
		break;
	case 3:		/* specific EOI */
		c->isr &= ~BIT(val & 7);
		break;
	case 7:		/* rotate on specific EOI */
		c->isr &= ~BIT(val & 7);
		c->lowest = val & 7;
		break;
	case 6:		/* set priority: IR (val & 7) becomes the lowest */
		c->lowest = val & 7;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void pic_write(struct v3_pic_chip *c, bool a0, u8 val)
{
	if (!a0) {
		if (val & ICW1_INIT)
			pic_icw1(c, val);
		else if (val & OCW3_SEL) {
			if (val & OCW3_RR)
				c->read_isr = val & OCW3_RIS;
			if (val & OCW3_P)
				c->poll = true;
			if (val & OCW3_ESMM)
				c->smm = val & OCW3_SMM;
		} else {
			pic_ocw2(c, val);
		}
		return;
	}
	switch (c->init_step) {
	case 2:		/* ICW2: vector base, T7-T3 */
		c->base = val & 0xf8;
		c->init_step = c->single ? (c->ic4 ? 4 : 0) : 3;
		break;
	case 3:		/* ICW3: cascade wiring, fixed on the PC */
		c->init_step = c->ic4 ? 4 : 0;
		break;
	case 4:		/* ICW4: 8086 mode assumed */
		c->aeoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->init_step = 0;
		break;
	default:	/* OCW1 */
		c->imr = val;
		break;
	}
}

/*
 * Poll command: the next read is an interrupt acknowledge returning
 * 0x80 | IR of the highest request, or 0 when there is none.
 */
static u8 pic_poll(struct v3_pic_chip *c)
{
	int irq = pic_get_irq(c);

	c->poll = false;
	if (irq < 0)
		return 0;
	pic_intack(c, irq);
	return 0x80 | irq;
}

static u8 pic_read(struct v3_pic_chip *c, bool a0)
{
	if (c->poll)
		return pic_poll(c);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static int v3_pic_io_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
			  u8 size, u32 *val)
{
	struct v3_pic *pic = opaque;
	unsigned long flags;
	bool rose;

	spin_lock_irqsave(&pic->lock, flags);
	if (port >= V3_PC_ELCR)
		*val = pic->chip[port - V3_PC_ELCR].elcr;
	else
		*val = pic_read(&pic->chip[port >= V3_PC_PIC_SLAVE], port & 1);
	*val |= 0xffffff00;	/* wider reads: nothing behind the port */
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	if (rose)
		pic_kick(pic);
	return 0;
}

static void pic_write_elcr(struct v3_pic_chip *c, u8 val)
{
	c->elcr = val & c->elcr_mask;
	/* lines now level triggered reflect their input at once */
	c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
}

static int v3_pic_io_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			   u8 size, u32 val)
{
	struct v3_pic *pic = opaque;
	unsigned long flags;
	bool rose;

	spin_lock_irqsave(&pic->lock, flags);
	if (port >= V3_PC_ELCR)
		pic_write_elcr(&pic->chip[port - V3_PC_ELCR], val);
	else
		pic_write(&pic->chip[port >= V3_PC_PIC_SLAVE], port & 1, val);
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	if (rose)
		pic_kick(pic);
	return 0;
}

static int v3_pic_create(struct v3_vm *vm, void **state)
{
	static const u16 bases[] = { V3_PC_PIC_MASTER, V3_PC_PIC_SLAVE,
				     V3_PC_ELCR };
	struct v3_pic *pic = kzalloc(sizeof(*pic), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.len = 2,
		.read = v3_pic_io_read,
		.write = v3_pic_io_write,
	};
	int i, ret;

	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	for (i = 0; i < 2; i++) {
		pic->chip[i].lowest = 7;
		pic->chip[i].master = i == 0;
	}
	/* the PC BIOS convention, until the guest initializes the pair */
	pic->chip[0].base = 0x08;
	pic->chip[1].base = 0x70;
	pic->chip[0].elcr_mask = ELCR_MASK_MASTER;
	pic->chip[1].elcr_mask = ELCR_MASK_SLAVE;
	h.opaque = pic;
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		h.base = bases[i];
		ret = v3_io_register(vm, &h);
		if (ret) {
			kfree(pic);
			return ret;
		}
	}
	vm->pic = pic;
	*state = pic;
	return 0;
}

static void v3_pic_destroy(struct v3_vm *vm, void *state)
{
	if (vm->pic == state)
		vm->pic = NULL;
	kfree(state);
}

const struct v3_device_type v3_pic_device = {
	.name = "pic-8259a",
	.create = v3_pic_create,
	.destroy = v3_pic_destroy,
};
