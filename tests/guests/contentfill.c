// SPDX-License-Identifier: GPL-2.0
/*
 * contentfill: guest RAM of known content for memory content tracking
 * (issue #14).  From 4 MiB up it writes, page after page:
 *   "zero=Z"    pages of zeros,
 *   "common=C"  pages whose contents are the same in every VM (seed 0),
 *   "dup=D"     contents of this VM's own, each "copies=K" times,
 *   "uniq=U"    pages unique to this VM ("seed=S" tells VMs apart),
 * then prints "contentfill: filled" and waits, writing nothing, for a
 * byte on COM1: 'w' rewrites the first "rewrite=W" unique pages with new
 * contents ("contentfill: rewrote W"), 'q' ends the guest.  The rest of
 * RAM holds the guest's image, stack and zeros as the VM started it.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("contentfill");

#define BASE		0x400000u
#define PAGE_WORDS	(4096 / 8)

/* page content: a 64-bit xorshift stream from a key no other page has */
static void fill(uint64_t *p, uint64_t key)
{
	uint64_t x = key * 0x9e3779b97f4a7c15ull + 1;
	unsigned int i;

	p[0] = key;
	for (i = 1; i < PAGE_WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

/* keys: kind in the top byte, seed and index below */
#define KEY(kind, seed, i) (((uint64_t)(kind) << 56) | ((uint64_t)(seed) << 32) | (i))

static int uart_getc(void)
{
	while (!(inb(COM1 + 5) & 1))
		cpu_relax();
	return inb(COM1);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t zero = hostile_num(mbi, "zero", 64);
	uint32_t common = hostile_num(mbi, "common", 64);
	uint32_t dup = hostile_num(mbi, "dup", 16);
	uint32_t copies = hostile_num(mbi, "copies", 4);
	uint32_t uniq = hostile_num(mbi, "uniq", 64);
	uint32_t seed = hostile_num(mbi, "seed", 1);
	uint32_t rewrite = hostile_num(mbi, "rewrite", 8);
	uint32_t pages = zero + common + dup * copies + uniq, i, j, round = 0;
	uint64_t *p = (uint64_t *)BASE, *u;

	if (!(mbi->flags & MB_INFO_MEMORY) || !seed ||
	    BASE + (uint64_t)pages * 4096 > 0x100000 + (uint64_t)mbi->mem_upper * 1024)
		tap_bail("%u pages from 4 MiB do not fit in the VM's RAM (or seed=0)",
			 pages);
	if (rewrite > uniq)
		tap_bail("rewrite=%u of uniq=%u pages", rewrite, uniq);
	for (i = 0; i < zero; i++, p += PAGE_WORDS)
		memset(p, 0, 4096);
	for (i = 0; i < common; i++, p += PAGE_WORDS)
		fill(p, KEY(1, 0, i));
	for (i = 0; i < dup; i++)
		for (j = 0; j < copies; j++, p += PAGE_WORDS)
			fill(p, KEY(2, seed, i));
	u = p;
	for (i = 0; i < uniq; i++, p += PAGE_WORDS)
		fill(p, KEY(3, seed, i));
	tap_ok(1, "filled %u pages: zero %u common %u dup %u x %u uniq %u seed %u",
	       pages, zero, common, dup, copies, uniq, seed);
	printf("contentfill: filled\n");
	serial_flush();
	for (;;) {
		int c = uart_getc();

		if (c == 'q')
			break;
		if (c != 'w')
			continue;
		round++;
		for (i = 0; i < rewrite; i++)
			fill(u + (uint64_t)i * PAGE_WORDS, KEY(4, seed, round << 16 | i));
		printf("contentfill: rewrote %u\n", rewrite);
		serial_flush();
	}
	return tap_done();
}
