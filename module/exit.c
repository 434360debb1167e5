// SPDX-License-Identifier: GPL-2.0
/*
 * Common exit policy.  Backends decode their hardware exit (VMCB EXITCODE,
 * VMCS exit reason) into a struct v3_exit; this table says what happens
 * next.  A reason without a handler stops the VM, never the host.
 */
#include <linux/sched.h>
#include <asm/cpufeature.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <asm/msr-index.h>
#include "v3.h"
#include "mmu/mmu.h"

typedef int (*v3_exit_fn)(struct v3_vcpu *vcpu);


/*
 * Complete an intercepted instruction.  Its length must be known (x86
 * instructions are 1 to 15 bytes): skipping 0 bytes would make the vCPU
 * take the same exit forever, so the VM is stopped instead.
 */
void v3_skip_insn(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;

	if (unlikely(e->insn_len == 0 || e->insn_len > 15)) {
		v3_arch->dump(vcpu);
		v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
			   "vcpu %u: %s exit 0x%llx at rip 0x%llx: instruction length %u unknown, cannot complete it",
			   vcpu->id, v3_arch->name, e->raw[0],
			   vcpu->regs.rip, e->insn_len);
		return;
	}
	vcpu->regs.rip += e->insn_len;
	if (!v3_long_mode(vcpu))
		vcpu->regs.rip &= 0xffffffffULL;
}

void v3_inject_gp(struct v3_vcpu *vcpu)
{
	v3_arch->inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

void v3_inject_ud(struct v3_vcpu *vcpu)
{
	v3_arch->inject_exception(vcpu, X86_TRAP_UD, false, 0);
}

static int v3_exit_nothing(struct v3_vcpu *vcpu)
{
	return 0;
}

static int v3_exit_skip(struct v3_vcpu *vcpu)
{
	v3_skip_insn(vcpu);
	return 0;
}

/*
 * PAUSE exits come from the pause filter: the vCPU is spinning, likely on
 * a lock held by a vCPU that is not running.  Give the CPU away.
 */
static int v3_exit_pause(struct v3_vcpu *vcpu)
{
	v3_skip_insn(vcpu);
	yield();
	return 0;
}

/*
 * #UD hooks (GEARS' traps in guest text, module/gears/gears_hook.c).
 * Added at module load before any VM exists and removed at unload after
 * the last one is gone, so the exit path walks the list without a lock.
 */
static LIST_HEAD(v3_ud_hooks);

void v3_ud_hook_add(struct v3_ud_hook *h)
{
	list_add_tail(&h->node, &v3_ud_hooks);
}

void v3_ud_hook_del(struct v3_ud_hook *h)
{
	list_del(&h->node);
}

/*
 * #UD is a fault (SDM vol. 3A 6.15, interrupt 6): the exit leaves RIP at
 * the instruction, on SVM, VMX and the emulators alike.  A hook that
 * owns the UD2 moves RIP on; any other #UD is the guest's own (Linux's
 * BUG() and WARN() are UD2s): it gets it back as if no VMM were there.
 */
static int v3_exit_ud_fault(struct v3_vcpu *vcpu)
{
	struct v3_ud_hook *h;
	int ret;

	list_for_each_entry(h, &v3_ud_hooks, node) {
		ret = h->fn(vcpu);
		if (ret != -ENOENT)
			return ret;
	}
	v3_arch->inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return 0;
}

/*
 * Exceptions the backends intercept.  #AC: with CR0.AM and RFLAGS.AC set
 * a guest can make the delivery of #AC itself raise #AC, and a CPU that
 * delivers it without exiting loops in microcode forever (CVE-2015-5307);
 * intercepted, each delivery attempt exits here and is re-injected, so an
 * #AC storm is a stream of exits the host schedules around.  #AC always
 * pushes error code 0 (SDM vol. 3A 6.15, interrupt 17).  #MC: the error
 * belongs to the host's hardware, so the backend gave it to the host's
 * handler (mce.c) right after the exit, interrupts still off, on the CPU
 * that took it; here it is only counted and the guest goes on; the guest sees no machine check (its CPUID offers
 * no MCE/MCA).  Any other vector is not intercepted on purpose: stop.
 */
static int v3_exit_exception(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;

	switch (e->exc.vector) {
	case X86_TRAP_UD:
		v3_fpu_put(vcpu);
		return v3_exit_ud_fault(vcpu);
	case X86_TRAP_AC:
		v3_arch->inject_exception(vcpu, X86_TRAP_AC, true, 0);
		return 0;
	case X86_TRAP_MC:
		/* the backend ran the host's handler right after the exit */
		v3_count(vcpu->vm, V3_CNT_MACHINE_CHECK);
		return 0;
	case X86_TRAP_PF:
		/* intercepted in shadow mode only; its fault path may sleep */
		if (v3_mmu_mode(vcpu->vm) != V3_MMU_SHADOW)
			break;
		v3_fpu_put(vcpu);
		return v3_mmu_handle_pf(vcpu);
	}
	v3_fpu_put(vcpu);
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_UNHANDLED_EXIT, 0,
		   "vcpu %u: unexpected exception %u (error 0x%x) at rip 0x%llx",
		   vcpu->id, e->exc.vector, e->exc.error, vcpu->regs.rip);
	return 1;
}

/*
 * WBINVD writes back and invalidates every cache of the physical CPU (SDM
 * vol. 2B WBINVD), slowing every other task on it; v3vmm does no
 * non-coherent DMA, so guest memory is coherent without it and the
 * instruction is skipped.  A guest looping on WBINVD only exits.
 */
static int v3_exit_wbinvd(struct v3_vcpu *vcpu)
{
	v3_skip_insn(vcpu);
	return 0;
}

static int v3_exit_ud(struct v3_vcpu *vcpu)
{
	v3_inject_ud(vcpu);
	return 0;
}

/*
 * HLT stops the vCPU until an interrupt arrives.  With RFLAGS.IF clear
 * only INIT (or an NMI, which v3vmm does not deliver) can wake it: that is
 * how an SMP guest parks CPUs it stopped.  When every vCPU is parked so,
 * or was never started, nothing can run again and the VM is stopped.
 */
static bool v3_all_parked(struct v3_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct v3_vcpu *v = vm->vcpus[i];

		if (READ_ONCE(v->started) && !READ_ONCE(v->parked))
			return false;
	}
	return true;
}

static int v3_exit_hlt(struct v3_vcpu *vcpu)
{
	v3_skip_insn(vcpu);
	vcpu->halted = true;
	if (vcpu->regs.rflags & X86_EFLAGS_IF)
		return 0;
	WRITE_ONCE(vcpu->parked, true);
	smp_mb();	/* parked before looking at the others */
	if (v3_all_parked(vcpu->vm)) {
		v3_vm_stop(vcpu->vm, V3_STOP_HALTED, 0,
			   "all vcpus halted with interrupts disabled (vcpu %u at rip 0x%llx)",
			   vcpu->id, vcpu->regs.rip);
		return 1;
	}
	return 0;
}

static int v3_exit_shutdown(struct v3_vcpu *vcpu)
{
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_SHUTDOWN, 0,
		   "vcpu %u: triple fault (shutdown) at rip 0x%llx",
		   vcpu->id, vcpu->regs.rip);
	return 1;
}

static int v3_exit_entry_failed(struct v3_vcpu *vcpu)
{
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_ENTRY_FAILED, 0,
		   "vcpu %u: invalid guest state (code 0x%llx, 0x%llx)",
		   vcpu->id, vcpu->exit.raw[0], vcpu->exit.raw[1]);
	return 1;
}

static int v3_exit_unhandled(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;

	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_UNHANDLED_EXIT, 0,
		   "vcpu %u: unhandled %s exit 0x%llx (info 0x%llx 0x%llx) at rip 0x%llx",
		   vcpu->id, v3_arch->name, e->raw[0], e->raw[1], e->raw[2],
		   vcpu->regs.rip);
	return 1;
}

/*
 * MOV to/from DR0-DR7 (Intel SDM vol. 3 18.2).  Guest debug registers are
 * kept in software so a guest can never arm breakpoints on host
 * addresses; guest breakpoints therefore do not fire.
 */
static int v3_exit_dr(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	u8 insn[4];
	unsigned int i = 0, dr, gpr;
	bool write;
	u64 *reg;

	if (e->crdr.gpr != 0xff) {
		dr = e->crdr.reg;
		gpr = e->crdr.gpr;
		write = e->crdr.write;
	} else {
		u8 rex = 0, modrm;

		if (v3_fetch_insn(vcpu, insn, sizeof(insn)))
			goto emul_fail;
		if ((vcpu->regs.efer & EFER_LMA) && (insn[0] & 0xf0) == 0x40)
			rex = insn[i++];
		if (insn[i] != 0x0f || (insn[i + 1] != 0x21 &&
					insn[i + 1] != 0x23))
			goto emul_fail;
		write = insn[i + 1] == 0x23;
		modrm = insn[i + 2];
		dr = (modrm >> 3) & 7;
		gpr = (modrm & 7) | ((rex & 1) << 3);
		if (rex & 4) {
			v3_inject_ud(vcpu);	/* DR8-15 do not exist */
			return 0;
		}
		e->insn_len = i + 3;
	}
	if (vcpu->regs.cpl) {
		v3_inject_gp(vcpu);
		return 0;
	}
	if (dr == 4 || dr == 5) {
		if (vcpu->regs.cr4 & X86_CR4_DE) {
			v3_inject_ud(vcpu);
			return 0;
		}
		dr += 2;
	}
	reg = dr < 4 ? &vcpu->dr[dr] : dr == 6 ? &vcpu->dr6 : &vcpu->dr7;
	if (write) {
		u64 val = vcpu->regs.gpr[gpr];

		if (!(vcpu->regs.efer & EFER_LMA))
			val &= 0xffffffffULL;
		if (dr == 6)
			val = (val & 0xe00f) | 0xffff0ff0ULL;
		else if (dr == 7)
			val = (val & 0xffff2bff) | 0x400;
		*reg = val;
	} else {
		vcpu->regs.gpr[gpr] = *reg;
	}
	v3_skip_insn(vcpu);
	return 0;
emul_fail:
	v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
		   "vcpu %u: cannot decode debug-register access at rip 0x%llx",
		   vcpu->id, vcpu->regs.rip);
	return 1;
}

/*
 * .atomic: the handler never sleeps, so it runs with the guest FPU still
 * loaded (preemption disabled) and the vCPU re-enters the guest without
 * switching FPU state.  Handlers that may sleep, or that change what
 * v3_fpu_load() loads (XSETBV), run after v3_fpu_put().  An atomic
 * handler that reaches a device which may sleep puts the FPU itself
 * (struct v3_io_handler.write_sleeps).
 */
static const struct {
	v3_exit_fn fn;
	bool atomic;
} v3_exit_table[V3_NR_EXIT_REASONS] = {
	[V3_EXIT_IO] = { v3_handle_io, true },
	[V3_EXIT_HLT] = { v3_exit_hlt, true },
	[V3_EXIT_CPUID] = { v3_handle_cpuid, true },
	[V3_EXIT_RDMSR] = { v3_handle_rdmsr, true },
	[V3_EXIT_WRMSR] = { v3_handle_wrmsr, true },
	[V3_EXIT_MEM_FAULT] = { v3_handle_mem_fault, true },
	[V3_EXIT_SHUTDOWN] = { v3_exit_shutdown, false },
	[V3_EXIT_HYPERCALL] = { v3_handle_hypercall, false },
	[V3_EXIT_INTR] = { v3_exit_nothing, true },
	[V3_EXIT_NMI] = { v3_exit_nothing, true },
	[V3_EXIT_DR_ACCESS] = { v3_exit_dr, false },
	[V3_EXIT_XSETBV] = { v3_handle_xsetbv, false },
	[V3_EXIT_INVLPG] = { v3_mmu_handle_invlpg, true },
	[V3_EXIT_CR_ACCESS] = { v3_mmu_handle_cr, false },
	[V3_EXIT_PAUSE] = { v3_exit_pause, false },
	[V3_EXIT_INTR_WINDOW] = { v3_exit_nothing, true },
	[V3_EXIT_INVALID_STATE] = { v3_exit_entry_failed, false },
	[V3_EXIT_VMX_INSN] = { v3_exit_ud, false },
	[V3_EXIT_UD_INSN] = { v3_exit_ud, false },
	[V3_EXIT_INVD] = { v3_exit_skip, true },
	[V3_EXIT_WBINVD] = { v3_exit_wbinvd, true },
	[V3_EXIT_RDPMC] = { v3_handle_rdpmc, true },
	/* atomic: #MC goes to the host's handler on the CPU that took it */
	[V3_EXIT_EXCEPTION] = { v3_exit_exception, true },
	[V3_EXIT_ENTRY_LOST] = { v3_exit_nothing, true },
};

int v3_handle_exit(struct v3_vcpu *vcpu)
{
	u32 reason = vcpu->exit.reason;
	v3_exit_fn fn = NULL;

	if (reason < V3_NR_EXIT_REASONS) {
		fn = v3_exit_table[reason].fn;
		if (!v3_exit_table[reason].atomic)
			v3_fpu_put(vcpu);
	}
	if (!fn) {
		v3_fpu_put(vcpu);
		fn = v3_exit_unhandled;
	}
	return fn(vcpu);
}
