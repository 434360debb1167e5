/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's task list walked (gears_ps.c): pure code over struct
 * gears_vread, unit-tested in tests/unit/test_gears_ps.c on a synthetic
 * task list.  The layout comes from the guest's BTF (gears_layout.c).
 */
#ifndef V3_GEARS_PS_H
#define V3_GEARS_PS_H

#include <linux/types.h>
#include "gears_fops.h"
#include "v3vmm.h"
#include "gmem.h"

/* the kernel half of 4-level paging (Documentation/x86/x86_64/mm.rst) */
#define V3_GEARS_KERNEL_HALF	0xffff800000000000ULL

/* Where the task walk finds what it reads, from BTF. */
struct v3_gears_layout {
	u64 init_task;			/* guest-virtual address */
	u32 tasks;			/* offsetof(task_struct, tasks) */
	u32 pid, tgid, comm, real_parent, mm;
	/*
	 * Loaded modules' symbols (gears_modsym.c), 0 when the BTF lacks
	 * them: the list head "modules", struct module's list and kallsyms,
	 * struct mod_kallsyms' symtab, num_symtab, strtab.
	 */
	u64 modules;
	u32 mod_list, mod_kallsyms, mks_symtab, mks_num, mks_strtab;
	/* struct ftrace_ops (gears_fops.h): size 0 when the BTF lacks it */
	struct gears_fops fops;
};

/* modules walked and symbols read at most, against a looping list */
#define V3_GEARS_MODS_MAX	4096
#define V3_GEARS_MODSYMS_MAX	(1U << 20)

/*
 * A loaded module's symbol (a function of a module GEARS loaded, say):
 * its address, from each module's own kallsyms (kernel/module/kallsyms.c
 * keeps symtab and strtab per module).  0 and *addr; -ENOENT none of
 * that name; -EOPNOTSUPP the layout has no module fields; -EIO.
 */
int v3_gears_modsym(const struct gears_vread *r,
		    const struct v3_gears_layout *l, const char *name,
		    u64 *addr);

/*
 * Walk from init_task: count the whole list in *count, fill buf with up
 * to max records.  0; -EIO (a pointer not in the kernel half or not
 * readable); -ELOOP (more than V3_GEARS_TASKS_MAX entries).
 */
int v3_gears_ps_walk(const struct gears_vread *r,
		     const struct v3_gears_layout *l,
		     struct v3_gears_task *buf, u32 max, u32 *count);

#endif
