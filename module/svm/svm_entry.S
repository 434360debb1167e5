/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry for SVM.
 *
 * void __v3_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_vmcb_pa)
 *
 * Called with GIF clear.  VMRUN itself saves and restores only part of the
 * host state (APM vol. 2 15.5.1): FS, GS, TR and LDTR with their hidden
 * parts, KernelGsBase and the SYSCALL/SYSENTER MSRs are switched here
 * with VMSAVE/VMLOAD (APM 15.5.2), so no C code may run between the guest
 * VMLOAD and the host VMLOAD: GS base still points at guest data.
 * RAX and RSP are loaded from and saved to the VMCB by VMRUN; the other
 * guest GPRs are kept in gprs[], indexed as enum v3_gpr.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

	.text
SYM_FUNC_START(__v3_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx			/* 16(%rsp): host VMSAVE area */
	push	%rsi			/*  8(%rsp): guest GPRs */
	push	%rdi			/*  0(%rsp): VMCB */

	mov	%rdx, %rax
	vmsave	%rax

	mov	%rsi, %rax
	mov	G_RCX(%rax), %rcx
	mov	G_RDX(%rax), %rdx
	mov	G_RBX(%rax), %rbx
	mov	G_RBP(%rax), %rbp
	mov	G_RSI(%rax), %rsi
	mov	G_RDI(%rax), %rdi
	mov	G_R8(%rax), %r8
	mov	G_R9(%rax), %r9
	mov	G_R10(%rax), %r10
	mov	G_R11(%rax), %r11
	mov	G_R12(%rax), %r12
	mov	G_R13(%rax), %r13
	mov	G_R14(%rax), %r14
	mov	G_R15(%rax), %r15

	mov	(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	/* #VMEXIT restored the host RAX (the VMCB address) and RSP */
	vmsave	%rax

	mov	8(%rsp), %rax
	mov	%rcx, G_RCX(%rax)
	mov	%rdx, G_RDX(%rax)
	mov	%rbx, G_RBX(%rax)
	mov	%rbp, G_RBP(%rax)
	mov	%rsi, G_RSI(%rax)
	mov	%rdi, G_RDI(%rax)
	mov	%r8, G_R8(%rax)
	mov	%r9, G_R9(%rax)
	mov	%r10, G_R10(%rax)
	mov	%r11, G_R11(%rax)
	mov	%r12, G_R12(%rax)
	mov	%r13, G_R13(%rax)
	mov	%r14, G_R14(%rax)
	mov	%r15, G_R15(%rax)

	mov	16(%rsp), %rax
	vmload	%rax

	/* no guest values may linger in caller-saved registers */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__v3_svm_vmrun)
