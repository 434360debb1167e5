/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMCB, as laid out in AMD APM vol. 2 appendix B (tables B-1 control
 * area, B-2 state save area).  Defined here rather than taken from the
 * kernel's asm/svm.h, whose field names change between kernel versions.
 */
#ifndef _V3_SVM_VMCB_H
#define _V3_SVM_VMCB_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>

/* Intercept vector 0 (offset 0x00): CRn reads in bits 15:0, writes 31:16 */
#define V3_INT_CR_READ(n)	BIT(n)
#define V3_INT_CR_WRITE(n)	BIT(16 + (n))
/* EXITINFO1 of a MOV CRn exit with decode assists (APM 15.33.1) */
#define V3_CR_INFO_MOV		BIT_ULL(63)
/* Intercept vector 3 (offset 0x0c) */
#define V3_INT_INTR		BIT(0)
#define V3_INT_NMI		BIT(1)
#define V3_INT_SMI		BIT(2)
#define V3_INT_VINTR		BIT(4)
#define V3_INT_RDPMC		BIT(15)
#define V3_INT_CPUID		BIT(18)
#define V3_INT_INVD		BIT(22)
#define V3_INT_PAUSE		BIT(23)
#define V3_INT_HLT		BIT(24)
#define V3_INT_INVLPG		BIT(25)
#define V3_INT_INVLPGA		BIT(26)
#define V3_INT_IOIO		BIT(27)
#define V3_INT_MSR		BIT(28)
#define V3_INT_SHUTDOWN		BIT(31)
/* Intercept vector 4 (offset 0x10) */
#define V3_INT_VMRUN		BIT(0)
#define V3_INT_VMMCALL		BIT(1)
#define V3_INT_VMLOAD		BIT(2)
#define V3_INT_VMSAVE		BIT(3)
#define V3_INT_STGI		BIT(4)
#define V3_INT_CLGI		BIT(5)
#define V3_INT_SKINIT		BIT(6)
#define V3_INT_RDTSCP		BIT(7)
#define V3_INT_WBINVD		BIT(9)
#define V3_INT_MONITOR		BIT(10)
#define V3_INT_MWAIT		BIT(11)
#define V3_INT_MWAIT_COND	BIT(12)
#define V3_INT_XSETBV		BIT(13)

#define V3_INT_CTL_V_IRQ		BIT_ULL(8)
#define V3_INT_CTL_V_INTR_PRIO_MASK	(0xfULL << 16)
#define V3_INT_CTL_V_IGN_TPR		BIT_ULL(20)
#define V3_INT_CTL_V_INTR_MASKING	BIT_ULL(24)
#define V3_INT_STATE_SHADOW		BIT_ULL(0)
#define V3_NESTED_CTL_NP_ENABLE		BIT_ULL(0)

/* TLB_CONTROL (APM 15.16.2): 3 needs CPUID Fn8000_000A EDX[6] FlushByAsid */
#define V3_TLB_CTL_NONE			0
#define V3_TLB_CTL_FLUSH_ALL		1
#define V3_TLB_CTL_FLUSH_ASID		3

/* VMCB clean bits (APM 15.15.3, table 15-9): set = unchanged since the
 * last VMRUN of this VMCB on this CPU; the CPU may use its cached copy. */
enum v3_vmcb_clean_bit {
	V3_CLEAN_I = 0,		/* intercepts, TSC offset, pause filter */
	V3_CLEAN_IOPM = 1,	/* IOPM_BASE_PA, MSRPM_BASE_PA */
	V3_CLEAN_ASID = 2,
	V3_CLEAN_TPR = 3,	/* V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, ... */
	V3_CLEAN_NP = 4,	/* NP_ENABLE, N_CR3, G_PAT */
	V3_CLEAN_CRX = 5,	/* CR0, CR3, CR4, EFER */
	V3_CLEAN_DRX = 6,	/* DR6, DR7 */
	V3_CLEAN_DT = 7,	/* GDTR, IDTR */
	V3_CLEAN_SEG = 8,	/* CS, DS, SS, ES, CPL */
	V3_CLEAN_CR2 = 9,
	V3_CLEAN_LBR = 10,	/* DBGCTL, BR_FROM/TO, LASTEXCP_FROM/TO */
	V3_NR_CLEAN_BITS = 11,	/* bit 11 (AVIC) is not used */
};

/* EVENTINJ / EXITINTINFO (APM 15.20) */
#define V3_EVT_VALID		BIT_ULL(31)
#define V3_EVT_ERR_VALID	BIT_ULL(11)
#define V3_EVT_TYPE_INTR	(0ULL << 8)
#define V3_EVT_TYPE_EXCEPTION	(3ULL << 8)

/* Exit codes (APM appendix C) */
#define V3_SVM_EXIT_READ_CR0	0x000
#define V3_SVM_EXIT_WRITE_CR0	0x010
#define V3_SVM_EXIT_READ_DR0	0x020
#define V3_SVM_EXIT_WRITE_DR0	0x030
#define V3_SVM_EXIT_EXCP_BASE	0x040
#define V3_SVM_EXIT_INTR	0x060
#define V3_SVM_EXIT_NMI		0x061
#define V3_SVM_EXIT_SMI		0x062
#define V3_SVM_EXIT_VINTR	0x064
#define V3_SVM_EXIT_RDPMC	0x06f
#define V3_SVM_EXIT_CPUID	0x072
#define V3_SVM_EXIT_INVD	0x076
#define V3_SVM_EXIT_PAUSE	0x077
#define V3_SVM_EXIT_HLT		0x078
#define V3_SVM_EXIT_INVLPG	0x079
#define V3_SVM_EXIT_INVLPGA	0x07a
#define V3_SVM_EXIT_IOIO	0x07b
#define V3_SVM_EXIT_MSR		0x07c
#define V3_SVM_EXIT_SHUTDOWN	0x07f
#define V3_SVM_EXIT_VMRUN	0x080
#define V3_SVM_EXIT_VMMCALL	0x081
#define V3_SVM_EXIT_VMLOAD	0x082
#define V3_SVM_EXIT_VMSAVE	0x083
#define V3_SVM_EXIT_STGI	0x084
#define V3_SVM_EXIT_CLGI	0x085
#define V3_SVM_EXIT_SKINIT	0x086
#define V3_SVM_EXIT_RDTSCP	0x087
#define V3_SVM_EXIT_WBINVD	0x089
#define V3_SVM_EXIT_MONITOR	0x08a
#define V3_SVM_EXIT_MWAIT	0x08b
#define V3_SVM_EXIT_MWAIT_COND	0x08c
#define V3_SVM_EXIT_XSETBV	0x08d
#define V3_SVM_EXIT_NPF		0x400
/* exception vectors v3vmm intercepts (intercept_exceptions bit = vector) */
#define V3_SVM_EXIT_AC		(V3_SVM_EXIT_EXCP_BASE + 17)
#define V3_SVM_EXIT_MC		(V3_SVM_EXIT_EXCP_BASE + 18)
#define V3_SVM_EXIT_INVALID	(~0ULL)

/* IOIO EXITINFO1 (APM 15.10.2) */
#define V3_IOIO_IN		BIT(0)
#define V3_IOIO_STR		BIT(2)
#define V3_IOIO_REP		BIT(3)
#define V3_IOIO_SIZE_SHIFT	4	/* SZ8, SZ16, SZ32 one-hot */
#define V3_IOIO_ADDR_SHIFT	7	/* A16, A32, A64 one-hot */

/* Segment attributes: the descriptor's type/S/DPL/P/AVL/L/DB/G packed */
#define V3_SEG_ATTR_L		BIT(9)
#define V3_SEG_ATTR_DB		BIT(10)

struct v3_vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct v3_vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1;
	u32 intercept_misc2;
	u32 intercept_misc3;
	u8 reserved_1[0x3c - 0x18];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_ctl;
	u8 reserved_2[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info_1;
	u64 exit_info_2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_vapic_bar;
	u64 ghcb_gpa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u32 clean;
	u32 reserved_3;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved_4[0x400 - 0xe0];
} __packed;

struct v3_vmcb_save {
	struct v3_vmcb_seg es, cs, ss, ds, fs, gs;
	struct v3_vmcb_seg gdtr, ldtr, idtr, tr;
	u8 reserved_1[0xcb - 0xa0];
	u8 cpl;
	u32 reserved_2;
	u64 efer;
	u8 reserved_3[0x148 - 0xd8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;
	u8 reserved_4[0x1d8 - 0x180];
	u64 rsp;
	u8 reserved_5[0x1f8 - 0x1e0];
	u64 rax, star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip, cr2;
	u8 reserved_6[0x268 - 0x248];
	u64 g_pat, dbgctl, br_from, br_to, last_excp_from, last_excp_to;
} __packed;

struct v3_vmcb {
	struct v3_vmcb_control control;
	struct v3_vmcb_save save;
} __packed;

static_assert(offsetof(struct v3_vmcb_control, pause_filter_thresh) == 0x3c);
static_assert(offsetof(struct v3_vmcb_control, pause_filter_count) == 0x3e);
static_assert(offsetof(struct v3_vmcb_control, iopm_base_pa) == 0x40);
static_assert(offsetof(struct v3_vmcb_control, asid) == 0x58);
static_assert(offsetof(struct v3_vmcb_control, tlb_ctl) == 0x5c);
static_assert(offsetof(struct v3_vmcb_control, int_ctl) == 0x60);
static_assert(offsetof(struct v3_vmcb_control, nested_ctl) == 0x90);
static_assert(offsetof(struct v3_vmcb_control, nested_cr3) == 0xb0);
static_assert(offsetof(struct v3_vmcb_control, clean) == 0xc0);
static_assert(offsetof(struct v3_vmcb_control, event_inj) == 0xa8);
static_assert(offsetof(struct v3_vmcb_control, next_rip) == 0xc8);
static_assert(sizeof(struct v3_vmcb_control) == 0x400);
static_assert(offsetof(struct v3_vmcb_save, cpl) == 0xcb);
static_assert(offsetof(struct v3_vmcb_save, efer) == 0xd0);
static_assert(offsetof(struct v3_vmcb_save, cr4) == 0x148);
static_assert(offsetof(struct v3_vmcb_save, rsp) == 0x1d8);
static_assert(offsetof(struct v3_vmcb_save, rax) == 0x1f8);
static_assert(offsetof(struct v3_vmcb_save, dr7) == 0x160);
static_assert(offsetof(struct v3_vmcb_save, cr2) == 0x240);
static_assert(offsetof(struct v3_vmcb_save, g_pat) == 0x268);
static_assert(offsetof(struct v3_vmcb_save, dbgctl) == 0x270);

#endif
