/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The adaptive paging policy as a pure function: measurements, knobs and
 * the policy's state in; a decision and its reason out.  No locks, no
 * clocks, no hardware: paging.c feeds it once per sampling period, the
 * unit test (tests/unit/test_adapt_paging.c) feeds it synthetic numbers.
 *
 * Cost model.  Each mode's cost is its paging overhead in parts per
 * million of the cycles the vCPUs had in the period:
 *   shadow  the VMM's paging exits (#PF, CR access, INVLPG): their
 *           handling cycles, counted exactly by vcpu.c, plus a world
 *           switch each; plus the guest's page-walk cycles where counted.
 *   nested  the guest's page-walk cycles (two-dimensional walks, AMD APM
 *           vol. 2 15.25.5) where a guest-only counter exists; where none
 *           does, the walks cannot be seen from the VMM and nested paging
 *           is taken to cost nested_cost_pct of the vCPU time, while
 *           shadow's cost is measured by a trial: the VM runs shadow for
 *           trial_ms and keeps it when that measured cost is lower.
 * A trial of two periods or more ignores the periods that end in its
 * first half (at least its first period): switching mode drops the shadow
 * tables (or the TLB's nested entries), and those periods pay for
 * rebuilding them, a cost of the switch, not of the workload.  Where the
 * rebuild outlasts that half (a large working set on a host where each
 * fill fault is dear), the warm-up goes on while each period's cost is
 * still under half the one before (the rebuild tailing off), for at most
 * V3_ADAPT_WARM_MAX trial lengths, and the trial then measures trial_ms / 2
 * from the first period that was not.  How long
 * a rebuild takes is the workload's (working set / fault cost): on an
 * emulated host, where a shadow fill fault costs tens of microseconds,
 * 16k pages take about a second, so trial_ms must cover twice that; the
 * rebuild's cost is not charged to the mode (hysteresis, min_dwell_ms and
 * trial_interval_ms bound how often it is paid).
 * A mode not running carries its latest estimate; when that is older
 * than trial_interval_ms (and nothing else can refresh it), a trial of
 * that mode measures it again.  Each trial that reverts doubles that
 * interval, up to trial_interval_ms << trial_backoff (as KVM's halt-polling
 * window grows while polling fails): a workload the trials keep showing
 * nested paging suits pays for fewer and fewer of them, where a trial
 * rebuilds the shadow tables of a whole guest.  A trial that keeps the
 * mode, or a switch on measured cost, starts from trial_interval_ms again.
 *
 * Switching: the other mode must be cheaper by threshold_pct for
 * V3_ADAPT_CONFIRM periods in a row; a period where its advantage is
 * below threshold_pct - hysteresis_pct starts the count again, one inside
 * that band neither counts nor resets (a Schmitt trigger: noise around
 * the threshold cannot flap the mode).  No switch, trial or not, before
 * min_dwell_ms in the active mode.
 */
#ifndef V3_ADAPT_PAGING_POLICY_H
#define V3_ADAPT_PAGING_POLICY_H

#include <linux/types.h>
#include "v3vmm.h"

#define V3_ADAPT_CONFIRM	2	/* periods in a row before a switch */
#define V3_ADAPT_WARM_MAX	4	/* a trial's warm-up: at most 4 x trial_ms */
/* less than this many cycles available in a period: nothing measured */
#define V3_ADAPT_MIN_CYCLES	1000000ULL

struct v3_adapt_knobs {
	u32 period_ms;		/* sampling period */
	u32 threshold_pct;	/* how much cheaper the other mode must be */
	u32 hysteresis_pct;	/* dead band below the threshold */
	u32 min_dwell_ms;	/* least time in a mode before leaving it */
	u32 trial_ms;		/* length of a trial of the other mode */
	u32 trial_interval_ms;	/* oldest estimate used without a new trial */
	u32 nested_cost_pct;	/* nested paging's cost when no counter measures it */
	u32 trial_backoff;	/* reverting trials double the interval, this many times */
};

/* One sampling period, all of it spent in one mode */
struct v3_adapt_meas {
	u64 now_ns;		/* end of the period */
	u32 mode;		/* V3_PAGING_NESTED or V3_PAGING_SHADOW */
	bool counters;		/* walk_cycles is measured */
	u64 avail_cycles;	/* cycles the vCPUs could run in the period */
	u64 vmm_cycles;		/* paging exits: handling + world switches */
	u64 walk_cycles;	/* guest page-walk cycles (counters only) */
};

struct v3_adapt_state {
	u32 active;		/* mode the VM runs in */
	u64 since_ns;		/* in it since */
	u64 est_ppm[2];		/* each mode's latest cost */
	u64 est_ns[2];		/* when measured; 0: never */
	u32 streak;		/* periods in a row the other mode won */
	bool in_trial;
	bool trial_warm;	/* the trial's warm-up (first half) is over */
	u32 trial_from;		/* mode to go back to */
	u64 trial_start_ns, trial_end_ns;
	u64 trial_cost, trial_avail;	/* summed over the trial's periods */
	u64 trial_last_ppm;	/* the last warm-up period's cost */
	u64 retry_ns;		/* after a failed switch: none before */
	u32 backoff;		/* trials that reverted in a row (<= trial_backoff) */
};

struct v3_adapt_out {
	u32 from, to;		/* to != from: the caller switches now */
	u32 reason;		/* enum v3_adapt_reason */
	u64 cost_ppm[2];	/* the estimates the decision used */
};

void v3_adapt_defaults(struct v3_adapt_knobs *k);
/* 0 or -EINVAL: each knob within its range */
int v3_adapt_knobs_check(const struct v3_adapt_knobs *k);
void v3_adapt_reset(struct v3_adapt_state *st, u32 active, u64 now_ns);
void v3_adapt_decide(const struct v3_adapt_knobs *k, struct v3_adapt_state *st,
		     const struct v3_adapt_meas *m, struct v3_adapt_out *out);
/*
 * the switch the decision asked for failed: the VM stays in out->from and
 * the policy tries no switch for trial_interval_ms (or the dwell time)
 */
void v3_adapt_switch_failed(const struct v3_adapt_knobs *k,
			    struct v3_adapt_state *st,
			    struct v3_adapt_out *out, u64 now_ns);

#endif
