/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: just enough of the kernel's headers to build v3vmm's
 * hardware-decoding code in user space, so unit tests can feed it exit
 * states and CPU feature sets no emulator offers (NRIP save, decode
 * assists, VMCB clean bits, VPID flavours, ...).
 *
 * Every <linux/...> and <asm/...> header the module includes is mapped
 * to this file by the Makefile (one-line wrappers it generates), except
 * those with a real user-space or kernel counterpart worth using
 * (asm/msr-index.h from the kernel headers, asm/processor-flags.h from
 * the uapi).  Hardware access (CPUID, RDMSR, RDTSC) reads the fake CPU
 * in fakecpu.c, which a test fills in.
 */
#ifndef _V3_KSHIM_H
#define _V3_KSHIM_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <assert.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as the kernel: printf %llx */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef u64 phys_addr_t;
typedef u64 gfp_t;

#ifndef BIT
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
#endif
#ifndef _BITUL		/* also in the uapi linux/const.h */
#define _BITUL(x)		(1UL << (x))
#define _BITULL(x)		(1ULL << (x))
#endif
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((u64)(n) >> 32))
#define __packed		__attribute__((packed))
#define __aligned(x)		__attribute__((aligned(x)))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#define __init
#define __exit
#define __user
#define __iomem
#define __must_check
#define noinline		__attribute__((noinline))
#define asmlinkage
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define READ_ONCE(x)		(*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define smp_mb()		__sync_synchronize()
#define smp_wmb()		__sync_synchronize()
#define smp_rmb()		__sync_synchronize()
#define smp_mb__after_atomic()	__sync_synchronize()
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define NSEC_PER_MSEC		1000000ULL
#define USEC_PER_SEC		1000000ULL
static inline unsigned long long mul_u64_u32_div(unsigned long long a,
						 unsigned int mul,
						 unsigned int div)
{
	return (unsigned long long)((unsigned __int128)a * mul / div);
}
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define WARN_ON(c)		({ int __c = !!(c); if (__c) shim_warn(__FILE__, __LINE__); __c; })
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define BUG_ON(c)		do { if (c) abort(); } while (0)
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))
#define fallthrough		__attribute__((fallthrough))
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))

/* kernel log: captured, so tests can check what would be printed */
#define KERN_ERR ""
#define KERN_WARNING ""
#define KERN_INFO ""
void shim_log(const char *fmt, ...) __printf(1, 2);
void shim_warn(const char *file, int line);
#define pr_err(fmt, ...)	shim_log(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_log(fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_log(fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { } while (0)
#define pr_err_ratelimited	pr_err
#define pr_warn_ratelimited	pr_warn
#define pr_warn_once		pr_warn
#define pr_info_once		pr_info
#define printk_ratelimit()	1

/* Objects v3.h embeds; the decoding code never uses them. */
struct list_head { struct list_head *next, *prev; };
/* lists */
#define LIST_HEAD_INIT(n)	{ &(n), &(n) }
#define LIST_HEAD(n)		struct list_head n = LIST_HEAD_INIT(n)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l->prev = l; }
static inline void list_add(struct list_head *n, struct list_head *h)
{
	n->next = h->next; n->prev = h; h->next->prev = n; h->next = n;
}
static inline void list_del(struct list_head *e)
{
	e->prev->next = e->next; e->next->prev = e->prev; e->next = e->prev = NULL;
}
static inline int list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_splice_init(struct list_head *l, struct list_head *h)
{
	if (list_empty(l))
		return;
	l->next->prev = h; l->prev->next = h->next; h->next->prev = l->prev; h->next = l->next;
	INIT_LIST_HEAD(l);
}
#define list_entry(p, t, m)	container_of(p, t, m)
#define list_for_each_entry_safe(pos, n, head, m)				\
	for (pos = list_entry((head)->next, __typeof__(*pos), m),		\
	     n = list_entry(pos->m.next, __typeof__(*pos), m);			\
	     &pos->m != (head);							\
	     pos = n, n = list_entry(n->m.next, __typeof__(*n), m))

static inline void list_add_tail(struct list_head *e, struct list_head *h)
{
	e->prev = h->prev; e->next = h; h->prev->next = e; h->prev = e;
}
#define list_for_each_entry(pos, head, m)					\
	for (pos = list_entry((head)->next, __typeof__(*pos), m);		\
	     &pos->m != (head);							\
	     pos = list_entry(pos->m.next, __typeof__(*pos), m))

struct kref { int refcount; };
struct mutex { int locked; };
struct rw_semaphore { int count; };
typedef struct { int locked; } spinlock_t;
typedef struct { int unused; } wait_queue_head_t;
struct work_struct { void (*func)(struct work_struct *w); int queued; };
#define INIT_WORK(w, f)		((w)->func = (f), (w)->queued = 0)
static inline bool schedule_work(struct work_struct *w)
{
	return !w->queued++;
}
static inline bool cancel_work_sync(struct work_struct *w)
{
	bool was = w->queued;

	w->queued = 0;
	return was;
}
struct preempt_notifier { int unused; };
struct call_single_data { void (*func)(void *); void *info; };
typedef struct call_single_data call_single_data_t;
struct page;
struct task_struct;
struct kobject;
typedef struct { long counter; } atomic_t;
typedef struct { long long counter; } atomic64_t;

/* Hardware, answered by the fake CPU (fakecpu.c) */
struct shim_cpuid { u32 leaf, sub, a, b, c, d; };
#define SHIM_MAX_CPUID	1024	/* a "future" CPU: every leaf and sub-leaf */
#define SHIM_MAX_MSR	64
struct shim_cpu {
	int vendor;				/* X86_VENDOR_* */
	struct shim_cpuid cpuid[SHIM_MAX_CPUID];
	unsigned int nr_cpuid;
	struct { u32 msr; u64 val; } msr[SHIM_MAX_MSR];
	unsigned int nr_msr;
	u64 tsc;
	bool hypervisor;			/* X86_FEATURE_HYPERVISOR */
	u64 caps[12];				/* other X86_FEATURE_* by number */
};
extern struct shim_cpu shim_cpu;
void shim_cpu_reset(void);
void shim_set_cpuid(u32 leaf, u32 sub, u32 a, u32 b, u32 c, u32 d);
void shim_set_msr(u32 msr, u64 val);
void shim_cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d);
int shim_rdmsr(u32 msr, u64 *val);	/* -EIO when the MSR is absent */

static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c,
			       u32 *d)
{
	shim_cpuid_count(leaf, sub, a, b, c, d);
}

static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	shim_cpuid_count(leaf, 0, a, b, c, d);
}

#define SHIM_CPUID_REG(name, r)					\
static inline u32 name(u32 leaf)					\
{									\
	u32 a, b, c, d;							\
	shim_cpuid_count(leaf, 0, &a, &b, &c, &d);			\
	return r;							\
}
SHIM_CPUID_REG(cpuid_eax, a)
SHIM_CPUID_REG(cpuid_ebx, b)
SHIM_CPUID_REG(cpuid_ecx, c)
SHIM_CPUID_REG(cpuid_edx, d)

#define rdmsrl(msr, v)		do { u64 __v = 0; shim_rdmsr(msr, &__v); (v) = __v; } while (0)
#define rdmsrl_safe(msr, p)	shim_rdmsr(msr, p)
#define wrmsrl(msr, v)		shim_set_msr(msr, v)
static inline u64 rdtsc(void) { return shim_cpu.tsc; }

/* CPU vendors and the feature bits the module tests (asm/processor.h) */
#define X86_VENDOR_INTEL	0
#define X86_VENDOR_CYRIX	1
#define X86_VENDOR_AMD		2
#define X86_VENDOR_UMC		3
#define X86_VENDOR_CENTAUR	5
#define X86_VENDOR_TRANSMETA	7
#define X86_VENDOR_NSC		8
#define X86_VENDOR_HYGON	9
#define X86_VENDOR_ZHAOXIN	10
struct shim_cpuinfo { int x86_vendor; };
#define boot_cpu_data		(*(struct shim_cpuinfo *)&shim_cpu.vendor)
bool shim_cpu_has(int feature);
#define boot_cpu_has(f)		shim_cpu_has(f)
#define static_cpu_has(f)	shim_cpu_has(f)
#define cpu_feature_enabled(f)	shim_cpu_has(f)
#define boot_cpu_has_bug(b)	shim_cpu_has(b)
/* feature numbers as word * 32 + bit (asm/cpufeatures.h) */
#ifndef X86_FEATURE_HYPERVISOR
#define X86_FEATURE_HYPERVISOR	(4 * 32 + 31)
#endif
#ifndef X86_FEATURE_SVM
#define X86_FEATURE_SVM		(6 * 32 + 2)
#endif
#ifndef X86_FEATURE_INVPCID
#define X86_FEATURE_INVPCID	(9 * 32 + 10)
#endif
#ifndef X86_FEATURE_ARCH_PERFMON
#define X86_FEATURE_ARCH_PERFMON	(3 * 32 + 11)
#endif
#ifndef X86_FEATURE_HYBRID_CPU
#define X86_FEATURE_HYBRID_CPU	(18 * 32 + 15)
#endif

/* the tests are single-threaded: locks only mark the critical sections */
#define spin_lock_init(l)	((l)->locked = 0)
#define spin_lock(l)		((l)->locked++)
#define spin_unlock(l)		((l)->locked--)

#define spin_lock_irqsave(l, f)		((void)(f), (l)->locked++)
#define spin_unlock_irqrestore(l, f)	((void)(f), (l)->locked--)
#define mutex_lock(m)			((m)->locked++)
#define mutex_unlock(m)			((m)->locked--)
#define smp_load_acquire(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)		__atomic_store_n(p, v, __ATOMIC_RELEASE)
static inline int test_and_set_bit_lock(long nr, volatile unsigned long *a)
{
	unsigned long m = 1UL << nr;

	return !!(__atomic_fetch_or(a, m, __ATOMIC_ACQUIRE) & m);
}
static inline void clear_bit_unlock(long nr, volatile unsigned long *a)
{
	__atomic_fetch_and(a, ~(1UL << nr), __ATOMIC_RELEASE);
}
static inline void preempt_disable(void) { }
static inline void preempt_enable(void) { }
/* linux/completion.h: only initialised here */
struct completion { unsigned int done; };
static inline void reinit_completion(struct completion *c) { c->done = 0; }
/* a test that reaches it defines it */
long wait_for_completion_killable_timeout(struct completion *c,
					  unsigned long timeout);
unsigned long wait_for_completion_timeout(struct completion *c,
					  unsigned long timeout);
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms; }
#define sysfs_emit(buf, fmt, ...)	sprintf(buf, fmt, ##__VA_ARGS__)
u64 ktime_get_ns(void);			/* a test that reaches it defines it */

static inline int smp_processor_id(void) { return 0; }
void yield(void);			/* a test that reaches it defines it */
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
extern unsigned int tsc_khz;
/* shim/stubs.c: v3_vm_stop() calls, the last reason and message */
extern int shim_stops, shim_stop_reason;
extern char shim_stop_why[256];

/* module parameters: plain variables a test sets */
#ifndef module_param
#define module_param(name, type, perm)
#define module_param_named(name, var, type, perm)
#define MODULE_PARM_DESC(name, desc)
#endif
static inline int get_cpu(void) { return 0; }
static inline void put_cpu(void) { }

#include "kshim_mm.h"

/* lib/sort.c: the C library's, the kernel's swap argument unused */
static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	qsort(base, num, size, cmp);
}

/* linux/version.h: the shim is 6.1's (module/perf_compat.h) */
#ifndef LINUX_VERSION_CODE
#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + (c))
#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 1, 0)
#endif

/* perf's interface for hypervisors (asm/perf_event.h), as in 6.1; the
 * test that links module/vmx/vmx_perf.c defines the two functions */
struct perf_guest_switch_msr {
	unsigned int msr;
	u64 host, guest;
};
struct x86_pmu_capability {
	int version;
	int num_counters_gp;
	int num_counters_fixed;
	int bit_width_gp;
	int bit_width_fixed;
	unsigned int events_mask;
	int events_mask_len;
	unsigned int pebs_ept :1;
};
struct perf_guest_switch_msr *perf_guest_get_msrs(int *nr, void *data);
void perf_get_x86_pmu_capability(struct x86_pmu_capability *cap);

#endif /* _V3_KSHIM_H */
