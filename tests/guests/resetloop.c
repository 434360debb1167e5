// SPDX-License-Identifier: GPL-2.0
/*
 * resetloop: asks for a system reset as soon as it runs, alternating
 * (by the TSC's low bit) between the chipset's reset control register
 * (port 0xcf9, value 6: hard reset, PIIX4 datasheet 4.1.17) and the
 * keyboard controller's reset-pulse command (0xfe to port 0x64, 8042).
 * v3vmm resets the VM, which runs this guest again: a reset loop.  If no
 * reset comes, it keeps asking.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("resetloop");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	hostile_armed("reset loop");
	for (;;) {
		if (rdtsc() & 1)
			outb(0xcf9, 0x06);
		else
			outb(0x64, 0xfe);
	}
}
