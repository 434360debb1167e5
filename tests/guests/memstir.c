// SPDX-License-Identifier: GPL-2.0
/*
 * memstir: a memory checksum workload to move guest RAM under (issue #13,
 * v3ctl mem move).  "mib=N" MiB from 4 MiB up are stirred for
 * "passes=P" passes: each word is checked against what the previous pass
 * wrote there and given the next pass's value, a function of its address
 * and the pass, so a write lost in a move (the word still holds an older
 * pass's value) or a page mapped twice or wrongly (another address's
 * value) is caught at the next pass.  Paging is off: guest-physical
 * addresses, below 4 GiB.  A line "memstir: pass N" every "every=K"
 * passes shows progress; the last pass is then verified once more.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("memstir");

#define BASE		0x400000u

static inline uint32_t value(uint32_t addr, uint32_t pass)
{
	uint32_t x = addr * 0x9e3779b1u ^ pass * 0x85ebca77u;

	return x ^ (x >> 15);
}

static uint32_t bad_words;

static void check(volatile uint32_t *p, uint32_t want)
{
	uint32_t got = *p;

	if (got != want && bad_words++ < 4)
		tap_diag("at %p: want %#x got %#x", p, want, got);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t mib = hostile_num(mbi, "mib", 16);
	uint32_t passes = hostile_num(mbi, "passes", 50);
	uint32_t every = hostile_num(mbi, "every", 5);
	uint32_t n = mib << 18, pass, i;
	volatile uint32_t *w = (uint32_t *)BASE;

	if (!(mbi->flags & MB_INFO_MEMORY) ||
	    BASE + ((uint64_t)mib << 20) > 0x100000 + (uint64_t)mbi->mem_upper * 1024)
		tap_bail("mib=%u does not fit in the VM's RAM", mib);
	for (i = 0; i < n; i++)
		w[i] = value(BASE + 4 * i, 0);
	for (pass = 1; pass <= passes; pass++) {
		for (i = 0; i < n; i++) {
			check(&w[i], value(BASE + 4 * i, pass - 1));
			w[i] = value(BASE + 4 * i, pass);
		}
		if (pass % every == 0 || pass == passes) {
			printf("memstir: pass %u bad %u\n", pass, bad_words);
			serial_flush();
		}
	}
	for (i = 0; i < n; i++)
		check(&w[i], value(BASE + 4 * i, passes));
	tap_ok(bad_words == 0, "%u MiB stirred %u passes: %u words wrong",
	       mib, passes, bad_words);
	return tap_done();
}
