// SPDX-License-Identifier: GPL-2.0
/*
 * Guest x87/SSE/AVX state and XCR0.  The guest's registers are loaded
 * only between v3_fpu_load() and v3_fpu_put(), inside a
 * kernel_fpu_begin() section, so the host task's state is saved by the
 * kernel's own FPU code and never mixed with the guest's.  The vCPU loop
 * keeps the section open across exits handled without sleeping (KVM
 * likewise switches FPU state only when the vCPU thread leaves its run
 * loop): XSAVE/XRSTOR of the whole state on every exit would cost more
 * than many exit handlers.  XSETBV is
 * intercepted so the guest can only enable features the host has enabled
 * (Intel SDM vol. 1 13.3).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/fpu/api.h>
#include <asm/cpufeature.h>
#include <asm/processor-flags.h>
#include "v3.h"

#define XFEATURE_X87	BIT_ULL(0)
#define XFEATURE_SSE	BIT_ULL(1)
#define XFEATURE_AVX	BIT_ULL(2)
#define XFEATURE_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))

static u64 v3_xgetbv0(void)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

static void v3_xsetbv0(u64 val)
{
	asm volatile("xsetbv" :: "a"((u32)val), "d"((u32)(val >> 32)),
		     "c"(0));
}

/*
 * The guest's state is saved and restored with the host's XCR0 in force
 * (it covers every component a guest may enable), and the guest's XCR0 is
 * loaded only around guest execution, as XRSTOR faults on components the
 * current XCR0 lacks (SDM vol. 1 13.8).  Guests get only the components
 * of V3_XCR0_GUEST (v3.h): AMX tile state, for one, is not offered (large,
 * guarded by XFD on the host).
 */

static u64 v3_host_xcr0_real;	/* XCR0 as the host kernel set it */
static u64 v3_guest_xcr0_max;	/* what guests may enable */
static unsigned int v3_fpu_order;

/*
 * Size of the XSAVE area for the components in xcr0: standard format
 * (XSAVE, XSAVEOPT), each component at its CPUID-given offset, or
 * compacted (XSAVEC), the components packed in order, each 64-byte
 * aligned when CPUID.(0xd,i):ECX[1] says so (SDM vol. 1 13.4.3).
 */
static u32 v3_xsave_area_size(u64 xcr0, bool compacted)
{
	u32 size = 512 + 64, i, a, b, c, d;

	for (i = 2; i < 63; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		if (!compacted) {
			size = max(size, a + b);
			continue;
		}
		if (c & BIT(1))
			size = ALIGN(size, 64);
		size += a;
	}
	return size;
}

u32 v3_xsave_size(u64 xcr0)
{
	return v3_xsave_area_size(xcr0, false);
}

u32 v3_xsavec_size(u64 xcr0)
{
	return v3_xsave_area_size(xcr0, true);
}

void v3_fpu_init(void)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		v3_host_xcr0_real = v3_xgetbv0();
		v3_guest_xcr0_max = v3_host_xcr0_real & V3_XCR0_GUEST;
		v3_fpu_order = get_order(v3_xsave_size(v3_guest_xcr0_max));
	} else {
		v3_host_xcr0_real = XFEATURE_X87 | XFEATURE_SSE;
		v3_guest_xcr0_max = v3_host_xcr0_real;
		v3_fpu_order = 0;
	}
}

u64 v3_host_xcr0(void)
{
	return v3_guest_xcr0_max;
}

int v3_fpu_alloc(struct v3_vcpu *vcpu)
{
	u8 *area = (u8 *)__get_free_pages(V3_GFP_ACCOUNT | __GFP_ZERO,
					   v3_fpu_order);

	if (!area)
		return -ENOMEM;
	vcpu->fpu = area;	/* v3_vcpu_reset() fills in the RESET state */
	return 0;
}

/* The state after RESET (SDM vol. 1 10.5.1): FCW 0x37f, MXCSR 0x1f80. */
void v3_fpu_reset(struct v3_vcpu *vcpu)
{
	u8 *area = vcpu->fpu;

	memset(area, 0, PAGE_SIZE << v3_fpu_order);
	*(u16 *)area = 0x37f;
	*(u32 *)(area + 24) = 0x1f80;
	vcpu->xcr0 = XFEATURE_X87;
}

void v3_fpu_free(struct v3_vcpu *vcpu)
{
	free_pages((unsigned long)vcpu->fpu, v3_fpu_order);
	vcpu->fpu = NULL;
}

void v3_fpu_load(struct v3_vcpu *vcpu)
{
	u64 mask = v3_guest_xcr0_max;

	if (vcpu->fpu_loaded)
		return;
	kernel_fpu_begin();
	vcpu->fpu_loaded = true;
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		asm volatile("xrstor64 %0" :: "m"(*(u8 *)vcpu->fpu),
			     "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
		if (vcpu->xcr0 != v3_host_xcr0_real)
			v3_xsetbv0(vcpu->xcr0);
	} else {
		asm volatile("fxrstor64 %0" :: "m"(*(u8 *)vcpu->fpu) : "memory");
	}
}

/*
 * The guest's XCR0.  While its FPU is loaded, a CPU that ignores the
 * XSETBV intercept (see v3_fpu_put) may have changed it behind our back.
 */
u64 v3_guest_xcr0(struct v3_vcpu *vcpu)
{
	if (vcpu->fpu_loaded && boot_cpu_has(X86_FEATURE_XSAVE))
		vcpu->xcr0 = v3_xgetbv0() & v3_guest_xcr0_max;
	return vcpu->xcr0;
}

void v3_fpu_put(struct v3_vcpu *vcpu)
{
	u64 mask = v3_guest_xcr0_max;

	if (!vcpu->fpu_loaded)
		return;
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		/*
		 * A CPU that does not honour the XSETBV intercept (QEMU's
		 * emulated SVM) lets the guest write XCR0 directly: adopt it.
		 */
		u64 cur = v3_xgetbv0();

		if (cur != vcpu->xcr0)
			vcpu->xcr0 = cur & v3_guest_xcr0_max;
		if (cur != v3_host_xcr0_real)
			v3_xsetbv0(v3_host_xcr0_real);
		asm volatile("xsave64 %0" : "+m"(*(u8 *)vcpu->fpu)
			     : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
	} else {
		asm volatile("fxsave64 %0" : "=m"(*(u8 *)vcpu->fpu) :: "memory");
	}
	vcpu->fpu_loaded = false;
	kernel_fpu_end();
}

int v3_handle_xsetbv(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u64 val = (gpr[V3_RDX] << 32) | (u32)gpr[V3_RAX];
	u64 host = v3_host_xcr0();

	/* the new XCR0 is loaded with the guest's state at the next entry */
	v3_fpu_put(vcpu);
	if (!(vcpu->regs.cr4 & X86_CR4_OSXSAVE)) {
		v3_inject_ud(vcpu);
		return 0;
	}
	if (vcpu->regs.cpl || (u32)gpr[V3_RCX] != 0 ||
	    !(val & XFEATURE_X87) || (val & ~host) ||
	    ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE)) ||
	    ((val & XFEATURE_AVX512) &&
	     ((val & XFEATURE_AVX512) != XFEATURE_AVX512 ||
	      !(val & XFEATURE_AVX)))) {
		v3_inject_gp(vcpu);
		return 0;
	}
	vcpu->xcr0 = val;
	v3_skip_insn(vcpu);
	return 0;
}
