// SPDX-License-Identifier: GPL-2.0
/*
 * printf-lite to the serial console.  Conversions: %s %c %d %i %u %x %X %p
 * %%, length modifiers l and ll, flags '-', '0', '#', and a field width.
 * No libgcc: 64-bit decimal conversion divides by 10 with shifts.
 */
#include "guest.h"

/* n / 10 without a 64-bit divide (Hacker's Delight, divu10). */
static uint64_t divmod10(uint64_t n, unsigned int *rem)
{
	uint64_t q, r;

	q = (n >> 1) + (n >> 2);
	q += q >> 4;
	q += q >> 8;
	q += q >> 16;
	q += q >> 32;
	q >>= 3;
	r = n - ((q << 3) + (q << 1));
	while (r > 9) {
		q++;
		r -= 10;
	}
	*rem = r;
	return q;
}

struct spec {
	int left, zero, alt;
	int width;
};

static int emit(const struct spec *sp, const char *prefix, const char *s,
		int len)
{
	int plen = strlen(prefix), pad = sp->width - plen - len, n = 0;

	if (pad < 0)
		pad = 0;
	if (!sp->left && !sp->zero)
		for (; pad; pad--, n++)
			serial_putc(' ');
	for (; *prefix; n++)
		serial_putc(*prefix++);
	if (!sp->left && sp->zero)
		for (; pad; pad--, n++)
			serial_putc('0');
	for (int i = 0; i < len; i++, n++)
		serial_putc(s[i]);
	for (; pad; pad--, n++)
		serial_putc(' ');
	return n;
}

static int emit_num(const struct spec *sp, uint64_t v, int base, int neg,
		    int upper, int alt)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = sizeof(buf);
	unsigned int rem;

	do {
		if (base == 10) {
			v = divmod10(v, &rem);
			buf[--i] = digits[rem];
		} else {
			buf[--i] = digits[v & 15];
			v >>= 4;
		}
	} while (v);
	return emit(sp, neg ? "-" : alt ? "0x" : "", buf + i, sizeof(buf) - i);
}

int vprintf(const char *fmt, va_list ap)
{
	int n = 0;

	for (; *fmt; fmt++) {
		struct spec sp = { 0 };
		int lng = 0;
		uint64_t v;
		int64_t sv;
		const char *s;
		char c;

		if (*fmt != '%') {
			serial_putc(*fmt);
			n++;
			continue;
		}
		for (;;) {
			c = *++fmt;
			if (c == '-')
				sp.left = 1;
			else if (c == '0')
				sp.zero = 1;
			else if (c == '#')
				sp.alt = 1;
			else
				break;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 2)
				sv = va_arg(ap, long long);
			else if (lng)
				sv = va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			v = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
			n += emit_num(&sp, v, 10, sv < 0, 0, 0);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			n += emit_num(&sp, v, *fmt == 'u' ? 10 : 16, 0,
				      *fmt == 'X', sp.alt && *fmt != 'u');
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			n += emit_num(&sp, v, 16, 0, 0, 1);
			break;
		case 'c':
			c = va_arg(ap, int);
			n += emit(&sp, "", &c, 1);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n += emit(&sp, "", s, strlen(s));
			break;
		case '%':
			serial_putc('%');
			n++;
			break;
		case 0:
			return n;
		default:
			serial_putc('%');
			serial_putc(*fmt);
			n += 2;
		}
	}
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
