/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GEARS, the module side (issue #15): a VM's guest Linux kernel seen from
 * outside.  gears.c is the per-VM service (a row of the service table in
 * adapt/adapt.c): it finds the guest kernel lazily, at the MMU's safe
 * point, and forgets it at a guest reset.  gears_mem.c reads guest kernel
 * memory by virtual address for the pure layers (struct gears_vread);
 * gears_ps.c walks the task list; gears_ioctl.c is the ABI (dev.c).
 */
#ifndef V3_GEARS_GEARS_H
#define V3_GEARS_GEARS_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include "gmem.h"
#include "gears_ps.h"
#include "../mmu/walk.h"

struct v3_vm;
struct gears_ksyms;
struct v3_gears_task;

/*
 * Guest kernel memory by virtual address: the guest's page tables from a
 * root taken at the safe point (gears_mem.c).  One translation is cached.
 */
struct v3_gears_mem {
	struct v3_vm *vm;
	struct v3_walk_env env;
	struct v3_walk_regs regs;	/* cr3 = the root used */
	u64 cache_va, cache_gpa;	/* one 4 KiB page: ~0 none */
	u64 pages;			/* translations done (statistics) */
};

/* From the paging registers of a vCPU (a snapshot): 0, or -ENOEXEC. */
int v3_gears_mem_init(struct v3_gears_mem *m, struct v3_vm *vm,
		      const struct v3_walk_regs *regs, u64 lstar);
/* As struct gears_vread wants it: 0 or -EFAULT */
int v3_gears_mem_read(void *ctx, u64 va, void *buf, u32 len);
/* Its gears_vread, for the pure layers. */
static inline struct gears_vread v3_gears_vread(struct v3_gears_mem *m)
{
	return (struct gears_vread){ .read = v3_gears_mem_read, .ctx = m };
}

/* Where va is in guest-physical memory: 0, or -EFAULT */
int v3_gears_mem_gpa(struct v3_gears_mem *m, u64 va, u64 *gpa);
/* Switch to the root at guest-physical root_gpa if it maps va as now. */
bool v3_gears_mem_set_root(struct v3_gears_mem *m, u64 root_gpa, u64 va);

/* The per-VM state; its lock serializes every GEARS request of the VM. */
struct v3_gears_vm {
	struct mutex lock;		/* a request; everything below */
	struct v3_vm *vm;
	bool gone;			/* the VM is being destroyed */

	/* the kernel found; valid while vm->resets == resets */
	struct gears_ksyms *ksyms;
	u64 resets;
	u64 lstar;
	u64 root;			/* init_top_pgt's guest-physical address, 0: none */
	/* task_struct's layout: layout_err 0 when valid, 1 not looked for */
	struct v3_gears_layout layout;
	int layout_err;

	/* statistics (sysfs vms/NAME/gears/) */
	u64 finds, requests, errors;
	u64 held_ns_last, held_ns_max;	/* the vCPUs held by a request */
	int last_err;
};

/* gears.c */
int v3_gears_sym(struct v3_vm *vm, const char *name, u64 *addr, s64 *slide,
		 u64 *text, u32 *nr_syms);
int v3_gears_ps(struct v3_vm *vm, struct v3_gears_task *buf, u32 max,
		u32 *count);
extern const struct attribute_group v3_gears_vm_group;

/* gears_layout.c: task_struct's layout from the guest's BTF */
int v3_gears_layout_find(struct v3_gears_mem *m, const struct gears_ksyms *k,
			 struct v3_gears_layout *l);

/* gears_ioctl.c (dev.c) */
int v3_gears_ioc_sym(void __user *arg);
int v3_gears_ioc_ps(void __user *arg);

#endif
