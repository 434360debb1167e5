/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tables of page contents (content_table.c): hash -> copies, for one VM
 * and for the node.  Pure code, no locking (content.c holds its mutex),
 * unit-tested in tests/unit/test_content_table.c.
 */
#ifndef V3_ADAPT_CONTENT_TABLE_H
#define V3_ADAPT_CONTENT_TABLE_H

#include <linux/types.h>
#include "v3vmm.h"

/*
 * Open addressing with linear probing over struct v3_content_entry (the
 * ABI's, so a table is copied out as it is); an entry with no copies is
 * free.  The counters follow every change.
 */
struct v3_ct {
	struct v3_content_entry *e;
	u32 cap;		/* slots, a power of two (0: none yet) */
	u32 used;		/* contents (entries with copies) */
	u64 pages;		/* sum of copies */
	u64 shared;		/* contents with two copies or more */
	u64 multi;		/* contents held by two VMs or more */
	u64 multi_pages;	/* their copies */
	bool uncharged;		/* the node's: no memory cgroup pays for it */
};

int v3_ct_add(struct v3_ct *t, u64 hash, u32 n, int dvms, u16 flags);
u32 v3_ct_sub(struct v3_ct *t, u64 hash, u32 n, int dvms);
const struct v3_content_entry *v3_ct_find(const struct v3_ct *t, u64 hash);
void v3_ct_free(struct v3_ct *t);
u64 v3_ct_copy_sorted(const struct v3_ct *t, struct v3_content_entry *out,
		      u64 max);

/* One VM's pages: their last hashes and where each stands */
enum v3_cp_state {
	V3_CP_NEW = 0,		/* never hashed */
	V3_CP_IN,		/* in the tables under hash[i] */
	V3_CP_VOLATILE,		/* changed at its last scan: not in them */
};

struct v3_ct_vm {
	struct v3_ct t;
	unsigned long nr;	/* pages */
	u64 *hash;
	u8 *state;
	u64 volatile_pages, changed, changed_pass, changed_last;
};

int v3_ct_vm_init(struct v3_ct_vm *v, unsigned long pages);
int v3_ct_page(struct v3_ct_vm *v, struct v3_ct *node, unsigned long i,
	       u64 hash, u16 flags);
void v3_ct_vm_drop(struct v3_ct_vm *v, struct v3_ct *node);
void v3_ct_vm_free(struct v3_ct_vm *v);
u64 v3_ct_vm_shared_other(const struct v3_ct_vm *v, const struct v3_ct *node);

#endif
