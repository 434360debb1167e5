// SPDX-License-Identifier: GPL-2.0
/*
 * AP bring-up and SMP helpers for the 32-bit guests; see smp.h.
 * The trampoline is lib/smp_tramp.S.
 */
#include "guest.h"
#include "trap.h"
#include "smp.h"

struct desc_ptr32 {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern char smp_tramp_start[], smp_tramp_end[], smp_tramp_gdtr[];

/* the BSP's IDTR, loaded by every AP (smp_tramp.S) */
struct desc_ptr32 smp_idtr;

uint64_t smp_timeout_tsc = 10000000000ull;
volatile uint32_t smp_online_mask;
volatile uint32_t smp_finished;

static volatile uint32_t alive;
static void (*volatile ap_fn)(unsigned int cpu);
static spinlock_t print_lock = SPINLOCK_INIT;

/*
 * Delays of the INIT-SIPI-SIPI sequence (SDM vol. 3 9.4.4.1: 10 ms after
 * INIT, 200 us after each SIPI) in TSC ticks, the TSC rate being unknown
 * here: right for 2 GHz, longer on slower TSCs, shorter on faster ones
 * (v3vmm and QEMU need none).
 */
#define INIT_DELAY_TSC	20000000ull
#define SIPI_DELAY_TSC	400000ull

static void delay_tsc(uint64_t ticks)
{
	uint64_t t = rdtsc();

	while (rdtsc() - t < ticks)
		cpu_relax();
}

/* an IPI through the ICR: destination first, the low word sends (11.6.1) */
static void icr_send(unsigned int dest, uint32_t lo)
{
	unsigned long f = irq_save();

	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	irq_restore(f);
}

/* INIT and SIPI: wait (bounded) for the previous IPI to leave the ICR */
static void icr_send_wait(unsigned int dest, uint32_t lo)
{
	unsigned int i;

	for (i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_BUSY);
	     i++)
		cpu_relax();
	icr_send(dest, lo);
}

void smp_send_ipi(unsigned int cpu, uint8_t vector)
{
	icr_send(cpu, LAPIC_DM_FIXED | LAPIC_ICR_ASSERT | vector);
}

/* A spurious interrupt is not acknowledged with an EOI (11.9). */
static int spurious(struct trap_frame *f)
{
	return 1;
}

static void lapic_enable(void)
{
	lapic_write(LAPIC_SPIV, LAPIC_SPIV_ENABLE | SMP_SPURIOUS_VEC);
}

void __noreturn smp_ap_main(unsigned int cpu)
{
	lapic_enable();
	atomic_or(&smp_online_mask, 1u << cpu);
	atomic_inc(&alive);
	ap_fn(cpu);
	atomic_inc(&smp_finished);
	for (;;)
		asm volatile("cli; hlt");
}

int smp_start(unsigned int n, void (*fn)(unsigned int cpu))
{
	unsigned int self = smp_cpu_id(), id, want = 0, k;
	struct desc_ptr32 gdtr;
	uint64_t t;

	if (n > SMP_MAX_CPUS || !fn)
		return -1;
	ap_fn = fn;
	asm volatile("sidt %0" : "=m"(smp_idtr));
	asm volatile("sgdt %0" : "=m"(gdtr));
	memcpy((void *)SMP_TRAMP_PAGE, smp_tramp_start,
	       smp_tramp_end - smp_tramp_start);
	memcpy((void *)(SMP_TRAMP_PAGE + (smp_tramp_gdtr - smp_tramp_start)),
	       &gdtr, sizeof(gdtr));
	trap_set_handler(SMP_SPURIOUS_VEC, spurious);
	lapic_enable();
	atomic_or(&smp_online_mask, 1u << self);
	/* the trampoline and the variables above before any IPI */
	asm volatile("" : : : "memory");

	/* SDM vol. 3 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI, 200 us */
	for (id = 0; id < n; id++) {
		if (id == self)
			continue;
		icr_send_wait(id, LAPIC_DM_INIT | LAPIC_ICR_ASSERT);
		want++;
	}
	if (!want)
		return 0;
	delay_tsc(INIT_DELAY_TSC);
	for (k = 0; k < 2; k++) {
		for (id = 0; id < n; id++)
			if (id != self)
				icr_send_wait(id, LAPIC_DM_STARTUP |
					      LAPIC_ICR_ASSERT |
					      (SMP_TRAMP_PAGE >> 12));
		delay_tsc(SIPI_DELAY_TSC);
	}

	t = rdtsc();
	while (alive < want && rdtsc() - t < smp_timeout_tsc)
		cpu_relax();
	return alive;
}

int smp_barrier_wait(struct smp_barrier *b, unsigned int n,
		     uint64_t timeout_tsc)
{
	uint32_t gen = b->gen;		/* cannot move before we arrive */
	uint64_t t;

	if (atomic_xadd(&b->count, 1) == n - 1) {
		b->count = 0;		/* before the release: TSO keeps order */
		atomic_inc(&b->gen);
		return 0;
	}
	t = rdtsc();
	while (b->gen == gen) {
		if (timeout_tsc && rdtsc() - t >= timeout_tsc)
			return -1;
		cpu_relax();
	}
	return 0;
}

int smp_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	spin_lock(&print_lock);
	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	spin_unlock(&print_lock);
	return n;
}
