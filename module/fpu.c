// SPDX-License-Identifier: GPL-2.0
/*
 * Guest x87/SSE/AVX state and XCR0.  The guest's registers are loaded
 * only between v3_fpu_enter() and v3_fpu_leave(), inside a
 * kernel_fpu_begin() section, so the host task's state is saved by the
 * kernel's own FPU code and never mixed with the guest's.  XSETBV is
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

static u64 v3_host_xcr0_cached;

void v3_fpu_init(void)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		v3_host_xcr0_cached = v3_xgetbv0();
	else
		v3_host_xcr0_cached = XFEATURE_X87 | XFEATURE_SSE;
}

u64 v3_host_xcr0(void)
{
	return v3_host_xcr0_cached;
}

int v3_fpu_alloc(struct v3_vcpu *vcpu)
{
	u8 *area = (u8 *)get_zeroed_page(GFP_KERNEL);

	if (!area)
		return -ENOMEM;
	/* FXSAVE image: FCW 0x37f, MXCSR 0x1f80 (SDM vol. 1 10.5.1) */
	*(u16 *)area = 0x37f;
	*(u32 *)(area + 24) = 0x1f80;
	vcpu->fpu = area;
	vcpu->xcr0 = XFEATURE_X87;
	return 0;
}

void v3_fpu_free(struct v3_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->fpu);
	vcpu->fpu = NULL;
}

void v3_fpu_enter(struct v3_vcpu *vcpu)
{
	kernel_fpu_begin();
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		u64 mask = vcpu->xcr0 | XFEATURE_SSE;

		if (vcpu->xcr0 != v3_host_xcr0_cached)
			v3_xsetbv0(vcpu->xcr0);
		asm volatile("xrstor64 %0" :: "m"(*(u8 *)vcpu->fpu),
			     "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
	} else {
		asm volatile("fxrstor64 %0" :: "m"(*(u8 *)vcpu->fpu) : "memory");
	}
}

void v3_fpu_leave(struct v3_vcpu *vcpu)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		u64 mask = vcpu->xcr0 | XFEATURE_SSE;

		asm volatile("xsave64 %0" : "+m"(*(u8 *)vcpu->fpu)
			     : "a"((u32)mask), "d"((u32)(mask >> 32)) : "memory");
		if (vcpu->xcr0 != v3_host_xcr0_cached)
			v3_xsetbv0(v3_host_xcr0_cached);
	} else {
		asm volatile("fxsave64 %0" : "=m"(*(u8 *)vcpu->fpu) :: "memory");
	}
	kernel_fpu_end();
}

int v3_handle_xsetbv(struct v3_vcpu *vcpu)
{
	u64 *gpr = vcpu->regs.gpr;
	u64 val = (gpr[V3_RDX] << 32) | (u32)gpr[V3_RAX];
	u64 host = v3_host_xcr0();

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
