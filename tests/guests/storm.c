// SPDX-License-Identifier: GPL-2.0
/*
 * storm: an exit storm at 100 % of the guest's time, one kind chosen by
 * "mode=":
 *   io     OUT/IN to an unclaimed port and the PIC's mask register
 *   cpuid  CPUID over the basic, hypervisor and extended leaves
 *   mmio   reads and writes of LAPIC and IOAPIC registers (emulated MMIO)
 *   hlt    HLT with interrupts on, woken by the LAPIC timer in periodic
 *          mode at the shortest period the guest can ask for (initial
 *          count 1, divide by 1): an interrupt and a HLT exit per period
 * Never returns.
 */
#include "guest.h"
#include "trap.h"
#include "hostile.h"

DEFINE_GUEST("storm");

#define TIMER_VEC	0x40

static volatile uint32_t ticks;

static int timer_irq(struct trap_frame *f)
{
	ticks++;
	lapic_write(LAPIC_EOI, 0);
	return 1;
}

static void __noreturn storm_io(void)
{
	uint32_t i = 0;

	hostile_armed("port I/O exit storm");
	for (;;) {
		outb(0x2a8, i);			/* nobody's port */
		(void)inb(0x2a8);
		outb(0x21, 0xff);		/* 8259A IMR: all masked */
		(void)inb(0x21);
		outw(0x80, i++);
	}
}

static void __noreturn storm_cpuid(void)
{
	static const uint32_t leaves[] = {
		0, 1, 4, 7, 0xb, 0xd, 0x40000000, 0x40000001, 0x40000100,
		0x80000000, 0x80000001, 0x80000008, 0x8000000a, 0xdeadbeef,
	};
	uint32_t i = 0;

	hostile_armed("CPUID exit storm");
	for (;;) {
		cpuid_count(leaves[i % ARRAY_SIZE(leaves)], i & 3);
		i++;
	}
}

static void __noreturn storm_mmio(void)
{
	volatile uint32_t *ioregsel = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint32_t *iowin = (volatile uint32_t *)(IOAPIC_BASE + 0x10);
	uint32_t i = 0;

	hostile_armed("MMIO exit storm (LAPIC, IOAPIC)");
	for (;;) {
		(void)lapic_read(0x030);		/* version */
		lapic_write(0x080, i & 0xf0);		/* TPR */
		*ioregsel = 1;				/* IOAPIC version */
		(void)*iowin;
		*ioregsel = 0x10 + (i % 48);		/* a redirection word */
		(void)*iowin;
		i++;
	}
}

static void __noreturn storm_hlt(void)
{
	trap_set_handler(TIMER_VEC, timer_irq);
	lapic_write(LAPIC_SPIV, 0x1ff);			/* enable, spurious 0xff */
	lapic_write(LAPIC_TDCR, 0xb);			/* divide by 1 */
	lapic_write(LAPIC_LVTT, (1u << 17) | TIMER_VEC);	/* periodic */
	lapic_write(LAPIC_TMICT, 1);
	hostile_armed("HLT exit storm (periodic LAPIC timer, shortest period)");
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	if (hostile_is(mbi, "mode", "io"))
		storm_io();
	if (hostile_is(mbi, "mode", "cpuid"))
		storm_cpuid();
	if (hostile_is(mbi, "mode", "mmio"))
		storm_mmio();
	if (hostile_is(mbi, "mode", "hlt"))
		storm_hlt();
	tap_bail("storm: mode=io|cpuid|mmio|hlt expected");
}
