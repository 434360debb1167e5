/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared bits of the malicious-guest corpus (tests/l1/hostile-suite.sh):
 * command-line options, a cheap random source, the PC's interrupt
 * controller windows.  Header-only so each hostile guest stays one .c.
 */
#ifndef _GUEST_HOSTILE_H
#define _GUEST_HOSTILE_H

#include "guest.h"
#include "lapic.h"

/* the xAPIC window and helpers (lib/lapic.h); the IOAPIC window at its
 * power-on address (82093AA datasheet 3.0) */
#define IOAPIC_BASE	0xfec00000u

/* "key=value" in the Multiboot command line: the value, or NULL */
static inline const char *hostile_opt(struct multiboot_info *mbi,
				      const char *key)
{
	const char *s, *k;

	if (!(mbi->flags & MB_INFO_CMDLINE) || !mbi->cmdline)
		return NULL;
	for (s = (const char *)mbi->cmdline; *s; s++) {
		if (s != (const char *)mbi->cmdline && s[-1] != ' ')
			continue;
		for (k = key; *k && *s == *k; k++, s++)
			;
		if (!*k && *s == '=')
			return s + 1;
	}
	return NULL;
}

/* a number (decimal or 0x hex) from the command line, or def */
static inline uint64_t hostile_num(struct multiboot_info *mbi,
				   const char *key, uint64_t def)
{
	const char *s = hostile_opt(mbi, key);
	uint64_t v = 0;
	int base = 10;

	if (!s || !*s || *s == ' ')
		return def;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (; *s && *s != ' '; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return def;
		v = v * base + d;
	}
	return v;
}

/* does option key have the value val (a word) */
static inline int hostile_is(struct multiboot_info *mbi, const char *key,
			     const char *val)
{
	const char *s = hostile_opt(mbi, key);

	if (!s)
		return 0;
	while (*val && *s == *val)
		s++, val++;
	return !*val && (!*s || *s == ' ');
}

/* xorshift64 (Marsaglia 2003): junk values, reproducible per seed */
static inline uint64_t hostile_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* the attack has begun: the driver waits for this line */
static inline void hostile_armed(const char *what)
{
	printf("# hostile: %s\n", what);
	serial_flush();
}

#endif
