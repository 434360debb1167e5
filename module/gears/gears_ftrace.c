// SPDX-License-Identifier: GPL-2.0
/*
 * GEARS' hooks through the guest's own ftrace (issue #15): a traced
 * system call handler shared with the guest's ftrace and kprobes.
 *
 * A UD2 that GEARS writes over a handler's fentry NOP (gears_hook.c) is
 * in guest memory, where the guest's ftrace reads it: ftrace checks the
 * five bytes it expects before it changes them (ftrace_verify_code(),
 * kernel/trace/ftrace.c), finds the UD2, warns and turns itself off.  So
 * where the guest kernel has dynamic ftrace, a trace's handlers are
 * hooked by the guest's ftrace itself, the way livepatch does it
 * (kernel/livepatch/patch.c): GEARS places a struct ftrace_ops in guest
 * kernel memory (the third page of its return stub, gears_retstub.h)
 * whose func is a callback of three instructions, ENDBR64; UD2; RET,
 * calls ftrace_set_filter_ip() for each handler and then
 * register_ftrace_function().  The guest's ftrace writes the calls; each
 * traced call runs ftrace's trampoline, which saves a struct pt_regs
 * (FTRACE_OPS_FL_SAVE_REGS: RSP is the handler's at its entry, pointing
 * at its return address) and calls the callback with RDI the call site
 * and RCX those pt_regs.  Its UD2 is the one exit of the call; the
 * result comes from the return stub as for a UD2 hook.  The guest's own
 * kprobe or function tracer on the same handler is just another
 * ftrace_ops on it.  When the trace stops, unregister_ftrace_function()
 * makes the call a NOP again and ftrace_set_filter() with reset frees the
 * filter.  No byte of the guest's text is written by GEARS.
 *
 * Those calls run as an injection (gears_inject.c) at the next system
 * call boundary of any process: from the trace's start until then every
 * handler has its UD2 (so the guest's ftrace must not start changing
 * one meanwhile: the process that would start it makes a system call
 * first, and that call is the boundary).  Once the boundary is taken a
 * worker removes the UD2s at the safe point (the boundary's own once the
 * calls that return to it are back: from the stub's pages on, the
 * injected calls return to GEARS' own trap, GEARS_FT_TRAP), and a step
 * waits in msleep() until the handlers to hook have lost theirs before
 * register_ftrace_function() runs.  The stub's pages, the ops, the
 * filter and the register are one injection.  A trace falls back to UD2
 * hooks when it cannot be done (no dynamic ftrace or no ftrace_ops in
 * the BTF, more than V3_GEARS_FT_MAX handlers, the guest's ftrace
 * refusing).
 *
 * While GEARS' ops is registered, the injections that follow (the
 * unregistering, a user's) also take a boundary at the calls its
 * callback sees: not in the callback, which ftrace calls with preemption
 * off, but at the handler's return, diverted to a UD2 of GEARS' own
 * (GEARS_FT_BND), where the vCPU is back in the system call's path with
 * the handler's result in RAX.  So a trace of every handler needs no UD2
 * once its hooks are made.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/completion.h>
#include "../v3.h"
#include "gears.h"
#include "gears_retstub.h"
#include "ksyms.h"

bool v3_gears_ft_enable = true;
module_param_named(gears_ftrace, v3_gears_ft_enable, bool, 0644);
MODULE_PARM_DESC(gears_ftrace,
		 "GEARS traces hook handlers through the guest's own ftrace (shared with its kprobes and tracers) rather than UD2s");

/* an unregistering's run; a making that runs at a stop */
#define V3_GEARS_FT_RUN_MS	10000
#define V3_GEARS_FT_SETTLE_MS	5000
/* a step that waits for the safe point: msleep(5), 400 times at most */
#define V3_GEARS_FT_WAIT_MS	5
#define V3_GEARS_FT_WAITS	400

enum {
	V3_FT_BEGIN = V3_GEARS_FT_STEP0, V3_FT_WAIT, V3_FT_FILTER, V3_FT_REGISTER, V3_FT_RESET,
	V3_FT_UNREG, V3_FT_UNREGD, V3_FT_OLD_UNREGD, V3_FT_OLD_RESET,
};

/* the ops in the guest: the stub's third page, or 0 */
static u64 v3_gears_ft_ops(struct v3_gears_vm *gv)
{
	u64 va = v3_gears_ret_live(gv);

	return va ? va + GEARS_FT_OPS_OFF : 0;
}

/* a step: func(a0, a1, a2, a3) in the guest */
static int v3_gears_ft_call(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			    int step, u64 func, u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 args[6] = { a0, a1, a2, a3 };

	gv->inj.step = step;
	return v3_gears_inj_call(gv, vcpu, func, false, args);
}

/*
 * A step: the ops' filter emptied and its hash freed (ftrace_set_filter
 * with reset, no pattern), err kept for the injection's end.
 */
static int v3_gears_ft_reset(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			     int step, u64 ops, int err)
{
	gv->inj.err = err;
	return v3_gears_ft_call(gv, vcpu, step, gv->ft_syms.set_filter, ops,
				0, 0, 1);
}

/* a handler to hook still has its UD2 (the safe point has not run yet) */
static bool v3_gears_ft_placed(struct v3_gears_vm *gv)
{
	struct v3_gears_inj *inj = &gv->inj;
	u32 i;

	for (i = 0; i < inj->ft_n; i++)
		if (READ_ONCE(gv->bps[inj->ft_sites[i]].placed))
			return true;
	return false;
}

/* the ops, zeroed but its func and flags, as a new one for livepatch */
static int v3_gears_ft_ops_write(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
				 u64 ops)
{
	static const u8 zero[256];
	const struct gears_fops *f = &gv->layout.fops;
	u64 cb = v3_gears_ret_live(gv) + GEARS_FT_CB_OFF;
	u32 done;
	int ret;

	for (done = 0; done < f->size; done += sizeof(zero)) {
		ret = v3_write_gva(vcpu, ops + done, zero,
				   min_t(u32, sizeof(zero), f->size - done));
		if (ret)
			return ret;
	}
	ret = v3_write_gva(vcpu, ops + f->func, &cb, 8);
	return ret ?: v3_write_gva(vcpu, ops + f->flags, &f->save_regs, 8);
}

/* the hooks registered (the exit path of the last step) */
static void v3_gears_ft_mark(struct v3_gears_vm *gv, bool on)
{
	struct v3_gears_inj *inj = &gv->inj;
	u32 i;

	if (!on)
		WRITE_ONCE(gv->ft_live, false);
	for (i = 0; i < gv->nr_bps; i++)
		WRITE_ONCE(gv->bps[i].ft, 0);
	for (i = 0; on && i < inj->ft_n; i++)
		WRITE_ONCE(gv->bps[inj->ft_sites[i]].ft, 1);
	if (on) {
		gv->ft_resets = gv->ret_resets;
		smp_store_release(&gv->ft_live, true);
	}
}

/* the end of an FTRACE or FTRACE_OFF injection (the exit path) */
static void v3_gears_ft_end(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			    int err)
{
	if (gv->inj.kind == V3_GEARS_INJ_FTRACE) {
		v3_gears_ft_done(gv, vcpu, err);
		return;
	}
	v3_gears_inj_finish(gv, vcpu, err);
	schedule_work(&gv->ft_work);	/* nobody may wait: the UD2s go */
}

/*
 * The injection's steps for FTRACE (after the stub's, gears_ret.c) and
 * FTRACE_OFF.  prev is the last step's RAX; the functions return int.
 */
void v3_gears_ft_step(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, s64 prev)
{
	struct v3_gears_inj *inj = &gv->inj;
	struct gears_ft_syms *fs = &gv->ft_syms;
	u64 ops = v3_gears_ft_ops(gv);
	int ret = 0;

	if (inj->kind == V3_GEARS_INJ_FTRACE_OFF && inj->step == 0)
		inj->step = V3_FT_UNREG;
	else if (inj->step < V3_FT_BEGIN)
		inj->step = V3_FT_BEGIN;	/* the stub is there */
	if (!ops) {
		v3_gears_ft_end(gv, vcpu, -ENOEXEC);
		return;
	}
	/* from here the steps return to GEARS' own trap, not to a handler */
	inj->ret_site = v3_gears_ret_live(gv) + GEARS_FT_TRAP;
	switch (inj->step) {
	case V3_FT_BEGIN:
		/* the last trace's ops still registered: taken out first */
		if (READ_ONCE(gv->ft_live)) {
			ret = v3_gears_ft_call(gv, vcpu, V3_FT_OLD_UNREGD,
					       fs->unreg, ops, 0, 0, 0);
			break;
		}
		fallthrough;
	case V3_FT_OLD_RESET:
		ret = v3_gears_ft_ops_write(gv, vcpu, ops);
		if (ret)
			break;
		inj->ft_waits = 0;
		fallthrough;
	case V3_FT_WAIT:
		if (v3_gears_ft_placed(gv)) {
			if (++inj->ft_waits > V3_GEARS_FT_WAITS) {
				ret = -EBUSY;
				break;
			}
			/* the boundary's UD2 too, now its return came back */
			schedule_work(&gv->ft_work);
			ret = v3_gears_ft_call(gv, vcpu, V3_FT_WAIT, fs->msleep,
					       V3_GEARS_FT_WAIT_MS, 0, 0, 0);
			break;
		}
		inj->ft_i = 0;
		ret = v3_gears_ft_call(gv, vcpu, V3_FT_FILTER, fs->set_filter_ip,
				       ops, gv->bps[inj->ft_sites[0]].va, 0, 0);
		break;
	case V3_FT_FILTER:
		if ((int)prev) {
			/* never register an ops whose filter misses one */
			ret = v3_gears_ft_reset(gv, vcpu, V3_FT_RESET, ops,
						(int)prev);
			break;
		}
		if (++inj->ft_i < inj->ft_n) {
			ret = v3_gears_ft_call(gv, vcpu, V3_FT_FILTER,
					       fs->set_filter_ip, ops,
					       gv->bps[inj->ft_sites[inj->ft_i]].va,
					       0, 0);
			break;
		}
		ret = v3_gears_ft_call(gv, vcpu, V3_FT_REGISTER, fs->reg, ops,
				       0, 0, 0);
		break;
	case V3_FT_REGISTER:
		if ((int)prev) {
			ret = v3_gears_ft_reset(gv, vcpu, V3_FT_RESET, ops,
						(int)prev);
			break;
		}
		v3_gears_ft_mark(gv, true);
		v3_gears_ft_end(gv, vcpu, 0);
		return;
	case V3_FT_RESET:
		v3_gears_ft_end(gv, vcpu, inj->err);
		return;
	case V3_FT_OLD_UNREGD:
		if ((int)prev) {
			ret = (int)prev;	/* still registered: no new one */
			break;
		}
		v3_gears_ft_mark(gv, false);
		ret = v3_gears_ft_reset(gv, vcpu, V3_FT_OLD_RESET, ops, 0);
		break;
	case V3_FT_UNREG:
		ret = v3_gears_ft_call(gv, vcpu, V3_FT_UNREGD, fs->unreg, ops,
				       0, 0, 0);
		break;
	case V3_FT_UNREGD:
		if ((int)prev) {
			ret = (int)prev;	/* still registered */
			break;
		}
		v3_gears_ft_mark(gv, false);
		ret = v3_gears_ft_reset(gv, vcpu, V3_FT_RESET, ops, 0);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret)
		v3_gears_ft_end(gv, vcpu, ret);
}

/*
 * At a trace's start, at the safe point, its handlers marked: the
 * making of hooks through ftrace armed on every site (0), or why not
 * (the trace then uses UD2s).
 */
int v3_gears_ft_arm(struct v3_gears_vm *gv)
{
	struct v3_gears_inj *inj = &gv->inj;
	struct gears_ret_syms rs = {};
	unsigned long flags;
	u32 i, n = 0;

	gv->ft_want = false;
	if (!v3_gears_ft_enable || !v3_gears_ret_enable)
		return gv->ft_err = -EPERM;
	if (!gv->layout.fops.size)
		return gv->ft_err = -EOPNOTSUPP;
	if (gears_ft_syms(gv->ksyms, &gv->ft_syms) ||
	    (!v3_gears_ret_live(gv) && gears_ret_syms(gv->ksyms, &rs)))
		return gv->ft_err = -ENOENT;
	/* the last trace's unregistering, not started: this making does it */
	spin_lock_irqsave(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED && inj->kind == V3_GEARS_INJ_FTRACE_OFF)
		inj->state = V3_INJ_IDLE;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (inj->state == V3_INJ_ARMED || inj->state == V3_INJ_RUNNING)
		return gv->ft_err = -EBUSY;
	/*
	 * Each by its address, every handler if the trace wants them all:
	 * the boundaries GEARS needs later (the unregistering's, an
	 * injection's) are UD2s on the handlers ftrace does not own and the
	 * returns of the calls its callback sees (v3_gears_ft_bound).
	 */
	for (i = 0; i < gv->nr_bps; i++)
		if (gv->bps[i].trace && n++ < V3_GEARS_FT_MAX)
			inj->ft_sites[n - 1] = i;
	if (!n || n > V3_GEARS_FT_MAX)
		return gv->ft_err = -E2BIG;
	v3_gears_inj_new(inj, V3_GEARS_INJ_FTRACE, 0);
	inj->ft_n = n;
	inj->func = rs.alloc;
	inj->sym_ro = rs.ro;
	inj->sym_x = rs.x;
	inj->execmem = rs.execmem;
	gv->ret_resets_arm = READ_ONCE(gv->vm->resets);
	gv->ret_use = true;
	gv->ft_want = true;
	spin_lock_irqsave(&gv->hit_lock, flags);
	inj->state = V3_INJ_ARMED;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	gv->ft_err = -EINPROGRESS;
	return 0;
}

static int v3_gears_ft_sync_held(struct v3_gears_vm *gv,
				 struct v3_gears_mem *m, void *arg)
{
	return v3_gears_hook_sync(gv, m, NULL);
}

/*
 * The armed FTRACE_OFF injection: wait up to boundary_ms for its
 * boundary (then the UD2s go but its steps' return) and for its end.
 * gv->lock held; both waits bounded and killable (a VM destroyed or
 * reset meanwhile ends them).  0; -EINPROGRESS when no boundary came yet:
 * it stays armed, the next system call of any process takes it and the
 * worker's safe point follows; or -errno.
 */
static int v3_gears_ft_await(struct v3_gears_vm *gv, u32 boundary_ms)
{
	struct v3_gears_inj *inj = &gv->inj;
	long left;
	int ret;

	left = wait_for_completion_killable_timeout(&inj->started,
			msecs_to_jiffies(boundary_ms));
	if (left < 0)
		return left;
	if (READ_ONCE(inj->state) == V3_INJ_ARMED)
		return -EINPROGRESS;
	if (!gv->gone)
		v3_gears_request(gv, v3_gears_ft_sync_held, NULL);
	left = wait_for_completion_killable_timeout(&inj->done,
			msecs_to_jiffies(V3_GEARS_FT_RUN_MS));
	if (left <= 0 && READ_ONCE(inj->state) == V3_INJ_RUNNING)
		return left < 0 ? left : -ETIMEDOUT;	/* ends by itself */
	ret = inj->err;
	inj->state = V3_INJ_IDLE;
	if (!gv->gone)
		v3_gears_request(gv, v3_gears_ft_sync_held, NULL);
	return ret;
}

/* the making's boundary taken (the exit path): the UD2s go at the safe point */
void v3_gears_ft_begin(struct v3_gears_vm *gv)
{
	schedule_work(&gv->ft_work);
}

/*
 * The making's end (the exit path): registered, or the trace falls back
 * to UD2s on its handlers (the worker's safe point writes them).
 */
void v3_gears_ft_done(struct v3_gears_vm *gv, struct v3_vcpu *vcpu, int err)
{
	gv->ft_err = err;
	if (err) {
		if (!v3_gears_ret_live(gv))
			gv->ret_err = err;	/* returns trapped too */
		WRITE_ONCE(gv->ft_want, false);
		v3_info("%s: gears: no hooks through the guest's ftrace (%d): UD2s\n",
			gv->vm->name, err);
	}
	v3_gears_inj_finish(gv, vcpu, err);
	schedule_work(&gv->ft_work);
}

/* the worker: the text made what the trace and the making need now */
static void v3_gears_ft_work(struct work_struct *w)
{
	struct v3_gears_vm *gv = container_of(w, struct v3_gears_vm, ft_work);
	unsigned long flags;

	mutex_lock(&gv->lock);
	if (!gv->gone) {
		spin_lock_irqsave(&gv->hit_lock, flags);
		if ((gv->inj.kind == V3_GEARS_INJ_FTRACE ||
		     gv->inj.kind == V3_GEARS_INJ_FTRACE_OFF) &&
		    gv->inj.state == V3_INJ_DONE)
			gv->inj.state = V3_INJ_IDLE;
		spin_unlock_irqrestore(&gv->hit_lock, flags);
		v3_gears_request(gv, v3_gears_ft_sync_held, NULL);
	}
	mutex_unlock(&gv->lock);
}

/*
 * The trace stops (gv->lock held): a making still armed is called off; one
 * running is waited for (bounded), so that what it registers is then
 * unregistered by v3_gears_ft_off().
 */
void v3_gears_ft_settle(struct v3_gears_vm *gv)
{
	struct v3_gears_inj *inj = &gv->inj;

	v3_gears_ret_cancel(gv);
	if (inj->kind == V3_GEARS_INJ_FTRACE &&
	    READ_ONCE(inj->state) == V3_INJ_RUNNING &&
	    !wait_for_completion_timeout(&inj->done,
			msecs_to_jiffies(V3_GEARS_FT_SETTLE_MS)))
		v3_warn("%s: gears: the hooks' making still runs in the guest at the trace's stop\n",
			gv->vm->name);
	gv->ft_want = false;
}

void v3_gears_ft_init(struct v3_gears_vm *gv)
{
	INIT_WORK(&gv->ft_work, v3_gears_ft_work);
}

/* the VM is freed: no worker runs after this */
void v3_gears_ft_free(struct v3_gears_vm *gv)
{
	cancel_work_sync(&gv->ft_work);
}

static int v3_gears_ft_off_held(struct v3_gears_vm *gv,
				struct v3_gears_mem *m, void *arg)
{
	struct v3_gears_inj *inj = &gv->inj;
	unsigned long flags;

	if (!gv->ft_live || gv->ft_resets != READ_ONCE(gv->vm->resets) ||
	    gv->hk_resets != gv->ft_resets)
		return -ENOEXEC;
	if (inj->state == V3_INJ_ARMED || inj->state == V3_INJ_RUNNING)
		return -EBUSY;
	v3_gears_inj_new(inj, V3_GEARS_INJ_FTRACE_OFF, 0);
	spin_lock_irqsave(&gv->hit_lock, flags);
	inj->state = V3_INJ_ARMED;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	return v3_gears_hook_sync(gv, m, NULL);
}

/*
 * No trace (gv->lock held): GEARS' ftrace_ops unregistered in the guest
 * at the next system call boundary of any process, waited for up to
 * wait_ms.  0 (done, or nothing was registered); -EINPROGRESS (armed:
 * until then the callback's exits are ignored); or -errno, and it stays
 * registered until the next trace's making takes it out.
 */
int v3_gears_ft_off(struct v3_gears_vm *gv, u32 wait_ms)
{
	int ret;

	if (!gv->ft_live)
		return 0;
	ret = v3_gears_request(gv, v3_gears_ft_off_held, NULL);
	if (ret == -ENOEXEC) {		/* a new guest kernel: nothing there */
		v3_gears_ft_forget(gv);
		return 0;
	}
	if (!ret)
		ret = v3_gears_ft_await(gv, wait_ms);
	if (ret && ret != -EINPROGRESS)
		v3_warn("%s: gears: GEARS' ftrace_ops is still registered in the guest (%d): its calls exit until a later trace removes it\n",
			gv->vm->name, ret);
	return ret;
}

static void v3_gears_ft_bnd_put(struct v3_gears_vm *gv)
{
	unsigned long flags;

	spin_lock_irqsave(&gv->hit_lock, flags);
	if (gv->ft_bnd)
		gv->ft_bnd--;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
}

/*
 * An armed injection's boundary at a call the callback sees: not taken
 * there (ftrace calls the callback with preemption off; the steps sleep)
 * but at the handler's return, which goes to GEARS_FT_BND instead of its
 * caller (v3_gears_ft_bnd_ret).  A few such calls at a time (one may
 * block long), the first back takes the boundary; the call's event, when
 * traced, gets its result there.  True when this call was claimed: then
 * it is diverted, or (no room to remember it) its event went out without
 * a result; either way the caller traces it no further.
 */
static bool v3_gears_ft_bound(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			      struct v3_gears_bp *bp, u32 pid, u32 tgid,
			      const char *comm, u64 regs_va, u64 slot_va)
{
	struct v3_gears_inj *inj = &gv->inj;
	u64 trap = v3_gears_ret_live(gv) + GEARS_FT_BND, ret_addr;
	struct v3_gears_event ev;
	bool mine, has_ev = false;
	unsigned long flags;

	if (READ_ONCE(inj->state) != V3_INJ_ARMED ||
	    READ_ONCE(gv->ft_bnd) >= V3_GEARS_FT_BND_MAX ||
	    !tgid || (inj->pid && inj->pid != tgid) || bp->noret ||
	    v3_read_gva(vcpu, slot_va, &ret_addr, 8))
		return false;
	spin_lock_irqsave(&gv->hit_lock, flags);
	mine = inj->state == V3_INJ_ARMED && gv->ft_bnd < V3_GEARS_FT_BND_MAX;
	if (mine)
		gv->ft_bnd++;
	spin_unlock_irqrestore(&gv->hit_lock, flags);
	if (!mine)
		return false;
	if (READ_ONCE(gv->tracing) && bp->trace)
		has_ev = v3_gears_trace_event(gv, vcpu, bp, pid, tgid, comm,
					      regs_va, &ev);
	if (v3_gears_push_bnd(gv, trap, slot_va, ret_addr, regs_va,
			      has_ev ? &ev : NULL))
		goto no;
	if (v3_write_gva(vcpu, slot_va, &trap, 8)) {
		v3_gears_pop_ret(gv, trap, slot_va, &(struct v3_gears_pend){});
		goto no;
	}
	return true;
no:
	v3_gears_ft_bnd_put(gv);
	if (has_ev)
		v3_gears_emit(gv, &ev);		/* without its result */
	return true;
}

/*
 * The handler of a boundary's call returned to GEARS_FT_BND (the #UD
 * hook): its event with the result, then the injection, which gives the
 * vCPU back at the caller with the handler's registers (RAX its result).
 */
void v3_gears_ft_bnd_ret(struct v3_gears_vm *gv, struct v3_vcpu *vcpu,
			 struct v3_gears_pend *p)
{
	char comm[V3_GEARS_COMM_LEN];
	u32 pid, tgid;

	vcpu->regs.rip = p->ret_addr;
	if (p->has_ev) {
		v3_gears_count(gv, &gv->trace_returns);
		p->ev.ret = vcpu->regs.gpr[V3_RAX];
		p->ev.flags |= V3_GEARS_EV_RET;
		v3_gears_emit(gv, &p->ev);
	}
	v3_gears_ft_bnd_put(gv);
	v3_gears_task_of(gv, vcpu, &pid, &tgid, comm);
	v3_gears_inj_take(gv, vcpu, p->ret_addr,
			  v3_gears_ret_live(gv) + GEARS_FT_TRAP, p->regs_va,
			  pid, tgid, comm);
}

/*
 * The UD2 of the callback (the #UD hook, before the sites): a traced
 * call's entry, or an armed injection's boundary.  0, or -ENOENT when
 * RIP is not the callback's.
 */
int v3_gears_ft_exit(struct v3_gears_vm *gv, struct v3_vcpu *vcpu)
{
	u64 va = v3_gears_ret_live(gv), *gpr = vcpu->regs.gpr, di, sp;
	char comm[V3_GEARS_COMM_LEN];
	struct v3_gears_bp *bp;
	u32 pid, tgid;

	if (!va || vcpu->regs.rip != va + GEARS_FT_CB_UD)
		return -ENOENT;
	vcpu->regs.rip += 2;		/* its RET, back into ftrace */
	if (!smp_load_acquire(&gv->ft_live) ||
	    !gv->bps || gv->hk_resets != READ_ONCE(gv->vm->resets))
		return 0;
	bp = v3_gears_bp_find(gv, gpr[V3_RDI]);
	if (!bp || !READ_ONCE(bp->ft))
		return 0;
	if (READ_ONCE(gv->inj.state) != V3_INJ_ARMED &&
	    (!READ_ONCE(gv->tracing) || !bp->trace))
		return 0;
	/* RCX: ftrace's pt_regs; its di the handler's, its sp its entry's */
	if (v3_read_gva(vcpu, gpr[V3_RCX] + V3_PT_DI * 8, &di, 8) ||
	    v3_read_gva(vcpu, gpr[V3_RCX] + V3_PT_SP * 8, &sp, 8))
		return 0;
	v3_gears_task_of(gv, vcpu, &pid, &tgid, comm);
	if (v3_gears_ft_bound(gv, vcpu, bp, pid, tgid, comm, di, sp))
		return 0;
	if (READ_ONCE(gv->tracing) && bp->trace)
		v3_gears_trace_entry(gv, vcpu, bp, pid, tgid, comm, di, sp);
	return 0;
}

/* a new guest kernel: what GEARS registered in the old one is gone */
void v3_gears_ft_forget(struct v3_gears_vm *gv)
{
	WRITE_ONCE(gv->ft_live, false);
	gv->ft_bnd = 0;
	gv->ft_want = false;
}

/* sysfs ftrace_hook */
ssize_t v3_gears_ftrace_hook_fmt(struct v3_gears_vm *gv, char *buf)
{
	u32 i, n = 0;

	if (READ_ONCE(gv->ft_want) && !READ_ONCE(gv->ft_live))
		return sysfs_emit(buf, "making: at the next system call\n");
	if (!READ_ONCE(gv->ft_live) || !gv->bps)
		return gv->ft_err ? sysfs_emit(buf, "none (%d)\n", gv->ft_err) :
				    sysfs_emit(buf, "none\n");
	for (i = 0; i < gv->nr_bps; i++)
		n += READ_ONCE(gv->bps[i].ft);
	return sysfs_emit(buf, "registered: %u handlers, ftrace_ops at 0x%llx%s\n",
			  n, v3_gears_ft_ops(gv),
			  READ_ONCE(gv->tracing) ? "" :
			  " (its trace stopped: removed at the next system call)");
}
