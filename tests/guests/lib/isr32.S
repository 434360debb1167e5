/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 256 interrupt stubs, 16 bytes apart starting at isr_stubs, so the IDT
 * entry for vector v points at isr_stubs + 16 * v.
 *
 * The CPU pushes an error code only for #DF, #TS, #NP, #SS, #GP, #PF, #AC,
 * #CP, #VC and #SX (SDM Vol. 3A §6.13, APM Vol. 2 §8.2); the other stubs push
 * a zero so every frame has the same layout (struct trap_frame).  A software
 * INT n to one of the error-code vectors would misalign the frame: don't.
 */
	.text
	.code32
	.balign	16
	.globl	isr_stubs
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl	$0
	.endif
	pushl	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr
	.globl	isr_stubs_end			/* the linker script checks the size */
isr_stubs_end:

isr_common:
	pushal
	cld
	movl	%esp, %eax
	pushl	%eax
	call	trap_dispatch
	addl	$4, %esp
	popal
	addl	$8, %esp			/* vector, error code */
	iretl

	.section .note.GNU-stack, "", @progbits
