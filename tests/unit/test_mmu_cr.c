// SPDX-License-Identifier: GPL-2.0
/*
 * Control-register accesses of a guest in shadow mode (module/mmu/mmu_cr.c)
 * with synthetic exit state: LMSW and SMSW with memory operands as SVM
 * delivers them (no operand: the instruction is decoded and its effective
 * address computed, SDM vol. 2 2.1.5), LMSW as VMX delivers it (the source
 * in the exit qualification), SMSW's operand sizes and CPL rules, and
 * CR4.LA57 refused with #GP.  Guest memory, the guest's page tables and
 * the backend are fakes that record.
 */
#include <stdarg.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "v3.h"
#include "mmu/mmu.h"
#include "unit.h"

static struct v3_vm vm;
static struct v3_vcpu vcpu;

/* the instruction at RIP */
static u8 insn[15];
static int fetches;
int v3_fetch_insn(struct v3_vcpu *v, u8 *buf, size_t len)
{
	fetches++;
	memcpy(buf, insn, len);
	return 0;
}

/* guest RAM: 64 KiB at gpa 0; linear = gpa + LA_OFF; one read-only page */
#define LA_OFF	0x100000ULL
#define RO_PAGE	0x105000ULL	/* linear */
static u8 ram[0x10000];
static u64 last_la;
static u32 last_access;
int v3_gva_walk(struct v3_vcpu *v, u64 gva, u32 access, unsigned int flags,
		struct v3_walk *w)
{
	memset(w, 0, sizeof(*w));
	last_la = gva;
	last_access = access;
	if ((gva >> 47) && (gva >> 47) != 0x1ffff)
		return -EINVAL;		/* non-canonical (4-level) */
	if ((gva & ~0xfffULL) == RO_PAGE && (access & V3_PF_WRITE)) {
		w->error = V3_PF_PRESENT | access;
		return -EFAULT;
	}
	if (gva < LA_OFF || gva >= LA_OFF + sizeof(ram))
		return -EIO;
	w->gpa = gva - LA_OFF;
	return 0;
}
int v3_read_gpa(struct v3_vm *m, u64 gpa, void *buf, size_t len)
{
	if (gpa + len > sizeof(ram))
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}
int v3_write_gpa(struct v3_vm *m, u64 gpa, const void *buf, size_t len)
{
	if (gpa + len > sizeof(ram))
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

static int gps, skips, pfs, changed, dumps;
static u32 pf_error;
static u64 pf_addr;
void v3_inject_gp(struct v3_vcpu *v) { gps++; }
void v3_skip_insn(struct v3_vcpu *v) { skips++; v->regs.rip += v->exit.insn_len; }
void v3_mmu_set_efer(struct v3_vcpu *v, u64 efer) { v->regs.efer = efer; }
static int fake_changed(struct v3_vcpu *v, u64 old_cr3) { changed++; return 0; }
const struct v3_mmu_mode v3_mmu_shadow = { .name = "shadow", .paging_changed = fake_changed };

static u64 segbase[V3_NR_SEGS];
static u64 fake_seg_base(struct v3_vcpu *v, unsigned int seg) { return segbase[seg]; }
static void fake_inject_pf(struct v3_vcpu *v, u32 error, u64 cr2)
{
	pfs++;
	pf_error = error;
	pf_addr = cr2;
}
static void fake_dump(struct v3_vcpu *v) { dumps++; }
static const struct v3_arch_ops fake_ops = {
	.name = "fake",
	.dump = fake_dump,
	.seg_base = fake_seg_base,
	.inject_pf = fake_inject_pf,
};
const struct v3_arch_ops *v3_arch = &fake_ops;

enum { M64, M32, M16 };

/* a CR exit as the backend leaves it: gpr 0xff, no length (SVM, no assists) */
static void svm_exit(int mode, bool write, const u8 *bytes, size_t n)
{
	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	memset(insn, 0x90, sizeof(insn));
	memcpy(insn, bytes, n);
	vcpu.exit.reason = V3_EXIT_CR_ACCESS;
	vcpu.exit.crdr.reg = 0;
	vcpu.exit.crdr.write = write;
	vcpu.exit.crdr.gpr = 0xff;
	vcpu.regs.rip = 0x4000;
	vcpu.regs.cpl = 0;
	vcpu.regs.cr4 = X86_CR4_PAE;
	vcpu.regs.cs_attr_l = mode == M64;
	vcpu.regs.cs_attr_db = mode == M32;
	vcpu.regs.efer = mode == M64 ? EFER_LME | EFER_LMA : 0;
	vcpu.regs.cr0 = X86_CR0_ET | X86_CR0_PE | (mode == M16 ? 0 : X86_CR0_PG);
	memset(segbase, 0, sizeof(segbase));
	gps = skips = pfs = changed = fetches = dumps = shim_stops = 0;
}

static u16 ram16(u64 la) { return ram[la - LA_OFF] | ram[la - LA_OFF + 1] << 8; }
static void set_ram16(u64 la, u16 v) { ram[la - LA_OFF] = v; ram[la - LA_OFF + 1] = v >> 8; }

static void test_lmsw_mem(void)
{
	static const u8 lmsw_rax[] = { 0x0f, 0x01, 0x30 };		/* lmsw (%rax) */
	static const u8 lmsw_ebp8[] = { 0x0f, 0x01, 0x75, 0x08 };	/* lmsw 8(%ebp) */
	static const u8 lmsw_sib[] = { 0x0f, 0x01, 0x34, 0x88 };	/* lmsw (%rax,%rcx,4) */
	static const u8 lmsw_bpsi[] = { 0x0f, 0x01, 0x72, 0x04 };	/* lmsw 4(%bp,%si) */
	static const u8 lmsw_fs[] = { 0x64, 0x0f, 0x01, 0x30 };	/* lmsw %fs:(%rax) */

	svm_exit(M64, true, lmsw_rax, sizeof(lmsw_rax));
	vcpu.regs.gpr[V3_RAX] = LA_OFF + 0x200;
	set_ram16(LA_OFF + 0x200, 0xfff0 | X86_CR0_MP | X86_CR0_TS);
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!gps && skips == 1 && vcpu.regs.rip == 0x4003 &&
	      (vcpu.regs.cr0 & 0xf) == (X86_CR0_PE | X86_CR0_MP | X86_CR0_TS) &&
	      (vcpu.regs.cr0 & X86_CR0_PG) && !(vcpu.regs.cr0 & X86_CR0_NE),
	      "64-bit lmsw (%%rax): MP, TS from memory, length 3, bits above 3 untouched (cr0 0x%llx)",
	      vcpu.regs.cr0);
	CHECK(last_la == LA_OFF + 0x201 && !(last_access & (V3_PF_WRITE | V3_PF_USER)),
	      "lmsw reads its word as a supervisor read");

	/* PE can be set, not cleared by LMSW */
	svm_exit(M64, true, lmsw_rax, sizeof(lmsw_rax));
	vcpu.regs.gpr[V3_RAX] = LA_OFF + 0x200;
	set_ram16(LA_OFF + 0x200, 0);
	v3_mmu_emulate_cr(&vcpu);
	CHECK(vcpu.regs.cr0 & X86_CR0_PE, "lmsw of 0 from memory leaves PE set");

	svm_exit(M32, true, lmsw_ebp8, sizeof(lmsw_ebp8));
	segbase[V3_SEG_SS] = 0x1000;
	segbase[V3_SEG_DS] = 0x3000;
	vcpu.regs.gpr[V3_RBP] = LA_OFF + 0x300;
	set_ram16(LA_OFF + 0x1308, X86_CR0_EM);
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && vcpu.regs.rip == 0x4004 && (vcpu.regs.cr0 & 0xe) == X86_CR0_EM,
	      "32-bit lmsw 8(%%ebp): SS base + ebp + 8, length 4 (cr0 0x%llx)", vcpu.regs.cr0);

	svm_exit(M64, true, lmsw_sib, sizeof(lmsw_sib));
	vcpu.regs.gpr[V3_RAX] = LA_OFF + 0x400;
	vcpu.regs.gpr[V3_RCX] = 0x10;
	set_ram16(LA_OFF + 0x440, X86_CR0_TS);
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && vcpu.regs.rip == 0x4004 && (vcpu.regs.cr0 & 0xe) == X86_CR0_TS,
	      "lmsw (%%rax,%%rcx,4): SIB base + index * 4, length 4");

	svm_exit(M16, true, lmsw_bpsi, sizeof(lmsw_bpsi));
	vcpu.regs.cr0 = X86_CR0_ET;		/* real mode */
	segbase[V3_SEG_SS] = 0x800;		/* paging off: linear = physical */
	segbase[V3_SEG_DS] = 0x2000;
	vcpu.regs.gpr[V3_RBP] = 0x12340010;	/* only BP counts */
	vcpu.regs.gpr[V3_RSI] = 0xfff0;		/* BP + SI + 4 wraps at 64 KiB */
	ram[0x804] = X86_CR0_PE | X86_CR0_MP;
	ram[0x805] = 0;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && vcpu.regs.rip == 0x4004 &&
	      (vcpu.regs.cr0 & 0xf) == (X86_CR0_PE | X86_CR0_MP),
	      "real-mode lmsw 4(%%bp,%%si): SS:(BP+SI+4) mod 64 KiB, paging off, PE set (cr0 0x%llx)",
	      vcpu.regs.cr0);

	svm_exit(M64, true, lmsw_fs, sizeof(lmsw_fs));
	segbase[V3_SEG_FS] = 0x600;
	segbase[V3_SEG_DS] = 0x9999000;		/* ignored in 64-bit mode */
	vcpu.regs.gpr[V3_RAX] = LA_OFF;
	set_ram16(LA_OFF + 0x600, X86_CR0_MP);
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && vcpu.regs.rip == 0x4004 && (vcpu.regs.cr0 & 0xe) == X86_CR0_MP,
	      "lmsw %%fs:(%%rax): FS base applies in 64-bit mode, length 4");

	/* out of the VMM's reach: the VM stops with the reason */
	svm_exit(M64, true, lmsw_rax, sizeof(lmsw_rax));
	vcpu.regs.gpr[V3_RAX] = 0x10;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!skips && shim_stops == 1 && shim_stop_reason == V3_STOP_EMULATION &&
	      strstr(shim_stop_why, "LMSW's memory operand"),
	      "lmsw from unmapped memory: VM stopped: %s", shim_stop_why);

	svm_exit(M64, true, lmsw_rax, sizeof(lmsw_rax));
	vcpu.regs.cpl = 3;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !skips, "lmsw at CPL 3: #GP");
}

static void test_lmsw_vmx(void)
{
	svm_exit(M64, true, (const u8[]){ 0x0f, 0x0b }, 2);	/* not read */
	vcpu.exit.crdr.op = V3_CR_LMSW;
	vcpu.exit.crdr.gpr = 0;
	vcpu.exit.crdr.lmsw = X86_CR0_MP | X86_CR0_EM | X86_CR0_TS;
	vcpu.exit.insn_len = 4;
	vcpu.regs.gpr[0] = 0;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!fetches && skips == 1 && vcpu.regs.rip == 0x4004 &&
	      (vcpu.regs.cr0 & 0xe) == (X86_CR0_MP | X86_CR0_EM | X86_CR0_TS),
	      "VMX lmsw (memory form): the source from the qualification, no decode");
}

static void test_smsw(void)
{
	static const u8 smsw_rbx[] = { 0x0f, 0x01, 0x23 };		/* smsw (%rbx) */
	static const u8 smsw_rip[] = { 0x0f, 0x01, 0x25, 0x10, 0, 0, 0 }; /* smsw 0x10(%rip) */
	static const u8 smsw_ax[] = { 0x66, 0x0f, 0x01, 0xe0 };	/* smsw %ax */
	static const u8 smsw_eax[] = { 0x0f, 0x01, 0xe0 };		/* smsw %eax */
	static const u8 smsw_rax[] = { 0x48, 0x0f, 0x01, 0xe0 };	/* smsw %rax */

	svm_exit(M64, false, smsw_rbx, sizeof(smsw_rbx));
	vcpu.regs.cr0 |= X86_CR0_NE | X86_CR0_TS;
	vcpu.regs.gpr[V3_RBX] = LA_OFF + 0x700;
	set_ram16(LA_OFF + 0x700, 0xaaaa);
	ram[0x702] = 0x55;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && vcpu.regs.rip == 0x4003 &&
	      ram16(LA_OFF + 0x700) == (u16)vcpu.regs.cr0 && ram[0x702] == 0x55,
	      "smsw (%%rbx): the low 16 bits of the guest's CR0 stored, nothing beyond (0x%x)",
	      ram16(LA_OFF + 0x700));
	CHECK(last_access & V3_PF_WRITE, "smsw's store is a write access");

	svm_exit(M64, false, smsw_rip, sizeof(smsw_rip));
	vcpu.regs.rip = LA_OFF + 0x800;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(skips == 1 && ram16(LA_OFF + 0x817) == (u16)vcpu.regs.cr0,
	      "smsw 0x10(%%rip): RIP-relative from the next instruction (la 0x%llx)", last_la);

	/* CPL 3 (allowed without UMIP) to a read-only page: #PF for the guest */
	svm_exit(M64, false, smsw_rbx, sizeof(smsw_rbx));
	vcpu.regs.cpl = 3;
	vcpu.regs.gpr[V3_RBX] = RO_PAGE + 0x10;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!gps && !skips && pfs == 1 && pf_addr == RO_PAGE + 0x10 &&
	      pf_error == (V3_PF_PRESENT | V3_PF_WRITE | V3_PF_USER),
	      "user smsw to a read-only page: #PF P|W|U at the address, not skipped (error 0x%x)",
	      pf_error);

	/* a non-canonical operand: #GP(0) for the guest, not a VM stop */
	svm_exit(M64, false, smsw_rbx, sizeof(smsw_rbx));
	vcpu.regs.gpr[V3_RBX] = 0x0000800000000010ULL;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !skips && !pfs && !shim_stops,
	      "smsw to a non-canonical address: #GP(0), not skipped, VM running (gps %d stops %d)",
	      gps, shim_stops);

	svm_exit(M64, false, smsw_ax, sizeof(smsw_ax));
	vcpu.regs.gpr[V3_RAX] = 0x1122334455667788ULL;
	v3_mmu_emulate_cr(&vcpu);
	CHECK_EQ(vcpu.regs.gpr[V3_RAX], 0x1122334455660000ULL | (u16)vcpu.regs.cr0,
		 "smsw %%ax: only the low 16 bits written");
	CHECK(skips == 1 && vcpu.regs.rip == 0x4004, "smsw %%ax: length 4");

	svm_exit(M64, false, smsw_eax, sizeof(smsw_eax));
	vcpu.regs.gpr[V3_RAX] = ~0ULL;
	v3_mmu_emulate_cr(&vcpu);
	CHECK_EQ(vcpu.regs.gpr[V3_RAX], (u32)vcpu.regs.cr0, "smsw %%eax: CR0 zero-extended");

	svm_exit(M64, false, smsw_rax, sizeof(smsw_rax));
	vcpu.regs.gpr[V3_RAX] = 0;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(vcpu.regs.gpr[V3_RAX] == vcpu.regs.cr0 && vcpu.regs.rip == 0x4004,
	      "smsw %%rax (REX.W): all of CR0, length 4");

	svm_exit(M32, false, smsw_eax, sizeof(smsw_eax));
	vcpu.regs.cpl = 3;
	vcpu.regs.gpr[V3_RAX] = 0;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!gps && skips == 1 && vcpu.regs.gpr[V3_RAX] == (u32)vcpu.regs.cr0,
	      "smsw at CPL 3 without CR4.UMIP: allowed");

	svm_exit(M32, false, smsw_eax, sizeof(smsw_eax));
	vcpu.regs.cpl = 3;
	vcpu.regs.cr4 |= X86_CR4_UMIP;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !skips, "smsw at CPL 3 with CR4.UMIP: #GP");
}

/* 5-level paging is not offered: MOV to CR4 setting LA57 raises #GP */
static void test_la57(void)
{
	svm_exit(M64, true, (const u8[]){ 0x0f, 0x22, 0xe0 }, 3);	/* mov %rax,%cr4 */
	vcpu.regs.cr4 = X86_CR4_PAE | X86_CR4_PGE;
	vcpu.regs.gpr[V3_RAX] = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_LA57;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !skips && vcpu.regs.cr4 == (X86_CR4_PAE | X86_CR4_PGE) && !changed,
	      "mov to CR4 with LA57 (decoded): #GP, CR4 unchanged, shadows untouched");

	svm_exit(M64, true, (const u8[]){ 0x0f, 0x0b }, 2);
	vcpu.exit.crdr.reg = 4;
	vcpu.exit.crdr.gpr = V3_RDX;
	vcpu.exit.insn_len = 3;
	vcpu.regs.cr4 = X86_CR4_PAE;
	vcpu.regs.gpr[V3_RDX] = X86_CR4_PAE | X86_CR4_LA57 | X86_CR4_PSE;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !skips && vcpu.regs.cr4 == X86_CR4_PAE,
	      "mov to CR4 with LA57 (operand given by the backend): #GP");

	vcpu.regs.gpr[V3_RDX] = X86_CR4_PAE | X86_CR4_PSE;
	gps = 0;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(!gps && skips == 1 && vcpu.regs.cr4 == (X86_CR4_PAE | X86_CR4_PSE) && changed == 1,
	      "the same write without LA57 is done (PSE: shadows rebuilt)");

	svm_exit(M32, true, (const u8[]){ 0x0f, 0x22, 0xe0 }, 3);	/* mov %eax,%cr4 */
	vcpu.regs.cr4 = 0;
	vcpu.regs.gpr[V3_RAX] = X86_CR4_LA57;
	v3_mmu_emulate_cr(&vcpu);
	CHECK(gps == 1 && !vcpu.regs.cr4, "32-bit mov to CR4 with LA57: #GP");
}

int main(void)
{
	vcpu.vm = &vm;
	test_lmsw_mem();
	test_lmsw_vmx();
	test_smsw();
	test_la57();
	return unit_done();
}
