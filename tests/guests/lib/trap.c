// SPDX-License-Identifier: GPL-2.0
/* IDT and exception dispatch; see trap.h for the recovery rules. */
#include "guest.h"
#include "trap.h"

/*
 * Interrupt gate: 32-bit (SDM Vol. 3A §6.11, Figure 6-2) or 64-bit (16
 * bytes, §6.14.1, Figure 6-8).  Both start code GDTs put the kernel code
 * segment at 0x08.
 */
struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;		/* P=1, DPL=0, 0xe: interrupt gate */
	uint16_t off_mid;
#ifdef __x86_64__
	uint32_t off_hi;
	uint32_t reserved;
#endif
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	unsigned long base;
} __attribute__((packed));

struct extable_entry {
	uint32_t from, to;
};

extern char isr_stubs[];
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

static struct idt_gate idt[256] __aligned(8);
static trap_handler_t handlers[256];

volatile struct fault_record last_fault = { .vector = ~0U };
volatile uint32_t fault_count;

static struct {
	int armed;
	unsigned int vector, skip;
} expect;

void idt_init(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (unsigned long)idt };
	unsigned int i;

	for (i = 0; i < 256; i++) {
		unsigned long a = (unsigned long)isr_stubs + 16 * i;

		idt[i].off_lo = a & 0xffff;
		idt[i].off_mid = (a >> 16) & 0xffff;
#ifdef __x86_64__
		idt[i].off_hi = a >> 32;
#endif
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e;
	}
	asm volatile("lidt %0" : : "m"(p));
}

void trap_allow_user(unsigned int vector)
{
	idt[vector & 0xff].type = 0xee;		/* P=1, DPL=3, interrupt gate */
}

void trap_set_handler(unsigned int vector, trap_handler_t fn)
{
	handlers[vector & 0xff] = fn;
}

void fault_reset(void)
{
	last_fault.vector = ~0U;
	last_fault.error = 0;
	last_fault.eip = 0;
	last_fault.cr2 = 0;
	expect.armed = 0;
}

void fault_expect(unsigned int vector, unsigned int skip)
{
	fault_reset();
	expect.vector = vector;
	expect.skip = skip;
	expect.armed = 1;
}

const char *trap_name(unsigned int v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "res",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	return v < ARRAY_SIZE(names) ? names[v] : "int";
}

void trap_dispatch(struct trap_frame *f)
{
	const struct extable_entry *e;

	last_fault.vector = f->vector;
	last_fault.error = f->error;
	last_fault.eip = f->eip;
	last_fault.cr2 = f->vector == X86_TRAP_PF ? read_cr2() : 0;
	fault_count++;

	if (handlers[f->vector] && handlers[f->vector](f))
		return;
	for (e = __start_ex_table; e < __stop_ex_table; e++) {
		if (e->from == f->eip) {
			f->eip = e->to;
			return;
		}
	}
	if (expect.armed && expect.vector == f->vector) {
		expect.armed = 0;
		f->eip += expect.skip;
		return;
	}
	tap_bail("unexpected exception %u (%s) error %#x at eip %#lx cr2 %#lx",
		 (unsigned int)f->vector, trap_name(f->vector),
		 (unsigned int)f->error, (unsigned long)f->eip,
		 last_fault.cr2);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	uint32_t before = fault_count;

	asm volatile("1: rdmsr\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	if (fault_count != before)
		return last_fault.vector;
	*val = ((uint64_t)hi << 32) | lo;
	return -1;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	uint32_t before = fault_count;

	asm volatile("1: wrmsr\n2:\n" EXTABLE(1b, 2b)
		     : : "c"(msr), "a"((uint32_t)val),
		       "d"((uint32_t)(val >> 32)) : "memory");
	if (fault_count != before)
		return last_fault.vector;
	return -1;
}
