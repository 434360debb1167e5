// SPDX-License-Identifier: GPL-2.0
/*
 * v3bench: the benchmark suite of `make bench` and its helpers, one static
 * binary.  Every benchmark prints one machine-readable line
 *
 *   V3B <name> <value> <unit> tsc=<TSC cycles per unit of work> reps=<R>
 *
 * where value is the median of R repetitions (R = 3 unless -r says so).
 * The same binary runs natively in the emulated host (L1) and inside the
 * L2 Linux guest under v3vmm and under KVM, with the same arguments.
 *
 *   v3bench [-r R] cpu N          integer loop of N steps      -> ns (total)
 *   v3bench [-r R] syscall N      getppid() N times            -> ns/call
 *   v3bench [-r R] mm N           N x (mmap 64 MiB, touch every page,
 *                                 munmap)                      -> ns/fault
 *   v3bench [-r R] cpuid N        CPUID leaf 0 N times         -> ns/insn
 *   v3bench [-r R] pio-pmtmr N    IN 32 bits from 0x608 (ACPI PM timer)
 *   v3bench [-r R] pio-80 N       OUT 8 bits to 0x80 (POST/delay port)
 *   v3bench [-r R] pio-pic N      IN 8 bits from 0x21 (master PIC IMR)
 *                                                              -> ns/access
 *   v3bench [-r R] console BYTES  write BYTES to /dev/ttyS0 (raw mode, then
 *                                 tcdrain)                     -> bytes/s
 * Paging workloads (issue #12: nested vs shadow paging):
 *   v3bench [-r R] tlb N          N dependent random 8-byte reads over a
 *                                 pre-faulted 96 MiB array: TLB-miss bound
 *                                 (nested paging pays a 2-D walk per miss)
 *                                                              -> ns/read
 *   v3bench [-r R] ptchurn N      N x (fork; the child execs v3bench, which
 *                                 does 8 x mmap 256 KiB + touch + munmap;
 *                                 wait): page-table-update bound (shadow
 *                                 paging pays an exit per update)
 *                                                              -> us/round
 *   v3bench [-r R] phased N [READS ROUNDS]
 *                                 N phases alternating tlb (READS reads,
 *                                 default PHASE_READS) and ptchurn (ROUNDS
 *                                 rounds, default PHASE_ROUNDS), tlb first;
 *                                 the warm-up is one tlb phase
 *                                                              -> ns (total)
 * Helpers for the L1 driver script:
 *   v3bench now                   CLOCK_MONOTONIC in ns
 *   v3bench tsline                copy stdin to stdout, each line prefixed
 *                                 with "<CLOCK_MONOTONIC ns> "
 *   v3bench waitfor FILE STR SECS wait until FILE has a line containing STR
 *                                 (print it); status 1 after SECS seconds
 *   v3bench warm MiB              touch MiB of memory once and free it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPS 15

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void die(const char *what)
{
	fprintf(stderr, "v3bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One measured repetition: elapsed ns and TSC cycles. */
struct sample {
	double ns, tsc;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ workloads */

static volatile uint64_t sink;

static void w_cpu(long n)
{
	uint64_t x = 88172645463325252ull, acc = 0;
	long i;

	for (i = 0; i < n; i++) {	/* xorshift64 + a multiply-add */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc = acc * 31 + (x & 0xffff);
	}
	sink = acc;
}

static void w_syscall(long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

#define MM_BYTES (64ul << 20)
#define PAGE 4096ul

static void w_mm(long n)
{
	long i;
	unsigned long off;

	for (i = 0; i < n; i++) {
		volatile char *p = mmap(NULL, MM_BYTES, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (off = 0; off < MM_BYTES; off += PAGE)
			p[off] = 1;
		munmap((void *)p, MM_BYTES);
	}
}

static void w_cpuid(long n)
{
	uint32_t a = 0, b = 0, c = 0, d = 0;
	long i;

	for (i = 0; i < n; i++) {
		a = 0;
		c = 0;
		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	sink = a + b + c + d;
}

static void w_pio_pmtmr(long n)
{
	uint32_t v = 0;
	long i;

	for (i = 0; i < n; i++)
		v += inl(0x608);
	sink = v;
}

static void w_pio_80(long n)
{
	long i;

	for (i = 0; i < n; i++)
		outb(0, 0x80);
}

static void w_pio_pic(long n)
{
	uint32_t v = 0;
	long i;

	for (i = 0; i < n; i++)
		v += inb(0x21);
	sink = v;
}

/* ---------------------------------------------------- paging workloads */

#define TLB_BYTES (96ul << 20)

static uint64_t *tlb_arr;

/* the array, touched once (pre-faulted: the timed reads take no faults) */
static void tlb_setup(void)
{
	size_t i;

	if (tlb_arr)
		return;
	tlb_arr = mmap(NULL, TLB_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (tlb_arr == MAP_FAILED)
		die("mmap");
	/* no huge pages: the point is one TLB entry per 4 KiB */
	madvise(tlb_arr, TLB_BYTES, MADV_NOHUGEPAGE);
	for (i = 0; i < TLB_BYTES / 8; i += PAGE / 8)
		tlb_arr[i] = i * 0x9e3779b97f4a7c15ull;
}

static void w_tlb(long n)
{
	const uint64_t words = TLB_BYTES / 8;
	uint64_t x = 0x2545f4914f6cdd1dull, acc = 0;
	long i;

	tlb_setup();
	for (i = 0; i < n; i++) {
		/* the next address depends on the last value: no overlap */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += tlb_arr[(x ^ acc) % words];
	}
	sink = acc;
}

#define CHURN_MAPS 8
#define CHURN_BYTES (256ul << 10)

/* the exec'd child of ptchurn: fresh address space, mmap churn, exit */
static int churn_child(void)
{
	int i;
	unsigned long off;

	for (i = 0; i < CHURN_MAPS; i++) {
		volatile char *p = mmap(NULL, CHURN_BYTES, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		for (off = 0; off < CHURN_BYTES; off += PAGE)
			p[off] = 1;
		munmap((void *)p, CHURN_BYTES);
	}
	return 0;
}

static void w_ptchurn(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execl("/proc/self/exe", "v3bench", "churn-child", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			die("churn child");
	}
}

/*
 * default phase lengths: phases of similar length in L2 under TCG (1-2 s
 * each in nested paging); paging.conf gives its own (phased N READS ROUNDS)
 */
#define PHASE_READS	4000000
#define PHASE_ROUNDS	120

static long phase_reads = PHASE_READS, phase_rounds = PHASE_ROUNDS;

static void w_phased(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (i % 2 == 0)
			w_tlb(phase_reads);
		else
			w_ptchurn(phase_rounds);
	}
}

static int con_fd = -1;

static void w_console(long bytes)
{
	static char line[64];
	long done = 0;

	memset(line, '.', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	while (done < bytes) {
		size_t len = bytes - done < (long)sizeof(line) ?
			     (size_t)(bytes - done) : sizeof(line);
		ssize_t w = write(con_fd, line, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write /dev/ttyS0");
		done += w;
	}
	tcdrain(con_fd);
}

static int need_ports(unsigned long from, unsigned long num)
{
	if (ioperm(from, num, 1) == 0)
		return 0;
	if (iopl(3) == 0)
		return 0;
	die("ioperm/iopl");
	return -1;
}

/* ------------------------------------------------------------ benchmarks */

struct bench {
	const char *name;
	void (*fn)(long n);
	const char *unit;
	int per;	/* value: 0 total ns, 1 ns per op, 2 ops per second,
			 * 3 us per op */
	long ops_per_n;	/* units of work per n (faults per mm round) */
};

static const struct bench benches[] = {
	{ "cpu", w_cpu, "ns", 0, 1 },
	{ "syscall", w_syscall, "ns/call", 1, 1 },
	{ "mm", w_mm, "ns/fault", 1, MM_BYTES / PAGE },
	{ "cpuid", w_cpuid, "ns/insn", 1, 1 },
	{ "pio-pmtmr", w_pio_pmtmr, "ns/access", 1, 1 },
	{ "pio-80", w_pio_80, "ns/access", 1, 1 },
	{ "pio-pic", w_pio_pic, "ns/access", 1, 1 },
	{ "console", w_console, "bytes/s", 2, 1 },
	{ "tlb", w_tlb, "ns/read", 1, 1 },
	{ "ptchurn", w_ptchurn, "us/round", 3, 1 },
	{ "phased", w_phased, "ns", 0, 1 },
};

static int run_bench(const struct bench *b, long n, int reps)
{
	double val[MAX_REPS], tsc[MAX_REPS];
	double work = (double)n * b->ops_per_n;
	struct termios saved, raw;
	int r, off;
	char runs[256];

	if (!strncmp(b->name, "pio-", 4)) {
		if (b->fn == w_pio_pmtmr)
			need_ports(0x608, 4);
		else if (b->fn == w_pio_80)
			need_ports(0x80, 1);
		else
			need_ports(0x21, 1);
	}
	if (b->fn == w_console) {
		con_fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
		if (con_fd < 0)
			die("open /dev/ttyS0");
		if (tcgetattr(con_fd, &saved) == 0) {
			raw = saved;
			raw.c_oflag &= ~OPOST;	/* bytes as they are: no \n -> \r\n */
			tcsetattr(con_fd, TCSADRAIN, &raw);
		}
	}
	if (b->fn == w_tlb || b->fn == w_phased)
		tlb_setup();	/* pre-faulted outside the timed runs */
	b->fn(n > 100 ? n / 100 : 1);	/* warm-up: caches, page tables */
	for (r = 0; r < reps; r++) {
		uint64_t t0, c0;
		double ns;

		/* "V3B-RUN NAME R" where run R starts, "V3B-RUN NAME REPS" after
		 * the last: l1-init's paging way times L1's CPUs per run by them */
		printf("V3B-RUN %s %d\n", b->name, r);
		fflush(stdout);
		t0 = now_ns();
		c0 = rdtsc();
		b->fn(n);
		tsc[r] = (double)(rdtsc() - c0);
		ns = (double)(now_ns() - t0);
		switch (b->per) {
		case 0:
			val[r] = ns;
			break;
		case 1:
			val[r] = ns / work;
			tsc[r] /= work;
			break;
		case 3:
			val[r] = ns / 1e3 / work;
			tsc[r] /= work;
			break;
		default:
			val[r] = work * 1e9 / ns;
			tsc[r] /= work;	/* cycles per byte */
			break;
		}
	}
	printf("V3B-RUN %s %d\n", b->name, reps);
	if (b->fn == w_console) {
		tcsetattr(con_fd, TCSADRAIN, &saved);
		close(con_fd);
		/* the dots end in a newline; keep the result line apart */
	}
	/* every run in order (median() sorts): a median of 3 hides a first
	 * run that a mode switch (an adaptive trial) or the host fell into */
	for (r = 0, off = 0; r < reps && off < (int)sizeof(runs) - 24; r++)
		off += snprintf(runs + off, sizeof(runs) - off, "%s%.3f",
				r ? "," : "", val[r]);
	printf("V3B %s %.3f %s tsc=%.1f reps=%d n=%ld", b->name,
	       median(val, reps), b->unit, median(tsc, reps), reps, n);
	if (b->fn == w_phased)
		printf(" reads=%ld rounds=%ld", phase_reads, phase_rounds);
	printf(" runs=%s\n", runs);
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------ helpers */

static int tsline(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((len = getline(&line, &cap, stdin)) >= 0)
		printf("%llu %s%s", (unsigned long long)now_ns(), line,
		       len && line[len - 1] == '\n' ? "" : "\n");
	return 0;
}

static int waitfor(const char *file, const char *str, double secs)
{
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	off_t seen = 0;		/* bytes already scanned (whole lines) */
	char *buf = NULL;
	size_t cap = 0;

	for (;;) {
		struct stat st;

		if (stat(file, &st) == 0 && st.st_size > seen) {
			FILE *f = fopen(file, "r");
			ssize_t len;

			if (f && fseeko(f, seen, SEEK_SET) == 0) {
				while ((len = getline(&buf, &cap, f)) > 0) {
					if (buf[len - 1] != '\n')
						break;	/* partial: read again later */
					seen += len;
					if (strstr(buf, str)) {
						fputs(buf, stdout);
						fclose(f);
						return 0;
					}
				}
			}
			if (f)
				fclose(f);
		}
		if (now_ns() > end)
			return 1;
		nanosleep(&tick, NULL);
	}
}

static int warm(long mib)
{
	size_t len = (size_t)mib << 20, off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
	munmap(p, len);
	return 0;
}

static void usage(void)
{
	fputs("usage: v3bench [-r REPS] BENCH N | phased N [READS ROUNDS] | now | tsline |\n"
	      "       waitfor FILE STR SECS | warm MiB\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int reps = 3;
	size_t i;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		reps = atoi(argv[2]);
		if (reps < 1 || reps > MAX_REPS)
			usage();
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "now")) {
		printf("%llu\n", (unsigned long long)now_ns());
		return 0;
	}
	if (!strcmp(argv[1], "churn-child"))
		return churn_child();
	if (!strcmp(argv[1], "tsline"))
		return tsline();
	if (!strcmp(argv[1], "waitfor") && argc == 5)
		return waitfor(argv[2], argv[3], atof(argv[4]));
	if (!strcmp(argv[1], "warm") && argc == 3)
		return warm(atol(argv[2]));
	if (!strcmp(argv[1], "phased") && argc == 5) {
		phase_reads = atol(argv[3]);
		phase_rounds = atol(argv[4]);
		if (phase_reads < 1 || phase_rounds < 1)
			usage();
		argc = 3;
	}
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (argc == 3 && !strcmp(argv[1], benches[i].name))
			return run_bench(&benches[i], atol(argv[2]), reps);
	usage();
	return 2;
}
