/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit entry, used by hello64 (an ELF64 that v3ctl enters directly in
 * long mode with RAX = 0x2BADB002 and RBX = multiboot info) and by the
 * 64-bit half of the longmode guest, whose 32-bit half jumps here after
 * enabling long mode and additionally passes ESI = LM64_HANDOFF, ECX/EDX =
 * the TAP test/failure counts so far.
 *
 * We do not trust the GDT we were given: load our own and reload CS with a
 * far return (SDM Vol. 3A §5.8.8 / APM Vol. 2 §4.8: in 64-bit mode only
 * the L/D/P/DPL bits of the code descriptor matter).
 */
#define LM64_HANDOFF	0x4c4d3634	/* "LM64" */

	.section .text.entry, "ax"
	.code64
	.globl	_start
_start:
	movl	%eax, boot_state + 0(%rip)	/* magic */
	movl	%ebx, boot_state + 4(%rip)	/* mbi (below 4 GiB) */
	cmpl	$LM64_HANDOFF, %esi
	jne	1f
	movl	$1, boot_state + 24(%rip)
	movl	%ecx, boot_state + 28(%rip)
	movl	%edx, boot_state + 32(%rip)
1:	movq	%cr0, %rax
	movl	%eax, boot_state + 8(%rip)
	movw	%cs, %ax
	movzwl	%ax, %eax
	movl	%eax, boot_state + 16(%rip)

	lgdt	gdt_desc(%rip)
	leaq	early_stack_top(%rip), %rsp	/* in .data: .bss is checked below */
	pushq	$0x08
	leaq	2f(%rip), %rax
	pushq	%rax
	lretq
2:	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	pushfq
	popq	%rax
	movl	%eax, boot_state + 12(%rip)
	cli
	cld

	/* clear .bss, noting whether the loader had done so (see start32.S) */
	leaq	__bss_start(%rip), %rdi
	leaq	_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	movq	%rdi, %rsi
	movq	%rcx, %rdx
	repe	scasb
	je	3f
	decq	%rdi				/* the first non-zero byte */
	movl	%edi, boot_state + 20(%rip)
3:	movq	%rsi, %rdi
	movq	%rdx, %rcx
	rep	stosb

	leaq	stack_top(%rip), %rsp
	pushq	$0
	popfq
	call	guest_start64
4:	cli
	hlt
	jmp	4b

	.data
	.balign	8
gdt64:
	.quad	0				/* null */
	.quad	0x00af9a000000ffff		/* 0x08: code, 64-bit (L=1) */
	.quad	0x00cf92000000ffff		/* 0x10: data, flat */
gdt64_end:
	.balign	8
	.word	0, 0, 0
gdt_desc:
	.word	gdt64_end - gdt64 - 1
	.quad	gdt64

	.globl	boot_state
	.balign	4
boot_state:
	.fill	9, 4, 0

	.balign	16
early_stack:
	.fill	4, 8, 0
early_stack_top:

	.bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
