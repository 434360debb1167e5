// SPDX-License-Identifier: GPL-2.0
/*
 * Polled COM1 output.  Register layout per the National Semiconductor
 * PC16550D datasheet: THR/RBR at +0 (DLL with LCR.DLAB), IER at +1 (DLM
 * with DLAB), FCR +2, LCR +3, MCR +4, LSR +5, MSR +6, SCR +7.
 */
#include "guest.h"

#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */

/* Give up waiting eventually so a broken LSR cannot hang a guest. */
#define UART_SPIN	1000000

void serial_init(void)
{
	outb(COM1 + 1, 0x00);		/* IER: no interrupts */
	outb(COM1 + 3, 0x80);		/* LCR: DLAB */
	outb(COM1 + 0, 0x01);		/* DLL: 115200 baud */
	outb(COM1 + 1, 0x00);		/* DLM */
	outb(COM1 + 3, 0x03);		/* LCR: 8N1, DLAB off */
	outb(COM1 + 2, 0x07);		/* FCR: enable and clear FIFOs */
	outb(COM1 + 4, 0x03);		/* MCR: DTR, RTS */
}

static void serial_wait(uint8_t bit)
{
	unsigned int i;

	for (i = 0; i < UART_SPIN; i++) {
		if (inb(COM1 + 5) & bit)
			return;
		cpu_relax();
	}
}

void serial_putc(char c)
{
	serial_wait(UART_LSR_THRE);
	outb(COM1, c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

void serial_flush(void)
{
	serial_wait(UART_LSR_TEMT);
}
