/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX architecture constants: capability MSRs (Intel SDM vol. 3 appendix A),
 * VMCS field encodings (appendix B), control bits (24.6-24.8), basic exit
 * reasons (appendix C) and exit qualifications (27.2.1).  Defined here
 * rather than taken from <asm/vmx.h> so the module builds the same against
 * every kernel whose headers renamed or moved those constants.
 */
#ifndef _V3_VMCS_H
#define _V3_VMCS_H

#include <linux/types.h>
#include <linux/bug.h>

/* ------------------------------------------------ capability MSRs (A.1-A.10) */
#define V3_MSR_VMX_BASIC		0x480
#define V3_MSR_VMX_PINBASED		0x481
#define V3_MSR_VMX_PROCBASED		0x482
#define V3_MSR_VMX_EXIT			0x483
#define V3_MSR_VMX_ENTRY		0x484
#define V3_MSR_VMX_MISC			0x485
#define V3_MSR_VMX_CR0_FIXED0		0x486
#define V3_MSR_VMX_CR0_FIXED1		0x487
#define V3_MSR_VMX_CR4_FIXED0		0x488
#define V3_MSR_VMX_CR4_FIXED1		0x489
#define V3_MSR_VMX_PROCBASED2		0x48b
#define V3_MSR_VMX_EPT_VPID_CAP		0x48c
#define V3_MSR_VMX_TRUE_PINBASED	0x48d
#define V3_MSR_VMX_TRUE_PROCBASED	0x48e
#define V3_MSR_VMX_TRUE_EXIT		0x48f
#define V3_MSR_VMX_TRUE_ENTRY		0x490

#define V3_MSR_FEATURE_CONTROL		0x3a
#define V3_FEATCTL_LOCK			BIT_ULL(0)
#define V3_FEATCTL_VMX_OUTSIDE_SMX	BIT_ULL(2)

/* IA32_VMX_BASIC (A.1) */
#define V3_BASIC_REVISION(b)		((u32)(b) & 0x7fffffff)
#define V3_BASIC_SIZE(b)		(((b) >> 32) & 0x1fff)
#define V3_BASIC_32BIT_ADDR		BIT_ULL(48)
#define V3_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)
#define V3_BASIC_INOUT_INFO		BIT_ULL(54)
#define V3_BASIC_TRUE_CTLS		BIT_ULL(55)
#define V3_MEMTYPE_WB			6

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define V3_EPT_CAP_WALK4		BIT_ULL(6)
#define V3_EPT_CAP_WB			BIT_ULL(14)
#define V3_EPT_CAP_2MB			BIT_ULL(16)
#define V3_EPT_CAP_INVEPT		BIT_ULL(20)
#define V3_EPT_CAP_AD			BIT_ULL(21)
#define V3_EPT_CAP_INVEPT_SINGLE	BIT_ULL(25)
#define V3_EPT_CAP_INVEPT_ALL		BIT_ULL(26)
#define V3_VPID_CAP_INVVPID		BIT_ULL(32)
#define V3_VPID_CAP_ADDR		BIT_ULL(40)	/* individual-address */
#define V3_VPID_CAP_SINGLE		BIT_ULL(41)
#define V3_VPID_CAP_ALL			BIT_ULL(42)
#define V3_VPID_CAP_SINGLE_GLOBALS	BIT_ULL(43)

/* INVEPT / INVVPID types (SDM vol. 3 30.3); 0 and 3 are INVVPID only */
#define V3_INV_ADDR			0
#define V3_INV_SINGLE			1
#define V3_INV_ALL			2
#define V3_INV_SINGLE_GLOBALS		3

/* ------------------------------------------- VMCS field encodings (B.1-B.4) */
/* 16-bit */
#define V3_VPID				0x0000
#define V3_GUEST_ES_SEL			0x0800	/* +2 per segment, ES..LDTR, TR */
#define V3_HOST_ES_SEL			0x0c00
#define V3_HOST_CS_SEL			0x0c02
#define V3_HOST_SS_SEL			0x0c04
#define V3_HOST_DS_SEL			0x0c06
#define V3_HOST_FS_SEL			0x0c08
#define V3_HOST_GS_SEL			0x0c0a
#define V3_HOST_TR_SEL			0x0c0c
/* 64-bit */
#define V3_IO_BITMAP_A			0x2000
#define V3_IO_BITMAP_B			0x2002
#define V3_MSR_BITMAP			0x2004
#define V3_VMEXIT_MSR_STORE_ADDR		0x2006
#define V3_VMEXIT_MSR_LOAD_ADDR		0x2008
#define V3_VMENTRY_MSR_LOAD_ADDR		0x200a
#define V3_TSC_OFFSET			0x2010
#define V3_EPT_POINTER			0x201a
#define V3_GUEST_PHYS_ADDR		0x2400
#define V3_VMCS_LINK_PTR		0x2800
#define V3_GUEST_DEBUGCTL		0x2802
#define V3_GUEST_PAT			0x2804
#define V3_GUEST_EFER			0x2806
#define V3_GUEST_PDPTE0			0x280a	/* +2 per PDPTE */
#define V3_HOST_PAT			0x2c00
#define V3_HOST_EFER			0x2c02
/* 32-bit */
#define V3_PIN_CTLS			0x4000
#define V3_PROC_CTLS			0x4002
#define V3_EXCEPTION_BITMAP		0x4004
#define V3_PF_EC_MASK			0x4006
#define V3_PF_EC_MATCH			0x4008
#define V3_CR3_TARGET_COUNT		0x400a
#define V3_VMEXIT_CTLS			0x400c
#define V3_VMEXIT_MSR_STORE_COUNT		0x400e
#define V3_VMEXIT_MSR_LOAD_COUNT		0x4010
#define V3_VMENTRY_CTLS			0x4012
#define V3_VMENTRY_MSR_LOAD_COUNT		0x4014
#define V3_VMENTRY_INTR_INFO		0x4016
#define V3_VMENTRY_EXC_ERROR		0x4018
#define V3_VMENTRY_INSN_LEN		0x401a
#define V3_TPR_THRESHOLD		0x401c
#define V3_PROC_CTLS2			0x401e
#define V3_INSN_ERROR			0x4400
#define V3_VMEXIT_REASON			0x4402
#define V3_VMEXIT_INTR_INFO		0x4404
#define V3_VMEXIT_INTR_ERROR		0x4406
#define V3_IDT_VEC_INFO			0x4408
#define V3_IDT_VEC_ERROR		0x440a
#define V3_VMEXIT_INSN_LEN		0x440c
#define V3_VMEXIT_INSN_INFO		0x440e
#define V3_GUEST_ES_LIMIT		0x4800	/* +2 per segment, ES..TR */
#define V3_GUEST_GDTR_LIMIT		0x4810
#define V3_GUEST_IDTR_LIMIT		0x4812
#define V3_GUEST_ES_AR			0x4814	/* +2 per segment, ES..TR */
#define V3_GUEST_INTERRUPTIBILITY	0x4824
#define V3_GUEST_ACTIVITY		0x4826
#define V3_GUEST_SYSENTER_CS		0x482a
#define V3_PREEMPT_TIMER_VALUE		0x482e
#define V3_HOST_SYSENTER_CS		0x4c00
/* natural width */
#define V3_CR0_MASK			0x6000
#define V3_CR4_MASK			0x6002
#define V3_CR0_SHADOW			0x6004
#define V3_CR4_SHADOW			0x6006
#define V3_VMEXIT_QUAL			0x6400
#define V3_GUEST_LINEAR_ADDR		0x640a
#define V3_GUEST_CR0			0x6800
#define V3_GUEST_CR3			0x6802
#define V3_GUEST_CR4			0x6804
#define V3_GUEST_ES_BASE		0x6806	/* +2 per segment, ES..TR */
#define V3_GUEST_GDTR_BASE		0x6816
#define V3_GUEST_IDTR_BASE		0x6818
#define V3_GUEST_DR7			0x681a
#define V3_GUEST_RSP			0x681c
#define V3_GUEST_RIP			0x681e
#define V3_GUEST_RFLAGS			0x6820
#define V3_GUEST_PENDING_DBG		0x6822
#define V3_GUEST_SYSENTER_ESP		0x6824
#define V3_GUEST_SYSENTER_EIP		0x6826
#define V3_HOST_CR0			0x6c00
#define V3_HOST_CR3			0x6c02
#define V3_HOST_CR4			0x6c04
#define V3_HOST_FS_BASE			0x6c06
#define V3_HOST_GS_BASE			0x6c08
#define V3_HOST_TR_BASE			0x6c0a
#define V3_HOST_GDTR_BASE		0x6c0c
#define V3_HOST_IDTR_BASE		0x6c0e
#define V3_HOST_SYSENTER_ESP		0x6c10
#define V3_HOST_SYSENTER_EIP		0x6c12
#define V3_HOST_RSP			0x6c14
#define V3_HOST_RIP			0x6c16

/*
 * Guest segment fields, indexed by enum v3_seg_reg.  The VMCS order (B.1.2)
 * is ES, CS, SS, DS, FS, GS, LDTR, TR: the enum has TR and LDTR swapped.
 */
#define V3_VMCS_SEG(s)			((s) >= 6 ? 13 - (s) : (s))
#define V3_GUEST_SEL(s)			(V3_GUEST_ES_SEL + 2 * V3_VMCS_SEG(s))
#define V3_GUEST_LIMIT(s)		(V3_GUEST_ES_LIMIT + 2 * V3_VMCS_SEG(s))
#define V3_GUEST_AR(s)			(V3_GUEST_ES_AR + 2 * V3_VMCS_SEG(s))
#define V3_GUEST_BASE(s)		(V3_GUEST_ES_BASE + 2 * V3_VMCS_SEG(s))

/* ------------------------------------------------------------ controls */
/* pin-based (24.6.1) */
#define V3_PIN_EXT_INTR			BIT(0)
#define V3_PIN_NMI			BIT(3)
#define V3_PIN_PREEMPT_TIMER		BIT(6)
/* primary processor-based (24.6.2, table 24-6) */
#define V3_PROC_INTR_WINDOW		BIT(2)
#define V3_PROC_TSC_OFFSET		BIT(3)
#define V3_PROC_HLT			BIT(7)
#define V3_PROC_INVLPG			BIT(9)
#define V3_PROC_MWAIT			BIT(10)
#define V3_PROC_RDPMC			BIT(11)
#define V3_PROC_RDTSC			BIT(12)
#define V3_PROC_CR3_LOAD		BIT(15)
#define V3_PROC_CR3_STORE		BIT(16)
#define V3_PROC_CR8_LOAD		BIT(19)
#define V3_PROC_CR8_STORE		BIT(20)
#define V3_PROC_MOV_DR			BIT(23)
#define V3_PROC_UNCOND_IO		BIT(24)
#define V3_PROC_IO_BITMAPS		BIT(25)
#define V3_PROC_MSR_BITMAPS		BIT(28)
#define V3_PROC_MONITOR			BIT(29)
#define V3_PROC_SECONDARY		BIT(31)
/* secondary processor-based (table 24-7) */
#define V3_PROC2_EPT			BIT(1)
#define V3_PROC2_RDTSCP			BIT(3)
#define V3_PROC2_VPID			BIT(5)
#define V3_PROC2_WBINVD			BIT(6)
#define V3_PROC2_UNRESTRICTED		BIT(7)
#define V3_PROC2_INVPCID		BIT(12)
/* VM-exit controls (24.7.1) */
#define V3_EXITCTL_SAVE_DEBUG		BIT(2)
#define V3_EXITCTL_HOST_64		BIT(9)
#define V3_EXITCTL_ACK_INTR		BIT(15)
#define V3_EXITCTL_SAVE_PAT		BIT(18)
#define V3_EXITCTL_LOAD_PAT		BIT(19)
#define V3_EXITCTL_SAVE_EFER		BIT(20)
#define V3_EXITCTL_LOAD_EFER		BIT(21)
/* VM-entry controls (24.8.1) */
#define V3_ENTRYCTL_LOAD_DEBUG		BIT(2)
#define V3_ENTRYCTL_IA32E			BIT(9)
#define V3_ENTRYCTL_LOAD_PAT		BIT(14)
#define V3_ENTRYCTL_LOAD_EFER		BIT(15)

/* interruption information (24.8.3, 27.2.2, 27.2.4) */
#define V3_INTR_VALID			BIT(31)
#define V3_INTR_HAS_ERROR		BIT(11)
#define V3_INTR_NMI_UNBLOCK		BIT(12)	/* exit info: IRET unblocked NMIs */
#define V3_INTR_TYPE(i)			(((i) >> 8) & 7)
#define V3_INTR_TYPE_EXT		0
#define V3_INTR_TYPE_NMI		2
#define V3_INTR_TYPE_HW_EXC		3
#define V3_INTR_TYPE_SOFT_INT		4
#define V3_INTR_TYPE_PRIV_SOFT_EXC	5
#define V3_INTR_TYPE_SOFT_EXC		6

/* guest interruptibility state (24.4.2) */
#define V3_BLOCK_STI			BIT(0)
#define V3_BLOCK_MOV_SS			BIT(1)
#define V3_BLOCK_NMI			BIT(3)

/* segment access rights (24.4.1) */
#define V3_AR_UNUSABLE			BIT(16)
#define V3_AR_DPL(ar)			(((ar) >> 5) & 3)
#define V3_AR_L				BIT(13)
#define V3_AR_DB			BIT(14)

/* EPT entries (28.3.2) and EPT pointer (24.6.11) */
#define V3_EPT_R			BIT_ULL(0)
#define V3_EPT_W			BIT_ULL(1)
#define V3_EPT_X			BIT_ULL(2)
#define V3_EPT_MT_WB			(6ULL << 3)
#define V3_EPT_LARGE			BIT_ULL(7)
#define V3_EPTP_WB_4LEVEL		(6ULL | (3ULL << 3))

/* ------------------------------------------ basic exit reasons (appendix C) */
#define V3_VMX_EXIT_EXC_NMI		0
#define V3_VMX_EXIT_EXT_INTR		1
#define V3_VMX_EXIT_TRIPLE_FAULT	2
#define V3_VMX_EXIT_INIT		3
#define V3_VMX_EXIT_SIPI		4
#define V3_VMX_EXIT_IO_SMI		5
#define V3_VMX_EXIT_OTHER_SMI		6
#define V3_VMX_EXIT_INTR_WINDOW		7
#define V3_VMX_EXIT_TASK_SWITCH		9
#define V3_VMX_EXIT_CPUID		10
#define V3_VMX_EXIT_GETSEC		11
#define V3_VMX_EXIT_HLT			12
#define V3_VMX_EXIT_INVD		13
#define V3_VMX_EXIT_INVLPG		14
#define V3_VMX_EXIT_RDPMC		15
#define V3_VMX_EXIT_RDTSC		16
#define V3_VMX_EXIT_VMCALL		18
#define V3_VMX_EXIT_VMCLEAR		19
#define V3_VMX_EXIT_VMXON		27
#define V3_VMX_EXIT_CR		28
#define V3_VMX_EXIT_DR			29
#define V3_VMX_EXIT_IO			30
#define V3_VMX_EXIT_RDMSR		31
#define V3_VMX_EXIT_WRMSR		32
#define V3_VMX_EXIT_BAD_GUEST		33
#define V3_VMX_EXIT_BAD_MSR_LOAD	34
#define V3_VMX_EXIT_MWAIT		36
#define V3_VMX_EXIT_MONITOR		39
#define V3_VMX_EXIT_PAUSE		40
#define V3_VMX_EXIT_MCE_ENTRY		41
#define V3_VMX_EXIT_EPT_VIOLATION	48
#define V3_VMX_EXIT_EPT_MISCONFIG	49
#define V3_VMX_EXIT_INVEPT		50
#define V3_VMX_EXIT_RDTSCP		51
#define V3_VMX_EXIT_PREEMPT_TIMER	52
#define V3_VMX_EXIT_INVVPID		53
#define V3_VMX_EXIT_WBINVD		54
#define V3_VMX_EXIT_XSETBV		55
#define V3_VMX_EXIT_INVPCID		58
#define V3_VMX_EXIT_VMFUNC		59
#define V3_VMX_EXIT_ENCLS		60
#define V3_VMX_EXIT_XSAVES		63
#define V3_VMX_EXIT_XRSTORS		64
#define V3_VMX_NR_EXITS			65
#define V3_VMX_EXIT_ENTRY_FAIL		BIT(31)	/* in the full exit reason */

/* -------------------------------------------------------- VMX instructions */

#ifdef V3_UNIT_TEST
/*
 * User-space unit tests (tests/unit): the current VMCS is an array
 * indexed by field encoding (every encoding is below 0x8000, appendix B),
 * defined in tests/unit/shim/fakevmcs.c.
 */
extern unsigned long shim_vmcs[0x8000];

static inline void v3_vmwrite(unsigned long field, unsigned long val)
{
	shim_vmcs[field & 0x7fff] = val;
}

static inline unsigned long v3_vmread(unsigned long field)
{
	return shim_vmcs[field & 0x7fff];
}
#else

/* VMWRITE/VMREAD report VMfail through CF or ZF (SDM vol. 3 30.2). */
static __always_inline void v3_vmwrite(unsigned long field, unsigned long val)
{
	bool fail;

	asm volatile("vmwrite %[val], %[field]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail)
		     : [val] "rm"(val), [field] "r"(field) : "cc");
	WARN_ONCE(fail, "v3vmm: vmwrite of field 0x%lx failed\n", field);
}

static __always_inline unsigned long v3_vmread(unsigned long field)
{
	unsigned long val;
	bool fail;

	asm volatile("vmread %[field], %[val]\n\tsetna %[fail]"
		     : [val] "=r"(val), [fail] "=qm"(fail)
		     : [field] "r"(field) : "cc");
	return fail ? 0 : val;
}
#endif /* V3_UNIT_TEST */

#endif /* _V3_VMCS_H */
