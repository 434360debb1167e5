/* SPDX-License-Identifier: GPL-2.0 */
#ifndef V3CTL_TEST_H
#define V3CTL_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_commands(void);
void test_gears_fmt(void);
void test_gears_exec(void);

/* test_gears_exec.c: a minimal static PIE; GEARS exec's relocation */
#define TEST_MINI_PIE_LEN	0x300
size_t test_mini_pie(uint8_t buf[TEST_MINI_PIE_LEN]);
int test_exec_relocate(uint8_t *d, uint64_t len, const uint64_t args[4],
		       uint64_t base);

#endif
