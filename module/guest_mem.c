// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: allocated in 2 MiB regions on the VM's NUMA node, each backed
 * by one order-9 page when the buddy allocator can give one without
 * compaction stalls, else by 512 order-0 pages.
 *
 * Guest RAM is kernel memory that user space asked for, so it is charged
 * (__GFP_ACCOUNT) to the memory cgroup of the process that creates the VM,
 * and all VMs together are held under the module parameter max_guest_mem
 * (default: half of the host's RAM when the module loads).  A VM that
 * would go over either is refused with -ENOMEM before or while its RAM is
 * allocated, never later.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sched/signal.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/spinlock.h>
#include <linux/nodemask.h>
#include "v3.h"
#include "mmu/mmu.h"

/* the module-wide limit, and what the VMs in existence hold of it */
static u64 v3_max_guest_mem;
static u64 v3_guest_mem_used;
static DEFINE_SPINLOCK(v3_guest_mem_lock);

static u64 v3_default_max_guest_mem(void)
{
	return ((u64)totalram_pages() << PAGE_SHIFT) / 2;
}

u64 v3_guest_mem_limit(void)
{
	return READ_ONCE(v3_max_guest_mem) ?: v3_default_max_guest_mem();
}

u64 v3_guest_mem_in_use(void)
{
	return READ_ONCE(v3_guest_mem_used);
}

/* bytes, or with a K/M/G/T suffix (memparse); 0 means the default */
static int v3_max_guest_mem_set(const char *val, const struct kernel_param *kp)
{
	char *end;
	u64 v = memparse(val, &end);

	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	if (v && v < (1ULL << 20))
		return -EINVAL;
	WRITE_ONCE(v3_max_guest_mem, v ? round_down(v, PAGE_SIZE) : 0);
	return 0;
}

static int v3_max_guest_mem_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", v3_guest_mem_limit());
}

static const struct kernel_param_ops v3_max_guest_mem_ops = {
	.set = v3_max_guest_mem_set,
	.get = v3_max_guest_mem_get,
};
module_param_cb(max_guest_mem, &v3_max_guest_mem_ops, NULL, 0644);
MODULE_PARM_DESC(max_guest_mem,
		 "guest RAM of all VMs together, bytes or with K/M/G suffix (default: half of RAM at load)");

/* Fix the default at load, so later reads do not drift with hotplug. */
void v3_guest_mem_limit_init(void)
{
	if (!v3_max_guest_mem)
		v3_max_guest_mem = v3_default_max_guest_mem();
}

/* "8 GiB", "3.5 GiB", "100 MiB", "12 KiB" for the refusal message */
static void v3_fmt_bytes(char *buf, size_t len, u64 b)
{
	u64 frac = b & ((1ULL << 30) - 1);

	if (b >= (1ULL << 30) && !frac)
		snprintf(buf, len, "%llu GiB", b >> 30);
	else if (b >= (1ULL << 30))
		snprintf(buf, len, "%llu.%llu GiB", b >> 30, (frac * 10) >> 30);
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%llu MiB", b >> 20);
	else
		snprintf(buf, len, "%llu KiB", b >> 10);
}

/*
 * Reserve @bytes of the module-wide limit for VM @name, or refuse with
 * -ENOMEM and one (rate-limited) log line naming the limit.
 */
int v3_guest_mem_charge(const char *name, u64 bytes)
{
	char need[24], left[24];
	u64 limit = v3_guest_mem_limit(), used;

	spin_lock(&v3_guest_mem_lock);
	used = v3_guest_mem_used;
	if (used <= limit && bytes <= limit - used) {
		v3_guest_mem_used = used + bytes;
		spin_unlock(&v3_guest_mem_lock);
		return 0;
	}
	spin_unlock(&v3_guest_mem_lock);
	v3_fmt_bytes(need, sizeof(need), bytes);
	v3_fmt_bytes(left, sizeof(left), used < limit ? limit - used : 0);
	pr_info_ratelimited(V3_PR_PREFIX "%s: VM needs %s, %s left under v3vmm.max_guest_mem\n",
			    name, need, left);
	return -ENOMEM;
}

void v3_guest_mem_uncharge(u64 bytes)
{
	spin_lock(&v3_guest_mem_lock);
	if (WARN_ON_ONCE(bytes > v3_guest_mem_used))
		bytes = v3_guest_mem_used;
	v3_guest_mem_used -= bytes;
	spin_unlock(&v3_guest_mem_lock);
}

#define V3_REGION_PAGES		(V3_REGION_SIZE >> PAGE_SHIFT)
#define V3_LARGE_ORDER		(V3_REGION_SHIFT - PAGE_SHIFT)

void v3_region_free(struct v3_region *r)
{
	unsigned long i;

	if (r->large) {
		__free_pages(r->large, V3_LARGE_ORDER);
		r->large = NULL;
	}
	if (r->small) {
		for (i = 0; i < V3_REGION_PAGES; i++)
			if (r->small[i])
				__free_page(r->small[i]);
		kvfree(r->small);
		r->small = NULL;
	}
}

/*
 * Fill region r with npages of RAM (npages < 512 only for the last one)
 * on node, or only there when strict (__GFP_THISNODE: no fallback).
 */
int v3_region_alloc(struct v3_region *r, unsigned long npages,
		    int node, bool strict, u64 *large_bytes)
{
	gfp_t gfp = V3_GFP_ACCOUNT | __GFP_ZERO | (strict ? __GFP_THISNODE : 0);
	unsigned long i;

	if (npages == V3_REGION_PAGES) {
		r->large = alloc_pages_node(node, (gfp & ~__GFP_RETRY_MAYFAIL) |
					    __GFP_NORETRY,
					    V3_LARGE_ORDER);
		if (r->large) {
			*large_bytes += V3_REGION_SIZE;
			return 0;
		}
	}
	r->small = kvcalloc(V3_REGION_PAGES, sizeof(*r->small),
			    V3_GFP_ACCOUNT);
	if (!r->small)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		r->small[i] = alloc_pages_node(node, gfp, 0);
		if (!r->small[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * The nodes a policy may use: those with memory (N_MEMORY) among the
 * caller's bits, or all of them for an interleave over "every node".
 */
static nodemask_t v3_place_nodes(const struct v3_mem_place *place)
{
	nodemask_t m = NODE_MASK_NONE;
	int n;

	for_each_node_state(n, N_MEMORY)
		if (n < V3_MAX_NODES &&
		    (!place->nodes || (place->nodes & BIT_ULL(n))))
			node_set(n, m);
	return m;
}

/*
 * V3_IOC_CREATE's node policy: -EINVAL, and a line in the log naming the
 * node, for a node that does not exist or has no memory.
 */
int v3_mem_place_check(const struct v3_create *c, const char *name)
{
	u64 bad;
	int n;

	switch (c->mem_policy) {
	case V3_MEM_LOCAL:
		return c->mem_nodes ? -EINVAL : 0;
	case V3_MEM_BIND:
		if (hweight64(c->mem_nodes) != 1)
			return -EINVAL;
		break;
	case V3_MEM_INTERLEAVE:
		break;
	default:
		return -EINVAL;
	}
	bad = c->mem_nodes;
	for_each_node_state(n, N_MEMORY)
		if (n < V3_MAX_NODES)
			bad &= ~BIT_ULL(n);
	if (bad) {
		pr_info_ratelimited(V3_PR_PREFIX "%s: NUMA node %d does not exist or has no memory\n",
				    name, (int)__ffs64(bad));
		return -EINVAL;
	}
	return 0;
}

/* Region i's node, and whether it must be there (bind, interleave). */
static int v3_region_node(const struct v3_mem_place *place,
			  const nodemask_t *nodes, unsigned long i,
			  bool *strict)
{
	unsigned long k;
	int n;

	*strict = place->policy != V3_MEM_LOCAL;
	if (place->policy == V3_MEM_LOCAL)
		return place->local_node;
	k = i % nodes_weight(*nodes);
	for_each_node_mask(n, *nodes)
		if (!k--)
			return n;
	return first_node(*nodes);
}

/*
 * Charged to the caller's memory cgroup and to max_guest_mem; @name only
 * names the VM in a refusal.
 */
int v3_mem_alloc(struct v3_guest_mem *mem, u64 size,
		 const struct v3_mem_place *place, const char *name)
{
	nodemask_t nodes = v3_place_nodes(place);
	unsigned long i, nr;
	u64 left = size;
	char need[24];
	bool strict;
	int ret, node;

	memset(mem, 0, sizeof(*mem));
	if (place->policy != V3_MEM_LOCAL && nodes_empty(nodes))
		return -EINVAL;
	mem->place = *place;
	ret = v3_guest_mem_charge(name, size);
	if (ret)
		return ret;
	nr = DIV_ROUND_UP(size, V3_REGION_SIZE);
	mem->regions = kvcalloc(nr, sizeof(*mem->regions), V3_GFP_ACCOUNT);
	if (!mem->regions) {
		v3_guest_mem_uncharge(size);
		return -ENOMEM;
	}
	mem->charged = size;
	mem->nr_regions = nr;
	mem->size = size;
	mem->low_size = min_t(u64, size, V3_LOW_RAM_LIMIT);

	for (i = 0; i < nr; i++) {
		u64 chunk = min_t(u64, left, V3_REGION_SIZE);

		node = v3_region_node(place, &nodes, i, &strict);
		ret = v3_region_alloc(&mem->regions[i], chunk >> PAGE_SHIFT,
				      node, strict, &mem->large_bytes);
		if (ret) {
			v3_fmt_bytes(need, sizeof(need), size);
			if (strict)
				pr_info_ratelimited(V3_PR_PREFIX "%s: NUMA node %d out of memory after %llu MiB of %s guest RAM (policy %s)\n",
						    name, node, (size - left) >> 20, need,
						    place->policy == V3_MEM_BIND ? "bind" : "interleave");
			else
				pr_info_ratelimited(V3_PR_PREFIX "%s: out of memory after %llu MiB of %s guest RAM (memory cgroup limit or host memory)\n",
						    name, (size - left) >> 20, need);
			goto fail;
		}
		left -= chunk;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		cond_resched();
	}
	return 0;
fail:
	v3_mem_free(mem);
	return ret;
}

void v3_mem_free(struct v3_guest_mem *mem)
{
	unsigned long i;

	if (!mem->regions)
		return;
	for (i = 0; i < mem->nr_regions; i++) {
		v3_region_free(&mem->regions[i]);
		cond_resched();
	}
	kvfree(mem->regions);
	v3_guest_mem_uncharge(mem->charged);
	memset(mem, 0, sizeof(*mem));
}

/* 4 KiB pages of guest RAM on each node, and of them in 2 MiB pages */
void v3_mem_count_nodes(const struct v3_guest_mem *mem, u64 *pages,
			u64 *large, unsigned int max, unsigned int *nr)
{
	unsigned long i, j;
	int n;

	*nr = 0;
	for (i = 0; i < mem->nr_regions; i++) {
		const struct v3_region *r = &mem->regions[i];

		if (r->large) {	/* one compound page: one node */
			n = page_to_nid(r->large);
			if (n >= 0 && n < max) {
				pages[n] += V3_REGION_PAGES;
				large[n] += V3_REGION_PAGES;
				*nr = max_t(unsigned int, *nr, n + 1);
			}
			continue;
		}
		for (j = 0; r->small && j < V3_REGION_PAGES; j++) {
			if (!r->small[j])
				continue;
			n = page_to_nid(r->small[j]);
			if (n < 0 || n >= max)
				continue;
			pages[n]++;
			*nr = max_t(unsigned int, *nr, n + 1);
		}
		cond_resched();
	}
}

/* Offset of gpa into the RAM image, or -1 when gpa is not RAM. */
static s64 v3_gpa_to_ram(const struct v3_guest_mem *mem, u64 gpa)
{
	if (gpa < mem->low_size)
		return gpa;
	if (gpa >= V3_HIGH_RAM_BASE &&
	    gpa - V3_HIGH_RAM_BASE < mem->size - mem->low_size)
		return gpa - V3_HIGH_RAM_BASE + mem->low_size;
	return -1;
}

bool v3_gpa_is_ram(struct v3_vm *vm, u64 gpa)
{
	return v3_gpa_to_ram(&vm->mem, gpa) >= 0;
}

static struct page *v3_ram_page(const struct v3_guest_mem *mem, u64 off,
				bool *large)
{
	const struct v3_region *r = &mem->regions[off >> V3_REGION_SHIFT];
	unsigned long idx = (off & (V3_REGION_SIZE - 1)) >> PAGE_SHIFT;

	if (large)
		*large = r->large != NULL;
	if (r->large)
		return r->large + idx;
	return r->small[idx];
}

/* the kernel address of the 4 KiB page at offset off into guest RAM */
void *v3_ram_hva(const struct v3_guest_mem *mem, u64 off)
{
	return page_address(v3_ram_page(mem, off, NULL));
}

void *v3_gpa_to_hva(struct v3_vm *vm, u64 gpa)
{
	s64 off = v3_gpa_to_ram(&vm->mem, gpa);

	if (off < 0)
		return NULL;
	return page_address(v3_ram_page(&vm->mem, off, NULL)) +
	       (gpa & ~PAGE_MASK);
}

u64 v3_gpa_to_hpa(struct v3_vm *vm, u64 gpa, bool *large)
{
	s64 off = v3_gpa_to_ram(&vm->mem, gpa);

	if (off < 0)
		return ~0ULL;
	return page_to_phys(v3_ram_page(&vm->mem, off, large)) +
	       (gpa & ~PAGE_MASK);
}

static int v3_copy_gpa(struct v3_vm *vm, u64 gpa, void *buf, size_t len,
		       bool write)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		void *hva = v3_gpa_to_hva(vm, gpa);

		if (!hva)
			return -EFAULT;
		if (write)
			memcpy(hva, buf, n);
		else
			memcpy(buf, hva, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int v3_read_gpa(struct v3_vm *vm, u64 gpa, void *buf, size_t len)
{
	return v3_copy_gpa(vm, gpa, buf, len, false);
}

int v3_write_gpa(struct v3_vm *vm, u64 gpa, const void *buf, size_t len)
{
	int ret = v3_copy_gpa(vm, gpa, (void *)buf, len, true);

	/* a guest page table among them: its shadows are stale (mmu/) */
	v3_mmu_gpa_written(vm, gpa, len);
	return ret;
}
