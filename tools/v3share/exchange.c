// SPDX-License-Identifier: GPL-2.0
/*
 * The exchanges: MPI_Alltoall of the counts, then MPI_Alltoallv of the
 * items (delta records to their owners; held-elsewhere hashes back to
 * their nodes).  Each rank's items for one destination are contiguous;
 * the receiver knows the sending node by the block its items arrive in.
 * MPI counts are int: a rank may send or receive at most INT_MAX items a
 * round.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "v3share.h"

_Static_assert(sizeof(struct v3s_rec) == 12, "12 bytes a record on the wire");

/* displacements from counts; -1 past INT_MAX items in all */
static int displs(const int *counts, int *d, uint64_t *total)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < v3s.nranks; i++) {
		d[i] = sum;
		sum += counts[i];
		if (sum > INT_MAX)
			return -1;
	}
	*total = sum;
	return 0;
}

/* the receive side's counts, displacements and buffer */
static int receive_side(const int *out_counts, int *out_d,
			const int *in_counts, int *in_d, size_t size,
			void **in, uint64_t *in_n)
{
	uint64_t out_n;

	if (displs(out_counts, out_d, &out_n) ||
	    displs(in_counts, in_d, in_n)) {
		v3s_err("more than %d items to exchange in a round", INT_MAX);
		return EXIT_DATA;
	}
	*in = malloc(*in_n ? *in_n * size : 1);
	if (!*in) {
		v3s_err("out of memory for %llu items",
			(unsigned long long)*in_n);
		return EXIT_DATA;
	}
	return EXIT_OK;
}

/*
 * Send out_counts[r] items of out (grouped by destination) to each rank r;
 * receive *in_n items into *in, (*in_counts)[s] of them from s (both
 * malloc'd).  Every rank calls it; an error on any rank fails it on all.
 */
int v3s_alltoallv(const void *out, const int *out_counts, MPI_Datatype type,
		  size_t size, void **in, int **in_counts, uint64_t *in_n)
{
	int *d = malloc(2 * v3s.nranks * sizeof(int));
	int *ic = malloc(v3s.nranks * sizeof(int));
	int st = d && ic ? EXIT_OK : EXIT_DATA;

	*in = NULL;
	*in_n = 0;
	if (st)
		v3s_err("out of memory");
	st = v3s_agree(st);
	if (!st) {
		MPI_Alltoall(out_counts, 1, MPI_INT, ic, 1, MPI_INT,
			     MPI_COMM_WORLD);
		st = v3s_agree(receive_side(out_counts, d, ic,
					    d + v3s.nranks, size, in, in_n));
	}
	if (!st)
		MPI_Alltoallv(out, out_counts, d, type, *in, ic,
			      d + v3s.nranks, type, MPI_COMM_WORLD);
	free(d);
	if (st) {
		free(*in);
		free(ic);
		*in = NULL;
		ic = NULL;
	}
	*in_counts = ic;
	return st;
}

/* group the records by owner into a new buffer */
static int partition(const struct v3s_rec *recs, uint64_t n, int *counts,
		     struct v3s_rec **out)
{
	uint64_t i, *pos;
	int r;

	pos = calloc(v3s.nranks, sizeof(*pos));
	*out = malloc((n ? n : 1) * sizeof(**out));
	if (!pos || !*out) {
		free(pos);
		free(*out);
		*out = NULL;
		v3s_err("out of memory for %llu records",
			(unsigned long long)n);
		return EXIT_DATA;
	}
	for (i = 0; i < n; i++)
		pos[v3s_owner(recs[i].hash, v3s.nranks)]++;
	for (r = 0; r < v3s.nranks; r++) {
		if (pos[r] > INT_MAX) {
			v3s_err("more than %d records for one owner", INT_MAX);
			free(pos);
			return EXIT_DATA;
		}
		counts[r] = pos[r];
		pos[r] = r ? pos[r - 1] + counts[r - 1] : 0;
	}
	for (i = 0; i < n; i++)
		(*out)[pos[v3s_owner(recs[i].hash, v3s.nranks)]++] = recs[i];
	free(pos);
	return EXIT_OK;
}

/*
 * Send the records to their owners; receive the records this rank owns,
 * (*in_counts)[s] of them from node s (both malloc'd).  Counts what was
 * sent in me.
 */
int v3s_send_records(const struct v3s_rec *recs, uint64_t n,
		     struct v3s_rec **in, int **in_counts,
		     struct v3s_node *me)
{
	struct v3s_rec *out = NULL;
	int *counts, st, r;
	uint64_t in_n;
	void *buf;

	counts = calloc(v3s.nranks, sizeof(*counts));
	st = counts ? partition(recs, n, counts, &out) : EXIT_DATA;
	if (!counts)
		v3s_err("out of memory");
	if (st && counts)
		memset(counts, 0, v3s.nranks * sizeof(*counts));
	me->records = n;
	me->sent_bytes = 0;
	for (r = 0; !st && r < v3s.nranks; r++)
		if (r != v3s.rank)
			me->sent_bytes += (uint64_t)counts[r] * sizeof(*out);
	st = v3s_agree(st);
	if (!st)
		st = v3s_alltoallv(out, counts, v3s.rec_type, sizeof(*out),
				   &buf, in_counts, &in_n);
	free(out);
	free(counts);
	*in = st ? NULL : buf;
	return st;
}
