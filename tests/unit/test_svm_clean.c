// SPDX-License-Identifier: GPL-2.0
/*
 * VMCB clean bits (module/svm/svm_clean.c, APM vol. 2 15.15.3): an area is
 * marked clean only if nothing in it changed since the last #VMEXIT on the
 * same CPU; all bits are clear at a VMCB's first run, after it moved CPUs,
 * and without the feature.  The field-to-bit table is checked against the
 * APM's VMCB offsets (tables B-1, B-2, 15-9), written here as numbers.
 */
#include "svm/svm.h"
#include "unit.h"

#define ALL	(BIT(V3_NR_CLEAN_BITS) - 1)
#define SAVE	0x400

static struct v3_vmcb vmcb;
static struct v3_svm_vcpu svm;
static u8 shadow[V3_CLEAN_SHADOW_SIZE];
static struct v3_svm_features f;

/* An exit on @cpu as the CPU leaves it, then the clean field of the next
 * entry after @poke changed the VMCB. */
static u32 run_then(int cpu, void (*poke)(void *arg), void *arg)
{
	v3_svm_clean_bits(&svm, cpu, &f);	/* the previous VMRUN */
	v3_svm_clean_after_exit(&svm);		/* its #VMEXIT */
	if (poke)
		poke(arg);
	return v3_svm_clean_bits(&svm, cpu, &f);
}

static void poke_byte(void *arg)
{
	((u8 *)&vmcb)[(uintptr_t)arg] ^= 0x5a;
}

/* APM offsets of every field in a clean area, and some that are not */
static const struct { u16 off; u8 size; int bit; const char *name; } apm[] = {
	{ 0x000, 4, V3_CLEAN_I, "CR intercepts" },
	{ 0x004, 4, V3_CLEAN_I, "DR intercepts" },
	{ 0x008, 4, V3_CLEAN_I, "exception intercepts" },
	{ 0x00c, 4, V3_CLEAN_I, "intercept vector 3" },
	{ 0x010, 4, V3_CLEAN_I, "intercept vector 4" },
	{ 0x014, 4, V3_CLEAN_I, "intercept vector 5" },
	{ 0x03c, 2, V3_CLEAN_I, "pause filter threshold" },
	{ 0x03e, 2, V3_CLEAN_I, "pause filter count" },
	{ 0x050, 8, V3_CLEAN_I, "TSC offset" },
	{ 0x040, 8, V3_CLEAN_IOPM, "IOPM base" },
	{ 0x048, 8, V3_CLEAN_IOPM, "MSRPM base" },
	{ 0x058, 4, V3_CLEAN_ASID, "ASID" },
	{ 0x060, 8, V3_CLEAN_TPR, "V_TPR/V_IRQ/V_INTR_PRIO/V_IGN_TPR/V_INTR_MASKING/V_INTR_VECTOR" },
	{ 0x090, 8, V3_CLEAN_NP, "NP_ENABLE" },
	{ 0x0b0, 8, V3_CLEAN_NP, "N_CR3" },
	{ SAVE + 0x268, 8, V3_CLEAN_NP, "G_PAT" },
	{ SAVE + 0x158, 8, V3_CLEAN_CRX, "CR0" },
	{ SAVE + 0x150, 8, V3_CLEAN_CRX, "CR3" },
	{ SAVE + 0x148, 8, V3_CLEAN_CRX, "CR4" },
	{ SAVE + 0x0d0, 8, V3_CLEAN_CRX, "EFER" },
	{ SAVE + 0x168, 8, V3_CLEAN_DRX, "DR6" },
	{ SAVE + 0x160, 8, V3_CLEAN_DRX, "DR7" },
	{ SAVE + 0x060, 16, V3_CLEAN_DT, "GDTR" },
	{ SAVE + 0x080, 16, V3_CLEAN_DT, "IDTR" },
	{ SAVE + 0x000, 16, V3_CLEAN_SEG, "ES" },
	{ SAVE + 0x010, 16, V3_CLEAN_SEG, "CS" },
	{ SAVE + 0x020, 16, V3_CLEAN_SEG, "SS" },
	{ SAVE + 0x030, 16, V3_CLEAN_SEG, "DS" },
	{ SAVE + 0x0cb, 1, V3_CLEAN_SEG, "CPL" },
	{ SAVE + 0x240, 8, V3_CLEAN_CR2, "CR2" },
	{ SAVE + 0x270, 8, V3_CLEAN_LBR, "DBGCTL" },
	{ SAVE + 0x278, 8, V3_CLEAN_LBR, "BR_FROM" },
	{ SAVE + 0x280, 8, V3_CLEAN_LBR, "BR_TO" },
	{ SAVE + 0x288, 8, V3_CLEAN_LBR, "LASTEXCPFROM" },
	{ SAVE + 0x290, 8, V3_CLEAN_LBR, "LASTEXCPTO" },
	/* always loaded from memory: never make an area dirty */
	{ 0x05c, 1, -1, "TLB_CONTROL" },
	{ 0x068, 8, -1, "interrupt shadow" },
	{ 0x070, 8, -1, "EXITCODE" },
	{ 0x0a8, 8, -1, "EVENTINJ" },
	{ 0x0c0, 4, -1, "clean field itself" },
	{ 0x0c8, 8, -1, "nRIP" },
	{ SAVE + 0x040, 16, -1, "FS (VMLOAD)" },
	{ SAVE + 0x090, 16, -1, "TR (VMLOAD)" },
	{ SAVE + 0x170, 8, -1, "RFLAGS" },
	{ SAVE + 0x178, 8, -1, "RIP" },
	{ SAVE + 0x1d8, 8, -1, "RSP" },
	{ SAVE + 0x1f8, 8, -1, "RAX" },
};

static void set_field(struct v3_vmcb *v, int which)
{
	switch (which) {
	case 0: v->control.intercept_misc1 |= V3_INT_VINTR; break;	/* irq window */
	case 1: v->control.msrpm_base_pa += 0x1000; break;
	case 2: v->control.asid++; break;
	case 3: v->control.int_ctl |= V3_INT_CTL_V_IRQ; break;
	case 4: v->control.nested_cr3 += 0x1000; break;
	case 5: v->save.efer ^= BIT(11); break;				/* set_efer */
	case 6: v->save.dr7 = 0x455; break;
	case 7: v->save.idtr.limit = 0xfff; break;
	case 8: v->save.cs.selector = 0x10; break;
	case 9: v->save.cr2 = 0xdead000; break;
	case 10: v->save.dbgctl = 1; break;
	case 11: v->control.tsc_offset -= 1000; break;			/* set_tsc_offset */
	case 12: v->save.g_pat = 0x0606060606060606ULL; break;		/* set_msr(PAT) */
	}
}

static void poke_field(void *arg)
{
	set_field(&vmcb, (int)(uintptr_t)arg);
}

int main(void)
{
	static const struct { int which; int bit; const char *what; } setters[] = {
		{ 0, V3_CLEAN_I, "interrupt-window intercept" },
		{ 1, V3_CLEAN_IOPM, "MSRPM base" },
		{ 2, V3_CLEAN_ASID, "ASID" },
		{ 3, V3_CLEAN_TPR, "V_IRQ (int_ctl)" },
		{ 4, V3_CLEAN_NP, "nested CR3" },
		{ 5, V3_CLEAN_CRX, "EFER" },
		{ 6, V3_CLEAN_DRX, "DR7" },
		{ 7, V3_CLEAN_DT, "IDTR" },
		{ 8, V3_CLEAN_SEG, "CS" },
		{ 9, V3_CLEAN_CR2, "CR2" },
		{ 10, V3_CLEAN_LBR, "DBGCTL" },
		{ 11, V3_CLEAN_I, "TSC offset" },
		{ 12, V3_CLEAN_NP, "guest PAT" },
	};
	unsigned int i, b, bad;
	u32 c;

	svm.vmcb = &vmcb;
	svm.clean_shadow = shadow;
	svm.clean_cpu = -1;
	f.vmcb_clean = true;

	c = v3_svm_clean_bits(&svm, 0, &f);
	CHECK_EQ(c, 0, "first VMRUN of a VMCB: all clean bits 0");
	v3_svm_clean_after_exit(&svm);
	c = v3_svm_clean_bits(&svm, 0, &f);
	CHECK_EQ(c, ALL, "same CPU, nothing written: all 11 areas clean");
	v3_svm_clean_after_exit(&svm);
	c = v3_svm_clean_bits(&svm, 1, &f);
	CHECK_EQ(c, 0, "moved to another CPU: all clean bits 0");
	v3_svm_clean_after_exit(&svm);
	c = v3_svm_clean_bits(&svm, 1, &f);
	CHECK_EQ(c, ALL, "then settled on that CPU: clean again");

	for (i = 0; i < ARRAY_SIZE(setters); i++) {
		c = run_then(1, poke_field, (void *)(uintptr_t)setters[i].which);
		CHECK_EQ(c, ALL & ~BIT(setters[i].bit),
			 "writing the %s clears exactly clean bit %d", setters[i].what,
			 setters[i].bit);
	}

	/* the table against the APM, byte by byte */
	bad = 0;
	for (i = 0; i < ARRAY_SIZE(apm); i++) {
		for (b = 0; b < apm[i].size; b++) {
			u32 got = v3_svm_clean_area_of(apm[i].off + b);

			if (got != (u32)apm[i].bit) {
				bad++;
				printf("# %s byte %u (0x%x): area %d, APM says %d\n",
				       apm[i].name, b, apm[i].off + b, (int)got,
				       apm[i].bit);
			}
		}
		c = run_then(1, poke_byte, (void *)(uintptr_t)apm[i].off);
		if (c != (apm[i].bit < 0 ? ALL : ALL & ~BIT(apm[i].bit))) {
			bad++;
			printf("# changing %s gave clean 0x%x\n", apm[i].name, c);
		}
	}
	CHECK(!bad, "%zu VMCB fields map to their APM clean area (or none), and changing each clears exactly its bit",
	      ARRAY_SIZE(apm));

	/* every byte of the VMCB: a change is seen iff it is in an area */
	bad = 0;
	for (i = 0; i < sizeof(vmcb); i++) {
		u32 area = v3_svm_clean_area_of(i);

		c = run_then(1, poke_byte, (void *)(uintptr_t)i);
		if (c != (area == (u32)-1 ? ALL : ALL & ~BIT(area)))
			bad++;
	}
	CHECK(!bad, "each of the %zu VMCB bytes: changing it clears its area's bit (%u wrong)",
	      sizeof(vmcb), bad);

	/* changed and changed back: what the CPU cached is current */
	v3_svm_clean_bits(&svm, 1, &f);
	v3_svm_clean_after_exit(&svm);
	vmcb.save.cr0 ^= 1;
	vmcb.save.cr0 ^= 1;
	CHECK_EQ(v3_svm_clean_bits(&svm, 1, &f), ALL, "a field written back to its old value stays clean");

	/* the CPU wrote the field at #VMEXIT (guest changed CR3): clean */
	v3_svm_clean_bits(&svm, 1, &f);
	vmcb.save.cr3 = 0x1234000;	/* written by the CPU at #VMEXIT */
	v3_svm_clean_after_exit(&svm);
	CHECK_EQ(v3_svm_clean_bits(&svm, 1, &f), ALL, "state the CPU itself wrote at #VMEXIT stays clean");

	f.vmcb_clean = false;
	v3_svm_clean_after_exit(&svm);
	CHECK_EQ(v3_svm_clean_bits(&svm, 1, &f), 0, "no VmcbClean feature: clean field always 0");
	return unit_done();
}
