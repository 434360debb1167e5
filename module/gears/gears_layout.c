// SPDX-License-Identifier: GPL-2.0
/*
 * Where the fields of struct task_struct are in the guest kernel: from
 * the kernel's own BTF (CONFIG_DEBUG_INFO_BTF), the .BTF section between
 * the symbols __start_BTF and __stop_BTF (include/asm-generic/vmlinux.lds.h),
 * read from guest memory and parsed by btf.c.  Only the offsets are kept;
 * the blob and the parsed BTF are freed at once.
 *
 * No BTF, or no member of a needed name and size: -EOPNOTSUPP.  There is
 * no fallback table of offsets per kernel version: a guessed offset would
 * print plausible garbage, and a refusal is better than that.  A layout
 * found is checked against init_task itself (pid 0, comm "swapper...",
 * a task list that points back into task_structs).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "../v3.h"
#include "gears.h"
#include "ksyms.h"
#include "btf.h"

/* the largest .BTF read (Debian 6.12's is about 6 MiB) */
#define V3_GEARS_BTF_MAX	(32U << 20)

struct v3_gears_field {
	const char *member;
	u32 size;		/* 0: any */
	size_t off;		/* in struct v3_gears_layout */
};

static const struct v3_gears_field v3_gears_fields[] = {
	{ "tasks", 16, offsetof(struct v3_gears_layout, tasks) },
	{ "pid", 4, offsetof(struct v3_gears_layout, pid) },
	{ "tgid", 4, offsetof(struct v3_gears_layout, tgid) },
	{ "comm", V3_GEARS_COMM_LEN, offsetof(struct v3_gears_layout, comm) },
	{ "real_parent", 8, offsetof(struct v3_gears_layout, real_parent) },
	{ "mm", 8, offsetof(struct v3_gears_layout, mm) },
};

/* the .BTF section, read whole: 0, -EOPNOTSUPP (none), -EIO, -ENOMEM */
static int v3_gears_btf_read(struct v3_gears_mem *m,
			     const struct gears_ksyms *k, void **blob,
			     u32 *len)
{
	u64 start = gears_ksyms_lookup(k, "__start_BTF");
	u64 stop = gears_ksyms_lookup(k, "__stop_BTF");
	void *b;

	if (!start || stop <= start || stop - start > V3_GEARS_BTF_MAX)
		return -EOPNOTSUPP;
	*len = stop - start;
	b = kvmalloc(*len, GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	if (v3_gears_mem_read(m, start, b, *len)) {
		kvfree(b);
		return -EIO;
	}
	*blob = b;
	return 0;
}

/* init_task as the layout sees it: 0, or -EOPNOTSUPP when it does not fit */
static int v3_gears_layout_check(struct v3_gears_mem *m,
				 const struct v3_gears_layout *l)
{
	char comm[V3_GEARS_COMM_LEN];
	u64 next;
	u32 pid;

	if (v3_gears_mem_read(m, l->init_task + l->pid, &pid, 4) ||
	    v3_gears_mem_read(m, l->init_task + l->comm, comm, sizeof(comm)) ||
	    v3_gears_mem_read(m, l->init_task + l->tasks, &next, 8))
		return -EIO;
	/* init/init_task.c: .pid 0, .comm INIT_TASK_COMM ("swapper") */
	if (pid || strncmp(comm, "swapper", 7) || next < V3_GEARS_KERNEL_HALF)
		return -EOPNOTSUPP;
	return 0;
}

/* the module list's layout (gears_modsym.c), or none: not needed for ps */
static void v3_gears_layout_modules(const struct gears_btf *btf,
				    const struct gears_ksyms *k,
				    struct v3_gears_layout *l)
{
	static const struct {
		const char *s, *m;
		u32 size;
		size_t off;
	} f[] = {
		{ "module", "list", 16, offsetof(struct v3_gears_layout, mod_list) },
		{ "module", "kallsyms", 8, offsetof(struct v3_gears_layout, mod_kallsyms) },
		{ "mod_kallsyms", "symtab", 8, offsetof(struct v3_gears_layout, mks_symtab) },
		{ "mod_kallsyms", "num_symtab", 4, offsetof(struct v3_gears_layout, mks_num) },
		{ "mod_kallsyms", "strtab", 8, offsetof(struct v3_gears_layout, mks_strtab) },
	};
	unsigned int i;
	u32 off, size;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (gears_btf_member(btf, f[i].s, f[i].m, &off, &size) ||
		    size != f[i].size) {
			l->mod_kallsyms = 0;
			return;
		}
		*(u32 *)((char *)l + f[i].off) = off;
	}
	l->modules = gears_ksyms_lookup(k, "modules");
}

int v3_gears_layout_find(struct v3_gears_mem *m, const struct gears_ksyms *k,
			 struct v3_gears_layout *l)
{
	struct gears_btf *btf;
	void *blob = NULL;
	unsigned int i;
	u32 len, off, size;
	int ret;

	memset(l, 0, sizeof(*l));
	l->init_task = gears_ksyms_lookup(k, "init_task");
	if (!l->init_task)
		return -EOPNOTSUPP;
	ret = v3_gears_btf_read(m, k, &blob, &len);
	if (ret)
		return ret;
	ret = gears_btf_parse(blob, len, &btf);
	kvfree(blob);
	if (ret)
		return ret == -ENOMEM ? ret : -EOPNOTSUPP;
	for (i = 0; i < ARRAY_SIZE(v3_gears_fields); i++) {
		const struct v3_gears_field *f = &v3_gears_fields[i];

		ret = gears_btf_member(btf, "task_struct", f->member, &off,
				       &size);
		if (!ret && size != f->size)
			ret = -EOPNOTSUPP;
		if (ret) {
			v3_info("%s: gears: task_struct.%s not usable in the guest's BTF (%d)\n",
				m->vm->name, f->member, ret);
			ret = -EOPNOTSUPP;
			goto out;
		}
		*(u32 *)((char *)l + f->off) = off;
	}
	ret = v3_gears_layout_check(m, l);
	if (!ret) {
		v3_gears_layout_modules(btf, k, l);
		gears_fops_layout(btf, &l->fops);	/* optional: none, size 0 */
	}
out:
	gears_btf_free(btf);
	return ret;
}
