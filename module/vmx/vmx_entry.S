/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry for VMX.
 *
 * int __v3_vmx_run(u64 *gprs, int launched)
 *
 * Called with interrupts disabled and the vCPU's VMCS current.  VMX keeps
 * only the guest RSP, RIP and RFLAGS in the VMCS (SDM vol. 3 24.4.1); every
 * other guest GPR, RAX included, lives in gprs[] (indexed as enum v3_gpr)
 * and is loaded here.  The entry itself is a call to __v3_vmx_enter so that
 * HOST_RSP can point at its return address: a VM exit then lands in
 * __v3_vmx_exit (HOST_RIP) with that stack and simply returns, as if the
 * VMLAUNCH/VMRESUME had been a call (the scheme KVM used up to 5.x).  The
 * outcome is passed back in a stack slot rather than in RFLAGS, because a
 * return thunk with call-depth accounting may change the flags.
 * Returns 0 after a VM exit, 1 when the instruction failed (VMfailInvalid
 * or VMfailValid, SDM vol. 3 30.2).
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

#define G_RAX	(0 * 8)
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

#define VMCS_HOST_RSP	0x6c14

	.text
/*
 * ZF set: VMLAUNCH, else VMRESUME.  Returns only on VMfail, with 1 in the
 * caller's status slot (8(%rsp) here); no guest register may be touched.
 */
SYM_FUNC_START_LOCAL(__v3_vmx_enter)
	jz	1f
	vmresume
	movl	$1, 8(%rsp)
	RET
1:	vmlaunch
	movl	$1, 8(%rsp)
	RET
SYM_FUNC_END(__v3_vmx_enter)

/* HOST_RIP: the stack is the one __v3_vmx_enter was called with. */
SYM_FUNC_START(__v3_vmx_exit)
	movl	$0, 8(%rsp)
	RET
SYM_FUNC_END(__v3_vmx_exit)

SYM_FUNC_START(__v3_vmx_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 8(%rsp): gprs */
	push	%rsi			/* 0(%rsp): launched, then status */

	/* HOST_RSP: where the call below leaves its return address */
	lea	-8(%rsp), %rax
	mov	$VMCS_HOST_RSP, %edx
	vmwrite	%rax, %rdx
	jbe	3f

	mov	8(%rsp), %rax
	cmpl	$0, (%rsp)		/* ZF: not launched yet; movs keep it */
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
	mov	G_RAX(%rax), %rax

	call	__v3_vmx_enter
	cmpl	$0, (%rsp)		/* keeps every GPR */
	jne	2f

	/* VM exit: every GPR but RSP holds the guest's value */
	push	%rax
	mov	16(%rsp), %rax		/* gprs */
	popq	G_RAX(%rax)
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
	xor	%eax, %eax
	jmp	4f

2:	/* the guest registers were loaded: fall through to clear them */
3:	mov	$1, %eax

4:	/* no guest values may linger in caller-saved registers */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$16, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__v3_vmx_run)
