// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX side of the paging modes (module/vmx/vmx_paging.c and the
 * shadow-mode decoding in vmx_exit.c): set_paging for nested and shadow
 * mode against the fake VMCS (tests/unit/shim/fakevmcs.c), the switches
 * between them, the states it must refuse, the exits of shadow mode
 * decoded into common exits, and the INVVPID/INVEPT choices on feature
 * sets Bochs does not have (a fake records the instructions).
 */
#include <stdarg.h>
#include "vmx/vmx.h"
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include "unit.h"

/* defined in vmx_probe.c, which this test does not build */
struct v3_vmx_features v3_vmx_feat;

u64 v3_vmx_eptp(u64 root_hpa)
{
	return root_hpa | V3_EPTP_WB_4LEVEL;
}

static struct v3_vm vm;
static struct v3_vcpu vcpu;
static struct v3_vmx_vcpu vmx;

static int gpa_reads, skips, gps;
static u64 gpa_read_at;

void v3_skip_insn(struct v3_vcpu *v)
{
	skips++;
	v->regs.rip += v->exit.insn_len;
}

void v3_inject_gp(struct v3_vcpu *v)
{
	gps++;
}

/* guest RAM: a PDPT of recognisable entries wherever it is read */
int v3_read_gpa(struct v3_vm *v, u64 gpa, void *buf, size_t len)
{
	u64 *p = buf;
	size_t i;

	gpa_reads++;
	gpa_read_at = gpa;
	for (i = 0; i < len / 8; i++)
		p[i] = 0x1000 * (i + 1) | 1;
	return 0;
}

void v3_vmx_load(struct v3_vmx_vcpu *x)
{
}

/* guest-virtual memory: the INVPCID descriptor at desc_gva */
static u64 desc_gva, desc_val[2], gva_read_at;
static int gva_reads;

int v3_read_gva(struct v3_vcpu *v, u64 gva, void *buf, size_t len)
{
	gva_reads++;
	gva_read_at = gva;
	if (gva != desc_gva || len != sizeof(desc_val))
		return -EFAULT;
	memcpy(buf, desc_val, len);
	return 0;
}

/* INVEPT/INVVPID as the CPU would see them; reject: types that VMfail */
static struct inv { int ept, type; u64 a, b; } invs[8];
static int ninv, reject_mask;

static bool record(int ept, int type, u64 a, u64 b)
{
	if (ninv < 8)
		invs[ninv] = (struct inv){ ept, type, a, b };
	ninv++;
	return !(reject_mask & BIT(type));
}

bool v3_vmx_invept(int type, u64 eptp)
{
	return record(1, type, eptp, 0);
}

bool v3_vmx_invvpid(int type, u16 vpid, u64 gva)
{
	return record(0, type, vpid, gva);
}

#define CAP_ALL_VPID	(V3_VPID_CAP_INVVPID | V3_VPID_CAP_ADDR | V3_VPID_CAP_SINGLE | \
			 V3_VPID_CAP_ALL | V3_VPID_CAP_SINGLE_GLOBALS)
#define CR0_FIXED0	(X86_CR0_PE | X86_CR0_PG | X86_CR0_NE)
#define CR4_FIXED0	X86_CR4_VMXE
#define AR_CODE64	0xa09b	/* accessed exec/read code, S, P, L, G */
#define AR_CODE32	0xc09b
#define AR_DATA		0xc093
#define SHADOW_PROC	(V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE | V3_PROC_INVLPG)

static void features(void)
{
	struct v3_vmx_features *f = &v3_vmx_feat;

	memset(f, 0, sizeof(*f));
	f->proc = V3_PROC_HLT | V3_PROC_SECONDARY | V3_PROC_IO_BITMAPS;
	f->proc2 = V3_PROC2_EPT | V3_PROC2_VPID | V3_PROC2_UNRESTRICTED |
		   V3_PROC2_WBINVD;
	f->entry = V3_ENTRYCTL_LOAD_EFER | V3_ENTRYCTL_LOAD_PAT;
	f->cr0_fixed0 = CR0_FIXED0;
	f->cr0_fixed1 = 0xffffffff;
	f->cr4_fixed0 = CR4_FIXED0;
	f->cr4_fixed1 = 0x3767ff;
	f->vpid = true;
	f->ept_vpid_cap = CAP_ALL_VPID;
	f->invept_type = V3_INV_SINGLE;
	f->invvpid_type = V3_INV_SINGLE;
	f->shadow = true;
	f->proc_forced = 0;
}

static void seg(int s, u16 sel, u32 ar)
{
	shim_vmcs[V3_GUEST_SEL(s)] = sel;
	shim_vmcs[V3_GUEST_AR(s)] = ar;
}

/* a fresh vCPU in 64-bit mode, nested paging, VPID 7 */
static void reset64(void)
{
	int i;

	memset(shim_vmcs, 0, sizeof(shim_vmcs));
	memset(&vmx, 0, sizeof(vmx));
	memset(&vcpu, 0, sizeof(vcpu));
	vmx.vcpu = &vcpu;
	vcpu.arch = &vmx;
	vcpu.vm = &vm;
	vmx.vpid = 7;
	vmx.proc_ctls = v3_vmx_feat.proc;
	vmx.entry_ctls = v3_vmx_feat.entry;
	v3_vmx_paging_init(&vmx);
	shim_stops = gpa_reads = ninv = reject_mask = 0;
	gpa_read_at = 0;
	seg(V3_SEG_CS, 0x10, AR_CODE64);
	for (i = 0; i < V3_SEG_TR; i++)
		if (i != V3_SEG_CS)
			seg(i, 0x18, AR_DATA);
	vcpu.regs.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_NE |
			X86_CR0_MP | X86_CR0_TS;	/* guest WP clear */
	vcpu.regs.cr3 = 0x7000;
	vcpu.regs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_PGE;
	vcpu.regs.efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NX;
	vcpu.regs.cs_attr_l = 1;
	vcpu.regs.rflags = X86_EFLAGS_FIXED;
}

static const struct v3_paging_hw hw_nested = { .mode = V3_MMU_NESTED, .root = 0xabc000 };
static const struct v3_paging_hw hw64 = {
	.mode = V3_MMU_SHADOW, .root = 0x123456000ULL,
	.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_ET | X86_CR0_NE,
	.cr4 = X86_CR4_PAE | X86_CR4_PGE,
	.efer = EFER_LME | EFER_LMA | EFER_NX,
};

static void test_nested(void)
{
	reset64();
	CHECK(v3_vmx_set_paging(&vcpu, &hw_nested) == 0 &&
	      shim_vmcs[V3_EPT_POINTER] == (0xabc000 | V3_EPTP_WB_4LEVEL) &&
	      vmx.eptp == shim_vmcs[V3_EPT_POINTER] && vmx.flush,
	      "nested: EPTP = hw->root, write-back, 4-level walk; flush queued for a new EPTP");
	CHECK((shim_vmcs[V3_PROC_CTLS2] & (V3_PROC2_EPT | V3_PROC2_UNRESTRICTED | V3_PROC2_VPID)) ==
	      (V3_PROC2_EPT | V3_PROC2_UNRESTRICTED | V3_PROC2_VPID),
	      "nested: EPT, unrestricted guest and VPID on");
	CHECK(!(vmx.proc_ctls & SHADOW_PROC) &&
	      !(shim_vmcs[V3_EXCEPTION_BITMAP] & BIT(X86_TRAP_PF)) &&
	      (shim_vmcs[V3_EXCEPTION_BITMAP] & (BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))) ==
	      (BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC)),
	      "nested: no CR3/INVLPG exiting, #PF not intercepted, #AC/#MC still");
	CHECK(shim_vmcs[V3_EXCEPTION_BITMAP] & BIT(X86_TRAP_UD),
	      "#UD intercepted (GEARS' traps; exit.c gives the guest its own back)");
	CHECK_EQ(shim_vmcs[V3_CR0_MASK] & 0xffffffff, X86_CR0_NE,
		 "nested: CR0 mask = the fixed bits but PE/PG");
	CHECK_EQ(shim_vmcs[V3_CR4_MASK] & 0xffffffff, (CR4_FIXED0 | ~0x3767ffULL) & 0xffffffff,
		 "nested: CR4 mask = the fixed bits");
	vmx.flush = false;
	CHECK(v3_vmx_set_paging(&vcpu, &hw_nested) == 0 && !vmx.flush,
	      "nested again, same root: nothing to flush");
}

static void test_shadow64(void)
{
	u64 cr0m, cr4m;

	reset64();
	v3_vmx_set_paging(&vcpu, &hw_nested);
	vmx.flush = false;
	CHECK_EQ(v3_vmx_set_paging(&vcpu, &hw64), 0, "shadow, 64-bit guest: accepted");
	CHECK((shim_vmcs[V3_PROC_CTLS2] & (V3_PROC2_EPT | V3_PROC2_UNRESTRICTED)) == 0 &&
	      (shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_VPID),
	      "shadow: EPT and unrestricted guest off (24.6.2), VPID kept");
	CHECK((vmx.proc_ctls & SHADOW_PROC) == SHADOW_PROC,
	      "shadow: CR3-load, CR3-store and INVLPG exiting on (written at entry)");
	CHECK((shim_vmcs[V3_EXCEPTION_BITMAP] & BIT(X86_TRAP_PF)) &&
	      shim_vmcs[V3_PF_EC_MASK] == 0 && shim_vmcs[V3_PF_EC_MATCH] == 0,
	      "shadow: every #PF exits (bitmap bit 14, PFEC mask/match 0/0)");
	cr0m = shim_vmcs[V3_CR0_MASK];
	cr4m = shim_vmcs[V3_CR4_MASK];
	CHECK((cr0m & (X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_CD | X86_CR0_NW | X86_CR0_NE)) ==
	      (X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_CD | X86_CR0_NW | X86_CR0_NE) &&
	      !(cr0m & (X86_CR0_TS | X86_CR0_MP | X86_CR0_EM)),
	      "shadow: CR0 mask owns PE PG WP CD NW NE, leaves TS MP EM to the guest (0x%lx)",
	      (unsigned long)cr0m);
	CHECK((cr4m & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP |
		       X86_CR4_PCIDE | X86_CR4_LA57 | X86_CR4_VMXE)) ==
	      (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP |
	       X86_CR4_PCIDE | X86_CR4_LA57 | X86_CR4_VMXE) &&
	      !(cr4m & (X86_CR4_OSFXSR | X86_CR4_OSXSAVE)),
	      "shadow: CR4 mask owns the paging bits and VMXE, not OSFXSR/OSXSAVE");
	CHECK_EQ(shim_vmcs[V3_GUEST_CR0],
		 X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_ET | X86_CR0_NE | X86_CR0_MP | X86_CR0_TS,
		 "shadow: CPU CR0 = the MMU's PE PG WP, the guest's MP TS, fixed NE");
	CHECK_EQ(shim_vmcs[V3_CR0_SHADOW], vcpu.regs.cr0, "shadow: CR0 read shadow = the guest's CR0");
	CHECK_EQ(shim_vmcs[V3_GUEST_CR4], X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_VMXE,
		 "shadow: CPU CR4 = the MMU's PAE PGE, the guest's OSFXSR, fixed VMXE");
	CHECK_EQ(shim_vmcs[V3_CR4_SHADOW], vcpu.regs.cr4, "shadow: CR4 read shadow = the guest's CR4");
	CHECK(v3_vmx_read_cr0() == vcpu.regs.cr0 && v3_vmx_read_cr4() == vcpu.regs.cr4,
	      "shadow: CR0/CR4 read back as the guest's view (mask + shadow)");
	CHECK_EQ(shim_vmcs[V3_GUEST_CR3], 0x123456000ULL, "shadow: GUEST_CR3 = the shadow root");
	CHECK_EQ(shim_vmcs[V3_GUEST_EFER], EFER_LME | EFER_LMA | EFER_NX | EFER_SCE,
		 "shadow: EFER = the MMU's LME LMA NX with the guest's SCE");
	CHECK((shim_vmcs[V3_VMENTRY_CTLS] & V3_ENTRYCTL_IA32E) && vmx.flush,
	      "shadow: IA-32e mode guest entry control on; the switch flushes (28.3.3.3)");

	/* a CPU whose TRUE controls keep CR3 exiting forced: nested keeps it */
	reset64();
	v3_vmx_feat.proc_forced = V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE;
	vmx.proc_ctls |= V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE;
	v3_vmx_set_paging(&vcpu, &hw64);
	v3_vmx_set_paging(&vcpu, &hw_nested);
	CHECK((vmx.proc_ctls & SHADOW_PROC) == (V3_PROC_CR3_LOAD | V3_PROC_CR3_STORE),
	      "back to nested on a CPU forcing CR3 exiting: CR3 exits kept, INVLPG exiting off");
	v3_vmx_feat.proc_forced = 0;
}

static void test_shadow_updates(void)
{
	struct v3_paging_hw hw = hw64;

	reset64();
	v3_vmx_set_paging(&vcpu, &hw);
	vmx.flush = vmx.flush_vpid = false;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 && !vmx.flush && !vmx.flush_vpid,
	      "shadow again, nothing changed: no flush");
	hw.root = 0x222000;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 && vmx.flush_vpid && !vmx.flush &&
	      shim_vmcs[V3_GUEST_CR3] == 0x222000,
	      "shadow, new root: this vCPU's VPID flushed, no INVEPT");
	vmx.flush_vpid = false;
	hw.cr4 &= ~X86_CR4_PGE;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 && vmx.flush_vpid,
	      "shadow, CR4.PGE off on the CPU: VPID flushed (globals too)");
	vmx.flush_vpid = false;
	vcpu.regs.cr0 &= ~X86_CR0_TS;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 && !vmx.flush_vpid &&
	      !(shim_vmcs[V3_GUEST_CR0] & X86_CR0_TS),
	      "shadow, guest cleared TS: CPU CR0 follows, no flush");

	/* WRMSR EFER in shadow mode: SCE the guest's, paging bits the MMU's */
	v3_vmx_efer_write(&vcpu, EFER_LME | EFER_LMA);
	CHECK_EQ(shim_vmcs[V3_GUEST_EFER], EFER_LME | EFER_LMA | EFER_NX,
		 "WRMSR EFER (SCE off, NX off) in shadow mode: SCE cleared, NX kept for the shadow tables");
	/* and in nested mode the guest's value runs */
	v3_vmx_set_paging(&vcpu, &hw_nested);
	v3_vmx_efer_write(&vcpu, EFER_LME | EFER_LMA | EFER_SCE);
	CHECK_EQ(shim_vmcs[V3_GUEST_EFER], EFER_LME | EFER_LMA | EFER_SCE,
		 "WRMSR EFER in nested mode: the guest's value");
}

static void test_shadow_pae32(void)
{
	struct v3_paging_hw hw = {
		.mode = V3_MMU_SHADOW, .root = 0x5000e0,
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_ET,
		.cr4 = X86_CR4_PAE, .efer = EFER_NX,
	};
	int i;

	reset64();
	seg(V3_SEG_CS, 0x08, AR_CODE32);
	vcpu.regs.cs_attr_l = 0;
	vcpu.regs.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET;
	vcpu.regs.cr3 = 0x9000;
	vcpu.regs.cr4 = X86_CR4_PAE;
	vcpu.regs.efer = 0;
	v3_vmx_set_guest_efer(&vmx, 0);
	for (i = 0; i < 4; i++)
		shim_vmcs[V3_GUEST_PDPTE0 + 2 * i] = 0x77;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 &&
	      !(shim_vmcs[V3_VMENTRY_CTLS] & V3_ENTRYCTL_IA32E) &&
	      shim_vmcs[V3_GUEST_EFER] == EFER_NX && shim_vmcs[V3_GUEST_CR3] == 0x5000e0,
	      "shadow, 32-bit PAE guest: PAE paging on the CPU, no IA-32e mode");
	CHECK(gpa_reads == 0 && shim_vmcs[V3_GUEST_PDPTE0] == 0x77,
	      "shadow PAE without EPT: PDPTE fields untouched (the CPU loads them from CR3, 26.3.2.4)");
	/* back to nested: the guest's PDPTEs come from its CR3 */
	CHECK(v3_vmx_set_paging(&vcpu, &hw_nested) == 0 && gpa_reads == 1 &&
	      gpa_read_at == 0x9000 && shim_vmcs[V3_GUEST_PDPTE0] == 0x1001 &&
	      shim_vmcs[V3_GUEST_PDPTE0 + 6] == 0x4001,
	      "nested again, PAE guest: PDPTEs read from the guest's CR3 into the VMCS");
	CHECK(shim_vmcs[V3_GUEST_CR3] == 0x9000 && shim_vmcs[V3_CR0_SHADOW] == vcpu.regs.cr0 &&
	      shim_vmcs[V3_GUEST_CR0] == (vcpu.regs.cr0 | X86_CR0_NE) &&
	      shim_vmcs[V3_GUEST_CR4] == (X86_CR4_PAE | X86_CR4_VMXE) &&
	      shim_vmcs[V3_GUEST_EFER] == 0,
	      "nested again: the guest's own CR0/CR3/CR4/EFER on the CPU");
	CHECK((shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_EPT) &&
	      (shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_UNRESTRICTED) &&
	      !(shim_vmcs[V3_EXCEPTION_BITMAP] & BIT(X86_TRAP_PF)) &&
	      !(vmx.proc_ctls & SHADOW_PROC) && vmx.flush &&
	      shim_vmcs[V3_CR0_MASK] == v3_vmx_cr0_fixed_mask(),
	      "nested again: EPT/UG on, #PF/CR3/INVLPG exits off, fixed masks, full flush");

	/* a root above 4 GiB cannot be a 32-bit CR3 */
	reset64();
	seg(V3_SEG_CS, 0x08, AR_CODE32);
	vcpu.regs.cs_attr_l = 0;
	vcpu.regs.efer = 0;
	hw.root = 0x100000000ULL;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == -EINVAL &&
	      (shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_EPT),
	      "shadow without IA-32e mode, root above 4 GiB: -EINVAL, VMCS untouched");
}

static void test_refusals(void)
{
	struct v3_paging_hw hw = hw64;

#define REFUSED(ret, what)						\
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == (ret) &&			\
	      (shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_EPT) &&		\
	      vmx.paging == V3_MMU_NESTED, what)

	reset64();
	vcpu.regs.cr0 = X86_CR0_ET;
	REFUSED(-EOPNOTSUPP, "real mode (CR0.PE clear): -EOPNOTSUPP, EPT kept");
	reset64();
	vcpu.regs.rflags |= X86_EFLAGS_VM;
	REFUSED(-EOPNOTSUPP, "virtual-8086 mode: -EOPNOTSUPP");
	reset64();
	seg(V3_SEG_DS, 0x07c3, AR_DATA);	/* a real-mode selector, RPL 3 > DPL 0 */
	REFUSED(-EOPNOTSUPP, "DS with RPL above DPL (fresh out of real mode): -EOPNOTSUPP (26.3.1.2)");
	reset64();
	seg(V3_SEG_DS, 0x07c3, AR_DATA | V3_AR_UNUSABLE);
	CHECK_EQ(v3_vmx_set_paging(&vcpu, &hw), 0, "the same DS marked unusable: accepted");
	reset64();
	seg(V3_SEG_SS, 0x1b, 0xc0f3);		/* RPL 3, DPL 3, CS RPL 0 */
	REFUSED(-EOPNOTSUPP, "SS.RPL != CS.RPL: -EOPNOTSUPP");
	reset64();
	seg(V3_SEG_SS, 0x03, AR_DATA);		/* RPL 3, DPL 0 */
	seg(V3_SEG_CS, 0x13, AR_CODE64);
	REFUSED(-EOPNOTSUPP, "SS.DPL != SS.RPL: -EOPNOTSUPP");
	reset64();
	seg(V3_SEG_CS, 0x10, AR_DATA);
	REFUSED(-EOPNOTSUPP, "CS holding a data segment: -EOPNOTSUPP");
	reset64();
	hw.cr0 &= ~X86_CR0_PG;
	REFUSED(-EOPNOTSUPP, "hw->cr0 without PG (no identity shadow): -EOPNOTSUPP");
	hw = hw64;
	reset64();
	hw.cr4 &= ~X86_CR4_PAE;
	REFUSED(-EINVAL, "IA-32e mode without PAE: -EINVAL");
	hw = hw64;
	reset64();
	hw.efer = EFER_NX;
	REFUSED(-EINVAL, "a guest in 64-bit code on a CPU outside IA-32e mode: -EINVAL");
	hw = hw64;
	reset64();
	v3_vmx_feat.shadow = false;
	REFUSED(-EOPNOTSUPP, "a CPU without CR3/INVLPG exiting: -EOPNOTSUPP");
	v3_vmx_feat.shadow = true;
	reset64();
	hw.mode = 7;
	REFUSED(-EINVAL, "unknown mode: -EINVAL");
#undef REFUSED
}

/* a VM exit in the current mode */
static void exit_with(u32 reason, u64 qual, u32 intr, u32 err, u32 len)
{
	vmx.exit_reason = reason;
	vmx.exit_qual = qual;
	vmx.exit_intr_info = intr;
	vmx.exit_intr_error = err;
	vmx.idt_info = 0;
	shim_vmcs[V3_VMEXIT_INSN_LEN] = len;
	memset(&vcpu.exit, 0xa5, sizeof(vcpu.exit));
	v3_vmx_decode_exit(&vcpu);
}

#define PF_INFO	(X86_TRAP_PF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR | V3_INTR_VALID)

static void test_exits(void)
{
	struct v3_exit *e = &vcpu.exit;

	reset64();
	v3_vmx_set_paging(&vcpu, &hw64);
	vmx.flush = false;

	exit_with(V3_VMX_EXIT_EXC_NMI, 0x7fffdeadb000ULL, PF_INFO, 0x6, 0);
	CHECK(e->reason == V3_EXIT_EXCEPTION && e->exc.vector == X86_TRAP_PF &&
	      e->exc.error == 6 && e->exc.addr == 0x7fffdeadb000ULL && e->insn_len == 0,
	      "#PF exit: vector 14, error 6, address from the exit qualification");
	exit_with(V3_VMX_EXIT_EXC_NMI, 0x1000, PF_INFO | V3_INTR_NMI_UNBLOCK, 0, 0);
	CHECK((shim_vmcs[V3_GUEST_INTERRUPTIBILITY] & V3_BLOCK_NMI) && (vmx.intr_state & V3_BLOCK_NMI),
	      "#PF in an IRET that unblocked NMIs: blocking by NMI restored (31.7.1.2)");
	vmx.intr_state = 0;
	shim_vmcs[V3_GUEST_INTERRUPTIBILITY] = 0;
	vmx.exit_reason = V3_VMX_EXIT_EXC_NMI;
	vmx.exit_qual = 0x1000;
	vmx.exit_intr_info = PF_INFO | V3_INTR_NMI_UNBLOCK;
	vmx.idt_info = 0x20 | V3_INTR_VALID;
	v3_vmx_decode_exit(&vcpu);
	CHECK(!(shim_vmcs[V3_GUEST_INTERRUPTIBILITY] & V3_BLOCK_NMI),
	      "#PF during event delivery: bit 12 is not IRET's, no NMI blocking");
	exit_with(V3_VMX_EXIT_EXC_NMI, 0x1234, X86_TRAP_UD | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_VALID, 0, 0);
	CHECK(e->exc.vector == X86_TRAP_UD && e->exc.addr == 0,
	      "#UD exit: no address");

	/* CR accesses: table 27-3 */
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4) | (6 << 8), 0, 0, 3);
	CHECK(e->reason == V3_EXIT_CR_ACCESS && e->crdr.reg == 3 && e->crdr.write &&
	      e->crdr.gpr == 6 && e->crdr.op == V3_CR_MOV && e->insn_len == 3,
	      "MOV CR3, RSI: CR 3, write, GPR 6, MOV, length 3");
	CHECK(vmx.flush_nonglobal && !vmx.flush_vpid && !vmx.flush,
	      "shadow MOV to CR3: this vCPU's non-global translations queued for flushing");
	v3_vmx_flush_pending(&vmx);
	vcpu.regs.cr4 |= X86_CR4_PCIDE;
	vcpu.regs.gpr[6] = BIT_ULL(63) | 0x7000 | 5;
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4) | (6 << 8), 0, 0, 3);
	CHECK(!vmx.flush_nonglobal && !vmx.flush_vpid,
	      "shadow MOV to CR3 with CR4.PCIDE and bit 63 (no-flush): nothing queued");
	vcpu.regs.gpr[6] = 0x7000 | 5;
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4) | (6 << 8), 0, 0, 3);
	CHECK(vmx.flush_nonglobal, "the same without bit 63: non-global flush queued");
	vcpu.regs.cr4 &= ~X86_CR4_PCIDE;
	v3_vmx_flush_pending(&vmx);
	exit_with(V3_VMX_EXIT_CR, 3 | (1 << 4) | (15 << 8), 0, 0, 3);
	CHECK(e->crdr.reg == 3 && !e->crdr.write && e->crdr.gpr == 15 && e->crdr.op == V3_CR_MOV &&
	      !vmx.flush_nonglobal,
	      "MOV R15, CR3 (CR3-store exiting): read, GPR 15, nothing flushed");
	exit_with(V3_VMX_EXIT_CR, 0 | (0 << 4) | (0 << 8), 0, 0, 3);
	CHECK(e->crdr.reg == 0 && e->crdr.write && vmx.flush_vpid,
	      "shadow MOV to CR0: write, VPID flush queued");
	vmx.flush_vpid = false;
	exit_with(V3_VMX_EXIT_CR, 4 | (0 << 4) | (1 << 8), 0, 0, 3);
	CHECK(e->crdr.reg == 4 && e->crdr.gpr == 1 && vmx.flush_vpid,
	      "shadow MOV to CR4: write, VPID flush queued");
	vmx.flush_vpid = false;
	exit_with(V3_VMX_EXIT_CR, 0 | (2 << 4), 0, 0, 2);
	CHECK(e->crdr.op == V3_CR_CLTS && e->crdr.reg == 0 && e->crdr.write && !vmx.flush_vpid,
	      "CLTS: op CLTS, a CR0 write, no flush");
	exit_with(V3_VMX_EXIT_CR, 0 | (3 << 4) | BIT(6) | (0x000bULL << 16), 0, 0, 4);
	CHECK(e->crdr.op == V3_CR_LMSW && e->crdr.reg == 0 && e->crdr.write &&
	      e->crdr.lmsw == 0xb && e->crdr.gpr != 0xff && e->insn_len == 4,
	      "LMSW from memory: op LMSW, source 0xb in lmsw (no decode needed)");

	/* INVLPG: qualification = the linear address */
	exit_with(V3_VMX_EXIT_INVLPG, 0xffff888000123000ULL, 0, 0, 3);
	CHECK(e->reason == V3_EXIT_INVLPG && e->invlpg.valid &&
	      e->invlpg.gva == 0xffff888000123000ULL && e->insn_len == 3,
	      "INVLPG exit: address valid from the qualification, length 3");
	CHECK(vmx.flush_gva_valid && vmx.flush_gva == 0xffff888000123000ULL && !vmx.flush_vpid,
	      "shadow INVLPG: that address queued for INVVPID");
	exit_with(V3_VMX_EXIT_INVLPG, 0x400000, 0, 0, 3);
	CHECK(vmx.flush_vpid, "a second address before the entry: the whole VPID instead");
	v3_vmx_flush_pending(&vmx);

	/* nested mode: a forced CR3 exit queues nothing (vmx_exit.c emulates it) */
	v3_vmx_set_paging(&vcpu, &hw_nested);
	v3_vmx_flush_pending(&vmx);
	exit_with(V3_VMX_EXIT_CR, 3 | (0 << 4), 0, 0, 3);
	CHECK(!vmx.flush_nonglobal && !vmx.flush_vpid, "nested MOV to CR3 exit: no shadow flush queued");
}

/*
 * INVPCID in shadow mode (exit 58): instruction information 27.2.5;
 * here "invpcid 0x10(%rbx,%rsi,8), %rdx" in 64-bit code: scaling 3,
 * address size 2 (64-bit), segment DS, index RSI, base RBX, reg2 RDX.
 */
#define INVPCID_INFO	(3 | (2 << 7) | (V3_SEG_DS << 15) | (V3_RSI << 18) | \
			 (V3_RBX << 23) | ((u32)V3_RDX << 28))

static void invpcid(u64 type, u64 pcid, u64 addr)
{
	vcpu.regs.gpr[V3_RBX] = 0x10000;
	vcpu.regs.gpr[V3_RSI] = 2;
	vcpu.regs.gpr[V3_RDX] = type;
	shim_vmcs[V3_VMEXIT_INSN_INFO] = INVPCID_INFO;
	shim_vmcs[V3_GUEST_BASE(V3_SEG_DS)] = 0x5550000;	/* ignored in 64-bit mode */
	desc_gva = 0x10000 + 2 * 8 + 0x10;
	desc_val[0] = pcid;
	desc_val[1] = addr;
	gva_reads = skips = gps = 0;
	vmx.flush_vpid = vmx.flush_nonglobal = vmx.flush_gva_valid = false;
	exit_with(V3_VMX_EXIT_INVPCID, 0x10, 0, 0, 5);
}

static void test_invpcid(void)
{
	struct v3_exit *e = &vcpu.exit;

	reset64();
	v3_vmx_set_paging(&vcpu, &hw64);
	vcpu.regs.cr4 |= X86_CR4_PCIDE;
	invpcid(0, 5, 0xffff888012345000ULL);
	CHECK(gva_reads == 1 && gva_read_at == 0x10020 && e->reason == V3_EXIT_INVLPG &&
	      e->invlpg.valid && e->invlpg.gva == 0xffff888012345000ULL && e->insn_len == 5 &&
	      !vmx.emulated && skips == 0,
	      "INVPCID type 0: descriptor at base + index*8 + disp, an INVLPG exit of its address for common code");
	CHECK(vmx.flush_gva_valid && vmx.flush_gva == 0xffff888012345000ULL,
	      "INVPCID type 0: that address queued for INVVPID");
	invpcid(1, 5, 0);
	CHECK(vmx.emulated && skips == 1 && gps == 0 && vmx.flush_nonglobal && !vmx.flush_vpid,
	      "INVPCID type 1 (one PCID): done in the backend, non-global flush of the VPID, skipped");
	invpcid(2, 0, 0);
	CHECK(vmx.emulated && skips == 1 && vmx.flush_vpid,
	      "INVPCID type 2 (all, globals too): single-context flush, skipped");
	invpcid(3, 0, 0);
	CHECK(vmx.emulated && skips == 1 && vmx.flush_nonglobal, "INVPCID type 3: non-global flush");
	invpcid(4, 0, 0);
	CHECK(vmx.emulated && gps == 1 && skips == 0, "INVPCID type 4: #GP, RIP kept");
	invpcid(0, 5, 0x0000900000000000ULL);
	CHECK(gps == 1 && skips == 0 && vmx.emulated, "INVPCID type 0, non-canonical address: #GP");
	invpcid(1, 1ULL << 12, 0);
	CHECK(gps == 1, "INVPCID with reserved descriptor bits 63:12: #GP");
	vcpu.regs.cr4 &= ~X86_CR4_PCIDE;
	invpcid(1, 5, 0);
	CHECK(gps == 1, "INVPCID type 1, PCID 5 without CR4.PCIDE: #GP");
	invpcid(2, 5, 0);
	CHECK(gps == 0 && vmx.flush_vpid, "INVPCID type 2 ignores the PCID: flush");
	/* 32-bit code: DS base counts, 32-bit address size, 32-bit type register */
	vcpu.regs.cs_attr_l = 0;
	vcpu.regs.efer = 0;
	vcpu.regs.gpr[V3_RBX] = 0x10000;
	vcpu.regs.gpr[V3_RSI] = 0;
	vcpu.regs.gpr[V3_RDX] = 0xffffffff00000002ULL;
	shim_vmcs[V3_VMEXIT_INSN_INFO] = (1 << 7) | (V3_SEG_DS << 15) | BIT(22) |
					 (V3_RBX << 23) | ((u32)V3_RDX << 28);
	shim_vmcs[V3_GUEST_BASE(V3_SEG_DS)] = 0x100;
	desc_gva = 0x10100 + 0x20;
	desc_val[0] = desc_val[1] = 0;
	gva_reads = skips = gps = 0;
	vmx.flush_vpid = false;
	exit_with(V3_VMX_EXIT_INVPCID, 0x20, 0, 0, 5);
	CHECK(gva_read_at == 0x10120 && gps == 0 && skips == 1 && vmx.flush_vpid,
	      "INVPCID in 32-bit code: DS base added, no index, type from EDX (2)");
	/* an unreadable descriptor: flush everything rather than guess a fault */
	desc_gva = 1;
	gps = skips = 0;
	vmx.flush_vpid = false;
	exit_with(V3_VMX_EXIT_INVPCID, 0x20, 0, 0, 5);
	CHECK(vmx.emulated && vmx.flush_vpid && skips == 1 && gps == 0,
	      "INVPCID with an unreadable descriptor: VPID flushed, skipped");
}

static void test_flush_types(void)
{
	static const u64 bits[4] = { V3_VPID_CAP_ADDR, V3_VPID_CAP_SINGLE, V3_VPID_CAP_ALL,
				     V3_VPID_CAP_SINGLE_GLOBALS };
	static const u64 capbit[4] = { V3_VPID_CAP_ADDR, V3_VPID_CAP_SINGLE, V3_VPID_CAP_ALL,
				       V3_VPID_CAP_SINGLE_GLOBALS };
	int m, want, bad = 0;

	/* every combination: the type chosen exists or is all-context, and is
	 * at least as strong as the one wanted */
	for (m = 0; m < 16; m++) {
		u64 cap = V3_VPID_CAP_INVVPID;
		int i;

		for (i = 0; i < 4; i++)
			if (m & BIT(i))
				cap |= bits[i];
		for (want = 0; want < 4; want++) {
			int t = v3_vmx_vpid_type(cap, want);

			if (t != V3_INV_ALL && !(cap & capbit[t]))
				bad++;
			if (want == V3_INV_ADDR && t == V3_INV_SINGLE_GLOBALS)
				bad++;	/* would keep a global translation */
			if (want == V3_INV_SINGLE && t != V3_INV_SINGLE && t != V3_INV_ALL)
				bad++;
			if (want == V3_INV_ALL && t != V3_INV_ALL)
				bad++;
			if (cap & capbit[want] && t != want)
				bad++;	/* offered: used */
		}
	}
	CHECK_EQ(bad, 0, "INVVPID type choice over all 16 capability sets: offered or stronger");
	CHECK(v3_vmx_vpid_type(V3_VPID_CAP_SINGLE | V3_VPID_CAP_ALL, V3_INV_ADDR) == V3_INV_SINGLE &&
	      v3_vmx_vpid_type(V3_VPID_CAP_ALL, V3_INV_ADDR) == V3_INV_ALL &&
	      v3_vmx_vpid_type(V3_VPID_CAP_SINGLE, V3_INV_SINGLE_GLOBALS) == V3_INV_SINGLE &&
	      v3_vmx_vpid_type(V3_VPID_CAP_ALL, V3_INV_SINGLE_GLOBALS) == V3_INV_ALL,
	      "fallbacks: address -> single -> all; retaining-globals -> single -> all");
}

/* queue flushes as the exits would and run the entry's flush step */
static void pending(bool vpid, bool nonglobal, bool gva, u64 addr)
{
	ninv = 0;
	vmx.flush_vpid = vpid;
	vmx.flush_nonglobal = nonglobal;
	vmx.flush_gva_valid = gva;
	vmx.flush_gva = addr;
	v3_vmx_flush_pending(&vmx);
}

static void test_flush_pending(void)
{
	reset64();
	v3_vmx_set_paging(&vcpu, &hw64);
	shim_vmcs[V3_GUEST_CR4] = X86_CR4_PAE;

	ninv = 0;
	v3_vmx_flush_pending(&vmx);	/* the switch's full flush */
	CHECK(ninv == 1 && !invs[0].ept && invs[0].type == V3_INV_SINGLE && invs[0].a == 7 &&
	      !vmx.flush,
	      "switch to shadow: INVVPID single-context of VPID 7, no INVEPT (EPT off)");
	pending(false, true, false, 0);
	CHECK(ninv == 1 && invs[0].type == V3_INV_SINGLE_GLOBALS && invs[0].a == 7,
	      "guest CR3 write: INVVPID single-context retaining globals");
	pending(true, true, false, 0);
	CHECK(ninv == 1 && invs[0].type == V3_INV_SINGLE, "guest CR4 write: INVVPID single-context");
	pending(false, false, true, 0xffff888000001000ULL);
	CHECK(ninv == 1 && invs[0].type == V3_INV_ADDR && invs[0].a == 7 &&
	      invs[0].b == 0xffff888000001000ULL,
	      "guest INVLPG: INVVPID individual-address");
	pending(false, false, true, 0x0000900000000000ULL);
	CHECK_EQ(ninv, 0, "INVLPG of a non-canonical address: nothing (the instruction is a no-op)");
	shim_vmcs[V3_GUEST_CR4] = X86_CR4_PAE | X86_CR4_LA57;
	pending(false, false, true, 0x0000900000000000ULL);
	CHECK(ninv == 1 && invs[0].type == V3_INV_ADDR,
	      "the same address with 5-level paging is canonical: flushed");
	pending(false, false, false, 0);
	CHECK_EQ(ninv, 0, "nothing queued: no INVVPID");

	/* capabilities Bochs does not have */
	v3_vmx_feat.ept_vpid_cap = V3_VPID_CAP_INVVPID | V3_VPID_CAP_SINGLE | V3_VPID_CAP_ALL;
	pending(false, false, true, 0x1000);
	CHECK(ninv == 1 && invs[0].type == V3_INV_SINGLE,
	      "no individual-address INVVPID: INVLPG flushes the single context");
	pending(false, true, false, 0);
	CHECK(ninv == 1 && invs[0].type == V3_INV_SINGLE,
	      "no retaining-globals INVVPID: CR3 write flushes the single context");
	v3_vmx_feat.ept_vpid_cap = V3_VPID_CAP_INVVPID | V3_VPID_CAP_ALL;
	pending(false, false, true, 0x1000);
	CHECK(ninv == 1 && invs[0].type == V3_INV_ALL,
	      "all-context INVVPID only: INVLPG flushes all contexts");
	pending(false, true, false, 0);
	CHECK(ninv == 1 && invs[0].type == V3_INV_ALL,
	      "all-context INVVPID only: CR3 write flushes all contexts");
	v3_vmx_feat.ept_vpid_cap = CAP_ALL_VPID;
	reject_mask = BIT(V3_INV_ADDR);
	pending(false, false, true, 0x1000);
	CHECK(ninv == 2 && invs[0].type == V3_INV_ADDR && invs[1].type == V3_INV_ALL,
	      "INVVPID that VMfails: all-context after it");
	reject_mask = 0;
	v3_vmx_feat.vpid = false;
	pending(true, true, true, 0x1000);
	CHECK(ninv == 0 && !vmx.flush_vpid && !vmx.flush_nonglobal && !vmx.flush_gva_valid,
	      "no VPID: entries and exits flush VPID 0 themselves (28.3.3.1), queue cleared");
	v3_vmx_feat.vpid = true;

	/* nested: INVEPT of the EPTP and INVVPID */
	v3_vmx_set_paging(&vcpu, &hw_nested);
	ninv = 0;
	v3_vmx_flush_pending(&vmx);
	CHECK(ninv == 2 && invs[0].ept && invs[0].type == V3_INV_SINGLE &&
	      invs[0].a == (0xabc000 | V3_EPTP_WB_4LEVEL) && !invs[1].ept && invs[1].a == 7,
	      "switch to nested: INVEPT single-context of the new EPTP, then INVVPID");
	v3_vmx_feat.invept_type = V3_INV_ALL;
	vmx.flush = true;
	ninv = 0;
	v3_vmx_flush_pending(&vmx);
	CHECK(ninv == 2 && invs[0].ept && invs[0].type == V3_INV_ALL,
	      "a CPU without single-context INVEPT: all-context");
	v3_vmx_feat.invept_type = V3_INV_SINGLE;
}

static void test_inject_pf(void)
{
	reset64();
	v3_vmx_set_paging(&vcpu, &hw64);
	v3_vmx_inject_pf(&vcpu, 0x7, 0xdead000);
	CHECK(vmx.inject.info == (X86_TRAP_PF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR |
				  V3_INTR_VALID) &&
	      vmx.inject.error == 7 && vmx.cr2 == 0xdead000 && vcpu.regs.cr2 == 0xdead000,
	      "inject_pf: hardware exception 14 with error code 7, CR2 for the entry = 0xdead000");

	/* the exit interrupted an external interrupt's delivery (IDT vectoring) */
	reset64();
	v3_vmx_set_paging(&vcpu, &hw64);
	vcpu.held_irq = 0;
	vmx.inject.info = 0;
	vmx.reinject.info = 0x31 | (V3_INTR_TYPE_EXT << 8) | V3_INTR_VALID;
	v3_vmx_inject_pf(&vcpu, 0x2, 0xbeef000);
	CHECK(vmx.inject.info == (X86_TRAP_PF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR |
				  V3_INTR_VALID) && vmx.inject.error == 2 && vmx.cr2 == 0xbeef000 &&
	      !vmx.reinject.info && vcpu.held_irq == (BIT(31) | 0x31),
	      "inject_pf during interrupt 0x31: #PF now, 0x31 held for later, not re-injected (held 0x%x)",
	      vcpu.held_irq);
	vcpu.held_irq = 0;

	/* #PF while delivering the #PF injected before: #DF, error 0, CR2 kept */
	vmx.cr2 = 0x1000;
	vmx.reinject.info = X86_TRAP_PF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR |
			    V3_INTR_VALID;
	vmx.reinject.error = 2;
	v3_vmx_inject_pf(&vcpu, 0x3, 0xbeef000);
	CHECK(vmx.inject.info == (X86_TRAP_DF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR |
				  V3_INTR_VALID) && vmx.inject.error == 0 && vmx.cr2 == 0x1000 &&
	      !vmx.reinject.info,
	      "inject_pf during #PF delivery: #DF with error code 0, CR2 of the first #PF (info 0x%x)",
	      vmx.inject.info);

	/* #PF while delivering #DF: triple fault, nothing injected */
	shim_stops = 0;
	vmx.inject.info = 0;
	vmx.reinject.info = X86_TRAP_DF | (V3_INTR_TYPE_HW_EXC << 8) | V3_INTR_HAS_ERROR |
			    V3_INTR_VALID;
	v3_vmx_inject_pf(&vcpu, 0x3, 0xbeef000);
	CHECK(!vmx.inject.info && !vmx.reinject.info && shim_stops == 1 &&
	      shim_stop_reason == V3_STOP_SHUTDOWN,
	      "inject_pf during #DF delivery: the VM stops (shutdown), nothing injected");

	/* INT 0x80's delivery faulted: #PF; the INT reruns, not re-injected */
	vmx.reinject.info = 0x80 | (V3_INTR_TYPE_SOFT_INT << 8) | V3_INTR_VALID;
	vmx.reinject.len = 2;
	v3_vmx_inject_pf(&vcpu, 0x6, 0xbeef000);
	CHECK((vmx.inject.info & 0x7ff) == (X86_TRAP_PF | (V3_INTR_TYPE_HW_EXC << 8)) &&
	      !vmx.reinject.info && !vcpu.held_irq,
	      "inject_pf during INT 0x80: #PF, the INT reruns (not held, not re-injected)");
}

/* shadow refused, the MMU's nested fallback, the retry when PG turns on */
static void test_shadow_wanted(void)
{
	struct v3_paging_hw hw = hw64;

	reset64();
	v3_vmx_set_paging(&vcpu, &hw_nested);
	/* a 32-bit guest fresh in protected mode, paging still off */
	seg(V3_SEG_CS, 0x08, AR_CODE32);
	seg(V3_SEG_DS, 0x07c3, AR_DATA);
	vcpu.regs.cs_attr_l = 0;
	vcpu.regs.cr0 = X86_CR0_PE | X86_CR0_ET;
	vcpu.regs.cr4 = 0;
	vcpu.regs.efer = 0;
	hw.efer = 0;
	hw.cr4 = 0;
	hw.root = 0x3000;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == -EOPNOTSUPP && vmx.shadow_wanted == 2,
	      "shadow refused (a real-mode DS selector): shadow still wanted");
	CHECK(v3_vmx_set_paging(&vcpu, &hw_nested) == 0 && vmx.shadow_wanted == 1 &&
	      (shim_vmcs[V3_CR0_MASK] & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG),
	      "the MMU's nested fallback: CR0.PE/PG changes exit meanwhile");
	/* WRMSR EFER.LME meanwhile: mmu.c changes only regs and reloads */
	vcpu.regs.efer = EFER_LME;
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == -EOPNOTSUPP &&
	      v3_vmx_set_paging(&vcpu, &hw_nested) == 0 &&
	      shim_vmcs[V3_GUEST_EFER] == EFER_LME,
	      "WRMSR EFER under the nested fallback: the guest's EFER reaches the CPU");
	vcpu.regs.efer = 0;
	v3_vmx_set_paging(&vcpu, &hw);		/* the MMU's next reload: refused, */
	v3_vmx_set_paging(&vcpu, &hw_nested);	/* nested instead */
	/* the guest turns paging on: emulated here, the MMU asked to reload */
	seg(V3_SEG_DS, 0x10, AR_DATA);
	vcpu.regs.gpr[V3_RAX] = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET;
	vcpu.mmu.reload = false;
	exit_with(V3_VMX_EXIT_CR, 0 | (0 << 4) | (V3_RAX << 8), 0, 0, 3);
	CHECK(v3_vmx_handle_cr(&vcpu) && vcpu.mmu.reload && (vcpu.regs.cr0 & X86_CR0_PG) &&
	      (shim_vmcs[V3_CR0_SHADOW] & X86_CR0_PG),
	      "MOV CR0 turning PG on in the fallback: emulated, MMU reload requested");
	CHECK(v3_vmx_set_paging(&vcpu, &hw) == 0 && vmx.shadow_wanted == 0 &&
	      vmx.paging == V3_MMU_SHADOW,
	      "the MMU's retry: shadow paging loaded");
	CHECK(v3_vmx_set_paging(&vcpu, &hw_nested) == 0 &&
	      shim_vmcs[V3_CR0_MASK] == v3_vmx_cr0_fixed_mask(),
	      "a real switch to nested: PE/PG the guest's again");
	vcpu.mmu.reload = false;
	vcpu.regs.gpr[V3_RAX] = X86_CR0_PE | X86_CR0_ET;
	exit_with(V3_VMX_EXIT_CR, 0 | (0 << 4) | (V3_RAX << 8), 0, 0, 3);
	CHECK(v3_vmx_handle_cr(&vcpu) && !vcpu.mmu.reload,
	      "nested, shadow not wanted: a CR0 exit asks for no reload");
}

static void test_reset(void)
{
	reset64();
	v3_vmx_set_paging(&vcpu, &hw_nested);
	v3_vmx_set_paging(&vcpu, &hw64);
	v3_vmx_paging_reset(&vcpu);
	CHECK(vmx.paging == V3_MMU_NESTED && (shim_vmcs[V3_PROC_CTLS2] & V3_PROC2_EPT) &&
	      shim_vmcs[V3_EPT_POINTER] == (0xabc000 | V3_EPTP_WB_4LEVEL) &&
	      !(shim_vmcs[V3_EXCEPTION_BITMAP] & BIT(X86_TRAP_PF)) && vmx.flush,
	      "INIT/RESET in shadow mode: nested controls with the last EPTP, flush");
}

int main(void)
{
	features();
	test_nested();
	test_shadow64();
	test_shadow_updates();
	test_shadow_pae32();
	test_refusals();
	test_exits();
	test_invpcid();
	test_flush_types();
	test_flush_pending();
	test_inject_pf();
	test_shadow_wanted();
	test_reset();
	return unit_done();
}
