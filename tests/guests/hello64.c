// SPDX-License-Identifier: GPL-2.0
/*
 * hello64: an ELF64 kernel entered directly in 64-bit long mode by v3ctl
 * (RAX = 0x2BADB002, RBX = multiboot info, identity-mapped paging).
 */
#include "guest.h"

DEFINE_GUEST("hello64");

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t efer = rdmsr(MSR_EFER), star, lstar;

	printf("Hello from 64-bit\n");
	if (magic == MB_BOOT_MAGIC && mbi && (mbi->flags & MB_INFO_CMDLINE))
		printf("cmdline: %s\n", (const char *)(uintptr_t)mbi->cmdline);

	tap_ok(magic == MB_BOOT_MAGIC, "RAX held the boot magic (%#x)", magic);
	tap_ok(mbi && mbi->flags, "RBX points at the multiboot info");
	tap_ok(!(boot_state.eflags & EFLAGS_IF), "entered with EFLAGS.IF clear");
	if (boot_state.bss_dirty)
		tap_diag(".bss byte at %#x was not zero", boot_state.bss_dirty);
	tap_ok(!boot_state.bss_dirty, "loader zeroed .bss (p_memsz > p_filesz)");
	tap_ok(efer & EFER_LMA, "EFER.LMA set (EFER %#llx)",
	       (unsigned long long)efer);
	tap_ok((read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE),
	       "CR0.PG and CR4.PAE set");

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
