// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU placement service (issue #13): a per-VM sampler that measures
 * what placement needs, lets the policy (place_policy.c) say where each
 * vCPU should run and moves them with v3_vcpu_place() (placement.c).
 *
 * What one period measures, per VM:
 *   - each vCPU's busy share: the CPU time its thread ran over the period
 *     (a halted vCPU sleeps and does not run);
 *   - IPIs per second between every two vCPUs, from the matrix the local
 *     APIC keeps (devices/lapic.c, struct v3_vcpu.ipis_sent);
 *   - the load other tasks put on each candidate host CPU: its busy time
 *     in the kernel's per-CPU accounting (kcpustat) less the time this
 *     VM's vCPU threads ran there.  A vCPU is taken to have run on the CPU
 *     it is pinned to, or else on the CPU of its last entry.
 * A period in which the VM was not running all along is not measured.
 *
 * The policy runs every period; v3_place_filter() carries out only moves
 * it proposed the same several periods in a row, at most max_moves per
 * period, never a vCPU moved less than min_dwell_ms ago.  The moves, with
 * the numbers behind each, go to a ring read as sysfs "decisions"; the
 * sampler's own time (snapshot to decision, not the moves) is counted
 * and shown per second of guest time.
 *
 * Locking: lock guards the knobs, the sampler's state and the ring; the
 * sampler holds it while it moves vCPUs (v3_vcpu_place() takes vm->lock,
 * which nothing holds while taking lock).  Detach runs before teardown
 * takes vm->lock.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/kernel_stat.h>
#include <linux/kobject.h>
#include <linux/cpumask.h>
#include <linux/topology.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "v3.h"
#include "adapt.h"
#include "place.h"
#include "place_policy.h"
#include "mem_follow.h"

#define V3_PLACE_RING		32

static const char *const v3_vpol_names[] = V3_VPOL_NAMES;
static const char *const v3_obj_names[] = V3_OBJ_NAMES;

/* one vCPU move the sampler made, with what it was based on */
struct v3_place_decision {
	u64 time_ns;
	u16 vcpu;
	s16 from, to;			/* host CPUs (-1: unpinned) */
	s16 from_node, to_node;
	u16 busy_pct;			/* the vCPU's */
	u16 load_pct;			/* others' on the target CPU */
	u32 ipi_rate;			/* its heaviest pair, IPIs/s both ways */
	s16 peer;			/* that pair's other vCPU, -1: none */
	s16 result;			/* v3_vcpu_place(): 0 or -errno */
};

struct v3_place_vm {
	struct v3_vm *vm;
	struct mutex lock;
	bool stopping;
	u32 policy, objective;
	u32 period_ms;
	struct v3_place_knobs knobs;
	struct delayed_work work;

	/* the last snapshot */
	bool have_base;
	u64 base_ns;
	u64 *base_ipis;			/* nr * nr */
	u64 base_run[V3_MAX_VCPUS];	/* thread CPU time */
	u64 base_cpu[V3_PLACE_MAX_CPUS];	/* host CPU busy ns */

	/* the policy's input and output, kept out of the kernel stack */
	struct v3_place_host host;
	struct v3_place_vcpus in;
	struct v3_place_scratch scratch;
	struct v3_place_hyst hyst;
	u32 *rates;			/* nr * nr */
	int target[V3_MAX_VCPUS];
	u8 apply[V3_MAX_VCPUS];

	struct v3_place_decision ring[V3_PLACE_RING];
	unsigned int ring_next, ring_len;
	u64 samples, sampler_ns, guest_ns, moves;

	struct v3_mem_follow *mf;	/* guest memory placement */
};

static struct workqueue_struct *v3_place_wq;
static unsigned int v3_place_slot;
static u32 v3_place_default_policy = V3_VPOL_STATIC;
static u32 v3_place_default_objective = V3_OBJ_PERFORMANCE;

static struct v3_place_vm *pl_of(struct v3_vm *vm)
{
	return vm->adapt[v3_place_slot];
}

struct v3_mem_follow *v3_mem_follow_of(struct v3_vm *vm)
{
	struct v3_place_vm *pl = pl_of(vm);

	return pl ? pl->mf : NULL;
}

/* ------------------------------------------------------- measuring */

/* busy time of a host CPU: everything but idle and iowait, in ns */
static u64 v3_cpu_busy_ns(int cpu)
{
	struct kernel_cpustat st;

	kcpustat_cpu_fetch(&st, cpu);
	return st.cpustat[CPUTIME_USER] + st.cpustat[CPUTIME_NICE] +
	       st.cpustat[CPUTIME_SYSTEM] + st.cpustat[CPUTIME_IRQ] +
	       st.cpustat[CPUTIME_SOFTIRQ] + st.cpustat[CPUTIME_STEAL];
}

/* the CPUs a vCPU may go to, as v3_vcpu_place() accepts them */
static void v3_place_host_fill(struct v3_place_vm *pl)
{
	struct v3_place_host *h = &pl->host;
	int cpu;

	h->nr_cpus = 0;
	for_each_online_cpu(cpu) {
		if (h->nr_cpus == V3_PLACE_MAX_CPUS)
			break;
		if (!v3_hw_cpu_has_virt(cpu))
			continue;
		h->cpu[h->nr_cpus] = cpu;
		h->node[h->nr_cpus] = cpu_to_node(cpu);
		h->nr_cpus++;
	}
}

static int v3_vcpu_where(struct v3_vcpu *vcpu)
{
	int pin = READ_ONCE(vcpu->pin_cpu);

	return pin >= 0 ? pin : READ_ONCE(vcpu->cpu);
}

static u64 v3_thread_ns(struct v3_vcpu *vcpu)
{
	struct task_struct *t = READ_ONCE(vcpu->thread);

	/* threads live until teardown, which stops the sampler first */
	return t ? READ_ONCE(t->se.sum_exec_runtime) : 0;
}

/* take a snapshot into base; with have_base, the period's rates first */
static bool v3_place_measure(struct v3_place_vm *pl, u64 now)
{
	struct v3_vm *vm = pl->vm;
	struct v3_place_host *h = &pl->host;
	struct v3_place_vcpus *in = &pl->in;
	unsigned int i, j, n = vm->nr_vcpus;
	u64 period = now - pl->base_ns, run[V3_MAX_VCPUS];
	bool rates = pl->have_base && period > 0;

	for (i = 0; i < n; i++) {
		struct v3_vcpu *vcpu = vm->vcpus[i];

		run[i] = v3_thread_ns(vcpu);
		in->cur[i] = READ_ONCE(vcpu->pin_cpu);
		in->busy_pct[i] = rates ?
			min_t(u64, 100, div64_u64((run[i] - pl->base_run[i]) * 100,
						  period)) : 0;
		for (j = 0; j < n; j++) {
			u64 c = READ_ONCE(vcpu->ipis_sent[j]);
			u64 *b = &pl->base_ipis[i * n + j];

			pl->rates[i * n + j] = rates ?
				min_t(u64, U32_MAX,
				      div64_u64((c - *b) * NSEC_PER_SEC, period)) : 0;
			*b = c;
		}
	}
	in->nr = n;
	in->ipi_rate = pl->rates;

	for (i = 0; i < h->nr_cpus; i++) {
		u64 now_busy = v3_cpu_busy_ns(h->cpu[i]), ours = 0, busy;

		for (j = 0; rates && j < n; j++)
			if (v3_vcpu_where(vm->vcpus[j]) == h->cpu[i])
				ours += run[j] - pl->base_run[j];
		busy = now_busy - min(now_busy, pl->base_cpu[i]);
		h->load_pct[i] = rates ?
			min_t(u64, 100, div64_u64((busy - min(busy, ours)) * 100,
						  period)) : 0;
		pl->base_cpu[i] = now_busy;
	}
	for (i = 0; i < n; i++) {
		if (rates)
			pl->guest_ns += run[i] - pl->base_run[i];
		pl->base_run[i] = run[i];
	}
	pl->base_ns = now;
	pl->have_base = true;
	return rates;
}

/* ------------------------------------------------------- deciding */

static void v3_place_record(struct v3_place_vm *pl, unsigned int i,
			    int from, int to, int result, u64 now)
{
	struct v3_place_decision *d = &pl->ring[pl->ring_next];
	unsigned int j, n = pl->in.nr, c;

	memset(d, 0, sizeof(*d));
	d->time_ns = now;
	d->vcpu = i;
	d->from = from;
	d->to = to;
	d->from_node = from >= 0 ? cpu_to_node(from) : -1;
	d->to_node = to >= 0 ? cpu_to_node(to) : -1;
	d->busy_pct = pl->in.busy_pct[i];
	d->peer = -1;
	d->result = result;
	for (j = 0; j < n; j++) {
		u32 r = pl->rates[i * n + j] + pl->rates[j * n + i];

		if (j != i && r > d->ipi_rate) {
			d->ipi_rate = r;
			d->peer = j;
		}
	}
	for (c = 0; c < pl->host.nr_cpus; c++)
		if (pl->host.cpu[c] == to)
			d->load_pct = pl->host.load_pct[c];
	pl->ring_next = (pl->ring_next + 1) % V3_PLACE_RING;
	if (pl->ring_len < V3_PLACE_RING)
		pl->ring_len++;
}

static void v3_place_apply(struct v3_place_vm *pl, u64 now)
{
	unsigned int i;

	for (i = 0; i < pl->in.nr; i++) {
		int ret;

		if (!pl->apply[i])
			continue;
		ret = v3_vcpu_place(pl->vm, i, pl->target[i]);
		if (!ret)
			pl->moves++;
		v3_place_record(pl, i, pl->in.cur[i], pl->target[i], ret, now);
	}
}

static void v3_place_tick(struct work_struct *w)
{
	struct v3_place_vm *pl = container_of(to_delayed_work(w),
					      struct v3_place_vm, work);
	struct v3_vm *vm = pl->vm;
	int state, ret;
	u64 now;

	mutex_lock(&pl->lock);
	if (pl->policy == V3_VPOL_STATIC || pl->stopping)
		goto out;
	state = READ_ONCE(vm->state);
	if (state == V3_STATE_STOPPED)
		goto out;		/* never runs again */
	if (state != V3_STATE_RUNNING) {
		pl->have_base = false;
		goto rearm;
	}
	now = ktime_get_ns();
	v3_place_host_fill(pl);
	pl->samples++;
	if (!v3_place_measure(pl, now)) {
		pl->sampler_ns += ktime_get_ns() - now;
		goto rearm;
	}
	ret = v3_place_vcpus(pl->policy, pl->objective, &pl->host, &pl->in,
			     &pl->knobs, pl->target, &pl->scratch);
	if (ret > 0)
		ret = v3_place_filter(&pl->knobs, &pl->hyst, pl->in.nr,
				      pl->in.cur, pl->target, now, pl->apply);
	pl->sampler_ns += ktime_get_ns() - now;
	if (ret > 0) {
		v3_place_apply(pl, now);
		/* the moves' time is not the next period's load */
		pl->have_base = false;
	}
rearm:
	queue_delayed_work(v3_place_wq, &pl->work,
			   msecs_to_jiffies(pl->period_ms));
out:
	mutex_unlock(&pl->lock);
}

/* ------------------------------------------------------- the doors */

static int v3_name_index(const char *const *names, unsigned int nr,
			 const char *s)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (sysfs_streq(s, names[i]))
			return i;
	return -EINVAL;
}

static int v3_place_set_policy(struct v3_place_vm *pl, u32 policy)
{
	mutex_lock(&pl->lock);
	if (pl->stopping) {
		mutex_unlock(&pl->lock);
		return -ENOENT;
	}
	pl->policy = policy;	/* a sampler running now sees it */
	mutex_unlock(&pl->lock);
	cancel_delayed_work_sync(&pl->work);
	mutex_lock(&pl->lock);
	if (pl->policy != V3_VPOL_STATIC && !pl->stopping) {
		pl->have_base = false;
		memset(&pl->hyst, 0, sizeof(pl->hyst));
		queue_delayed_work(v3_place_wq, &pl->work,
				   msecs_to_jiffies(pl->period_ms));
	}
	mutex_unlock(&pl->lock);
	return 0;
}

/*
 * The numeric knobs: sysfs name, field, bounds.  vCPU knobs are fields of
 * struct v3_place_vm, memory knobs (mem_) of struct v3_mf_knobs.  Each is
 * one u32, stored with WRITE_ONCE: the next period uses it.
 */
struct v3_place_knob {
	const char *name;
	bool mem;
	size_t off;
	u32 min, max;
};

#define PK(n, f, lo, hi) { n, false, offsetof(struct v3_place_vm, f), lo, hi }
#define MK(n, f, lo, hi) { n, true, offsetof(struct v3_mf_knobs, f), lo, hi }
static const struct v3_place_knob v3_place_knobs[] = {
	PK("period_ms", period_ms, 10, 60000),
	PK("ipi_threshold", knobs.ipi_threshold, 1, 10000000),
	PK("load_pct", knobs.load_pct, 0, 100),
	PK("idle_pct", knobs.idle_pct, 0, 100),
	PK("confirm", knobs.confirm, 1, 100),
	PK("max_moves", knobs.max_moves, 1, V3_MAX_VCPUS),
	PK("min_dwell_ms", knobs.min_dwell_ms, 0, 3600000),
	MK("mem_period_ms", period_ms, 10, 60000),
	MK("mem_regions", regions, 1, 65536),
	MK("mem_window", window, 1, 32),
	MK("mem_share_pct", share_pct, 51, 100),
	MK("mem_mbps", mbps, 1, 100000),
	MK("mem_dwell_ms", dwell_ms, 0, 3600000),
};
#undef PK
#undef MK

static const struct v3_place_knob *v3_place_knob_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v3_place_knobs); i++)
		if (!strcmp(name, v3_place_knobs[i].name))
			return &v3_place_knobs[i];
	return NULL;
}

static u32 *v3_knob_ptr(struct v3_vm *vm, const struct v3_place_knob *k)
{
	void *base = k->mem ? (void *)v3_mem_follow_knobs(vm) :
		     (void *)pl_of(vm);

	return (u32 *)((char *)base + k->off);
}

/* ------------------------------------------------------- sysfs */

static ssize_t vcpu_policy_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  v3_vpol_names[READ_ONCE(pl_of(v3_sysfs_vm(k))->policy)]);
}

static ssize_t vcpu_policy_store(struct kobject *k, struct kobj_attribute *a,
				 const char *buf, size_t len)
{
	int p = v3_name_index(v3_vpol_names, V3_NR_VPOLS, buf);

	if (p < 0)
		return p;
	p = v3_place_set_policy(pl_of(v3_sysfs_vm(k)), p);
	return p ?: len;
}

static ssize_t objective_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  v3_obj_names[READ_ONCE(pl_of(v3_sysfs_vm(k))->objective)]);
}

static ssize_t objective_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t len)
{
	struct v3_place_vm *pl = pl_of(v3_sysfs_vm(k));
	int o = v3_name_index(v3_obj_names, V3_NR_OBJS, buf);

	if (o < 0)
		return o;
	mutex_lock(&pl->lock);
	pl->objective = o;
	mutex_unlock(&pl->lock);
	return len;
}

static ssize_t pknob_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	const struct v3_place_knob *kn = v3_place_knob_of(a->attr.name);

	if (!kn)
		return -EIO;
	return sysfs_emit(buf, "%u\n", READ_ONCE(*v3_knob_ptr(v3_sysfs_vm(k), kn)));
}

static ssize_t pknob_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t len)
{
	const struct v3_place_knob *kn = v3_place_knob_of(a->attr.name);
	u32 val;

	if (!kn)
		return -EIO;
	if (kstrtou32(buf, 10, &val) || val < kn->min || val > kn->max)
		return -EINVAL;
	WRITE_ONCE(*v3_knob_ptr(v3_sysfs_vm(k), kn), val);
	return len;
}

/*
 * One line per move, oldest first: "t=NS vcpu=I from=CPU to=CPU
 * from_node=N to_node=N busy_pct=P ipi_rate=R peer=J load_pct=L result=E"
 */
static ssize_t decisions_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	struct v3_place_vm *pl = pl_of(v3_sysfs_vm(k));
	unsigned int i;
	int len = 0;

	mutex_lock(&pl->lock);
	for (i = 0; i < pl->ring_len; i++) {
		const struct v3_place_decision *d =
			&pl->ring[(pl->ring_next + V3_PLACE_RING - pl->ring_len + i) %
				  V3_PLACE_RING];

		len += sysfs_emit_at(buf, len, "t=%llu vcpu=%u from=%d to=%d from_node=%d to_node=%d busy_pct=%u ipi_rate=%u peer=%d load_pct=%u result=%d\n",
				     d->time_ns, d->vcpu, d->from, d->to,
				     d->from_node, d->to_node, d->busy_pct,
				     d->ipi_rate, d->peer, d->load_pct,
				     d->result);
	}
	mutex_unlock(&pl->lock);
	return len;
}

/* "SAMPLES NS GUEST_NS NS_PER_GUEST_S MOVES" */
static ssize_t sampler_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	struct v3_place_vm *pl = pl_of(v3_sysfs_vm(k));
	u64 per;
	ssize_t len;

	mutex_lock(&pl->lock);
	per = pl->guest_ns ?
	      div64_u64(pl->sampler_ns * NSEC_PER_SEC, pl->guest_ns) : 0;
	len = sysfs_emit(buf, "%llu %llu %llu %llu %llu\n", pl->samples,
			 pl->sampler_ns, pl->guest_ns, per, pl->moves);
	mutex_unlock(&pl->lock);
	return len;
}

static ssize_t ipis_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return v3_placement_ipis_show(v3_sysfs_vm(k), buf);
}

static ssize_t irqs_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return v3_placement_irqs_show(v3_sysfs_vm(k), buf);
}

static const char *const v3_mpol_names[] = V3_MPOL_NAMES;

static ssize_t mem_policy_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  v3_mpol_names[v3_mem_follow_policy(v3_sysfs_vm(k))]);
}

static ssize_t mem_policy_store(struct kobject *k, struct kobj_attribute *a,
				const char *buf, size_t len)
{
	int p = v3_name_index(v3_mpol_names, V3_NR_MPOLS, buf);

	if (p < 0)
		return p;
	p = v3_mem_follow_set_policy(v3_sysfs_vm(k), p);
	return p ?: len;
}

static ssize_t mem_decisions_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return v3_mem_follow_decisions_show(v3_sysfs_vm(k), buf);
}

static ssize_t mem_stats_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return v3_mem_follow_stats_show(v3_sysfs_vm(k), buf);
}

static struct kobj_attribute v3_pl_mpol_attr = __ATTR_RW(mem_policy);
static struct kobj_attribute v3_pl_mdec_attr = __ATTR_RO(mem_decisions);
static struct kobj_attribute v3_pl_mstats_attr = __ATTR_RO(mem_stats);
static struct kobj_attribute v3_pl_policy_attr = __ATTR_RW(vcpu_policy);
static struct kobj_attribute v3_pl_obj_attr = __ATTR_RW(objective);
static struct kobj_attribute v3_pl_dec_attr = __ATTR_RO(decisions);
static struct kobj_attribute v3_pl_sampler_attr = __ATTR_RO(sampler);
static struct kobj_attribute v3_pl_ipis_attr = __ATTR_RO(ipis);
static struct kobj_attribute v3_pl_irqs_attr = __ATTR_RO(irqs);

#define V3_PKNOB_ATTR(n) \
	static struct kobj_attribute v3_pk_##n##_attr = \
		__ATTR(n, 0644, pknob_show, pknob_store)
V3_PKNOB_ATTR(period_ms);
V3_PKNOB_ATTR(ipi_threshold);
V3_PKNOB_ATTR(load_pct);
V3_PKNOB_ATTR(idle_pct);
V3_PKNOB_ATTR(confirm);
V3_PKNOB_ATTR(max_moves);
V3_PKNOB_ATTR(min_dwell_ms);
V3_PKNOB_ATTR(mem_period_ms);
V3_PKNOB_ATTR(mem_regions);
V3_PKNOB_ATTR(mem_window);
V3_PKNOB_ATTR(mem_share_pct);
V3_PKNOB_ATTR(mem_mbps);
V3_PKNOB_ATTR(mem_dwell_ms);

static struct attribute *v3_place_attrs[] = {
	&v3_pl_policy_attr.attr, &v3_pl_obj_attr.attr,
	&v3_pk_period_ms_attr.attr, &v3_pk_ipi_threshold_attr.attr,
	&v3_pk_load_pct_attr.attr, &v3_pk_idle_pct_attr.attr,
	&v3_pk_confirm_attr.attr, &v3_pk_max_moves_attr.attr,
	&v3_pk_min_dwell_ms_attr.attr,
	&v3_pl_dec_attr.attr, &v3_pl_sampler_attr.attr,
	&v3_pl_ipis_attr.attr, &v3_pl_irqs_attr.attr,
	&v3_pl_mpol_attr.attr, &v3_pk_mem_period_ms_attr.attr,
	&v3_pk_mem_regions_attr.attr, &v3_pk_mem_window_attr.attr,
	&v3_pk_mem_share_pct_attr.attr, &v3_pk_mem_mbps_attr.attr,
	&v3_pk_mem_dwell_ms_attr.attr, &v3_pl_mdec_attr.attr,
	&v3_pl_mstats_attr.attr, NULL,
};

const struct attribute_group v3_place_group = {
	.name = "placement",
	.attrs = v3_place_attrs,
};

/*
 * /sys/kernel/v3vmm/adapt/: what new VMs start with, each a choice among
 * names (one show/store pair for them all)
 */
struct v3_choice_attr {
	struct kobj_attribute attr;
	const char *const *names;
	unsigned int nr;
	u32 *val;
};

static ssize_t choice_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	struct v3_choice_attr *c = container_of(a, struct v3_choice_attr, attr);

	return sysfs_emit(buf, "%s\n", c->names[READ_ONCE(*c->val)]);
}

static ssize_t choice_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	struct v3_choice_attr *c = container_of(a, struct v3_choice_attr, attr);
	int i = v3_name_index(c->names, c->nr, buf);

	if (i < 0)
		return i;
	WRITE_ONCE(*c->val, i);
	return len;
}

static struct v3_choice_attr v3_pd_policy_attr = {
	.attr = __ATTR(vcpu_policy, 0644, choice_show, choice_store),
	.names = v3_vpol_names, .nr = V3_NR_VPOLS,
	.val = &v3_place_default_policy,
};
static struct v3_choice_attr v3_pd_obj_attr = {
	.attr = __ATTR(objective, 0644, choice_show, choice_store),
	.names = v3_obj_names, .nr = V3_NR_OBJS,
	.val = &v3_place_default_objective,
};

static struct attribute *v3_place_default_attrs[] = {
	&v3_pd_policy_attr.attr.attr, &v3_pd_obj_attr.attr.attr, NULL,
};

const struct attribute_group v3_place_default_group = {
	.attrs = v3_place_default_attrs,
};

/* ------------------------------------------------------- the service */

static int v3_place_init(void)
{
	int ret;

	v3_place_wq = alloc_workqueue("v3vmm-place", WQ_UNBOUND, 0);
	if (!v3_place_wq)
		return -ENOMEM;
	ret = v3_mem_follow_init();
	if (ret)
		destroy_workqueue(v3_place_wq);
	return ret;
}

static void v3_place_exit(void)
{
	v3_mem_follow_exit();
	destroy_workqueue(v3_place_wq);
}

static int v3_place_attach(struct v3_vm *vm, unsigned int slot)
{
	unsigned int n = vm->nr_vcpus;
	struct v3_place_vm *pl = kvzalloc(sizeof(*pl), V3_GFP_ACCOUNT);

	if (!pl)
		return -ENOMEM;
	pl->base_ipis = kcalloc(n * n, sizeof(*pl->base_ipis), V3_GFP_ACCOUNT);
	pl->rates = kcalloc(n * n, sizeof(*pl->rates), V3_GFP_ACCOUNT);
	pl->mf = v3_mem_follow_alloc(vm);
	if (!pl->base_ipis || !pl->rates || !pl->mf) {
		v3_mem_follow_free(pl->mf);
		kfree(pl->rates);
		kfree(pl->base_ipis);
		kvfree(pl);
		return -ENOMEM;
	}
	v3_place_slot = slot;
	pl->vm = vm;
	mutex_init(&pl->lock);
	INIT_DELAYED_WORK(&pl->work, v3_place_tick);
	pl->period_ms = 1000;
	pl->knobs.ipi_threshold = 1000;
	pl->knobs.load_pct = 50;
	pl->knobs.idle_pct = 5;
	pl->knobs.confirm = 2;
	pl->knobs.max_moves = 2;
	pl->knobs.min_dwell_ms = 5000;
	pl->objective = READ_ONCE(v3_place_default_objective);
	vm->adapt[slot] = pl;
	v3_mem_follow_start(vm);
	return v3_place_set_policy(pl, READ_ONCE(v3_place_default_policy));
}

static void v3_place_detach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_place_vm *pl = vm->adapt[slot];

	mutex_lock(&pl->lock);
	pl->stopping = true;
	mutex_unlock(&pl->lock);
	cancel_delayed_work_sync(&pl->work);
	v3_mem_follow_stop(vm);
}

static void v3_place_free(struct v3_vm *vm, unsigned int slot)
{
	struct v3_place_vm *pl = vm->adapt[slot];

	v3_mem_follow_free(pl->mf);
	kfree(pl->rates);
	kfree(pl->base_ipis);
	kvfree(pl);
	vm->adapt[slot] = NULL;
}

const struct v3_adapt_service v3_place_service = {
	.name = "placement",
	.init = v3_place_init,
	.exit = v3_place_exit,
	.vm_attach = v3_place_attach,
	.vm_detach = v3_place_detach,
	.vm_free = v3_place_free,
};
