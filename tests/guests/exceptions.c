// SPDX-License-Identifier: GPL-2.0
/*
 * exceptions: the VMM must deliver guest exceptions through the guest's
 * own IDT with the right vector, error code, saved EIP and (for #PF) CR2.
 * Fault vs. trap semantics per SDM Vol. 3A §6.5: a fault saves the EIP of
 * the faulting instruction, a trap (#BP from INT3) the EIP after it.
 */
#include "guest.h"
#include "trap.h"

DEFINE_GUEST("exceptions");

/* 32-bit paging structures (SDM Vol. 3A §4.3) */
#define PTE_P		0x001
#define PTE_W		0x002

static uint32_t pgdir[1024] __aligned(4096);
static uint32_t pgtab[1024] __aligned(4096);
static volatile uint8_t victim[4096] __aligned(4096);

static int check(uint32_t vec, uint32_t err, uint32_t eip, const char *what)
{
	int ok = last_fault.vector == vec && last_fault.error == err &&
		 last_fault.eip == eip;

	if (!ok)
		tap_diag("got vector %d error %#x eip %#x, want %u %#x %#x",
			 (int)last_fault.vector, (unsigned int)last_fault.error,
			 (unsigned int)last_fault.eip, vec, err, eip);
	return tap_ok(ok, "%s: vector %u (%s) error %#x eip %#x", what, vec,
		      trap_name(vec), err, eip);
}

static void test_de(void)
{
	uint32_t at, a = 1234;

	fault_reset();
	asm volatile("movl $1f, %0\n\t"
		     "xorl %%edx, %%edx\n"
		     "1:\tdivl %%ecx\n"
		     "2:\n" EXTABLE(1b, 2b)
		     : "=&r"(at), "+a"(a) : "c"(0) : "edx", "cc");
	check(X86_TRAP_DE, 0, at, "divide by zero");
}

static void test_ud(void)
{
	uint32_t at;

	fault_reset();
	asm volatile("movl $1f, %0\n"
		     "1:\tud2\n"
		     "2:\n" EXTABLE(1b, 2b) : "=r"(at));
	check(X86_TRAP_UD, 0, at, "ud2");
}

static void test_bp(void)
{
	uint32_t after;

	/* INT3 is a trap: the saved EIP is already past it, skip 0 bytes. */
	fault_expect(X86_TRAP_BP, 0);
	asm volatile("int3\n1:\n\tmovl $1b, %0" : "=r"(after));
	check(X86_TRAP_BP, 0, after, "int3");
}

static void test_gp_selector(void)
{
	uint32_t at;

	/*
	 * Loading DS with a selector beyond the GDT limit (0x1f) raises
	 * #GP whose error code is the selector index with the EXT/IDT/TI
	 * bits (SDM Vol. 3A §6.13): 0x28 here.
	 */
	fault_reset();
	asm volatile("movl $1f, %0\n\t"
		     "movw $0x28, %%ax\n"
		     "1:\tmovw %%ax, %%ds\n"
		     "2:\n" EXTABLE(1b, 2b) : "=&r"(at) : : "eax", "memory");
	check(X86_TRAP_GP, 0x28, at, "bad DS selector");
}

static int soft_int_hits;

static int soft_int_handler(struct trap_frame *f)
{
	soft_int_hits++;
	f->eax = 0x600dcafe;
	return 1;
}

static void test_soft_int(void)
{
	uint32_t eax = 0;

	trap_set_handler(0x80, soft_int_handler);
	asm volatile("int $0x80" : "+a"(eax) : : "memory");
	tap_ok(soft_int_hits == 1 && eax == 0x600dcafe,
	       "int $0x80 reaches its handler and returns a value");
}

static uint32_t read_fault(volatile void *addr, uint32_t *at)
{
	uint32_t v = 0;

	asm volatile("movl $1f, %0\n"
		     "1:\tmovl (%2), %1\n"
		     "2:\n" EXTABLE(1b, 2b)
		     : "=&r"(*at), "+r"(v) : "r"(addr) : "memory");
	return v;
}

static void write_fault(volatile void *addr, uint32_t v, uint32_t *at)
{
	asm volatile("movl $1f, %0\n"
		     "1:\tmovl %1, (%2)\n"
		     "2:\n" EXTABLE(1b, 2b)
		     : "=&r"(*at) : "r"(v), "r"(addr) : "memory");
}

static void invlpg(volatile void *p)
{
	asm volatile("invlpg (%0)" : : "r"(p) : "memory");
}

static void test_pf(void)
{
	uint32_t va = (uint32_t)victim, vpn = va >> 12, at;
	volatile uint32_t *target = (uint32_t *)(va + 0x124);
	int ok;

	/* Identity map 0-4 MiB with 4 KiB pages, victim page not present. */
	if ((uint32_t)_end > 0x400000)
		tap_bail("image does not fit in the first 4 MiB");
	for (uint32_t i = 0; i < 1024; i++)
		pgtab[i] = (i << 12) | PTE_P | PTE_W;
	pgtab[vpn] = 0;
	pgdir[0] = (uint32_t)pgtab | PTE_P | PTE_W;
	write_cr3((uint32_t)pgdir);
	write_cr4(read_cr4() & ~(CR4_PAE | CR4_PSE));
	write_cr0(read_cr0() | CR0_PG);
	tap_ok(read_cr0() & CR0_PG, "32-bit paging enabled");

	fault_reset();
	read_fault(target, &at);
	check(X86_TRAP_PF, 0, at, "read of a not-present page");
	tap_ok(last_fault.cr2 == (uint32_t)target, "CR2 = %p", target);

	fault_reset();
	write_fault(target, 0x1234, &at);
	check(X86_TRAP_PF, PF_W, at, "write to a not-present page");
	tap_ok(last_fault.cr2 == (uint32_t)target, "CR2 = %p", target);

	/* Present but read-only, with CR0.WP so supervisor writes fault too. */
	pgtab[vpn] = va | PTE_P;
	invlpg(victim);
	write_cr0(read_cr0() | CR0_WP);
	fault_reset();
	ok = read_fault(target, &at) == 0 && last_fault.vector == ~0U;
	tap_ok(ok, "read of a read-only page succeeds");
	fault_reset();
	write_fault(target + 1, 0x5678, &at);
	check(X86_TRAP_PF, PF_P | PF_W, at, "write to a read-only page");
	tap_ok(last_fault.cr2 == (uint32_t)(target + 1), "CR2 = %p",
	       target + 1);

	pgtab[vpn] = va | PTE_P | PTE_W;
	invlpg(victim);
	*target = 0xfeedf00d;
	tap_ok(victim[0x124] == 0x0d, "write after making the page writable");

	write_cr0(read_cr0() & ~(CR0_PG | CR0_WP));
	tap_ok(!(read_cr0() & CR0_PG), "paging disabled again");
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	test_de();
	test_ud();
	test_bp();
	test_gp_selector();
	test_soft_int();
	test_pf();
	tap_ok(fault_count == 8, "exactly 8 exceptions taken (%u)",
	       (unsigned int)fault_count);
	return tap_done();
}
