// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit decoding (module/vmx/vmx_exit.c): each case fills the fake
 * VMCS (tests/unit/shim/fakevmcs.c) and the raw exit fields as the CPU
 * leaves them after a VM exit (SDM vol. 3 27.2) and checks the common
 * struct v3_exit, the stop texts of failed entries and the emulation of
 * CR accesses.
 */
#include "vmx/vmx.h"
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "unit.h"

/* defined in vmx_probe.c, which this test does not build */
struct v3_vmx_features v3_vmx_feat;

static struct v3_vm vm;
static struct v3_vcpu vcpu;
static struct v3_vmx_vcpu vmx;

/* what common code would have done */
static int skips, gps;

void v3_skip_insn(struct v3_vcpu *v)
{
	skips++;
	v->regs.rip += v->exit.insn_len;
}

void v3_inject_gp(struct v3_vcpu *v)
{
	gps++;
}

int v3_read_gpa(struct v3_vm *v, u64 gpa, void *buf, size_t len)
{
	memset(buf, 0, len);
	return 0;
}

void v3_vmx_load(struct v3_vmx_vcpu *x)
{
}

int v3_read_gva(struct v3_vcpu *v, u64 gva, void *buf, size_t len)
{
	return -EFAULT;
}

/* vmx_paging.c's instructions and EPTP (tested in test_vmx_paging.c) */
bool v3_vmx_invept(int type, u64 eptp)
{
	return true;
}

bool v3_vmx_invvpid(int type, u16 vpid, u64 gva)
{
	return true;
}

u64 v3_vmx_eptp(u64 root_hpa)
{
	return root_hpa;
}

static void reset(void)
{
	memset(shim_vmcs, 0, sizeof(shim_vmcs));
	memset(&vmx, 0, sizeof(vmx));
	memset(&vcpu.exit, 0xa5, sizeof(vcpu.exit));	/* stale */
	memset(&vcpu.regs, 0, sizeof(vcpu.regs));
	vmx.vcpu = &vcpu;
	vcpu.arch = &vmx;
	vcpu.vm = &vm;
	shim_stops = skips = gps = 0;
	shim_stop_why[0] = 0;
}

/* A VM exit: reason, qualification, interruption info, instruction length */
static void exit_with(u32 reason, u64 qual, u32 intr, u32 len)
{
	reset();
	vmx.exit_reason = reason;
	vmx.exit_qual = qual;
	vmx.exit_intr_info = intr;
	shim_vmcs[V3_VMEXIT_INSN_LEN] = len;
	v3_vmx_decode_exit(&vcpu);
}

#define EXC(vector, type, err)	((vector) | ((type) << 8) | ((err) ? V3_INTR_HAS_ERROR : 0) | V3_INTR_VALID)

static void test_lengths(void)
{
	exit_with(V3_VMX_EXIT_CPUID, 0, 0, 2);
	CHECK(vcpu.exit.reason == V3_EXIT_CPUID && vcpu.exit.insn_len == 2,
	      "CPUID: length 2 from VM_EXIT_INSTRUCTION_LEN");
	exit_with(V3_VMX_EXIT_CPUID, 0, 0, 3);
	CHECK_EQ(vcpu.exit.insn_len, 3, "CPUID with a prefix: length 3 as the CPU reports it");
	exit_with(V3_VMX_EXIT_HLT, 0, 0, 1);
	CHECK(vcpu.exit.reason == V3_EXIT_HLT && vcpu.exit.insn_len == 1, "HLT: length 1");
	exit_with(V3_VMX_EXIT_WRMSR, 0, 0, 2);
	CHECK(vcpu.exit.reason == V3_EXIT_WRMSR && vcpu.exit.insn_len == 2, "WRMSR: length 2");
	exit_with(V3_VMX_EXIT_RDPMC, 0, 0, 2);
	CHECK(vcpu.exit.reason == V3_EXIT_RDPMC && vcpu.exit.insn_len == 2,
	      "RDPMC exit (reason 15): V3_EXIT_RDPMC, length 2");
	exit_with(V3_VMX_EXIT_WBINVD, 0, 0, 2);
	CHECK(vcpu.exit.reason == V3_EXIT_WBINVD && vcpu.exit.insn_len == 2,
	      "WBINVD exit (reason 54): V3_EXIT_WBINVD, length 2");
	exit_with(V3_VMX_EXIT_INVD, 0, 0, 2);
	CHECK_EQ(vcpu.exit.reason, V3_EXIT_INVD, "INVD exit: V3_EXIT_INVD");
	exit_with(V3_VMX_EXIT_EXT_INTR, 0, 0x80000020, 7);
	CHECK(vcpu.exit.reason == V3_EXIT_INTR && vcpu.exit.insn_len == 0,
	      "external interrupt: no instruction length even if the field holds one");
	exit_with(V3_VMX_EXIT_PREEMPT_TIMER, 0, 0, 5);
	CHECK(vcpu.exit.reason == V3_EXIT_INTR && vcpu.exit.insn_len == 0,
	      "preemption timer (reason 52): a host-interrupt exit, no length");
	exit_with(63 + 1000, 0, 0, 2);
	CHECK_EQ(vcpu.exit.reason, V3_EXIT_OTHER, "unknown reason: V3_EXIT_OTHER");
}

static void test_io(void)
{
	/* table 27-5: size-1 in 2:0, IN in 3, string 4, REP 5, port 31:16 */
	exit_with(V3_VMX_EXIT_IO, (0x3f8ULL << 16) | 0, 0, 1);
	CHECK(vcpu.exit.reason == V3_EXIT_IO && vcpu.exit.io.port == 0x3f8 &&
	      vcpu.exit.io.size == 1 && !vcpu.exit.io.in && !vcpu.exit.io.string &&
	      vcpu.exit.insn_len == 1,
	      "OUT DX, AL to 0x3f8: 1 byte, out, length 1");
	exit_with(V3_VMX_EXIT_IO, (0xcfcULL << 16) | BIT(3) | 3, 0, 1);
	CHECK(vcpu.exit.io.port == 0xcfc && vcpu.exit.io.size == 4 && vcpu.exit.io.in,
	      "IN EAX, DX from 0xcfc: 4 bytes, in");
	exit_with(V3_VMX_EXIT_IO, (0x71ULL << 16) | BIT(3) | 1 | BIT(6), 0, 3);
	CHECK(vcpu.exit.io.port == 0x71 && vcpu.exit.io.size == 2 && vcpu.exit.insn_len == 3,
	      "IN AX, imm8 with 66h prefix: 2 bytes, length 3");

	/* string I/O, address size from VM-exit instruction information 9:7 */
	reset();
	v3_vmx_feat.insn_info = true;
	vmx.exit_reason = V3_VMX_EXIT_IO;
	vmx.exit_qual = (0x1f0ULL << 16) | BIT(3) | BIT(4) | BIT(5) | 1;
	shim_vmcs[V3_VMEXIT_INSN_LEN] = 3;
	shim_vmcs[V3_VMEXIT_INSN_INFO] = 1 << 7;		/* 32-bit addresses */
	vcpu.regs.efer = EFER_LMA;
	vcpu.regs.cs_attr_l = 1;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.io.string && vcpu.exit.io.rep && vcpu.exit.io.in &&
	      vcpu.exit.io.size == 2 && vcpu.exit.io.addr_size == 4,
	      "REP INSW with 67h in 64-bit mode: address size 4 from instruction info");
	reset();
	v3_vmx_feat.insn_info = false;
	vmx.exit_reason = V3_VMX_EXIT_IO;
	vmx.exit_qual = (0x1f0ULL << 16) | BIT(4) | 0;
	shim_vmcs[V3_VMEXIT_INSN_INFO] = 1 << 7;		/* must not be read */
	vcpu.regs.efer = EFER_LMA;
	vcpu.regs.cs_attr_l = 1;
	v3_vmx_decode_exit(&vcpu);
	CHECK_EQ(vcpu.exit.io.addr_size, 8, "OUTSB without INS/OUTS information: 64-bit code gives 8");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_IO;
	vmx.exit_qual = (0x1f0ULL << 16) | BIT(4) | 0;
	vcpu.regs.cs_attr_db = 0;
	v3_vmx_decode_exit(&vcpu);
	CHECK_EQ(vcpu.exit.io.addr_size, 2, "OUTSB without information in 16-bit code: 2");
}

static void test_cr(void)
{
	/* table 27-3: CR 3:0, type 5:4, GPR 11:8, LMSW data 31:16 */
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4) | (5 << 8), 0, 3);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 3 &&
	      vcpu.exit.crdr.write && vcpu.exit.crdr.gpr == 5 && vcpu.exit.insn_len == 3,
	      "MOV CR3, RBP: CR 3, write, GPR 5, length 3");
	exit_with(V3_VMX_EXIT_CR, 8 | (1 << 4) | (12 << 8), 0, 4);
	CHECK(vcpu.exit.crdr.reg == 8 && !vcpu.exit.crdr.write && vcpu.exit.crdr.gpr == 12,
	      "MOV R12, CR8: CR 8, read, GPR 12");

	/* emulation: MOV to CR3 in 64-bit mode */
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4) | (0 << 8), 0, 3);
	vcpu.regs.efer = EFER_LMA | EFER_LME;
	vcpu.regs.cs_attr_l = 1;
	vcpu.regs.gpr[0] = 0x123456789000ULL;
	CHECK(v3_vmx_handle_cr(&vcpu) && shim_vmcs[V3_GUEST_CR3] == 0x123456789000ULL &&
	      vcpu.regs.cr3 == 0x123456789000ULL && skips == 1 && vmx.flush,
	      "MOV CR3, RAX emulated: GUEST_CR3 written, skipped, TLB flush queued");
	/* MOV from CR8 */
	exit_with(V3_VMX_EXIT_CR, 8 | (1 << 4) | (1 << 8), 0, 4);
	vmx.cr8 = 0x9;
	CHECK(v3_vmx_handle_cr(&vcpu) && vcpu.regs.gpr[1] == 9 && skips == 1,
	      "MOV RCX, CR8 emulated from the software CR8");
	/* MOV to CR4 setting VMXE (owned by the VMM): #GP, no skip */
	exit_with(V3_VMX_EXIT_CR, 4 | (0 << 4) | (0 << 8), 0, 3);
	shim_vmcs[V3_CR4_MASK] = X86_CR4_VMXE;
	vcpu.regs.gpr[0] = X86_CR4_VMXE | X86_CR4_PAE;
	CHECK(v3_vmx_handle_cr(&vcpu) && gps == 1 && skips == 0,
	      "MOV CR4 with VMXE: #GP injected, RIP kept");
	/* CLTS: TS cleared in the shadow the guest reads */
	exit_with(V3_VMX_EXIT_CR, 0 | (2 << 4), 0, 2);
	vcpu.regs.cr0 = X86_CR0_PE | X86_CR0_TS | X86_CR0_ET;
	v3_vmx_feat.cr0_fixed0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_NE;
	CHECK(v3_vmx_handle_cr(&vcpu) && !(shim_vmcs[V3_CR0_SHADOW] & X86_CR0_TS) &&
	      (shim_vmcs[V3_GUEST_CR0] & X86_CR0_NE) && skips == 1,
	      "CLTS: TS cleared in the shadow, CR0.NE kept set for the CPU");
	/* LMSW: source data in 31:16, cannot clear PE */
	exit_with(V3_VMX_EXIT_CR, 0 | (3 << 4) | (0x0eULL << 16), 0, 3);
	vcpu.regs.cr0 = X86_CR0_PE | X86_CR0_ET;
	CHECK(v3_vmx_handle_cr(&vcpu) &&
	      (vcpu.regs.cr0 & 0xf) == (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS),
	      "LMSW 0x0e: MP, EM, TS set, PE kept");
	exit_with(V3_VMX_EXIT_CR, 2 | (0 << 4), 0, 3);
	CHECK(!v3_vmx_handle_cr(&vcpu) && skips == 0 && gps == 0,
	      "MOV to CR2 (never intercepted): handed back to common code");
}

static void test_ept_violation(void)
{
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EPT_VIOLATION;
	/* table 27-7: write access (bit 1), page readable (3), linear address valid (7) */
	vmx.exit_qual = BIT(1) | BIT(3) | BIT(7) | BIT(8);
	shim_vmcs[V3_GUEST_PHYS_ADDR] = 0xfee00030;
	shim_vmcs[V3_GUEST_LINEAR_ADDR] = 0xffffffffff5fb030ULL;
	shim_vmcs[V3_VMEXIT_INSN_LEN] = 6;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_MEM_FAULT && vcpu.exit.mem.gpa == 0xfee00030 &&
	      vcpu.exit.mem.write && !vcpu.exit.mem.fetch && vcpu.exit.mem.present &&
	      vcpu.exit.mem.gva_valid && vcpu.exit.mem.gva == 0xffffffffff5fb030ULL,
	      "EPT violation: write to a readable page, GPA and GVA");
	CHECK_EQ(vcpu.exit.insn_len, 0, "EPT violation: no instruction length (decoded by common code)");
	CHECK(!vcpu.exit.mem.walk, "EPT violation with qualification bit 8: the access itself, no table walk");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EPT_VIOLATION;
	vmx.exit_qual = BIT(0) | BIT(7);	/* read during a paging-structure walk */
	shim_vmcs[V3_GUEST_PHYS_ADDR] = 0xfee00000;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.mem.walk, "EPT violation with bit 7 set, bit 8 clear: the guest's page-table walk");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EPT_VIOLATION;
	vmx.exit_qual = BIT(2);		/* fetch from a not-present page, no GVA */
	shim_vmcs[V3_GUEST_PHYS_ADDR] = 0x100000000ULL;
	shim_vmcs[V3_GUEST_LINEAR_ADDR] = 0x1234;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.mem.fetch && !vcpu.exit.mem.write && !vcpu.exit.mem.present &&
	      !vcpu.exit.mem.gva_valid && vcpu.exit.mem.gva == 0 &&
	      vcpu.exit.mem.gpa == 0x100000000ULL,
	      "EPT violation: fetch from a not-present GPA above 4 GiB, no GVA");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EPT_MISCONFIG;
	shim_vmcs[V3_GUEST_PHYS_ADDR] = 0x5000;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_OTHER && shim_stops == 1 && shim_stop_reason == V3_STOP_INTERNAL &&
	      strstr(shim_stop_why, "EPT misconfiguration at gpa 0x5000"),
	      "EPT misconfiguration: internal stop naming the GPA (%s)", shim_stop_why);
}

static void test_exceptions(void)
{
	exit_with(V3_VMX_EXIT_EXC_NMI, 0, EXC(X86_TRAP_AC, V3_INTR_TYPE_HW_EXC, 1), 0);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == X86_TRAP_AC &&
	      vcpu.exit.exc.error == 0,
	      "#AC (vector 17, error code 0): exception exit");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EXC_NMI;
	vmx.exit_intr_info = EXC(X86_TRAP_PF, V3_INTR_TYPE_HW_EXC, 1);
	vmx.exit_intr_error = 6;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == X86_TRAP_PF &&
	      vcpu.exit.exc.error == 6,
	      "#PF with error code 6: vector and VM-exit interruption error code");
	reset();
	vmx.exit_reason = V3_VMX_EXIT_EXC_NMI;
	vmx.exit_intr_info = EXC(X86_TRAP_MC, V3_INTR_TYPE_HW_EXC, 0);
	vmx.exit_intr_error = 0x55;		/* not valid: must be ignored */
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == X86_TRAP_MC &&
	      vcpu.exit.exc.error == 0,
	      "#MC: exception exit, no error code");
	CHECK(v3_vmx_exit_is_mce(V3_VMX_EXIT_EXC_NMI, EXC(X86_TRAP_MC, V3_INTR_TYPE_HW_EXC, 0)),
	      "#MC in the guest goes to the host's handler");
	CHECK(!v3_vmx_exit_is_mce(V3_VMX_EXIT_EXC_NMI, EXC(X86_TRAP_AC, V3_INTR_TYPE_HW_EXC, 1)) &&
	      !v3_vmx_exit_is_mce(V3_VMX_EXIT_EXC_NMI, EXC(2, V3_INTR_TYPE_NMI, 0)) &&
	      !v3_vmx_exit_is_mce(V3_VMX_EXIT_EXC_NMI, X86_TRAP_MC | (V3_INTR_TYPE_HW_EXC << 8)) &&
	      !v3_vmx_exit_is_mce(V3_VMX_EXIT_EXT_INTR, EXC(X86_TRAP_MC, V3_INTR_TYPE_EXT, 0)),
	      "#AC, NMI, an invalid #MC info and external interrupt 18 are not machine checks");
	exit_with(V3_VMX_EXIT_EXC_NMI, 0, EXC(2, V3_INTR_TYPE_NMI, 0), 0);
	CHECK_EQ(vcpu.exit.reason, V3_EXIT_NMI, "host NMI: V3_EXIT_NMI");
}

static void test_entry_failures(void)
{
	/* VMfailValid: no exit reason, the VM-instruction error field (30.4) */
	reset();
	vmx.exit_reason = V3_VMX_VMFAIL;
	vmx.insn_error = 7;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_INVALID_STATE && shim_stops == 1 &&
	      shim_stop_reason == V3_STOP_ENTRY_FAILED &&
	      strstr(shim_stop_why, "VM-instruction error 7 (invalid control field(s))"),
	      "VMfail with error 7: entry-failed stop naming it (%s)", shim_stop_why);
	reset();
	vmx.exit_reason = V3_VMX_EXIT_ENTRY_FAIL | V3_VMX_EXIT_BAD_GUEST;
	vmx.exit_qual = 2;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_INVALID_STATE &&
	      strstr(shim_stop_why, "invalid guest state (exit reason 33, qualification 2: loading PDPTEs)"),
	      "exit reason 33, qualification 2: PDPTE loading named (%s)", shim_stop_why);
	reset();
	vmx.exit_reason = V3_VMX_EXIT_ENTRY_FAIL | V3_VMX_EXIT_BAD_MSR_LOAD;
	vmx.exit_qual = 3;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_INVALID_STATE &&
	      strstr(shim_stop_why, "MSR loading (exit reason 34, entry 3)"),
	      "exit reason 34: MSR-load entry named (%s)", shim_stop_why);

	/* machine check during entry: host handler, then the entry again */
	reset();
	vmx.exit_reason = V3_VMX_EXIT_ENTRY_FAIL | V3_VMX_EXIT_MCE_ENTRY;
	vmx.entry_event.info = 0x20 | V3_INTR_VALID;	/* it was injecting IRQ 0x20 */
	vmx.reinject.info = 0;
	v3_vmx_decode_exit(&vcpu);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == X86_TRAP_MC &&
	      shim_stops == 0,
	      "exit reason 41: a #MC event for the host, no invalid-state stop");
	CHECK_EQ(vmx.reinject.info, 0x20 | V3_INTR_VALID,
		 "exit reason 41: the event of the failed entry is queued again");
	CHECK(v3_vmx_exit_is_mce(V3_VMX_EXIT_ENTRY_FAIL | V3_VMX_EXIT_MCE_ENTRY, 0),
	      "exit reason 41 goes to the host's machine-check handler");
	CHECK(!v3_vmx_exit_is_mce(V3_VMX_EXIT_ENTRY_FAIL | V3_VMX_EXIT_BAD_GUEST, 0) && !v3_vmx_exit_is_mce(V3_VMX_VMFAIL, 0),
	      "exit reason 33 and VMfail are not machine checks");
}

int main(void)
{
	test_lengths();
	test_io();
	test_cr();
	test_ept_violation();
	test_exceptions();
	test_entry_failures();
	return unit_done();
}
