/* SPDX-License-Identifier: GPL-2.0 */
/*
 * v3vmm test guest library.  Each guest provides
 *
 *	DEFINE_GUEST("name");
 *	int guest_main(uint32_t magic, struct multiboot_info *mbi);
 *
 * The start code sets up a GDT, a stack, the serial port and (32-bit
 * builds) an IDT, then calls guest_main() and passes its return value to
 * guest_exit().  See tests/guests/README.md.
 */
#ifndef _GUEST_H
#define _GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "multiboot.h"
#include "v3vmm.h"

#define __aligned(x)	__attribute__((aligned(x)))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Names the guest in its banner line. */
#define DEFINE_GUEST(n)	const char guest_name[] = n
extern const char guest_name[];

int guest_main(uint32_t magic, struct multiboot_info *mbi);

/* State captured by the start code before it changed anything. */
struct boot_state {
	uint32_t magic;		/* EAX at entry */
	uint32_t mbi;		/* EBX at entry */
	uint32_t cr0;
	uint32_t eflags;	/* at entry (read once a stack existed) */
	uint32_t cs;
	uint32_t bss_dirty;	/* first non-zero .bss byte the loader left, or 0 */
	uint32_t handoff;	/* longmode: 32-bit part's TAP state present */
	uint32_t tap_count;
	uint32_t tap_failed;
};
extern struct boot_state boot_state;

/* Linker-script symbols */
extern char __image_start[], __bss_start[], _end[];

/* serial.c: COM1 16550 at 0x3f8 */
#define COM1		0x3f8
void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);
void serial_flush(void);

/* printf.c: %s %c %d %i %u %x %X %p %% with l/ll and width/0/- flags */
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __printf(1, 2);

/* tap.c: "ok N - desc" / "not ok N - desc" on the console */
int tap_ok(int cond, const char *fmt, ...) __printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
void __noreturn tap_bail(const char *fmt, ...) __printf(1, 2);
int tap_done(void);		/* prints the plan; 0 if all passed, else 1 */
void tap_resume(unsigned int count, unsigned int failed);
unsigned int tap_count(void);
unsigned int tap_failed(void);

/* exit.c */
void __noreturn guest_exit(int code);
void __noreturn guest_halt(void);

/* string.c (also what gcc may call implicitly) */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* hypercall.c: VMMCALL (AMD) or VMCALL (Intel), chosen from CPUID */
long hypercall(unsigned long nr, unsigned long a0, unsigned long a1,
	       unsigned long a2);

#endif
