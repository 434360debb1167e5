// SPDX-License-Identifier: GPL-2.0
/*
 * Decode a #VMEXIT (EXITCODE, EXITINFO1/2, APM vol. 2 15.6 and appendix C)
 * into a common struct v3_exit.
 *
 * Length of an intercepted instruction.  With NRIP save (CPUID
 * Fn8000_000A EDX[3]) the CPU stores the address of the next instruction
 * in the VMCB's nRIP field on every instruction intercept, IOIO and MSR
 * included (APM 15.7.1), and zero on other exits: it is used for every
 * instruction exit, prefixes and all.  Without it (QEMU's emulated SVM
 * has none) the length comes from the instruction's fixed encoding, or
 * for IN/OUT from EXITINFO2, which always holds the next rIP (APM
 * 15.10.2).  MOV to/from DRn has no fixed length (REX, operand-size
 * prefixes): without nRIP the common code decodes the instruction itself
 * (crdr.gpr = 0xff), and sets the length then.
 *
 * Intercepted (v3_svm_set_intercepts): DR0-7 reads and writes, #AC and #MC, INTR,
 * NMI, SMI, VINTR, RDPMC, CPUID, INVD, PAUSE (with a pause filter), HLT,
 * INVLPGA, IOIO, MSR, shutdown, the SVM instructions, RDTSCP, WBINVD,
 * MONITOR/MWAIT and XSETBV.  Not intercepted in nested mode, where they
 * are guest-private: CR reads and writes, INVLPG, #PF; shadow mode
 * intercepts CR0/CR3/CR4 reads and writes, INVLPG and #PF
 * (v3_svm_set_paging) and they are decoded here too.
 */
#include <asm/trapnr.h>
#include "svm.h"
#include "../mmu/mmu.h"

/* The intercepts of a new VMCB: each exit they cause is decoded below. */
void v3_svm_set_intercepts(struct v3_vmcb_control *c,
			   const struct v3_svm_features *f)
{
	c->intercept_dr = 0x00ff00ff;	/* reads and writes of DR0-7 */
	/*
	 * #AC: a guest can make its #AC delivery raise #AC again forever
	 * inside the CPU, never reaching an exit (CVE-2015-5307); #MC
	 * belongs to the host's machine-check handler.  #UD: GEARS'
	 * traps (exit.c gives the guest its own back).
	 */
	c->intercept_exceptions = BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC) |
				  BIT(X86_TRAP_UD);
	/* RDPMC would read the host's counters; INVD and WBINVD act on
	 * every cache of the host (APM 15.9) */
	c->intercept_misc1 = V3_INT_INTR | V3_INT_NMI | V3_INT_SMI |
			     V3_INT_RDPMC | V3_INT_CPUID | V3_INT_INVD |
			     V3_INT_HLT | V3_INT_INVLPGA | V3_INT_IOIO |
			     V3_INT_MSR | V3_INT_SHUTDOWN;
	/*
	 * PAUSE filter (APM 15.14.4): a vCPU spinning on a lock whose
	 * holder is preempted exits after V3_PAUSE_FILTER_COUNT PAUSEs
	 * (with the threshold: PAUSEs at most that many cycles apart) and
	 * its thread yields.  Without the filter PAUSE runs natively: an
	 * exit at every PAUSE would cost more than the spin.
	 */
	if (f->pause_filter) {
		c->intercept_misc1 |= V3_INT_PAUSE;
		c->pause_filter_count = V3_PAUSE_FILTER_COUNT;
		if (f->pause_thresh)
			c->pause_filter_thresh = V3_PAUSE_FILTER_THRESH;
	}
	/* VMRUN must be intercepted (APM 15.5.1 consistency checks) */
	c->intercept_misc2 = V3_INT_VMRUN | V3_INT_VMMCALL | V3_INT_VMLOAD |
			     V3_INT_VMSAVE | V3_INT_STGI | V3_INT_CLGI |
			     V3_INT_SKINIT | V3_INT_RDTSCP | V3_INT_WBINVD |
			     V3_INT_MONITOR | V3_INT_MWAIT |
			     V3_INT_MWAIT_COND | V3_INT_XSETBV;
}

struct v3_svm_exit_map {
	u8 known;
	u8 reason;	/* enum v3_exit_reason */
	u8 insn;	/* an instruction intercept: has a length */
	u8 len;		/* instruction length when NRIP save is absent */
};

#define EVT(r)		{ 1, r, 0, 0 }
#define INSN(r, l)	{ 1, r, 1, l }

static const struct v3_svm_exit_map v3_svm_exits[] = {
	[V3_SVM_EXIT_INTR]	 = EVT(V3_EXIT_INTR),
	[V3_SVM_EXIT_NMI]	 = EVT(V3_EXIT_NMI),
	[V3_SVM_EXIT_SMI]	 = EVT(V3_EXIT_INTR),
	[V3_SVM_EXIT_VINTR]	 = EVT(V3_EXIT_INTR_WINDOW),
	[V3_SVM_EXIT_RDPMC]	 = INSN(V3_EXIT_RDPMC, 2),	/* 0f 33 */
	[V3_SVM_EXIT_CPUID]	 = INSN(V3_EXIT_CPUID, 2),	/* 0f a2 */
	[V3_SVM_EXIT_INVD]	 = INSN(V3_EXIT_INVD, 2),	/* 0f 08 */
	[V3_SVM_EXIT_PAUSE]	 = INSN(V3_EXIT_PAUSE, 2),	/* f3 90 */
	[V3_SVM_EXIT_HLT]	 = INSN(V3_EXIT_HLT, 1),	/* f4 */
	[V3_SVM_EXIT_INVLPGA]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 df */
	[V3_SVM_EXIT_IOIO]	 = INSN(V3_EXIT_IO, 0),		/* EXITINFO2 */
	[V3_SVM_EXIT_MSR]	 = INSN(V3_EXIT_RDMSR, 2),	/* 0f 32 / 0f 30 */
	[V3_SVM_EXIT_SHUTDOWN]	 = EVT(V3_EXIT_SHUTDOWN),
	[V3_SVM_EXIT_VMRUN]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 d8 */
	[V3_SVM_EXIT_VMMCALL]	 = INSN(V3_EXIT_HYPERCALL, 3),	/* 0f 01 d9 */
	[V3_SVM_EXIT_VMLOAD]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 da */
	[V3_SVM_EXIT_VMSAVE]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 db */
	[V3_SVM_EXIT_STGI]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 dc */
	[V3_SVM_EXIT_CLGI]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 dd */
	[V3_SVM_EXIT_SKINIT]	 = INSN(V3_EXIT_VMX_INSN, 3),	/* 0f 01 de */
	[V3_SVM_EXIT_RDTSCP]	 = INSN(V3_EXIT_UD_INSN, 3),	/* 0f 01 f9 */
	[V3_SVM_EXIT_WBINVD]	 = INSN(V3_EXIT_WBINVD, 2),	/* 0f 09 */
	[V3_SVM_EXIT_MONITOR]	 = INSN(V3_EXIT_UD_INSN, 3),	/* 0f 01 c8 */
	[V3_SVM_EXIT_MWAIT]	 = INSN(V3_EXIT_UD_INSN, 3),	/* 0f 01 c9 */
	[V3_SVM_EXIT_MWAIT_COND] = INSN(V3_EXIT_UD_INSN, 3),
	[V3_SVM_EXIT_XSETBV]	 = INSN(V3_EXIT_XSETBV, 3),	/* 0f 01 d1 */
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

/*
 * Length from a next-instruction address; 0 if it cannot be one (an x86
 * instruction is 1 to 15 bytes).  Outside 64-bit mode rIP wraps at 4 GiB.
 */
static u32 v3_len_to(u64 next, u64 rip)
{
	u64 d = next - rip;

	if (d > 15)
		d = (u32)d;
	return d >= 1 && d <= 15 ? d : 0;
}

void v3_svm_decode_exit(struct v3_vcpu *vcpu)
{
	struct v3_vmcb_control *c = &((struct v3_svm_vcpu *)vcpu->arch)->vmcb->control;
	struct v3_exit *e = &vcpu->exit;
	u64 code = c->exit_code;
	u64 rip = vcpu->regs.rip;
	bool insn = false;

	e->raw[0] = code;
	e->raw[1] = c->exit_info_1;
	e->raw[2] = c->exit_info_2;
	e->raw[3] = c->exit_int_info;
	e->insn_len = 0;

	if (code < ARRAY_SIZE(v3_svm_exits) && v3_svm_exits[code].known) {
		e->reason = v3_svm_exits[code].reason;
		e->insn_len = v3_svm_exits[code].len;
		insn = v3_svm_exits[code].insn;
	} else if (code >= V3_SVM_EXIT_READ_DR0 &&
		   code < V3_SVM_EXIT_EXCP_BASE) {
		e->reason = V3_EXIT_DR_ACCESS;
		e->crdr.reg = code & 0xf;
		e->crdr.write = code >= V3_SVM_EXIT_WRITE_DR0;
		/* decode assists put the GPR in EXITINFO1[3:0] (APM 15.33.1) */
		e->crdr.gpr = v3_svm_feat.decode_assists ?
			      c->exit_info_1 & 0xf : 0xff;
		insn = true;
	} else if (code < V3_SVM_EXIT_READ_DR0) {
		/*
		 * MOV to/from CRn, and CLTS/LMSW as CR0 writes (shadow
		 * paging, APM 15.9).  Decode assists give the GPR of a MOV
		 * in EXITINFO1[3:0] with bit 63 set; bit 63 clear on a CR0
		 * write is CLTS or LMSW.  Otherwise common code decodes.
		 */
		e->reason = V3_EXIT_CR_ACCESS;
		e->crdr.reg = code & 0xf;
		e->crdr.write = code >= V3_SVM_EXIT_WRITE_CR0;
		e->crdr.op = V3_CR_MOV;
		e->crdr.gpr = v3_svm_feat.decode_assists &&
			      (c->exit_info_1 & V3_CR_INFO_MOV) ?
			      c->exit_info_1 & 0xf : 0xff;
		insn = true;
	} else if (code == V3_SVM_EXIT_INVLPG) {
		/* decode assists: the linear address in EXITINFO1 (15.33.2) */
		e->reason = V3_EXIT_INVLPG;
		e->invlpg.valid = v3_svm_feat.decode_assists;
		e->invlpg.gva = c->exit_info_1;
		insn = true;
	} else if (code == V3_SVM_EXIT_NPF) {
		/* EXITINFO1: #PF-style error code; EXITINFO2: the GPA */
		e->reason = V3_EXIT_MEM_FAULT;
		e->mem.gpa = c->exit_info_2;
		e->mem.present = !!(c->exit_info_1 & BIT(0));
		e->mem.write = !!(c->exit_info_1 & BIT(1));
		e->mem.fetch = !!(c->exit_info_1 & BIT(4));
		e->mem.gva_valid = 0;
		/* APM vol. 2 15.25.6: bit 33, fault during a guest table walk */
		e->mem.walk = !!(c->exit_info_1 & BIT_ULL(33));
	} else if (code == V3_SVM_EXIT_INVALID) {
		e->reason = V3_EXIT_INVALID_STATE;
	} else if (code >= V3_SVM_EXIT_EXCP_BASE &&
		   code < V3_SVM_EXIT_INTR) {
		/*
		 * Exception intercepts are faults: rIP is the faulting
		 * instruction, no length.  EXITINFO1 holds the error code
		 * of vectors that push one (#AC: always 0), else 0
		 * (APM 15.12).
		 */
		e->reason = V3_EXIT_EXCEPTION;
		e->exc.vector = code - V3_SVM_EXIT_EXCP_BASE;
		e->exc.error = c->exit_info_1;
		/* #PF (shadow paging): the faulting address, CR2 untouched */
		e->exc.addr = c->exit_info_2;
	} else {
		e->reason = V3_EXIT_OTHER;
	}

	if (code == V3_SVM_EXIT_MSR && c->exit_info_1)
		e->reason = V3_EXIT_WRMSR;
	if (code == V3_SVM_EXIT_IOIO) {
		v3_svm_decode_io(e, c->exit_info_1);
		e->insn_len = v3_len_to(c->exit_info_2, rip);
	} else if (insn && v3_svm_feat.nrips && c->next_rip) {
		u32 len = v3_len_to(c->next_rip, rip);

		if (len)
			e->insn_len = len;
	}
	/* the operand is known but not the length: let common code decode */
	if ((e->reason == V3_EXIT_DR_ACCESS ||
	     e->reason == V3_EXIT_CR_ACCESS) && !e->insn_len)
		e->crdr.gpr = 0xff;
}

/*
 * Shadow paging's #PF for the guest (inject_pf): the EVENTINJ value once
 * the event the exit interrupted (reinject, from EXITINTINFO, APM vol. 2
 * 15.7.2) is combined with it as the CPU would (mmu/pf_event.c): #PF, or
 * #DF with error code 0; 0 when the VM stopped (triple fault).  The
 * caller drops reinject: it is never delivered after the #PF.
 */
u64 v3_svm_pf_event(struct v3_vcpu *vcpu, u64 reinject, u32 error)
{
	int vector = v3_pf_resolve(vcpu, reinject & V3_EVT_VALID ?
					  (u32)reinject : 0);

	if (vector < 0)
		return 0;
	if (vector == X86_TRAP_DF)
		error = 0;
	return vector | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID |
	       V3_EVT_ERR_VALID | ((u64)error << 32);
}
