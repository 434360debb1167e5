// SPDX-License-Identifier: GPL-2.0
/*
 * memchk: a memory-checksum workload for the L2 Linux guest (issue #12: the
 * guest runs it while the L1 test flips the VM between nested and shadow
 * paging).  Static, built by tests/harness/mkl2.sh into the L2 initramfs.
 *
 *   memchk [-n CHILDREN] [-t SECONDS] [-m MAX-KIB] [-x EXEC-EVERY]
 *
 * Forks CHILDREN workers (default 4).  Each, until SECONDS (default 30)
 * have passed:
 *   - keeps a long-lived region (written once, verified every round);
 *   - mmaps a region of random size (4 KiB .. MAX-KIB, default 2048),
 *     writes a pattern that depends on its seed, round and offset, verifies
 *     it, munmaps it;
 *   - every 8th round forks a grandchild that verifies the inherited
 *     long-lived region (copy-on-write), overwrites it with its own pattern
 *     and exits; the worker then checks its own copy is unchanged;
 *   - every EXEC-EVERY rounds (default 25) execs itself (a new address
 *     space), carrying its counts across in argv.
 * At the end each worker writes its counts to a pipe; the parent prints one
 * line and exits 0 (PASS) or 1 (FAIL):
 *
 *   MEMCHK PASS workers=4 rounds=R forks=F execs=E mib=M errors=0 secs=S
 *   MEMCHK FAIL ... errors=N first=<what went wrong>
 *
 * A worker that dies (signal) or never reports counts as an error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define STRIDE		256UL		/* one 64-bit word checked per stride */
#define LONG_BYTES	(256UL << 10)	/* the long-lived region */
#define FORK_EVERY	8

struct counts {
	unsigned long rounds, forks, execs, bytes, errors;
};

static char first_error[160];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return mix(rnd_state);
}

static void note(struct counts *c, const char *fmt, unsigned long a,
		 unsigned long b, unsigned long c2)
{
	c->errors++;
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), fmt, a, b, c2);
}

/* the word at OFF of a region filled with KEY */
static uint64_t word(uint64_t key, unsigned long off)
{
	return mix(key ^ (off * 0x9e3779b97f4a7c15ULL));
}

static void fill(volatile uint64_t *p, unsigned long len, uint64_t key)
{
	for (unsigned long off = 0; off < len; off += STRIDE)
		p[off / 8] = word(key, off);
}

/* the number of words that differ; the first one in *bad_off */
static unsigned long verify(volatile uint64_t *p, unsigned long len,
			    uint64_t key, unsigned long *bad_off)
{
	unsigned long bad = 0;

	for (unsigned long off = 0; off < len; off += STRIDE)
		if (p[off / 8] != word(key, off)) {
			if (!bad)
				*bad_off = off;
			bad++;
		}
	return bad;
}

static void report(int fd, const struct counts *c)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%lu %lu %lu %lu %lu %s\n",
			 c->rounds, c->forks, c->execs, c->bytes, c->errors,
			 first_error[0] ? first_error : "-");

	if (write(fd, line, n) != n)
		_exit(3);
}

/* one round's fresh region: at least two pages (the edge pages differ) */
static void round_mmap(struct counts *c, uint64_t seed, unsigned long max)
{
	unsigned long len = (rnd() % (max / PAGE - 1) + 2) * PAGE, off, bad = 0;
	uint64_t key = mix(seed ^ c->rounds);
	volatile uint64_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		note(c, "mmap %lu bytes failed (errno %lu)%.0lu", len, errno, 0);
		return;
	}
	fill(p, len, key);
	/* the first and the last page again, every word */
	for (unsigned long i = 0; i < PAGE / 8; i++) {
		p[i] = key + i;
		p[(len - PAGE) / 8 + i] = key - i;
	}
	for (unsigned long i = 0; i < PAGE / 8; i++)
		if (p[i] != key + i || p[(len - PAGE) / 8 + i] != key - i) {
			note(c, "round %lu: edge page word %lu of %lu bytes wrong",
			     c->rounds, i, len);
			break;
		}
	for (off = PAGE; off < len - PAGE; off += STRIDE)
		if (p[off / 8] != word(key, off)) {
			if (!bad)
				note(c, "round %lu: word at +%lu of %lu bytes wrong",
				     c->rounds, off, len);
			bad++;
		}
	c->bytes += len;
	if (munmap((void *)p, len))
		note(c, "munmap failed (errno %lu)%.0lu%.0lu", errno, 0, 0);
}

/* COW: the grandchild sees the worker's data, its writes stay its own */
static void round_fork(struct counts *c, volatile uint64_t *lr, uint64_t key)
{
	unsigned long off = 0;
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		note(c, "fork failed (errno %lu)%.0lu%.0lu", errno, 0, 0);
		return;
	}
	if (pid == 0) {
		unsigned long bad = verify(lr, LONG_BYTES, key, &off);

		fill(lr, LONG_BYTES, ~key);
		bad += verify(lr, LONG_BYTES, ~key, &off);
		_exit(bad ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		note(c, "grandchild after round %lu: status %#lx%.0lu",
		     c->rounds, (unsigned long)st, 0);
	if (verify(lr, LONG_BYTES, key, &off))
		note(c, "round %lu: long-lived word at +%lu changed by a child%.0lu",
		     c->rounds, off, 0);
	c->forks++;
}

static void __attribute__((noreturn))
worker(int fd, uint64_t seed, double deadline, unsigned long max,
       unsigned long exec_every, struct counts c, const char *self)
{
	uint64_t key = mix(seed ^ 0x10f0);
	unsigned long off = 0, since_exec = 0;
	volatile uint64_t *lr;

	rnd_state = seed ^ (c.rounds << 20);
	lr = mmap(NULL, LONG_BYTES, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lr == MAP_FAILED) {
		note(&c, "long-lived mmap failed (errno %lu)%.0lu%.0lu", errno, 0, 0);
		report(fd, &c);
		_exit(1);
	}
	fill(lr, LONG_BYTES, key);
	while (now_s() < deadline) {
		round_mmap(&c, seed, max);
		if (verify(lr, LONG_BYTES, key, &off))
			note(&c, "round %lu: long-lived word at +%lu wrong%.0lu",
			     c.rounds, off, 0);
		c.rounds++;
		if (c.rounds % FORK_EVERY == 0)
			round_fork(&c, lr, key);
		if (exec_every && ++since_exec >= exec_every) {
			char a[6][32];
			char *argv[9];

			snprintf(a[0], 32, "%d", fd);
			snprintf(a[1], 32, "%llu", (unsigned long long)seed);
			snprintf(a[2], 32, "%.3f", deadline);
			snprintf(a[3], 32, "%lu", max);
			snprintf(a[4], 32, "%lu", exec_every);
			snprintf(a[5], 32, "%lu %lu %lu %lu", c.rounds, c.forks,
				 c.execs + 1, c.bytes);
			argv[0] = (char *)self;
			argv[1] = "--worker";
			for (int i = 0; i < 6; i++)
				argv[2 + i] = a[i];
			argv[8] = NULL;
			if (c.errors)
				break;	/* report them rather than lose the text */
			execv(self, argv);
			note(&c, "exec failed (errno %lu)%.0lu%.0lu", errno, 0, 0);
			since_exec = 0;
		}
	}
	report(fd, &c);
	_exit(c.errors ? 1 : 0);
}

static void usage(void)
{
	fputs("usage: memchk [-n CHILDREN] [-t SECONDS] [-m MAX-KIB] [-x EXEC-EVERY]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 4, max = 2048UL << 10, exec_every = 25, got = 0;
	double secs = 30, t0 = now_s();
	struct counts sum = { 0 };
	char buf[512], first[160] = "";
	int pfd[2], opt, dead = 0;
	FILE *in;

	if (argc == 8 && !strcmp(argv[1], "--worker")) {
		struct counts c = { 0 };

		if (sscanf(argv[7], "%lu %lu %lu %lu", &c.rounds, &c.forks,
			   &c.execs, &c.bytes) != 4)
			return 2;
		worker(atoi(argv[2]), strtoull(argv[3], NULL, 0), atof(argv[4]),
		       strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0), c,
		       "/proc/self/exe");
	}
	while ((opt = getopt(argc, argv, "n:t:m:x:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'm': max = strtoul(optarg, NULL, 0) << 10; break;
		case 'x': exec_every = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!n || n > 64 || secs <= 0 || max < 3 * PAGE)
		usage();
	if (pipe(pfd))
		return 2;
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("memchk: fork");
			return 2;
		}
		if (pid == 0) {
			struct counts c = { 0 };

			close(pfd[0]);
			worker(pfd[1], mix(0x5eed0000 + i + (uint64_t)getpid() * 7919),
			       t0 + secs, max, exec_every, c, "/proc/self/exe");
		}
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	while (in && fgets(buf, sizeof(buf), in)) {
		struct counts c;
		char what[160];

		if (sscanf(buf, "%lu %lu %lu %lu %lu %159[^\n]", &c.rounds,
			   &c.forks, &c.execs, &c.bytes, &c.errors, what) == 6) {
			sum.rounds += c.rounds;
			sum.forks += c.forks;
			sum.execs += c.execs;
			sum.bytes += c.bytes;
			sum.errors += c.errors;
			if (c.errors && !first[0])
				snprintf(first, sizeof(first), "%s", what);
			got++;
		}
	}
	for (unsigned long i = 0; i < n; i++) {
		int st;

		if (wait(&st) < 0)
			break;
		if (WIFSIGNALED(st)) {
			dead++;
			if (!first[0])
				snprintf(first, sizeof(first), "a worker died of signal %d",
					 WTERMSIG(st));
		}
	}
	if (got < n && !first[0])
		snprintf(first, sizeof(first), "%lu of %lu workers reported", got, n);
	sum.errors += dead + (n - got);
	printf("MEMCHK %s workers=%lu rounds=%lu forks=%lu execs=%lu mib=%lu errors=%lu secs=%.1f%s%s\n",
	       sum.errors ? "FAIL" : "PASS", n, sum.rounds, sum.forks, sum.execs,
	       sum.bytes >> 20, sum.errors, now_s() - t0,
	       first[0] ? " first=" : "", first);
	return sum.errors ? 1 : 0;
}
