// SPDX-License-Identifier: GPL-2.0
/*
 * STOS / REP STOS writing a write-protected guest page table through a
 * mapping that walks that same table (shadow.c, v3_shadow_emulate_write):
 * Linux clears its live top-level table this way early in boot
 * (reset_early_page_tables(): memset of early_top_pgt, "f3 48 ab").  The
 * MMIO decoder (emulate.c) covers MOV/MOVZX/XCHG only, so the string store
 * is done here.
 *
 * STOS (Intel SDM vol. 2B "STOS/STOSB/STOSW/STOSD/STOSQ"): store AL, AX,
 * EAX or RAX at ES:[rDI], then rDI += size, or -= size when RFLAGS.DF is
 * set.  AA is the byte form; AB is word/dword/qword by the operand size
 * (66 prefix, REX.W, CS.D).  The address size (64-bit mode: 64, 67 gives
 * 32; otherwise CS.D, 67 toggles) selects RDI/EDI/DI and RCX/ECX/CX.  ES
 * cannot be overridden; its base is 0 in 64-bit mode (SDM vol. 3 3.4.4).
 * struct v3_regs carries no ES base, so outside 64-bit mode a flat ES
 * (base 0) is assumed; this path is only reached with paging on.
 *
 * REP (F3; F2 behaves the same on STOS): repeat while rCX != 0, rCX
 * decremented per element; a count of 0 stores nothing.  A REP string
 * instruction may be interrupted between iterations with rCX/rDI
 * describing the elements left and RIP still at the instruction, which
 * then resumes (SDM vol. 2B "REP/REPE/REPZ/REPNE/REPNZ", and vol. 1 7.3.9.1
 * "fast-string operation": a fault or interrupt within stops with the
 * registers consistent).  So one exit stores at most the elements that
 * start in the page of the first one and returns to the guest with RIP
 * unchanged if any are left; the guest re-executes the rest (natively, or
 * through this path again).  Every call makes progress: it stores at
 * least one element, injects a fault, completes the instruction (count 0)
 * or stops the VM.
 *
 * Each destination is translated by the guest page-table walker (write
 * access at the guest's CPL, A/D set as a CPU does) and written with
 * v3_write_gpa(), whose hook drops the shadows of the table written.  One
 * walk per page serves the elements in it: a CPU may likewise keep using
 * a cached translation after a store to the paging structures until it
 * is invalidated (SDM vol. 3 4.10.4.2).  A fault on an element (#PF with
 * CR2 = the first byte of the page that faulted, #GP(0) for a
 * non-canonical address) is injected with rCX/rDI left at that element,
 * as a CPU leaves them.
 */
#include <asm/processor-flags.h>
#include "../v3.h"
#include "../insn.h"
#include "mmu.h"
#include "walk.h"

struct v3_stos {
	u8 size;		/* element: 1, 2, 4 or 8 */
	u8 len;			/* instruction length */
	bool rep;
	u64 amask;		/* address size: rDI / rCX mask */
};

/*
 * Decode the instruction at RIP.  0 when it is STOS, -ENOENT for anything
 * else (the caller tries its other decoders), -EFAULT when unreadable.
 */
static int v3_stos_decode(struct v3_vcpu *vcpu, struct v3_stos *s)
{
	const struct v3_regs *r = &vcpu->regs;
	bool lm = v3_long_mode(vcpu);
	struct v3_insn_prefixes p;
	u8 b[V3_INSN_MAX], op;
	int n;

	n = v3_insn_fetch(vcpu, b);
	if (n < 0)
		return -EFAULT;
	if (v3_insn_prefixes(b, n, lm, lm || r->cs_attr_db, &p))
		return -ENOENT;
	op = b[p.len];
	/* segment overrides do not apply to ES:rDI; LOCK: #UD, not ours */
	if ((op != 0xaa && op != 0xab) || p.lock)
		return -ENOENT;
	s->rep = p.rep != 0;
	s->size = op == 0xaa ? 1 : p.opsize;
	s->len = p.len + 1;
	s->amask = p.addrsize == 8 ? ~0ULL : (1ULL << (p.addrsize * 8)) - 1;
	return 0;
}

/* One translated page: the walker's answer for the page of la */
struct v3_stos_tlb {
	u64 page;		/* la >> PAGE_SHIFT */
	u64 gpa;		/* its frame */
	bool valid;
};

/*
 * Translate la for a write (0), or inject the fault the CPU would raise
 * and return 1, or stop the VM and return -EIO.
 */
static int v3_stos_xlate(struct v3_vcpu *vcpu, struct v3_stos_tlb *tlb,
			 u64 la, u64 *gpa)
{
	u32 access = V3_PF_WRITE | (vcpu->regs.cpl == 3 ? V3_PF_USER : 0);
	struct v3_walk w;
	int ret, k;

	for (k = 0; k < 2; k++) {
		if (tlb[k].valid && tlb[k].page == la >> PAGE_SHIFT) {
			*gpa = tlb[k].gpa | (la & ~PAGE_MASK);
			return 0;
		}
	}
	ret = v3_pf_walk(vcpu, la, access, &w);
	if (ret == 1)
		return 1;	/* #PF (CR2 = la) or #GP(0) went to the guest */
	if (ret) {
		v3_vm_stop(vcpu->vm, V3_STOP_BAD_MEMORY, 0,
			   "vcpu %u: guest page tables for 0x%llx outside RAM (rip 0x%llx)",
			   vcpu->id, la, vcpu->regs.rip);
		return -EIO;
	}
	k = tlb[0].valid ? 1 : 0;
	tlb[k].page = la >> PAGE_SHIFT;
	tlb[k].gpa = w.gpa & PAGE_MASK;
	tlb[k].valid = true;
	*gpa = w.gpa;
	return 0;
}

/*
 * Store one element at la: both pages of a page-crossing element are
 * translated before either part is written (a faulting store writes
 * nothing).  0 stored, 1 fault injected, -EIO VM stopped, -EFAULT the
 * destination is not RAM.
 */
static int v3_stos_store(struct v3_vcpu *vcpu, struct v3_stos_tlb *tlb,
			 u64 la, u64 val, u8 size)
{
	unsigned int first = min_t(u64, size, PAGE_SIZE - (la & ~PAGE_MASK));
	u64 gpa0, gpa1 = 0;
	int ret;

	ret = v3_stos_xlate(vcpu, tlb, la, &gpa0);
	if (!ret && first < size)
		ret = v3_stos_xlate(vcpu, tlb, la + first, &gpa1);
	if (ret)
		return ret;
	/* little-endian: the low bytes go to the lower addresses */
	if (v3_write_gpa(vcpu->vm, gpa0, &val, first))
		return -EFAULT;
	if (first < size &&
	    v3_write_gpa(vcpu->vm, gpa1, (u8 *)&val + first, size - first))
		return -EFAULT;
	return 0;
}

/*
 * Emulate the STOS at RIP.  -ENOENT: not a STOS or unreadable (nothing
 * done); 0: done
 * or partly done, or a fault injected (resume the guest); 1: VM stopped.
 */
int v3_shadow_emulate_stos(struct v3_vcpu *vcpu)
{
	struct v3_regs *r = &vcpu->regs;
	struct v3_stos_tlb tlb[2] = { };
	struct v3_stos s;
	u64 cnt, di, val, page, la, done = 0;
	s64 step;
	int ret;

	ret = v3_stos_decode(vcpu, &s);
	if (ret)
		return -ENOENT;
	val = r->gpr[V3_RAX];
	cnt = s.rep ? r->gpr[V3_RCX] & s.amask : 1;
	step = (r->rflags & X86_EFLAGS_DF) ? -(s64)s.size : s.size;
	page = ~0ULL;
	while (cnt) {
		di = r->gpr[V3_RDI] & s.amask;
		la = di;		/* ES base 0 (see above) */
		if (!v3_long_mode(vcpu))
			la &= 0xffffffffULL;
		/* this exit: the elements starting in the first one's page */
		if (page == ~0ULL)
			page = la >> PAGE_SHIFT;
		else if (la >> PAGE_SHIFT != page)
			return 0;	/* rest: the guest re-executes */
		ret = v3_stos_store(vcpu, tlb, la, val, s.size);
		if (ret == 1)
			return 0;	/* fault injected, registers at it */
		if (ret == -EIO)
			return 1;
		if (ret) {
			/*
			 * Not RAM.  After progress the guest re-executes and
			 * comes back here for this element with none.
			 */
			if (done)
				return 0;
			v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
				   "vcpu %u: STOS at rip 0x%llx to non-RAM at 0x%llx",
				   vcpu->id, r->rip, la);
			return 1;
		}
		done++;
		r->gpr[V3_RDI] = (r->gpr[V3_RDI] & ~s.amask) |
				 ((di + step) & s.amask);
		cnt--;
		if (s.rep)
			r->gpr[V3_RCX] = (r->gpr[V3_RCX] & ~s.amask) | cnt;
	}
	/* all done (or a count of 0): the instruction completes */
	vcpu->exit.insn_len = s.len;
	v3_skip_insn(vcpu);
	return v3_vm_stopped(vcpu->vm) ? 1 : 0;
}
