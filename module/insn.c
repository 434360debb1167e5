// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction bytes and prefixes for the decoders of common code.
 *
 * Prefixes (Intel SDM vol. 2 2.1.1, 2.2.1; AMD APM vol. 3 1.2): the legacy
 * ones - LOCK (F0), REP (F2, F3), segment overrides (26 2E 36 3E 64 65),
 * operand size (66), address size (67) - come in any order and any number
 * of times, repeating one has the effect of one; in 64-bit mode a REX
 * (40-4F) may follow them, and counts only right before the opcode: one
 * followed by another prefix is ignored.  In 64-bit mode the CS, DS, ES and
 * SS overrides have no effect (vol. 1 3.4.2.1); the caller decides what a
 * segment means.
 *
 * Sizes (vol. 1 3.6, vol. 2 2.2.1.2): the operand size is the segment's
 * default (16 or 32) or the other one with 66, and 64 with REX.W, which
 * wins over 66; the address size is the default (64 in 64-bit mode) or,
 * with 67, 32 in 64-bit mode and the other of 16/32 otherwise.
 */
#include "v3.h"
#include "insn.h"

int v3_insn_fetch(struct v3_vcpu *vcpu, u8 *b)
{
	u64 la = vcpu->regs.cs_base + vcpu->regs.rip;
	unsigned int n;

	if (!v3_long_mode(vcpu))
		la &= 0xffffffffULL;
	if (!v3_fetch_insn(vcpu, b, V3_INSN_MAX))
		return V3_INSN_MAX;
	/* the next page may be unmapped: the bytes up to its start */
	n = PAGE_SIZE - (la & ~PAGE_MASK);
	if (n >= V3_INSN_MAX || v3_fetch_insn(vcpu, b, n))
		return -EFAULT;
	return n;
}

int v3_insn_prefixes(const u8 *b, unsigned int n, bool lm, bool def32,
		     struct v3_insn_prefixes *p)
{
	static const u8 segs[] = {
		[V3_SEG_ES] = 0x26, [V3_SEG_CS] = 0x2e, [V3_SEG_SS] = 0x36,
		[V3_SEG_DS] = 0x3e, [V3_SEG_FS] = 0x64, [V3_SEG_GS] = 0x65,
	};
	unsigned int i, s;

	memset(p, 0, sizeof(*p));
	p->seg = V3_NR_SEGS;
	n = min_t(unsigned int, n, V3_INSN_MAX);
	for (i = 0; i < n; i++) {
		u8 op = b[i];

		if (lm && (op & 0xf0) == 0x40) {
			p->rex = op;
			continue;
		}
		for (s = 0; s < ARRAY_SIZE(segs); s++)
			if (op == segs[s])
				break;
		if (s < ARRAY_SIZE(segs))
			p->seg = s;
		else if (op == 0xf0)
			p->lock = true;
		else if (op == 0xf2 || op == 0xf3)
			p->rep = op;
		else if (op == 0x66)
			p->o16 = true;
		else if (op == 0x67)
			p->a67 = true;
		else
			break;
		p->rex = 0;	/* a REX before a legacy prefix: ignored */
	}
	if (i >= n)
		return -EINVAL;
	p->len = i;
	if (p->rex & 8)
		p->opsize = 8;
	else
		p->opsize = (def32 ^ p->o16) ? 4 : 2;
	if (lm)
		p->addrsize = p->a67 ? 4 : 8;
	else
		p->addrsize = (def32 ^ p->a67) ? 4 : 2;
	return 0;
}

int v3_insn_modrm_len(const u8 *p, unsigned int addrsize)
{
	u8 mod = p[0] >> 6, rm = p[0] & 7;

	if (mod == 3)
		return 1;
	if (addrsize == 2) {
		if (mod == 0)
			return rm == 6 ? 3 : 1;
		return mod == 1 ? 2 : 3;
	}
	if (rm == 4) {		/* SIB */
		if (mod == 0)
			return (p[1] & 7) == 5 ? 6 : 2;
		return mod == 1 ? 3 : 6;
	}
	if (mod == 0)
		return rm == 5 ? 5 : 1;
	return mod == 1 ? 2 : 5;
}
