// SPDX-License-Identifier: GPL-2.0
/*
 * The MMU object (issue #12): which paging mode a VM runs in, the switch
 * between modes at a safe point, loading a vCPU's paging state into the
 * backend, and the exits shadow paging takes.
 *
 * Safe point.  A vCPU holds vm->mmu.sem for reading from the moment it
 * loads its paging state until the exit it then took is handled
 * (v3_mmu_enter / v3_mmu_leave around one trip through the guest).  A
 * switch sets V3_REQ_MMU on every vCPU and kicks it, which forces a
 * running guest to exit and keeps the next entry from happening
 * (V3_REQ_EXIT_MASK; the vCPU thread sleeps until the request is
 * cleared, so it cannot keep the switching thread off its CPU), then
 * takes the semaphore for writing: once it has
 * it no vCPU is inside the guest or inside an exit handler, and none gets
 * there until the switch is over.  vCPUs that halt, pause or have no
 * thread (created, stopped VMs) hold nothing, so a switch works in any VM
 * state.  Each vCPU then reloads its paging state (arch op set_paging)
 * before its next entry.  Never called from a vCPU thread.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include "../v3.h"
#include "mmu.h"

static const struct v3_mmu_mode *v3_mmu_modes[V3_MMU_NR_MODES] = {
	[V3_MMU_NESTED] = &v3_mmu_nested,
	[V3_MMU_SHADOW] = &v3_mmu_shadow,
};

int v3_mmu_vm_init(struct v3_vm *vm)
{
	struct v3_mmu_vm *m = &vm->mmu;

	init_rwsem(&m->sem);
	mutex_init(&m->switch_lock);
	m->mode = V3_MMU_NESTED;
	m->ops = &v3_mmu_nested;
	/* a backend without tdp_format builds its own nested tables */
	if (v3_arch->tdp_format)
		return v3_tdp_build(vm, &m->tdp, v3_arch->tdp_format);
	return 0;
}

void v3_mmu_vm_destroy(struct v3_vm *vm)
{
	struct v3_mmu_vm *m = &vm->mmu;

	if (m->shadow)
		v3_mmu_shadow.vm_destroy(vm);
	v3_tdp_free(&m->tdp);
}

enum v3_paging_mode v3_mmu_mode(struct v3_vm *vm)
{
	return READ_ONCE(vm->mmu.mode);
}

void v3_mmu_vcpu_reset(struct v3_vcpu *vcpu)
{
	vcpu->mmu.reload = true;
}

void v3_mmu_vcpu_destroy(struct v3_vcpu *vcpu)
{
	v3_shadow_vcpu_free(vcpu);
}

/* Load this vCPU's paging state into the backend (may sleep). */
static int v3_mmu_reload(struct v3_vcpu *vcpu)
{
	struct v3_paging_hw hw = { .mode = vcpu->vm->mmu.mode };
	int ret;

	ret = vcpu->vm->mmu.ops->load(vcpu, &hw);
	if (ret)
		return ret;
	if (v3_arch->set_paging) {
		ret = v3_arch->set_paging(vcpu, &hw);
		/*
		 * (vmx helper) A state the backend cannot run in shadow mode
		 * (VMX without unrestricted guest: real mode): nested paging
		 * until the guest turns paging on; the backend asks for the
		 * reload then (vmx_paging.c, shadow_wanted).
		 */
		if (ret == -EOPNOTSUPP && hw.mode == V3_MMU_SHADOW) {
			hw = (struct v3_paging_hw){ .mode = V3_MMU_NESTED };
			ret = v3_mmu_nested.load(vcpu, &hw);
			if (!ret)
				ret = v3_arch->set_paging(vcpu, &hw);
		}
		if (ret)
			return ret;
	}
	if (vcpu->mmu.loaded != hw.mode)
		set_bit(V3_REQ_TLB, &vcpu->requests);
	vcpu->mmu.loaded = hw.mode;
	vcpu->mmu.reload = false;
	return 0;
}

/*
 * Before an entry: the read side of the switch (see above).  The trylock
 * keeps the fast path (guest FPU loaded, preemption off) as it is; only
 * when a switch is waiting does the vCPU put its FPU and sleep.
 */
int v3_mmu_enter(struct v3_vcpu *vcpu)
{
	struct v3_vm *vm = vcpu->vm;
	int ret;

	if (unlikely(!down_read_trylock(&vm->mmu.sem))) {
		v3_fpu_put(vcpu);
		down_read(&vm->mmu.sem);
	}
	if (likely(!vcpu->mmu.reload))
		return 0;
	v3_fpu_put(vcpu);
	ret = v3_mmu_reload(vcpu);
	if (ret) {
		up_read(&vm->mmu.sem);
		v3_vm_stop(vm, V3_STOP_INTERNAL, 0,
			   "vcpu %u: cannot load %s paging (%d)", vcpu->id,
			   vm->mmu.ops->name, ret);
	}
	return ret;
}

void v3_mmu_leave(struct v3_vcpu *vcpu)
{
	up_read(&vcpu->vm->mmu.sem);
}

/*
 * Run fn(vm, arg) at the safe point: every vCPU outside the guest and its
 * exit handling until fn returns (see the top of this file).  Mode
 * switches and guest RAM moves (mem_move.c) go through here, one at a
 * time.  Returns fn's result; *held_ns, if given, is how long the vCPUs
 * were held.
 */
int v3_mmu_exclusive(struct v3_vm *vm, int (*fn)(struct v3_vm *vm, void *arg),
		     void *arg, u64 *held_ns)
{
	struct v3_mmu_vm *m = &vm->mmu;
	unsigned int i;
	u64 t0;
	int ret;

	mutex_lock(&m->switch_lock);
	t0 = ktime_get_ns();
	for (i = 0; i < vm->nr_vcpus; i++)
		v3_vcpu_kick(vm->vcpus[i], V3_REQ_MMU);
	down_write(&m->sem);
	ret = fn(vm, arg);
	up_write(&m->sem);
	/* the vCPUs sleep on their request until now (vcpu.c) */
	for (i = 0; i < vm->nr_vcpus; i++) {
		clear_bit(V3_REQ_MMU, &vm->vcpus[i]->requests);
		smp_mb__after_atomic();
		wake_up(&vm->vcpus[i]->wq);
	}
	if (held_ns)
		*held_ns = ktime_get_ns() - t0;
	mutex_unlock(&m->switch_lock);
	return ret;
}

static int v3_mmu_switch(struct v3_vm *vm, void *arg)
{
	enum v3_paging_mode mode = *(enum v3_paging_mode *)arg;
	struct v3_mmu_vm *m = &vm->mmu;
	unsigned int i;
	int ret = 0;

	if (m->mode == mode)
		return 1;
	if (mode == V3_MMU_SHADOW)
		ret = v3_mmu_shadow.vm_init(vm);
	if (ret)
		return ret;
	if (m->mode == V3_MMU_SHADOW) {
		for (i = 0; i < vm->nr_vcpus; i++)
			v3_shadow_vcpu_free(vm->vcpus[i]);
		v3_mmu_shadow.vm_destroy(vm);
	}
	WRITE_ONCE(m->mode, mode);
	m->ops = v3_mmu_modes[mode];
	for (i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->mmu.reload = true;
	m->switches++;
	return 0;
}

int v3_mmu_set_mode(struct v3_vm *vm, enum v3_paging_mode mode)
{
	struct v3_mmu_vm *m = &vm->mmu;
	u64 ns;
	int ret;

	if (mode >= V3_MMU_NR_MODES)
		return -EINVAL;
	if (mode == V3_MMU_SHADOW && !v3_arch->set_paging)
		return -EOPNOTSUPP;
	if (READ_ONCE(m->mode) == mode)
		return 0;
	ret = v3_mmu_exclusive(vm, v3_mmu_switch, &mode, &ns);
	if (ret == 1)
		return 0;	/* another switch got there first */
	if (!ret) {
		m->switch_ns_last = ns;
		if (ns > m->switch_ns_max)
			m->switch_ns_max = ns;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(v3_mmu_set_mode);

void v3_mmu_get_stats(struct v3_vm *vm, struct v3_mmu_stats *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct v3_mmu *mu = &vm->vcpus[i]->mmu;

		s->shadow_faults += READ_ONCE(mu->shadow_faults);
		s->guest_faults += READ_ONCE(mu->guest_faults);
		s->wp_emulations += READ_ONCE(mu->wp_emulations);
		s->cr3_switches += READ_ONCE(mu->cr3_switches);
		s->invlpgs += READ_ONCE(mu->invlpgs);
		s->fault_cycles += READ_ONCE(mu->fault_cycles);
		s->shadow_prefetches += READ_ONCE(mu->shadow_prefetches);
		s->wp_noprogress += READ_ONCE(mu->wp_noprogress);
	}
	s->shadow_pages = v3_mmu_shadow_pages(vm);
	s->switches = READ_ONCE(vm->mmu.switches);
	s->switch_ns_last = READ_ONCE(vm->mmu.switch_ns_last);
	s->switch_ns_max = READ_ONCE(vm->mmu.switch_ns_max);
}
EXPORT_SYMBOL_GPL(v3_mmu_get_stats);

/*
 * CR access exits.  Nested mode takes none on SVM; VMX emulates the ones
 * its fixed bits cause itself: one reaching here is unexpected.
 */
int v3_mmu_handle_cr(struct v3_vcpu *vcpu)
{
	if (vcpu->vm->mmu.mode == V3_MMU_SHADOW)
		return v3_mmu_emulate_cr(vcpu);
	v3_arch->dump(vcpu);
	v3_vm_stop(vcpu->vm, V3_STOP_UNHANDLED_EXIT, 0,
		   "vcpu %u: unexpected CR%u access at rip 0x%llx",
		   vcpu->id, vcpu->exit.crdr.reg, vcpu->regs.rip);
	return 1;
}

/*
 * INVLPG (shadow mode): the shadow entry for the address goes, and the
 * TLB of this vCPU's ASID/VPID is flushed since the CPU did not execute
 * the instruction.  In nested mode INVLPG is not intercepted: an exit
 * (VMX that must exit on it) is completed as a no-op as before.
 */
int v3_mmu_handle_invlpg(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;

	if (vcpu->vm->mmu.mode == V3_MMU_SHADOW) {
		vcpu->mmu.invlpgs++;
		if ((!e->invlpg.valid || !e->insn_len) &&
		    v3_mmu_decode_invlpg(vcpu))
			return 1;
		v3_mmu_shadow.invlpg(vcpu, e->invlpg.valid ? e->invlpg.gva :
				     ~0ULL);
		set_bit(V3_REQ_TLB, &vcpu->requests);
	}
	v3_skip_insn(vcpu);
	return 0;
}

/* #PF exits (shadow mode only: nested mode does not intercept #PF) */
int v3_mmu_handle_pf(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	u64 t0 = e->tsc;
	int ret;

	ret = v3_mmu_shadow.page_fault(vcpu, e->exc.addr, e->exc.error);
	vcpu->mmu.fault_cycles += rdtsc() - t0;
	return ret;
}

void v3_mmu_set_efer(struct v3_vcpu *vcpu, u64 efer)
{
	u64 old = vcpu->regs.efer;

	vcpu->regs.efer = efer;
	if (vcpu->vm->mmu.mode == V3_MMU_SHADOW) {
		if ((old ^ efer) & (EFER_NX | EFER_LME | EFER_LMA))
			v3_mmu_shadow.paging_changed(vcpu, vcpu->regs.cr3);
		vcpu->mmu.reload = true;
		return;
	}
	v3_arch->set_efer(vcpu, efer);
}

void v3_mmu_gpa_written(struct v3_vm *vm, u64 gpa, u64 len)
{
	if (READ_ONCE(vm->mmu.shadow) && len)
		v3_mmu_shadow.gpa_written(vm, gpa, len);
}
