/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 entry for the 32-bit guests.
 *
 * Machine state at entry (Multiboot spec 0.6.96 §3.2): EAX = 0x2BADB002,
 * EBX = physical address of the info block, CS/DS/ES/FS/GS/SS flat 4 GiB,
 * CR0.PE = 1, CR0.PG = 0, EFLAGS.VM = 0, EFLAGS.IF = 0.  ESP and GDTR are
 * undefined, so we load our own GDT before touching a segment register and
 * switch to our own stack.
 */
#include "multiboot.h"

/* §3.1.1: the header lies 4-byte aligned within the first 8192 bytes. */
	.section .multiboot, "a"
	.balign 4
	.long	MB_HEADER_MAGIC
	.long	MB_HDR_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HDR_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl	_start
_start:
	/* Nothing has a stack yet: save the entry state with absolute moves. */
	movl	%eax, boot_state + 0		/* magic */
	movl	%ebx, boot_state + 4		/* mbi */
	movl	%cr0, %eax
	movl	%eax, boot_state + 8
	xorl	%eax, %eax
	movw	%cs, %ax
	movl	%eax, boot_state + 16

	lgdt	gdt_desc
	ljmp	$0x08, $1f
1:	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$early_stack_top, %esp		/* in .data: .bss is checked below */
	pushfl
	popl	boot_state + 12			/* eflags */
	cli
	cld

	/*
	 * ELF loading must leave p_memsz - p_filesz bytes zeroed.  Note if the
	 * loader did not (the multiboot guest reports it), then clear .bss,
	 * which also holds the stack we have not used yet.
	 */
	movl	$__bss_start, %edi
	movl	$_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	movl	%edi, %esi
	movl	%ecx, %edx
	repe	scasb
	je	2f
	decl	%edi				/* the first non-zero byte */
	movl	%edi, boot_state + 20		/* bss_dirty */
2:	movl	%esi, %edi
	movl	%edx, %ecx
	rep	stosb

	movl	$stack_top, %esp
	pushl	$0
	popfl
	call	guest_start32
3:	cli
	hlt
	jmp	3b

	.data
	.balign	8
	.globl	gdt32
gdt32:
	.quad	0				/* null */
	.quad	0x00cf9a000000ffff		/* 0x08: code, 32-bit, flat */
	.quad	0x00cf92000000ffff		/* 0x10: data, flat */
	.quad	0x00af9a000000ffff		/* 0x18: code, 64-bit (L=1) */
gdt32_end:
gdt_desc:
	.word	gdt32_end - gdt32 - 1
	.long	gdt32

	.globl	boot_state
	.balign	4
boot_state:
	.fill	9, 4, 0

	.balign	16
early_stack:
	.fill	4, 4, 0
early_stack_top:

	.bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
