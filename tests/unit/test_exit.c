// SPDX-License-Identifier: GPL-2.0
/*
 * The common exit table (module/exit.c) for the exits the backends decode
 * from real-CPU intercepts: #AC is re-injected with error code 0, #MC goes
 * to the host's handler and the guest continues, any other exception
 * stops the VM; RDPMC raises #GP(0) (no counters; CPL/CR4.PCE checked
 * first); WBINVD is skipped.  #UD: a hook that owns the UD2 moves RIP
 * on, any other goes back to the guest as #UD (a fault: RIP unchanged).
 * A fake backend records what is injected.
 */
#include "v3.h"
#include "mmu/mmu.h"
#include <asm/trapnr.h>
#include <asm/processor-flags.h>
#include "unit.h"

static int injected, inj_vector, inj_error, dumps, machine_checks;
static void fake_inject(struct v3_vcpu *vcpu, u8 vector, bool has_error, u32 error)
{
	injected++;
	inj_vector = vector;
	inj_error = has_error ? (int)error : -1;
}
static void fake_dump(struct v3_vcpu *vcpu) { dumps++; }
static const struct v3_arch_ops fake_ops = {
	.name = "fake",
	.inject_exception = fake_inject,
	.dump = fake_dump,
};
const struct v3_arch_ops *v3_arch = &fake_ops;

/* what the table reaches beyond exit.c and pmu.c */
int v3_handle_io(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_cpuid(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_rdmsr(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_wrmsr(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_mem_fault(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_hypercall(struct v3_vcpu *vcpu) { return 0; }
int v3_handle_xsetbv(struct v3_vcpu *vcpu) { return 0; }
int v3_mmu_handle_cr(struct v3_vcpu *vcpu) { return 0; }
int v3_mmu_handle_pf(struct v3_vcpu *vcpu) { return 0; }
enum v3_paging_mode v3_mmu_mode(struct v3_vm *vm) { return V3_MMU_NESTED; }
int v3_mmu_handle_invlpg(struct v3_vcpu *vcpu) { v3_skip_insn(vcpu); return 0; }
int v3_fetch_insn(struct v3_vcpu *vcpu, u8 *buf, size_t len) { return -EFAULT; }

/* a #UD hook owning the UD2 at 0x2000 */
static int hook_calls;
static int fake_ud_hook(struct v3_vcpu *vcpu)
{
	hook_calls++;
	if (vcpu->regs.rip != 0x2000)
		return -ENOENT;
	vcpu->regs.rip = 0x3005;
	return 0;
}
static struct v3_ud_hook ud_hook = { .fn = fake_ud_hook };
void v3_fpu_put(struct v3_vcpu *vcpu) { vcpu->fpu_loaded = false; }
void v3_host_machine_check(void) { machine_checks++; }
void yield(void) { }

static struct v3_vm vm;
static struct v3_vcpu vcpu;

static int run_exit(u32 reason, u8 vector, u32 error, u32 len)
{
	injected = dumps = machine_checks = shim_stops = 0;
	inj_vector = inj_error = -2;
	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	vcpu.exit.reason = reason;
	vcpu.exit.exc.vector = vector;
	vcpu.exit.exc.error = error;
	vcpu.exit.insn_len = len;
	vcpu.regs.rip = 0x2000;
	vcpu.fpu_loaded = true;
	return v3_handle_exit(&vcpu);
}

int main(void)
{
	int ret, i, storm_ok = 1;

	vcpu.vm = &vm;

	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_AC, 0, 0);
	CHECK(ret == 0 && injected == 1 && inj_vector == X86_TRAP_AC && inj_error == 0,
	      "#AC: re-injected as #AC with error code 0, VM continues");
	CHECK(vcpu.regs.rip == 0x2000 && !shim_stops, "#AC: RIP unchanged (fault), no stop");
	for (i = 0; i < 100000; i++) {
		if (run_exit(V3_EXIT_EXCEPTION, X86_TRAP_AC, 0, 0) || injected != 1 || shim_stops)
			storm_ok = 0;
	}
	CHECK(storm_ok, "#AC storm: 100000 exits each re-inject once, none stops the VM");

	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_MC, 0, 0);
	CHECK(ret == 0 && machine_checks == 0 && injected == 0 && !shim_stops,
	      "#MC: counted only (the backend ran the host handler), nothing injected, VM continues");
	CHECK_EQ(vm.counters[V3_CNT_MACHINE_CHECK], 1, "#MC: counted in machine-check");
	CHECK(vcpu.fpu_loaded, "#MC: handled on the same CPU without leaving the atomic path");

	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_PF, 2, 0);
	CHECK(ret == 1 && shim_stops == 1 && shim_stop_reason == V3_STOP_UNHANDLED_EXIT && dumps == 1 &&
	      !injected, "#PF exit (not intercepted on purpose): VM stops with a dump");
	CHECK(!vcpu.fpu_loaded, "unexpected exception: guest FPU put before stopping");
	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_DB, 0, 0);
	CHECK(ret == 1 && shim_stops == 1, "#DB exit: VM stops");

	/* RDPMC: no counters, so #GP(0) whatever the privilege */
	vcpu.regs.cpl = 0;
	vcpu.regs.cr4 = 0;
	vcpu.regs.gpr[V3_RCX] = 0;
	ret = run_exit(V3_EXIT_RDPMC, 0, 0, 2);
	CHECK(ret == 0 && injected == 1 && inj_vector == X86_TRAP_GP && inj_error == 0 &&
	      vcpu.regs.rip == 0x2000, "RDPMC at CPL0, counter 0: #GP(0) (no such counter)");
	vcpu.regs.cpl = 3;
	ret = run_exit(V3_EXIT_RDPMC, 0, 0, 2);
	CHECK(injected == 1 && inj_vector == X86_TRAP_GP && inj_error == 0,
	      "RDPMC at CPL3 without CR4.PCE: #GP(0)");
	vcpu.regs.cr4 = X86_CR4_PCE;
	vcpu.regs.gpr[V3_RCX] = 1U << 30;	/* fixed counter 0 */
	ret = run_exit(V3_EXIT_RDPMC, 0, 0, 2);
	CHECK(injected == 1 && inj_vector == X86_TRAP_GP && vcpu.regs.rip == 0x2000,
	      "RDPMC at CPL3 with CR4.PCE, fixed counter 0: #GP(0)");
	CHECK(vm.counters[V3_CNT_MSR_GP] == 0, "RDPMC does not count as an MSR");
	vcpu.regs.cpl = 0;

	ret = run_exit(V3_EXIT_WBINVD, 0, 0, 2);
	CHECK(ret == 0 && vcpu.regs.rip == 0x2002 && !injected && !shim_stops,
	      "WBINVD: skipped (2 bytes), nothing injected");
	CHECK(vcpu.fpu_loaded, "WBINVD: handled on the atomic path");
	ret = run_exit(V3_EXIT_INVD, 0, 0, 2);
	CHECK(ret == 0 && vcpu.regs.rip == 0x2002, "INVD: skipped");

	/* #UD: a fault, RIP at the instruction */
	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_UD, 0, 0);
	CHECK(ret == 0 && injected == 1 && inj_vector == X86_TRAP_UD && inj_error == -1 &&
	      vcpu.regs.rip == 0x2000 && !shim_stops,
	      "#UD with no hook: the guest's own, #UD injected, RIP at the instruction");
	v3_ud_hook_add(&ud_hook);
	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_UD, 0, 0);
	CHECK(ret == 0 && hook_calls == 1 && !injected && vcpu.regs.rip == 0x3005,
	      "#UD the hook owns: RIP where the hook put it, nothing injected");
	CHECK(!vcpu.fpu_loaded, "#UD: guest FPU put before the hook (it may sleep)");
	vcpu.regs.rip = 0x4000;
	injected = 0;
	vcpu.exit.reason = V3_EXIT_EXCEPTION;
	ret = v3_handle_exit(&vcpu);
	CHECK(ret == 0 && hook_calls == 2 && injected == 1 && inj_vector == X86_TRAP_UD &&
	      vcpu.regs.rip == 0x4000, "#UD elsewhere: the hook passes, the guest gets it");
	v3_ud_hook_del(&ud_hook);
	ret = run_exit(V3_EXIT_EXCEPTION, X86_TRAP_BP, 0, 0);
	CHECK(ret == 1 && shim_stops == 1, "#BP exit (not intercepted on purpose): VM stops");

	ret = run_exit(V3_EXIT_OTHER, 0, 0, 0);
	CHECK(ret == 1 && shim_stops == 1 && shim_stop_reason == V3_STOP_UNHANDLED_EXIT,
	      "an exit without a handler stops the VM");
	return unit_done();
}
