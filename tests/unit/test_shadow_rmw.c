// SPDX-License-Identifier: GPL-2.0
/*
 * The read-modify-write instructions shadow paging emulates on guest
 * tables (module/mmu/shadow_rmw.c): decoding of each form, and results
 * and flags checked against this machine's own CPU running the same
 * instruction on the same values (the flags the SDM leaves undefined
 * masked out).
 */
#include <string.h>
#include <stdlib.h>
#include <asm/processor-flags.h>
#include "v3.h"
#include "mmu/shadow_rmw.h"
#include "unit.h"

/* v3_shadow_emulate_rmw() is test_mmu_shadow's: its memory is not here */
int v3_fetch_insn(struct v3_vcpu *v, u8 *buf, size_t len) { abort(); }
void *v3_gpa_to_hva(struct v3_vm *m, u64 gpa) { abort(); }
int v3_read_gpa(struct v3_vm *m, u64 gpa, void *buf, size_t len) { abort(); }
int v3_write_gpa(struct v3_vm *m, u64 gpa, const void *buf, size_t len) { abort(); }
void v3_mmu_gpa_written(struct v3_vm *m, u64 gpa, u64 len) { abort(); }
int v3_gpa_cmpxchg(struct v3_vm *m, u64 gpa, u64 old, u64 new, unsigned int size) { abort(); }
int v3_gpa_cmpxchg16(struct v3_vm *m, u64 gpa, const u64 *old, const u64 *new) { abort(); }
void v3_skip_insn(struct v3_vcpu *v) { abort(); }

#define ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | \
		 X86_EFLAGS_SF | X86_EFLAGS_OF)

static int dec(const char *hex, bool lm, struct v3_rmw *x)
{
	u8 b[16] = { 0 };
	unsigned int n = unit_hex(hex, b, 15);

	return v3_rmw_decode(b, n, lm, true, x);
}

static void test_decode(void)
{
	struct v3_rmw x;

	CHECK(dec("f0 48 0f ba 37 05", true, &x) == 0 && x.op == V3_RMW_BTR &&
	      x.size == 8 && x.has_imm && x.imm == 5 && x.len == 6,
	      "lock btr qword [rdi], 5 (ptep_test_and_clear_young)");
	CHECK(dec("f0 48 0f b1 0f", true, &x) == 0 && x.op == V3_RMW_CMPXCHG &&
	      x.size == 8 && x.reg == V3_RCX && x.len == 5,
	      "lock cmpxchg [rdi], rcx");
	CHECK(dec("f0 0f b1 4f 08", true, &x) == 0 && x.size == 4 && x.len == 5,
	      "lock cmpxchg [rdi+8], ecx: 32-bit, disp8");
	CHECK(dec("f0 0f c7 0f", true, &x) == 0 && x.op == V3_RMW_CMPXCHG8B &&
	      x.size == 8 && x.len == 4, "lock cmpxchg8b [rdi]");
	CHECK(dec("f0 0f c7 4e 08", false, &x) == 0 && x.op == V3_RMW_CMPXCHG8B &&
	      x.size == 8 && x.len == 5, "32-bit code: lock cmpxchg8b [esi+8] (a PAE kernel's cmpxchg64)");
	CHECK(dec("f0 48 0f c7 0f", true, &x) == 0 && x.op == V3_RMW_CMPXCHG16B &&
	      x.size == 16 && x.len == 5, "lock cmpxchg16b [rdi]: m128");
	CHECK(dec("f0 49 0f c7 48 10", true, &x) == 0 && x.op == V3_RMW_CMPXCHG16B &&
	      x.size == 16 && x.len == 6, "lock cmpxchg16b [r8+16]: REX.WB, disp8");
	CHECK(dec("f0 0f c7 4f 10", true, &x) == 0 && x.op == V3_RMW_CMPXCHG8B,
	      "without REX.W in 64-bit code: cmpxchg8b");
	CHECK(dec("0f c7 37", true, &x) == -ENOENT, "0f c7 /6 (vmptrld m64): not a read-modify-write");
	CHECK(dec("0f c7 c8", true, &x) == -ENOENT, "0f c7 with a register operand: not one");
	CHECK(dec("f0 80 27 fd", true, &x) == 0 && x.op == V3_RMW_AND && x.size == 1 &&
	      x.imm == 0xfffffffffffffffdULL && x.len == 4,
	      "lock and byte [rdi], 0xfd (clear_bit): imm8 sign-extended");
	CHECK(dec("f0 48 83 0f 01", true, &x) == 0 && x.op == V3_RMW_OR && x.size == 8 &&
	      x.imm == 1, "lock or qword [rdi], 1 (83 /1 ib)");
	CHECK(dec("f0 48 81 27 ff ff ff 7f", true, &x) == 0 && x.op == V3_RMW_AND &&
	      x.imm == 0x7fffffff && x.len == 8, "lock and qword [rdi], imm32");
	CHECK(dec("66 81 07 34 12", true, &x) == 0 && x.op == V3_RMW_ADD && x.size == 2 &&
	      x.imm == 0x1234 && x.len == 5, "add word [rdi], imm16");
	CHECK(dec("f0 48 09 07", true, &x) == 0 && x.op == V3_RMW_OR && x.reg == V3_RAX,
	      "lock or [rdi], rax");
	CHECK(dec("f0 4c 21 07", true, &x) == 0 && x.op == V3_RMW_AND && x.reg == 8,
	      "lock and [rdi], r8 (REX.R)");
	CHECK(dec("30 27", true, &x) == 0 && x.op == V3_RMW_XOR && x.size == 1 &&
	      x.reg == V3_RAX && x.high8, "xor [rdi], ah");
	CHECK(dec("f0 48 0f c1 07", true, &x) == 0 && x.op == V3_RMW_XADD,
	      "lock xadd [rdi], rax");
	CHECK(dec("f0 48 0f ab 07", true, &x) == 0 && x.op == V3_RMW_BTS && !x.has_imm,
	      "lock bts [rdi], rax");
	CHECK(dec("f0 0f ba 2c 24 03", true, &x) == 0 && x.op == V3_RMW_BTS && x.len == 6,
	      "lock bts dword [rsp], 3 (SIB)");
	CHECK(dec("f0 0f b1 0d 00 10 00 00", true, &x) == 0 && x.len == 8,
	      "lock cmpxchg [rip+0x1000], ecx");
	CHECK(dec("0f ba 27 05", true, &x) == -ENOENT, "bt (no write): not taken");
	CHECK(dec("11 07", true, &x) == -ENOENT, "adc: not emulated");
	CHECK(dec("38 07", true, &x) == -ENOENT, "cmp: no write");
	CHECK(dec("48 89 07", true, &x) == -ENOENT, "mov: the MMIO decoder's");
	CHECK(dec("f0 48 09 c0", true, &x) == -ENOENT, "register destination: not taken");
	CHECK(dec("f0 48 0f ba 37", true, &x) == -ENOENT, "immediate cut off: refused");
	CHECK(dec("f0 0f b1 0f", false, &x) == 0 && x.size == 4,
	      "32-bit code: lock cmpxchg [edi], ecx");
}

/* ---- the host CPU as the oracle ------------------------------------- */

#define HOST_OP(name, insn, sfx, type)						\
static void host_##name##sfx(type *m, type src, u64 *fl)			\
{										\
	u64 f;									\
	asm volatile(insn " %2, %0\n\tpushfq\n\tpopq %1"			\
		     : "+m"(*m), "=r"(f) : "r"(src) : "cc");			\
	*fl = f;								\
}
#define HOST_ALL(name, insn)							\
	HOST_OP(name, insn "b", 1, u8) HOST_OP(name, insn "w", 2, u16)		\
	HOST_OP(name, insn "l", 4, u32) HOST_OP(name, insn "q", 8, u64)
HOST_ALL(add, "add") HOST_ALL(sub, "sub") HOST_ALL(and, "and")
HOST_ALL(or, "or") HOST_ALL(xor, "xor")

static void host_arith(int op, unsigned int size, u64 *m, u64 src, u64 *fl)
{
	union { u8 b; u16 w; u32 l; u64 q; } v = { .q = *m };

#define CASE(o, name)								\
	case o:									\
		if (size == 1) host_##name##1(&v.b, src, fl);			\
		else if (size == 2) host_##name##2(&v.w, src, fl);		\
		else if (size == 4) host_##name##4(&v.l, src, fl);		\
		else host_##name##8(&v.q, src, fl);				\
		break;
	switch (op) {
	CASE(V3_RMW_ADD, add) CASE(V3_RMW_SUB, sub) CASE(V3_RMW_AND, and)
	CASE(V3_RMW_OR, or) CASE(V3_RMW_XOR, xor)
	}
	*m = size == 1 ? v.b : size == 2 ? v.w : size == 4 ? v.l : v.q;
}

static void host_cmpxchg8(u64 *m, u64 src, u64 *acc, u64 *fl)
{
	u64 f, a = *acc;

	asm volatile("cmpxchgq %3, %0\n\tpushfq\n\tpopq %1"
		     : "+m"(*m), "=r"(f), "+a"(a) : "r"(src) : "cc");
	*acc = a;
	*fl = f;
}

/* cmpxchg8b on m with RDX:RAX and RCX:RBX, RFLAGS *fl before and after */
static void host_cmpxchg8b(u64 *m, u64 *rax, u64 *rdx, u64 rbx, u64 rcx, u64 *fl)
{
	u64 f = *fl, a = *rax, d = *rdx;

	asm volatile("pushq %1\n\tpopfq\n\tcmpxchg8b %0\n\tpushfq\n\tpopq %1"
		     : "+m"(*m), "+r"(f), "+a"(a), "+d"(d) : "b"(rbx), "c"(rcx) : "cc");
	*rax = a;
	*rdx = d;
	*fl = f;
}

/* cmpxchg16b on 16-byte-aligned m with RDX:RAX and RCX:RBX */
static void host_cmpxchg16b(u64 *m, u64 *rax, u64 *rdx, u64 rbx, u64 rcx, u64 *fl)
{
	u64 f = *fl, a = *rax, d = *rdx;

	asm volatile("pushq %1\n\tpopfq\n\tcmpxchg16b %0\n\tpushfq\n\tpopq %1"
		     : "+m"(*(u64 (*)[2])m), "+r"(f), "+a"(a), "+d"(d)
		     : "b"(rbx), "c"(rcx) : "cc", "memory");
	*rax = a;
	*rdx = d;
	*fl = f;
}

static void host_xadd4(u32 *m, u32 *src, u64 *fl)
{
	u64 f;
	u32 s = *src;

	asm volatile("xaddl %2, %0\n\tpushfq\n\tpopq %1"
		     : "+m"(*m), "=r"(f), "+r"(s) : : "cc");
	*src = s;
	*fl = f;
}

static void host_btr8(u64 *m, u64 bit, u64 *fl)
{
	u64 f;

	asm volatile("btrq %2, %0\n\tpushfq\n\tpopq %1"
		     : "+m"(*m), "=r"(f) : "r"(bit) : "cc");
	*fl = f;
}

static u64 rnd(void)
{
	static const u64 edge[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, 0x0f, 0x10 };

	if (rand() % 3 == 0)
		return edge[rand() % 16];
	return (u64)rand() << 40 ^ (u64)rand() << 20 ^ (u64)rand();
}

static void test_oracle(void)
{
	static const int ops[] = { V3_RMW_ADD, V3_RMW_SUB, V3_RMW_AND, V3_RMW_OR, V3_RMW_XOR };
	static const char *const names[] = { "add", "sub", "and", "or", "xor" };
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int o, s, i, bad;

	srand(12345);
	for (o = 0; o < 5; o++) {
		for (s = 0; s < 4; s++) {
			struct v3_rmw x = { .op = ops[o], .size = sizes[s] };
			u64 care = ops[o] == V3_RMW_ADD || ops[o] == V3_RMW_SUB ?
				   ARITH : ARITH & ~X86_EFLAGS_AF;

			bad = 0;
			for (i = 0; i < 2000; i++) {
				u64 m = rnd(), src = rnd(), hm = m, hf;
				struct v3_rmw_out out;

				host_arith(ops[o], sizes[s], &hm, src, &hf);
				v3_rmw_apply(&x, m, src, 0, 0x202, &out);
				if (out.new != hm || (out.rflags & care) != (hf & care) ||
				    !out.write)
					bad++;
			}
			CHECK(bad == 0, "%s, %u bytes: 2000 random operands agree with the CPU (result, flags)",
			      names[o], sizes[s]);
		}
	}

	bad = 0;
	for (i = 0; i < 2000; i++) {
		struct v3_rmw x = { .op = V3_RMW_CMPXCHG, .size = 8 };
		u64 m = rnd(), src = rnd(), acc = i & 1 ? m : rnd(), hm = m, ha = acc, hf;
		struct v3_rmw_out out;

		host_cmpxchg8(&hm, src, &ha, &hf);
		v3_rmw_apply(&x, m, src, acc, 0x202, &out);
		if ((out.write ? out.new : m) != hm || (out.rflags & ARITH) != (hf & ARITH) ||
		    (out.set_reg ? out.reg_val : acc) != ha)
			bad++;
	}
	CHECK(bad == 0, "cmpxchg, 8 bytes: 2000 operands (half equal) agree with the CPU (memory, RAX, flags)");

	/* cmpxchg8b: the registers' upper halves random, every flag random */
	bad = 0;
	for (i = 0; i < 2000; i++) {
		struct v3_rmw x;
		struct v3_rmw_out out;
		u64 gpr[16] = { 0 }, m = rnd(), hm = m, ha, hd, fin, hf;
		v3_rmw_val src, acc;

		gpr[V3_RAX] = rnd();
		gpr[V3_RDX] = rnd();
		gpr[V3_RBX] = rnd();
		gpr[V3_RCX] = rnd();
		if (i & 1) {	/* half of them equal: EDX:EAX = m64 */
			gpr[V3_RAX] = (gpr[V3_RAX] & ~0xffffffffULL) | (u32)m;
			gpr[V3_RDX] = (gpr[V3_RDX] & ~0xffffffffULL) | (m >> 32);
		}
		fin = 0x202 | (rnd() & ARITH);
		ha = gpr[V3_RAX];
		hd = gpr[V3_RDX];
		hf = fin;
		host_cmpxchg8b(&hm, &ha, &hd, gpr[V3_RBX], gpr[V3_RCX], &hf);
		if (dec("f0 0f c7 0f", true, &x) ||
		    (v3_rmw_operands(&x, gpr, &src, &acc),
		     v3_rmw_apply(&x, m, src, acc, fin, &out)))
			bad++;
		v3_rmw_writeback(&x, &out, gpr);
		if ((out.write ? out.new : m) != hm || gpr[V3_RAX] != ha ||
		    gpr[V3_RDX] != hd || (out.rflags & (ARITH | 0x202)) != (hf & (ARITH | 0x202))) {
			if (bad++ < 2)
				printf("# cmpxchg8b %d: mem %llx/%llx rax %llx/%llx rdx %llx/%llx fl %llx/%llx\n",
				       i, (unsigned long long)(out.write ? out.new : m),
				       (unsigned long long)hm, (unsigned long long)gpr[V3_RAX],
				       (unsigned long long)ha, (unsigned long long)gpr[V3_RDX],
				       (unsigned long long)hd, (unsigned long long)out.rflags,
				       (unsigned long long)hf);
		}
	}
	CHECK(bad == 0, "cmpxchg8b: 2000 operands (half equal) agree with the CPU (memory, RDX:RAX whole, every flag)");

	/* cmpxchg16b: one half equal, both or neither; every flag random */
	bad = 0;
	for (i = 0; i < 2000; i++) {
		struct v3_rmw x;
		struct v3_rmw_out out;
		u64 hm[2] __attribute__((aligned(16))) = { rnd(), rnd() };
		u64 gpr[16] = { 0 }, ha, hd, fin, hf, m0 = hm[0], m1 = hm[1];
		v3_rmw_val src, acc, m = m0 | (v3_rmw_val)m1 << 64, after;

		gpr[V3_RAX] = i & 1 ? m0 : rnd();
		gpr[V3_RDX] = i & 2 ? m1 : rnd();
		gpr[V3_RBX] = rnd();
		gpr[V3_RCX] = rnd();
		fin = 0x202 | (rnd() & ARITH);
		ha = gpr[V3_RAX];
		hd = gpr[V3_RDX];
		hf = fin;
		host_cmpxchg16b(hm, &ha, &hd, gpr[V3_RBX], gpr[V3_RCX], &hf);
		if (dec("f0 48 0f c7 0f", true, &x) ||
		    (v3_rmw_operands(&x, gpr, &src, &acc),
		     v3_rmw_apply(&x, m, src, acc, fin, &out))) {
			bad++;
			continue;
		}
		v3_rmw_writeback(&x, &out, gpr);
		after = out.write ? out.new : m;
		if ((u64)after != hm[0] || (u64)(after >> 64) != hm[1] ||
		    gpr[V3_RAX] != ha || gpr[V3_RDX] != hd ||
		    (out.rflags & (ARITH | 0x202)) != (hf & (ARITH | 0x202)))
			bad++;
	}
	CHECK(bad == 0, "cmpxchg16b: 2000 operands (a quarter equal) agree with the CPU (both halves, RDX:RAX, every flag)");

	bad = 0;
	for (i = 0; i < 2000; i++) {
		struct v3_rmw x = { .op = V3_RMW_XADD, .size = 4, .reg = V3_RCX };
		u32 m = rnd(), src = rnd(), hm = m, hs = src;
		struct v3_rmw_out out;
		u64 hf;

		host_xadd4(&hm, &hs, &hf);
		v3_rmw_apply(&x, m, src, 0, 0x202, &out);
		if (out.new != hm || out.reg_val != hs || !out.set_reg ||
		    (out.rflags & ARITH) != (hf & ARITH))
			bad++;
	}
	CHECK(bad == 0, "xadd, 4 bytes: 2000 operands agree with the CPU (memory, register, flags)");

	bad = 0;
	for (i = 0; i < 640; i++) {
		struct v3_rmw x = { .op = V3_RMW_BTR, .size = 8 };
		u64 m = rnd(), bit = i % 64, hm = m, hf;
		struct v3_rmw_out out;

		host_btr8(&hm, bit, &hf);
		if (v3_rmw_apply(&x, m, bit, 0, 0x202, &out) || out.new != hm ||
		    (out.rflags & X86_EFLAGS_CF) != (hf & X86_EFLAGS_CF))
			bad++;
	}
	CHECK(bad == 0, "btr, 8 bytes, register offset 0-63: agrees with the CPU (memory, CF)");
}

static void test_apply_edges(void)
{
	struct v3_rmw x = { .op = V3_RMW_BTS, .size = 4 };
	struct v3_rmw_out out;

	CHECK(v3_rmw_apply(&x, 0, 32, 0, 0x202, &out) == -ERANGE,
	      "bts dword, register offset 32: beyond the operand, not emulated");
	CHECK(v3_rmw_apply(&x, 0, (u64)-1, 0, 0x202, &out) == -ERANGE,
	      "bts dword, negative register offset: not emulated");
	x.has_imm = true;
	x.imm = 33;
	CHECK(v3_rmw_apply(&x, 0, 0, 0, 0x202, &out) == 0 && out.new == 2 &&
	      !(out.rflags & X86_EFLAGS_CF), "bts dword, imm 33: bit 1 (taken modulo 32)");
	x.op = V3_RMW_BTC;
	x.imm = 0;
	CHECK(v3_rmw_apply(&x, 1, 0, 0, 0x202 | X86_EFLAGS_ZF, &out) == 0 && out.new == 0 &&
	      (out.rflags & X86_EFLAGS_CF) && (out.rflags & X86_EFLAGS_ZF),
	      "btc: CF the old bit, ZF left alone");
	x = (struct v3_rmw){ .op = V3_RMW_CMPXCHG, .size = 4 };
	CHECK(v3_rmw_apply(&x, 5, 9, 5, 0x202, &out) == 0 && out.write && out.new == 9 &&
	      !out.set_reg && (out.rflags & X86_EFLAGS_ZF),
	      "cmpxchg equal: stores the source, ZF, accumulator kept");
	CHECK(v3_rmw_apply(&x, 5, 9, 0x100000005ULL, 0x202, &out) == 0 && out.write,
	      "cmpxchg dword: the accumulator compared on 32 bits");
	CHECK(v3_rmw_apply(&x, 6, 9, 5, 0x202, &out) == 0 && !out.write && out.set_reg &&
	      out.reg_val == 6 && !(out.rflags & X86_EFLAGS_ZF),
	      "cmpxchg different: no store, the accumulator gets the old value");
}

int main(void)
{
	test_decode();
	test_oracle();
	test_apply_edges();
	return unit_done();
}
