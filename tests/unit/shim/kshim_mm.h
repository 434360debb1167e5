/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory, lists and hashing for the unit tests of module/mmu/shadow.c:
 * "physical" addresses are the user-space addresses of page-aligned
 * allocations (virt_to_phys is the identity), and each page allocated
 * through get_zeroed_page has a struct page found by its frame number
 * (fakemm.c).  Single-threaded, like the rest of the shim.
 */
#ifndef _V3_KSHIM_MM_H
#define _V3_KSHIM_MM_H

struct page { unsigned long private; unsigned long pfn; struct page *next; };

#define GFP_KERNEL		0x1u
#define __GFP_ACCOUNT		0x20u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define __GFP_RETRY_MAYFAIL	0x4u
#define __GFP_NOWARN		0x8u
#define GFP_DMA32		0x10u
#define __GFP_DMA32		GFP_DMA32


void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);
void *kvcalloc(size_t n, size_t size, gfp_t gfp);
void *kvmalloc(size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void *kvmalloc_array(size_t n, size_t size, gfp_t gfp);
void kvfree(const void *p);
unsigned long get_zeroed_page(gfp_t gfp);
void free_page(unsigned long addr);
struct page *pfn_to_page(unsigned long pfn);
extern long shim_pages_in_use;
extern int shim_ipis;
static inline void cond_resched(void) { }
static inline s64 atomic64_fetch_or(s64 v, atomic64_t *a)
{
	return __atomic_fetch_or(&a->counter, v, __ATOMIC_SEQ_CST);
}
/* x86 PTE bits (asm/pgtable_types.h) */
#define _PAGE_PRESENT		0x001ULL
#define _PAGE_RW		0x002ULL
#define _PAGE_USER		0x004ULL
#define _PAGE_PSE		0x080ULL
static inline u64 virt_to_phys(const void *p) { return (u64)(unsigned long)p; }
static inline void *phys_to_virt(u64 pa) { return (void *)(unsigned long)pa; }
static inline struct page *virt_to_page(const void *p)
{
	return pfn_to_page((unsigned long)p >> PAGE_SHIFT);
}
#define __GFP_ZERO		0x40u
/* order 0 only; NULL after shim_fail_pages more allocations fail */
struct page *alloc_pages_node(int node, gfp_t gfp, unsigned int order);
extern int shim_fail_pages;
static inline void *page_address(const struct page *pg)
{
	return (void *)(pg->pfn << PAGE_SHIFT);
}
#define page_private(pg)	((pg)->private)
#define set_page_private(pg, v)	((pg)->private = (v))

static inline u32 hash_64(u64 v, unsigned int bits)
{
	return (u32)((v * 0x61c8864680b583ebULL) >> (64 - bits));
}

static inline void set_bit(int nr, unsigned long *addr) { *addr |= 1UL << nr; }
static inline void clear_bit(int nr, unsigned long *addr) { *addr &= ~(1UL << nr); }
static inline int test_bit(int nr, const unsigned long *addr) { return (*addr >> nr) & 1; }
static inline int smp_call_function_single(int cpu, void (*fn)(void *), void *info, int wait)
{
	shim_ipis++;
	fn(info);
	return 0;
}

struct hlist_node { struct hlist_node *next, **pprev; };
struct hlist_head { struct hlist_node *first; };
#define INIT_HLIST_HEAD(h)	((h)->first = NULL)
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}
static inline void hlist_del(struct hlist_node *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
}
#define hlist_entry_safe(p, t, m)	((p) ? container_of(p, t, m) : NULL)
#define hlist_for_each_entry(pos, head, m)					\
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), m); pos;	\
	     pos = hlist_entry_safe(pos->m.next, __typeof__(*pos), m))
#define hlist_for_each_entry_safe(pos, n, head, m)				\
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), m);	\
	     pos && ({ n = pos->m.next; 1; });					\
	     pos = hlist_entry_safe(n, __typeof__(*pos), m))

#endif
