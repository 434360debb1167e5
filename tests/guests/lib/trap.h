/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IDT and exception handling for the guests (SDM Vol. 3A ch. 6
 * "Interrupt and Exception Handling", APM Vol. 2 ch. 8).  The 32-bit start
 * code calls idt_init(); a 64-bit guest that wants exceptions links
 * lib/trap.o and lib/isr64.o and calls idt_init() itself (TRAP64 in the
 * Makefile).
 *
 * Every vector has a stub that builds a struct trap_frame and calls
 * trap_dispatch().  A fault is survivable in three ways, tried in order:
 *
 *   1. a handler installed with trap_set_handler() returns nonzero;
 *   2. the faulting EIP has an exception-table entry (EXTABLE in inline
 *      asm): execution continues at the fixup label;
 *   3. fault_expect(vector, skip) was armed: EIP advances by skip bytes
 *      (0 for traps such as #BP, whose saved EIP already points past the
 *      instruction).
 *
 * Anything else prints "Bail out!" and exits with failure.  Every
 * exception is recorded in last_fault, and fault_count is incremented.
 */
#ifndef _GUEST_TRAP_H
#define _GUEST_TRAP_H

#include <stdint.h>

/* Exception vectors (SDM Vol. 3A Table 6-1) */
#define X86_TRAP_DE	0
#define X86_TRAP_DB	1
#define X86_TRAP_NMI	2
#define X86_TRAP_BP	3
#define X86_TRAP_OF	4
#define X86_TRAP_BR	5
#define X86_TRAP_UD	6
#define X86_TRAP_NM	7
#define X86_TRAP_DF	8
#define X86_TRAP_TS	10
#define X86_TRAP_NP	11
#define X86_TRAP_SS	12
#define X86_TRAP_GP	13
#define X86_TRAP_PF	14
#define X86_TRAP_MF	16
#define X86_TRAP_AC	17
#define X86_TRAP_MC	18
#define X86_TRAP_XM	19

/* #PF error code bits (SDM Vol. 3A §4.7) */
#define PF_P		(1U << 0)	/* protection violation (else not present) */
#define PF_W		(1U << 1)	/* write access */
#define PF_U		(1U << 2)	/* user mode */
#define PF_RSVD		(1U << 3)	/* reserved bit set in an entry */
#define PF_I		(1U << 4)	/* instruction fetch (NXE or SMEP) */

#define GDT_CODE32	0x08
#define GDT_DATA	0x10
#define GDT_CODE64	0x18

#ifdef __x86_64__
/*
 * Layout built by lib/isr64.S: the general registers, vector, error code,
 * then the CPU's frame, which in 64-bit mode always holds RSP and SS
 * (SDM Vol. 3A §6.14.2).  "eip" is RIP: the name is shared with 32-bit.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector;
	uint64_t error;		/* 0 for vectors without an error code */
	uint64_t eip, cs, eflags, rsp, ss;
};
#else
/* Layout built by lib/isr32.S: PUSHAD, vector, error code, CPU frame. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
	uint32_t vector;
	uint32_t error;		/* 0 for vectors without an error code */
	uint32_t eip, cs, eflags;
};
#endif

struct fault_record {
	uint32_t vector;	/* ~0 when nothing happened since fault_reset() */
	uint32_t error;
	unsigned long eip;
	unsigned long cr2;	/* #PF only */
};

extern volatile struct fault_record last_fault;
extern volatile uint32_t fault_count;

typedef int (*trap_handler_t)(struct trap_frame *f);

void idt_init(void);
void trap_set_handler(unsigned int vector, trap_handler_t fn);
/* make VECTOR's gate reachable by INT n from CPL 3 (DPL 3) */
void trap_allow_user(unsigned int vector);
void fault_reset(void);
void fault_expect(unsigned int vector, unsigned int skip);
const char *trap_name(unsigned int vector);

/*
 * Exception-table entry: if the instruction at label "from" faults, resume
 * at label "to".  Use inside an asm() statement, e.g.
 *
 *	asm volatile("1: rdmsr\n2:\n" EXTABLE(1b, 2b) ...);
 */
#define EXTABLE(from, to)					\
	".pushsection __ex_table, \"a\"\n"			\
	".balign 4\n"						\
	".long " #from ", " #to "\n"				\
	".popsection\n"

/* MSR access that returns the exception vector, or -1 if none. */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);

#endif
