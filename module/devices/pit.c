// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8254 programmable interval timer (data sheet, order no. 231164):
 * counters 0-2 at 0x40-0x42, control word at 0x43, clocked at
 * 1.193182 MHz, and port 0x61 with the counter 2 gate and output.
 *
 * The counters are not stepped: each one remembers the host time its
 * count was loaded (or its gate last enabled it) and derives the current
 * count and OUT from ktime.  Counter 0's OUT drives IRQ 0: an hrtimer
 * pulses the line at every rising edge of OUT in modes 2 and 3 and once
 * at terminal count in modes 0, 1, 4 and 5.  Counter 2's OUT is read
 * through port 0x61 bit 5; Linux calibrates the TSC and checks the ACPI
 * PM timer by polling it in mode 0, so it goes high exactly count / f
 * after the count was written (the one CLK that loads the count is not
 * modelled).  Counter 1 (DRAM refresh) counts but drives nothing.
 *
 * Simplifications: a new count written in modes 2/3 takes effect at once
 * instead of at the end of the current cycle; the hrtimer period is at
 * least V3_PIT_MIN_PERIOD_NS so a tiny count cannot flood the host.
 */
#include <linux/slab.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/bcd.h>
#include "../v3.h"
#include "devices.h"
#include "pc.h"

#define V3_PIT_MIN_PERIOD_NS	50000

/* control word (A1 A0 = 11) */
#define CW_SC(v)	(((v) >> 6) & 3)	/* 3: read-back command */
#define CW_RW(v)	(((v) >> 4) & 3)	/* 0: counter latch command */
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_BCD		0x01
/* read-back command */
#define RB_NCOUNT	0x20	/* 0: latch count */
#define RB_NSTATUS	0x10	/* 0: latch status */
/* status byte */
#define ST_OUT		0x80
#define ST_NULL		0x40

#define RW_LSB		1
#define RW_MSB		2
#define RW_LSB_MSB	3

/* port 0x61 */
#define P61_GATE2	0x01
#define P61_SPKR	0x02
#define P61_RW_BITS	0x0f
#define P61_REFRESH	0x10
#define P61_OUT2	0x20

struct v3_pit_channel {
	u8 mode, rw, bcd;
	u16 count;		/* initial count as written (0: max) */
	bool loaded;		/* a count is loaded and counting */
	bool gate;
	bool triggered;		/* modes 1, 5: the gate has risen */
	u64 start_ns;		/* host time of tick 0 */
	u64 frozen;		/* modes 0, 4: ticks counted when gate fell */
	bool wlsb_done;		/* LSB/MSB: LSB written, MSB next */
	u8 wlsb;
	bool rmsb_next;		/* LSB/MSB read flip-flop */
	bool latched;		/* counter latch holds a value */
	u16 latch;
	bool latch_msb_next;
	bool status_latched;
	u8 status;
};

struct v3_pit {
	spinlock_t lock;	/* channel state; taken by the hrtimer */
	struct mutex prog;	/* serializes timer reprogramming */
	struct v3_vm *vm;
	struct hrtimer timer;	/* counter 0 -> IRQ 0 */
	u64 next_tick;		/* counter 0: tick of the next IRQ */
	struct v3_pit_channel ch[3];
	u8 port61;
	bool refresh;
};

static u64 pit_now(void)
{
	return ktime_get_ns();
}

static u64 ticks_to_ns(u64 ticks)
{
	/* rounded up: at that time at least `ticks` ticks have elapsed */
	return mul_u64_u32_div(ticks, NSEC_PER_SEC, V3_PC_PIT_HZ) + 1;
}

static u32 pit_modulus(const struct v3_pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* initial count N; 0 stands for the modulus */
static u32 pit_n(const struct v3_pit_channel *c)
{
	u32 n = c->bcd ? bcd2bin(c->count & 0xff) + 100 * bcd2bin(c->count >> 8)
		       : c->count;

	return n ? n : pit_modulus(c);
}

/* gate-enabled modes: gate low stops counting (0, 4) or holds OUT (2, 3) */
static bool pit_mode_gate_holds(u8 mode)
{
	return mode == 0 || mode == 4;
}

static u64 pit_ticks(const struct v3_pit_channel *c, u64 now)
{
	if (pit_mode_gate_holds(c->mode) && !c->gate)
		return c->frozen;
	if (now < c->start_ns)
		return 0;
	return mul_u64_u32_div(now - c->start_ns, V3_PC_PIT_HZ, NSEC_PER_SEC);
}

/* the counting element: binary value, before any BCD conversion */
static u32 pit_value(const struct v3_pit_channel *c, u64 now)
{
	u32 n = pit_n(c), m = pit_modulus(c);
	u64 d;

	if (!c->loaded)
		return n % m;
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 2:
		return n - do_div(d, n);
	case 3:		/* decrements by two; odd counts approximated */
		d *= 2;
		return n - do_div(d, n);
	case 1:
	case 5:
		if (!c->triggered)
			return n % m;
		fallthrough;
	default:	/* 0, 4: wraps and keeps counting */
		return (n + m - do_div(d, m)) % m;
	}
}

static bool pit_out(const struct v3_pit_channel *c, u64 now)
{
	u32 n = pit_n(c);
	u64 d, r;

	if (!c->loaded)
		return c->mode != 0;	/* initial OUT after the control word */
	d = pit_ticks(c, now);
	switch (c->mode) {
	case 0:		/* low until terminal count, then high */
		return d >= n;
	case 1:		/* one-shot: low from trigger to terminal count */
		return !c->triggered || d >= n;
	case 2:		/* low for one CLK when the count reaches 1 */
		if (!c->gate)
			return true;
		r = do_div(d, n);
		return r != n - 1;
	case 3:		/* high for ceil(N/2), low for floor(N/2) */
		if (!c->gate)
			return true;
		r = do_div(d, n);
		return r < (n + 1) / 2;
	case 5:
		if (!c->triggered)
			return true;
		fallthrough;
	default:	/* 4, 5: low for one CLK at terminal count */
		return d != n;
	}
}

static u16 pit_read_value(const struct v3_pit_channel *c, u64 now)
{
	u32 v = pit_value(c, now);

	if (c->bcd)
		return bin2bcd(v % 100) | (bin2bcd(v / 100 % 100) << 8);
	return v;
}

/* ---------------------------------------------------------- counter 0 */

/* Tick (from start) of the next IRQ 0 after tick `after`, 0 if none. */
static u64 pit0_next_irq(const struct v3_pit_channel *c, u64 after)
{
	u64 n = pit_n(c), k;

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 2:
	case 3:		/* OUT rises at every multiple of N */
		k = div64_u64(after, n) + 1;
		return k * n;
	case 1:
	case 5:
		if (!c->triggered)
			return 0;	/* counter 0's gate is tied high */
		fallthrough;
	default:	/* 0: OUT rises at N; 4: the strobe ends at N + 1 */
		n += c->mode == 4 || c->mode == 5;
		return after < n ? n : 0;
	}
}

static u64 pit0_min_ticks(void)
{
	return div_u64((u64)V3_PIT_MIN_PERIOD_NS * V3_PC_PIT_HZ, NSEC_PER_SEC);
}

/* Called with pit->lock held: the absolute expiry of the next IRQ, or 0. */
static u64 pit0_arm(struct v3_pit *pit, u64 now)
{
	struct v3_pit_channel *c = &pit->ch[0];
	u64 d, t;

	if (!c->loaded)
		return 0;
	d = pit_ticks(c, now);
	t = pit0_next_irq(c, d);
	if (!t)
		return 0;
	if (t < d + pit0_min_ticks() && (c->mode == 2 || c->mode == 3))
		t = pit0_next_irq(c, d + pit0_min_ticks());
	pit->next_tick = t;
	return c->start_ns + ticks_to_ns(t);
}

static enum hrtimer_restart v3_pit_timer(struct hrtimer *t)
{
	struct v3_pit *pit = container_of(t, struct v3_pit, timer);
	struct v3_vm *vm = pit->vm;
	unsigned long flags;
	bool fire;
	u64 exp = 0;

	if (v3_vm_stopped(vm))
		return HRTIMER_NORESTART;
	spin_lock_irqsave(&pit->lock, flags);
	fire = pit->ch[0].loaded;
	/* the next edge after the one signalled now (or after now, if late) */
	if (fire)
		exp = pit0_arm(pit, max(pit_now(), pit->ch[0].start_ns +
					ticks_to_ns(pit->next_tick)));
	if (exp)
		hrtimer_set_expires(t, ns_to_ktime(exp));
	spin_unlock_irqrestore(&pit->lock, flags);
	if (fire)
		v3_irq_pulse(vm, V3_PC_IRQ_PIT);
	return exp ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/*
 * Counter 0 changed: restart its timer from the new state.  Called with
 * pit->prog held and pit->lock not held (hrtimer_cancel waits for a
 * running callback, which takes pit->lock).
 */
static void pit0_reprogram(struct v3_pit *pit)
{
	unsigned long flags;
	u64 exp;

	hrtimer_cancel(&pit->timer);
	spin_lock_irqsave(&pit->lock, flags);
	exp = pit0_arm(pit, pit_now());
	if (exp)
		hrtimer_start(&pit->timer, ns_to_ktime(exp), HRTIMER_MODE_ABS);
	spin_unlock_irqrestore(&pit->lock, flags);
}

/* ----------------------------------------------------------- port I/O */

static void pit_load(struct v3_pit_channel *c, u16 count, u64 now)
{
	c->count = count;
	c->loaded = true;
	c->start_ns = now;
	c->frozen = 0;
	c->triggered = false;
	c->status &= ~ST_NULL;
}

static void pit_write_count(struct v3_pit_channel *c, u8 val, u64 now)
{
	switch (c->rw) {
	case RW_LSB:
		pit_load(c, val, now);
		break;
	case RW_MSB:
		pit_load(c, val << 8, now);
		break;
	default:
		if (!c->wlsb_done) {
			c->wlsb = val;
			c->wlsb_done = true;
			/* mode 0: writing the first byte stops counting */
			if (c->mode == 0)
				c->loaded = false;
		} else {
			c->wlsb_done = false;
			pit_load(c, c->wlsb | (val << 8), now);
		}
		break;
	}
}

static void pit_latch_count(struct v3_pit_channel *c, u64 now)
{
	if (c->latched)
		return;		/* a second latch before reading is ignored */
	c->latch = pit_read_value(c, now);
	c->latched = true;
	c->latch_msb_next = false;
}

static void pit_latch_status(struct v3_pit_channel *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (pit_out(c, now) ? ST_OUT : 0) | (c->status & ST_NULL) |
		    (c->rw << 4) | (c->mode << 1) | c->bcd;
	c->status_latched = true;
}

static void pit_control(struct v3_pit *pit, u8 val, u64 now)
{
	struct v3_pit_channel *c;
	int i;

	if (CW_SC(val) == 3) {		/* read-back */
		for (i = 0; i < 3; i++) {
			if (!(val & BIT(i + 1)))
				continue;
			if (!(val & RB_NCOUNT))
				pit_latch_count(&pit->ch[i], now);
			if (!(val & RB_NSTATUS))
				pit_latch_status(&pit->ch[i], now);
		}
		return;
	}
	c = &pit->ch[CW_SC(val)];
	if (!CW_RW(val)) {
		pit_latch_count(c, now);
		return;
	}
	c->rw = CW_RW(val);
	c->mode = CW_MODE(val);
	if (c->mode > 5)
		c->mode -= 4;	/* 6, 7 are 2, 3 */
	c->bcd = val & CW_BCD;
	c->loaded = false;	/* waits for a new count */
	c->status |= ST_NULL;
	c->wlsb_done = false;
	c->rmsb_next = false;
	c->latched = false;
	c->status_latched = false;
}

static u8 pit_read_channel(struct v3_pit_channel *c, u64 now)
{
	u16 v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
		if (c->rw == RW_LSB_MSB && !c->latch_msb_next) {
			c->latch_msb_next = true;
			return v & 0xff;
		}
		c->latched = false;
		return c->rw == RW_LSB ? v & 0xff : v >> 8;
	}
	v = pit_read_value(c, now);
	switch (c->rw) {
	case RW_LSB:
		return v & 0xff;
	case RW_MSB:
		return v >> 8;
	default:
		c->rmsb_next = !c->rmsb_next;
		return c->rmsb_next ? v & 0xff : v >> 8;
	}
}

/* Gate of counter 2 from port 0x61 bit 0. */
static void pit_set_gate2(struct v3_pit_channel *c, bool gate, u64 now)
{
	if (gate == c->gate)
		return;
	if (pit_mode_gate_holds(c->mode)) {
		/* gate low suspends counting; it resumes where it stopped */
		if (!gate)
			c->frozen = pit_ticks(c, now);
		else
			c->start_ns = now - ticks_to_ns(c->frozen);
	} else if (gate && c->loaded) {
		/* modes 1, 2, 3, 5: a rising gate (re)starts the count */
		c->start_ns = now;
		c->triggered = true;
	}
	c->gate = gate;
}

static int v3_pit_read(struct v3_vcpu *vcpu, void *opaque, u16 port,
		       u8 size, u32 *val)
{
	struct v3_pit *pit = opaque;
	unsigned long flags;
	u64 now = pit_now();

	spin_lock_irqsave(&pit->lock, flags);
	if (port == V3_PC_PORT61) {
		pit->refresh = !pit->refresh;
		*val = (pit->port61 & P61_RW_BITS) |
		       (pit->refresh ? P61_REFRESH : 0) |
		       (pit_out(&pit->ch[2], now) ? P61_OUT2 : 0);
	} else if (port - V3_PC_PIT < 3) {
		*val = pit_read_channel(&pit->ch[port - V3_PC_PIT], now);
	} else {
		*val = 0xff;	/* the control word register is write only */
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static int v3_pit_write(struct v3_vcpu *vcpu, void *opaque, u16 port,
			u8 size, u32 val)
{
	struct v3_pit *pit = opaque;
	unsigned long flags;
	bool ch0 = false;
	u64 now;

	mutex_lock(&pit->prog);
	spin_lock_irqsave(&pit->lock, flags);
	now = pit_now();
	if (port == V3_PC_PORT61) {
		pit->port61 = val & P61_RW_BITS;
		pit_set_gate2(&pit->ch[2], val & P61_GATE2, now);
	} else if (port - V3_PC_PIT < 3) {
		pit_write_count(&pit->ch[port - V3_PC_PIT], val, now);
		ch0 = port == V3_PC_PIT;
	} else {
		pit_control(pit, val, now);
		ch0 = CW_SC(val) == 0 && CW_RW(val);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	if (ch0)
		pit0_reprogram(pit);
	mutex_unlock(&pit->prog);
	return 0;
}

static int v3_pit_create(struct v3_vm *vm, void **state)
{
	struct v3_pit *pit = kzalloc(sizeof(*pit), V3_GFP_ACCOUNT);
	struct v3_io_handler h = {
		.read = v3_pit_read,
		.write = v3_pit_write,
		/* reprogramming waits for the timer callback (mutex) */
		.write_sleeps = true,
	};
	int i, ret;

	if (!pit)
		return -ENOMEM;
	spin_lock_init(&pit->lock);
	mutex_init(&pit->prog);
	pit->vm = vm;
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pit->timer.function = v3_pit_timer;
	for (i = 0; i < 3; i++) {
		pit->ch[i].rw = RW_LSB_MSB;
		pit->ch[i].gate = i != 2;	/* gate 2 from port 0x61 */
		pit->ch[i].status = ST_NULL;
	}
	h.opaque = pit;
	h.base = V3_PC_PIT;
	h.len = 4;
	ret = v3_io_register(vm, &h);
	if (!ret) {
		h.base = V3_PC_PORT61;
		h.len = 1;
		ret = v3_io_register(vm, &h);
	}
	if (ret) {
		kfree(pit);
		return ret;
	}
	*state = pit;
	return 0;
}

static void v3_pit_destroy(struct v3_vm *vm, void *state)
{
	struct v3_pit *pit = state;

	if (!pit)
		return;
	hrtimer_cancel(&pit->timer);
	kfree(pit);
}

const struct v3_device_type v3_pit_device = {
	.name = "pit-8254",
	.create = v3_pit_create,
	.destroy = v3_pit_destroy,
};
