// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

void __noreturn guest_halt(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * A byte v written to the debug-exit port stops the VM; `v3ctl run` (and
 * QEMU's isa-debug-exit) then exits with status (v << 1) | 1.
 */
void __noreturn guest_exit(int code)
{
	serial_flush();
	outb(V3_DEBUG_EXIT_PORT, code);
	/* Still here: nothing claims the port.  Stop as quietly as we can. */
	printf("# guest_exit(%d): debug-exit port %#x ignored, halting\n",
	       code, V3_DEBUG_EXIT_PORT);
	guest_halt();
}
