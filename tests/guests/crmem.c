// SPDX-License-Identifier: GPL-2.0
/*
 * crmem: LMSW and SMSW with memory operands and SMSW's register sizes,
 * which a VMM in shadow paging mode emulates (SVM intercepts
 * SMSW as a CR0 read and LMSW as a CR0 write, and gives neither operand):
 * the word comes from or goes to the right address (SIB, displacement,
 * segment override), through the guest's page tables with a #PF where the
 * CPU raises one; LMSW cannot clear PE; SMSW %ax leaves the upper half of
 * EAX.  The same results are expected in nested mode, where the CPU runs
 * them itself.  (CR4.LA57 is checked by tests/unit/test_mmu_cr.c only:
 * QEMU 7.2's TCG hangs on a MOV to CR4 with LA57 instead of raising #GP,
 * so a nested-mode run on the emulated host could not pass.)
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("crmem");

#define CR0_MP		(1U << 1)
#define CR0_EM		(1U << 2)
#define CR0_TS		(1U << 3)
#define PTE_P		0x001
#define PTE_W		0x002

static uint32_t pgdir[1024] __aligned(4096);
static uint32_t pgtab[1024] __aligned(4096);
static volatile uint16_t words[8] __aligned(16);
static volatile uint8_t victim[4096] __aligned(4096);

static void test_smsw_mem(void)
{
	uint32_t cr0 = read_cr0(), i = 2;

	words[0] = words[1] = 0xaaaa;
	asm volatile("smsw %0" : "=m"(words[0]));
	tap_ok(words[0] == (uint16_t)cr0 && words[1] == 0xaaaa,
	       "smsw to memory stores CR0[15:0] (%#x, CR0 %#x), nothing after it",
	       words[0], (unsigned int)cr0);
	words[5] = 0;
	asm volatile("smsw 2(%0,%1,4)" : : "r"(words), "r"(i) : "memory");
	tap_ok(words[5] == (uint16_t)cr0, "smsw 2(base,index,4) reaches its word");
	words[6] = 0;
	asm volatile("smsw %%ss:(%0)" : : "r"(&words[6]) : "memory");
	tap_ok(words[6] == (uint16_t)cr0, "smsw with an SS override");
}

static void test_smsw_reg(void)
{
	uint32_t eax = 0x12345678, cr0 = read_cr0();

	asm volatile("smsw %%ax" : "+a"(eax));
	tap_ok(eax == (0x12340000 | (uint16_t)cr0),
	       "smsw %%ax leaves EAX[31:16] (%#x)", (unsigned int)eax);
	asm volatile("smsw %0" : "=r"(eax));
	tap_ok(eax == cr0, "smsw %%eax stores all of CR0 (%#x)", (unsigned int)eax);
}

static void test_lmsw_mem(void)
{
	uint32_t cr0 = read_cr0();

	words[2] = CR0_MP | CR0_TS | 0xfff0;
	asm volatile("lmsw %0" : : "m"(words[2]) : "memory");
	tap_ok((read_cr0() & 0xf) == (CR0_PE | CR0_MP | CR0_TS) &&
	       (read_cr0() & ~0xfU) == (cr0 & ~0xfU),
	       "lmsw from memory sets MP and TS, nothing above bit 3 (%#x)",
	       (unsigned int)read_cr0());
	words[3] = 0;
	asm volatile("lmsw 2(%0)" : : "r"(&words[2]) : "memory");
	tap_ok((read_cr0() & 0xf) == CR0_PE,
	       "lmsw of 0 from memory clears MP, EM, TS but not PE");
	write_cr0(cr0);
}

static void test_paged(void)
{
	uint32_t va = (uint32_t)victim, cr0 = read_cr0(), at;
	volatile uint16_t *target = (uint16_t *)(va + 0x10);

	if ((uint32_t)_end > 0x400000)
		tap_bail("image does not fit in the first 4 MiB");
	for (uint32_t i = 0; i < 1024; i++)
		pgtab[i] = (i << 12) | PTE_P | PTE_W;
	pgtab[va >> 12] = va | PTE_P;		/* read-only */
	pgdir[0] = (uint32_t)pgtab | PTE_P | PTE_W;
	write_cr3((uint32_t)pgdir);
	write_cr4(read_cr4() & ~(CR4_PAE | CR4_PSE));
	write_cr0(read_cr0() | CR0_PG | CR0_WP);

	fault_reset();
	asm volatile("movl $1f, %0\n"
		     "1:\tsmsw (%1)\n"
		     "2:\n" EXTABLE(1b, 2b)
		     : "=&r"(at) : "r"(target) : "memory");
	tap_ok(last_fault.vector == X86_TRAP_PF && last_fault.error == (PF_P | PF_W) &&
	       last_fault.eip == at && last_fault.cr2 == (uint32_t)target,
	       "smsw to a read-only page: #PF P|W at the smsw, CR2 = %p (vector %d error %#x cr2 %#x)",
	       target, (int)last_fault.vector, (unsigned int)last_fault.error,
	       (unsigned int)last_fault.cr2);

	pgtab[va >> 12] = 0;			/* not present */
	asm volatile("invlpg (%0)" : : "r"(victim) : "memory");
	fault_reset();
	asm volatile("movl $1f, %0\n"
		     "1:\tlmsw (%1)\n"
		     "2:\n" EXTABLE(1b, 2b)
		     : "=&r"(at) : "r"(target) : "memory");
	tap_ok(last_fault.vector == X86_TRAP_PF && last_fault.error == 0 &&
	       last_fault.eip == at && last_fault.cr2 == (uint32_t)target,
	       "lmsw from a not-present page: #PF 0 at the lmsw (vector %d error %#x)",
	       (int)last_fault.vector, (unsigned int)last_fault.error);

	pgtab[va >> 12] = va | PTE_P | PTE_W;
	asm volatile("invlpg (%0)" : : "r"(victim) : "memory");
	*target = 0;
	asm volatile("smsw (%0)" : : "r"(target) : "memory");
	tap_ok(*target == (uint16_t)read_cr0(), "smsw through the page tables once writable");

	write_cr0(cr0);
	tap_ok(!(read_cr0() & CR0_PG), "paging off again");
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	test_smsw_mem();
	test_smsw_reg();
	test_lmsw_mem();
	test_paged();
	return tap_done();
}
