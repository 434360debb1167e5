// SPDX-License-Identifier: GPL-2.0
/*
 * badpt: page tables that point outside RAM, by "mode=":
 *   cr3      32-bit paging, CR3 = "at=" (default 0xfffff000, unbacked)
 *   cr3mmio  32-bit paging, CR3 = the LAPIC page: the walk reads MMIO
 *   pae      PAE paging, CR3 = "at=" (default 0xffffffe0): the PDPTEs
 *            lie outside RAM (VMX with EPT loads them at MOV CR3 and
 *            at entry, SDM vol. 3 4.4.1; SVM walks them on use)
 *   pde      PAE paging, the code identity-mapped by a 2 MiB page, and
 *            one PDE pointing to a page table at a huge physical address
 *            ("at=", default 0xfffffff000): a load through it
 * The paging modes are set from code that lives in identity-mapped memory
 * (or, for the CR3 cases, nowhere: the next fetch walks the bad tables).
 * A #PF is caught and the access retried, for ever; a VMM may instead
 * stop the VM (bad-memory).  Never returns by itself.
 */
#include "guest.h"
#include "trap.h"
#include "hostile.h"

DEFINE_GUEST("badpt");

#define PTE_P	1ull
#define PTE_RW	2ull
#define PTE_PS	0x80ull
#define CR0_PG_	0x80000000u
#define CR4_PAE_ 0x20u

static uint64_t pdpt[4] __aligned(32);
static uint64_t pd[512] __aligned(4096);
static volatile uint32_t pfs;

static int pf(struct trap_frame *f)
{
	pfs++;
	return 1;	/* retry the access */
}

static void __noreturn paging_on(uint32_t cr3, int pae)
{
	if (pae)
		write_cr4(read_cr4() | CR4_PAE_);
	asm volatile("movl %0, %%cr3\n\t"
		     "movl %%cr0, %%eax\n\t"
		     "orl %1, %%eax\n\t"
		     "movl %%eax, %%cr0\n\t"
		     "1: jmp 1b"
		     : : "r"(cr3), "i"(CR0_PG_) : "eax", "memory");
	for (;;)
		;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t at;
	int i;

	trap_set_handler(X86_TRAP_PF, pf);
	if (hostile_is(mbi, "mode", "cr3")) {
		at = hostile_num(mbi, "at", 0xfffff000u);
		printf("# badpt: CR3 0x%llx\n", (unsigned long long)at);
		hostile_armed("paging with CR3 outside RAM");
		paging_on(at, 0);
	}
	if (hostile_is(mbi, "mode", "cr3mmio")) {
		hostile_armed("paging with CR3 at the LAPIC page");
		paging_on(LAPIC_BASE, 0);
	}
	if (hostile_is(mbi, "mode", "pae")) {
		at = hostile_num(mbi, "at", 0xffffffe0u);
		printf("# badpt: PAE CR3 0x%llx\n", (unsigned long long)at);
		hostile_armed("PAE paging with the PDPTEs outside RAM");
		paging_on(at, 1);
	}
	if (hostile_is(mbi, "mode", "pde")) {
		volatile uint32_t *p = (volatile uint32_t *)0x40200000u;
		uint32_t sink = 0;

		at = hostile_num(mbi, "at", 0xfffffff000ull);
		/* 0..2 MiB identity (image, stack, IDT), 1 GiB + 2 MiB.. -> tables at "at" */
		for (i = 0; i < 4; i++)
			pdpt[i] = i == 1 || i == 0 ?
				  (uint32_t)pd | PTE_P : 0;
		pd[0] = PTE_P | PTE_RW | PTE_PS;
		for (i = 1; i < 512; i++)
			pd[i] = (at + (uint64_t)i * 0x1000) | PTE_P | PTE_RW;
		printf("# badpt: PDEs -> page tables at 0x%llx\n",
		       (unsigned long long)at);
		write_cr4(read_cr4() | CR4_PAE_);
		write_cr3((uint32_t)pdpt);
		write_cr0(read_cr0() | CR0_PG_);
		hostile_armed("PAE paging with PDEs pointing outside RAM");
		for (;;)
			sink += *p;	/* PDPT 1, PDE 1: the page table at "at" + 4K */
	}
	tap_bail("badpt: mode=cr3|cr3mmio|pae|pde expected");
}
