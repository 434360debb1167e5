// SPDX-License-Identifier: GPL-2.0
/*
 * VMCB clean bits (APM vol. 2 15.15.3).  A CPU with the VmcbClean feature
 * (CPUID Fn8000_000A EDX[5]) may keep parts of a VMCB cached between
 * VMRUNs and reload from memory only the areas whose clean bit is clear.
 * A clean bit set over a field the VMM changed makes the guest run with
 * the old value: a silent and CPU-model-dependent bug.
 *
 * So no code marks areas dirty by hand.  After each #VMEXIT the fields
 * the CPU may cache are copied aside (they hold what the CPU wrote back,
 * which is what its cache holds); before the next VMRUN an area is
 * declared clean only if every one of its fields still has that value.
 * Whatever wrote the VMCB in between - a setter, a reset, the
 * entry-check retry putting a snapshot back - cannot be missed.  All bits
 * are clear at a VMCB's first VMRUN and after it moved to another CPU.
 */
#include <linux/string.h>
#include "svm.h"

struct v3_clean_range {
	u16 offset;
	u16 size;
	u8 bit;
};

#define CTL(f, b) { offsetof(struct v3_vmcb, control.f), \
		    sizeof(((struct v3_vmcb_control *)0)->f), b }
#define SAVE(f, b) { offsetof(struct v3_vmcb, save.f), \
		     sizeof(((struct v3_vmcb_save *)0)->f), b }

/* APM table 15-9: the fields of each clean bit's area */
static const struct v3_clean_range v3_clean_ranges[] = {
	/* intercept vectors (and reserved bytes up to the pause filter) */
	{ 0, offsetof(struct v3_vmcb_control, pause_filter_thresh), V3_CLEAN_I },
	CTL(pause_filter_thresh, V3_CLEAN_I),
	CTL(pause_filter_count, V3_CLEAN_I),
	CTL(tsc_offset, V3_CLEAN_I),
	CTL(iopm_base_pa, V3_CLEAN_IOPM),
	CTL(msrpm_base_pa, V3_CLEAN_IOPM),
	CTL(asid, V3_CLEAN_ASID),
	CTL(int_ctl, V3_CLEAN_TPR),	/* V_TPR .. V_INTR_VECTOR, 0x60-0x67 */
	CTL(nested_ctl, V3_CLEAN_NP),
	CTL(nested_cr3, V3_CLEAN_NP),
	SAVE(g_pat, V3_CLEAN_NP),
	SAVE(cr0, V3_CLEAN_CRX),
	SAVE(cr3, V3_CLEAN_CRX),
	SAVE(cr4, V3_CLEAN_CRX),
	SAVE(efer, V3_CLEAN_CRX),
	SAVE(dr6, V3_CLEAN_DRX),
	SAVE(dr7, V3_CLEAN_DRX),
	SAVE(gdtr, V3_CLEAN_DT),
	SAVE(idtr, V3_CLEAN_DT),
	SAVE(es, V3_CLEAN_SEG),
	SAVE(cs, V3_CLEAN_SEG),
	SAVE(ss, V3_CLEAN_SEG),
	SAVE(ds, V3_CLEAN_SEG),
	SAVE(cpl, V3_CLEAN_SEG),
	SAVE(cr2, V3_CLEAN_CR2),
	SAVE(dbgctl, V3_CLEAN_LBR),
	SAVE(br_from, V3_CLEAN_LBR),
	SAVE(br_to, V3_CLEAN_LBR),
	SAVE(last_excp_from, V3_CLEAN_LBR),
	SAVE(last_excp_to, V3_CLEAN_LBR),
};

/* The clean bit whose area holds VMCB byte @offset, or -1 (not cached). */
u32 v3_svm_clean_area_of(unsigned int offset)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v3_clean_ranges); i++) {
		const struct v3_clean_range *r = &v3_clean_ranges[i];

		if (offset >= r->offset && offset < r->offset + r->size)
			return r->bit;
	}
	return (u32)-1;
}

/*
 * The VMCB's clean field for a VMRUN on @cpu now; records @cpu as the
 * CPU that will hold the VMCB's cached state.
 */
u32 v3_svm_clean_bits(struct v3_svm_vcpu *svm, int cpu,
		      const struct v3_svm_features *f)
{
	const u8 *vmcb = (const u8 *)svm->vmcb;
	u32 dirty = 0;
	unsigned int i;
	int last = svm->clean_cpu;

	if (!f->vmcb_clean || !svm->clean_shadow)
		return 0;
	svm->clean_cpu = cpu;
	if (last != cpu)
		return 0;
	for (i = 0; i < ARRAY_SIZE(v3_clean_ranges); i++) {
		const struct v3_clean_range *r = &v3_clean_ranges[i];

		if (memcmp(vmcb + r->offset, svm->clean_shadow + r->offset,
			   r->size))
			dirty |= BIT(r->bit);
	}
	return ~dirty & (BIT(V3_NR_CLEAN_BITS) - 1);
}

/* After #VMEXIT: what the CPU may now hold cached for this VMCB. */
void v3_svm_clean_after_exit(struct v3_svm_vcpu *svm)
{
	const u8 *vmcb = (const u8 *)svm->vmcb;
	unsigned int i;

	if (!svm->clean_shadow)
		return;
	for (i = 0; i < ARRAY_SIZE(v3_clean_ranges); i++) {
		const struct v3_clean_range *r = &v3_clean_ranges[i];

		memcpy(svm->clean_shadow + r->offset, vmcb + r->offset,
		       r->size);
	}
}
