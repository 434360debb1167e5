/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry for VMX.
 *
 * int __v3_vmx_run(u64 *gprs, int launched, struct v3_spec_vcpu *spec,
 *		   u64 *cr2)
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
 * The transient-execution mitigations (spec_entry.h) that spec->flags
 * asks for: guest SPEC_CTRL and VERW before entry; after the exit the RSB
 * fill before the first RET (in __v3_vmx_exit), then host SPEC_CTRL and
 * BHB clearing.  VERW changes ZF, so VMLAUNCH/VMRESUME is chosen by CF.
 * The guest's CR2 is no VMCS field (VM entry and exit leave CR2 alone,
 * 27.5.1): *cr2 is loaded after the last instruction that could take a
 * host page fault before the entry, and stored right after the exit, so
 * no host #PF can overwrite the guest's value in between (the host's NMI
 * handler puts CR2 back itself; a host #MC is fatal anyway).  Shadow
 * paging reflects #PF exits with CR2 set this way (v3_vmx_inject_pf).
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include "guest_gprs.h"
#include "spec_entry.h"


#define VMCS_HOST_RSP	0x6c14

	.text
/*
 * CF set: VMLAUNCH, else VMRESUME.  Returns only on VMfail, with 1 in the
 * caller's status slot (8(%rsp) here); no guest register may be touched.
 */
SYM_FUNC_START_LOCAL(__v3_vmx_enter)
	jc	1f
	vmresume
	movl	$1, 8(%rsp)
	RET
1:	vmlaunch
	movl	$1, 8(%rsp)
	RET
SYM_FUNC_END(__v3_vmx_enter)

/*
 * HOST_RIP: the stack is the one __v3_vmx_enter was called with (flags
 * copy at 32(%rsp)).  The guest's return predictions are overwritten
 * before this RET; guest RAX is kept for the caller to save.
 */
SYM_FUNC_START(__v3_vmx_exit)
	push	%rax
	V3_SPEC_RSB_FILL 40, %rax, X86_FEATURE_RSB_VMEXIT_LITE
	pop	%rax
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
	push	%rcx			/* 32(%rsp): guest CR2 (u64 *) */
	movl	V3_SPEC_FLAGS(%rdx), %eax
	push	%rax			/* 24(%rsp): V3_SPEC_F_* of this entry */
	push	%rdx			/* 16(%rsp): struct v3_spec_vcpu */
	push	%rdi			/*  8(%rsp): gprs */
	push	%rsi			/*  0(%rsp): launched, then status */

	/* HOST_RSP: where the call below leaves its return address */
	lea	-8(%rsp), %rax
	mov	$VMCS_HOST_RSP, %edx
	vmwrite	%rax, %rdx
	jbe	3f

	V3_SPEC_CTRL_LOAD 16, V3_SPEC_GUEST

	/* MOV to CR2 only when it differs (it is not free) */
	mov	32(%rsp), %rax
	mov	(%rax), %rax
	mov	%cr2, %rdx
	cmp	%rax, %rdx
	je	5f
	mov	%rax, %cr2
5:
	mov	8(%rsp), %rax
	V3_LOAD_GUEST_GPRS %rax
	mov	G_RAX(%rax), %rax

	V3_SPEC_CLEAR_CPU_BUF 24
	cmpl	$1, (%rsp)		/* CF: not launched yet */
	call	__v3_vmx_enter
	cmpl	$0, (%rsp)		/* keeps every GPR */
	jne	2f

	/* VM exit: every GPR but RSP holds the guest's value */
	push	%rax
	mov	16(%rsp), %rax		/* gprs */
	popq	G_RAX(%rax)
	V3_SAVE_GUEST_GPRS %rax
	mov	32(%rsp), %rax
	mov	%cr2, %rdx
	mov	%rdx, (%rax)
	V3_SPEC_CTRL_LOAD 16, V3_SPEC_HOST, 1
	V3_SPEC_BHB_CLEAR 24
	xor	%eax, %eax
	jmp	4f

2:	/* the guest registers were loaded: fall through to clear them */
	V3_SPEC_CTRL_LOAD 16, V3_SPEC_HOST
3:	mov	$1, %eax

4:	/* no guest values may linger in caller-saved registers */
	V3_CLEAR_CALLER_SAVED

	add	$40, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__v3_vmx_run)
