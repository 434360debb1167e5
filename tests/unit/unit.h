/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the user-space unit tests: each check prints "ok N name" or
 * "not ok N name" with a diagnostic; unit_done() prints the plan and
 * returns the exit status (1 if anything failed).
 */
#ifndef _V3_UNIT_H
#define _V3_UNIT_H

#include <stdio.h>

extern char shim_last_log[512];
extern int shim_warnings;

static int unit_n, unit_failed;

#define CHECK(cond, ...) do {						\
	int __ok = !!(cond);	/* evaluated once: it may have effects */ \
	unit_n++;							\
	if (__ok) {							\
		printf("ok %d ", unit_n);				\
	} else {							\
		unit_failed++;						\
		printf("not ok %d ", unit_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!__ok)							\
		printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
} while (0)

#define CHECK_EQ(got, want, ...) do {					\
	unsigned long long __g = (got), __w = (want);			\
	CHECK(__g == __w, __VA_ARGS__);					\
	if (__g != __w)							\
		printf("#   got 0x%llx, want 0x%llx\n", __g, __w);	\
} while (0)

/* "f0 48 0f b1 0f" -> bytes in b (at most max): how many */
static inline unsigned int unit_hex(const char *hex, unsigned char *b,
				    unsigned int max)
{
	unsigned int n = 0, v;

	while (hex[0] && hex[1] && n < max && sscanf(hex, "%2x", &v) == 1) {
		b[n++] = v;
		hex += 2;
		while (*hex == ' ')
			hex++;
	}
	return n;
}

static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	if (shim_warnings)
		printf("# %d kernel WARN(s) would have fired\n", shim_warnings);
	return unit_failed || shim_warnings ? 1 : 0;
}

#endif
