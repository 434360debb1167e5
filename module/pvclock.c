// SPDX-License-Identifier: GPL-2.0
/*
 * A paravirtual clock that speaks KVM's interface (Linux
 * Documentation/virt/kvm/x86/cpuid.rst and msr.rst), so that an unmodified
 * Linux guest learns the TSC rate instead of measuring it.
 *
 * Why: Linux measures the TSC against the PIT (at least 1000 reads of port
 * 0x61 in 10 ms, no gap ten times longer than another) and the ACPI PM
 * timer (a triple read within 131072 TSC cycles).  Exits on an emulated
 * host take ~50000 cycles each, so both fail, the TSC is marked unstable
 * and the guest keeps time with the PM timer: an exit per clock read.
 *
 * How the guest finds it: Linux looks for hypervisor signatures at
 * 0x40000000 and then every 0x100 above it, so v3vmm keeps its own
 * signature at 0x40000000 and puts "KVMKVMKVM" and the feature leaf at
 * 0x40000100/0x40000101.  Only the clock is offered (CLOCKSOURCE2, its
 * stable bit) and the "no I/O delay needed" hint; the guest uses none of
 * KVM's other paravirtual features because none is advertised.
 *
 * Time is one straight line per VM: system_time = ns since the VM was
 * created or reset = (host TSC - vm->tsc_base) * mul >> 32 (shifted
 * first), the scale taken from the host's tsc_khz.  Each vCPU's structure
 * is written once, when the guest registers it; every vCPU's carries the
 * same line (its own TSC offset folded into tsc_timestamp), so the clock
 * agrees across vCPUs as long as the host TSC is constant and
 * synchronised, which is what PVCLOCK_TSC_STABLE_BIT tells the guest.
 * Without that bit the guest still learns the rate, and keeps its own
 * clock monotonic.
 */
#include <linux/math64.h>
#include <linux/ktime.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include "v3.h"

#define V3_PVCLOCK_CPUID	0x40000100	/* signature; features at +1 */
#define V3_PVCLOCK_FEATURES	(BIT(KVM_FEATURE_CLOCKSOURCE2) | \
				 BIT(KVM_FEATURE_NOP_IO_DELAY) | \
				 BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT))
#define V3_PVCLOCK_ENABLE	BIT_ULL(0)

/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX */
#define V3_KVM_SIG_EBX		0x4b4d564b
#define V3_KVM_SIG_ECX		0x564b4d56
#define V3_KVM_SIG_EDX		0x0000004d

void v3_pvclock_init(struct v3_vm *vm)
{
	struct v3_pvclock *pc = &vm->pvclock;
	u64 hz = (u64)tsc_khz * 1000;
	int shift = 0;

	pc->mul = 0;
	pc->wall_msr = 0;
	if (!hz || (vm->flags & V3_CREATE_NO_PVCLOCK))
		return;		/* not offered: CPUID leaves read as zero */
	/*
	 * ns = (delta << shift) * mul >> 32 with mul < 2^32: bring the rate
	 * into (1 GHz, 2 GHz] by shifting, so mul keeps 31-32 bits.
	 */
	while (hz > 2 * NSEC_PER_SEC) {
		hz >>= 1;
		shift--;
	}
	while (hz <= NSEC_PER_SEC) {
		hz <<= 1;
		shift++;
	}
	pc->shift = shift;
	pc->mul = div64_u64((u64)NSEC_PER_SEC << 32, hz);
	pc->flags = 0;
	if (boot_cpu_has(X86_FEATURE_CONSTANT_TSC) && !check_tsc_unstable())
		pc->flags |= PVCLOCK_TSC_STABLE_BIT;
}

static u64 v3_pvclock_scale(const struct v3_pvclock *pc, u64 delta)
{
	if (pc->shift < 0)
		delta >>= -pc->shift;
	else
		delta <<= pc->shift;
	return mul_u64_u32_shr(delta, pc->mul, 32);
}

bool v3_pvclock_cpuid(struct v3_vm *vm, u32 leaf, u32 *a, u32 *b, u32 *c,
		      u32 *d)
{
	if (leaf != V3_PVCLOCK_CPUID && leaf != V3_PVCLOCK_CPUID + 1)
		return false;
	*a = *b = *c = *d = 0;
	if (!vm->pvclock.mul)
		return true;
	if (leaf == V3_PVCLOCK_CPUID) {
		*a = V3_PVCLOCK_CPUID + 1;
		*b = V3_KVM_SIG_EBX;
		*c = V3_KVM_SIG_ECX;
		*d = V3_KVM_SIG_EDX;
	} else {
		*a = V3_PVCLOCK_FEATURES;
	}
	return true;
}

/*
 * The guest retries a read while version is odd or changed under it
 * (pvclock_read_begin/retry), so a structure is updated as: version odd,
 * body, version even.
 */
static void v3_pvclock_begin(u32 *version)
{
	WRITE_ONCE(*version, (READ_ONCE(*version) | 1) + 2);
	smp_wmb();
}

static void v3_pvclock_end(u32 *version)
{
	smp_wmb();
	WRITE_ONCE(*version, READ_ONCE(*version) + 1);
}

/* Where a guest structure of len bytes at gpa lives, if in one RAM page. */
static void *v3_pvclock_map(struct v3_vm *vm, u64 gpa, size_t len)
{
	if ((gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return NULL;
	return v3_gpa_to_hva(vm, gpa);
}

static int v3_pvclock_set_time(struct v3_vcpu *vcpu, u64 val)
{
	const struct v3_pvclock *pc = &vcpu->vm->pvclock;
	struct pvclock_vcpu_time_info *ti;

	vcpu->pvclock_msr = val;
	if (!(val & V3_PVCLOCK_ENABLE))
		return 0;
	ti = v3_pvclock_map(vcpu->vm, val & ~V3_PVCLOCK_ENABLE, sizeof(*ti));
	if (!ti)
		return -EINVAL;
	v3_pvclock_begin(&ti->version);
	ti->tsc_timestamp = vcpu->vm->tsc_base + v3_arch->tsc_offset(vcpu);
	ti->system_time = 0;
	ti->tsc_to_system_mul = pc->mul;
	ti->tsc_shift = pc->shift;
	ti->flags = pc->flags;
	v3_pvclock_end(&ti->version);
	return 0;
}

static int v3_pvclock_set_wall(struct v3_vcpu *vcpu, u64 gpa)
{
	struct v3_vm *vm = vcpu->vm;
	struct pvclock_wall_clock *wc;
	u64 boot;
	u32 nsec;

	wc = v3_pvclock_map(vm, gpa, sizeof(*wc));
	if (!wc)
		return -EINVAL;
	vm->pvclock.wall_msr = gpa;
	/* the time of day at system_time 0 */
	boot = ktime_get_real_ns() - v3_pvclock_scale(&vm->pvclock,
						       rdtsc() - vm->tsc_base);
	v3_pvclock_begin(&wc->version);
	wc->sec = div_u64_rem(boot, NSEC_PER_SEC, &nsec);
	wc->nsec = nsec;
	v3_pvclock_end(&wc->version);
	return 0;
}

/* 0 if msr is the clock's (*val set), -ENOENT if not, -EINVAL for #GP. */
int v3_pvclock_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	if (msr != MSR_KVM_SYSTEM_TIME_NEW && msr != MSR_KVM_WALL_CLOCK_NEW)
		return -ENOENT;
	if (!vcpu->vm->pvclock.mul)
		return -EINVAL;
	*val = msr == MSR_KVM_SYSTEM_TIME_NEW ? vcpu->pvclock_msr :
						  vcpu->vm->pvclock.wall_msr;
	return 0;
}

int v3_pvclock_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	if (msr != MSR_KVM_SYSTEM_TIME_NEW && msr != MSR_KVM_WALL_CLOCK_NEW)
		return -ENOENT;
	if (!vcpu->vm->pvclock.mul)
		return -EINVAL;
	if (msr == MSR_KVM_SYSTEM_TIME_NEW)
		return v3_pvclock_set_time(vcpu, val);
	return v3_pvclock_set_wall(vcpu, val);
}
