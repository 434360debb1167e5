// SPDX-License-Identifier: GPL-2.0
/*
 * Content tables of memory content tracking (module/adapt/content_table.c):
 * the hash table against a brute-force model under random adds and
 * removals of colliding hashes (linear probing, backward-shift deletion,
 * growth), then the per-page states of a VM (new, in, volatile) and the
 * node table two VMs share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "v3.h"
#include "adapt/content_table.h"
#include "unit.h"

/* --------------------------------------------------- the table itself */

#define KEYS	96

/* hashes whose low bits collide a lot: slots are picked by the low bits */
static u64 key(unsigned int k)
{
	return ((u64)(k * 2654435761u) << 32) | (k % 5);
}

static void test_table_model(void)
{
	static struct v3_ct t;
	u32 copies[KEYS] = { 0 }, vms[KEYS] = { 0 };
	unsigned int step, k, bad = 0, bad_count = 0;

	srand(14);
	for (step = 0; step < 20000; step++) {
		k = rand() % KEYS;
		if (!copies[k] || rand() % 3) {
			u32 n = 1 + rand() % 3;
			int dv = rand() % 2;

			if (v3_ct_add(&t, key(k), n, dv, 0))
				bad++;
			copies[k] += n;
			vms[k] += dv;
		} else {
			u32 n = 1 + rand() % copies[k];
			int dv = vms[k] ? rand() % 2 : 0;
			u32 left = v3_ct_sub(&t, key(k), n, dv);

			copies[k] -= n;
			vms[k] = copies[k] ? vms[k] - dv : 0;
			if (left != copies[k])
				bad++;
		}
		/* every few steps: the whole table against the model */
		if (step % 97 == 0 || step == 19999) {
			u64 used = 0, pages = 0, shared = 0, multi = 0, mp = 0;

			for (k = 0; k < KEYS; k++) {
				const struct v3_content_entry *e = v3_ct_find(&t, key(k));

				if (copies[k] ? !e || e->copies != copies[k] || e->vms != vms[k] : e != NULL)
					bad++;
				if (!copies[k])
					continue;
				used++;
				pages += copies[k];
				shared += copies[k] > 1;
				multi += vms[k] > 1;
				mp += vms[k] > 1 ? copies[k] : 0;
			}
			if (t.used != used || t.pages != pages || t.shared != shared ||
			    t.multi != multi || t.multi_pages != mp)
				bad_count++;
		}
	}
	CHECK_EQ(bad, 0, "20000 random adds and removals of colliding hashes: every lookup agrees with the model");
	CHECK_EQ(bad_count, 0, "contents, pages, shared, multi-VM counters agree with the model");
	CHECK(t.cap >= 64 && (u64)t.used * 4 <= (u64)t.cap * 3,
	      "the table stays at most 3/4 full (%u of %u)", t.used, t.cap);
	{
		struct v3_content_entry out[KEYS];
		u64 n = v3_ct_copy_sorted(&t, out, KEYS), i;
		int sorted = 1;

		for (i = 1; i < n; i++)
			sorted &= out[i - 1].hash < out[i].hash;
		CHECK(n == t.used && sorted, "copy_sorted: all %llu contents, by hash", n);
		CHECK_EQ(v3_ct_copy_sorted(&t, out, 3), 3, "copy_sorted stops at max");
	}
	v3_ct_free(&t);
	CHECK(shim_pages_in_use == 0, "nothing left allocated");
}

/* ------------------------------------------------- pages of two VMs */

#define Z	0x5a5a5a5a5a5a5a5aULL	/* "zero page" hash of this test */

static struct v3_ct node;
static struct v3_ct_vm a, b;

/* hash pages 0..n-1 of v to h[] */
static int scan(struct v3_ct_vm *v, const u64 *h, unsigned int n)
{
	int changed = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		changed += v3_ct_page(v, &node, i, h[i], h[i] == Z ? V3_CONTENT_ZERO : 0);
	return changed;
}

static void test_vm_pages(void)
{
	/* A: 3 zero pages, X twice, Y, Z... B: zero, X, W */
	u64 ha[8] = { Z, Z, Z, 0x1111, 0x1111, 0x2222, 0x3333, 0x4444 };
	u64 hb[4] = { Z, 0x1111, 0x9999, 0x8888 };
	const struct v3_content_entry *e;

	CHECK_EQ(v3_ct_vm_init(&a, 8), 0, "VM a: 8 pages");
	CHECK_EQ(v3_ct_vm_init(&b, 4), 0, "VM b: 4 pages");
	CHECK_EQ(scan(&a, ha, 8), 0, "a's first scan: nothing counts as changed");
	CHECK(a.t.pages == 8 && a.t.used == 5 && a.t.shared == 2,
	      "a: 8 pages, 5 contents, 2 shared (zero x3, 0x1111 x2)");
	CHECK_EQ(a.t.pages - a.t.used, 3, "a: 3 pages sharing");
	e = v3_ct_find(&a.t, Z);
	CHECK(e && e->copies == 3 && e->flags == V3_CONTENT_ZERO && e->vms == 1,
	      "a: the zero content, 3 copies, flagged, one VM");
	scan(&b, hb, 4);
	CHECK(node.pages == 12 && node.used == 7, "node: 12 pages, 7 contents");
	e = v3_ct_find(&node, 0x1111);
	CHECK(e && e->copies == 3 && e->vms == 2, "node: 0x1111 has 3 copies in 2 VMs");
	CHECK(node.multi == 2 && node.multi_pages == 7,
	      "node: 2 contents in both VMs (zero, 0x1111), 7 pages");
	CHECK_EQ(v3_ct_vm_shared_other(&a, &node), 5, "a: 5 pages whose content b holds");
	CHECK_EQ(v3_ct_vm_shared_other(&b, &node), 2, "b: 2 pages whose content a holds");

	/* a's page 6 changes: out of the tables, volatile */
	ha[6] = 0x6666;
	CHECK_EQ(scan(&a, ha, 8), 1, "a's page 6 written: one change found");
	CHECK(a.volatile_pages == 1 && a.t.pages == 7 && !v3_ct_find(&a.t, 0x3333) &&
	      !v3_ct_find(&a.t, 0x6666), "a: page 6 volatile, in neither content");
	CHECK(node.pages == 11 && !v3_ct_find(&node, 0x3333), "node: 0x3333 gone");
	/* it changes again: still volatile, another change */
	ha[6] = 0x7777;
	CHECK_EQ(scan(&a, ha, 8), 1, "written again: another change");
	CHECK(a.volatile_pages == 1 && a.changed == 2, "a: still volatile, 2 changes in all");
	/* it holds still for a scan: counted again */
	CHECK_EQ(scan(&a, ha, 8), 0, "held still: no change");
	CHECK(a.volatile_pages == 0 && a.t.pages == 8 && v3_ct_find(&node, 0x7777),
	      "a: page 6 counted again under its new content");

	/* a zero page of b gets a's content 0x2222: now shared by both */
	hb[0] = 0x2222;
	scan(&b, hb, 4);
	scan(&b, hb, 4);
	e = v3_ct_find(&node, 0x2222);
	CHECK(e && e->copies == 2 && e->vms == 2, "node: 0x2222 in both VMs after b's page held still");
	e = v3_ct_find(&node, Z);
	CHECK(e && e->copies == 3 && e->vms == 1, "node: zero only in a now");

	/* a goes: the node keeps b's alone */
	v3_ct_vm_drop(&a, &node);
	CHECK(node.pages == 4 && node.used == 4 && node.multi == 0,
	      "a dropped: the node holds b's 4 pages, nothing multi-VM");
	CHECK(a.t.pages == 0 && a.state[0] == V3_CP_NEW, "a: its pages are new again");
	CHECK_EQ(scan(&a, ha, 8), 0, "a scanned again: back in");
	CHECK_EQ(node.pages, 12, "node: 12 pages again");
	v3_ct_vm_drop(&a, &node);
	v3_ct_vm_drop(&b, &node);
	CHECK(node.pages == 0 && node.used == 0, "both dropped: the node table is empty");
	v3_ct_vm_free(&a);
	v3_ct_vm_free(&b);
	v3_ct_free(&node);
	CHECK(shim_pages_in_use == 0, "nothing left allocated");
}

int main(void)
{
	test_table_model();
	test_vm_pages();
	return unit_done();
}
