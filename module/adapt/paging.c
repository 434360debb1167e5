// SPDX-License-Identifier: GPL-2.0
/*
 * The adaptive paging service: a VM's paging mode as asked for (nested,
 * shadow, or adaptive), and in adaptive mode a sampler that measures each
 * period's paging cost and lets the policy (paging_policy.c) pick the
 * mode, switched with v3_mmu_set_mode() (module/mmu/mmu.h).
 *
 * What one period measures, per VM:
 *   - the cycles the vCPUs had: the CPU time their threads ran (halted
 *     vCPUs sleep and do not count), converted with the TSC rate;
 *   - the VMM's paging work: the exits shadow paging adds (#PF exceptions,
 *     CR accesses, INVLPG), their handling cycles as vcpu.c counts them,
 *     plus one world switch each (V3_ADAPT_EXIT_CYCLES);
 *   - where a guest-only counter exists, the guest's table walks
 *     (paging_perf.c); else nested paging's walks are not seen and the
 *     policy measures by trials (sysfs "measure").
 * A period in which the mode changed (a switch by anyone) or the VM was
 * not running is not measured.
 *
 * Locking: set_lock serializes mode changes; lock guards the knobs, the
 * policy state and the decisions, and is held by the sampler while it
 * switches, so a switch and a mode change never interleave.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <asm/tsc.h>
#include "v3.h"
#include "mmu/mmu.h"
#include "adapt.h"
#include "paging.h"
#include "paging_policy.h"
#include "paging_perf.h"

/*
 * A #VMEXIT/VMRUN round trip (or VM exit/VM entry) on recent CPUs: about
 * a thousand cycles; an estimate added to each paging exit, whose
 * handling cycles vcpu.c measures only from the exit on.
 */
#define V3_ADAPT_EXIT_CYCLES	1000
#define V3_PAGING_RING		16

static const char *const v3_paging_names[] = V3_PAGING_NAMES;
static const char *const v3_adapt_reason_names[] = V3_ADAPT_REASON_NAMES;

struct v3_paging_snap {
	u64 run_ns;		/* CPU time of the vCPU threads */
	u64 exits, exit_cycles;	/* paging exits */
	u64 walks;
	u64 switches;
	u32 mode;
};

struct v3_paging_vm {
	struct v3_vm *vm;
	struct mutex set_lock;
	struct mutex lock;
	u32 mode;			/* V3_PAGING_*: the setting */
	bool stopping;			/* VM being destroyed */
	struct v3_adapt_knobs knobs;
	struct v3_adapt_state st;
	struct delayed_work work;
	u32 measure;			/* enum v3_paging_measure */
	struct v3_walk_counters walk;
	bool have_base;
	struct v3_paging_snap base;
	struct v3_paging_decision last;
	struct v3_paging_decision ring[V3_PAGING_RING];
	unsigned int ring_next, ring_len;
	/* the sampler's own cost: periods sampled, the time from the snapshot
	 * to the decision (a switch it makes is the switch's cost) */
	u64 samples, sampler_ns;
};

static struct workqueue_struct *v3_paging_wq;
static unsigned int v3_paging_slot;
static u32 v3_paging_default_mode;

char *v3_paging_default = "nested";

static struct v3_paging_vm *pv_of(struct v3_vm *vm)
{
	return vm->adapt[v3_paging_slot];
}

/* ------------------------------------------------------- switching */

/*
 * The backend loads either mode (set_paging) and can reflect a guest's
 * page fault (inject_pf): what shadow paging needs of it (mmu/mmu.h).
 */
bool v3_paging_switchable(void)
{
	return v3_arch->set_paging && v3_arch->inject_pf;
}

static u64 v3_paging_caps(void)
{
	return v3_paging_switchable() ? V3_CAP_PAGING_SWITCH : 0;
}

static void v3_paging_record(struct v3_paging_vm *pv,
			     const struct v3_adapt_out *out, u64 now)
{
	struct v3_paging_decision d = {
		.time_ns = now, .from = out->from, .to = out->to,
		.reason = out->reason,
		.cost_ppm = { out->cost_ppm[0], out->cost_ppm[1] },
	};

	pv->last = d;
	if (d.from == d.to && d.reason != V3_ADAPT_TRIAL_KEEP &&
	    d.reason != V3_ADAPT_SWITCH_FAILED)
		return;
	pv->ring[pv->ring_next] = d;
	pv->ring_next = (pv->ring_next + 1) % V3_PAGING_RING;
	if (pv->ring_len < V3_PAGING_RING)
		pv->ring_len++;
}

/* ------------------------------------------------------- measuring */

static void v3_paging_snap(struct v3_paging_vm *pv, struct v3_paging_snap *s)
{
	struct v3_vm *vm = pv->vm;
	struct v3_mmu_stats stats;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct v3_vcpu *vcpu = vm->vcpus[i];
		struct task_struct *t = READ_ONCE(vcpu->thread);

		/* threads live until teardown, which stops us first */
		if (t)
			s->run_ns += READ_ONCE(t->se.sum_exec_runtime);
		s->exits += READ_ONCE(vcpu->exits[V3_EXIT_EXCEPTION]) +
			    READ_ONCE(vcpu->exits[V3_EXIT_CR_ACCESS]) +
			    READ_ONCE(vcpu->exits[V3_EXIT_INVLPG]);
		s->exit_cycles +=
			READ_ONCE(vcpu->exit_cycles[V3_EXIT_EXCEPTION]) +
			READ_ONCE(vcpu->exit_cycles[V3_EXIT_CR_ACCESS]) +
			READ_ONCE(vcpu->exit_cycles[V3_EXIT_INVLPG]);
	}
	if (pv->walk.nr)
		s->walks = v3_walk_counters_read(&pv->walk);
	v3_mmu_get_stats(vm, &stats);
	s->switches = stats.switches;
	s->mode = v3_mmu_mode(vm);
}

/* first sample of a running VM: its counters, if the CPU has them */
static void v3_paging_measure_init(struct v3_paging_vm *pv)
{
	int ret;

	if (pv->measure != V3_MEASURE_NONE)
		return;
	ret = v3_walk_counters_open(pv->vm, &pv->walk);
	pv->measure = ret ? V3_MEASURE_TRIAL : V3_MEASURE_COUNTERS;
	v3_info("%s: adaptive paging measures by %s%s\n", pv->vm->name,
		ret ? "trials" : "guest-only page-walk counters",
		ret == -EOPNOTSUPP ? " (no page-walk event on this CPU and backend)" :
		ret ? " (perf refused the counters)" : "");
}

static void v3_paging_tick(struct work_struct *w)
{
	struct v3_paging_vm *pv = container_of(to_delayed_work(w),
					       struct v3_paging_vm, work);
	struct v3_vm *vm = pv->vm;
	struct v3_adapt_meas m = {};
	struct v3_adapt_out out;
	struct v3_paging_snap s;
	int state, ret;
	u64 now;

	mutex_lock(&pv->lock);
	if (pv->mode != V3_PAGING_ADAPTIVE || pv->stopping)
		goto out;
	state = READ_ONCE(vm->state);
	if (state == V3_STATE_STOPPED)
		goto out;		/* never runs again */
	if (state != V3_STATE_RUNNING) {
		pv->have_base = false;
		goto rearm;
	}
	v3_paging_measure_init(pv);
	now = ktime_get_ns();
	v3_paging_snap(pv, &s);
	pv->samples++;
	if (!pv->have_base || s.switches != pv->base.switches ||
	    s.mode != pv->base.mode) {
		pv->base = s;
		pv->have_base = true;
		pv->sampler_ns += ktime_get_ns() - now;
		goto rearm;
	}
	m.now_ns = now;
	m.mode = s.mode;
	m.counters = pv->measure == V3_MEASURE_COUNTERS;
	m.avail_cycles = mul_u64_u32_div(s.run_ns - pv->base.run_ns,
					 tsc_khz, 1000000);
	m.vmm_cycles = s.exit_cycles - pv->base.exit_cycles +
		       (s.exits - pv->base.exits) * V3_ADAPT_EXIT_CYCLES;
	m.walk_cycles = v3_walk_cycles(&pv->walk, s.walks - pv->base.walks,
				       s.mode);
	pv->base = s;

	v3_adapt_decide(&pv->knobs, &pv->st, &m, &out);
	pv->sampler_ns += ktime_get_ns() - now;
	if (out.to != out.from) {
		ret = v3_mmu_set_mode(vm, out.to);
		if (ret) {
			pr_info_ratelimited(V3_PR_PREFIX "%s: adaptive paging could not switch to %s (%d)\n",
					    vm->name, v3_paging_names[out.to], ret);
			v3_adapt_switch_failed(&pv->knobs, &pv->st, &out, now);
		}
		/* the switch's own cost is not the next period's */
		v3_paging_snap(pv, &pv->base);
	}
	v3_paging_record(pv, &out, now);
rearm:
	queue_delayed_work(v3_paging_wq, &pv->work,
			   msecs_to_jiffies(pv->knobs.period_ms));
out:
	mutex_unlock(&pv->lock);
}

/* ------------------------------------------------------- the doors */

int v3_paging_set_mode(struct v3_vm *vm, u32 mode)
{
	struct v3_paging_vm *pv = pv_of(vm);
	u32 old;
	int ret = 0;

	if (mode >= V3_NR_PAGING_MODES)
		return -EINVAL;
	if (mode != V3_PAGING_NESTED && !v3_paging_switchable())
		return -EOPNOTSUPP;

	mutex_lock(&pv->set_lock);
	mutex_lock(&pv->lock);
	if (pv->stopping) {
		mutex_unlock(&pv->lock);
		ret = -ENOENT;
		goto out;
	}
	old = pv->mode;
	pv->mode = mode;	/* a sampler running now sees it and stops */
	mutex_unlock(&pv->lock);
	cancel_delayed_work_sync(&pv->work);

	if (mode != V3_PAGING_ADAPTIVE && v3_mmu_mode(vm) != mode)
		ret = v3_mmu_set_mode(vm, mode);

	mutex_lock(&pv->lock);
	if (ret)
		pv->mode = old;
	if (pv->mode == V3_PAGING_ADAPTIVE) {
		/* a new start: nothing measured yet in either mode */
		v3_adapt_reset(&pv->st, v3_mmu_mode(vm), ktime_get_ns());
		pv->have_base = false;
		queue_delayed_work(v3_paging_wq, &pv->work,
				   msecs_to_jiffies(pv->knobs.period_ms));
	}
	mutex_unlock(&pv->lock);
out:
	mutex_unlock(&pv->set_lock);
	return ret;
}

void v3_paging_fill(struct v3_vm *vm, struct v3_paging *p)
{
	struct v3_paging_vm *pv = pv_of(vm);
	struct v3_mmu_stats s;

	v3_mmu_get_stats(vm, &s);
	mutex_lock(&pv->lock);
	p->mode = pv->mode;
	p->measure = pv->mode == V3_PAGING_ADAPTIVE ? pv->measure :
		     V3_MEASURE_NONE;
	p->last = pv->last;
	mutex_unlock(&pv->lock);
	p->active = v3_mmu_mode(vm);
	p->switches = s.switches;
	p->shadow_faults = s.shadow_faults;
	p->guest_faults = s.guest_faults;
	p->wp_emulations = s.wp_emulations;
	p->cr3_switches = s.cr3_switches;
	p->invlpgs = s.invlpgs;
	p->shadow_pages = s.shadow_pages;
	p->switch_ns_last = s.switch_ns_last;
	p->switch_ns_max = s.switch_ns_max;
	p->fault_cycles = s.fault_cycles;
	p->shadow_prefetches = s.shadow_prefetches;
	p->wp_noprogress = s.wp_noprogress;
}

u32 v3_paging_mode(struct v3_vm *vm)
{
	return READ_ONCE(pv_of(vm)->mode);
}

u32 v3_paging_measure(struct v3_vm *vm)
{
	struct v3_paging_vm *pv = pv_of(vm);

	return READ_ONCE(pv->mode) == V3_PAGING_ADAPTIVE ?
	       READ_ONCE(pv->measure) : V3_MEASURE_NONE;
}

static u32 *v3_knob(struct v3_adapt_knobs *k, unsigned int knob)
{
	switch (knob) {
	case V3_KNOB_PERIOD_MS:		return &k->period_ms;
	case V3_KNOB_THRESHOLD_PCT:	return &k->threshold_pct;
	case V3_KNOB_HYSTERESIS_PCT:	return &k->hysteresis_pct;
	case V3_KNOB_MIN_DWELL_MS:	return &k->min_dwell_ms;
	case V3_KNOB_TRIAL_MS:		return &k->trial_ms;
	case V3_KNOB_TRIAL_INTERVAL_MS:	return &k->trial_interval_ms;
	case V3_KNOB_NESTED_COST_PCT:	return &k->nested_cost_pct;
	case V3_KNOB_TRIAL_BACKOFF:	return &k->trial_backoff;
	}
	return NULL;
}

u32 v3_paging_knob_get(struct v3_vm *vm, unsigned int knob)
{
	struct v3_paging_vm *pv = pv_of(vm);
	u32 *p = v3_knob(&pv->knobs, knob);

	return p ? READ_ONCE(*p) : 0;
}

int v3_paging_knob_set(struct v3_vm *vm, unsigned int knob, u32 val)
{
	struct v3_paging_vm *pv = pv_of(vm);
	struct v3_adapt_knobs k;
	u32 *p;
	int ret;

	mutex_lock(&pv->lock);
	k = pv->knobs;
	p = v3_knob(&k, knob);
	ret = -EINVAL;
	if (p) {
		*p = val;
		ret = v3_adapt_knobs_check(&k);
	}
	if (!ret)
		pv->knobs = k;	/* the next period uses them */
	mutex_unlock(&pv->lock);
	return ret;
}

void v3_paging_sampler_stats(struct v3_vm *vm, u64 *samples, u64 *ns)
{
	struct v3_paging_vm *pv = pv_of(vm);

	mutex_lock(&pv->lock);
	*samples = pv->samples;
	*ns = pv->sampler_ns;
	mutex_unlock(&pv->lock);
}

/* "t=NS from=nested to=shadow reason=trial-start nested_ppm=N shadow_ppm=N" */
int v3_paging_decisions_show(struct v3_vm *vm, char *buf)
{
	struct v3_paging_vm *pv = pv_of(vm);
	unsigned int i, idx;
	int len = 0;

	mutex_lock(&pv->lock);
	for (i = 0; i < pv->ring_len; i++) {
		const struct v3_paging_decision *d;

		idx = (pv->ring_next + V3_PAGING_RING - pv->ring_len + i) %
		      V3_PAGING_RING;
		d = &pv->ring[idx];
		len += sysfs_emit_at(buf, len, "t=%llu from=%s to=%s reason=%s nested_ppm=%llu shadow_ppm=%llu\n",
				     d->time_ns, v3_paging_names[d->from],
				     v3_paging_names[d->to],
				     v3_adapt_reason_names[d->reason],
				     d->cost_ppm[V3_PAGING_NESTED],
				     d->cost_ppm[V3_PAGING_SHADOW]);
	}
	mutex_unlock(&pv->lock);
	return len;
}

/* ------------------------------------------------------- the service */

static int v3_paging_parse(const char *s, u32 *mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v3_paging_names); i++)
		if (sysfs_streq(s, v3_paging_names[i])) {
			*mode = i;
			return 0;
		}
	return -EINVAL;
}

static int v3_paging_init(void)
{
	if (v3_paging_parse(v3_paging_default, &v3_paging_default_mode)) {
		v3_err("paging= must be nested, shadow or adaptive, not '%s'\n",
		       v3_paging_default);
		return -EINVAL;
	}
	if (v3_paging_default_mode != V3_PAGING_NESTED &&
	    !v3_paging_switchable()) {
		v3_err("paging=%s: the %s backend has no shadow paging here\n",
		       v3_paging_default, v3_arch->name);
		return -EINVAL;
	}
	v3_paging_wq = alloc_workqueue("v3vmm-paging", WQ_UNBOUND, 0);
	return v3_paging_wq ? 0 : -ENOMEM;
}

static void v3_paging_exit(void)
{
	destroy_workqueue(v3_paging_wq);
}

static int v3_paging_attach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_paging_vm *pv = kzalloc(sizeof(*pv), V3_GFP_ACCOUNT);
	int ret;

	if (!pv)
		return -ENOMEM;
	v3_paging_slot = slot;
	pv->vm = vm;
	mutex_init(&pv->set_lock);
	mutex_init(&pv->lock);
	INIT_DELAYED_WORK(&pv->work, v3_paging_tick);
	v3_adapt_defaults(&pv->knobs);
	/* the mode mmu.c created it in: nested; paging= moves it below */
	pv->mode = v3_mmu_mode(vm);
	vm->adapt[slot] = pv;
	ret = 0;
	if (v3_paging_default_mode != V3_PAGING_NESTED)
		ret = v3_paging_set_mode(vm, v3_paging_default_mode);
	if (ret) {
		vm->adapt[slot] = NULL;
		kfree(pv);
	}
	return ret;
}

static void v3_paging_detach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_paging_vm *pv = vm->adapt[slot];

	mutex_lock(&pv->set_lock);
	mutex_lock(&pv->lock);
	pv->stopping = true;
	mutex_unlock(&pv->lock);
	cancel_delayed_work_sync(&pv->work);
	mutex_unlock(&pv->set_lock);
	/* before the vCPU threads the counters are attached to go away */
	v3_walk_counters_close(&pv->walk);
}

static void v3_paging_free(struct v3_vm *vm, unsigned int slot)
{
	kfree(vm->adapt[slot]);
	vm->adapt[slot] = NULL;
}

const struct v3_adapt_service v3_paging_service = {
	.name = "paging",
	.init = v3_paging_init,
	.exit = v3_paging_exit,
	.vm_attach = v3_paging_attach,
	.vm_detach = v3_paging_detach,
	.vm_free = v3_paging_free,
	.caps = v3_paging_caps,
};
