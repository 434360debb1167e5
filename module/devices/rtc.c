// SPDX-License-Identifier: GPL-2.0
/*
 * Motorola MC146818A real-time clock with CMOS RAM (MC146818A data
 * sheet): index port 0x70 (bit 7 masks NMI on the PC, ignored here),
 * data port 0x71.  128 bytes: 0x00-0x09 time, alarm and date, 0x0a-0x0d
 * status registers A-D, 0x0e-0x7f RAM (0x32: century, IBM PC/AT).
 *
 * The time is the host's time of day plus an offset the guest changes by
 * writing the time registers (with SET in register B: the clock stands
 * still while SET is 1 and restarts from the written time).  Values are
 * BCD or binary per register B DM, 12- or 24-hour per register B 24/12.
 *
 * UIP (register A bit 7) reads 1 during the last 244 us before each
 * second boundary, when the chip would be about to update.  The update-
 * ended (UF), alarm (AF) and periodic (PF) flags of register C are
 * brought up to date whenever the guest reads C; an hrtimer runs only
 * while an enabled interrupt (PIE, AIE, UIE in register B) needs to
 * raise IRQ 8 on time.  IRQ 8 follows IRQF: it is asserted until the
 * guest reads register C.
 */
#include <linux/slab.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/time.h>
#include <linux/bcd.h>
#include <linux/math64.h>
#include <linux/sizes.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

#define RTC_SEC		0x00
#define RTC_SEC_ALARM	0x01
#define RTC_MIN		0x02
#define RTC_MIN_ALARM	0x03
#define RTC_HOUR	0x04
#define RTC_HOUR_ALARM	0x05
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_RAM_SIZE	128

#define A_UIP		0x80
#define A_DV		0x70	/* divider: 010 = 32.768 kHz time base */
#define A_RS		0x0f	/* periodic rate select */
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_AF		0x20
#define C_UF		0x10
#define D_VRT		0x80
#define HOUR_PM		0x80	/* 12-hour mode */
#define ALARM_DONT_CARE	0xc0	/* 11xxxxxx matches every value */

#define RTC_UIP_NS	244000	/* update cycle + setup time, 32.768 kHz */

/*
 * Broken-down time.  While SET is 1 the registers hold what the guest
 * wrote, field by field (an intermediate date such as February 31 must
 * survive until the guest has written the day too); otherwise they are
 * derived from the host time plus offset.
 */
struct rtc_fields {
	unsigned int year, mon, mday, hour, min, sec;	/* mon 1-12 */
};

struct v3_rtc {
	spinlock_t lock;
	struct mutex prog;	/* serializes timer reprogramming */
	struct v3_vm *vm;
	struct hrtimer timer;
	u8 index;
	u8 ram[RTC_RAM_SIZE];	/* 0x0a-0x7f as stored; time from below */
	s64 offset;		/* guest time - host time, seconds */
	struct rtc_fields frozen;	/* the time registers while SET is 1 */
	time64_t last_sec;	/* guest second of the last flag update */
	u64 pf_base_ns;		/* phase of the periodic interrupt */
	u64 pf_last;		/* periodic ticks accounted for */
	bool irq;		/* IRQ 8 level */
};

static u8 rtc_to_guest(struct v3_rtc *rtc, unsigned int v)
{
	return (rtc->ram[RTC_REG_B] & B_DM_BINARY) ? v : bin2bcd(v);
}

static unsigned int rtc_from_guest(struct v3_rtc *rtc, u8 v)
{
	return (rtc->ram[RTC_REG_B] & B_DM_BINARY) ? v : bcd2bin(v);
}

static void rtc_fields_of(time64_t t, struct rtc_fields *f)
{
	struct tm tm;

	time64_to_tm(t, 0, &tm);
	f->year = tm.tm_year + 1900;
	f->mon = tm.tm_mon + 1;
	f->mday = tm.tm_mday;
	f->hour = tm.tm_hour;
	f->min = tm.tm_min;
	f->sec = tm.tm_sec;
}

static time64_t rtc_fields_time(const struct rtc_fields *f)
{
	return mktime64(f->year, f->mon, f->mday, f->hour, f->min, f->sec);
}

/* The guest's time of day in seconds (and the nanoseconds into it). */
static time64_t rtc_time(struct v3_rtc *rtc, long *nsec)
{
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	if (nsec)
		*nsec = ts.tv_nsec;
	if (rtc->ram[RTC_REG_B] & B_SET)
		return rtc_fields_time(&rtc->frozen);
	return ts.tv_sec + rtc->offset;
}

static void rtc_get_fields(struct v3_rtc *rtc, struct rtc_fields *f)
{
	if (rtc->ram[RTC_REG_B] & B_SET)
		*f = rtc->frozen;
	else
		rtc_fields_of(rtc_time(rtc, NULL), f);
}

static void rtc_put_fields(struct v3_rtc *rtc, const struct rtc_fields *f)
{
	if (rtc->ram[RTC_REG_B] & B_SET)
		rtc->frozen = *f;
	else
		rtc->offset = rtc_fields_time(f) - ktime_get_real_seconds();
}

static u8 rtc_hour_to_guest(struct v3_rtc *rtc, int hour)
{
	u8 pm = 0;

	if (!(rtc->ram[RTC_REG_B] & B_24H)) {
		pm = hour >= 12 ? HOUR_PM : 0;
		hour %= 12;
		if (!hour)
			hour = 12;
	}
	return rtc_to_guest(rtc, hour) | pm;
}

static int rtc_hour_from_guest(struct v3_rtc *rtc, u8 v)
{
	int hour;

	if (rtc->ram[RTC_REG_B] & B_24H)
		return rtc_from_guest(rtc, v);
	hour = rtc_from_guest(rtc, v & ~HOUR_PM) % 12;
	return (v & HOUR_PM) ? hour + 12 : hour;
}

/* Day of the week, 1 (Sunday) to 7 */
static unsigned int rtc_wday(const struct rtc_fields *f)
{
	struct tm tm;

	time64_to_tm(rtc_fields_time(f), 0, &tm);
	return tm.tm_wday + 1;
}

/* Registers 0x00-0x09 (but the alarms) and the century byte. */
static u8 rtc_read_time(struct v3_rtc *rtc, u8 idx)
{
	struct rtc_fields f;

	rtc_get_fields(rtc, &f);
	switch (idx) {
	case RTC_SEC:
		return rtc_to_guest(rtc, f.sec);
	case RTC_MIN:
		return rtc_to_guest(rtc, f.min);
	case RTC_HOUR:
		return rtc_hour_to_guest(rtc, f.hour);
	case RTC_WDAY:
		return rtc_to_guest(rtc, rtc_wday(&f));
	case RTC_MDAY:
		return rtc_to_guest(rtc, f.mday);
	case RTC_MONTH:
		return rtc_to_guest(rtc, f.mon);
	case RTC_YEAR:
		return rtc_to_guest(rtc, f.year % 100);
	default:	/* V3_PC_RTC_CENTURY */
		return rtc_to_guest(rtc, f.year / 100);
	}
}

static void rtc_write_time(struct v3_rtc *rtc, u8 idx, u8 v)
{
	struct rtc_fields f;

	rtc_get_fields(rtc, &f);
	switch (idx) {
	case RTC_SEC:
		f.sec = rtc_from_guest(rtc, v) % 60;
		break;
	case RTC_MIN:
		f.min = rtc_from_guest(rtc, v) % 60;
		break;
	case RTC_HOUR:
		f.hour = rtc_hour_from_guest(rtc, v) % 24;
		break;
	case RTC_WDAY:
		return;		/* derived from the date */
	case RTC_MDAY:
		f.mday = clamp(rtc_from_guest(rtc, v), 1U, 31U);
		break;
	case RTC_MONTH:
		f.mon = clamp(rtc_from_guest(rtc, v), 1U, 12U);
		break;
	case RTC_YEAR:
		f.year = f.year / 100 * 100 + rtc_from_guest(rtc, v) % 100;
		break;
	default:	/* V3_PC_RTC_CENTURY */
		f.year = rtc_from_guest(rtc, v) % 100 * 100 + f.year % 100;
		break;
	}
	rtc_put_fields(rtc, &f);
}

/* Periodic interrupt period from RS (32.768 kHz time base), 0 if off. */
static u64 rtc_period_ns(struct v3_rtc *rtc)
{
	unsigned int rs = rtc->ram[RTC_REG_A] & A_RS;

	if (!rs || (rtc->ram[RTC_REG_A] & A_DV) != 0x20)
		return 0;
	if (rs <= 2)
		rs += 7;	/* 256 Hz and 128 Hz */
	/* 2^(rs-1) / 32768 s */
	return div_u64((u64)NSEC_PER_SEC << (rs - 1), 32768);
}

/* An alarm byte matches its time register, or is "don't care" */
static bool alarm_match(struct v3_rtc *rtc, u8 alarm_idx, u8 time_idx)
{
	u8 alarm = rtc->ram[alarm_idx];

	return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE ||
	       alarm == rtc_read_time(rtc, time_idx);
}

/*
 * Bring UF, AF and PF up to date and recompute IRQF; returns the new IRQ
 * level if it changed, else -1.
 */
static int rtc_update_flags(struct v3_rtc *rtc)
{
	u8 *c = &rtc->ram[RTC_REG_C], b = rtc->ram[RTC_REG_B];
	u64 period = rtc_period_ns(rtc), ticks;
	time64_t now = rtc_time(rtc, NULL);
	bool irq;

	if (!(b & B_SET) && now != rtc->last_sec) {
		rtc->last_sec = now;
		*c |= C_UF;
		if (alarm_match(rtc, RTC_SEC_ALARM, RTC_SEC) &&
		    alarm_match(rtc, RTC_MIN_ALARM, RTC_MIN) &&
		    alarm_match(rtc, RTC_HOUR_ALARM, RTC_HOUR))
			*c |= C_AF;
	}
	if (period) {
		ticks = div64_u64(ktime_get_ns() - rtc->pf_base_ns, period);
		if (ticks != rtc->pf_last) {
			rtc->pf_last = ticks;
			*c |= C_PF;
		}
	}
	*c &= ~C_IRQF;
	if (*c & b & (C_PF | C_AF | C_UF))	/* PIE/AIE/UIE line up */
		*c |= C_IRQF;
	irq = *c & C_IRQF;
	if (irq == rtc->irq)
		return -1;
	rtc->irq = irq;
	return irq;
}

/* Host monotonic time of the next event an enabled interrupt needs, or 0. */
static u64 rtc_next_event(struct v3_rtc *rtc)
{
	u8 b = rtc->ram[RTC_REG_B];
	u64 now = ktime_get_ns(), period = rtc_period_ns(rtc), next = 0;
	long nsec;

	if ((b & B_PIE) && period)
		next = rtc->pf_base_ns + (rtc->pf_last + 1) * period;
	if ((b & (B_AIE | B_UIE)) && !(b & B_SET)) {
		u64 sec;

		rtc_time(rtc, &nsec);
		sec = now + NSEC_PER_SEC - nsec + 1000;	/* just past it */
		if (!next || sec < next)
			next = sec;
	}
	return next;
}

static enum hrtimer_restart v3_rtc_timer(struct hrtimer *t)
{
	struct v3_rtc *rtc = container_of(t, struct v3_rtc, timer);
	unsigned long flags;
	int level;
	u64 next;

	if (v3_vm_stopped(rtc->vm))
		return HRTIMER_NORESTART;
	spin_lock_irqsave(&rtc->lock, flags);
	level = rtc_update_flags(rtc);
	if (level >= 0)
		v3_irq_set(rtc->vm, V3_PC_IRQ_RTC, level);
	next = rtc_next_event(rtc);
	if (next)
		hrtimer_set_expires(t, ns_to_ktime(next));
	spin_unlock_irqrestore(&rtc->lock, flags);
	return next ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/* Called with rtc->prog held and rtc->lock not held. */
static void rtc_reprogram(struct v3_rtc *rtc)
{
	unsigned long flags;
	u64 next;

	hrtimer_cancel(&rtc->timer);
	spin_lock_irqsave(&rtc->lock, flags);
	next = rtc_next_event(rtc);
	if (next)
		hrtimer_start(&rtc->timer, ns_to_ktime(next), HRTIMER_MODE_ABS);
	spin_unlock_irqrestore(&rtc->lock, flags);
}

static bool rtc_is_time(u8 idx)
{
	return (idx <= RTC_YEAR && idx != RTC_SEC_ALARM &&
		idx != RTC_MIN_ALARM && idx != RTC_HOUR_ALARM) ||
	       idx == V3_PC_RTC_CENTURY;
}

static u8 rtc_read_reg(struct v3_rtc *rtc, u8 idx, int *level)
{
	long nsec;
	u8 v;

	if (rtc_is_time(idx))
		return rtc_read_time(rtc, idx);
	switch (idx) {
	case RTC_REG_A:
		v = rtc->ram[RTC_REG_A] & ~A_UIP;
		rtc_time(rtc, &nsec);
		if (!(rtc->ram[RTC_REG_B] & B_SET) &&
		    nsec >= NSEC_PER_SEC - RTC_UIP_NS)
			v |= A_UIP;
		return v;
	case RTC_REG_C:
		rtc_update_flags(rtc);
		v = rtc->ram[RTC_REG_C];
		rtc->ram[RTC_REG_C] = 0;	/* read clears all flags */
		if (rtc->irq) {
			rtc->irq = false;
			*level = 0;
		}
		return v;
	case RTC_REG_D:
		return D_VRT;
	default:
		return rtc->ram[idx];
	}
}

/* Returns true when the write changed what the timer must do. */
static bool rtc_write_reg(struct v3_rtc *rtc, u8 idx, u8 v, int *level)
{
	u8 old;

	if (rtc_is_time(idx)) {
		rtc_write_time(rtc, idx, v);
		rtc->last_sec = rtc_time(rtc, NULL);	/* no UF for this */
		return true;
	}
	switch (idx) {
	case RTC_REG_A:
		old = rtc->ram[RTC_REG_A];
		rtc->ram[RTC_REG_A] = v & ~A_UIP;
		if ((old ^ v) & (A_RS | A_DV)) {
			rtc->pf_base_ns = ktime_get_ns();
			rtc->pf_last = 0;
		}
		return true;
	case RTC_REG_B:
		old = rtc->ram[RTC_REG_B];
		if (v & B_SET)
			v &= ~B_UIE;	/* SET going high clears UIE */
		if ((v & B_SET) && !(old & B_SET))
			rtc_fields_of(rtc_time(rtc, NULL), &rtc->frozen);
		if (!(v & B_SET) && (old & B_SET))
			rtc->offset = rtc_fields_time(&rtc->frozen) -
				      ktime_get_real_seconds();
		rtc->ram[RTC_REG_B] = v;
		rtc->last_sec = rtc_time(rtc, NULL);
		*level = rtc_update_flags(rtc);	/* enables may raise IRQF */
		return true;
	case RTC_REG_C:
	case RTC_REG_D:
		return false;	/* read only */
	default:
		rtc->ram[idx] = v;
		return false;
	}
}

static int v3_rtc_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
		       u8 size, u32 *val)
{
	struct v3_rtc *rtc = opaque;
	unsigned long flags;
	int level = -1;

	if (port == V3_PC_RTC) {
		*val = 0xff;	/* the index register is write only */
		return 0;
	}
	spin_lock_irqsave(&rtc->lock, flags);
	*val = rtc_read_reg(rtc, rtc->index, &level);
	if (level >= 0)
		v3_irq_set(rtc->vm, V3_PC_IRQ_RTC, level);
	spin_unlock_irqrestore(&rtc->lock, flags);
	return 0;
}

static int v3_rtc_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			u8 size, u32 val)
{
	struct v3_rtc *rtc = opaque;
	unsigned long flags;
	int level = -1;
	bool reprogram;

	if (port == V3_PC_RTC) {
		WRITE_ONCE(rtc->index, val & 0x7f);	/* bit 7: NMI mask */
		return 0;
	}
	mutex_lock(&rtc->prog);
	spin_lock_irqsave(&rtc->lock, flags);
	reprogram = rtc_write_reg(rtc, rtc->index, val, &level);
	if (level >= 0)
		v3_irq_set(rtc->vm, V3_PC_IRQ_RTC, level);
	spin_unlock_irqrestore(&rtc->lock, flags);
	if (reprogram)
		rtc_reprogram(rtc);
	mutex_unlock(&rtc->prog);
	return 0;
}

static void rtc_put16(u8 *ram, u8 idx, u32 v)
{
	ram[idx] = v;
	ram[idx + 1] = v >> 8;
}

/* The memory size bytes of the IBM PC/AT CMOS layout (as SeaBIOS reads). */
static void rtc_init_ram(struct v3_rtc *rtc, struct v3_guest_mem *mem)
{
	u64 low = mem->low_size, high = mem->size - mem->low_size;
	u64 ext = low > SZ_1M ? (low - SZ_1M) / SZ_1K : 0;
	u64 above16 = low > SZ_16M ? (low - SZ_16M) / SZ_64K : 0;

	rtc->ram[RTC_REG_A] = 0x26;		/* 32.768 kHz, 1024 Hz */
	rtc->ram[RTC_REG_B] = B_24H;
	rtc->ram[0x14] = 0x02;			/* equipment: FPU, VGA, no FDD */
	rtc_put16(rtc->ram, 0x15, 640);		/* base memory, KiB */
	rtc_put16(rtc->ram, 0x17, min_t(u64, ext, 0xffff));
	rtc_put16(rtc->ram, 0x30, min_t(u64, ext, 0xffff));
	rtc_put16(rtc->ram, 0x34, min_t(u64, above16, 0xffff));
	high /= SZ_64K;				/* above 4 GiB, 64 KiB units */
	rtc->ram[0x5b] = high;
	rtc->ram[0x5c] = high >> 8;
	rtc->ram[0x5d] = high >> 16;
}

static int v3_rtc_create(struct v3_vm *vm, void **state)
{
	struct v3_rtc *rtc = kzalloc(sizeof(*rtc), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.base = V3_PC_RTC,
		.len = 2,
		.read = v3_rtc_read,
		.write = v3_rtc_write,
		/* reprogramming waits for the timer callback (mutex) */
		.write_sleeps = true,
	};
	int ret;

	if (!rtc)
		return -ENOMEM;
	spin_lock_init(&rtc->lock);
	mutex_init(&rtc->prog);
	rtc->vm = vm;
	hrtimer_init(&rtc->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	rtc->timer.function = v3_rtc_timer;
	rtc_init_ram(rtc, &vm->mem);
	rtc->pf_base_ns = ktime_get_ns();
	rtc->last_sec = rtc_time(rtc, NULL);
	h.opaque = rtc;
	ret = v3_io_register(vm, &h);
	if (ret) {
		kfree(rtc);
		return ret;
	}
	*state = rtc;
	return 0;
}

static void v3_rtc_destroy(struct v3_vm *vm, void *state)
{
	struct v3_rtc *rtc = state;

	if (!rtc)
		return;
	hrtimer_cancel(&rtc->timer);
	kfree(rtc);
}

const struct v3_device_type v3_rtc_device = {
	.name = "rtc-mc146818",
	.create = v3_rtc_create,
	.destroy = v3_rtc_destroy,
};
