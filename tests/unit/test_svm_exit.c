// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit decoding (module/svm/svm_exit.c) on CPUs the emulators do not
 * offer: every exit the backend intercepts, with NRIP save on and off and
 * decode assists on and off (APM vol. 2 15.7.1, 15.33).  Each case writes
 * a VMCB as the CPU would leave it after a #VMEXIT and checks the common
 * struct v3_exit.
 */
#include <asm/trapnr.h>
#include "svm/svm.h"
#include "unit.h"

/* defined in svm.c, which the test does not build */
struct v3_svm_features v3_svm_feat;

static struct v3_vcpu vcpu;
static struct v3_svm_vcpu svm;
static struct v3_vmcb vmcb;

static void exit_with(u64 code, u64 info1, u64 info2, u64 rip, u64 next_rip)
{
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	vmcb.control.exit_code = code;
	vmcb.control.exit_info_1 = info1;
	vmcb.control.exit_info_2 = info2;
	vmcb.control.next_rip = next_rip;
	vcpu.regs.rip = rip;
	v3_svm_decode_exit(&vcpu);
}

static void features(bool nrips, bool decode)
{
	memset(&v3_svm_feat, 0, sizeof(v3_svm_feat));
	v3_svm_feat.nasid = 16;
	v3_svm_feat.np = true;
	v3_svm_feat.nrips = nrips;
	v3_svm_feat.decode_assists = decode;
}

/* Every exit an instruction intercept causes: reason and fixed length. */
static const struct {
	u64 code;
	const char *name;
	u32 reason;
	u32 len;	/* without NRIP save; 0: none known (MOV DR) */
} insns[] = {
	{ V3_SVM_EXIT_RDPMC, "RDPMC", V3_EXIT_RDPMC, 2 },
	{ V3_SVM_EXIT_CPUID, "CPUID", V3_EXIT_CPUID, 2 },
	{ V3_SVM_EXIT_INVD, "INVD", V3_EXIT_INVD, 2 },
	{ V3_SVM_EXIT_PAUSE, "PAUSE", V3_EXIT_PAUSE, 2 },
	{ V3_SVM_EXIT_HLT, "HLT", V3_EXIT_HLT, 1 },
	{ V3_SVM_EXIT_INVLPGA, "INVLPGA", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_MSR, "RDMSR", V3_EXIT_RDMSR, 2 },
	{ V3_SVM_EXIT_VMRUN, "VMRUN", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_VMMCALL, "VMMCALL", V3_EXIT_HYPERCALL, 3 },
	{ V3_SVM_EXIT_VMLOAD, "VMLOAD", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_VMSAVE, "VMSAVE", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_STGI, "STGI", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_CLGI, "CLGI", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_SKINIT, "SKINIT", V3_EXIT_VMX_INSN, 3 },
	{ V3_SVM_EXIT_RDTSCP, "RDTSCP", V3_EXIT_UD_INSN, 3 },
	{ V3_SVM_EXIT_WBINVD, "WBINVD", V3_EXIT_WBINVD, 2 },
	{ V3_SVM_EXIT_MONITOR, "MONITOR", V3_EXIT_UD_INSN, 3 },
	{ V3_SVM_EXIT_MWAIT, "MWAIT", V3_EXIT_UD_INSN, 3 },
	{ V3_SVM_EXIT_MWAIT_COND, "MWAIT (armed)", V3_EXIT_UD_INSN, 3 },
	{ V3_SVM_EXIT_XSETBV, "XSETBV", V3_EXIT_XSETBV, 3 },
};

/* Exits that are events, not instructions: never a length. */
static const struct {
	u64 code;
	const char *name;
	u32 reason;
} events[] = {
	{ V3_SVM_EXIT_INTR, "INTR", V3_EXIT_INTR },
	{ V3_SVM_EXIT_NMI, "NMI", V3_EXIT_NMI },
	{ V3_SVM_EXIT_SMI, "SMI", V3_EXIT_INTR },
	{ V3_SVM_EXIT_VINTR, "VINTR", V3_EXIT_INTR_WINDOW },
	{ V3_SVM_EXIT_SHUTDOWN, "shutdown", V3_EXIT_SHUTDOWN },
	{ V3_SVM_EXIT_NPF, "NPF", V3_EXIT_MEM_FAULT },
	{ V3_SVM_EXIT_AC, "#AC", V3_EXIT_EXCEPTION },
	{ V3_SVM_EXIT_EXCP_BASE + 6, "#UD (UD2, GEARS)", V3_EXIT_EXCEPTION },
	{ V3_SVM_EXIT_MC, "#MC", V3_EXIT_EXCEPTION },
	{ V3_SVM_EXIT_INVALID, "VMEXIT_INVALID", V3_EXIT_INVALID_STATE },
};

static void test_insns(bool nrips, bool decode)
{
	const char *m = nrips ? (decode ? "nrips+decode" : "nrips") :
			(decode ? "decode only" : "no assists");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(insns); i++) {
		/* with NRIP save: a prefixed 5-byte form, length from nRIP */
		u32 want = nrips ? 5 : insns[i].len;

		exit_with(insns[i].code, 0, 0, 0x7000, 0x7005);
		CHECK(vcpu.exit.reason == insns[i].reason &&
		      vcpu.exit.insn_len == want,
		      "%s: %s exit: reason %u length %u", m, insns[i].name,
		      vcpu.exit.reason, vcpu.exit.insn_len);
	}
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		/* nRIP is 0 on these; a stale value must not be used */
		exit_with(events[i].code, 0, 0, 0x7000, 0x7003);
		CHECK(vcpu.exit.reason == events[i].reason &&
		      vcpu.exit.insn_len == 0,
		      "%s: %s exit: reason %u, no length (%u)", m,
		      events[i].name, vcpu.exit.reason, vcpu.exit.insn_len);
	}
}

/*
 * MOV to/from DR0-7.  Decode assists give the GPR in EXITINFO1[3:0] and
 * NRIP save the length; without the length the operand is withheld so the
 * common code decodes the instruction (and learns the length) itself.
 */
static void test_dr(bool nrips, bool decode)
{
	const char *m = nrips ? (decode ? "nrips+decode" : "nrips") :
			(decode ? "decode only" : "no assists");
	unsigned int dr, w, bad = 0;

	for (w = 0; w < 2; w++) {
		for (dr = 0; dr < 8; dr++) {
			u64 code = (w ? V3_SVM_EXIT_WRITE_DR0 :
				    V3_SVM_EXIT_READ_DR0) + dr;
			u8 want_gpr = nrips && decode ? (dr + 5) & 0xf : 0xff;

			exit_with(code, dr + 5, 0, 0x5000, 0x5003);
			if (vcpu.exit.reason != V3_EXIT_DR_ACCESS ||
			    vcpu.exit.crdr.reg != dr ||
			    vcpu.exit.crdr.write != w ||
			    vcpu.exit.crdr.gpr != want_gpr ||
			    vcpu.exit.insn_len != (nrips ? 3 : 0)) {
				bad++;
				printf("# %s DR%u: reason %u reg %u write %u gpr %u len %u\n",
				       w ? "write" : "read", dr,
				       vcpu.exit.reason, vcpu.exit.crdr.reg,
				       vcpu.exit.crdr.write, vcpu.exit.crdr.gpr,
				       vcpu.exit.insn_len);
			}
		}
	}
	CHECK(!bad, "%s: MOV DR0-7 reads and writes: register, direction, GPR %s, length %s",
	      m, nrips && decode ? "from EXITINFO1" : "left to common code",
	      nrips ? "from nRIP (3)" : "left to common code (0)");
}

/*
 * Shadow paging's exits (APM vol. 2 15.9, 15.33): MOV CR with the GPR in
 * EXITINFO1[3:0] and bit 63 set only with decode assists (bit 63 clear on
 * a CR0 write: CLTS or LMSW, left to common code), INVLPG's address in
 * EXITINFO1 only with decode assists, #PF's error code and address.
 */
static void test_paging_exits(void)
{
	features(true, true);
	exit_with(V3_SVM_EXIT_WRITE_CR0 + 3, V3_CR_INFO_MOV | 5, 0, 0x1000, 0x1003);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 3 &&
	      vcpu.exit.crdr.write && vcpu.exit.crdr.op == V3_CR_MOV &&
	      vcpu.exit.crdr.gpr == 5 && vcpu.exit.insn_len == 3,
	      "decode: mov %%rbp,%%cr3 gives GPR 5, length 3 from next_rip");
	exit_with(V3_SVM_EXIT_WRITE_CR0, 0, 0, 0x1000, 0x1002);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 0 &&
	      vcpu.exit.crdr.gpr == 0xff,
	      "decode: a CR0 write without EXITINFO1[63] (CLTS/LMSW) leaves the operand to common code");
	exit_with(V3_SVM_EXIT_READ_CR0 + 3, V3_CR_INFO_MOV | 2, 0, 0x1000, 0x1003);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 3 &&
	      !vcpu.exit.crdr.write && vcpu.exit.crdr.gpr == 2,
	      "decode: mov %%cr3,%%rdx is a read with GPR 2");
	/* SMSW exits as a CR0 read; decode assists give no operand (15.33.1) */
	exit_with(V3_SVM_EXIT_READ_CR0, 0, 0, 0x1000, 0x1004);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 0 &&
	      !vcpu.exit.crdr.write && vcpu.exit.crdr.gpr == 0xff,
	      "decode: a CR0 read without EXITINFO1[63] (SMSW, any operand) leaves it to common code");
	exit_with(V3_SVM_EXIT_INVLPG, 0xffff888000123000ULL, 0, 0x1000, 0x1003);
	CHECK(vcpu.exit.reason == V3_EXIT_INVLPG && vcpu.exit.invlpg.valid &&
	      vcpu.exit.invlpg.gva == 0xffff888000123000ULL,
	      "decode: INVLPG's address from EXITINFO1");
	features(false, false);
	exit_with(V3_SVM_EXIT_WRITE_CR0 + 4, V3_CR_INFO_MOV | 5, 0, 0x1000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_CR_ACCESS && vcpu.exit.crdr.reg == 4 &&
	      vcpu.exit.crdr.gpr == 0xff && vcpu.exit.insn_len == 0,
	      "no assists: a CR4 write leaves operand and length to common code");
	exit_with(V3_SVM_EXIT_INVLPG, 0x1234, 0, 0x1000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_INVLPG && !vcpu.exit.invlpg.valid,
	      "no assists: INVLPG's address is not known");
	exit_with(V3_SVM_EXIT_EXCP_BASE + 14, 6, 0xdead000, 0x1000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == 14 &&
	      vcpu.exit.exc.error == 6 && vcpu.exit.exc.addr == 0xdead000 &&
	      vcpu.exit.insn_len == 0,
	      "#PF: error code from EXITINFO1, address from EXITINFO2, no length");
}

/* shadow paging's #PF combined with the event EXITINTINFO shows in flight */
static void test_pf_event(void)
{
	const u64 pf = X86_TRAP_PF | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID |
		       V3_EVT_ERR_VALID;
	u64 ev;

	vcpu.held_irq = 0;
	CHECK_EQ(v3_svm_pf_event(&vcpu, 0, 6), pf | (6ULL << 32),
		 "#PF alone: EVENTINJ vector 14, error code 6");
	CHECK_EQ(v3_svm_pf_event(&vcpu, 0x30, 6), pf | (6ULL << 32),
		 "EXITINTINFO without V: #PF alone");
	ev = v3_svm_pf_event(&vcpu, 0x31 | V3_EVT_TYPE_INTR | V3_EVT_VALID, 4);
	CHECK(ev == (pf | (4ULL << 32)) && vcpu.held_irq == (BIT(31) | 0x31),
	      "INTR 0x31 in flight: #PF, the interrupt held (held 0x%x)", vcpu.held_irq);
	vcpu.held_irq = 0;
	ev = v3_svm_pf_event(&vcpu, X86_TRAP_PF | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID |
			     V3_EVT_ERR_VALID | (2ULL << 32), 4);
	CHECK_EQ(ev, X86_TRAP_DF | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID | V3_EVT_ERR_VALID,
		 "#PF in flight: #DF with error code 0");
	ev = v3_svm_pf_event(&vcpu, X86_TRAP_GP | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID |
			     V3_EVT_ERR_VALID, 4);
	CHECK_EQ(ev, pf | (4ULL << 32), "#GP in flight: #PF (the #GP recurs)");
	shim_stops = 0;
	ev = v3_svm_pf_event(&vcpu, X86_TRAP_DF | V3_EVT_TYPE_EXCEPTION | V3_EVT_VALID |
			     V3_EVT_ERR_VALID, 4);
	CHECK(ev == 0 && shim_stops == 1 && shim_stop_reason == V3_STOP_SHUTDOWN,
	      "#DF in flight: nothing injected, the VM stops (shutdown)");
	CHECK(!vcpu.held_irq, "nothing held but the interrupt");
}

int main(void)
{
	unsigned int i;

	svm.vmcb = &vmcb;
	vcpu.arch = &svm;

	for (i = 0; i < 4; i++) {
		features(i & 1, i & 2);
		test_insns(i & 1, i & 2);
		test_dr(i & 1, i & 2);
	}
	test_paging_exits();
	test_pf_event();

	/* the exit that hangs Linux guests on main: DR7 write, both assists */
	features(true, true);
	exit_with(V3_SVM_EXIT_WRITE_DR0 + 7, 3, 0, 0xffffffff81000000ULL,
		  0xffffffff81000003ULL);
	CHECK(vcpu.exit.reason == V3_EXIT_DR_ACCESS && vcpu.exit.crdr.reg == 7 &&
	      vcpu.exit.crdr.write && vcpu.exit.crdr.gpr == 3 &&
	      vcpu.exit.insn_len == 3,
	      "nrips+decode: mov %%rbx,%%dr7 decodes with GPR 3 and length 3 (len %u)",
	      vcpu.exit.insn_len);

	features(false, false);
	exit_with(V3_SVM_EXIT_IOIO, (0x80 << 16) | BIT(4) | BIT(8), 0x1002, 0x1000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_IO && vcpu.exit.io.port == 0x80 &&
	      vcpu.exit.io.size == 1 && !vcpu.exit.io.in,
	      "IOIO: port 0x80, 1 byte, OUT");
	CHECK_EQ(vcpu.exit.insn_len, 2, "IOIO: length from EXITINFO2 (next rIP)");
	exit_with(V3_SVM_EXIT_IOIO, (0x3f8 << 16) | BIT(0) | BIT(2) | BIT(3) |
		  BIT(5) | BIT(9), 0x1003, 0x1000, 0);
	CHECK(vcpu.exit.io.port == 0x3f8 && vcpu.exit.io.in &&
	      vcpu.exit.io.string && vcpu.exit.io.rep &&
	      vcpu.exit.io.size == 2 && vcpu.exit.io.addr_size == 8 &&
	      vcpu.exit.insn_len == 3,
	      "IOIO: rep insw, 64-bit addresses, length 3 (f3 66 6d)");
	features(true, true);
	exit_with(V3_SVM_EXIT_IOIO, (0x80 << 16) | BIT(4) | BIT(8), 0x1002, 0x1000,
		  0x1002);
	CHECK_EQ(vcpu.exit.insn_len, 2, "IOIO with NRIP save: length 2");

	features(true, false);
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0x1003);
	CHECK_EQ(vcpu.exit.insn_len, 3, "NRIP save: CPUID length from next_rip (prefixed 3-byte form)");
	exit_with(V3_SVM_EXIT_MSR, 1, 0, 0x2000, 0x2002);
	CHECK(vcpu.exit.reason == V3_EXIT_WRMSR && vcpu.exit.insn_len == 2,
	      "NRIP save: WRMSR decodes with length 2");
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0xfffffffe, 0x1);
	CHECK_EQ(vcpu.exit.insn_len, 3, "NRIP save: length across the 4 GiB wrap of a 32-bit rIP");
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0x0fff);
	CHECK_EQ(vcpu.exit.insn_len, 2, "NRIP save: an impossible nRIP (behind rIP) falls back to the encoding");
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0x1010);
	CHECK_EQ(vcpu.exit.insn_len, 2, "NRIP save: an impossible nRIP (16 bytes on) falls back to the encoding");
	exit_with(V3_SVM_EXIT_CPUID, 0, 0, 0x1000, 0);
	CHECK_EQ(vcpu.exit.insn_len, 2, "NRIP save: nRIP 0 falls back to the encoding");
	exit_with(V3_SVM_EXIT_WRITE_DR0 + 7, 3, 0, 0x1000, 0);
	CHECK(vcpu.exit.insn_len == 0 && vcpu.exit.crdr.gpr == 0xff,
	      "NRIP save, nRIP 0 on a DR exit: no length, operand left to common code");

	/* exceptions: vector and error code, fault-like (no length) */
	features(true, true);
	exit_with(V3_SVM_EXIT_AC, 0, 0, 0x4000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == 17 &&
	      vcpu.exit.exc.error == 0 && vcpu.exit.insn_len == 0,
	      "#AC: exception 17, error code 0 from EXITINFO1, no length");
	exit_with(V3_SVM_EXIT_MC, 0, 0, 0x4000, 0);
	CHECK(vcpu.exit.reason == V3_EXIT_EXCEPTION && vcpu.exit.exc.vector == 18 &&
	      vcpu.exit.insn_len == 0, "#MC: exception 18, no length");
	exit_with(V3_SVM_EXIT_NPF, BIT(1) | BIT(0), 0xfee00000, 0x4000, 0);
	CHECK(vcpu.exit.mem.gpa == 0xfee00000 && vcpu.exit.mem.write &&
	      vcpu.exit.mem.present && !vcpu.exit.mem.fetch,
	      "NPF: GPA from EXITINFO2, write to a present page");
	CHECK(!vcpu.exit.mem.walk, "NPF with EXITINFO1[32] (final address): not a table walk");
	exit_with(V3_SVM_EXIT_NPF, BIT_ULL(33) | BIT(0), 0xfee00000, 0x4000, 0);
	CHECK(vcpu.exit.mem.walk && !vcpu.exit.mem.write,
	      "NPF with EXITINFO1[33]: the guest's page-table walk faulted");
	exit_with(0x0b0, 0, 0, 0x4000, 0);
	CHECK_EQ(vcpu.exit.reason, V3_EXIT_OTHER, "an exit v3vmm does not intercept decodes as other (VM stops)");

	return unit_done();
}
