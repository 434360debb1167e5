/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit interrupt stubs, 16 bytes apart starting at isr_stubs (the same
 * scheme as isr32.S).  In 64-bit mode the CPU aligns RSP to 16 bytes and
 * always pushes SS, RSP, RFLAGS, CS, RIP (SDM Vol. 3A §6.14.2, APM Vol. 2
 * §8.9.3); the stubs add an error code where the CPU pushes none, the
 * vector, and 15 registers: 22 quadwords, so RSP is 16-byte aligned again
 * at the call (the psABI's rule).
 */
	.text
	.code64
	.balign	16
	.globl	isr_stubs
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr
	.globl	isr_stubs_end
isr_stubs_end:

isr_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp			/* vector, error code */
	iretq

	.section .note.GNU-stack, "", @progbits
