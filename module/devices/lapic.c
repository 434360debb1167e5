// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC of each vCPU (Intel SDM vol. 3 chapter 11; AMD APM vol. 2
 * chapter 16), in xAPIC mode through MMIO at the APIC base and in x2APIC
 * mode through MSRs 0x800-0x8ff.  The timer runs on an hrtimer with a
 * 1 GHz bus clock (one-shot, periodic, TSC-deadline).  The BSP's LINT0 is
 * set up as in the MP specification's virtual-wire mode so the 8259A
 * reaches it as ExtINT until the guest switches to the IOAPIC.
 */
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <asm/tsc.h>
#include <asm/msr-index.h>
#include "../v3.h"

#define LA_ID		0x020
#define LA_LVR	0x030
#define LA_TASKPRI	0x080
#define LA_ARBPRI	0x090
#define LA_PROCPRI	0x0a0
#define LA_EOI	0x0b0
#define LA_LDR	0x0d0
#define LA_DFR	0x0e0
#define LA_SPIV	0x0f0
#define LA_ISR	0x100
#define LA_TMR	0x180
#define LA_IRR	0x200
#define LA_ESR	0x280
#define LA_ICR	0x300
#define LA_ICR2	0x310
#define LA_LVTT	0x320
#define LA_LVTTHMR	0x330
#define LA_LVTPC	0x340
#define LA_LVT0	0x350
#define LA_LVT1	0x360
#define LA_LVTERR	0x370
#define LA_TMICT	0x380
#define LA_TMCCT	0x390
#define LA_TDCR	0x3e0
#define LA_SELF_IPI	0x3f0	/* x2APIC only */

#define LA_VERSION	0x00050014	/* 6 LVT entries, integrated APIC */
#define LA_SPIV_ENABLE	BIT(8)
#define LA_LVT_MASKED		BIT(16)
#define LA_LVT_LEVEL		BIT(15)
#define LA_TIMER_PERIODIC	(1U << 17)
#define LA_TIMER_TSCDEADLINE	(2U << 17)
#define LA_TIMER_MODE_MASK	(3U << 17)
#define LA_ICR_LOGICAL	BIT(11)
#define LA_ICR_LEVEL_ASSERT	BIT(14)
#define LA_ICR_TRIGGER_LEVEL	BIT(15)
#define LA_DEST_SELF		1
#define LA_DEST_ALL		2
#define LA_DEST_OTHERS	3

#define LA_BASE_BSP		BIT_ULL(8)
#define LA_BASE_EXTD		BIT_ULL(10)
#define LA_BASE_ENABLE	BIT_ULL(11)

#define V3_APIC_MIN_PERIOD_NS	50000	/* periodic timer floor: 20 kHz */

struct v3_lapic {
	struct v3_vcpu *vcpu;
	spinlock_t lock;
	u32 regs[0x400 / 4];
	u64 base_msr;
	struct hrtimer timer;
	ktime_t timer_expire;		/* 0: not armed */
	bool quiesced;			/* VM stopped: the timer stays off */
	u64 period_ns;			/* periodic mode */
	u64 tsc_deadline;
};

static inline u32 lr(struct v3_lapic *a, u32 reg)
{
	return a->regs[reg >> 2];
}

static inline void lw(struct v3_lapic *a, u32 reg, u32 val)
{
	a->regs[reg >> 2] = val;
}

static bool v3_lapic_x2apic(struct v3_lapic *a)
{
	return a->base_msr & LA_BASE_EXTD;
}

static bool v3_lapic_hw_enabled(struct v3_lapic *a)
{
	return a->base_msr & LA_BASE_ENABLE;
}

static bool v3_lapic_sw_enabled(struct v3_lapic *a)
{
	return lr(a, LA_SPIV) & LA_SPIV_ENABLE;
}

/* bit vector helpers over the 8 x 32-bit IRR/ISR/TMR registers */
static void v3_vec_set(struct v3_lapic *a, u32 reg, u8 v)
{
	a->regs[(reg >> 2) + (v >> 5) * 4] |= BIT(v & 31);
}

static void v3_vec_clear(struct v3_lapic *a, u32 reg, u8 v)
{
	a->regs[(reg >> 2) + (v >> 5) * 4] &= ~BIT(v & 31);
}

static bool v3_vec_test(struct v3_lapic *a, u32 reg, u8 v)
{
	return a->regs[(reg >> 2) + (v >> 5) * 4] & BIT(v & 31);
}

static int v3_vec_highest(struct v3_lapic *a, u32 reg)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = a->regs[(reg >> 2) + i * 4];

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

/* Processor priority: the higher of TPR and the in-service class (SDM 11.8.3.1) */
static u32 v3_lapic_ppr(struct v3_lapic *a)
{
	u32 tpr = lr(a, LA_TASKPRI) & 0xff;
	int isr = v3_vec_highest(a, LA_ISR);
	u32 isrv = isr < 0 ? 0 : isr;

	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
}

static void v3_lapic_reset(struct v3_lapic *a)
{
	struct v3_vcpu *vcpu = a->vcpu;
	int i;

	memset(a->regs, 0, sizeof(a->regs));
	lw(a, LA_ID, vcpu->id << 24);
	lw(a, LA_LVR, LA_VERSION);
	lw(a, LA_DFR, 0xffffffff);
	lw(a, LA_SPIV, 0xff);
	for (i = LA_LVTT; i <= LA_LVTERR; i += 0x10)
		lw(a, i, LA_LVT_MASKED);
	/* virtual wire (MP spec 3.6.2.2): ExtINT on LINT0, NMI on LINT1 */
	if (vcpu->id == 0) {
		lw(a, LA_LVT0, V3_APIC_DM_EXTINT << 8);
		lw(a, LA_LVT1, V3_APIC_DM_NMI << 8);
	}
	a->base_msr = V3_APIC_BASE_DEFAULT | LA_BASE_ENABLE |
		      (vcpu->id == 0 ? LA_BASE_BSP : 0);
}

/* ------------------------------------------------------------- timer */

static u32 v3_lapic_divisor(struct v3_lapic *a)
{
	u32 d = lr(a, LA_TDCR);
	u32 shift = ((d & 3) | ((d & 8) >> 1)) + 1;

	return shift == 8 ? 1 : 1U << shift;
}

static void v3_lapic_timer_stop(struct v3_lapic *a)
{
	a->timer_expire = 0;
	hrtimer_try_to_cancel(&a->timer);
}

/*
 * A LAPIC timer lives no longer than its VM runs: once the VM stopped (or
 * the LAPIC was quiesced for a reset or teardown) nothing arms it again,
 * whatever the guest wrote last.
 */
static bool v3_lapic_timer_dead(struct v3_lapic *a)
{
	return a->quiesced || v3_vm_stopped(a->vcpu->vm);
}

static void v3_lapic_timer_start(struct v3_lapic *a, u64 ns)
{
	if (v3_lapic_timer_dead(a)) {
		a->timer_expire = 0;
		return;
	}
	a->timer_expire = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&a->timer, a->timer_expire, HRTIMER_MODE_ABS);
}

static void v3_lapic_timer_program(struct v3_lapic *a)
{
	u32 lvt = lr(a, LA_LVTT);
	u64 ns = (u64)lr(a, LA_TMICT) * v3_lapic_divisor(a);

	a->period_ns = 0;
	if (!lr(a, LA_TMICT)) {
		v3_lapic_timer_stop(a);
		return;
	}
	if ((lvt & LA_TIMER_MODE_MASK) == LA_TIMER_PERIODIC) {
		ns = max_t(u64, ns, V3_APIC_MIN_PERIOD_NS);
		a->period_ns = ns;
	}
	v3_lapic_timer_start(a, ns);
}

static u32 v3_lapic_current_count(struct v3_lapic *a)
{
	s64 left;

	if (!a->timer_expire)
		return 0;
	left = ktime_to_ns(ktime_sub(a->timer_expire, ktime_get()));
	if (left <= 0)
		return 0;
	return div_u64(left, v3_lapic_divisor(a));
}

/* Guest TSC deadline in host time (the guest TSC is the host's plus an offset). */
static void v3_lapic_set_deadline(struct v3_lapic *a, u64 deadline)
{
	u64 guest_now = 0;

	a->tsc_deadline = deadline;
	if ((lr(a, LA_LVTT) & LA_TIMER_MODE_MASK) != LA_TIMER_TSCDEADLINE)
		return;
	v3_lapic_timer_stop(a);
	if (!deadline)
		return;
	v3_arch->get_msr(a->vcpu, MSR_IA32_TSC, &guest_now);
	if (deadline <= guest_now || !tsc_khz)
		v3_lapic_timer_start(a, 0);
	else
		v3_lapic_timer_start(a, div_u64((deadline - guest_now) * 1000000ULL,
						tsc_khz));
}

static void v3_lapic_accept_locked(struct v3_lapic *a, u8 vector, bool level)
{
	v3_vec_set(a, LA_IRR, vector);
	if (level)
		v3_vec_set(a, LA_TMR, vector);
	else
		v3_vec_clear(a, LA_TMR, vector);
}

static enum hrtimer_restart v3_lapic_timer_fn(struct hrtimer *t)
{
	struct v3_lapic *a = container_of(t, struct v3_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u32 lvt;

	spin_lock_irqsave(&a->lock, flags);
	if (!a->timer_expire || v3_lapic_timer_dead(a)) {
		/* stopped while we waited, or the VM is gone */
		a->timer_expire = 0;
		spin_unlock_irqrestore(&a->lock, flags);
		return HRTIMER_NORESTART;
	}
	lvt = lr(a, LA_LVTT);
	if (!(lvt & LA_LVT_MASKED) && v3_lapic_sw_enabled(a))
		v3_lapic_accept_locked(a, lvt & 0xff, false);
	if (a->period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(a->period_ns));
		a->timer_expire = hrtimer_get_expires(t);
		ret = HRTIMER_RESTART;
	} else {
		a->timer_expire = 0;
		a->tsc_deadline = 0;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	v3_vcpu_kick(a->vcpu, V3_REQ_EVENT);
	return ret;
}

/* ---------------------------------------------------------- delivery */

static bool v3_lapic_match(struct v3_lapic *a, u32 dest, bool logical)
{
	u32 id = a->vcpu->id;

	if (v3_lapic_x2apic(a)) {
		u32 ldr = ((id >> 4) << 16) | BIT(id & 0xf);

		if (dest == 0xffffffff)
			return true;
		if (!logical)
			return dest == id;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == (lr(a, LA_ID) >> 24);
	if ((lr(a, LA_DFR) >> 28) == 0xf)	/* flat model */
		return dest & (lr(a, LA_LDR) >> 24);
	/* cluster model: high nibble cluster, low nibble members */
	return (dest >> 4) == (lr(a, LA_LDR) >> 28) &&
	       (dest & (lr(a, LA_LDR) >> 24) & 0xf);
}

static void v3_lapic_accept(struct v3_lapic *a, u8 mode, u8 vector,
			    bool level)
{
	struct v3_vcpu *vcpu = a->vcpu;
	unsigned long flags;

	switch (mode) {
	case V3_APIC_DM_FIXED:
	case V3_APIC_DM_LOWEST:
		spin_lock_irqsave(&a->lock, flags);
		if (v3_lapic_hw_enabled(a) && v3_lapic_sw_enabled(a))
			v3_lapic_accept_locked(a, vector, level);
		spin_unlock_irqrestore(&a->lock, flags);
		v3_vcpu_kick(vcpu, V3_REQ_EVENT);
		break;
	case V3_APIC_DM_INIT:
		if (vcpu->id != 0)
			v3_vcpu_kick(vcpu, V3_REQ_INIT);
		break;
	case V3_APIC_DM_STARTUP:
		WRITE_ONCE(vcpu->sipi_vector, vector);
		v3_vcpu_kick(vcpu, V3_REQ_SIPI);
		break;
	case V3_APIC_DM_EXTINT:
		v3_vcpu_kick(vcpu, V3_REQ_EVENT);	/* the PIC is polled */
		break;
	default:
		/* NMI and SMI delivery are not modelled */
		v3_count(vcpu->vm, V3_CNT_APIC_DROPPED);
	}
}

/* counted for placement (placement.c): src is NULL for a device */
static void v3_lapic_count(struct v3_vcpu *src, struct v3_lapic *t)
{
	if (src)
		src->ipis_sent[t->vcpu->id]++;
	else
		atomic64_inc(&t->vcpu->dev_irqs);
}

static void v3_lapic_send(struct v3_vm *vm, struct v3_vcpu *src, u32 dest,
			  bool logical, u8 mode, u8 vector, bool level)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct v3_lapic *a = vm->vcpus[i]->lapic;

		if (!v3_lapic_match(a, dest, logical))
			continue;
		v3_lapic_count(src, a);
		v3_lapic_accept(a, mode, vector, level);
		/* lowest priority: the first matching CPU takes it */
		if (mode == V3_APIC_DM_LOWEST)
			break;
	}
}

void v3_lapic_deliver(struct v3_vm *vm, u32 dest, bool logical, u8 mode,
		      u8 vector, bool level)
{
	v3_lapic_send(vm, NULL, dest, logical, mode, vector, level);
}

static void v3_lapic_send_ipi(struct v3_lapic *a, u32 icr, u32 dest)
{
	struct v3_vm *vm = a->vcpu->vm;
	u8 mode = (icr >> 8) & 7, vector = icr & 0xff;
	bool level = icr & LA_ICR_TRIGGER_LEVEL;
	unsigned int i;

	/* INIT level de-assert is a no-op on current processors (SDM 11.6.1) */
	if (mode == V3_APIC_DM_INIT && level && !(icr & LA_ICR_LEVEL_ASSERT))
		return;
	switch ((icr >> 18) & 3) {
	case LA_DEST_SELF:
		v3_lapic_count(a->vcpu, a);
		v3_lapic_accept(a, mode, vector, level);
		return;
	case LA_DEST_ALL:
	case LA_DEST_OTHERS:
		for (i = 0; i < vm->nr_vcpus; i++) {
			struct v3_lapic *t = vm->vcpus[i]->lapic;

			if (t == a && ((icr >> 18) & 3) == LA_DEST_OTHERS)
				continue;
			v3_lapic_count(a->vcpu, t);
			v3_lapic_accept(t, mode, vector, level);
		}
		return;
	}
	v3_lapic_send(vm, a->vcpu, dest, icr & LA_ICR_LOGICAL, mode, vector,
		      level);
}

int v3_lapic_pending(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v = -1;

	spin_lock_irqsave(&a->lock, flags);
	if (v3_lapic_hw_enabled(a)) {
		int irr = v3_vec_highest(a, LA_IRR);

		if (irr >= 0 && (irr & 0xf0) > (v3_lapic_ppr(a) & 0xf0))
			v = irr;
	}
	/* ExtINT from the 8259A through LINT0 (virtual wire) */
	if (v < 0 && vcpu->vm->pic &&
	    (!v3_lapic_hw_enabled(a) ||
	     (!(lr(a, LA_LVT0) & LA_LVT_MASKED) &&
	      ((lr(a, LA_LVT0) >> 8) & 7) == V3_APIC_DM_EXTINT)))
		v = v3_pic_pending(vcpu->vm->pic);
	spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

int v3_lapic_ack(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v = -1, irr;

	spin_lock_irqsave(&a->lock, flags);
	irr = v3_vec_highest(a, LA_IRR);
	if (v3_lapic_hw_enabled(a) && irr >= 0 &&
	    (irr & 0xf0) > (v3_lapic_ppr(a) & 0xf0)) {
		v3_vec_clear(a, LA_IRR, irr);
		v3_vec_set(a, LA_ISR, irr);
		v = irr;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (v < 0 && vcpu->vm->pic)
		v = v3_pic_ack(vcpu->vm->pic);
	return v;
}

static void v3_lapic_eoi(struct v3_lapic *a)
{
	int v = v3_vec_highest(a, LA_ISR);
	bool level;

	if (v < 0)
		return;
	v3_vec_clear(a, LA_ISR, v);
	level = v3_vec_test(a, LA_TMR, v);
	if (level && a->vcpu->vm->ioapic) {
		spin_unlock(&a->lock);
		v3_ioapic_eoi(a->vcpu->vm->ioapic, v);
		spin_lock(&a->lock);
	}
}

/* --------------------------------------------------------- registers */

static u32 v3_lapic_read(struct v3_lapic *a, u32 reg)
{
	switch (reg) {
	case LA_PROCPRI:
		return v3_lapic_ppr(a);
	case LA_TMCCT:
		return v3_lapic_current_count(a);
	case LA_ID:
		return v3_lapic_x2apic(a) ? a->vcpu->id : lr(a, LA_ID);
	case LA_LDR:
		if (v3_lapic_x2apic(a))
			return ((a->vcpu->id >> 4) << 16) |
			       BIT(a->vcpu->id & 0xf);
		break;
	case LA_ICR:
		return lr(a, LA_ICR) & ~BIT(12);	/* delivery idle */
	}
	if (reg >= 0x400)
		return 0;
	return lr(a, reg);
}

/* An ICR write leaves the IPI in *ipi, sent after the lock is dropped. */
static void v3_lapic_write(struct v3_lapic *a, u32 reg, u32 val,
			   bool *send, u32 *ipi, u32 *ipi_dest)
{
	u32 mask;

	switch (reg) {
	case LA_ID:
		if (!v3_lapic_x2apic(a))
			lw(a, reg, val & 0xff000000);
		break;
	case LA_TASKPRI:
		lw(a, reg, val & 0xff);
		break;
	case LA_EOI:
		v3_lapic_eoi(a);
		break;
	case LA_LDR:
		if (!v3_lapic_x2apic(a))
			lw(a, reg, val & 0xff000000);
		break;
	case LA_DFR:
		if (!v3_lapic_x2apic(a))
			lw(a, reg, val | 0x0fffffff);
		break;
	case LA_SPIV:
		lw(a, reg, val & 0x3ff);
		if (!(val & LA_SPIV_ENABLE)) {
			/* software disable masks every LVT (SDM 11.4.7.2) */
			for (mask = LA_LVTT; mask <= LA_LVTERR; mask += 0x10)
				lw(a, mask, lr(a, mask) | LA_LVT_MASKED);
			v3_lapic_timer_stop(a);
		}
		break;
	case LA_ESR:
		lw(a, reg, 0);
		break;
	case LA_ICR:
		lw(a, reg, val & ~BIT(12));
		*send = true;
		*ipi = val;
		*ipi_dest = v3_lapic_x2apic(a) ? lr(a, LA_ICR2) :
			    lr(a, LA_ICR2) >> 24;
		break;
	case LA_ICR2:
		lw(a, reg, v3_lapic_x2apic(a) ? val : val & 0xff000000);
		break;
	case LA_LVTT:
	case LA_LVTTHMR:
	case LA_LVTPC:
	case LA_LVT0:
	case LA_LVT1:
	case LA_LVTERR:
		if (!v3_lapic_sw_enabled(a))
			val |= LA_LVT_MASKED;
		mask = reg == LA_LVTT ? 0x700ff : reg == LA_LVT0 ||
		       reg == LA_LVT1 ? 0x1a7ff : 0x107ff;
		if (reg == LA_LVTT &&
		    ((val ^ lr(a, reg)) & LA_TIMER_MODE_MASK)) {
			v3_lapic_timer_stop(a);
			lw(a, LA_TMICT, 0);
			a->tsc_deadline = 0;
		}
		lw(a, reg, val & mask);
		break;
	case LA_TMICT:
		if ((lr(a, LA_LVTT) & LA_TIMER_MODE_MASK) ==
		    LA_TIMER_TSCDEADLINE)
			break;
		lw(a, reg, val);
		v3_lapic_timer_program(a);
		break;
	case LA_TDCR:
		lw(a, reg, val & 0xb);
		break;
	case LA_SELF_IPI:
		if (v3_lapic_x2apic(a)) {
			v3_lapic_count(a->vcpu, a);
			v3_lapic_accept_locked(a, val & 0xff, false);
		}
		break;
	}
}

static void v3_lapic_write_locked(struct v3_lapic *a, u32 reg, u32 val)
{
	unsigned long flags;
	u32 ipi = 0, dest = 0;
	bool send = false;

	spin_lock_irqsave(&a->lock, flags);
	v3_lapic_write(a, reg, val, &send, &ipi, &dest);
	spin_unlock_irqrestore(&a->lock, flags);
	if (send)
		v3_lapic_send_ipi(a, ipi, dest);
	/* what may make a pending interrupt deliverable: see v3_inject_pending */
	if (reg == LA_EOI || reg == LA_SELF_IPI || reg == LA_TASKPRI ||
	    reg == LA_SPIV || reg == LA_LVT0)
		v3_vcpu_kick(a->vcpu, V3_REQ_EVENT);
}

static int v3_lapic_mmio_read(struct v3_vcpu *vcpu, void *opaque, u64 gpa,
			      u8 size, u64 *val)
{
	struct v3_lapic *a = vcpu->lapic;
	u32 off = gpa & 0xfff;
	unsigned long flags;

	if (v3_lapic_x2apic(a) || !v3_lapic_hw_enabled(a)) {
		*val = ~0ULL;
		return 0;
	}
	spin_lock_irqsave(&a->lock, flags);
	*val = v3_lapic_read(a, off & ~0xf) >> (8 * (off & 3));
	spin_unlock_irqrestore(&a->lock, flags);
	return 0;
}

static int v3_lapic_mmio_write(struct v3_vcpu *vcpu, void *opaque, u64 gpa,
			       u8 size, u64 val)
{
	struct v3_lapic *a = vcpu->lapic;
	u32 off = gpa & 0xfff;

	/* only aligned 32-bit accesses are defined (SDM 11.4.1) */
	if (v3_lapic_x2apic(a) || !v3_lapic_hw_enabled(a) || (off & 0xf) ||
	    size < 4)
		return 0;
	v3_lapic_write_locked(a, off, val);
	return 0;
}

int v3_lapic_mmio_register(struct v3_vm *vm)
{
	struct v3_mmio_handler h = {
		.base = V3_APIC_BASE_DEFAULT,
		.len = 0x1000,
		.read = v3_lapic_mmio_read,
		.write = v3_lapic_mmio_write,
	};

	return v3_mmio_register(vm, &h);
}

/* ------------------------------------------------------------- MSRs */

int v3_lapic_rdmsr(struct v3_vcpu *vcpu, u32 msr, u64 *val)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;
	u32 reg = (msr - 0x800) << 4;

	if (msr == MSR_IA32_APICBASE) {
		*val = a->base_msr;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = a->tsc_deadline;
		return 0;
	}
	/* x2APIC registers: #GP outside x2APIC mode, and for write-only ones */
	if (msr < 0x800 || msr > 0x8ff || !v3_lapic_x2apic(a) ||
	    reg == LA_EOI || reg == LA_SELF_IPI || reg == LA_DFR ||
	    reg == LA_ICR2 || reg == LA_ARBPRI)
		return -EINVAL;
	spin_lock_irqsave(&a->lock, flags);
	*val = v3_lapic_read(a, reg);
	if (reg == LA_ICR)
		*val |= (u64)lr(a, LA_ICR2) << 32;
	spin_unlock_irqrestore(&a->lock, flags);
	return 0;
}

static int v3_lapic_set_base(struct v3_lapic *a, u64 val)
{
	u64 old = a->base_msr;

	/* base relocation is not supported; EXTD without EN is invalid */
	if ((val & ~(LA_BASE_BSP | LA_BASE_EXTD | LA_BASE_ENABLE)) !=
	    V3_APIC_BASE_DEFAULT ||
	    (val & (LA_BASE_EXTD | LA_BASE_ENABLE)) == LA_BASE_EXTD)
		return -EINVAL;
	/* leaving x2APIC mode other than by disabling is invalid (SDM 11.12.5) */
	if ((old & LA_BASE_EXTD) && !(val & LA_BASE_EXTD) &&
	    (val & LA_BASE_ENABLE))
		return -EINVAL;
	a->base_msr = (val & ~LA_BASE_BSP) | (old & LA_BASE_BSP);
	if (!(val & LA_BASE_ENABLE))
		v3_lapic_timer_stop(a);
	return 0;
}

int v3_lapic_wrmsr(struct v3_vcpu *vcpu, u32 msr, u64 val)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;
	u32 reg = (msr - 0x800) << 4;
	int ret = 0;

	if (msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE) {
		spin_lock_irqsave(&a->lock, flags);
		if (msr == MSR_IA32_APICBASE)
			ret = v3_lapic_set_base(a, val);
		else
			v3_lapic_set_deadline(a, val);
		spin_unlock_irqrestore(&a->lock, flags);
		if (msr == MSR_IA32_APICBASE)
			v3_vcpu_kick(vcpu, V3_REQ_EVENT);
		return ret;
	}
	if (msr < 0x800 || msr > 0x8ff || !v3_lapic_x2apic(a) ||
	    reg == LA_ID || reg == LA_LDR || reg == LA_DFR ||
	    reg == LA_PROCPRI || reg == LA_TMCCT || reg == LA_ICR2 ||
	    reg == LA_LVR || (reg >= LA_ISR && reg < LA_ESR))
		return -EINVAL;
	if (reg == LA_ICR) {
		spin_lock_irqsave(&a->lock, flags);
		lw(a, LA_ICR2, val >> 32);
		spin_unlock_irqrestore(&a->lock, flags);
	}
	v3_lapic_write_locked(a, reg, (u32)val);
	return 0;
}

/* ------------------------------------------------------ life cycle */

int v3_lapic_create(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = kzalloc(sizeof(*a), V3_GFP_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	spin_lock_init(&a->lock);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	a->timer.function = v3_lapic_timer_fn;
	vcpu->lapic = a;
	v3_lapic_reset(a);
	return 0;
}

/* Power-on state again (a VM reset; the vCPU thread is stopped). */
void v3_lapic_reset_vcpu(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;

	hrtimer_cancel(&a->timer);
	spin_lock_irqsave(&a->lock, flags);
	v3_lapic_reset(a);
	a->quiesced = false;
	a->timer_expire = 0;
	a->period_ns = 0;
	a->tsc_deadline = 0;
	spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * Stop the timer for good: no kicks from this LAPIC after return, and no
 * re-arming until v3_lapic_reset_vcpu().  Called when the vCPU's thread
 * leaves its run loop (the VM stopped or is resetting), before a reset
 * and at teardown; it may sleep (hrtimer_cancel waits for a running
 * callback, which sees quiesced and does not restart).
 */
void v3_lapic_quiesce(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = vcpu->lapic;
	unsigned long flags;

	if (!a)
		return;
	spin_lock_irqsave(&a->lock, flags);
	a->quiesced = true;
	a->timer_expire = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	hrtimer_cancel(&a->timer);
}

void v3_lapic_destroy(struct v3_vcpu *vcpu)
{
	struct v3_lapic *a = vcpu->lapic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);
	kfree(a);
	vcpu->lapic = NULL;
}
