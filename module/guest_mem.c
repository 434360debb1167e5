// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: allocated in 2 MiB regions on the VM's NUMA node, each backed
 * by one order-9 page when the buddy allocator can give one without
 * compaction stalls, else by 512 order-0 pages.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sched/signal.h>
#include "v3.h"

#define V3_REGION_PAGES		(V3_REGION_SIZE >> PAGE_SHIFT)
#define V3_LARGE_ORDER		(V3_REGION_SHIFT - PAGE_SHIFT)

static void v3_region_free(struct v3_region *r)
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

/* Fill region r with npages of RAM (npages < 512 only for the last one). */
static int v3_region_alloc(struct v3_region *r, unsigned long npages,
			   int node, u64 *large_bytes)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN;
	unsigned long i;

	if (npages == V3_REGION_PAGES) {
		r->large = alloc_pages_node(node, gfp | __GFP_NORETRY,
					    V3_LARGE_ORDER);
		if (r->large) {
			*large_bytes += V3_REGION_SIZE;
			return 0;
		}
	}
	r->small = kvcalloc(V3_REGION_PAGES, sizeof(*r->small), GFP_KERNEL);
	if (!r->small)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		r->small[i] = alloc_pages_node(node, gfp, 0);
		if (!r->small[i])
			return -ENOMEM;
	}
	return 0;
}

int v3_mem_alloc(struct v3_guest_mem *mem, u64 size, int node)
{
	unsigned long i, nr;
	u64 left = size;
	int ret;

	memset(mem, 0, sizeof(*mem));
	nr = DIV_ROUND_UP(size, V3_REGION_SIZE);
	mem->regions = kvcalloc(nr, sizeof(*mem->regions), GFP_KERNEL);
	if (!mem->regions)
		return -ENOMEM;
	mem->nr_regions = nr;
	mem->size = size;
	mem->low_size = min_t(u64, size, V3_LOW_RAM_LIMIT);

	for (i = 0; i < nr; i++) {
		u64 chunk = min_t(u64, left, V3_REGION_SIZE);

		ret = v3_region_alloc(&mem->regions[i], chunk >> PAGE_SHIFT,
				      node, &mem->large_bytes);
		if (ret)
			goto fail;
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
	memset(mem, 0, sizeof(*mem));
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
	return v3_copy_gpa(vm, gpa, (void *)buf, len, true);
}
