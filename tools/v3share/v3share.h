/* SPDX-License-Identifier: GPL-2.0 */
/*
 * v3share: machine-wide guest memory content sharing over MPI.  Shared
 * declarations.  One rank per node: each loads its node's content table
 * (load.c, dump.c), sends what changed since its previous round to the
 * hashes' owners (delta.c, exchange.c), the owners keep per-hash state
 * (map.c, reduce.c) and rank 0 prints the figures (report.c).
 */
#ifndef V3SHARE_H
#define V3SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mpi.h>

#include "v3vmm.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define V3S_DEFAULT_DEVICE	"/dev/v3vmm"
#define V3S_DEVICE_ENV		"V3VMM_DEVICE"	/* as v3ctl */
#define V3S_PAGE_SIZE		4096
#define V3S_NODE_MAX		64	/* struct v3_content_dump_hdr.node */
#define V3S_PATH_MAX		4096

/* The held-elsewhere file (--held-elsewhere DIR): a dump file of scope
 * V3_CONTENT_SCOPE_HELD_ELSEWHERE (include/v3vmm.h) */

/* Exit statuses (see v3share.1) */
#define EXIT_OK		0	/* done */
#define EXIT_DATA	1	/* bad data, I/O error, out of memory */
#define EXIT_USAGE	2	/* usage or environment (no module, no ABI 1.5) */

/* One node's content table, sorted by hash (no two equal hashes). */
struct v3s_table {
	struct v3_content_entry *e;
	uint64_t n;
	uint64_t time_ns;
	char node[V3S_NODE_MAX];	/* the node's name */
	char src[V3S_PATH_MAX];		/* the file or device it came from */
};

/*
 * What a node sends the owner of a hash: the change of its copies of that
 * content since its previous round (all of them in the first round).  12
 * bytes on the wire; the sending node is the MPI source rank.
 */
struct v3s_rec {
	uint64_t hash;
	int32_t delta;
} __attribute__((packed));

/* Figures of one node (rank 0 gathers them). */
struct v3s_node {
	char name[V3S_NODE_MAX];
	uint64_t pages;		/* its guest pages: sum of copies */
	uint64_t distinct;	/* its distinct contents (table entries) */
	uint64_t zero;		/* its pages of zeros */
	uint64_t within;	/* pages in contents with >= 2 copies on it */
	uint64_t elsewhere;	/* pages whose content another node holds */
	uint64_t elsewhere_contents;	/* those contents */
	uint64_t records;	/* delta records it sent (itself included) */
	uint64_t sent_bytes;	/* bytes of records it sent to other ranks */
	uint64_t held_bytes;	/* held-elsewhere replies it sent others */
};

/* Machine-wide figures (at rank 0). */
struct v3s_machine {
	uint64_t pages;		/* all guest pages */
	uint64_t distinct;	/* distinct contents */
	uint64_t zero;		/* pages of zeros */
	uint64_t unique;	/* pages whose content has one copy */
	uint64_t within_only;	/* pages in contents on one node, >= 2 copies */
	uint64_t across;	/* pages in contents on >= 2 nodes */
	uint64_t multi_node;	/* distinct contents on >= 2 nodes */
	uint64_t duplicate;	/* pages - distinct */
};

/* One round's results (at rank 0). */
struct v3s_round {
	int round;		/* 1.. */
	int rounds;		/* of */
	int nranks;
	double time_s;		/* the round's wall time, max over ranks */
	double exchange_s;	/* of it, the delta exchange */
	struct v3s_machine m;
	struct v3s_node *nodes;	/* nranks */
};

/* The owners' state: an open-addressing map keyed by (hash, node). */
struct v3s_slot {
	uint64_t hash;
	uint32_t node;
	uint32_t val;		/* 0: empty */
};

struct v3s_map {
	struct v3s_slot *s;
	uint64_t mask;		/* slots - 1 (a power of two) */
	uint64_t used;
};

/* The options (main.c). */
struct v3s_opts {
	const char *dump;	/* pattern with %r, %n; NULL: the module */
	const char *device;
	const char *held_dir;
	bool json;
	int rounds;
	double interval;
};

/* The MPI context. */
struct v3s_ctx {
	int rank;
	int nranks;
	MPI_Datatype rec_type;	/* struct v3s_rec */
};

extern struct v3s_ctx v3s;

/* main.c */
void v3s_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int v3s_agree(int status);

/* dump.c: the dump file format */
int v3s_dump_read(const char *path, struct v3s_table *t);
int v3s_dump_write(const char *path, const struct v3s_table *t,
		   uint32_t scope);
int v3s_check_entries(const char *src, const struct v3_content_entry *e,
		      uint64_t n);
void v3s_table_free(struct v3s_table *t);

/* load.c: a node's table from a dump file or the module */
int v3s_expand(const char *pattern, int rank, int round, char *out,
	       size_t len);
int v3s_load(const struct v3s_opts *o, int round, struct v3s_table *t);
void v3s_local_figures(const struct v3s_table *t, struct v3s_node *n);

/* delta.c: what changed between two tables */
int v3s_delta(const struct v3s_table *prev, const struct v3s_table *cur,
	      struct v3s_rec **recs, uint64_t *n);

/* map.c: the owners' map and the hash partition */
uint64_t v3s_mix(uint64_t h);
int v3s_owner(uint64_t hash, int nranks);
int v3s_map_init(struct v3s_map *m, uint64_t hint);
void v3s_map_free(struct v3s_map *m);
const struct v3s_slot *v3s_map_find(const struct v3s_map *m, uint64_t hash,
				    uint32_t node);
int v3s_map_add(struct v3s_map *m, uint64_t hash, uint32_t node,
		int64_t delta, uint32_t *old, uint32_t *new);

/* exchange.c: MPI all-to-all of records and hashes */
int v3s_send_records(const struct v3s_rec *recs, uint64_t n,
		     struct v3s_rec **in, int **in_counts,
		     struct v3s_node *me);
int v3s_alltoallv(const void *out, const int *out_counts, MPI_Datatype type,
		  size_t size, void **in, int **in_counts, uint64_t *in_n);

/* reduce.c: the owners' state, the figures and their reduction */
struct v3s_owner {
	struct v3s_map pn;	/* (hash, node) -> the node's copies */
	struct v3s_map h;	/* (hash, 0) -> nodes that hold it */
};

int v3s_owner_init(struct v3s_owner *ow);
void v3s_owner_free(struct v3s_owner *ow);
int v3s_owner_apply(struct v3s_owner *ow, const struct v3s_rec *in,
		    const int *in_counts);
int v3s_figures(const struct v3s_owner *ow, const struct v3s_node *me,
		struct v3s_round *r);

/* held.c: --held-elsewhere */
int v3s_held(const struct v3s_owner *ow, const struct v3s_table *t,
	     const char *dir, struct v3s_node *me);

/* report.c */
void v3s_report_table(FILE *f, const struct v3s_round *r);
void v3s_json_begin(FILE *f, int nranks, int rounds);
void v3s_json_round(FILE *f, const struct v3s_round *r);
void v3s_json_end(FILE *f);

#endif /* V3SHARE_H */
