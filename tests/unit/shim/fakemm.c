// SPDX-License-Identifier: GPL-2.0
/* Page allocation for the shadow-paging unit test (see kshim_mm.h). */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <kshim.h>
#include "kshim_mm.h"

long shim_pages_in_use;
int shim_ipis;
static struct page *pages[4096];	/* by pfn hash */

struct page *pfn_to_page(unsigned long pfn)
{
	struct page *pg;

	for (pg = pages[pfn % 4096]; pg; pg = pg->next)
		if (pg->pfn == pfn)
			return pg;
	abort();	/* not a page of ours */
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	void *p = aligned_alloc(4096, 4096);
	struct page *pg = calloc(1, sizeof(*pg));

	if (!p || !pg)
		abort();
	memset(p, 0, 4096);
	pg->pfn = (unsigned long)p >> 12;
	pg->next = pages[pg->pfn % 4096];
	pages[pg->pfn % 4096] = pg;
	shim_pages_in_use++;
	return (unsigned long)p;
}

void free_page(unsigned long addr)
{
	struct page **pp;

	if (!addr)
		return;
	for (pp = &pages[(addr >> 12) % 4096]; *pp; pp = &(*pp)->next) {
		if ((*pp)->pfn == addr >> 12) {
			struct page *pg = *pp;

			*pp = pg->next;
			free(pg);
			free((void *)addr);
			shim_pages_in_use--;
			return;
		}
	}
	abort();
}

int shim_fail_pages;

struct page *alloc_pages_node(int node, gfp_t gfp, unsigned int order)
{
	if (order || shim_fail_pages) {
		if (shim_fail_pages)
			shim_fail_pages--;
		return NULL;
	}
	return pfn_to_page(get_zeroed_page(gfp) >> 12);
}

void *kzalloc(size_t size, gfp_t gfp) { return calloc(1, size); }
void kfree(const void *p) { free((void *)p); }
void *kvcalloc(size_t n, size_t size, gfp_t gfp) { return calloc(n, size); }
void *kvmalloc(size_t size, gfp_t gfp) { return malloc(size ? size : 1); }
void *kvzalloc(size_t size, gfp_t gfp) { return calloc(1, size ? size : 1); }
void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return n && size > SIZE_MAX / n ? NULL : malloc(n && size ? n * size : 1);
}
void kvfree(const void *p) { free((void *)p); }
