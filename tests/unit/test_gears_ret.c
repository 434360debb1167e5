// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' return stub, the VMM's side (module/gears/gears_ret.c), on a
 * fake guest: a few pages of "guest RAM", the stub's two pages mapped at
 * a module address with the data page elsewhere in RAM (found through
 * the guest's tables, not assumed after the code page), a kernel stack.
 * The guest's part is played here: the injected calls answer as the
 * guest's functions would, and "running the stub" is writing the slot's
 * result and done as the stub's code does (test_gears_retstub.c runs
 * that code itself).
 *
 * Checked: making the stub (module_alloc(8192), then set_memory_ro and
 * set_memory_x of the code page, the code written, execmem_alloc's
 * (type, size) on 6.10+, a failed allocation kept as the reason, the
 * guest's tables checked: a read-only data page or a code page still
 * NX after set_memory_x is refused, since the stub would fault), a
 * traced call's return address made its slot's stub and the slot's
 * data written, its result read once the stub ran and the event out with
 * it, every slot busy (the 129th call is refused and its stack untouched:
 * the caller traps that return), a trace that stops with calls in flight
 * (events out without a result, the slots kept until those calls come
 * back, then freed without a second event), a reset (the stub is the old
 * kernel's: not used), and the module parameter off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "v3.h"
#include "gears/gears.h"
#include "gears/gears_retstub.h"
#include "gears/ksyms.h"
#include "unit.h"

#define CODE_VA		0xffffffffc0010000ULL
#define DATA_VA		(CODE_VA + GEARS_RET_PAGE)
#define OPS_VA		(CODE_VA + GEARS_FT_OPS_OFF)
#define OPS_GPA		0xb000ULL
#define CODE_GPA	0x3000ULL
#define DATA_GPA	0x7000ULL	/* not after the code page */
#define STACK_VA	0xffffc90000013f00ULL
#define STACK_GPA	0x9f00ULL
#define RAM		0x10000ULL

static u8 ram[RAM];

int v3_read_gpa(struct v3_vm *vm, u64 gpa, void *buf, size_t len)
{
	if (gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

int v3_write_gpa(struct v3_vm *vm, u64 gpa, const void *buf, size_t len)
{
	if (gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

int v3_gva_to_gpa(struct v3_vcpu *vcpu, u64 gva, u64 *gpa)
{
	if (gva >= CODE_VA && gva < CODE_VA + GEARS_RET_PAGE)
		*gpa = CODE_GPA + (gva - CODE_VA);
	else if (gva >= DATA_VA && gva < DATA_VA + GEARS_RET_PAGE)
		*gpa = DATA_GPA + (gva - DATA_VA);
	else if (gva >= OPS_VA && gva < OPS_VA + GEARS_RET_PAGE)
		*gpa = OPS_GPA + (gva - OPS_VA);
	else if (gva >= STACK_VA && gva < STACK_VA + 0x100)
		*gpa = STACK_GPA + (gva - STACK_VA);
	else
		return -EFAULT;
	return 0;
}

/*
 * The guest's tables' rights: the data page writable, the code page
 * executable once set_memory_x ran (unless a test says otherwise).
 */
static bool data_writable = true, x_takes = true;
static int nr_calls;

int v3_gva_walk(struct v3_vcpu *vcpu, u64 gva, u32 access, unsigned int flags,
		struct v3_walk *w)
{
	memset(w, 0, sizeof(*w));
	if (v3_gva_to_gpa(vcpu, gva, &w->gpa))
		return -EFAULT;
	if ((gva >= DATA_VA && gva < DATA_VA + GEARS_RET_PAGE) ||
	    (gva >= OPS_VA && gva < OPS_VA + GEARS_RET_PAGE)) {
		w->writable = data_writable;
	} else if (gva >= CODE_VA && gva < CODE_VA + GEARS_RET_PAGE) {
		w->exec = x_takes && nr_calls >= 3;	/* set_memory_x called */
		w->writable = !w->exec;
	}
	return 0;
}

static int gva_writes;

int v3_read_gva(struct v3_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	u64 gpa;

	if (v3_gva_to_gpa(vcpu, gva, &gpa) || v3_read_gpa(NULL, gpa, buf, len))
		return -EFAULT;
	return 0;
}

int v3_write_gva(struct v3_vcpu *vcpu, u64 gva, const void *buf, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;

		if (v3_gva_to_gpa(vcpu, gva, &gpa) || v3_write_gpa(NULL, gpa, buf, n))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	gva_writes++;
	return 0;
}

u64 ktime_get_ns(void)
{
	return 1;
}

/* the guest's kernel: the three functions, or not; ftrace's */
static bool has_module_alloc = true, has_ftrace = true;

#define FN_FILTER_IP	0xffffffff81500000ULL
#define FN_REGISTER	0xffffffff81600000ULL
#define FN_UNREGISTER	0xffffffff81700000ULL
#define FN_SET_FILTER	0xffffffff81800000ULL
#define FN_MSLEEP	0xffffffff81900000ULL

u64 gears_ksyms_lookup(const struct gears_ksyms *k, const char *name)
{
	if (!strcmp(name, "module_alloc"))
		return has_module_alloc ? 0xffffffff81100000ULL : 0;
	if (!strcmp(name, "execmem_alloc"))
		return has_module_alloc ? 0 : 0xffffffff81200000ULL;
	if (!strcmp(name, "set_memory_ro"))
		return 0xffffffff81300000ULL;
	if (!strcmp(name, "set_memory_x"))
		return 0xffffffff81400000ULL;
	if (!has_ftrace)
		return 0;
	if (!strcmp(name, "ftrace_set_filter_ip"))
		return FN_FILTER_IP;
	if (!strcmp(name, "register_ftrace_function"))
		return FN_REGISTER;
	if (!strcmp(name, "unregister_ftrace_function"))
		return FN_UNREGISTER;
	if (!strcmp(name, "ftrace_set_filter"))
		return FN_SET_FILTER;
	if (!strcmp(name, "msleep"))
		return FN_MSLEEP;
	return 0;
}

/* the injection's calls, as gears_inject.c would make them */
static struct { u64 func, args[6]; } calls[32];
static int finished, finish_err;

int v3_gears_inj_call(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
		      u64 func, bool syscall, const u64 *args)
{
	if (nr_calls < 32) {
		calls[nr_calls].func = func;
		memcpy(calls[nr_calls].args, args, sizeof(calls[0].args));
	}
	nr_calls++;
	return syscall ? -EINVAL : 0;
}

/* as gears_inject.c's: a new request, not armed */
void v3_gears_inj_new(struct v3_gears_inj *inj, u32 kind, u32 pid)
{
	inj->state = V3_INJ_IDLE;
	inj->kind = kind;
	inj->pid = pid;
	inj->ft_n = 0;
}

void v3_gears_inj_finish(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			 int err)
{
	finished++;
	finish_err = err;
}

static struct v3_gears_event out[512];
static int nr_out;

void v3_gears_emit(struct v3_gears_vm *gv, struct v3_gears_event *ev)
{
	if (nr_out < 512)
		out[nr_out] = *ev;
	nr_out++;
}

void v3_gears_count(struct v3_gears_vm *gv, u64 *counter)
{
	(*counter)++;
}

static struct v3_vm vm;
static struct v3_gears_vm gv;
static struct v3_vcpu vcpu;

static void reset(void)
{
	v3_gears_ret_free(&gv);
	memset(&gv, 0, sizeof(gv));
	memset(ram, 0, sizeof(ram));
	gv.vm = &vm;
	strcpy(vm.name, "t");
	nr_calls = finished = finish_err = nr_out = 0;
	gva_writes = 0;
	v3_gears_ret_enable = true;
	has_module_alloc = true;
	has_ftrace = true;
	v3_gears_ft_enable = true;
	data_writable = true;
	x_takes = true;
}

/* the injection, answered: alloc returns va, the others ret */
static void make(u64 va, s64 ro, s64 x)
{
	v3_gears_ret_step(&gv, &vcpu, 0);
	if (finished)
		return;
	v3_gears_ret_step(&gv, &vcpu, va);
	if (finished)
		return;
	v3_gears_ret_step(&gv, &vcpu, ro);
	if (finished)
		return;
	v3_gears_ret_step(&gv, &vcpu, x);
}

/* a trace's start, then its first call's injection answered as make() */
static void attempt(u64 va, s64 ro, s64 x)
{
	v3_gears_ret_prepare(&gv);
	v3_gears_ret_arm(&gv);
	make(va, ro, x);
}

static u64 stack_word(void)
{
	u64 w;

	memcpy(&w, ram + STACK_GPA, 8);
	return w;
}

static void slot_get(u32 i, u64 *addr, u64 *res, u8 *done)
{
	const u8 *s = ram + DATA_GPA + i * GEARS_RET_SLOT_SIZE;

	memcpy(addr, s + GEARS_RET_SLOT_ADDR, 8);
	memcpy(res, s + GEARS_RET_SLOT_RESULT, 8);
	*done = s[GEARS_RET_SLOT_DONE];
}

/* the guest's side of the stub of slot i: RAX stored, then done */
static void stub_runs(u32 i, u64 rax)
{
	u8 *s = ram + DATA_GPA + i * GEARS_RET_SLOT_SIZE;

	memcpy(s + GEARS_RET_SLOT_RESULT, &rax, 8);
	s[GEARS_RET_SLOT_DONE] = 1;
}

/* a traced entry: its stack slot holds ret_addr; 0 or the hook's -errno */
static int enter(u64 ret_addr, u32 nr)
{
	struct v3_gears_event ev = { .nr = nr, .pid = 57 };

	memcpy(ram + STACK_GPA, &ret_addr, 8);
	return v3_gears_ret_hook(&gv, &vcpu, STACK_VA, ret_addr, &ev);
}

static void check_make(void)
{
	u8 code[GEARS_RET_PAGE];
	int ret;

	reset();
	CHECK_EQ(v3_gears_ret_prepare(&gv), 0, "prepare: slots and the code's bytes");
	ret = v3_gears_ret_arm(&gv);
	CHECK(ret == -EINPROGRESS && gv.inj.state == V3_INJ_ARMED &&
	      gv.inj.kind == V3_GEARS_INJ_RETSTUB && gv.inj.traced_only,
	      "arm: the making waits for the trace's first call, on the traced sites alone (%d)", ret);
	make(CODE_VA, 0, 0);
	gears_ret_code(code);
	CHECK(nr_calls == 3 && calls[0].func == 0xffffffff81100000ULL &&
	      calls[0].args[0] == GEARS_RET_SIZE && calls[0].args[1] == 0 &&
	      calls[1].func == 0xffffffff81300000ULL && calls[1].args[0] == CODE_VA &&
	      calls[1].args[1] == 1 &&
	      calls[2].func == 0xffffffff81400000ULL && calls[2].args[0] == CODE_VA &&
	      calls[2].args[1] == 1,
	      "module_alloc(8192), then set_memory_ro(code, 1), then set_memory_x(code, 1) (%d calls)", nr_calls);
	CHECK(!memcmp(ram + CODE_GPA, code, GEARS_RET_PAGE),
	      "the stubs written into the code page before it is made read-only");
	CHECK(finished == 1 && finish_err == 0 && gv.ret_va == CODE_VA &&
	      gv.ret_gpa == DATA_GPA && gv.ret_err == 0 && !gv.inj.traced_only,
	      "made: the stub at its address, its data page where the guest's tables put it (gpa %#llx)",
	      (unsigned long long)gv.ret_gpa);
	ret = v3_gears_ret_arm(&gv);
	CHECK(ret == 0 && gv.ret_use, "the next trace uses it: nothing to make (%d)", ret);

	reset();
	has_module_alloc = false;
	attempt(CODE_VA, 0, 0);
	CHECK(nr_calls == 3 && calls[0].func == 0xffffffff81200000ULL &&
	      calls[0].args[0] == 0 && calls[0].args[1] == GEARS_RET_SIZE &&
	      gv.ret_va == CODE_VA,
	      "6.10+: execmem_alloc(EXECMEM_DEFAULT, 8192)");

	reset();
	attempt(0, 0, 0);
	CHECK(nr_calls == 1 && finished == 1 && finish_err == -ENOMEM &&
	      gv.ret_va == 0 && gv.ret_err == -ENOMEM && enter(0x1234, 39) == -ENOENT,
	      "the guest's allocator fails: no stub, ENOMEM kept, the call traps its return");

	reset();
	attempt(CODE_VA, 0, -22);
	CHECK(finished == 1 && finish_err == -EIO && gv.ret_va == 0,
	      "set_memory_x fails: no stub (EIO)");

	reset();
	data_writable = false;
	attempt(CODE_VA, 0, 0);
	CHECK(nr_calls == 1 && finished == 1 && finish_err == -EACCES && gv.ret_va == 0,
	      "the allocator's memory is read-only in the guest (execmem's ROX cache): no stub (EACCES)");

	reset();
	x_takes = false;
	attempt(CODE_VA, 0, 0);
	CHECK(nr_calls == 3 && finished == 1 && finish_err == -EACCES && gv.ret_va == 0 &&
	      enter(0x1234, 39) == -ENOENT,
	      "set_memory_x returned 0 but the page is still NX in the guest's tables: no stub (EACCES)");

	reset();
	v3_gears_ret_enable = false;
	v3_gears_ret_prepare(&gv);
	ret = v3_gears_ret_arm(&gv);
	CHECK(ret == -EPERM && gv.inj.state == V3_INJ_IDLE && !gv.ret_use,
	      "gears_ret_stub=0: nothing armed, EPERM (%d)", ret);

	reset();
	v3_gears_ret_prepare(&gv);
	v3_gears_ret_arm(&gv);
	v3_gears_ret_cancel(&gv);
	CHECK(gv.inj.state == V3_INJ_IDLE && !gv.inj.traced_only,
	      "a user's injection calls the waiting making off");
}

static void check_calls(void)
{
	u64 addr, res, stub;
	u8 done;
	u32 i;
	int ret;

	reset();
	attempt(CODE_VA, 0, 0);

	ret = enter(0xffffffff81000aa0ULL, 39);
	slot_get(0, &addr, &res, &done);
	CHECK(ret == 0 && stack_word() == CODE_VA && addr == 0xffffffff81000aa0ULL &&
	      !done && gv.ret_waiting == 1 && gv.slots[0].busy == 1 && !nr_out,
	      "a traced entry: its return address is slot 0's stub, the caller's kept in the slot");
	v3_gears_ret_reap(&gv, true);
	CHECK(!nr_out && gv.slots[0].busy == 1, "not back yet: no event, the slot kept");
	stub_runs(0, 57);
	v3_gears_ret_reap(&gv, false);
	CHECK(nr_out == 1 && out[0].ret == 57 && (out[0].flags & V3_GEARS_EV_RET) &&
	      out[0].nr == 39 && !gv.slots[0].busy && gv.ret_waiting == 0 &&
	      gv.trace_stub_returns == 1 && !vm.mem_lock.locked,
	      "back through the stub: its event out with the result, the slot free");

	/* every slot in flight */
	nr_out = 0;
	for (i = 0; i < GEARS_RET_SLOTS; i++)
		if (enter(0xffffffff81000000ULL + i, 0))
			break;
	stub = stack_word();
	CHECK(i == GEARS_RET_SLOTS && stub == CODE_VA + (GEARS_RET_SLOTS - 1) * GEARS_RET_STUB_SIZE &&
	      gv.ret_waiting == GEARS_RET_SLOTS,
	      "128 calls in flight: each its own slot's stub (the last %#llx)", (unsigned long long)stub);
	gva_writes = 0;
	ret = enter(0xffffffff81000999ULL, 0);
	CHECK(ret == -ENOSPC && stack_word() == 0xffffffff81000999ULL && !gva_writes,
	      "the 129th: refused, its return address left alone (the caller traps that return)");
	stub_runs(5, -4);
	ret = enter(0xffffffff81000777ULL, 1);
	slot_get(5, &addr, &res, &done);
	CHECK(ret == 0 && nr_out == 1 && out[0].ret == (u64)-4 && stack_word() == CODE_VA + 5 * GEARS_RET_STUB_SIZE &&
	      addr == 0xffffffff81000777ULL && !done && !res,
	      "a slot that came back is reaped at the next entry and used again, its data reset");

	/* the trace stops with 128 in flight: events out now, slots kept */
	nr_out = 0;
	v3_gears_ret_stop(&gv);
	CHECK(nr_out == GEARS_RET_SLOTS && !(out[0].flags & V3_GEARS_EV_RET) &&
	      gv.ret_waiting == 0 && gv.slots[7].busy == 1 && !gv.ret_use,
	      "stop: the 128 calls in flight go out without a result; their slots stay taken");
	stub_runs(7, 3);
	nr_out = 0;
	v3_gears_ret_reap(&gv, false);
	CHECK(!nr_out && !gv.slots[7].busy && gv.slots[8].busy == 1,
	      "one of them comes back later: its slot freed, no second event");

	/* a reset: the stub is the old kernel's */
	vm.resets++;
	gv.ret_use = true;
	CHECK(enter(0x42, 0) == -ENOENT && stack_word() == 0x42,
	      "after a guest reset the old stub is not used");
	vm.resets--;
	v3_gears_ret_forget(&gv);
	CHECK(enter(0x43, 0) == -ENOENT && !gv.slots[8].busy && gv.ret_va == 0,
	      "forget: no stub, no slot taken");
	v3_gears_ret_free(&gv);
}

/* ------------------------------------- hooks through the guest's ftrace */

/* gears_ftrace.c's neighbours: the safe point, the sites, the trace */
static int nr_syncs, nr_entries;
static u64 entry_regs, entry_slot;
static struct v3_gears_bp *entry_bp;
static bool started_done;
static struct v3_gears_bp bps[40];

int v3_gears_request(struct v3_gears_vm *g,
		     int (*fn)(struct v3_gears_vm *g, struct v3_gears_mem *m,
			       void *arg),
		     void *arg)
{
	return fn ? fn(g, NULL, arg) : 0;
}

/* the safe point: every UD2 goes but the one the steps return to */
int v3_gears_hook_sync(struct v3_gears_vm *g, struct v3_gears_mem *m,
		       void *arg)
{
	u32 i;

	nr_syncs++;
	for (i = 0; i < g->nr_bps; i++)
		g->bps[i].placed = g->inj.state == V3_INJ_ARMED;
	return 0;
}

long wait_for_completion_killable_timeout(struct completion *c,
					  unsigned long timeout)
{
	return started_done ? 1 : 0;
}

unsigned long wait_for_completion_timeout(struct completion *c,
					  unsigned long timeout)
{
	return started_done ? 1 : 0;
}

void v3_gears_task_of(struct v3_gears_vm *g, struct v3_vcpu *v, u32 *pid,
		      u32 *tgid, char *comm)
{
	*pid = *tgid = 57;
	strcpy(comm, "sh");
}

void v3_gears_trace_entry(struct v3_gears_vm *g, struct v3_vcpu *v,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va, u64 slot_va)
{
	nr_entries++;
	entry_bp = bp;
	entry_regs = regs_va;
	entry_slot = slot_va;
}

/* the event of a traced entry: its regs' address as its first argument */
bool v3_gears_trace_event(struct v3_gears_vm *g, struct v3_vcpu *v,
			  struct v3_gears_bp *bp, u32 pid, u32 tgid,
			  const char *comm, u64 regs_va,
			  struct v3_gears_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->args[0] = regs_va;
	ev->pid = pid;
	g->trace_entries++;
	return true;
}

/* the boundaries' returns GEARS waits for */
static struct v3_gears_pend bnds[16];
static int nr_bnds;

int v3_gears_push_bnd(struct v3_gears_vm *g, u64 site, u64 slot,
		      u64 ret_addr, u64 regs_va,
		      const struct v3_gears_event *ev)
{
	struct v3_gears_pend p = { .site = site, .slot = slot, .ret_addr = ret_addr,
				   .bnd = true, .regs_va = regs_va, .has_ev = !!ev };

	if (nr_bnds == 16)
		return -ENOSPC;
	if (ev)
		p.ev = *ev;
	bnds[nr_bnds++] = p;
	return 0;
}

bool v3_gears_pop_ret(struct v3_gears_vm *g, u64 site, u64 slot,
		      struct v3_gears_pend *out)
{
	int i;

	for (i = 0; i < nr_bnds; i++) {
		if (bnds[i].site != site || bnds[i].slot != slot)
			continue;
		*out = bnds[i];
		bnds[i] = bnds[--nr_bnds];
		return true;
	}
	return false;
}

/* an injection's boundary taken: where and with what */
static int nr_takes;
static u64 take_resume, take_ret_site, take_regs;

int v3_gears_inj_take(struct v3_gears_vm *g, struct v3_vcpu *v, u64 resume,
		      u64 ret_site, u64 regs_va, u32 pid, u32 tgid,
		      const char *comm)
{
	if (g->inj.state != V3_INJ_ARMED || (g->inj.pid && g->inj.pid != tgid))
		return 0;
	g->inj.state = V3_INJ_RUNNING;
	nr_takes++;
	take_resume = resume;
	take_ret_site = ret_site;
	take_regs = regs_va;
	return 1;
}

struct v3_gears_bp *v3_gears_bp_find(struct v3_gears_vm *g, u64 va)
{
	u32 i;

	for (i = 0; i < g->nr_bps; i++)
		if (g->bps[i].va == va)
			return &g->bps[i];
	return NULL;
}

/* n handlers, those in traced (a bit each) selected by the trace */
static void ft_setup(u32 n, u64 traced)
{
	u32 i;

	reset();
	memset(bps, 0, sizeof(bps));
	for (i = 0; i < n; i++) {
		bps[i].va = 0xffffffff81010004ULL + i * 0x100;
		bps[i].trace = !!(traced & (1ULL << i));
		snprintf(bps[i].name, sizeof(bps[i].name), "call%u", i);
	}
	gv.bps = bps;
	gv.nr_bps = n;
	gv.hk_resets = vm.resets;
	gv.layout.fops = (struct gears_fops){ .size = 200, .func = 0,
					      .flags = 16, .save_regs = 4 };
	nr_syncs = nr_entries = 0;
	entry_bp = NULL;
	v3_gears_ft_init(&gv);
	started_done = false;
	v3_gears_ret_prepare(&gv);
}

/* the making answered: the stub's steps, waits while a site keeps its UD2 */
static void ft_make(s64 filter_ret, s64 reg_ret)
{
	u32 i;

	make(CODE_VA, 0, 0);		/* ends in the first ftrace step */
	for (i = 0; i < 3 && !finished; i++) {
		if (i == 0)		/* the safe point ran meanwhile */
			v3_gears_hook_sync(&gv, NULL, NULL);
		if (calls[nr_calls - 1].func != FN_MSLEEP)
			break;
		v3_gears_ft_step(&gv, &vcpu, 0);
	}
	while (!finished && nr_calls < 32) {
		u64 f = calls[nr_calls - 1].func;

		v3_gears_ft_step(&gv, &vcpu, f == FN_FILTER_IP ? filter_ret :
					     f == FN_REGISTER ? reg_ret : 0);
	}
}

static int calls_to(u64 func)
{
	int i, n = 0;

	for (i = 0; i < nr_calls && i < 32; i++)
		n += calls[i].func == func;
	return n;
}

static void check_ftrace(void)
{
	u64 regs[V3_PT_WORDS] = {}, w;
	u8 ops[200], zero[200] = {};
	int ret, i;

	ft_setup(4, 0x6);		/* call1 and call2 traced */
	gv.tracing = true;
	ret = v3_gears_ft_arm(&gv);
	CHECK(ret == 0 && gv.inj.state == V3_INJ_ARMED && gv.inj.kind == V3_GEARS_INJ_FTRACE &&
	      !gv.inj.traced_only && gv.ft_want && gv.inj.ft_n == 2 && gv.ft_err == -EINPROGRESS &&
	      gv.inj.ft_sites[0] == 1 && gv.inj.ft_sites[1] == 2,
	      "ft_arm: armed on every site; 2 handlers to hook, each by its address (%d)", ret);
	v3_gears_hook_sync(&gv, NULL, NULL);	/* armed: every UD2 */
	gv.inj.state = V3_INJ_RUNNING;		/* the boundary taken */
	v3_gears_ft_begin(&gv);
	CHECK(gv.ft_work.queued == 1, "the boundary taken: the worker's safe point queued (the UD2s go)");
	gv.ft_work.queued = 0;
	ft_make(0, 0);
	memcpy(ops, ram + OPS_GPA, sizeof(ops));
	memcpy(&w, ops, 8);
	CHECK(w == CODE_VA + GEARS_FT_CB_OFF && ops[16] == 4 &&
	      !memcmp(ops + 8, zero, 8) && !memcmp(ops + 24, zero, sizeof(ops) - 24),
	      "the ftrace_ops: func the callback, flags FTRACE_OPS_FL_SAVE_REGS, the rest zero");
	CHECK(calls[3].func == FN_MSLEEP && calls[3].args[0] == 5 &&
	      calls_to(FN_MSLEEP) == 1 && gv.inj.ret_site == CODE_VA + GEARS_FT_TRAP,
	      "a handler still has its UD2: the step waits in msleep(5) for the safe point; the steps return to GEARS' own trap");
	i = 4;
	CHECK(calls[i].func == FN_FILTER_IP && calls[i].args[0] == OPS_VA &&
	      calls[i].args[1] == bps[1].va && !calls[i].args[2] && !calls[i].args[3] &&
	      calls[i + 1].func == FN_FILTER_IP && calls[i + 1].args[1] == bps[2].va &&
	      calls[i + 2].func == FN_REGISTER && calls[i + 2].args[0] == OPS_VA &&
	      nr_calls == 7,
	      "ftrace_set_filter_ip(ops, site, 0, 0) for each handler, then register_ftrace_function(ops) (%d calls)",
	      nr_calls);
	CHECK(finished == 1 && finish_err == 0 && gv.ft_live && bps[1].ft && bps[2].ft &&
	      !bps[0].ft && !bps[3].ft && gv.ret_va == CODE_VA && gv.ft_want && !gv.ft_err &&
	      gv.ft_work.queued,
	      "registered: the two handlers marked as the guest's ftrace's, the injection ends, the worker syncs");
	CHECK(!bps[1].placed && !bps[2].placed, "no UD2 on a handler ftrace now owns");

	/* the callback's exit */
	regs[V3_PT_DI] = 0xffffc90000011f58ULL;
	regs[V3_PT_SP] = 0xffffc90000011f40ULL;
	memcpy(ram + STACK_GPA, regs, sizeof(regs));
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	vcpu.regs.gpr[V3_RDI] = bps[2].va;
	vcpu.regs.gpr[V3_RCX] = STACK_VA;
	ret = v3_gears_ft_exit(&gv, &vcpu);
	CHECK(ret == 0 && vcpu.regs.rip == CODE_VA + GEARS_FT_CB_UD + 2 && nr_entries == 1 &&
	      entry_bp == &bps[2] && entry_regs == regs[V3_PT_DI] && entry_slot == regs[V3_PT_SP],
	      "the callback's UD2: the handler's entry with ftrace's pt_regs' di and sp; on at its RET");
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD + 2;
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == -ENOENT && nr_entries == 1,
	      "another #UD is not the callback's");
	gv.tracing = false;
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	ret = v3_gears_ft_exit(&gv, &vcpu);
	CHECK(ret == 0 && nr_entries == 1 && vcpu.regs.rip == CODE_VA + GEARS_FT_CB_UD + 2,
	      "the trace stopped, still registered: the callback returns, no event");
	vm.resets++;
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == -ENOENT,
	      "after a guest reset the old callback's address is nobody's");
	vm.resets--;

	/* stopping: FTRACE_OFF at a boundary */
	nr_calls = finished = 0;
	gv.inj.state = V3_INJ_IDLE;	/* as the worker leaves it */
	ret = v3_gears_ft_off(&gv, 2000);
	CHECK(ret == -EINPROGRESS && gv.ft_live && gv.inj.state == V3_INJ_ARMED &&
	      gv.inj.kind == V3_GEARS_INJ_FTRACE_OFF,
	      "ft_off without a boundary yet: left armed (EINPROGRESS), the ops registered until the next system call");
	gv.inj.state = V3_INJ_RUNNING;
	gv.inj.step = 0;
	v3_gears_ft_step(&gv, &vcpu, 0);
	v3_gears_ft_step(&gv, &vcpu, -16);
	CHECK(calls_to(FN_UNREGISTER) == 1 && calls[0].args[0] == OPS_VA && finished == 1 &&
	      finish_err == -16 && gv.ft_live && bps[1].ft,
	      "unregister_ftrace_function fails: EBUSY kept, still registered");
	nr_calls = finished = 0;
	gv.inj.step = 0;
	v3_gears_ft_step(&gv, &vcpu, 0);
	v3_gears_ft_step(&gv, &vcpu, 0);
	v3_gears_ft_step(&gv, &vcpu, 0);
	CHECK(nr_calls == 2 && calls[0].func == FN_UNREGISTER && calls[1].func == FN_SET_FILTER &&
	      calls[1].args[0] == OPS_VA && !calls[1].args[1] && !calls[1].args[2] &&
	      calls[1].args[3] == 1 && finished == 1 && finish_err == 0 && !gv.ft_live &&
	      !bps[1].ft && !bps[2].ft,
	      "unregister_ftrace_function(ops), then ftrace_set_filter(ops, NULL, 0, 1) frees its filter");

	/* a new trace while the last one's ops is registered: out first */
	gv.tracing = true;
	bps[3].trace = 1;
	bps[1].trace = bps[2].trace = 0;
	gv.inj.state = V3_INJ_IDLE;
	/* the old ops: registered again for the test */
	bps[1].ft = bps[2].ft = 1;
	gv.ft_live = true;
	ret = v3_gears_ft_arm(&gv);
	CHECK(ret == 0 && gv.inj.ft_n == 1 && gv.inj.ft_sites[0] == 3,
	      "a trace starts with the last one's ops still registered: armed, its unregistering called off (%d)", ret);
	nr_calls = finished = 0;
	gv.inj.state = V3_INJ_RUNNING;
	gv.inj.step = 0;
	v3_gears_hook_sync(&gv, NULL, NULL);
	v3_gears_ft_step(&gv, &vcpu, 0);
	for (i = 0; i < 8 && !finished; i++)
		v3_gears_ft_step(&gv, &vcpu, 0);
	CHECK(nr_calls == 4 && calls[0].func == FN_UNREGISTER && calls[1].func == FN_SET_FILTER &&
	      calls[1].args[3] == 1 && calls[2].func == FN_FILTER_IP && calls[2].args[1] == bps[3].va &&
	      calls[3].func == FN_REGISTER && finished == 1 && !finish_err && gv.ft_live &&
	      bps[3].ft && !bps[1].ft && !bps[2].ft,
	      "its making unregisters the old ops and frees its filter, then filters and registers the new handler");

	/* failures never leave an ops registered with a partial filter */
	ft_setup(4, 0x6);
	v3_gears_ft_arm(&gv);
	ft_make(-22, 0);
	CHECK(calls_to(FN_FILTER_IP) == 1 && !calls_to(FN_REGISTER) &&
	      calls[nr_calls - 1].func == FN_SET_FILTER && calls[nr_calls - 1].args[3] == 1 &&
	      finished == 1 && finish_err == -22 && !gv.ft_live && !bps[1].ft &&
	      !gv.ft_want && gv.ft_err == -22 && gv.ft_work.queued,
	      "ftrace_set_filter_ip fails: its filter reset, never registered (EINVAL); the trace falls back to UD2s");
	ft_setup(4, 0x6);
	v3_gears_ft_arm(&gv);
	ft_make(0, -19);
	CHECK(calls_to(FN_REGISTER) == 1 && calls[nr_calls - 1].func == FN_SET_FILTER &&
	      finished == 1 && finish_err == -19 && !gv.ft_live && !bps[1].ft && !bps[2].ft,
	      "register_ftrace_function fails (ftrace off in the guest): filter reset, ENODEV kept");

	/* a user's injection calls an armed making off: UD2s instead */
	ft_setup(4, 0x2);
	gv.tracing = true;
	v3_gears_ft_arm(&gv);
	v3_gears_ret_cancel(&gv);
	CHECK(!gv.ft_want && gv.inj.state == V3_INJ_IDLE && gv.ft_err == -ECANCELED,
	      "an armed making called off (a user's injection first): ECANCELED, the trace falls back to UD2s");
	ft_setup(4, 0x2);
	v3_gears_ft_arm(&gv);
	v3_gears_ft_settle(&gv);
	CHECK(!gv.ft_want && gv.inj.state == V3_INJ_IDLE,
	      "the trace stops before any boundary: the making called off");
	ft_setup(4, 0x2);
	attempt(0, 0, 0);	/* the stub's pages made first */
	v3_gears_ret_cancel(&gv);
	finished = 0;
	v3_gears_ft_arm(&gv);
	gv.inj.state = V3_INJ_RUNNING;	/* as inj_hit: the boundary taken */
	gv.inj.step = 0;
	make(0, 0, 0);
	CHECK(finished == 1 && finish_err == -ENOMEM && !gv.ft_want && gv.ft_err == -ENOMEM &&
	      gv.ret_err == -ENOMEM && nr_calls == 2,
	      "the stub's pages cannot be made: no hooks through ftrace either (ENOMEM), UD2s and trapped returns (%d %d %d %d %d %d)", finished, finish_err, gv.ft_want, gv.ft_err, gv.ret_err, nr_calls);

	/* when not */
	ft_setup(4, 0x2);
	v3_gears_ft_enable = false;
	CHECK(v3_gears_ft_arm(&gv) == -EPERM && !gv.ft_want && gv.inj.state == V3_INJ_IDLE,
	      "gears_ftrace=0: EPERM");
	ft_setup(4, 0x2);
	v3_gears_ret_enable = false;
	CHECK(v3_gears_ft_arm(&gv) == -EPERM, "gears_ret_stub=0 (the pages are the stub's): EPERM");
	ft_setup(4, 0x2);
	gv.layout.fops.size = 0;
	CHECK(v3_gears_ft_arm(&gv) == -EOPNOTSUPP, "no struct ftrace_ops in the guest's BTF: EOPNOTSUPP");
	ft_setup(4, 0x2);
	has_ftrace = false;
	CHECK(v3_gears_ft_arm(&gv) == -ENOENT, "no register_ftrace_function (no dynamic ftrace): ENOENT");
	ft_setup(4, 0xf);
	CHECK(v3_gears_ft_arm(&gv) == 0 && gv.inj.state == V3_INJ_ARMED && gv.inj.ft_n == 4,
	      "every handler traced: all hooked through ftrace (later boundaries at the callback's calls' returns)");
	ft_setup(4, 0);
	CHECK(v3_gears_ft_arm(&gv) == -E2BIG, "nothing to hook: E2BIG");
	ft_setup(40, (1ULL << 34) - 2);
	CHECK(v3_gears_ft_arm(&gv) == 0 && gv.inj.ft_n == 33 && gv.inj.ft_sites[32] == 33,
	      "33 handlers: each by its address");
	/* handlers the guest's ftrace owned when the table was built */
	ft_setup(4, 0x2);
	bps[1].owned = 1;
	gv.tracing = true;
	CHECK(v3_gears_ft_arm(&gv) == 0 && gv.inj.ft_n == 1 && gv.inj.ft_sites[0] == 1,
	      "a handler ftrace owned when the table was built (a kprobe on it first): hooked through ftrace all the same");
	v3_gears_hook_sync(&gv, NULL, NULL);
	gv.inj.state = V3_INJ_RUNNING;
	v3_gears_ft_begin(&gv);
	ft_make(0, 0);
	CHECK(finished == 1 && !finish_err && gv.ft_live && bps[1].ft && !bps[0].ft,
	      "... registered, and that handler alone marked as hooked through ftrace");
	v3_gears_ret_free(&gv);
	ft_setup(4, 0x3);
	bps[2].owned = bps[3].owned = 1;
	CHECK(v3_gears_ft_arm(&gv) == 0 && gv.inj.ft_n == 2,
	      "every handler left out of the trace is ftrace's: hooked all the same");
	ft_setup(4, 0x2);
	gv.inj.kind = V3_GEARS_INJ_FTRACE_OFF;
	gv.inj.state = V3_INJ_RUNNING;
	CHECK(v3_gears_ft_arm(&gv) == -EBUSY, "the last trace's ops being unregistered right now: EBUSY (UD2s)");
	v3_gears_ret_free(&gv);
}

/*
 * An injection armed while GEARS' ops is registered: its boundary at the
 * return of a call the callback sees (v3_gears_ft_bound), diverted to
 * GEARS_FT_BND; the callback itself goes back into ftrace at once.
 */
static void check_ft_bound(void)
{
	const u64 slot = STACK_VA + 0xf0, ret_addr = 0xffffffff81234567ULL;
	u64 regs[V3_PT_WORDS] = {}, w, tr;
	struct v3_gears_pend p;
	int i;

	ft_setup(4, 0x6);
	gv.tracing = true;
	v3_gears_ft_arm(&gv);
	v3_gears_hook_sync(&gv, NULL, NULL);
	gv.inj.state = V3_INJ_RUNNING;
	v3_gears_ft_begin(&gv);
	ft_make(0, 0);
	CHECK(gv.ft_live && bps[1].ft && bps[2].ft, "bound: GEARS' ops registered on call1 and call2");
	regs[V3_PT_DI] = 0xffffc90000011f58ULL;
	regs[V3_PT_SP] = slot;
	memcpy(ram + STACK_GPA, regs, sizeof(regs));
	memcpy(ram + STACK_GPA + 0xf0, &ret_addr, 8);
	nr_entries = nr_bnds = nr_takes = nr_out = 0;

	/* the trace stopped, its unregistering armed */
	gv.tracing = false;
	for (i = 0; i < 4; i++)
		bps[i].trace = 0;
	gv.inj.kind = V3_GEARS_INJ_FTRACE_OFF;
	gv.inj.pid = 0;
	gv.inj.state = V3_INJ_ARMED;
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	vcpu.regs.gpr[V3_RDI] = bps[2].va;
	vcpu.regs.gpr[V3_RCX] = STACK_VA;
	memcpy(&w, ram + STACK_GPA + 0xf0, 8);
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == 0 && vcpu.regs.rip == CODE_VA + GEARS_FT_CB_UD + 2 &&
	      nr_bnds == 1 && bnds[0].slot == slot && bnds[0].ret_addr == ret_addr &&
	      bnds[0].regs_va == regs[V3_PT_DI] && !bnds[0].has_ev && gv.ft_bnd == 1 &&
	      !nr_takes && !nr_entries && w == ret_addr,
	      "the unregistering armed: a call the callback sees is its boundary, not there but at its return (the callback back into ftrace)");
	memcpy(&w, ram + STACK_GPA + 0xf0, 8);
	CHECK(w == CODE_VA + GEARS_FT_BND, "... the handler's return address made GEARS' boundary trap");
	vcpu.regs.rip = CODE_VA + GEARS_FT_BND;
	vcpu.regs.gpr[V3_RAX] = 42;
	CHECK(v3_gears_pop_ret(&gv, CODE_VA + GEARS_FT_BND, slot, &p), "... its return found at the trap");
	v3_gears_ft_bnd_ret(&gv, &vcpu, &p);
	CHECK(nr_takes == 1 && take_resume == ret_addr && take_ret_site == CODE_VA + GEARS_FT_TRAP &&
	      take_regs == regs[V3_PT_DI] && vcpu.regs.rip == ret_addr && gv.ft_bnd == 0 && !nr_out,
	      "the return: the injection taken there with the call's pt_regs, to resume at the caller; its steps return to GEARS' trap");

	memcpy(ram + STACK_GPA + 0xf0, &ret_addr, 8);
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == 0 && !nr_bnds && !gv.ft_bnd && !nr_entries,
	      "nothing armed (the injection runs), no trace: the call goes on untouched");

	/* a user's injection while the trace runs */
	gv.tracing = true;
	bps[2].trace = 1;
	gv.inj.kind = V3_GEARS_INJ_SYSCALL;
	gv.inj.pid = 99;
	gv.inj.state = V3_INJ_ARMED;
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == 0 && nr_entries == 1 && !nr_bnds,
	      "an injection for another process: the call traced as before, not diverted");
	gv.inj.pid = 57;
	tr = gv.trace_returns;
	vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
	CHECK(v3_gears_ft_exit(&gv, &vcpu) == 0 && nr_entries == 1 && nr_bnds == 1 &&
	      bnds[0].has_ev && bnds[0].ev.args[0] == regs[V3_PT_DI],
	      "the target's traced call: diverted, its event kept for the return");
	vcpu.regs.gpr[V3_RAX] = 7;
	v3_gears_pop_ret(&gv, CODE_VA + GEARS_FT_BND, slot, &p);
	v3_gears_ft_bnd_ret(&gv, &vcpu, &p);
	CHECK(nr_out == 1 && out[0].ret == 7 && (out[0].flags & V3_GEARS_EV_RET) &&
	      gv.trace_returns == tr + 1 && nr_takes == 2 && vcpu.regs.rip == ret_addr,
	      "... at its return: the event with its result (a second exit, counted in trace_returns), then the injection");

	/* one call may block long: a few in flight, the first back takes it */
	gv.inj.pid = 0;
	gv.inj.state = V3_INJ_ARMED;
	nr_bnds = 0;
	for (i = 0; i < 9; i++) {
		memcpy(ram + STACK_GPA + 0xf0, &ret_addr, 8);
		vcpu.regs.rip = CODE_VA + GEARS_FT_CB_UD;
		v3_gears_ft_exit(&gv, &vcpu);
	}
	CHECK(nr_bnds == V3_GEARS_FT_BND_MAX && gv.ft_bnd == V3_GEARS_FT_BND_MAX && nr_entries == 2,
	      "%d calls diverted at most at once; the next traced as before", V3_GEARS_FT_BND_MAX);
	v3_gears_pop_ret(&gv, CODE_VA + GEARS_FT_BND, slot, &p);
	v3_gears_ft_bnd_ret(&gv, &vcpu, &p);
	v3_gears_pop_ret(&gv, CODE_VA + GEARS_FT_BND, slot, &p);
	i = nr_takes;
	v3_gears_ft_bnd_ret(&gv, &vcpu, &p);
	CHECK(nr_takes == i && gv.ft_bnd == V3_GEARS_FT_BND_MAX - 2 && vcpu.regs.rip == ret_addr,
	      "the second back finds the injection taken: it just returns to its caller");
	v3_gears_ft_forget(&gv);
	CHECK(!gv.ft_bnd, "a new guest kernel: none in flight");
	v3_gears_ret_free(&gv);
}

int main(void)
{
	check_make();
	check_calls();
	check_ftrace();
	check_ft_bound();
	return unit_done();
}
