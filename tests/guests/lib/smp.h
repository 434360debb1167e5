/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMP for the 32-bit guests (lib/smp.c, lib/smp_tramp.S; link them with
 * SMP32 in the Makefile).
 *
 * smp_start(n, fn) wakes the CPUs whose APIC IDs are 0..n-1, other than
 * the caller's (in v3vmm the APIC ID is the vCPU number and the BSP is 0),
 * with INIT-SIPI-SIPI through the xAPIC ICR (SDM vol. 3 9.4.4, 11.6.1).
 * Each AP runs a real-mode trampoline copied to SMP_TRAMP_PAGE (SIPI
 * vector 0x08), loads the BSP's GDT, enters 32-bit protected mode with the
 * same flat segments (0x08 code, 0x10 data), takes the 16 KiB stack of its
 * APIC ID, loads the BSP's IDT (so trap_set_handler() handlers and
 * exception-table fixups work on every CPU), software-enables its LAPIC
 * (SPIV, spurious vector SMP_SPURIOUS_VEC) so it accepts fixed IPIs,
 * reports alive and calls fn(apic_id) with IF=0.  When fn returns the AP
 * halts with interrupts off for good.
 *
 * smp_start() returns how many APs reported alive within smp_timeout_tsc
 * TSC ticks (never waits longer), or -1 for bad arguments.  APIC IDs of 0
 * or >= SMP_MAX_CPUS have no stack: such a CPU halts in the trampoline.
 *
 * The console: printf(), tap_*() and serial_*() take no lock.  Print from
 * the BSP only, or, while APs run, use smp_printf() on every CPU (never
 * from an interrupt handler: the lock is not interrupt-safe).  TAP checks
 * (tap_ok, tap_done) belong on the BSP: their counters are not atomic.
 * An unexpected exception on any CPU still ends the VM with "Bail out!".
 */
#ifndef _GUEST_SMP_H
#define _GUEST_SMP_H

#include "lapic.h"

#define SMP_MAX_CPUS		8	/* APIC IDs 0..7 */
#define SMP_STACK_SIZE		16384	/* per AP */
#define SMP_TRAMP_PAGE		0x8000	/* below 1 MiB, 4 KiB aligned */
#define SMP_SPURIOUS_VEC	0xff	/* SPIV vector; smp.c ignores it */

#ifndef __ASSEMBLER__

#include <stdint.h>

/* how long smp_start() waits for the APs, in TSC ticks (default 1e10) */
extern uint64_t smp_timeout_tsc;
/* bit i set: the CPU with APIC ID i is up (the BSP's bit included) */
extern volatile uint32_t smp_online_mask;
/* APs whose fn returned */
extern volatile uint32_t smp_finished;

int smp_start(unsigned int n, void (*fn)(unsigned int cpu));

/* this CPU's APIC ID: an MMIO read (an exit in v3vmm): cache it */
static inline unsigned int smp_cpu_id(void)
{
	return lapic_id();
}

/*
 * A fixed IPI, physical destination, edge (11.6.1).  Does not wait for
 * the delivery status to go idle: v3vmm and QEMU deliver at the ICR write
 * (and Intel CPUs since Nehalem keep it idle).  Interrupts are off between
 * the two ICR writes, so a handler may send IPIs too.
 */
void smp_send_ipi(unsigned int cpu, uint8_t vector);

/* end of interrupt for a fixed IPI's handler (11.8.5) */
static inline void smp_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

static inline unsigned long irq_save(void)
{
	unsigned long f;

	asm volatile("pushf; pop %0; cli" : "=r"(f) : : "memory");
	return f;
}

static inline void irq_restore(unsigned long f)
{
	asm volatile("push %0; popf" : : "r"(f) : "memory", "cc");
}

/* Atomics (LOCK prefix: SDM vol. 3 9.1.2.2); all are full barriers. */
static inline uint32_t atomic_xadd(volatile uint32_t *p, uint32_t v)
{
	asm volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;			/* the old value */
}

static inline void atomic_inc(volatile uint32_t *p)
{
	asm volatile("lock incl %0" : "+m"(*p) : : "memory");
}

static inline void atomic_or(volatile uint32_t *p, uint32_t v)
{
	asm volatile("lock orl %1, %0" : "+m"(*p) : "ri"(v) : "memory");
}

/* stores new if *p == old; returns what *p held */
static inline uint32_t atomic_cmpxchg(volatile uint32_t *p, uint32_t old,
				      uint32_t new)
{
	asm volatile("lock cmpxchgl %2, %1"
		     : "+a"(old), "+m"(*p) : "r"(new) : "memory");
	return old;
}

static inline uint32_t atomic_xchg(volatile uint32_t *p, uint32_t v)
{
	/* XCHG with memory is locked without the prefix (9.1.2.1) */
	asm volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

/* A test-and-test-and-set spinlock; not recursive, not interrupt-safe. */
typedef struct {
	volatile uint32_t locked;
} spinlock_t;

#define SPINLOCK_INIT	{ 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (atomic_xchg(&l->locked, 1))
		while (l->locked)
			asm volatile("pause" : : : "memory");
}

static inline void spin_unlock(spinlock_t *l)
{
	/* a plain store releases on x86 (SDM vol. 3 9.2.2); keep gcc in order */
	asm volatile("" : : : "memory");
	l->locked = 0;
}

/*
 * A sense-reversing barrier for n CPUs (zero-initialised, reusable).
 * Returns 0 when all n arrived, -1 if timeout_tsc ticks passed first
 * (0: wait for ever); after a timeout the barrier is out of step: don't
 * use it again.
 */
struct smp_barrier {
	volatile uint32_t count;
	volatile uint32_t gen;
};

int smp_barrier_wait(struct smp_barrier *b, unsigned int n,
		     uint64_t timeout_tsc);

/* printf() under a lock, for use on any CPU while APs run */
int smp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* internal: the trampoline's 32-bit half calls this on each AP */
void smp_ap_main(unsigned int cpu) __attribute__((noreturn));

#endif /* !__ASSEMBLER__ */
#endif
