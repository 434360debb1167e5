// SPDX-License-Identifier: GPL-2.0
/*
 * hlt: CLI; HLT with no interrupt source can never resume (SDM Vol. 2A
 * HLT: only an enabled interrupt, NMI, SMI, INIT or reset ends the halt).
 * What that means for the VM is the host test's business.  Should the
 * CPU come back anyway, say so and halt again.
 */
#include "guest.h"

DEFINE_GUEST("hlt");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	printf("halting\n");
	serial_flush();
	for (;;) {
		asm volatile("cli; hlt" : : : "memory");
		printf("woke up from hlt\n");
	}
	return 1;
}
