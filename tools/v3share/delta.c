// SPDX-License-Identifier: GPL-2.0
/*
 * What a node sends its hashes' owners: the signed change of its copies
 * of each content since its previous round: +copies for a content it did
 * not have, -copies for one it no longer has, the difference for one
 * whose copies changed, nothing for the rest.  The first round's previous
 * table is empty, so it sends everything.  A change beyond 32 bits goes
 * as several records of the same sign; the owner adds them up.
 */
#include <stdlib.h>

#include "v3share.h"

/* append the change d of hash h (recs NULL: count only) */
static uint64_t emit(struct v3s_rec *recs, uint64_t n, uint64_t h, int64_t d)
{
	int32_t part;

	while (d) {
		part = d > INT32_MAX ? INT32_MAX : d < -INT32_MAX ? -INT32_MAX : d;
		if (recs) {
			recs[n].hash = h;
			recs[n].delta = part;
		}
		n++;
		d -= part;
	}
	return n;
}

/* merge the two sorted tables (recs NULL: count only) */
static uint64_t merge(const struct v3s_table *prev,
		      const struct v3s_table *cur, struct v3s_rec *recs)
{
	const struct v3_content_entry *a = prev->e, *b = cur->e;
	uint64_t i = 0, j = 0, n = 0;

	while (i < prev->n || j < cur->n) {
		if (j == cur->n || (i < prev->n && a[i].hash < b[j].hash)) {
			n = emit(recs, n, a[i].hash, -(int64_t)a[i].copies);
			i++;
		} else if (i == prev->n || b[j].hash < a[i].hash) {
			n = emit(recs, n, b[j].hash, b[j].copies);
			j++;
		} else {
			n = emit(recs, n, b[j].hash,
				 (int64_t)b[j].copies - a[i].copies);
			i++;
			j++;
		}
	}
	return n;
}

int v3s_delta(const struct v3s_table *prev, const struct v3s_table *cur,
	      struct v3s_rec **recs, uint64_t *n)
{
	*n = merge(prev, cur, NULL);
	*recs = malloc((*n ? *n : 1) * sizeof(**recs));
	if (!*recs) {
		v3s_err("out of memory for %llu records",
			(unsigned long long)*n);
		return EXIT_DATA;
	}
	merge(prev, cur, *recs);
	return EXIT_OK;
}
