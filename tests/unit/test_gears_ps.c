// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' task walk (module/gears/gears_ps.c) on a synthetic guest: task
 * structs in a buffer standing for kernel memory at a kernel-half
 * address, linked through their tasks member as the kernel links them
 * (a circular list through init_task).  Checked: what each record says
 * (pid, tgid, ppid from real_parent's tgid, kernel thread from mm, comm
 * cut to 15 characters), the count beyond the buffer, and the refusals:
 * a pointer into the user half or off the mapped memory (-EIO), a list
 * that never returns to init_task (-ELOOP), an unreadable parent (ppid 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "v3.h"
#include "gears/gears_ps.h"
#include "unit.h"

#define BASE		0xffff888001000000ULL
#define TSIZE		0x100		/* one fake task_struct */
#define NTASKS		8

/* a layout unlike any real one: nothing may depend on the values */
static const struct v3_gears_layout lay = {
	.init_task = BASE,
	.tasks = 0x18, .pid = 0x30, .tgid = 0x34, .comm = 0x40,
	.real_parent = 0x60, .mm = 0x70,
};

static u8 mem[NTASKS * TSIZE];

static int fake_read(void *ctx, u64 va, void *buf, u32 len)
{
	if (va < BASE || va + len > BASE + sizeof(mem) || va + len < va)
		return -EFAULT;
	memcpy(buf, mem + (va - BASE), len);
	return 0;
}

static const struct gears_vread rd = { .read = fake_read };

static u64 task_va(unsigned int i)
{
	return BASE + (u64)i * TSIZE;
}

static void put64(unsigned int i, u32 off, u64 v)
{
	memcpy(mem + i * TSIZE + off, &v, 8);
}

static void put32(unsigned int i, u32 off, u32 v)
{
	memcpy(mem + i * TSIZE + off, &v, 4);
}

/* task i: pid, tgid, parent task, mm, comm */
static void mk(unsigned int i, u32 pid, unsigned int parent, u64 mm,
	       const char *comm)
{
	put32(i, lay.pid, pid);
	put32(i, lay.tgid, pid);
	put64(i, lay.real_parent, task_va(parent));
	put64(i, lay.mm, mm);
	memcpy(mem + i * TSIZE + lay.comm, comm, strnlen(comm, 16));
}

/* link the tasks of order[] after init_task (0), circularly */
static void link(const unsigned int *order, unsigned int n)
{
	unsigned int i, prev = 0;

	for (i = 0; i < n; i++) {
		put64(prev, lay.tasks, task_va(order[i]) + lay.tasks);
		prev = order[i];
	}
	put64(prev, lay.tasks, task_va(0) + lay.tasks);
}

static void build(void)
{
	static const unsigned int order[] = { 1, 2, 3, 4 };

	memset(mem, 0, sizeof(mem));
	mk(0, 0, 0, 0, "swapper/0");
	mk(1, 1, 0, 0xffff888100000000ULL, "init");
	mk(2, 2, 0, 0, "kthreadd");
	mk(3, 3, 2, 0, "rcu_gp");
	/* 16 characters and no NUL: the record keeps 15 */
	mk(4, 100, 1, 0xffff888100001000ULL, "gearsloop-abcdef");
	link(order, 4);
}

static void test_walk(void)
{
	struct v3_gears_task t[6];
	u32 count = 99;
	int ret;

	build();
	memset(t, 0xa5, sizeof(t));
	ret = v3_gears_ps_walk(&rd, &lay, t, 6, &count);
	CHECK(ret == 0 && count == 4, "walk: 4 processes, init_task left out (ret %d, count %u)",
	      ret, count);
	CHECK(t[0].pid == 1 && t[0].tgid == 1 && t[0].ppid == 0 &&
	      !t[0].flags && !strcmp(t[0].comm, "init") &&
	      t[0].task == task_va(1), "walk: init, parent init_task (ppid 0), has an mm");
	CHECK(t[1].pid == 2 && t[1].ppid == 0 &&
	      t[1].flags == V3_GEARS_TASK_KTHREAD && !strcmp(t[1].comm, "kthreadd"),
	      "walk: kthreadd, no mm: a kernel thread");
	CHECK(t[2].pid == 3 && t[2].ppid == 2 && t[2].flags == V3_GEARS_TASK_KTHREAD,
	      "walk: rcu_gp, child of kthreadd");
	CHECK(t[3].pid == 100 && t[3].ppid == 1 && !t[3].flags &&
	      !strcmp(t[3].comm, "gearsloop-abcde"),
	      "walk: a 16-character comm is cut to 15 and terminated ('%.16s')", t[3].comm);
	CHECK(!t[0].reserved[0] && !t[3].reserved[1],
	      "walk: reserved fields of the records are zero");
	CHECK(t[4].pid == 0xa5a5a5a5, "walk: nothing written past the list");
}

static void test_short_buffer(void)
{
	struct v3_gears_task t[3];
	u32 count = 0;
	int ret;

	build();
	memset(t, 0xa5, sizeof(t));
	ret = v3_gears_ps_walk(&rd, &lay, t, 2, &count);
	CHECK(ret == 0 && count == 4 && t[1].pid == 2 && t[2].pid == 0xa5a5a5a5,
	      "short buffer: counts all 4, fills 2, writes no more");
	ret = v3_gears_ps_walk(&rd, &lay, NULL, 0, &count);
	CHECK(ret == 0 && count == 4, "no buffer: counts all 4");
}

static void test_empty(void)
{
	u32 count = 99;
	int ret;

	build();
	link(NULL, 0);
	ret = v3_gears_ps_walk(&rd, &lay, NULL, 0, &count);
	CHECK(ret == 0 && count == 0, "a list of init_task alone: no process");
}

static void test_refusals(void)
{
	static const unsigned int order[] = { 1, 2, 3, 4 };
	struct v3_gears_task t[4];
	u32 count = 0;
	int ret;

	build();
	put64(2, lay.tasks, 0x00007fff00001000ULL);	/* user half */
	ret = v3_gears_ps_walk(&rd, &lay, t, 4, &count);
	CHECK(ret == -EIO && count == 2, "a next pointer into the user half: -EIO (ret %d, count %u)",
	      ret, count);

	build();
	put64(2, lay.tasks, BASE + sizeof(mem) + 0x1000);	/* unmapped */
	ret = v3_gears_ps_walk(&rd, &lay, t, 4, &count);
	CHECK(ret == -EIO, "a next pointer off the mapped memory: -EIO (ret %d)", ret);

	build();
	put64(4, lay.tasks, task_va(3) + lay.tasks);	/* 3 -> 4 -> 3 ... */
	ret = v3_gears_ps_walk(&rd, &lay, t, 4, &count);
	CHECK(ret == -ELOOP && count == V3_GEARS_TASKS_MAX,
	      "a list that never returns to init_task: -ELOOP after %u (ret %d, count %u)",
	      V3_GEARS_TASKS_MAX, ret, count);

	build();
	put64(4, lay.real_parent, BASE + sizeof(mem) + 0x2000);
	ret = v3_gears_ps_walk(&rd, &lay, t, 4, &count);
	CHECK(ret == 0 && count == 4 && t[3].ppid == 0,
	      "an unreadable parent: ppid 0, the walk goes on");

	build();
	link(order, 4);
	put64(4, lay.real_parent, 0);
	ret = v3_gears_ps_walk(&rd, &lay, t, 4, &count);
	CHECK(ret == 0 && t[3].ppid == 0, "no parent: ppid 0");
}

int main(void)
{
	printf("TAP version 13\n");
	test_walk();
	test_short_buffer();
	test_empty();
	test_refusals();
	return unit_done();
}
