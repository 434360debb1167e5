/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The front of an x86 instruction, for the decoders of common code
 * (emulate.c: MMIO; mmu/shadow_emul.c: STOS on guest tables; mmu/mmu_cr.c:
 * CLTS, MOV CR, LMSW, SMSW, INVLPG): its bytes, its prefixes and the
 * operand and address sizes they give (insn.c).
 */
#ifndef _V3_INSN_H
#define _V3_INSN_H

#include <linux/types.h>

struct v3_vcpu;

#define V3_INSN_MAX	15	/* longest x86 instruction (SDM vol. 2 2.3.11) */

struct v3_insn_prefixes {
	u8 len;		/* bytes before the opcode: legacy prefixes, REX */
	u8 rex;		/* REX right before the opcode (64-bit mode), or 0 */
	u8 seg;		/* segment override (enum v3_seg_reg); V3_NR_SEGS: none */
	u8 rep;		/* F2 or F3, the last one; 0: none */
	bool lock;	/* F0 */
	bool o16;	/* 66 */
	bool a67;	/* 67 */
	u8 opsize;	/* operand size they give: 2, 4 or 8 (REX.W) */
	u8 addrsize;	/* address size: 2, 4 or 8 */
};

/*
 * The bytes at CS:RIP into b (V3_INSN_MAX long): their number, fewer when
 * the instruction's page is mapped and the next one is not; -EFAULT when
 * none can be read.
 */
int v3_insn_fetch(struct v3_vcpu *vcpu, u8 *b);

/*
 * Scan the prefixes of the n bytes at b; lm: 64-bit mode, def32: the
 * code segment's default size is 32 bits (CS.D, or 64-bit mode).  0, or
 * -EINVAL when no opcode byte follows them within n bytes.
 */
int v3_insn_prefixes(const u8 *b, unsigned int n, bool lm, bool def32,
		     struct v3_insn_prefixes *p);

/*
 * Bytes of the ModR/M byte at p, its SIB and its displacement (SDM vol. 2
 * tables 2-1 to 2-3) for the address size: 1 for a register operand.
 * Reads p[1] (the SIB) when there is one.
 */
int v3_insn_modrm_len(const u8 *p, unsigned int addrsize);

#endif
