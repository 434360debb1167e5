// SPDX-License-Identifier: GPL-2.0
/*
 * allports: reads and writes junk of every size to every I/O port, 0 to
 * 0xffff, over and over.  Left out, so the storm goes on: the debug-exit
 * ports 0xf4-0xf7, the reset controls (0xcf9, the i8042 command port 0x64,
 * port 0x92's fast reset) and PM1a_CNT 0x604 (sleep/power-off) — resets
 * have their own guest (resetloop).  The UART, PIC, PIT, RTC, PCI and PM
 * models all get junk: timers may be programmed to their fastest rates.
 * Never returns.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("allports");

static int skipped(uint32_t port, uint32_t size)
{
	static const uint16_t keep_out[] = {
		0xf4, 0xf5, 0xf6, 0xf7, 0xcf9, 0x64, 0x92, 0x604, 0x605,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keep_out); i++)
		if (keep_out[i] >= port && keep_out[i] < port + size)
			return 1;
	return 0;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t seed = 0x243f6a8885a308d3ull;
	uint32_t port, sink = 0;

	hostile_armed("writes and reads junk on every port, 0 to 0xffff");
	for (;;) {
		for (port = 0; port <= 0xffff; port++) {
			uint32_t v = hostile_rand(&seed);

			if (!skipped(port, 1)) {
				outb(port, v);
				sink += inb(port);
			}
			if (port <= 0xfffe && !skipped(port, 2)) {
				outw(port, v >> 8);
				sink += inw(port);
			}
			if (port <= 0xfffc && !skipped(port, 4)) {
				outl(port, v ^ sink);
				sink += inl(port);
			}
		}
	}
}
