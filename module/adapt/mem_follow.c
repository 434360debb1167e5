// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory placement (issue #13): which host node each 2 MiB region
 * of guest RAM should be on, carried out with the mechanism of v3ctl mem
 * move (mem_move.c, v3_mem_move_one).  Part of the placement service
 * (place.c): its knobs are in vms/NAME/placement/ with a mem_ prefix.
 *
 * Policies (mem_policy):
 *   none        nothing moves by itself
 *   follow      a region moves to the node whose vCPUs touch it: every
 *               period the next mem_regions regions are hinted (their
 *               nested directory entry made not-present, nested.c), and
 *               the first access to each reports the node of the vCPU
 *               that made it.  A region moves only when mem_share_pct of
 *               its last mem_window samples came from one other node (the
 *               second stage of the filter: one sample never moves
 *               anything, and a region two nodes share, whose samples
 *               split, stays), not within mem_dwell_ms of its last move,
 *               and within mem_mbps.  Nested paging only: in shadow mode
 *               nothing is hinted.
 *   interleave  region i goes to the i-th node with memory, round robin,
 *               at mem_mbps.
 * The moves go into a ring of 32 (mem_decisions), each with its samples.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/nodemask.h>
#include <linux/topology.h>
#include <linux/sysfs.h>
#include "v3.h"
#include "mmu/mmu.h"
#include "mem_follow.h"

#define V3_MF_RING		32

static const char *const v3_mpol_names[] = V3_MPOL_NAMES;

struct v3_mf_decision {
	u64 time_ns, gpa;
	s16 from, to;
	u8 votes, window;		/* for "to" of the samples */
	s16 result;
};

struct v3_mem_follow {
	struct v3_vm *vm;
	struct mutex lock;		/* the work, the ring */
	spinlock_t slock;		/* the samples (fault path) */
	bool stopping;
	struct v3_mf_knobs k;
	struct delayed_work work;
	unsigned long nr;
	struct v3_mf_samples *r;	/* per region */
	unsigned long cursor;
	u64 tokens, last_ns;
	struct v3_mf_decision ring[V3_MF_RING];
	unsigned int ring_next, ring_len;
	u64 hints, samples, moves, moved_bytes, sampler_ns;
};

static struct workqueue_struct *v3_mf_wq;

/* ------------------------------------------------------- sampling */

/* a hinted region was touched (nested.c, on the vCPU thread, atomic) */
static void v3_mf_sample(struct v3_vcpu *vcpu, u64 gpa)
{
	struct v3_mem_follow *mf = v3_mem_follow_of(vcpu->vm);
	long i = v3_mem_region_of(&vcpu->vm->mem, gpa);
	int cpu = READ_ONCE(vcpu->cpu);
	unsigned long flags;

	if (!mf || i < 0 || i >= mf->nr || cpu < 0)
		return;
	spin_lock_irqsave(&mf->slock, flags);
	v3_mf_samples_add(&mf->r[i], cpu_to_node(cpu));
	mf->samples++;
	spin_unlock_irqrestore(&mf->slock, flags);
}

struct v3_mf_hint {
	struct v3_mem_follow *mf;
	unsigned int want;
};

/* at the safe point: hint the next regions from the cursor */
static int v3_mf_hint_fn(struct v3_vm *vm, void *arg)
{
	struct v3_mf_hint *h = arg;
	struct v3_mem_follow *mf = h->mf;
	unsigned int done = 0, i;
	unsigned long tried;

	for (tried = 0; tried < mf->nr && done < h->want; tried++) {
		u64 gpa = v3_mem_region_gpa(&vm->mem, mf->cursor);

		mf->cursor = (mf->cursor + 1) % mf->nr;
		if (v3_tdp_hint(vm, gpa) == 1)
			done++;
	}
	if (done)
		for (i = 0; i < vm->nr_vcpus; i++)
			set_bit(V3_REQ_TLB, &vm->vcpus[i]->requests);
	mf->hints += done;
	return 0;
}

/* ------------------------------------------------------- deciding */

/* the i-th node with memory, round robin */
static int v3_mf_interleave_node(unsigned long i)
{
	unsigned int n = num_node_state(N_MEMORY), k = i % n;
	int node;

	for_each_node_state(node, N_MEMORY)
		if (!k--)
			return node;
	return first_node(node_states[N_MEMORY]);
}

static void v3_mf_record(struct v3_mem_follow *mf, u64 now, unsigned long i,
			 int from, int to, unsigned int votes,
			 unsigned int window, int result)
{
	struct v3_mf_decision *d = &mf->ring[mf->ring_next];

	d->time_ns = now;
	d->gpa = v3_mem_region_gpa(&mf->vm->mem, i);
	d->from = from;
	d->to = to;
	d->votes = votes;
	d->window = window;
	d->result = result;
	mf->ring_next = (mf->ring_next + 1) % V3_MF_RING;
	if (mf->ring_len < V3_MF_RING)
		mf->ring_len++;
}

/* region i should be on "to": move it if the rate allows */
static void v3_mf_move(struct v3_mem_follow *mf, u64 now, unsigned long i,
		       int from, int to, unsigned int votes,
		       unsigned int window)
{
	u64 held;
	int ret;

	if (mf->tokens < V3_REGION_SIZE)
		return;
	mf->tokens -= V3_REGION_SIZE;
	ret = v3_mem_move_one(mf->vm, i, to, &held);
	if (ret > 0) {
		mf->moves++;
		mf->moved_bytes += V3_REGION_SIZE;
	}
	spin_lock_irq(&mf->slock);
	v3_mf_samples_moved(&mf->r[i], now);
	spin_unlock_irq(&mf->slock);
	v3_mf_record(mf, now, i, from, to, votes, window, ret < 0 ? ret : 0);
}

static void v3_mf_decide(struct v3_mem_follow *mf, u64 now)
{
	struct v3_mf_knobs k = {
		.policy = READ_ONCE(mf->k.policy),
		.window = READ_ONCE(mf->k.window),
		.share_pct = READ_ONCE(mf->k.share_pct),
		.dwell_ms = READ_ONCE(mf->k.dwell_ms),
	};
	unsigned long i;

	for (i = 0; i < mf->nr && mf->tokens >= V3_REGION_SIZE; i++) {
		int from = v3_mem_region_node(&mf->vm->mem, i), to;
		unsigned int votes = 0, window = 0;

		if (k.policy == V3_MPOL_INTERLEAVE) {
			to = v3_mf_interleave_node(i);
		} else {
			spin_lock_irq(&mf->slock);
			to = v3_mf_follow_target(&mf->r[i], &k, from, now,
						 &votes, &window);
			spin_unlock_irq(&mf->slock);
		}
		if (to >= 0 && to != from && node_state(to, N_MEMORY))
			v3_mf_move(mf, now, i, from, to, votes, window);
	}
}

static void v3_mf_tick(struct work_struct *w)
{
	struct v3_mem_follow *mf = container_of(to_delayed_work(w),
						struct v3_mem_follow, work);
	struct v3_vm *vm = mf->vm;
	u32 policy, mbps;
	u64 now, t0;

	mutex_lock(&mf->lock);
	policy = READ_ONCE(mf->k.policy);
	if (policy == V3_MPOL_NONE || mf->stopping ||
	    READ_ONCE(vm->state) == V3_STATE_STOPPED)
		goto out;
	if (READ_ONCE(vm->state) != V3_STATE_RUNNING)
		goto rearm;
	now = t0 = ktime_get_ns();
	mbps = READ_ONCE(mf->k.mbps);
	if (mf->last_ns)
		mf->tokens = v3_mf_refill(mf->tokens, now - mf->last_ns, mbps,
					  V3_REGION_SIZE);
	mf->last_ns = now;
	v3_mf_decide(mf, now);
	if (policy == V3_MPOL_FOLLOW && v3_mmu_mode(vm) == V3_MMU_NESTED) {
		struct v3_mf_hint h = { .mf = mf,
					.want = READ_ONCE(mf->k.regions) };

		v3_mmu_exclusive(vm, v3_mf_hint_fn, &h, NULL);
	}
	mf->sampler_ns += ktime_get_ns() - t0;
rearm:
	queue_delayed_work(v3_mf_wq, &mf->work,
			   msecs_to_jiffies(READ_ONCE(mf->k.period_ms)));
out:
	mutex_unlock(&mf->lock);
}

/* ------------------------------------------------------- the doors */

int v3_mem_follow_set_policy(struct v3_vm *vm, u32 policy)
{
	struct v3_mem_follow *mf = v3_mem_follow_of(vm);

	if (policy >= V3_NR_MPOLS)
		return -EINVAL;
	mutex_lock(&mf->lock);
	if (mf->stopping) {
		mutex_unlock(&mf->lock);
		return -ENOENT;
	}
	WRITE_ONCE(mf->k.policy, policy);
	mutex_unlock(&mf->lock);
	cancel_delayed_work_sync(&mf->work);
	mutex_lock(&mf->lock);
	if (policy != V3_MPOL_NONE && !mf->stopping) {
		mf->last_ns = 0;
		mf->tokens = V3_REGION_SIZE;
		queue_delayed_work(v3_mf_wq, &mf->work,
				   msecs_to_jiffies(mf->k.period_ms));
	}
	mutex_unlock(&mf->lock);
	return 0;
}

u32 v3_mem_follow_policy(struct v3_vm *vm)
{
	return READ_ONCE(v3_mem_follow_of(vm)->k.policy);
}

struct v3_mf_knobs *v3_mem_follow_knobs(struct v3_vm *vm)
{
	return &v3_mem_follow_of(vm)->k;
}

/*
 * "t=NS gpa=0x... from_node=A to_node=B votes=V/W result=E", oldest first
 * (interleave: votes 0/0)
 */
ssize_t v3_mem_follow_decisions_show(struct v3_vm *vm, char *buf)
{
	struct v3_mem_follow *mf = v3_mem_follow_of(vm);
	unsigned int i;
	int len = 0;

	mutex_lock(&mf->lock);
	for (i = 0; i < mf->ring_len; i++) {
		const struct v3_mf_decision *d =
			&mf->ring[(mf->ring_next + V3_MF_RING - mf->ring_len + i) %
				  V3_MF_RING];

		len += sysfs_emit_at(buf, len, "t=%llu gpa=0x%llx from_node=%d to_node=%d votes=%u/%u result=%d\n",
				     d->time_ns, d->gpa, d->from, d->to,
				     d->votes, d->window, d->result);
	}
	mutex_unlock(&mf->lock);
	return len;
}

/* "HINTS SAMPLES MOVES MOVED_BYTES SAMPLER_NS" */
ssize_t v3_mem_follow_stats_show(struct v3_vm *vm, char *buf)
{
	struct v3_mem_follow *mf = v3_mem_follow_of(vm);
	ssize_t len;

	mutex_lock(&mf->lock);
	len = sysfs_emit(buf, "%llu %llu %llu %llu %llu\n", mf->hints,
			 READ_ONCE(mf->samples), mf->moves, mf->moved_bytes,
			 mf->sampler_ns);
	mutex_unlock(&mf->lock);
	return len;
}

int v3_mem_follow_init(void)
{
	v3_mf_wq = alloc_workqueue("v3vmm-memplace", WQ_UNBOUND, 0);
	return v3_mf_wq ? 0 : -ENOMEM;
}

void v3_mem_follow_exit(void)
{
	destroy_workqueue(v3_mf_wq);
}

struct v3_mem_follow *v3_mem_follow_alloc(struct v3_vm *vm)
{
	struct v3_mem_follow *mf = kzalloc(sizeof(*mf), V3_GFP_ACCOUNT);

	if (!mf)
		return NULL;
	mf->nr = vm->mem.nr_regions;
	mf->r = kvcalloc(mf->nr ?: 1, sizeof(*mf->r), V3_GFP_ACCOUNT);
	if (!mf->r) {
		kfree(mf);
		return NULL;
	}
	mf->vm = vm;
	mutex_init(&mf->lock);
	spin_lock_init(&mf->slock);
	INIT_DELAYED_WORK(&mf->work, v3_mf_tick);
	mf->k.period_ms = 1000;
	mf->k.regions = 16;
	mf->k.window = 8;
	mf->k.share_pct = 90;
	mf->k.mbps = 64;
	mf->k.dwell_ms = 10000;
	return mf;
}

/* after vm->adapt[] holds it: the fault path may call in from now on */
void v3_mem_follow_start(struct v3_vm *vm)
{
	WRITE_ONCE(vm->mmu.hint_fn, v3_mf_sample);
}

void v3_mem_follow_stop(struct v3_vm *vm)
{
	struct v3_mem_follow *mf = v3_mem_follow_of(vm);

	mutex_lock(&mf->lock);
	mf->stopping = true;
	mutex_unlock(&mf->lock);
	cancel_delayed_work_sync(&mf->work);
	/* the vCPU threads may still fault: they find no callback */
	WRITE_ONCE(vm->mmu.hint_fn, NULL);
}

/* the vCPU threads are gone */
void v3_mem_follow_free(struct v3_mem_follow *mf)
{
	if (!mf)
		return;
	kvfree(mf->r);
	kfree(mf);
}
