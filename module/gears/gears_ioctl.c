// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' ioctls (ABI 1.6, include/v3vmm.h): V3_IOC_GEARS_SYM and
 * V3_IOC_GEARS_PS, dispatched by dev.c after its CAP_SYS_ADMIN check.
 * Arguments are copied in and checked (name, symbol string, pad and
 * reserved fields, buffer size) before any VM is looked up.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include "../v3.h"
#include "gears.h"

int v3_gears_ioc_sym(void __user *arg)
{
	struct v3_gears_sym *s;
	struct v3_vm *vm;
	size_t len;
	int ret;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(s, arg, sizeof(*s)))
		goto out;
	ret = -EINVAL;
	len = strnlen(s->sym, sizeof(s->sym));
	if (v3_check_name(s->name) || s->pad ||
	    !v3_zero(s->reserved, sizeof(s->reserved)) ||
	    !len || len == sizeof(s->sym))
		goto out;
	vm = v3_vm_get(s->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	ret = v3_gears_sym(vm, s->sym, &s->addr, &s->slide, &s->text,
			   &s->nr_syms);
	v3_vm_put(vm);
	/* an unknown symbol still says which kernel it was looked up in */
	if ((!ret || ret == -ENXIO) && copy_to_user(arg, s, sizeof(*s)))
		ret = -EFAULT;
out:
	kfree(s);
	return ret;
}

/*
 * The process list, taken at once into a kernel buffer (at most
 * V3_GEARS_TASKS_MAX entries) and copied out after.  -ENOSPC with count
 * set when max is too small.
 */
int v3_gears_ioc_ps(void __user *arg)
{
	struct v3_gears_task *buf = NULL;
	struct v3_gears_ps ps;
	struct v3_vm *vm;
	u32 max, count = 0;
	int ret;

	if (copy_from_user(&ps, arg, sizeof(ps)))
		return -EFAULT;
	if (v3_check_name(ps.name) || !v3_zero(ps.reserved, sizeof(ps.reserved)))
		return -EINVAL;
	max = min_t(u32, ps.max, V3_GEARS_TASKS_MAX);
	if (max) {
		buf = kvmalloc_array(max, sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
	}
	vm = v3_vm_get(ps.name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	ret = v3_gears_ps(vm, buf, max, &count);
	v3_vm_put(vm);
	if (ret && ret != -ENOSPC)
		goto out;
	ps.count = count;
	ps.time_ns = ktime_get_real_ns();
	if (!ret && count && copy_to_user(u64_to_user_ptr(ps.tasks), buf,
					  (size_t)count * sizeof(*buf)))
		ret = -EFAULT;
	if (copy_to_user(arg, &ps, sizeof(ps)))
		ret = -EFAULT;
out:
	kvfree(buf);
	return ret;
}

#define V3_GEARS_READ_MAX	1024	/* events a READ takes at once */

/* V3_IOC_GEARS_TRACE: START, STOP, READ (events copied out after) */
int v3_gears_ioc_trace(void __user *arg)
{
	struct v3_gears_event *buf = NULL;
	struct v3_gears_trace *t;
	struct v3_vm *vm;
	int ret;

	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(t, arg, sizeof(*t)))
		goto out;
	ret = -EINVAL;
	if (v3_check_name(t->name) || !v3_zero(t->reserved, sizeof(t->reserved)) ||
	    strnlen(t->syscalls, sizeof(t->syscalls)) == sizeof(t->syscalls) ||
	    strnlen(t->comm, sizeof(t->comm)) == sizeof(t->comm) ||
	    t->op < V3_GEARS_TRACE_START || t->op > V3_GEARS_TRACE_READ)
		goto out;
	if (t->op == V3_GEARS_TRACE_READ) {
		t->max = min_t(u32, t->max, V3_GEARS_READ_MAX);
		ret = -ENOMEM;
		buf = kvmalloc_array(max_t(u32, t->max, 1), sizeof(*buf),
				     GFP_KERNEL_ACCOUNT);
		if (!buf)
			goto out;
	}
	vm = v3_vm_get(t->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	t->count = 0;
	ret = v3_gears_trace(vm, t, buf);
	v3_vm_put(vm);
	if (!ret && t->count &&
	    copy_to_user(u64_to_user_ptr(t->events), buf,
			 (size_t)t->count * sizeof(*buf)))
		ret = -EFAULT;
	if ((!ret || ret == -EALREADY) && copy_to_user(arg, t, sizeof(*t)))
		ret = -EFAULT;
out:
	kvfree(buf);
	kfree(t);
	return ret;
}

/* V3_IOC_GEARS_INJECT: data copied in, run, copied back (SYSCALL) */
int v3_gears_ioc_inject(void __user *arg)
{
	struct v3_gears_inject *r;
	void *data = NULL;
	struct v3_vm *vm;
	size_t len;
	int ret;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(r, arg, sizeof(*r)))
		goto out;
	ret = -EINVAL;
	len = strnlen(r->sym, sizeof(r->sym));
	if (v3_check_name(r->name) || r->pad ||
	    !v3_zero(r->reserved, sizeof(r->reserved)) ||
	    len == sizeof(r->sym) ||
	    (!len && (r->kind == V3_GEARS_INJ_SYSCALL ||
		      r->kind == V3_GEARS_INJ_CALL)))
		goto out;
	ret = -E2BIG;
	if (r->data_len > V3_GEARS_DATA_MAX)
		goto out;
	if (r->data_len) {
		ret = -ENOMEM;
		data = kvmalloc(r->data_len, GFP_KERNEL_ACCOUNT);
		if (!data)
			goto out;
		ret = -EFAULT;
		if (copy_from_user(data, u64_to_user_ptr(r->data), r->data_len))
			goto out;
	}
	vm = v3_vm_get(r->name);
	ret = -ENOENT;
	if (!vm)
		goto out;
	ret = v3_gears_inject(vm, r, &data);
	v3_vm_put(vm);
	if (!ret && data && r->kind == V3_GEARS_INJ_SYSCALL && r->buf_mask &&
	    copy_to_user(u64_to_user_ptr(r->data), data, r->data_len))
		ret = -EFAULT;
	if (!ret && copy_to_user(arg, r, sizeof(*r)))
		ret = -EFAULT;
out:
	kvfree(data);
	kfree(r);
	return ret;
}
