// SPDX-License-Identifier: GPL-2.0
/* hello: the smallest useful guest - a line of text and a clean exit. */
#include "guest.h"

DEFINE_GUEST("hello");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	printf("Hello from a v3vmm guest\n");
	if (magic == MB_BOOT_MAGIC && (mbi->flags & MB_INFO_CMDLINE))
		printf("cmdline: %s\n", (const char *)mbi->cmdline);
	else
		printf("cmdline: (none)\n");
	tap_ok(magic == MB_BOOT_MAGIC, "booted by a Multiboot loader");
	return tap_done();
}
