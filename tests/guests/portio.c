// SPDX-License-Identifier: GPL-2.0
/*
 * portio: unclaimed ports and the emulated COM1 16550.
 *
 * Reads of a port nobody decodes return all ones on the PC (the ISA bus
 * floats high); v3vmm promises the same for 8-, 16- and 32-bit accesses.
 * The UART part follows the PC16550D datasheet: SCR (+7) is a plain
 * read/write byte, LSR (+5) bit 5 (THRE) / bit 6 (TEMT) are set when the
 * transmitter is idle, LCR (+3) bit 7 (DLAB) maps DLL/DLM over +0/+1.
 */
#include "guest.h"

DEFINE_GUEST("portio");

/* Ports no PC device (nor v3vmm) claims. */
static const uint16_t unclaimed[] = { 0x0200, 0x02a8, 0x0f00 };

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint8_t lcr, dll, dlm, lsr, v8;
	uint16_t v16;
	uint32_t v32;
	int ok;

	for (unsigned int i = 0; i < ARRAY_SIZE(unclaimed); i++) {
		uint16_t p = unclaimed[i];

		v8 = inb(p);
		tap_ok(v8 == 0xff, "inb(%#x) = %#x", p, v8);
		v16 = inw(p);
		tap_ok(v16 == 0xffff, "inw(%#x) = %#x", p, v16);
		v32 = inl(p);
		tap_ok(v32 == 0xffffffff, "inl(%#x) = %#x", p, v32);
		/* writes are dropped: the next read is still all ones */
		outb(p, 0x12);
		outw(p, 0x1234);
		outl(p, 0x12345678);
		v32 = inl(p);
		tap_ok(v32 == 0xffffffff, "inl(%#x) after writes = %#x", p, v32);
	}

	ok = 1;
	for (unsigned int v = 0; v < 256; v += 0x11) {
		outb(COM1 + 7, v);
		v8 = inb(COM1 + 7);
		if (v8 != v) {
			tap_diag("SCR wrote %#x read %#x", v, v8);
			ok = 0;
		}
	}
	tap_ok(ok, "UART scratch register round trip");

	serial_flush();
	lsr = inb(COM1 + 5);
	tap_ok(lsr & 0x20, "LSR.THRE set when idle (LSR %#x)", lsr);
	tap_ok(lsr != 0xff, "LSR is decoded (not all ones)");

	/* Divisor latch: set, read back, restore. */
	lcr = inb(COM1 + 3);
	tap_ok(lcr == 0x03, "LCR reads back 8N1 as set by serial_init (%#x)",
	       lcr);
	outb(COM1 + 3, lcr | 0x80);
	dll = inb(COM1 + 0);
	dlm = inb(COM1 + 1);
	tap_diag("divisor %#x (DLL %#x DLM %#x)", dlm << 8 | dll, dll, dlm);
	outb(COM1 + 0, 0x0c);		/* 9600 baud */
	outb(COM1 + 1, 0x00);
	v8 = inb(COM1 + 0);
	ok = v8 == 0x0c && inb(COM1 + 1) == 0x00;
	outb(COM1 + 0, 0x34);
	outb(COM1 + 1, 0x12);
	ok = ok && inb(COM1 + 0) == 0x34 && inb(COM1 + 1) == 0x12;
	outb(COM1 + 0, dll);
	outb(COM1 + 1, dlm);
	ok = ok && inb(COM1 + 0) == dll && inb(COM1 + 1) == dlm;
	v8 = inb(COM1 + 3);
	outb(COM1 + 3, lcr);
	tap_ok(ok, "DLAB divisor latch round trip and restore");
	tap_ok(v8 == (lcr | 0x80), "LCR.DLAB reads back set (%#x)", v8);
	v8 = inb(COM1 + 1);
	tap_ok(v8 == 0x00, "IER visible again after DLAB cleared (%#x)", v8);
	tap_ok(inb(COM1 + 3) == lcr, "LCR restored");
	return tap_done();
}
