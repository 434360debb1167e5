// SPDX-License-Identifier: GPL-2.0
/* GEARS: struct ftrace_ops from the guest's BTF (gears_fops.h).  Pure code. */
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include "gears_fops.h"
#include "btf.h"
#include "ksyms.h"

int gears_fops_layout(const struct gears_btf *b, struct gears_fops *f)
{
	u32 size;
	s64 v;

	memset(f, 0, sizeof(*f));
	if (gears_btf_struct_size(b, "ftrace_ops", &f->size) ||
	    gears_btf_member(b, "ftrace_ops", "func", &f->func, &size) ||
	    size != 8 ||
	    gears_btf_member(b, "ftrace_ops", "flags", &f->flags, &size) ||
	    size != 8 || gears_btf_enum(b, "FTRACE_OPS_FL_SAVE_REGS", &v) ||
	    v <= 0 || (v & (v - 1)) || f->size > GEARS_FOPS_MAX ||
	    f->func + 8 > f->size || f->flags + 8 > f->size) {
		memset(f, 0, sizeof(*f));
		return -ENOENT;
	}
	f->save_regs = v;
	return 0;
}

int gears_ft_syms(const struct gears_ksyms *k, struct gears_ft_syms *s)
{
	s->set_filter_ip = gears_ksyms_lookup(k, "ftrace_set_filter_ip");
	s->reg = gears_ksyms_lookup(k, "register_ftrace_function");
	s->unreg = gears_ksyms_lookup(k, "unregister_ftrace_function");
	s->set_filter = gears_ksyms_lookup(k, "ftrace_set_filter");
	s->msleep = gears_ksyms_lookup(k, "msleep");
	return s->set_filter_ip && s->reg && s->unreg && s->set_filter &&
	       s->msleep ? 0 : -ENOENT;
}
