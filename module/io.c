// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO dispatch to the in-kernel device models.  Ports nobody
 * claims behave like an empty ISA bus: reads return all-ones and writes
 * are dropped (both counted).
 */
#include "v3.h"

int v3_io_register(struct v3_vm *vm, const struct v3_io_handler *h)
{
	if (vm->nr_io >= V3_MAX_IO_HANDLERS)
		return -ENOSPC;
	vm->io[vm->nr_io++] = *h;
	return 0;
}

int v3_mmio_register(struct v3_vm *vm, const struct v3_mmio_handler *h)
{
	if (vm->nr_mmio >= V3_MAX_MMIO_HANDLERS)
		return -ENOSPC;
	vm->mmio[vm->nr_mmio++] = *h;
	return 0;
}

static struct v3_io_handler *v3_io_find(struct v3_vm *vm, u16 port)
{
	unsigned int i;

	for (i = 0; i < vm->nr_io; i++) {
		struct v3_io_handler *h = &vm->io[i];

		if (port >= h->base && port - h->base < h->len)
			return h;
	}
	return NULL;
}

static void v3_io_port(struct v3_vcpu *vcpu, u16 port, u8 size, bool in,
		       u32 *val)
{
	struct v3_io_handler *h = v3_io_find(vcpu->vm, port);

	if (in) {
		if (h && h->read && !h->read(vcpu, h->opaque, port, size, val))
			return;
		*val = 0xffffffff;
		v3_count(vcpu->vm, V3_CNT_IO_UNCLAIMED_READ);
	} else {
		if (h && h->write_sleeps)
			v3_fpu_put(vcpu);
		if (h && h->write && !h->write(vcpu, h->opaque, port, size,
					       *val))
			return;
		v3_count(vcpu->vm, V3_CNT_IO_UNCLAIMED_WRITE);
	}
}

static u64 v3_size_mask(u8 size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/*
 * INS/OUTS: one element per exit (the REP count in RCX is decremented and
 * the instruction restarted while RCX != 0), addressing ES:RDI for INS and
 * DS:RSI for OUTS (Intel SDM vol. 2 "INS", "OUTS"; segment overrides on
 * OUTS are not honoured: flat segments are assumed).
 */
static int v3_io_string(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	struct v3_regs *r = &vcpu->regs;
	u64 amask = v3_size_mask(e->io.addr_size ? e->io.addr_size : 4);
	int reg = e->io.in ? V3_RDI : V3_RSI;
	u64 addr = r->gpr[reg] & amask;
	u64 gpa;
	u32 val = 0;
	s64 step = (r->rflags & X86_EFLAGS_DF) ? -e->io.size : e->io.size;

	if (e->io.rep && !(r->gpr[V3_RCX] & amask)) {
		v3_skip_insn(vcpu);
		return 0;
	}
	if (v3_gva_to_gpa(vcpu, addr, &gpa) ||
	    (gpa & ~PAGE_MASK) + e->io.size > PAGE_SIZE) {
		v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
			   "string I/O at unmapped or page-crossing address %llx",
			   addr);
		return 1;
	}
	if (e->io.in) {
		v3_io_port(vcpu, e->io.port, e->io.size, true, &val);
		if (v3_write_gpa(vcpu->vm, gpa, &val, e->io.size))
			goto bad;
	} else {
		if (v3_read_gpa(vcpu->vm, gpa, &val, e->io.size))
			goto bad;
		v3_io_port(vcpu, e->io.port, e->io.size, false, &val);
	}
	r->gpr[reg] = (r->gpr[reg] & ~amask) | ((addr + step) & amask);
	if (e->io.rep) {
		u64 cnt = (r->gpr[V3_RCX] & amask) - 1;

		r->gpr[V3_RCX] = (r->gpr[V3_RCX] & ~amask) | cnt;
		if (cnt)
			return 0;	/* re-execute for the next element */
	}
	v3_skip_insn(vcpu);
	return 0;
bad:
	v3_vm_stop(vcpu->vm, V3_STOP_BAD_MEMORY, 0,
		   "string I/O to non-RAM gpa %llx", gpa);
	return 1;
}

int v3_handle_io(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	u64 *rax = &vcpu->regs.gpr[V3_RAX];
	u32 val;

	if (e->io.string)
		return v3_io_string(vcpu);

	if (e->io.in) {
		u64 mask = v3_size_mask(e->io.size);

		v3_io_port(vcpu, e->io.port, e->io.size, true, &val);
		/* IN to EAX zero-extends into RAX; AL/AX keep upper bits */
		if (e->io.size == 4)
			*rax = val;
		else
			*rax = (*rax & ~mask) | (val & mask);
	} else {
		val = *rax & v3_size_mask(e->io.size);
		v3_io_port(vcpu, e->io.port, e->io.size, false, &val);
	}
	if (v3_vm_stopped(vcpu->vm))
		return 1;
	v3_skip_insn(vcpu);
	return 0;
}

static struct v3_mmio_handler *v3_mmio_find(struct v3_vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		struct v3_mmio_handler *h = &vm->mmio[i];

		if (gpa >= h->base && gpa - h->base < h->len)
			return h;
	}
	return NULL;
}

/* Write a loaded value into the instruction's register operand. */
static void v3_mmio_set_reg(struct v3_vcpu *vcpu,
			    const struct v3_mmio_insn *in, u64 val)
{
	v3_gpr_write(&vcpu->regs.gpr[in->reg], in->reg_high8, in->reg_size,
		     val);
}

static u64 v3_mmio_get_reg(struct v3_vcpu *vcpu,
			   const struct v3_mmio_insn *in)
{
	u64 v = vcpu->regs.gpr[in->reg];

	return in->reg_high8 ? (v >> 8) & 0xff : v & v3_size_mask(in->size);
}

int v3_mmio_emulate(struct v3_vcpu *vcpu, struct v3_mmio_handler *h)
{
	u64 gpa = vcpu->exit.mem.gpa;
	struct v3_mmio_insn in;
	u64 val = 0;
	int ret;

	ret = v3_decode_mmio(vcpu, &in);
	if (ret) {
		v3_vm_stop(vcpu->vm, V3_STOP_EMULATION, 0,
			   "cannot emulate MMIO instruction at rip 0x%llx (gpa 0x%llx)",
			   vcpu->regs.rip, gpa);
		return 1;
	}
	if (in.write && !in.xchg) {
		val = in.has_imm ? in.imm : v3_mmio_get_reg(vcpu, &in);
		if (h->write)
			h->write(vcpu, h->opaque, gpa, in.size,
				 val & v3_size_mask(in.size));
	} else if (in.xchg && h->exchange) {
		val = v3_mmio_get_reg(vcpu, &in);
		if (h->exchange(vcpu, h->opaque, gpa, in.size, &val))
			val = ~0ULL;
		v3_mmio_set_reg(vcpu, &in, val & v3_size_mask(in.size));
	} else {
		if (!h->read || h->read(vcpu, h->opaque, gpa, in.size, &val))
			val = ~0ULL;
		val &= v3_size_mask(in.size);
		if (in.xchg && h->write)
			h->write(vcpu, h->opaque, gpa, in.size,
				 v3_mmio_get_reg(vcpu, &in));
		v3_mmio_set_reg(vcpu, &in, val);
	}
	if (v3_vm_stopped(vcpu->vm))
		return 1;
	vcpu->exit.insn_len = in.len;
	v3_skip_insn(vcpu);
	return 0;
}

int v3_handle_mem_fault(struct v3_vcpu *vcpu)
{
	struct v3_exit *e = &vcpu->exit;
	struct v3_mmio_handler *h;

	/* a region hinted for memory placement: mapped again, retried */
	if (v3_tdp_hint_fault(vcpu, e->mem.gpa))
		return 0;
	h = v3_mmio_find(vcpu->vm, e->mem.gpa);
	/*
	 * A fault of the guest's own page-table walk is no access of the
	 * instruction at RIP: emulating that instruction against the device
	 * would be wrong.  Page tables outside RAM are not supported.
	 */
	if (e->mem.walk) {
		v3_vm_stop(vcpu->vm, V3_STOP_BAD_MEMORY, 0,
			   "guest page-table walk reached gpa 0x%llx (not RAM) at rip 0x%llx",
			   e->mem.gpa, vcpu->regs.rip);
		return 1;
	}
	if (h && !e->mem.fetch)
		return v3_mmio_emulate(vcpu, h);
	v3_vm_stop(vcpu->vm, V3_STOP_BAD_MEMORY, 0,
		   "%s of unbacked gpa 0x%llx at rip 0x%llx",
		   e->mem.fetch ? "fetch" : e->mem.write ? "write" : "read",
		   e->mem.gpa, vcpu->regs.rip);
	return 1;
}
