/* SPDX-License-Identifier: GPL-2.0 */
#ifndef V3CTL_TEST_H
#define V3CTL_TEST_H

#include <stdbool.h>

bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_commands(void);
void test_gears_fmt(void);

#endif
