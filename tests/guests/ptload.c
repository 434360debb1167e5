// SPDX-License-Identifier: GPL-2.0
/*
 * ptload: the adaptive paging policy's bare-metal workloads (issue #12),
 * an ELF64 guest with its own 4-level tables (Intel SDM vol. 3A 4.5,
 * AMD APM vol. 2 5.3).  --cmdline:
 *
 *   mode=tlb      random 8-byte reads over mib= MiB mapped with 4 KiB
 *                 pages: a TLB miss on nearly every read, no page-table
 *                 writes (nested paging: two-dimensional walks; shadow
 *                 paging: native walks once the shadow tables are built)
 *   mode=churn    mmap/munmap + context-switch churn: per round, in one of
 *                 two address spaces (CR3 switch), pages= PTEs written,
 *                 each page touched, the PTEs cleared and INVLPG'd
 *                 (nested: no exits; shadow: a CR3 exit, write-protect
 *                 emulations, shadow faults and INVLPG exits)
 *   mode=phased   the two alternating, phase_ms= each (or ops= each)
 *
 *   mib=N (64)    size of the TLB region (4 KiB pages; frames repeat
 *                 when guest RAM is smaller)
 *   pages=N (64)  pages mapped and unmapped per churn round (<= 512)
 *   secs=N (0)    stop after N seconds (0: run until stopped)
 *   ops=N (0)     fixed work: each phase N reads (tlb) or N rounds (churn)
 *   tlb_ops=N, churn_ops=N   the same for one kind of phase (phased runs)
 *   phases=N (0)  stop after N phases (0: no limit)
 *   phase_ms=N    phased, no ops=: length of each phase (default 3000)
 *
 * Progress on the console, one line a second or per phase:
 *   # ptload: t=MS phase=K tlb ops=N ms=M ns_per_op=X
 * and at the end "# ptload: done phases=K ops=N ms=M" and status 1 (pass).
 * Time is the TSC, calibrated against the ACPI PM timer (3.579545 MHz,
 * ACPI 6.x 4.8.3.3) at start.
 */
#include "guest.h"

DEFINE_GUEST("ptload");

#define KiB		1024UL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PM_TMR		0x608
#define PM_HZ		3579545U
#define PTE_P		(1UL << 0)
#define PTE_W		(1UL << 1)
#define PTE_PS		(1UL << 7)
#define TLB_VA		(1UL << 39)	/* PML4 slot 1 */
#define CHURN_VA	(2UL << 39)	/* PML4 slot 2 */
#define MAX_TLB_MIB	256
#define NPT		(MAX_TLB_MIB / 2)	/* page tables of the TLB region */
#define DATA_PA		(8 * MiB)	/* frames from here to the top of RAM */

enum { TLB, CHURN };
static const char *const kind_name[] = { "tlb", "churn" };

/* the tables: two address spaces sharing the identity map and the TLB region */
static uint64_t pml4[2][512] __aligned(4096);
static uint64_t pdpt_id[512] __aligned(4096);
static uint64_t pd_id[512] __aligned(4096);
static uint64_t pdpt_tlb[512] __aligned(4096);
static uint64_t pd_tlb[512] __aligned(4096);
static uint64_t pt_tlb[NPT][512] __aligned(4096);
static uint64_t pdpt_churn[2][512] __aligned(4096);
static uint64_t pd_churn[2][512] __aligned(4096);
static uint64_t pt_churn[2][512] __aligned(4096);

static struct {
	unsigned long mib, pages, secs, ops, phases, phase_ms, kops[2];
	int mode;		/* TLB, CHURN, or 2: phased */
} P = { .mib = 64, .pages = 64, .phase_ms = 3000, .mode = TLB };

static uint64_t tsc_per_ms, t0, frames, rng = 0x9e3779b97f4a7c15ULL;
static volatile uint64_t sink;

static const char *arg(struct multiboot_info *mbi, const char *key)
{
	size_t n = strlen(key);
	const char *s;

	if (!mbi || !(mbi->flags & MB_INFO_CMDLINE))
		return NULL;
	for (s = (const char *)(uintptr_t)mbi->cmdline; *s; s++)
		if (!memcmp(s, key, n) && (s == (const char *)(uintptr_t)mbi->cmdline ||
					   s[-1] == ' '))
			return s + n;
	return NULL;
}

static void num(struct multiboot_info *mbi, const char *key, unsigned long *v)
{
	const char *s = arg(mbi, key);

	if (!s || *s < '0' || *s > '9')
		return;
	for (*v = 0; *s >= '0' && *s <= '9'; s++)
		*v = *v * 10 + (unsigned long)(*s - '0');
}

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t ms_since(uint64_t t)
{
	return (rdtsc() - t) / tsc_per_ms;
}

/* TSC ticks in 100 ms of the PM timer (a 32-bit counter: wraps handled) */
static void calibrate(void)
{
	uint32_t p0 = inl(PM_TMR), p;
	uint64_t t = rdtsc();

	do
		p = inl(PM_TMR);
	while (p - p0 < PM_HZ / 10);
	tsc_per_ms = (rdtsc() - t) * PM_HZ / ((uint64_t)(p - p0) * 1000);
	if (!tsc_per_ms)
		tsc_per_ms = 1;
}

static void build_tables(uint64_t top)
{
	unsigned long i, n = P.mib * 256;
	int s;

	/* [0, 1 GiB) identity, 2 MiB pages: code, stack, tables, frames */
	for (i = 0; i < 512; i++)
		pd_id[i] = i * 2 * MiB | PTE_P | PTE_W | PTE_PS;
	pdpt_id[0] = (uintptr_t)pd_id | PTE_P | PTE_W;
	/* the TLB region: 4 KiB pages over the frames above DATA_PA, repeated */
	frames = (top - DATA_PA) / 4096;
	for (i = 0; i < n; i++)
		pt_tlb[i / 512][i % 512] = (DATA_PA + (i % frames) * 4096) |
					   PTE_P | PTE_W;
	for (i = 0; i < n / 512; i++)
		pd_tlb[i] = (uintptr_t)pt_tlb[i] | PTE_P | PTE_W;
	pdpt_tlb[0] = (uintptr_t)pd_tlb | PTE_P | PTE_W;
	for (s = 0; s < 2; s++) {
		pd_churn[s][0] = (uintptr_t)pt_churn[s] | PTE_P | PTE_W;
		pdpt_churn[s][0] = (uintptr_t)pd_churn[s] | PTE_P | PTE_W;
		pml4[s][0] = (uintptr_t)pdpt_id | PTE_P | PTE_W;
		pml4[s][1] = (uintptr_t)pdpt_tlb | PTE_P | PTE_W;
		pml4[s][2] = (uintptr_t)pdpt_churn[s] | PTE_P | PTE_W;
	}
	write_cr3((uintptr_t)pml4[0]);
}

static void invlpg(unsigned long va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* one unit of work: a random read, or a churn round in address space s */
static void tlb_op(void)
{
	uint64_t r = xorshift();
	unsigned long page = (r >> 12) % (P.mib * 256);

	sink += *(volatile uint64_t *)(TLB_VA + page * 4096 + (r & 0xff8));
}

static void churn_op(unsigned long round)
{
	int s = round & 1;
	unsigned long i, va;

	write_cr3((uintptr_t)pml4[s]);
	for (i = 0; i < P.pages; i++)	/* mmap: frames of the TLB region */
		pt_churn[s][i] = (DATA_PA + ((round * P.pages + i) % frames) *
				  4096) | PTE_P | PTE_W;
	for (i = 0, va = CHURN_VA; i < P.pages; i++, va += 4096)
		*(volatile uint64_t *)(va + 8 * (round % 512)) = round;
	for (i = 0, va = CHURN_VA; i < P.pages; i++, va += 4096) {	/* munmap */
		pt_churn[s][i] = 0;
		invlpg(va);
	}
}

/*
 * One phase: ops units of work (0: none counted) or ms milliseconds
 * (0: none), whichever ends first, or secs= since the start.  Prints its
 * progress once a second and its total.  0 when secs= is up.
 */
static int phase(unsigned long k, int kind, unsigned long ops, unsigned long ms)
{
	uint64_t start = rdtsc(), last = start, now;
	unsigned long done = 0, at_last = 0;
	static unsigned long round;
	int more = 1;

	for (;;) {
		if (kind == TLB) {
			for (unsigned int j = 0; j < 256; j++)
				tlb_op();
			done += 256;
		} else {
			churn_op(round++);
			done++;
		}
		if (ops && done >= ops)
			break;
		now = rdtsc();
		if (ms && (now - start) / tsc_per_ms >= ms)
			break;
		if (P.secs && (now - t0) / tsc_per_ms >= P.secs * 1000) {
			more = 0;
			break;
		}
		if ((now - last) / tsc_per_ms >= 1000) {
			printf("# ptload: t=%llu phase=%lu %s progress ops=%lu ns_per_op=%llu\n",
			       (unsigned long long)ms_since(t0), k, kind_name[kind],
			       done - at_last,
			       (unsigned long long)((now - last) * 1000000 /
						    tsc_per_ms / (done - at_last)));
			last = now;
			at_last = done;
		}
	}
	now = rdtsc();
	printf("# ptload: t=%llu phase=%lu %s ops=%lu ms=%llu ns_per_op=%llu\n",
	       (unsigned long long)ms_since(t0), k, kind_name[kind], done,
	       (unsigned long long)((now - start) / tsc_per_ms),
	       (unsigned long long)((now - start) * 1000000 / tsc_per_ms /
				    (done ? done : 1)));
	return more;
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	uint64_t top;
	unsigned long k, start_ms;
	const char *m;

	if (magic != MB_BOOT_MAGIC || !mbi || !(mbi->flags & MB_INFO_MEMORY))
		tap_bail("no multiboot memory information");
	m = arg(mbi, "mode=");
	if (m && !memcmp(m, "churn", 5))
		P.mode = CHURN;
	else if (m && !memcmp(m, "phased", 6))
		P.mode = 2;
	num(mbi, "mib=", &P.mib);
	num(mbi, "pages=", &P.pages);
	num(mbi, "secs=", &P.secs);
	num(mbi, "ops=", &P.ops);
	num(mbi, "phases=", &P.phases);
	P.kops[TLB] = P.kops[CHURN] = P.ops;
	num(mbi, "tlb_ops=", &P.kops[TLB]);
	num(mbi, "churn_ops=", &P.kops[CHURN]);
	num(mbi, "phase_ms=", &P.phase_ms);
	if (!P.mib || P.mib > MAX_TLB_MIB || P.mib % 2)
		tap_bail("mib= must be even, 2..%d", MAX_TLB_MIB);
	if (!P.pages || P.pages > 512)
		tap_bail("pages= must be 1..512");
	top = 1 * MiB + (uint64_t)mbi->mem_upper * KiB;
	if (top > 1 * GiB)
		top = 1 * GiB;
	if (top < DATA_PA + 1 * MiB)
		tap_bail("needs at least %lu MiB of RAM", DATA_PA / MiB + 1);

	calibrate();
	build_tables(top);
	printf("# ptload: mode=%s mib=%lu pages=%lu frames=%llu tsc_per_ms=%llu\n",
	       P.mode == 2 ? "phased" : kind_name[P.mode], P.mib, P.pages,
	       (unsigned long long)frames, (unsigned long long)tsc_per_ms);
	t0 = rdtsc();
	for (k = 0; !P.phases || k < P.phases; k++) {
		int kind = P.mode == 2 ? (int)(k & 1) : P.mode;
		unsigned long ms = P.mode == 2 && !P.kops[kind] ? P.phase_ms : 0;

		if (!phase(k, kind, P.kops[kind], ms))
			break;
	}
	start_ms = ms_since(t0);
	printf("# ptload: done phases=%lu ms=%lu\n", k, start_ms);
	tap_ok(1, "ptload ran %lu phases", k);
	return tap_done();
}
