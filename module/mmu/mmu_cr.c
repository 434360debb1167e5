// SPDX-License-Identifier: GPL-2.0
/*
 * Control-register accesses of a guest in shadow mode.  The CPU runs with
 * the hardware CR0/CR3/CR4/EFER the shadow tables need; the guest's own
 * values live in vcpu->regs, and every MOV to/from CR0, CR3, CR4 (with
 * CLTS, LMSW and SMSW, which count as CR0 accesses: AMD APM vol. 2 15.9,
 * Intel SDM vol. 3 25.1.3) comes here to be checked and done as the CPU
 * would (SDM vol. 3 2.5, APM vol. 2 3.1).
 *
 * Without decode assists (APM 15.33) or an exit qualification the
 * backend leaves crdr.gpr = 0xff and the instruction at RIP is decoded
 * here: 0F 20/22 /r (MOV from/to CRn, always a register operand, REX.R or
 * a LOCK prefix selecting CR8+), 0F 06 (CLTS), 0F 01 /6 (LMSW), 0F 01 /4
 * (SMSW), 0F 01 /7 (INVLPG: only its length is needed, see mmu.c).
 *
 * LMSW and SMSW take a memory operand too.  VMX hands LMSW's source over
 * in the exit qualification whatever its form (SDM vol. 3 table 28-3) and
 * runs SMSW without an exit, answering from the CR0 read shadow.  SVM
 * intercepts SMSW as a CR0 read and gives neither instruction's operand
 * (decode assists cover MOV CRn only, APM vol. 2 15.33.1): the operand's
 * effective address is computed here (SDM vol. 2 2.1.5, tables 2-1 to
 * 2-3: 16-bit forms, SIB, RIP-relative), with the segment's base from the
 * backend (arch op seg_base), and the word is read or written through the
 * guest's page tables with the access rights of the instruction, a fault
 * going to the guest as #PF.  Segment limits and types are not checked:
 * flat segments are assumed beyond their base.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "../v3.h"
#include "../insn.h"
#include "mmu.h"

/* CR4 bits a guest may set (CPUID offers the features behind them) */
#define V3_CR4_GUEST	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |	\
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |	\
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |	\
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		\
			 X86_CR4_UMIP | X86_CR4_FSGSBASE |		\
			 X86_CR4_PCIDE | X86_CR4_OSXSAVE |		\
			 X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE)

/* what changes the meaning of the guest's tables: shadows rebuilt */
#define V3_CR0_PAGING	(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)
#define V3_CR4_PAGING	(X86_CR4_PSE | X86_CR4_PAE | X86_CR4_SMEP |	\
			 X86_CR4_SMAP | X86_CR4_PCIDE | X86_CR4_PKE)

struct v3_cr_insn {
	u8 op;		/* enum v3_cr_op, or V3_CR_MOV with reg */
	u8 cr, gpr;
	bool write, smsw, invlpg, mem;
	u8 len;
	u8 opsize;	/* 2, 4, 8: SMSW's register destination */
	u8 seg;		/* enum v3_seg_reg of a memory operand */
	u64 ea;		/* its effective address (before the segment) */
};

/*
 * Effective address of the ModRM memory operand at p (mod != 3) and its
 * default segment: SS when the base is BP, SP or (16-bit) BP-based, else
 * DS (SDM vol. 1 3.7.4).  next_rip: the address after the instruction,
 * for RIP-relative addressing.
 */
static u64 v3_modrm_ea(const struct v3_regs *r, const u8 *p, u8 rex,
		       unsigned int addr_size, u64 next_rip, u8 *seg)
{
	u8 mod = p[0] >> 6, rm = p[0] & 7;
	const u64 *g = r->gpr;
	u64 ea = 0, mask;

	*seg = V3_SEG_DS;
	if (addr_size == 2) {
		static const s8 base16[8] = { V3_RBX, V3_RBX, V3_RBP, V3_RBP,
					      -1, -1, V3_RBP, V3_RBX };
		static const s8 index16[8] = { V3_RSI, V3_RDI, V3_RSI, V3_RDI,
					       V3_RSI, V3_RDI, -1, -1 };

		if (mod == 0 && rm == 6) {
			ea = (u16)(p[1] | p[2] << 8);
		} else {
			if (base16[rm] >= 0)
				ea += g[base16[rm]];
			if (index16[rm] >= 0)
				ea += g[index16[rm]];
			if (base16[rm] == V3_RBP)
				*seg = V3_SEG_SS;
			if (mod == 1)
				ea += (s8)p[1];
			else if (mod == 2)
				ea += (s16)(p[1] | p[2] << 8);
		}
		return ea & 0xffff;
	}
	mask = addr_size == 8 ? ~0ULL : 0xffffffffULL;
	p++;
	if (rm == 4) {		/* SIB */
		u8 sib = *p++, base = (sib & 7) | ((rex & 1) << 3);
		u8 index = ((sib >> 3) & 7) | ((rex & 2) << 2);

		if (index != V3_RSP)
			ea += g[index] << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0) {
			ea += (s32)(p[0] | p[1] << 8 | p[2] << 16 |
				    (u32)p[3] << 24);
			return ea & mask;
		}
		ea += g[base];
		if (base == V3_RSP || base == V3_RBP)	/* not R12, R13 */
			*seg = V3_SEG_SS;
	} else if (mod == 0 && rm == 5) {
		ea = (s32)(p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24);
		/* 64-bit mode: RIP-relative (SDM vol. 2 2.2.1.6) */
		if ((r->efer & EFER_LMA) && r->cs_attr_l)
			ea += next_rip;
		return ea & mask;
	} else {
		u8 base = rm | ((rex & 1) << 3);

		ea = g[base];
		if (base == V3_RBP)
			*seg = V3_SEG_SS;
	}
	if (mod == 1)
		ea += (s8)p[0];
	else if (mod == 2)
		ea += (s32)(p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24);
	return ea & mask;
}

/*
 * The instruction in insn[0..n), the bytes past n zero: d->len may come
 * out beyond n, which the caller refuses.
 */
static int v3_cr_decode_bytes(struct v3_vcpu *vcpu, const u8 *insn,
			      unsigned int n, struct v3_cr_insn *d)
{
	struct v3_regs *r = &vcpu->regs;
	bool long64 = v3_long_mode(vcpu);
	bool def32 = long64 || ((r->cr0 & X86_CR0_PE) && r->cs_attr_db);
	struct v3_insn_prefixes p;
	unsigned int i, addr_size;
	u8 rex, modrm;
	bool lock;

	if (v3_insn_prefixes(insn, n, long64, def32, &p))
		return -EINVAL;
	i = p.len;
	rex = p.rex;
	lock = p.lock;
	addr_size = p.addrsize;
	d->opsize = p.opsize;
	if (insn[i] != 0x0f)
		return -EINVAL;
	switch (insn[i + 1]) {
	case 0x06:		/* CLTS */
		d->op = V3_CR_CLTS;
		d->write = true;
		d->len = i + 2;
		return 0;
	case 0x20:		/* MOV r, CRn */
	case 0x22:		/* MOV CRn, r */
		modrm = insn[i + 2];
		d->op = V3_CR_MOV;
		d->write = insn[i + 1] == 0x22;
		d->cr = ((modrm >> 3) & 7) | ((rex & 4) << 1) | (lock ? 8 : 0);
		d->gpr = (modrm & 7) | ((rex & 1) << 3);
		d->len = i + 3;
		return 0;
	case 0x01:
		modrm = insn[i + 2];
		d->gpr = (modrm & 7) | ((rex & 1) << 3);
		d->mem = (modrm >> 6) != 3;
		d->len = i + 2 + v3_insn_modrm_len(&insn[i + 2], addr_size);
		if (d->mem) {
			d->ea = v3_modrm_ea(r, &insn[i + 2], rex, addr_size,
					    r->rip + d->len, &d->seg);
			if (p.seg != V3_NR_SEGS)
				d->seg = p.seg;
		}
		switch ((modrm >> 3) & 7) {
		case 4:
			d->smsw = true;
			return 0;
		case 6:
			d->op = V3_CR_LMSW;
			d->write = true;
			return 0;
		case 7:
			if (!d->mem)
				return -EINVAL;
			d->invlpg = true;
			return 0;
		}
	}
	return -EINVAL;
}

static int v3_cr_decode(struct v3_vcpu *vcpu, struct v3_cr_insn *d)
{
	u8 insn[V3_INSN_MAX + 8] = { 0 };	/* room for a ModR/M's reads */
	int n, ret;

	memset(d, 0, sizeof(*d));
	n = v3_insn_fetch(vcpu, insn);
	if (n < 0)
		return -EFAULT;
	ret = v3_cr_decode_bytes(vcpu, insn, n, d);
	if (!ret && d->len > (unsigned int)n)
		return -EINVAL;		/* cut off by an unmapped page */
	return ret;
}

/*
 * The word at the memory operand of LMSW (read) or SMSW (write), through
 * the guest's tables with the instruction's rights; 0, 1 when a #PF (or
 * #GP(0): a non-canonical address) went to the guest, -EFAULT when the
 * VMM cannot reach it.
 */
static int v3_cr_mem(struct v3_vcpu *vcpu, const struct v3_cr_insn *d,
		     bool write, u16 *val)
{
	struct v3_regs *r = &vcpu->regs;
	bool long64 = v3_long_mode(vcpu);
	u32 access = (write ? V3_PF_WRITE : 0) | (r->cpl == 3 ? V3_PF_USER : 0);
	u8 bytes[2] = { *val & 0xff, *val >> 8 };
	u64 base = 0, la;
	unsigned int i;

	/* 64-bit mode: only FS and GS have a base (SDM vol. 1 3.4.2.1) */
	if (!long64 || d->seg == V3_SEG_FS || d->seg == V3_SEG_GS) {
		if (!v3_arch->seg_base)
			return -EFAULT;
		base = v3_arch->seg_base(vcpu, d->seg);
	}
	for (i = 0; i < 2; i++) {
		struct v3_walk w;
		u64 gpa;
		int ret;

		la = base + d->ea + i;
		if (!long64)
			la &= 0xffffffffULL;
		if (r->cr0 & X86_CR0_PG) {
			ret = v3_pf_walk(vcpu, la, access, &w);
			if (ret == 1)
				return 1;
			if (ret)
				return -EFAULT;
			gpa = w.gpa;
		} else {
			gpa = la;
		}
		ret = write ? v3_write_gpa(vcpu->vm, gpa, &bytes[i], 1) :
			      v3_read_gpa(vcpu->vm, gpa, &bytes[i], 1);
		if (ret)
			return -EFAULT;
	}
	*val = bytes[0] | bytes[1] << 8;
	return 0;
}

int v3_mmu_decode_invlpg(struct v3_vcpu *vcpu)
{
	struct v3_cr_insn d;

	if (v3_cr_decode(vcpu, &d) || !d.invlpg) {
		v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
			   "vcpu %u: cannot decode INVLPG at rip 0x%llx",
			   vcpu->id, vcpu->regs.rip);
		return 1;
	}
	vcpu->exit.insn_len = d.len;
	return 0;
}

/* MOV to CR0, CLTS, LMSW: false if the CPU would raise #GP */
static bool v3_set_cr0(struct v3_vcpu *vcpu, u64 val)
{
	struct v3_regs *r = &vcpu->regs;
	u64 old = r->cr0, efer = r->efer;

	if (val >> 32)
		return false;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return false;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return false;
	val |= X86_CR0_ET;
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME)) {
		/* IA-32e activation (SDM vol. 3 10.8.5) */
		if (!(r->cr4 & X86_CR4_PAE))
			return false;
		efer |= EFER_LMA;
	}
	if ((old & X86_CR0_PG) && !(val & X86_CR0_PG)) {
		if (r->cs_attr_l && (efer & EFER_LMA))
			return false;	/* leave 64-bit mode first */
		efer &= ~EFER_LMA;
	}
	r->cr0 = val;
	if (efer != r->efer)
		v3_mmu_set_efer(vcpu, efer);
	if ((old ^ val) & V3_CR0_PAGING)
		v3_mmu_shadow.paging_changed(vcpu, r->cr3);
	vcpu->mmu.reload = true;
	return true;
}

static bool v3_set_cr4(struct v3_vcpu *vcpu, u64 val)
{
	struct v3_regs *r = &vcpu->regs;
	u64 old = r->cr4;

	if (val & ~V3_CR4_GUEST)
		return false;
	if ((r->efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return false;
	if ((val & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!(r->efer & EFER_LMA) || (r->cr3 & 0xfff)))
		return false;
	r->cr4 = val;
	if ((old ^ val) & V3_CR4_PAGING)
		v3_mmu_shadow.paging_changed(vcpu, r->cr3);
	/* MOV to CR4 that changes PGE or PCIDE flushes (SDM vol. 3 4.10.4.1) */
	if ((old ^ val) & (X86_CR4_PGE | X86_CR4_PCIDE))
		set_bit(V3_REQ_TLB, &vcpu->requests);
	vcpu->mmu.reload = true;
	return true;
}

/*
 * MOV to CR3.  With CR4.PCIDE bit 63 asks the CPU not to flush the PCID's
 * translations (SDM vol. 3 4.10.4.1): the shadows are coherent with the
 * guest's tables anyway (write protection), so only the hardware TLB
 * flush is skipped then; otherwise this ASID/VPID is flushed.
 */
static bool v3_set_cr3(struct v3_vcpu *vcpu, u64 val)
{
	struct v3_regs *r = &vcpu->regs;
	bool noflush = (r->cr4 & X86_CR4_PCIDE) && (val & BIT_ULL(63));

	val &= ~BIT_ULL(63);
	if (!(r->efer & EFER_LMA))
		val &= 0xffffffffULL;
	r->cr3 = val;
	vcpu->mmu.cr3_switches++;
	/*
	 * The next load finds the new root in the cache (the same one for
	 * a rewrite of the same value, Linux's local TLB flush) and reads
	 * a PAE guest's PDPTEs again, as MOV CR3 loads them.
	 */
	if (!noflush)
		set_bit(V3_REQ_TLB, &vcpu->requests);
	vcpu->mmu.reload = true;
	return true;
}

int v3_mmu_emulate_cr(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	struct v3_regs *r = &vcpu->regs;
	bool long64 = v3_long_mode(vcpu);
	struct v3_cr_insn d = {
		.op = e->crdr.op, .cr = e->crdr.reg, .gpr = e->crdr.gpr,
		.write = e->crdr.write, .len = e->insn_len,
	};
	u64 val = 0, *reg;
	bool ok = true, decoded = false;
	u16 word = 0;
	int ret;

	if (d.gpr == 0xff || !d.len) {
		if (v3_cr_decode(vcpu, &d) || d.invlpg)
			goto emul_fail;
		e->insn_len = d.len;
		decoded = true;
	} else if (d.op == V3_CR_LMSW) {
		val = e->crdr.lmsw;
	}
	reg = &r->gpr[d.gpr & 15];
	/*
	 * CPL > 0: #GP for all but SMSW, which user mode may run unless
	 * CR4.UMIP is set (SDM vol. 2 "SMSW", vol. 3 2.5)
	 */
	if (r->cpl && (!d.smsw || (r->cr4 & X86_CR4_UMIP))) {
		v3_inject_gp(vcpu);
		return 0;
	}
	if (d.smsw) {
		if (d.mem) {
			/* a memory destination takes 16 bits of CR0 */
			word = r->cr0;
			ret = v3_cr_mem(vcpu, &d, true, &word);
			if (ret < 0)
				goto mem_fail;
			if (ret)
				return 0;
		} else if (d.opsize == 2) {
			*reg = (*reg & ~0xffffULL) | (u16)r->cr0;
		} else {
			/* r32: CR0 zero-extended; r64: all of it */
			*reg = d.opsize == 8 ? r->cr0 : (u32)r->cr0;
		}
		v3_skip_insn(vcpu);
		return 0;
	}
	switch (d.op) {
	case V3_CR_CLTS:
		ok = v3_set_cr0(vcpu, r->cr0 & ~X86_CR0_TS);
		break;
	case V3_CR_LMSW:
		if (decoded && d.mem) {
			ret = v3_cr_mem(vcpu, &d, false, &word);
			if (ret < 0)
				goto mem_fail;
			if (ret)
				return 0;
			val = word;
		} else if (decoded) {
			val = *reg;
		}
		/* MP, EM, TS; PE can be set but not cleared */
		ok = v3_set_cr0(vcpu, (r->cr0 & ~0xeULL) | (val & 0xf) |
				      (r->cr0 & X86_CR0_PE));
		break;
	default:
		if (d.write) {
			val = long64 ? *reg : (u32)*reg;
			switch (d.cr) {
			case 0:
				ok = v3_set_cr0(vcpu, val);
				break;
			case 3:
				ok = v3_set_cr3(vcpu, val);
				break;
			case 4:
				ok = v3_set_cr4(vcpu, val);
				break;
			default:
				goto emul_fail;
			}
		} else {
			switch (d.cr) {
			case 0:
				val = r->cr0;
				break;
			case 3:
				val = r->cr3;
				break;
			case 4:
				val = r->cr4;
				break;
			default:
				goto emul_fail;
			}
			*reg = long64 ? val : (u32)val;
		}
	}
	if (!ok) {
		v3_inject_gp(vcpu);
		return 0;
	}
	v3_skip_insn(vcpu);
	return 0;
mem_fail:
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
		   "vcpu %u: %s's memory operand (segment %u + 0x%llx) out of reach at rip 0x%llx",
		   vcpu->id, d.smsw ? "SMSW" : "LMSW", d.seg, d.ea, r->rip);
	return 1;
emul_fail:
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
		   "vcpu %u: cannot emulate CR access at rip 0x%llx",
		   vcpu->id, r->rip);
	return 1;
}
