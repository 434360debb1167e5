// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC (Intel 82093AA I/O Advanced Programmable Interrupt Controller
 * data sheet, order no. 290566, with the version 0x20 EOI register of the
 * ICH I/O APICs): 24 pins, memory mapped at 0xfec00000.
 *
 *   +0x00 IOREGSEL  register index (8 bits)
 *   +0x10 IOWIN     32-bit window onto the selected register
 *   +0x40 EOI       write a vector: clears Remote IRR of the level
 *                   entries using it (as the LAPIC's EOI broadcast does)
 *
 * Registers: 0x00 IOAPICID (bits 27:24), 0x01 IOAPICVER (0x170020: max
 * redirection entry 23, version 0x20), 0x02 IOAPICARB (bits 27:24),
 * 0x10 + 2n / 0x11 + 2n redirection entry n low / high dword.
 *
 * The pin inputs arrive as "asserted" or not from v3_ioapic_set_irq():
 * the polarity bit is stored but the caller has already applied it.
 * Edge-triggered entries send a message on each assertion while unmasked
 * (masked edges are lost, as on the chip).  Level-triggered entries send
 * one while the pin is asserted, unmasked and Remote IRR is clear; the
 * send sets Remote IRR, the LAPIC's EOI of the vector clears it through
 * v3_ioapic_eoi(), and a pin still asserted then sends again.  Messages
 * are delivered at once, so Delivery Status always reads idle.
 */
#include <linux/slab.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10
#define IOAPIC_EOI		0x40

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10

#define IOAPIC_VERSION		0x20

/* redirection entry fields */
#define RTE_VECTOR		0xffULL
#define RTE_DELMODE_SHIFT	8
#define RTE_DELMODE		(7ULL << 8)
#define RTE_DESTMOD		BIT_ULL(11)	/* 1: logical */
#define RTE_DELIVS		BIT_ULL(12)	/* read only */
#define RTE_POLARITY		BIT_ULL(13)	/* 1: active low */
#define RTE_REMOTE_IRR		BIT_ULL(14)	/* read only */
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASK		BIT_ULL(16)
#define RTE_DEST_SHIFT		56
#define RTE_RO_BITS		(RTE_DELIVS | RTE_REMOTE_IRR)
/* bits 17..55 are reserved */
#define RTE_WRITABLE		(RTE_VECTOR | RTE_DELMODE | RTE_DESTMOD | \
				 RTE_POLARITY | RTE_LEVEL | RTE_MASK | \
				 (0xffULL << RTE_DEST_SHIFT))

struct v3_ioapic {
	spinlock_t lock;
	struct v3_vm *vm;
	u8 regsel;
	u8 id;
	u32 lines;			/* asserted inputs */
	u64 rte[V3_PC_IOAPIC_PINS];
};

/* An interrupt message, built under the lock and sent after it. */
struct ioapic_msg {
	u32 dest;
	u8 vector, mode;
	bool logical, level;
};

/*
 * Decide whether pin must send a message now; on yes fill *msg and, for
 * a level entry, set Remote IRR.  edge: the input just rose.
 */
static bool ioapic_service(struct v3_ioapic *io, unsigned int pin, bool edge,
			   struct ioapic_msg *msg)
{
	u64 e = io->rte[pin];

	if (e & RTE_MASK)
		return false;
	if (e & RTE_LEVEL) {
		if (!(io->lines & BIT(pin)) || (e & RTE_REMOTE_IRR))
			return false;
		io->rte[pin] |= RTE_REMOTE_IRR;
	} else if (!edge) {
		return false;
	}
	msg->vector = e & RTE_VECTOR;
	msg->mode = (e & RTE_DELMODE) >> RTE_DELMODE_SHIFT;
	msg->logical = e & RTE_DESTMOD;
	msg->level = e & RTE_LEVEL;
	msg->dest = e >> RTE_DEST_SHIFT;
	return true;
}

static void ioapic_send(struct v3_ioapic *io, const struct ioapic_msg *m)
{
	v3_lapic_deliver(io->vm, m->dest, m->logical, m->mode, m->vector,
			 m->level);
}

void v3_ioapic_set_irq(struct v3_ioapic *io, unsigned int pin, bool level)
{
	struct ioapic_msg msg;
	unsigned long flags;
	bool send = false, rose;

	if (!io || pin >= V3_PC_IOAPIC_PINS)
		return;
	spin_lock_irqsave(&io->lock, flags);
	rose = level && !(io->lines & BIT(pin));
	if (level)
		io->lines |= BIT(pin);
	else
		io->lines &= ~BIT(pin);
	if (level)
		send = ioapic_service(io, pin, rose, &msg);
	spin_unlock_irqrestore(&io->lock, flags);
	if (send)
		ioapic_send(io, &msg);
}

/*
 * End of interrupt for vector: Remote IRR of every level entry with that
 * vector clears, and an input still asserted sends again.
 */
void v3_ioapic_eoi(struct v3_ioapic *io, u8 vector)
{
	struct ioapic_msg msg[V3_PC_IOAPIC_PINS];
	unsigned long flags;
	unsigned int pin, n = 0, i;

	if (!io)
		return;
	spin_lock_irqsave(&io->lock, flags);
	for (pin = 0; pin < V3_PC_IOAPIC_PINS; pin++) {
		u64 e = io->rte[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if (ioapic_service(io, pin, false, &msg[n]))
			n++;
	}
	spin_unlock_irqrestore(&io->lock, flags);
	for (i = 0; i < n; i++)
		ioapic_send(io, &msg[i]);
}

static u32 ioapic_read_reg(struct v3_ioapic *io)
{
	unsigned int idx = io->regsel;
	u64 e;

	switch (idx) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:	/* arbitration ID: loaded from the ID */
		return (u32)io->id << 24;
	case IOAPIC_REG_VER:
		return ((V3_PC_IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
	}
	if (idx < IOAPIC_REG_REDTBL ||
	    idx >= IOAPIC_REG_REDTBL + 2 * V3_PC_IOAPIC_PINS)
		return 0;
	e = io->rte[(idx - IOAPIC_REG_REDTBL) / 2];
	return (idx & 1) ? e >> 32 : (u32)e;
}

/* Returns true with *msg filled when the write unmasked a pending level. */
static bool ioapic_write_reg(struct v3_ioapic *io, u32 val,
			     struct ioapic_msg *msg)
{
	unsigned int idx = io->regsel, pin;
	u64 e, nv;

	if (idx == IOAPIC_REG_ID) {
		io->id = (val >> 24) & 0xf;
		return false;
	}
	if (idx < IOAPIC_REG_REDTBL ||
	    idx >= IOAPIC_REG_REDTBL + 2 * V3_PC_IOAPIC_PINS)
		return false;	/* VER, ARB and the rest are read only */
	pin = (idx - IOAPIC_REG_REDTBL) / 2;
	e = io->rte[pin];
	if (idx & 1)
		nv = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		nv = (e & ~0xffffffffULL) | val;
	nv = (nv & RTE_WRITABLE) | (e & RTE_RO_BITS);
	/* Remote IRR is undefined for edge entries: keep it clear */
	if (!(nv & RTE_LEVEL))
		nv &= ~RTE_REMOTE_IRR;
	io->rte[pin] = nv;
	return ioapic_service(io, pin, false, msg);
}

static int v3_ioapic_mmio_read(struct v3_vcpu *vcpu, void *opaque, u64 gpa,
			       u8 size, u64 *val)
{
	struct v3_ioapic *io = opaque;
	unsigned int off = gpa - V3_PC_IOAPIC_BASE;
	unsigned long flags;
	u32 v = 0;

	spin_lock_irqsave(&io->lock, flags);
	if (off == IOAPIC_REGSEL)
		v = io->regsel;
	else if (off >= IOAPIC_WIN && off < IOAPIC_WIN + 4)
		v = ioapic_read_reg(io) >> (8 * (off - IOAPIC_WIN));
	spin_unlock_irqrestore(&io->lock, flags);
	*val = v;	/* unused offsets read zero */
	return 0;
}

static int v3_ioapic_mmio_write(struct v3_vcpu *vcpu, void *opaque, u64 gpa,
				u8 size, u64 val)
{
	struct v3_ioapic *io = opaque;
	unsigned int off = gpa - V3_PC_IOAPIC_BASE;
	struct ioapic_msg msg;
	unsigned long flags;
	bool send = false;

	if (off == IOAPIC_EOI) {
		v3_ioapic_eoi(io, val);
		return 0;
	}
	spin_lock_irqsave(&io->lock, flags);
	if (off == IOAPIC_REGSEL)
		io->regsel = val;
	else if (off == IOAPIC_WIN && size >= 4)
		send = ioapic_write_reg(io, val, &msg);
	/* other offsets and narrow IOWIN writes are ignored */
	spin_unlock_irqrestore(&io->lock, flags);
	if (send)
		ioapic_send(io, &msg);
	return 0;
}

static int v3_ioapic_create(struct v3_vm *vm, void **state)
{
	struct v3_ioapic *io = kzalloc(sizeof(*io), V3_GFP_ACCOUNT);
	struct v3_mmio_handler h = {
		.base = V3_PC_IOAPIC_BASE,
		.len = V3_PC_IOAPIC_LEN,
		.read = v3_ioapic_mmio_read,
		.write = v3_ioapic_mmio_write,
	};
	int i, ret;

	if (!io)
		return -ENOMEM;
	spin_lock_init(&io->lock);
	io->vm = vm;
	io->id = V3_PC_IOAPIC_ID;
	for (i = 0; i < V3_PC_IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASK;	/* reset: all entries masked */
	h.opaque = io;
	ret = v3_mmio_register(vm, &h);
	if (ret) {
		kfree(io);
		return ret;
	}
	vm->ioapic = io;
	*state = io;
	return 0;
}

static void v3_ioapic_destroy(struct v3_vm *vm, void *state)
{
	if (vm->ioapic == state)
		vm->ioapic = NULL;
	kfree(state);
}

const struct v3_device_type v3_ioapic_device = {
	.name = "ioapic",
	.create = v3_ioapic_create,
	.destroy = v3_ioapic_destroy,
};
