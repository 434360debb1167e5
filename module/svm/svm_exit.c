// SPDX-License-Identifier: GPL-2.0
/*
 * Decode a #VMEXIT (EXITCODE, EXITINFO1/2, APM vol. 2 15.6 and appendix C)
 * into a common struct v3_exit.  Without NRIP save (QEMU's emulated SVM
 * has none), the length of an intercepted instruction is known from its
 * fixed encoding, or for IN/OUT from EXITINFO2, which always holds the
 * rIP of the next instruction (APM 15.10.2).
 */
#include "svm.h"

struct v3_svm_exit_map {
	u8 known;
	u8 reason;	/* enum v3_exit_reason */
	u8 len;		/* instruction length when NRIP save is absent */
};

static const struct v3_svm_exit_map v3_svm_exits[] = {
	[V3_SVM_EXIT_INTR]	 = { 1, V3_EXIT_INTR, 0 },
	[V3_SVM_EXIT_NMI]	 = { 1, V3_EXIT_NMI, 0 },
	[V3_SVM_EXIT_SMI]	 = { 1, V3_EXIT_INTR, 0 },
	[V3_SVM_EXIT_VINTR]	 = { 1, V3_EXIT_INTR_WINDOW, 0 },
	[V3_SVM_EXIT_CPUID]	 = { 1, V3_EXIT_CPUID, 2 },	/* 0f a2 */
	[V3_SVM_EXIT_INVD]	 = { 1, V3_EXIT_INVD, 2 },		/* 0f 08 */
	[V3_SVM_EXIT_PAUSE]	 = { 1, V3_EXIT_PAUSE, 2 },	/* f3 90 */
	[V3_SVM_EXIT_HLT]	 = { 1, V3_EXIT_HLT, 1 },		/* f4 */
	[V3_SVM_EXIT_INVLPGA]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_IOIO]	 = { 1, V3_EXIT_IO, 0 },
	[V3_SVM_EXIT_MSR]	 = { 1, V3_EXIT_RDMSR, 2 },	/* 0f 32 / 0f 30 */
	[V3_SVM_EXIT_SHUTDOWN]	 = { 1, V3_EXIT_SHUTDOWN, 0 },
	[V3_SVM_EXIT_VMRUN]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_VMMCALL]	 = { 1, V3_EXIT_HYPERCALL, 3 },	/* 0f 01 d9 */
	[V3_SVM_EXIT_VMLOAD]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_VMSAVE]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_STGI]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_CLGI]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_SKINIT]	 = { 1, V3_EXIT_VMX_INSN, 3 },
	[V3_SVM_EXIT_RDTSCP]	 = { 1, V3_EXIT_UD_INSN, 3 },
	[V3_SVM_EXIT_MONITOR]	 = { 1, V3_EXIT_UD_INSN, 3 },
	[V3_SVM_EXIT_MWAIT]	 = { 1, V3_EXIT_UD_INSN, 3 },
	[V3_SVM_EXIT_MWAIT_COND] = { 1, V3_EXIT_UD_INSN, 3 },
	[V3_SVM_EXIT_XSETBV]	 = { 1, V3_EXIT_XSETBV, 3 },	/* 0f 01 d1 */
};

static void v3_svm_decode_io(struct v3_exit *e, u64 info1)
{
	e->io.port = info1 >> 16;
	e->io.in = !!(info1 & V3_IOIO_IN);
	e->io.string = !!(info1 & V3_IOIO_STR);
	e->io.rep = !!(info1 & V3_IOIO_REP);
	e->io.size = (info1 >> V3_IOIO_SIZE_SHIFT) & 7;	/* 1, 2 or 4 */
	if (e->io.size == 3 || e->io.size > 4)
		e->io.size = 1;
	switch ((info1 >> V3_IOIO_ADDR_SHIFT) & 7) {
	case 1:
		e->io.addr_size = 2;
		break;
	case 4:
		e->io.addr_size = 8;
		break;
	default:
		e->io.addr_size = 4;
	}
}

void v3_svm_decode_exit(struct v3_vcpu *vcpu)
{
	struct v3_vmcb_control *c = &((struct v3_svm_vcpu *)vcpu->arch)->vmcb->control;
	struct v3_exit *e = &vcpu->exit;
	u64 code = c->exit_code;
	u64 rip = vcpu->regs.rip;

	e->raw[0] = code;
	e->raw[1] = c->exit_info_1;
	e->raw[2] = c->exit_info_2;
	e->raw[3] = c->exit_int_info;
	e->insn_len = 0;

	if (code < ARRAY_SIZE(v3_svm_exits) && v3_svm_exits[code].known) {
		e->reason = v3_svm_exits[code].reason;
		e->insn_len = v3_svm_exits[code].len;
	} else if (code >= V3_SVM_EXIT_READ_DR0 &&
		   code < V3_SVM_EXIT_EXCP_BASE) {
		e->reason = V3_EXIT_DR_ACCESS;
		e->crdr.reg = code & 0xf;
		e->crdr.write = code >= V3_SVM_EXIT_WRITE_DR0;
		/* decode assists put the GPR in EXITINFO1[3:0] (APM 15.33) */
		e->crdr.gpr = v3_svm_feat.decode_assists ?
			      c->exit_info_1 & 0xf : 0xff;
	} else if (code == V3_SVM_EXIT_NPF) {
		/* EXITINFO1: #PF-style error code; EXITINFO2: the GPA */
		e->reason = V3_EXIT_MEM_FAULT;
		e->mem.gpa = c->exit_info_2;
		e->mem.present = !!(c->exit_info_1 & BIT(0));
		e->mem.write = !!(c->exit_info_1 & BIT(1));
		e->mem.fetch = !!(c->exit_info_1 & BIT(4));
		e->mem.gva_valid = 0;
	} else if (code == V3_SVM_EXIT_INVALID) {
		e->reason = V3_EXIT_INVALID_STATE;
	} else if (code >= V3_SVM_EXIT_EXCP_BASE &&
		   code < V3_SVM_EXIT_INTR) {
		e->reason = V3_EXIT_EXCEPTION;
		e->exc.vector = code - V3_SVM_EXIT_EXCP_BASE;
		e->exc.error = c->exit_info_1;
	} else {
		e->reason = V3_EXIT_OTHER;
	}

	if (code == V3_SVM_EXIT_MSR && c->exit_info_1)
		e->reason = V3_EXIT_WRMSR;
	if (code == V3_SVM_EXIT_IOIO) {
		v3_svm_decode_io(e, c->exit_info_1);
		e->insn_len = c->exit_info_2 - rip;
	} else if (v3_svm_feat.nrips && e->insn_len) {
		e->insn_len = c->next_rip - rip;
	}
}
