// SPDX-License-Identifier: GPL-2.0
/*
 * COM1: a 16550A UART at 0x3f8 (register set as in the National
 * Semiconductor PC16550D data sheet).  Transmitted bytes go to the VM's
 * console buffer at once, so the transmitter is always empty; received
 * bytes come from input queued by v3ctl console.  The loopback mode
 * routes the modem-control outputs to the modem-status inputs, which
 * Linux's 8250 driver checks when it probes the port.  The interrupt
 * (IRQ 4) follows IER and the pending conditions, gated by MCR.OUT2 as on
 * PC boards; since transmission is instantaneous, "THR empty" becomes
 * pending again after every byte written.
 */
#include <linux/slab.h>
#include "../v3.h"
#include "devices.h"

#define COM1_BASE	0x3f8

#define UART_RX		0	/* DLAB=0 read: receive buffer */
#define UART_TX		0	/* DLAB=0 write: transmit holding */
#define UART_IER	1
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_RDI		0x04
#define IIR_THRI	0x02
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0
#define FCR_FIFO_EN	0x01

struct v3_uart {
	struct v3_vm *vm;
	spinlock_t lock;
	u8 ier, lcr, mcr, scr, fcr;
	u16 divisor;
	int rx;			/* held received byte, -1 if none */
	bool thri;		/* "THR empty" interrupt pending */
	bool irq;		/* level of the IRQ 4 line */
};

static void v3_uart_poll_rx(struct v3_vm *vm, struct v3_uart *u)
{
	if (u->rx < 0)
		u->rx = v3_console_getc(vm);
}

/* Highest-priority pending interrupt as IIR reports it (PC16550D table 4) */
static u8 v3_uart_iir(struct v3_uart *u)
{
	if ((u->ier & IER_RDI) && u->rx >= 0)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Recompute the IRQ line; returns the new level if it changed, else -1. */
static int v3_uart_update(struct v3_uart *u)
{
	bool level = (u->mcr & MCR_OUT2) && v3_uart_iir(u) != IIR_NO_INT;

	if (level == u->irq)
		return -1;
	u->irq = level;
	return level;
}

static void v3_uart_set_irq(struct v3_uart *u, int level)
{
	if (level >= 0)
		v3_irq_set(u->vm, 4, level);
}

/* Console input arrived: latch it and raise the receive interrupt. */
static void v3_uart_input(struct v3_vm *vm, void *opaque)
{
	struct v3_uart *u = opaque;
	unsigned long flags;
	int level;

	spin_lock_irqsave(&u->lock, flags);
	v3_uart_poll_rx(vm, u);
	level = v3_uart_update(u);
	spin_unlock_irqrestore(&u->lock, flags);
	v3_uart_set_irq(u, level);
}

/* Modem status as seen through loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
static u8 v3_uart_msr(struct v3_uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return 0xb0;	/* DCD, DSR, CTS asserted */
	return ((u->mcr & 0x2) << 3) | ((u->mcr & 0x1) << 5) |
	       ((u->mcr & 0x4) << 4) | ((u->mcr & 0x8) << 4);
}

static int v3_uart_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
			u8 size, u32 *val)
{
	struct v3_uart *u = opaque;
	bool dlab = u->lcr & LCR_DLAB;
	unsigned long flags;
	int level;

	spin_lock_irqsave(&u->lock, flags);
	switch (port - COM1_BASE) {
	case UART_RX:
		if (dlab) {
			*val = u->divisor & 0xff;
		} else {
			v3_uart_poll_rx(vcpu->vm, u);
			*val = u->rx < 0 ? 0 : u->rx;
			u->rx = -1;
			v3_uart_poll_rx(vcpu->vm, u);
		}
		break;
	case UART_IER:
		*val = dlab ? u->divisor >> 8 : u->ier;
		break;
	case UART_IIR:
		*val = v3_uart_iir(u);
		if (*val == IIR_THRI)
			u->thri = false;	/* reading IIR clears THRE */
		*val |= (u->fcr & FCR_FIFO_EN) ? IIR_FIFO : 0;
		break;
	case UART_LCR:
		*val = u->lcr;
		break;
	case UART_MCR:
		*val = u->mcr;
		break;
	case UART_LSR:
		v3_uart_poll_rx(vcpu->vm, u);
		*val = LSR_THRE | LSR_TEMT | (u->rx >= 0 ? LSR_DR : 0);
		break;
	case UART_MSR:
		*val = v3_uart_msr(u);
		break;
	case UART_SCR:
		*val = u->scr;
		break;
	}
	level = v3_uart_update(u);
	spin_unlock_irqrestore(&u->lock, flags);
	v3_uart_set_irq(u, level);
	return 0;
}

static int v3_uart_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			 u8 size, u32 val)
{
	struct v3_uart *u = opaque;
	bool dlab = u->lcr & LCR_DLAB;
	unsigned long flags;
	char c = val;
	int level;

	spin_lock_irqsave(&u->lock, flags);
	switch (port - COM1_BASE) {
	case UART_TX:
		if (dlab) {
			u->divisor = (u->divisor & 0xff00) | (u8)val;
			break;
		}
		if (u->mcr & MCR_LOOP)
			u->rx = (u8)val;
		else
			v3_console_put(vcpu->vm, &c, 1);
		u->thri = true;
		break;
	case UART_IER:
		if (dlab) {
			u->divisor = (u->divisor & 0xff) | ((u8)val << 8);
			break;
		}
		/* enabling ETBEI with THR empty raises THRE at once */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thri = true;
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		u->fcr = val;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
	level = v3_uart_update(u);
	spin_unlock_irqrestore(&u->lock, flags);
	v3_uart_set_irq(u, level);
	return 0;
}

static int v3_uart_create(struct v3_vm *vm, void **state)
{
	struct v3_uart *u = kzalloc(sizeof(*u), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.base = COM1_BASE,
		.len = 8,
		.read = v3_uart_read,
		.write = v3_uart_write,
	};
	int ret;

	if (!u)
		return -ENOMEM;
	u->vm = vm;
	spin_lock_init(&u->lock);
	u->rx = -1;
	u->divisor = 12;	/* 9600 baud */
	h.opaque = u;
	ret = v3_io_register(vm, &h);
	if (ret) {
		kfree(u);
		return ret;
	}
	*state = u;
	v3_console_set_input(vm, v3_uart_input, u);
	return 0;
}

static void v3_uart_destroy(struct v3_vm *vm, void *state)
{
	v3_console_set_input(vm, NULL, NULL);
	kfree(state);
}

const struct v3_device_type v3_uart_device = {
	.name = "uart-com1",
	.create = v3_uart_create,
	.destroy = v3_uart_destroy,
};
