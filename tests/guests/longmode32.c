// SPDX-License-Identifier: GPL-2.0
/*
 * longmode, 32-bit half: build 4-level page tables identity-mapping the
 * first 1 GiB with 2 MiB pages, then enter long mode the architectural way
 * (SDM Vol. 3A §10.8.5 "Initializing IA-32e Mode", APM Vol. 2 §14.6
 * "Enabling and Activating Long Mode"):
 *
 *	CR4.PAE = 1; CR3 = PML4; EFER.LME = 1; CR0.PG = 1 (-> compatibility
 *	mode, EFER.LMA = 1); far jump to a 64-bit code segment.
 *
 * The 64-bit half (longmode64.c) is linked separately at LM64_BASE and
 * embedded here by lm64_blob.S; it continues the TAP numbering.
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("longmode");

/* 4-level paging entries (SDM Vol. 3A §4.5) */
#define PG_P		0x001
#define PG_W		0x002
#define PG_PS		0x080	/* in a PDE: 2 MiB page */

#define LM64_HANDOFF	0x4c4d3634

static uint64_t pml4[512] __aligned(4096);
static uint64_t pdpt[512] __aligned(4096);
static uint64_t pd[512] __aligned(4096);

extern char lm64_entry[];	/* --defsym'd to LM64_BASE by the Makefile */

/* What the 64-bit half gets in EBX/ECX/EDX (see lib/start64.S). */
static uint32_t handoff[3];

static void __noreturn enter_long_mode(void)
{
	asm volatile("movl %%cr4, %%eax\n\t"
		     "orl %[pae], %%eax\n\t"
		     "movl %%eax, %%cr4\n\t"
		     "movl %[pml4], %%cr3\n\t"
		     "movl %[efer], %%ecx\n\t"
		     "rdmsr\n\t"
		     "orl %[lme], %%eax\n\t"
		     "wrmsr\n\t"
		     "movl %%cr0, %%eax\n\t"
		     "orl %[pg], %%eax\n\t"
		     "movl %%eax, %%cr0\n\t"
		     /* compatibility mode now; the far jump enters 64-bit */
		     "movl %[magic], %%eax\n\t"
		     "movl %[h0], %%ebx\n\t"
		     "movl %[h1], %%ecx\n\t"
		     "movl %[h2], %%edx\n\t"
		     "movl %[ho], %%esi\n\t"
		     "ljmp %[cs], $lm64_entry"
		     :
		     : [pae] "i"(CR4_PAE), [pml4] "D"(pml4),
		       [efer] "i"(MSR_EFER), [lme] "i"(EFER_LME),
		       [pg] "i"(CR0_PG), [magic] "i"(MB_BOOT_MAGIC),
		       [ho] "i"(LM64_HANDOFF), [cs] "i"(GDT_CODE64),
		       [h0] "m"(handoff[0]), [h1] "m"(handoff[1]),
		       [h2] "m"(handoff[2])
		     : "eax", "ebx", "ecx", "edx", "esi", "memory");
	__builtin_unreachable();
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t max_ext = cpuid(0x80000000).eax;
	int lm = max_ext >= 0x80000001 &&
		 (cpuid(0x80000001).edx & (1U << 29));
	uint64_t efer;

	if (!tap_ok(lm, "CPUID reports long mode (0x80000001 EDX[29])"))
		return tap_done();
	efer = rdmsr(MSR_EFER);
	tap_ok(!(efer & (EFER_LME | EFER_LMA)),
	       "EFER.LME/LMA clear in protected mode (EFER %#llx)",
	       (unsigned long long)efer);
	tap_ok(*(volatile uint8_t *)lm64_entry != 0,
	       "64-bit half loaded at %p", lm64_entry);

	for (int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PG_P | PG_W | PG_PS;
	pdpt[0] = (uint32_t)pd | PG_P | PG_W;
	pml4[0] = (uint32_t)pdpt | PG_P | PG_W;

	handoff[0] = (uint32_t)mbi;
	handoff[1] = tap_count();
	handoff[2] = tap_failed();
	tap_diag("enabling long mode, PML4 at %p", pml4);
	serial_flush();
	enter_long_mode();
}
