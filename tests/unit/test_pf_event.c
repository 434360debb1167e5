// SPDX-License-Identifier: GPL-2.0
/*
 * A #PF for the guest while the exit interrupted another event's delivery
 * (module/mmu/pf_event.c: SDM vol. 3 6.15 table 6-5, APM vol. 2 8.2.9),
 * and the held interrupt's injection (module/irq.c): it goes first, only
 * when the guest can take an interrupt, and no new vector is acknowledged
 * before it.  The LAPIC and the backend are fakes that record.
 */
#include <asm/trapnr.h>
#include "v3.h"
#include "mmu/mmu.h"
#include "unit.h"

static struct v3_vm vm;
static struct v3_vcpu vcpu;

/* the fake LAPIC: one pending vector, acknowledged once */
static int lapic_vector = -1, acks;
int v3_lapic_pending(struct v3_vcpu *v) { return lapic_vector; }
int v3_lapic_ack(struct v3_vcpu *v)
{
	int vec = lapic_vector;

	acks++;
	lapic_vector = -1;
	return vec;
}
void v3_pic_set_irq(struct v3_pic *pic, unsigned int irq, bool level) { }
void v3_ioapic_set_irq(struct v3_ioapic *io, unsigned int pin, bool level) { }

/* the fake backend */
static bool allowed, window;
static int injected = -1, injections;
static bool fake_allowed(struct v3_vcpu *v) { return allowed; }
static void fake_inject_irq(struct v3_vcpu *v, u8 vector)
{
	injected = vector;
	injections++;
}
static void fake_window(struct v3_vcpu *v, bool on) { window = on; }
static const struct v3_arch_ops fake_ops = {
	.name = "fake",
	.irq_allowed = fake_allowed,
	.inject_irq = fake_inject_irq,
	.irq_window = fake_window,
};
const struct v3_arch_ops *v3_arch = &fake_ops;

#define EV(type, vector) (V3_EVENT_VALID | ((type) << 8) | (vector))

static void test_table(void)
{
	static const struct {
		u32 first;
		enum v3_pf_merge want;
		const char *what;
	} t[] = {
		{ 0, V3_PF_ALONE, "nothing in flight" },
		{ 0x20 | (V3_EVENT_EXT_INT << 8), V3_PF_ALONE, "valid bit clear" },
		{ EV(V3_EVENT_EXT_INT, 0x30), V3_PF_HOLD, "external interrupt 0x30: held" },
		{ EV(V3_EVENT_EXT_INT, 0xef), V3_PF_HOLD, "external interrupt 0xef: held" },
		{ EV(V3_EVENT_NMI, 2), V3_PF_STOP, "NMI: cannot be held" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_DE), V3_PF_SERIAL, "#DE (contributory): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_TS), V3_PF_SERIAL, "#TS (contributory): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_NP), V3_PF_SERIAL, "#NP (contributory): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_SS), V3_PF_SERIAL, "#SS (contributory): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_GP), V3_PF_SERIAL, "#GP (contributory): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_DB), V3_PF_SERIAL, "#DB (benign): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_UD), V3_PF_SERIAL, "#UD (benign): serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_BP), V3_PF_SERIAL, "INT3 as SVM reports it: serially" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_PF), V3_PF_DOUBLE, "#PF then #PF: #DF" },
		{ EV(V3_EVENT_HW_EXC, X86_TRAP_DF), V3_PF_SHUTDOWN, "#DF then #PF: shutdown" },
		{ EV(V3_EVENT_HW_EXC, 0x40), V3_PF_STOP, "hardware exception 0x40: not an exception" },
		{ EV(V3_EVENT_SOFT_INT, 0x80), V3_PF_SERIAL, "INT 0x80: serially (reruns)" },
		{ EV(V3_EVENT_PRIV_SOFT_EXC, 1), V3_PF_SERIAL, "INT1: serially" },
		{ EV(V3_EVENT_SOFT_EXC, 3), V3_PF_SERIAL, "INT3 (VMX): serially" },
		{ EV(1, 0x30), V3_PF_STOP, "reserved type 1: stop" },
		{ EV(7, 0), V3_PF_STOP, "type 7 (other event): stop" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		CHECK_EQ(v3_pf_merge(t[i].first), t[i].want, "merge: %s", t[i].what);
}

static void reset(void)
{
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.vm = &vm;
	shim_stops = 0;
	lapic_vector = -1;
	acks = injections = 0;
	injected = -1;
	allowed = window = false;
}

static void test_resolve(void)
{
	reset();
	CHECK_EQ(v3_pf_resolve(&vcpu, 0), X86_TRAP_PF, "resolve: alone: #PF");
	CHECK(!vcpu.held_irq && !shim_stops, "resolve: alone: nothing held, VM runs");

	reset();
	CHECK_EQ(v3_pf_resolve(&vcpu, EV(V3_EVENT_HW_EXC, X86_TRAP_GP) | BIT(11)),
		 X86_TRAP_PF, "resolve: #GP in flight: #PF");
	CHECK(!vcpu.held_irq, "resolve: #GP in flight: not held (it recurs)");

	reset();
	vcpu.irq_idle = true;
	CHECK_EQ(v3_pf_resolve(&vcpu, EV(V3_EVENT_EXT_INT, 0x31)), X86_TRAP_PF,
		 "resolve: interrupt 0x31 in flight: #PF");
	CHECK_EQ(vcpu.held_irq, V3_EVENT_VALID | 0x31, "resolve: interrupt 0x31 held");
	CHECK(test_bit(V3_REQ_EVENT, &vcpu.requests) && !vcpu.irq_idle,
	      "resolve: held: the next entry looks at interrupts");

	reset();
	CHECK_EQ(v3_pf_resolve(&vcpu, EV(V3_EVENT_HW_EXC, X86_TRAP_PF) | BIT(11)),
		 X86_TRAP_DF, "resolve: #PF in flight: #DF");
	CHECK(!shim_stops && !vcpu.held_irq, "resolve: #DF: VM runs, nothing held");

	reset();
	CHECK(v3_pf_resolve(&vcpu, EV(V3_EVENT_HW_EXC, X86_TRAP_DF) | BIT(11)) < 0 &&
	      shim_stops == 1 && shim_stop_reason == V3_STOP_SHUTDOWN,
	      "resolve: #DF in flight: triple fault stops the VM (shutdown): %s", shim_stop_why);

	reset();
	CHECK(v3_pf_resolve(&vcpu, EV(V3_EVENT_NMI, 2)) < 0 && shim_stops == 1 &&
	      shim_stop_reason == V3_STOP_INTERNAL && strstr(shim_stop_why, "cannot be held"),
	      "resolve: NMI in flight: the VM stops with a reason: %s", shim_stop_why);
}

/* irq.c: the held interrupt goes first, and only when allowed */
static void test_held_injection(void)
{
	reset();
	v3_pf_resolve(&vcpu, EV(V3_EVENT_EXT_INT, 0x31));
	lapic_vector = 0x41;	/* a newer, higher one arrives meanwhile */
	allowed = false;	/* the #PF is queued / the handler runs with IF=0 */
	v3_inject_pending(&vcpu);
	CHECK(injections == 0 && window && acks == 0 && vcpu.held_irq,
	      "held, not allowed: no injection, window asked, nothing acknowledged");
	CHECK(v3_vcpu_has_interrupt(&vcpu), "held: the vCPU has an interrupt (wakes from HLT)");

	allowed = true;
	v3_inject_pending(&vcpu);
	CHECK(injections == 1 && injected == 0x31 && !vcpu.held_irq && acks == 0 && !window,
	      "held, allowed: 0x31 injected first, 0x41 not acknowledged yet (injected 0x%x)",
	      injected);
	set_bit(V3_REQ_EVENT, &vcpu.requests);
	v3_inject_pending(&vcpu);
	CHECK(injections == 2 && injected == 0x41 && acks == 1,
	      "then the pending 0x41 is acknowledged and injected");
	lapic_vector = -1;
	CHECK(!v3_vcpu_has_interrupt(&vcpu), "nothing held or pending: no interrupt");
}

int main(void)
{
	test_table();
	test_resolve();
	test_held_injection();
	return unit_done();
}
