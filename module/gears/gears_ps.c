// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's processes: its task list walked as for_each_process() does
 * (include/linux/sched/signal.h: from init_task along task_struct.tasks,
 * which links thread-group leaders only; init_task itself, pid 0, is not
 * a process and is left out).  Per task: pid and tgid as stored (the
 * global numbers, what the guest's initial PID namespace shows), the
 * parent as /proc/PID/status gives PPid (the tgid of real_parent,
 * fs/proc/array.c), comm, and whether it has an mm (no mm: a kernel
 * thread).
 *
 * The module's caller holds the vCPUs (gears.c), so the list does not
 * change under the walk; it is still guest memory, so every pointer is
 * checked (kernel half, readable) and the walk ends after
 * V3_GEARS_TASKS_MAX entries (-ELOOP) whatever the list says.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "gears_ps.h"

static int v3_gears_read_u64(const struct gears_vread *r, u64 va, u64 *v)
{
	return gears_vread(r, va, v, sizeof(*v)) ? -EIO : 0;
}

static int v3_gears_read_u32(const struct gears_vread *r, u64 va, u32 *v)
{
	return gears_vread(r, va, v, sizeof(*v)) ? -EIO : 0;
}

static int v3_gears_task_fill(const struct gears_vread *r,
			      const struct v3_gears_layout *l, u64 task,
			      struct v3_gears_task *t)
{
	u64 parent, mm;
	int ret;

	memset(t, 0, sizeof(*t));
	t->task = task;
	ret = v3_gears_read_u32(r, task + l->pid, &t->pid) ?:
	      v3_gears_read_u32(r, task + l->tgid, &t->tgid) ?:
	      v3_gears_read_u64(r, task + l->real_parent, &parent) ?:
	      v3_gears_read_u64(r, task + l->mm, &mm);
	if (ret)
		return ret;
	if (gears_vread(r, task + l->comm, t->comm, sizeof(t->comm)))
		return -EIO;
	t->comm[sizeof(t->comm) - 1] = '\0';
	/* init's parent is init_task (pid 0); an unreadable one reads as 0 */
	if (parent < V3_GEARS_KERNEL_HALF ||
	    v3_gears_read_u32(r, parent + l->tgid, &t->ppid))
		t->ppid = 0;
	if (!mm)
		t->flags |= V3_GEARS_TASK_KTHREAD;
	return 0;
}

int v3_gears_ps_walk(const struct gears_vread *r,
		     const struct v3_gears_layout *l,
		     struct v3_gears_task *buf, u32 max, u32 *count)
{
	u64 head = l->init_task + l->tasks, next;
	struct v3_gears_task t;
	u32 n = 0;
	int ret;

	ret = v3_gears_read_u64(r, head, &next);
	while (!ret && next != head) {
		if (next < V3_GEARS_KERNEL_HALF) {
			ret = -EIO;
			break;
		}
		if (n == V3_GEARS_TASKS_MAX) {
			ret = -ELOOP;
			break;
		}
		ret = v3_gears_task_fill(r, l, next - l->tasks, &t);
		if (ret)
			break;
		if (n < max)
			buf[n] = t;
		n++;
		ret = v3_gears_read_u64(r, next, &next);
	}
	*count = n;
	return ret;
}
