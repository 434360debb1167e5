// SPDX-License-Identifier: GPL-2.0
/*
 * longmode, 64-bit half: reached from longmode32.c's far jump with the
 * guest's own page tables (1 GiB identity-mapped with 2 MiB pages).
 */
#include "guest.h"

DEFINE_GUEST("longmode");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t efer = rdmsr(MSR_EFER), star, lstar, ram_end, top;
	volatile uint64_t wide = 0x123456789ULL;
	volatile uint64_t *p;

	printf("Hello from 64-bit long mode\n");
	tap_ok(boot_state.handoff, "entered from the 32-bit half");
	tap_ok(efer & EFER_LMA, "EFER.LMA set (EFER %#llx)",
	       (unsigned long long)efer);
	tap_ok(efer & EFER_LME, "EFER.LME still set");
	tap_ok((read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE),
	       "CR0.PG and CR4.PAE set");
	wide <<= 8;
	tap_ok(wide == 0x12345678900ULL, "64-bit arithmetic");
	tap_ok(magic == MB_BOOT_MAGIC && mbi, "multiboot info handed over");
	if (mbi && (mbi->flags & MB_INFO_CMDLINE))
		printf("cmdline: %s\n", (const char *)(uintptr_t)mbi->cmdline);

	/* Through the last 2 MiB mapping that has RAM, up to 1 GiB. */
	if (mbi && (mbi->flags & MB_INFO_MEMORY)) {
		ram_end = 0x100000 + mbi->mem_upper * 1024ULL;
		top = ram_end < (1ULL << 30) ? ram_end : 1ULL << 30;
		p = (uint64_t *)(uintptr_t)(top - 8);
		*p = 0x0123456789abcdefULL;
		tap_ok(*p == 0x0123456789abcdefULL,
		       "write/read at %p via the identity map", p);
	}

	/* SYSCALL MSRs (SDM Vol. 3A §5.8.8, APM Vol. 2 §6.1.1) */
	star = rdmsr(MSR_STAR);
	lstar = rdmsr(MSR_LSTAR);
	wrmsr(MSR_STAR, 0x0023001000000000ULL);
	wrmsr(MSR_LSTAR, 0xffffffff81234560ULL);
	tap_ok(rdmsr(MSR_STAR) == 0x0023001000000000ULL, "STAR round trip");
	tap_ok(rdmsr(MSR_LSTAR) == 0xffffffff81234560ULL, "LSTAR round trip");
	wrmsr(MSR_STAR, star);
	wrmsr(MSR_LSTAR, lstar);
	return tap_done();
}
