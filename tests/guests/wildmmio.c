// SPDX-License-Identifier: GPL-2.0
/*
 * wildmmio, by "mode=":
 *   junk  junk into the LAPIC and IOAPIC windows for ever: every LAPIC
 *         register but the ICR (IPIs are ipistorm's), unaligned offsets
 *         in both pages, random IOREGSEL/IOWIN pairs (82093AA 3.0);
 *         timers and LVTs end up with whatever the junk says
 *   wild  reads then writes every 4 KiB page from "from=" (default: the
 *         end of RAM, Multiboot mem_upper) up to "to=" (default 3 GiB):
 *         guest-physical memory nothing backs.  v3vmm stops the VM at
 *         the first such access (reason bad-memory); a VMM that ignored
 *         them would see the whole range.
 * Never returns by itself.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("wildmmio");

volatile uint32_t junk_sink;

static void __noreturn junk(void)
{
	volatile uint32_t *ioregsel = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint32_t *iowin = (volatile uint32_t *)(IOAPIC_BASE + 0x10);
	uint64_t seed = 0x13198a2e03707344ull;
	uint32_t off, sink = 0;

	hostile_armed("junk into the LAPIC and IOAPIC windows");
	for (;;) {
		for (off = 0; off < 0x1000; off += 0x10) {
			uint32_t v = hostile_rand(&seed);

			if (off == LAPIC_ICR_LO)
				continue;
			lapic_write(off, v);
			sink += lapic_read(off);
			*ioregsel = v >> 24;
			*iowin = v;
			sink += *iowin;
		}
		/* unaligned and odd offsets, byte and word sized */
		for (off = 1; off < 0x1000; off += 0x1f) {
			uint32_t v = hostile_rand(&seed);

			*(volatile uint8_t *)(IOAPIC_BASE + off) = v;
			sink += *(volatile uint16_t *)(IOAPIC_BASE + (off & ~1u));
			if ((off & 0xff0) != LAPIC_ICR_LO)
				sink += *(volatile uint8_t *)(LAPIC_BASE + off);
		}
		junk_sink = sink;
	}
}

static void __noreturn wild(struct multiboot_info *mbi)
{
	uint32_t from = hostile_num(mbi, "from", (1024 + mbi->mem_upper) * 1024);
	uint32_t to = hostile_num(mbi, "to", 0xc0000000u);
	uint32_t gpa, sink = 0;

	from &= ~0xfffu;
	printf("# wildmmio: pages 0x%x..0x%x\n", from, to);
	hostile_armed("wild MMIO above RAM");
	for (;;) {
		for (gpa = from; gpa < to && gpa >= from; gpa += 0x1000) {
			sink += *(volatile uint32_t *)gpa;
			*(volatile uint32_t *)(gpa + 8) = sink;
		}
		printf("# wildmmio: the whole range was read and written (sum 0x%x)\n",
		       sink);
	}
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	if (hostile_is(mbi, "mode", "junk"))
		junk();
	if (hostile_is(mbi, "mode", "wild"))
		wild(mbi);
	tap_bail("wildmmio: mode=junk|wild expected");
}
