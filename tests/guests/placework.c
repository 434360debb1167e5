// SPDX-License-Identifier: GPL-2.0
/*
 * placework (4 vCPUs): a workload for vCPU and guest-RAM placement tests,
 * with roles on fixed vCPUs so the host can place them and watch the
 * effect.  Command line (hostile_num style: decimal or 0x hex):
 *
 *   pa=0 pb=1      an IPI-heavy pair: pa sends vector 0x40 to pb, whose
 *                  handler counts it and answers with vector 0x41 to pa,
 *                  whose handler counts and sends the next 0x40: one IPI
 *                  in flight, as fast as the VMM delivers them
 *   ma=2 mb=3      memory hammers: each stirs its own private region,
 *   mib=16           mib MiB at abase (ma) and at bbase (mb), in passes:
 *   abase=0x1000000  each 32-bit word is checked against the previous
 *   bbase=0x2000000  pass's value and given the next, both a function of
 *                    its address and the pass (as memstir.c)
 *   sbase=0x3000000 smib=8   a shared region that pa and mb both stir once
 *                  a round: pa owns the even words, mb the odd ones, and
 *                  each reads its partner's word in the same cache line
 *                  (true sharing), checking only its own
 *   secs=10        run time, measured with the TSC (0: run until stopped,
 *                  no TAP summary)
 *   every=1        seconds between progress lines
 *   tsc_mhz=N      TSC rate; without it the TSC is calibrated against the
 *                  ACPI PM timer (port 0x608, 3.579545 MHz, ACPI 6.x
 *                  4.8.3.3) for 100 ms, and assumed 2000 MHz if that
 *                  timer does not count
 *   pair=1         0: no IPI pair and no shared region; pa and pb are
 *                  ignored (two independent hammers: cpus=2 ma=0 mb=1)
 *   cpus=4         CPUs started (APIC IDs 0..cpus-1); the roles must be
 *                  distinct and below cpus; a started vCPU with no role
 *                  halts, a vCPU beyond cpus is never started
 *
 * The BSP (vCPU 0) prints, every "every" seconds and once at the end,
 *
 *   placework: t=<secs> ipis=<a>,<b> mem=<c>,<d> shared=<e>
 *
 * a = 0x41 IPIs pa received, b = 0x40 IPIs pb received, c/d = passes ma/mb
 * completed over their private regions, e = passes pa and mb completed
 * over their halves of the shared region (summed); all counts since the
 * start, 32-bit.  At the end each hammer verifies its region (and pa/mb
 * their shared words) once more, the BSP re-reads both private regions,
 * and TAP lines follow: ok when all roles made progress, no word held a
 * wrong value, the ping-pong never stalled (a lost IPI: the BSP restarts
 * it and counts it) and every role finished.  Fewer APs than cpus-1:
 * "Bail out!".  Paging is off: the regions are guest-physical and must
 * lie in RAM above the image (64 MiB of RAM for the defaults).
 */
#include "guest.h"
#include "trap.h"
#include "hostile.h"
#include "smp.h"

DEFINE_GUEST("placework");

#define VEC_PING	0x40		/* pa -> pb */
#define VEC_PONG	0x41		/* pb -> pa */
#define PM_TMR		0x608
#define PM_HZ		3579545u
#define MiB		(1024 * 1024u)

static struct {
	uint32_t cpus, pa, pb, ma, mb, pair;
	uint32_t mib, abase, bbase, sbase, smib;
	uint32_t secs, every;
} P;

/* per vCPU, written by that vCPU only, one cache line each */
struct pcpu {
	volatile uint32_t ipis;		/* pa: 0x41 received; pb: 0x40 */
	volatile uint32_t mem;		/* ma/mb: private passes done */
	volatile uint32_t shared;	/* pa/mb: shared passes done */
	volatile uint32_t mem_bad;	/* words found wrong, private */
	volatile uint32_t sh_bad;	/* words found wrong, shared */
	volatile uint32_t done;		/* stopped, final check made */
	uint32_t bad_addr, bad_want, bad_got;	/* the first wrong word */
	uint32_t sink;			/* partner words read */
} __aligned(64);

static struct pcpu pc[SMP_MAX_CPUS];
static struct pcpu bspcheck;		/* the BSP's re-read at the end */
static volatile uint32_t stop;
static struct smp_barrier start_bar;
static unsigned int bsp_id;
static uint64_t tsc_hz, t0, next_line, t_end;
static uint32_t lines, last_ipis, stalls;

static inline uint32_t value(uint32_t addr, uint32_t pass)
{
	uint32_t x = addr * 0x9e3779b1u ^ pass * 0x85ebca77u;

	return x ^ (x >> 15);
}

static void check(struct pcpu *c, volatile uint32_t *bad, uint32_t addr,
		  uint32_t want, uint32_t got)
{
	if (!c->mem_bad && !c->sh_bad) {
		c->bad_addr = addr;
		c->bad_want = want;
		c->bad_got = got;
	}
	(*bad)++;
}

/*
 * One pass over the words first, first + step, ... of n at base: check
 * the value of pass - 1 (not for pass 0, the fill), write that of pass.
 * step 2: also read the partner's word (index ^ 1).
 */
static void stir(struct pcpu *c, volatile uint32_t *bad, uint32_t base,
		 uint32_t n, uint32_t first, uint32_t step, uint32_t pass)
{
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)base;
	uint32_t i, a, want, got, sink = 0;

	for (i = first; i < n; i += step) {
		a = base + 4 * i;
		if (step > 1)
			sink += w[i ^ 1];
		if (pass) {
			want = value(a, pass - 1);
			got = w[i];
			if (got != want)
				check(c, bad, a, want, got);
		}
		w[i] = value(a, pass);
	}
	c->sink += sink;
}

/* check that every word holds the value of pass */
static void verify(struct pcpu *c, volatile uint32_t *bad, uint32_t base,
		   uint32_t n, uint32_t first, uint32_t step, uint32_t pass)
{
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)base;
	uint32_t i, a, got;

	for (i = first; i < n; i += step) {
		a = base + 4 * i;
		got = w[i];
		if (got != value(a, pass))
			check(c, bad, a, value(a, pass), got);
	}
}

/* on pb */
static int ping(struct trap_frame *f)
{
	pc[P.pb].ipis++;
	smp_eoi();
	smp_send_ipi(P.pa, VEC_PONG);
	return 1;
}

/* on pa */
static int pong(struct trap_frame *f)
{
	pc[P.pa].ipis++;
	smp_eoi();
	if (!stop)
		smp_send_ipi(P.pb, VEC_PING);
	return 1;
}

static uint32_t sum_shared(void)
{
	return P.pair ? pc[P.pa].shared + pc[P.mb].shared : 0;
}

static uint32_t ipis_of(uint32_t cpu)
{
	return P.pair ? pc[cpu].ipis : 0;
}

static void line(uint32_t t)
{
	printf("placework: t=%u ipis=%u,%u mem=%u,%u shared=%u\n", t,
	       ipis_of(P.pa), ipis_of(P.pb), pc[P.ma].mem, pc[P.mb].mem,
	       sum_shared());
}

/* the BSP, between its passes: progress lines, stall check, the end */
static void progress(void)
{
	uint64_t now = rdtsc();
	uint32_t ipis;

	if (P.secs && now - t0 >= t_end) {
		stop = 1;
		return;
	}
	if (now - t0 < next_line)
		return;
	lines++;
	next_line += P.every * tsc_hz;
	line(lines * P.every);
	/* no IPI in a whole interval: the one in flight was lost */
	ipis = ipis_of(P.pa) + ipis_of(P.pb);
	if (P.pair && ipis == last_ipis) {
		stalls++;
		printf("# placework: IPI ping-pong stalled at %u/%u, restarting\n",
		       pc[P.pa].ipis, pc[P.pb].ipis);
		smp_send_ipi(P.pb, VEC_PING);
	}
	last_ipis = ipis;
	serial_flush();
}

/* every started CPU, the BSP included */
static void work(unsigned int cpu)
{
	struct pcpu *c = &pc[cpu];
	uint32_t na = P.mib << 18, ns = P.smib << 18;
	uint32_t mpass = 0, spass = 0;
	int bsp = cpu == bsp_id, mem = cpu == P.ma || cpu == P.mb;
	int sh = P.pair && (cpu == P.pa || cpu == P.mb);
	uint32_t base = cpu == P.ma ? P.abase : P.bbase;
	uint32_t half = cpu == P.mb;	/* mb owns the odd shared words */

	if (smp_barrier_wait(&start_bar, P.cpus, 10 * tsc_hz)) {
		if (bsp)
			tap_bail("the CPUs did not meet at the start in 10 s");
		return;
	}
	if (bsp)
		t0 = rdtsc();
	irq_enable();
	if (P.pair && cpu == P.pa)
		smp_send_ipi(P.pb, VEC_PING);
	if (mem)
		stir(c, &c->mem_bad, base, na, 0, 1, 0);
	if (sh)
		stir(c, &c->sh_bad, P.sbase, ns, half, 2, 0);
	while (!stop) {
		if (mem) {
			stir(c, &c->mem_bad, base, na, 0, 1, ++mpass);
			c->mem = mpass;
		}
		if (sh) {
			stir(c, &c->sh_bad, P.sbase, ns, half, 2, ++spass);
			c->shared = spass;
		}
		if (bsp)
			progress();
		else if (!mem && !sh)
			cpu_relax();
	}
	if (mem)
		verify(c, &c->mem_bad, base, na, 0, 1, mpass);
	if (sh)
		verify(c, &c->sh_bad, P.sbase, ns, half, 2, spass);
	c->done = 1;
}

/* TSC ticks per second: the command line, the PM timer, or 2 GHz */
static uint64_t tsc_rate(struct multiboot_info *mbi)
{
	uint32_t p0, d, q, r, hi, lo;
	uint64_t t, dt;

	if (hostile_opt(mbi, "tsc_mhz")) {
		tap_diag("placework: TSC rate from the command line");
		return hostile_num(mbi, "tsc_mhz", 2000) * 1000000;
	}
	p0 = inl(PM_TMR);
	t = rdtsc();
	do {
		/* 24 or 32 bits wide (ACPI TMR_VAL_EXT): count in 24 */
		d = (inl(PM_TMR) - p0) & 0xffffff;
		dt = rdtsc() - t;
		if (dt > 2000000000ull) {
			tap_diag("placework: the PM timer does not count, "
				 "TSC assumed 2000 MHz");
			return 2000000000ull;
		}
	} while (d < PM_HZ / 10);
	/* dt * PM_HZ / d without libgcc: two 32-bit DIVs (64 by 32 bits) */
	dt *= PM_HZ;
	hi = dt >> 32;
	lo = dt;
	q = hi / d;
	r = hi % d;
	asm("divl %2" : "=a"(lo), "=d"(r) : "rm"(d), "a"(lo), "d"(r));
	tap_diag("placework: TSC calibrated against the PM timer");
	return ((uint64_t)q << 32) | lo;
}

static void params(struct multiboot_info *mbi)
{
	uint64_t top, end = (uintptr_t)_end;
	uint64_t lo[3], hi[3];
	uint32_t role[4], i, j;

	P.cpus = hostile_num(mbi, "cpus", 4);
	P.pa = hostile_num(mbi, "pa", 0);
	P.pb = hostile_num(mbi, "pb", 1);
	P.ma = hostile_num(mbi, "ma", 2);
	P.mb = hostile_num(mbi, "mb", 3);
	P.pair = hostile_num(mbi, "pair", 1);
	P.mib = hostile_num(mbi, "mib", 16);
	P.abase = hostile_num(mbi, "abase", 0x1000000);
	P.bbase = hostile_num(mbi, "bbase", 0x2000000);
	P.sbase = hostile_num(mbi, "sbase", 0x3000000);
	P.smib = hostile_num(mbi, "smib", 8);
	P.secs = hostile_num(mbi, "secs", 10);
	P.every = hostile_num(mbi, "every", 1);
	if (!P.every)
		P.every = 1;

	if (P.cpus < 2 || P.cpus > SMP_MAX_CPUS)
		tap_bail("cpus=%u: 2..%u", P.cpus, SMP_MAX_CPUS);
	role[0] = P.ma, role[1] = P.mb, role[2] = P.pa, role[3] = P.pb;
	for (i = 0; i < (P.pair ? 4u : 2u); i++) {
		if (role[i] >= P.cpus)
			tap_bail("role vCPU %u not below cpus=%u", role[i],
				 P.cpus);
		for (j = 0; j < i; j++)
			if (role[i] == role[j])
				tap_bail("pa, pb, ma, mb must differ (vCPU %u twice)",
					 role[i]);
	}

	if (!(mbi->flags & MB_INFO_MEMORY))
		tap_bail("no Multiboot memory information");
	top = 0x100000 + (uint64_t)mbi->mem_upper * 1024;
	if (!P.mib || P.mib > 1024 || !P.smib || P.smib > 1024)
		tap_bail("mib=%u smib=%u: 1..1024", P.mib, P.smib);
	lo[0] = P.abase, hi[0] = lo[0] + (uint64_t)P.mib * MiB;
	lo[1] = P.bbase, hi[1] = lo[1] + (uint64_t)P.mib * MiB;
	lo[2] = P.sbase, hi[2] = lo[2] + (uint64_t)P.smib * MiB;
	for (i = 0; i < (P.pair ? 3u : 2u); i++) {
		if ((lo[i] & 63) || lo[i] < end || hi[i] > top)
			tap_bail("region %#llx..%#llx not 64-byte aligned, or "
				 "not in RAM above the image (%#llx..%#llx)",
				 (unsigned long long)lo[i],
				 (unsigned long long)hi[i],
				 (unsigned long long)end,
				 (unsigned long long)top);
		for (j = 0; j < i; j++)
			if (lo[i] < hi[j] && lo[j] < hi[i])
				tap_bail("regions at %#llx and %#llx overlap",
					 (unsigned long long)lo[i],
					 (unsigned long long)lo[j]);
	}
}

static void report_bad(const char *what, unsigned int cpu,
		       const struct pcpu *c)
{
	if (c->mem_bad || c->sh_bad)
		tap_diag("%s vCPU %u: first wrong word at %#x: want %#x got %#x",
			 what, cpu, c->bad_addr, c->bad_want, c->bad_got);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint32_t ns, i, finished;
	uint64_t t;
	int up;

	params(mbi);
	tsc_hz = tsc_rate(mbi);
	smp_timeout_tsc = 10 * tsc_hz;
	tap_diag("placework: TSC %u kHz; cpus %u, IPI pair %u<->%u, "
		 "hammers %u and %u (%u MiB at %#x and %#x), shared %u MiB at "
		 "%#x (vCPUs %u and %u), secs %u every %u",
		 (uint32_t)(tsc_hz >> 10) * 1024 / 1000, P.cpus, P.pa, P.pb,
		 P.ma, P.mb, P.mib, P.abase, P.bbase, P.smib, P.sbase, P.pa,
		 P.mb, P.secs, P.every);

	bsp_id = smp_cpu_id();
	trap_set_handler(VEC_PING, ping);
	trap_set_handler(VEC_PONG, pong);
	next_line = P.every * tsc_hz;
	t_end = P.secs * tsc_hz;
	up = smp_start(P.cpus, work);
	if (up < 0 || (unsigned int)up != P.cpus - 1)
		tap_bail("%d of %u APs came up in 10 s (online mask %#x): "
			 "placework needs v3ctl create --vcpus %u", up,
			 P.cpus - 1, smp_online_mask, P.cpus);
	tap_diag("placework: %d APs up (online mask %#x)", up,
		 smp_online_mask);
	serial_flush();

	work(bsp_id);		/* returns at the end (secs=0: never) */

	/* every role stopped and made its last check (bounded wait) */
	t = rdtsc();
	for (;;) {
		finished = pc[P.ma].done && pc[P.mb].done &&
			   (!P.pair || (pc[P.pa].done && pc[P.pb].done));
		if (finished || rdtsc() - t > 30 * tsc_hz)
			break;
		cpu_relax();
	}
	line(P.secs);
	/* what the hammers wrote last, read from the BSP */
	verify(&bspcheck, &bspcheck.mem_bad, P.abase, P.mib << 18, 0, 1,
	       pc[P.ma].mem);
	verify(&bspcheck, &bspcheck.mem_bad, P.bbase, P.mib << 18, 0, 1,
	       pc[P.mb].mem);

	if (P.pair) {
		tap_ok(pc[P.pa].ipis && pc[P.pb].ipis,
		       "IPI ping-pong: vCPU %u received %u, vCPU %u received %u",
		       P.pa, pc[P.pa].ipis, P.pb, pc[P.pb].ipis);
		tap_ok(!stalls, "no IPI lost: the ping-pong stalled %u times",
		       stalls);
	}
	for (i = 0; i < 2; i++) {
		unsigned int cpu = i ? P.mb : P.ma;

		report_bad("private", cpu, &pc[cpu]);
		tap_ok(pc[cpu].mem && !pc[cpu].mem_bad,
		       "vCPU %u stirred %u MiB at %#x: %u passes, %u words wrong",
		       cpu, P.mib, i ? P.bbase : P.abase, pc[cpu].mem,
		       pc[cpu].mem_bad);
	}
	if (P.pair) {
		ns = pc[P.pa].sh_bad + pc[P.mb].sh_bad;
		tap_ok(pc[P.pa].shared && pc[P.mb].shared && !ns,
		       "shared %u MiB at %#x: vCPU %u %u passes, vCPU %u %u "
		       "passes, %u words wrong", P.smib, P.sbase, P.pa,
		       pc[P.pa].shared, P.mb, pc[P.mb].shared, ns);
	}
	report_bad("re-read on the BSP,", bsp_id, &bspcheck);
	tap_ok(!bspcheck.mem_bad,
	       "the BSP read back both private regions: %u words wrong",
	       bspcheck.mem_bad);
	tap_ok(finished, "every role finished within 30 s of the end");
	return tap_done();
}
