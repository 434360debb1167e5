// SPDX-License-Identifier: GPL-2.0
/*
 * An SVM exit decoded (module/svm/svm_exit.c) and handled by the common
 * policy (module/exit.c), as the vCPU loop does: the instruction is
 * completed and the guest moves on, or the VM stops with a reason.  The
 * DR7 write Linux does at boot took the same exit forever on main with
 * NRIP save and decode assists (issue #11 1).
 */
#include "svm/svm.h"
#include "mmu/mmu.h"
#include "unit.h"

struct v3_svm_features v3_svm_feat;
const struct v3_arch_ops *v3_arch;

static struct v3_vm vm;
static struct v3_vcpu vcpu;
static struct v3_svm_vcpu svm;
static struct v3_vmcb vmcb;

/* what the rest of the module would do */
static int dumps, yields, mces, injected = -1,
	   inj_err = -1, fetches;
static u8 guest_code[16];

int v3_fetch_insn(struct v3_vcpu *v, u8 *buf, size_t len)
{
	fetches++;
	memcpy(buf, guest_code, len);
	return 0;
}

void yield(void) { yields++; }
void v3_host_machine_check(void) { mces++; }
void v3_fpu_put(struct v3_vcpu *v) { }
static int unexpected(struct v3_vcpu *v) { abort(); }
int v3_handle_io(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_cpuid(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_rdmsr(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_wrmsr(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_mem_fault(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_hypercall(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_handle_xsetbv(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_mmu_handle_cr(struct v3_vcpu *v) __attribute__((alias("unexpected")));
int v3_mmu_handle_pf(struct v3_vcpu *v) __attribute__((alias("unexpected")));
enum v3_paging_mode v3_mmu_mode(struct v3_vm *vm) { return V3_MMU_NESTED; }
/* nested paging: INVLPG completes as a no-op (mmu/mmu.c) */
int v3_mmu_handle_invlpg(struct v3_vcpu *v) { v3_skip_insn(v); return 0; }

static void dump(struct v3_vcpu *v) { dumps++; }
static void inject(struct v3_vcpu *v, u8 vector, bool has_error, u32 error)
{
	injected = vector;
	inj_err = has_error ? (int)error : -1;
}

static const struct v3_arch_ops ops = {
	.name = "svm",
	.dump = dump,
	.inject_exception = inject,
};

/* One exit as the CPU leaves it, then the common handler. */
static int exit_and_handle(u64 code, u64 info1, u64 rip, u64 next_rip)
{
	memset(&vmcb.control, 0, sizeof(vmcb.control));
	vmcb.control.exit_code = code;
	vmcb.control.exit_info_1 = info1;
	vmcb.control.next_rip = next_rip;
	vcpu.regs.rip = rip;
	shim_stops = dumps = yields = mces = fetches = 0;
	injected = inj_err = -1;
	v3_svm_decode_exit(&vcpu);
	return v3_handle_exit(&vcpu);
}

static void long_mode(void)
{
	vcpu.regs.efer = EFER_LMA | EFER_LME;
	vcpu.regs.cs_attr_l = 1;
	vcpu.regs.cpl = 0;
	vcpu.regs.cr4 = 0;
}

static void features(bool nrips, bool decode)
{
	memset(&v3_svm_feat, 0, sizeof(v3_svm_feat));
	v3_svm_feat.nrips = nrips;
	v3_svm_feat.decode_assists = decode;
}

int main(void)
{
	unsigned int i;
	u64 rip;

	v3_arch = &ops;
	svm.vmcb = &vmcb;
	vcpu.arch = &svm;
	vcpu.vm = &vm;
	long_mode();

	/* mov %rbx,%dr7 with both assists: done, guest moves on */
	features(true, true);
	vcpu.regs.gpr[V3_RBX] = 0x401;
	rip = 0xffffffff81000000ULL;
	for (i = 0; i < 3; i++) {
		exit_and_handle(V3_SVM_EXIT_WRITE_DR0 + 7, V3_RBX, rip, rip + 3);
		if (vcpu.regs.rip == rip)
			break;	/* the same exit again: the hang */
		rip = vcpu.regs.rip;
	}
	CHECK(i == 3 && vcpu.regs.rip == 0xffffffff81000009ULL && !shim_stops,
	      "nrips+decode: three DR7 writes in a row complete (rip 0x%llx), no repeat of the same exit",
	      (unsigned long long)vcpu.regs.rip);
	CHECK_EQ(vcpu.dr7, 0x401, "nrips+decode: DR7 holds the guest's value");
	CHECK(!fetches, "nrips+decode: no instruction fetch needed");

	/* 44 0f 21 f8 = mov %dr7,%rax... with REX; here: mov %dr6,%rcx */
	exit_and_handle(V3_SVM_EXIT_READ_DR0 + 6, V3_RCX, 0x1000, 0x1003);
	CHECK(vcpu.regs.rip == 0x1003 && vcpu.regs.gpr[V3_RCX] == vcpu.dr6,
	      "nrips+decode: DR6 read into rcx, rip +3");

	/* decode assists without NRIP save: common code decodes */
	features(false, true);
	guest_code[0] = 0x0f; guest_code[1] = 0x23; guest_code[2] = 0xfb; /* mov %rbx,%dr7 */
	vcpu.regs.gpr[V3_RBX] = 0x403;
	exit_and_handle(V3_SVM_EXIT_WRITE_DR0 + 7, V3_RBX, 0x2000, 0);
	CHECK(vcpu.regs.rip == 0x2003 && vcpu.dr7 == 0x403 && fetches == 1 && !shim_stops,
	      "decode assists, no NRIP save: instruction decoded (3 bytes), DR7 written");
	features(false, false);
	guest_code[0] = 0x41; guest_code[1] = 0x0f; guest_code[2] = 0x23; guest_code[3] = 0xf8; /* mov %r8,%dr7 */
	vcpu.regs.gpr[V3_R8] = 0x405;
	exit_and_handle(V3_SVM_EXIT_WRITE_DR0 + 7, 0, 0x3000, 0);
	CHECK(vcpu.regs.rip == 0x3004 && vcpu.dr7 == 0x405 && !shim_stops,
	      "no assists: REX-prefixed mov %%r8,%%dr7 decoded, 4 bytes");

	/* a 0-byte skip is refused: the VM stops, with a dump */
	features(true, true);
	memset(&vmcb.control, 0, sizeof(vmcb.control));
	vmcb.control.exit_code = V3_SVM_EXIT_WBINVD;
	vcpu.regs.rip = 0x4000;
	vcpu.exit.insn_len = 0;
	vcpu.exit.raw[0] = V3_SVM_EXIT_WBINVD;
	shim_stops = dumps = 0;
	v3_skip_insn(&vcpu);
	CHECK(vcpu.regs.rip == 0x4000 && shim_stops == 1 &&
	      shim_stop_reason == V3_STOP_EMULATION && dumps == 1,
	      "v3_skip_insn with length 0: VM stopped (emulation), state dumped, rip kept");
	printf("# reason: %s\n", shim_stop_why);
	vcpu.exit.insn_len = 16;
	shim_stops = 0;
	v3_skip_insn(&vcpu);
	CHECK(shim_stops == 1 && vcpu.regs.rip == 0x4000, "v3_skip_insn with length 16: VM stopped");

	/* the new intercepts' handlers */
	exit_and_handle(V3_SVM_EXIT_WBINVD, 0, 0x5000, 0x5002);
	CHECK(vcpu.regs.rip == 0x5002 && !shim_stops, "WBINVD: skipped (no-op), 2 bytes");
	features(false, false);
	exit_and_handle(V3_SVM_EXIT_WBINVD, 0, 0x5000, 0);
	CHECK(vcpu.regs.rip == 0x5002 && !shim_stops, "WBINVD without NRIP save: 0f 09, 2 bytes");
	exit_and_handle(V3_SVM_EXIT_RDPMC, 0, 0x5100, 0);
	CHECK(vcpu.regs.rip == 0x5100 && injected == 13 && inj_err == 0 && !shim_stops,
	      "RDPMC: #GP(0) (empty PMU), rip kept");
	features(true, true);
	exit_and_handle(V3_SVM_EXIT_AC, 0, 0x5200, 0);
	CHECK(vcpu.regs.rip == 0x5200 && injected == 17 && inj_err == 0 && !shim_stops,
	      "#AC: reflected to the guest with error code 0");
	exit_and_handle(V3_SVM_EXIT_MC, 0, 0x5300, 0);
	CHECK(mces == 0 && injected == -1 && !shim_stops && vcpu.regs.rip == 0x5300,
	      "#MC: the common handler does not run the host handler again, the guest goes on");
	exit_and_handle(V3_SVM_EXIT_EXCP_BASE + 13, 0, 0x5400, 0);
	CHECK(shim_stops == 1 && shim_stop_reason == V3_STOP_UNHANDLED_EXIT,
	      "an exception v3vmm does not intercept on purpose (#GP) stops the VM");
	exit_and_handle(V3_SVM_EXIT_PAUSE, 0, 0x5500, 0x5502);
	CHECK(vcpu.regs.rip == 0x5502 && yields == 1 && !shim_stops,
	      "PAUSE (pause filter): the vCPU thread yields, PAUSE completed");
	exit_and_handle(V3_SVM_EXIT_INVD, 0, 0x5600, 0x5602);
	CHECK(vcpu.regs.rip == 0x5602 && !shim_stops, "INVD: skipped");
	return unit_done();
}
