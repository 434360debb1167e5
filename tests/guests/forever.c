// SPDX-License-Identifier: GPL-2.0
/*
 * forever: spins without ever exiting or halting, for host tests of
 * `v3ctl stop` (the VMM has to preempt a guest that makes no exits).
 */
#include "guest.h"

DEFINE_GUEST("forever");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	volatile unsigned long spins = 0;

	printf("spinning\n");
	serial_flush();
	for (;;)
		spins++;
	return 1;
}
