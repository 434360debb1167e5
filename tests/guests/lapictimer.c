// SPDX-License-Identifier: GPL-2.0
/*
 * lapictimer: leaves a LAPIC timer armed when the VM stops, for the host
 * test that a stopped VM has no timer left (tests/l1/hostile-suite.sh
 * reads /proc/timer_list).  By "mode=":
 *   oneshot   one-shot, masked, initial count 0xffffffff divided by 128
 *             (minutes away), then the debug-exit port: status 1
 *   periodic  periodic, masked, the shortest period, then spins until
 *             the host stops it
 * (SDM vol. 3 11.5.4: a masked LVT entry still lets the timer count.)
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("lapictimer");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	int periodic = hostile_is(mbi, "mode", "periodic");

	lapic_write(LAPIC_SPIV, 0x1ff);
	lapic_write(LAPIC_TDCR, periodic ? 0xb : 0xa);	/* /1 or /128 */
	lapic_write(LAPIC_LVTT, (1u << 16) | (periodic ? 1u << 17 : 0) | 0x40);
	lapic_write(LAPIC_TMICT, periodic ? 1 : 0xffffffffu);
	tap_ok(lapic_read(0x390) != 0 || periodic, "timer counting (current count %u)",
	       lapic_read(0x390));
	printf("# lapictimer: %s timer armed\n", periodic ? "periodic" : "one-shot");
	serial_flush();
	if (periodic)
		for (;;)
			asm volatile("pause");
	return tap_done();
}
