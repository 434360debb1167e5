// SPDX-License-Identifier: GPL-2.0
/* C side of the start code (start32.S / start64.S). */
#include "guest.h"
#ifdef __i386__
#include "trap.h"
#endif

static void banner(void)
{
	printf("# v3vmm guest %s (%d-bit)\n", guest_name,
	       (int)sizeof(long) * 8);
}

#ifdef __i386__
void __noreturn guest_start32(void)
{
	serial_init();
	idt_init();
	banner();
	guest_exit(guest_main(boot_state.magic,
			      (struct multiboot_info *)boot_state.mbi));
}
#else
void __noreturn guest_start64(void)
{
	serial_init();
	if (boot_state.handoff)
		tap_resume(boot_state.tap_count, boot_state.tap_failed);
	else
		banner();
	guest_exit(guest_main(boot_state.magic,
			      (struct multiboot_info *)(uintptr_t)boot_state.mbi));
}
#endif
