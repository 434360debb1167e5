// SPDX-License-Identifier: GPL-2.0
/*
 * TAP-like reporting (testanything.org, version 12 subset): one line
 * "ok N - desc" or "not ok N - desc" per check, "# ..." diagnostics, the
 * plan "1..N" printed last by tap_done(), and "Bail out! ..." on a fatal
 * error.
 */
#include "guest.h"

static unsigned int tests, failed;

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failed++;
	printf("%sok %u - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	serial_puts("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
}

void __noreturn tap_bail(const char *fmt, ...)
{
	va_list ap;

	serial_puts("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
	guest_exit(1);
}

int tap_done(void)
{
	printf("1..%u\n", tests);
	if (failed)
		tap_diag("%s: FAILED %u of %u", guest_name, failed, tests);
	else
		tap_diag("%s: all %u passed", guest_name, tests);
	return failed || !tests;
}

/* Continue numbering where another stage (longmode's 32-bit half) left off. */
void tap_resume(unsigned int count, unsigned int nfailed)
{
	tests = count;
	failed = nfailed;
}

unsigned int tap_count(void)
{
	return tests;
}

unsigned int tap_failed(void)
{
	return failed;
}
