// SPDX-License-Identifier: GPL-2.0
/*
 * Read-modify-write instructions on a write-protected guest page table
 * that shadow.c must emulate (a table written through itself, or a write
 * that made no progress: v3_shadow_wp_why).  Linux changes live entries
 * with locked RMW instructions: LOCK CMPXCHG (set_pte_atomic, pmdp
 * updates), LOCK BTR (ptep_test_and_clear_young), LOCK AND/OR
 * (clear_bit/set_bit on an entry), XADD.  Decoding and the arithmetic are
 * pure (this file, tests/unit/test_shadow_rmw.c); shadow.c does the memory
 * access as one atomic compare-and-exchange on the host mapping, so a
 * concurrent A/D update by another vCPU's walk is never lost.
 *
 * Forms (Intel SDM vol. 2, each instruction's page), memory destination
 * only:
 *   ADD/OR/AND/SUB/XOR r/m, r   00 01 08 09 20 21 28 29 30 31
 *   group 1 r/m, imm            80 /n ib, 81 /n iz, 83 /n ib (n = 0 1 4 5 6)
 *   BTS/BTR/BTC r/m, r          0F AB, 0F B3, 0F BB (offset inside the operand)
 *   BTS/BTR/BTC r/m, imm8       0F BA /5 /6 /7
 *   CMPXCHG r/m, r              0F B0 0F B1
 *   CMPXCHG8B m64               0F C7 /1 without REX.W (PAE kernels change
 *                               their 8-byte entries with it: cmpxchg64)
 *   CMPXCHG16B m128             REX.W 0F C7 /1 (two entries at once; the
 *                               CPU raises #GP on an operand that is not
 *                               16-byte aligned before any access, so
 *                               only aligned ones reach a #PF exit)
 *   XADD r/m, r                 0F C0 0F C1
 * Flags (vol. 1 appendix A): the arithmetic ones set CF, PF, AF, ZF, SF
 * and OF as a CPU does; the logical ones clear CF and OF (AF is left
 * undefined by the CPU and cleared here); BTx set CF to the bit and leave
 * the others, which the CPU leaves undefined.  A register bit offset
 * outside the operand (BTx addresses a bit string beyond it) is not
 * emulated: the caller falls back as before.
 */
#include <asm/processor-flags.h>
#include "../v3.h"
#include "../insn.h"
#include "mmu.h"
#include "shadow_rmw.h"

#define V3_ARITH_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

static const u8 v3_group1_ops[8] = {
	[0] = V3_RMW_ADD, [1] = V3_RMW_OR, [2] = V3_RMW_NONE, [3] = V3_RMW_NONE,
	[4] = V3_RMW_AND, [5] = V3_RMW_SUB, [6] = V3_RMW_XOR, [7] = V3_RMW_NONE,
};

static int v3_rmw_imm(const u8 *b, unsigned int at, unsigned int n,
		      unsigned int size, u64 *imm)
{
	unsigned int k;

	if (at + size > n)
		return -ENOENT;
	*imm = 0;
	for (k = 0; k < size; k++)
		*imm |= (u64)b[at + k] << (8 * k);
	return 0;
}

static u64 v3_sext(u64 v, unsigned int from)
{
	unsigned int sh = 64 - 8 * from;

	return (u64)((s64)(v << sh) >> sh);
}

int v3_rmw_decode(const u8 *b, unsigned int n, bool lm, bool def32,
		  struct v3_rmw *x)
{
	struct v3_insn_prefixes p;
	unsigned int i, m, immsz = 0;
	u8 op, modrm;
	bool two, sext = false;

	memset(x, 0, sizeof(*x));
	if (v3_insn_prefixes(b, n, lm, def32, &p))
		return -ENOENT;
	i = p.len;
	op = b[i++];
	two = op == 0x0f;
	if (two) {
		if (i >= n)
			return -ENOENT;
		op = b[i++];
	}
	if (i >= n)
		return -ENOENT;
	modrm = b[i];
	if (modrm >> 6 == 3)
		return -ENOENT;			/* register destination */
	x->size = p.opsize;
	x->reg = ((modrm >> 3) & 7) | ((p.rex & 4) << 1);
	x->op = V3_RMW_NONE;
	if (!two && op < 0x40 && (op & 7) <= 1) {
		x->op = v3_group1_ops[op >> 3];
		if (!(op & 1))
			x->size = 1;
	} else if (!two && (op == 0x80 || op == 0x81 || op == 0x83)) {
		x->op = v3_group1_ops[(modrm >> 3) & 7];
		x->has_imm = true;
		if (op == 0x80)
			x->size = 1;
		immsz = op == 0x81 ? min_t(unsigned int, x->size, 4) : 1;
		sext = true;
	} else if (two && (op == 0xab || op == 0xb3 || op == 0xbb)) {
		x->op = op == 0xab ? V3_RMW_BTS : op == 0xb3 ? V3_RMW_BTR :
			V3_RMW_BTC;
	} else if (two && op == 0xba && ((modrm >> 3) & 7) >= 5) {
		x->op = V3_RMW_BTS + ((modrm >> 3) & 7) - 5;
		x->has_imm = true;
		immsz = 1;
	} else if (two && (op == 0xb0 || op == 0xb1)) {
		x->op = V3_RMW_CMPXCHG;
		if (op == 0xb0)
			x->size = 1;
	} else if (two && (op == 0xc0 || op == 0xc1)) {
		x->op = V3_RMW_XADD;
		if (op == 0xc0)
			x->size = 1;
	} else if (two && op == 0xc7 && ((modrm >> 3) & 7) == 1) {
		/* 66 is ignored: m64, or m128 with REX.W */
		x->op = p.rex & 8 ? V3_RMW_CMPXCHG16B : V3_RMW_CMPXCHG8B;
		x->size = p.rex & 8 ? 16 : 8;
	}
	if (x->op == V3_RMW_NONE)
		return -ENOENT;
	if (x->has_imm)
		x->reg = 0;
	else if (x->size == 1 && !p.rex && x->reg >= 4 && x->reg < 8) {
		x->reg -= 4;			/* AH, CH, DH, BH */
		x->high8 = true;
	}
	m = v3_insn_modrm_len(&b[i], p.addrsize);
	i += m;
	if (i > n)
		return -ENOENT;
	if (immsz) {
		if (v3_rmw_imm(b, i, n, immsz, &x->imm))
			return -ENOENT;
		i += immsz;
		if (sext)
			x->imm = v3_sext(x->imm, immsz);
	}
	x->len = i;
	return 0;
}

static u64 v3_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* PF, ZF, SF of a result (PF: even parity of its low byte) */
static u64 v3_szp(u64 r, unsigned int size)
{
	u64 f = 0;

	if (!r)
		f |= X86_EFLAGS_ZF;
	if (r >> (8 * size - 1) & 1)
		f |= X86_EFLAGS_SF;
	if (!(__builtin_popcount((u8)r) & 1))
		f |= X86_EFLAGS_PF;
	return f;
}

/* flags of a + b = r and of a - b = r (SDM vol. 1 3.4.3.1) */
static u64 v3_add_flags(u64 a, u64 b, u64 r, unsigned int size)
{
	unsigned int msb = 8 * size - 1;
	u64 f = v3_szp(r, size);

	if (r < a)
		f |= X86_EFLAGS_CF;
	if (((a ^ r) & (b ^ r)) >> msb & 1)
		f |= X86_EFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= X86_EFLAGS_AF;
	return f;
}

static u64 v3_sub_flags(u64 a, u64 b, u64 r, unsigned int size)
{
	unsigned int msb = 8 * size - 1;
	u64 f = v3_szp(r, size);

	if (a < b)
		f |= X86_EFLAGS_CF;
	if (((a ^ b) & (a ^ r)) >> msb & 1)
		f |= X86_EFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= X86_EFLAGS_AF;
	return f;
}

static int v3_rmw_apply64(const struct v3_rmw *x, u64 old, u64 src, u64 acc,
			  u64 rflags, struct v3_rmw_out *o)
{
	u64 mask = v3_mask(x->size), r = 0, f;
	unsigned int bit;

	old &= mask;
	src &= mask;
	acc &= mask;
	memset(o, 0, sizeof(*o));
	o->write = true;
	switch (x->op) {
	case V3_RMW_ADD:
	case V3_RMW_XADD:
		r = (old + src) & mask;
		f = v3_add_flags(old, src, r, x->size);
		if (x->op == V3_RMW_XADD) {
			o->set_reg = true;
			o->reg_val = old;
		}
		break;
	case V3_RMW_SUB:
		r = (old - src) & mask;
		f = v3_sub_flags(old, src, r, x->size);
		break;
	case V3_RMW_AND:
	case V3_RMW_OR:
	case V3_RMW_XOR:
		r = x->op == V3_RMW_AND ? old & src :
		    x->op == V3_RMW_OR ? old | src : old ^ src;
		f = v3_szp(r, x->size);
		break;
	case V3_RMW_BTS:
	case V3_RMW_BTR:
	case V3_RMW_BTC:
		/* an immediate offset is taken modulo the operand's bits */
		bit = x->has_imm ? x->imm & (8 * x->size - 1) : src;
		if (!x->has_imm && src >= 8 * x->size)
			return -ERANGE;		/* beyond the operand */
		r = x->op == V3_RMW_BTS ? old | BIT_ULL(bit) :
		    x->op == V3_RMW_BTR ? old & ~BIT_ULL(bit) :
		    old ^ BIT_ULL(bit);
		o->new = r;
		o->rflags = (rflags & ~X86_EFLAGS_CF) |
			    ((old >> bit & 1) ? X86_EFLAGS_CF : 0);
		return 0;
	case V3_RMW_CMPXCHG:
		/* flags of CMP accumulator, destination */
		f = v3_sub_flags(acc, old, (acc - old) & mask, x->size);
		if (acc == old) {
			r = src;
		} else {
			r = old;
			o->write = false;	/* nothing to store */
			o->set_reg = true;	/* the accumulator gets old */
			o->reg_val = old;
		}
		break;
	default:
		return -EINVAL;
	}
	o->new = r;
	o->rflags = (rflags & ~V3_ARITH_FLAGS) | f;
	return 0;
}

int v3_rmw_apply(const struct v3_rmw *x, v3_rmw_val old, v3_rmw_val src,
		 v3_rmw_val acc, u64 rflags, struct v3_rmw_out *o)
{
	v3_rmw_val mask = x->size == 16 ? ~(v3_rmw_val)0 : v3_mask(8);

	if (x->op != V3_RMW_CMPXCHG8B && x->op != V3_RMW_CMPXCHG16B)
		return v3_rmw_apply64(x, old, src, acc, rflags, o);
	/*
	 * EDX:EAX against m64, RDX:RAX against m128: only ZF changes (SDM
	 * vol. 2A CMPXCHG8B/CMPXCHG16B)
	 */
	memset(o, 0, sizeof(*o));
	old &= mask;
	o->rflags = rflags & ~X86_EFLAGS_ZF;
	if ((acc & mask) == old) {
		o->write = true;
		o->new = src & mask;
		o->rflags |= X86_EFLAGS_ZF;
	} else {
		o->set_reg = true;	/* EDX:EAX (RDX:RAX) gets the operand */
		o->reg_val = old;
	}
	return 0;
}

void v3_rmw_operands(const struct v3_rmw *x, const u64 *gpr,
		     v3_rmw_val *src, v3_rmw_val *acc)
{
	if (x->op == V3_RMW_CMPXCHG16B) {
		*src = gpr[V3_RBX] | (v3_rmw_val)gpr[V3_RCX] << 64;
		*acc = gpr[V3_RAX] | (v3_rmw_val)gpr[V3_RDX] << 64;
		return;
	}
	if (x->op == V3_RMW_CMPXCHG8B) {
		*src = (u32)gpr[V3_RBX] | (u64)(u32)gpr[V3_RCX] << 32;
		*acc = (u32)gpr[V3_RAX] | (u64)(u32)gpr[V3_RDX] << 32;
		return;
	}
	*src = x->has_imm ? x->imm :
	       x->high8 ? gpr[x->reg] >> 8 : gpr[x->reg];
	*acc = gpr[V3_RAX];
}

void v3_rmw_writeback(const struct v3_rmw *x, const struct v3_rmw_out *o,
		      u64 *gpr)
{
	if (!o->set_reg)
		return;
	/* 32-bit destinations: zero-extended in 64-bit mode (SDM vol. 1 3.4.1.1) */
	if (x->op == V3_RMW_CMPXCHG16B) {
		gpr[V3_RAX] = (u64)o->reg_val;
		gpr[V3_RDX] = (u64)(o->reg_val >> 64);
	} else if (x->op == V3_RMW_CMPXCHG8B) {
		v3_gpr_write(&gpr[V3_RAX], false, 4, (u64)o->reg_val);
		v3_gpr_write(&gpr[V3_RDX], false, 4, (u64)(o->reg_val >> 32));
	} else if (x->op == V3_RMW_CMPXCHG) {
		v3_gpr_write(&gpr[V3_RAX], false, x->size, (u64)o->reg_val);
	} else {
		v3_gpr_write(&gpr[x->reg], x->high8, x->size, (u64)o->reg_val);
	}
}

/* the operand's halves one by one: the compare-and-exchange checks them */
static v3_rmw_val v3_rmw_load(const void *hva, unsigned int size)
{
	switch (size) {
	case 1:
		return READ_ONCE(*(const u8 *)hva);
	case 2:
		return READ_ONCE(*(const u16 *)hva);
	case 4:
		return READ_ONCE(*(const u32 *)hva);
	case 8:
		return READ_ONCE(*(const u64 *)hva);
	default:
		return READ_ONCE(((const u64 *)hva)[0]) |
		       (v3_rmw_val)READ_ONCE(((const u64 *)hva)[1]) << 64;
	}
}

static int v3_rmw_cmpxchg(struct v3_vm *vm, u64 gpa, v3_rmw_val old,
			  v3_rmw_val new, unsigned int size)
{
	u64 o[2] = { (u64)old, (u64)(old >> 64) };
	u64 n[2] = { (u64)new, (u64)(new >> 64) };

	if (size == 16)
		return v3_gpa_cmpxchg16(vm, gpa, o, n);
	return v3_gpa_cmpxchg(vm, gpa, o[0], n[0], size);
}

/*
 * Emulate the RMW instruction at RIP writing guest table memory at gpa:
 * 0 done (RIP advanced), 1 the VM was stopped, -ENOENT not such an
 * instruction (the caller's other ways apply).  An aligned operand is
 * changed with one compare-and-exchange on the host mapping, retried while
 * other vCPUs change it meanwhile; a misaligned one (no hardware walk
 * writes there) with a read and a write.
 */
int v3_shadow_emulate_rmw(struct v3_vcpu *vcpu, u64 gpa)
{
	struct v3_regs *r = &vcpu->regs;
	bool lm = v3_long_mode(vcpu);
	u8 b[V3_INSN_MAX + 1] = { 0 };	/* + a SIB read past the end */
	struct v3_rmw_out o;
	struct v3_rmw x;
	unsigned int tries;
	v3_rmw_val src, acc, old = 0;
	void *hva;
	int n, ret = 0;

	n = v3_insn_fetch(vcpu, b);
	if (n < 0 || v3_rmw_decode(b, n, lm, lm || r->cs_attr_db, &x))
		return -ENOENT;
	v3_rmw_operands(&x, r->gpr, &src, &acc);
	hva = v3_gpa_to_hva(vcpu->vm, gpa);
	if (!hva || (gpa & (x.size - 1))) {	/* v3_gpa_cmpxchg's -EFAULT */
		if (x.size == 16)
			return -ENOENT;	/* #GP's before any access, or not RAM */
		if (v3_read_gpa(vcpu->vm, gpa, &old, x.size) ||
		    v3_rmw_apply(&x, old, src, acc, r->rflags, &o))
			return -ENOENT;
		/* v3_write_gpa -> v3_mmu_gpa_written: the shadows go */
		if (o.write && v3_write_gpa(vcpu->vm, gpa, &o.new, x.size))
			return -ENOENT;
	} else {
		for (tries = 0;; tries++) {
			old = v3_rmw_load(hva, x.size);
			if (v3_rmw_apply(&x, old, src, acc, r->rflags, &o))
				return -ENOENT;
			if (o.write)
				ret = v3_rmw_cmpxchg(vcpu->vm, gpa, old, o.new,
						     x.size);
			else if (x.size == 16)
				/*
				 * A failed compare hands back m128 whole; its
				 * halves were loaded one by one, so store them
				 * back locked (the CPU also writes the operand
				 * on a failed compare, SDM vol. 2A CMPXCHG16B)
				 * to know they were one value.
				 */
				ret = v3_rmw_cmpxchg(vcpu->vm, gpa, old, old, 16);
			else
				break;
			if (ret != -EAGAIN)
				break;
			if (tries == 1000) {
				v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
					   "vcpu %u: shadow: RMW at rip 0x%llx on table gpa 0x%llx lost 1000 races",
					   vcpu->id, r->rip, gpa);
				return 1;
			}
		}
		if (ret)
			return -ENOENT;
		if (o.write)
			v3_mmu_gpa_written(vcpu->vm, gpa, x.size);
	}
	r->rflags = o.rflags;
	v3_rmw_writeback(&x, &o, r->gpr);
	vcpu->exit.insn_len = x.len;
	v3_skip_insn(vcpu);
	return 0;
}
