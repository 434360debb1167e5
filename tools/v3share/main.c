// SPDX-License-Identifier: GPL-2.0
/*
 * v3share: machine-wide guest memory content sharing, one MPI rank per
 * node.  main() parses the options and runs the rounds; each round loads
 * the node's table, sends the changes to the owners, and rank 0 reports.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "v3share.h"

#define ROUNDS_MAX	1000000
#define INTERVAL_DEFAULT 10.0

struct v3s_ctx v3s;

void v3s_err(const char *fmt, ...)
{
	va_list ap;

	if (v3s.nranks > 1)
		fprintf(stderr, "v3share[%d]: ", v3s.rank);
	else
		fprintf(stderr, "v3share: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* the worst status of all ranks: every rank calls it at the same point */
int v3s_agree(int status)
{
	int all = status;

	MPI_Allreduce(&status, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return all;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mpirun -np NODES [--map-by ppr:1:node] v3share [OPTIONS]\n"
		"\n"
		"Machine-wide guest memory content sharing: one rank per node loads the\n"
		"node's content table, the tables are partitioned by hash over the ranks,\n"
		"and rank 0 prints how much memory is shared within and across nodes.\n"
		"\n"
		"Options:\n"
		"  --dump FILE            read the table from a dump file (v3ctl content dump)\n"
		"                         instead of the module; %%r in FILE is the rank,\n"
		"                         %%n the round number, %%%% a '%%'\n"
		"  --device PATH          the module's device (default %s, or $%s)\n"
		"  --json                 print one JSON object instead of tables\n"
		"  --held-elsewhere DIR   write DIR/held-elsewhere.RANK.bin: the node's\n"
		"                         contents that another node holds too\n"
		"  --rounds N             run N rounds (default 1); from the second on a node\n"
		"                         sends only what changed since its previous round\n"
		"  --interval SECONDS     wait between rounds (default %g)\n"
		"  -h, --help             this text\n"
		"\n"
		"Exit status: 0 done, 1 bad data or I/O error, 2 usage error or no module\n"
		"with content tracking (ABI 1.5).  See v3share(1).\n",
		V3S_DEFAULT_DEVICE, V3S_DEVICE_ENV, INTERVAL_DEFAULT);
}

/* a usage error: rank 0 says it, every rank returns 2 */
static int usage_err(const char *fmt, const char *arg)
{
	if (!v3s.rank) {
		fprintf(stderr, "v3share: ");
		fprintf(stderr, fmt, arg);
		fprintf(stderr, "; see v3share --help\n");
	}
	return EXIT_USAGE;
}

static int parse_number(const char *s, double min, double max, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*v) || *v < min ||
		*v > max ? -1 : 0;
}

static int check_opts(const struct v3s_opts *o)
{
	char path[V3S_PATH_MAX];

	if (o->dump && v3s_expand(o->dump, 0, 1, path, sizeof(path)))
		return usage_err("--dump %s: only %%r, %%n and %%%% may follow a '%%', and the path must be shorter",
				 o->dump);
	if (o->held_dir && !o->held_dir[0])
		return usage_err("--held-elsewhere needs a directory%s", "");
	return -1;
}

/* -1: go on; else the exit status */
static int parse(int argc, char **argv, struct v3s_opts *o)
{
	static const struct option longopts[] = {
		{ "dump", required_argument, NULL, 'd' },
		{ "device", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "held-elsewhere", required_argument, NULL, 'H' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double v;
	int c;

	memset(o, 0, sizeof(*o));
	o->device = getenv(V3S_DEVICE_ENV) ? : V3S_DEFAULT_DEVICE;
	o->rounds = 1;
	o->interval = INTERVAL_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dump = optarg;
			break;
		case 'D':
			o->device = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'H':
			o->held_dir = optarg;
			break;
		case 'r':
			if (parse_number(optarg, 1, ROUNDS_MAX, &v) ||
			    v != (int)v)
				return usage_err("--rounds %s: not a whole number from 1 to 1000000",
						 optarg);
			o->rounds = v;
			break;
		case 'i':
			if (parse_number(optarg, 0, 86400 * 365, &v))
				return usage_err("--interval %s: not a number of seconds",
						 optarg);
			o->interval = v;
			break;
		case 'h':
			if (!v3s.rank)
				usage(stdout);
			return EXIT_OK;
		case ':':
			return usage_err("%s needs an argument",
					 argv[optind - 1]);
		default:
			return usage_err("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument %s", argv[optind]);
	return check_opts(o);
}

static void wait_interval(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* the changes since the previous table go to the owners */
static int exchange(struct v3s_owner *ow, const struct v3s_table *prev,
		    const struct v3s_table *cur, struct v3s_node *me)
{
	struct v3s_rec *recs, *in;
	int *in_counts, st;
	uint64_t n;

	st = v3s_agree(v3s_delta(prev, cur, &recs, &n));
	if (st)
		return st;
	st = v3s_send_records(recs, n, &in, &in_counts, me);
	free(recs);
	if (st)
		return st;
	st = v3s_agree(v3s_owner_apply(ow, in, in_counts));
	free(in);
	free(in_counts);
	return st;
}

static void round_times(struct v3s_round *r, double t0, double t1, double t2)
{
	double t[2] = { MPI_Wtime() - t0, t2 - t1 }, max[2] = { 0, 0 };

	MPI_Reduce(t, max, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	r->time_s = max[0];
	r->exchange_s = max[1];
}

static int one_round(const struct v3s_opts *o, struct v3s_table *prev,
		     struct v3s_owner *ow, struct v3s_round *r)
{
	struct v3s_table cur;
	struct v3s_node me;
	double t0, t1, t2;
	int st;

	memset(&cur, 0, sizeof(cur));
	MPI_Barrier(MPI_COMM_WORLD);
	t0 = MPI_Wtime();
	st = v3s_agree(v3s_load(o, r->round, &cur));
	if (st) {
		v3s_table_free(&cur);	/* loaded here, not on another rank */
		return st;
	}
	v3s_local_figures(&cur, &me);
	t1 = MPI_Wtime();
	st = exchange(ow, prev, &cur, &me);
	t2 = MPI_Wtime();
	if (!st && o->held_dir)
		st = v3s_held(ow, &cur, o->held_dir, &me);
	if (!st)
		st = v3s_figures(ow, &me, r);
	v3s_table_free(prev);
	*prev = cur;
	if (st)
		return st;
	round_times(r, t0, t1, t2);
	if (v3s.rank)
		return EXIT_OK;
	if (o->json)
		v3s_json_round(stdout, r);
	else
		v3s_report_table(stdout, r);
	return EXIT_OK;
}

static int run(const struct v3s_opts *o)
{
	struct v3s_table prev;
	struct v3s_owner ow;
	struct v3s_round r;
	int st;

	memset(&prev, 0, sizeof(prev));
	memset(&r, 0, sizeof(r));
	r.rounds = o->rounds;
	r.nranks = v3s.nranks;
	r.nodes = v3s.rank ? NULL : calloc(v3s.nranks, sizeof(*r.nodes));
	st = v3s.rank || r.nodes ? EXIT_OK : EXIT_DATA;
	if (st)
		v3s_err("out of memory");
	if (!st)
		st = v3s_owner_init(&ow);
	if (v3s_agree(st)) {
		if (!st)
			v3s_owner_free(&ow);
		free(r.nodes);
		return st ? st : EXIT_DATA;
	}
	if (o->json && !v3s.rank)
		v3s_json_begin(stdout, v3s.nranks, o->rounds);
	for (r.round = 1; !st && r.round <= o->rounds; r.round++) {
		if (r.round > 1)
			wait_interval(o->interval);
		st = one_round(o, &prev, &ow, &r);
	}
	if (!st && o->json && !v3s.rank)
		v3s_json_end(stdout);
	v3s_table_free(&prev);
	v3s_owner_free(&ow);
	free(r.nodes);
	return st;
}

int main(int argc, char **argv)
{
	struct v3s_opts o;
	int st;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &v3s.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &v3s.nranks);
	MPI_Type_contiguous(sizeof(struct v3s_rec), MPI_BYTE, &v3s.rec_type);
	MPI_Type_commit(&v3s.rec_type);
	st = parse(argc, argv, &o);
	if (st < 0)
		st = run(&o);
	MPI_Type_free(&v3s.rec_type);
	MPI_Finalize();
	return st;
}
