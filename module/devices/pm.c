// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware (ACPI 6.x, section 4.8 "ACPI Hardware Features"):
 *
 *   0x600 PM1a_EVT_BLK: PM1_STS (16 bits, write 1 to clear) at +0,
 *                       PM1_EN (16 bits) at +2
 *   0x604 PM1a_CNT_BLK: PM1_CNT (16 bits)
 *   0x608 PM_TMR_BLK:   PM_TMR, 32-bit 3.579545 MHz counter
 *
 * The board is always in ACPI mode (the FADT has no SMI_CMD), so SCI_EN
 * reads 1.  Writing SLP_EN with SLP_TYP = V3_PC_SLP_TYP_S5 (the \_S5
 * value of the DSDT) powers the VM off; other sleep types are ignored.
 * The timer counts from VM creation on the host's monotonic clock and
 * wraps at 2^32 (FADT TMR_VAL_EXT).  TMR_STS is set when bit 31 of the
 * counter changes; the SCI (IRQ 9) is asserted while an enabled status
 * bit is set, evaluated whenever the guest touches the block (no timer:
 * Linux never enables the timer overflow event).
 */
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

/* PM1_STS / PM1_EN bits (ACPI 6.x tables 4.16, 4.17) */
#define PM1_TMR		BIT(0)
#define PM1_BM_STS	BIT(4)
#define PM1_GBL		BIT(5)
#define PM1_PWRBTN	BIT(8)
#define PM1_SLPBTN	BIT(9)
#define PM1_RTC		BIT(10)
#define PM1_WAK_STS	BIT(15)
#define PM1_EN_BITS	(PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC)

/* PM1_CNT (table 4.18) */
#define CNT_SCI_EN	BIT(0)
#define CNT_BM_RLD	BIT(1)
#define CNT_GBL_RLS	BIT(2)		/* write only */
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP	(7 << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN	BIT(13)		/* write only */

struct v3_pm {
	spinlock_t lock;
	struct v3_vm *vm;
	u64 base_ns;		/* timer zero */
	u64 tmr_epoch;		/* counter >> 31 when TMR_STS was last cleared */
	u16 sts, en, cnt;
	bool sci;		/* IRQ 9 level */
};

static u64 pm_ticks(struct v3_pm *pm)
{
	return mul_u64_u32_div(ktime_get_ns() - pm->base_ns, V3_PC_PM_TMR_HZ,
			       NSEC_PER_SEC);
}

/* Fold the timer's bit-31 transitions into TMR_STS; update the SCI. */
static void pm_update(struct v3_pm *pm)
{
	bool sci;

	if ((pm_ticks(pm) >> 31) != pm->tmr_epoch)
		pm->sts |= PM1_TMR;
	sci = pm->sts & pm->en & PM1_EN_BITS;
	if (sci != pm->sci) {
		pm->sci = sci;
		v3_irq_set(pm->vm, V3_PC_IRQ_SCI, sci);
	}
}

/* A 16-bit register at byte offset off, through a 1- or 2-byte window. */
static u32 pm_reg_read(struct v3_pm *pm, unsigned int reg)
{
	switch (reg) {
	case 0:
		return pm->sts;
	case 2:
		return pm->en;
	default:	/* 4: PM1_CNT */
		return pm->cnt | CNT_SCI_EN;
	}
}

/* Returns true when the write puts the system in S5. */
static bool pm_reg_write(struct v3_pm *pm, unsigned int reg, u16 val,
			 u16 mask)
{
	val &= mask;
	switch (reg) {
	case 0:		/* write 1 to clear */
		if (val & PM1_TMR)
			pm->tmr_epoch = pm_ticks(pm) >> 31;
		pm->sts &= ~val;
		return false;
	case 2:
		pm->en = (pm->en & ~mask) | (val & PM1_EN_BITS);
		return false;
	default:
		pm->cnt = (pm->cnt & ~mask) |
			  (val & (CNT_BM_RLD | CNT_SLP_TYP));
		return (val & CNT_SLP_EN) &&
		       ((val & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT) ==
		       V3_PC_SLP_TYP_S5;
	}
}

static int v3_pm_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
		      u8 size, u32 *val)
{
	struct v3_pm *pm = opaque;
	unsigned int off = port - V3_PC_PM1A_EVT;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&pm->lock, flags);
	pm_update(pm);
	if (port >= V3_PC_PM_TMR) {
		/* byte/word reads see the counter's bytes at that offset */
		*val = (u32)pm_ticks(pm) >> (8 * (port - V3_PC_PM_TMR));
	} else if (port < V3_PC_PM1A_CNT + V3_PC_PM1A_CNT_LEN) {
		*val = pm_reg_read(pm, off & ~1) >> (8 * (off & 1));
		if (size == 4 && off == 0)	/* PM1_STS and PM1_EN at once */
			*val = pm->sts | ((u32)pm->en << 16);
	} else {
		ret = -ENODEV;		/* 0x606-0x607: nothing */
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	return ret;
}

static int v3_pm_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
		       u8 size, u32 val)
{
	struct v3_pm *pm = opaque;
	unsigned int off = port - V3_PC_PM1A_EVT;
	unsigned long flags;
	bool s5 = false;
	int ret = 0;

	spin_lock_irqsave(&pm->lock, flags);
	if (port >= V3_PC_PM1A_CNT + V3_PC_PM1A_CNT_LEN) {
		ret = -ENODEV;		/* the timer is read only */
	} else if (size == 4 && off == 0) {
		pm_reg_write(pm, 0, val, 0xffff);
		pm_reg_write(pm, 2, val >> 16, 0xffff);
	} else if (size == 1) {
		s5 = pm_reg_write(pm, off & ~1, val << (8 * (off & 1)),
				  0xff << (8 * (off & 1)));
	} else {
		s5 = pm_reg_write(pm, off & ~1, val, 0xffff);
	}
	pm_update(pm);
	spin_unlock_irqrestore(&pm->lock, flags);
	if (s5)
		v3_vm_stop(vcpu->vm, V3_STOP_POWEROFF, 0,
			   "guest powered off (ACPI S5)");
	return ret;
}

static int v3_pm_create(struct v3_vm *vm, void **state)
{
	struct v3_pm *pm = kzalloc(sizeof(*pm), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.base = V3_PC_PM1A_EVT,
		.len = V3_PC_PM_TMR + V3_PC_PM_TMR_LEN - V3_PC_PM1A_EVT,
		.read = v3_pm_read,
		.write = v3_pm_write,
	};
	int ret;

	if (!pm)
		return -ENOMEM;
	spin_lock_init(&pm->lock);
	pm->vm = vm;
	pm->base_ns = ktime_get_ns();
	h.opaque = pm;
	ret = v3_io_register(vm, &h);
	if (ret) {
		kfree(pm);
		return ret;
	}
	*state = pm;
	return 0;
}

static void v3_pm_destroy(struct v3_vm *vm, void *state)
{
	kfree(state);
}

const struct v3_device_type v3_pm_device = {
	.name = "acpi-pm",
	.create = v3_pm_create,
	.destroy = v3_pm_destroy,
};
