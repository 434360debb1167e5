// SPDX-License-Identifier: GPL-2.0
/*
 * healthy: the well-behaved neighbour of the hostile-guest corpus
 * (tests/l1/hostile-suite.sh).  A fixed workload, "rounds=N" rounds of
 * computation (xorshift steps) and port I/O (the UART scratch register,
 * 16550 datasheet: a byte written to SCR reads back unchanged), ending in
 * a result that depends on every step: the host compares it between the
 * solo run and each run beside a hostile guest, and times the runs.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("healthy");

#define COM1_SCR	(COM1 + 7)

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t rounds = hostile_num(mbi, "rounds", 200);
	uint64_t x = 0x9e3779b97f4a7c15ull, t0, t1;
	unsigned int io_bad = 0, i, r;

	t0 = rdtsc();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 20000; i++)
			hostile_rand(&x);
		for (i = 0; i < 16; i++) {
			uint8_t v = (uint8_t)(x >> (i * 4));

			outb(COM1_SCR, v);
			if (inb(COM1_SCR) != v)
				io_bad++;
			x += inb(COM1_SCR);
		}
	}
	t1 = rdtsc();
	printf("# healthy: rounds %llu result 0x%016llx guest-tsc %llu\n",
	       (unsigned long long)rounds, (unsigned long long)x,
	       (unsigned long long)(t1 - t0));
	tap_ok(io_bad == 0, "UART scratch register read back %u times (%u wrong)",
	       (unsigned int)rounds * 16, io_bad);
	return tap_done();
}
