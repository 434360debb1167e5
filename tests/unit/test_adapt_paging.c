// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the adaptive paging policy (module/adapt/paging_policy.c):
 * a simulated VM whose per-period paging costs in each mode a test
 * scripts, fed to the pure decision function period by period.  The
 * emulated hosts cannot produce these workloads (TCG walks tables in
 * software, and has no page-walk counters), so this is where the rules
 * are exercised: TLB-miss-bound numbers move the VM to shadow, page-table
 * update-bound ones back to nested, noise inside the hysteresis band does
 * not flap, the dwell time holds, trials keep or revert.
 */
#include <stdio.h>
#include <string.h>
#include "adapt/paging_policy.h"
#include "unit.h"

#define MS	1000000ULL
#define AVAIL	100000000ULL		/* cycles per period (1 GHz, 100 ms) */
#define N	V3_PAGING_NESTED
#define S	V3_PAGING_SHADOW

static const char *const reasons[] = V3_ADAPT_REASON_NAMES;

struct sim {
	struct v3_adapt_knobs k;
	struct v3_adapt_state st;
	struct v3_adapt_out out;
	u64 now;
	bool counters;
	/* the workload: cost in % of the vCPU time, per mode */
	double vmm_pct[2], walk_pct[2];
	unsigned int switches, trials;
	unsigned int reason_count[V3_NR_ADAPT_REASONS];
};

static void sim_init(struct sim *s, u32 mode, bool counters)
{
	memset(s, 0, sizeof(*s));
	v3_adapt_defaults(&s->k);
	s->now = 1000 * MS;
	s->counters = counters;
	v3_adapt_reset(&s->st, mode, s->now);
}

/* one sampling period; returns the decision's reason */
static u32 step(struct sim *s)
{
	u32 mode = s->st.active;
	struct v3_adapt_meas m = {
		.mode = mode,
		.counters = s->counters,
		.avail_cycles = AVAIL,
		.vmm_cycles = (u64)(s->vmm_pct[mode] * AVAIL / 100),
		.walk_cycles = s->counters ?
			(u64)(s->walk_pct[mode] * AVAIL / 100) : 0,
	};

	s->now += (u64)s->k.period_ms * MS;
	m.now_ns = s->now;
	memset(&s->out, 0xa5, sizeof(s->out));
	v3_adapt_decide(&s->k, &s->st, &m, &s->out);
	if (s->out.from != mode || s->out.reason >= V3_NR_ADAPT_REASONS)
		return V3_NR_ADAPT_REASONS;	/* malformed: fails the checks */
	if (s->out.to != s->out.from)
		s->switches++;
	if (s->out.reason == V3_ADAPT_TRIAL_START)
		s->trials++;
	s->reason_count[s->out.reason]++;
	return s->out.reason;
}

/* run until the VM is in mode or n periods passed; periods used or -1 */
static int run_until(struct sim *s, u32 mode, int n)
{
	int i;

	for (i = 1; i <= n; i++) {
		step(s);
		if (s->st.active == mode)
			return i;
	}
	return -1;
}

static void run(struct sim *s, int n)
{
	while (n--)
		step(s);
}

static void test_knobs(void)
{
	struct v3_adapt_knobs k, d;

	v3_adapt_defaults(&d);
	CHECK(!v3_adapt_knobs_check(&d), "knobs: the defaults are valid");
#define BAD(field, val) do {						\
		k = d;							\
		k.field = (val);					\
		CHECK(v3_adapt_knobs_check(&k) == -EINVAL,		\
		      "knobs: %s = %u refused", #field, (unsigned int)(val)); \
	} while (0)
	BAD(period_ms, 0);
	BAD(period_ms, 9);
	BAD(period_ms, 60001);
	BAD(threshold_pct, 0);
	BAD(threshold_pct, 91);
	BAD(hysteresis_pct, d.threshold_pct + 1);
	BAD(min_dwell_ms, 3600001);
	BAD(trial_ms, 5);
	BAD(trial_interval_ms, 50);
	BAD(nested_cost_pct, 0);
	BAD(nested_cost_pct, 100);
	BAD(trial_backoff, 9);
#undef BAD
	k = d;
	k.hysteresis_pct = k.threshold_pct;
	k.min_dwell_ms = 0;
	CHECK(!v3_adapt_knobs_check(&k), "knobs: hysteresis = threshold, dwell 0 valid");
}

/* counters: a TLB-miss-bound workload in nested moves to shadow (by trial) */
static void test_tlb_bound_to_shadow(void)
{
	struct sim s;
	int i, dwell_periods;

	sim_init(&s, N, true);
	s.walk_pct[N] = 30;	/* two-dimensional walks */
	s.walk_pct[S] = 6;	/* native walks */
	s.vmm_pct[S] = 1;	/* few shadow faults: array pre-faulted */
	dwell_periods = s.k.min_dwell_ms / s.k.period_ms;
	for (i = 1; i < dwell_periods; i++)
		if (step(&s) != V3_ADAPT_DWELL || s.st.active != N)
			break;
	CHECK(i == dwell_periods, "tlb-bound: no trial within the dwell time (%d of %d periods)",
	      i, dwell_periods);
	CHECK(step(&s) == V3_ADAPT_TRIAL_START && s.st.active == S &&
	      s.out.to == S,
	      "tlb-bound: shadow's cost unknown after the dwell: trial of shadow (%s)",
	      reasons[s.out.reason]);
	CHECK_EQ(s.out.cost_ppm[N], 300000, "tlb-bound: nested cost 30 %% in ppm");
	CHECK(step(&s) == V3_ADAPT_TRIAL, "tlb-bound: trial's first period is warm-up");
	CHECK(step(&s) == V3_ADAPT_TRIAL_KEEP && s.st.active == S &&
	      s.out.to == S && s.out.from == S,
	      "tlb-bound: trial kept shadow (%s)", reasons[s.out.reason]);
	CHECK_EQ(s.out.cost_ppm[S], 70000, "tlb-bound: shadow's trial cost 7 %%");
	run(&s, 95);
	CHECK(s.st.active == S && s.switches == 1,
	      "tlb-bound: stays in shadow while nested's estimate is fresh (switches %u)",
	      s.switches);
	run(&s, 10);
	CHECK(s.trials == 2 && s.switches == 3 && s.st.active == S &&
	      s.reason_count[V3_ADAPT_TRIAL_REVERT] == 1,
	      "tlb-bound: nested's estimate stale after 10 s: trial of nested, reverted (trials %u switches %u)",
	      s.trials, s.switches);
}

/* counters: a trial of a mode that is not cheaper goes back */
static void test_trial_revert(void)
{
	struct sim s;

	sim_init(&s, N, true);
	s.walk_pct[N] = 10;
	s.walk_pct[S] = 3;
	s.vmm_pct[S] = 30;	/* fork/exec churn: costly in shadow */
	CHECK(run_until(&s, S, 20) == 10, "revert: trial of shadow after the 1 s dwell");
	run(&s, 1);
	CHECK(step(&s) == V3_ADAPT_TRIAL_REVERT && s.st.active == N &&
	      s.out.to == N && s.out.from == S,
	      "revert: shadow's 33 %% > nested's 10 %%: back to nested (%s)",
	      reasons[s.out.reason]);
	CHECK(s.st.since_ns == s.now && !s.st.in_trial,
	      "revert: dwell restarts, trial over");
	run(&s, 50);
	CHECK(s.st.active == N && s.switches == 2,
	      "revert: no new trial before trial_interval (switches %u)", s.switches);
	run(&s, 60);
	CHECK(s.trials == 1 && s.st.active == N && s.st.backoff == 1,
	      "revert: one revert doubles the interval: no trial at 10 s (trials %u backoff %u)",
	      s.trials, s.st.backoff);
	run(&s, 100);
	CHECK(s.trials == 2 && s.st.active == N && s.st.backoff == 2,
	      "revert: shadow's estimate stale after 20 s: tried again, still nested (trials %u)",
	      s.trials);
}

/*
 * The rebuild outlasting the trial's first half (a large working set on
 * the emulated host): the warm-up goes on while each period costs under
 * half the last, then trial_ms / 2 is measured; at most 4 trial lengths.
 * Default knobs: 200 ms trials, 100 ms periods.
 */
static void test_warm_tail(void)
{
	static const double tail[] = { 60, 25, 10, 4, 1 };
	struct sim s;
	unsigned int i;
	int p;

	sim_init(&s, N, false);
	p = run_until(&s, S, 20);
	CHECK(p == 10 && s.out.reason == V3_ADAPT_TRIAL_START, "tail: trial starts (%d)", p);
	for (i = 0; i < ARRAY_SIZE(tail); i++) {
		s.vmm_pct[S] = tail[i];
		step(&s);
	}
	CHECK(s.st.in_trial && !s.st.trial_warm,
	      "tail: 60, 25, 10, 4, 1 %% - each under half the last - all warm-up");
	step(&s);		/* 1 % again: measured, trial_ms / 2 = this period */
	CHECK(s.st.active == S && !s.st.in_trial && s.out.reason == V3_ADAPT_TRIAL_KEEP &&
	      s.out.cost_ppm[S] == 10000,
	      "tail: the first period no longer falling is measured: shadow kept at its settled 1 %% (%s, %llu ppm)",
	      reasons[s.out.reason], (unsigned long long)s.out.cost_ppm[S]);

	/* a cost halving for ever: the warm-up ends at 4 trial lengths (8 periods) */
	sim_init(&s, N, false);
	run_until(&s, S, 20);
	s.vmm_pct[S] = 80;
	for (i = 0; i < 12 && !s.st.trial_warm; i++) {
		step(&s);
		s.vmm_pct[S] /= 2.5;
	}
	CHECK(i == 9 && s.st.trial_warm, "tail: warm-up capped: the 9th period is measured (%u)", i);
}

/*
 * Backoff: reverting trials double the interval up to trial_backoff
 * times; a kept trial starts from trial_interval_ms again; 0 disables it.
 */
static void test_backoff(void)
{
	u64 start[8], gap[8];
	struct sim s;
	u32 t = 0, i;

	sim_init(&s, N, false);
	s.k.trial_ms = 200;
	s.vmm_pct[S] = 30;	/* shadow far dearer than nested's 5 % */
	for (i = 0; i < 6000 && t < 6; i++) {
		if (step(&s) == V3_ADAPT_TRIAL_START)
			start[t++] = s.now;
	}
	for (i = 1; i < t; i++)
		gap[i] = (start[i] - start[i - 1]) / (1000 * MS);
	CHECK(t == 6 && gap[1] == 20 && gap[2] == 40 && gap[3] == 80 &&
	      gap[4] == 80 && gap[5] == 80,
	      "backoff: trials 10 s apart doubled per revert, capped at 3 doublings (80 s): gaps %llu %llu %llu %llu %llu s",
	      (unsigned long long)gap[1], (unsigned long long)gap[2],
	      (unsigned long long)gap[3], (unsigned long long)gap[4],
	      (unsigned long long)gap[5]);
	/* the workload turns TLB-bound: the next trial keeps shadow */
	s.vmm_pct[S] = 1;
	for (i = 0; i < 2000 && s.st.active != S; i++)
		step(&s);
	run(&s, 5);
	CHECK(s.st.active == S && !s.st.in_trial && s.st.backoff == 0,
	      "backoff: a kept trial resets it (active %u backoff %u)",
	      s.st.active, s.st.backoff);

	sim_init(&s, N, false);
	s.k.trial_backoff = 0;
	s.vmm_pct[S] = 30;
	for (i = 0, t = 0; i < 2000 && t < 4; i++) {
		if (step(&s) == V3_ADAPT_TRIAL_START)
			start[t++] = s.now;
	}
	CHECK(t == 4 && (start[3] - start[2]) / (1000 * MS) == 10 &&
	      (start[2] - start[1]) / (1000 * MS) == 10,
	      "backoff: trial_backoff 0 keeps trials every trial_interval_ms");
}

/* counters: in shadow, page-table-update-bound numbers move to nested */
static void test_pt_bound_to_nested(void)
{
	struct sim s;
	int p;

	sim_init(&s, N, true);
	s.walk_pct[N] = 30;
	s.walk_pct[S] = 6;
	s.vmm_pct[S] = 1;
	CHECK(run_until(&s, S, 20) > 0, "pt-bound: starts in shadow (trial)");
	run(&s, 2);
	CHECK(s.st.active == S && !s.st.in_trial, "pt-bound: trial kept shadow");
	/* workload changes: page-table updates, nested walks rare */
	s.vmm_pct[S] = 40;
	s.walk_pct[N] = 8;
	/* nested's estimate is 30 % (measured before the trial) and fresh:
	 * shadow's 46 % is costlier, confirmed over two periods; the dwell
	 * of 1 s since the trial began holds the switch */
	p = run_until(&s, N, 40);
	CHECK(p > 0, "pt-bound: back to nested after %d periods", p);
	CHECK(s.out.reason == V3_ADAPT_CHEAPER, "pt-bound: reason cheaper (%s)",
	      reasons[s.out.reason]);
	CHECK(s.st.since_ns - s.st.trial_start_ns >= s.k.min_dwell_ms * MS,
	      "pt-bound: after the dwell time");
	CHECK(s.reason_count[V3_ADAPT_DWELL] > 0,
	      "pt-bound: dwell reported while waiting (%u)",
	      s.reason_count[V3_ADAPT_DWELL]);
	/* now nested measures 8 %: shadow's 46 % estimate keeps it there */
	run(&s, 80);
	CHECK(s.st.active == N && s.switches == 2,
	      "pt-bound: stays nested (switches %u)", s.switches);
}

/* dwell: a mode entered now is not left before min_dwell_ms */
static void test_dwell(void)
{
	struct sim s;
	int p;

	sim_init(&s, S, true);
	s.k.min_dwell_ms = 3000;
	s.walk_pct[S] = 1;
	s.vmm_pct[S] = 50;
	s.walk_pct[N] = 5;
	/* nested's cost known and fresh */
	s.st.est_ppm[N] = 50000;
	s.st.est_ns[N] = s.now;
	p = run_until(&s, N, 100);
	CHECK(p == 30, "dwell: 3 s dwell = 30 periods before leaving shadow (%d)", p);
	s.vmm_pct[S] = 0;
	s.walk_pct[S] = 1;
	p = run_until(&s, S, 400);
	/* the other side's estimate (shadow 51 %) is fresh for 10 s: then a
	 * trial, no earlier than the dwell */
	CHECK(p >= 30, "dwell: no trial back to shadow within the dwell (%d)", p);
}

/* noise inside the hysteresis band, and single spikes, do not flap */
static void test_noise(void)
{
	struct sim s;
	int i;

	sim_init(&s, N, true);
	s.k.min_dwell_ms = 0;
	s.walk_pct[N] = 10;
	/* shadow's estimate fresh: 9.1..9.4 % against nested's 10 %:
	 * advantage 6..9 %, inside the band 5..10 % */
	s.st.est_ppm[S] = 92000;
	s.st.est_ns[S] = s.now;
	s.k.trial_interval_ms = 3600000;
	for (i = 0; i < 300; i++) {
		s.walk_pct[N] = 10 + (i % 3) * 0.03;
		step(&s);
	}
	CHECK(s.switches == 0 && s.st.active == N,
	      "noise: advantage inside the band: no switch in 300 periods (%u)",
	      s.switches);
	/* a spike above the threshold, then far below: count restarts */
	for (i = 0; i < 300; i++) {
		s.walk_pct[N] = (i & 1) ? 9.3 : 12;
		step(&s);
	}
	CHECK(s.switches == 0, "noise: alternating spikes never confirm (%u)",
	      s.switches);
	/* one above, one in the band: the band holds the count, second above switches */
	s.walk_pct[N] = 12;
	step(&s);
	s.walk_pct[N] = 9.9;
	CHECK(step(&s) == V3_ADAPT_CONFIRMING, "noise: a period in the band holds the count");
	s.walk_pct[N] = 12;
	step(&s);
	CHECK(s.switches == 1 && s.st.active == S && s.out.reason == V3_ADAPT_CHEAPER,
	      "noise: sustained advantage switches (%s)", reasons[s.out.reason]);
}

/* no counters: nested's cost is the knob, shadow measured by trials */
static void test_trial_measure(void)
{
	struct sim s;
	int p;

	sim_init(&s, N, false);
	s.vmm_pct[S] = 1;	/* TLB-bound in shadow: cheap */
	p = run_until(&s, S, 30);
	CHECK(p == 10 && s.out.reason == V3_ADAPT_TRIAL_START,
	      "trial: first trial of shadow after the dwell (%d)", p);
	CHECK_EQ(s.out.cost_ppm[N], 50000, "trial: nested taken as nested_cost_pct = 5 %%");
	run(&s, 2);
	CHECK(s.st.active == S && s.out.reason == V3_ADAPT_TRIAL_KEEP,
	      "trial: shadow at 1 %% kept (%s)", reasons[s.out.reason]);
	run(&s, 200);
	CHECK(s.st.active == S && s.switches == 1,
	      "trial: stays shadow, no trials of nested (switches %u)", s.switches);
	s.vmm_pct[S] = 25;	/* page-table churn */
	p = run_until(&s, N, 10);
	CHECK(p == V3_ADAPT_CONFIRM && s.out.reason == V3_ADAPT_CHEAPER,
	      "trial: shadow at 25 %% > 5 %%: nested after %d periods", p);
	/* shadow's 25 % fresh for trial_interval, then a trial that reverts */
	run(&s, 100);
	CHECK(s.trials == 1 && s.st.active == N, "trial: no trial within 10 s");
	run(&s, 50);
	CHECK(s.trials == 2 && s.st.active == N &&
	      s.reason_count[V3_ADAPT_TRIAL_REVERT] == 1,
	      "trial: stale estimate: tried shadow again, reverted (trials %u)", s.trials);
	/* warm-up period ignored: a costly first trial period does not count */
	s.vmm_pct[S] = 1;
	p = run_until(&s, S, 200);
	CHECK(p > 0, "trial: third trial starts");
	s.vmm_pct[S] = 90;
	step(&s);		/* warm-up */
	s.vmm_pct[S] = 1;
	step(&s);		/* under half the last: the rebuild's tail */
	CHECK(s.st.in_trial && !s.st.trial_warm,
	      "trial: a period under half the warm-up's cost is warm-up too");
	step(&s);
	CHECK(s.st.active == S && s.out.reason == V3_ADAPT_TRIAL_KEEP,
	      "trial: warm-up period's 90 %% ignored (%s)", reasons[s.out.reason]);
}

/*
 * A long trial's first half is warm-up: the shadow tables of a large
 * working set are rebuilt there (on the emulated host a second of fill
 * faults at a third of the vCPU time), and only the second half is the
 * workload's cost.  Trials of 2 s, 100 ms periods, no dwell.
 */
static void test_long_trial(void)
{
	struct sim s;
	int i, p;

	sim_init(&s, N, false);
	s.k.trial_ms = 2000;
	s.k.min_dwell_ms = 0;
	s.k.trial_interval_ms = 1000;
	s.vmm_pct[S] = 35;	/* filling the shadow tables */
	p = run_until(&s, S, 5);
	CHECK(p == 1 && s.out.reason == V3_ADAPT_TRIAL_START,
	      "long trial: starts at once without dwell (%d)", p);
	for (i = 0; i < 10; i++)
		if (step(&s) != V3_ADAPT_TRIAL)
			break;
	CHECK(i == 10 && s.st.in_trial && !s.st.trial_warm,
	      "long trial: the 10 periods of the first second are warm-up (%d)", i);
	s.vmm_pct[S] = 0.5;	/* filled: TLB misses are native */
	step(&s);
	CHECK(s.st.in_trial && !s.st.trial_warm,
	      "long trial: the 11th period, under half the 10th's cost (the fill tailing off), is warm-up too");
	step(&s);
	CHECK(s.st.trial_warm && s.st.trial_cost == 500000,
	      "long trial: the 12th, cost no longer falling, is the first measured (cost %llu)",
	      (unsigned long long)s.st.trial_cost);
	for (i = 0; i < 8; i++)
		step(&s);
	CHECK(s.st.in_trial && s.out.reason == V3_ADAPT_TRIAL,
	      "long trial: still measuring 0.9 s into the measured second (%s)", reasons[s.out.reason]);
	step(&s);
	CHECK(s.st.active == S && s.out.reason == V3_ADAPT_TRIAL_KEEP &&
	      s.out.cost_ppm[S] == 5000 && s.out.cost_ppm[N] == 50000,
	      "long trial: kept at 0.5 %% < 5 %%, the fill not charged (%s, %llu ppm)",
	      reasons[s.out.reason], (unsigned long long)s.out.cost_ppm[S]);

	/* a workload that costs 35 % all along (page-table churn) */
	sim_init(&s, N, false);
	s.k.trial_ms = 2000;
	s.k.min_dwell_ms = 0;
	s.k.trial_interval_ms = 1000;
	s.vmm_pct[S] = 35;
	run_until(&s, S, 5);
	p = run_until(&s, N, 40);
	CHECK(p == 20 && s.out.reason == V3_ADAPT_TRIAL_REVERT &&
	      s.out.cost_ppm[S] == 350000,
	      "long trial: steady 35 %% reverts after 2 s (%d periods, %s, %llu ppm)",
	      p, reasons[s.out.reason], (unsigned long long)s.out.cost_ppm[S]);
	/* a costly period in the second half counts */
	s.vmm_pct[S] = 0.5;
	p = run_until(&s, S, 40);
	CHECK(p > 0 && s.st.in_trial, "long trial: next trial after trial_interval (%d)", p);
	run(&s, 19);
	s.vmm_pct[S] = 90;
	step(&s);
	CHECK(s.st.active == N && s.out.reason == V3_ADAPT_TRIAL_REVERT,
	      "long trial: a 90 %% period in the second half counts: reverted (%s)",
	      reasons[s.out.reason]);
}

/* one-period trials; idle periods; failures; external switches */
static void test_edges(void)
{
	struct sim s;
	struct v3_adapt_meas m = { .mode = N, .avail_cycles = 1000 };
	struct v3_adapt_state before;

	sim_init(&s, N, false);
	s.k.trial_ms = s.k.period_ms;	/* one period: no warm-up skipped */
	s.vmm_pct[S] = 90;
	run_until(&s, S, 20);
	CHECK(step(&s) == V3_ADAPT_TRIAL_REVERT,
	      "edge: one-period trial ends at its first sample (%s)", reasons[s.out.reason]);

	before = s.st;
	m.now_ns = s.now + 100 * MS;
	v3_adapt_decide(&s.k, &s.st, &m, &s.out);
	CHECK(s.out.reason == V3_ADAPT_IDLE && s.out.to == N &&
	      !memcmp(&before, &s.st, sizeof(before)),
	      "edge: too few cycles: idle, state untouched");

	s.out = (struct v3_adapt_out){ .from = N, .to = S, .reason = V3_ADAPT_CHEAPER };
	s.st.active = S;
	s.k.min_dwell_ms = 0;
	v3_adapt_switch_failed(&s.k, &s.st, &s.out, s.now);
	CHECK(s.st.active == N && s.out.to == N &&
	      s.out.reason == V3_ADAPT_SWITCH_FAILED && s.st.since_ns == s.now,
	      "edge: failed switch: stays, dwell restarts");
	s.switches = s.trials = 0;
	s.vmm_pct[S] = 1;
	{
		int p = run_until(&s, S, 200);

		CHECK(p == 100 && s.out.reason == V3_ADAPT_TRIAL_START,
		      "edge: after a failed switch no new try for trial_interval (10 s), dwell 0 (%d)", p);
	}
	s.st.active = N;
	s.st.in_trial = false;

	sim_init(&s, N, true);
	s.st.streak = 1;
	s.st.active = S;	/* the policy thinks shadow... */
	step(&s);		/* ...the period ran nested: user switched */
	CHECK(s.st.active == S && s.out.from == S, "edge: step measures the policy's mode");
	m = (struct v3_adapt_meas){ .mode = N, .avail_cycles = AVAIL,
				    .now_ns = s.now + 100 * MS };
	v3_adapt_decide(&s.k, &s.st, &m, &s.out);
	CHECK(s.st.active == N && s.out.from == N && s.st.streak == 0 &&
	      s.out.reason == V3_ADAPT_DWELL,
	      "edge: a period in another mode than the policy's: state restarts (%s)",
	      reasons[s.out.reason]);

	/* both modes free: nothing to gain, no switching */
	sim_init(&s, N, true);
	s.k.min_dwell_ms = 0;
	run(&s, 100);
	CHECK(s.switches == 2 && s.st.active == N,
	      "edge: zero costs: one trial, reverted, then nothing (switches %u)",
	      s.switches);
}

int main(void)
{
	test_knobs();
	test_tlb_bound_to_shadow();
	test_trial_revert();
	test_backoff();
	test_pt_bound_to_nested();
	test_dwell();
	test_noise();
	test_trial_measure();
	test_long_trial();
	test_warm_tail();
	test_edges();
	return unit_done();
}
