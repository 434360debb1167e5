/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC in xAPIC mode, through its MMIO window at the power-on
 * base (SDM vol. 3 11.4.1; register map: Table 11-1).  Paging is off in
 * the 32-bit guests, so the window is used at its physical address.
 */
#ifndef _GUEST_LAPIC_H
#define _GUEST_LAPIC_H

#define LAPIC_BASE	0xfee00000	/* unsigned int in C; no suffix for gas */
#define LAPIC_ID	0x020
#define LAPIC_EOI	0x0b0
#define LAPIC_SPIV	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVTT	0x320
#define LAPIC_TMICT	0x380
#define LAPIC_TDCR	0x3e0

#define LAPIC_SPIV_ENABLE	(1u << 8)	/* APIC software enable (11.9) */

/* ICR low word (11.6.1, Figure 11-12) */
#define LAPIC_DM_FIXED		(0u << 8)
#define LAPIC_DM_NMI		(4u << 8)
#define LAPIC_DM_INIT		(5u << 8)
#define LAPIC_DM_STARTUP	(6u << 8)
#define LAPIC_ICR_BUSY		(1u << 12)	/* delivery status: send pending */
#define LAPIC_ICR_ASSERT	(1u << 14)	/* level: 1 but for INIT de-assert */

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = val;
}

/* this CPU's xAPIC ID (bits 31:24 of the ID register); an MMIO read */
static inline unsigned int lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}
#endif

#endif
