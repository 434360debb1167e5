// SPDX-License-Identifier: GPL-2.0
/*
 * Content tables for memory content tracking (content.c): how many 4 KiB
 * guest pages hold each content, by its 64-bit hash, in one VM and on the
 * node, and for the node how many VMs hold it.
 *
 * A page is counted once it held still: hashed for the first time, it
 * goes in; found changed, it leaves the tables and is volatile until a
 * scan finds it unchanged (KSM's unstable tree idea, by hash: a page that
 * changes between every two scans is never counted).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "v3.h"
#include "content_table.h"

#define V3_CT_MIN_CAP	64

/* xxh64 is well mixed: its low bits pick the slot */
static u32 v3_ct_slot(const struct v3_ct *t, u64 hash)
{
	return (u32)hash & (t->cap - 1);
}

static struct v3_content_entry *v3_ct_lookup(const struct v3_ct *t,
					     u64 hash)
{
	u32 i;

	if (!t->cap)
		return NULL;
	for (i = v3_ct_slot(t, hash);; i = (i + 1) & (t->cap - 1)) {
		struct v3_content_entry *e = &t->e[i];

		if (!e->copies || e->hash == hash)
			return e;
	}
}

const struct v3_content_entry *v3_ct_find(const struct v3_ct *t, u64 hash)
{
	const struct v3_content_entry *e = v3_ct_lookup(t, hash);

	return e && e->copies ? e : NULL;
}

/* at most 3/4 full: twice the slots, every entry placed again */
static int v3_ct_grow(struct v3_ct *t)
{
	u32 cap = t->cap ? t->cap * 2 : V3_CT_MIN_CAP, i;
	struct v3_content_entry *old = t->e;
	u32 old_cap = t->cap;

	if (!cap)
		return -ENOSPC;		/* 2^32 slots: no more */
	t->e = kvcalloc(cap, sizeof(*t->e), t->uncharged ?
			V3_GFP_ACCOUNT & ~__GFP_ACCOUNT : V3_GFP_ACCOUNT);
	if (!t->e) {
		t->e = old;
		return -ENOMEM;
	}
	t->cap = cap;
	for (i = 0; i < old_cap; i++)
		if (old[i].copies)
			*v3_ct_lookup(t, old[i].hash) = old[i];
	kvfree(old);
	return 0;
}

/* the counters, before (sign -1) and after (+1) an entry changes */
static void v3_ct_count(struct v3_ct *t, const struct v3_content_entry *e,
			int sign)
{
	if (!e->copies)
		return;
	t->used += sign;
	t->pages += sign * (s64)e->copies;
	if (e->copies > 1)
		t->shared += sign;
	if (e->vms > 1) {
		t->multi += sign;
		t->multi_pages += sign * (s64)e->copies;
	}
}

/*
 * n more copies of hash; dvms (0 or 1) more VMs hold it.  -ENOMEM when
 * the table cannot grow: nothing changed.
 */
int v3_ct_add(struct v3_ct *t, u64 hash, u32 n, int dvms, u16 flags)
{
	struct v3_content_entry *e = v3_ct_lookup(t, hash);
	int ret;

	if (!e || (!e->copies && (u64)(t->used + 1) * 4 > (u64)t->cap * 3)) {
		ret = v3_ct_grow(t);
		if (ret)
			return ret;
		e = v3_ct_lookup(t, hash);
	}
	v3_ct_count(t, e, -1);
	if (!e->copies) {
		e->hash = hash;
		e->vms = 0;
		e->flags = flags;
	}
	e->copies += n;
	e->vms += dvms;
	v3_ct_count(t, e, 1);
	return 0;
}

/*
 * Removing slot i of a linear-probing table: later entries of its run
 * move back into the gap if their own slot does not lie after it
 * (Knuth vol. 3 6.4, algorithm R), so every lookup still finds them.
 */
static void v3_ct_delete(struct v3_ct *t, u32 i)
{
	u32 mask = t->cap - 1, j = i;

	for (;;) {
		u32 k;

		j = (j + 1) & mask;
		if (!t->e[j].copies)
			break;
		k = v3_ct_slot(t, t->e[j].hash);
		/* k cyclically in (i, j]: it stays */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
}

/* n fewer copies of hash (there must be that many), dvms fewer VMs */
u32 v3_ct_sub(struct v3_ct *t, u64 hash, u32 n, int dvms)
{
	struct v3_content_entry *e = v3_ct_lookup(t, hash);
	u32 left;

	if (WARN_ON_ONCE(!e || e->copies < n))
		return 0;
	v3_ct_count(t, e, -1);
	e->copies -= n;
	e->vms -= dvms;
	left = e->copies;
	if (left)
		v3_ct_count(t, e, 1);
	else
		v3_ct_delete(t, e - t->e);
	return left;
}

void v3_ct_free(struct v3_ct *t)
{
	kvfree(t->e);
	memset(t, 0, sizeof(*t));
}

static int v3_ct_cmp(const void *a, const void *b)
{
	u64 x = ((const struct v3_content_entry *)a)->hash;
	u64 y = ((const struct v3_content_entry *)b)->hash;

	return x < y ? -1 : x > y;
}

/* the entries into out (room for max), sorted by hash; returns how many */
u64 v3_ct_copy_sorted(const struct v3_ct *t, struct v3_content_entry *out,
		      u64 max)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < t->cap && n < max; i++)
		if (t->e[i].copies)
			out[n++] = t->e[i];
	sort(out, n, sizeof(*out), v3_ct_cmp, NULL);
	return n;
}

/* ------------------------------------------------------------ one VM */

int v3_ct_vm_init(struct v3_ct_vm *v, unsigned long pages)
{
	memset(v, 0, sizeof(*v));
	v->hash = kvcalloc(pages ?: 1, sizeof(*v->hash), V3_GFP_ACCOUNT);
	v->state = kvcalloc(pages ?: 1, sizeof(*v->state), V3_GFP_ACCOUNT);
	if (!v->hash || !v->state) {
		v3_ct_vm_free(v);
		return -ENOMEM;
	}
	v->nr = pages;
	return 0;
}

/* the page's content goes in: into the VM's table, and the node's */
static int v3_ct_in(struct v3_ct_vm *v, struct v3_ct *node, u64 hash,
		    u16 flags)
{
	int first = !v3_ct_find(&v->t, hash);
	int ret = v3_ct_add(&v->t, hash, 1, first, flags);

	if (ret)
		return ret;
	ret = v3_ct_add(node, hash, 1, first, flags);
	if (ret)
		v3_ct_sub(&v->t, hash, 1, first);
	return ret;
}

static void v3_ct_out(struct v3_ct_vm *v, struct v3_ct *node, u64 hash)
{
	u32 left = v3_ct_sub(&v->t, hash, 1, 0);

	v3_ct_sub(node, hash, 1, !left);
}

/*
 * Page i was hashed to hash (flags: V3_CONTENT_ZERO for the page of
 * zeros).  Returns 1 when it had changed since its last scan, 0 if not,
 * -ENOMEM when a table could not grow (the page is left as it was).
 */
int v3_ct_page(struct v3_ct_vm *v, struct v3_ct *node, unsigned long i,
	       u64 hash, u16 flags)
{
	int ret;

	switch (v->state[i]) {
	case V3_CP_NEW:
		ret = v3_ct_in(v, node, hash, flags);
		if (ret)
			return ret;
		v->hash[i] = hash;
		v->state[i] = V3_CP_IN;
		return 0;
	case V3_CP_IN:
		if (hash == v->hash[i])
			return 0;
		v3_ct_out(v, node, v->hash[i]);
		v->state[i] = V3_CP_VOLATILE;
		v->volatile_pages++;
		break;
	default:
		if (hash == v->hash[i]) {
			ret = v3_ct_in(v, node, hash, flags);
			if (ret)
				return ret;
			v->state[i] = V3_CP_IN;
			v->volatile_pages--;
			return 0;
		}
		break;
	}
	v->hash[i] = hash;
	v->changed++;
	v->changed_pass++;
	return 1;
}

/* the VM's contents leave the node's table; its pages are new again */
void v3_ct_vm_drop(struct v3_ct_vm *v, struct v3_ct *node)
{
	u32 i;

	for (i = 0; i < v->t.cap; i++) {
		const struct v3_content_entry *e = &v->t.e[i];

		if (e->copies)
			v3_ct_sub(node, e->hash, e->copies, 1);
	}
	v3_ct_free(&v->t);
	memset(v->state, V3_CP_NEW, v->nr * sizeof(*v->state));
	v->volatile_pages = 0;
	v->changed_pass = 0;
}

void v3_ct_vm_free(struct v3_ct_vm *v)
{
	v3_ct_free(&v->t);
	kvfree(v->hash);
	kvfree(v->state);
	v->hash = NULL;
	v->state = NULL;
	v->nr = 0;
}

/* pages of the VM whose content another VM holds too */
u64 v3_ct_vm_shared_other(const struct v3_ct_vm *v, const struct v3_ct *node)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < v->t.cap; i++) {
		const struct v3_content_entry *e = &v->t.e[i], *ne;

		if (!e->copies)
			continue;
		ne = v3_ct_find(node, e->hash);
		if (ne && ne->vms > 1)
			n += e->copies;
	}
	return n;
}
