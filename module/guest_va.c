// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual to guest-physical translation through the guest's own page
 * tables, for the few exits that carry only a linear address or need the
 * instruction bytes (no decode assists).  The walk is the module's one
 * walker (mmu/walk.c); reads on the guest's behalf check no access rights
 * (V3_WALK_NO_CHECK) and set no A/D bits.  Also the walker's glue: its
 * view of a VM's RAM and of a vCPU's paging registers.
 */
#include <linux/atomic.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include "v3.h"
#include "mmu/walk.h"

static int v3_walk_env_read(void *opaque, u64 gpa, void *buf,
			    unsigned int len)
{
	return v3_read_gpa(opaque, gpa, buf, len);
}

/*
 * A locked update of guest memory: 0, -EAGAIN when it did not hold old,
 * -EFAULT when not RAM or not naturally aligned.  Paging-structure entries
 * (the CPU's A/D update, SDM vol. 3 4.8; shadow paging's emulated writes,
 * mmu/shadow_rmw.c) are aligned, so one never crosses a page of the host
 * mapping.
 */
int v3_gpa_cmpxchg(struct v3_vm *vm, u64 gpa, u64 old, u64 new,
		   unsigned int size)
{
	void *hva;
	bool ok;

	if ((size != 1 && size != 2 && size != 4 && size != 8) ||
	    (gpa & (size - 1)))
		return -EFAULT;
	hva = v3_gpa_to_hva(vm, gpa);
	if (!hva)
		return -EFAULT;
	switch (size) {
	case 1:
		ok = cmpxchg((u8 *)hva, (u8)old, (u8)new) == (u8)old;
		break;
	case 2:
		ok = cmpxchg((u16 *)hva, (u16)old, (u16)new) == (u16)old;
		break;
	case 4:
		ok = cmpxchg((u32 *)hva, (u32)old, (u32)new) == (u32)old;
		break;
	default:
		ok = cmpxchg((u64 *)hva, old, new) == old;
	}
	return ok ? 0 : -EAGAIN;
}

/*
 * LOCK CMPXCHG16B on the host mapping (SDM vol. 2A CMPXCHG8B/CMPXCHG16B:
 * RDX:RAX compared with m128, RCX:RBX stored if equal; the operand must be
 * 16-byte aligned or the CPU raises #GP).  A guest can only have run the
 * instruction on a CPU with CX16, the host's, so the feature check is
 * for a host that hides it, not for any CPU that runs guests.
 */
int v3_gpa_cmpxchg16(struct v3_vm *vm, u64 gpa, const u64 *old,
		     const u64 *new)
{
	u64 lo = old[0], hi = old[1];
	void *hva;
	bool ok;

	if (!boot_cpu_has(X86_FEATURE_CX16) || (gpa & 15))
		return -EFAULT;
	hva = v3_gpa_to_hva(vm, gpa);
	if (!hva)
		return -EFAULT;
	asm volatile("lock cmpxchg16b %[m]" CC_SET(e)
		     : CC_OUT(e) (ok), [m] "+m" (*(u64 (*)[2])hva),
		       "+a" (lo), "+d" (hi)
		     : "b" (new[0]), "c" (new[1])
		     : "memory");
	return ok ? 0 : -EAGAIN;
}

static int v3_walk_env_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new,
			       unsigned int size)
{
	/* the walker's entries are 4 or 8 bytes */
	if (size != 4 && size != 8)
		return -EFAULT;
	return v3_gpa_cmpxchg(opaque, gpa, old, new, size);
}

void v3_walk_env_init(struct v3_walk_env *env, struct v3_vm *vm)
{
	env->opaque = vm;
	env->read = v3_walk_env_read;
	env->cmpxchg = v3_walk_env_cmpxchg;
}

/* The guest sees the host's MAXPHYADDR (cpuid.c passes 0x80000008 EAX) */
void v3_walk_regs_init(struct v3_walk_regs *regs, const struct v3_vcpu *vcpu)
{
	const struct v3_regs *r = &vcpu->regs;

	regs->cr0 = r->cr0;
	regs->cr3 = r->cr3;
	regs->cr4 = r->cr4;
	regs->efer = r->efer;
	regs->rflags = r->rflags;
	regs->cpl = r->cpl;
	regs->maxphyaddr = boot_cpu_data.x86_phys_bits;
}

int v3_gva_walk(struct v3_vcpu *vcpu, u64 gva, u32 access, unsigned int flags,
		struct v3_walk *w)
{
	struct v3_walk_env env;
	struct v3_walk_regs regs;

	v3_walk_env_init(&env, vcpu->vm);
	v3_walk_regs_init(&regs, vcpu);
	return v3_walk(&env, &regs, gva, access, flags, w);
}

int v3_gva_to_gpa(struct v3_vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct v3_walk w;

	if (v3_gva_walk(vcpu, gva, 0, V3_WALK_NO_CHECK, &w))
		return -EFAULT;
	*gpa = w.gpa;
	return 0;
}

/*
 * Print the guest's own walk of gva as it stands in guest memory, every
 * entry read with the host page that backs its table (what the
 * two-dimensional walk should reach too), and a summary of the top-level
 * table (how many entries are present): the post-mortem of a guest that
 * lost its page tables.
 */
void v3_dump_walk(struct v3_vcpu *vcpu, u64 gva)
{
	struct v3_regs *r = &vcpu->regs;
	struct v3_walk w;
	u64 e, root = r->cr3 & 0x000ffffffffff000ULL;
	unsigned int i, present = 0;
	int ret, top;

	if ((r->cr0 & X86_CR0_PG) && (r->efer & EFER_LMA)) {
		for (i = 0; i < 512; i++)
			if (!v3_read_gpa(vcpu->vm, root + i * 8, &e, 8) &&
			    (e & 1))
				present++;
		v3_err("  root table gpa %llx: %u of 512 entries present\n",
		       root, present);
	}
	ret = v3_gva_walk(vcpu, gva, 0, V3_WALK_NO_CHECK, &w);
	/* the root's level: 32-bit 2, PAE 3 (its PDPTE), 4- or 5-level */
	if (!(r->cr4 & X86_CR4_PAE))
		top = 2;
	else if (!(r->efer & EFER_LMA))
		top = 3;
	else
		top = (r->cr4 & X86_CR4_LA57) ? 5 : 4;
	for (i = 0; i < w.levels; i++)
		v3_err("  walk %llx L%d: table gpa %llx (hpa %llx) [%llu] = %0*llx\n",
		       gva, top - i, w.pte_gpa[i] & PAGE_MASK,
		       v3_gpa_to_hpa(vcpu->vm, w.pte_gpa[i] & PAGE_MASK, NULL),
		       (w.pte_gpa[i] & ~PAGE_MASK) / w.pte_size,
		       w.pte_size * 2, w.pte[i]);
	if (ret)
		v3_err("  walk %llx: not mapped (%d%s, #PF error %x)\n", gva,
		       ret, ret == -EIO ? ": a table outside RAM" : "",
		       w.error);
	else
		v3_err("  walk %llx: gpa %llx\n", gva, w.gpa);
}

int v3_read_gva(struct v3_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;

		if (v3_gva_to_gpa(vcpu, gva, &gpa) ||
		    v3_read_gpa(vcpu->vm, gpa, buf, n))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* what v3_read_gva reads, written: no rights checks (the VMM's write) */
int v3_write_gva(struct v3_vcpu *vcpu, u64 gva, const void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;

		if (v3_gva_to_gpa(vcpu, gva, &gpa) ||
		    v3_write_gpa(vcpu->vm, gpa, buf, n))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int v3_fetch_insn(struct v3_vcpu *vcpu, u8 *buf, size_t len)
{
	u64 la = vcpu->regs.cs_base + vcpu->regs.rip;

	if (!v3_long_mode(vcpu))
		la &= 0xffffffffULL;
	return v3_read_gva(vcpu, la, buf, len);
}
