// SPDX-License-Identifier: GPL-2.0
/*
 * The PC/AT 8042 keyboard controller (IBM PC/AT Technical Reference,
 * "Keyboard Controller"; PS/2 additions as in the IBM PS/2 Hardware
 * Interface Technical Reference): data port 0x60, status (read) and
 * command (write) port 0x64, with no keyboard and no mouse attached.
 *
 * The controller itself answers: read/write the command byte (0x20,
 * 0x60), self test (0xaa -> 0x55), interface tests (0xab, 0xa9 -> 0),
 * disable/enable keyboard and auxiliary interfaces (0xad/0xae,
 * 0xa7/0xa8), read/write the output port (0xd0/0xd1), write the keyboard
 * or auxiliary output buffer (0xd2/0xd3, the loopback Linux probes the
 * AUX port with), gate A20 (0xdd/0xdf), pulse output lines (0xf0-0xff).
 * Clearing output port bit 0 (0xd1) or pulsing it (0xfe and the other
 * even 0xfN) resets the system (vm_reset.c).
 *
 * A byte for a device (port 0x60 outside a command, or after 0xd4) finds
 * nobody: like a controller whose device does not clock, it answers 0xfe
 * with the time-out status bit set, so a PS/2 driver gives up at once.
 * IRQ 1 and IRQ 12 follow a full output buffer of keyboard or auxiliary
 * data while the command byte enables them.
 */
#include <linux/slab.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

/* status register */
#define STS_OBF		0x01	/* output buffer full */
#define STS_IBF		0x02	/* input buffer full: never, we are instant */
#define STS_SYS		0x04	/* system flag: self test passed */
#define STS_CMD		0x08	/* last write was to port 0x64 */
#define STS_UNLOCKED	0x10	/* keyboard not inhibited */
#define STS_AUXDATA	0x20	/* output buffer holds auxiliary data */
#define STS_TIMEOUT	0x40

/* command byte */
#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

/* output port */
#define OUT_RESET	0x01	/* 0: system reset asserted */
#define OUT_A20		0x02

#define DEV_NONE	0xfe	/* what a missing device "answers" */

struct v3_i8042 {
	spinlock_t lock;
	struct v3_vm *vm;
	u8 status;
	u8 ctr;			/* command byte */
	u8 outport;
	u8 data;		/* output buffer */
	u8 pending;		/* command awaiting its data byte, 0: none */
	bool irq1, irq12;	/* line levels */
};

static void kbc_irqs(struct v3_i8042 *k)
{
	bool full = k->status & STS_OBF, aux = k->status & STS_AUXDATA;
	bool irq1 = full && !aux && (k->ctr & CTR_KBDINT);
	bool irq12 = full && aux && (k->ctr & CTR_AUXINT);

	if (irq1 != k->irq1) {
		k->irq1 = irq1;
		v3_irq_set(k->vm, V3_PC_IRQ_KBD, irq1);
	}
	if (irq12 != k->irq12) {
		k->irq12 = irq12;
		v3_irq_set(k->vm, V3_PC_IRQ_AUX, irq12);
	}
}

static void kbc_out(struct v3_i8042 *k, u8 val, u8 flags)
{
	k->data = val;
	k->status &= ~(STS_AUXDATA | STS_TIMEOUT);
	k->status |= STS_OBF | flags;
}

/* Returns true when the command resets the system. */
static bool kbc_command(struct v3_i8042 *k, u8 cmd)
{
	switch (cmd) {
	case 0x20:
		kbc_out(k, k->ctr, 0);
		break;
	case 0x21 ... 0x3f:	/* rest of the controller RAM */
		kbc_out(k, 0, 0);
		break;
	case 0x60:
	case 0xd1:
	case 0xd2:
	case 0xd3:
	case 0xd4:
		k->pending = cmd;
		break;
	case 0x61 ... 0x7f:	/* RAM writes: take and drop the byte */
		k->pending = cmd;
		break;
	case 0xa7:
		k->ctr |= CTR_AUXDIS;
		break;
	case 0xa8:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case 0xa9:		/* auxiliary interface test: no error */
	case 0xab:		/* keyboard interface test: no error */
		kbc_out(k, 0x00, 0);
		break;
	case 0xaa:		/* self test */
		k->status |= STS_SYS;
		kbc_out(k, 0x55, 0);
		break;
	case 0xad:
		k->ctr |= CTR_KBDDIS;
		break;
	case 0xae:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case 0xc0:		/* input port: keyboard not inhibited */
		kbc_out(k, 0x80, 0);
		break;
	case 0xd0:
		kbc_out(k, k->outport, 0);
		break;
	case 0xdd:
		k->outport &= ~OUT_A20;
		break;
	case 0xdf:
		k->outport |= OUT_A20;
		break;
	case 0xe0:		/* test inputs */
		kbc_out(k, 0x00, 0);
		break;
	case 0xf0 ... 0xff:	/* pulse output port bits 0-3 where 0 */
		return !(cmd & OUT_RESET);
	default:
		break;
	}
	return false;
}

/* A data byte (port 0x60).  Returns true when it resets the system. */
static bool kbc_data(struct v3_i8042 *k, u8 val)
{
	u8 cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = val;
		if (val & CTR_SYS)
			k->status |= STS_SYS;
		else
			k->status &= ~STS_SYS;
		break;
	case 0xd1:
		k->outport = val;
		return !(val & OUT_RESET);
	case 0xd2:
		kbc_out(k, val, 0);
		break;
	case 0xd3:
		kbc_out(k, val, STS_AUXDATA);
		break;
	case 0xd4:		/* to the mouse: nobody there */
		kbc_out(k, DEV_NONE, STS_AUXDATA | STS_TIMEOUT);
		break;
	case 0x61 ... 0x7f:
		break;
	default:		/* to the keyboard: nobody there */
		kbc_out(k, DEV_NONE, STS_TIMEOUT);
		break;
	}
	return false;
}

static int v3_i8042_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
			 u8 size, u32 *val)
{
	struct v3_i8042 *k = opaque;
	unsigned long flags;

	spin_lock_irqsave(&k->lock, flags);
	if (port == V3_PC_I8042_CMD) {
		*val = k->status;
	} else {
		*val = k->data;
		k->status &= ~(STS_OBF | STS_AUXDATA | STS_TIMEOUT);
		kbc_irqs(k);
	}
	spin_unlock_irqrestore(&k->lock, flags);
	return 0;
}

static int v3_i8042_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			  u8 size, u32 val)
{
	struct v3_i8042 *k = opaque;
	unsigned long flags;
	bool reset;

	spin_lock_irqsave(&k->lock, flags);
	if (port == V3_PC_I8042_CMD) {
		k->status |= STS_CMD;
		k->pending = 0;
		reset = kbc_command(k, val);
	} else {
		k->status &= ~STS_CMD;
		reset = kbc_data(k, val);
	}
	kbc_irqs(k);
	spin_unlock_irqrestore(&k->lock, flags);
	if (reset)
		v3_vm_reset(vcpu->vm, "guest reset via i8042");
	return 0;
}

static int v3_i8042_create(struct v3_vm *vm, void **state)
{
	struct v3_i8042 *k = kzalloc(sizeof(*k), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.len = 1,
		.read = v3_i8042_read,
		.write = v3_i8042_write,
	};
	int ret;

	if (!k)
		return -ENOMEM;
	spin_lock_init(&k->lock);
	k->vm = vm;
	/* as a BIOS leaves it: POST passed, translation, no interrupts */
	k->status = STS_SYS | STS_UNLOCKED;
	k->ctr = CTR_SYS | CTR_XLATE;
	k->outport = OUT_RESET | OUT_A20;
	h.opaque = k;
	h.base = V3_PC_I8042_DATA;
	ret = v3_io_register(vm, &h);
	if (!ret) {
		h.base = V3_PC_I8042_CMD;
		ret = v3_io_register(vm, &h);
	}
	if (ret) {
		kfree(k);
		return ret;
	}
	*state = k;
	return 0;
}

static void v3_i8042_destroy(struct v3_vm *vm, void *state)
{
	kfree(state);
}

const struct v3_device_type v3_i8042_device = {
	.name = "i8042",
	.create = v3_i8042_create,
	.destroy = v3_i8042_destroy,
};
