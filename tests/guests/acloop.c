// SPDX-License-Identifier: GPL-2.0
/*
 * acloop: the alignment-check loop of CVE-2015-5307.  With CR0.AM and
 * EFLAGS.AC set, a misaligned data access at CPL 3 raises #AC (SDM vol. 3
 * 6.15 "Interrupt 17"); #AC is a benign exception, so one raised while
 * delivering #AC is simply delivered again (SDM vol. 3 table 6-5).  When
 * the #AC gate leads to a CPL-3 handler, the exception frame is pushed at
 * CPL 3 onto the current stack: a misaligned stack makes each push raise
 * #AC anew, and a CPU that does not intercept #AC loops in microcode for
 * ever, taking no interrupt.  A VMM must intercept #AC (KVM does since
 * 2015) so the host keeps its CPU.
 *
 * The guest first checks that this CPU raises #AC at all (an aligned
 * stack, one misaligned load: the handler prints "#AC raised"), then
 * switches to a misaligned stack and pushes.  Ring 3 gets IOPL 3 so it
 * can print.  Never returns.
 */
#include "guest.h"
#include "hostile.h"

DEFINE_GUEST("acloop");

#define SEL_CODE0	0x08
#define SEL_DATA0	0x10
#define SEL_CODE3	0x1b	/* GDT entry 3, RPL 3 */
#define SEL_DATA3	0x23	/* GDT entry 4, RPL 3 */
#define CR0_AM		(1u << 18)
#define EFLAGS_AC	(1u << 18)
#define EFLAGS_IOPL3	(3u << 12)

/* flat 4 GiB segments: code/data at DPL 0, code/data at DPL 3 */
static const uint64_t gdt[] __aligned(8) = {
	0,
	0x00cf9a000000ffffull,
	0x00cf92000000ffffull,
	0x00cffa000000ffffull,
	0x00cff2000000ffffull,
};

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct gate idt[256] __aligned(8);
static uint8_t user_stack[4096] __aligned(16);
volatile uint32_t ac_count;

void ac_user_entry(void);
void ac_handler(void);
void ac_dead(void);

/* ring-3 code: the probe, then the loop */
asm(".text\n"
    ".globl ac_user_entry\n"
    "ac_user_entry:\n"
    "	movl	1(%esp), %eax\n"	/* misaligned load: #AC if supported */
    "	call	ac_not_raised\n"
    "1:	jmp	1b\n"
    ".globl ac_handler\n"
    "ac_handler:\n"			/* CPL 3, no stack switch */
    "	incl	ac_count\n"
    "	cmpl	$1, ac_count\n"
    "	jne	2f\n"
    "	call	ac_raised\n"
    "2:	movl	$user_stack + 4096 - 3, %esp\n"
    "	pushl	%eax\n"		/* #AC, whose delivery raises #AC, ... */
    "	jmp	2b\n"
    ".globl ac_dead\n"
    "ac_dead:\n"
    "	hlt\n"
    "	jmp	ac_dead\n");

void ac_raised(void)
{
	printf("# acloop: #AC raised at CPL 3; now pushing onto a misaligned stack\n");
	serial_flush();
}

void ac_not_raised(void)
{
	printf("# acloop: this CPU raised no #AC for a misaligned CPL-3 load (no alignment checking): spinning instead\n");
	serial_flush();
}

static void set_gate(int v, void (*fn)(void), uint16_t sel, int dpl)
{
	uint32_t a = (uint32_t)fn;

	idt[v].off_lo = a & 0xffff;
	idt[v].off_hi = a >> 16;
	idt[v].sel = sel;
	idt[v].zero = 0;
	idt[v].type = 0x8e | (dpl << 5);	/* present 32-bit interrupt gate */
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gp = { sizeof(gdt) - 1, (uint32_t)gdt },
	  ip = { sizeof(idt) - 1, (uint32_t)idt };
	int v;

	for (v = 0; v < 256; v++)
		set_gate(v, ac_dead, SEL_CODE0, 0);
	set_gate(17, ac_handler, SEL_CODE3, 3);
	hostile_armed("#AC loop (CR0.AM, EFLAGS.AC, CPL-3 #AC handler, misaligned stack)");

	asm volatile("lgdt %0\n\t"
		     "lidt %1\n\t"
		     "ljmp %2, $1f\n"
		     "1:\n\t"
		     "movl %%cr0, %%eax\n\t"
		     "orl %3, %%eax\n\t"
		     "movl %%eax, %%cr0\n\t"
		     "movw %4, %%ax\n\t"
		     "movw %%ax, %%ds\n\t"
		     "movw %%ax, %%es\n\t"
		     "movw %%ax, %%fs\n\t"
		     "movw %%ax, %%gs\n\t"
		     "pushl %4\n\t"		/* SS */
		     "pushl %5\n\t"		/* ESP, aligned for the probe */
		     "pushl %6\n\t"		/* EFLAGS */
		     "pushl %7\n\t"		/* CS */
		     "pushl %8\n\t"		/* EIP */
		     "iret"
		     : : "m"(gp), "m"(ip), "i"(SEL_CODE0), "i"(CR0_AM),
		       "i"(SEL_DATA3), "i"(user_stack + sizeof(user_stack) - 64),
		       "i"(EFLAGS_AC | EFLAGS_IOPL3 | 2), "i"(SEL_CODE3),
		       "i"(ac_user_entry)
		     : "eax", "memory");
	return 1;
}
