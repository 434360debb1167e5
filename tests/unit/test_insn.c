// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction prefixes and bytes (module/insn.c), shared by the decoders
 * of common code, and the MMIO decoder built on them (module/emulate.c):
 * repeated prefixes, REX placement, the sizes in each mode, an
 * instruction cut off by an unmapped page.
 */
#include <string.h>
#include <asm/msr-index.h>
#include "v3.h"
#include "insn.h"
#include "unit.h"

static struct v3_vcpu vcpu;

/* the bytes at RIP; readable up to `mapped` bytes (the page's end) */
static u8 code[V3_INSN_MAX];
static unsigned int mapped = V3_INSN_MAX;
int v3_fetch_insn(struct v3_vcpu *v, u8 *buf, size_t len)
{
	if (len > mapped)
		return -EFAULT;
	memcpy(buf, code, len);
	return 0;
}

enum { M16, M32, M64 };
static void mode(int m)
{
	memset(&vcpu.regs, 0, sizeof(vcpu.regs));
	vcpu.regs.efer = m == M64 ? EFER_LME | EFER_LMA : 0;
	vcpu.regs.cs_attr_l = m == M64;
	vcpu.regs.cs_attr_db = m == M32;
}

static int pre(int m, const char *hex, struct v3_insn_prefixes *p)
{
	u8 b[32];
	unsigned int n = unit_hex(hex, b, sizeof(b));

	return v3_insn_prefixes(b, n, m == M64, m != M16, p);
}

static int mmio(int m, const char *hex, struct v3_mmio_insn *in)
{
	memset(code, 0x90, sizeof(code));
	unit_hex(hex, code, sizeof(code));
	mode(m);
	if (mapped < V3_INSN_MAX)	/* the instruction ends its page */
		vcpu.regs.rip = 0x1000 - mapped;
	return v3_decode_mmio(&vcpu, in);
}

static void test_prefixes(void)
{
	struct v3_insn_prefixes p;

	CHECK(pre(M64, "89 07", &p) == 0 && p.len == 0 && p.opsize == 4 &&
	      p.addrsize == 8 && !p.rex && p.seg == V3_NR_SEGS && !p.lock && !p.rep,
	      "no prefix, 64-bit mode: operand 32, address 64");
	CHECK(pre(M64, "66 89 07", &p) == 0 && p.len == 1 && p.opsize == 2,
	      "66 in 64-bit mode: operand 16");
	CHECK(pre(M64, "66 66 89 07", &p) == 0 && p.len == 2 && p.opsize == 2,
	      "66 66: the same as one 66 (not toggled back)");
	CHECK(pre(M64, "48 89 07", &p) == 0 && p.len == 1 && p.rex == 0x48 && p.opsize == 8,
	      "REX.W: operand 64");
	CHECK(pre(M64, "66 48 89 07", &p) == 0 && p.opsize == 8,
	      "66 then REX.W: REX.W wins");
	CHECK(pre(M64, "48 66 89 07", &p) == 0 && p.len == 2 && p.rex == 0 && p.opsize == 2,
	      "REX before 66: ignored (SDM vol. 2 2.2.1)");
	CHECK(pre(M64, "67 89 07", &p) == 0 && p.addrsize == 4,
	      "67 in 64-bit mode: address 32");
	CHECK(pre(M64, "67 67 89 07", &p) == 0 && p.addrsize == 4,
	      "67 67: the same as one 67");
	CHECK(pre(M32, "67 89 07", &p) == 0 && p.addrsize == 2 && p.opsize == 4,
	      "67 in 32-bit code: address 16");
	CHECK(pre(M16, "66 67 89 07", &p) == 0 && p.addrsize == 4 && p.opsize == 4,
	      "66 67 in 16-bit code: operand and address 32");
	CHECK(pre(M32, "48 89 07", &p) == 0 && p.len == 0 && !p.rex,
	      "outside 64-bit mode 48 is DEC EAX, not REX");
	CHECK(pre(M64, "f0 64 f3 f2 0f 22 c0", &p) == 0 && p.len == 4 && p.lock &&
	      p.seg == V3_SEG_FS && p.rep == 0xf2,
	      "LOCK, FS override, REP: the last of F3/F2 counts");
	CHECK(pre(M64, "26 2e 36 3e 65 8b 07", &p) == 0 && p.seg == V3_SEG_GS && p.len == 5,
	      "several segment overrides: the last");
	CHECK(pre(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 07", &p) == -EINVAL,
	      "15 prefixes: no opcode within the 15-byte limit");
	CHECK(pre(M64, "66 66", &p) == -EINVAL, "prefixes to the end of the bytes: no opcode");
}

static void test_modrm(void)
{
	static const struct { u8 b[2]; unsigned int as, len; const char *what; } t[] = {
		{ { 0xc0, 0 }, 8, 1, "register operand" },
		{ { 0x07, 0 }, 8, 1, "[rdi]" },
		{ { 0x47, 0 }, 8, 2, "[rdi+disp8]" },
		{ { 0x87, 0 }, 8, 5, "[rdi+disp32]" },
		{ { 0x05, 0 }, 8, 5, "[rip+disp32]" },
		{ { 0x04, 0x24 }, 8, 2, "[rsp] (SIB)" },
		{ { 0x04, 0x25 }, 8, 6, "[disp32] (SIB, no base)" },
		{ { 0x44, 0x24 }, 8, 3, "[rsp+disp8] (SIB)" },
		{ { 0x84, 0x24 }, 4, 6, "[esp+disp32] (SIB)" },
		{ { 0x06, 0 }, 2, 3, "16-bit [disp16]" },
		{ { 0x46, 0 }, 2, 2, "16-bit [bp+disp8]" },
		{ { 0x80, 0 }, 2, 3, "16-bit [bx+si+disp16]" },
		{ { 0x04, 0 }, 2, 1, "16-bit [si]: no SIB" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_EQ(v3_insn_modrm_len(t[i].b, t[i].as), t[i].len,
			 "modrm: %s: %u bytes", t[i].what, t[i].len);
}

static void test_fetch(void)
{
	u8 b[V3_INSN_MAX];

	mode(M64);
	vcpu.regs.rip = 0x401000 - 3;	/* 3 bytes left in the page */
	mapped = V3_INSN_MAX;
	CHECK(v3_insn_fetch(&vcpu, b) == V3_INSN_MAX, "fetch: 15 bytes when both pages are mapped");
	mapped = 3;
	CHECK(v3_insn_fetch(&vcpu, b) == 3, "fetch: next page unmapped: the 3 bytes up to it");
	mapped = 0;
	CHECK(v3_insn_fetch(&vcpu, b) == -EFAULT, "fetch: nothing mapped: -EFAULT");
	mode(M32);
	vcpu.regs.cs_base = 0xfffff000;
	vcpu.regs.rip = 0xffe;		/* wraps at 4 GiB outside 64-bit mode */
	mapped = 2;
	CHECK(v3_insn_fetch(&vcpu, b) == 2, "fetch: 32-bit linear address wraps: 2 bytes to the page end");
	mapped = V3_INSN_MAX;
}

static void test_mmio(void)
{
	struct v3_mmio_insn in;

	CHECK(mmio(M64, "48 89 07", &in) == 0 && in.size == 8 && in.write &&
	      in.reg == V3_RAX && in.len == 3, "mmio: mov [rdi], rax");
	CHECK(mmio(M64, "66 66 89 07", &in) == 0 && in.size == 2 && in.len == 4,
	      "mmio: 66 66 mov [rdi], ax: 16-bit store");
	CHECK(mmio(M64, "40 66 89 07", &in) == 0 && in.size == 2,
	      "mmio: a REX before 66 is ignored");
	CHECK(mmio(M64, "88 27", &in) == 0 && in.size == 1 && in.reg == V3_RAX &&
	      in.reg_high8, "mmio: mov [rdi], ah");
	CHECK(mmio(M64, "40 88 27", &in) == 0 && in.reg == 4 && !in.reg_high8,
	      "mmio: with REX, register 4 is SPL");
	CHECK(mmio(M64, "44 8b 07", &in) == 0 && !in.write && in.reg == 8 && in.size == 4,
	      "mmio: mov r8d, [rdi] (REX.R)");
	CHECK(mmio(M64, "48 c7 07 ff ff ff ff", &in) == 0 && in.has_imm &&
	      in.imm == ~0ULL && in.len == 7, "mmio: mov qword [rdi], -1: imm32 sign-extended");
	CHECK(mmio(M64, "67 a1 00 10 00 00", &in) == 0 && in.len == 6 && in.size == 4,
	      "mmio: 67 mov eax, moffs32 in 64-bit mode: a 4-byte offset");
	CHECK(mmio(M32, "a1 00 10 00 00", &in) == 0 && in.len == 5,
	      "mmio: mov eax, moffs32 in 32-bit code");
	CHECK(mmio(M64, "0f b6 07", &in) == 0 && in.zext && in.size == 1,
	      "mmio: movzx eax, byte [rdi]");
	CHECK(mmio(M64, "f0 87 07", &in) == 0 && in.xchg && in.len == 3,
	      "mmio: lock xchg [rdi], eax");
	CHECK(mmio(M64, "89 c0", &in) == -EINVAL, "mmio: register operand refused");
	CHECK(mmio(M64, "0f 22 c0", &in) == -EINVAL, "mmio: not a memory move: refused");
	mapped = 2;
	CHECK(mmio(M64, "48 c7 07 ff ff ff ff", &in) == -EINVAL,
	      "mmio: instruction cut off by an unmapped page: refused");
	mapped = V3_INSN_MAX;
}

int main(void)
{
	test_prefixes();
	test_modrm();
	test_fetch();
	test_mmio();
	return unit_done();
}
