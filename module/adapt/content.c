// SPDX-License-Identifier: GPL-2.0
/*
 * Memory content tracking (issue #14): which guest memory contents exist
 * how many times, within each VM and across the VMs of the node, as the
 * basis for deduplicated checkpoints and cheap redundancy (and, through
 * v3share, across the machine).
 *
 * One scanner for the node, like KSM's ksmd: every sleep_millisecs it
 * hashes the next pages_to_scan 4 KiB pages (xxh64) of the VMs whose
 * tracking is enabled, one VM's pass after the other, under the VM's
 * mem_lock (so a mem move or reset cannot free a page under it).  The
 * counting is content_table.c's.  Nothing but hashes and counts leaves
 * the module: the ioctls V3_IOC_CONTENT_STATS and V3_IOC_CONTENT_TABLE,
 * sysfs /sys/kernel/v3vmm/content/ (knobs and the node's counts) and
 * vms/NAME/content/ (enabled and the VM's counts).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xxhash.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include "v3.h"
#include "compat.h"
#include "adapt.h"
#include "content.h"
#include "content_table.h"

struct v3_content_vm {
	struct list_head list;		/* v3_content_vms, under v3_content_lock */
	struct v3_vm *vm;
	bool enabled;
	bool gone;			/* detached: may not be enabled again */
	struct v3_ct_vm ct;		/* its pages and table, while enabled */
	unsigned long cursor;		/* next page of the pass */
	u64 pages_scanned, full_scans, scan_ns;
};

/* everything below, and every struct v3_content_vm */
static DEFINE_MUTEX(v3_content_lock);
static LIST_HEAD(v3_content_vms);
static struct v3_content_vm *v3_content_cur;	/* the VM the pass is on */
/* the module's own: charged to no cgroup (like KSM's stable tree) */
static struct v3_ct v3_content_node = { .uncharged = true };
static u64 v3_content_scanned, v3_content_full_scans, v3_content_ns;
static u64 v3_content_zero_hash;
static unsigned int v3_content_slot;

/* the knobs, KSM's names and defaults */
static unsigned int v3_content_run;
static unsigned int v3_content_pages_to_scan = 100;
static unsigned int v3_content_sleep_ms = 20;
#define V3_CONTENT_MAX_PAGES	(1U << 20)
#define V3_CONTENT_MAX_SLEEP	60000

static struct workqueue_struct *v3_content_wq;
static void v3_content_tick(struct work_struct *w);
static DECLARE_DELAYED_WORK(v3_content_work, v3_content_tick);

static struct v3_content_vm *cv_of(struct v3_vm *vm)
{
	return vm->adapt[v3_content_slot];
}

/* ------------------------------------------------------------ scanning */

/* the next enabled VM after cv in the list (cv NULL: from the start) */
static struct v3_content_vm *v3_content_next(struct v3_content_vm *cv)
{
	struct list_head *p = cv ? cv->list.next : v3_content_vms.next;

	for (; p != &v3_content_vms; p = p->next) {
		cv = list_entry(p, struct v3_content_vm, list);
		if (cv->enabled)
			return cv;
	}
	return NULL;
}

/*
 * Hash up to budget pages of cv's pass; returns the pages done, *over
 * when the pass is.  A table that cannot grow stops the pass where it
 * is, to go on at the next tick.
 */
static unsigned int v3_content_scan_vm(struct v3_content_vm *cv,
				       unsigned int budget, bool *over)
{
	struct v3_vm *vm = cv->vm;
	u64 t0 = ktime_get_ns();
	unsigned int done = 0;
	struct mem_cgroup *old_memcg;

	/* the VM's table grows here: charged to the VM's creator */
	old_memcg = v3_set_active_memcg(vm->memcg);
	mutex_lock(&vm->mem_lock);
	while (done < budget && cv->cursor < cv->ct.nr) {
		const void *p = v3_ram_hva(&vm->mem,
					   (u64)cv->cursor << PAGE_SHIFT);
		u64 h = xxh64(p, PAGE_SIZE, 0);
		u16 flags = h == v3_content_zero_hash ? V3_CONTENT_ZERO : 0;

		if (v3_ct_page(&cv->ct, &v3_content_node, cv->cursor, h,
			       flags) < 0)
			break;
		cv->cursor++;
		done++;
	}
	mutex_unlock(&vm->mem_lock);
	v3_set_active_memcg(old_memcg);
	*over = cv->cursor == cv->ct.nr;
	if (*over) {
		cv->cursor = 0;
		cv->full_scans++;
		cv->ct.changed_last = cv->ct.changed_pass;
		cv->ct.changed_pass = 0;
	}
	cv->pages_scanned += done;
	cv->scan_ns += ktime_get_ns() - t0;
	return done;
}

/*
 * v3_content_cur is NULL at the start of a pass over the node, else an
 * enabled VM of the list (disabling or detaching one moves it on).
 */
static void v3_content_tick(struct work_struct *w)
{
	unsigned int budget, done = 0, n, d;
	u64 t0 = ktime_get_ns();
	bool over;

	mutex_lock(&v3_content_lock);
	if (!READ_ONCE(v3_content_run))
		goto out;
	budget = READ_ONCE(v3_content_pages_to_scan);
	/* each VM's pass at most once a tick */
	for (n = 0; done < budget && n <= V3_MAX_VMS; n++) {
		if (!v3_content_cur)
			v3_content_cur = v3_content_next(NULL);
		if (!v3_content_cur)
			break;		/* nothing to scan */
		d = v3_content_scan_vm(v3_content_cur, budget - done, &over);
		done += d;
		if (!over) {
			if (!d)
				break;	/* out of memory: later */
			continue;
		}
		v3_content_cur = v3_content_next(v3_content_cur);
		if (!v3_content_cur)
			v3_content_full_scans++;
	}
	v3_content_scanned += done;
	v3_content_ns += ktime_get_ns() - t0;
	queue_delayed_work(v3_content_wq, &v3_content_work,
			   msecs_to_jiffies(READ_ONCE(v3_content_sleep_ms)));
out:
	mutex_unlock(&v3_content_lock);
}

/* ---------------------------------------------------------- enabling */

/* under v3_content_lock */
static int v3_content_enable(struct v3_content_vm *cv, bool on)
{
	int ret;

	if (on == cv->enabled)
		return 0;
	if (on && cv->gone)
		return -ENOENT;
	if (on) {
		struct mem_cgroup *old_memcg = v3_set_active_memcg(cv->vm->memcg);

		ret = v3_ct_vm_init(&cv->ct, cv->vm->mem.size >> PAGE_SHIFT);
		v3_set_active_memcg(old_memcg);
		if (ret)
			return ret;
		cv->cursor = 0;
		cv->enabled = true;
		return 0;
	}
	if (v3_content_cur == cv)
		v3_content_cur = v3_content_next(cv);
	v3_ct_vm_drop(&cv->ct, &v3_content_node);
	v3_ct_vm_free(&cv->ct);
	cv->enabled = false;
	return 0;
}

/* ---------------------------------------------------------- counting */

/* a VM's counts (vm), or the node's (vm NULL); under v3_content_lock */
static void v3_content_fill(struct v3_content_vm *cv,
			    struct v3_content_stats *st)
{
	const struct v3_ct *t = cv ? &cv->ct.t : &v3_content_node;
	const struct v3_content_entry *z = v3_ct_find(t, v3_content_zero_hash);

	st->pages_hashed = t->pages;
	st->pages_distinct = t->used;
	st->pages_zero = z ? z->copies : 0;
	st->pages_shared = t->shared;
	st->pages_sharing = t->pages - t->used;
	st->pages_unique = t->used - t->shared;
	if (cv) {
		st->enabled = cv->enabled;
		st->pages = cv->enabled ? cv->ct.nr : 0;
		st->pages_scanned = cv->pages_scanned;
		st->full_scans = cv->full_scans;
		st->pages_shared_other =
			v3_ct_vm_shared_other(&cv->ct, &v3_content_node);
		st->pages_volatile = cv->ct.volatile_pages;
		st->pages_changed = cv->ct.changed;
		st->pages_changed_last = cv->ct.changed_last;
		st->scan_ns = cv->scan_ns;
		return;
	}
	st->pages_scanned = v3_content_scanned;
	st->full_scans = v3_content_full_scans;
	st->pages_shared_other = t->multi_pages;
	st->scan_ns = v3_content_ns;
	list_for_each_entry(cv, &v3_content_vms, list) {
		if (!cv->enabled)
			continue;
		st->enabled++;
		st->pages += cv->ct.nr;
		st->pages_volatile += cv->ct.volatile_pages;
		st->pages_changed += cv->ct.changed;
		st->pages_changed_last += cv->ct.changed_last;
	}
}

/* name "" for the node: the counts, under the lock; -ENOENT, no such VM */
static int v3_content_stats_of(const char *name, struct v3_content_stats *st)
{
	struct v3_vm *vm = NULL;

	if (name[0]) {
		vm = v3_vm_get(name);
		if (!vm)
			return -ENOENT;
	}
	mutex_lock(&v3_content_lock);
	v3_content_fill(vm ? cv_of(vm) : NULL, st);
	mutex_unlock(&v3_content_lock);
	if (vm)
		v3_vm_put(vm);
	return 0;
}

static bool v3_content_name_ok(const char *name)
{
	return !name[0] || !v3_check_name(name);
}

int v3_content_ioc_stats(void __user *arg)
{
	struct v3_content_stats st;
	char name[V3_NAME_MAX];
	int ret;

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (!v3_zero(st.reserved, sizeof(st.reserved)) || st.pad)
		return -EINVAL;
	memcpy(name, st.name, sizeof(name));
	if (strnlen(name, V3_NAME_MAX) == V3_NAME_MAX ||
	    !v3_content_name_ok(name))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	memcpy(st.name, name, sizeof(st.name));
	ret = v3_content_stats_of(name, &st);
	if (ret)
		return ret;
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * The table, sorted, taken at once under the lock into a kernel buffer
 * and copied out after.  -ENOSPC with count set when max is too small.
 */
int v3_content_ioc_table(void __user *arg)
{
	struct v3_content_entry *buf = NULL;
	struct v3_content_table tb;
	struct v3_vm *vm = NULL;
	const struct v3_ct *t;
	u64 n = 0;
	int ret = 0;

	if (copy_from_user(&tb, arg, sizeof(tb)))
		return -EFAULT;
	if (!v3_zero(tb.reserved, sizeof(tb.reserved)) ||
	    strnlen(tb.name, V3_NAME_MAX) == V3_NAME_MAX ||
	    !v3_content_name_ok(tb.name))
		return -EINVAL;
	if (tb.name[0]) {
		vm = v3_vm_get(tb.name);
		if (!vm)
			return -ENOENT;
	}
	mutex_lock(&v3_content_lock);
	t = vm ? &cv_of(vm)->ct.t : &v3_content_node;
	tb.count = t->used;
	tb.time_ns = ktime_get_real_ns();
	if (tb.max < t->used) {
		ret = -ENOSPC;
	} else if (t->used) {
		buf = kvmalloc_array(t->used, sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (buf)
			n = v3_ct_copy_sorted(t, buf, t->used);
		else
			ret = -ENOMEM;
	}
	mutex_unlock(&v3_content_lock);
	if (vm)
		v3_vm_put(vm);
	if (!ret && n && copy_to_user(u64_to_user_ptr(tb.entries), buf,
				      n * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	if ((!ret || ret == -ENOSPC) && copy_to_user(arg, &tb, sizeof(tb)))
		ret = -EFAULT;
	return ret;
}

/* ------------------------------------------------------------- sysfs */

/* a count file: the field of struct v3_content_stats it shows */
struct v3_content_attr {
	struct kobj_attribute attr;
	unsigned int off;
	bool node;		/* /sys/kernel/v3vmm/content/, not a VM's */
};

static ssize_t v3_content_count_show(struct kobject *k,
				     struct kobj_attribute *a, char *buf)
{
	struct v3_content_attr *ca = container_of(a, struct v3_content_attr,
						  attr);
	struct v3_content_stats st = { };

	mutex_lock(&v3_content_lock);
	v3_content_fill(ca->node ? NULL : cv_of(v3_sysfs_vm(k)), &st);
	mutex_unlock(&v3_content_lock);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&st + ca->off));
}

#define V3_CA(n, f, nd) { .attr = __ATTR(n, 0444, v3_content_count_show, NULL), \
			  .off = offsetof(struct v3_content_stats, f), .node = nd }
#define V3_CA_ALL(nd)							\
	V3_CA(pages, pages, nd),					\
	V3_CA(pages_scanned, pages_scanned, nd),			\
	V3_CA(full_scans, full_scans, nd),				\
	V3_CA(pages_hashed, pages_hashed, nd),				\
	V3_CA(pages_distinct, pages_distinct, nd),			\
	V3_CA(pages_zero, pages_zero, nd),				\
	V3_CA(pages_shared, pages_shared, nd),				\
	V3_CA(pages_sharing, pages_sharing, nd),			\
	V3_CA(pages_unique, pages_unique, nd),				\
	V3_CA(pages_shared_other, pages_shared_other, nd),		\
	V3_CA(pages_volatile, pages_volatile, nd),			\
	V3_CA(pages_changed, pages_changed, nd),			\
	V3_CA(pages_changed_last, pages_changed_last, nd),		\
	V3_CA(scan_ns, scan_ns, nd)

static struct v3_content_attr v3_content_vm_counts[] = { V3_CA_ALL(false) };
static struct v3_content_attr v3_content_node_counts[] = { V3_CA_ALL(true) };
#define V3_NR_COUNTS	ARRAY_SIZE(v3_content_vm_counts)

/* vms/NAME/content/enabled: 0 or 1 */
static ssize_t enabled_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", cv_of(v3_sysfs_vm(k))->enabled);
}

static ssize_t enabled_store(struct kobject *k, struct kobj_attribute *a,
			     const char *buf, size_t len)
{
	bool on;
	int ret = kstrtobool(buf, &on);

	if (ret)
		return ret;
	mutex_lock(&v3_content_lock);
	ret = v3_content_enable(cv_of(v3_sysfs_vm(k)), on);
	mutex_unlock(&v3_content_lock);
	return ret ?: len;
}
static struct kobj_attribute v3_content_enabled_attr = __ATTR_RW(enabled);

/* content/run: 1 scans, 0 stops (the counts stay) */
static ssize_t run_show(struct kobject *k, struct kobj_attribute *a,
			char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(v3_content_run));
}

static ssize_t run_store(struct kobject *k, struct kobj_attribute *a,
			 const char *buf, size_t len)
{
	unsigned int v;
	int ret = kstrtouint(buf, 10, &v);

	if (ret)
		return ret;
	if (v > 1)
		return -EINVAL;
	WRITE_ONCE(v3_content_run, v);
	if (v)
		mod_delayed_work(v3_content_wq, &v3_content_work, 0);
	return len;
}
static struct kobj_attribute v3_content_run_attr = __ATTR_RW(run);

#define V3_CONTENT_KNOB(name, var, lo, hi)				\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(var));			\
}									\
static ssize_t name##_store(struct kobject *k, struct kobj_attribute *a, \
			    const char *buf, size_t len)		\
{									\
	unsigned int v;							\
	int ret = kstrtouint(buf, 10, &v);				\
									\
	if (ret)							\
		return ret;						\
	if (v < (lo) || v > (hi))					\
		return -EINVAL;						\
	WRITE_ONCE(var, v);						\
	return len;							\
}									\
static struct kobj_attribute v3_content_##name##_attr = __ATTR_RW(name)

V3_CONTENT_KNOB(pages_to_scan, v3_content_pages_to_scan, 1,
		V3_CONTENT_MAX_PAGES);
V3_CONTENT_KNOB(sleep_millisecs, v3_content_sleep_ms, 1,
		V3_CONTENT_MAX_SLEEP);

static struct attribute *v3_content_vm_attrs[V3_NR_COUNTS + 2];
static struct attribute *v3_content_node_attrs[V3_NR_COUNTS + 4];

const struct attribute_group v3_content_vm_group = {
	.name = "content",
	.attrs = v3_content_vm_attrs,
};

const struct attribute_group v3_content_node_group = {
	.name = "content",
	.attrs = v3_content_node_attrs,
};

static void v3_content_attrs_init(void)
{
	unsigned int i, n = 0;

	v3_content_vm_attrs[0] = &v3_content_enabled_attr.attr;
	v3_content_node_attrs[n++] = &v3_content_run_attr.attr;
	v3_content_node_attrs[n++] = &v3_content_pages_to_scan_attr.attr;
	v3_content_node_attrs[n++] = &v3_content_sleep_millisecs_attr.attr;
	for (i = 0; i < V3_NR_COUNTS; i++) {
		v3_content_vm_attrs[i + 1] = &v3_content_vm_counts[i].attr.attr;
		v3_content_node_attrs[n++] = &v3_content_node_counts[i].attr.attr;
	}
}

/* ------------------------------------------------------- the service */

static int v3_content_init(void)
{
	void *zero = (void *)get_zeroed_page(GFP_KERNEL);

	if (!zero)
		return -ENOMEM;
	v3_content_zero_hash = xxh64(zero, PAGE_SIZE, 0);
	free_page((unsigned long)zero);
	v3_content_attrs_init();
	v3_content_wq = alloc_workqueue("v3vmm-content", WQ_UNBOUND, 1);
	return v3_content_wq ? 0 : -ENOMEM;
}

static void v3_content_exit(void)
{
	WRITE_ONCE(v3_content_run, 0);
	cancel_delayed_work_sync(&v3_content_work);
	destroy_workqueue(v3_content_wq);
	v3_ct_free(&v3_content_node);
}

static int v3_content_attach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_content_vm *cv = kzalloc(sizeof(*cv), V3_GFP_ACCOUNT);

	if (!cv)
		return -ENOMEM;
	v3_content_slot = slot;
	cv->vm = vm;
	vm->adapt[slot] = cv;
	mutex_lock(&v3_content_lock);
	list_add_tail(&cv->list, &v3_content_vms);
	mutex_unlock(&v3_content_lock);
	return 0;
}

/* the VM goes: out of the list and the node's table, before its RAM */
static void v3_content_detach(struct v3_vm *vm, unsigned int slot)
{
	struct v3_content_vm *cv = vm->adapt[slot];

	mutex_lock(&v3_content_lock);
	v3_content_enable(cv, false);
	cv->gone = true;
	list_del_init(&cv->list);
	mutex_unlock(&v3_content_lock);
}

static void v3_content_free(struct v3_vm *vm, unsigned int slot)
{
	kfree(vm->adapt[slot]);
	vm->adapt[slot] = NULL;
}

static u64 v3_content_caps(void)
{
	return V3_CAP_CONTENT;
}

const struct v3_adapt_service v3_content_service = {
	.name = "content",
	.init = v3_content_init,
	.exit = v3_content_exit,
	.vm_attach = v3_content_attach,
	.vm_detach = v3_content_detach,
	.vm_free = v3_content_free,
	.caps = v3_content_caps,
};
