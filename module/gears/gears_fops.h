/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What GEARS needs to hook a system call handler through the guest's own
 * ftrace (gears_ftrace.c): struct ftrace_ops' layout and flag from the
 * guest's BTF, and the functions that register one.  Pure code, checked
 * on the Debian 5.10, 6.1 and 6.12 images by tests/unit/test_gears_btf.c.
 */
#ifndef V3_GEARS_FOPS_H
#define V3_GEARS_FOPS_H

#include <linux/types.h>

struct gears_btf;
struct gears_ksyms;

/* struct ftrace_ops (include/linux/ftrace.h): size 0 when unknown */
struct gears_fops {
	u32 size;		/* sizeof(struct ftrace_ops) */
	u32 func;		/* offsetof func: ftrace_func_t */
	u32 flags;		/* offsetof flags: unsigned long */
	u32 pad;
	u64 save_regs;		/* FTRACE_OPS_FL_SAVE_REGS */
};

/* the largest ftrace_ops GEARS places (its page) */
#define GEARS_FOPS_MAX		4096

/* 0, or -ENOENT (no such struct, member or flag, or sizes not as expected) */
int gears_fops_layout(const struct gears_btf *b, struct gears_fops *f);

/*
 * kernel/trace/ftrace.c: ftrace_set_filter_ip(ops, ip, remove, reset),
 * register_ftrace_function(ops), unregister_ftrace_function(ops),
 * ftrace_set_filter(ops, buf, len, reset) (NULL buf and reset 1 empty the
 * filter and free its hash), and msleep (kernel/time/timer.c) for a step
 * that waits.  Exported in every kernel since 3.x.
 */
struct gears_ft_syms {
	u64 set_filter_ip, reg, unreg, set_filter, msleep;
};
/* 0, or -ENOENT when the kernel lacks one (no CONFIG_DYNAMIC_FTRACE) */
int gears_ft_syms(const struct gears_ksyms *k, struct gears_ft_syms *s);

#endif
