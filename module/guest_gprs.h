/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest GPR image for the backends' entry code (assembly only): offsets in
 * the u64 gprs[] array of struct v3_regs (enum v3_gpr order), and the loads
 * and stores of the registers that both SVM and VMX keep there.  RAX and
 * RSP are the backends' own business (SVM keeps both in the VMCB, VMX only
 * RSP in the VMCS).
 */
#ifndef _V3_GUEST_GPRS_H
#define _V3_GUEST_GPRS_H

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

/* Load RCX, RDX, RBX, RBP, RSI, RDI, R8-R15 from the image at \base. */
.macro V3_LOAD_GUEST_GPRS base
	mov	G_RCX(\base), %rcx
	mov	G_RDX(\base), %rdx
	mov	G_RBX(\base), %rbx
	mov	G_RBP(\base), %rbp
	mov	G_RSI(\base), %rsi
	mov	G_RDI(\base), %rdi
	mov	G_R8(\base), %r8
	mov	G_R9(\base), %r9
	mov	G_R10(\base), %r10
	mov	G_R11(\base), %r11
	mov	G_R12(\base), %r12
	mov	G_R13(\base), %r13
	mov	G_R14(\base), %r14
	mov	G_R15(\base), %r15
.endm

/* Store the same registers into the image at \base. */
.macro V3_SAVE_GUEST_GPRS base
	mov	%rcx, G_RCX(\base)
	mov	%rdx, G_RDX(\base)
	mov	%rbx, G_RBX(\base)
	mov	%rbp, G_RBP(\base)
	mov	%rsi, G_RSI(\base)
	mov	%rdi, G_RDI(\base)
	mov	%r8, G_R8(\base)
	mov	%r9, G_R9(\base)
	mov	%r10, G_R10(\base)
	mov	%r11, G_R11(\base)
	mov	%r12, G_R12(\base)
	mov	%r13, G_R13(\base)
	mov	%r14, G_R14(\base)
	mov	%r15, G_R15(\base)
.endm

/* No guest value may linger in a caller-saved register after the exit. */
.macro V3_CLEAR_CALLER_SAVED
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
.endm

#endif
