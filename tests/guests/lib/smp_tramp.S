/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AP start-up code for lib/smp.c.
 *
 * smp_tramp_start..smp_tramp_end is copied to SMP_TRAMP_PAGE and run there
 * by each AP after the startup IPI: real mode, CS:IP = VV00:0000 for SIPI
 * vector VV (SDM vol. 3 9.4.4), though v3vmm enters with CS = 0 and
 * IP = 0x8000 (the same address).  So the code uses no CS-relative
 * address: DS is set to the page, and the far jump goes to an absolute
 * address.  The switch follows SDM vol. 3 10.9.1: LGDT, CR0.PE, a far
 * JMP, then the data segments.  CR0.CD/NW are cleared too: INIT leaves
 * them as they were (10.1.1, Table 10-1), set at power-on.
 *
 * smp_ap_entry32 then runs at its link address in the image: flat data
 * segments, the BSP's IDT, the stack of this CPU's APIC ID, smp_ap_main.
 */
#include "smp.h"

#define GDT_CODE32	0x08		/* lib/start32.S's GDT */
#define GDT_DATA	0x10

	.text
	.code16
	.globl	smp_tramp_start
smp_tramp_start:
	cli
	cld
	movw	$(SMP_TRAMP_PAGE >> 4), %ax
	movw	%ax, %ds
	lgdtl	smp_tramp_gdtr - smp_tramp_start	/* 32-bit base */
	movl	%cr0, %eax
	andl	$0x9fffffff, %eax		/* CD, NW off */
	orl	$1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	$GDT_CODE32, $smp_ap_entry32

	.balign	8
	.globl	smp_tramp_gdtr
smp_tramp_gdtr:					/* smp_start() fills it in */
	.word	0				/* limit */
	.long	0				/* base */
	.globl	smp_tramp_end
smp_tramp_end:

	.code32
smp_ap_entry32:
	movw	$GDT_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	lidt	smp_idtr
	movl	LAPIC_BASE + LAPIC_ID, %eax	/* APIC ID in bits 31:24 */
	shrl	$24, %eax
	testl	%eax, %eax
	jz	1f
	cmpl	$SMP_MAX_CPUS, %eax
	jae	1f
	/* APIC ID i >= 1 owns smp_stacks[i - 1]: its top is i * size */
	movl	%eax, %esp
	imull	$SMP_STACK_SIZE, %esp
	addl	$smp_stacks, %esp
	pushl	$0
	popfl					/* IF, DF, AC, NT clear */
	pushl	%eax
	call	smp_ap_main			/* does not return */
1:	cli
	hlt
	jmp	1b

	.bss
	.balign	16
	.globl	smp_stacks
smp_stacks:
	.skip	(SMP_MAX_CPUS - 1) * SMP_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
