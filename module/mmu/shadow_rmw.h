/* SPDX-License-Identifier: GPL-2.0 */
/* Read-modify-write instructions on guest tables (shadow_rmw.c) */
#ifndef _V3_SHADOW_RMW_H
#define _V3_SHADOW_RMW_H

#include <linux/types.h>

enum {
	V3_RMW_NONE, V3_RMW_ADD, V3_RMW_OR, V3_RMW_AND, V3_RMW_SUB,
	V3_RMW_XOR, V3_RMW_BTS, V3_RMW_BTR, V3_RMW_BTC, V3_RMW_CMPXCHG,
	V3_RMW_XADD, V3_RMW_CMPXCHG8B, V3_RMW_CMPXCHG16B,
};

/* a memory operand's value: up to 16 bytes (CMPXCHG16B's m128) */
typedef unsigned __int128 v3_rmw_val;

struct v3_rmw {
	u8 op;		/* V3_RMW_* */
	u8 size;	/* memory operand: 1, 2, 4, 8 or 16 bytes */
	u8 len;		/* instruction length */
	u8 reg;		/* register operand (enum v3_gpr), unless has_imm */
	bool high8;	/* ... AH, CH, DH or BH */
	bool has_imm;
	u64 imm;	/* immediate, sign-extended to the operand size */
};

struct v3_rmw_out {
	v3_rmw_val new;	/* the memory operand after */
	bool write;	/* store it (CMPXCHG that failed: no) */
	bool set_reg;	/* XADD: reg gets reg_val; CMPXCHG: the accumulator;
			 * CMPXCHG8B: EDX:EAX; CMPXCHG16B: RDX:RAX */
	v3_rmw_val reg_val;
	u64 rflags;
};

/* 0, or -ENOENT: not one of the forms shadow_rmw.c emulates */
int v3_rmw_decode(const u8 *b, unsigned int n, bool lm, bool def32,
		  struct v3_rmw *x);
/*
 * The instruction on the memory value old with source src (register or
 * immediate) and accumulator acc (CMPXCHG); 0, -ERANGE for a BTx bit
 * offset outside the operand.
 */
int v3_rmw_apply(const struct v3_rmw *x, v3_rmw_val old, v3_rmw_val src,
		 v3_rmw_val acc, u64 rflags, struct v3_rmw_out *o);
/* the source and accumulator the instruction takes from registers gpr */
void v3_rmw_operands(const struct v3_rmw *x, const u64 *gpr,
		     v3_rmw_val *src, v3_rmw_val *acc);
/* the registers it writes besides RFLAGS, from what v3_rmw_apply said */
void v3_rmw_writeback(const struct v3_rmw *x, const struct v3_rmw_out *o,
		      u64 *gpr);

struct v3_vcpu;
/* 0 emulated, 1 VM stopped, -ENOENT not an instruction of this file */
int v3_shadow_emulate_rmw(struct v3_vcpu *vcpu, u64 gpa);

#endif
