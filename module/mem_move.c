// SPDX-License-Identifier: GPL-2.0
/*
 * Moving guest RAM between host NUMA nodes while the guest runs
 * (V3_IOC_MEM_MOVE, ABI 1.4).
 *
 * Region by region (2 MiB, guest_mem.c): the new backing is allocated on
 * the target node first (may sleep and reclaim), then, at the MMU's safe
 * point (mmu/mmu.c: no vCPU inside the guest or an exit handler), the
 * region is copied, swapped in, its nested leaves rewritten and every
 * shadow dropped; every vCPU flushes its guest translations before its
 * next entry.  No guest write can fall between the copy and the swap:
 * the vCPUs are held, and the VMM's other ways into guest RAM (the
 * MEM_READ/WRITE ioctls, a guest reset) take vm->mem_lock, held across
 * it too.  The vCPUs are held for one region's copy at a time, so the
 * guest sees short pauses rather than one long one.
 */
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "v3.h"
#include "mmu/mmu.h"

struct v3_region_swap {
	unsigned long idx;
	unsigned long npages;
	u64 gpa;
	struct v3_region r;	/* in: the new backing; out: what to free */
	u64 *old_pt;		/* a nested page table to free after */
};

static u64 v3_region_gpa(const struct v3_guest_mem *mem, unsigned long i)
{
	u64 off = (u64)i << V3_REGION_SHIFT;

	return off < mem->low_size ? off :
	       off - mem->low_size + V3_HIGH_RAM_BASE;
}

static struct page *v3_region_page(const struct v3_region *r, unsigned long j)
{
	return r->large ? r->large + j : r->small[j];
}

/* every page of region r (npages of it) on node already */
static bool v3_region_on(const struct v3_region *r, unsigned long npages,
			 int node)
{
	unsigned long j;

	if (r->large)
		return page_to_nid(r->large) == node;
	for (j = 0; j < npages; j++)
		if (page_to_nid(r->small[j]) != node)
			return false;
	return true;
}

/* At the safe point: copy, swap, remap; on failure the old one stays. */
static int v3_region_swap(struct v3_vm *vm, void *arg)
{
	struct v3_region_swap *sw = arg;
	struct v3_guest_mem *mem = &vm->mem;
	struct v3_region *cur = &mem->regions[sw->idx], old = *cur;
	u64 *pt;
	unsigned long j;
	unsigned int i;
	int ret;

	for (j = 0; j < sw->npages; j++)
		copy_page(page_address(v3_region_page(&sw->r, j)),
			  page_address(v3_region_page(cur, j)));
	*cur = sw->r;
	ret = v3_tdp_remap(vm, &vm->mmu.tdp, sw->gpa, &sw->old_pt);
	if (ret) {
		/*
		 * Only a new page table for a 2 MiB -> 4 KiB move can fail;
		 * the old 2 MiB leaf needs none, and the old pages still hold
		 * what the guest last wrote (it has not run since).
		 */
		*cur = old;
		v3_tdp_remap(vm, &vm->mmu.tdp, sw->gpa, &pt);
		return ret;
	}
	sw->r = old;
	if (cur->large && !old.large)
		mem->large_bytes += V3_REGION_SIZE;
	else if (!cur->large && old.large)
		mem->large_bytes -= V3_REGION_SIZE;
	/* shadow leaves name host frames: drop them all (mmu/shadow.c) */
	v3_mmu_gpa_written(vm, sw->gpa, V3_REGION_SIZE);
	for (i = 0; i < vm->nr_vcpus; i++)
		set_bit(V3_REQ_TLB, &vm->vcpus[i]->requests);
	return 0;
}

static int v3_mem_move_region(struct v3_vm *vm, unsigned long i, int node,
			      struct v3_mem_move *m)
{
	struct v3_guest_mem *mem = &vm->mem;
	struct v3_region_swap sw = { .idx = i };
	u64 off = (u64)i << V3_REGION_SHIFT, large = 0, held = 0;
	int ret;

	sw.npages = min_t(u64, mem->size - off, V3_REGION_SIZE) >> PAGE_SHIFT;
	sw.gpa = v3_region_gpa(mem, i);
	if (!(m->flags & V3_MEM_MOVE_ALL) &&
	    v3_region_on(&mem->regions[i], sw.npages, node)) {
		m->skipped_bytes += sw.npages << PAGE_SHIFT;
		return 0;
	}
	ret = v3_region_alloc(&sw.r, sw.npages, node, true, &large);
	if (ret) {
		v3_region_free(&sw.r);
		return ret;
	}
	mutex_lock(&vm->mem_lock);
	ret = v3_mmu_exclusive(vm, v3_region_swap, &sw, &held);
	mutex_unlock(&vm->mem_lock);
	/* the vCPUs flush before they enter again: nothing points here */
	v3_region_free(&sw.r);
	if (sw.old_pt)
		free_page((unsigned long)sw.old_pt);
	if (ret)
		return ret;
	m->moved_bytes += sw.npages << PAGE_SHIFT;
	m->large_bytes += large;
	m->held_ns_total += held;
	m->held_ns_max = max(m->held_ns_max, held);
	return 0;
}

/*
 * For the memory placement service (adapt/mem_follow.c): move region idx
 * to node.  Returns 1 if it moved, 0 if it was there, or -errno; *held_ns
 * is how long the vCPUs were held.
 */
int v3_mem_move_one(struct v3_vm *vm, unsigned long idx, int node,
		    u64 *held_ns)
{
	struct v3_mem_move m = {};
	int ret;

	if (idx >= vm->mem.nr_regions || READ_ONCE(vm->dead))
		return -EINVAL;
	ret = v3_mem_move_region(vm, idx, node, &m);
	*held_ns = m.held_ns_max;
	return ret ?: !!m.moved_bytes;
}

/* the region index of guest RAM at gpa, or -1 */
long v3_mem_region_of(const struct v3_guest_mem *mem, u64 gpa)
{
	u64 off = gpa < mem->low_size ? gpa :
		  gpa >= V3_HIGH_RAM_BASE ? gpa - V3_HIGH_RAM_BASE + mem->low_size :
		  mem->size;

	return off < mem->size ? (long)(off >> V3_REGION_SHIFT) : -1;
}

/* the guest-physical address of region idx */
u64 v3_mem_region_gpa(const struct v3_guest_mem *mem, unsigned long idx)
{
	return v3_region_gpa(mem, idx);
}

/* the node of region idx's first page */
int v3_mem_region_node(const struct v3_guest_mem *mem, unsigned long idx)
{
	return page_to_nid(v3_region_page(&mem->regions[idx], 0));
}

/* regions [*first, *last] that [start, end) touches; false if none */
static bool v3_mem_move_range(const struct v3_guest_mem *mem, u64 start,
			      u64 end, unsigned long *first,
			      unsigned long *last)
{
	unsigned long i;
	bool any = false;

	if (!end) {
		*first = 0;
		*last = mem->nr_regions - 1;
		return mem->nr_regions > 0;
	}
	for (i = 0; i < mem->nr_regions; i++) {
		u64 g = v3_region_gpa(mem, i);
		u64 len = min_t(u64, mem->size - ((u64)i << V3_REGION_SHIFT),
				V3_REGION_SIZE);

		if (g >= end || g + len <= start)
			continue;
		if (!any)
			*first = i;
		*last = i;
		any = true;
	}
	return any;
}

int v3_ioc_mem_move(void __user *arg)
{
	struct v3_mem_move m;
	unsigned long i, first, last;
	struct v3_vm *vm;
	u64 t0;
	int ret = 0;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (v3_check_name(m.name) || !v3_zero(m.reserved, sizeof(m.reserved)) ||
	    (m.flags & ~V3_MEM_MOVE_ALL) ||
	    (m.gpa_end && m.gpa_end <= m.gpa_start))
		return -EINVAL;
	if (m.node < 0 || m.node >= V3_MAX_NODES || m.node >= MAX_NUMNODES ||
	    !node_state(m.node, N_MEMORY)) {
		pr_info_ratelimited(V3_PR_PREFIX "%s: cannot move memory to NUMA node %d: no such node with memory\n",
				    m.name, m.node);
		return -EINVAL;
	}
	vm = v3_vm_get(m.name);
	if (!vm)
		return -ENOENT;
	m.moved_bytes = m.skipped_bytes = m.large_bytes = 0;
	m.held_ns_max = m.held_ns_total = 0;
	if (!v3_mem_move_range(&vm->mem, m.gpa_start, m.gpa_end, &first,
			       &last)) {
		ret = -EINVAL;
		goto out;
	}
	t0 = ktime_get_ns();
	for (i = first; i <= last; i++) {
		if (READ_ONCE(vm->dead)) {
			ret = -ENOENT;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = v3_mem_move_region(vm, i, m.node, &m);
		if (ret) {
			pr_info_ratelimited(V3_PR_PREFIX "%s: memory move to NUMA node %d stopped after %llu MiB (%d%s)\n",
					    vm->name, m.node, m.moved_bytes >> 20,
					    ret, ret == -ENOMEM ? ": the node is out of memory" : "");
			break;
		}
		cond_resched();
	}
	m.ns = ktime_get_ns() - t0;
out:
	v3_vm_put(vm);
	if (!ret && copy_to_user(arg, &m, sizeof(m)))
		ret = -EFAULT;
	return ret;
}
