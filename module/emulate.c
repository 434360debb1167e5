// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder for the instructions that touch device memory (MMIO): the MOV
 * family, MOVZX and XCHG, which is what compilers emit for readl/writel
 * and friends.  Only what is needed to perform the access is decoded:
 * direction, size, register or immediate operand, and the instruction
 * length; the address comes from the nested-paging fault itself.
 * Encodings: Intel SDM vol. 2 chapter 2 (prefixes, REX, ModR/M, SIB).
 */
#include "v3.h"
#include "insn.h"

struct v3_decoder {
	const u8 *b;
	unsigned int i, n;
	u8 opsize, addrsize, rex;
	bool lm;		/* 64-bit mode: REX prefixes exist */
};

static int v3_next(struct v3_decoder *d, u8 *byte)
{
	if (d->i >= d->n)
		return -EINVAL;
	*byte = d->b[d->i++];
	return 0;
}

/* Skip ModR/M, SIB and displacement; memory operands only. */
static int v3_modrm(struct v3_decoder *d, u8 *reg)
{
	u8 modrm;

	if (d->i >= d->n)
		return -EINVAL;
	modrm = d->b[d->i];
	*reg = ((modrm >> 3) & 7) | ((d->rex & 4) << 1);
	if (modrm >> 6 == 3)
		return -EINVAL;		/* register operand: not MMIO */
	d->i += v3_insn_modrm_len(&d->b[d->i], d->addrsize);
	return d->i <= d->n ? 0 : -EINVAL;
}

static void v3_set_byte_reg(struct v3_decoder *d, struct v3_mmio_insn *in)
{
	/* without REX, byte registers 4-7 are AH, CH, DH, BH */
	if (!d->rex && in->reg >= 4 && in->reg < 8) {
		in->reg -= 4;
		in->reg_high8 = 1;
	}
}

static int v3_imm(struct v3_decoder *d, unsigned int size, u64 *imm)
{
	unsigned int k;

	*imm = 0;
	if (d->i + size > d->n)
		return -EINVAL;
	for (k = 0; k < size; k++)
		*imm |= (u64)d->b[d->i + k] << (8 * k);
	d->i += size;
	return 0;
}

static int v3_decode(struct v3_decoder *d, struct v3_mmio_insn *in,
		     bool def32)
{
	struct v3_insn_prefixes p;
	u8 op, op2;

	/* LOCK on these raises #UD before any access (XCHG locks anyway),
	 * REP does nothing to them, and a segment override changes only the
	 * address, which the fault gave */
	if (v3_insn_prefixes(d->b, d->n, d->lm, def32, &p))
		return -EINVAL;
	d->i = p.len;
	d->rex = p.rex;
	d->opsize = p.opsize;
	d->addrsize = p.addrsize;
	if (v3_next(d, &op))
		return -EINVAL;

	in->size = d->opsize;
	switch (op) {
	case 0x88: case 0x8a: case 0x86:	/* byte forms */
		in->size = 1;
		fallthrough;
	case 0x89: case 0x8b: case 0x87:
		if (v3_modrm(d, &in->reg))
			return -EINVAL;
		in->reg_size = in->size;
		if (in->size == 1)
			v3_set_byte_reg(d, in);
		in->write = op == 0x88 || op == 0x89;
		in->xchg = op == 0x86 || op == 0x87;
		return 0;
	case 0xc6: case 0xc7:			/* MOV r/m, imm */
		if (v3_modrm(d, &in->reg) || (in->reg & 7))
			return -EINVAL;
		if (op == 0xc6)
			in->size = 1;
		in->write = 1;
		in->has_imm = 1;
		if (v3_imm(d, min_t(u8, in->size, 4), &in->imm))
			return -EINVAL;
		if (in->size == 8)		/* imm32 sign-extended */
			in->imm = (u64)(s64)(s32)in->imm;
		return 0;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:	/* MOV AL/eAX, moffs */
		in->size = (op & 1) ? d->opsize : 1;
		in->reg = V3_RAX;
		in->reg_size = in->size;
		in->write = op >= 0xa2;
		d->i += d->addrsize;
		return d->i <= d->n ? 0 : -EINVAL;
	case 0x0f:
		if (v3_next(d, &op2) || (op2 != 0xb6 && op2 != 0xb7))
			return -EINVAL;
		if (v3_modrm(d, &in->reg))	/* MOVZX r, r/m8 / r/m16 */
			return -EINVAL;
		in->reg_size = d->opsize;
		in->size = op2 == 0xb6 ? 1 : 2;
		in->zext = 1;
		return 0;
	}
	return -EINVAL;
}

int v3_decode_mmio(struct v3_vcpu *vcpu, struct v3_mmio_insn *in)
{
	struct v3_decoder d = { 0 };
	u8 bytes[V3_INSN_MAX + 1] = { 0 };	/* + a SIB read past the end */
	bool lm = v3_long_mode(vcpu);
	int n;

	memset(in, 0, sizeof(*in));
	n = v3_insn_fetch(vcpu, bytes);
	if (n < 0)
		return -EFAULT;
	d.b = bytes;
	d.n = n;
	d.lm = lm;
	if (v3_decode(&d, in, lm || vcpu->regs.cs_attr_db))
		return -EINVAL;
	in->len = d.i;
	return 0;
}
