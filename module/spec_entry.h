/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mitigation steps of the backends' entry code (assembly only), each
 * gated by a V3_SPEC_F_* bit that spec_ctrl.c set for this entry and
 * otherwise made of the kernel's own macros (asm/nospec-branch.h), whose
 * alternatives the module loader patches for this CPU.
 *
 * \slot is the stack offset of a copy of v3_spec_vcpu.flags, \ptr the
 * stack offset of the struct v3_spec_vcpu pointer: after VM exit no
 * register but RSP holds a host value.
 */
#ifndef _V3_SPEC_ENTRY_H
#define _V3_SPEC_ENTRY_H

#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include "spec_ctrl.h"
#include "spec_compat.h"

/*
 * IA32_SPEC_CTRL := the \which (V3_SPEC_GUEST or V3_SPEC_HOST) value,
 * unless guest and host values agree.  Clobbers RAX, RCX, RDX; must run
 * before any RET after exit (a guest without IBRS would otherwise let
 * the host follow its predictions).  With \force, the host value is
 * written even when equal: legacy IBRS (not enhanced) only restricts
 * predictions made after it is written (Intel "Indirect Branch
 * Restricted Speculation").
 */
.macro V3_SPEC_CTRL_LOAD ptr:req, which:req, force=0
	mov	\ptr(%rsp), %rax
	testl	$V3_SPEC_F_SPEC_CTRL, V3_SPEC_FLAGS(%rax)
	jz	.Lv3_sc_done_\@
	.if \force
	testl	$V3_SPEC_F_HOST_IBRS, V3_SPEC_FLAGS(%rax)
	jnz	.Lv3_sc_write_\@
	.endif
	mov	V3_SPEC_GUEST(%rax), %rdx
	cmp	V3_SPEC_HOST(%rax), %rdx
	je	.Lv3_sc_done_\@
.Lv3_sc_write_\@:
	mov	\which(%rax), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	wrmsr
.Lv3_sc_done_\@:
.endm

/* MDS/TAA/MMIO/RFDS (TSA on AMD): VERW right before entry; clobbers ZF */
.macro V3_SPEC_CLEAR_CPU_BUF slot:req
	testl	$V3_SPEC_F_CLEAR_CPU_BUF, \slot(%rsp)
	jz	.Lv3_verw_\@
	V3_VERW
.Lv3_verw_\@:
.endm

/*
 * SpectreRSB: overwrite the guest's return predictions before the first
 * RET after exit.  \reg is clobbered; \ftr2 is the kernel's single-CALL
 * variant (eIBRS with PBRSB), used by VMX only.
 */
.macro V3_SPEC_RSB_FILL slot:req, reg:req, ftr2=ALT_NOT(X86_FEATURE_ALWAYS)
	testl	$V3_SPEC_F_RSB_FILL, \slot(%rsp)
	jz	.Lv3_rsb_\@
	FILL_RETURN_BUFFER \reg, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \ftr2
.Lv3_rsb_\@:
.endm

/* Branch History Injection: the kernel's BHB-clearing loop; clobbers
 * RAX and RCX */
.macro V3_SPEC_BHB_CLEAR slot:req
	testl	$V3_SPEC_F_BHI, \slot(%rsp)
	jz	.Lv3_bhb_\@
	V3_CLEAR_BHB_VMEXIT
.Lv3_bhb_\@:
.endm

/* Retbleed/SRSO on AMD: untrain return predictions (or IBPB); clobbers
 * RAX, RCX, RDX */
.macro V3_SPEC_UNTRAIN_RET slot:req
	testl	$V3_SPEC_F_UNTRAIN_RET, \slot(%rsp)
	jz	.Lv3_untrain_\@
	V3_UNTRAIN_RET_VMEXIT
.Lv3_untrain_\@:
.endm

#endif
