// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' return stub (issue #15): a traced system call costs one exit,
 * its entry, instead of two.
 *
 * Without it GEARS learns a handler's result by making the handler's
 * return address a UD2 (gears_hook.c): a second exit.  With it the return
 * address is a stub of GEARS' own in guest kernel memory (gears_retstub.h)
 * that stores RAX in a slot and returns to the caller; the VMM reads the
 * slots it handed out (at the next traced entry, and while a tracer reads
 * events) and sends each finished call's event out with its result.
 *
 * The stub's two pages are made once per guest boot, at the first call a
 * trace sees: an injection (gears_inject.c) armed on the traced sites
 * takes that call's boundary and calls the guest's own allocator of
 * module memory; the VMM writes the code; set_memory_ro() then
 * set_memory_x() make the code page executable; the call then goes on,
 * through the stub already.  The pages stay until the guest reboots: a
 * call still inside a handler when its trace stops returns through the
 * stub later, and the next trace uses them again.  Where there is no stub
 * (a kernel without those functions, a user's injection running, the
 * module parameter gears_ret_stub=0) or every slot is taken, a trace
 * falls back to the UD2 at the return.
 *
 * Races.  A slot is handed out (busy 2, then 1 once its guest data is
 * written) by the exit path under hit_lock; it is freed only by the
 * reaper, and one reaper runs at a time (ret_reaping), so a slot the
 * reaper saw busy stays that call's until the reaper frees it.  The
 * stub's stores reach other CPUs in order (result, then done), so a done
 * read first means the result is there.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include "../v3.h"
#include "gears.h"
#include "gears_retstub.h"
#include "../mmu/walk.h"

bool v3_gears_ret_enable = true;
module_param_named(gears_ret_stub, v3_gears_ret_enable, bool, 0644);
MODULE_PARM_DESC(gears_ret_stub,
		 "GEARS traces take a call's result from a stub in guest memory (1 exit a call) rather than a trap at its return (2)");

enum {
	V3_RET_ALLOC, V3_RET_ALLOCATED, V3_RET_RO, V3_RET_X,
};

static void v3_gears_ret_made(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			      u64 va, u64 gpa, int err);

/*
 * The guest's own mapping of the page at va, as its tables say now: 0
 * when the stub may use it (exec: fetched from; else: stored to), -EACCES
 * when not (a kernel whose allocator hands out read-only memory, or whose
 * set_memory_x() left the page NX): the stub would fault in the guest.
 */
static int v3_gears_ret_page(struct v3_vcpu *vcpu, u64 va, bool exec, u64 *gpa)
{
	struct v3_walk w;

	if (v3_gva_walk(vcpu, va, 0, V3_WALK_NO_CHECK, &w))
		return -EFAULT;
	if (gpa)
		*gpa = w.gpa;
	return (exec ? w.exec : w.writable) ? 0 : -EACCES;
}

/* step: set_memory_ro or _x (func) on the code page at va */
static int v3_gears_ret_protect(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
				u64 va, int step, u64 func)
{
	u64 args[6] = { va, 1 };

	gv->inj.step = step;
	return v3_gears_inj_call(gv, vcpu, func, false, args);
}

/*
 * The injection's steps (gears_inject.c calls this for RETSTUB), at the
 * boundary of the trace's first call: the two pages allocated, their
 * bytes written by the VMM, the code page read-only then executable.
 * inj->ret carries the address between the steps, inj->uaddr the data
 * page's guest-physical address.
 */
void v3_gears_ret_step(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, s64 prev)
{
	struct v3_gears_inj *inj = &gv->inj;
	u64 args[6] = {}, va = inj->ret, gpa;
	int ret;

	switch (inj->step) {
	case V3_RET_ALLOC:
		args[inj->execmem] = GEARS_RET_SIZE;	/* (type 0, size) */
		inj->step = V3_RET_ALLOCATED;
		ret = v3_gears_inj_call(gv, vcpu, inj->func, false, args);
		break;
	case V3_RET_ALLOCATED:
		va = prev;
		if (va < V3_GEARS_KERNEL_HALF || (va & ~PAGE_MASK)) {
			ret = va ? -EFAULT : -ENOMEM;
			break;
		}
		inj->ret = va;
		/* not executable yet, and the VMM's writes need no rights */
		ret = v3_write_gva(vcpu, va, gv->ret_code, GEARS_RET_SIZE);
		if (!ret)
			ret = v3_gears_ret_page(vcpu, va + GEARS_RET_PAGE, false,
						&gpa);
		/* the ftrace_ops' page: the guest's ftrace writes it */
		if (!ret)
			ret = v3_gears_ret_page(vcpu, va + GEARS_FT_OPS_OFF,
						false, NULL);
		if (ret)
			break;
		inj->uaddr = gpa;
		ret = v3_gears_ret_protect(gv, vcpu, va, V3_RET_RO, inj->sym_ro);
		break;
	case V3_RET_RO:
		ret = prev ? -EIO :
		      v3_gears_ret_protect(gv, vcpu, va, V3_RET_X, inj->sym_x);
		break;
	case V3_RET_X:
		ret = prev ? -EIO : v3_gears_ret_page(vcpu, va, true, NULL);
		v3_gears_ret_made(gv, vcpu, ret ? 0 : va, inj->uaddr, ret);
		return;
	default:
		ret = -EINVAL;
	}
	/* a step failed: the pages, if any, stay the guest's (2 of them) */
	if (ret)
		v3_gears_ret_made(gv, vcpu, 0, 0, ret);
}

/* the stub usable now: its code page, or 0 */
u64 v3_gears_ret_live(struct v3_gears_vm *gv)
{
	u64 va = smp_load_acquire(&gv->ret_va);

	return va && gv->ret_resets == READ_ONCE(gv->vm->resets) ? va : 0;
}

/* At a trace's start, gv->lock held: what making the stub may need. */
int v3_gears_ret_prepare(struct v3_gears_vm *gv)
{
	if (!gv->slots)
		gv->slots = kvcalloc(GEARS_RET_SLOTS, sizeof(*gv->slots),
				     GFP_KERNEL_ACCOUNT);
	if (gv->slots && !gv->ret_code) {
		gv->ret_code = kvzalloc(GEARS_RET_SIZE, GFP_KERNEL_ACCOUNT);
		if (gv->ret_code)
			gears_ret_code(gv->ret_code);	/* the data page: zeros */
	}
	return gv->slots && gv->ret_code ? 0 : -ENOMEM;
}

/*
 * At the trace's start, at the safe point: the stub of this boot, or its
 * making armed for the trace's first call (the injection then takes that
 * call's boundary, on the traced sites alone, and the call goes on
 * through the stub).  0 (there), -EINPROGRESS (armed), or why there will
 * be none; the trace traps the returns while there is none.
 */
int v3_gears_ret_arm(struct v3_gears_vm *gv)
{
	struct v3_gears_inj *inj = &gv->inj;
	struct gears_ret_syms rs;
	unsigned long flags;
	int ret;

	gv->ret_use = v3_gears_ret_enable;
	if (!gv->ret_use)
		return gv->ret_err = -EPERM;
	if (v3_gears_ret_live(gv))
		return 0;
	if (inj->state == V3_INJ_ARMED || inj->state == V3_INJ_RUNNING)
		return gv->ret_err = -EBUSY;	/* a user's injection first */
	ret = gears_ret_syms(gv->ksyms, &rs);
	if (ret)
		return gv->ret_err = ret;
	v3_gears_inj_new(inj, V3_GEARS_INJ_RETSTUB, 0);
	inj->func = rs.alloc;
	inj->sym_ro = rs.ro;
	inj->sym_x = rs.x;
	inj->execmem = rs.execmem;
	inj->traced_only = true;
	gv->ret_resets_arm = READ_ONCE(gv->vm->resets);
	spin_lock_irqsave(&gv->hit_lock, flags);
	inj->state = V3_INJ_ARMED;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return gv->ret_err = -EINPROGRESS;
}

/*
 * The stub's making, or the hooks' through ftrace, armed and not started,
 * called off (any context)
 */
void v3_gears_ret_cancel(struct v3_gears_vm *gv)
{
	struct v3_gears_inj *inj = &gv->inj;
	unsigned long flags;

	bool ft = false;

	spin_lock_irqsave(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED &&
	    (inj->kind == V3_GEARS_INJ_RETSTUB || inj->kind == V3_GEARS_INJ_FTRACE)) {
		ft = inj->kind == V3_GEARS_INJ_FTRACE;
		inj->state = V3_INJ_IDLE;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	inj->traced_only = false;
	if (ft) {		/* the trace's handlers get UD2s instead */
		gv->ft_want = false;
		gv->ft_err = -ECANCELED;
	}
}

/* the injection's end: the stub published, or why not */
static void v3_gears_ret_made(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			      u64 va, u64 gpa, int err)
{
	if (!err && READ_ONCE(gv->vm->resets) != gv->ret_resets_arm)
		err = -ENOEXEC;
	gv->ret_err = err;
	gv->inj.traced_only = false;
	if (!err && gv->inj.kind == V3_GEARS_INJ_FTRACE) {
		gv->ret_gpa = gpa;
		gv->ret_resets = gv->ret_resets_arm;
		gv->ret_waiting = 0;
		smp_store_release(&gv->ret_va, va);
		v3_info("%s: gears: return stub at %llx\n", gv->vm->name, va);
		v3_gears_ft_step(gv, vcpu, 0);	/* the hooks next */
		return;
	}
	if (!err) {
		gv->ret_gpa = gpa;
		gv->ret_resets = gv->ret_resets_arm;
		gv->ret_waiting = 0;
		/* the exit path reads ret_va without the lock: the rest first */
		smp_store_release(&gv->ret_va, va);
		v3_info("%s: gears: return stub at %llx: a traced call costs one exit\n",
			gv->vm->name, va);
	} else {
		v3_info("%s: gears: no return stub (%d): a traced call costs two exits\n",
			gv->vm->name, err);
	}
	if (gv->inj.kind == V3_GEARS_INJ_FTRACE)
		v3_gears_ft_done(gv, vcpu, err);	/* the pages are its too */
	else
		v3_gears_inj_finish(gv, vcpu, err);
}

/*
 * A traced handler entered (the exit path): its return address in
 * slot_va made a stub's, and the event kept for the result.  0, or
 * -errno and nothing changed (the caller traps the return instead).
 */
int v3_gears_ret_hook(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, u64 slot_va,
		      u64 ret_addr, const struct v3_gears_event *ev)
{
	u64 va = READ_ONCE(gv->ret_use) ? v3_gears_ret_live(gv) : 0;
	u64 init[3] = { ret_addr, 0, 0 }, stub;
	unsigned long flags;
	u32 i;

	if (!va)
		return -ENOENT;
	v3_gears_ret_reap(gv, true);
	spin_lock_irqsave(&gv->hit_lock, flags);
	for (i = 0; i < GEARS_RET_SLOTS && gv->slots[i].busy; i++)
		;
	if (i < GEARS_RET_SLOTS) {
		gv->slots[i].busy = 2;
		gv->slots[i].emitted = 0;
		gv->slots[i].ev = *ev;
	}
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (i == GEARS_RET_SLOTS)
		return -ENOSPC;
	stub = va + i * GEARS_RET_STUB_SIZE;
	if (v3_write_gpa(gv->vm, gv->ret_gpa + i * GEARS_RET_SLOT_SIZE, init,
			 sizeof(init)) ||
	    v3_write_gva(vcpu, slot_va, &stub, 8)) {
		spin_lock_irqsave(&gv->hit_lock, flags);
		gv->slots[i].busy = 0;
		spin_unlock_irqrestore(&gv->hit_lock, flags);
		return -EFAULT;
	}
	spin_lock_irqsave(&gv->hit_lock, flags);
	gv->slots[i].busy = 1;
	gv->ret_waiting++;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return 0;
}

/*
 * Every call that came back through the stub: its event out with its
 * result, its slot free.  From the exit path (guest memory is stable
 * there: mem_move.c holds the vCPUs), or with vm->mem_lock taken here
 * (!in_exit).
 */
void v3_gears_ret_reap(struct v3_gears_vm *gv, bool in_exit)
{
	u64 gpa = gv->ret_gpa;
	unsigned long flags;
	u32 i;

	if (!gv->slots || !v3_gears_ret_live(gv))
		return;
	if (!in_exit)
		mutex_lock(&gv->vm->mem_lock);
	/*
	 * The bit is held only while this runs, never across a wait or a
	 * preemption: the exit path skips its reap while another runs, and
	 * a reaper held up for long would let the slots run out.
	 */
	preempt_disable();
	if (test_and_set_bit_lock(0, &gv->ret_reaping))
		goto out;
	for (i = 0; i < GEARS_RET_SLOTS && v3_gears_ret_live(gv); i++) {
		struct v3_gears_slot *s = &gv->slots[i];
		u64 slot = gpa + i * GEARS_RET_SLOT_SIZE;
		struct v3_gears_event ev;
		bool out = false;
		s64 res;
		u8 done;

		if (READ_ONCE(s->busy) != 1 ||
		    v3_read_gpa(gv->vm, slot + GEARS_RET_SLOT_DONE, &done, 1) ||
		    done != 1)
			continue;
		smp_rmb();	/* the result was stored before done */
		if (v3_read_gpa(gv->vm, slot + GEARS_RET_SLOT_RESULT, &res, 8))
			continue;
		spin_lock_irqsave(&gv->hit_lock, flags);
		if (s->busy == 1 && !s->emitted) {	/* not forgotten meanwhile */
			ev = s->ev;
			out = true;
			gv->ret_waiting--;
		}
		s->busy = 0;
		spin_unlock_irqrestore(&gv->hit_lock, flags);
		if (!out)
			continue;
		v3_gears_count(gv, &gv->trace_stub_returns);
		ev.ret = res;
		ev.flags |= V3_GEARS_EV_RET;
		v3_gears_emit(gv, &ev);
	}
	clear_bit_unlock(0, &gv->ret_reaping);
out:
	preempt_enable();
	if (!in_exit)
		mutex_unlock(&gv->vm->mem_lock);
}

/*
 * The trace stopped: what came back goes out with its result, what is
 * still inside a handler without (its slot stays taken until it returns
 * through the stub).
 */
void v3_gears_ret_stop(struct v3_gears_vm *gv)
{
	unsigned long flags;
	u32 i;

	gv->ret_use = false;
	v3_gears_ret_cancel(gv);
	if (!gv->slots)
		return;
	v3_gears_ret_reap(gv, false);
	for (i = 0; i < GEARS_RET_SLOTS; i++) {
		struct v3_gears_slot *s = &gv->slots[i];
		struct v3_gears_event ev;
		bool out = false;

		spin_lock_irqsave(&gv->hit_lock, flags);
		if (s->busy && !s->emitted) {
			s->emitted = 1;
			ev = s->ev;
			out = true;
			gv->ret_waiting--;
		}
		spin_unlock_irqrestore(&gv->hit_lock, flags);
		if (out)
			v3_gears_emit(gv, &ev);
	}
}

/* a new guest kernel: the stub and the calls through it were the old one's */
void v3_gears_ret_forget(struct v3_gears_vm *gv)
{
	unsigned long flags;

	WRITE_ONCE(gv->ret_va, 0);
	gv->ret_use = false;
	gv->inj.traced_only = false;
	/* a reader's reaper may be at work: it frees only busy slots */
	spin_lock_irqsave(&gv->hit_lock, flags);
	gv->ret_waiting = 0;
	if (gv->slots)
		memset(gv->slots, 0, GEARS_RET_SLOTS * sizeof(*gv->slots));
	spin_unlock_irqrestore(&gv->hit_lock, flags);
}

void v3_gears_ret_free(struct v3_gears_vm *gv)
{
	kvfree(gv->slots);
	gv->slots = NULL;
	kvfree(gv->ret_code);
	gv->ret_code = NULL;
}

/* sysfs ret_stub: where it is and its slots in use, or why there is none */
ssize_t v3_gears_ret_stub_fmt(struct v3_gears_vm *gv, char *buf)
{
	u64 va = v3_gears_ret_live(gv);
	u32 i, busy = 0;

	if (!va) {
		if (!gv->ret_err)
			return sysfs_emit(buf, "none\n");
		return sysfs_emit(buf, "none (%d)\n", gv->ret_err);
	}
	for (i = 0; i < GEARS_RET_SLOTS; i++)
		busy += !!READ_ONCE(gv->slots[i].busy);
	return sysfs_emit(buf, "0x%llx slots %u busy %u%s\n", va,
			  GEARS_RET_SLOTS, busy, gv->ret_use ? " in use" : "");
}
