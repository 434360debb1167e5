/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry for SVM.
 *
 * void __v3_svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_vmcb_pa,
 *		       struct v3_spec_vcpu *spec)
 *
 * Called with GIF clear.  VMRUN itself saves and restores only part of the
 * host state (APM vol. 2 15.5.1): FS, GS, TR and LDTR with their hidden
 * parts, KernelGsBase and the SYSCALL/SYSENTER MSRs are switched here
 * with VMLOAD/VMSAVE (APM 15.5.2), so no C code may run between the guest
 * VMLOAD and the host VMLOAD: GS base still points at guest data.  The
 * host's values were saved to host_vmcb_pa by VMSAVE when this run of
 * entries began (v3_svm_vcpu_load): they do not change while the vCPU
 * thread keeps its CPU.
 * RAX and RSP are loaded from and saved to the VMCB by VMRUN; the other
 * guest GPRs are kept in gprs[], indexed as enum v3_gpr.
 * The transient-execution mitigations (spec_entry.h) that spec->flags
 * asks for: guest SPEC_CTRL and VERW before VMRUN; after #VMEXIT, before
 * any RET, the RSB fill, host SPEC_CTRL, RET untraining and BHB clearing.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include "guest_gprs.h"
#include "spec_entry.h"


	.text
SYM_FUNC_START(__v3_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	movl	V3_SPEC_FLAGS(%rcx), %eax
	push	%rax			/* 32(%rsp): V3_SPEC_F_* of this entry */
	push	%rcx			/* 24(%rsp): struct v3_spec_vcpu */
	push	%rdx			/* 16(%rsp): host VMSAVE area */
	push	%rsi			/*  8(%rsp): guest GPRs */
	push	%rdi			/*  0(%rsp): VMCB */

	V3_SPEC_CTRL_LOAD 24, V3_SPEC_GUEST

	mov	8(%rsp), %rax
	V3_LOAD_GUEST_GPRS %rax

	mov	(%rsp), %rax
	vmload	%rax
	V3_SPEC_CLEAR_CPU_BUF 32
	vmrun	%rax
	/* #VMEXIT restored the host RAX (the VMCB address) and RSP */
	vmsave	%rax

	mov	8(%rsp), %rax
	V3_SAVE_GUEST_GPRS %rax

	mov	16(%rsp), %rax
	vmload	%rax

	V3_SPEC_RSB_FILL 32, %rax
	V3_SPEC_CTRL_LOAD 24, V3_SPEC_HOST, 1
	V3_SPEC_UNTRAIN_RET 32
	V3_SPEC_BHB_CLEAR 32

	/* no guest values may linger in caller-saved registers */
	V3_CLEAR_CALLER_SAVED

	add	$40, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__v3_svm_vmrun)
