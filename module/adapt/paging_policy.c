// SPDX-License-Identifier: GPL-2.0
/*
 * The adaptive paging policy's decision (see paging_policy.h): pure
 * arithmetic on the period's measurement, the knobs and the state.
 */
#include <linux/types.h>
#include <linux/errno.h>
#include "paging_policy.h"

#define NS_PER_MS	1000000ULL

void v3_adapt_defaults(struct v3_adapt_knobs *k)
{
	k->period_ms = 100;
	k->threshold_pct = 10;
	k->hysteresis_pct = 5;
	k->min_dwell_ms = 1000;
	k->trial_ms = 200;
	k->trial_interval_ms = 10000;
	k->nested_cost_pct = 5;
	k->trial_backoff = 3;
}

int v3_adapt_knobs_check(const struct v3_adapt_knobs *k)
{
	if (k->period_ms < 10 || k->period_ms > 60000)
		return -EINVAL;
	if (k->threshold_pct < 1 || k->threshold_pct > 90)
		return -EINVAL;
	if (k->hysteresis_pct > k->threshold_pct)
		return -EINVAL;
	if (k->min_dwell_ms > 3600000)
		return -EINVAL;
	if (k->trial_ms < 10 || k->trial_ms > 60000)
		return -EINVAL;
	if (k->trial_interval_ms < 100 || k->trial_interval_ms > 3600000)
		return -EINVAL;
	if (k->nested_cost_pct < 1 || k->nested_cost_pct > 90)
		return -EINVAL;
	if (k->trial_backoff > 8)
		return -EINVAL;
	return 0;
}

void v3_adapt_reset(struct v3_adapt_state *st, u32 active, u64 now_ns)
{
	*st = (struct v3_adapt_state){ .active = active, .since_ns = now_ns };
}

/* parts per million of avail (avail >= V3_ADAPT_MIN_CYCLES), at most 1e6 */
static u64 ppm(u64 cycles, u64 avail)
{
	u64 unit = avail / 1000000;

	if (cycles >= avail)
		return 1000000;
	return cycles / (unit ? unit : 1);
}

/* other at least pct % cheaper than cur (a mode costing nothing never loses) */
static bool cheaper_by(u64 other, u64 cur, u32 pct)
{
	return other * 100 < cur * (100 - pct);
}

static void go(struct v3_adapt_state *st, struct v3_adapt_out *out, u32 to,
	       u32 reason, u64 now)
{
	out->to = to;
	out->reason = reason;
	if (to != st->active) {
		st->active = to;
		st->since_ns = now;
	}
	st->streak = 0;
}

/* trial_interval_ms, doubled for each trial in a row that reverted */
static u64 trial_interval_ns(const struct v3_adapt_knobs *k,
			     const struct v3_adapt_state *st)
{
	u32 shift = st->backoff < k->trial_backoff ? st->backoff :
		    k->trial_backoff;

	return ((u64)k->trial_interval_ms * NS_PER_MS) << shift;
}

static bool fresh(const struct v3_adapt_knobs *k,
		  const struct v3_adapt_state *st, u32 mode, u64 now)
{
	return st->est_ns[mode] &&
	       now - st->est_ns[mode] <= trial_interval_ns(k, st);
}

/* the trial is over: keep its mode if it was cheaper by threshold */
static void trial_end(const struct v3_adapt_knobs *k,
		      struct v3_adapt_state *st, struct v3_adapt_out *out,
		      u64 now)
{
	u32 cur = st->active, home = st->trial_from;
	u64 cost = ppm(st->trial_cost, st->trial_avail);

	st->est_ppm[cur] = cost;
	st->est_ns[cur] = now;
	out->cost_ppm[cur] = cost;
	st->in_trial = false;
	if (cheaper_by(cost, st->est_ppm[home], k->threshold_pct)) {
		/* in this mode since the trial began: dwell counts from there */
		go(st, out, cur, V3_ADAPT_TRIAL_KEEP, now);
		st->backoff = 0;
	} else {
		go(st, out, home, V3_ADAPT_TRIAL_REVERT, now);
		if (st->backoff < k->trial_backoff)
			st->backoff++;
	}
}

void v3_adapt_decide(const struct v3_adapt_knobs *k, struct v3_adapt_state *st,
		     const struct v3_adapt_meas *m, struct v3_adapt_out *out)
{
	u64 now = m->now_ns, cost, dwell = (u64)k->min_dwell_ms * NS_PER_MS;
	u32 cur, other;
	bool dwelt;

	if (m->mode != st->active) {
		/* switched by someone else (user, failed switch): start over */
		v3_adapt_reset(st, m->mode, now);
	}
	cur = st->active;
	other = !cur;
	out->from = cur;
	out->to = cur;
	out->reason = V3_ADAPT_IDLE;

	if (m->avail_cycles < V3_ADAPT_MIN_CYCLES) {
		out->cost_ppm[0] = st->est_ppm[0];
		out->cost_ppm[1] = st->est_ppm[1];
		return;
	}

	cost = m->vmm_cycles + (m->counters ? m->walk_cycles : 0);
	if (!m->counters) {
		/* nothing sees nested paging's walks: its cost is the knob */
		st->est_ppm[V3_PAGING_NESTED] =
			(cur == V3_PAGING_NESTED ? ppm(cost, m->avail_cycles) : 0) +
			(u64)k->nested_cost_pct * 10000;
		st->est_ns[V3_PAGING_NESTED] = now;
	}
	if (st->in_trial) {
		u64 half = (u64)k->trial_ms * NS_PER_MS / 2;
		u64 pc = ppm(cost, m->avail_cycles);

		if (!st->trial_warm && k->trial_ms >= 2 * k->period_ms &&
		    (now - st->trial_start_ns <= half ||
		     (pc * 2 < st->trial_last_ppm &&
		      now - st->trial_start_ns <=
		      V3_ADAPT_WARM_MAX * 2 * half))) {
			/* warm-up: the first half, or the rebuild tailing off */
			st->trial_last_ppm = pc;
			out->cost_ppm[cur] = pc;
			out->cost_ppm[other] = st->est_ppm[other];
			out->reason = V3_ADAPT_TRIAL;
			return;
		}
		if (!st->trial_warm && k->trial_ms >= 2 * k->period_ms) {
			/* measured: trial_ms / 2 from this period's start */
			u64 end = now - (u64)k->period_ms * NS_PER_MS + half;

			if (end > st->trial_end_ns)
				st->trial_end_ns = end;
		}
		st->trial_warm = true;
		st->trial_cost += cost;
		st->trial_avail += m->avail_cycles;
		out->cost_ppm[cur] = ppm(st->trial_cost, st->trial_avail);
		out->cost_ppm[other] = st->est_ppm[other];
		if (now < st->trial_end_ns) {
			out->reason = V3_ADAPT_TRIAL;
			return;
		}
		trial_end(k, st, out, now);
		return;
	}
	if (cur == V3_PAGING_SHADOW || m->counters) {
		st->est_ppm[cur] = ppm(cost, m->avail_cycles);
		st->est_ns[cur] = now;
	}
	out->cost_ppm[0] = st->est_ppm[0];
	out->cost_ppm[1] = st->est_ppm[1];
	dwelt = now - st->since_ns >= dwell && now >= st->retry_ns;

	if (!fresh(k, st, other, now)) {
		if (!dwelt) {
			out->reason = V3_ADAPT_DWELL;
			return;
		}
		st->in_trial = true;
		st->trial_warm = false;
		st->trial_from = cur;
		st->trial_start_ns = now;
		st->trial_end_ns = now + (u64)k->trial_ms * NS_PER_MS;
		st->trial_cost = 0;
		st->trial_avail = 0;
		st->trial_last_ppm = 0;
		go(st, out, other, V3_ADAPT_TRIAL_START, now);
		return;
	}

	if (cheaper_by(st->est_ppm[other], st->est_ppm[cur], k->threshold_pct))
		st->streak++;
	else if (!cheaper_by(st->est_ppm[other], st->est_ppm[cur],
			     k->threshold_pct - k->hysteresis_pct))
		st->streak = 0;

	if (st->streak >= V3_ADAPT_CONFIRM && dwelt) {
		go(st, out, other, V3_ADAPT_CHEAPER, now);
		st->backoff = 0;
		return;
	}
	if (st->streak)
		out->reason = dwelt ? V3_ADAPT_CONFIRMING : V3_ADAPT_DWELL;
	else
		out->reason = V3_ADAPT_STAY;
}

void v3_adapt_switch_failed(const struct v3_adapt_knobs *k,
			    struct v3_adapt_state *st,
			    struct v3_adapt_out *out, u64 now_ns)
{
	u64 wait = (u64)(k->trial_interval_ms > k->min_dwell_ms ?
			 k->trial_interval_ms : k->min_dwell_ms) * NS_PER_MS;

	v3_adapt_reset(st, out->from, now_ns);
	st->retry_ns = now_ns + wait;
	out->to = out->from;
	out->reason = V3_ADAPT_SWITCH_FAILED;
}
