// SPDX-License-Identifier: GPL-2.0
/*
 * msrfuzz: RDMSR and WRMSR with random 64-bit values over MSR indices
 * 0..0x1fff, 0xc0000000..0xc0001fff, 0xc0010000..0xc0011fff and random
 * 32-bit indices, for ever, each #GP caught through the IDT (lib/trap.c
 * exception table).  Whatever the VMM passes through to the CPU or
 * models must take junk without harm to the host; whatever it does not
 * know must raise #GP (SDM vol. 3 WRMSR: reserved or unimplemented MSR).
 * APIC_BASE (0x1b) is left out: x2APIC mode would let the junk send this
 * vCPU an INIT and end the storm.  Prints a line per pass.
 */
#include "guest.h"
#include "trap.h"
#include "hostile.h"

DEFINE_GUEST("msrfuzz");

static uint64_t seed = 0xa4093822299f31d0ull;
static uint32_t writes, gps;

static void poke(uint32_t msr)
{
	uint64_t v;

	if (msr == MSR_IA32_APIC_BASE)
		return;
	rdmsr_safe(msr, &v);
	writes++;
	if (wrmsr_safe(msr, hostile_rand(&seed)) >= 0)
		gps++;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	static const uint32_t bases[] = { 0, 0xc0000000u, 0xc0010000u };
	uint32_t pass, b, i;

	hostile_armed("invalid and giant MSR writes");
	for (pass = 1;; pass++) {
		for (b = 0; b < ARRAY_SIZE(bases); b++)
			for (i = 0; i < 0x2000; i++)
				poke(bases[b] + i);
		for (i = 0; i < 0x2000; i++)
			poke(hostile_rand(&seed));
		printf("# msrfuzz: pass %u: %u writes, %u #GP\n", pass, writes, gps);
	}
}
