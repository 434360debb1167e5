// SPDX-License-Identifier: GPL-2.0
/*
 * ipistorm (2 vCPUs): vCPU 0 sends its sibling INIT, startup and NMI IPIs,
 * and itself NMIs, through the xAPIC ICR as fast as it can (SDM vol. 3
 * 11.6.1; INIT-SIPI: 9.4.4).  The sibling starts in real mode at the SIPI
 * vector's page, where it halts; each NMI wakes it through real-mode IVT
 * entry 2 into an IRET, and it halts again.  Every IPI is an MMIO exit on
 * one side and a kick, wake-up or reset on the other.  Never returns.
 */
#include "guest.h"
#include "trap.h"
#include "hostile.h"

DEFINE_GUEST("ipistorm");

#define AP_PAGE		0x8000u		/* SIPI vector 0x08 */
#define ICR_INIT	0x00004500u	/* INIT, level assert */
#define ICR_SIPI	0x00004600u
#define ICR_NMI		0x00004400u
#define ICR_SELF	(1u << 18)	/* destination shorthand: self */

static volatile uint32_t nmis;

static int nmi(struct trap_frame *f)
{
	nmis++;
	return 1;
}

static void ipi(uint32_t dest, uint32_t lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	volatile uint8_t *ap = (volatile uint8_t *)AP_PAGE;
	volatile uint16_t *ivt;
	uint32_t i;

	/* the real-mode IVT at address 0 (hidden from gcc's null checks) */
	asm("" : "=r"(ivt) : "0"(0));
	/* real mode: 0800:0000 hlt; jmp $-1 ... 0800:0010 iret */
	ap[0] = 0xf4;
	ap[1] = 0xeb;
	ap[2] = 0xfd;
	ap[0x10] = 0xcf;
	ivt[2 * 2] = 0x0010;		/* IVT entry 2 (NMI): offset */
	ivt[2 * 2 + 1] = AP_PAGE >> 4;	/* segment */
	trap_set_handler(X86_TRAP_NMI, nmi);
	lapic_write(LAPIC_SPIV, 0x1ff);
	printf("# ipistorm: my APIC ID %u\n", lapic_read(LAPIC_ID) >> 24);
	hostile_armed("IPI storm: INIT, SIPI, NMI to vCPU 1, NMI to self");
	for (i = 0;; i++) {
		ipi(1, ICR_INIT);
		ipi(1, ICR_SIPI | (AP_PAGE >> 12));
		ipi(1, ICR_NMI);
		ipi(1, ICR_NMI);
		if (!(i & 7))
			ipi(0, ICR_NMI | ICR_SELF);
	}
}
