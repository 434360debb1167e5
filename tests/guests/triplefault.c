// SPDX-License-Identifier: GPL-2.0
/*
 * triplefault: with an IDT limit of 0 no gate can be read, so INT3 raises
 * #GP, delivering that #GP faults again (#DF), and delivering #DF fails
 * too: a triple fault, i.e. shutdown (SDM Vol. 3A §6.15 "Interrupt 8 -
 * Double Fault Exception", APM Vol. 2 §8.2.9).  v3vmm must stop the VM
 * with reason "shutdown" and leave the host alone.  Reaching the end of
 * this function means the CPU survived, which is a failure.
 */
#include "guest.h"

DEFINE_GUEST("triplefault");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("about to triple fault\n");
	serial_flush();
	asm volatile("lidt %0\n\t"
		     "int3\n\t"
		     "ud2" : : "m"(empty) : "memory");
	tap_ok(0, "triple fault stopped the CPU");
	return tap_done();
}
